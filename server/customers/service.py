"""Customers: the people an organization sells to, and their purchase statistics.

Invariants:
- A tax id is unique within an organization in its normalized form: spaces and dots removed,
  letters upper-cased, dashes kept, so "12.345.678-k" and "12345678-K" are the same id
  (409 `tax_id_taken`). Emails are kept in lower case, phones as an optional `+` and digits.
  An empty tax id, email or phone means "none".
- Customers are never deleted, only deactivated, because sales keep pointing at them.
- `visits`, `total_spent` and `last_purchase_at` change only through `record_purchase` and
  `reverse_purchase`: each is one atomic SQL UPDATE in the caller's (the sale's or refund's)
  transaction, so concurrent sales never lose an update. `total_spent` never goes below zero.
- Every create, update and deactivation writes an audit row (before/after) in the same transaction.
- Another organization's customer is answered exactly like one that does not exist (404).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import ColumnElement, Select, SQLColumnExpression, func, literal, or_, select, text, update

from server.audit import service as audit
from server.core.context import Context, TenantContext
from server.core.csvio import spreadsheet_safe
from server.core.db import Database, unique_or_conflict
from server.core.errors import ApiError, Conflict, FieldError, NotFound, ValidationFailed
from server.core.ids import new_id
from server.core.pagination import Page, PageQuery, paginate
from server.core.schemas import EMAIL_PATTERN
from server.customers.models import Customer
from server.customers.schemas import (
    CustomerCreate,
    CustomerExportQuery,
    CustomerQuery,
    CustomerRead,
    CustomerSaleRead,
    CustomerSort,
    CustomerUpdate,
)
from server.sales.models import Sale
from server.users import service as users

TAX_ID_INDEX = "uq_customers_tax_id"
TAX_ID_PATTERN = re.compile(r"^[0-9A-Z](?:[0-9A-Z/-]{1,30})[0-9A-Z]$")
PHONE_PATTERN = re.compile(r"^\+?[0-9]{5,20}$")
EMAIL = re.compile(EMAIL_PATTERN)
EXPORT_BATCH = 500
EXPORT_COLUMNS = (
    "id",
    "name",
    "tax_id",
    "email",
    "phone",
    "address",
    "notes",
    "is_active",
    "visits",
    "total_spent",
    "last_purchase_at",
    "created_at",
)
HISTORY_COLUMNS: tuple[Any, ...] = (Sale.id, Sale.invoice_number, Sale.sold_at, Sale.total, Sale.status)
# Free-text cells starting with one of these are read as formulas by spreadsheets (CSV injection).


# Normalization


def normalize_tax_id(value: str | None) -> str | None:
    """`" 12.345.678-k "` → `"12345678-K"`; None when nothing is left."""
    if value is None:
        return None
    return re.sub(r"[\s.]+", "", value).upper() or None


def normalize_email(value: str | None) -> str | None:
    if value is None:
        return None
    return users.normalize_email(value) or None


def normalize_phone(value: str | None) -> str | None:
    """`"+56 9 1234-5678"` → `"+56912345678"`; None when nothing is left."""
    if value is None:
        return None
    return re.sub(r"[\s().-]+", "", value) or None


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(loc=["body", field], msg=message)])


def clean_name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise _invalid("name", "a name is required")
    return name


def clean_tax_id(value: str | None) -> str | None:
    tax_id = normalize_tax_id(value)
    if tax_id is not None and not TAX_ID_PATTERN.match(tax_id):
        raise _invalid("tax_id", "use 3 to 32 letters and digits, with dashes or slashes only between them")
    return tax_id


def clean_email(value: str | None) -> str | None:
    email = normalize_email(value)
    if email is not None and not EMAIL.match(email):
        raise _invalid("email", "not an email address")
    return email


def clean_phone(value: str | None) -> str | None:
    phone = normalize_phone(value)
    if phone is not None and not PHONE_PATTERN.match(phone):
        raise _invalid("phone", "use 5 to 20 digits, optionally after a leading +")
    return phone


# Reading and writing customers


def to_read(customer: Customer) -> CustomerRead:
    return CustomerRead(
        id=customer.id,
        name=customer.name,
        tax_id=customer.tax_id,
        email=customer.email,
        phone=customer.phone,
        address=customer.address,
        notes=customer.notes,
        is_active=customer.is_active,
        visits=customer.visits,
        total_spent=customer.total_spent,
        last_purchase_at=customer.last_purchase_at,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


def audit_view(customer: Customer) -> dict[str, object]:
    return {
        "name": customer.name,
        "tax_id": customer.tax_id,
        "email": customer.email,
        "phone": customer.phone,
        "address": customer.address,
        "notes": customer.notes,
        "is_active": customer.is_active,
    }


async def get_customer(ctx: Context, customer_id: uuid.UUID, *, for_update: bool = False) -> Customer:
    customer = await ctx.session.get(Customer, (ctx.organization_id, customer_id), with_for_update=for_update)
    if customer is None:
        raise NotFound("no such customer")
    return customer


def _tax_id_taken() -> dict[str, ApiError]:
    message = "another customer already has this tax id"
    return {
        TAX_ID_INDEX: Conflict(message, code="tax_id_taken", errors=[FieldError(loc=["body", "tax_id"], msg=message)])
    }


async def create_customer(
    ctx: Context, data: CustomerCreate, *, customer_id: uuid.UUID | None = None, at: datetime | None = None
) -> CustomerRead:
    """Add a customer. `customer_id` and `at` are given by offline devices, which create
    customers before the server hears of them."""
    now = at or datetime.now(UTC)
    customer = Customer(
        organization_id=ctx.organization_id,
        id=customer_id or new_id(),
        name=clean_name(data.name),
        tax_id=clean_tax_id(data.tax_id),
        email=clean_email(data.email),
        phone=clean_phone(data.phone),
        address=data.address.strip(),
        notes=data.notes.strip(),
        visits=0,
        total_spent=0,
        last_purchase_at=None,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    async with unique_or_conflict(ctx.session, _tax_id_taken()):
        ctx.session.add(customer)
    await audit.record(
        ctx, action="customer.created", entity="customer", entity_id=customer.id, after=audit_view(customer)
    )
    return to_read(customer)


async def read_customer(ctx: Context, customer_id: uuid.UUID) -> CustomerRead:
    return to_read(await get_customer(ctx, customer_id))


def _changes(data: CustomerUpdate) -> dict[str, Any]:
    """The validated, normalized new values of the fields the request set."""
    changes: dict[str, Any] = {}
    if data.name is not msgspec.UNSET:
        changes["name"] = clean_name(data.name)
    if data.tax_id is not msgspec.UNSET:
        changes["tax_id"] = clean_tax_id(data.tax_id)
    if data.email is not msgspec.UNSET:
        changes["email"] = clean_email(data.email)
    if data.phone is not msgspec.UNSET:
        changes["phone"] = clean_phone(data.phone)
    if data.address is not msgspec.UNSET:
        changes["address"] = data.address.strip()
    if data.notes is not msgspec.UNSET:
        changes["notes"] = data.notes.strip()
    if data.is_active is not msgspec.UNSET:
        changes["is_active"] = data.is_active
    return changes


async def update_customer(ctx: Context, customer_id: uuid.UUID, data: CustomerUpdate) -> CustomerRead:
    """Change contact fields or (re)activate. A request that changes nothing writes nothing."""
    changes = _changes(data)
    customer = await get_customer(ctx, customer_id, for_update=True)
    changed = {name: value for name, value in changes.items() if getattr(customer, name) != value}
    if not changed:
        return to_read(customer)
    before = audit_view(customer)
    async with unique_or_conflict(ctx.session, _tax_id_taken()):
        for name, value in changed.items():
            setattr(customer, name, value)
        customer.updated_at = datetime.now(UTC)
    after = audit_view(customer)
    action = "customer.updated"
    if before["is_active"] != after["is_active"]:
        action = "customer.reactivated" if customer.is_active else "customer.deactivated"
    await audit.record(ctx, action=action, entity="customer", entity_id=customer.id, before=before, after=after)
    return to_read(customer)


async def deactivate_customer(ctx: Context, customer_id: uuid.UUID) -> None:
    """Soft delete: the customer stays for its sales and history. Idempotent."""
    customer = await get_customer(ctx, customer_id, for_update=True)
    if not customer.is_active:
        return
    before = audit_view(customer)
    customer.is_active = False
    customer.updated_at = datetime.now(UTC)
    await ctx.session.flush()
    await audit.record(
        ctx,
        action="customer.deactivated",
        entity="customer",
        entity_id=customer.id,
        before=before,
        after=audit_view(customer),
    )


# Listing, searching and exporting


def _like_prefix(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search_condition(search: str) -> ColumnElement[bool]:
    """The name contains the term (case- and accent-insensitive, trigram index), or the email, tax id
    or phone starts with it, each compared in its stored form."""
    term = search.strip()
    conditions: list[ColumnElement[bool]] = [
        func.orbit_fold(Customer.name).like("%" + func.orbit_fold(_like_prefix(" ".join(term.split())))),
        Customer.email.like(_like_prefix(term.lower())),
    ]
    tax_id = normalize_tax_id(term)
    if tax_id and re.fullmatch(r"[0-9A-Z/-]+", tax_id):
        conditions.append(Customer.tax_id.like(_like_prefix(tax_id)))
    phone = normalize_phone(term)
    if phone and re.fullmatch(r"\+?[0-9]+", phone):
        conditions.append(Customer.phone.like(_like_prefix(phone)))
    return or_(*conditions)


_SORT_KEYS: dict[str, SQLColumnExpression[Any]] = {
    "name": func.lower(Customer.name),
    "last_purchase_at": Customer.last_purchase_at,
    "total_spent": Customer.total_spent,
    "created_at": Customer.created_at,
}


def _customers_statement(
    ctx: Context, columns: Sequence[Any], *, search: str | None, is_active: bool | None, sort: CustomerSort
) -> Select[Any]:
    """Filtered customers in a total order: the sort key (nulls last either way), then the id."""
    statement = select(*columns).where(Customer.organization_id == ctx.organization_id)
    if is_active is not None:
        statement = statement.where(Customer.is_active == is_active)
    if search and search.strip():
        statement = statement.where(_search_condition(search))
    descending = sort.startswith("-")
    key = _SORT_KEYS[sort.lstrip("-")]
    if descending:
        return statement.order_by(key.desc().nulls_last(), Customer.id.desc())
    return statement.order_by(key.asc().nulls_last(), Customer.id.asc())


async def list_customers(ctx: Context, query: CustomerQuery) -> Page[CustomerRead]:
    statement = _customers_statement(ctx, [Customer], search=query.search, is_active=query.is_active, sort=query.sort)
    return await paginate(ctx.session, statement, query, to_read)


def export_filename(ctx: TenantContext) -> str:
    day = datetime.now(ZoneInfo(ctx.tenant.time_zone)).date()
    return f"customers-{ctx.tenant.subdomain}-{day.isoformat()}.csv"


def _local_time(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).isoformat(timespec="seconds") if value is not None else ""


def _export_row(row: Any, zone: ZoneInfo) -> list[object]:
    return [
        row.id,
        spreadsheet_safe(row.name or ""),
        row.tax_id or "",
        spreadsheet_safe(row.email or ""),
        row.phone or "",
        spreadsheet_safe(row.address or ""),
        spreadsheet_safe(row.notes or ""),
        "true" if row.is_active else "false",
        row.visits,
        row.total_spent,
        _local_time(row.last_purchase_at, zone),
        _local_time(row.created_at, zone),
    ]


async def export_customers(ctx: TenantContext, query: CustomerExportQuery) -> AsyncIterator[bytes]:
    """Audit the export now, and return the CSV (UTF-8, header row, CRLF lines) as chunks.

    Money is in minor units, times are ISO 8601 in the organization's time zone, and free-text
    cells that a spreadsheet would run as a formula are prefixed with `'`.

    The chunks are produced while the response streams, after the request's transaction has
    committed, so they are read in a read-only transaction of their own, scoped to the same
    organization, through a server-side cursor: memory stays flat however many customers there are.
    """
    statement = _customers_statement(
        ctx,
        [getattr(Customer, column) for column in EXPORT_COLUMNS],
        search=query.search,
        is_active=query.is_active,
        sort=query.sort,
    )
    await audit.record(
        ctx,
        action="customer.exported",
        entity="customer",
        entity_id="*",
        after={"search": query.search, "is_active": query.is_active, "sort": query.sort},
    )
    return _export_chunks(ctx.resources.database, ctx.organization_id, statement, ZoneInfo(ctx.tenant.time_zone))


async def _export_chunks(
    database: Database, organization_id: uuid.UUID, statement: Select[Any], zone: ZoneInfo
) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def drain() -> bytes:
        chunk = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return chunk

    writer.writerow(EXPORT_COLUMNS)
    yield drain()
    async with database.transaction(organization_id) as session:
        await session.execute(text("set transaction read only"))
        result = await session.stream(statement.execution_options(yield_per=EXPORT_BATCH))
        async for rows in result.partitions():
            writer.writerows(_export_row(row, zone) for row in rows)
            yield drain()


# Purchase statistics and history


def _sale_read(row: Any) -> CustomerSaleRead:
    return CustomerSaleRead(
        id=row.id, invoice_number=row.invoice_number, sold_at=row.sold_at, total=row.total, status=row.status
    )


async def purchase_history(ctx: Context, customer_id: uuid.UUID, query: PageQuery) -> Page[CustomerSaleRead]:
    """The customer's sales, newest first (voided ones included, with their status)."""
    await get_customer(ctx, customer_id)
    statement = (
        select(*HISTORY_COLUMNS)
        .where(Sale.organization_id == ctx.organization_id, Sale.customer_id == customer_id)
        .order_by(Sale.sold_at.desc(), Sale.id.desc())
    )
    return await paginate(ctx.session, statement, query, _sale_read, scalars=False)


