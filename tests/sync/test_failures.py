"""The database going away in the middle of a batch: nothing is half-applied, the device is told
to retry, and the resend settles everything exactly once."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from tests.conftest import wait_for_blocked_backend
from tests.sync.conftest import Pos
from tests.sync.test_push import counts


async def test_connection_lost_mid_batch_settles_nothing(pos: Pos, owner_engine) -> None:
    organization = pos.shop.tenant.organization_id
    documents = [pos.sale([(0, 1)]), pos.sale([(1, 1)]), pos.sale([(2, 1)])]
    before = await counts(owner_engine, organization)

    blocker = await owner_engine.connect()
    await blocker.begin()
    await blocker.execute(text("select 1 from products where id = :p for update"), {"p": pos.shop.products[1]["id"]})
    push = asyncio.create_task(pos.push(documents))
    pid = await wait_for_blocked_backend(owner_engine)
    async with owner_engine.connect() as connection:
        await connection.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid})
    response = await push
    await blocker.rollback()
    await blocker.close()

    assert response.status_code == 503, response.text
    problem = response.json()
    assert problem["retry_after_ms"] > 0 and int(response.headers["retry-after"]) >= 1
    assert await counts(owner_engine, organization) == before
    devices = (await pos.shop.client.get("/api/v1/sync/devices")).json()
    assert devices[0]["last_seq"] == 0

    retried = await pos.push(documents)
    assert retried.status_code == 200, retried.text
    assert [r["status"] for r in retried.json()["results"]] == ["applied"] * 3
    after = await counts(owner_engine, organization)
    assert after["sales"] == before["sales"] + 3 and after["documents"] == before["documents"] + 3
