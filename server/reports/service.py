"""Reports: sales by day, hour, register, cashier, payment method and category; top products;
gross margin; inventory valuation at cost; shifts. Each as a JSON answer and a CSV table.

Reports own no tables, so this domain has no `models.py`: they read the sales, catalog and
inventory tables.

Invariants:
- Each report is one SQL statement that aggregates in the database (after a transaction-local
  `work_mem`/`jit` setting); Python only shapes the rows. Sums are cast to bigint so money stays
  integer minor units. Totals rows come from the same statement (grouping sets or window sums),
  so a count that is not additive (a sale in two categories) is still right in the totals.
- A period is `[since, until)` in local days of the organization's time zone. The statement
  turns the two local midnights into instants (`date::timestamp at time zone tz`), so the
  `(organization_id, sold_at)` index serves the filter, and buckets by
  `(sold_at at time zone tz)`, so days and hours are local. PostgreSQL's zone data does both,
  so a sale is in the period exactly when its local day is.
- Sales count only when `completed`; a voided sale and its void both drop out. Refunds (kind
  `refund`) are counted on their own local day, in their own column, whatever day the sale was.
- Money from sale lines: `gross = Σ quantity × unit_price`, `net = Σ (total − tax_amount)`
  (a line's `discount` already holds its share of the sale discount), `cost = Σ quantity ×
  unit_cost` (the cost when sold); so per-category figures add up to the per-day ones.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import text

from server.core.context import Context, Tenant
from server.core.errors import FieldError, NotFound, ValidationFailed
from server.core.money import format_amount, minor_units
from server.reports.schemas import (
    CashierRow,
    CategoryMarginRow,
    CategoryRow,
    DayRow,
    GrossMargin,
    HourRow,
    InventoryValuation,
    MarginFigures,
    PaymentFigures,
    PaymentMethodRow,
    RegisterRow,
    ReportPeriod,
    ReportQuery,
    SalesByCashier,
    SalesByCategory,
    SalesByDay,
    SalesByHour,
    SalesByPaymentMethod,
    SalesByRegister,
    SalesFigures,
    ShiftRow,
    ShiftsReport,
    ShiftTotals,
    TopProductRow,
    TopProducts,
    TopProductsQuery,
    ValuationQuery,
    ValuationRow,
    ValuationTotals,
)

DEFAULT_DAYS = 30
MAX_MONTHS = 25  # two years and a month: a year-on-year comparison of a whole month fits
EARLIEST = date(1900, 1, 1)
LATEST = date(9000, 12, 31)


# Periods


@dataclass(frozen=True, slots=True)
class Period:
    """Resolved `[since, until)` local days; `params` are the statement's common parameters."""

    since: date
    until: date
    time_zone: str
    organization_id: uuid.UUID
    currency: str

    @property
    def params(self) -> dict[str, Any]:
        return {"organization_id": self.organization_id, "since": self.since, "until": self.until, "tz": self.time_zone}

    def describe(self) -> ReportPeriod:
        return ReportPeriod(since=self.since, until=self.until, time_zone=self.time_zone, currency=self.currency)


def _query_error(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(loc=["query", field], msg=message)])


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month (Jan 31 + 1 → Feb 28/29)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def resolve_period(tenant: Tenant, query: ReportQuery, *, today: date | None = None) -> Period:
    """The period a query asks for. Without `until` it ends after today (local); without `since`
    it starts `DEFAULT_DAYS` before `until`. Reversed or longer than `MAX_MONTHS` → 422."""
    for field in ("since", "until"):
        value = getattr(query, field)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise _query_error(field, f"must be between {EARLIEST} and {LATEST}")
    today = today or datetime.now(ZoneInfo(tenant.time_zone)).date()
    until = query.until or today + timedelta(days=1)
    since = query.since or until - timedelta(days=DEFAULT_DAYS)
    if since > until:
        raise _query_error("since", f"must not be after until ({until})")
    if until > add_months(since, MAX_MONTHS):
        raise _query_error("until", "a report may span at most 2 years and 1 month")
    return Period(
        since=since, until=until, time_zone=tenant.time_zone, organization_id=tenant.id, currency=tenant.currency
    )


def _period(ctx: Context, query: ReportQuery) -> Period:
    assert ctx.tenant is not None
    return resolve_period(ctx.tenant, query)


# SQL building blocks. Only these trusted fragments are formatted into statements; every value
# is a bound parameter. Distinct counts hash narrow pairs (`select distinct a, b`) rather than
# use `count(distinct …)`, which sorts every row of the period.

