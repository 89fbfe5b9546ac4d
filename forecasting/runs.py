"""Forecasting runs: requesting them (by hand or nightly), listing them, and marking them failed.

Invariants:
- A tenant has at most one queued or running run (unique partial index); a second request is
  409 `forecast_run_active`. A run left queued or running for `STALE_RUN` (its job was lost)
  is marked failed when a new one is requested, so a tenant can never be locked out.
- A requested run's job (`RUN_FORECAST`) is enqueued by name only after its row is committed; a
  failure to enqueue marks the run failed. Running it is `forecasting.execution.execute_run`.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from forecasting.models import ForecastRun
from forecasting.schemas import RunCreate, RunQuery, RunRead, RunTrigger
from server.core.context import Context, Resources
from server.core.db import unique_or_conflict
from server.core.errors import ApiError, Conflict, NotFound
from server.core.events import publish, publish_after_commit
from server.core.ids import new_id
from server.core.pagination import Page, paginate
from server.job_queue import enqueue_after_commit

RUN_FORECAST = "forecasting.run_forecast"
"""The job that executes a run (`forecasting.execution.execute_run`), enqueued by this name."""
STALE_RUN = timedelta(hours=2)
ACTIVE = ("queued", "running")
ACTIVE_RUN_CONFLICT: dict[str, ApiError] = {
    "uq_forecast_runs_active": Conflict(
        "a forecast run is already queued or running for this organization", code="forecast_run_active"
    )
}


def run_read(run: ForecastRun) -> RunRead:
    return RunRead(
        id=run.id,
        status=run.status,
        trigger=run.trigger,
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
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    trigger: RunTrigger,
    requested_by: uuid.UUID | None,
    horizon: int,
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

    async def mark_failed(reason: str) -> None:
        await finish_failed(resources, organization_id, run_id, reason)

    enqueue_after_commit(ctx, RUN_FORECAST, run_id, on_failure=mark_failed)
    publish_after_commit(ctx, "predictions", "forecast.queued", {"run_id": str(run.id), "trigger": "manual"})
    return run_read(run)


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
    return await paginate(ctx.session, statement, query, run_read)


async def find_run(session: AsyncSession, organization_id: uuid.UUID, run_id: uuid.UUID) -> ForecastRun:
    """The tenant's run `run_id`; 404 `forecast_run_not_found` when it has none."""
    run = await session.get(ForecastRun, (organization_id, run_id))
    if run is None:
        raise NotFound("no such forecast run", code="forecast_run_not_found")
    return run


async def get_run(ctx: Context, run_id: uuid.UUID) -> RunRead:
    return run_read(await find_run(ctx.session, ctx.organization_id, run_id))


async def latest_succeeded_run_id(session: AsyncSession, organization_id: uuid.UUID) -> uuid.UUID | None:
    """The tenant's most recently finished successful run (what predictions and suggestions
    read by default), or None before its first."""
    return await session.scalar(
        select(ForecastRun.id)
        .where(ForecastRun.organization_id == organization_id, ForecastRun.status == "succeeded")
        .order_by(ForecastRun.finished_at.desc(), ForecastRun.id.desc())
        .limit(1)
    )


async def finish_failed(resources: Resources, organization_id: uuid.UUID, run_id: uuid.UUID, error: str) -> None:
    """Mark a run failed (unless it already finished) and say so on the `predictions` topic."""
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
