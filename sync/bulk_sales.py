"""Set-based settlement of a run of plain offline sales (docs/sync.md, "The set-based path").

A device catching up pushes long runs of ordinary sales: the register's open shift, an active
cashier, catalog prices, active products, stock that stays at or above zero, an unused invoice
number, payments that cover the total. Settled one savepoint at a time, each costs about twenty
round trips. `settle_run` settles such a run with a fixed number of statements (one lookup of
each kind, one stock update, one register update and one multi-row insert per table). What it
writes for each sale is that sale's facts (`server.sales.sale_facts`), the same ones
`server.sales.sales.record_sale` writes for an offline sale: the same sales, lines, payments,
movements (with the same running `balance_after`), audit entries, customer statistics and
events, in the same order. tests/sync/test_bulk_sales.py compares both paths row by row and
event by event.

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

import dataclasses
import functools
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
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
from server.sales.models import Device, Payment, Register, Sale, SaleLine, Shift
from server.sales.pricing import PricingError
from server.sales.sale_facts import AUDIT_ACTION, Offline, SaleFacts, sale_facts
from server.sales.schemas import TaxMode
from server.users.models import User
from sync.schemas import DocumentResult, SaleDocument

logger = logging.getLogger("orbit.sync")

_dialect = postgresql.dialect()  # type: ignore[no-untyped-call]

_APPLY_STOCK = text(inventory.APPLY_STOCK)


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
    facts: SaleFacts


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
    planned, locked = await _plan(ctx, device, register, documents, cashiers, locked)
    if not planned:
        return RunSettlement()
    try:
        with ctx.staged() as staged:
            async with ctx.session.begin_nested():
                results = await _write(staged, planned, locked)
    except DBAPIError as error:
        if is_transient(error):
            raise
        logger.warning("set-based settlement of %d sales refused, settling them one by one: %s", len(planned), error)
        return RunSettlement(refused=len(planned))
    return RunSettlement(results=results)


async def _plan(
    ctx: Context,
    device: Device,
    register: Register,
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
        quantities: dict[uuid.UUID, int] = {}
        for line in document.lines:
            product = locked.get(line.product_id)
            if product is None or not product.is_active or line.unit_price not in (None, product.price):
                break
            quantities[product.id] = quantities.get(product.id, 0) + line.quantity
        else:
            if all(stock[product_id] >= quantity for product_id, quantity in quantities.items()):
                try:
                    facts = _facts(document, device, register, cashier, tenant.tax_mode, locked)
                except PricingError:
                    break
                for product_id, quantity in quantities.items():
                    stock[product_id] -= quantity
                used_numbers.add(document.number)
                planned.append(PlannedSale(document, facts))
                continue
        break
    return planned, locked


def _facts(
    document: SaleDocument,
    device: Device,
    register: Register,
    cashier: User,
    tax_mode: TaxMode,
    locked: dict[uuid.UUID, inventory.LockedProduct],
) -> SaleFacts:
    """The facts of a plain offline sale: in its own shift, under its own number and time."""
    return sale_facts(
        document,
        origin=Offline(
            device_id=device.id,
            sale_id=document.id,
            sold_at=document.device_time,
            number=document.number,
            shift_id=document.shift_id,
        ),
        sale_id=document.id,
        register_id=register.id,
        register_code=register.code,
        number=document.number,
        shift_id=document.shift_id,
        cashier_id=cashier.id,
        tax_mode=tax_mode,
        products=locked,
    )


class _Tables:
    """The rows of the run's sales, gathered per table."""

    def __init__(self) -> None:
        self.sales = Rows(
            Sale,
            "id", "register_id", "shift_id", "number", "invoice_number", "cashier_id", "customer_id", "device_id",
            "status", "origin", "subtotal", "discount_total", "tax_total", "total", "paid_total", "change_total",
            "tax_mode", "note", "sold_at",
        )  # fmt: skip
        self.lines = Rows(
            SaleLine,
            "id", "sale_id", "position", "product_id", "quantity", "unit_price", "list_price", "unit_cost",
            "discount", "tax_rate_bp", "tax_amount", "total",
        )  # fmt: skip
        self.payments = Rows(Payment, "id", "sale_id", "method", "amount", "change", "reference")
        self.movements = Rows(
            InventoryMovement,
            "id", "product_id", "kind", "delta", "balance_after", "actor_id", "reason", "reference_id",
            "occurred_at",
        )  # fmt: skip
        self.audit = Rows(AuditEntry, "id", "actor_id", "action", "entity", "entity_id", "before", "after", "ip")

    def add(self, facts: SaleFacts, sold_at: datetime, stock: dict[uuid.UUID, int], ip: str | None) -> None:
        """Add one sale's rows; `stock` is the running stock, moved on by its lines."""
        self.sales.add(**facts.sale_row(sold_at))
        for line, movement_id in zip(facts.lines, facts.movement_ids, strict=True):
            stock[line.product_id] -= line.quantity
            self.movements.add(
                id=movement_id,
                product_id=line.product_id,
                kind="sale",
                delta=-line.quantity,
                balance_after=stock[line.product_id],
                actor_id=facts.cashier_id,
                reason="",
                reference_id=facts.id,
                occurred_at=sold_at,
            )
            self.lines.add(sale_id=facts.id, **dataclasses.asdict(line))
        for payment in facts.payments:
            self.payments.add(sale_id=facts.id, **dataclasses.asdict(payment))
        self.audit.add(
            id=new_id(),
            actor_id=facts.cashier_id,
            action=AUDIT_ACTION,
            entity="sale",
            entity_id=str(facts.id),
            before=None,
            after=msgspec.json.encode(facts.audit_after).decode(),
            ip=ip,
        )

    async def insert(self, ctx: Context) -> None:
        for rows in (self.sales, self.lines, self.payments, self.movements, self.audit):
            await rows.insert(ctx)


