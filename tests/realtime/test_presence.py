"""Presence of POS registers on the `registers` topic, kept in Redis per tenant."""

from __future__ import annotations

import time
import uuid

from realtime.client import Envelope, RealtimeClient
from server.core.presence import Presence, leases_key
from tests.conftest import Api, TenantSession
from tests.realtime.conftest import RunningServer, eventually, hub_config
from tests.server.sales.conftest import open_shop


async def next_presence(client: RealtimeClient, within: float = 5.0) -> Envelope:
    while True:
        event = await client.next_event(within)
        if event.type == "register.presence":
            return event


async def test_a_register_is_online_while_its_socket_is_and_reports_its_queue(
    server: RunningServer, api: Api, tenant_a: TenantSession
) -> None:
    shop = await open_shop(tenant_a, code="P1")
    register_id = shop.register["id"]
    cashier = await api.add_user(tenant_a, "cashier")
    async with server.client(tenant_a, topics=("registers",)) as manager:
        await manager.wait_subscribed()
        await eventually(lambda: any(frame["type"] == "presence" for frame in manager.controls))
        async with server.client(tenant_a, cashier["access_token"], ("stock",), register_id=register_id) as pos:
            await pos.wait_subscribed()
            online = await next_presence(manager)
            assert (online.data["register_id"], online.data["register_code"]) == (register_id, "P1")
            assert (online.data["online"], online.data["queued_sales"]) == (True, 0)
            await pos.send({"type": "presence", "queued_sales": 3})
            queued = await next_presence(manager)
            assert (queued.data["online"], queued.data["queued_sales"]) == (True, 3)
            assert queued.data["version"] == online.data["version"] + 1
        offline = await next_presence(manager)
        assert (offline.data["online"], offline.data["queued_sales"]) == (False, 3)
        assert offline.data["last_seen"].endswith("Z")
    async with server.client(tenant_a, topics=("registers",)) as later:
        await later.wait_subscribed()
        await eventually(lambda: any(frame["type"] == "presence" for frame in later.controls))
    snapshot = next(frame for frame in later.controls if frame["type"] == "presence")
    assert [(state["register_code"], state["online"], state["queued_sales"]) for state in snapshot["registers"]] == [
        ("P1", False, 3)
    ]


async def test_two_sockets_of_one_register_keep_it_online_until_the_last_leaves(
    server: RunningServer, resources, tenant_a: TenantSession
) -> None:
    shop = await open_shop(tenant_a, code="P2")
    register_id = shop.register["id"]
    async with server.client(tenant_a, topics=("registers",)) as manager:
        await manager.wait_subscribed()
        first = server.client(tenant_a, topics=("stock",), register_id=register_id)
        second = server.client(tenant_a, topics=("stock",), register_id=register_id)
        await first.start()
        await first.wait_subscribed()
        assert (await next_presence(manager)).data["online"] is True
        await second.start()
        await second.wait_subscribed()
        leases = leases_key(tenant_a.organization_id)

        async def leases_held(count: int) -> bool:
            members = await resources.redis.zrange(leases, 0, -1)
            return len([member for member in members if member.decode().startswith(register_id)]) == count

        await eventually(lambda: leases_held(2))
        await first.close()
        await eventually(lambda: leases_held(1))  # the first socket's release has run
        # A marker from the second socket: had the release taken the register offline, that
        # change would be the next presence event instead.
        await second.send({"type": "presence", "queued_sales": 5})
        still = await next_presence(manager)
        assert (still.data["online"], still.data["queued_sales"]) == (True, 5)
        await second.close()
        offline = await next_presence(manager)
        assert (offline.data["online"], offline.data["version"]) == (False, still.data["version"] + 1)
        assert manager.events.empty()


async def test_a_register_whose_server_died_goes_offline_when_its_lease_expires(
    server: RunningServer, resources, tenant_a: TenantSession
) -> None:
    register_id = uuid.uuid4()
    dead_process = Presence(resources.redis, lease_seconds=0.5)
    await dead_process.lease(tenant_a.organization_id, register_id, "Z9", "gone", time.time())
    with hub_config(server, presence_sweep_interval=0.2):
        async with server.client(tenant_a, topics=("registers",)) as manager:
            await manager.wait_subscribed()
            offline = await next_presence(manager)
    assert (offline.data["register_id"], offline.data["online"]) == (str(register_id), False)


async def test_registers_must_be_declared_and_exist(server: RunningServer, tenant_a: TenantSession) -> None:
    async with server.client(tenant_a, topics=("stock",)) as client:
        await client.wait_subscribed()
        await client.send({"type": "presence", "queued_sales": 1})
        error = await client.wait_control("error")
        assert error["code"] == "register_required"
    unknown = server.client(tenant_a, topics=("stock",), register_id=str(uuid.uuid4()), reconnect=False)
    async with unknown:
        await eventually(lambda: unknown.failure is not None)
    assert unknown.failure is not None and (unknown.failure.code, unknown.failure.reason) == (4012, "register_unknown")
