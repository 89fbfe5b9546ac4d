"""Tables of the offline protocol (DESIGN §9). Devices themselves live with registers
(`server.sales.models.Device`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from server.core.db import CURRENT_TRANSACTION_ID, Base, TenantScoped

DOCUMENT_KINDS = ("sale", "refund", "customer", "shift_open", "shift_close", "cash_movement")
OUTCOMES = ("applied", "applied_with_conflict", "rejected")


class SyncDocument(TenantScoped, Base):
    """One settled offline document: exactly one row per (device, seq) and per client id, written
    in the same transaction as the facts it created, holding the answer given for it so a resend
    gets the identical answer."""

    __tablename__ = "sync_documents"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "device_id"], ["devices.organization_id", "devices.id"]),
        Index("uq_sync_documents_seq", "organization_id", "device_id", "seq", unique=True),
        CheckConstraint(
            "kind in ('sale', 'refund', 'customer', 'shift_open', 'shift_close', 'cash_movement')", name="kind"
        ),
        CheckConstraint("outcome in ('applied', 'applied_with_conflict', 'rejected')", name="outcome"),
        CheckConstraint("seq > 0", name="seq_positive"),
    )

    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    request_hash: Mapped[bytes] = mapped_column(LargeBinary)
    outcome: Mapped[str] = mapped_column(String(24))
    result: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SyncConflict(TenantScoped, Base):
    """Something an offline document did that the server would have refused online: the fact
    stands, and a manager sees it here until it is resolved."""

    __tablename__ = "sync_conflicts"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "device_id"], ["devices.organization_id", "devices.id"]),
        ForeignKeyConstraint(["organization_id", "resolved_by"], ["users.organization_id", "users.id"]),
        Index("ix_sync_conflicts_status", "organization_id", "status", "created_at"),
        CheckConstraint("status in ('open', 'resolved')", name="status"),
        CheckConstraint(
            "resolution is null or resolution in ('acknowledged', 'stock_adjusted', 'annotated')", name="resolution"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    document_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    sale_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    product_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    code: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[Literal["open", "resolved"]] = mapped_column(String(16), server_default="open")
    resolution: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, server_default="")
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SyncTombstone(TenantScoped, Base):
    """A deleted catalog row, so devices that pulled it learn to drop it."""

    __tablename__ = "sync_tombstones"
    __table_args__ = (Index("ix_sync_tombstones_change", "organization_id", "change_xid"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))
    change_xid: Mapped[int] = mapped_column(BigInteger, server_default=text(CURRENT_TRANSACTION_ID))
