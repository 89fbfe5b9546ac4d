"""Set-based settlement of a run of plain offline sales (docs/sync.md, "The set-based path").

A device catching up pushes long runs of ordinary sales: the register's open shift, an active
cashier, catalog prices, active products, stock that stays at or above zero, an unused invoice
number, payments that cover the total. Settled one savepoint at a time, each costs about twenty
round trips. `settle_run` settles such a run with a fixed number of statements (one lookup of
each kind, one stock update, one register update and one multi-row insert per table) and writes
exactly what `server.sales.service.record_sale` writes for an offline sale, plus what
`sync.service` adds: the same sales, lines, payments, movements (with the same running
`balance_after`), audit entries, customer statistics and events, in the same order.
tests/sync/test_bulk_sales.py compares both paths row by row and event by event.

Invariants:
- Only documents that the per-document path would settle `applied`, with no conflict, are taken.
  The run is checked in Python against the locked products, the shifts, the register's used
  numbers and the customers, in document order, and the longest prefix that passes is settled;
  the first document that fails is left to the per-document path (`sync.service._settle`), so
  anything that would be rejected or raise a conflict is settled exactly as before, in its own
  savepoint.
- The run's writes share one savepoint. If PostgreSQL refuses one of them for a reason that is
  not transient, the savepoint is rolled back, nothing of the run remains, and the caller
  settles those documents one at a time: a document that fails never takes others down.
  Transient failures (connection lost, lock timeout, deadlock) propagate and abort the batch.
- Products are locked in id order before their stock is read, as the online sale does. Events
  join the request's after-commit queue only once the run's writes have succeeded.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import Table, func, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import JSON

from server.audit.models import AuditEntry
from server.core.context import Context
from server.core.errors import is_transient
from server.core.events import publish_after_commit
from server.core.ids import new_id
from server.customers import service as customers
from server.customers.models import Customer
from server.inventory import service as inventory
from server.inventory.models import InventoryMovement
from server.sales import pricing
from server.sales import service as sales
from server.sales.models import Device, Payment, Register, Sale, SaleLine, Shift
from server.users.models import User
from sync.schemas import DocumentResult, SaleDocument

logger = logging.getLogger("orbit.sync")

_dialect = postgresql.dialect()  # type: ignore[no-untyped-call]

_APPLY_STOCK = text(
    "update products p set stock = p.stock + d.delta, updated_at = now() "
    "from unnest(cast(:ids as uuid[]), cast(:deltas as bigint[])) as d(id, delta) "
    "where p.organization_id = :organization_id and p.id = d.id"
)


@functools.cache
def insert_rows(table: Table, columns: tuple[str, ...]) -> TextClause:
    """`INSERT INTO table (organization_id, columns…)` of any number of rows in one statement:
    each column is bound as one array and the rows come from `unnest`. JSON columns are bound
    as text. Bind `organization_id` as a value and every column as a list."""
    casts = []
    values = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, JSON):
            casts.append(f"cast(:{name} as text[])")
            values.append(f"cast(r.{name} as jsonb)")
        else:
            casts.append(f"cast(:{name} as {column_type.compile(dialect=_dialect)}[])")
            values.append(f"r.{name}")
    return text(
        f"insert into {table.name} (organization_id, {', '.join(columns)}) "
        f"select cast(:organization_id as uuid), {', '.join(values)} "
        f"from unnest({', '.join(casts)}) as r({', '.join(columns)})"
    )


class Rows:
    """Rows of one table, gathered column by column for `insert_rows`."""

    def __init__(self, table: Any, *columns: str) -> None:
        self.table: Table = table.__table__
        self.columns = columns
        self.values: dict[str, list[Any]] = {name: [] for name in columns}

    def add(self, **row: Any) -> None:
        for name in self.columns:
            self.values[name].append(row[name])

    async def insert(self, ctx: Context) -> None:
        if self.values[self.columns[0]]:
            await ctx.session.execute(
                insert_rows(self.table, self.columns), {"organization_id": ctx.organization_id, **self.values}
            )


@dataclass(frozen=True, slots=True)
class PlannedSale:
    document: SaleDocument
    cashier: User
    priced: pricing.PricedSale
    tenders: pricing.Settlement


@dataclass(slots=True)
class RunSettlement:
    """What `settle_run` did: `results` for the settled prefix of the run, in order; or, when
    PostgreSQL refused the run's writes, `refused` documents for the per-document path."""

    results: list[DocumentResult] = field(default_factory=list)
    refused: int = 0


