"""Inventory valuation: stock on hand at cost (and at retail), as of now, not for a period.

Negative stock is shown but valued at zero; a product counts when active or when it still has
stock. Filtering by a category includes its subcategories (a recursive walk of the tree).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from server.core.context import Context
from server.core.errors import FieldError, NotFound
from server.reports.schemas import InventoryValuation, ValuationQuery, ValuationRow, ValuationTotals
from server.reports.sql import aggregate

INVENTORY_VALUATION = text("""
with recursive scope as (
    select id from categories where organization_id = :organization_id and id = cast(:category_id as uuid)
    union
    select c.id from categories c join scope on c.parent_id = scope.id where c.organization_id = :organization_id
),
valued as (
    select p.id as product_id, p.sku, p.name, p.category_id, p.is_active, s.on_hand as stock, p.cost as unit_cost,
           p.price, greatest(s.on_hand, 0) * p.cost as value, greatest(s.on_hand, 0) * p.price as retail_value,
           s.on_hand < 0 as negative_stock
    from products p
    join product_stock s on s.organization_id = p.organization_id and s.product_id = p.id
    where p.organization_id = :organization_id and (p.is_active or s.on_hand <> 0)
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


async def inventory_valuation(ctx: Context, query: ValuationQuery) -> InventoryValuation:
    """Stock on hand at cost, most valuable first; optionally one category with its subcategories."""
    assert ctx.tenant is not None
    params = {"organization_id": ctx.organization_id, "category_id": query.category_id}
    if query.category_id is not None and await ctx.session.scalar(CATEGORY_EXISTS, params) is None:
        raise NotFound("no such category", errors=[FieldError(loc=["query", "category_id"], msg="no such category")])
    rows = await aggregate(ctx, INVENTORY_VALUATION, params)
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
