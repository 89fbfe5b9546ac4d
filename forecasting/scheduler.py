"""`orbit scheduler`: every tenant's forecast, nightly, at the tenant's local midnight.

`TenantMidnightSource` is a Taskiq schedule source: one cron schedule ("0 0 * * *") per active
organization, offset to the organization's time zone. The loop here (instead of Taskiq's
own, which reads the wall clock) takes the time from an injectable clock, so tests can move it.

A schedule fires when the tenant's local time is within `CATCH_UP` after its midnight, at most
once per tenant and local date: the claim is a Redis key set with NX, so a restarted or a
second scheduler does not run a tenant twice, and a scheduler that was down at midnight still
runs the night's forecast when it comes back within the catch-up window. Firing creates a
queued run (skipped when the tenant already has one queued or running) and enqueues its job.

The same nightly claim also does the tenant's housekeeping first: stored idempotency responses
older than `server.core.idempotency.RETENTION` are purged, whether or not a forecast is queued.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from taskiq import AsyncBroker, ScheduledTask, ScheduleSource

from forecasting.runs import RUN_FORECAST, create_scheduled_run
from server.core import idempotency
from server.core.config import Settings
from server.core.context import Resources
from server.core.heartbeat import keep_beating
from server.job_queue import kick, make_broker
from server.resources import opened_resources
from server.tenancy.models import Organization

logger = logging.getLogger("orbit.scheduler")

NIGHTLY = "0 0 * * *"
CATCH_UP = timedelta(hours=3)
CLAIM_SECONDS = 3 * 24 * 3600
TICK_SECONDS = 30.0

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class TenantMidnightSource(ScheduleSource):
    """One nightly schedule per active organization, in its time zone."""

    def __init__(self, resources: Resources, *, organizations: set[uuid.UUID] | None = None) -> None:
        self.resources = resources
        self.organizations = organizations

    async def get_schedules(self) -> list[ScheduledTask]:
        statement = select(Organization.id, Organization.time_zone).where(Organization.is_active.is_(True))
        if self.organizations is not None:
            statement = statement.where(Organization.id.in_(self.organizations))
        async with self.resources.database.transaction() as session:
            rows = (await session.execute(statement)).all()
        return [
            ScheduledTask(
                task_name=RUN_FORECAST,
                labels={},
                args=[],
                kwargs={"organization_id": str(organization_id)},
                schedule_id=f"forecast-{organization_id}",
                cron=NIGHTLY,
                cron_offset=time_zone,
            )
            for organization_id, time_zone in rows
        ]


def local_midnight_due(now: datetime, time_zone: str) -> date | None:
    """The local date whose midnight has just passed (within `CATCH_UP`) in `time_zone`, if any."""
    local = now.astimezone(ZoneInfo(time_zone))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return local.date() if local - midnight < CATCH_UP else None


def _claim_key(organization_id: str, day: date) -> str:
    return f"t:{organization_id}:forecast:nightly:{day.isoformat()}"


async def tick(resources: Resources, broker: AsyncBroker, source: ScheduleSource, now: datetime) -> list[uuid.UUID]:
    """Fire every schedule due at `now`; returns the runs created."""
    created: list[uuid.UUID] = []
    for schedule in await source.get_schedules():
        organization_id = str(schedule.kwargs["organization_id"])
        time_zone = str(schedule.cron_offset or "UTC")
        day = local_midnight_due(now, time_zone)
        if day is None:
            continue
        if not await resources.redis.set(_claim_key(organization_id, day), b"1", nx=True, ex=CLAIM_SECONDS):
            continue
        async with resources.database.transaction(uuid.UUID(organization_id)) as session:
            purged = await idempotency.purge_expired(session, uuid.UUID(organization_id), now)
        if purged:
            logger.info("purged %d expired idempotency keys of tenant %s", purged, organization_id)
        run_id = await create_scheduled_run(resources, uuid.UUID(organization_id))
        if run_id is None:
            logger.info("tenant %s already has a forecast run in progress; nightly run skipped", organization_id)
            continue
        await kick(broker, RUN_FORECAST, uuid.UUID(organization_id), run_id)
        logger.info(
            "nightly forecast %s queued for tenant %s (%s, local date %s)", run_id, organization_id, time_zone, day
        )
        created.append(run_id)
    return created


async def run_scheduler(
    resources: Resources, broker: AsyncBroker, *, clock: Clock = utc_now, interval: float = TICK_SECONDS
) -> None:
    """Tick every `interval` seconds until cancelled."""
    source = TenantMidnightSource(resources)
    while True:
        try:
            await tick(resources, broker, source, clock())
        except Exception:
            logger.exception("scheduler tick failed; retrying at the next tick")
        await asyncio.sleep(interval)


async def serve_scheduler(
    settings: Settings, *, interval: float = TICK_SECONDS, clock: Clock = utc_now, heartbeat: Path | None = None
) -> None:
    """`orbit scheduler`: open the resources and the broker, tick until SIGINT or SIGTERM,
    touching `heartbeat` (when given) while it runs."""
    async with opened_resources(settings) as resources:
        broker = make_broker(settings)
        await broker.startup()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        task = asyncio.create_task(run_scheduler(resources, broker, clock=clock, interval=interval))
        beating = asyncio.create_task(keep_beating(heartbeat)) if heartbeat else None
        logger.info("scheduler running (every %.0f s)", interval)
        try:
            await stop.wait()
        finally:
            for running in (task, beating):
                if running is not None:
                    running.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await running
            await broker.shutdown()
