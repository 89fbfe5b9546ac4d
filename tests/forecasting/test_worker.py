"""A real `orbit worker` killed with SIGKILL in the middle of a run, and another started: the
job is redelivered and the run completes exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text

from forecasting.models import ForecastRun, Prediction
from server.core.config import Settings
from server.core.context import Resources
from server.core.events import stream_key
from tests.conftest import Api, wait_for_blocked_backend
from tests.forecasting.conftest import load_history

REDELIVERY_SECONDS = 2


class Workers:
    def __init__(self, settings: Settings, stream: str) -> None:
        self.environment = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            "ORBIT_ENV": "test",
            "ORBIT_JOB_STREAM": stream,
            "ORBIT_JOB_REDELIVERY_SECONDS": str(REDELIVERY_SECONDS),
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, *arguments: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen([sys.executable, "-m", "server.cli", "worker", *arguments], env=self.environment)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def workers(settings: Settings, job_stream: str) -> Iterator[Workers]:
    pool = Workers(settings, job_stream)
    yield pool
    pool.stop()


async def run_state(resources: Resources, organization_id: uuid.UUID, run_id: uuid.UUID) -> tuple[str, int]:
    async with resources.database.transaction(organization_id) as session:
        status = await session.scalar(select(ForecastRun.status).where(ForecastRun.id == run_id))
        # Product-days: each product's row holds its days as arrays.
        count = await session.scalar(
            select(func.sum(func.cardinality(Prediction.yhat))).where(Prediction.run_id == run_id)
        )
    return str(status), int(count or 0)


async def wait_for(resources: Resources, organization_id, run_id, wanted: set[str], seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, _ = await run_state(resources, organization_id, run_id)
        if status in wanted:
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"run still {status} after {seconds} s")


async def pending_jobs(resources: Resources, stream: str, seconds: float) -> int:
    """The consumer group's unacknowledged messages, waiting up to `seconds` for them to drain."""
    deadline = time.monotonic() + seconds
    while True:
        pending = int((await resources.redis.xpending(stream, "orbit-workers"))["pending"])
        if pending == 0 or time.monotonic() > deadline:
            return pending
        await asyncio.sleep(0.05)


@pytest.mark.slow
async def test_a_killed_worker_s_run_is_redelivered_and_completes_once(
    api: Api, resources: Resources, workers: Workers, owner_engine
) -> None:
    tenant = await api.register("Killed Worker Shop")
    products = await load_history(resources, tenant, products=30, days=250, seed=9)
    first = workers.start()
    run = (await tenant.client.post("/api/v1/forecasts/runs", json={})).json()
    run_id = uuid.UUID(run["id"])

    assert await wait_for(resources, tenant.organization_id, run_id, {"running", "succeeded"}, seconds=60) == "running"
    # Hold the run's row: the worker's next write to it (its progress or its result) waits, so
    # the kill lands mid-run however fast the machine, not when the timing happens to allow.
    blocker = await owner_engine.connect()
    await blocker.begin()
    await blocker.execute(text("select 1 from forecast_runs where id = :r for update"), {"r": run_id})
    try:
        await wait_for_blocked_backend(owner_engine)
        first.send_signal(signal.SIGKILL)
        first.wait()
    finally:
        await blocker.rollback()
        await blocker.close()
    status, count = await run_state(resources, tenant.organization_id, run_id)
    assert (status, count) == ("running", 0)

    workers.start()
    assert (
        await wait_for(resources, tenant.organization_id, run_id, {"succeeded", "failed"}, seconds=150) == "succeeded"
    )
    status, count = await run_state(resources, tenant.organization_id, run_id)
    assert count == products * 30

    entries = await resources.redis.xrange(stream_key(tenant.organization_id, "predictions"))
    body = b"".join(fields[b"e"] for _, fields in entries)
    assert body.count(b'"type":"forecast.completed"') == 1
    assert body.count(b'"attempt":"retry"') == 1
    # The worker acknowledges the job once its result is saved, just after the run commits:
    # within moments nothing is left pending for another delivery.
    assert await pending_jobs(resources, workers.environment["ORBIT_JOB_STREAM"], seconds=15) == 0


@pytest.mark.slow
async def test_a_stopped_worker_hands_its_job_back_at_once(api: Api, resources: Resources, workers: Workers) -> None:
    """SIGTERM with no time to finish: the job goes back on the queue and another worker takes it
    at once, long before a dead worker's job would be redelivered (10 minutes here)."""
    workers.environment["ORBIT_JOB_REDELIVERY_SECONDS"] = "600"
    tenant = await api.register("Handed Back Shop")
    products = await load_history(resources, tenant, products=30, days=250, seed=9)
    first = workers.start("--stop-seconds", "0")
    run_id = uuid.UUID((await tenant.client.post("/api/v1/forecasts/runs", json={})).json()["id"])
    await wait_for(resources, tenant.organization_id, run_id, {"running", "succeeded"}, seconds=60)
    first.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(first.wait, 30) == 0
    assert await run_state(resources, tenant.organization_id, run_id) == ("running", 0), "finished before the stop"
    stream = workers.environment["ORBIT_JOB_STREAM"]
    assert int((await resources.redis.xpending(stream, "orbit-workers"))["pending"]) == 0, "still held by the first"

    workers.start()
    status = await wait_for(resources, tenant.organization_id, run_id, {"succeeded", "failed"}, seconds=120)
    assert status == "succeeded"
    assert (await run_state(resources, tenant.organization_id, run_id))[1] == products * 30
    entries = await resources.redis.xrange(stream_key(tenant.organization_id, "predictions"))
    assert b"".join(fields[b"e"] for _, fields in entries).count(b'"type":"forecast.completed"') == 1
    assert await pending_jobs(resources, stream, seconds=15) == 0


@pytest.mark.slow
async def test_a_stopped_worker_finishes_its_job_first(api: Api, resources: Resources, workers: Workers) -> None:
    """SIGTERM with time to finish: the worker takes no other job, completes this one, then exits."""
    tenant = await api.register("Finishing Shop")
    await load_history(resources, tenant, products=30, days=250, seed=9)
    worker = workers.start("--stop-seconds", "120")
    run_id = uuid.UUID((await tenant.client.post("/api/v1/forecasts/runs", json={})).json()["id"])
    await wait_for(resources, tenant.organization_id, run_id, {"running", "succeeded"}, seconds=60)
    worker.send_signal(signal.SIGTERM)
    assert await run_state(resources, tenant.organization_id, run_id) == ("running", 0), "finished before the stop"
    assert await asyncio.to_thread(worker.wait, 120) == 0
    assert (await run_state(resources, tenant.organization_id, run_id))[0] == "succeeded"
    assert await pending_jobs(resources, workers.environment["ORBIT_JOB_STREAM"], seconds=1) == 0
