"""The managers' live dashboard: today's figures, by hour against the same weekday last week,
today's best sellers, stock alerts, the conflict inbox and the registers' presence.

The page loads it once and then keeps it current from the realtime events (docs/realtime.md,
"Keeping the dashboard current"), so the figures are defined the way those events can update:

- Sales count when `completed` and sold today (local day of the organization's time zone): a
  voided sale drops out of every figure. Refunds (kind `refund`) count on the local hour they
  were made. `revenue = sales − refunds`, tax included, per hour and for the day.
- Best sellers rank today's completed sales' lines by revenue (line totals), then units, then
  product id; refunds do not change them.

Invariants:
- Only today's and last week's day windows are read, through the `(organization_id, sold_at)`
  and `(organization_id, refunded_at)` indexes; history never is. The two local midnights of
  each day become instants in PostgreSQL (`date::timestamp at time zone tz`), as in the reports.
- `counted_sales` and `counted_refunds` list the documents of today that the figures hold and
  that were written in the last `RECENT_SECONDS` before `as_of`: their events may be published
  after `as_of` (an event goes out after its commit, a summary is read in its own snapshot), so
  the page must not apply them again. Older documents' events were published before `as_of`.
- Presence comes from the store the realtime hub keeps (`server.core.presence`), read after the
  leases of dead processes are swept, and only for the organization's active registers.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from server.core.context import Context
from server.core.presence import Presence, RegisterPresence
from server.inventory import service as inventory
from server.reports.schemas import (
    Dashboard,
    DashboardProduct,
    DashboardRegister,
    HourFigures,
    LowStockSummary,
    TodayFigures,
)

TOP_PRODUCTS = 5
LOW_STOCK_ITEMS = 10
RECENT_SECONDS = 60


def _window(day: str, column: str) -> str:
    """`column` within the local day bound to `:{day}` (a trusted fragment; values are bound)."""
    start = f"(cast(:{day} as date)::timestamp at time zone :tz)"
    end = f"((cast(:{day} as date) + 1)::timestamp at time zone :tz)"
    return f"{column} >= {start} and {column} < {end}"


_HOUR = "extract(hour from {column} at time zone :tz)::integer"
_SALES = "s.organization_id = :organization_id and s.status = 'completed' and "
_REFUNDS = "r.organization_id = :organization_id and r.kind = 'refund' and "

# One row per (day, local hour) with activity: `today` is true for today, false for last week.
HOURS = text(f"""
with sold (today, hour, total) as (
    select true, {_HOUR.format(column="s.sold_at")}, s.total
    from sales s where {_SALES}{_window("today", "s.sold_at")}
    union all
    select false, {_HOUR.format(column="s.sold_at")}, s.total
    from sales s where {_SALES}{_window("last_week", "s.sold_at")}
),
refunded (today, hour, total) as (
    select true, {_HOUR.format(column="r.refunded_at")}, r.total
    from refunds r where {_REFUNDS}{_window("today", "r.refunded_at")}
    union all
    select false, {_HOUR.format(column="r.refunded_at")}, r.total
    from refunds r where {_REFUNDS}{_window("last_week", "r.refunded_at")}
),
parts (today, hour, sales_total, tickets, refunds, refunds_count) as (
    select today, hour, sum(total), count(*), 0, 0 from sold group by today, hour
    union all
    select today, hour, 0, 0, sum(total), count(*) from refunded group by today, hour
)
select today, hour, sum(sales_total)::bigint as sales_total, sum(tickets)::bigint as tickets,
       sum(refunds)::bigint as refunds, sum(refunds_count)::bigint as refunds_count
from parts
group by today, hour
""")

# Today's best sellers, with the units of all of today's lines (a window sum before the limit);
# products are joined for their names only once ranked, so the catalog's size does not matter.
TOP = text(f"""
with per_product as (
    select l.product_id, sum(l.quantity) as units, sum(l.total) as revenue
    from sales s
    join sale_lines l on l.organization_id = s.organization_id and l.sale_id = s.id
    where {_SALES}{_window("today", "s.sold_at")}
    group by l.product_id
),
ranked as (
    select product_id, units, revenue, sum(units) over () as all_units
    from per_product
    order by revenue desc, units desc, product_id
    limit :limit
)
select ranked.product_id, p.name, ranked.units::bigint as units, ranked.revenue::bigint as revenue,
       ranked.all_units::bigint as all_units
