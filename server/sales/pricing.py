"""Sale arithmetic, in integer minor units. Pure functions: the online sale, the offline sync,
the demo generator and the tests all price a sale here and nowhere else.

Rules (stated, and property-tested):
- A line's base is `quantity × unit_price − line_discount` (the line discount never exceeds
  `quantity × unit_price`).
- The sale discount is shared among lines in proportion to their bases, by the largest-remainder
  method (ties go to the earlier line), so the shares add up to the sale discount exactly; it
  never exceeds the sum of the bases.
- Tax is computed per line on the base after both discounts, rounded half up to the minor unit:
  - `exclusive`: tax = round(base × rate); the line costs base + tax;
  - `inclusive`: prices already include tax; tax = base − round(base / (1 + rate)); the line costs base.
- subtotal = Σ quantity × unit_price; discount_total = Σ line discounts + sale discount;
  total = Σ line totals = subtotal − discount_total (+ tax_total when exclusive).
- Payments: non-cash tenders may not exceed what is due (they can't give change); the sum of
  tenders must cover the total; change = tenders − total, and it never exceeds the cash tendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.sales.schemas import PaymentMethod

BASIS_POINTS = 10_000


class PricingError(ValueError):
    """The sale's numbers are inconsistent; `field` names the offending input."""

    def __init__(self, message: str, field: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.field = field


def round_half_up(numerator: int, denominator: int) -> int:
    """round(numerator / denominator), halves away from zero, for non-negative inputs."""
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True, slots=True)
class LineInput:
    quantity: int
    unit_price: int
    tax_rate_bp: int
    discount: int = 0


@dataclass(frozen=True, slots=True)
class PricedLine:
    quantity: int
    unit_price: int
    tax_rate_bp: int
    discount: int
    sale_discount_share: int
    tax_amount: int
    total: int

    @property
    def gross(self) -> int:
        return self.quantity * self.unit_price


@dataclass(frozen=True, slots=True)
class PricedSale:
    lines: tuple[PricedLine, ...]
    subtotal: int
    discount_total: int
    tax_total: int
    total: int


@dataclass(frozen=True, slots=True)
class TenderInput:
    method: PaymentMethod
    amount: int


@dataclass(frozen=True, slots=True)
class SettledTender:
    method: PaymentMethod
    amount: int
    change: int


@dataclass(frozen=True, slots=True)
class Settlement:
    tenders: tuple[SettledTender, ...]
    paid_total: int
    change_total: int


def allocate(amount: int, weights: Sequence[int]) -> list[int]:
    """Split `amount` in proportion to `weights` (largest remainder; ties to the earlier index)."""
    total_weight = sum(weights)
    if amount == 0 or total_weight == 0:
        return [0] * len(weights)
    shares = [amount * weight // total_weight for weight in weights]
    remainders = [amount * weight % total_weight for weight in weights]
    left = amount - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return shares


def line_tax(base: int, rate_bp: int, tax_mode: str) -> int:
    if tax_mode == "exclusive":
        return round_half_up(base * rate_bp, BASIS_POINTS)
    return base - round_half_up(base * BASIS_POINTS, BASIS_POINTS + rate_bp)


def price_sale(lines: Sequence[LineInput], *, sale_discount: int = 0, tax_mode: str = "inclusive") -> PricedSale:
    if tax_mode not in ("inclusive", "exclusive"):
        raise PricingError("unknown tax mode", ("tax_mode",))
    if not lines:
        raise PricingError("a sale needs at least one line", ("lines",))
    bases: list[int] = []
    for index, line in enumerate(lines):
        if line.quantity <= 0:
            raise PricingError("quantity must be positive", ("lines", index, "quantity"))
        if line.unit_price < 0:
            raise PricingError("price can't be negative", ("lines", index, "unit_price"))
        if not 0 <= line.discount <= line.quantity * line.unit_price:
            raise PricingError("the discount exceeds the line amount", ("lines", index, "discount"))
        bases.append(line.quantity * line.unit_price - line.discount)
    if not 0 <= sale_discount <= sum(bases):
        raise PricingError("the sale discount exceeds the amount of the sale", ("discount",))
    shares = allocate(sale_discount, bases)
    priced: list[PricedLine] = []
    for line, base, share in zip(lines, bases, shares, strict=True):
        taxable = base - share
        tax = line_tax(taxable, line.tax_rate_bp, tax_mode)
        priced.append(
            PricedLine(
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate_bp=line.tax_rate_bp,
                discount=line.discount,
                sale_discount_share=share,
                tax_amount=tax,
                total=taxable + tax if tax_mode == "exclusive" else taxable,
            )
        )
    subtotal = sum(line.gross for line in priced)
    discount_total = sum(line.discount for line in priced) + sale_discount
    tax_total = sum(line.tax_amount for line in priced)
    return PricedSale(
        lines=tuple(priced),
        subtotal=subtotal,
        discount_total=discount_total,
        tax_total=tax_total,
        total=sum(line.total for line in priced),
    )


def settle(total: int, tenders: Sequence[TenderInput]) -> Settlement:
    """Check the tenders against the total and work out the change (given from cash only)."""
    if not tenders:
        raise PricingError("at least one payment is required", ("payments",))
    for index, tender in enumerate(tenders):
        if tender.amount <= 0:
            raise PricingError("a payment must be positive", ("payments", index, "amount"))
    non_cash = sum(t.amount for t in tenders if t.method != "cash")
    cash = sum(t.amount for t in tenders if t.method == "cash")
    if non_cash > total:
        raise PricingError("card, transfer and other payments can't exceed the amount due", ("payments",))
    paid = non_cash + cash
    if paid < total:
        raise PricingError(f"the payments ({paid}) don't cover the total ({total})", ("payments",))
    change = paid - total
    settled: list[SettledTender] = []
    remaining_change = change
    for tender in tenders:
        given = min(tender.amount, remaining_change) if tender.method == "cash" else 0
        remaining_change -= given
        settled.append(SettledTender(method=tender.method, amount=tender.amount, change=given))
    return Settlement(tenders=tuple(settled), paid_total=paid, change_total=change)
