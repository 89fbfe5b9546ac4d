"""Gross margin: net revenue, cost and margin of the period's sales, in total and per category.

Cost is `Σ quantity × unit_cost` of the sale lines (the cost when sold), not today's cost.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from server.core.context import Context
from server.reports.periods import period_of
from server.reports.schemas import CategoryMarginRow, GrossMargin, MarginFigures, ReportQuery
from server.reports.sql import SALE_LINES, aggregate

GROSS_MARGIN = text(f"""
with per_product as (
    select l.product_id, sum(l.quantity) as units, sum(l.total - l.tax_amount) as net,
           sum(l.quantity * l.unit_cost) as cost
    from {SALE_LINES}
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


MARGIN_FIGURES = ("units", "net", "cost", "margin", "margin_bp")


def _margin_figures(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in MARGIN_FIGURES}


async def gross_margin(ctx: Context, query: ReportQuery) -> GrossMargin:
    """Net revenue, cost and margin of the period's sales, in total and per category."""
    period = period_of(ctx, query)
    rows = await aggregate(ctx, GROSS_MARGIN, period.params)
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
