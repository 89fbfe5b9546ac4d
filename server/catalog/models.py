from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column
from sqlalchemy.orm.attributes import InstrumentedAttribute
from sqlalchemy.sql.selectable import ScalarSelect
from sqlalchemy.types import Uuid

from server.core.db import Base, ChangeTracked, TenantScoped, Timestamped
from server.inventory.models import ProductStock

T = TypeVar("T")


class Category(TenantScoped, Timestamped, ChangeTracked, Base):
    __tablename__ = "categories"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        ForeignKeyConstraint(["organization_id", "parent_id"], ["categories.organization_id", "categories.id"]),
        Index("uq_categories_name", "organization_id", text("lower(name)"), unique=True),
        Index("ix_categories_change", "organization_id", "change_xid"),
        CheckConstraint("parent_id is null or parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


def _of_stock_row(column: InstrumentedAttribute[T], product_id: Any) -> ScalarSelect[T]:
    """`column` of the product's stock row, as a sub-select correlated to the product's id (the
    tenant comes from row-level security, whose condition completes the key)."""
    return select(column).where(ProductStock.product_id == product_id).correlate_except(ProductStock).scalar_subquery()


class Product(TenantScoped, Timestamped, ChangeTracked, Base):
    """A sellable item. Money in minor units of the tenant's currency; `tax_rate_bp` in basis
    points (1900 = 19 %). `folded_name` is `orbit_fold(name)`, kept by PostgreSQL, for search
    (see migration 0007); it is deferred, so loading a product never reads it.

    `stock` is read from the product's row of `product_stock` (migration 0014), which changes
    only together with an inventory movement; it is read-only here (a sub-select loaded with the
    product, usable in queries as `Product.stock`). `stock_updated_at` is when it last changed."""

    __tablename__ = "products"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        ForeignKeyConstraint(["organization_id", "category_id"], ["categories.organization_id", "categories.id"]),
        Index("uq_products_sku", "organization_id", "sku", unique=True),
        Index(
            "uq_products_barcode",
            "organization_id",
            "barcode",
            unique=True,
            postgresql_where=text("barcode is not null"),
        ),
        Index(
            "ix_products_barcode_prefix", "organization_id", "barcode", postgresql_ops={"barcode": "text_pattern_ops"}
        ),
        Index("ix_products_category", "organization_id", "category_id"),
        Index("ix_products_name", "organization_id", "name"),
        Index("ix_products_change", "organization_id", "change_xid"),
        CheckConstraint("price >= 0", name="price_non_negative"),
        CheckConstraint("cost >= 0", name="cost_non_negative"),
        CheckConstraint("tax_rate_bp between 0 and 10000", name="tax_rate_range"),
        CheckConstraint("reorder_point >= 0", name="reorder_point_non_negative"),
        CheckConstraint("lead_time_days between 0 and 365", name="lead_time_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    barcode: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    folded_name: Mapped[str] = mapped_column(Text, Computed("orbit_fold(name)", persisted=True), deferred=True)
    description: Mapped[str] = mapped_column(Text, server_default="")
    category_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    price: Mapped[int] = mapped_column(BigInteger)
    cost: Mapped[int] = mapped_column(BigInteger, server_default="0")
    tax_rate_bp: Mapped[int] = mapped_column(Integer, server_default="0")
    unit: Mapped[str] = mapped_column(String(16), server_default="unit")
    stock: Mapped[int] = column_property(_of_stock_row(ProductStock.on_hand, id), expire_on_flush=False)
    stock_updated_at: Mapped[datetime] = column_property(
        _of_stock_row(ProductStock.updated_at, id), expire_on_flush=False
    )
    reorder_point: Mapped[int] = mapped_column(Integer, server_default="0")
    lead_time_days: Mapped[int] = mapped_column(Integer, server_default="7")
    is_active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    image_version: Mapped[str | None] = mapped_column(String(32))
    """The product's image in object storage (server/catalog/images.py); None: no image."""


class ProductSearchTerm(TenantScoped, Base):
    """A word a product is found by: a word of its folded name (split at white space, and again at
    every non-alphanumeric character), its folded SKU or its barcode, cut to 200 characters.
    Written only by the triggers of migration 0010 (derived data: no foreign key); compared in the
    "C" collation, so a prefix search is a byte range that an index serves under row-level security."""

    __tablename__ = "product_search_terms"
    __table_args__ = (Index("ix_product_search_terms_product", "organization_id", "product_id"),)

    term: Mapped[str] = mapped_column(Text(collation="C"), primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