async def settle_run(
    ctx: Context,
    device: Device,
    register: Register,
    documents: Sequence[SaleDocument],
    cashiers: dict[uuid.UUID, User],
    locked: dict[uuid.UUID, inventory.LockedProduct] | None = None,
) -> RunSettlement:
    """Settle the longest prefix of `documents` (consecutive, unsettled sale documents of
    `device`, in sequence order) that would be applied with no conflict, set-based. `locked`:
    the products, already locked in this transaction and unchanged since (else they are locked
    here)."""
    planned, locked = await _plan(ctx, device, documents, cashiers, locked)
    if not planned:
        return RunSettlement()
    staged = Context(
        session=ctx.session,
        resources=ctx.resources,
        tenant=ctx.tenant,
        actor=ctx.actor,
        ip=ctx.ip,
        user_agent=ctx.user_agent,
    )
    try:
        async with ctx.session.begin_nested():
            results = await _write(staged, device, register, planned, locked)
    except DBAPIError as error:
        if is_transient(error):
            raise
        logger.warning("set-based settlement of %d sales refused, settling them one by one: %s", len(planned), error)
        return RunSettlement(refused=len(planned))
    ctx._after_commit.extend(staged._after_commit)
    return RunSettlement(results=results)


async def _plan(
    ctx: Context,
    device: Device,
    documents: Sequence[SaleDocument],
    cashiers: dict[uuid.UUID, User],
    locked: dict[uuid.UUID, inventory.LockedProduct] | None,
) -> tuple[list[PlannedSale], dict[uuid.UUID, inventory.LockedProduct]]:
    """The prefix of `documents` that passes every check, priced; and the locked products."""
    assert ctx.tenant is not None
    tenant = ctx.tenant
    organization_id = ctx.organization_id
    if locked is None:
        locked = await inventory.lock_products(ctx, [line.product_id for d in documents for line in d.lines])
    shift_ids = {d.shift_id for d in documents if d.shift_id is not None}
    open_shifts = set(
        await ctx.session.scalars(
            select(Shift.id).where(
                Shift.organization_id == organization_id,
                Shift.id.in_(shift_ids),
                Shift.register_id == device.register_id,
                Shift.status == "open",
            )
        )
    )
    used_numbers = set(
        await ctx.session.scalars(
            select(Sale.number).where(
                Sale.organization_id == organization_id,
                Sale.register_id == device.register_id,
                Sale.number.in_({d.number for d in documents}),
            )
        )
    )
    customer_ids = {d.customer_id for d in documents if d.customer_id is not None}
    active_customers = (
        set(
            await ctx.session.scalars(
                select(Customer.id).where(
                    Customer.organization_id == organization_id,
                    Customer.id.in_(customer_ids),
                    Customer.is_active,
                )
            )
        )
        if customer_ids
        else set()
    )
    stock = {product_id: product.stock for product_id, product in locked.items()}
    planned: list[PlannedSale] = []
    for document in documents:
        cashier = cashiers.get(document.cashier_id)
        if (
            cashier is None
            or not cashier.is_active
            or document.shift_id not in open_shifts
            or document.number in used_numbers
            or (document.customer_id is not None and document.customer_id not in active_customers)
        ):
            break
        lines: list[pricing.LineInput] = []
        quantities: dict[uuid.UUID, int] = {}
        for line in document.lines:
            product = locked.get(line.product_id)
            if product is None or not product.is_active or line.unit_price not in (None, product.price):
                break
            quantities[product.id] = quantities.get(product.id, 0) + line.quantity
            lines.append(pricing.LineInput(line.quantity, product.price, product.tax_rate_bp, line.discount))
        else:
            if all(stock[product_id] >= quantity for product_id, quantity in quantities.items()):
                try:
                    priced = pricing.price_sale(lines, sale_discount=document.discount, tax_mode=tenant.tax_mode)
                    tenders = pricing.settle(
                        priced.total, [pricing.TenderInput(p.method, p.amount) for p in document.payments]
                    )
                except pricing.PricingError:
                    break
                for product_id, quantity in quantities.items():
                    stock[product_id] -= quantity
                used_numbers.add(document.number)
                planned.append(PlannedSale(document, cashier, priced, tenders))
                continue
        break
    return planned, locked


