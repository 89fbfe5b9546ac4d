"""The per-process hub (DESIGN §8): one supervised Redis subscriber, tenant channels subscribed
only while this process has sockets of the tenant, and fan-out of the same bytes to each of them.

Invariants:
- One pub/sub connection per process, owned by one supervised task. It never reconnects behind
  our back: when it fails (Redis restarted, connection killed, no answer to PING within
  `feed_health_interval`), every subscription of every local socket is PAUSED at once, the task
  reconnects with jittered exponential backoff and resubscribes the tenants that still have
  sockets, and each socket is then sent `resume` for its paused topics. The client resubscribes
  with `since` and gets the missed events by replay, so a lost feed loses nothing.
- A tenant's channel is SUBSCRIBEd when its first local socket arrives and UNSUBSCRIBEd
  `unsubscribe_linger` seconds after its last one leaves. History is read only after Redis has
  confirmed the subscription, so no event can fall between history and live.
- Each message is parsed once into an `Event` whose frame (or text) is sent, as the same object,
  to every local socket subscribed to its topic; the hub never waits for a socket (each has its
  own bounded queue, written at the end of the loop's turn or by its own writer).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import random
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from starlette.websockets import WebSocket

from realtime import service
from realtime.connection import Connection, Flusher, RealtimeConfig, State, Subscription
from realtime.envelope import Event, stream_key_of
from realtime.schemas import (
    PING_TEXT,
    PING_TIMEOUT,
    RESTARTING,
    SLOW,
    TOKEN_EXPIRED,
    CloseCode,
    Error,
    Limits,
    PresenceSnapshot,
    Ready,
    Refreshed,
    Refused,
    Resume,
    Subscribed,
    TokenExpiring,
    Unsubscribed,
)
from realtime.transport import frame_sink
from server.core.context import Resources
from server.core.events import channel
from server.core.metrics import REPLAY_LAG, REPLAYED_EVENTS
from server.core.presence import Presence

logger = logging.getLogger("orbit.realtime")

_END_OF_COMMANDS: tuple[Any, ...] = ()
"""Queued last for the feed's command writer: it stops there."""

STOP_SECONDS = 5.0
"""How long `Hub.stop` waits for its cancelled tasks."""

FEED_ERRORS = (RedisError, OSError, asyncio.TimeoutError)


class FeedSilent(Exception):
    """Redis did not answer a PING on the pub/sub connection in time."""


@dataclass
class Stats:
    """Counters of one hub (exposed on /metrics)."""

    events: int = 0
    deliveries: int = 0
    coalesced: int = 0
    feed_reconnects: int = 0
    closes: dict[str, int] = field(default_factory=dict)

    def count_close(self, close: CloseCode) -> None:
        self.closes[close.reason] = self.closes.get(close.reason, 0) + 1


class TenantFeed:
    """The local sockets of one tenant and the state of its pub/sub channel."""

    __slots__ = ("channel", "connections", "empty_since", "organization_id", "ready", "requested", "topics")

    def __init__(self, organization_id: uuid.UUID) -> None:
        self.organization_id = organization_id
        self.channel = channel(organization_id).encode()
        self.connections: set[Connection] = set()
        self.topics: dict[str, set[Subscription]] = {}
        self.requested = False
        """SUBSCRIBE was sent on the current feed connection."""
        self.ready: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        """True once Redis confirmed the subscription; False if the feed was lost first."""
        self.empty_since: float | None = None


YOUNG_COLLECTION_THRESHOLD = 10_000
"""Allocations between two collections of the youngest generation (Python's default is 700)."""


def settle_collector() -> None:
    """Keep the garbage collector's pauses short in a process that holds thousands of sockets.

    A full collection walks every tracked object, about 150 per socket (the ASGI call chain of
    each open WebSocket included): some 0.5 s of stalled event loop with 5,000 sockets, which
    every socket's latency then carries. Two settings make full collections rare and smaller
    (docs/benchmarks/ws-fanout.md has the measurements):

    - what exists when the hub starts (modules, the application, its pools) lives as long as the
      process: it is collected once and frozen out of every later collection (`gc.freeze`);
    - the youngest generation is collected every `YOUNG_COLLECTION_THRESHOLD` allocations, so that
      the short-lived objects of deliveries and requests die before a collection promotes them;
      fewer promotions mean fewer full collections.
    """
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, oldest)


