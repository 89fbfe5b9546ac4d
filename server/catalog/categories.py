"""Categories: a tree of names products are filed under.

Invariants:
- A category's name is unique per tenant, ignoring case (409 `name_taken`, whatever the race:
  the unique index decides).
- A category can't be its own ancestor.
- Only an empty category (no products, no subcategories) can be deleted.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import msgspec
from sqlalchemy import func, select

from server.audit import service as audit
from server.catalog.models import Category, Product
from server.catalog.schemas import CategoryCreate, CategoryRead, CategoryUpdate
from server.core.context import Context
from server.core.db import unique_or_conflict
from server.core.errors import ApiError, Conflict, FieldError, NotFound, ValidationFailed
from server.core.ids import new_id


def category_read(category: Category) -> CategoryRead:
    return CategoryRead(id=category.id, name=category.name, parent_id=category.parent_id)


async def get_category(ctx: Context, category_id: uuid.UUID) -> Category:
    category = await ctx.session.get(Category, (ctx.organization_id, category_id))
    if category is None:
        raise NotFound("no such category")
    return category


async def require_category(ctx: Context, category_id: uuid.UUID | None, field: str) -> None:
    if category_id is not None and await ctx.session.get(Category, (ctx.organization_id, category_id)) is None:
        raise NotFound("no such category", errors=[FieldError(loc=["body", field], msg="no such category")])


def taken(what: str) -> dict[str, ApiError]:
    """The 409s of the catalog's unique indexes, each naming its field."""
    return {
        index: Conflict(
            f"another {what} has this {field}",
            code=f"{field}_taken",
            errors=[FieldError(loc=["body", field], msg="already used")],
        )
        for index, field in (
            ("uq_products_sku", "sku"),
            ("uq_products_barcode", "barcode"),
            ("uq_categories_name", "name"),
        )
    }


async def list_categories(ctx: Context) -> list[CategoryRead]:
    rows = await ctx.session.scalars(
        select(Category).where(Category.organization_id == ctx.organization_id).order_by(Category.name, Category.id)
    )
    return [category_read(category) for category in rows]


async def create_category(ctx: Context, data: CategoryCreate) -> CategoryRead:
    await require_category(ctx, data.parent_id, "parent_id")
    now = datetime.now(UTC)
    category = Category(
        organization_id=ctx.organization_id,
        id=new_id(),
        name=data.name.strip(),
        parent_id=data.parent_id,
        created_at=now,
        updated_at=now,
    )
    async with unique_or_conflict(ctx.session, taken("category")):
        ctx.session.add(category)
    await audit.record(
        ctx, action="category.created", entity="category", entity_id=category.id, after=category_read(category)
    )
    return category_read(category)


async def _ancestors(ctx: Context, category_id: uuid.UUID) -> set[uuid.UUID]:
    seen: set[uuid.UUID] = set()
    current: uuid.UUID | None = category_id
    while current is not None and current not in seen:
        seen.add(current)
        current = await ctx.session.scalar(
            select(Category.parent_id).where(Category.organization_id == ctx.organization_id, Category.id == current)
        )
    return seen


async def update_category(ctx: Context, category_id: uuid.UUID, data: CategoryUpdate) -> CategoryRead:
    category = await get_category(ctx, category_id)
    before = category_read(category)
    if data.parent_id is not msgspec.UNSET and data.parent_id is not None:
        await require_category(ctx, data.parent_id, "parent_id")
        if category.id in await _ancestors(ctx, data.parent_id):
            raise ValidationFailed(
                "a category can't be inside itself",
                errors=[FieldError(loc=["body", "parent_id"], msg="would make a cycle")],
            )
    async with unique_or_conflict(ctx.session, taken("category")):
        if data.name is not msgspec.UNSET:
            category.name = data.name.strip()
        if data.parent_id is not msgspec.UNSET:
            category.parent_id = data.parent_id
        category.updated_at = datetime.now(UTC)
    await audit.record(
        ctx,
        action="category.updated",
        entity="category",
        entity_id=category.id,
        before=before,
        after=category_read(category),
    )
    return category_read(category)


async def delete_category(ctx: Context, category_id: uuid.UUID) -> None:
    """Delete an empty category: one with products or subcategories is refused with 409."""
    category = await get_category(ctx, category_id)
    in_use = await ctx.session.scalar(
        select(func.count())
        .select_from(Product)
        .where(Product.organization_id == ctx.organization_id, Product.category_id == category_id)
    ) or await ctx.session.scalar(
        select(func.count())
        .select_from(Category)
        .where(Category.organization_id == ctx.organization_id, Category.parent_id == category_id)
    )
    if in_use:
        raise Conflict("the category still has products or subcategories", code="category_in_use")
    await audit.record(
        ctx, action="category.deleted", entity="category", entity_id=category.id, before=category_read(category)
    )
    await ctx.session.delete(category)
    await ctx.session.flush()
