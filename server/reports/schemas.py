"""Queries and answers of the reports.

Money is in minor units of the organization's currency, margins in basis points (1234 = 12.34 %).
A period is `[since, until)` in local days of the organization's time zone: `until` is the first
day *not* included, so one day is `since=2025-03-01&until=2025-03-02`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from server.core.schemas import Input, Output
from server.inventory.schemas import LowStockItem

PaymentMethod = Literal["cash", "card", "transfer", "other"]

# Queries


class ReportQuery(Input):
    """A period of local days. Without `until` it ends after today; without `since` it starts 30
    days before `until`. At most 2 years and 1 month long."""

    since: Annotated[date | None, msgspec.Meta(description="First local day included")] = None
    until: Annotated[date | None, msgspec.Meta(description="First local day not included")] = None


class TopProductsQuery(ReportQuery):
    by: Annotated[Literal["units", "revenue"], msgspec.Meta(description="Rank by units sold or net revenue")] = "units"
    limit: Annotated[int, msgspec.Meta(ge=1, le=100)] = 10


class ValuationQuery(Input):
    category_id: Annotated[uuid.UUID | None, msgspec.Meta(description="Only this category and its subcategories")] = (
        None
    )


# Shared parts


class ReportPeriod(Output):
    since: date
    until: date
    time_zone: str
    currency: str


class SalesFigures(Output):
    """Completed sales in the period (voided ones are left out, as are their voids).

    `gross` is Σ quantity × unit price; `total` is what customers paid (`gross − discounts`,
    plus `tax` when prices exclude it); `net` is `total − tax`. `refunds` is the money given
    back by refunds made in the period (tax included), whatever day the sale was."""

    sales_count: int
    items: int
    gross: int
    discounts: int
    tax: int
    total: int
    net: int
    refunds_count: int
    refunds: int


# Sales by dimension


class DayRow(SalesFigures):
    day: date


class SalesByDay(Output):
    period: ReportPeriod
    rows: list[DayRow]
    totals: SalesFigures


class HourRow(SalesFigures):
    hour: Annotated[int, msgspec.Meta(ge=0, le=23, description="Local hour of the day")]


class SalesByHour(Output):
    period: ReportPeriod
    rows: list[HourRow]
    totals: SalesFigures


class RegisterRow(SalesFigures):
    register_id: uuid.UUID
    register_code: str
    register_name: str


class SalesByRegister(Output):
    period: ReportPeriod
    rows: list[RegisterRow]
    totals: SalesFigures


class CashierRow(SalesFigures):
    """Sales rung up by the cashier; `refunds` are the refunds they made."""

    cashier_id: uuid.UUID
    cashier_name: str


class SalesByCashier(Output):
    period: ReportPeriod
    rows: list[CashierRow]
    totals: SalesFigures


class CategoryRow(SalesFigures):
    """A category's share of the sales (the products' current category; `null` is uncategorized).
    `sales_count` counts the sales with at least one line of the category, so the rows' counts
    can add up to more than the total."""

    category_id: uuid.UUID | None
    category_name: str | None


class SalesByCategory(Output):
    period: ReportPeriod
    rows: list[CategoryRow]
    totals: SalesFigures


class PaymentFigures(Output):
    """`amount` is what the method took (tendered minus change); `refunds` what was given back
    through it; `net = amount − refunds`."""

    payments_count: int
    sales_count: int
    amount: int
    refunds_count: int
    refunds: int
    net: int


class PaymentMethodRow(PaymentFigures):
    method: PaymentMethod


class SalesByPaymentMethod(Output):
    period: ReportPeriod
    rows: list[PaymentMethodRow]
    totals: PaymentFigures


# Products and margins


class TopProductRow(Output):
    rank: int
    product_id: uuid.UUID
    sku: str
    name: str
    category_id: uuid.UUID | None
    category_name: str | None
    units: int
    sales_count: int
    total: int
    net: int
    refunded_units: int
    refunds: int


class TopProducts(Output):
    period: ReportPeriod
    by: Literal["units", "revenue"]
    rows: list[TopProductRow]


class MarginFigures(Output):
    """`net` is revenue without tax, `cost` is Σ quantity × the unit cost at the time of sale,
    `margin = net − cost`, `margin_bp` is the margin over net in basis points (null without revenue).
    Refunds are not netted out: whether their cost comes back depends on the goods being restocked."""

    units: int
    net: int
    cost: int
    margin: int
    margin_bp: int | None


class CategoryMarginRow(MarginFigures):
    category_id: uuid.UUID | None
    category_name: str | None


class GrossMargin(Output):
    period: ReportPeriod
    totals: MarginFigures
    rows: list[CategoryMarginRow]


class ValuationRow(Output):
    """`value` is stock × cost, `retail_value` stock × price; negative stock is valued at 0 and
    flagged, because it means a count or a receipt is missing."""

    product_id: uuid.UUID
    sku: str
    name: str
    category_id: uuid.UUID | None
    category_name: str | None
    is_active: bool
    stock: int
    unit_cost: int
    price: int
    value: int
    retail_value: int
    negative_stock: bool


class ValuationTotals(Output):
    products: int
    units: int
    value: int
    retail_value: int
    negative_stock_products: int


class InventoryValuation(Output):
    """Stock on hand now, of active products and of inactive ones that still hold stock."""

    as_of: datetime
    currency: str
    category_id: uuid.UUID | None
    totals: ValuationTotals
    rows: list[ValuationRow]


# Shifts


class ShiftRow(Output):
    """A shift opened in the period, with all its sales and refunds. `cash_expected` is the
    count's expected cash for a closed shift and what the drawer should hold now for an open
    one; `cash_counted`, `cash_difference` and `difference` (all methods) exist once closed."""

    shift_id: uuid.UUID
    register_id: uuid.UUID
    register_code: str
    status: Literal["open", "closed"]
    opened_at: datetime
    closed_at: datetime | None
    opened_by: uuid.UUID
    opened_by_name: str
    closed_by: uuid.UUID | None
    closed_by_name: str | None
    opening_float: int
    sales_count: int
    sales_total: int
    refunds_count: int
    refunds_total: int
    cash_expected: int
    cash_counted: int | None
    cash_difference: int | None
    difference: int | None


class ShiftTotals(Output):
    shifts: int
    open_shifts: int
    sales_count: int
    sales_total: int
    refunds_count: int
    refunds_total: int
    cash_difference: int
    difference: int


class ShiftsReport(Output):
    period: ReportPeriod
    rows: list[ShiftRow]
    totals: ShiftTotals


# The managers' live dashboard


class TodayFigures(Output):
    """Today's completed sales (a voided sale drops out) and the refunds made today.

    `revenue = sales_total − refunds`, tax included: the money taken today, net of what was given
    back (whatever day the refunded sale was). `average_ticket` is `sales_total / tickets`,
    rounded; `units` the quantity sold on today's sales' lines."""

    revenue: int
    sales_total: int
    refunds: int
    refunds_count: int
    tickets: int
    average_ticket: int
    units: int


class HourFigures(Output):
    """One local hour: `revenue` is the sales minus the refunds of that hour, `tickets` the sales."""

    hour: Annotated[int, msgspec.Meta(ge=0, le=23, description="Local hour of the day")]
    revenue: int
    tickets: int


class DashboardProduct(Output):
    """A best seller of today: `units` and `revenue` (line totals, tax included) of today's
    completed sales, before refunds."""

    product_id: uuid.UUID
    name: str
    units: int
    revenue: int


class LowStockSummary(Output):
    """Active products at or below their reorder point: how many, and the first ten (furthest
    below first, as `GET /api/v1/inventory/low-stock` lists them)."""

    count: int
    items: list[LowStockItem]


class DashboardRegister(Output):
    """An active register and its presence: `online` while a POS socket of it is connected;
    `queued_sales` is what that POS last reported holding unsynced; `presence_version` orders
    the `register.presence` events (apply one only if its `version` is greater)."""

    register_id: uuid.UUID
    code: str
    name: str
    open_shift_id: uuid.UUID | None
    online: bool
    last_seen_at: datetime | None
    queued_sales: int
    presence_version: int


class Dashboard(Output):
    """The managers' live dashboard as of `as_of`; `day` is today in the organization's time zone
    and `last_week_day` the same weekday a week before. `hours_today` and `hours_last_week` hold
    the 24 local hours each. docs/realtime.md says which events update which figure."""

    as_of: datetime
    day: date
    last_week_day: date
    time_zone: str
    currency: str
    today: TodayFigures
    hours_today: list[HourFigures]
    hours_last_week: list[HourFigures]
    top_products: list[DashboardProduct]
    low_stock: LowStockSummary
    open_conflicts: int
    registers: list[DashboardRegister]
    counted_sales: list[uuid.UUID]
    """Today's sales written shortly before `as_of`: already in the figures, though their
    `sale.created` events may be published after `as_of` (skip those events)."""
    counted_refunds: list[uuid.UUID]
    """The same for refunds and voids (`sale.refunded`, `sale.voided` by `refund_id`)."""
