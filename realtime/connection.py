"""One WebSocket as the hub sees it: its identity, its subscriptions and its bounded outgoing queue.

Invariants:
- Frames leave in the order they were queued. When the server offers a frame sink
  (realtime/transport.py), the frames queued for a socket during one turn of the event loop are
  written to its transport in one write, at the end of that turn (`Flusher`), each event's frame
  built once for all sockets; otherwise one writer task per socket hands them to ASGI `send`.
- The queue is bounded in frames and bytes. A socket that cannot take what it is sent is closed
  with `slow` (4008) and resumes by replay; its queue is dropped at once, so one slow consumer
  holds no memory and delays no one else. Before that, queued `stock.changed` events whose
  products are all reported again by a newer one are dropped in its favour (coalescing).
- A subscription is BUFFERING while its history is served (live events are kept aside and
  de-duplicated by id afterwards), LIVE afterwards, and PAUSED when the live feed was lost:
  nothing is delivered until the client resubscribes with `since` (the server sends `resume`).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import secrets
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from starlette.websockets import WebSocket

from realtime.envelope import Event
from realtime.metrics import Stats
from realtime.schemas import SLOW, CloseCode, ServerFrame, encode
from realtime.service import Identity, visible
from realtime.transport import FrameSink, text_frame

logger = logging.getLogger("orbit.realtime")

COALESCED_TYPE = "stock.changed"


@dataclass(frozen=True, slots=True)
class RealtimeConfig:
    """Limits and timings of the realtime endpoint (docs/realtime.md lists them)."""

    auth_timeout: float = 5.0
    queue_frames: int = 1024
    queue_bytes: int = 4 * 1024 * 1024
    coalesce_from: int = 64
    """Queue length from which queued `stock.changed` events are coalesced."""
    stall_seconds: float = 15.0
    """A socket whose one frame has not been taken for this long is slow, however short its queue."""
    frame_bytes: int = 16 * 1024
    """Largest frame a client may send."""
    event_bytes: int = 256 * 1024
    """Largest event sent as is; bigger ones go out as a `truncated` stub with the same id."""
    ping_interval: float = 25.0
    idle_timeout: float = 60.0
    """Close a socket from which nothing (not even `pong`) arrived for this long."""
    token_warning: float = 60.0
    active_check_interval: float = 30.0
    presence_lease: float = 60.0
    presence_renew: float = 15.0
    presence_sweep_interval: float = 5.0
    unsubscribe_linger: float = 5.0
    feed_health_interval: float = 5.0
    reconnect_backoff: float = 0.05
    reconnect_backoff_max: float = 5.0
    resume_repeat: float = 10.0
    replay_page: int = 256
    subscribe_timeout: float = 10.0
    close_timeout: float = 5.0
    housekeeping_tick: float = 1.0


class State(enum.Enum):
    BUFFERING = "buffering"
    LIVE = "live"
    PAUSED = "paused"


class Subscription:
    __slots__ = ("buffer", "connection", "generation", "resume_sent_at", "state", "topic")

    def __init__(self, connection: Connection, topic: str) -> None:
        self.connection = connection
        self.topic = topic
        self.state = State.PAUSED
        self.buffer: list[Event] = []
        self.generation = 0
        self.resume_sent_at: float | None = None

    def start_buffering(self) -> int:
        self.state = State.BUFFERING
        self.buffer = []
        self.generation += 1
        self.resume_sent_at = None
        return self.generation

    def pause(self) -> None:
        self.state = State.PAUSED
        self.buffer = []
        self.generation += 1
        self.resume_sent_at = None

    def go_live(self, after: tuple[int, int]) -> None:
        """Deliver what was buffered after `after` (the end of the history served), then live."""
        buffered, self.buffer = self.buffer, []
        for event in buffered:
            if event.order > after:
                self._offer(event)
        self.state = State.LIVE

    def deliver(self, event: Event) -> None:
        """Called by the hub for every event of the tenant's topic (the hot path)."""
        state = self.state
        if state is State.LIVE:
            self._offer(event)
        elif state is State.BUFFERING:
            self.buffer.append(event)
            if len(self.buffer) > self.connection.config.queue_frames:
                self.connection.close(SLOW, "too many events while the history was served")

    def _offer(self, event: Event) -> None:
        connection = self.connection
        if self.topic == "alerts" and not visible(connection.identity, event):
            return
        connection.push(event)


