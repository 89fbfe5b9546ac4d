"""Refunds and voids: money and, optionally, stock going back for the lines of a sale.

Invariants:
- Σ refunded per sale line never exceeds what was sold; refund amounts are the line total
  pro rata, and refunding every unit refunds exactly the line total.
- A void reverses a whole sale, only in the same still-open shift, only by a manager or admin.
- A refund joins the register's open shift (`OnlineRefund`); an offline one keeps the shift it
  names, or none (`OfflineRefund`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from server.audit import service as audit
from server.core.context import ActorContext, Context
from server.core.errors import Conflict, FieldError, Forbidden
from server.core.events import publish_after_commit
from server.core.ids import new_id
from server.customers import service as customers
from server.customers.models import Customer
from server.inventory import service as inventory
from server.sales.models import Payment, Refund, RefundLine, Register, Sale, SaleLine
from server.sales.rules import PRICE_SETTERS, missing
from server.sales.sales import get_sale, refunded_quantities
from server.sales.schemas import RefundCreate, RefundLineRead, RefundRead, VoidCreate
from server.sales.shifts import get_shift, open_shift_of


@dataclass(frozen=True, slots=True)
class OnlineRefund:
    """A refund made at a till connected to the server: it joins the register's open shift (409
    `no_open_shift` without one), takes a new id and the time it is written."""


@dataclass(frozen=True, slots=True)
class OfflineRefund:
    """A refund a device already made: a fact, kept with the device's id and time and the shift it
    names (None when that shift is unknown or closed: the refund is written all the same)."""

    refund_id: uuid.UUID
    refunded_at: datetime
    shift_id: uuid.UUID | None


RefundOrigin = OnlineRefund | OfflineRefund


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
        kind=refund.kind,
        register_id=refund.register_id,
        shift_id=refund.shift_id,
        method=refund.method,
        total=refund.total,
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
    ctx: ActorContext,
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
    event_type = "sale.voided" if kind == "void" else "sale.refunded"
    publish_after_commit(ctx, "sales", event_type, _event(sale, refund, lines))
    return refund


def _event(sale: Sale, refund: Refund, lines: list[tuple[SaleLine, int, int]]) -> dict[str, Any]:
    """The data of `sale.refunded` or `sale.voided`."""
    return {
        "sale_id": sale.id,
        "refund_id": refund.id,
        "kind": refund.kind,
        "invoice_number": sale.invoice_number,
        "register_id": refund.register_id,
        "total": refund.total,
        "method": refund.method,
        "restock": refund.restock,
        "refunded_at": refund.refunded_at,
        "sold_at": sale.sold_at,
        "lines": [
            {"product_id": line.product_id, "quantity": quantity, "amount": amount} for line, quantity, amount in lines
        ],
    }


async def refund_sale(
    ctx: ActorContext,
    sale_id: uuid.UUID,
    data: RefundCreate,
    origin: RefundOrigin,
) -> RefundRead:
    """Refund units of a sale's lines, made online or already made offline (`origin`)."""
    sale = await get_sale(ctx, sale_id, for_update=True)
    if sale.status == "voided":
        raise Conflict("the sale was voided", code="sale_voided")
    register = await ctx.session.get(Register, (ctx.organization_id, data.register_id))
    if register is None:
        raise missing(["register_id"], "no such register")
    if isinstance(origin, OfflineRefund):
        shift_id, refund_id = origin.shift_id, origin.refund_id
    else:
        shift_id, refund_id = (await open_shift_of(ctx, register.id)).id, None
    sale_lines = {
        line.id: line
        for line in await ctx.session.scalars(
            select(SaleLine).where(SaleLine.organization_id == ctx.organization_id, SaleLine.sale_id == sale.id)
        )
    }
    refunded = await refunded_quantities(ctx, sale.id)
    requested: dict[uuid.UUID, int] = {}
    for index, line in enumerate(data.lines):
        if line.sale_line_id not in sale_lines:
            raise missing(["lines", index, "sale_line_id"], "not a line of this sale")
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
        shift_id=shift_id,
        method=data.method,
        lines=plan,
        restock=data.restock,
        reason=data.reason,
        at=origin.refunded_at if isinstance(origin, OfflineRefund) else datetime.now(UTC),
        refund_id=refund_id,
    )
    return await _refund_read(ctx, refund)


async def void_sale(ctx: ActorContext, sale_id: uuid.UUID, data: VoidCreate) -> RefundRead:
    """Cancel a whole sale in its own, still open shift; everything goes back (stock and money)."""
    if ctx.actor.role not in PRICE_SETTERS:
        raise Forbidden("only a manager can void a sale", code="void_forbidden")
    sale = await get_sale(ctx, sale_id, for_update=True)
    if sale.status == "voided":
        raise Conflict("the sale is already voided", code="sale_voided")
    shift = await get_shift(ctx, sale.shift_id, for_update=False) if sale.shift_id else None
    if shift is None or shift.status != "open":
        raise Conflict("a sale can only be voided in its own open shift; refund it instead", code="shift_closed")
    if await refunded_quantities(ctx, sale.id):
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
