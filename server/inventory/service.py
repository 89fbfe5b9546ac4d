"""Stock and its movements.

Invariants:
- A product's stock (`product_stock.on_hand`, `Product.stock` in the ORM) changes only here,
  in the sale's single write statement (`server/sales/sales.py`, `_WRITE_SALE`) and in the
  offline bulk write (`sync/bulk_sales.py`), which keep these same rules; every change writes
  one movement with its delta and the balance right after it; so stock = Σ deltas of its
  movements, always.
- Products' stock rows are locked in id order (`SELECT … ORDER BY id FOR UPDATE`) before any change, so
  concurrent multi-product changes can't deadlock; the decrement itself is a conditional UPDATE
  that refuses to go below zero unless negative stock is allowed.
- Events (`stock.changed`, and `stock.low` when a product crosses down to its reorder point)
  are published only after commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, func, insert, select, text

from server.catalog.models import Product
from server.core.context import Context
from server.core.errors import Conflict, FieldError, NotFound
from server.core.events import publish_after_commit
from server.core.ids import new_id
from server.core.pagination import Page, PageQuery, paginate
from server.inventory.models import InventoryMovement, ProductStock
from server.inventory.schemas import (
    AdjustmentCreate,
    CountCreate,
    LowStockItem,
    MovementBatch,
    MovementQuery,
    MovementRead,
    ProductMovementQuery,
    ReceiptCreate,
)


@dataclass(frozen=True, slots=True)
class LockedProduct:
    id: uuid.UUID
    sku: str
    name: str
    stock: int
    reorder_point: int
    price: int
    cost: int
    tax_rate_bp: int
    is_active: bool


@dataclass(frozen=True, slots=True)
class StockChange:
    product_id: uuid.UUID
    delta: int


@dataclass(frozen=True, slots=True)
class AppliedChange:
    movement_id: uuid.UUID
    product_id: uuid.UUID
    delta: int
    balance_after: int


_LOCK_STOCK = text(
    "select product_id, on_hand from product_stock "
    "where organization_id = :organization_id and product_id = any(:ids) order by product_id for update"
)
"""Locks the products' stock rows, not the product rows: a price edit never waits for a sale."""

_PRODUCTS = text(
    "select id, sku, name, reorder_point, price, cost, tax_rate_bp, is_active from products "
    "where organization_id = :organization_id and id = any(:ids)"
)
"""The locked products' own fields. A statement of its own, not a join with the lock: on tables
that have just grown (an import's second file of 25,000 products) the planner's statistics still
describe a few hundred rows, and the join it planned on them took minutes a statement (the import
of 50,000 products: 272 s with the join, 15 s with the two statements); a single-table read by
the key has no join order to get wrong, so it stays fast whatever the statistics say."""

APPLY_STOCK = (
    "update product_stock s set on_hand = s.on_hand + d.delta, updated_at = now() "
    "from unnest(cast(:ids as uuid[]), cast(:deltas as bigint[])) as d(id, delta) "
    "where s.organization_id = :organization_id and s.product_id = d.id"
)
"""Add each delta to its product's stock on hand (`:ids`, `:deltas`: one element per product)."""

_APPLY = text(
    f"{APPLY_STOCK} and (:allow_negative or s.on_hand + d.delta >= 0) returning s.product_id as id, s.on_hand as stock"
)


async def lock_products(ctx: Context, product_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, LockedProduct]:
    """Lock the products in id order for the rest of the transaction and return their state.
    Ids of other tenants or unknown ids are simply absent from the result."""
    parameters = {"organization_id": ctx.organization_id, "ids": sorted(set(product_ids))}
    stock = {row.product_id: row.on_hand for row in await ctx.session.execute(_LOCK_STOCK, parameters)}
    if not stock:
        return {}
    return {
        row.id: LockedProduct(
            row.id,
            row.sku,
            row.name,
            stock[row.id],
            row.reorder_point,
            row.price,
            row.cost,
            row.tax_rate_bp,
            row.is_active,
        )
        for row in await ctx.session.execute(_PRODUCTS, {**parameters, "ids": sorted(stock)})
        if row.id in stock
    }


