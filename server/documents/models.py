from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from server.core.db import Base, TenantScoped
from server.documents.schemas import ExportableReport, ExportStatus

EXPORT_STATUSES = ("queued", "running", "ready", "failed")


class ReportExport(TenantScoped, Base):
    """One CSV export of a report over a period, produced by a worker. `progress` is 0–100;
    `storage_key` (the object's name in the tenant's storage) is set exactly when `ready`."""

    __tablename__ = "report_exports"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        ForeignKeyConstraint(["organization_id", "requested_by"], ["users.organization_id", "users.id"]),
        Index("ix_report_exports_created", "organization_id", "created_at", "id"),
        CheckConstraint("status in ('queued', 'running', 'ready', 'failed')", name="status"),
        CheckConstraint("progress between 0 and 100", name="progress"),
        CheckConstraint("(status = 'ready') = (storage_key is not null)", name="ready_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    report: Mapped[ExportableReport] = mapped_column(String(40))
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    status: Mapped[ExportStatus] = mapped_column(String(9), server_default="queued")
    progress: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    rows: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[int | None] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(Text)
    storage_key: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str] = mapped_column(Text, server_default="")
    requested_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