class Flusher:
    """The sockets with frames queued during this turn of the event loop, written at its end: one
    write per socket however many events the turn delivered to it."""

    __slots__ = ("_handle", "_pending")

    def __init__(self) -> None:
        self._pending: list[Connection] = []
        self._handle: asyncio.Handle | None = None

    def add(self, connection: Connection) -> None:
        self._pending.append(connection)
        if self._handle is None:
            self._handle = asyncio.get_running_loop().call_soon(self._run)

    def _run(self) -> None:
        self._handle = None
        pending, self._pending = self._pending, []
        for connection in pending:
            connection.flush()


class ConnectionHub(Protocol):
    """What a socket needs of the hub that holds it (`realtime.hub.Hub` is one): its limits, the
    end-of-turn writer, the counters, and a way out when the socket closes."""

    @property
    def config(self) -> RealtimeConfig: ...

    @property
    def flusher(self) -> Flusher: ...

    @property
    def stats(self) -> Stats: ...

    def forget(self, connection: Connection) -> None:
        """Take the socket out of the hub (idempotent)."""
        ...


class Connection:
    __slots__ = (
        "_closer",
        "_drain_waiter",
        "_waiter",
        "_writer",
        "close_code",
        "closing",
        "config",
        "finished",
        "flush_pending",
        "hub",
        "id",
        "identity",
        "last_ping",
        "last_received",
        "lease_renewed_at",
        "lock",
        "queue",
        "queued_bytes",
        "sending_since",
        "sink",
        "subscriptions",
        "warned",
        "websocket",
    )

    def __init__(
        self, hub: ConnectionHub, websocket: WebSocket, identity: Identity, sink: FrameSink | None = None
    ) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        self.hub = hub
        self.config = hub.config
        self.websocket = websocket
        self.identity = identity
        self.id = secrets.token_hex(8)
        self.subscriptions: dict[str, Subscription] = {}
        self.queue: deque[Event | str] = deque()
        self.queued_bytes = 0
        self.closing = False
        self.close_code: CloseCode | None = None
        self.finished: asyncio.Future[None] = loop.create_future()
        self.last_received = now
        self.last_ping = now
        self.lease_renewed_at = now
        self.sending_since = 0.0
        self.warned = False
        self.lock = asyncio.Lock()
        self._waiter: asyncio.Future[None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None
        self._closer: asyncio.Task[None] | None = None
        self.sink = sink
        self.flush_pending = False
        self._writer = None if sink is not None else loop.create_task(self._write(), name=f"realtime-writer-{self.id}")

    # Outgoing ------------------------------------------------------------------------------------

    def push(self, event: Event) -> None:
        """Queue an event; close the socket as slow when its queue is full."""
        if self.closing:
            return
        queue = self.queue
        if len(queue) >= self.config.coalesce_from and event.type == COALESCED_TYPE:
            self._coalesce(event)
        size = len(event.raw)
        if len(queue) >= self.config.queue_frames or self.queued_bytes + size > self.config.queue_bytes:
            self.close(SLOW, "the client does not keep up; resume with since")
            return
        queue.append(event)
        self.queued_bytes += size
        self._queued()

    def send(self, frame: ServerFrame | str) -> None:
        """Queue a control frame (counted against the same limits as events)."""
        if self.closing:
            return
        text = frame if isinstance(frame, str) else encode(frame)
        if len(self.queue) >= self.config.queue_frames + 16:
            self.close(SLOW, "the client does not keep up")
            return
        self.queue.append(text)
        self.queued_bytes += len(text)
        self._queued()

    def _queued(self) -> None:
        if self.sink is None:
            waiter = self._waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        elif not self.flush_pending:
            self.flush_pending = True
            self.hub.flusher.add(self)

    def flush(self) -> None:
        """Write everything queued to the sink in one write (called by the `Flusher`). While the
        transport is over its high-water mark, frames stay queued and `sending_since` runs."""
        self.flush_pending = False
        sink, queue = self.sink, self.queue
        if sink is None or self.closing or not queue:
            return
        if not sink.writable():
            if not self.sending_since:
                self.sending_since = asyncio.get_running_loop().time()
            sink.on_writable(self._writable_again)
            return
        if len(queue) == 1:
            item = queue.popleft()
            frames = item.frame if isinstance(item, Event) else text_frame(item.encode())
        else:
            frames = b"".join([item.frame if isinstance(item, Event) else text_frame(item.encode()) for item in queue])
            queue.clear()
        self.queued_bytes = 0
        self.sending_since = 0.0
        try:
            written = sink.write(frames)
        except Exception as exc:  # the Flusher must go on with the other sockets
            logger.debug("socket %s: write failed: %r", self.id, exc)
            written = False
        if not written:
            self._finish()
            return
        drain_waiter = self._drain_waiter
        if drain_waiter is not None and not drain_waiter.done():
            drain_waiter.set_result(None)

    def _writable_again(self) -> None:
        if not self.flush_pending and not self.closing:
            self.flush_pending = True
            self.hub.flusher.add(self)

    def has_room(self) -> bool:
        return len(self.queue) < self.config.queue_frames // 2 and self.queued_bytes < self.config.queue_bytes // 2

    async def drained(self) -> None:
        """Wait until the queue is at most half full (used to pace a replay)."""
        while not self.closing and not self.has_room():
            self._drain_waiter = asyncio.get_running_loop().create_future()
            await self._drain_waiter

    def _coalesce(self, newer: Event) -> None:
        products = newer.products
        if not products:
            return
        kept: deque[Event | str] = deque()
        dropped = 0
        for item in self.queue:
            if (
                isinstance(item, Event)
                and item.type == COALESCED_TYPE
                and item.products
                and item.products <= products
                and item.order < newer.order
            ):
                self.queued_bytes -= len(item.raw)
                dropped += 1
            else:
                kept.append(item)
        if dropped:
            self.queue.clear()
            self.queue.extend(kept)
            self.hub.stats.coalesced += dropped

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        send = self.websocket.send
        try:
            while not self.closing:
                queue = self.queue
                if not queue:
                    self._waiter = loop.create_future()
                    await self._waiter
                    self._waiter = None
                    continue
                item = queue.popleft()
                if isinstance(item, Event):
                    message = item.message
                    self.queued_bytes -= len(item.raw)
                else:
                    message = {"type": "websocket.send", "text": item}
                    self.queued_bytes -= len(item)
                drain_waiter = self._drain_waiter
                if drain_waiter is not None and not drain_waiter.done() and self.has_room():
                    drain_waiter.set_result(None)
                self.sending_since = loop.time()
                await send(message)
                self.sending_since = 0.0
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.debug("socket %s: send failed: %r", self.id, exc)
            self._finish()

    # Closing -------------------------------------------------------------------------------------

    def close(self, close: CloseCode, detail: str = "") -> None:
        """Close with an application code. Safe to call from the hub's dispatch: the socket is
        only marked here; it leaves the hub and says goodbye in a task of its own."""
        if self.closing:
            return
        self.closing = True
        self.close_code = close
        self.queue.clear()
        self.queued_bytes = 0
        for waiter in (self._waiter, self._drain_waiter):
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        self.hub.stats.count_close(close)
        if close.code != 1012:
            logger.info(
                "closing socket %s of user %s: %s %s", self.id, self.identity.user_id, close.reason, detail or ""
            )
        self._closer = asyncio.get_running_loop().create_task(self._shutdown(close, detail))

    async def _shutdown(self, close: CloseCode, detail: str) -> None:
        self.hub.forget(self)
        try:
            # A slow peer may never take the close frame: give up after a while; the server
            # then drops the transport when the endpoint returns.
            await asyncio.wait_for(self.websocket.close(close.code, close.reason), self.config.close_timeout)
        except Exception as exc:
            logger.debug("socket %s: close frame not sent: %r", self.id, exc)
        finally:
            self._finish()

    def _finish(self) -> None:
        if not self.finished.done():
            self.finished.set_result(None)

    async def stop(self) -> None:
        """Stop the writer (the endpoint is leaving)."""
        self.closing = True
        self._finish()
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer
        if self._closer is not None and not self._closer.done():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(self._closer), self.config.close_timeout + 1)
