"""The job queue: the Taskiq broker on a Redis Stream, and jobs enqueued by name.

A service enqueues a job by its name and the ids it concerns (`enqueue_after_commit`), without
importing the code that runs it; the worker (`forecasting.worker`) registers each name's handler
(`register_jobs`), and hands it the worker's resources. So a domain can queue work for a worker
without the worker, or what it runs, being imported by the domain.

Delivery is at least once: the broker is a Redis Stream read by a consumer group, a message is
acknowledged only after its job has finished and its result is saved, and a message left
unacknowledged for `redelivery_seconds` (its worker died) is claimed by another worker with
XAUTOCLAIM. Every job's handler must therefore be idempotent (a redelivered or duplicated message
completes its subject once, e.g. `forecasting.execution.execute_run`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from typing import Any

from redis.asyncio import Redis
from taskiq import AsyncBroker
from taskiq.acks import AckableMessage
from taskiq.kicker import AsyncKicker
from taskiq_redis import RedisAsyncResultBackend, RedisStreamBroker

from server.core.config import Settings
from server.core.context import Context, Resources
from server.core.metrics import JOB_QUEUE_DEPTH
from server.core.observability import JobObservability, job_labels

logger = logging.getLogger("orbit.jobs.queue")

STREAM = "orbit:jobs:forecasting"
CONSUMER_GROUP = "orbit-workers"
RESULT_SECONDS = 7 * 24 * 3600
DEFAULT_REDELIVERY_SECONDS = 15 * 60
REDELIVERY_ENV = "ORBIT_JOB_REDELIVERY_SECONDS"
STREAM_ENV = "ORBIT_JOB_STREAM"

JobHandler = Callable[[Resources, uuid.UUID, uuid.UUID], Awaitable[dict[str, Any]]]
"""What runs a job: called with the worker's resources, the tenant and the job's subject (a
run, an export...); returns the job's result (a small dict, stored by the result backend)."""


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
    any job takes: a live worker's job claimed twice is still run once (its handler is
    idempotent), but waits."""
    return float(os.environ.get(REDELIVERY_ENV, DEFAULT_REDELIVERY_SECONDS))


def stream_name() -> str:
    return os.environ.get(STREAM_ENV, STREAM)


def make_broker(settings: Settings, *, consumer_name: str | None = None) -> ReclaimingStreamBroker:
    """A broker on the job stream, with its result backend and the jobs' observability; no job
    is registered on it (enough to enqueue; a worker adds its handlers with `register_jobs`)."""
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
    broker.add_middlewares(JobObservability())
    return broker


# The worker's side


def register_jobs(broker: AsyncBroker, handlers: Mapping[str, JobHandler]) -> None:
    """Register each job name's handler; a job runs with the resources `attach_resources` gave
    the broker."""
    for name, handler in handlers.items():
        broker.register_task(_job(broker, handler), task_name=name)


def _job(broker: AsyncBroker, handler: JobHandler) -> Callable[[str, str], Awaitable[dict[str, Any]]]:
    async def job(organization_id: str, subject_id: str) -> dict[str, Any]:
        return await handler(worker_resources(broker), uuid.UUID(organization_id), uuid.UUID(subject_id))

    return job


def attach_resources(broker: AsyncBroker, resources: Resources | None) -> None:
    """Give the broker's jobs the worker's database pool and Redis client (None takes them back)."""
    broker.state.resources = resources


def worker_resources(broker: AsyncBroker) -> Resources:
    resources = getattr(broker.state, "resources", None)
    if not isinstance(resources, Resources):
        raise RuntimeError("jobs run only inside `orbit worker` (no resources attached to its broker)")
    return resources


# Enqueueing

_kickers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, ReclaimingStreamBroker]] = (
    weakref.WeakKeyDictionary()
)
"""The enqueueing brokers of each event loop: a broker's Redis connections belong to the loop
that opened them, and a process may run more than one loop (a test client's lifespan)."""


def broker_for(settings: Settings) -> ReclaimingStreamBroker:
    """The running event loop's broker for enqueueing jobs (one per Redis URL and stream, made
    on first use; `close_brokers` closes them)."""
    brokers = _kickers.setdefault(asyncio.get_running_loop(), {})
    key = f"{settings.redis_url} {stream_name()}"
    broker = brokers.get(key)
    if broker is None:
        broker = brokers[key] = make_broker(settings)
    return broker


async def close_brokers() -> None:
    """Close the running event loop's enqueueing brokers (a later enqueue opens a new one)."""
    for broker in _kickers.pop(asyncio.get_running_loop(), {}).values():
        await broker.shutdown()


async def kick(broker: AsyncBroker, task_name: str, organization_id: uuid.UUID, subject_id: uuid.UUID) -> None:
    """Put one job on the stream, labelled with the current request's id and its tenant (so the
    worker logs under them)."""
    labels = job_labels(tenant=organization_id)
    kicker: AsyncKicker[Any, Any] = AsyncKicker(task_name=task_name, broker=broker, labels=labels)
    await kicker.kiq(str(organization_id), str(subject_id))


def enqueue_after_commit(
    ctx: Context, task_name: str, subject_id: uuid.UUID, *, on_failure: Callable[[str], Awaitable[None]]
) -> None:
    """Enqueue job `task_name` of `subject_id` (of the context's tenant) once the request's
    transaction has committed, never on rollback. When it cannot be enqueued, the failure is
    logged and `on_failure` gets the reason ("could not enqueue: …") to mark the subject failed."""
    settings, organization_id = ctx.resources.settings, ctx.organization_id

    async def enqueue() -> None:
        try:
            await kick(broker_for(settings), task_name, organization_id, subject_id)
        except Exception as exc:
            logger.exception("could not enqueue %s of %s", task_name, subject_id)
            await on_failure(f"could not enqueue: {exc}")

    ctx.after_commit(enqueue)


# Watching the queue


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
