"""Exactly once, whatever the network does: a device makes sales and refunds offline and pushes
them in random batches while responses get lost, retries arrive out of order and the server's
process (its connection pool and state) is replaced between steps. Afterwards the server holds
exactly the device's documents, each once, stock adds up and `last_seq` is right."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from server.app import close_resources, open_resources
from tests.conftest import Api
from tests.server.sales.conftest import open_shop
from tests.sync.conftest import register_pos

step = st.one_of(
    st.tuples(st.just("sell"), st.integers(0, 2), st.integers(1, 4)),
    st.tuples(st.just("refund"), st.integers(0, 50), st.integers(1, 2)),
    st.tuples(st.just("push"), st.integers(1, 6), st.booleans(), st.booleans()),
    st.tuples(
        st.just("restart"),
    ),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=3, max_size=25), seed=st.integers(0, 2**16))
async def test_every_document_lands_exactly_once(
    app, api: Api, owner_engine, steps: list[tuple[Any, ...]], seed: int
) -> None:
    shuffle = random.Random(seed)
    shop = await open_shop(await api.register(), code="X1", stock=1000)
    pos = await register_pos(api, shop)
    queue: list[dict[str, Any]] = []
    sold: dict[int, int] = {0: 0, 1: 0, 2: 0}
    refunded: dict[int, int] = {0: 0, 1: 0, 2: 0}
    sales_made: list[tuple[dict[str, Any], int, int]] = []
    refundable: dict[str, int] = {}

    async def push(count: int, drop: bool, reorder: bool) -> None:
        batch = queue[:count]
        if reorder:
            shuffle.shuffle(batch)
        response = await pos.push(batch)
        assert response.status_code == 200, response.text
        if drop:
            return
        last_seq = response.json()["last_seq"]
        queue[:] = [document for document in queue if document["seq"] > last_seq]

    for item in steps:
        kind = item[0]
        if kind == "sell":
            _, product, quantity = item
            document = pos.sale([(product, quantity)])
            queue.append(document)
            sales_made.append((document, product, quantity))
            sold[product] += quantity
            refundable[document["id"]] = quantity
        elif kind == "refund" and sales_made:
            _, index, quantity = item
            document, product, _ = sales_made[index % len(sales_made)]
            quantity = min(quantity, refundable[document["id"]])
            if quantity:
                refundable[document["id"]] -= quantity
                refunded[product] += quantity
                queue.append(
                    pos.document(
                        "refund",
                        sale_id=document["id"],
                        shift_id=pos.shift_id,
                        lines=[{"position": 1, "quantity": quantity}],
                        method="cash",
                        reason="devuelto",
                    )
                )
        elif kind == "push" and queue:
            await push(item[1], item[2], item[3])
        elif kind == "restart":
            old = app.state.resources
            app.state.resources = open_resources(old.settings)
            await close_resources(old)
    while queue:
        await push(len(queue), False, False)

    async with owner_engine.connect() as connection:
        stored = (
            (
                await connection.execute(
                    text("select id from sales where organization_id = :o and device_id = :d"),
                    {"o": shop.tenant.organization_id, "d": pos.device_id},
                )
            )
            .scalars()
            .all()
        )
        documents = (
            await connection.execute(
                text("select count(*), max(seq) from sync_documents where device_id = :d"), {"d": pos.device_id}
            )
        ).one()
        refunds = (
            await connection.execute(
                text("select count(*) from refunds where organization_id = :o"), {"o": shop.tenant.organization_id}
            )
        ).scalar()
    assert sorted(map(str, stored)) == sorted(document["id"] for document, _, _ in sales_made)
    assert len(stored) == len(set(stored))
    assert documents[0] == pos.seq and (documents[1] or 0) == pos.seq
    assert refunds == sum(1 for document in pos.made if document["kind"] == "refund")
    devices = (await shop.client.get("/api/v1/sync/devices")).json()
    assert devices[0]["last_seq"] == pos.seq
    for product in range(3):
        assert await shop.stock(product) == 1000 - sold[product] + refunded[product]
