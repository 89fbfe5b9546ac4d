from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKeyConstraint, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from server.core.db import Base, ChangeTracked, TenantScoped, Timestamped


class Customer(TenantScoped, Timestamped, ChangeTracked, Base):
    """A buyer. `visits`, `total_spent` and `last_purchase_at` are kept in the sale's transaction."""

    __tablename__ = "customers"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        Index(
            "uq_customers_tax_id", "organization_id", "tax_id", unique=True, postgresql_where=text("tax_id is not null")
        ),
        Index("ix_customers_tax_id_prefix", "organization_id", "tax_id", postgresql_ops={"tax_id": "text_pattern_ops"}),
        Index("ix_customers_name_trgm", text("orbit_fold(name) gin_trgm_ops"), postgresql_using="gin"),
        Index("ix_customers_change", "organization_id", "change_xid"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    tax_id: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(Text, server_default="")
    notes: Mapped[str] = mapped_column(Text, server_default="")
    visits: Mapped[int] = mapped_column(Integer, server_default="0")
    total_spent: Mapped[int] = mapped_column(BigInteger, server_default="0")
    last_purchase_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default="true")
