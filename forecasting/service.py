"""Forecasting use cases: requesting runs, executing them in a worker, and reading predictions,
evaluations and reorder suggestions.

Invariants:
- A tenant has at most one queued or running run (unique partial index); a second request is
  409 `forecast_run_active`. A run left queued or running for `STALE_RUN` (its job was lost)
  is marked failed when a new one is requested, so a tenant can never be locked out.
- `execute_run` is idempotent: the job of a run may be delivered more than once (a worker
  died, a message was claimed twice). Executions of one run are serialised by a PostgreSQL
  advisory lock held on a connection of their own (a dead worker's connection closes and
  releases it); a run that is already finished is left alone, and a run's predictions and
  evaluations are written, together with its `succeeded` status, in one transaction that
  first deletes whatever an earlier attempt of the same run wrote. So a run completes once.
- The trained model is checkpointed (`forecast_models`) before predictions are written; a
  redelivered run resumes from it unless it was made with other library versions.
- Predictions start on the tenant's local today: the history is every completed (not voided)
  sale's units per product and local day up to yesterday; refunds are not negative demand.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import and_, delete, func, select, text, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from forecasting import model as forecasting_model
from forecasting.holiday_calendar import HolidayCalendar, country_of_locale
from forecasting.models import ForecastEvaluation, ForecastModel, ForecastRun, Prediction
from forecasting.reorder import DailyForecast, suggest
from forecasting.schemas import (
    EvaluationQuery,
    EvaluationRead,
    HistoryDay,
    HistoryQuery,
    PredictionQuery,
    PredictionRead,
    ProductHistory,
    ReorderPage,
    ReorderQuery,
    ReorderSuggestion,
    RunCreate,
    RunQuery,
    RunRead,
)
from server.catalog.models import Product
from server.catalog.service import search_products
from server.core.context import Context, Resources
from server.core.db import Database, Statement, unique_or_conflict
from server.core.errors import ApiError, Conflict, NotFound
from server.core.events import publish, publish_after_commit
from server.core.ids import new_id
from server.core.pagination import Page, make_page, paginate
from server.tenancy.models import Organization

logger = logging.getLogger("orbit.forecasting")

STALE_RUN = timedelta(hours=2)
ACTIVE = ("queued", "running")
ALERT_ITEMS = 100
ADVISORY_NAMESPACE = 7_300_001
ACTIVE_RUN_CONFLICT: dict[str, ApiError] = {
    "uq_forecast_runs_active": Conflict(
        "a forecast run is already queued or running for this organization", code="forecast_run_active"
    )
}


def _read(run: ForecastRun) -> RunRead:
    return RunRead(
        id=run.id,
        status=run.status,  # type: ignore[arg-type]
        trigger=run.trigger,  # type: ignore[arg-type]
        requested_by=run.requested_by,
        horizon_days=run.horizon_days,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        durations=run.durations,
        metrics=run.metrics,
        versions=run.versions,
        error=run.error,
    )


# Requesting runs --------------------------------------------------------------------------------


async def _fail_stale_runs(session: AsyncSession, organization_id: uuid.UUID) -> None:
    await session.execute(
        update(ForecastRun)
        .where(
            ForecastRun.organization_id == organization_id,
            ForecastRun.status.in_(ACTIVE),
            func.coalesce(ForecastRun.started_at, ForecastRun.created_at) < func.now() - STALE_RUN,
        )
        .values(status="failed", finished_at=func.now(), error="abandoned: its job never finished")
    )


async def _insert_run(
    session: AsyncSession, organization_id: uuid.UUID, *, trigger: str, requested_by: uuid.UUID | None, horizon: int
) -> ForecastRun:
    await _fail_stale_runs(session, organization_id)
    run = ForecastRun(
        organization_id=organization_id,
        id=new_id(),
        status="queued",
        trigger=trigger,
        requested_by=requested_by,
        horizon_days=horizon,
    )
    async with unique_or_conflict(session, ACTIVE_RUN_CONFLICT):
        session.add(run)
    await session.refresh(run)
    return run


async def request_run(ctx: Context, body: RunCreate) -> RunRead:
    """Queue a forecasting run now (409 when one is already queued or running); its job is
    enqueued after commit, and a failure to enqueue marks the run failed."""
    run = await _insert_run(
        ctx.session, ctx.organization_id, trigger="manual", requested_by=ctx.actor_id, horizon=body.horizon_days
    )
    resources, organization_id, run_id = ctx.resources, ctx.organization_id, run.id

    async def enqueue() -> None:
        from forecasting.jobs import broker_for, enqueue_run

        try:
            await enqueue_run(broker_for(resources.settings), organization_id, run_id)
        except Exception as exc:
            logger.exception("could not enqueue forecast run %s", run_id)
            await _finish_failed(resources, organization_id, run_id, f"could not enqueue: {exc}")
            raise

    ctx.after_commit(enqueue)
    publish_after_commit(ctx, "predictions", "forecast.queued", {"run_id": str(run.id), "trigger": "manual"})
    return _read(run)


async def create_scheduled_run(resources: Resources, organization_id: uuid.UUID) -> uuid.UUID | None:
    """Queue the nightly run of a tenant; None when it already has one queued or running."""
    try:
        async with resources.database.transaction(organization_id) as session:
            run = await _insert_run(session, organization_id, trigger="schedule", requested_by=None, horizon=30)
    except Conflict:
        return None
    await publish(
        resources.redis,
        organization_id,
        "predictions",
        "forecast.queued",
        {"run_id": str(run.id), "trigger": "schedule"},
    )
    return run.id


async def list_runs(ctx: Context, query: RunQuery) -> Page[RunRead]:
    statement = select(ForecastRun).where(ForecastRun.organization_id == ctx.organization_id)
    if query.status is not None:
        statement = statement.where(ForecastRun.status == query.status)
    statement = statement.order_by(ForecastRun.created_at.desc(), ForecastRun.id.desc())
    return await paginate(ctx.session, statement, query, _read)


async def _run(session: AsyncSession, organization_id: uuid.UUID, run_id: uuid.UUID) -> ForecastRun:
    run = await session.get(ForecastRun, (organization_id, run_id))
    if run is None:
        raise NotFound("no such forecast run", code="forecast_run_not_found")
    return run


async def get_run(ctx: Context, run_id: uuid.UUID) -> RunRead:
    return _read(await _run(ctx.session, ctx.organization_id, run_id))


# Executing runs (worker) ----------------------------------------------------------------------


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


async def _execute_locked(resources: Resources, organization_id: uuid.UUID, run_id: uuid.UUID) -> dict[str, Any]:
    database, redis = resources.database, resources.redis
    async with database.transaction(organization_id) as session:
        run = await session.get(ForecastRun, (organization_id, run_id))
        if run is None:
            logger.warning("forecast run %s of %s not found; job dropped", run_id, organization_id)
            return {"run_id": str(run_id), "status": "missing"}
        if run.status not in ACTIVE:
            return {"run_id": str(run_id), "status": run.status}
        attempt = "retry" if run.status == "running" else "first"
        run.status = "running"
        run.started_at = run.started_at or datetime.now(UTC)
        horizon = run.horizon_days
        organization = await session.get(Organization, organization_id)
        assert organization is not None
        time_zone = organization.time_zone
        country = country_of_locale(organization.locale)
    holidays = HolidayCalendar.for_country(country) if country is not None else None
    loop = asyncio.get_running_loop()

    def progress(stage: str, fraction: float) -> None:
        data = {"run_id": str(run_id), "stage": stage, "progress": round(fraction, 2)}
        asyncio.run_coroutine_threadsafe(
            publish(redis, organization_id, "predictions", "forecast.progress", data), loop
        )

    await publish(
        redis, organization_id, "predictions", "forecast.started", {"run_id": str(run_id), "attempt": attempt}
    )
    saving: asyncio.Task[float] | None = None
    try:
        started = time.perf_counter()
        today = datetime.now(UTC).astimezone(ZoneInfo(time_zone)).date()
        async with database.transaction(organization_id) as session:
            history = await load_history(session, organization_id, time_zone=time_zone, until=today - timedelta(days=1))
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
        if not resumed:
            trained = await asyncio.to_thread(
                forecasting_model.train, panel, progress=progress, holidays=holidays, horizon=horizon
            )
            # The checkpoint (so that a retry resumes instead of retraining) is written on its
            # own connection while the predictions are made and stored.
            saving = asyncio.create_task(_save_checkpoint(database, organization_id, run_id, trained))
        assert trained is not None
        tick = time.perf_counter()
        predictions = await asyncio.to_thread(forecasting_model.predict, trained, panel, horizon)
        predict_seconds = time.perf_counter() - tick
        progress("predicted", 0.9)
        tick = time.perf_counter()
        async with database.transaction(organization_id) as session:
            await _store(session, organization_id, run_id, predictions, trained.evaluation.per_product)
            store_seconds = time.perf_counter() - tick
            checkpoint_seconds = await saving if saving is not None else 0.0
            tick = time.perf_counter()
            at_risk = await _at_risk(session, organization_id, run_id, today)
            run = await _run(session, organization_id, run_id)
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
    except Exception as exc:
        if saving is not None and not saving.done():
            saving.cancel()
        logger.exception("forecast run %s failed", run_id)
        await _finish_failed(resources, organization_id, run_id, f"{type(exc).__name__}: {exc}")
        return {"run_id": str(run_id), "status": "failed"}
    summary = {"run_id": str(run_id), "status": "succeeded", "products": len(panel.product_ids), "metrics": run.metrics}
    await publish(redis, organization_id, "predictions", "forecast.completed", summary)
    if at_risk:
        await publish(
            redis,
            organization_id,
            "alerts",
            "stock.runout_forecast",
            {"run_id": str(run_id), "count": len(at_risk), "products": at_risk[:ALERT_ITEMS]},
        )
    return {"run_id": str(run_id), "status": "succeeded", "products": len(panel.product_ids)}


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


async def _finish_failed(resources: Resources, organization_id: uuid.UUID, run_id: uuid.UUID, error: str) -> None:
    async with resources.database.transaction(organization_id) as session:
        await session.execute(
            update(ForecastRun)
            .where(
                ForecastRun.organization_id == organization_id, ForecastRun.id == run_id, ForecastRun.status.in_(ACTIVE)
            )
            .values(status="failed", finished_at=func.now(), error=error[:2000])
        )
    await publish(
        resources.redis,
        organization_id,
        "predictions",
        "forecast.failed",
        {"run_id": str(run_id), "error": error[:500]},
    )


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


HISTORY_EPOCH = date(2000, 1, 1)


async def load_history(
    session: AsyncSession, organization_id: uuid.UUID, *, time_zone: str, until: date
) -> pd.DataFrame:
    """Units sold per active product and local day, through `until`; every active product is
    present (a zero on `until` for those without sales, so new products get a forecast), with
    its category as `group` (None without one).

    The database sums the lines per product and day and returns one row per product with two
    arrays (days since `HISTORY_EPOCH`, units): a thousand rows to decode instead of one per
    product and day, which cost more than the query. The explicit tenant filter (row-level
    security applies anyway) lets the planner estimate the join and hash it."""
    # The aggregate reads every sale line of the tenant once a night: let PostgreSQL split it
    # over parallel workers even for small tenants (its default costs keep a table of a few
    # hundred thousand lines on one core; two cores read the benchmark shop's 303k lines in 0.45 s
    # rather than 0.6–0.7 s).
    await session.execute(
        text(
            "select set_config('parallel_setup_cost', '0', true), set_config('parallel_tuple_cost', '0', true), "
            "set_config('min_parallel_table_scan_size', '0', true)"
        )
    )
    rows = (
        await session.execute(
            text(
                "select product_id, array_agg(day), array_agg(units) from ("
                "select l.product_id, (s.sold_at at time zone :zone)::date - cast(:epoch as date) as day, "
                "sum(l.quantity)::float8 as units "
                "from sales s join sale_lines l on l.organization_id = s.organization_id and l.sale_id = s.id "
                "where s.organization_id = :organization and l.organization_id = :organization "
                "and s.status = 'completed' and s.sold_at < (cast(:after as date)::timestamp at time zone :zone) "
                "group by 1, 2) as daily group by 1"
            ),
            {
                "zone": time_zone,
                "after": until + timedelta(days=1),
                "organization": organization_id,
                "epoch": HISTORY_EPOCH,
            },
        )
    ).all()
    catalog = (await session.execute(select(Product.id, Product.category_id).where(Product.is_active.is_(True)))).all()
    products = [product for product, _ in catalog]
    category = {product: None if group is None else str(group) for product, group in catalog}
    active = set(products)
    rows = [row for row in rows if row[0] in active]
    lengths = [len(row[1]) for row in rows]
    total = sum(lengths)
    days = np.fromiter((day for row in rows for day in row[1]), dtype=np.int64, count=total)
    units = np.fromiter((value for row in rows for value in row[2]), dtype=np.float64, count=total)
    frame = pd.DataFrame(
        {
            "product_id": np.repeat(np.array([row[0] for row in rows], dtype=object), lengths),
            "date": pd.Timestamp(HISTORY_EPOCH) + pd.to_timedelta(days, unit="D"),
            "quantity": units,
        }
    )
    anchor = pd.DataFrame(
        {
            "product_id": products,
            "date": pd.Timestamp(until),
            "quantity": np.zeros(len(products)),
            "group": [category[product] for product in products],
        }
    )
    return pd.concat([frame, anchor], ignore_index=True) if total else anchor


async def _store(
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


# Reading predictions and evaluations -----------------------------------------------------------


async def _latest_run_id(session: AsyncSession, organization_id: uuid.UUID) -> uuid.UUID | None:
    return await session.scalar(
        select(ForecastRun.id)
        .where(ForecastRun.organization_id == organization_id, ForecastRun.status == "succeeded")
        .order_by(ForecastRun.finished_at.desc(), ForecastRun.id.desc())
        .limit(1)
    )


async def _resolve_run(session: AsyncSession, organization_id: uuid.UUID, run_id: uuid.UUID | None) -> uuid.UUID | None:
    if run_id is None:
        return await _latest_run_id(session, organization_id)
    await _run(session, organization_id, run_id)
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


async def _product_exists(session: AsyncSession, organization_id: uuid.UUID, product_id: uuid.UUID | None) -> None:
    if product_id is not None and await session.get(Product, (organization_id, product_id)) is None:
        raise NotFound("no such product", code="product_not_found")


async def list_predictions(ctx: Context, query: PredictionQuery) -> Page[PredictionRead]:
    """Predictions of a run (the latest successful one by default), by product and day."""
    await _product_exists(ctx.session, ctx.organization_id, query.product_id)
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
    await _product_exists(ctx.session, ctx.organization_id, query.product_id)
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
    await _run(ctx.session, ctx.organization_id, run_id)
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


# A product's sales history -------------------------------------------------------------------


async def product_history(ctx: Context, query: HistoryQuery) -> ProductHistory:
    """One product's units sold per local day over the `days` days before today (the days the
    forecast learns from: completed sales, voids left out, refunds not subtracted), zero-filled."""
    await _product_exists(ctx.session, ctx.organization_id, query.product_id)
    assert ctx.tenant is not None
    time_zone = ctx.tenant.time_zone
    until = _local_today(ctx) - timedelta(days=1)
    since = until - timedelta(days=query.days - 1)
    rows = (
        await ctx.session.execute(
            text(
                "select (s.sold_at at time zone :zone)::date as day, sum(l.quantity)::float8 as units "
                "from sales s join sale_lines l on l.organization_id = s.organization_id and l.sale_id = s.id "
                "where s.organization_id = :organization and l.organization_id = :organization "
                "and l.product_id = :product and s.status = 'completed' "
                "and s.sold_at >= (cast(:since as date)::timestamp at time zone :zone) "
                "and s.sold_at < (cast(:after as date)::timestamp at time zone :zone) "
                "group by 1"
            ),
            {
                "zone": time_zone,
                "since": since,
                "after": until + timedelta(days=1),
                "organization": ctx.organization_id,
                "product": query.product_id,
            },
        )
    ).all()
    sold = {row.day: row.units for row in rows}
    days = [since + timedelta(days=offset) for offset in range(query.days)]
    return ProductHistory(
        product_id=query.product_id,
        date_from=since,
        date_to=until,
        days=[HistoryDay(date=day, units=sold.get(day, 0.0)) for day in days],
    )


# Reorder suggestions ---------------------------------------------------------------------------


def _local_today(ctx: Context) -> date:
    assert ctx.tenant is not None
    return datetime.now(UTC).astimezone(ZoneInfo(ctx.tenant.time_zone)).date()


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


async def reorder_suggestions(ctx: Context, query: ReorderQuery) -> ReorderPage:
    """Suggested order quantities from the latest successful run and the stock on hand now."""
    await _product_exists(ctx.session, ctx.organization_id, query.product_id)
    today = _local_today(ctx)
    run_id = await _latest_run_id(ctx.session, ctx.organization_id)
    items = await _suggestions(ctx.session, ctx.organization_id, run_id, today, query) if run_id else []
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
    await _product_exists(ctx.session, ctx.organization_id, query.product_id)
    today = _local_today(ctx)
    run_id = await _latest_run_id(ctx.session, ctx.organization_id)
    items = await _suggestions(ctx.session, ctx.organization_id, run_id, today, query) if run_id else []
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


async def _at_risk(
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
