"""A run's predictions and backtest evaluations: writing them (from a worker) and reading them.

Invariants: a run's rows are written in one statement per table after deleting whatever an
earlier attempt of the same run wrote, so a redelivered run never duplicates them. A run's
predictions are one row per product holding its consecutive days as arrays; they are read back
as one row per product and day.
"""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, delete, func, select, text, true
from sqlalchemy.ext.asyncio import AsyncSession

from forecasting.models import ForecastEvaluation, Prediction
from forecasting.runs import find_run, latest_succeeded_run_id
from forecasting.schemas import EvaluationQuery, EvaluationRead, PredictionQuery, PredictionRead
from server.catalog.models import Product
from server.core.context import Context
from server.core.db import Statement
from server.core.errors import NotFound
from server.core.pagination import Page, make_page, paginate


async def store_results(
    session: AsyncSession,
    organization_id: uuid.UUID,
    run_id: uuid.UUID,
    predictions: pd.DataFrame,
    evaluations: pd.DataFrame,
) -> None:
    """Write a run's predictions and evaluations, replacing any an earlier attempt wrote."""
    for table in (Prediction, ForecastEvaluation):
        await session.execute(delete(table).where(table.organization_id == organization_id, table.run_id == run_id))
    if len(predictions):
        await _INSERT_PREDICTIONS.execute_many(session, _prediction_rows_of(organization_id, run_id, predictions))
    if len(evaluations):
        await session.execute(
            text(
                "insert into forecast_evaluations (organization_id, run_id, product_id, method, mase, wape, bias, "
                "coverage_80, coverage_95, mase_median, wape_median, selected, weight) select :organization, :run, * "
                "from unnest(cast(:product as uuid[]), cast(:method as text[]), cast(:mase as float8[]), "
                "cast(:wape as float8[]), cast(:bias as float8[]), cast(:c80 as float8[]), cast(:c95 as float8[]), "
                "cast(:mase_median as float8[]), cast(:wape_median as float8[]), cast(:selected as bool[]), "
                "cast(:weight as float8[]))"
            ),
            {
                "organization": organization_id,
                "run": run_id,
                "product": evaluations["product_id"].tolist(),
                "method": evaluations["method"].tolist(),
                "mase": _nullable(evaluations["mase"]),
                "wape": _nullable(evaluations["wape"]),
                "bias": _nullable(evaluations["bias"]),
                "c80": _nullable(evaluations["coverage_80"]),
                "c95": _nullable(evaluations["coverage_95"]),
                "mase_median": _nullable(evaluations["mase_median"]),
                "wape_median": _nullable(evaluations["wape_median"]),
                "selected": [bool(value) for value in evaluations["selected"]],
                "weight": _nullable(evaluations["weight"]) if "weight" in evaluations else [None] * len(evaluations),
            },
        )


PREDICTION_FIGURES = ("yhat", "yhat_median", "yhat_lower_80", "yhat_upper_80", "yhat_lower_95", "yhat_upper_95")


# One row per product, each figure an array over its days; sent as one batch of rows that the
# driver encodes (SQLAlchemy's per-row bind processing of a thousand rows of arrays cost more
# than the insert).
_INSERT_PREDICTIONS = Statement(
    "insert into predictions (organization_id, run_id, product_id, first_day, model, "
    + ", ".join(PREDICTION_FIGURES)
    + ") values (:organization_id, :run_id, :product_id, :first_day, :model, "
    + ", ".join(f"cast(:{name} as float8[])" for name in PREDICTION_FIGURES)
    + ")"
)


def _prediction_rows_of(
    organization_id: uuid.UUID, run_id: uuid.UUID, predictions: pd.DataFrame
) -> list[dict[str, Any]]:
    """`predict`'s frame (a row per product and day; every product has the same consecutive
    days) as the rows of `_INSERT_PREDICTIONS`: one per product."""
    frame = predictions.sort_values(["product_id", "date"], kind="stable")
    products = frame["product_id"].drop_duplicates().tolist()
    days = len(frame) // len(products)
    if days * len(products) != len(frame):
        raise ValueError("every product must have the same number of predicted days")
    first_days = frame["date"].iloc[::days].tolist()
    models = frame["method"].iloc[::days].tolist()
    figures = {
        name: frame[name].to_numpy(dtype=np.float64).round(4).reshape(len(products), days).tolist()
        for name in PREDICTION_FIGURES
    }
    return [
        {
            "organization_id": organization_id,
            "run_id": run_id,
            "product_id": product,
            "first_day": first_days[index],
            "model": models[index],
            **{name: values[index] for name, values in figures.items()},
        }
        for index, product in enumerate(products)
    ]


def _nullable(column: pd.Series) -> list[float | None]:
    return [None if value is None or pd.isna(value) else float(value) for value in column]


async def _resolve_run(session: AsyncSession, organization_id: uuid.UUID, run_id: uuid.UUID | None) -> uuid.UUID | None:
    if run_id is None:
        return await latest_succeeded_run_id(session, organization_id)
    await find_run(session, organization_id, run_id)
    return run_id


