"""Properties of sale arithmetic: totals add up after discounts and taxes, payments cover the
total with the right change, refunds never exceed what was sold."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.sales.pricing import LineInput, PricingError, TenderInput, allocate, price_sale, round_half_up, settle
from server.sales.refunds import refund_share

line_inputs = st.builds(
    lambda quantity, price, rate, discount_share: LineInput(
        quantity=quantity, unit_price=price, tax_rate_bp=rate, discount=(quantity * price * discount_share) // 100
    ),
    st.integers(1, 50),
    st.integers(0, 2_000_000),
    st.sampled_from([0, 500, 1000, 1900, 2100, 2500]),
    st.integers(0, 100),
)


@given(st.lists(line_inputs, min_size=1, max_size=8), st.integers(0, 100), st.sampled_from(["inclusive", "exclusive"]))
def test_totals_add_up(lines: list[LineInput], discount_percent: int, tax_mode: str) -> None:
    bases = sum(line.quantity * line.unit_price - line.discount for line in lines)
    sale_discount = bases * discount_percent // 100
    priced = price_sale(lines, sale_discount=sale_discount, tax_mode=tax_mode)
    assert priced.total == sum(line.total for line in priced.lines)
    assert priced.subtotal == sum(line.quantity * line.unit_price for line in lines)
    assert priced.discount_total == sum(line.discount for line in lines) + sale_discount
    assert sum(line.sale_discount_share for line in priced.lines) == sale_discount
    assert priced.tax_total == sum(line.tax_amount for line in priced.lines)
    if tax_mode == "exclusive":
        assert priced.total == priced.subtotal - priced.discount_total + priced.tax_total
    else:
        assert priced.total == priced.subtotal - priced.discount_total
    for line in priced.lines:
        taxable = line.gross - line.discount - line.sale_discount_share
        assert taxable >= 0 and line.tax_amount >= 0
        if tax_mode == "exclusive":
            assert line.tax_amount == round_half_up(taxable * line.tax_rate_bp, 10_000)
        else:
            assert line.tax_amount <= taxable
            assert (
                abs(line.tax_amount * (10_000 + line.tax_rate_bp) - taxable * line.tax_rate_bp)
                <= 10_000 + line.tax_rate_bp
            )


def test_stated_rounding_examples() -> None:
    inclusive = price_sale([LineInput(quantity=1, unit_price=1000, tax_rate_bp=1900)])
    assert (inclusive.total, inclusive.tax_total) == (1000, 160)
    exclusive = price_sale([LineInput(quantity=1, unit_price=1005, tax_rate_bp=1900)], tax_mode="exclusive")
    assert (exclusive.tax_total, exclusive.total) == (191, 1196)
    halves = price_sale([LineInput(quantity=1, unit_price=50, tax_rate_bp=1000)], tax_mode="exclusive")
    assert halves.tax_total == 5
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]


@given(
    st.integers(0, 10**9),
    st.lists(
        st.tuples(st.sampled_from(["cash", "card", "transfer", "other"]), st.integers(1, 10**9)), min_size=1, max_size=4
    ),
)
def test_payments_cover_the_total_and_change_comes_from_cash(total: int, tenders: list[tuple[str, int]]) -> None:
    inputs = [TenderInput(method, amount) for method, amount in tenders]
    non_cash = sum(amount for method, amount in tenders if method != "cash")
    paid = sum(amount for _, amount in tenders)
    if non_cash > total or paid < total:
        with pytest.raises(PricingError):
            settle(total, inputs)
        return
    settlement = settle(total, inputs)
    assert settlement.paid_total == paid >= total
    assert settlement.change_total == paid - total
    assert sum(t.change for t in settlement.tenders) == settlement.change_total
    assert all(t.change == 0 for t in settlement.tenders if t.method != "cash")
    assert all(0 <= t.change <= t.amount for t in settlement.tenders)


@given(st.integers(0, 10**9), st.integers(1, 100), st.data())
def test_refunds_never_exceed_the_line(line_total: int, quantity: int, data: st.DataObject) -> None:
    refunded = 0
    money = 0
    while refunded < quantity:
        step = data.draw(st.integers(1, quantity - refunded))
        share = refund_share(line_total, quantity, refunded, step)
        assert share >= 0
        money += share
        refunded += step
        assert money <= line_total
    assert money == line_total


def test_inconsistent_inputs_are_refused() -> None:
    with pytest.raises(PricingError):
        price_sale([LineInput(quantity=0, unit_price=100, tax_rate_bp=0)])
    with pytest.raises(PricingError):
        price_sale([LineInput(quantity=1, unit_price=100, tax_rate_bp=0, discount=101)])
    with pytest.raises(PricingError):
        price_sale([LineInput(quantity=1, unit_price=100, tax_rate_bp=0)], sale_discount=101)
    with pytest.raises(PricingError):
        price_sale([])