_START = "(cast(:since as date)::timestamp at time zone :tz)"
_END = "(cast(:until as date)::timestamp at time zone :tz)"
_COMPLETED_IN_PERIOD = (
    f"s.organization_id = :organization_id and s.status = 'completed' and s.sold_at >= {_START} and s.sold_at < {_END}"
)
_REFUNDS_IN_PERIOD = (
    f"r.organization_id = :organization_id and r.kind = 'refund' and r.refunded_at >= {_START} "
    f"and r.refunded_at < {_END}"
)
_SALES = f"sales s where {_COMPLETED_IN_PERIOD}"
_SALE_LINES = (
    "sales s join sale_lines l on l.organization_id = s.organization_id and l.sale_id = s.id "
    f"where {_COMPLETED_IN_PERIOD}"
)
_SALE_LINE_PRODUCTS = (
    "sales s join sale_lines l on l.organization_id = s.organization_id and l.sale_id = s.id "
    "join products p on p.organization_id = l.organization_id and p.id = l.product_id "
    f"where {_COMPLETED_IN_PERIOD}"
)
_REFUNDS = f"refunds r where {_REFUNDS_IN_PERIOD}"
_REFUND_LINE_PRODUCTS = (
    "refunds r join refund_lines rl on rl.organization_id = r.organization_id and rl.refund_id = r.id "
    "join products p on p.organization_id = rl.organization_id and p.id = rl.product_id "
    f"where {_REFUNDS_IN_PERIOD}"
)
_DAYS = (
    "select cast(:since as date) + n as key "
    "from generate_series(0, cast(:until as date) - cast(:since as date) - 1) as n"
)
_HOURS = "select hour as key from generate_series(0, 23) as hour"

# The sales figures of a report come from a few partial aggregates, each already grouped by the
# report's key: the sales (their count), their lines (money and units), the refunds. They are
# stacked with zeros where a part adds nothing, and summed once more with grouping sets, which
# adds the totals row; no separately aggregated tables are joined back together. A sale's key is
# computed once per sale (`sold`), not once per line: time-zone conversion is not free.
_FIGURE_COLUMNS = "key, sales, items, gross, discounts, tax, total, refunds_count, refunds"
_LINE_SUMS = "sum(l.quantity), sum(l.quantity * l.unit_price), sum(l.discount), sum(l.tax_amount), sum(l.total)"

_SALES_FIGURES = """
with {prelude},
parts ({columns}) as (
    {parts}
),
figures as (
    select key, grouping(key) = 1 as is_total, coalesce(sum(sales), 0) as sales, coalesce(sum(items), 0) as items,
           coalesce(sum(gross), 0) as gross, coalesce(sum(discounts), 0) as discounts, coalesce(sum(tax), 0) as tax,
           coalesce(sum(total), 0) as total, coalesce(sum(refunds_count), 0) as refunds_count,
           coalesce(sum(refunds), 0) as refunds
    from parts
    group by grouping sets ((key), ())
)
select f.is_total, f.key {label_columns},
       {sales_count}::bigint as sales_count, f.items::bigint as items, f.gross::bigint as gross,
       f.discounts::bigint as discounts, f.tax::bigint as tax, f.total::bigint as total,
       (f.total - f.tax)::bigint as net, f.refunds_count::bigint as refunds_count, f.refunds::bigint as refunds
from figures f
{label_joins}
order by f.is_total, {order}
"""


def _sales_figures_sql(
    prelude: str,
    parts: list[str],
    *,
    sales_count: str = "f.sales",
    label_columns: str = "",
    label_joins: str = "",
    order: str = "f.key",
) -> str:
    """One statement giving `SalesFigures` per key, and the totals row (`is_total`). `prelude`
    holds the CTEs the parts read; each part is a `select` of `_FIGURE_COLUMNS` grouped by key."""
    return _SALES_FIGURES.format(
        prelude=prelude,
        columns=_FIGURE_COLUMNS,
        parts="\n    union all ".join(parts),
        sales_count=sales_count,
        label_columns=label_columns,
        label_joins=label_joins,
        order=order,
    )


def _per_sale_key(sale_key: str, refund_key: str, *, keys: str | None = None, **options: str) -> str:
    """Sales figures by a property of the sale (its local day or hour, register, cashier) and
    refunds by the same property of the refund; `keys` lists rows to show even without activity."""
    parts = [
        "select key, count(*), 0, 0, 0, 0, 0, 0, 0 from sold group by key",
        f"select sold.key, 0, {_LINE_SUMS}, 0, 0 from sold "
        "join sale_lines l on l.organization_id = :organization_id and l.sale_id = sold.id group by sold.key",
        f"select {refund_key}, 0, 0, 0, 0, 0, 0, count(*), sum(r.total) from {_REFUNDS} group by 1",
    ]
    if keys is not None:
        parts.append(f"select key, 0, 0, 0, 0, 0, 0, 0, 0 from ({keys}) as keys")
    prelude = f"sold as materialized (select s.id, {sale_key} as key from {_SALES})"
    return _sales_figures_sql(prelude, parts, **options)


