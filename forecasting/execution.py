"""Executing a forecasting run in a worker: load the history, train (or resume from the
checkpoint), predict, store, and announce the outcome.

Invariants:
- `execute_run` is idempotent: the job of a run may be delivered more than once (a worker
  died, a message was claimed twice). Executions of one run are serialised by a PostgreSQL
  advisory lock held on a connection of their own (a dead worker's connection closes and
  releases it); a run that is already finished is left alone, and a run's predictions and
  evaluations are written, together with its `succeeded` status, in one transaction that
  first deletes whatever an earlier attempt of the same run wrote. So a run completes once.
- The trained model is checkpointed (`forecast_models`) before predictions are written; a
  redelivered run resumes from it unless it was made with other library versions.
- Predictions start on the tenant's local today; the history runs up to yesterday
  (`forecasting.history.load_history`).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from redis.asyncio import Redis
from sqlalchemy import delete, text

from forecasting import model as forecasting_model
from forecasting.history import load_history
from forecasting.holiday_calendar import HolidayCalendar, country_of_locale
from forecasting.models import ForecastModel, ForecastRun
from forecasting.predictions import store_results
from forecasting.runs import ACTIVE, find_run, finish_failed
from forecasting.suggestions import at_risk_products
from server.core.context import Resources
from server.core.db import Database
from server.core.events import publish
from server.tenancy.models import Organization

logger = logging.getLogger("orbit.forecasting")

ALERT_ITEMS = 100
ADVISORY_NAMESPACE = 7_300_001

Progress = Callable[[str, float], None]


async def execute_run(resources: Resources, organization_id: uuid.UUID, run_id: uuid.UUID) -> dict[str, Any]:
    """Run one forecasting job to completion, exactly once however often it is delivered."""
    async with resources.database.engine.connect() as lock_connection:
        await lock_connection.execute(
            text("select pg_advisory_lock(:namespace, hashtext(:run))"),
            {"namespace": ADVISORY_NAMESPACE, "run": str(run_id)},
        )
        await lock_connection.commit()
        try:
            return await _execute_locked(resources, organization_id, run_id)
        finally:
            await lock_connection.execute(
                text("select pg_advisory_unlock(:namespace, hashtext(:run))"),
                {"namespace": ADVISORY_NAMESPACE, "run": str(run_id)},
            )
            await lock_connection.commit()


@dataclass(frozen=True)
class _Claimed:
    """A run this execution has marked running, with what the forecast needs of its tenant."""

    attempt: str  # "first", or "retry" when an earlier delivery had started it
    horizon: int
    time_zone: str
    holidays: HolidayCalendar | None


@dataclass(frozen=True)
class _Outcome:
    products: int
    metrics: dict[str, Any]
    at_risk: list[dict[str, Any]]


async def _execute_locked(resources: Resources, organization_id: uuid.UUID, run_id: uuid.UUID) -> dict[str, Any]:
    claimed = await _claim(resources.database, organization_id, run_id)
    if isinstance(claimed, str):
        return {"run_id": str(run_id), "status": claimed}
    redis = resources.redis
    await publish(
        redis, organization_id, "predictions", "forecast.started", {"run_id": str(run_id), "attempt": claimed.attempt}
    )
    try:
        outcome = await _forecast(
            resources.database, organization_id, run_id, claimed, _progress_reporter(redis, organization_id, run_id)
        )
    except Exception as exc:
        logger.exception("forecast run %s failed", run_id)
        await finish_failed(resources, organization_id, run_id, f"{type(exc).__name__}: {exc}")
        return {"run_id": str(run_id), "status": "failed"}
    summary = {"run_id": str(run_id), "status": "succeeded", "products": outcome.products, "metrics": outcome.metrics}
    await publish(redis, organization_id, "predictions", "forecast.completed", summary)
    if outcome.at_risk:
        await publish(
            redis,
            organization_id,
            "alerts",
            "stock.runout_forecast",
            {"run_id": str(run_id), "count": len(outcome.at_risk), "products": outcome.at_risk[:ALERT_ITEMS]},
        )
    return {"run_id": str(run_id), "status": "succeeded", "products": outcome.products}


async def _claim(database: Database, organization_id: uuid.UUID, run_id: uuid.UUID) -> _Claimed | str:
    """Mark the run running and read its tenant's settings; or the status to report when the
    run is to be left alone ("missing", or the status of a run that already finished)."""
    async with database.transaction(organization_id) as session:
        run = await session.get(ForecastRun, (organization_id, run_id))
        if run is None:
            logger.warning("forecast run %s of %s not found; job dropped", run_id, organization_id)
            return "missing"
        if run.status not in ACTIVE:
            return run.status
        attempt = "retry" if run.status == "running" else "first"
        run.status = "running"
        run.started_at = run.started_at or datetime.now(UTC)
        organization = await session.get(Organization, organization_id)
        assert organization is not None
        country = country_of_locale(organization.locale)
        return _Claimed(
            attempt=attempt,
            horizon=run.horizon_days,
            time_zone=organization.time_zone,
            holidays=HolidayCalendar.for_country(country) if country is not None else None,
        )


def _progress_reporter(redis: Redis, organization_id: uuid.UUID, run_id: uuid.UUID) -> Progress:
    """A callback for the training thread that publishes `forecast.progress` on this loop."""
    loop = asyncio.get_running_loop()

    def progress(stage: str, fraction: float) -> None:
        data = {"run_id": str(run_id), "stage": stage, "progress": round(fraction, 2)}
        asyncio.run_coroutine_threadsafe(
            publish(redis, organization_id, "predictions", "forecast.progress", data), loop
        )

    return progress


async def _forecast(
    database: Database, organization_id: uuid.UUID, run_id: uuid.UUID, claimed: _Claimed, progress: Progress
) -> _Outcome:
    """Load, train or resume, predict, and store the run's results with its `succeeded` status."""
    started = time.perf_counter()
    today = datetime.now(UTC).astimezone(ZoneInfo(claimed.time_zone)).date()
    async with database.transaction(organization_id) as session:
        history = await load_history(
            session, organization_id, time_zone=claimed.time_zone, until=today - timedelta(days=1)
        )
        checkpoint = await session.get(ForecastModel, (organization_id, run_id))
        artifact = checkpoint.artifact if checkpoint is not None else None
    load_seconds = time.perf_counter() - started
    panel = forecasting_model.make_panel(history)
    trained = forecasting_model.TrainedModel.loads(artifact) if artifact is not None else None
    resumed = (
        trained is not None
        and trained.trained_through == (panel.dates[-1].date() if panel.days else None)
        and trained.product_ids == list(panel.product_ids)
    )
    saving: asyncio.Task[float] | None = None
    try:
        if trained is None or not resumed:
            trained = await asyncio.to_thread(
                forecasting_model.train, panel, progress=progress, holidays=claimed.holidays, horizon=claimed.horizon
            )
            # The checkpoint (so that a retry resumes instead of retraining) is written on its
            # own connection while the predictions are made and stored.
            saving = asyncio.create_task(_save_checkpoint(database, organization_id, run_id, trained))
        tick = time.perf_counter()
        predictions = await asyncio.to_thread(forecasting_model.predict, trained, panel, claimed.horizon)
        predict_seconds = time.perf_counter() - tick
        progress("predicted", 0.9)
        tick = time.perf_counter()
        async with database.transaction(organization_id) as session:
            await store_results(session, organization_id, run_id, predictions, trained.evaluation.per_product)
            store_seconds = time.perf_counter() - tick
            checkpoint_seconds = await saving if saving is not None else 0.0
            tick = time.perf_counter()
            at_risk = await at_risk_products(session, organization_id, run_id, today)
            run = await find_run(session, organization_id, run_id)
            run.status = "succeeded"
            run.finished_at = datetime.now(UTC)
            run.durations = {
                "load": round(load_seconds, 3),
                **{key: round(value, 3) for key, value in trained.durations.items()},
                "checkpoint": round(checkpoint_seconds, 3),
                "predict": round(predict_seconds, 3),
                "store": round(store_seconds, 3),
                "alerts": round(time.perf_counter() - tick, 3),
                "total": round(time.perf_counter() - started, 3),
                "resumed_from_checkpoint": resumed,
            }
            run.metrics = _metrics(trained, predictions)
            run.versions = {**trained.versions, "model": forecasting_model.MODEL_NAME}
    except BaseException:
        if saving is not None and not saving.done():
            saving.cancel()
        raise
    return _Outcome(products=len(panel.product_ids), metrics=run.metrics, at_risk=at_risk)


