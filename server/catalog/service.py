"""Products: create, read, change, deactivate, list (CSV in `product_csv`, search in `search`,
categories in `categories`).

Invariants:
- SKU is unique per tenant; a barcode, when present, too. Both are refused with 409 naming the
  field, whatever the race (the unique indexes decide).
- Product stock is never written here: `initial_stock` goes through an inventory movement
  (`server.inventory.service`). A product's `updated_at` is the later of its own row's and its
  stock row's (`LAST_CHANGED`: a sale moves it, as it did when stock was a product column).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import Select, func, select

from server.audit import service as audit
from server.catalog.categories import require_category, taken
from server.catalog.images import ImageLinker, image_linker
from server.catalog.models import Product
from server.catalog.schemas import ProductCreate, ProductQuery, ProductRead, ProductUpdate
from server.catalog.search import ProductSearch, search_products
from server.core.context import Context
from server.core.db import unique_or_conflict
from server.core.errors import NotFound
from server.core.ids import new_id
from server.core.pagination import Page, paginate
from server.inventory import service as inventory

PRODUCT_AUDIT_FIELDS = (
    "sku",
    "barcode",
    "name",
    "description",
    "category_id",
    "price",
    "cost",
    "tax_rate_bp",
    "unit",
    "reorder_point",
    "lead_time_days",
    "is_active",
)


def product_read(product: Product, link: ImageLinker) -> ProductRead:
    """The API's view of a product; `link` signs its image's URLs (`images.image_linker`)."""
    return ProductRead(
        id=product.id,
        sku=product.sku,
        barcode=product.barcode,
        name=product.name,
        description=product.description,
        category_id=product.category_id,
        price=product.price,
        cost=product.cost,
        tax_rate_bp=product.tax_rate_bp,
        unit=product.unit,
        stock=product.stock,
        reorder_point=product.reorder_point,
        lead_time_days=product.lead_time_days,
        is_active=product.is_active,
        created_at=product.created_at,
        updated_at=max(product.updated_at, product.stock_updated_at),
        image=link(product.id, product.image_version),
    )


def audit_view(product: Product) -> dict[str, Any]:
    return {field: getattr(product, field) for field in PRODUCT_AUDIT_FIELDS}


async def get_product(ctx: Context, product_id: uuid.UUID) -> Product:
    product = await ctx.session.get(Product, (ctx.organization_id, product_id))
    if product is None:
        raise NotFound("no such product")
    return product


async def read_product(ctx: Context, product_id: uuid.UUID) -> ProductRead:
    return product_read(await get_product(ctx, product_id), image_linker(ctx))


def new_product(ctx: Context, data: ProductCreate) -> Product:
    now = datetime.now(UTC)
    return Product(
        organization_id=ctx.organization_id,
        id=new_id(),
        sku=data.sku.strip(),
        barcode=data.barcode,
        name=data.name.strip(),
        description=data.description,
        category_id=data.category_id,
        price=data.price,
        cost=data.cost,
        tax_rate_bp=data.tax_rate_bp,
        unit=data.unit.strip(),
        reorder_point=data.reorder_point,
        lead_time_days=data.lead_time_days,
        is_active=data.is_active,
        created_at=now,
        updated_at=now,
    )


async def receive_initial_stock(ctx: Context, stock: dict[uuid.UUID, int], reason: str) -> None:
    changes = [inventory.StockChange(pid, quantity) for pid, quantity in stock.items() if quantity > 0]
    if changes:
        locked = await inventory.lock_products(ctx, [change.product_id for change in changes])
        await inventory.apply_stock_changes(
            ctx, changes, kind="receipt", locked=locked, allow_negative=True, reason=reason
        )


async def create_product(ctx: Context, data: ProductCreate) -> ProductRead:
    await require_category(ctx, data.category_id, "category_id")
    product = new_product(ctx, data)
    async with unique_or_conflict(ctx.session, taken("product")):
        ctx.session.add(product)
    await audit.record(ctx, action="product.created", entity="product", entity_id=product.id, after=audit_view(product))
    if data.initial_stock:
        await receive_initial_stock(ctx, {product.id: data.initial_stock}, "initial stock")
    await ctx.session.refresh(product)  # its stock row, written by the database
    return product_read(product, image_linker(ctx))


async def update_product(ctx: Context, product_id: uuid.UUID, data: ProductUpdate) -> ProductRead:
    product = await ctx.session.get(Product, (ctx.organization_id, product_id), with_for_update=True)
    if product is None:
        raise NotFound("no such product")
    before = audit_view(product)
    if data.category_id is not msgspec.UNSET:
        await require_category(ctx, data.category_id, "category_id")
    async with unique_or_conflict(ctx.session, taken("product")):
        for field in PRODUCT_AUDIT_FIELDS:
            value = getattr(data, field)
            if value is not msgspec.UNSET:
                setattr(product, field, value.strip() if field in ("sku", "name", "unit") else value)
        if audit_view(product) != before:
            product.updated_at = datetime.now(UTC)
    after = audit_view(product)
    if after != before:
        changed = {key: value for key, value in after.items() if before[key] != value}
        await audit.record(
            ctx,
            action="product.updated",
            entity="product",
            entity_id=product.id,
            before={key: before[key] for key in changed},
            after=changed,
        )
    return product_read(product, image_linker(ctx))


async def deactivate_product(ctx: Context, product_id: uuid.UUID) -> None:
    """Products are never deleted (sales and movements point at them); they are deactivated."""
    await update_product(ctx, product_id, ProductUpdate(is_active=False))


LAST_CHANGED = func.greatest(Product.updated_at, Product.stock_updated_at)
"""A product's `updated_at` as the API shows it: the later of its row's and its stock's."""

_SORTS: dict[str, tuple[Any, ...]] = {
    "name": (Product.name.asc(),),
    "-name": (Product.name.desc(),),
    "sku": (Product.sku.asc(),),
    "-sku": (Product.sku.desc(),),
    "price": (Product.price.asc(),),
    "-price": (Product.price.desc(),),
    "stock": (Product.stock.asc(),),
    "-stock": (Product.stock.desc(),),
    "updated_at": (LAST_CHANGED.asc(),),
    "-updated_at": (LAST_CHANGED.desc(),),
}


def product_statement(ctx: Context, query: ProductQuery, search: ProductSearch | None = None) -> Select[Any]:
    """The ordered products of a list query, `search` (`search_products`) applied. Exact SKU or
    barcode matches come first only when there are any: otherwise the order is the sort's alone,
    which the name index serves, so a search that matches half the shop reads one page of it."""
    statement = select(Product).where(Product.organization_id == ctx.organization_id)
    order: list[Any] = []
    if query.search and search is not None:
        statement = statement.where(search.condition)
        if search.exact:
            order.append(Product.id.in_(search.exact).desc())
    if query.category_id is not None:
        statement = statement.where(Product.category_id == query.category_id)
    if query.is_active is not None:
        statement = statement.where(Product.is_active == query.is_active)
    if query.low_stock is not None:
        low = Product.stock <= Product.reorder_point
        statement = statement.where(low if query.low_stock else ~low)
    return statement.order_by(*order, *_SORTS[query.sort], Product.id)


async def list_products(ctx: Context, query: ProductQuery) -> Page[ProductRead]:
    link = image_linker(ctx)
    search = await search_products(ctx.session, ctx.organization_id, query.search) if query.search else None
    statement = product_statement(ctx, query, search)
    return await paginate(ctx.session, statement, query, lambda product: product_read(product, link))
