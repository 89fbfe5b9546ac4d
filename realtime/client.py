"""A small Python client of `/ws` (docs/realtime.md), used by the tests and the benchmark.

It keeps the last event id of every topic and, whatever happens (a `resume` from the server,
a `slow` close, a restart, a dropped connection), reconnects with backoff and resubscribes with
`since`, so that the events it hands out have no gap and no duplicate. Topics answered with
`recovered: false` are reported in `reloads` (an application would reload them over REST).

    async with RealtimeClient("ws://shop.orbitengine.localhost:8000/ws", token, ["sales"]) as client:
        event = await client.next_event()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

logger = logging.getLogger("orbit.realtime.client")

TokenSource = str | Callable[[], Awaitable[str]]

RESUMABLE_CODES = frozenset({1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014, 4008, 4010})
"""Close codes after which the client reconnects and resumes by itself."""
REAUTHENTICATE_CODES = frozenset({4004, 4011})
"""Close codes after which the client reconnects only if it can get a new token."""


class Envelope(msgspec.Struct, kw_only=True):
    """An event as received (the envelope of `server.core.events`)."""

    v: int
    id: str
    topic: str
    type: str
    at: str | None = None
    data: Any = None
    truncated: bool = False


class Closed(Exception):
    """The server refused or ended the connection for good."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"closed with {code} {reason}")
        self.code = code
        self.reason = reason


_event_decoder = msgspec.json.Decoder(Envelope)
_frame_decoder = msgspec.json.Decoder(dict[str, Any])
_encoder = msgspec.json.Encoder()
EVENT_PREFIX = '{"v":'


