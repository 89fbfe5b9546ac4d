"""Sales figures by day, hour, register, cashier and category, and sales by payment method.

Invariants:
- Money from sale lines: `gross = Σ quantity × unit_price`, `net = Σ (total − tax_amount)`
  (a line's `discount` already holds its share of the sale discount); so per-category figures
  add up to the per-day ones. Refunds are counted in their own columns.
- Totals rows come from the same statement (grouping sets), so a count that is not additive (a
  sale in two categories, a sale paid with two methods) is still right in the totals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import text

from server.core.context import Context
from server.reports.periods import Period, period_of
from server.reports.schemas import (
    CashierRow,
    CategoryRow,
    DayRow,
    HourRow,
    PaymentFigures,
    PaymentMethodRow,
    RegisterRow,
    ReportQuery,
    SalesByCashier,
    SalesByCategory,
    SalesByDay,
    SalesByHour,
    SalesByPaymentMethod,
    SalesByRegister,
    SalesFigures,
)
from server.reports.sql import (
    COMPLETED_IN_PERIOD,
    REFUND_LINE_PRODUCTS,
    REFUNDS,
    SALE_LINE_PRODUCTS,
    SALES,
    aggregate,
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
        f"select {refund_key}, 0, 0, 0, 0, 0, 0, count(*), sum(r.total) from {REFUNDS} group by 1",
    ]
    if keys is not None:
        parts.append(f"select key, 0, 0, 0, 0, 0, 0, 0, 0 from ({keys}) as keys")
    prelude = f"sold as materialized (select s.id, {sale_key} as key from {SALES})"
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
        f"l.tax_amount, l.total from {SALE_LINE_PRODUCTS})",
        [
            "select category_id, count(*), 0, 0, 0, 0, 0, 0, 0 "
            "from (select distinct category_id, sale_id from lines) as pairs group by category_id",
            "select category_id, 0, sum(quantity), sum(quantity * unit_price), sum(discount), sum(tax_amount), "
            "sum(total), 0, 0 from lines group by category_id",
            "select p.category_id, 0, 0, 0, 0, 0, 0, count(distinct r.id), sum(rl.amount) "
            f"from {REFUND_LINE_PRODUCTS} group by p.category_id",
        ],
        sales_count=f"case when f.is_total then (select count(*) from {SALES}) else f.sales end",
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
    where {COMPLETED_IN_PERIOD}
),
parts (key, payments, sales, amount, refunds_count, refunds) as (
    select method, count(*), 0, sum(amount), 0, 0 from paid group by method
    union all select method, 0, count(*), 0, 0, 0 from (select distinct method, sale_id from paid) as pairs
              group by method
    union all select r.method, 0, 0, 0, count(*), sum(r.total) from {REFUNDS} group by r.method
),
figures as (
    select key, grouping(key) = 1 as is_total, coalesce(sum(payments), 0) as payments,
           coalesce(sum(sales), 0) as sales, coalesce(sum(amount), 0) as amount,
           coalesce(sum(refunds_count), 0) as refunds_count, coalesce(sum(refunds), 0) as refunds
    from parts
    group by grouping sets ((key), ())
)
select f.is_total, f.key as method, f.payments::bigint as payments_count,
       (case when f.is_total then (select count(*) from {SALES}) else f.sales end)::bigint as sales_count,
       f.amount::bigint as amount, f.refunds_count::bigint as refunds_count, f.refunds::bigint as refunds,
       (f.amount - f.refunds)::bigint as net
from figures f
order by f.is_total, f.amount desc, f.key
""")


RowT = TypeVar("RowT")
FIGURES = ("sales_count", "items", "gross", "discounts", "tax", "total", "net", "refunds_count", "refunds")


def _figures(row: Any) -> dict[str, int]:
    return {name: int(getattr(row, name)) for name in FIGURES}


async def _figures_report(
    ctx: Context, period: Period, statement: Any, make_row: Callable[[Any], RowT]
) -> tuple[list[RowT], SalesFigures]:
    rows = await aggregate(ctx, statement, period.params)
    totals = next(row for row in rows if row.is_total)
    return [make_row(row) for row in rows if not row.is_total], SalesFigures(**_figures(totals))


async def sales_by_day(ctx: Context, query: ReportQuery) -> SalesByDay:
    """Every local day of the period, days without sales included."""
    period = period_of(ctx, query)
    rows, totals = await _figures_report(ctx, period, SALES_BY_DAY, lambda row: DayRow(day=row.key, **_figures(row)))
    return SalesByDay(period=period.describe(), rows=rows, totals=totals)


async def sales_by_hour(ctx: Context, query: ReportQuery) -> SalesByHour:
    """The 24 local hours of the day, summed over the period's days."""
    period = period_of(ctx, query)
    rows, totals = await _figures_report(ctx, period, SALES_BY_HOUR, lambda row: HourRow(hour=row.key, **_figures(row)))
    return SalesByHour(period=period.describe(), rows=rows, totals=totals)


async def sales_by_register(ctx: Context, query: ReportQuery) -> SalesByRegister:
    """Registers that sold or refunded in the period, by code."""
    period = period_of(ctx, query)
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
    period = period_of(ctx, query)
    rows, totals = await _figures_report(
        ctx,
        period,
        SALES_BY_CASHIER,
        lambda row: CashierRow(cashier_id=row.key, cashier_name=row.cashier_name, **_figures(row)),
    )
    return SalesByCashier(period=period.describe(), rows=rows, totals=totals)


async def sales_by_category(ctx: Context, query: ReportQuery) -> SalesByCategory:
    """Categories (by the products' current category) by net revenue; uncategorized is a row of its own."""
    period = period_of(ctx, query)
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
    period = period_of(ctx, query)
    rows = await aggregate(ctx, SALES_BY_PAYMENT_METHOD, period.params)
    totals = next(row for row in rows if row.is_total)
    return SalesByPaymentMethod(
        period=period.describe(),
        rows=[PaymentMethodRow(method=row.method, **_payment_figures(row)) for row in rows if not row.is_total],
        totals=PaymentFigures(**_payment_figures(totals)),
    )
