"""The SQL building blocks the reports share, and the way their statements run.

Invariants:
- Each report is one SQL statement that aggregates in the database (after the transaction-local
  `ANALYTIC_SETTINGS`); Python only shapes the rows. Sums are cast to bigint so money stays
  integer minor units.
- A period's bounds are the two local midnights turned into instants in PostgreSQL (`START`,
  `END`), so the `(organization_id, sold_at)` and `(organization_id, refunded_at)` indexes serve
  the filter; buckets use `(sold_at at time zone tz)`, so days and hours are local.
- Sales count only when `completed`; a voided sale and its void both drop out. Refunds (kind
  `refund`) count on their own local day, whatever day the sale was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text

from server.core.context import Context

# SQL building blocks. Only these trusted fragments are formatted into statements; every value
# is a bound parameter. Distinct counts hash narrow pairs (`select distinct a, b`) rather than
# use `count(distinct …)`, which sorts every row of the period.

START = "(cast(:since as date)::timestamp at time zone :tz)"
END = "(cast(:until as date)::timestamp at time zone :tz)"
COMPLETED_IN_PERIOD = (
    f"s.organization_id = :organization_id and s.status = 'completed' and s.sold_at >= {START} and s.sold_at < {END}"
)
REFUNDS_IN_PERIOD = (
    f"r.organization_id = :organization_id and r.kind = 'refund' and r.refunded_at >= {START} and r.refunded_at < {END}"
)
SALES = f"sales s where {COMPLETED_IN_PERIOD}"
SALE_LINES = (
    "sales s join sale_lines l on l.organization_id = s.organization_id and l.sale_id = s.id "
    f"where {COMPLETED_IN_PERIOD}"
)
SALE_LINE_PRODUCTS = (
    "sales s join sale_lines l on l.organization_id = s.organization_id and l.sale_id = s.id "
    "join products p on p.organization_id = l.organization_id and p.id = l.product_id "
    f"where {COMPLETED_IN_PERIOD}"
)
REFUNDS = f"refunds r where {REFUNDS_IN_PERIOD}"
REFUND_LINE_PRODUCTS = (
    "refunds r join refund_lines rl on rl.organization_id = r.organization_id and rl.refund_id = r.id "
    "join products p on p.organization_id = rl.organization_id and p.id = rl.product_id "
    f"where {REFUNDS_IN_PERIOD}"
)

# Running the statements. For this transaction only (like `app.org_id`, so nothing leaks to the pooled connection): more
# memory for the hashes and sorts of a period's rows, which would otherwise spill to disk at the
# 4 MB default, and no JIT, whose compilation is triggered by the planner's cost estimate and
# costs more than it saves on statements that run in well under a second.
ANALYTIC_SETTINGS = text("select set_config('work_mem', '16MB', true), set_config('jit', 'off', true)")


async def aggregate(ctx: Context, statement: Any, params: dict[str, Any]) -> Sequence[Any]:
    """The rows of one report statement, run with `ANALYTIC_SETTINGS` in the context's transaction."""
    await ctx.session.execute(ANALYTIC_SETTINGS)
    return (await ctx.session.execute(statement, params)).all()