SALES_BY_DAY = text(
    _per_sale_key("(s.sold_at at time zone :tz)::date", "(r.refunded_at at time zone :tz)::date", keys=_DAYS)
)

SALES_BY_HOUR = text(
    _per_sale_key(
        "extract(hour from s.sold_at at time zone :tz)::integer",
        "extract(hour from r.refunded_at at time zone :tz)::integer",
        keys=_HOURS,
    )
)

SALES_BY_REGISTER = text(
    _per_sale_key(
        "s.register_id",
        "r.register_id",
        label_columns=", g.code as register_code, g.name as register_name",
        label_joins="left join registers g on g.organization_id = :organization_id and g.id = f.key",
        order="g.code",
    )
)

SALES_BY_CASHIER = text(
    _per_sale_key(
        "s.cashier_id",
        "r.actor_id",
        label_columns=", u.full_name as cashier_name",
        label_joins="left join users u on u.organization_id = :organization_id and u.id = f.key",
        order="f.total desc, u.full_name, f.key",
    )
)

# A sale counts once in each category it has lines of (distinct pairs), so the totals row
# counts the sales themselves. The period's lines are joined to their products once, read twice.
SALES_BY_CATEGORY = text(
    _sales_figures_sql(
        "lines as materialized (select p.category_id, s.id as sale_id, l.quantity, l.unit_price, l.discount, "
        f"l.tax_amount, l.total from {_SALE_LINE_PRODUCTS})",
        [
            "select category_id, count(*), 0, 0, 0, 0, 0, 0, 0 "
            "from (select distinct category_id, sale_id from lines) as pairs group by category_id",
            "select category_id, 0, sum(quantity), sum(quantity * unit_price), sum(discount), sum(tax_amount), "
            "sum(total), 0, 0 from lines group by category_id",
            "select p.category_id, 0, 0, 0, 0, 0, 0, count(distinct r.id), sum(rl.amount) "
            f"from {_REFUND_LINE_PRODUCTS} group by p.category_id",
        ],
        sales_count=f"case when f.is_total then (select count(*) from {_SALES}) else f.sales end",
        label_columns=", c.name as category_name",
        label_joins="left join categories c on c.organization_id = :organization_id and c.id = f.key",
        order="f.total - f.tax desc, c.name nulls last",
    )
)

# Likewise a sale paid with two methods counts once under each.
SALES_BY_PAYMENT_METHOD = text(f"""
with paid as materialized (
    select p.method, p.sale_id, p.amount - p.change as amount
    from sales s join payments p on p.organization_id = s.organization_id and p.sale_id = s.id
    where {_COMPLETED_IN_PERIOD}
),
parts (key, payments, sales, amount, refunds_count, refunds) as (
    select method, count(*), 0, sum(amount), 0, 0 from paid group by method
    union all select method, 0, count(*), 0, 0, 0 from (select distinct method, sale_id from paid) as pairs
              group by method
    union all select r.method, 0, 0, 0, count(*), sum(r.total) from {_REFUNDS} group by r.method
),
figures as (
    select key, grouping(key) = 1 as is_total, coalesce(sum(payments), 0) as payments,
           coalesce(sum(sales), 0) as sales, coalesce(sum(amount), 0) as amount,
           coalesce(sum(refunds_count), 0) as refunds_count, coalesce(sum(refunds), 0) as refunds
    from parts
    group by grouping sets ((key), ())
)
select f.is_total, f.key as method, f.payments::bigint as payments_count,
       (case when f.is_total then (select count(*) from {_SALES}) else f.sales end)::bigint as sales_count,
       f.amount::bigint as amount, f.refunds_count::bigint as refunds_count, f.refunds::bigint as refunds,
       (f.amount - f.refunds)::bigint as net
from figures f
order by f.is_total, f.amount desc, f.key
""")

