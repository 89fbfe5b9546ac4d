"""The facts of a sale: everything that must be written and announced for it, built once.

Every way a sale is recorded goes through `sale_facts`: the online request and the offline
document settled one at a time (`server.sales.sales.record_sale`, one statement) and runs of
offline documents settled set-based (`sync.bulk_sales`, one statement per table). They differ
only in which rules they check before (`Online` or `Offline`) and in how they write the facts;
the sale's columns, its lines, payments, movements, audit entry, answer and `sale.created` event
come from here.

Invariants:
- Pure: the same inputs give the same facts, apart from the new ids of lines, payments and
  movements (UUIDv7, so in creation order). Nothing is read or written.
- A line's price is the catalog's unless the request names one; its discount includes its share
  of the sale's discount; amounts follow `server.sales.pricing` (`PricingError` when they do not
  add up).
- One stock movement per line, of `-quantity`; `deltas` sums them per product.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal, Protocol

from server.core.idempotency_claim import Claim
from server.core.ids import new_id
from server.inventory.service import LockedProduct
from server.sales.pricing import LineInput, PricedSale, Settlement, TenderInput, price_sale, settle
from server.sales.schemas import (
    PaymentCreate,
    PaymentMethod,
    PaymentRead,
    SaleLineCreate,
    SaleLineRead,
    SaleRead,
    TaxMode,
)

AUDIT_ACTION = "sale.created"


@dataclass(frozen=True, slots=True)
class Online:
    """A sale rung up at a till connected to the server. The register must be active and have an
    open shift, the products active, the customer active; only a manager may change a price;
    stock may go below zero only if the tenant allows it; the sale takes the register's next
    number, and its time is when its products were locked. `claim`, the request's idempotency
    key, gets the answer stored by the sale's own statement."""

    claim: Claim | None = None
    name: ClassVar[Literal["online"]] = "online"


@dataclass(frozen=True, slots=True)
class Offline:
    """A sale a device already made: a fact, written even with an inactive register, product or
    customer, a changed price or stock going below zero. It keeps the device's id and time, the
    shift it names (None: outside any usable shift) and the number it printed (None: the number
    was taken; the register's next one is given)."""

    device_id: uuid.UUID
    sale_id: uuid.UUID
    sold_at: datetime
    number: int | None
    shift_id: uuid.UUID | None
    name: ClassVar[Literal["offline"]] = "offline"


SaleOrigin = Online | Offline


class SaleRequest(Protocol):
    """What a sale asks for: an online `SaleCreate` or an offline `SaleDocument`."""

    @property
    def lines(self) -> Sequence[SaleLineCreate]: ...
    @property
    def payments(self) -> Sequence[PaymentCreate]: ...
    @property
    def discount(self) -> int: ...
    @property
    def customer_id(self) -> uuid.UUID | None: ...
    @property
    def note(self) -> str: ...


@dataclass(frozen=True, slots=True)
class LineFacts:
    """A row of `sale_lines` (and the product's cost at the time of the sale)."""

    id: uuid.UUID
    position: int
    product_id: uuid.UUID
    quantity: int
    unit_price: int
    list_price: int
    unit_cost: int
    discount: int
    tax_rate_bp: int
    tax_amount: int
    total: int


@dataclass(frozen=True, slots=True)
class PaymentFacts:
    """A row of `payments`."""

    id: uuid.UUID
    method: PaymentMethod
    amount: int
    change: int
    reference: str


