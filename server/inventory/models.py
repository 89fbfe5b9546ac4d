from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKeyConstraint, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from server.core.db import CURRENT_TRANSACTION_ID, Base, TenantScoped

MOVEMENT_KINDS = ("receipt", "adjustment", "count", "sale", "refund", "void")


class ProductStock(TenantScoped, Base):
    """A product's stock on hand, in a narrow row of its own (migration 0014) so that a stock
    change rewrites two small index entries, not every index of the product row.

    Invariants: every product has exactly one row, created at 0 by a trigger with the product
    and deleted with it; `on_hand` changes only together with an inventory movement
    (`server.inventory.service`); `change_xid` and `updated_at` move on every change, as a
    pulled table's do, so the catalog pull resends the product (`sync.catalog_pull`)."""

    __tablename__ = "product_stock"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "product_id"], ["products.organization_id", "products.id"], ondelete="CASCADE"
        ),
        Index("ix_product_stock_change", "organization_id", "change_xid"),
    )

    product_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    on_hand: Mapped[int] = mapped_column(BigInteger, server_default="0")
    change_xid: Mapped[int] = mapped_column(BigInteger, server_default=text(CURRENT_TRANSACTION_ID))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


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
