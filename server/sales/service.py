"""Registers, cash shifts, sales, refunds and voids (DESIGN §7).

Invariants:
- A sale is one transaction: the register's next series number is taken (its row stays locked,
  so one till rings one sale at a time) and its open shift share-locked (so it can't close under
  the sale); then, as late as possible so that a popular product's row is locked briefly, the
  products are locked in id order, stock is decremented with a conditional update, and the sale,
  its lines, payments, one movement per line and the audit row are written, all in one
  statement; the customer's stats are updated last; events go out only after commit.
- Online sales never oversell unless the tenant allows negative stock; the 409 names the products.
- Invoice numbers are `{register code}-{n}`, n consecutive per register.
- Σ refunded per sale line never exceeds what was sold; refund amounts are the line total
  pro rata, and refunding every unit refunds exactly the line total.
- A void reverses a whole sale, only in the same still-open shift, only by a manager or admin.
- A closed shift is immutable: no sale, refund, pay-in or pay-out joins it.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import func, insert, select, text, update

from server.audit import service as audit
from server.core import idempotency
from server.core.context import Context
from server.core.db import Statement, unique_or_conflict
from server.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from server.core.events import publish_after_commit
from server.core.ids import new_id
from server.core.pagination import Page, paginate
from server.core.schemas import encode_json
from server.customers import service as customers
from server.customers.models import Customer
from server.inventory import service as inventory
from server.sales.models import (
    Payment,
    Refund,
    RefundLine,
    Register,
    Sale,
    SaleLine,
    Shift,
    ShiftCashMovement,
    ShiftCount,
)
from server.sales.pricing import LineInput, PricedSale, PricingError, TenderInput, price_sale, settle
from server.sales.schemas import (
    CashMovementCreate,
    CashMovementRead,
    MethodTotals,
    NumberRange,
    PaymentRead,
    RefundCreate,
    RefundLineRead,
    RefundRead,
    RegisterCreate,
    RegisterRead,
    RegisterUpdate,
    SaleCreate,
    SaleLineRead,
    SaleQuery,
    SaleRead,
    SaleSummary,
    SeriesReport,
    ShiftClose,
    ShiftOpen,
    ShiftQuery,
    ShiftRead,
    ShiftReport,
    VoidCreate,
)

PAYMENT_METHODS = ("cash", "card", "transfer", "other")
PRICE_SETTERS = ("admin", "manager")


def _invalid(location: Sequence[str | int], message: str, code: str | None = None) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(loc=["body", *location], msg=message)], code=code)


def _missing(location: Sequence[str | int], message: str, code: str | None = None) -> NotFound:
    """A referenced id that does not exist for this tenant: 404, like an id in the path."""
    return NotFound(message, errors=[FieldError(loc=["body", *location], msg=message)], code=code)


# Registers


async def _open_shift_ids(ctx: Context, register_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    rows = await ctx.session.execute(
        select(Shift.register_id, Shift.id).where(
            Shift.organization_id == ctx.organization_id, Shift.register_id.in_(register_ids), Shift.status == "open"
        )
    )
    return {register_id: shift_id for register_id, shift_id in rows}


def register_read(register: Register, open_shift_id: uuid.UUID | None) -> RegisterRead:
    return RegisterRead(
        id=register.id,
        code=register.code,
        name=register.name,
        last_number=register.last_number,
        is_active=register.is_active,
        open_shift_id=open_shift_id,
    )


async def get_register(ctx: Context, register_id: uuid.UUID) -> Register:
    register = await ctx.session.get(Register, (ctx.organization_id, register_id))
    if register is None:
        raise NotFound("no such register")
    return register


async def list_registers(ctx: Context) -> list[RegisterRead]:
    registers = list(
        await ctx.session.scalars(
            select(Register).where(Register.organization_id == ctx.organization_id).order_by(Register.code)
        )
    )
    open_shifts = await _open_shift_ids(ctx, [register.id for register in registers])
    return [register_read(register, open_shifts.get(register.id)) for register in registers]


async def read_register(ctx: Context, register_id: uuid.UUID) -> RegisterRead:
    register = await get_register(ctx, register_id)
    return register_read(register, (await _open_shift_ids(ctx, [register.id])).get(register.id))


async def create_register(ctx: Context, data: RegisterCreate) -> RegisterRead:
    now = datetime.now(UTC)
    register = Register(
        organization_id=ctx.organization_id,
        id=new_id(),
        code=data.code,
        name=data.name.strip(),
        last_number=0,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    taken = Conflict(
        "another register has this code",
        code="code_taken",
        errors=[FieldError(loc=["body", "code"], msg="already used")],
    )
    async with unique_or_conflict(ctx.session, {"uq_registers_code": taken}):
        ctx.session.add(register)
    await audit.record(
        ctx,
        action="register.created",
        entity="register",
        entity_id=register.id,
        after={"code": register.code, "name": register.name},
    )
    return register_read(register, None)


async def update_register(ctx: Context, register_id: uuid.UUID, data: RegisterUpdate) -> RegisterRead:
    register = await get_register(ctx, register_id)
    before = {"name": register.name, "is_active": register.is_active}
    if data.name is not msgspec.UNSET:
        register.name = data.name.strip()
    if data.is_active is not msgspec.UNSET:
        register.is_active = data.is_active
    register.updated_at = datetime.now(UTC)
    await ctx.session.flush()
    await audit.record(
        ctx,
        action="register.updated",
        entity="register",
        entity_id=register.id,
        before=before,
        after={"name": register.name, "is_active": register.is_active},
    )
    return await read_register(ctx, register_id)


async def series_report(ctx: Context, register_id: uuid.UUID) -> SeriesReport:
    """Gaps and duplicates in a register's invoice numbers, computed in SQL."""
    register = await get_register(ctx, register_id)
    params = {"organization_id": ctx.organization_id, "register_id": register_id}
    gaps = await ctx.session.execute(
        text(
            "select number + 1 as first, next - 1 as last from ("
            " select number, lead(number) over (order by number) as next from ("
            "  select 0 as number union all select number from sales"
            "  where organization_id = :organization_id and register_id = :register_id) numbers) steps "
            "where next > number + 1 order by number"
        ),
        params,
    )
    duplicates = await ctx.session.scalars(
        text(
            "select number from sales where organization_id = :organization_id and register_id = :register_id "
            "group by number having count(*) > 1 order by number"
        ),
        params,
    )
    issued = (
        await ctx.session.scalar(
            select(func.count())
            .select_from(Sale)
            .where(Sale.organization_id == ctx.organization_id, Sale.register_id == register_id)
        )
        or 0
    )
    ranges = [NumberRange(first=row.first, last=row.last) for row in gaps]
    if register.last_number > 0:
        highest = (
            await ctx.session.scalar(
                select(func.max(Sale.number)).where(
                    Sale.organization_id == ctx.organization_id, Sale.register_id == register_id
                )
            )
            or 0
        )
        if highest < register.last_number:
            ranges.append(NumberRange(first=highest + 1, last=register.last_number))
    return SeriesReport(
        register_id=register.id,
        code=register.code,
        last_number=register.last_number,
        issued=issued,
        gaps=ranges,
        duplicates=list(duplicates),
    )


