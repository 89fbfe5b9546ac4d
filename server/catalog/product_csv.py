"""Products to and from CSV (`CSV_COLUMNS`).

Invariants:
- An import is validated row by row first; with any error nothing is written and the report
  lists every error with its row number (unless the caller asks to skip invalid rows).
- Stock is never written directly: a new product's stock is its first receipt, an existing
  one's a count movement (`server.inventory.service`).
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Text, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import BindParameter

from server.audit import service as audit
from server.catalog.models import Category, Product
from server.catalog.schemas import ImportReport, ImportRowError, ProductCreate
from server.catalog.service import audit_view, new_product, receive_initial_stock
from server.core.context import Context
from server.core.csvio import read_rows
from server.core.errors import FieldError, ValidationFailed
from server.core.ids import new_id
from server.core.money import format_amount, minor_units, parse_amount
from server.inventory import service as inventory

MAX_ROWS = 50_000

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


def _text_array(values: list[str]) -> BindParameter[Any]:
    """One `text[]` parameter for `= any(…)`: an `IN` list takes one parameter per value and
    PostgreSQL allows 32,767 in a statement, fewer than a 50,000-row import holds."""
    array: ARRAY[Any] = ARRAY(Text())
    return bindparam(None, values, type_=array)


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


@dataclass
class _ImportPlan:
    """A file's rows as parsed: the valid ones, every error found, and the row of each barcode."""

    rows: int
    parsed: list[_ParsedRow] = dataclasses.field(default_factory=list)
    errors: list[ImportRowError] = dataclasses.field(default_factory=list)
    barcodes: dict[str, int] = dataclasses.field(default_factory=dict)


def _parse_file(raw: bytes, digits: int) -> _ImportPlan:
    """Parse every row; a repeated SKU or barcode is an error of the later row."""
    header, rows = read_rows(raw)
    missing = [column for column in ("sku", "name", "price") if column not in header]
    if missing:
        raise ValidationFailed(
            f"missing columns: {', '.join(missing)}",
            code="missing_columns",
            errors=[FieldError(loc=["body", "header"], msg=f"missing {c}") for c in missing],
        )
    if len(rows) > MAX_ROWS:
        raise ValidationFailed("at most 50,000 rows per file", code="too_many_rows")
    plan = _ImportPlan(rows=len(rows))
    first_row: dict[str, int] = {}
    for number, raw_row in enumerate(rows, start=2):
        row = _parse_row(number, raw_row, digits, plan.errors)
        if row is None:
            continue
        sku = row.fields["sku"]
        if sku in first_row:
            plan.errors.append(ImportRowError(row=number, column="sku", message=f"repeats row {first_row[sku]}"))
            continue
        first_row[sku] = number
        barcode = row.fields.get("barcode")
        if barcode:
            if barcode in plan.barcodes:
                message = f"repeats row {plan.barcodes[barcode]}"
                plan.errors.append(ImportRowError(row=number, column="barcode", message=message))
                continue
            plan.barcodes[barcode] = number
        plan.parsed.append(row)
    return plan


async def _lock_existing(ctx: Context, parsed: list[_ParsedRow]) -> dict[str, Product]:
    """The tenant's products with the SKUs of the file, by SKU, locked for the import."""
    statement = (
        select(Product)
        .where(
            Product.organization_id == ctx.organization_id,
            Product.sku == any_(_text_array([row.fields["sku"] for row in parsed])),
        )
        .with_for_update(of=Product)
    )
    return {product.sku: product for product in await ctx.session.scalars(statement)}


async def _barcodes_in_use(ctx: Context, plan: _ImportPlan) -> list[ImportRowError]:
    """An error for each barcode of the file that another SKU already holds."""
    if not plan.barcodes:
        return []
    holders = await ctx.session.execute(
        select(Product.barcode, Product.sku).where(
            Product.organization_id == ctx.organization_id, Product.barcode == any_(_text_array(list(plan.barcodes)))
        )
    )
    sku_of_row = {row.row: row.fields["sku"] for row in plan.parsed}
    errors = []
    for barcode, sku in holders:
        row_number = plan.barcodes[str(barcode)]
        if sku != sku_of_row[row_number]:
            errors.append(ImportRowError(row=row_number, column="barcode", message=f"already used by SKU {sku}"))
    return errors


