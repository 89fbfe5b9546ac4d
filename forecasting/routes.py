"""Forecasting endpoints, for managers and admins. Listings have CSV twins at the same path
plus `.csv`, taking the same query (without paging)."""

from __future__ import annotations

import uuid

from starlette.responses import Response

from forecasting import history, predictions, runs, suggestions
from forecasting.schemas import (
    EvaluationQuery,
    EvaluationRead,
    HistoryQuery,
    PredictionQuery,
    PredictionRead,
    ProductHistory,
    ReorderPage,
    ReorderQuery,
    RunCreate,
    RunQuery,
    RunRead,
)
from server.core.api import MANAGERS, Router
from server.core.context import Context
from server.core.csvio import csv_response
from server.core.pagination import Page

router = Router(tags=["forecasting"])
CSV = ("text/csv",)


@router.post(
    "/api/v1/forecasts/runs",
    access=MANAGERS,
    body=RunCreate,
    response=RunRead,
    status=202,
    responses={409: "A run is already queued or running"},
)
async def request_forecast_run(ctx: Context, body: RunCreate) -> RunRead:
    """Start a forecasting run now; progress and completion arrive on the `predictions` topic."""
    return await runs.request_run(ctx, body)


@router.get("/api/v1/forecasts/runs", access=MANAGERS, query=RunQuery, response=Page[RunRead])
async def list_forecast_runs(ctx: Context, query: RunQuery) -> Page[RunRead]:
    """Forecasting runs, newest first, with status, durations, metrics and versions."""
    return await runs.list_runs(ctx, query)


@router.get("/api/v1/forecasts/runs/{run_id:uuid}", access=MANAGERS, response=RunRead)
async def get_forecast_run(ctx: Context, run_id: uuid.UUID) -> RunRead:
    """One forecasting run."""
    return await runs.get_run(ctx, run_id)


@router.get(
    "/api/v1/forecasts/runs/{run_id:uuid}/evaluations",
    access=MANAGERS,
    query=EvaluationQuery,
    response=Page[EvaluationRead],
)
async def list_forecast_evaluations(ctx: Context, run_id: uuid.UUID, query: EvaluationQuery) -> Page[EvaluationRead]:
    """Per-product backtest scores (MASE, WAPE, bias, coverage) of the model and each baseline."""
    return await predictions.list_evaluations(ctx, run_id, query)


@router.get("/api/v1/forecasts/predictions", access=MANAGERS, query=PredictionQuery, response=Page[PredictionRead])
async def list_predictions(ctx: Context, query: PredictionQuery) -> Page[PredictionRead]:
    """Daily predictions with 80 % and 95 % intervals (latest successful run unless `run_id`)."""
    return await predictions.list_predictions(ctx, query)


@router.get("/api/v1/forecasts/predictions.csv", access=MANAGERS, query=PredictionQuery, produces=CSV)
async def list_predictions_csv(ctx: Context, query: PredictionQuery) -> Response:
    """Daily predictions, as CSV."""
    return csv_response("predictions.csv", predictions.PREDICTION_HEADER, await predictions.prediction_rows(ctx, query))


@router.get(
    "/api/v1/forecasts/history",
    access=MANAGERS,
    query=HistoryQuery,
    response=ProductHistory,
    responses={404: "No such product"},
)
async def product_history(ctx: Context, query: HistoryQuery) -> ProductHistory:
    """One product's units sold per local day before today (what its forecast learns from), for
    charting the history beside the forecast."""
    return await history.product_history(ctx, query)


@router.get("/api/v1/reorder-suggestions", access=MANAGERS, query=ReorderQuery, response=ReorderPage)
async def list_reorder_suggestions(ctx: Context, query: ReorderQuery) -> ReorderPage:
    """What to order now: lead-time demand plus safety stock at the service level, minus stock,
    and when each product runs out; soonest run-out first."""
    return await suggestions.reorder_suggestions(ctx, query)


@router.get("/api/v1/reorder-suggestions.csv", access=MANAGERS, query=ReorderQuery, produces=CSV)
async def list_reorder_suggestions_csv(ctx: Context, query: ReorderQuery) -> Response:
    """Reorder suggestions, as CSV."""
    return csv_response(
        "reorder-suggestions.csv", suggestions.REORDER_HEADER, await suggestions.reorder_rows(ctx, query)
    )
