"""The catalog pull and stock in its own table (migration 0014): a product whose stock changed is
sent again though its own row did not change, once per cycle, with its stock, however the pages
fall; and the stock change leaves the product row's change id alone."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import text

from tests.sync.conftest import Pos


async def pull_products(pos: Pos, cursor: str | None, limit: int) -> tuple[Counter[str], dict[str, dict], str]:
    """One whole cycle: how many times each product came, its last state, and the next cursor."""
    times: Counter[str] = Counter()
    last: dict[str, dict] = {}
    while True:
        page = await pos.pull(cursor, limit)
        for product in page["products"]:
            times[product["id"]] += 1
            last[product["id"]] = product
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return times, last, cursor


async def test_a_stock_change_alone_is_pulled_once_with_its_stock(pos: Pos, owner_engine) -> None:
    shop = pos.shop
    organization = str(shop.tenant.organization_id)
    times, _, cursor = await pull_products(pos, None, 2)
    assert all(count == 1 for count in times.values()) and len(times) >= len(shop.products)

    async with owner_engine.connect() as connection:
        await connection.execute(text("select set_config('app.org_id', :o, true)"), {"o": organization})
        query = text("select change_xid from products where id = :p")
        before = (await connection.execute(query, {"p": shop.products[1]["id"]})).scalar_one()
        await connection.rollback()
    await shop.sell([(1, 2)])
    await shop.client.patch(f"/api/v1/products/{shop.products[0]['id']}", json={"price": 4321})
    await shop.sell([(0, 1)])

    times, last, cursor = await pull_products(pos, cursor, 1)
    assert times == Counter({shop.products[0]["id"]: 1, shop.products[1]["id"]: 1})
    assert last[shop.products[1]["id"]]["stock"] == 98
    assert last[shop.products[0]["id"]]["price"] == 4321 and last[shop.products[0]["id"]]["stock"] == 99
    async with owner_engine.connect() as connection:
        await connection.execute(text("select set_config('app.org_id', :o, true)"), {"o": organization})
        after = (await connection.execute(query, {"p": shop.products[1]["id"]})).scalar_one()
        await connection.rollback()
    assert after == before

    times, _, _ = await pull_products(pos, cursor, 1)
    assert not times
