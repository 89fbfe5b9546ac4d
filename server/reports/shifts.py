"""The shifts report: shifts opened in the period with their sales, refunds and cash count.

An open shift's expected cash is computed as of now (float + cash taken − cash refunded + cash
movements); a closed one's comes from its count.
"""

from __future__ import annotations

from sqlalchemy import text

from server.core.context import Context
from server.reports.periods import period_of
from server.reports.schemas import ReportQuery, ShiftRow, ShiftsReport, ShiftTotals
from server.reports.sql import END, START, aggregate

# `chosen` is inlined (not materialized) so that each use is planned with the shifts table's
# statistics; a materialized CTE has none, and the planner then nests loops over thousands of shifts.
SHIFTS = text(f"""
with chosen as not materialized (
    select sh.* from shifts sh
    where sh.organization_id = :organization_id and sh.opened_at >= {START} and sh.opened_at < {END}
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


async def shifts(ctx: Context, query: ReportQuery) -> ShiftsReport:
    """Shifts opened in the period, oldest first, with their sales, refunds and cash count."""
    period = period_of(ctx, query)
    rows = await aggregate(ctx, SHIFTS, period.params)
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