# Shifts


def shift_read(shift: Shift) -> ShiftRead:
    return ShiftRead(
        id=shift.id,
        register_id=shift.register_id,
        status=shift.status,  # type: ignore[arg-type]
        opening_float=shift.opening_float,
        opened_by=shift.opened_by,
        opened_at=shift.opened_at,
        closed_by=shift.closed_by,
        closed_at=shift.closed_at,
        note=shift.note,
    )


async def get_shift(ctx: Context, shift_id: uuid.UUID, *, for_update: bool = False) -> Shift:
    shift = await ctx.session.get(Shift, (ctx.organization_id, shift_id), with_for_update=for_update)
    if shift is None:
        raise NotFound("no such shift")
    return shift


async def open_shift_of(ctx: Context, register_id: uuid.UUID, *, lock: str = "share") -> Shift:
    """The register's open shift, locked (`share` for sales and refunds, `update` for closing)."""
    statement = select(Shift).where(
        Shift.organization_id == ctx.organization_id, Shift.register_id == register_id, Shift.status == "open"
    )
    statement = statement.with_for_update(read=lock == "share")
    shift = await ctx.session.scalar(statement)
    if shift is None:
        raise Conflict("the register has no open shift; open one first", code="no_open_shift")
    return shift


async def open_shift(
    ctx: Context, data: ShiftOpen, *, opened_at: datetime | None = None, shift_id: uuid.UUID | None = None
) -> ShiftRead:
    register = await ctx.session.get(Register, (ctx.organization_id, data.register_id), with_for_update=True)
    if register is None:
        raise _missing(["register_id"], "no such register")
    if not register.is_active:
        raise _invalid(["register_id"], "the register is inactive")
    assert ctx.actor is not None
    shift = Shift(
        organization_id=ctx.organization_id,
        id=shift_id or new_id(),
        register_id=register.id,
        status="open",
        opening_float=data.opening_float,
        opened_by=ctx.actor.user_id,
        opened_at=opened_at or datetime.now(UTC),
        note="",
    )
    already_open = Conflict("the register already has an open shift", code="shift_already_open")
    async with unique_or_conflict(ctx.session, {"uq_shifts_open_per_register": already_open}):
        ctx.session.add(shift)
    await audit.record(
        ctx,
        action="shift.opened",
        entity="shift",
        entity_id=shift.id,
        after={"register": register.code, "opening_float": shift.opening_float},
    )
    publish_after_commit(
        ctx,
        "registers",
        "shift.opened",
        {"shift_id": shift.id, "register_id": register.id, "register_code": register.code},
    )
    return shift_read(shift)


async def add_cash_movement(
    ctx: Context,
    shift_id: uuid.UUID,
    data: CashMovementCreate,
    *,
    at: datetime | None = None,
    movement_id: uuid.UUID | None = None,
) -> CashMovementRead:
    shift = await get_shift(ctx, shift_id, for_update=True)
    if shift.status != "open":
        raise Conflict("the shift is closed", code="shift_closed")
    assert ctx.actor is not None
    movement = ShiftCashMovement(
        organization_id=ctx.organization_id,
        id=movement_id or new_id(),
        shift_id=shift.id,
        kind=data.kind,
        amount=data.amount if data.kind == "pay_in" else -data.amount,
        reason=data.reason,
        actor_id=ctx.actor.user_id,
        at=at or datetime.now(UTC),
    )
    ctx.session.add(movement)
    await ctx.session.flush()
    await audit.record(
        ctx,
        action=f"shift.{data.kind}",
        entity="shift",
        entity_id=shift.id,
        after={"amount": data.amount, "reason": data.reason},
    )
    return _cash_movement_read(movement)


def _cash_movement_read(movement: ShiftCashMovement) -> CashMovementRead:
    return CashMovementRead(
        id=movement.id,
        kind=movement.kind,  # type: ignore[arg-type]
        amount=abs(movement.amount),  # type: ignore[arg-type]
        reason=movement.reason,
        actor_id=movement.actor_id,
        at=movement.at,
    )


@dataclass
class _ShiftFigures:
    sales_count: int
    voided_count: int
    refunds_count: int
    first_invoice: str | None
    last_invoice: str | None
    gross_sales: int
    discounts: int
    taxes: int
    net_sales: int
    refunds_total: int
    pay_ins: int
    pay_outs: int
    by_method_sales: dict[str, int]
    by_method_refunds: dict[str, int]
    movements: list[ShiftCashMovement]

    def expected(self, shift: Shift) -> dict[str, int]:
        expected = {
            method: self.by_method_sales.get(method, 0) - self.by_method_refunds.get(method, 0)
            for method in PAYMENT_METHODS
        }
        expected["cash"] += shift.opening_float + self.pay_ins - self.pay_outs
        return expected


