from __future__ import annotations

import uuid

from server.core.api import ANY_ROLE, MANAGERS, Router
from server.core.context import ActorContext
from server.core.pagination import Page
from server.sales import refunds, registers, sales, shifts
from server.sales.refunds import OnlineRefund
from server.sales.schemas import (
    CashMovementCreate,
    CashMovementRead,
    RefundCreate,
    RefundRead,
    RegisterCreate,
    RegisterRead,
    RegisterUpdate,
    SaleCreate,
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

router = Router(tags=["sales"])
KEY = {428: "Idempotency-Key header missing"}


@router.get("/api/v1/registers", access=ANY_ROLE, response=list[RegisterRead])
async def list_registers(ctx: ActorContext) -> list[RegisterRead]:
    """Every register, with its open shift if any."""
    return await registers.list_registers(ctx)


@router.post(
    "/api/v1/registers",
    access=MANAGERS,
    body=RegisterCreate,
    response=RegisterRead,
    status=201,
    responses={409: "Another register has this code"},
)
async def create_register(ctx: ActorContext, body: RegisterCreate) -> RegisterRead:
    """Add a register (its code prefixes its invoice numbers)."""
    return await registers.create_register(ctx, body)


@router.get("/api/v1/registers/{register_id:uuid}", access=ANY_ROLE, response=RegisterRead)
async def read_register(ctx: ActorContext, register_id: uuid.UUID) -> RegisterRead:
    """One register."""
    return await registers.read_register(ctx, register_id)


@router.patch("/api/v1/registers/{register_id:uuid}", access=MANAGERS, body=RegisterUpdate, response=RegisterRead)
async def update_register(ctx: ActorContext, register_id: uuid.UUID, body: RegisterUpdate) -> RegisterRead:
    """Rename or (de)activate a register."""
    return await registers.update_register(ctx, register_id, body)


@router.get("/api/v1/registers/{register_id:uuid}/series", access=MANAGERS, response=SeriesReport)
async def series_report(ctx: ActorContext, register_id: uuid.UUID) -> SeriesReport:
    """Gaps and duplicates in the register's invoice series."""
    return await registers.series_report(ctx, register_id)


@router.get("/api/v1/shifts", access=ANY_ROLE, query=ShiftQuery, response=Page[ShiftRead])
async def list_shifts(ctx: ActorContext, query: ShiftQuery) -> Page[ShiftRead]:
    """Shifts, newest first."""
    return await shifts.list_shifts(ctx, query)


@router.post(
    "/api/v1/shifts",
    access=ANY_ROLE,
    body=ShiftOpen,
    response=ShiftRead,
    status=201,
    idempotent=True,
    responses={409: "The register already has an open shift", **KEY},
)
async def open_shift(ctx: ActorContext, body: ShiftOpen) -> ShiftRead:
    """Open a cash shift on a register with an opening float."""
    return await shifts.open_shift(ctx, body)


@router.get("/api/v1/shifts/{shift_id:uuid}", access=ANY_ROLE, response=ShiftRead)
async def read_shift(ctx: ActorContext, shift_id: uuid.UUID) -> ShiftRead:
    """One shift."""
    return await shifts.read_shift(ctx, shift_id)


@router.post(
    "/api/v1/shifts/{shift_id:uuid}/cash-movements",
    access=ANY_ROLE,
    body=CashMovementCreate,
    response=CashMovementRead,
    status=201,
    idempotent=True,
    responses={409: "The shift is closed", **KEY},
)
async def add_cash_movement(ctx: ActorContext, shift_id: uuid.UUID, body: CashMovementCreate) -> CashMovementRead:
    """A pay-in or pay-out of cash, with a reason."""
    return await shifts.add_cash_movement(ctx, shift_id, body)


@router.post(
    "/api/v1/shifts/{shift_id:uuid}/close",
    access=ANY_ROLE,
    body=ShiftClose,
    response=ShiftReport,
    idempotent=True,
    responses={409: "The shift is already closed", **KEY},
)
async def close_shift(ctx: ActorContext, shift_id: uuid.UUID, body: ShiftClose) -> ShiftReport:
    """Close the shift with the counted amounts; answers with its Z report."""
    return await shifts.close_shift(ctx, shift_id, body)


@router.get("/api/v1/shifts/{shift_id:uuid}/report", access=ANY_ROLE, response=ShiftReport)
async def shift_report(ctx: ActorContext, shift_id: uuid.UUID) -> ShiftReport:
    """The shift's Z report (an X report while it is open)."""
    return await shifts.shift_report(ctx, shift_id)


@router.post(
    "/api/v1/sales",
    access=ANY_ROLE,
    body=SaleCreate,
    response=SaleRead,
    status=201,
    idempotent=True,
    responses={409: "Not enough stock (the products are named), or no open shift", **KEY},
)
async def create_sale(ctx: ActorContext, body: SaleCreate) -> SaleRead:
    """Ring up a sale on a register's open shift."""
    return await sales.create_sale(ctx, body)


@router.get("/api/v1/sales", access=ANY_ROLE, query=SaleQuery, response=Page[SaleSummary])
async def list_sales(ctx: ActorContext, query: SaleQuery) -> Page[SaleSummary]:
    """Sales, newest first."""
    return await sales.list_sales(ctx, query)


@router.get("/api/v1/sales/{sale_id:uuid}", access=ANY_ROLE, response=SaleRead)
async def read_sale(ctx: ActorContext, sale_id: uuid.UUID) -> SaleRead:
    """One sale with its lines and payments."""
    return await sales.read_sale(ctx, sale_id)


@router.post(
    "/api/v1/sales/{sale_id:uuid}/refunds",
    access=ANY_ROLE,
    body=RefundCreate,
    response=RefundRead,
    status=201,
    idempotent=True,
    responses={409: "More than was sold, or the sale was voided", **KEY},
)
async def refund_sale(ctx: ActorContext, sale_id: uuid.UUID, body: RefundCreate) -> RefundRead:
    """Refund some or all units of some lines, to a chosen payment method."""
    return await refunds.refund_sale(ctx, sale_id, body, OnlineRefund())


@router.get("/api/v1/sales/{sale_id:uuid}/refunds", access=ANY_ROLE, response=list[RefundRead])
async def list_refunds(ctx: ActorContext, sale_id: uuid.UUID) -> list[RefundRead]:
    """The refunds and void of a sale."""
    return await refunds.list_refunds(ctx, sale_id)


@router.post(
    "/api/v1/sales/{sale_id:uuid}/void",
    access=MANAGERS,
    body=VoidCreate,
    response=RefundRead,
    status=201,
    idempotent=True,
    responses={409: "Not in its own open shift, or already voided", **KEY},
)
async def void_sale(ctx: ActorContext, sale_id: uuid.UUID, body: VoidCreate) -> RefundRead:
    """Void a whole sale within its still-open shift (managers)."""
    return await refunds.void_sale(ctx, sale_id, body)