_TOP_PRODUCTS = f"""
with lines as materialized (
    select l.product_id, l.sale_id, l.quantity, l.total, l.tax_amount from {_SALE_LINES}
),
sold as (
    select product_id, sum(quantity) as units, sum(total) as total, sum(total - tax_amount) as net
    from lines
    group by product_id
),
ranked as (
    select row_number() over (order by {{order}}) as rank, sold.*, p.sku, p.name, p.category_id
    from sold
    join products p on p.organization_id = :organization_id and p.id = sold.product_id
    order by rank
    limit :limit
),
tickets as (
    select product_id, count(*) as sales_count
    from (select distinct product_id, sale_id from lines where product_id in (select product_id from ranked)) as pairs
    group by product_id
),
refunded as (
    select rl.product_id, sum(rl.quantity) as units, sum(rl.amount) as amount
    from refunds r
    join refund_lines rl on rl.organization_id = r.organization_id and rl.refund_id = r.id
    where {_REFUNDS_IN_PERIOD} and rl.product_id in (select product_id from ranked)
    group by rl.product_id
)
select ranked.rank, ranked.product_id, ranked.sku, ranked.name, ranked.category_id, c.name as category_name,
       ranked.units::bigint as units, tickets.sales_count, ranked.total::bigint as total, ranked.net::bigint as net,
       coalesce(refunded.units, 0)::bigint as refunded_units, coalesce(refunded.amount, 0)::bigint as refunds
from ranked
join tickets on tickets.product_id = ranked.product_id
left join categories c on c.organization_id = :organization_id and c.id = ranked.category_id
left join refunded on refunded.product_id = ranked.product_id
order by ranked.rank
"""

TOP_PRODUCTS = {
    "units": text(_TOP_PRODUCTS.format(order="sold.units desc, sold.net desc, p.sku")),
    "revenue": text(_TOP_PRODUCTS.format(order="sold.net desc, sold.units desc, p.sku")),
}

GROSS_MARGIN = text(f"""
with per_product as (
    select l.product_id, sum(l.quantity) as units, sum(l.total - l.tax_amount) as net,
           sum(l.quantity * l.unit_cost) as cost
    from {_SALE_LINES}
    group by l.product_id
),
per_category as (
    select p.category_id, grouping(p.category_id) = 1 as is_total, sum(m.units) as units, sum(m.net) as net,
           sum(m.cost) as cost
    from per_product m
    join products p on p.organization_id = :organization_id and p.id = m.product_id
    group by grouping sets ((p.category_id), ())
)
select m.is_total, m.category_id, c.name as category_name, coalesce(m.units, 0)::bigint as units,
       coalesce(m.net, 0)::bigint as net, coalesce(m.cost, 0)::bigint as cost,
       coalesce(m.net - m.cost, 0)::bigint as margin,
       round((m.net - m.cost) * 10000.0 / nullif(m.net, 0))::integer as margin_bp
from per_category m
left join categories c on c.organization_id = :organization_id and c.id = m.category_id
order by m.is_total, coalesce(m.net - m.cost, 0) desc, c.name nulls last
""")

INVENTORY_VALUATION = text("""
with recursive scope as (
    select id from categories where organization_id = :organization_id and id = cast(:category_id as uuid)
    union
    select c.id from categories c join scope on c.parent_id = scope.id where c.organization_id = :organization_id
),
valued as (
    select p.id as product_id, p.sku, p.name, p.category_id, p.is_active, p.stock, p.cost as unit_cost, p.price,
           greatest(p.stock, 0) * p.cost as value, greatest(p.stock, 0) * p.price as retail_value,
           p.stock < 0 as negative_stock
    from products p
    where p.organization_id = :organization_id and (p.is_active or p.stock <> 0)
      and (cast(:category_id as uuid) is null or p.category_id in (select id from scope))
)
select v.*, c.name as category_name,
       count(*) over () as total_products, sum(greatest(v.stock, 0)) over ()::bigint as total_units,
       sum(v.value) over ()::bigint as total_value, sum(v.retail_value) over ()::bigint as total_retail_value,
       count(*) filter (where v.negative_stock) over () as total_negative
from valued v
left join categories c on c.organization_id = :organization_id and c.id = v.category_id
order by v.value desc, v.sku
""")

CATEGORY_EXISTS = text("select 1 from categories where organization_id = :organization_id and id = :category_id")