async def _shift_figures(ctx: Context, shift: Shift) -> _ShiftFigures:
    params = {"organization_id": ctx.organization_id, "shift_id": shift.id}
    totals = (
        await ctx.session.execute(
            text(
                "select count(*) filter (where status = 'completed') as sales_count, "
                "count(*) filter (where status = 'voided') as voided_count, "
                "min(invoice_number) filter (where number = (select min(number) from sales s2 "
                "  where s2.organization_id = :organization_id and s2.shift_id = :shift_id)) as first_invoice, "
                "min(invoice_number) filter (where number = (select max(number) from sales s3 "
                "  where s3.organization_id = :organization_id and s3.shift_id = :shift_id)) as last_invoice, "
                "coalesce(sum(subtotal) filter (where status = 'completed'), 0)::bigint as gross_sales, "
                "coalesce(sum(discount_total) filter (where status = 'completed'), 0)::bigint as discounts, "
                "coalesce(sum(tax_total) filter (where status = 'completed'), 0)::bigint as taxes, "
                "coalesce(sum(total) filter (where status = 'completed'), 0)::bigint as net_sales "
                "from sales where organization_id = :organization_id and shift_id = :shift_id"
            ),
            params,
        )
    ).one()
    by_method_sales = {
        method: amount
        for method, amount in (
            await ctx.session.execute(
                text(
                    "select p.method, sum(p.amount - p.change)::bigint from payments p join sales s "
                    "on s.organization_id = p.organization_id and s.id = p.sale_id "
                    "where s.organization_id = :organization_id and s.shift_id = :shift_id and s.status = 'completed' "
                    "group by p.method"
                ),
                params,
            )
        )
    }
    refunds = (
        await ctx.session.execute(
            text(
                "select method, count(*), sum(total)::bigint from refunds where organization_id = :organization_id "
                "and shift_id = :shift_id and kind = 'refund' group by method"
            ),
            params,
        )
    ).all()
    movements = list(
        await ctx.session.scalars(
            select(ShiftCashMovement)
            .where(ShiftCashMovement.organization_id == ctx.organization_id, ShiftCashMovement.shift_id == shift.id)
            .order_by(ShiftCashMovement.at)
        )
    )
    return _ShiftFigures(
        sales_count=totals.sales_count,
        voided_count=totals.voided_count,
        refunds_count=sum(row[1] for row in refunds),
        first_invoice=totals.first_invoice,
        last_invoice=totals.last_invoice,
        gross_sales=totals.gross_sales,
        discounts=totals.discounts,
        taxes=totals.taxes,
        net_sales=totals.net_sales,
        refunds_total=sum(row[2] for row in refunds),
        pay_ins=sum(m.amount for m in movements if m.kind == "pay_in"),
        pay_outs=-sum(m.amount for m in movements if m.kind == "pay_out"),
        by_method_sales={method: int(amount) for method, amount in by_method_sales.items()},
        by_method_refunds={row[0]: int(row[2]) for row in refunds},
        movements=movements,
    )


async def close_shift(
    ctx: Context, shift_id: uuid.UUID, data: ShiftClose, *, closed_at: datetime | None = None
) -> ShiftReport:
    """Close with the counted amount per method; the difference against expected is recorded.
    Methods not counted are taken as counted equal to expected (card and transfer are usually
    reconciled by the bank, not counted)."""
    shift = await get_shift(ctx, shift_id, for_update=True)
    if shift.status != "open":
        raise Conflict("the shift is already closed", code="shift_closed")
    methods = [count.method for count in data.counts]
    if len(set(methods)) != len(methods):
        raise _invalid(["counts"], "a payment method is counted twice")
    figures = await _shift_figures(ctx, shift)
    expected = figures.expected(shift)
    counted: dict[str, int] = {count.method: count.counted for count in data.counts}
    assert ctx.actor is not None
    shift.status, shift.closed_by, shift.closed_at = "closed", ctx.actor.user_id, closed_at or datetime.now(UTC)
    shift.note = data.note
    await ctx.session.execute(
        insert(ShiftCount),
        [
            {
                "organization_id": ctx.organization_id,
                "shift_id": shift.id,
                "method": method,
                "expected": expected[method],
                "counted": counted.get(method, expected[method]),
                "difference": counted.get(method, expected[method]) - expected[method],
            }
            for method in PAYMENT_METHODS
        ],
    )
    await ctx.session.flush()
    register = await get_register(ctx, shift.register_id)
    differences = {method: counted[method] - expected[method] for method in counted}
    await audit.record(
        ctx,
        action="shift.closed",
        entity="shift",
        entity_id=shift.id,
        after={"expected": expected, "counted": counted, "differences": differences},
    )
    publish_after_commit(
        ctx,
        "registers",
        "shift.closed",
        {
            "shift_id": shift.id,
            "register_id": shift.register_id,
            "register_code": register.code,
            "differences": differences,
        },
    )
    return await shift_report(ctx, shift.id)


async def shift_report(ctx: Context, shift_id: uuid.UUID) -> ShiftReport:
    shift = await get_shift(ctx, shift_id)
    register = await get_register(ctx, shift.register_id)
    figures = await _shift_figures(ctx, shift)
    expected = figures.expected(shift)
    counts = {
        count.method: count
        for count in await ctx.session.scalars(
            select(ShiftCount).where(ShiftCount.organization_id == ctx.organization_id, ShiftCount.shift_id == shift.id)
        )
    }
    if counts:
        expected = {method: counts[method].expected for method in PAYMENT_METHODS}
    methods = [
        MethodTotals(
            method=method,  # type: ignore[arg-type]
            sales=figures.by_method_sales.get(method, 0),  # type: ignore[arg-type]
            refunds=figures.by_method_refunds.get(method, 0),
            expected=expected[method],
            counted=counts[method].counted if counts else None,
            difference=counts[method].difference if counts else None,
        )
        for method in PAYMENT_METHODS
    ]
    return ShiftReport(
        shift=shift_read(shift),
        register_code=register.code,
        sales_count=figures.sales_count,
        voided_count=figures.voided_count,
        refunds_count=figures.refunds_count,
        first_invoice=figures.first_invoice,
        last_invoice=figures.last_invoice,
        gross_sales=figures.gross_sales,
        discounts=figures.discounts,
        taxes=figures.taxes,
        net_sales=figures.net_sales,
        refunds_total=figures.refunds_total,
        pay_ins=figures.pay_ins,
        pay_outs=figures.pay_outs,
        methods=methods,
        cash_movements=[_cash_movement_read(movement) for movement in figures.movements],
    )


async def list_shifts(ctx: Context, query: ShiftQuery) -> Page[ShiftRead]:
    statement = select(Shift).where(Shift.organization_id == ctx.organization_id)
    if query.register_id is not None:
        statement = statement.where(Shift.register_id == query.register_id)
    if query.status is not None:
        statement = statement.where(Shift.status == query.status)
    statement = statement.order_by(Shift.opened_at.desc(), Shift.id.desc())
    return await paginate(ctx.session, statement, query, shift_read)