class Hub:
    def __init__(self, resources: Resources, config: RealtimeConfig | None = None) -> None:
        self.resources = resources
        self.config = config or RealtimeConfig()
        self.stats = Stats()
        self.presence = Presence(resources.redis, lease_seconds=self.config.presence_lease)
        self.tenants: dict[uuid.UUID, TenantFeed] = {}
        self._by_channel: dict[bytes, TenantFeed] = {}
        self.connections: set[Connection] = set()
        self.flusher = Flusher()
        self.feed_up = False
        self._paused = False
        """Some subscription may be paused (then housekeeping sends `resume` until it is not)."""
        self._commands: asyncio.Queue[tuple[Any, ...]] | None = None
        self._feed_connection: Any = None
        """The live pub/sub connection, closed by `stop` so that no read outlives the hub."""
        self._stopping = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._supervisor: asyncio.Task[None] | None = None
        self._housekeeper: asyncio.Task[None] | None = None
        self.feed_name = f"orbit-realtime-feed-{os.getpid()}-{secrets.token_hex(4)}"
        """The pub/sub connection's CLIENT SETNAME, to find it in CLIENT LIST."""
        self._pool = ConnectionPool.from_url(
            resources.settings.redis_url,
            protocol=2,  # pub/sub messages as plain replies (RESP3 would route them to a push handler)
            retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=5,
            socket_keepalive=True,
            client_name=self.feed_name,
        )

    # Lifecycle -----------------------------------------------------------------------------------

    async def start(self) -> Hub:
        settle_collector()
        self._supervisor = self._start_supervisor()
        self._housekeeper = asyncio.create_task(self._housekeeping(), name="realtime-housekeeping")
        register_hub(self)
        return self

    def _start_supervisor(self) -> asyncio.Task[None]:
        task = asyncio.create_task(self._supervise(), name="realtime-feed")
        task.add_done_callback(self._supervisor_ended)
        return task

    def _supervisor_ended(self, task: asyncio.Task[None]) -> None:
        if self._stopping or task.cancelled():
            return
        logger.critical("the realtime feed supervisor ended (%r); starting it again", task.exception())
        self._supervisor = self._start_supervisor()

    async def stop(self) -> None:
        self._stopping = True
        for task in (self._supervisor, self._housekeeper, *self._tasks):
            if task is not None:
                task.cancel()
        if self._feed_connection is not None:
            # A cancellation can be lost inside the Redis client (a read with a timeout then
            # returns as if it had timed out); closing the socket ends the feed's reads. A feed
            # still in its handshake may go on until the handshake's own timeout: hence the
            # bounded wait below.
            with contextlib.suppress(Exception):
                await self._feed_connection.disconnect(nowait=True)
        for connection in list(self.connections):
            connection.close(RESTARTING)
        for connection in list(self.connections):
            await connection.stop()
        cancelled = {task for task in (self._supervisor, self._housekeeper, *self._tasks) if task is not None}
        if cancelled:
            # Bounded, as a last resort: nothing may keep the process from exiting.
            _, stuck = await asyncio.wait(cancelled, timeout=STOP_SECONDS)
            for task in stuck:
                logger.warning(
                    "realtime task %s did not stop within %s s; waiting in %s",
                    task.get_name(),
                    STOP_SECONDS,
                    " > ".join(_awaiting(task)),
                )
        await self._pool.disconnect()
        unregister_hub(self)

    def spawn(self, coroutine: Any, name: str) -> None:
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
        feed = self.tenants.get(identity.organization_id)
        if feed is None:
            feed = TenantFeed(identity.organization_id)
            self.tenants[identity.organization_id] = feed
            self._by_channel[feed.channel] = feed
        feed.connections.add(connection)
        feed.empty_since = None
        self.connections.add(connection)
        self._request_channel(feed)
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
        feed = self.tenants.get(connection.identity.organization_id)
        if feed is not None:
            for subscription in connection.subscriptions.values():
                subscribers = feed.topics.get(subscription.topic)
                if subscribers is not None:
                    subscribers.discard(subscription)
                    if not subscribers:
                        del feed.topics[subscription.topic]
            feed.connections.discard(connection)
            if not feed.connections:
                feed.empty_since = asyncio.get_running_loop().time()
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
        assert identity.register_id is not None
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
            identity = connection.identity
            feed = self.tenants.get(identity.organization_id)
            if feed is None or connection.closing:
                return
            started: list[tuple[Subscription, int]] = []
            for topic in dict.fromkeys(topics):
                refusal = service.topic_refusal(identity, topic)
                if refusal is not None:
                    connection.send(Error(code=refusal[0], message=refusal[1], topic=topic))
                    continue
                subscription = connection.subscriptions.get(topic)
                if subscription is None:
                    subscription = Subscription(connection, topic)
                    connection.subscriptions[topic] = subscription
                    feed.topics.setdefault(topic, set()).add(subscription)
                started.append((subscription, subscription.start_buffering()))
            if not started:
                return
            if not await self._channel_ready(feed):
                for subscription, generation in started:
                    if subscription.generation == generation:
                        subscription.pause()
                        self._paused = True
                        connection.send(
                            Error(
                                code="unavailable",
                                message="the live feed is reconnecting; you will be sent resume",
                                topic=subscription.topic,
                            )
                        )
                return
            for subscription, generation in started:
                await self._serve(connection, subscription, generation, since.get(subscription.topic))

    async def _channel_ready(self, feed: TenantFeed) -> bool:
        ready = feed.ready
        if not ready.done() and self.feed_up:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(ready), self.config.subscribe_timeout)
        return ready.done() and ready.result()

    async def _serve(
        self, connection: Connection, subscription: Subscription, generation: int, since: str | None
    ) -> None:
        identity = connection.identity
        organization_id, topic = identity.organization_id, subscription.topic
        redis = self.resources.redis

        def stale() -> bool:
            return connection.closing or subscription.generation != generation

        try:
            start = await service.history_start(redis, organization_id, topic, since)
            if stale():
                return
            replay_from = since if since is not None and start.recovered else None
            end = start.position
            if replay_from is not None and stream_key_of(replay_from) > stream_key_of(end):
                end = replay_from
            connection.send(Subscribed(topic=topic, recovered=start.recovered, position=end))
            cursor = replay_from
            while cursor is not None and stream_key_of(cursor) < stream_key_of(start.position):
                page = await service.history_page(
                    redis, organization_id, topic, cursor, start.position, self.config.replay_page
                )
                if stale():
                    return
                if page and cursor == replay_from:
                    REPLAY_LAG.observe(max(0.0, time.time() - stream_key_of(page[0].id)[0] / 1000))
                REPLAYED_EVENTS.inc(len(page))
                for event in page:
                    if not connection.has_room():
                        await connection.drained()
                        if stale():
                            return
                    if service.visible(identity, event):
                        connection.push(event.capped(self.config.event_bytes))
                cursor = page[-1].id if len(page) == self.config.replay_page else None
            subscription.go_live(stream_key_of(end))
            if topic == "registers":
                registers = await self.presence.snapshot(organization_id, time.time())
                if not stale():
                    connection.send(PresenceSnapshot(registers=registers))
        except FEED_ERRORS as exc:
            logger.warning("history of %s for socket %s not served: %r", topic, connection.id, exc)
            if not stale():
                subscription.pause()
                self._paused = True
                connection.send(
                    Error(code="unavailable", message="history unavailable; you will be sent resume", topic=topic)
                )

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

    # The feed --------------------------------------------------------------------------------------

    def _request_channel(self, feed: TenantFeed) -> None:
        if feed.requested or self._commands is None:
            return
        feed.requested = True
        self._commands.put_nowait(("SUBSCRIBE", feed.channel))

    async def _supervise(self) -> None:
        attempt = 0
        loop = asyncio.get_running_loop()
        while not self._stopping:
            started = loop.time()
            try:
                await self._feed_session()
            except asyncio.CancelledError:
                raise
            except (*FEED_ERRORS, FeedSilent) as exc:
                logger.warning("realtime feed lost: %r", exc)
            except Exception:
                logger.exception("realtime feed failed")
            if self._stopping:
                return
            if loop.time() - started > 10:
                attempt = 0
            delay = min(self.config.reconnect_backoff_max, self.config.reconnect_backoff * 2**attempt)
            attempt += 1
            self.stats.feed_reconnects += 1
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))

    async def _feed_session(self) -> None:
        connection = self._feed_connection = self._pool.make_connection()
        commands: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        writer: asyncio.Task[None] | None = None
        try:
            await connection.connect()
            for organization_id, feed in list(self.tenants.items()):
                if not feed.connections:
                    self._drop_tenant(organization_id)
            channels = [feed.channel for feed in self.tenants.values()]
            for feed in self.tenants.values():
                feed.requested = True
            if channels:
                commands.put_nowait(("SUBSCRIBE", *channels))
            self._commands = commands
            writer = asyncio.create_task(self._send_commands(connection, commands), name="realtime-feed-commands")
            self.feed_up = True
            if channels:
                logger.info("realtime feed connected; subscribing %d tenant channels", len(channels))
            await self._read(connection, commands, writer)
        finally:
            self.feed_up = False
            self._commands = None
            self._feed_connection = None
            if writer is not None:
                writer.cancel()
                commands.put_nowait(_END_OF_COMMANDS)  # ends the writer even if the cancel is lost
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await writer
            with contextlib.suppress(Exception):
                await connection.disconnect(nowait=True)
            self._feed_lost()

    async def _send_commands(self, connection: Any, commands: asyncio.Queue[tuple[Any, ...]]) -> None:
        while (command := await commands.get()) is not _END_OF_COMMANDS:
            await connection.send_command(*command, check_health=False)

    async def _read(
        self, connection: Any, commands: asyncio.Queue[tuple[Any, ...]], writer: asyncio.Task[None]
    ) -> None:
        pinged = False
        dispatch = self._dispatch
        while not self._stopping:
            response = await connection.read_response(timeout=self.config.feed_health_interval)
            if response is None:
                if writer.done():
                    writer.result()
                if pinged:
                    raise FeedSilent("no answer to PING")
                pinged = True
                commands.put_nowait(("PING",))
                continue
            pinged = False
            if isinstance(response, list) and response:
                kind = response[0]
                if kind == b"message":
                    dispatch(response[1], response[2])
                elif kind == b"subscribe":
                    self._confirmed(response[1])

    def _dispatch(self, channel_name: bytes, data: bytes) -> None:
        feed = self._by_channel.get(channel_name)
        if feed is None:
            return
        try:
            event = Event.parse(data).capped(self.config.event_bytes)
        except ValueError:
            logger.error("not an event envelope on %r: %r", channel_name, data[:200])
            return
        self.stats.events += 1
        subscribers = feed.topics.get(event.topic)
        if subscribers:
            self.stats.deliveries += len(subscribers)
            for subscription in subscribers:
                subscription.deliver(event)

    def _confirmed(self, channel_name: bytes) -> None:
        feed = self._by_channel.get(channel_name)
        if feed is None or feed.ready.done():
            return
        feed.ready.set_result(True)
        self._request_resumes(feed, asyncio.get_running_loop().time())

    def _feed_lost(self) -> None:
        """Pause every subscription: what is published until the feed is back reaches the
        clients by replay, after `resume`."""
        loop = asyncio.get_running_loop()
        self._paused = True
        for feed in self.tenants.values():
            feed.requested = False
            if not feed.ready.done():
                feed.ready.set_result(False)
            feed.ready = loop.create_future()
            for subscribers in feed.topics.values():
                for subscription in subscribers:
                    subscription.pause()

    def _request_resumes(self, feed: TenantFeed, now: float) -> bool:
        """Send `resume` for the paused subscriptions of a tenant; whether any are still paused."""
        paused = False
        for connection in feed.connections:
            if connection.closing:
                continue
            topics = []
            for subscription in connection.subscriptions.values():
                if subscription.state is State.PAUSED:
                    paused = True
                    sent = subscription.resume_sent_at
                    if sent is None or now - sent > self.config.resume_repeat:
                        topics.append(subscription)
            if topics:
                for subscription in topics:
                    subscription.resume_sent_at = now
                connection.send(Resume(topics=[subscription.topic for subscription in topics]))
        return paused

    def _drop_tenant(self, organization_id: uuid.UUID) -> None:
        feed = self.tenants.pop(organization_id)
        self._by_channel.pop(feed.channel, None)
        if not feed.ready.done():
            feed.ready.set_result(False)

    # Housekeeping ----------------------------------------------------------------------------------

    async def _housekeeping(self) -> None:
        loop = asyncio.get_running_loop()
        users_checked = presence_swept = loop.time()
        while True:
            await asyncio.sleep(self.config.housekeeping_tick)
            try:
                now = loop.time()
                self._keep_sockets(now, time.time())
                self._linger(now)
                if self.feed_up and self._paused:
                    still_paused = False
                    for feed in self.tenants.values():
                        if feed.ready.done() and feed.ready.result():
                            still_paused |= self._request_resumes(feed, now)
                        else:
                            still_paused = True
                    self._paused = still_paused
                if now - users_checked >= self.config.active_check_interval:
                    users_checked = now
                    self.spawn(self._check_users(), name="realtime-check-users")
                if now - presence_swept >= self.config.presence_sweep_interval:
                    presence_swept = now
                    self.spawn(self._sweep_presence(), name="realtime-presence-sweep")
            except Exception:
                logger.exception("realtime housekeeping failed")

    def _keep_sockets(self, now: float, wall: float) -> None:
        config = self.config
        for connection in list(self.connections):
            if connection.closing:
                continue
            expires_at = connection.identity.expires_at
            if connection.sending_since and now - connection.sending_since > config.stall_seconds:
                connection.close(SLOW, "a frame was not taken in time")
            elif now - connection.last_received > config.idle_timeout:
                connection.close(PING_TIMEOUT, "nothing received; answer ping with pong")
            elif wall >= expires_at:
                connection.close(TOKEN_EXPIRED, "send refresh before the token expires")
            else:
                if not connection.warned and wall >= expires_at - config.token_warning:
                    connection.warned = True
                    connection.send(TokenExpiring(expires_at=expires_at))
                if now - connection.last_ping >= config.ping_interval:
                    connection.last_ping = now
                    connection.send(PING_TEXT)

    def _linger(self, now: float) -> None:
        for organization_id, feed in list(self.tenants.items()):
            if feed.connections or feed.empty_since is None:
                continue
            if now - feed.empty_since < self.config.unsubscribe_linger:
                continue
            if feed.requested and not feed.ready.done():
                continue  # wait for the SUBSCRIBE to be confirmed before undoing it
            if feed.requested and self._commands is not None:
                self._commands.put_nowait(("UNSUBSCRIBE", feed.channel))
            self._drop_tenant(organization_id)

    async def _check_users(self) -> None:
        for organization_id, feed in list(self.tenants.items()):
            connections = [connection for connection in feed.connections if not connection.closing]
            if not connections:
                continue
            try:
                states = await service.current_users(
                    self.resources, organization_id, {connection.identity.user_id for connection in connections}
                )
            except Exception as exc:
                logger.warning("users of %s not checked: %r", organization_id, exc)
                continue
            for connection in connections:
                refusal = service.cut_off(connection.identity, states)
                if refusal is not None:
                    connection.close(refusal.close, refusal.detail)

    async def _sweep_presence(self) -> None:
        for organization_id, feed in list(self.tenants.items()):
            if "registers" in feed.topics:
                try:
                    await self.presence.sweep(organization_id, time.time())
                except FEED_ERRORS as exc:
                    logger.warning("presence of %s not swept: %r", organization_id, exc)
                    return