# `chosen` is inlined (not materialized) so that each use is planned with the shifts table's
# statistics; a materialized CTE has none, and the planner then nests loops over thousands of shifts.
SHIFTS = text(f"""
with chosen as not materialized (
    select sh.* from shifts sh
    where sh.organization_id = :organization_id and sh.opened_at >= {_START} and sh.opened_at < {_END}
),
sold as (
    select s.shift_id, count(*) as sales_count, sum(s.total) as sales_total
    from sales s
    where s.organization_id = :organization_id and s.status = 'completed'
      and s.shift_id in (select id from chosen)
    group by s.shift_id
),
cash_taken as (
    select s.shift_id, sum(p.amount - p.change) as amount
    from sales s
    join payments p on p.organization_id = s.organization_id and p.sale_id = s.id and p.method = 'cash'
    where s.organization_id = :organization_id and s.status = 'completed'
      and s.shift_id in (select id from chosen where status = 'open')
    group by s.shift_id
),
refunded as (
    select r.shift_id, count(*) as refunds_count, sum(r.total) as refunds_total,
           coalesce(sum(r.total) filter (where r.method = 'cash'), 0) as cash_refunds
    from refunds r
    where r.organization_id = :organization_id and r.kind = 'refund' and r.shift_id in (select id from chosen)
    group by r.shift_id
),
moved as (
    select m.shift_id, sum(m.amount) as amount
    from shift_cash_movements m
    where m.organization_id = :organization_id and m.shift_id in (select id from chosen where status = 'open')
    group by m.shift_id
),
counted as (
    select sc.shift_id, sum(sc.expected) filter (where sc.method = 'cash') as cash_expected,
           sum(sc.counted) filter (where sc.method = 'cash') as cash_counted,
           sum(sc.difference) filter (where sc.method = 'cash') as cash_difference,
           sum(sc.difference) as difference
    from shift_counts sc
    where sc.organization_id = :organization_id and sc.shift_id in (select id from chosen where status = 'closed')
    group by sc.shift_id
),
shift_rows as (
    select ch.id as shift_id, ch.register_id, g.code as register_code, ch.status, ch.opened_at, ch.closed_at,
           ch.opened_by, opener.full_name as opened_by_name, ch.closed_by, closer.full_name as closed_by_name,
           ch.opening_float, coalesce(sold.sales_count, 0) as sales_count,
           coalesce(sold.sales_total, 0)::bigint as sales_total, coalesce(refunded.refunds_count, 0) as refunds_count,
           coalesce(refunded.refunds_total, 0)::bigint as refunds_total,
           case when ch.status = 'closed' then counted.cash_expected
                else ch.opening_float + coalesce(cash_taken.amount, 0) - coalesce(refunded.cash_refunds, 0)
                     + coalesce(moved.amount, 0)
           end::bigint as cash_expected,
           counted.cash_counted::bigint as cash_counted, counted.cash_difference::bigint as cash_difference,
           counted.difference::bigint as difference
    from chosen ch
    join registers g on g.organization_id = :organization_id and g.id = ch.register_id
    join users opener on opener.organization_id = :organization_id and opener.id = ch.opened_by
    left join users closer on closer.organization_id = :organization_id and closer.id = ch.closed_by
    left join sold on sold.shift_id = ch.id
    left join cash_taken on cash_taken.shift_id = ch.id
    left join refunded on refunded.shift_id = ch.id
    left join moved on moved.shift_id = ch.id
    left join counted on counted.shift_id = ch.id
)
select shift_rows.*,
       count(*) over () as total_shifts, count(*) filter (where status = 'open') over () as total_open,
       sum(sales_count) over ()::bigint as total_sales_count, sum(sales_total) over ()::bigint as total_sales,
       sum(refunds_count) over ()::bigint as total_refunds_count,
       sum(refunds_total) over ()::bigint as total_refunds,
       coalesce(sum(cash_difference) over (), 0)::bigint as total_cash_difference,
       coalesce(sum(difference) over (), 0)::bigint as total_difference
from shift_rows
order by opened_at, shift_id
""")


# Running the statements

# For this transaction only (like `app.org_id`, so nothing leaks to the pooled connection): more
# memory for the hashes and sorts of a period's rows, which would otherwise spill to disk at the
# 4 MB default, and no JIT, whose compilation is triggered by the planner's cost estimate and
# costs more than it saves on statements that run in well under a second.
ANALYTIC_SETTINGS = text("select set_config('work_mem', '16MB', true), set_config('jit', 'off', true)")


async def _aggregate(ctx: Context, statement: Any, params: dict[str, Any]) -> Sequence[Any]:
    await ctx.session.execute(ANALYTIC_SETTINGS)
    return (await ctx.session.execute(statement, params)).all()


RowT = TypeVar("RowT")
FIGURES = ("sales_count", "items", "gross", "discounts", "tax", "total", "net", "refunds_count", "refunds")


def _figures(row: Any) -> dict[str, int]:
    return {name: int(getattr(row, name)) for name in FIGURES}


async def _figures_report(
    ctx: Context, period: Period, statement: Any, make_row: Callable[[Any], RowT]
) -> tuple[list[RowT], SalesFigures]:
    rows = await _aggregate(ctx, statement, period.params)
    totals = next(row for row in rows if row.is_total)
    return [make_row(row) for row in rows if not row.is_total], SalesFigures(**_figures(totals))


async def sales_by_day(ctx: Context, query: ReportQuery) -> SalesByDay:
    """Every local day of the period, days without sales included."""
    period = _period(ctx, query)
    rows, totals = await _figures_report(ctx, period, SALES_BY_DAY, lambda row: DayRow(day=row.key, **_figures(row)))
    return SalesByDay(period=period.describe(), rows=rows, totals=totals)