async def read_shift(ctx: Context, shift_id: uuid.UUID) -> ShiftRead:
    return shift_read(await get_shift(ctx, shift_id))


# Sales


@dataclass(frozen=True)
class RecordedSale:
    sale_id: uuid.UUID
    invoice_number: str
    total: int
    read: SaleRead | None = dataclasses.field(default=None, compare=False, repr=False)
    """The sale as `read_sale` would answer it right after the write (refunded nothing yet)."""


_OPEN_SALE = Statement(
    "with register as ("
    " update registers set updated_at = now(), last_number = case when cast(:number as bigint) is null"
    "  then last_number + 1 else greatest(last_number, cast(:number as bigint)) end"
    " where organization_id = :organization_id and id = :register_id"
    " returning id, code, is_active, coalesce(cast(:number as bigint), last_number) as number),"
    " shift as materialized (select id from shifts where organization_id = :organization_id"
    "  and register_id = :register_id and status = 'open' and cast(:find_shift as boolean) for share),"
    " plans as materialized (select current_setting('plan_cache_mode') as previous,"
    "  set_config('plan_cache_mode', 'force_generic_plan', true)) "
    "select r.code, r.is_active, r.number, (select id from shift) as shift_id,"
    " (select previous from plans) as plan_cache_mode,"
    " p.id, p.sku, p.name, p.stock, p.reorder_point, p.price, p.cost, p.tax_rate_bp, p.is_active as product_active "
    "from register r left join products p"
    " on p.organization_id = :organization_id and p.id = any(cast(:product_ids as uuid[]))"
)
"""The sale's first statement: the register's series number taken (the register row stays locked
to the end: one till rings one sale at a time), its open shift share-locked so that it can't
close under the sale, and the products read, unlocked, for their prices and flags. No row: no
such register.

It also switches the transaction to generic plans until `_WRITE_SALE` has started, which puts
the setting back: PostgreSQL would otherwise re-plan that ten-part statement for every sale
(its custom plans look cheaper than a generic one, as they see three-element arrays), which
costs about as much as running it."""

_WRITE_SALE = Statement(
    "with locked as materialized ("
    " select id, stock from products where organization_id = :organization_id"
    " and id = any(cast(:product_ids as uuid[])) order by id for update),"
    " wanted as (select * from unnest(cast(:product_ids as uuid[]), cast(:deltas as bigint[])) as w(id, delta)),"
    " refused as (select w.id from wanted w left join locked l on l.id = w.id"
    "  where l.id is null or (not cast(:allow_negative as boolean) and l.stock + w.delta < 0)),"
    " changed as (update products p set stock = p.stock + w.delta, updated_at = now() from wanted w"
    "  where p.organization_id = :organization_id and p.id = w.id and not exists (select from refused)"
    "  returning p.id, p.stock),"
    " moment as (select coalesce(cast(:sold_at as timestamptz), clock_timestamp()) as at"
    "  where exists (select from changed)),"
    " sale as (insert into sales (organization_id, id, register_id, shift_id, number, invoice_number, cashier_id,"
    "  customer_id, device_id, status, origin, subtotal, discount_total, tax_total, total, paid_total, change_total,"
    "  tax_mode, note, sold_at)"
    "  select :organization_id, :sale_id, :register_id, :shift_id, :number, :invoice_number, :cashier_id,"
    "  :customer_id, :device_id, 'completed', :origin, :subtotal, :discount_total, :tax_total, :total, :paid_total,"
    "  :change_total, :tax_mode, :note, m.at from moment m),"
    " sale_lines as (insert into sale_lines (organization_id, id, sale_id, position, product_id, quantity,"
    "  unit_price, list_price, unit_cost, discount, tax_rate_bp, tax_amount, total)"
    "  select :organization_id, l.id, :sale_id, l.position, l.product_id, l.quantity, l.unit_price, l.list_price,"
    "  l.unit_cost, l.discount, l.tax_rate_bp, l.tax_amount, l.total"
    "  from unnest(cast(:line_ids as uuid[]), cast(:line_product_ids as uuid[]), cast(:line_quantities as bigint[]),"
    "  cast(:line_unit_prices as bigint[]), cast(:line_list_prices as bigint[]), cast(:line_unit_costs as bigint[]),"
    "  cast(:line_discounts as bigint[]), cast(:line_tax_rates as integer[]), cast(:line_tax_amounts as bigint[]),"
    "  cast(:line_totals as bigint[])) with ordinality as l(id, product_id, quantity, unit_price, list_price,"
    "  unit_cost, discount, tax_rate_bp, tax_amount, total, position), moment),"
    " movements as (insert into inventory_movements (organization_id, id, product_id, kind, delta, balance_after,"
    "  actor_id, reason, reference_id, occurred_at)"
    "  select :organization_id, m.id, m.product_id, 'sale', m.delta,"
    "  l.stock + sum(m.delta) over (partition by m.product_id order by m.position), :cashier_id, '', :sale_id, t.at"
    "  from unnest(cast(:movement_ids as uuid[]), cast(:line_product_ids as uuid[]),"
    "  cast(:movement_deltas as bigint[])) with ordinality as m(id, product_id, delta, position)"
    "  join locked l on l.id = m.product_id cross join moment t),"
    " payments as (insert into payments (organization_id, id, sale_id, method, amount, change, reference)"
    "  select :organization_id, p.id, :sale_id, p.method, p.amount, p.change, p.reference"
    "  from unnest(cast(:payment_ids as uuid[]), cast(:payment_methods as text[]),"
    "  cast(:payment_amounts as bigint[]), cast(:payment_changes as bigint[]),"
    "  cast(:payment_references as text[])) as p(id, method, amount, change, reference), moment),"
    f" audit as ({audit.AUDIT_INSERT} from moment),"
    f" idempotency as ({idempotency.response_insert('sold_at')}) "
    "select l.id, l.stock, c.stock as stock_after, (select at from moment) as sold_at,"
    " exists (select from idempotency) as response_stored,"
    " set_config('plan_cache_mode', :plan_cache_mode, true)"
    " from locked l left join changed c on c.id = l.id"
)
"""The sale's write, in one statement, holding the product locks for the shortest time (this
statement, the idempotency row, the commit): lock the products in id order; refuse (write
nothing) if one is missing or would go below zero when that is not allowed; otherwise decrement
them, and insert the sale, its lines, payments, one movement per line (with the balance right
after it), the audit row and, for a request holding an idempotency key, its 201 answer, at the
time of the sale (the time the locks were granted, for an online sale). One row per locked
product: its stock when locked, and after (null: refused), and whether the answer was stored."""