async def _update_stats(ctx: Context, customer_id: uuid.UUID, **values: Any) -> None:
    """One atomic UPDATE of the customer's row; the row lock serializes concurrent sales, and each
    sees the value the previous one committed. Customers loaded in the session are refreshed."""
    statement = (
        update(Customer)
        .where(Customer.organization_id == ctx.organization_id, Customer.id == customer_id)
        .values(**values, updated_at=datetime.now(UTC))
        .returning(Customer)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    if await ctx.session.scalar(statement) is None:
        raise NotFound("no such customer")


async def record_purchase(ctx: Context, *, customer_id: uuid.UUID, amount: int, at: datetime) -> None:
    """Count a sale of `amount` minor units at `at` in the customer's statistics, inside the
    sale's transaction: one more visit, `amount` more spent, and `last_purchase_at` moved to `at`
    unless a later purchase is already recorded (offline sales may arrive late).
    Works for deactivated customers too: a sale is a fact. Unknown customer → `NotFound`."""
    if amount < 0:
        raise ValueError("a purchase amount can't be negative")
    if at.tzinfo is None:
        raise ValueError("the time of a purchase must be timezone-aware")
    await _update_stats(
        ctx,
        customer_id,
        visits=Customer.visits + 1,
        total_spent=Customer.total_spent + amount,
        last_purchase_at=func.greatest(Customer.last_purchase_at, literal(at, Customer.last_purchase_at.type)),
    )


async def reverse_purchase(ctx: Context, *, customer_id: uuid.UUID, amount: int, void: bool = False) -> None:
    """Take a refund of `amount` minor units off the customer's `total_spent`, never below zero.
    A `void` (the whole sale undone) also takes back its visit. `last_purchase_at` is left as is.
    Unknown customer → `NotFound`."""
    if amount < 0:
        raise ValueError("a refund amount can't be negative")
    values: dict[str, Any] = {"total_spent": func.greatest(Customer.total_spent - amount, 0)}
    if void:
        values["visits"] = func.greatest(Customer.visits - 1, 0)
    await _update_stats(ctx, customer_id, **values)
