"""A real server process killed with SIGKILL in the middle of a batch, restarted, and the device
resending everything: no sale lost, none doubled."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import text

from bench.harness.server import ServerProcess
from server.core.config import Settings
from tests.conftest import BASE_DOMAIN, STRONG_PASSWORD, wait_for_blocked_backend


@pytest.fixture
def server(settings: Settings) -> Iterator[ServerProcess]:
    """The server as the benchmarks start it (`bench.harness.server`), on the test database."""
    process = ServerProcess.orbit(database_url=settings.database_url, redis_url=settings.redis_url)
    process.ready_path = "/health"
    process.start()
    yield process
    process.stop()


async def ready(server: ServerProcess) -> None:
    await asyncio.to_thread(server.wait_ready, timeout=120)


@pytest.mark.slow
async def test_sigkill_mid_batch_then_resend(server: ServerProcess, owner_engine) -> None:
    await ready(server)
    base = f"http://127.0.0.1:{server.port}"
    async with httpx.AsyncClient(base_url=base, timeout=30, headers={"Host": BASE_DOMAIN}) as apex:
        registered = (
            await apex.post(
                "/api/v1/auth/register",
                json={
                    "company_name": f"Kill {uuid.uuid4().hex[:6]}",
                    "admin_name": "K",
                    "email": f"k{uuid.uuid4().hex[:8]}@e.co",
                    "password": STRONG_PASSWORD,
                    "currency": "CLP",
                    "locale": "es-CL",
                    "time_zone": "America/Santiago",
                },
            )
        ).json()
    host = f"{registered['subdomain']}.{BASE_DOMAIN}"
    headers = {"Host": host, "Authorization": f"Bearer {registered['tokens']['access_token']}"}
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=headers) as client:
        register = (await client.post("/api/v1/registers", json={"code": "K1", "name": "K"})).json()
        shift = (
            await client.post(
                "/api/v1/shifts",
                json={"register_id": register["id"], "opening_float": 0},
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
        ).json()
        products = [
            (
                await client.post(
                    "/api/v1/products", json={"sku": f"K{i}", "name": f"K{i}", "price": 500, "initial_stock": 100000}
                )
            ).json()
            for i in range(3)
        ]
        device = (await client.post("/api/v1/sync/devices", json={"register_id": register["id"], "name": "k"})).json()
    device_id, credential = device["device"]["id"], device["credential"]
    documents = [
        {
            "kind": "sale",
            "id": str(uuid.uuid4()),
            "seq": seq,
            "device_time": datetime.now(UTC).isoformat(),
            "cashier_id": registered["tokens"]["user"]["id"],
            "shift_id": shift["id"],
            "number": seq,
            "lines": [{"product_id": p["id"], "quantity": 1, "unit_price": 500} for p in products],
            "payments": [{"method": "cash", "amount": 1500}],
        }
        for seq in range(1, 301)
    ]
    push_headers = {**headers, "X-Device-Key": credential}

    async def push(batch: list[dict]) -> httpx.Response:
        async with httpx.AsyncClient(base_url=base, timeout=60, headers=push_headers) as client:
            return await client.post("/api/v1/sync/sales", json={"device_id": device_id, "sales": batch})

    first = await push(documents[:100])
    assert first.status_code == 200 and first.json()["last_seq"] == 100
    # The register's row is held, so the next batch stops mid-write (its stock is already
    # decremented, its series not yet updated) and the kill lands inside its transaction.
    blocker = await owner_engine.connect()
    await blocker.begin()
    await blocker.execute(text("select 1 from registers where id = :r for update"), {"r": register["id"]})
    killed_mid_batch = asyncio.create_task(push(documents[100:200]))
    await wait_for_blocked_backend(owner_engine)
    server.kill()
    with pytest.raises(httpx.TransportError):
        await killed_mid_batch
    await blocker.rollback()
    await blocker.close()

    server.start()
    await ready(server)
    queue = list(documents[100:])
    rounds = 0
    while queue:
        rounds += 1
        response = await push(queue[:100])
        assert response.status_code == 200, response.text
        last_seq = response.json()["last_seq"]
        queue = [document for document in queue if document["seq"] > last_seq]
        assert rounds < 10

    async with owner_engine.connect() as connection:
        rows = (
            await connection.execute(
                text("select count(*), count(distinct id) from sales where device_id = :d"), {"d": device_id}
            )
        ).one()
        stock = (
            await connection.execute(
                text(
                    "select array_agg(s.on_hand order by p.sku) from products p join product_stock s "
                    "on s.product_id = p.id where p.id = any(:ids)"
                ),
                {"ids": [p["id"] for p in products]},
            )
        ).scalar_one()
        last_seq = (
            await connection.execute(text("select last_seq from devices where id = :d"), {"d": device_id})
        ).scalar_one()
    assert tuple(rows) == (300, 300)
    assert stock == [100000 - 300] * 3
    assert last_seq == 300
