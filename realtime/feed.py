"""The process's one Redis subscriber (DESIGN §8): tenant channels subscribed only while this
process has sockets of the tenant, and each message handed to the subscriptions of its topic.

Invariants:
- One pub/sub connection per process, owned by one supervised task. It never reconnects behind
  our back: when it fails (Redis restarted, connection killed, no answer to PING within
  `feed_health_interval`), every subscription of every local socket is PAUSED at once, the task
  reconnects with jittered exponential backoff and resubscribes the tenants that still have
  sockets, and each socket is then sent `resume` for its paused topics. The client resubscribes
  with `since` and gets the missed events by replay, so a lost feed loses nothing.
- A tenant's channel is SUBSCRIBEd when its first local socket arrives and UNSUBSCRIBEd
  `unsubscribe_linger` seconds after its last one leaves. `channel_ready` answers only once Redis
  has confirmed the subscription, so no event can fall between history and live.
- Each message is parsed once into an `Event` that is handed, as the same object, to every local
  subscription of its topic; the feed never waits for a socket (each has its own bounded queue).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import uuid
from typing import Any, Protocol

from redis.asyncio import ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from realtime.connection import Connection, RealtimeConfig, State, Subscription
from realtime.envelope import Event
from realtime.metrics import Stats
from realtime.schemas import Resume
from server.core.events import channel

logger = logging.getLogger("orbit.realtime")

FEED_ERRORS = (RedisError, OSError, asyncio.TimeoutError)
"""What a lost Redis connection raises."""

Command = tuple[Any, ...]

_END_OF_COMMANDS: Command = ()
"""Queued last for the feed's command writer: it stops there."""

STABLE_SESSION_SECONDS = 10.0
"""A feed session that lasted this long starts the reconnection backoff from its first step."""


class FeedSilent(Exception):
    """Redis did not answer a PING on the pub/sub connection in time."""


class PubSubConnection(Protocol):
    """What the feed uses of a raw `redis.asyncio` connection."""

    async def connect(self) -> None: ...

    async def send_command(self, *args: Any, **kwargs: Any) -> None: ...

    async def read_response(
        self,
        disable_decoding: bool = False,
        timeout: float | None = None,  # noqa: ASYNC109 (redis-py's signature)
    ) -> Any: ...

    async def disconnect(self, nowait: bool = False) -> None: ...


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

    def is_ready(self) -> bool:
        """Redis confirmed the channel on the current feed connection."""
        return self.ready.done() and self.ready.result()