async def _record(
    ctx: Context,
    data: SaleCreate,
    *,
    origin: str,
    sold_at: datetime | None,
    number: int | None,
    device_id: uuid.UUID | None,
    allow_negative: bool | None,
    shift_id: uuid.UUID | None,
    sale_id: uuid.UUID | None,
    claim: idempotency.Claim | None,
) -> RecordedSale:
    assert ctx.tenant is not None and ctx.actor is not None
    online = origin == "online"
    if ctx.session.new or ctx.session.dirty or ctx.session.deleted:
        await ctx.session.flush()  # the statements below bypass the unit of work
    product_ids = sorted({line.product_id for line in data.lines})
    rows = await _OPEN_SALE.fetch(
        ctx.session,
        {
            "organization_id": ctx.organization_id,
            "register_id": data.register_id,
            "number": number,
            "find_shift": shift_id is None and online,
            "product_ids": product_ids,
        },
    )
    if not rows:
        raise _missing(["register_id"], "no such register")
    register_code, register_active, number, open_shift_id, plan_cache_mode = rows[0][:5]
    if not register_active and online:
        raise _invalid(["register_id"], "the register is inactive")
    if shift_id is None and online:
        if open_shift_id is None:
            raise Conflict("the register has no open shift; open one first", code="no_open_shift")
        shift_id = open_shift_id
    products = {row[5]: inventory.LockedProduct(*row[5:]) for row in rows if row[5] is not None}

    line_inputs: list[LineInput] = []
    for index, line in enumerate(data.lines):
        product = products.get(line.product_id)
        if product is None:
            raise _missing(["lines", index, "product_id"], "no such product", code="unknown_product")
        if not product.is_active and online:
            raise _invalid(["lines", index, "product_id"], f"{product.name} is inactive", code="inactive_product")
        unit_price = product.price if line.unit_price is None else line.unit_price
        if unit_price != product.price and ctx.actor.role not in PRICE_SETTERS and online:
            raise Forbidden("only managers may change a price at the till", code="price_override_forbidden")
        line_inputs.append(
            LineInput(
                quantity=line.quantity, unit_price=unit_price, tax_rate_bp=product.tax_rate_bp, discount=line.discount
            )
        )
    try:
        priced = price_sale(line_inputs, sale_discount=data.discount, tax_mode=ctx.tenant.tax_mode)
        settlement = settle(priced.total, [TenderInput(p.method, p.amount) for p in data.payments])
    except PricingError as exc:
        raise _invalid(exc.field, str(exc), code="invalid_amounts") from exc
    if data.customer_id is not None:
        customer = await ctx.session.get(Customer, (ctx.organization_id, data.customer_id))
        if customer is None or (not customer.is_active and online):
            raise _missing(["customer_id"], "no such customer")

    sale_id = sale_id or new_id()
    invoice_number = f"{register_code}-{number}"
    totals: dict[uuid.UUID, int] = dict.fromkeys(product_ids, 0)
    for line in data.lines:
        totals[line.product_id] -= line.quantity
    lines = [
        SaleLineRead(
            id=new_id(),
            position=position,
            product_id=line.product_id,
            quantity=priced_line.quantity,
            unit_price=priced_line.unit_price,
            list_price=products[line.product_id].price,
            discount=priced_line.discount + priced_line.sale_discount_share,
            tax_rate_bp=priced_line.tax_rate_bp,
            tax_amount=priced_line.tax_amount,
            total=priced_line.total,
            refunded_quantity=0,
        )
        for position, (line, priced_line) in enumerate(zip(data.lines, priced.lines, strict=True), start=1)
    ]
    payments = [
        PaymentRead(
            id=new_id(),
            method=tender.method,  # type: ignore[arg-type]
            amount=tender.amount,
            change=tender.change,
            reference=payment.reference,
        )
        for tender, payment in zip(settlement.tenders, data.payments, strict=True)
    ]
    read = SaleRead(
        id=sale_id,
        invoice_number=invoice_number,
        number=number,
        register_id=data.register_id,
        shift_id=shift_id,
        cashier_id=ctx.actor.user_id,
        customer_id=data.customer_id,
        status="completed",
        origin=origin,  # type: ignore[arg-type]
        tax_mode=ctx.tenant.tax_mode,  # type: ignore[arg-type]
        subtotal=priced.subtotal,
        discount_total=priced.discount_total,
        tax_total=priced.tax_total,
        total=priced.total,
        paid_total=settlement.paid_total,
        change_total=settlement.change_total,
        refunded_total=0,
        note=data.note,
        sold_at=idempotency.MOMENT_PLACEHOLDER,  # the statement knows the moment
        lines=lines,
        payments=sorted(payments, key=lambda payment: payment.id),
    )
    written = await _WRITE_SALE.fetch(
        ctx.session,
        {
            "organization_id": ctx.organization_id,
            "product_ids": product_ids,
            "deltas": [totals[product_id] for product_id in product_ids],
            "allow_negative": ctx.tenant.allow_negative_stock if allow_negative is None else allow_negative,
            "plan_cache_mode": plan_cache_mode,
            "sold_at": sold_at,
            "sale_id": sale_id,
            "register_id": data.register_id,
            "shift_id": shift_id,
            "number": number,
            "invoice_number": invoice_number,
            "cashier_id": ctx.actor.user_id,
            "customer_id": data.customer_id,
            "device_id": device_id,
            "origin": origin,
            "subtotal": priced.subtotal,
            "discount_total": priced.discount_total,
            "tax_total": priced.tax_total,
            "total": priced.total,
            "paid_total": settlement.paid_total,
            "change_total": settlement.change_total,
            "tax_mode": ctx.tenant.tax_mode,
            "note": data.note,
            "line_ids": [line.id for line in lines],
            "line_product_ids": [line.product_id for line in lines],
            "line_quantities": [line.quantity for line in lines],
            "line_unit_prices": [line.unit_price for line in lines],
            "line_list_prices": [line.list_price for line in lines],
            "line_unit_costs": [products[line.product_id].cost for line in lines],
            "line_discounts": [line.discount for line in lines],
            "line_tax_rates": [line.tax_rate_bp for line in lines],
            "line_tax_amounts": [line.tax_amount for line in lines],
            "line_totals": [line.total for line in lines],
            "movement_ids": [new_id() for _ in lines],
            "movement_deltas": [-line.quantity for line in lines],
            "payment_ids": [payment.id for payment in payments],
            "payment_methods": [payment.method for payment in payments],
            "payment_amounts": [payment.amount for payment in payments],
            "payment_changes": [payment.change for payment in payments],
            "payment_references": [payment.reference for payment in payments],
            **audit.entry_values(
                ctx,
                action="sale.created",
                entity="sale",
                entity_id=sale_id,
                after={"invoice_number": invoice_number, "total": priced.total, "origin": origin},
            ),
            **idempotency.response_values(claim, ctx.actor.user_id, encode_json(read) if claim else b""),
        },
    )
    stock_before = {row[0]: row[1] for row in written}
    stock_after = {row[0]: row[2] for row in written if row[2] is not None}
    if len(stock_after) != len(product_ids):
        missing = [product_id for product_id in product_ids if product_id not in stock_before]
        if missing:  # deleted since it was read
            raise NotFound(
                "unknown product", errors=[FieldError(loc=["product", str(pid)], msg="not found") for pid in missing]
            )
        short = [
            dataclasses.replace(products[product_id], stock=stock_before[product_id])
            for product_id in product_ids
            if product_id not in stock_after
        ]
        raise inventory.insufficient_stock(short, {pid: -delta for pid, delta in totals.items()})
    moment: datetime = written[0][3]
    if claim is not None:
        if not written[0][4]:
            raise idempotency.in_flight()
        claim.stored = True
    inventory.announce(
        ctx,
        {pid: dataclasses.replace(products[pid], stock=stock_before[pid]) for pid in product_ids},
        stock_after,
        totals,
        "sale",
    )
    if data.customer_id is not None:
        await customers.record_purchase(ctx, customer_id=data.customer_id, amount=priced.total, at=moment)
    publish_after_commit(
        ctx,
        "sales",
        "sale.created",
        sale_created_data(
            sale_id=sale_id,
            invoice_number=invoice_number,
            register_id=data.register_id,
            register_code=register_code,
            cashier_id=ctx.actor.user_id,
            customer_id=data.customer_id,
            priced=priced,
            products=[products[line.product_id] for line in data.lines],
            origin=origin,
            sold_at=moment,
        ),
    )
    return RecordedSale(
        sale_id=sale_id,
        invoice_number=invoice_number,
        total=priced.total,
        read=msgspec.structs.replace(read, sold_at=moment),
    )