async def _write(
    ctx: Context,
    planned: Sequence[PlannedSale],
    locked: dict[uuid.UUID, inventory.LockedProduct],
) -> list[DocumentResult]:
    """Write the planned sales' facts, one statement per table; queue their events on `ctx` as
    `record_sale` does: `stock.changed` (and `stock.low`) through `inventory.announce`, then
    `sale.created`."""
    tables = _Tables()
    stock = {product_id: product.stock for product_id, product in locked.items()}
    deltas: dict[uuid.UUID, int] = {}
    results: list[DocumentResult] = []
    for plan in planned:
        facts, sold_at = plan.facts, plan.document.device_time
        sale_deltas = facts.deltas
        before = {
            product_id: dataclasses.replace(locked[product_id], stock=stock[product_id]) for product_id in sale_deltas
        }
        tables.add(facts, sold_at, stock, ctx.ip)
        for product_id, delta in sale_deltas.items():
            deltas[product_id] = deltas.get(product_id, 0) + delta
        inventory.announce(
            ctx, before, {product_id: stock[product_id] for product_id in sale_deltas}, sale_deltas, "sale"
        )
        publish_after_commit(ctx, "sales", "sale.created", facts.created_event(sold_at))
        results.append(
            DocumentResult(
                id=facts.id,
                seq=plan.document.seq,
                kind="sale",
                status="applied",
                sale_id=facts.id,
                invoice_number=facts.invoice_number,
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
    register_id = planned[0].facts.register_id
    await ctx.session.execute(
        update(Register)
        .where(Register.organization_id == ctx.organization_id, Register.id == register_id)
        .values(last_number=func.greatest(Register.last_number, max(plan.facts.number for plan in planned)))
    )
    await tables.insert(ctx)
    for plan in planned:
        if plan.facts.customer_id is not None:
            await customers.record_purchase(
                ctx, customer_id=plan.facts.customer_id, amount=plan.facts.priced.total, at=plan.document.device_time
            )
    return results