@dataclass(frozen=True, slots=True)
class SaleFacts:
    id: uuid.UUID
    register_id: uuid.UUID
    register_code: str
    shift_id: uuid.UUID | None
    number: int
    cashier_id: uuid.UUID
    customer_id: uuid.UUID | None
    device_id: uuid.UUID | None
    origin: Literal["online", "offline"]
    tax_mode: TaxMode
    note: str
    priced: PricedSale
    settlement: Settlement
    lines: tuple[LineFacts, ...]
    payments: tuple[PaymentFacts, ...]
    movement_ids: tuple[uuid.UUID, ...]
    """One per line, in line order."""
    products: tuple[LockedProduct, ...]
    """The lines' products as read before the sale, in line order."""

    @property
    def invoice_number(self) -> str:
        return f"{self.register_code}-{self.number}"

    @property
    def product_ids(self) -> list[uuid.UUID]:
        """The sale's products, each once, in id order (the order they are locked in)."""
        return sorted({line.product_id for line in self.lines})

    @property
    def deltas(self) -> dict[uuid.UUID, int]:
        """The stock change of each product, in id order."""
        deltas = dict.fromkeys(self.product_ids, 0)
        for line in self.lines:
            deltas[line.product_id] -= line.quantity
        return deltas

    @property
    def audit_after(self) -> dict[str, Any]:
        """The `after` of the sale's audit entry (action `AUDIT_ACTION`, entity `sale`)."""
        return {"invoice_number": self.invoice_number, "total": self.priced.total, "origin": self.origin}

    def sale_row(self, sold_at: datetime | None) -> dict[str, Any]:
        """The row of `sales`, but for `organization_id` (`sold_at` None: the writing statement
        gives the time)."""
        return {
            "id": self.id,
            "register_id": self.register_id,
            "shift_id": self.shift_id,
            "number": self.number,
            "invoice_number": self.invoice_number,
            "cashier_id": self.cashier_id,
            "customer_id": self.customer_id,
            "device_id": self.device_id,
            "status": "completed",
            "origin": self.origin,
            "subtotal": self.priced.subtotal,
            "discount_total": self.priced.discount_total,
            "tax_total": self.priced.tax_total,
            "total": self.priced.total,
            "paid_total": self.settlement.paid_total,
            "change_total": self.settlement.change_total,
            "tax_mode": self.tax_mode,
            "note": self.note,
            "sold_at": sold_at,
        }

    def read(self, sold_at: datetime) -> SaleRead:
        """The sale as `read_sale` answers it right after the write (nothing refunded yet)."""
        return SaleRead(
            id=self.id,
            invoice_number=self.invoice_number,
            number=self.number,
            register_id=self.register_id,
            shift_id=self.shift_id,
            cashier_id=self.cashier_id,
            customer_id=self.customer_id,
            status="completed",
            origin=self.origin,
            tax_mode=self.tax_mode,
            subtotal=self.priced.subtotal,
            discount_total=self.priced.discount_total,
            tax_total=self.priced.tax_total,
            total=self.priced.total,
            paid_total=self.settlement.paid_total,
            change_total=self.settlement.change_total,
            refunded_total=0,
            note=self.note,
            sold_at=sold_at,
            lines=[sale_line_read(line, refunded_quantity=0) for line in self.lines],
            payments=[
                PaymentRead(
                    id=payment.id,
                    method=payment.method,
                    amount=payment.amount,
                    change=payment.change,
                    reference=payment.reference,
                )
                for payment in sorted(self.payments, key=lambda payment: payment.id)
            ],
        )

    def created_event(self, sold_at: datetime) -> dict[str, Any]:
        """The data of `sale.created`: enough for a dashboard to add the sale to its figures
        without reading it back (docs/realtime.md)."""
        return {
            "sale_id": self.id,
            "invoice_number": self.invoice_number,
            "register_id": self.register_id,
            "register_code": self.register_code,
            "cashier_id": self.cashier_id,
            "customer_id": self.customer_id,
            "total": self.priced.total,
            "items": sum(line.quantity for line in self.priced.lines),
            "origin": self.origin,
            "sold_at": sold_at,
            "lines": [
                {"product_id": product.id, "name": product.name, "quantity": line.quantity, "total": line.total}
                for product, line in zip(self.products, self.priced.lines, strict=True)
            ],
        }


class StoredLine(Protocol):
    """A sale line as written (`LineFacts`) or as read back (`SaleLine`)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def position(self) -> int: ...
    @property
    def product_id(self) -> uuid.UUID: ...
    @property
    def quantity(self) -> int: ...
    @property
    def unit_price(self) -> int: ...
    @property
    def list_price(self) -> int: ...
    @property
    def discount(self) -> int: ...
    @property
    def tax_rate_bp(self) -> int: ...
    @property
    def tax_amount(self) -> int: ...
    @property
    def total(self) -> int: ...


def sale_line_read(line: StoredLine, *, refunded_quantity: int) -> SaleLineRead:
    """A sale line as the API answers it."""
    return SaleLineRead(
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
        refunded_quantity=refunded_quantity,
    )


def sale_facts(
    request: SaleRequest,
    *,
    origin: SaleOrigin,
    sale_id: uuid.UUID,
    register_id: uuid.UUID,
    register_code: str,
    number: int,
    shift_id: uuid.UUID | None,
    cashier_id: uuid.UUID,
    tax_mode: TaxMode,
    products: Mapping[uuid.UUID, LockedProduct],
) -> SaleFacts:
    """The facts of `request`, sold from `register_id` as number `number`. `products` holds every
    product of the request's lines. Raises `PricingError` when the amounts do not add up."""
    line_inputs = [
        LineInput(
            quantity=line.quantity,
            unit_price=products[line.product_id].price if line.unit_price is None else line.unit_price,
            tax_rate_bp=products[line.product_id].tax_rate_bp,
            discount=line.discount,
        )
        for line in request.lines
    ]
    priced = price_sale(line_inputs, sale_discount=request.discount, tax_mode=tax_mode)
    settlement = settle(priced.total, [TenderInput(payment.method, payment.amount) for payment in request.payments])
    lines = tuple(
        LineFacts(
            id=new_id(),
            position=position,
            product_id=line.product_id,
            quantity=priced_line.quantity,
            unit_price=priced_line.unit_price,
            list_price=products[line.product_id].price,
            unit_cost=products[line.product_id].cost,
            discount=priced_line.discount + priced_line.sale_discount_share,
            tax_rate_bp=priced_line.tax_rate_bp,
            tax_amount=priced_line.tax_amount,
            total=priced_line.total,
        )
        for position, (line, priced_line) in enumerate(zip(request.lines, priced.lines, strict=True), start=1)
    )
    payments = tuple(
        PaymentFacts(
            id=new_id(),
            method=tender.method,
            amount=tender.amount,
            change=tender.change,
            reference=payment.reference,
        )
        for tender, payment in zip(settlement.tenders, request.payments, strict=True)
    )
    return SaleFacts(
        id=sale_id,
        register_id=register_id,
        register_code=register_code,
        shift_id=shift_id,
        number=number,
        cashier_id=cashier_id,
        customer_id=request.customer_id,
        device_id=origin.device_id if isinstance(origin, Offline) else None,
        origin=origin.name,
        tax_mode=tax_mode,
        note=request.note,
        priced=priced,
        settlement=settlement,
        lines=lines,
        payments=payments,
        movement_ids=tuple(new_id() for _ in lines),
        products=tuple(products[line.product_id] for line in request.lines),
    )