def insufficient_stock(products: Sequence[LockedProduct], requested: dict[uuid.UUID, int]) -> Conflict:
    names = ", ".join(f"{product.name} ({product.sku}): {product.stock} in stock" for product in products)
    return Conflict(
        f"not enough stock for {names}",
        code="insufficient_stock",
        errors=[
            FieldError(
                loc=["product", str(product.id)], msg=f"requested {requested[product.id]}, in stock {product.stock}"
            )
            for product in products
        ],
    )


async def apply_stock_changes(
    ctx: Context,
    changes: Sequence[StockChange],
    *,
    kind: str,
    locked: dict[uuid.UUID, LockedProduct],
    allow_negative: bool,
    reason: str = "",
    reference_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> list[AppliedChange]:
    """Apply stock changes to products already locked by `lock_products`, one movement each, in order.

    Raises 404 naming any product not in `locked`, and 409 `insufficient_stock` naming every
    product that would go below zero when negative stock is not allowed.
    """
    missing = [change.product_id for change in changes if change.product_id not in locked]
    if missing:
        raise NotFound(
            "unknown product", errors=[FieldError(loc=["product", str(pid)], msg="not found") for pid in missing]
        )
    totals: dict[uuid.UUID, int] = {}
    for change in changes:
        totals[change.product_id] = totals.get(change.product_id, 0) + change.delta
    if not allow_negative:
        short = [locked[pid] for pid, delta in totals.items() if delta < 0 and locked[pid].stock + delta < 0]
        if short:
            raise insufficient_stock(short, {pid: -delta for pid, delta in totals.items()})
    ids = list(totals)
    result = await ctx.session.execute(
        _APPLY,
        {
            "organization_id": ctx.organization_id,
            "ids": ids,
            "deltas": [totals[pid] for pid in ids],
            "allow_negative": allow_negative,
        },
    )
    updated: dict[uuid.UUID, int] = {row.id: row.stock for row in result}
    if len(updated) != len(ids):
        raise insufficient_stock(
            [locked[pid] for pid in ids if pid not in updated], {pid: -d for pid, d in totals.items()}
        )

    moment = occurred_at or datetime.now(UTC)
    running = {pid: locked[pid].stock for pid in ids}
    applied: list[AppliedChange] = []
    rows: list[dict[str, object]] = []
    for change in changes:
        running[change.product_id] += change.delta
        movement_id = new_id()
        applied.append(AppliedChange(movement_id, change.product_id, change.delta, running[change.product_id]))
        rows.append(
            {
                "organization_id": ctx.organization_id,
                "id": movement_id,
                "product_id": change.product_id,
                "kind": kind,
                "delta": change.delta,
                "balance_after": running[change.product_id],
                "actor_id": ctx.actor_id,
                "reason": reason,
                "reference_id": reference_id,
                "occurred_at": moment,
            }
        )
    await ctx.session.execute(insert(InventoryMovement), rows)
    announce(ctx, locked, updated, totals, kind)
    return applied


def stock_change_data(product: LockedProduct, *, stock: int, delta: int, kind: str) -> dict[str, Any]:
    """One product of a `stock.changed` event: with its reorder point, so that a client can tell
    whether it is low on stock (`stock <= reorder_point`) without reading the product."""
    return {
        "product_id": product.id,
        "sku": product.sku,
        "stock": stock,
        "delta": delta,
        "kind": kind,
        "reorder_point": product.reorder_point,
    }


def announce(
    ctx: Context,
    locked: dict[uuid.UUID, LockedProduct],
    stock_after: dict[uuid.UUID, int],
    deltas: dict[uuid.UUID, int],
    kind: str,
) -> None:
    """Queue `stock.changed` for the changed products, and `stock.low` for each active one that
    crossed down to its reorder point (`locked` holds the stock before the change)."""
    changed = [
        stock_change_data(locked[pid], stock=stock, delta=deltas[pid], kind=kind) for pid, stock in stock_after.items()
    ]
    publish_after_commit(ctx, "stock", "stock.changed", {"products": changed})
    for pid, stock in stock_after.items():
        product = locked[pid]
        if product.stock > product.reorder_point >= stock and product.is_active:
            publish_after_commit(
                ctx,
                "alerts",
                "stock.low",
                {
                    "product_id": pid,
                    "sku": product.sku,
                    "name": product.name,
                    "stock": stock,
                    "reorder_point": product.reorder_point,
                },
            )


def to_read(movement: InventoryMovement, product_sku: str, product_name: str) -> MovementRead:
    return MovementRead(
        id=movement.id,
        product_id=movement.product_id,
        product_sku=product_sku,
        product_name=product_name,
        kind=movement.kind,  # type: ignore[arg-type]
        delta=movement.delta,
        balance_after=movement.balance_after,
        actor_id=movement.actor_id,
        reason=movement.reason,
        reference_id=movement.reference_id,
        occurred_at=movement.occurred_at,
    )


def _batch(
    applied: Sequence[AppliedChange],
    kind: str,
    reason: str,
    actor_id: uuid.UUID | None,
    locked: dict[uuid.UUID, LockedProduct],
) -> MovementBatch:
    now = datetime.now(UTC)
    return MovementBatch(
        movements=[
            MovementRead(
                id=change.movement_id,
                product_id=change.product_id,
                product_sku=locked[change.product_id].sku,
                product_name=locked[change.product_id].name,
                kind=kind,  # type: ignore[arg-type]
                delta=change.delta,
                balance_after=change.balance_after,
                actor_id=actor_id,
                reason=reason,
                reference_id=None,
                occurred_at=now,
            )
            for change in applied
        ]
    )


async def receive_stock(ctx: Context, data: ReceiptCreate) -> MovementBatch:
    """Goods in: each line adds its quantity."""
    changes = [StockChange(line.product_id, line.quantity) for line in data.lines]
    locked = await lock_products(ctx, [change.product_id for change in changes])
    applied = await apply_stock_changes(
        ctx, changes, kind="receipt", locked=locked, allow_negative=True, reason=data.reason
    )
    return _batch(applied, "receipt", data.reason, ctx.actor_id, locked)


async def adjust_stock(ctx: Context, data: AdjustmentCreate) -> MovementBatch:
    """Corrections with a reason (breakage, theft, …); may not go below zero unless the tenant allows it."""
    changes = [StockChange(line.product_id, line.delta) for line in data.lines if line.delta != 0]
    if not changes:
        raise Conflict("every adjustment line has a zero delta", code="empty_adjustment")
    assert ctx.tenant is not None
    locked = await lock_products(ctx, [change.product_id for change in changes])
    applied = await apply_stock_changes(
        ctx,
        changes,
        kind="adjustment",
        locked=locked,
        allow_negative=ctx.tenant.allow_negative_stock,
        reason=data.reason,
    )
    return _batch(applied, "adjustment", data.reason, ctx.actor_id, locked)


async def count_stock(ctx: Context, data: CountCreate) -> MovementBatch:
    """A stock count sets each product to what was counted; the movement records the difference
    (zero when the count confirms the books)."""
    locked = await lock_products(ctx, [line.product_id for line in data.lines])
    seen: set[uuid.UUID] = set()
    changes: list[StockChange] = []
    for index, line in enumerate(data.lines):
        if line.product_id in seen:
            raise Conflict(
                "a product is counted twice",
                code="duplicate_line",
                errors=[FieldError(loc=["body", "lines", index, "product_id"], msg="counted twice")],
            )
        seen.add(line.product_id)
        if line.product_id in locked:
            changes.append(StockChange(line.product_id, line.counted - locked[line.product_id].stock))
        else:
            changes.append(StockChange(line.product_id, 0))
    applied = await apply_stock_changes(
        ctx, changes, kind="count", locked=locked, allow_negative=True, reason=data.reason
    )
    return _batch(applied, "count", data.reason, ctx.actor_id, locked)


async def list_movements(ctx: Context, query: MovementQuery) -> Page[MovementRead]:
    """Newest first, each with its product's SKU and name (the time and kind indexes of
    migration 0009 keep a shop's ledger a short index scan however long its history)."""
    statement = (
        select(InventoryMovement, Product.sku, Product.name)
        .join(
            Product,
            and_(
                Product.organization_id == InventoryMovement.organization_id, Product.id == InventoryMovement.product_id
            ),
        )
        .where(InventoryMovement.organization_id == ctx.organization_id)
    )
    if query.product_id is not None:
        statement = statement.where(InventoryMovement.product_id == query.product_id)
    if query.kind is not None:
        statement = statement.where(InventoryMovement.kind == query.kind)
    if query.since is not None:
        statement = statement.where(InventoryMovement.occurred_at >= query.since)
    if query.until is not None:
        statement = statement.where(InventoryMovement.occurred_at < query.until)
    statement = statement.order_by(InventoryMovement.occurred_at.desc(), InventoryMovement.id.desc())
    return await paginate(
        ctx.session, statement, query, lambda row: to_read(row.InventoryMovement, row.sku, row.name), scalars=False
    )


async def product_movements(ctx: Context, product_id: uuid.UUID, query: ProductMovementQuery) -> Page[MovementRead]:
    exists = await ctx.session.scalar(
        select(Product.id).where(Product.organization_id == ctx.organization_id, Product.id == product_id)
    )
    if exists is None:
        raise NotFound("no such product")
    query = MovementQuery(
        limit=query.limit,
        offset=query.offset,
        product_id=product_id,
        kind=query.kind,
        since=query.since,
        until=query.until,
    )
    return await list_movements(ctx, query)


def _low_stock_products(ctx: Context) -> Select[uuid.UUID, str, str, int, int]:
    """Active products at or below their reorder point, the furthest below first (joined to
    their stock rows: one pass over both tables, not a sub-select per product)."""
    stock = ProductStock.on_hand
    return (
        select(Product.id, Product.sku, Product.name, stock.label("stock"), Product.reorder_point)
        .join(
            ProductStock,
            and_(ProductStock.organization_id == Product.organization_id, ProductStock.product_id == Product.id),
        )
        .where(
            and_(
                Product.organization_id == ctx.organization_id,
                Product.is_active,
                stock <= Product.reorder_point,
            )
        )
        .order_by((stock - Product.reorder_point).asc(), Product.name, Product.id)
    )


def _low_stock_item(row: Any) -> LowStockItem:
    return LowStockItem(
        product_id=row.id,
        sku=row.sku,
        name=row.name,
        stock=row.stock,
        reorder_point=row.reorder_point,
        shortfall=max(row.reorder_point - row.stock, 0),
    )


async def low_stock(ctx: Context, query: PageQuery) -> Page[LowStockItem]:
    return await paginate(ctx.session, _low_stock_products(ctx), query, _low_stock_item, scalars=False)


async def low_stock_summary(ctx: Context, *, limit: int) -> tuple[int, list[LowStockItem]]:
    """How many products are low on stock, and the first `limit` of them (as `low_stock` lists
    them), in one statement."""
    statement = _low_stock_products(ctx).add_columns(func.count().over().label("low_count")).limit(limit)
    rows = (await ctx.session.execute(statement)).all()
    return (rows[0].low_count if rows else 0), [_low_stock_item(row) for row in rows]