from ranked
join products p on p.organization_id = :organization_id and p.id = ranked.product_id
order by ranked.revenue desc, ranked.units desc, ranked.product_id
""")

REGISTERS = text("""
select g.id, g.code, g.name, sh.id as open_shift_id
from registers g
left join shifts sh on sh.organization_id = g.organization_id and sh.register_id = g.id and sh.status = 'open'
where g.organization_id = :organization_id and g.is_active
order by g.code
""")

# Today's documents written since `:since` (the figures hold them; their events may still come):
# completed sales, and refunds and voids alike (a void takes its sale out of the figures).
RECENT = text(f"""
select 'sale' as kind, s.id from sales s
where {_SALES}{_window("today", "s.sold_at")} and s.created_at >= :since
union all
select 'refund' as kind, r.id from refunds r
where r.organization_id = :organization_id and {_window("today", "r.refunded_at")} and r.created_at >= :since
""")

OPEN_CONFLICTS = text(
    "select count(*) from sync_conflicts c where c.organization_id = :organization_id and c.status = 'open'"
)


def _hours(rows: Sequence[Any], *, today: bool) -> list[HourFigures]:
    by_hour = {row.hour: row for row in rows if row.today is today}
    figures = []
    for hour in range(24):
        row = by_hour.get(hour)
        revenue = row.sales_total - row.refunds if row else 0
        figures.append(HourFigures(hour=hour, revenue=revenue, tickets=row.tickets if row else 0))
    return figures


def _today(rows: Sequence[Any], units: int) -> TodayFigures:
    today = [row for row in rows if row.today]
    sales_total = sum(row.sales_total for row in today)
    refunds = sum(row.refunds for row in today)
    tickets = sum(row.tickets for row in today)
    return TodayFigures(
        revenue=sales_total - refunds,
        sales_total=sales_total,
        refunds=refunds,
        refunds_count=sum(row.refunds_count for row in today),
        tickets=tickets,
        average_ticket=(2 * sales_total + tickets) // (2 * tickets) if tickets else 0,
        units=units,
    )


def _register(row: Any, presence: RegisterPresence | None) -> DashboardRegister:
    last_seen = presence.last_seen if presence else None
    return DashboardRegister(
        register_id=row.id,
        code=row.code,
        name=row.name,
        open_shift_id=row.open_shift_id,
        online=presence.online if presence else False,
        last_seen_at=datetime.fromisoformat(last_seen) if last_seen else None,
        queued_sales=presence.queued_sales if presence else 0,
        presence_version=presence.version if presence else 0,
    )


async def dashboard(ctx: Context, *, now: datetime | None = None) -> Dashboard:
    """The dashboard of the context's organization at `now` (default: the current time)."""
    assert ctx.tenant is not None
    as_of = now or datetime.now(UTC)
    day = as_of.astimezone(ZoneInfo(ctx.tenant.time_zone)).date()
    last_week = day - timedelta(days=7)
    presence = asyncio.create_task(_presence(ctx, ctx.organization_id))
    try:
        params = {"organization_id": ctx.organization_id, "tz": ctx.tenant.time_zone, "today": day}
        hours = (await ctx.session.execute(HOURS, {**params, "last_week": last_week})).all()
        top = (await ctx.session.execute(TOP, {**params, "limit": TOP_PRODUCTS})).all()
        low_count, low_items = await inventory.low_stock_summary(ctx, limit=LOW_STOCK_ITEMS)
        registers = (await ctx.session.execute(REGISTERS, {"organization_id": ctx.organization_id})).all()
        open_conflicts = await ctx.session.scalar(OPEN_CONFLICTS, {"organization_id": ctx.organization_id}) or 0
        recent = (
            await ctx.session.execute(RECENT, {**params, "since": as_of - timedelta(seconds=RECENT_SECONDS)})
        ).all()
        states = await presence
    finally:
        presence.cancel()
    return Dashboard(
        as_of=as_of,
        day=day,
        last_week_day=last_week,
        time_zone=ctx.tenant.time_zone,
        currency=ctx.tenant.currency,
        today=_today(hours, top[0].all_units if top else 0),
        hours_today=_hours(hours, today=True),
        hours_last_week=_hours(hours, today=False),
        top_products=[
            DashboardProduct(product_id=row.product_id, name=row.name, units=row.units, revenue=row.revenue)
            for row in top
        ],
        low_stock=LowStockSummary(count=low_count, items=low_items),
        open_conflicts=open_conflicts,
        registers=[_register(row, states.get(str(row.id))) for row in registers],
        counted_sales=[row.id for row in recent if row.kind == "sale"],
        counted_refunds=[row.id for row in recent if row.kind == "refund"],
    )


async def _presence(ctx: Context, organization_id: uuid.UUID) -> dict[str, RegisterPresence]:
    states = await Presence(ctx.resources.redis).snapshot(organization_id, time.time())
    return {state.register_id: state for state in states}
