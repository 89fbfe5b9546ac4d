from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, get_args

import msgspec

from server.core.pagination import PageQuery
from server.core.schemas import Input, Money, Name, Output

PaymentMethod = Literal["cash", "card", "transfer", "other"]
PAYMENT_METHODS: tuple[PaymentMethod, ...] = get_args(PaymentMethod)
ShiftStatus = Literal["open", "closed"]
CashMovementKind = Literal["pay_in", "pay_out"]
SaleStatus = Literal["completed", "voided"]
OriginName = Literal["online", "offline"]
"""Where a sale was rung up: at a till connected to the server, or on a device offline."""
TaxMode = Literal["inclusive", "exclusive"]
RefundKind = Literal["refund", "void"]
RegisterCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z0-9]{1,8}$", description="1–8 upper-case letters or digits")]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
PositiveMoney = Annotated[int, msgspec.Meta(ge=1, le=10**15)]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=500)]
Note = Annotated[str, msgspec.Meta(max_length=1000)]
Reference = Annotated[str, msgspec.Meta(max_length=200)]


# Registers


class RegisterCreate(Input):
    code: RegisterCode
    name: Name


class RegisterUpdate(Input):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class RegisterRead(Output):
    id: uuid.UUID
    code: str
    name: str
    last_number: int
    is_active: bool
    open_shift_id: uuid.UUID | None


class NumberRange(Output):
    first: int
    last: int


class SeriesReport(Output):
    """The invoice series of a register: what was issued, and any gap or duplicate in it."""

    register_id: uuid.UUID
    code: str
    last_number: int
    issued: int
    gaps: list[NumberRange]
    duplicates: list[int]


# Shifts


class ShiftOpen(Input):
    register_id: uuid.UUID
    opening_float: Money


class CashMovementCreate(Input):
    kind: CashMovementKind
    amount: PositiveMoney
    reason: Reason


class CountedAmount(Input):
    method: PaymentMethod
    counted: Money


class ShiftClose(Input):
    counts: Annotated[list[CountedAmount], msgspec.Meta(max_length=4)]
    note: Note = ""


class CashMovementRead(Output):
    id: uuid.UUID
    kind: CashMovementKind
    amount: int
    reason: str
    actor_id: uuid.UUID
    at: datetime


class MethodTotals(Output):
    method: PaymentMethod
    sales: int
    refunds: int
    expected: int
    counted: int | None
    difference: int | None


class ShiftRead(Output):
    id: uuid.UUID
    register_id: uuid.UUID
    status: ShiftStatus
    opening_float: int
    opened_by: uuid.UUID
    opened_at: datetime
    closed_by: uuid.UUID | None
    closed_at: datetime | None
    note: str


class ShiftReport(Output):
    """The Z report of a shift (an X report while it is open)."""

    shift: ShiftRead
    register_code: str
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
    methods: list[MethodTotals]
    cash_movements: list[CashMovementRead]


class ShiftQuery(PageQuery):
    register_id: uuid.UUID | None = None
    status: ShiftStatus | None = None


# Sales


class SaleLineCreate(Input):
    product_id: uuid.UUID
    quantity: Quantity
    unit_price: Money | None = None
    discount: Money = 0


class PaymentCreate(Input):
    method: PaymentMethod
    amount: PositiveMoney
    reference: Reference = ""


class SaleCreate(Input):
    register_id: uuid.UUID
    lines: Annotated[list[SaleLineCreate], msgspec.Meta(min_length=1, max_length=500)]
    payments: Annotated[list[PaymentCreate], msgspec.Meta(min_length=1, max_length=10)]
    discount: Money = 0
    customer_id: uuid.UUID | None = None
    note: Note = ""


class SaleLineRead(Output):
    id: uuid.UUID
    position: int
    product_id: uuid.UUID
    quantity: int
    unit_price: int
    list_price: int
    discount: int
    tax_rate_bp: int
    tax_amount: int
    total: int
    refunded_quantity: int


class PaymentRead(Output):
    id: uuid.UUID
    method: PaymentMethod
    amount: int
    change: int
    reference: str


class SaleRead(Output):
    id: uuid.UUID
    invoice_number: str
    number: int
    register_id: uuid.UUID
    shift_id: uuid.UUID | None
    cashier_id: uuid.UUID
    customer_id: uuid.UUID | None
    status: SaleStatus
    origin: OriginName
    tax_mode: TaxMode
    subtotal: int
    discount_total: int
    tax_total: int
    total: int
    paid_total: int
    change_total: int
    refunded_total: int
    note: str
    sold_at: datetime
    lines: list[SaleLineRead]
    payments: list[PaymentRead]


class SaleSummary(Output):
    id: uuid.UUID
    invoice_number: str
    register_id: uuid.UUID
    cashier_id: uuid.UUID
    customer_id: uuid.UUID | None
    status: SaleStatus
    origin: OriginName
    total: int
    sold_at: datetime


class SaleQuery(PageQuery):
    register_id: uuid.UUID | None = None
    shift_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    cashier_id: uuid.UUID | None = None
    status: SaleStatus | None = None
    since: datetime | None = None
    until: datetime | None = None
    invoice_number: Annotated[str, msgspec.Meta(max_length=32)] | None = None


# Refunds and voids


class RefundLineCreate(Input):
    sale_line_id: uuid.UUID
    quantity: Quantity


class RefundCreate(Input):
    register_id: uuid.UUID
    lines: Annotated[list[RefundLineCreate], msgspec.Meta(min_length=1, max_length=500)]
    method: PaymentMethod
    reason: Reason
    restock: bool = True


class VoidCreate(Input):
    reason: Reason


class RefundLineRead(Output):
    id: uuid.UUID
    sale_line_id: uuid.UUID
    product_id: uuid.UUID
    quantity: int
    amount: int


class RefundRead(Output):
    id: uuid.UUID
    sale_id: uuid.UUID
    kind: RefundKind
    register_id: uuid.UUID
    shift_id: uuid.UUID | None
    method: PaymentMethod
    total: int
    restock: bool
    reason: str
    actor_id: uuid.UUID
    refunded_at: datetime
    lines: list[RefundLineRead]
