from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy import Boolean, CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from server.core.db import Base, Timestamped


class Organization(Timestamped, Base):
    """A tenant. Not itself tenant-scoped: it is looked up by subdomain before any tenant is known."""

    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint("tax_mode in ('inclusive', 'exclusive')", name="tax_mode"),
        CheckConstraint("subdomain ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'", name="subdomain_format"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_format"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    subdomain: Mapped[str] = mapped_column(String(63), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(35))
    time_zone: Mapped[str] = mapped_column(Text)
    tax_mode: Mapped[Literal["inclusive", "exclusive"]] = mapped_column(String(9), server_default="inclusive")
    allow_negative_stock: Mapped[bool] = mapped_column(Boolean, server_default="false")
    tax_id: Mapped[str] = mapped_column(String(32), server_default="")
    """The seller's tax identification number printed on invoices (RUT, NIF, EIN…); empty until set."""
    address: Mapped[str] = mapped_column(Text, server_default="")
    is_active: Mapped[bool] = mapped_column(Boolean, server_default="true")
