"""One socket's outgoing queue: bounded, FIFO, and coalescing stock updates under pressure."""

from __future__ import annotations

import asyncio
import types
import uuid
from typing import Any

from realtime.connection import Connection, RealtimeConfig
from realtime.envelope import Event
from realtime.hub import Stats
from realtime.schemas import SLOW
from realtime.service import Identity
from server.core.events import envelope, envelope_tail


class BlockedSocket:
    """A peer that takes nothing until `gate` opens."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.gate = asyncio.Event()
        self.closed: tuple[int, str] | None = None

    async def send(self, message: dict[str, Any]) -> None:
        await self.gate.wait()
        self.sent.append(message["text"])

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


def stock_event(sequence: int, *products: str) -> Event:
    data = {"products": [{"product_id": product, "stock": sequence} for product in products]}
    return Event.parse(envelope(f"1-{sequence}", envelope_tail("stock", "stock.changed", data)))


def connection(socket: BlockedSocket, **config: Any) -> Connection:
    hub = types.SimpleNamespace(config=RealtimeConfig(**config), stats=Stats(), forget=lambda _connection: None)
    identity = Identity(uuid.uuid4(), uuid.uuid4(), "manager", 2**31)
    return Connection(hub, socket, identity)  # type: ignore[arg-type]


async def test_stock_updates_superseded_while_queued_are_coalesced() -> None:
    socket = BlockedSocket()
    queue = connection(socket, coalesce_from=1)
    events = [stock_event(1, "a"), stock_event(2, "b"), stock_event(3, "a", "b"), stock_event(4, "a")]
    for event in events:
        queue.push(event)
        await asyncio.sleep(0)
    socket.gate.set()
    await asyncio.sleep(0.05)
    assert socket.sent == [events[0].text, events[2].text, events[3].text]
    assert queue.hub.stats.coalesced == 1
    await queue.stop()


async def test_a_full_queue_closes_the_socket_as_slow_and_drops_what_it_held() -> None:
    socket = BlockedSocket()
    queue = connection(socket, queue_frames=3, coalesce_from=100)
    for sequence in range(1, 7):
        queue.push(stock_event(sequence, f"p{sequence}"))
        await asyncio.sleep(0)
    assert queue.closing and queue.close_code == SLOW
    assert len(queue.queue) == 0 and queue.queued_bytes == 0
    socket.gate.set()
    await asyncio.wait_for(queue.finished, 2)
    assert socket.closed == (4008, "slow")
    await queue.stop()


async def test_frames_leave_in_order() -> None:
    socket = BlockedSocket()
    socket.gate.set()
    queue = connection(socket)
    queue.send('{"type":"ready"}')
    for sequence in range(1, 4):
        queue.push(stock_event(sequence, "a"))
    await asyncio.sleep(0.05)
    assert socket.sent[0] == '{"type":"ready"}' and [text[:20] for text in socket.sent[1:]] == [
        stock_event(sequence, "a").text[:20] for sequence in range(1, 4)
    ]
    await queue.stop()
