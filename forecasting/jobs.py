"""The Taskiq broker, result backend and the forecasting task.

Delivery is at least once: the broker is a Redis Stream read by a consumer group, a message is
acknowledged only after its task has finished and its result is saved, and a message left
unacknowledged for `redelivery_seconds` (its worker died) is claimed by another worker with
XAUTOCLAIM. The task itself is idempotent (`forecasting.execution.execute_run`), so a
redelivered or duplicated message completes its run exactly once.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncGenerator
from typing import Any

from redis.asyncio import Redis
from taskiq import AsyncBroker
from taskiq.acks import AckableMessage
from taskiq.kicker import AsyncKicker
from taskiq_redis import RedisAsyncResultBackend, RedisStreamBroker

from server.core.config import Settings
from server.core.metrics import JOB_QUEUE_DEPTH
from server.core.observability import JobObservability, job_labels
from server.documents.exports import RUN_REPORT_EXPORT

logger = logging.getLogger("orbit.forecasting.jobs")

STREAM = "orbit:jobs:forecasting"
CONSUMER_GROUP = "orbit-workers"
RUN_FORECAST = "forecasting.run_forecast"
RESULT_SECONDS = 7 * 24 * 3600
DEFAULT_REDELIVERY_SECONDS = 15 * 60
REDELIVERY_ENV = "ORBIT_JOB_REDELIVERY_SECONDS"
STREAM_ENV = "ORBIT_JOB_STREAM"


class ReclaimingStreamBroker(RedisStreamBroker):
    """`RedisStreamBroker` whose listener reclaims idle unacknowledged messages on every poll.

    taskiq-redis 1.2 runs its XAUTOCLAIM pass only after XREADGROUP returned new messages, so
    a task whose worker was killed would wait for unrelated traffic before being redelivered;
    a nightly queue may see none for a day. Here every poll first claims messages idle for
    longer than `idle_timeout` (ms), then blocks for new ones."""

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        async with Redis(connection_pool=self.connection_pool) as redis:
            while True:
                reply: Any = await redis.xautoclaim(
                    name=self.queue_name,
                    groupname=self.consumer_group_name,
                    consumername=self.consumer_name,
                    min_idle_time=self.idle_timeout,
                    count=self.unacknowledged_batch_size,
                )
                for message_id, fields in reply[1]:
                    if fields:
                        logger.warning("redelivering unacknowledged job message %s", message_id)
                        yield self._message(message_id, fields)
                fetched: Any = await redis.xreadgroup(
                    self.consumer_group_name,
                    self.consumer_name,
                    {self.queue_name: ">"},
                    block=self.block,
                    noack=False,
                    count=self.count,
                )
                for _, messages in fetched or []:
                    for message_id, fields in messages:
                        yield self._message(message_id, fields)

    def _message(self, message_id: Any, fields: dict[bytes, bytes]) -> AckableMessage:
        return AckableMessage(data=fields[b"data"], ack=self._ack_generator(id=message_id, queue_name=self.queue_name))


def redelivery_seconds() -> float:
    """How long a job may stay unacknowledged before another worker takes it over. Longer than
    any run takes: a live worker's job claimed twice is still run once (`execute_run`), but waits."""
    return float(os.environ.get(REDELIVERY_ENV, DEFAULT_REDELIVERY_SECONDS))


def stream_name() -> str:
    return os.environ.get(STREAM_ENV, STREAM)


def make_broker(settings: Settings, *, consumer_name: str | None = None) -> AsyncBroker:
    """The broker every process uses (web servers kick, workers listen), with its result backend.

    The forecasting task is registered on it; workers get their database and Redis handles in
    the broker's state at startup (`forecasting.worker`)."""
    broker = ReclaimingStreamBroker(
        settings.redis_url,
        queue_name=stream_name(),
        consumer_group_name=CONSUMER_GROUP,
        consumer_name=consumer_name or f"worker-{uuid.uuid4().hex[:12]}",
        consumer_id="0",
        idle_timeout=int(redelivery_seconds() * 1000),
        xread_block=1000,
        xread_count=1,
        maxlen=10_000,
    ).with_result_backend(RedisAsyncResultBackend(settings.redis_url, result_ex_time=RESULT_SECONDS))
    broker.register_task(_run_forecast, task_name=RUN_FORECAST)
    broker.register_task(_run_report_export, task_name=RUN_REPORT_EXPORT)
    broker.add_middlewares(JobObservability())
    return broker


