"""Categories and products.

Invariants:
- SKU is unique per tenant; a barcode, when present, too. Both are refused with 409 naming the
  field, whatever the race (the unique indexes decide).
- A category can't be its own ancestor.
- Product stock is never written here: `initial_stock` and imported stock go through inventory
  movements (`server.inventory.service`).
- A CSV import is validated row by row first; with any error nothing is written and the report
  lists every error with its row number.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import Select, Text, and_, any_, bindparam, exists, func, or_, select, text, union
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from server.audit import service as audit
from server.catalog.images import ImageLinker, image_linker
from server.catalog.models import Category, Product, ProductSearchTerm
from server.catalog.schemas import (
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    ImportReport,
    ImportRowError,
    ProductCreate,
    ProductQuery,
    ProductRead,
    ProductUpdate,
)
from server.core.context import Context
from server.core.csvio import read_rows
from server.core.db import unique_or_conflict
from server.core.errors import ApiError, Conflict, FieldError, NotFound, ValidationFailed
from server.core.ids import new_id
from server.core.money import format_amount, minor_units, parse_amount
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
CSV_COLUMNS = (
    "sku",
    "barcode",
    "name",
    "description",
    "category",
    "price",
    "cost",
    "tax_rate",
    "unit",
    "stock",
    "reorder_point",
    "lead_time_days",
    "active",
)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Categories


def category_read(category: Category) -> CategoryRead:
    return CategoryRead(id=category.id, name=category.name, parent_id=category.parent_id)


def _text_array(values: list[str]) -> BindParameter[Any]:
    """One `text[]` parameter for `= any(…)`: an `IN` list takes one parameter per value and
    PostgreSQL allows 32,767 in a statement, fewer than a 50,000-row import holds."""
    array: ARRAY[Any] = ARRAY(Text())
    return bindparam(None, values, type_=array)


async def get_category(ctx: Context, category_id: uuid.UUID) -> Category:
    category = await ctx.session.get(Category, (ctx.organization_id, category_id))
    if category is None:
        raise NotFound("no such category")
    return category


async def _require_category(ctx: Context, category_id: uuid.UUID | None, field: str) -> None:
    if category_id is not None and await ctx.session.get(Category, (ctx.organization_id, category_id)) is None:
        raise NotFound("no such category", errors=[FieldError(loc=["body", field], msg="no such category")])


def _taken(what: str) -> dict[str, ApiError]:
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
    await _require_category(ctx, data.parent_id, "parent_id")
    now = datetime.now(UTC)
    category = Category(
        organization_id=ctx.organization_id,
        id=new_id(),
        name=data.name.strip(),
        parent_id=data.parent_id,
        created_at=now,
        updated_at=now,
    )
    async with unique_or_conflict(ctx.session, _taken("category")):
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
        await _require_category(ctx, data.parent_id, "parent_id")
        if category.id in await _ancestors(ctx, data.parent_id):
            raise ValidationFailed(
                "a category can't be inside itself",
                errors=[FieldError(loc=["body", "parent_id"], msg="would make a cycle")],
            )
    async with unique_or_conflict(ctx.session, _taken("category")):
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


# Products


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
        updated_at=product.updated_at,
        image=link(product.id, product.image_version),
    )


def _audit_view(product: Product) -> dict[str, Any]:
    return {field: getattr(product, field) for field in PRODUCT_AUDIT_FIELDS}


async def get_product(ctx: Context, product_id: uuid.UUID) -> Product:
    product = await ctx.session.get(Product, (ctx.organization_id, product_id))
    if product is None:
        raise NotFound("no such product")
    return product


async def read_product(ctx: Context, product_id: uuid.UUID) -> ProductRead:
    return product_read(await get_product(ctx, product_id), image_linker(ctx))


def _new_product(ctx: Context, data: ProductCreate) -> Product:
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
        stock=0,
        reorder_point=data.reorder_point,
        lead_time_days=data.lead_time_days,
        is_active=data.is_active,
        created_at=now,
        updated_at=now,
    )


async def _receive_initial_stock(ctx: Context, stock: dict[uuid.UUID, int], reason: str) -> None:
    changes = [inventory.StockChange(pid, quantity) for pid, quantity in stock.items() if quantity > 0]
    if changes:
        locked = await inventory.lock_products(ctx, [change.product_id for change in changes])
        await inventory.apply_stock_changes(
            ctx, changes, kind="receipt", locked=locked, allow_negative=True, reason=reason
        )


async def create_product(ctx: Context, data: ProductCreate) -> ProductRead:
    await _require_category(ctx, data.category_id, "category_id")
    product = _new_product(ctx, data)
    async with unique_or_conflict(ctx.session, _taken("product")):
        ctx.session.add(product)
    await audit.record(
        ctx, action="product.created", entity="product", entity_id=product.id, after=_audit_view(product)
    )
    if data.initial_stock:
        await _receive_initial_stock(ctx, {product.id: data.initial_stock}, "initial stock")
        await ctx.session.refresh(product)
    return product_read(product, image_linker(ctx))


async def update_product(ctx: Context, product_id: uuid.UUID, data: ProductUpdate) -> ProductRead:
    product = await ctx.session.get(Product, (ctx.organization_id, product_id), with_for_update=True)
    if product is None:
        raise NotFound("no such product")
    before = _audit_view(product)
    if data.category_id is not msgspec.UNSET:
        await _require_category(ctx, data.category_id, "category_id")
    async with unique_or_conflict(ctx.session, _taken("product")):
        for field in PRODUCT_AUDIT_FIELDS:
            value = getattr(data, field)
            if value is not msgspec.UNSET:
                setattr(product, field, value.strip() if field in ("sku", "name", "unit") else value)
        if _audit_view(product) != before:
            product.updated_at = datetime.now(UTC)
    after = _audit_view(product)
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


_SORTS: dict[str, tuple[Any, ...]] = {
    "name": (Product.name.asc(),),
    "-name": (Product.name.desc(),),
    "sku": (Product.sku.asc(),),
    "-sku": (Product.sku.desc(),),
    "price": (Product.price.asc(),),
    "-price": (Product.price.desc(),),
    "stock": (Product.stock.asc(),),
    "-stock": (Product.stock.desc(),),
    "updated_at": (Product.updated_at.asc(),),
    "-updated_at": (Product.updated_at.desc(),),
}


def _once(expression: Any) -> Any:
    """`expression` (of the search text only) as a scalar sub-select: PostgreSQL computes it once
    per query (an init plan), even in a generic plan where it would otherwise run per row."""
    return select(expression).scalar_subquery()


SEARCH_TOKENS = 8
TERM_LENGTH = 200  # the cut of migration 0010's terms


def search_tokens(search: str) -> list[str]:
    """The words of a search, as typed (folded by the database): at most `SEARCH_TOKENS`."""
    return search.split()[:SEARCH_TOKENS]


def _starting_with(organization_id: uuid.UUID, prefix: str) -> Select[Any]:
    """Ids of the products with a search term that starts with `prefix` (folded): a range of the
    terms' primary key, which row-level security lets an index serve (`>=` and `<` are leakproof).
    In the "C" collation strings are compared byte by byte, so the range holds exactly the terms
    starting with `prefix` (but for a following U+10FFFF, a noncharacter)."""
    return select(ProductSearchTerm.product_id).where(
        ProductSearchTerm.organization_id == organization_id,
        ProductSearchTerm.term >= prefix,
        ProductSearchTerm.term < prefix + chr(0x10FFFF),
    )


def word_prefix_condition(organization_id: uuid.UUID, prefixes: list[str]) -> Any:
    """Every folded word of the search (`folded_words`) starts a word of the product's name, its
    SKU or its barcode ("choco" and "leche sopr" find "Leche Soprole chocolate")."""
    return and_(*(Product.id.in_(_starting_with(organization_id, prefix)) for prefix in prefixes))


async def folded_words(session: AsyncSession, search: str) -> list[str]:
    """The words of a search as its terms are stored: folded by `orbit_fold`, cut to `TERM_LENGTH`."""
    tokens = search_tokens(search)
    if not tokens:
        return []
    row = (await session.execute(select(*(func.left(func.orbit_fold(token), TERM_LENGTH) for token in tokens)))).one()
    return [word for word in row if word]


def contains_condition(search: str) -> Any:
    """The name contains the text (case- and accent-insensitive), or the SKU or barcode starts
    with it. No index can serve it under row-level security (migration 0007): a scan of the shop's
    products, each a string match against the stored `folded_name`, the term folded once."""
    escaped = escape_like(search.strip())
    return or_(
        func.lower(Product.sku).like(_once(func.lower(escaped) + "%")),
        Product.barcode.like(escaped + "%"),
        Product.folded_name.like(_once("%" + func.orbit_fold(escaped) + "%")),
    )


@dataclass(frozen=True)
class ProductSearch:
    """What a product search matches (`condition`) and the products it names exactly (`exact`:
    the barcode, or the SKU ignoring case), which a list shows first."""

    condition: Any
    exact: list[uuid.UUID]


async def _exact_matches(
    session: AsyncSession, organization_id: uuid.UUID, search: str, prefixes: list[str]
) -> list[uuid.UUID]:
    """The products whose barcode is the search, or whose SKU is (ignoring case), each from an
    index: the barcode's, and the SKU's search term (its folded form) checked against the SKU."""
    term = search.strip()
    by_barcode = select(Product.id).where(Product.organization_id == organization_id, Product.barcode == term)
    if len(prefixes) != 1:
        return list(await session.scalars(by_barcode))
    sku_terms = select(ProductSearchTerm.product_id).where(
        ProductSearchTerm.organization_id == organization_id, ProductSearchTerm.term == prefixes[0]
    )
    by_sku = select(Product.id).where(
        Product.organization_id == organization_id, Product.id.in_(sku_terms), func.lower(Product.sku) == term.lower()
    )
    return list(await session.scalars(union(by_barcode, by_sku)))


async def search_products(session: AsyncSession, organization_id: uuid.UUID, search: str) -> ProductSearch:
    """What a product search matches. By word prefix, from an index, when any product matches so;
    otherwise by the name containing the text (a scan, so "olat" still finds "chocolate"). The
    choice depends on the search alone, never on the page, so every page of one search agrees.

    The rest of the transaction plans each statement for its values (`plan_cache_mode`): a generic
    plan cannot tell "c" (half the shop) from "choco" (a few products), and the right join differs.
    """
    prefixes = await folded_words(session, search)
    await session.execute(text("set local plan_cache_mode = force_custom_plan"))
    exact = await _exact_matches(session, organization_id, search, prefixes)
    by_prefix = word_prefix_condition(organization_id, prefixes)
    if prefixes and await session.scalar(select(exists().where(by_prefix))):
        return ProductSearch(by_prefix, exact)
    return ProductSearch(contains_condition(search), exact)


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


# CSV


async def export_products(ctx: Context) -> tuple[list[str], list[list[object]]]:
    digits = minor_units(ctx.tenant.currency) if ctx.tenant else 2
    categories = {
        c.id: c.name
        for c in await ctx.session.scalars(select(Category).where(Category.organization_id == ctx.organization_id))
    }
    products = await ctx.session.scalars(
        select(Product).where(Product.organization_id == ctx.organization_id).order_by(Product.sku)
    )
    rows: list[list[object]] = [
        [
            p.sku,
            p.barcode or "",
            p.name,
            p.description,
            categories.get(p.category_id, "") if p.category_id else "",
            format_amount(p.price, digits),
            format_amount(p.cost, digits),
            format_amount(p.tax_rate_bp, 2),
            p.unit,
            p.stock,
            p.reorder_point,
            p.lead_time_days,
            "yes" if p.is_active else "no",
        ]
        for p in products
    ]
    return list(CSV_COLUMNS), rows


@dataclass
class _ParsedRow:
    row: int
    fields: dict[str, Any]
    category: str
    stock: int | None


_TRUE = {"yes", "y", "true", "1", "si", "sí", "s", "x"}
_FALSE = {"no", "n", "false", "0", ""}


def _parse_row(number: int, raw: dict[str, str], digits: int, errors: list[ImportRowError]) -> _ParsedRow | None:
    before = len(errors)

    def fail(field: str, message: str) -> None:
        errors.append(ImportRowError(row=number, column=field, message=message))

    fields: dict[str, Any] = {}
    sku = raw.get("sku", "").strip()
    if not sku or len(sku) > 64:
        fail("sku", "required, at most 64 characters")
    fields["sku"] = sku
    name = raw.get("name", "").strip()
    if not name or len(name) > 200:
        fail("name", "required, at most 200 characters")
    fields["name"] = name
    barcode = raw.get("barcode", "").strip()
    if barcode and (len(barcode) > 64 or not all(ch.isalnum() or ch in "-." for ch in barcode)):
        fail("barcode", "letters, digits, '-' and '.' only, at most 64")
    fields["barcode"] = barcode or None
    if "description" in raw:
        fields["description"] = raw["description"][:4000]
    for field in ("price", "cost"):
        if field in raw and (raw[field] or field == "price"):
            try:
                fields[field] = parse_amount(raw[field], digits)
            except ValueError as exc:
                fail(field, str(exc))
        elif field == "price":
            fail("price", "required")
    if raw.get("tax_rate", "").strip():
        try:
            fields["tax_rate_bp"] = parse_amount(raw["tax_rate"].rstrip("% "), 2)
            if fields["tax_rate_bp"] > 10_000:
                fail("tax_rate", "a percentage between 0 and 100")
        except ValueError as exc:
            fail("tax_rate", str(exc))
    if raw.get("unit", "").strip():
        fields["unit"] = raw["unit"].strip()[:16]
    for field, upper in (("reorder_point", 10**9), ("lead_time_days", 365)):
        if raw.get(field, "").strip():
            value = raw[field].strip()
            if not value.isdigit() or int(value) > upper:
                fail(field, f"a whole number from 0 to {upper}")
            else:
                fields[field] = int(value)
    if "active" in raw:
        flag = raw["active"].strip().lower()
        if flag not in _TRUE | _FALSE:
            fail("active", "yes or no")
        fields["is_active"] = flag in _TRUE
    stock: int | None = None
    if raw.get("stock", "").strip():
        value = raw["stock"].strip()
        if not value.isdigit() or int(value) > 10**9:
            fail("stock", "a whole number, 0 or more")
        else:
            stock = int(value)
    category = raw.get("category", "").strip()
    if len(category) > 200:
        fail("category", "at most 200 characters")
    if len(errors) > before:
        return None
    return _ParsedRow(row=number, fields=fields, category=category, stock=stock)


async def import_products(ctx: Context, raw: bytes, *, dry_run: bool, skip_invalid: bool = False) -> ImportReport:
    """Create or update products by SKU from a CSV (see `CSV_COLUMNS`; only `sku`, `name` and
    `price` are required). Missing categories are created. `stock` sets the stock of an existing
    product through a count movement and gives a new one its first receipt.

    Any invalid row refuses the whole file, unless `skip_invalid`: then the valid rows are
    imported and the report lists the errors of the skipped ones (a repeated SKU or barcode
    skips the later row and keeps the first)."""
    header, rows = read_rows(raw)
    missing = [column for column in ("sku", "name", "price") if column not in header]
    if missing:
        raise ValidationFailed(
            f"missing columns: {', '.join(missing)}",
            code="missing_columns",
            errors=[FieldError(loc=["body", "header"], msg=f"missing {c}") for c in missing],
        )
    if len(rows) > 50_000:
        raise ValidationFailed("at most 50,000 rows per file", code="too_many_rows")
    digits = minor_units(ctx.tenant.currency) if ctx.tenant else 2
    errors: list[ImportRowError] = []
    parsed: list[_ParsedRow] = []
    first_row: dict[str, int] = {}
    barcodes: dict[str, int] = {}
    for number, raw_row in enumerate(rows, start=2):
        row = _parse_row(number, raw_row, digits, errors)
        if row is None:
            continue
        sku = row.fields["sku"]
        if sku in first_row:
            errors.append(ImportRowError(row=number, column="sku", message=f"repeats row {first_row[sku]}"))
            continue
        first_row[sku] = number
        barcode = row.fields.get("barcode")
        if barcode:
            if barcode in barcodes:
                errors.append(ImportRowError(row=number, column="barcode", message=f"repeats row {barcodes[barcode]}"))
                continue
            barcodes[barcode] = number
        parsed.append(row)

    existing = {
        product.sku: product
        for product in await ctx.session.scalars(
            select(Product)
            .where(
                Product.organization_id == ctx.organization_id,
                Product.sku == any_(_text_array([row.fields["sku"] for row in parsed])),
            )
            .with_for_update()
        )
    }
    if barcodes:
        holders = await ctx.session.execute(
            select(Product.barcode, Product.sku).where(
                Product.organization_id == ctx.organization_id, Product.barcode == any_(_text_array(list(barcodes)))
            )
        )
        sku_of_row = {row.row: row.fields["sku"] for row in parsed}
        for barcode, sku in holders:
            row_number = barcodes[str(barcode)]
            importing_sku = sku_of_row[row_number]
            if sku != importing_sku:
                errors.append(ImportRowError(row=row_number, column="barcode", message=f"already used by SKU {sku}"))
    errors.sort(key=lambda error: (error.row, error.column))
    failing_rows = {error.row for error in errors}
    if failing_rows and not skip_invalid:
        raise ValidationFailed(
            f"{len(failing_rows)} of {len(rows)} rows have errors; nothing was imported",
            code="invalid_rows",
            errors=[FieldError(loc=["body", "row", error.row, error.column], msg=error.message) for error in errors],
        )
    parsed = [row for row in parsed if row.row not in failing_rows]

    categories = {
        c.name.lower(): c.id
        for c in await ctx.session.scalars(select(Category).where(Category.organization_id == ctx.organization_id))
    }
    created = updated = unchanged = 0
    for row in parsed:
        product = existing.get(row.fields["sku"])
        if product is None:
            created += 1
        elif (
            any(getattr(product, f) != v for f, v in row.fields.items())
            or (row.stock is not None and row.stock != product.stock)
            or (row.category and categories.get(row.category.lower()) != product.category_id)
        ):
            updated += 1
        else:
            unchanged += 1
    report = ImportReport(
        dry_run=dry_run,
        rows=len(rows),
        created=created,
        updated=updated,
        unchanged=unchanged,
        skipped=len(failing_rows),
        errors=errors,
    )
    if dry_run:
        return report

    new_stock: dict[uuid.UUID, int] = {}
    counted: list[tuple[uuid.UUID, int]] = []
    now = datetime.now(UTC)
    for row in parsed:
        if row.category:
            key = row.category.lower()
            if key not in categories:
                category = Category(
                    organization_id=ctx.organization_id, id=new_id(), name=row.category, created_at=now, updated_at=now
                )
                ctx.session.add(category)
                categories[key] = category.id
            row.fields["category_id"] = categories[key]
        product = existing.get(row.fields["sku"])
        if product is None:
            product = _new_product(ctx, ProductCreate(**row.fields))
            ctx.session.add(product)
            if row.stock:
                new_stock[product.id] = row.stock
            continue
        before = _audit_view(product)
        for field, value in row.fields.items():
            setattr(product, field, value)
        if _audit_view(product) != before:
            product.updated_at = now
        if row.stock is not None and row.stock != product.stock:
            counted.append((product.id, row.stock))
    await ctx.session.flush()
    await _receive_initial_stock(ctx, new_stock, "initial stock (import)")
    if counted:
        locked = await inventory.lock_products(ctx, [pid for pid, _ in counted])
        changes = [inventory.StockChange(pid, stock - locked[pid].stock) for pid, stock in counted]
        await inventory.apply_stock_changes(
            ctx, changes, kind="count", locked=locked, allow_negative=True, reason="stock from import"
        )
    await audit.record(
        ctx,
        action="product.imported",
        entity="product",
        entity_id="import",
        after={"rows": len(rows), "created": created, "updated": updated, "skipped": len(failing_rows)},
    )
    return report
