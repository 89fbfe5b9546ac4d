"""Settling one offline document (DESIGN §9), by kind: sales, refunds, customers, shifts and
cash movements.

Invariants:
- A document is settled as its cashier, in a savepoint of its own: if it fails, nothing of it
  remains and the others in the batch are not touched; its events join the request's
  after-commit queue only when it succeeds.
- Offline facts are not refused for what the server would have refused online (stock going
  negative, a changed price, an inactive product, customer or cashier, a closed shift): they
  stand, and each such thing becomes a conflict (`sync.conflicts`).
- A document that can't be applied at all is `rejected` with a code; a transient database
  failure is raised, so the whole batch is retried.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from server.catalog.models import Product
from server.core.context import Actor, ActorContext, Context
from server.core.errors import ApiError, Conflict, NotFound, is_transient
from server.customers import service as customers
from server.customers.models import Customer
from server.sales import refunds, sales, shifts
from server.sales.models import Device, Sale, SaleLine, Shift
from server.sales.refunds import OfflineRefund
from server.sales.sale_facts import Offline
from server.sales.schemas import CashMovementCreate, RefundCreate, RefundLineCreate, SaleCreate, ShiftClose, ShiftOpen
from server.users.models import User
from sync import conflicts as conflict_inbox
from sync.schemas import (
    AnyDocument,
    CashMovementDocument,
    ConflictNote,
    CustomerDocument,
    DocumentResult,
    RefundDocument,
    SaleDocument,
    ShiftCloseDocument,
    ShiftOpenDocument,
)

logger = logging.getLogger("orbit.sync")


@dataclass
class Settlement:
    """What settling one document produced."""

    conflicts: list[ConflictNote]
    sale_id: uuid.UUID | None = None
    invoice_number: str | None = None


def rejected(document: AnyDocument, code: str, message: str) -> DocumentResult:
    """The answer for a document that was not applied: `last_seq` still moves past it."""
    return DocumentResult(
        id=document.id,
        seq=document.seq,
        kind=str(document.__struct_config__.tag),
        status="rejected",
        code=code,
        message=message,
    )


async def settle_document(ctx: Context, device: Device, document: AnyDocument) -> DocumentResult:
    """Apply one document of `device` in its own savepoint, as its cashier, and open its conflicts."""
    cashier = await ctx.session.get(User, (ctx.organization_id, document.cashier_id))
    assert cashier is not None
    conflicts: list[ConflictNote] = []
    if not cashier.is_active:
        conflicts.append(ConflictNote(code="cashier_inactive", message=f"{cashier.full_name} is deactivated"))
    try:
        with ctx.staged(actor=Actor(cashier.id, cashier.role)) as child:
            async with ctx.session.begin_nested():
                settlement = await HANDLERS[type(document)](child, device, document, conflicts)
    except ApiError as error:
        return rejected(document, error.code or error.slug, error.detail or error.title)
    except DBAPIError as error:
        if is_transient(error):
            raise
        logger.exception("PostgreSQL refused document %s of device %s", document.seq, device.id)
        return rejected(document, "refused_by_database", "the database refused this document; it was logged")
    conflict_inbox.record_conflicts(ctx, device, document, settlement.conflicts, settlement.sale_id)
    return DocumentResult(
        id=document.id,
        seq=document.seq,
        kind=str(document.__struct_config__.tag),
        status="applied_with_conflict" if settlement.conflicts else "applied",
        sale_id=settlement.sale_id,
        invoice_number=settlement.invoice_number,
        conflicts=settlement.conflicts,
    )


async def _usable_shift(
    ctx: Context, device: Device, shift_id: uuid.UUID | None, conflicts: list[ConflictNote]
) -> Shift | None:
    """The document's shift if it is open on the device's register; else None and a conflict."""
    if shift_id is None:
        conflicts.append(ConflictNote(code="no_shift", message="made outside any shift"))
        return None
    shift = await ctx.session.get(Shift, (ctx.organization_id, shift_id))
    if shift is None or shift.register_id != device.register_id:
        conflicts.append(ConflictNote(code="unknown_shift", message="the shift is unknown on this register"))
        return None
    if shift.status != "open":
        conflicts.append(ConflictNote(code="shift_closed", message="the shift was already closed"))
        return None
    return shift


async def _settle_sale(
    ctx: ActorContext, device: Device, document: SaleDocument, conflicts: list[ConflictNote]
) -> Settlement:
    shift = await _usable_shift(ctx, device, document.shift_id, conflicts)
    number = await _unused_number(ctx, device, document.number, conflicts)
    customer_id = await _usable_customer(ctx, document.customer_id, conflicts)
    recorded = await sales.record_sale(
        ctx,
        SaleCreate(
            register_id=device.register_id,
            lines=document.lines,
            payments=document.payments,
            discount=document.discount,
            customer_id=customer_id,
            note=document.note,
        ),
        Offline(
            device_id=device.id,
            sale_id=document.id,
            sold_at=document.device_time,
            number=number,
            shift_id=shift.id if shift is not None else None,
        ),
    )
    await _catalog_conflicts(ctx, document, conflicts)
    return Settlement(conflicts=conflicts, sale_id=recorded.sale_id, invoice_number=recorded.invoice_number)


async def _unused_number(ctx: Context, device: Device, number: int, conflicts: list[ConflictNote]) -> int | None:
    """The document's invoice number if the register has not used it; else None (the sale gets
    the next one) and a conflict."""
    taken = await ctx.session.scalar(
        select(Sale.id).where(
            Sale.organization_id == ctx.organization_id,
            Sale.register_id == device.register_id,
            Sale.number == number,
        )
    )
    if taken is None:
        return number
    conflicts.append(
        ConflictNote(code="number_collision", message=f"invoice number {number} was already used; a new one was given")
    )
    return None


async def _usable_customer(
    ctx: Context, customer_id: uuid.UUID | None, conflicts: list[ConflictNote]
) -> uuid.UUID | None:
    """The document's customer if the tenant has it (an inactive one is kept, with a conflict);
    an unknown one is dropped, with a conflict."""
    if customer_id is None:
        return None
    customer = await ctx.session.get(Customer, (ctx.organization_id, customer_id))
    if customer is None:
        conflicts.append(ConflictNote(code="unknown_customer", message="the customer is unknown; sale kept without"))
        return None
    if not customer.is_active:
        conflicts.append(ConflictNote(code="customer_inactive", message=f"{customer.name} is deactivated"))
    return customer_id


async def _catalog_conflicts(ctx: Context, document: SaleDocument, conflicts: list[ConflictNote]) -> None:
    """After the sale is recorded: lines sold at another price than the catalog's or of an
    inactive product, and products whose stock went below zero."""
    products = {
        p.id: p
        for p in await ctx.session.scalars(
            select(Product).where(
                Product.organization_id == ctx.organization_id,
                Product.id.in_({line.product_id for line in document.lines}),
            )
        )
    }
    for line in document.lines:
        product = products[line.product_id]
        if line.unit_price is not None and line.unit_price != product.price:
            conflicts.append(
                ConflictNote(
                    code="price_changed",
                    product_id=product.id,
                    message=f"{product.name} sold at {line.unit_price}, catalog says {product.price}",
                )
            )
        if not product.is_active:
            conflicts.append(
                ConflictNote(code="product_inactive", product_id=product.id, message=f"{product.name} is inactive")
            )
    for product in products.values():
        if product.stock < 0:
            conflicts.append(
                ConflictNote(
                    code="negative_stock",
                    product_id=product.id,
                    message=f"{product.name} went to {product.stock} in stock",
                )
            )


async def _settle_refund(
    ctx: ActorContext, device: Device, document: RefundDocument, conflicts: list[ConflictNote]
) -> Settlement:
    shift = await _usable_shift(ctx, device, document.shift_id, conflicts)
    lines = {
        line.position: line.id
        for line in await ctx.session.scalars(
            select(SaleLine).where(
                SaleLine.organization_id == ctx.organization_id, SaleLine.sale_id == document.sale_id
            )
        )
    }
    missing = [line.position for line in document.lines if line.position not in lines]
    if not lines or missing:
        raise NotFound("the sale or its line is unknown", code="unknown_sale")
    await refunds.refund_sale(
        ctx,
        document.sale_id,
        RefundCreate(
            register_id=device.register_id,
            method=document.method,
            reason=document.reason,
            restock=document.restock,
            lines=[
                RefundLineCreate(sale_line_id=lines[line.position], quantity=line.quantity) for line in document.lines
            ],
        ),
        OfflineRefund(
            refund_id=document.id, refunded_at=document.device_time, shift_id=shift.id if shift is not None else None
        ),
    )
    return Settlement(conflicts=conflicts, sale_id=document.sale_id)


async def _settle_customer(
    ctx: Context, device: Device, document: CustomerDocument, conflicts: list[ConflictNote]
) -> Settlement:
    try:
        async with ctx.session.begin_nested():
            await customers.create_customer(ctx, document.customer, customer_id=document.id, at=document.device_time)
    except Conflict as error:
        if error.code != "tax_id_taken":
            raise
        conflicts.append(
            ConflictNote(
                code="duplicate_tax_id",
                message=f"tax id {document.customer.tax_id} belongs to another customer; created without it",
            )
        )
        await customers.create_customer(
            ctx,
            msgspec.structs.replace(document.customer, tax_id=None),
            customer_id=document.id,
            at=document.device_time,
        )
    return Settlement(conflicts=conflicts)


async def _settle_shift_open(
    ctx: ActorContext, device: Device, document: ShiftOpenDocument, conflicts: list[ConflictNote]
) -> Settlement:
    await shifts.open_shift(
        ctx,
        ShiftOpen(register_id=device.register_id, opening_float=document.opening_float),
        opened_at=document.device_time,
        shift_id=document.id,
    )
    return Settlement(conflicts=conflicts)


async def _register_shift(ctx: Context, device: Device, shift_id: uuid.UUID) -> Shift:
    """The shift a document names, which must be one of the device's register."""
    shift = await ctx.session.get(Shift, (ctx.organization_id, shift_id))
    if shift is None or shift.register_id != device.register_id:
        raise NotFound("the shift is unknown on this register", code="unknown_shift")
    return shift