async def _write(
    ctx: Context,
    device: Device,
    register: Register,
    planned: Sequence[PlannedSale],
    locked: dict[uuid.UUID, inventory.LockedProduct],
) -> list[DocumentResult]:
    """Write the planned sales as `record_sale` would, one statement per table; queue their
    events on `ctx`."""
    assert ctx.tenant is not None
    tax_mode = ctx.tenant.tax_mode
    sales = Rows(
        Sale,
        "id", "register_id", "shift_id", "number", "invoice_number", "cashier_id", "customer_id", "device_id",
        "status", "origin", "subtotal", "discount_total", "tax_total", "total", "paid_total", "change_total",
        "tax_mode", "note", "sold_at",
    )  # fmt: skip
    lines = Rows(
        SaleLine,
        "id", "sale_id", "position", "product_id", "quantity", "unit_price", "list_price", "unit_cost", "discount",
        "tax_rate_bp", "tax_amount", "total",
    )  # fmt: skip
    payments = Rows(Payment, "id", "sale_id", "method", "amount", "change", "reference")
    movements = Rows(
        InventoryMovement,
        "id", "product_id", "kind", "delta", "balance_after", "actor_id", "reason", "reference_id", "occurred_at",
    )  # fmt: skip
    audit = Rows(AuditEntry, "id", "actor_id", "action", "entity", "entity_id", "before", "after", "ip")
    stock = {product_id: product.stock for product_id, product in locked.items()}
    deltas: dict[uuid.UUID, int] = {}
    results: list[DocumentResult] = []
    for plan in planned:
        document, priced = plan.document, plan.priced
        sale_id, cashier_id, moment = document.id, plan.cashier.id, document.device_time
        invoice_number = f"{register.code}-{document.number}"
        stock_before = {line.product_id: stock[line.product_id] for line in document.lines}
        sale_deltas: dict[uuid.UUID, int] = {}
        for line in document.lines:
            stock[line.product_id] -= line.quantity
            sale_deltas[line.product_id] = sale_deltas.get(line.product_id, 0) - line.quantity
            movements.add(
                id=new_id(),
                product_id=line.product_id,
                kind="sale",
                delta=-line.quantity,
                balance_after=stock[line.product_id],
                actor_id=cashier_id,
                reason="",
                reference_id=sale_id,
                occurred_at=moment,
            )
        for product_id, delta in sale_deltas.items():
            deltas[product_id] = deltas.get(product_id, 0) + delta
        sales.add(
            id=sale_id,
            register_id=register.id,
            shift_id=document.shift_id,
            number=document.number,
            invoice_number=invoice_number,
            cashier_id=cashier_id,
            customer_id=document.customer_id,
            device_id=device.id,
            status="completed",
            origin="offline",
            subtotal=priced.subtotal,
            discount_total=priced.discount_total,
            tax_total=priced.tax_total,
            total=priced.total,
            paid_total=plan.tenders.paid_total,
            change_total=plan.tenders.change_total,
            tax_mode=tax_mode,
            note=document.note,
            sold_at=moment,
        )
        for position, (line, priced_line) in enumerate(zip(document.lines, priced.lines, strict=True), start=1):
            product = locked[line.product_id]
            lines.add(
                id=new_id(),
                sale_id=sale_id,
                position=position,
                product_id=line.product_id,
                quantity=priced_line.quantity,
                unit_price=priced_line.unit_price,
                list_price=product.price,
                unit_cost=product.cost,
                discount=priced_line.discount + priced_line.sale_discount_share,
                tax_rate_bp=priced_line.tax_rate_bp,
                tax_amount=priced_line.tax_amount,
                total=priced_line.total,
            )
        for tender, payment in zip(plan.tenders.tenders, document.payments, strict=True):
            payments.add(
                id=new_id(),
                sale_id=sale_id,
                method=tender.method,
                amount=tender.amount,
                change=tender.change,
                reference=payment.reference,
            )
        audit.add(
            id=new_id(),
            actor_id=cashier_id,
            action="sale.created",
            entity="sale",
            entity_id=str(sale_id),
            before=None,
            after=msgspec.json.encode(
                {"invoice_number": invoice_number, "total": priced.total, "origin": "offline"}
            ).decode(),
            ip=ctx.ip,
        )
        _announce(ctx, document, register, plan, invoice_number, locked, stock_before, stock, sale_deltas)
        results.append(
            DocumentResult(
                id=document.id,
                seq=document.seq,
                kind="sale",
                status="applied",
                sale_id=sale_id,
                invoice_number=invoice_number,
                conflicts=[],
            )
        )

    product_ids = list(deltas)
    await ctx.session.execute(
        _APPLY_STOCK,
        {
            "organization_id": ctx.organization_id,
            "ids": product_ids,
            "deltas": [deltas[product_id] for product_id in product_ids],
        },
    )
    await ctx.session.execute(
        update(Register)
        .where(Register.organization_id == ctx.organization_id, Register.id == register.id)
        .values(last_number=func.greatest(Register.last_number, max(plan.document.number for plan in planned)))
    )
    for rows in (sales, lines, payments, movements, audit):
        await rows.insert(ctx)
    for plan in planned:
        if plan.document.customer_id is not None:
            await customers.record_purchase(
                ctx, customer_id=plan.document.customer_id, amount=plan.priced.total, at=plan.document.device_time
            )
    return results


