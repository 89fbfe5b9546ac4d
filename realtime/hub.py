"""The per-process hub (DESIGN §8): the sockets of this process, their subscriptions and the
frames they send; the Redis subscriber is `realtime.feed`, the history `realtime.replay`.

Invariants:
- Every socket is registered in `connections` and in its tenant's `TenantFeed` from `attach` to
  `forget`; `forget` takes it and its subscriptions out of both, once, and is never called during
  a dispatch (a socket closing in a dispatch only marks itself, `Connection.close`).
- A subscription serves its history only after Redis has confirmed the tenant's channel
  (`Feed.channel_ready`), so no event can fall between history and live; when the channel is not
  confirmed in time the subscription is paused and the client sent `resume` later.
- The hub never waits for a socket: each has its own bounded queue, written at the end of the
  loop's turn (`Flusher`) or by its own writer.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Coroutine, Iterable
from typing import Any

from starlette.websockets import WebSocket

from realtime import service
from realtime.connection import Connection, Flusher, RealtimeConfig, Subscription
from realtime.feed import FEED_ERRORS, Feed, TenantFeed
from realtime.housekeeping import check_users, keep_sockets, sweep_presence
from realtime.memory import settle_collector
from realtime.metrics import Stats, register_hub, unregister_hub
from realtime.replay import Replay
from realtime.schemas import (
    RESTARTING,
    Error,
    Limits,
    Ready,
    Refreshed,
    Refused,
    Unsubscribed,
)
from realtime.transport import frame_sink
from server.core.context import Resources
from server.core.presence import Presence

logger = logging.getLogger("orbit.realtime")

STOP_SECONDS = 5.0
"""How long `Hub.stop` waits for its cancelled tasks."""


class Hub:
    """The sockets of this process and the feed that serves them."""

    def __init__(self, resources: Resources, config: RealtimeConfig | None = None) -> None:
        self.resources = resources
        self._config = config or RealtimeConfig()
        self.stats = Stats()
        self.presence = Presence(resources.redis, lease_seconds=self._config.presence_lease)
        self.feed = Feed(resources.settings.redis_url, self._config, self.stats)
        self.connections: set[Connection] = set()
        self.flusher = Flusher()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._housekeeper: asyncio.Task[None] | None = None

    @property
    def config(self) -> RealtimeConfig:
        return self._config

    @config.setter
    def config(self, config: RealtimeConfig) -> None:
        """Applies to the feed at once and to the sockets opened from now on."""
        self._config = config
        self.feed.config = config

    @property
    def tenants(self) -> dict[uuid.UUID, TenantFeed]:
        return self.feed.tenants

    @property
    def feed_up(self) -> bool:
        return self.feed.up

    @property
    def feed_name(self) -> str:
        return self.feed.name

    # Lifecycle -----------------------------------------------------------------------------------

    async def start(self) -> Hub:
        settle_collector()
        self.feed.start()
        self._housekeeper = asyncio.create_task(self._housekeeping(), name="realtime-housekeeping")
        register_hub(self)
        return self

    async def stop(self) -> None:
        """Close every socket with `restarting` and stop the feed and every task (bounded)."""
        self.feed.stopping = True
        for task in self._running_tasks():
            task.cancel()
        await self.feed.disconnect()
        for connection in list(self.connections):
            connection.close(RESTARTING)
        for connection in list(self.connections):
            await connection.stop()
        tasks = self._running_tasks()  # with those the closing sockets started
        if tasks:
            # Bounded, as a last resort: nothing may keep the process from exiting.
            _, stuck = await asyncio.wait(tasks, timeout=STOP_SECONDS)
            for task in stuck:
                logger.warning(
                    "realtime task %s did not stop within %s s; waiting in %s",
                    task.get_name(),
                    STOP_SECONDS,
                    " > ".join(_awaiting(task)),
                )
        await self.feed.close_pool()
        unregister_hub(self)

    def _running_tasks(self) -> set[asyncio.Task[Any]]:
        return {task for task in (self.feed.supervisor, self._housekeeper, *self._tasks) if task is not None}

    def spawn(self, coroutine: Coroutine[Any, Any, Any], name: str) -> None:
        """Run a task that `stop` cancels; its failure is logged."""
        task = asyncio.create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("realtime task %s failed: %r", task.get_name(), task.exception())

    # Sockets -------------------------------------------------------------------------------------

    def limits(self) -> Limits:
        return Limits(
            queue_frames=self.config.queue_frames,
            frame_bytes=self.config.frame_bytes,
            ping_seconds=self.config.ping_interval,
            idle_seconds=self.config.idle_timeout,
        )

    async def attach(self, websocket: WebSocket, identity: service.Identity) -> Connection:
        """Register an authenticated socket and greet it with `ready`."""
        connection = Connection(self, websocket, identity, frame_sink(websocket.scope))
        self.feed.join(connection)
        self.connections.add(connection)
        connection.send(
            Ready(
                connection_id=connection.id,
                organization_id=identity.organization_id,
                user_id=identity.user_id,
                role=identity.role,
                register_id=identity.register_id,
                topics=sorted(identity.topics),
                expires_at=identity.expires_at,
                limits=self.limits(),
            )
        )
        if identity.register_id is not None:
            await self._lease(connection)
        return connection

    def forget(self, connection: Connection) -> None:
        """Take a socket out of every structure (idempotent; never called during a dispatch)."""
        if connection not in self.connections:
            return
        self.connections.discard(connection)
        self.feed.leave(connection)
        connection.subscriptions.clear()
        identity = connection.identity
        if identity.register_id is not None:
            self.spawn(
                self.presence.release(identity.organization_id, identity.register_id, connection.id, time.time()),
                name="realtime-presence-release",
            )

    async def detach(self, connection: Connection) -> None:
        """The endpoint is done with a socket."""
        self.forget(connection)
        await connection.stop()

    def touched(self, connection: Connection) -> None:
        """A frame arrived from the socket: it is alive, and so is its register."""
        now = asyncio.get_running_loop().time()
        connection.last_received = now
        if (
            connection.identity.register_id is not None
            and now - connection.lease_renewed_at >= self.config.presence_renew
        ):
            connection.lease_renewed_at = now
            self.spawn(self._lease(connection), name="realtime-presence-lease")

    async def _lease(self, connection: Connection, queued_sales: int | None = None) -> None:
        identity = connection.identity
        if identity.register_id is None:
            return
        try:
            await self.presence.lease(
                identity.organization_id,
                identity.register_id,
                identity.register_code or "",
                connection.id,
                time.time(),
                queued_sales,
            )
        except FEED_ERRORS as exc:
            logger.warning("presence of register %s not recorded: %r", identity.register_id, exc)

    # Frames --------------------------------------------------------------------------------------

    async def subscribe(self, connection: Connection, topics: Iterable[str], since: dict[str, str]) -> None:
        """Serve each topic's history after `since` (or start at the stream's end), then live."""
        async with connection.lock:
            feed = self.tenants.get(connection.identity.organization_id)
            if feed is None or connection.closing:
                return
            started = self._start_subscriptions(connection, feed, topics)
            if not started:
                return
            if not await self.feed.channel_ready(feed):
                for subscription, generation in started:
                    if subscription.generation == generation:
                        subscription.pause()
                        self.feed.paused = True
                        connection.send(
                            Error(
                                code="unavailable",
                                message="the live feed is reconnecting; you will be sent resume",
                                topic=subscription.topic,
                            )
                        )
                return
            for subscription, generation in started:
                replay = Replay(
                    connection,
                    subscription,
                    generation,
                    redis=self.resources.redis,
                    presence=self.presence,
                    config=self.config,
                )
                if not await replay.serve(since.get(subscription.topic)):
                    self.feed.paused = True

    def _start_subscriptions(
        self, connection: Connection, feed: TenantFeed, topics: Iterable[str]
    ) -> list[tuple[Subscription, int]]:
        """Put the allowed topics in BUFFERING (an `error` for each refused one); each
        subscription with the generation its history is served for."""
        started: list[tuple[Subscription, int]] = []
        for topic in dict.fromkeys(topics):
            refusal = service.topic_refusal(connection.identity, topic)
            if refusal is not None:
                connection.send(Error(code=refusal[0], message=refusal[1], topic=topic))
                continue
            subscription = connection.subscriptions.get(topic)
            if subscription is None:
                subscription = Subscription(connection, topic)
                connection.subscriptions[topic] = subscription
                feed.topics.setdefault(topic, set()).add(subscription)
            started.append((subscription, subscription.start_buffering()))
        return started

    def unsubscribe(self, connection: Connection, topics: Iterable[str]) -> None:
        feed = self.tenants.get(connection.identity.organization_id)
        for topic in dict.fromkeys(topics):
            subscription = connection.subscriptions.pop(topic, None)
            if subscription is None:
                continue
            subscription.pause()
            if feed is not None and topic in feed.topics:
                feed.topics[topic].discard(subscription)
                if not feed.topics[topic]:
                    del feed.topics[topic]
            connection.send(Unsubscribed(topic=topic))

    async def refresh(self, connection: Connection, token: str) -> None:
        """Extend the socket with a new token of the same user (`Refused` closes it)."""
        identity = await service.refresh(self.resources, connection.identity, token)
        connection.identity = identity
        connection.warned = False
        forbidden = [topic for topic in connection.subscriptions if topic not in identity.topics]
        for topic in forbidden:
            self.unsubscribe(connection, [topic])
            connection.send(Error(code="topic_forbidden", message="no longer allowed", topic=topic))
        connection.send(Refreshed(expires_at=identity.expires_at, topics=sorted(identity.topics)))

    async def report_presence(self, connection: Connection, queued_sales: int) -> None:
        if connection.identity.register_id is None:
            connection.send(Error(code="register_required", message="declare your register (auth.register_id)"))
            return
        connection.lease_renewed_at = asyncio.get_running_loop().time()
        await self._lease(connection, queued_sales)

    # Housekeeping ----------------------------------------------------------------------------------

    async def _housekeeping(self) -> None:
        loop = asyncio.get_running_loop()
        users_checked = presence_swept = loop.time()
        while True:
            await asyncio.sleep(self.config.housekeeping_tick)
            try:
                now = loop.time()
                keep_sockets(self.connections, self.config, now, time.time())
                self.feed.linger(now)
                self.feed.resume_paused(now)
                if now - users_checked >= self.config.active_check_interval:
                    users_checked = now
                    self.spawn(check_users(self.resources, self.tenants), name="realtime-check-users")
                if now - presence_swept >= self.config.presence_sweep_interval:
                    presence_swept = now
                    self.spawn(sweep_presence(self.presence, self.tenants), name="realtime-presence-sweep")
            except Exception:
                logger.exception("realtime housekeeping failed")


__all__ = ["Hub", "RealtimeConfig", "Refused"]


def _awaiting(task: asyncio.Task[Any]) -> list[str]:
    """Where a task is suspended: its chain of awaited coroutines, outermost first."""
    chain = []
    awaited: Any = task.get_coro()
    while awaited is not None and hasattr(awaited, "cr_frame"):
        frame = awaited.cr_frame
        chain.append(f"{awaited.__qualname__}:{frame.f_lineno}" if frame else awaited.__qualname__)
        awaited = awaited.cr_await
    return chain
