"""One socket's outgoing queue: bounded, FIFO, and coalescing stock updates under pressure."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from realtime.connection import Connection, Flusher, RealtimeConfig
from realtime.envelope import Event
from realtime.metrics import Stats
from realtime.schemas import SLOW
from realtime.service import Identity
from realtime.transport import text_frame
from server.core.events import envelope, envelope_tail


class BlockedSocket:
    """A peer that takes nothing until `open()`: through ASGI `send`, or, with `sink=True`, as the
    frame sink of realtime/transport.py (not writable until opened)."""

    def __init__(self, *, sink: bool = False) -> None:
        self.sent: list[str] = []
        self.gate = asyncio.Event()
        self.closed: tuple[int, str] | None = None
        self.sink = sink
        self._writable_callback: Callable[[], None] | None = None

    def open(self) -> None:
        self.gate.set()
        callback, self._writable_callback = self._writable_callback, None
        if callback is not None:
            callback()

    async def send(self, message: dict[str, Any]) -> None:
        assert not self.sink, "a socket with a sink gets its frames through the sink"
        await self.gate.wait()
        self.sent.append(message["text"])

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)

    # FrameSink

    def writable(self) -> bool:
        return self.gate.is_set()

    def write(self, frames: bytes) -> bool:
        assert self.gate.is_set(), "written while not writable"
        self.sent.extend(read_text_frames(frames))
        return True

    def on_writable(self, callback: Callable[[], None] | None) -> None:
        self._writable_callback = callback


def read_text_frames(data: bytes) -> list[str]:
    """The texts of unmasked, final text frames, as a client reads them."""
    texts, offset = [], 0
    while offset < len(data):
        assert data[offset] == 0x81
        length, start = data[offset + 1], offset + 2
        if length == 126:
            length, start = int.from_bytes(data[start : start + 2], "big"), start + 2
        elif length == 127:
            length, start = int.from_bytes(data[start : start + 8], "big"), start + 8
        texts.append(data[start : start + length].decode())
        offset = start + length
    return texts


def stock_event(sequence: int, *products: str) -> Event:
    data = {"products": [{"product_id": product, "stock": sequence} for product in products]}
    return Event.parse(envelope(f"1-{sequence}", envelope_tail("stock", "stock.changed", data)))


@dataclasses.dataclass
class FakeHub:
    """The `ConnectionHub` a socket needs, without Redis or other sockets."""

    config: RealtimeConfig
    stats: Stats = dataclasses.field(default_factory=Stats)
    flusher: Flusher = dataclasses.field(default_factory=Flusher)

    def forget(self, connection: Connection) -> None:
        pass


def fake_hub(**config: Any) -> FakeHub:
    return FakeHub(RealtimeConfig(**config))


def connection(socket: BlockedSocket, hub: FakeHub | None = None, **config: Any) -> Connection:
    hub = hub or fake_hub(**config)
    identity = Identity(uuid.uuid4(), uuid.uuid4(), "manager", 2**31)
    return Connection(hub, socket, identity, socket if socket.sink else None)  # type: ignore[arg-type]


both_paths = pytest.mark.parametrize("sink", [False, True], ids=["asgi-send", "frame-sink"])


def test_text_frames_have_the_length_in_the_smallest_form() -> None:
    for size in (0, 125, 126, 65535, 65536):
        payload = b"x" * size
        frame = text_frame(payload)
        assert read_text_frames(frame) == [payload.decode()]
        assert len(frame) - size == (2 if size < 126 else 4 if size < 65536 else 10)


@both_paths
async def test_stock_updates_superseded_while_queued_are_coalesced(sink: bool) -> None:
    socket = BlockedSocket(sink=sink)
    queue = connection(socket, coalesce_from=1)
    events = [stock_event(1, "a"), stock_event(2, "b"), stock_event(3, "a", "b"), stock_event(4, "a")]
    for event in events:
        queue.push(event)
        await asyncio.sleep(0)
    socket.open()
    await asyncio.sleep(0.05)
    # Through ASGI `send`, the writer task already holds the first event while the peer blocks;
    # with a sink, nothing leaves the queue until the transport is writable.
    taken = [] if sink else [events[0]]
    assert socket.sent == [event.text for event in [*taken, events[2], events[3]]]
    assert queue.hub.stats.coalesced == 2 - len(taken)
    await queue.stop()


async def test_a_frame_waiting_for_the_transport_is_timed_until_it_leaves() -> None:
    socket = BlockedSocket(sink=True)
    queue = connection(socket)
    queue.push(stock_event(1, "a"))
    await asyncio.sleep(0)
    assert queue.sending_since > 0 and socket.sent == []
    socket.open()
    await asyncio.sleep(0)
    assert queue.sending_since == 0 and len(socket.sent) == 1
    await queue.stop()


@both_paths
async def test_a_full_queue_closes_the_socket_as_slow_and_drops_what_it_held(sink: bool) -> None:
    socket = BlockedSocket(sink=sink)
    queue = connection(socket, queue_frames=3, coalesce_from=100)
    for sequence in range(1, 7):
        queue.push(stock_event(sequence, f"p{sequence}"))
        await asyncio.sleep(0)
    assert queue.closing and queue.close_code == SLOW
    assert len(queue.queue) == 0 and queue.queued_bytes == 0
    socket.open()
    await asyncio.wait_for(queue.finished, 2)
    assert socket.closed == (4008, "slow")
    await queue.stop()


@both_paths
async def test_frames_leave_in_order(sink: bool) -> None:
    socket = BlockedSocket(sink=sink)
    socket.open()
    queue = connection(socket)
    queue.send('{"type":"ready"}')
    for sequence in range(1, 4):
        queue.push(stock_event(sequence, "a"))
    await asyncio.sleep(0.05)
    assert socket.sent[0] == '{"type":"ready"}' and [text[:20] for text in socket.sent[1:]] == [
        stock_event(sequence, "a").text[:20] for sequence in range(1, 4)
    ]
    await queue.stop()


async def test_a_failed_write_ends_that_socket_and_no_other() -> None:
    hub = fake_hub()
    broken, healthy = BlockedSocket(sink=True), BlockedSocket(sink=True)
    broken.open()
    healthy.open()

    def refuse(frames: bytes) -> bool:
        raise RuntimeError("the transport is gone")

    broken.write = refuse  # type: ignore[method-assign]
    first, second = connection(broken, hub), connection(healthy, hub)
    event = stock_event(1, "a")
    first.push(event)
    second.push(event)
    await asyncio.sleep(0)
    assert first.finished.done() and healthy.sent == [event.text]
    await first.stop()
    await second.stop()