async def sales_by_hour(ctx: Context, query: ReportQuery) -> SalesByHour:
    """The 24 local hours of the day, summed over the period's days."""
    period = _period(ctx, query)
    rows, totals = await _figures_report(ctx, period, SALES_BY_HOUR, lambda row: HourRow(hour=row.key, **_figures(row)))
    return SalesByHour(period=period.describe(), rows=rows, totals=totals)


async def sales_by_register(ctx: Context, query: ReportQuery) -> SalesByRegister:
    """Registers that sold or refunded in the period, by code."""
    period = _period(ctx, query)
    rows, totals = await _figures_report(
        ctx,
        period,
        SALES_BY_REGISTER,
        lambda row: RegisterRow(
            register_id=row.key, register_code=row.register_code, register_name=row.register_name, **_figures(row)
        ),
    )
    return SalesByRegister(period=period.describe(), rows=rows, totals=totals)


async def sales_by_cashier(ctx: Context, query: ReportQuery) -> SalesByCashier:
    """Cashiers who sold or refunded in the period, by total sold."""
    period = _period(ctx, query)
    rows, totals = await _figures_report(
        ctx,
        period,
        SALES_BY_CASHIER,
        lambda row: CashierRow(cashier_id=row.key, cashier_name=row.cashier_name, **_figures(row)),
    )
    return SalesByCashier(period=period.describe(), rows=rows, totals=totals)


async def sales_by_category(ctx: Context, query: ReportQuery) -> SalesByCategory:
    """Categories (by the products' current category) by net revenue; uncategorized is a row of its own."""
    period = _period(ctx, query)
    rows, totals = await _figures_report(
        ctx,
        period,
        SALES_BY_CATEGORY,
        lambda row: CategoryRow(category_id=row.key, category_name=row.category_name, **_figures(row)),
    )
    return SalesByCategory(period=period.describe(), rows=rows, totals=totals)


PAYMENT_FIGURES = ("payments_count", "sales_count", "amount", "refunds_count", "refunds", "net")


def _payment_figures(row: Any) -> dict[str, int]:
    return {name: int(getattr(row, name)) for name in PAYMENT_FIGURES}


async def sales_by_payment_method(ctx: Context, query: ReportQuery) -> SalesByPaymentMethod:
    """Payment methods by amount taken; a split sale counts once under each of its methods."""
    period = _period(ctx, query)
    rows = await _aggregate(ctx, SALES_BY_PAYMENT_METHOD, period.params)
    totals = next(row for row in rows if row.is_total)
    return SalesByPaymentMethod(
        period=period.describe(),
        rows=[PaymentMethodRow(method=row.method, **_payment_figures(row)) for row in rows if not row.is_total],
        totals=PaymentFigures(**_payment_figures(totals)),
    )


async def top_products(ctx: Context, query: TopProductsQuery) -> TopProducts:
    """The best sellers of the period by units or by net revenue (ties: the other figure, then SKU)."""
    period = _period(ctx, query)
    rows = await _aggregate(ctx, TOP_PRODUCTS[query.by], {**period.params, "limit": query.limit})
    return TopProducts(
        period=period.describe(),
        by=query.by,
        rows=[
            TopProductRow(
                rank=row.rank,
                product_id=row.product_id,
                sku=row.sku,
                name=row.name,
                category_id=row.category_id,
                category_name=row.category_name,
                units=row.units,
                sales_count=row.sales_count,
                total=row.total,
                net=row.net,
                refunded_units=row.refunded_units,
                refunds=row.refunds,
            )
            for row in rows
        ],
    )


MARGIN_FIGURES = ("units", "net", "cost", "margin", "margin_bp")


def _margin_figures(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in MARGIN_FIGURES}


async def gross_margin(ctx: Context, query: ReportQuery) -> GrossMargin:
    """Net revenue, cost and margin of the period's sales, in total and per category."""
    period = _period(ctx, query)
    rows = await _aggregate(ctx, GROSS_MARGIN, period.params)
    totals = next(row for row in rows if row.is_total)
    return GrossMargin(
        period=period.describe(),
        totals=MarginFigures(**_margin_figures(totals)),
        rows=[
            CategoryMarginRow(category_id=row.category_id, category_name=row.category_name, **_margin_figures(row))
            for row in rows
            if not row.is_total
        ],
    )