def sale_created_data(
    *,
    sale_id: uuid.UUID,
    invoice_number: str,
    register_id: uuid.UUID,
    register_code: str,
    cashier_id: uuid.UUID,
    customer_id: uuid.UUID | None,
    priced: PricedSale,
    products: Sequence[inventory.LockedProduct],
    origin: str,
    sold_at: datetime,
) -> dict[str, Any]:
    """The data of `sale.created`, the same for every way a sale is recorded: enough for a
    dashboard to add the sale to its figures without reading it back (docs/realtime.md).
    `products` are the lines' products, in line order."""
    return {
        "sale_id": sale_id,
        "invoice_number": invoice_number,
        "register_id": register_id,
        "register_code": register_code,
        "cashier_id": cashier_id,
        "customer_id": customer_id,
        "total": priced.total,
        "items": sum(line.quantity for line in priced.lines),
        "origin": origin,
        "sold_at": sold_at,
        "lines": [
            {"product_id": product.id, "name": product.name, "quantity": line.quantity, "total": line.total}
            for product, line in zip(products, priced.lines, strict=True)
        ],
    }


async def record_sale(
    ctx: Context,
    data: SaleCreate,
    *,
    origin: str = "online",
    sold_at: datetime | None = None,
    number: int | None = None,
    device_id: uuid.UUID | None = None,
    allow_negative: bool | None = None,
    shift: Shift | None = None,
    sale_id: uuid.UUID | None = None,
    claim: idempotency.Claim | None = None,
) -> RecordedSale:
    """Write a sale and everything that goes with it (see the module's invariants) in two
    statements: `_OPEN_SALE` (register, number, shift, products), the rules checked in Python,
    then `_WRITE_SALE`. Any 4xx leaves the transaction to be rolled back; `_WRITE_SALE` itself
    writes nothing when it refuses.

    `allow_negative` defaults to the tenant's setting; offline sales pass True because they are
    facts that already happened. `number` is the series number a device already printed; online
    sales take the register's next one. An online sale's time is when its products were locked.
    With `claim` (the request's idempotency key), `_WRITE_SALE` also stores the sale's answer
    under the key, and the claim is marked stored (409 if a duplicate stored one first).
    """
    return await _record(
        ctx,
        data,
        origin=origin,
        sold_at=sold_at,
        number=number,
        device_id=device_id,
        allow_negative=allow_negative,
        shift_id=shift.id if shift is not None else None,
        sale_id=sale_id,
        claim=claim,
    )


async def create_sale(ctx: Context, data: SaleCreate) -> SaleRead:
    """Ring up an online sale; the answer is built from what was written, not read back, and
    stored under the request's idempotency key by the sale's own write statement."""
    recorded = await record_sale(ctx, data, claim=ctx.claim)
    assert recorded.read is not None
    return recorded.read


async def get_sale(ctx: Context, sale_id: uuid.UUID, *, for_update: bool = False) -> Sale:
    sale = await ctx.session.get(Sale, (ctx.organization_id, sale_id), with_for_update=for_update)
    if sale is None:
        raise NotFound("no such sale")
    return sale


