"""The catalog pull (DESIGN §9): what a device needs to sell offline, changed since its cursor.

Invariants:
- The catalog cursor never skips a change: rows carry the id of the transaction that last wrote
  them, and a pull cycle hands back as its next cursor the oldest transaction still running
  when the cycle began, so one that commits late is picked up by the next cycle.
- A page holds at most `limit` rows, read table by table (`STAGES`) in (transaction id, id)
  order; a cold pull reads only the columns a device gets, never whole entities.
- A product is sent again when its row or its stock row (`product_stock`, which a stock change
  writes instead of the product row) changed, once a cycle.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, or_, select, text, tuple_

from server.catalog.images import ImageLinker, image_linker
from server.catalog.models import Category, Product
from server.core.context import Context
from server.core.errors import FieldError, ValidationFailed
from server.core.money import minor_units
from server.customers.models import Customer
from server.inventory.models import ProductStock
from server.sales.models import Register
from server.sales.registers import open_shift_ids
from server.users.models import User
from sync.models import SyncTombstone
from sync.schemas import (
    CashierSync,
    CatalogPage,
    CatalogQuery,
    CategorySync,
    CustomerSync,
    OrganizationSync,
    ProductSync,
    RegisterSync,
    Tombstone,
)

MAX_TRACKED_IN_PROGRESS = 64


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a pull stands.

    A pull cycle returns the rows written by transactions at or after `low` or listed in
    `pending` (those that were still running when the previous cycle began). The cycle's own
    starting snapshot (`next_low` = its xmax, `next_pending` = its in-progress list) becomes the
    next cycle's `low`/`pending`, so a transaction that commits after the cycle began is always
    picked up by the next one, and nothing that committed before it is sent again. Within a
    cycle, `stage` is the table being read and (`after_xid`, `after_id`) the last row returned."""

    low: int = 0
    pending: tuple[int, ...] = ()
    next_low: int = 0
    next_pending: tuple[int, ...] = ()
    stage: int = 0
    after_xid: int = -1
    after_id: uuid.UUID | None = None

    def encode(self) -> str:
        parts = [
            "c2",
            str(self.low),
            "-".join(map(str, self.pending)),
            str(self.next_low),
            "-".join(map(str, self.next_pending)),
            str(self.stage),
            str(self.after_xid),
            self.after_id.hex if self.after_id else "",
        ]
        return base64.urlsafe_b64encode(".".join(parts).encode()).rstrip(b"=").decode()

    @classmethod
    def decode(cls, value: str | None) -> Cursor:
        if not value:
            return cls()
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            version, low, pending, next_low, next_pending, stage, after_xid, after = raw.split(".")
            if version != "c2":
                raise ValueError(version)
            cursor = cls(
                int(low),
                tuple(int(x) for x in pending.split("-") if x),
                int(next_low),
                tuple(int(x) for x in next_pending.split("-") if x),
                int(stage),
                int(after_xid),
                uuid.UUID(after) if after else None,
            )
            if cursor.low < 0 or not 0 <= cursor.stage < len(STAGES):
                raise ValueError(raw)
            return cursor
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationFailed(
                "not a cursor this server gave out", errors=[FieldError(loc=["query", "cursor"], msg="invalid")]
            ) from exc

    @property
    def starts_cycle(self) -> bool:
        return self.stage == 0 and self.after_id is None


def changed_since(column: Any, cursor: Cursor) -> Any:
    """`column` (a `change_xid`) names a transaction the cursor's cycle sends the rows of."""
    changed = column >= cursor.low
    return or_(changed, column.in_(cursor.pending)) if cursor.pending else changed


@dataclass(frozen=True, slots=True)
class Stage:
    """One table of the pull: the table whose `change_xid` it follows (`model`, in order of that
    and `key`), the columns read (not whole entities: a cold pull reads every product), how a row
    becomes what the device gets, and the page's list it goes to (`sends`, default `name`).
    `joined` adds the tables the columns come from, and any further condition."""

    name: str
    model: Any
    columns: tuple[Any, ...]
    convert: Callable[[Any], Any]
    key: str = "id"
    sends: str = ""
    joined: Callable[[Select[Any], Cursor], Select[Any]] | None = None

    @property
    def destination(self) -> str:
        return self.sends or self.name


_STOCK_OF_PRODUCT = and_(ProductStock.organization_id == Product.organization_id, ProductStock.product_id == Product.id)

PRODUCT_COLUMNS = (
    Product.id,
    Product.sku,
    Product.barcode,
    Product.name,
    Product.category_id,
    Product.price,
    Product.tax_rate_bp,
    Product.unit,
    ProductStock.on_hand.label("stock"),
    Product.is_active,
    Product.image_version,
)
"""What a device gets of a product: its row and its stock (`product_stock`, migration 0014)."""


def _product_sync(p: Any) -> ProductSync:
    return ProductSync(
        id=p.id,
        sku=p.sku,
        barcode=p.barcode,
        name=p.name,
        category_id=p.category_id,
        price=p.price,
        tax_rate_bp=p.tax_rate_bp,
        unit=p.unit,
        stock=p.stock,
        is_active=p.is_active,
    )


