"""Top products: the period's best sellers by units or by net revenue."""

from __future__ import annotations

from sqlalchemy import text

from server.core.context import Context
from server.reports.periods import period_of
from server.reports.schemas import TopProductRow, TopProducts, TopProductsQuery
from server.reports.sql import REFUNDS_IN_PERIOD, SALE_LINES, aggregate

_TOP_PRODUCTS = f"""
with lines as materialized (
    select l.product_id, l.sale_id, l.quantity, l.total, l.tax_amount from {SALE_LINES}
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
    where {REFUNDS_IN_PERIOD} and rl.product_id in (select product_id from ranked)
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


async def top_products(ctx: Context, query: TopProductsQuery) -> TopProducts:
    """The best sellers of the period by units or by net revenue (ties: the other figure, then SKU)."""
    period = period_of(ctx, query)
    rows = await aggregate(ctx, TOP_PRODUCTS[query.by], {**period.params, "limit": query.limit})
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