async def _refunded_quantities(ctx: Context, sale_id: uuid.UUID) -> dict[uuid.UUID, int]:
    rows = await ctx.session.execute(
        select(RefundLine.sale_line_id, func.sum(RefundLine.quantity))
        .join(Refund, (Refund.organization_id == RefundLine.organization_id) & (Refund.id == RefundLine.refund_id))
        .where(Refund.organization_id == ctx.organization_id, Refund.sale_id == sale_id)
        .group_by(RefundLine.sale_line_id)
    )
    return {line_id: int(quantity) for line_id, quantity in rows}


async def read_sale(ctx: Context, sale_id: uuid.UUID) -> SaleRead:
    sale = await get_sale(ctx, sale_id)
    lines = list(
        await ctx.session.scalars(
            select(SaleLine)
            .where(SaleLine.organization_id == ctx.organization_id, SaleLine.sale_id == sale.id)
            .order_by(SaleLine.position)
        )
    )
    payments = list(
        await ctx.session.scalars(
            select(Payment)
            .where(Payment.organization_id == ctx.organization_id, Payment.sale_id == sale.id)
            .order_by(Payment.id)
        )
    )
    refunded = await _refunded_quantities(ctx, sale.id)
    refunded_total = (
        await ctx.session.scalar(
            select(func.coalesce(func.sum(Refund.total), 0)).where(
                Refund.organization_id == ctx.organization_id, Refund.sale_id == sale.id
            )
        )
        or 0
    )
    return SaleRead(
        id=sale.id,
        invoice_number=sale.invoice_number,
        number=sale.number,
        register_id=sale.register_id,
        shift_id=sale.shift_id,
        cashier_id=sale.cashier_id,
        customer_id=sale.customer_id,
        status=sale.status,  # type: ignore[arg-type]
        origin=sale.origin,  # type: ignore[arg-type]
        tax_mode=sale.tax_mode,  # type: ignore[arg-type]
        subtotal=sale.subtotal,
        discount_total=sale.discount_total,
        tax_total=sale.tax_total,
        total=sale.total,
        paid_total=sale.paid_total,
        change_total=sale.change_total,
        refunded_total=int(refunded_total),
        note=sale.note,
        sold_at=sale.sold_at,
        lines=[
            SaleLineRead(
                id=line.id,
                position=line.position,
                product_id=line.product_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                list_price=line.list_price,
                discount=line.discount,
                tax_rate_bp=line.tax_rate_bp,
                tax_amount=line.tax_amount,
                total=line.total,
                refunded_quantity=refunded.get(line.id, 0),
            )
            for line in lines
        ],
        payments=[
            PaymentRead(
                id=p.id,
                method=p.method,  # type: ignore[arg-type]
                amount=p.amount,
                change=p.change,  # type: ignore[arg-type]
                reference=p.reference,
            )
            for p in payments
        ],
    )


def _summary(sale: Sale) -> SaleSummary:
    return SaleSummary(
        id=sale.id,
        invoice_number=sale.invoice_number,
        register_id=sale.register_id,
        cashier_id=sale.cashier_id,
        customer_id=sale.customer_id,
        status=sale.status,  # type: ignore[arg-type]
        origin=sale.origin,  # type: ignore[arg-type]
        total=sale.total,
        sold_at=sale.sold_at,
    )


async def list_sales(ctx: Context, query: SaleQuery) -> Page[SaleSummary]:
    statement = select(Sale).where(Sale.organization_id == ctx.organization_id)
    for field in ("register_id", "shift_id", "customer_id", "cashier_id", "status", "invoice_number"):
        value = getattr(query, field)
        if value is not None:
            statement = statement.where(getattr(Sale, field) == value)
    if query.since is not None:
        statement = statement.where(Sale.sold_at >= query.since)
    if query.until is not None:
        statement = statement.where(Sale.sold_at < query.until)
    statement = statement.order_by(Sale.sold_at.desc(), Sale.id.desc())
    return await paginate(ctx.session, statement, query, _summary)


# Refunds and voids


def refund_share(line_total: int, line_quantity: int, already: int, quantity: int) -> int:
    """The money of `quantity` more units of a line of which `already` were refunded: the line
    total pro rata, so that refunding every unit gives back exactly the line total."""
    return line_total * (already + quantity) // line_quantity - line_total * already // line_quantity


async def _refund_read(ctx: Context, refund: Refund) -> RefundRead:
    lines = await ctx.session.scalars(
        select(RefundLine)
        .where(RefundLine.organization_id == ctx.organization_id, RefundLine.refund_id == refund.id)
        .order_by(RefundLine.id)
    )
    return RefundRead(
        id=refund.id,
        sale_id=refund.sale_id,
        kind=refund.kind,  # type: ignore[arg-type]
        register_id=refund.register_id,  # type: ignore[arg-type]
        shift_id=refund.shift_id,
        method=refund.method,  # type: ignore[arg-type]
        total=refund.total,  # type: ignore[arg-type]
        restock=refund.restock,
        reason=refund.reason,
        actor_id=refund.actor_id,
        refunded_at=refund.refunded_at,
        lines=[
            RefundLineRead(
                id=line.id,
                sale_line_id=line.sale_line_id,
                product_id=line.product_id,
                quantity=line.quantity,
                amount=line.amount,
            )
            for line in lines
        ],
    )