STAGES: tuple[Stage, ...] = (
    Stage(
        "categories",
        Category,
        ("id", "name", "parent_id"),
        lambda c: CategorySync(id=c.id, name=c.name, parent_id=c.parent_id),
    ),
    Stage(
        "products",
        Product,
        PRODUCT_COLUMNS,
        _product_sync,
        joined=lambda statement, cursor: statement.join(ProductStock, _STOCK_OF_PRODUCT),
    ),
    Stage(
        "customers",
        Customer,
        ("id", "name", "tax_id", "email", "phone", "is_active"),
        lambda c: CustomerSync(
            id=c.id, name=c.name, tax_id=c.tax_id, email=c.email, phone=c.phone, is_active=c.is_active
        ),
    ),
    Stage(
        "cashiers",
        User,
        ("id", "full_name", "role", "is_active", "offline_pin"),
        lambda u: CashierSync(
            id=u.id, full_name=u.full_name, role=u.role, is_active=u.is_active, offline_pin=u.offline_pin
        ),
    ),
    Stage("registers", Register, ("id", "code", "name", "is_active", "last_number"), lambda r: r),
    Stage("tombstones", SyncTombstone, ("entity", "id"), lambda t: Tombstone(entity=t.entity, id=t.id)),
    # Products whose stock changed but whose own row did not (the "products" stage sent the
    # others this cycle): a stock change leaves the product row alone. Last, so that the stage
    # numbers of cursors given out before it existed still mean the same tables.
    Stage(
        "stock",
        ProductStock,
        PRODUCT_COLUMNS,
        _product_sync,
        key="product_id",
        sends="products",
        joined=lambda statement, cursor: statement.join(Product, _STOCK_OF_PRODUCT).where(
            ~changed_since(Product.change_xid, cursor)
        ),
    ),
)


async def _snapshot(ctx: Context) -> tuple[int, tuple[int, ...]]:
    """The current snapshot's xmax and in-progress transactions. Past `MAX_TRACKED_IN_PROGRESS`
    of them, the snapshot's xmin stands in for all (more rows are re-sent, none is missed)."""
    row = (
        await ctx.session.execute(
            text(
                "select (pg_snapshot_xmin(s)::text)::bigint, (pg_snapshot_xmax(s)::text)::bigint, "
                "array(select (x::text)::bigint from pg_snapshot_xip(s) as x order by 1) "
                "from pg_current_snapshot() as s"
            )
        )
    ).one()
    xmin, xmax, in_progress = int(row[0]), int(row[1]), tuple(int(x) for x in row[2])
    if len(in_progress) > MAX_TRACKED_IN_PROGRESS:
        return xmin, ()
    return xmax, in_progress


async def pull_catalog(ctx: Context, query: CatalogQuery) -> CatalogPage:
    """Up to `limit` rows changed since the cursor, table by table (see `Cursor`)."""
    assert ctx.tenant is not None
    cursor = Cursor.decode(query.cursor)
    if cursor.starts_cycle:
        next_low, next_pending = await _snapshot(ctx)
        cursor = Cursor(cursor.low, cursor.pending, next_low, next_pending)
    found: dict[str, list[Any]] = {stage.destination: [] for stage in STAGES}
    room = query.limit
    stage_index, after_xid, after_id = cursor.stage, cursor.after_xid, cursor.after_id
    while stage_index < len(STAGES):
        stage = STAGES[stage_index]
        model = stage.model
        key = getattr(model, stage.key)
        columns = [getattr(model, name) if isinstance(name, str) else name for name in stage.columns]
        statement = (
            select(*columns, model.change_xid)
            .select_from(model)
            .where(model.organization_id == ctx.organization_id, changed_since(model.change_xid, cursor))
        )
        if stage.joined is not None:
            statement = stage.joined(statement, cursor)
        if after_id is not None:
            statement = statement.where(tuple_(model.change_xid, key) > tuple_(after_xid, after_id))
        rows = list(await ctx.session.execute(statement.order_by(model.change_xid, key).limit(room + 1)))
        if len(rows) > room:
            rows = rows[:room]
            found[stage.destination].extend(rows)
            last = rows[-1] if rows else None
            next_cursor = Cursor(
                cursor.low,
                cursor.pending,
                cursor.next_low,
                cursor.next_pending,
                stage_index,
                last.change_xid if last else after_xid,
                last.id if last else after_id,
            )
            return await _page(ctx, found, next_cursor, has_more=True)
        found[stage.destination].extend(rows)
        room -= len(rows)
        stage_index, after_xid, after_id = stage_index + 1, -1, None
    return await _page(ctx, found, Cursor(cursor.next_low, cursor.next_pending), has_more=False)


def _with_image(product: ProductSync, row: Any, link: ImageLinker) -> ProductSync:
    image = link(row.id, row.image_version)
    product.image = image.grid if image is not None else None
    return product


async def _page(ctx: Context, found: dict[str, list[Any]], cursor: Cursor, *, has_more: bool) -> CatalogPage:
    assert ctx.tenant is not None
    registers: list[Any] = found["registers"]
    open_shifts = await open_shift_ids(ctx, [register.id for register in registers]) if registers else {}
    by_name = {stage.name: stage for stage in STAGES}
    tenant = ctx.tenant
    link = image_linker(ctx)
    return CatalogPage(
        next_cursor=cursor.encode(),
        has_more=has_more,
        organization=OrganizationSync(
            id=tenant.id,
            name=tenant.name,
            currency=tenant.currency,
            currency_minor_units=minor_units(tenant.currency),
            locale=tenant.locale,
            time_zone=tenant.time_zone,
            tax_mode=tenant.tax_mode,
            allow_negative_stock=tenant.allow_negative_stock,
        ),
        products=[_with_image(by_name["products"].convert(row), row, link) for row in found["products"]],
        categories=[by_name["categories"].convert(row) for row in found["categories"]],
        customers=[by_name["customers"].convert(row) for row in found["customers"]],
        cashiers=[by_name["cashiers"].convert(row) for row in found["cashiers"]],
        registers=[
            RegisterSync(
                id=r.id,
                code=r.code,
                name=r.name,
                is_active=r.is_active,
                last_number=r.last_number,
                open_shift_id=open_shifts.get(r.id),
            )
            for r in registers
        ],
        tombstones=[by_name["tombstones"].convert(row) for row in found["tombstones"]],
    )