async def _save_checkpoint(
    database: Database, organization_id: uuid.UUID, run_id: uuid.UUID, trained: forecasting_model.TrainedModel
) -> float:
    """Store the trained model as the run's checkpoint (replacing an earlier attempt's); seconds."""
    started = time.perf_counter()
    blob = await asyncio.to_thread(trained.dumps)
    async with database.transaction(organization_id) as session:
        await session.execute(
            delete(ForecastModel).where(
                ForecastModel.organization_id == organization_id, ForecastModel.run_id == run_id
            )
        )
        session.add(
            ForecastModel(organization_id=organization_id, run_id=run_id, versions=trained.versions, artifact=blob)
        )
    return time.perf_counter() - started


def _metrics(trained: forecasting_model.TrainedModel, predictions: pd.DataFrame) -> dict[str, Any]:
    evaluation = trained.evaluation
    methods = predictions.drop_duplicates("product_id")["method"].value_counts().to_dict()
    return {
        "backtest": {
            "folds": evaluation.folds,
            "fold_days": evaluation.fold_days,
            "origin": evaluation.origin.isoformat() if evaluation.origin else None,
        },
        "pooled": evaluation.pooled,
        "held_out": evaluation.held_out,
        "methods": {str(name): int(count) for name, count in methods.items()},
        "products": int(predictions["product_id"].nunique()),
    }