async def inventory_valuation(ctx: Context, query: ValuationQuery) -> InventoryValuation:
    """Stock on hand at cost, most valuable first; optionally one category with its subcategories."""
    assert ctx.tenant is not None
    params = {"organization_id": ctx.organization_id, "category_id": query.category_id}
    if query.category_id is not None and await ctx.session.scalar(CATEGORY_EXISTS, params) is None:
        raise NotFound("no such category", errors=[FieldError(loc=["query", "category_id"], msg="no such category")])
    rows = await _aggregate(ctx, INVENTORY_VALUATION, params)
    first = rows[0] if rows else None
    return InventoryValuation(
        as_of=datetime.now(UTC),
        currency=ctx.tenant.currency,
        category_id=query.category_id,
        totals=ValuationTotals(
            products=first.total_products if first else 0,
            units=first.total_units if first else 0,
            value=first.total_value if first else 0,
            retail_value=first.total_retail_value if first else 0,
            negative_stock_products=first.total_negative if first else 0,
        ),
        rows=[
            ValuationRow(
                product_id=row.product_id,
                sku=row.sku,
                name=row.name,
                category_id=row.category_id,
                category_name=row.category_name,
                is_active=row.is_active,
                stock=row.stock,
                unit_cost=row.unit_cost,
                price=row.price,
                value=row.value,
                retail_value=row.retail_value,
                negative_stock=row.negative_stock,
            )
            for row in rows
        ],
    )


async def shifts(ctx: Context, query: ReportQuery) -> ShiftsReport:
    """Shifts opened in the period, oldest first, with their sales, refunds and cash count."""
    period = _period(ctx, query)
    rows = await _aggregate(ctx, SHIFTS, period.params)
    first = rows[0] if rows else None
    return ShiftsReport(
        period=period.describe(),
        rows=[
            ShiftRow(
                shift_id=row.shift_id,
                register_id=row.register_id,
                register_code=row.register_code,
                status=row.status,
                opened_at=row.opened_at,
                closed_at=row.closed_at,
                opened_by=row.opened_by,
                opened_by_name=row.opened_by_name,
                closed_by=row.closed_by,
                closed_by_name=row.closed_by_name,
                opening_float=row.opening_float,
                sales_count=row.sales_count,
                sales_total=row.sales_total,
                refunds_count=row.refunds_count,
                refunds_total=row.refunds_total,
                cash_expected=row.cash_expected,
                cash_counted=row.cash_counted,
                cash_difference=row.cash_difference,
                difference=row.difference,
            )
            for row in rows
        ],
        totals=ShiftTotals(
            shifts=first.total_shifts if first else 0,
            open_shifts=first.total_open if first else 0,
            sales_count=first.total_sales_count if first else 0,
            sales_total=first.total_sales if first else 0,
            refunds_count=first.total_refunds_count if first else 0,
            refunds_total=first.total_refunds if first else 0,
            cash_difference=first.total_cash_difference if first else 0,
            difference=first.total_difference if first else 0,
        ),
    )


# CSV tables: the same rows as the JSON answers, money in major units, times local.


@dataclass(frozen=True, slots=True)
class Table:
    filename: str
    header: list[str]
    rows: list[list[object]]


@dataclass(frozen=True, slots=True)
class _Cells:
    digits: int
    zone: ZoneInfo

    def money(self, amount: int | None) -> Decimal | str:
        """A number, not text, so the CSV writer's formula guard leaves a negative amount alone."""
        return "" if amount is None else Decimal(format_amount(amount, self.digits))

    def percent(self, basis_points: int | None) -> Decimal | str:
        return "" if basis_points is None else Decimal(format_amount(basis_points, 2))

    def moment(self, value: datetime | None) -> str:
        return "" if value is None else value.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S")

    def figures(self, figures: SalesFigures) -> list[object]:
        return [
            figures.sales_count,
            figures.items,
            self.money(figures.gross),
            self.money(figures.discounts),
            self.money(figures.tax),
            self.money(figures.total),
            self.money(figures.net),
            figures.refunds_count,
            self.money(figures.refunds),
        ]


def _cells(ctx: Context) -> _Cells:
    assert ctx.tenant is not None
    return _Cells(digits=minor_units(ctx.tenant.currency), zone=ZoneInfo(ctx.tenant.time_zone))


def _filename(name: str, period: ReportPeriod) -> str:
    last = period.until - timedelta(days=1)
    span = period.since.isoformat() if last <= period.since else f"{period.since.isoformat()}_to_{last.isoformat()}"
    return f"{name}_{span}.csv"


def _table(name: str, period: ReportPeriod, header: Sequence[str], rows: Iterable[list[object]]) -> Table:
    return Table(filename=_filename(name, period), header=list(header), rows=list(rows))


UNCATEGORIZED = "(uncategorized)"