async def _write_refund(
    ctx: Context,
    sale: Sale,
    *,
    kind: str,
    register_id: uuid.UUID,
    shift_id: uuid.UUID | None,
    method: str,
    lines: list[tuple[SaleLine, int, int]],
    restock: bool,
    reason: str,
    at: datetime,
    refund_id: uuid.UUID | None = None,
) -> Refund:
    assert ctx.actor is not None
    refund = Refund(
        organization_id=ctx.organization_id,
        id=refund_id or new_id(),
        sale_id=sale.id,
        register_id=register_id,
        shift_id=shift_id,
        kind=kind,
        method=method,
        total=sum(amount for _, _, amount in lines),
        restock=restock,
        reason=reason,
        actor_id=ctx.actor.user_id,
        refunded_at=at,
    )
    ctx.session.add(refund)
    await ctx.session.flush()
    await ctx.session.execute(
        insert(RefundLine),
        [
            {
                "organization_id": ctx.organization_id,
                "id": new_id(),
                "refund_id": refund.id,
                "sale_line_id": line.id,
                "product_id": line.product_id,
                "quantity": quantity,
                "amount": amount,
            }
            for line, quantity, amount in lines
        ],
    )
    if restock:
        locked = await inventory.lock_products(ctx, [line.product_id for line, _, _ in lines])
        await inventory.apply_stock_changes(
            ctx,
            [inventory.StockChange(line.product_id, quantity) for line, quantity, _ in lines],
            kind=kind,
            locked=locked,
            allow_negative=True,
            reason=reason,
            reference_id=refund.id,
            occurred_at=at,
        )
    if sale.customer_id is not None:
        await customers.reverse_purchase(ctx, customer_id=sale.customer_id, amount=refund.total)
    await audit.record(
        ctx,
        action=f"sale.{'voided' if kind == 'void' else 'refunded'}",
        entity="sale",
        entity_id=sale.id,
        after={"refund_id": str(refund.id), "total": refund.total, "reason": reason},
    )
    publish_after_commit(
        ctx,
        "sales",
        f"sale.{'voided' if kind == 'void' else 'refunded'}",
        {
            "sale_id": sale.id,
            "refund_id": refund.id,
            "kind": kind,
            "invoice_number": sale.invoice_number,
            "register_id": register_id,
            "total": refund.total,
            "method": method,
            "restock": restock,
            "refunded_at": at,
            "sold_at": sale.sold_at,
            "lines": [
                {"product_id": line.product_id, "quantity": quantity, "amount": amount}
                for line, quantity, amount in lines
            ],
        },
    )
    return refund


async def refund_sale(
    ctx: Context,
    sale_id: uuid.UUID,
    data: RefundCreate,
    *,
    at: datetime | None = None,
    shift: Shift | None = None,
    refund_id: uuid.UUID | None = None,
    offline: bool = False,
) -> RefundRead:
    """Refund units of a sale's lines. Offline devices pass the shift the refund was made in
    (None when it is unknown or closed: the refund is a fact all the same), its time and its id."""
    sale = await get_sale(ctx, sale_id, for_update=True)
    if sale.status == "voided":
        raise Conflict("the sale was voided", code="sale_voided")
    register = await ctx.session.get(Register, (ctx.organization_id, data.register_id))
    if register is None:
        raise _missing(["register_id"], "no such register")
    if shift is None and not offline:
        shift = await open_shift_of(ctx, register.id)
    sale_lines = {
        line.id: line
        for line in await ctx.session.scalars(
            select(SaleLine).where(SaleLine.organization_id == ctx.organization_id, SaleLine.sale_id == sale.id)
        )
    }
    refunded = await _refunded_quantities(ctx, sale.id)
    requested: dict[uuid.UUID, int] = {}
    for index, line in enumerate(data.lines):
        if line.sale_line_id not in sale_lines:
            raise _missing(["lines", index, "sale_line_id"], "not a line of this sale")
        requested[line.sale_line_id] = requested.get(line.sale_line_id, 0) + line.quantity
    plan: list[tuple[SaleLine, int, int]] = []
    for line_id, quantity in requested.items():
        sale_line = sale_lines[line_id]
        already = refunded.get(line_id, 0)
        if already + quantity > sale_line.quantity:
            raise Conflict(
                f"only {sale_line.quantity - already} more of line {sale_line.position} can be refunded",
                code="refund_exceeds_sale",
                errors=[FieldError(loc=["body", "lines", sale_line.position], msg="more than sold")],
            )
        plan.append((sale_line, quantity, refund_share(sale_line.total, sale_line.quantity, already, quantity)))
    refund = await _write_refund(
        ctx,
        sale,
        kind="refund",
        register_id=register.id,
        shift_id=shift.id if shift else None,
        method=data.method,
        lines=plan,
        restock=data.restock,
        reason=data.reason,
        at=at or datetime.now(UTC),
        refund_id=refund_id,
    )
    return await _refund_read(ctx, refund)


async def void_sale(ctx: Context, sale_id: uuid.UUID, data: VoidCreate) -> RefundRead:
    """Cancel a whole sale in its own, still open shift; everything goes back (stock and money)."""
    assert ctx.actor is not None
    if ctx.actor.role not in PRICE_SETTERS:
        raise Forbidden("only a manager can void a sale", code="void_forbidden")
    sale = await get_sale(ctx, sale_id, for_update=True)
    if sale.status == "voided":
        raise Conflict("the sale is already voided", code="sale_voided")
    shift = await get_shift(ctx, sale.shift_id, for_update=False) if sale.shift_id else None
    if shift is None or shift.status != "open":
        raise Conflict("a sale can only be voided in its own open shift; refund it instead", code="shift_closed")
    if await _refunded_quantities(ctx, sale.id):
        raise Conflict("the sale has refunds; refund the rest instead", code="sale_has_refunds")
    lines = list(
        await ctx.session.scalars(
            select(SaleLine)
            .where(SaleLine.organization_id == ctx.organization_id, SaleLine.sale_id == sale.id)
            .order_by(SaleLine.position)
        )
    )
    payments = list(
        await ctx.session.scalars(
            select(Payment).where(Payment.organization_id == ctx.organization_id, Payment.sale_id == sale.id)
        )
    )
    method = max(payments, key=lambda p: p.amount - p.change).method if payments else "cash"
    sale.status = "voided"
    refund = await _write_refund(
        ctx,
        sale,
        kind="void",
        register_id=sale.register_id,
        shift_id=shift.id,
        method=method,
        lines=[(line, line.quantity, line.total) for line in lines],
        restock=True,
        reason=data.reason,
        at=datetime.now(UTC),
    )
    if sale.customer_id is not None:
        await ctx.session.execute(
            update(Customer)
            .where(Customer.organization_id == ctx.organization_id, Customer.id == sale.customer_id)
            .values(visits=func.greatest(Customer.visits - 1, 0))
        )
    return await _refund_read(ctx, refund)


async def list_refunds(ctx: Context, sale_id: uuid.UUID) -> list[RefundRead]:
    sale = await get_sale(ctx, sale_id)
    refunds = await ctx.session.scalars(
        select(Refund)
        .where(Refund.organization_id == ctx.organization_id, Refund.sale_id == sale.id)
        .order_by(Refund.refunded_at, Refund.id)
    )
    return [await _refund_read(ctx, refund) for refund in refunds]
