"""Reorder suggestions: what to order now, from the latest successful run's forecasts and the
stock on hand (`forecasting.reorder` holds the arithmetic; this module reads what it needs).

Invariants: only active products are suggested; a forecast's days before the tenant's local
today are past and left out; suggestions are ordered soonest run-out first.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from forecasting.history import local_today
from forecasting.models import Prediction
from forecasting.predictions import product_exists
from forecasting.reorder import DailyForecast, suggest
from forecasting.runs import latest_succeeded_run_id
from forecasting.schemas import ReorderPage, ReorderQuery, ReorderSuggestion
from server.catalog.models import Product
from server.catalog.search import search_products
from server.core.context import Context
from server.core.pagination import make_page


async def _suggestions(
    session: AsyncSession, organization_id: uuid.UUID, run_id: uuid.UUID, today: date, query: ReorderQuery
) -> list[ReorderSuggestion]:
    """Every active product's suggestion from run `run_id`'s forecasts of `today` on (a run's
    row per product holds its days as arrays; only the product columns a suggestion needs are
    read)."""
    products = select(Product.id, Product.sku, Product.name, Product.stock, Product.lead_time_days).where(
        Product.organization_id == organization_id, Product.is_active.is_(True)
    )
    if query.product_id is not None:
        products = products.where(Product.id == query.product_id)
    if query.category_id is not None:
        products = products.where(Product.category_id == query.category_id)
    if query.search is not None:
        products = products.where((await search_products(session, organization_id, query.search)).condition)
    catalog = {row.id: row for row in (await session.execute(products)).all()}
    statement = select(
        Prediction.product_id, Prediction.model, Prediction.first_day, Prediction.yhat, Prediction.yhat_upper_95
    ).where(Prediction.organization_id == organization_id, Prediction.run_id == run_id)
    if query.product_id is not None:
        statement = statement.where(Prediction.product_id == query.product_id)
    series: dict[uuid.UUID, list[DailyForecast]] = {}
    methods: dict[uuid.UUID, str] = {}
    calendars: dict[tuple[date, int], list[date]] = {}  # a run's products share their days
    for product_id, method, first_day, yhats, uppers in (await session.execute(statement)).all():
        if product_id in catalog:
            skip = max(0, (today - first_day).days)  # the days before today are past
            days = calendars.get((first_day, len(yhats)))
            if days is None:
                days = calendars[first_day, len(yhats)] = [
                    first_day + timedelta(days=offset) for offset in range(len(yhats))
                ]
            series[product_id] = list(map(DailyForecast, days[skip:], yhats[skip:], uppers[skip:]))
            methods[product_id] = method
    result: list[ReorderSuggestion] = []
    for product_id, forecasts in series.items():
        product = catalog[product_id]
        suggestion = suggest(
            forecasts,
            today=today,
            stock=product.stock,
            lead_time_days=product.lead_time_days,
            service_level=query.service_level,
        )
        item = ReorderSuggestion(
            product_id=product_id,
            sku=product.sku,
            name=product.name,
            stock=product.stock,
            lead_time_days=product.lead_time_days,
            lead_time_demand=suggestion.lead_time_demand,
            safety_stock=suggestion.safety_stock,
            reorder_level=suggestion.reorder_level,
            suggested_quantity=suggestion.suggested_quantity,
            runout_date=suggestion.runout_date,
            runs_out_within_lead_time=suggestion.runs_out_within_lead_time,
            order_by_date=suggestion.order_by_date,
            model=methods[product_id],
            run_id=run_id,
        )
        if query.needs_reorder is not None and (item.suggested_quantity > 0) != query.needs_reorder:
            continue
        if query.at_risk is not None and item.runs_out_within_lead_time != query.at_risk:
            continue
        result.append(item)
    result.sort(key=lambda s: (s.runout_date or date.max, -s.suggested_quantity, s.name, str(s.product_id)))
    return result


async def _current_suggestions(
    ctx: Context, query: ReorderQuery
) -> tuple[date, uuid.UUID | None, list[ReorderSuggestion]]:
    """(the tenant's today, the latest successful run, its suggestions matching `query`); no
    suggestions before the first run."""
    await product_exists(ctx.session, ctx.organization_id, query.product_id)
    today = local_today(ctx)
    run_id = await latest_succeeded_run_id(ctx.session, ctx.organization_id)
    items = await _suggestions(ctx.session, ctx.organization_id, run_id, today, query) if run_id else []
    return today, run_id, items


async def reorder_suggestions(ctx: Context, query: ReorderQuery) -> ReorderPage:
    """Suggested order quantities from the latest successful run and the stock on hand now."""
    today, run_id, items = await _current_suggestions(ctx, query)
    window = items[query.offset : query.offset + query.limit + 1]
    page = make_page(window, query, lambda item: item)
    return ReorderPage(
        items=page.items,
        limit=page.limit,
        offset=page.offset,
        next_offset=page.next_offset,
        run_id=run_id,
        service_level=query.service_level,
        as_of=today,
    )


REORDER_HEADER = (
    "product_id", "sku", "name", "stock", "lead_time_days", "lead_time_demand", "safety_stock",
    "reorder_level", "suggested_quantity", "runout_date", "runs_out_within_lead_time", "order_by_date",
    "model", "run_id",
)  # fmt: skip


async def reorder_rows(ctx: Context, query: ReorderQuery) -> list[Sequence[object]]:
    """Every suggestion matching the query (no paging), for CSV, in `REORDER_HEADER`'s order."""
    _, _, items = await _current_suggestions(ctx, query)
    return [
        (
            str(s.product_id),
            s.sku,
            s.name,
            s.stock,
            s.lead_time_days,
            s.lead_time_demand,
            s.safety_stock,
            s.reorder_level,
            s.suggested_quantity,
            s.runout_date.isoformat() if s.runout_date else "",
            "yes" if s.runs_out_within_lead_time else "no",
            s.order_by_date.isoformat() if s.order_by_date else "",
            s.model,
            str(s.run_id),
        )
        for s in items
    ]


async def at_risk_products(
    session: AsyncSession, organization_id: uuid.UUID, run_id: uuid.UUID, today: date
) -> list[dict[str, Any]]:
    """Products of a just-finished run that will run out within their lead time."""
    items = await _suggestions(session, organization_id, run_id, today, ReorderQuery(at_risk=True))
    return [
        {
            "product_id": str(item.product_id),
            "sku": item.sku,
            "name": item.name,
            "stock": item.stock,
            "runout_date": item.runout_date.isoformat() if item.runout_date else None,
            "lead_time_days": item.lead_time_days,
            "suggested_quantity": item.suggested_quantity,
        }
        for item in items
    ]
