"""Real server processes (`python -m server.cli serve`): two of them on one Redis, and one whose
Redis is restarted under live sockets."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from realtime.client import Envelope, RealtimeClient
from server.core.config import Settings
from server.core.events import publish, stream_key
from server.embedded import EmbeddedRedis
from tests.conftest import Api, TenantSession
from tests.realtime.conftest import RunningServer, eventually, free_port, start_process, stop_process
from tests.realtime.test_hub import drain, stream_ids
from tests.server.sales.conftest import key, open_shop

pytestmark = pytest.mark.slow


@dataclass
class Cluster:
    """Two server processes on the session's Redis, and one on a Redis of its own."""

    pair: list[RunningServer]
    alone: RunningServer
    private_redis: EmbeddedRedis


@pytest.fixture(scope="module")
async def cluster(
    settings: Settings, service_urls: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Cluster]:
    private_redis = EmbeddedRedis(tmp_path_factory.mktemp("redis"), port=free_port(), persistent=True)
    private_url = await asyncio.to_thread(private_redis.start)
    started = await asyncio.gather(
        start_process(settings, service_urls[1]),
        start_process(settings, service_urls[1]),
        start_process(settings, private_url),
        return_exceptions=True,
    )
    try:
        for server in started:
            if isinstance(server, BaseException):
                raise server
        yield Cluster(pair=list(started[:2]), alone=started[2], private_redis=private_redis)  # type: ignore[arg-type]
    finally:
        for server in started:
            if isinstance(server, RunningServer):
                stop_process(server)
        await asyncio.to_thread(private_redis.stop)


async def test_two_processes_both_deliver_a_sale_made_through_either(
    cluster: Cluster, api: Api, tenant_a: TenantSession
) -> None:
    shop = await open_shop(tenant_a, code="M1")
    cashier = await api.add_user(tenant_a, "cashier")
    servers = cluster.pair
    watchers = [server.client(tenant_a, topics=("sales", "stock", "registers")) for server in servers]
    pos = servers[0].client(tenant_a, cashier["access_token"], ("stock",), register_id=shop.register["id"])
    for client in (*watchers, pos):
        await client.start()
        await client.wait_subscribed()
    for watcher in watchers:  # the register's presence, recorded by process 0, seen through both
        await next_matching(watcher, lambda event: event.type == "register.presence" and event.data["online"])
    for seller in servers:
        async with seller.http(tenant_a) as http:
            response = await http.post("/api/v1/sales", json=shop.sale([(0, 2)]), headers=key())
            assert response.status_code == 201, response.text
        sale_id = response.json()["id"]
        for client in watchers:
            await next_matching(client, lambda event, sold=sale_id: event.data.get("sale_id") == sold)
        await next_matching(pos, lambda event: event.type == "stock.changed")
    for client in (*watchers, pos):
        await client.close()
        assert client.closes == []


async def next_matching(client: RealtimeClient, predicate: Callable[[Envelope], bool], within: float = 10) -> Envelope:
    async with asyncio.timeout(within):
        while True:
            event = await client.events.get()
            if predicate(event):
                return event


async def publish_through(redis: Redis, organization_id: uuid.UUID, numbers: range) -> None:
    """Publish each number once, waiting out a Redis that is down."""
    for number in numbers:
        while True:
            try:
                await publish(redis, organization_id, "sales", "sale.created", {"i": number})
                break
            except (RedisError, OSError):
                await asyncio.sleep(0.05)


async def test_redis_restarted_under_live_sockets_loses_nothing(cluster: Cluster, tenant_a: TenantSession) -> None:
    redis_server, server = cluster.private_redis, cluster.alone
    redis = Redis.from_url(redis_server.url)
    organization_id = tenant_a.organization_id
    try:
        clients = [server.client(tenant_a, topics=("sales",)) for _ in range(3)]
        for client in clients:
            await client.start()
            await client.wait_subscribed()
        starts = [client.last_ids["sales"] for client in clients]
        await publish_through(redis, organization_id, range(0, 50))
        await asyncio.to_thread(redis_server.stop)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(redis_server.start)
        # Published at once, most likely before the server has its subscriber back.
        await publish_through(redis, organization_id, range(50, 100))
        last = (await redis.xrevrange(stream_key(organization_id, "sales"), count=1))[0][0].decode()
        deadline = time.monotonic() + 20
        for client, start in zip(clients, starts, strict=True):
            await eventually(
                lambda c=client: c.last_ids.get("sales") == last, within=max(1, deadline - time.monotonic())
            )
            await client.close()
            received = drain(client)
            assert [event.data["i"] for event in received] == list(range(100))
            assert [event.id for event in received] == await stream_ids(redis, organization_id, "sales", after=start)
            assert client.reloads == [] and client.connections == 1  # the sockets stayed up
            assert any(frame["type"] == "resume" for frame in client.controls)
    finally:
        await redis.aclose()
