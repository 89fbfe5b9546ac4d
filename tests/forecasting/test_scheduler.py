"""The nightly schedule: each tenant's forecast is queued at its own local midnight, once."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from forecasting.jobs import make_broker
from forecasting.models import ForecastRun
from forecasting.scheduler import TenantMidnightSource, local_midnight_due, tick
from server.core.context import Resources
from server.core.idempotency import RETENTION, IdempotencyKey
from tests.conftest import Api

ROOT = Path(__file__).resolve().parents[2]


def test_local_midnight_is_due_for_the_catch_up_window_only() -> None:
    # 03:00 UTC on 28 November is midnight in Santiago (UTC−3 in summer) and noon in Tokyo.
    assert local_midnight_due(datetime(2026, 11, 28, 3, 0, tzinfo=UTC), "America/Santiago").isoformat() == "2026-11-28"
    assert local_midnight_due(datetime(2026, 11, 28, 2, 59, tzinfo=UTC), "America/Santiago") is None
    assert local_midnight_due(datetime(2026, 11, 28, 3, 0, tzinfo=UTC), "Asia/Tokyo") is None
    assert local_midnight_due(datetime(2026, 11, 28, 15, 0, tzinfo=UTC), "Asia/Tokyo").isoformat() == "2026-11-29"
    # In winter Santiago is UTC−4: its midnight moves with the clocks.
    assert local_midnight_due(datetime(2026, 7, 1, 3, 30, tzinfo=UTC), "America/Santiago") is None
    assert local_midnight_due(datetime(2026, 7, 1, 4, 0, tzinfo=UTC), "America/Santiago") is not None


async def runs_of(resources: Resources, organization_id) -> list[ForecastRun]:
    async with resources.database.transaction(organization_id) as session:
        return list((await session.execute(select(ForecastRun).order_by(ForecastRun.created_at))).scalars())


async def test_each_tenant_is_queued_at_its_own_midnight(
    api: Api, resources: Resources, settings, job_stream: str
) -> None:
    santiago = await api.register("Santiago Shop", time_zone="America/Santiago")
    tokyo = await api.register("Tokyo Shop", time_zone="Asia/Tokyo")
    source = TenantMidnightSource(resources, organizations={santiago.organization_id, tokyo.organization_id})
    schedules = {task.kwargs["organization_id"]: task for task in await source.get_schedules()}
    assert schedules[str(tokyo.organization_id)].cron == "0 0 * * *"
    assert schedules[str(tokyo.organization_id)].cron_offset == "Asia/Tokyo"
    broker = make_broker(settings)
    await broker.startup()
    try:
        before = datetime(2030, 11, 28, 2, 59, tzinfo=UTC)
        assert await tick(resources, broker, source, before) == []

        santiago_midnight = datetime(2030, 11, 28, 3, 0, tzinfo=UTC)
        first = await tick(resources, broker, source, santiago_midnight)
        assert len(first) == 1
        assert [run.id for run in await runs_of(resources, santiago.organization_id)] == first
        assert await runs_of(resources, tokyo.organization_id) == []
        # The same night again (next tick, a restarted or second scheduler): nothing new.
        assert await tick(resources, broker, source, santiago_midnight + timedelta(seconds=30)) == []
        assert await tick(resources, broker, source, santiago_midnight + timedelta(hours=2)) == []

        tokyo_midnight = datetime(2030, 11, 28, 15, 0, tzinfo=UTC)
        second = await tick(resources, broker, source, tokyo_midnight)
        assert [run.id for run in await runs_of(resources, tokyo.organization_id)] == second
        assert len(second) == 1
        scheduled = (await runs_of(resources, santiago.organization_id))[0]
        assert scheduled.trigger == "schedule" and scheduled.status == "queued" and scheduled.requested_by is None
        assert await resources.redis.xlen(job_stream) == 2

        # The next night, Santiago's run is still queued: the nightly run is skipped, not stacked.
        assert await tick(resources, broker, source, santiago_midnight + timedelta(days=1)) == []
        assert len(await runs_of(resources, santiago.organization_id)) == 1
    finally:
        await broker.shutdown()


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "America/Adak"])
def test_every_zone_has_one_due_window_a_day(zone: str) -> None:
    start = datetime(2030, 3, 1, tzinfo=UTC)
    due = {local_midnight_due(start + timedelta(minutes=15 * step), zone) for step in range(4 * 24 * 3)}
    assert len(due - {None}) in (3, 4)


async def keys_of(resources: Resources, organization_id) -> list[str]:
    async with resources.database.transaction(organization_id) as session:
        return sorted((await session.execute(select(IdempotencyKey.key))).scalars())


async def test_the_nightly_claim_purges_expired_idempotency_keys_of_that_tenant_only(
    api: Api, resources: Resources, settings, job_stream: str
) -> None:
    santiago = await api.register("Purging Shop", time_zone="America/Santiago")
    tokyo = await api.register("Later Shop", time_zone="Asia/Tokyo")
    santiago_midnight = datetime(2030, 11, 28, 3, 0, tzinfo=UTC)
    for tenant in (santiago, tokyo):
        async with resources.database.transaction(tenant.organization_id) as session:
            for key, age in (("old", RETENTION + timedelta(minutes=1)), ("recent", RETENTION - timedelta(hours=1))):
                session.add(
                    IdempotencyKey(
                        organization_id=tenant.organization_id,
                        user_id=tenant.admin_id,
                        key=key,
                        endpoint="POST /api/v1/sales",
                        request_hash=b"h",
                        status="completed",
                        response_status=201,
                        response_body=b"{}",
                        created_at=santiago_midnight - age,
                    )
                )
    source = TenantMidnightSource(resources, organizations={santiago.organization_id, tokyo.organization_id})
    broker = make_broker(settings)
    await broker.startup()
    try:
        assert len(await tick(resources, broker, source, santiago_midnight)) == 1
    finally:
        await broker.shutdown()
    assert await keys_of(resources, santiago.organization_id) == ["recent"]
    # Tokyo's midnight has not come: its keys wait for its own night.
    assert await keys_of(resources, tokyo.organization_id) == ["old", "recent"]


@pytest.mark.parametrize("module", ["forecasting.scheduler", "forecasting.worker"])
def test_a_background_process_knows_every_table_it_may_write(module: str) -> None:
    """`orbit scheduler` and `orbit worker` import no web application: every foreign key of every
    table they registered must still find its table (a run's row points at `users`), or their
    first write fails."""
    check = (
        f"import {module}\n"
        "from server.core.db import Base\n"
        "[fk.column for table in Base.metadata.tables.values() for fk in table.foreign_keys]\n"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