async def sales_by_day_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await sales_by_day(ctx, query), _cells(ctx)
    return _table(
        "sales-by-day",
        report.period,
        ["day", *FIGURES],
        ([row.day.isoformat(), *cells.figures(row)] for row in report.rows),
    )


async def sales_by_hour_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await sales_by_hour(ctx, query), _cells(ctx)
    return _table(
        "sales-by-hour", report.period, ["hour", *FIGURES], ([row.hour, *cells.figures(row)] for row in report.rows)
    )


async def sales_by_register_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await sales_by_register(ctx, query), _cells(ctx)
    return _table(
        "sales-by-register",
        report.period,
        ["register_code", "register_name", *FIGURES],
        ([row.register_code, row.register_name, *cells.figures(row)] for row in report.rows),
    )


async def sales_by_cashier_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await sales_by_cashier(ctx, query), _cells(ctx)
    return _table(
        "sales-by-cashier",
        report.period,
        ["cashier", *FIGURES],
        ([row.cashier_name, *cells.figures(row)] for row in report.rows),
    )


async def sales_by_category_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await sales_by_category(ctx, query), _cells(ctx)
    return _table(
        "sales-by-category",
        report.period,
        ["category", *FIGURES],
        ([row.category_name or UNCATEGORIZED, *cells.figures(row)] for row in report.rows),
    )


async def sales_by_payment_method_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await sales_by_payment_method(ctx, query), _cells(ctx)
    return _table(
        "sales-by-payment-method",
        report.period,
        ["method", *PAYMENT_FIGURES],
        (
            [
                row.method,
                row.payments_count,
                row.sales_count,
                cells.money(row.amount),
                row.refunds_count,
                cells.money(row.refunds),
                cells.money(row.net),
            ]
            for row in report.rows
        ),
    )


async def top_products_table(ctx: Context, query: TopProductsQuery) -> Table:
    report, cells = await top_products(ctx, query), _cells(ctx)
    return _table(
        f"top-products-by-{report.by}",
        report.period,
        ["rank", "sku", "name", "category", "units", "sales_count", "total", "net", "refunded_units", "refunds"],
        (
            [
                row.rank,
                row.sku,
                row.name,
                row.category_name or UNCATEGORIZED,
                row.units,
                row.sales_count,
                cells.money(row.total),
                cells.money(row.net),
                row.refunded_units,
                cells.money(row.refunds),
            ]
            for row in report.rows
        ),
    )


async def gross_margin_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await gross_margin(ctx, query), _cells(ctx)
    return _table(
        "gross-margin",
        report.period,
        ["category", "units", "net", "cost", "margin", "margin_percent"],
        (
            [
                row.category_name or UNCATEGORIZED,
                row.units,
                cells.money(row.net),
                cells.money(row.cost),
                cells.money(row.margin),
                cells.percent(row.margin_bp),
            ]
            for row in report.rows
        ),
    )


async def inventory_valuation_table(ctx: Context, query: ValuationQuery) -> Table:
    report, cells = await inventory_valuation(ctx, query), _cells(ctx)
    day = report.as_of.astimezone(cells.zone).date().isoformat()
    return Table(
        filename=f"inventory-valuation_{day}.csv",
        header=[
            "sku",
            "name",
            "category",
            "active",
            "stock",
            "unit_cost",
            "price",
            "value",
            "retail_value",
            "negative_stock",
        ],
        rows=[
            [
                row.sku,
                row.name,
                row.category_name or UNCATEGORIZED,
                "yes" if row.is_active else "no",
                row.stock,
                cells.money(row.unit_cost),
                cells.money(row.price),
                cells.money(row.value),
                cells.money(row.retail_value),
                "yes" if row.negative_stock else "no",
            ]
            for row in report.rows
        ],
    )


async def shifts_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await shifts(ctx, query), _cells(ctx)
    return _table(
        "shifts",
        report.period,
        [
            "register_code",
            "status",
            "opened_at",
            "closed_at",
            "opened_by",
            "closed_by",
            "opening_float",
            "sales_count",
            "sales_total",
            "refunds_count",
            "refunds_total",
            "cash_expected",
            "cash_counted",
            "cash_difference",
            "difference",
        ],
        (
            [
                row.register_code,
                row.status,
                cells.moment(row.opened_at),
                cells.moment(row.closed_at),
                row.opened_by_name,
                row.closed_by_name or "",
                cells.money(row.opening_float),
                row.sales_count,
                cells.money(row.sales_total),
                row.refunds_count,
                cells.money(row.refunds_total),
                cells.money(row.cash_expected),
                cells.money(row.cash_counted),
                cells.money(row.cash_difference),
                cells.money(row.difference),
            ]
            for row in report.rows
        ),
    )
