"""What a sale's, refund's or void's printed document shows, already resolved (names, not ids):
the input of `server.documents.pdf.render_pdf`.

Amounts are integers in the currency's minor units. A document's `taxes` are derived from its
lines (`taxes_by_rate`), so the taxes printed always add up to the lines printed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["sale", "refund", "void"]
Layout = Literal["invoice", "receipt"]


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    tax_id: str = ""
    address: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class Line:
    """One line as charged (a sale) or given back (a refund). `discount` is everything taken off
    the line (its own discount and its share of the sale's); `total` is what the line costs, tax
    included; `tax_amount` the tax in it."""

    description: str
    sku: str
    quantity: int
    unit_price: int
    discount: int
    tax_rate_bp: int
    tax_amount: int
    total: int


@dataclass(frozen=True, slots=True)
class Tender:
    method: str
    amount: int
    change: int = 0
    reference: str = ""


@dataclass(frozen=True, slots=True)
class TaxRate:
    rate_bp: int
    base: int
    tax: int


@dataclass(frozen=True, slots=True)
class Document:
    """Everything a sale's or refund's document shows, already resolved (names, not ids).

    For a refund or void, `number` is its own (`{invoice}/D{n}`), `reference` the sale's invoice
    number, the lines what is given back, and `payments` the one method the money went back by."""

    kind: Kind
    number: str
    issued_at: datetime
    seller: Party
    register: str
    cashier: str
    currency: str
    locale: str
    time_zone: str
    tax_mode: str
    lines: tuple[Line, ...]
    subtotal: int
    discount_total: int
    tax_total: int
    total: int
    payments: tuple[Tender, ...]
    paid_total: int
    change_total: int
    customer: Party | None = None
    reference: str = ""
    reason: str = ""
    voided: bool = False
    note: str = ""
    taxes: tuple[TaxRate, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "taxes", taxes_by_rate(self.lines))


def taxes_by_rate(lines: Iterable[Line]) -> tuple[TaxRate, ...]:
    """Net base and tax per rate, highest rate first; the bases and taxes add up to the lines'."""
    rates: dict[int, tuple[int, int]] = {}
    for line in lines:
        base, tax = rates.get(line.tax_rate_bp, (0, 0))
        rates[line.tax_rate_bp] = (base + line.total - line.tax_amount, tax + line.tax_amount)
    return tuple(TaxRate(rate, base, tax) for rate, (base, tax) in sorted(rates.items(), reverse=True))