def _prediction_statement(organization_id: uuid.UUID, run_id: uuid.UUID, query: PredictionQuery) -> Any:
    """A run's predictions as one row per product and day: each product's row unnested over its
    days (`generate_subscripts`), filtered by product and dates, ordered by name then day."""
    days = func.generate_subscripts(Prediction.yhat, 1).table_valued("i").render_derived(name="element")
    index = days.c.i
    day = (Prediction.first_day + (index - 1)).label("day")
    statement = (
        select(
            Prediction.run_id,
            Prediction.product_id,
            Product.sku,
            Product.name,
            day,
            Prediction.model,
            *(getattr(Prediction, name)[index].label(name) for name in PREDICTION_FIGURES),
        )
        .join(Product, and_(Product.organization_id == Prediction.organization_id, Product.id == Prediction.product_id))
        .join(days, true())  # a function in FROM sees the rows before it (implicitly LATERAL)
        .where(Prediction.organization_id == organization_id, Prediction.run_id == run_id)
    )
    if query.product_id is not None:
        statement = statement.where(Prediction.product_id == query.product_id)
    if query.date_from is not None:
        statement = statement.where(Prediction.first_day + (index - 1) >= query.date_from)
    if query.date_to is not None:
        statement = statement.where(Prediction.first_day + (index - 1) <= query.date_to)
    return statement.order_by(Product.name, Prediction.product_id, index)


def _prediction(row: Any) -> PredictionRead:
    return PredictionRead(
        run_id=row.run_id,
        product_id=row.product_id,
        sku=row.sku,
        name=row.name,
        date=row.day,
        model=row.model,
        yhat=row.yhat,
        yhat_median=row.yhat_median,
        yhat_lower_80=row.yhat_lower_80,
        yhat_upper_80=row.yhat_upper_80,
        yhat_lower_95=row.yhat_lower_95,
        yhat_upper_95=row.yhat_upper_95,
    )


async def product_exists(session: AsyncSession, organization_id: uuid.UUID, product_id: uuid.UUID | None) -> None:
    if product_id is not None and await session.get(Product, (organization_id, product_id)) is None:
        raise NotFound("no such product", code="product_not_found")


async def list_predictions(ctx: Context, query: PredictionQuery) -> Page[PredictionRead]:
    """Predictions of a run (the latest successful one by default), by product and day."""
    await product_exists(ctx.session, ctx.organization_id, query.product_id)
    run_id = await _resolve_run(ctx.session, ctx.organization_id, query.run_id)
    if run_id is None:
        return make_page([], query, _prediction)
    return await paginate(
        ctx.session, _prediction_statement(ctx.organization_id, run_id, query), query, _prediction, scalars=False
    )


PREDICTION_HEADER = (
    "run_id", "product_id", "sku", "name", "date", "model", "yhat", "yhat_median",
    "yhat_lower_80", "yhat_upper_80", "yhat_lower_95", "yhat_upper_95",
)  # fmt: skip


async def prediction_rows(ctx: Context, query: PredictionQuery) -> list[tuple[object, ...]]:
    """Every prediction matching the query (no paging), for CSV."""
    await product_exists(ctx.session, ctx.organization_id, query.product_id)
    run_id = await _resolve_run(ctx.session, ctx.organization_id, query.run_id)
    if run_id is None:
        return []
    rows = (await ctx.session.execute(_prediction_statement(ctx.organization_id, run_id, query))).all()
    return [
        (
            str(p.run_id),
            str(p.product_id),
            p.sku,
            p.name,
            p.date.isoformat(),
            p.model,
            round(p.yhat, 3),
            None if p.yhat_median is None else round(p.yhat_median, 3),
            round(p.yhat_lower_80, 3),
            round(p.yhat_upper_80, 3),
            round(p.yhat_lower_95, 3),
            round(p.yhat_upper_95, 3),
        )
        for p in map(_prediction, rows)
    ]


async def list_evaluations(ctx: Context, run_id: uuid.UUID, query: EvaluationQuery) -> Page[EvaluationRead]:
    """Per-product backtest scores of a run."""
    await find_run(ctx.session, ctx.organization_id, run_id)
    statement = select(ForecastEvaluation).where(
        ForecastEvaluation.organization_id == ctx.organization_id, ForecastEvaluation.run_id == run_id
    )
    if query.product_id is not None:
        statement = statement.where(ForecastEvaluation.product_id == query.product_id)
    if query.method is not None:
        statement = statement.where(ForecastEvaluation.method == query.method)
    if query.selected is not None:
        statement = statement.where(ForecastEvaluation.selected.is_(query.selected))
    statement = statement.order_by(ForecastEvaluation.product_id, ForecastEvaluation.method)
    return await paginate(
        ctx.session,
        statement,
        query,
        lambda e: EvaluationRead(
            product_id=e.product_id,
            method=e.method,
            mase=e.mase,
            wape=e.wape,
            bias=e.bias,
            coverage_80=e.coverage_80,
            coverage_95=e.coverage_95,
            mase_median=e.mase_median,
            wape_median=e.wape_median,
            selected=e.selected,
            weight=e.weight,
        ),
    )