class RealtimeClient:
    """One logical subscription that survives reconnections.

    - `url`: `ws://<subdomain>.<base domain>[:port]/ws`; `connect_to=(host, port)` dials
      another address while keeping the tenant host in the `Host` header.
    - `token`: an access token, or an async callable returning a fresh one (then `token_expiring`
      is answered with `refresh`, and 4004/4011 closes reconnect with a new token).
    - `since`: last ids already held, per topic.
    - `on_event`: called for every event; without it events are queued for `next_event`.
    """

    def __init__(
        self,
        url: str,
        token: TokenSource,
        topics: Iterable[str] = (),
        *,
        since: Mapping[str, str] | None = None,
        register_id: str | None = None,
        connect_to: tuple[str, int] | None = None,
        reconnect: bool = True,
        backoff: float = 0.05,
        backoff_max: float = 3.0,
        on_event: Callable[[Envelope], None] | None = None,
        open_timeout: float = 10.0,
        receive_buffer: int | None = None,
    ) -> None:
        self.url = url
        self.token = token
        self.topics = list(dict.fromkeys(topics))
        self.last_ids: dict[str, str] = dict(since or {})
        self.register_id = register_id
        self.connect_to = connect_to
        self.reconnect = reconnect
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.on_event = on_event
        self.open_timeout = open_timeout
        self.receive_buffer = receive_buffer
        self.events: asyncio.Queue[Envelope] = asyncio.Queue()
        self.controls: deque[dict[str, Any]] = deque(maxlen=1000)
        self.closes: list[tuple[int, str]] = []
        self.reloads: list[str] = []
        self.ready: dict[str, Any] | None = None
        self.connections = 0
        self.failure: Closed | None = None
        self.subscribed = asyncio.Event()
        self._pending: set[str] = set()
        self._websocket: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._control_waiters: list[tuple[Callable[[dict[str, Any]], bool], asyncio.Future[dict[str, Any]]]] = []
        self._background: set[asyncio.Task[Any]] = set()

    # Lifecycle -------------------------------------------------------------------------------------

    async def __aenter__(self) -> RealtimeClient:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> RealtimeClient:
        self._task = asyncio.create_task(self._run(), name="realtime-client")
        return self

    async def close(self) -> None:
        self._stopping = True
        if self._websocket is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._websocket.close(), 2)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        for task in list(self._background):
            task.cancel()

    async def wait_subscribed(self, within: float = 10.0) -> None:
        """Wait until every topic of the current connection has been answered."""
        await asyncio.wait_for(self.subscribed.wait(), within)
        if self.failure is not None:
            raise self.failure

    async def next_event(self, within: float = 5.0) -> Envelope:
        return await asyncio.wait_for(self.events.get(), within)

    async def collect(self, count: int, within: float = 10.0) -> list[Envelope]:
        """The next `count` events (raises TimeoutError with fewer)."""
        received: list[Envelope] = []
        async with asyncio.timeout(within):
            while len(received) < count:
                received.append(await self.events.get())
        return received

    async def wait_control(self, frame_type: str, within: float = 10.0, **fields: Any) -> dict[str, Any]:
        """The next control frame of this type (and these field values)."""

        def matches(frame: dict[str, Any]) -> bool:
            return frame.get("type") == frame_type and all(frame.get(key) == value for key, value in fields.items())

        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._control_waiters.append((matches, future))
        return await asyncio.wait_for(future, within)

    async def send(self, frame: dict[str, Any]) -> None:
        if self._websocket is None:
            raise ConnectionError("not connected")
        await self._websocket.send(_encoder.encode(frame).decode())

    async def refresh(self, token: str | None = None) -> None:
        await self.send({"type": "refresh", "token": token or await self._token()})

    # The connection loop ---------------------------------------------------------------------------

    async def _token(self) -> str:
        return self.token if isinstance(self.token, str) else await self.token()

    async def _run(self) -> None:
        attempt = 0
        while not self._stopping:
            code, reason = 1006, "connection failed"
            try:
                await self._session()
            except asyncio.CancelledError:
                raise
            except ConnectionClosed as exc:
                if exc.rcvd is not None:
                    code, reason = exc.rcvd.code, exc.rcvd.reason
            except (OSError, TimeoutError, InvalidHandshake) as exc:
                reason = repr(exc)
            finally:
                self._websocket = None
            if self._stopping:
                return
            self.closes.append((code, reason))
            self.subscribed.clear()
            if self.ready is not None:
                attempt = 0
            self.ready = None
            resumable = code in RESUMABLE_CODES or (code in REAUTHENTICATE_CODES and not isinstance(self.token, str))
            if not resumable or not self.reconnect:
                self.failure = Closed(code, reason)
                self.subscribed.set()
                return
            delay = min(self.backoff_max, self.backoff * 2**attempt) * random.uniform(0.5, 1.0)
            attempt += 1
            await asyncio.sleep(delay)

    async def _socket(self) -> socket.socket | None:
        """A socket with a small receive buffer (to play a slow client), or None."""
        if self.receive_buffer is None:
            return None
        parts = urlsplit(self.url)
        host, port = self.connect_to or (parts.hostname or "127.0.0.1", parts.port or 80)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.receive_buffer)
        sock.setblocking(False)
        try:
            await asyncio.wait_for(asyncio.get_running_loop().sock_connect(sock, (host, port)), self.open_timeout)
        except BaseException:
            sock.close()
            raise
        return sock

    async def _session(self) -> None:
        token = await self._token()
        options: dict[str, Any] = {}
        sock = await self._socket()
        if sock is not None:
            options["sock"] = sock
        elif self.connect_to is not None:
            options["host"], options["port"] = self.connect_to
        async with connect(
            self.url,
            open_timeout=self.open_timeout,
            max_size=2**24,
            compression=None,
            ping_interval=20,
            ping_timeout=20,
            **options,
        ) as websocket:
            self._websocket = websocket
            self.connections += 1
            auth: dict[str, Any] = {"type": "auth", "token": token}
            if self.register_id:
                auth["register_id"] = self.register_id
            await websocket.send(_encoder.encode(auth).decode())
            async for message in websocket:
                text = message if isinstance(message, str) else message.decode()
                if text.startswith(EVENT_PREFIX):
                    event = _event_decoder.decode(text)
                    self.last_ids[event.topic] = event.id
                    if self.on_event is not None:
                        self.on_event(event)
                    else:
                        self.events.put_nowait(event)
                else:
                    await self._control(websocket, _frame_decoder.decode(text))

    async def _subscribe(self, websocket: ClientConnection, topics: list[str]) -> None:
        if not topics:
            self.subscribed.set()
            return
        self._pending.update(topics)
        since = {topic: self.last_ids[topic] for topic in topics if topic in self.last_ids}
        await websocket.send(_encoder.encode({"type": "subscribe", "topics": topics, "since": since}).decode())

    def _answered(self, topic: str | None) -> None:
        self._pending.discard(topic or "")
        if not self._pending:
            self.subscribed.set()

    async def _control(self, websocket: ClientConnection, frame: dict[str, Any]) -> None:
        self.controls.append(frame)
        kind = frame.get("type")
        if kind == "ready":
            self.ready = frame
            await self._subscribe(websocket, self.topics)
        elif kind == "subscribed":
            topic = frame["topic"]
            if not frame.get("recovered", True):
                self.reloads.append(topic)
                self.last_ids[topic] = frame["position"]
            elif topic not in self.last_ids:
                self.last_ids[topic] = frame["position"]
            self._answered(topic)
        elif kind == "resume":
            await self._subscribe(websocket, list(frame.get("topics", [])))
        elif kind == "ping":
            await websocket.send('{"type":"pong"}')
        elif kind == "token_expiring" and not isinstance(self.token, str):
            task = asyncio.create_task(self.refresh())
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        elif kind == "error" and frame.get("topic") and frame.get("code") != "unavailable":
            self._answered(frame.get("topic"))
        for matches, future in list(self._control_waiters):
            if not future.done() and matches(frame):
                future.set_result(frame)
                self._control_waiters.remove((matches, future))
