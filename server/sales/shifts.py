"""Cash shifts: a register's session from opening float to the counted close (the Z report).

Invariants:
- A register has at most one open shift (a unique partial index); sales and refunds share-lock
  it, so it cannot close under them.
- A closed shift is immutable: no sale, refund, pay-in or pay-out joins it.
- Expected cash is the opening float plus cash sales, minus cash refunds, plus pay-ins, minus
  pay-outs; the counted amounts and their differences are stored when the shift closes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select, text

from server.audit import service as audit
from server.core.context import ActorContext, Context
from server.core.db import unique_or_conflict
from server.core.errors import Conflict, NotFound
from server.core.events import publish_after_commit
from server.core.ids import new_id
from server.core.pagination import Page, paginate
from server.sales.models import Register, Shift, ShiftCashMovement, ShiftCount
from server.sales.registers import get_register
from server.sales.rules import invalid, missing
from server.sales.schemas import (
    PAYMENT_METHODS,
    CashMovementCreate,
    CashMovementRead,
    MethodTotals,
    ShiftClose,
    ShiftOpen,
    ShiftQuery,
    ShiftRead,
    ShiftReport,
)


def shift_read(shift: Shift) -> ShiftRead:
    return ShiftRead(
        id=shift.id,
        register_id=shift.register_id,
        status=shift.status,
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
    ctx: ActorContext, data: ShiftOpen, *, opened_at: datetime | None = None, shift_id: uuid.UUID | None = None
) -> ShiftRead:
    register = await ctx.session.get(Register, (ctx.organization_id, data.register_id), with_for_update=True)
    if register is None:
        raise missing(["register_id"], "no such register")
    if not register.is_active:
        raise invalid(["register_id"], "the register is inactive")
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
    ctx: ActorContext,
    shift_id: uuid.UUID,
    data: CashMovementCreate,
    *,
    at: datetime | None = None,
    movement_id: uuid.UUID | None = None,
) -> CashMovementRead:
    shift = await get_shift(ctx, shift_id, for_update=True)
    if shift.status != "open":
        raise Conflict("the shift is closed", code="shift_closed")
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
        kind=movement.kind,
        amount=abs(movement.amount),
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
        expected: dict[str, int] = {
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
    ctx: ActorContext, shift_id: uuid.UUID, data: ShiftClose, *, closed_at: datetime | None = None
) -> ShiftReport:
    """Close with the counted amount per method; the difference against expected is recorded.
    Methods not counted are taken as counted equal to expected (card and transfer are usually
    reconciled by the bank, not counted)."""
    shift = await get_shift(ctx, shift_id, for_update=True)
    if shift.status != "open":
        raise Conflict("the shift is already closed", code="shift_closed")
    methods = [count.method for count in data.counts]
    if len(set(methods)) != len(methods):
        raise invalid(["counts"], "a payment method is counted twice")
    figures = await _shift_figures(ctx, shift)
    expected = figures.expected(shift)
    counted: dict[str, int] = {count.method: count.counted for count in data.counts}
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
            method=method,
            sales=figures.by_method_sales.get(method, 0),
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