# Metrics -----------------------------------------------------------------------------------------

_HUBS: list[Hub] = []


def register_hub(hub: Hub) -> None:
    _HUBS.append(hub)
    _install_collector()


def unregister_hub(hub: Hub) -> None:
    if hub in _HUBS:
        _HUBS.remove(hub)


_collector_installed = False


def _install_collector() -> None:
    global _collector_installed
    if _collector_installed:
        return
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    from server.core.metrics import REGISTRY

    class RealtimeCollector:
        def collect(self) -> Iterable[Any]:
            sockets = GaugeMetricFamily("orbit_realtime_sockets", "Authenticated WebSockets of this process.")
            sockets.add_metric([], sum(len(hub.connections) for hub in _HUBS))
            yield sockets
            tenants = GaugeMetricFamily("orbit_realtime_tenants", "Tenant channels this process is subscribed to.")
            tenants.add_metric([], sum(len(hub.tenants) for hub in _HUBS))
            yield tenants
            for name, attribute, text in (
                ("orbit_realtime_events", "events", "Events received from Redis."),
                ("orbit_realtime_deliveries", "deliveries", "Events handed to local sockets."),
                ("orbit_realtime_coalesced", "coalesced", "Queued stock events replaced by a newer one."),
                ("orbit_realtime_feed_reconnects", "feed_reconnects", "Reconnections of the Redis subscriber."),
            ):
                counter = CounterMetricFamily(name, text)
                counter.add_metric([], sum(getattr(hub.stats, attribute) for hub in _HUBS))
                yield counter
            closes = CounterMetricFamily(
                "orbit_realtime_closes", "Sockets closed by the server, by reason.", labels=["reason"]
            )
            reasons: dict[str, int] = {}
            for hub in _HUBS:
                for reason, count in hub.stats.closes.items():
                    reasons[reason] = reasons.get(reason, 0) + count
            for reason, count in sorted(reasons.items()):
                closes.add_metric([reason], count)
            yield closes

    REGISTRY.register(RealtimeCollector())  # type: ignore[arg-type]
    _collector_installed = True


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