async def _settle_shift_close(
    ctx: ActorContext, device: Device, document: ShiftCloseDocument, conflicts: list[ConflictNote]
) -> Settlement:
    shift = await _register_shift(ctx, device, document.shift_id)
    await shifts.close_shift(
        ctx, shift.id, ShiftClose(counts=document.counts, note=document.note), closed_at=document.device_time
    )
    return Settlement(conflicts=conflicts)


async def _settle_cash_movement(
    ctx: ActorContext, device: Device, document: CashMovementDocument, conflicts: list[ConflictNote]
) -> Settlement:
    shift = await _register_shift(ctx, device, document.shift_id)
    await shifts.add_cash_movement(
        ctx,
        shift.id,
        CashMovementCreate(kind=document.movement, amount=document.amount, reason=document.reason),
        at=document.device_time,
        movement_id=document.id,
    )
    return Settlement(conflicts=conflicts)


Handler = Callable[[ActorContext, Device, Any, list[ConflictNote]], Awaitable[Settlement]]
HANDLERS: dict[type, Handler] = {
    SaleDocument: _settle_sale,
    RefundDocument: _settle_refund,
    CustomerDocument: _settle_customer,
    ShiftOpenDocument: _settle_shift_open,
    ShiftCloseDocument: _settle_shift_close,
    CashMovementDocument: _settle_cash_movement,
}