def _changes(
    parsed: list[_ParsedRow], existing: dict[str, Product], categories: dict[str, uuid.UUID]
) -> tuple[int, int, int]:
    """How many rows create a product, change one, and leave one as it is."""
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
    return created, updated, unchanged


def _category_id(ctx: Context, name: str, categories: dict[str, uuid.UUID], now: datetime) -> uuid.UUID:
    """The category named so (ignoring case), added to the session when missing."""
    key = name.lower()
    if key not in categories:
        category = Category(organization_id=ctx.organization_id, id=new_id(), name=name, created_at=now, updated_at=now)
        ctx.session.add(category)
        categories[key] = category.id
    return categories[key]


async def _write_rows(
    ctx: Context, parsed: list[_ParsedRow], existing: dict[str, Product], categories: dict[str, uuid.UUID]
) -> None:
    """Create and update the products, then their stock: a receipt for a new product's, a count
    for an existing one's that differs."""
    new_stock: dict[uuid.UUID, int] = {}
    counted: list[tuple[uuid.UUID, int]] = []
    now = datetime.now(UTC)
    for row in parsed:
        if row.category:
            row.fields["category_id"] = _category_id(ctx, row.category, categories, now)
        product = existing.get(row.fields["sku"])
        if product is None:
            product = new_product(ctx, ProductCreate(**row.fields))
            ctx.session.add(product)
            if row.stock:
                new_stock[product.id] = row.stock
            continue
        before = audit_view(product)
        for name, value in row.fields.items():
            setattr(product, name, value)
        if audit_view(product) != before:
            product.updated_at = now
        if row.stock is not None and row.stock != product.stock:
            counted.append((product.id, row.stock))
    await ctx.session.flush()
    await receive_initial_stock(ctx, new_stock, "initial stock (import)")
    if counted:
        locked = await inventory.lock_products(ctx, [pid for pid, _ in counted])
        changes = [inventory.StockChange(pid, stock - locked[pid].stock) for pid, stock in counted]
        await inventory.apply_stock_changes(
            ctx, changes, kind="count", locked=locked, allow_negative=True, reason="stock from import"
        )


async def import_products(ctx: Context, raw: bytes, *, dry_run: bool, skip_invalid: bool = False) -> ImportReport:
    """Create or update products by SKU from a CSV (see `CSV_COLUMNS`; only `sku`, `name` and
    `price` are required). Missing categories are created. `stock` sets the stock of an existing
    product through a count movement and gives a new one its first receipt.

    Any invalid row refuses the whole file, unless `skip_invalid`: then the valid rows are
    imported and the report lists the errors of the skipped ones (a repeated SKU or barcode
    skips the later row and keeps the first)."""
    plan = _parse_file(raw, minor_units(ctx.tenant.currency) if ctx.tenant else 2)
    existing = await _lock_existing(ctx, plan.parsed)
    errors = sorted([*plan.errors, *await _barcodes_in_use(ctx, plan)], key=lambda error: (error.row, error.column))
    failing_rows = {error.row for error in errors}
    if failing_rows and not skip_invalid:
        raise ValidationFailed(
            f"{len(failing_rows)} of {plan.rows} rows have errors; nothing was imported",
            code="invalid_rows",
            errors=[FieldError(loc=["body", "row", error.row, error.column], msg=error.message) for error in errors],
        )
    parsed = [row for row in plan.parsed if row.row not in failing_rows]
    categories = {
        c.name.lower(): c.id
        for c in await ctx.session.scalars(select(Category).where(Category.organization_id == ctx.organization_id))
    }
    created, updated, unchanged = _changes(parsed, existing, categories)
    report = ImportReport(
        dry_run=dry_run,
        rows=plan.rows,
        created=created,
        updated=updated,
        unchanged=unchanged,
        skipped=len(failing_rows),
        errors=errors,
    )
    if dry_run:
        return report
    await _write_rows(ctx, parsed, existing, categories)
    await audit.record(
        ctx,
        action="product.imported",
        entity="product",
        entity_id="import",
        after={"rows": plan.rows, "created": created, "updated": updated, "skipped": len(failing_rows)},
    )
    return report