async def _run_forecast(organization_id: str, run_id: str) -> dict[str, Any]:
    from forecasting.execution import execute_run
    from forecasting.worker import current_resources

    return await execute_run(current_resources(), uuid.UUID(organization_id), uuid.UUID(run_id))


async def _run_report_export(organization_id: str, export_id: str) -> dict[str, Any]:
    """A report's CSV export (`server.documents.exports`), run by the same workers."""
    from forecasting.worker import current_resources
    from server.documents import exports

    return await exports.execute_export(current_resources(), uuid.UUID(organization_id), uuid.UUID(export_id))


_kickers: dict[str, AsyncBroker] = {}


def broker_for(settings: Settings) -> AsyncBroker:
    """The process's broker for kicking jobs (one per Redis URL, made on first use)."""
    key = f"{settings.redis_url} {stream_name()}"
    broker = _kickers.get(key)
    if broker is None:
        broker = _kickers[key] = make_broker(settings)
    return broker


async def enqueue_run(broker: AsyncBroker, organization_id: uuid.UUID, run_id: uuid.UUID) -> None:
    """Put one forecasting job on the stream."""
    labels = job_labels(tenant=organization_id)
    kicker: AsyncKicker[Any, Any] = AsyncKicker(task_name=RUN_FORECAST, broker=broker, labels=labels)
    await kicker.kiq(str(organization_id), str(run_id))


async def queue_depth(redis: Redis) -> tuple[int, int]:
    """(waiting, pending) jobs of the stream: not yet delivered to the workers' group, and
    delivered but not yet acknowledged (running, or held by a dead worker until reclaimed)."""
    name = stream_name()
    if not await redis.exists(name):
        return 0, 0
    groups: Any = await redis.xinfo_groups(name)
    group = next((g for g in groups if g["name"] in (CONSUMER_GROUP, CONSUMER_GROUP.encode())), None)
    if group is None:
        return int(await redis.xlen(name)), 0
    lag = group.get("lag")
    if lag is None:  # Redis < 7 reports no lag: count what follows the last delivered entry
        last = group["last-delivered-id"]
        last = last.decode() if isinstance(last, bytes) else str(last)
        lag = len(await redis.xrange(name, min=f"({last}", max="+") or [])
    return int(lag), int(group["pending"])


async def observe_queue_depth(redis: Redis) -> None:
    """Set `orbit_job_queue_depth` from Redis (a `/metrics` scrape hook)."""
    waiting, pending = await queue_depth(redis)
    JOB_QUEUE_DEPTH.labels(stream_name(), "waiting").set(waiting)
    JOB_QUEUE_DEPTH.labels(stream_name(), "pending").set(pending)


async def hand_back(broker: ReclaimingStreamBroker) -> int:
    """Put every message this consumer holds unacknowledged back on the stream, each as a new
    entry added and the old delivery acknowledged in one transaction, so that another worker
    takes it at once; returns how many were handed back. Called by a stopping worker."""
    handed = 0
    async with Redis(connection_pool=broker.connection_pool) as redis:
        pending: Any = await redis.xpending_range(
            broker.queue_name,
            broker.consumer_group_name,
            min="-",
            max="+",
            count=1000,
            consumername=broker.consumer_name,
        )
        for entry in pending:
            message_id = entry["message_id"]
            found: Any = await redis.xrange(broker.queue_name, message_id, message_id)
            async with redis.pipeline(transaction=True) as pipe:
                if found:
                    pipe.xadd(broker.queue_name, found[0][1], maxlen=broker.maxlen, approximate=True)
                pipe.xack(broker.queue_name, broker.consumer_group_name, message_id)
                await pipe.execute()
            handed += 1 if found else 0
    return handed
