"""The hub under real sockets: replay after a disconnect, a lost Redis subscriber, a slow
consumer, and tenant channels subscribed only while needed."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import secrets
import socket
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from realtime.client import Envelope, RealtimeClient
from realtime.memory import YOUNG_COLLECTION_THRESHOLD
from realtime.schemas import SLOW
from server.core.events import channel, publish, stream_key
from server.core.metrics import REGISTRY
from tests.conftest import TenantSession
from tests.realtime.conftest import RunningServer, eventually, hub_config


async def stream_ids(redis: Redis, organization_id: uuid.UUID, topic: str, after: str = "0-0") -> list[str]:
    entries = await redis.xrange(stream_key(organization_id, topic), f"({after}" if after != "0-0" else "-", "+")
    return [entry_id.decode() for entry_id, _ in entries]


def drain(client: RealtimeClient) -> list[Envelope]:
    received = []
    while not client.events.empty():
        received.append(client.events.get_nowait())
    return received


@contextlib.asynccontextmanager
async def publishing(
    redis: Redis, organization_id: uuid.UUID, topic: str = "sales", pause: float = 0.002
) -> AsyncIterator[list[int]]:
    """Publish numbered events continuously while the block runs."""
    count = [0]
    stop = asyncio.Event()

    async def run() -> None:
        while not stop.is_set():
            await publish(redis, organization_id, topic, f"{topic}.test", {"i": count[0], "ts": time.time()})
            count[0] += 1
            await asyncio.sleep(pause)

    task = asyncio.create_task(run())
    try:
        yield count
    finally:
        stop.set()
        await task


async def received_everything(
    client: RealtimeClient, redis: Redis, organization_id: uuid.UUID, topic: str = "sales"
) -> None:
    last = (await stream_ids(redis, organization_id, topic))[-1]
    await eventually(lambda: client.last_ids.get(topic) == last, within=10)


def replay_lag_count() -> float:
    return REGISTRY.get_sample_value("orbit_realtime_replay_lag_seconds_count") or 0.0


def replayed_events() -> float:
    return REGISTRY.get_sample_value("orbit_realtime_replayed_events_total") or 0.0


async def test_replay_after_a_disconnect_is_gap_free_and_duplicate_free(
    server: RunningServer, resources, tenant_a: TenantSession
) -> None:
    redis, organization_id = resources.redis, tenant_a.organization_id
    async with publishing(redis, organization_id):
        first = server.client(tenant_a, topics=("sales",))
        await first.start()
        await first.wait_subscribed()
        start = next(frame["position"] for frame in first.controls if frame["type"] == "subscribed")
        collected = await first.collect(30)
        await first.close()
        before = collected + drain(first)
        await asyncio.sleep(0.3)  # events go by while the client is away
        since = first.last_ids["sales"]
        resumes, replayed = replay_lag_count(), replayed_events()
        second = server.client(tenant_a, topics=("sales",), since={"sales": since})
        await second.start()
        await second.wait_subscribed()
        await asyncio.sleep(0.3)
    await received_everything(second, redis, organization_id)
    await second.close()
    after = drain(second)
    assert second.reloads == []
    assert since == before[-1].id
    if server.process is None:  # the server runs in this process: its metrics are ours
        assert replay_lag_count() == resumes + 1
        assert replayed_events() > replayed
    assert [event.id for event in before + after] == await stream_ids(redis, organization_id, "sales", after=start)


async def test_the_client_resumes_by_itself_after_the_server_drops_it(
    server: RunningServer, resources, tenant_a: TenantSession
) -> None:
    redis, organization_id = resources.redis, tenant_a.organization_id
    async with server.client(tenant_a, topics=("sales",)) as client:
        await client.wait_subscribed()
        start = client.last_ids["sales"]
        received: list[Envelope] = []
        async with publishing(redis, organization_id):
            for _ in range(3):
                received += await client.collect(20)
                connection_id = client.ready["connection_id"] if client.ready else None
                dropped = next(c for c in server.hub.connections if c.id == connection_id)
                dropped.close(SLOW, "test")
                await eventually(
                    lambda old=connection_id: client.ready is not None and client.ready["connection_id"] != old
                )
        await received_everything(client, redis, organization_id)
    received += drain(client)
    assert client.connections == 4 and [code for code, _ in client.closes] == [SLOW.code] * 3
    assert [event.id for event in received] == await stream_ids(redis, organization_id, "sales", after=start)


async def kill_feed(redis: Redis, name: str) -> int:
    killed = 0
    for client in await redis.client_list():
        if client.get("name") == name:
            killed += await redis.client_kill_filter(_id=client["id"])
    return killed


async def test_a_lost_subscriber_reconnects_and_clients_resume_with_nothing_lost(
    server: RunningServer, resources, tenant_a: TenantSession
) -> None:
    redis, organization_id = resources.redis, tenant_a.organization_id
    clients = [server.client(tenant_a, topics=("sales", "stock")) for _ in range(3)]
    for client in clients:
        await client.start()
        await client.wait_subscribed()
    starts = [client.last_ids["sales"] for client in clients]
    reconnects = server.hub.stats.feed_reconnects
    async with publishing(redis, organization_id, pause=0.001):
        await asyncio.sleep(0.2)
        assert await kill_feed(redis, server.hub.feed_name) == 1
        await eventually(lambda: server.hub.stats.feed_reconnects > reconnects and server.hub.feed_up)
        await asyncio.sleep(0.3)
    for client, start in zip(clients, starts, strict=True):
        await received_everything(client, redis, organization_id)
        await client.close()
        received = [event.id for event in drain(client)]
        assert received == await stream_ids(redis, organization_id, "sales", after=start)
        assert any(frame["type"] == "resume" for frame in client.controls)
        assert client.connections == 1 and client.reloads == []


def slow_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return sock


@pytest.mark.slow
async def test_a_slow_consumer_is_closed_while_others_get_every_event(
    server: RunningServer, resources, tenant_a: TenantSession
) -> None:
    redis, organization_id = resources.redis, tenant_a.organization_id
    stamps: list[list[float]] = [[], [], []]
    counts = [0, 0, 0]

    def recorder(index: int):  # type: ignore[no-untyped-def]
        def record(event: Envelope) -> None:
            stamps[index].append(event.data["ts"])
            counts[index] += 1

        return record

    with hub_config(server, queue_frames=128, queue_bytes=512 * 1024):
        fast = [server.client(tenant_a, topics=("sales",), on_event=recorder(index)) for index in range(3)]
        for client in fast:
            await client.start()
            await client.wait_subscribed()
        sock = slow_socket()
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", server.port))
        slow_closes = server.hub.stats.closes.get("slow", 0)
        async with connect(server.url(tenant_a.subdomain), sock=sock, max_queue=1, compression=None) as slow:
            await slow.send(json.dumps({"type": "auth", "token": tenant_a.access_token}))
            assert json.loads(await slow.recv())["type"] == "ready"
            await slow.send(json.dumps({"type": "subscribe", "topics": ["sales"]}))
            assert json.loads(await slow.recv())["type"] == "subscribed"
            padding = secrets.token_urlsafe(12_000)  # 16 kB that compression cannot shrink
            published = 0
            while server.hub.stats.closes.get("slow", 0) == slow_closes and published < 2000:
                await publish(redis, organization_id, "sales", "sale.created", {"ts": time.time(), "pad": padding})
                published += 1
                await asyncio.sleep(0.003)
            assert server.hub.stats.closes.get("slow", 0) == slow_closes + 1
            for _ in range(50):  # life goes on for the others
                await publish(redis, organization_id, "sales", "sale.created", {"ts": time.time(), "pad": padding})
                published += 1
                await asyncio.sleep(0.003)
            with contextlib.suppress(ConnectionClosed):
                async with asyncio.timeout(10):
                    async for _ in slow:
                        pass
            assert slow.close_code == SLOW.code
        await eventually(lambda: counts == [published] * 3, within=10)
        for client in fast:
            await client.close()
    # Latency is a benchmark's figure (bench/ws_fanout), not a timed assertion: here, every fast
    # socket got every event, in order, and none was closed.
    assert all(ordered == sorted(ordered) for ordered in stamps)
    assert all(client.closes == [] for client in fast)


async def test_tenant_channels_are_subscribed_only_while_sockets_need_them(
    server: RunningServer, resources, tenant_a: TenantSession
) -> None:
    redis, organization_id = resources.redis, tenant_a.organization_id

    async def subscribers() -> int:
        return int((await redis.pubsub_numsub(channel(organization_id)))[0][1])

    with hub_config(server, unsubscribe_linger=0.2):
        clients = [server.client(tenant_a, topics=("sales",)) for _ in range(3)]
        for client in clients:
            await client.start()
            await client.wait_subscribed()
        assert await subscribers() == 1  # one subscription per process, however many sockets
        events, deliveries = server.hub.stats.events, server.hub.stats.deliveries
        await publish(redis, organization_id, "sales", "sale.created", {})
        for client in clients:
            await client.next_event()
        assert (server.hub.stats.events - events, server.hub.stats.deliveries - deliveries) == (1, 3)
        for client in clients[:2]:
            await client.close()
        await asyncio.sleep(1.5)
        assert await subscribers() == 1
        await clients[2].close()

        async def unsubscribed() -> bool:
            return await subscribers() == 0

        await eventually(unsubscribed, within=5)
    assert organization_id not in server.hub.tenants


async def test_the_collector_is_settled_once_the_hub_runs(server: RunningServer) -> None:
    assert server.hub.feed_name  # started by the fixture's lifespan
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD
    assert gc.get_freeze_count() > 0  # the application's objects stay out of every collection
