from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKeyConstraint, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from server.core.db import Base, TenantScoped

MOVEMENT_KINDS = ("receipt", "adjustment", "count", "sale", "refund", "void")


class InventoryMovement(TenantScoped, Base):
    """One change of a product's stock. Invariant: a product's stock equals the sum of the
    deltas of its movements, and `balance_after` is the stock right after this movement."""

    __tablename__ = "inventory_movements"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "product_id"], ["products.organization_id", "products.id"]),
        ForeignKeyConstraint(["organization_id", "actor_id"], ["users.organization_id", "users.id"]),
        CheckConstraint("kind in ('receipt', 'adjustment', 'count', 'sale', 'refund', 'void')", name="kind"),
        Index("ix_inventory_movements_product", "organization_id", "product_id", "occurred_at"),
        Index("ix_inventory_movements_reference", "organization_id", "reference_id"),
        Index("ix_inventory_movements_time", "organization_id", "occurred_at", "id"),
        Index("ix_inventory_movements_kind_time", "organization_id", "kind", "occurred_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(16))
    delta: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reason: Mapped[str] = mapped_column(Text, server_default="")
    reference_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