class Feed:
    """The supervised pub/sub connection and the tenants it is subscribed for."""

    def __init__(self, redis_url: str, config: RealtimeConfig, stats: Stats) -> None:
        self.config = config
        """Set again by the hub when its configuration changes."""
        self.stats = stats
        self.tenants: dict[uuid.UUID, TenantFeed] = {}
        self._by_channel: dict[bytes, TenantFeed] = {}
        self.up = False
        self.paused = False
        """Some subscription may be paused (then housekeeping sends `resume` until it is not)."""
        self.stopping = False
        self.supervisor: asyncio.Task[None] | None = None
        self._commands: asyncio.Queue[Command] | None = None
        self._connection: PubSubConnection | None = None
        """The live pub/sub connection, closed by `disconnect` so that no read outlives the hub."""
        self.name = f"orbit-realtime-feed-{os.getpid()}-{secrets.token_hex(4)}"
        """The pub/sub connection's CLIENT SETNAME, to find it in CLIENT LIST."""
        self._pool = ConnectionPool.from_url(
            redis_url,
            protocol=2,  # pub/sub messages as plain replies (RESP3 would route them to a push handler)
            retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=5,
            socket_keepalive=True,
            client_name=self.name,
        )

    # Lifecycle -----------------------------------------------------------------------------------

    def start(self) -> None:
        self.supervisor = asyncio.create_task(self._supervise(), name="realtime-feed")
        self.supervisor.add_done_callback(self._supervisor_ended)

    def _supervisor_ended(self, task: asyncio.Task[None]) -> None:
        if self.stopping or task.cancelled():
            return
        logger.critical("the realtime feed supervisor ended (%r); starting it again", task.exception())
        self.start()

    async def disconnect(self) -> None:
        """Close the live connection (after `stopping` is set and the supervisor cancelled).

        A cancellation can be lost inside the Redis client (a read with a timeout then returns as
        if it had timed out); closing the socket ends the feed's reads. A feed still in its
        handshake may go on until the handshake's own timeout: the hub's wait is bounded."""
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.disconnect(nowait=True)

    async def close_pool(self) -> None:
        await self._pool.disconnect()

    # Tenants -------------------------------------------------------------------------------------

    def join(self, connection: Connection) -> TenantFeed:
        """Count a socket in its tenant, whose channel is then requested if it is not yet."""
        organization_id = connection.identity.organization_id
        feed = self.tenants.get(organization_id)
        if feed is None:
            feed = TenantFeed(organization_id)
            self.tenants[organization_id] = feed
            self._by_channel[feed.channel] = feed
        feed.connections.add(connection)
        feed.empty_since = None
        self._request_channel(feed)
        return feed

    def leave(self, connection: Connection) -> None:
        """Take a socket and its subscriptions out of its tenant (the channel lingers)."""
        feed = self.tenants.get(connection.identity.organization_id)
        if feed is None:
            return
        for subscription in connection.subscriptions.values():
            subscribers = feed.topics.get(subscription.topic)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del feed.topics[subscription.topic]
        feed.connections.discard(connection)
        if not feed.connections:
            feed.empty_since = asyncio.get_running_loop().time()

    async def channel_ready(self, feed: TenantFeed) -> bool:
        """Wait (bounded) until Redis confirms the tenant's channel; whether it did."""
        ready = feed.ready
        if not ready.done() and self.up:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(ready), self.config.subscribe_timeout)
        return ready.done() and ready.result()

    def _request_channel(self, feed: TenantFeed) -> None:
        if feed.requested or self._commands is None:
            return
        feed.requested = True
        self._commands.put_nowait(("SUBSCRIBE", feed.channel))

    def _drop_tenant(self, organization_id: uuid.UUID) -> None:
        feed = self.tenants.pop(organization_id)
        self._by_channel.pop(feed.channel, None)
        if not feed.ready.done():
            feed.ready.set_result(False)

    def linger(self, now: float) -> None:
        """Unsubscribe the channels of tenants without sockets for `unsubscribe_linger` seconds."""
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

    # Resuming --------------------------------------------------------------------------------------

    def resume_paused(self, now: float) -> None:
        """Send `resume` again for paused subscriptions while the feed is up (housekeeping)."""
        if not (self.up and self.paused):
            return
        still_paused = False
        for feed in self.tenants.values():
            if feed.is_ready():
                still_paused |= self._request_resumes(feed, now)
            else:
                still_paused = True
        self.paused = still_paused

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

    # The connection --------------------------------------------------------------------------------

    async def _supervise(self) -> None:
        attempt = 0
        loop = asyncio.get_running_loop()
        while not self.stopping:
            started = loop.time()
            try:
                await self._session()
            except asyncio.CancelledError:
                raise
            except (*FEED_ERRORS, FeedSilent) as exc:
                logger.warning("realtime feed lost: %r", exc)
            except Exception:
                logger.exception("realtime feed failed")
            if self.stopping:
                return
            if loop.time() - started > STABLE_SESSION_SECONDS:
                attempt = 0
            delay = min(self.config.reconnect_backoff_max, self.config.reconnect_backoff * 2**attempt)
            attempt += 1
            self.stats.feed_reconnects += 1
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))

    async def _session(self) -> None:
        """One pub/sub connection, from connect to loss: every tenant with sockets is subscribed."""
        connection: PubSubConnection = self._pool.connection_class(**self._pool.connection_kwargs)
        self._connection = connection
        commands: asyncio.Queue[Command] = asyncio.Queue()
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
            self.up = True
            if channels:
                logger.info("realtime feed connected; subscribing %d tenant channels", len(channels))
            await self._read(connection, commands, writer)
        finally:
            self.up = False
            self._commands = None
            self._connection = None
            if writer is not None:
                writer.cancel()
                commands.put_nowait(_END_OF_COMMANDS)  # ends the writer even if the cancel is lost
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await writer
            with contextlib.suppress(Exception):
                await connection.disconnect(nowait=True)
            self._lost()

    async def _send_commands(self, connection: PubSubConnection, commands: asyncio.Queue[Command]) -> None:
        while (command := await commands.get()) is not _END_OF_COMMANDS:
            await connection.send_command(*command, check_health=False)

    async def _read(
        self, connection: PubSubConnection, commands: asyncio.Queue[Command], writer: asyncio.Task[None]
    ) -> None:
        pinged = False
        dispatch = self._dispatch
        while not self.stopping:
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

    def _lost(self) -> None:
        """Pause every subscription: what is published until the feed is back reaches the
        clients by replay, after `resume`."""
        loop = asyncio.get_running_loop()
        self.paused = True
        for feed in self.tenants.values():
            feed.requested = False
            if not feed.ready.done():
                feed.ready.set_result(False)
            feed.ready = loop.create_future()
            for subscribers in feed.topics.values():
                for subscription in subscribers:
                    subscription.pause()