def _announce(
    ctx: Context,
    document: SaleDocument,
    register: Register,
    plan: PlannedSale,
    invoice_number: str,
    locked: dict[uuid.UUID, inventory.LockedProduct],
    stock_before: dict[uuid.UUID, int],
    stock_after: dict[uuid.UUID, int],
    deltas: dict[uuid.UUID, int],
) -> None:
    """The events of one sale, as `inventory.apply_stock_changes` and `record_sale` publish them:
    `stock.changed`, `stock.low` for each product crossing down to its reorder point, then
    `sale.created`."""
    publish_after_commit(
        ctx,
        "stock",
        "stock.changed",
        {
            "products": [
                inventory.stock_change_data(locked[product_id], stock=stock_after[product_id], delta=delta, kind="sale")
                for product_id, delta in deltas.items()
            ]
        },
    )
    for product_id in deltas:
        product = locked[product_id]
        if stock_before[product_id] > product.reorder_point >= stock_after[product_id] and product.is_active:
            publish_after_commit(
                ctx,
                "alerts",
                "stock.low",
                {
                    "product_id": product_id,
                    "sku": product.sku,
                    "name": product.name,
                    "stock": stock_after[product_id],
                    "reorder_point": product.reorder_point,
                },
            )
    publish_after_commit(
        ctx,
        "sales",
        "sale.created",
        sales.sale_created_data(
            sale_id=document.id,
            invoice_number=invoice_number,
            register_id=register.id,
            register_code=register.code,
            cashier_id=plan.cashier.id,
            customer_id=document.customer_id,
            priced=plan.priced,
            products=[locked[line.product_id] for line in document.lines],
            origin="offline",
            sold_at=document.device_time,
        ),
    )
