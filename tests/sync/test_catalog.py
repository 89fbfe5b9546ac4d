from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text

from tests.conftest import STRONG_PASSWORD, Api
from tests.sync.conftest import Pos


async def pull_all(pos: Pos, cursor: str | None = None, limit: int = 1000) -> tuple[dict[str, dict], str, int]:
    """Pull until `has_more` is false; return everything by id, the final cursor and the pages."""
    seen: dict[str, dict] = {}
    pages = 0
    while True:
        page = await pos.pull(cursor, limit)
        pages += 1
        for entity in ("products", "categories", "customers", "cashiers", "registers"):
            for row in page[entity]:
                seen[row["id"]] = {"kind": entity, **row}
        for tombstone in page["tombstones"]:
            seen[tombstone["id"]] = {"kind": "tombstone", **tombstone}
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return seen, cursor, pages


async def test_cold_pull_in_pages_then_only_changes(pos: Pos) -> None:
    shop = pos.shop
    everything, cursor, pages = await pull_all(pos, limit=2)
    assert pages > 2
    product_ids = {p["id"] for p in shop.products}
    assert product_ids <= {k for k, v in everything.items() if v["kind"] == "products"}
    assert everything[shop.register["id"]]["open_shift_id"] == shop.shift["id"]
    assert everything[pos.cashier_id]["role"] == "cashier"
    page = await pos.pull(cursor)
    assert page["organization"]["currency"] == "CLP" and page["organization"]["tax_mode"] == "inclusive"

    await shop.client.patch(f"/api/v1/products/{shop.products[0]['id']}", json={"price": 1234})
    category = (await shop.client.post("/api/v1/categories", json={"name": "Temporal"})).json()
    changed, cursor, _ = await pull_all(pos, cursor)
    assert changed[shop.products[0]["id"]]["price"] == 1234
    assert changed[category["id"]]["kind"] == "categories"
    assert shop.products[1]["id"] not in changed

    await shop.client.delete(f"/api/v1/categories/{category['id']}")
    await shop.sell([(1, 2)])
    changed, cursor, _ = await pull_all(pos, cursor)
    assert changed[category["id"]] == {"kind": "tombstone", "entity": "categories", "id": category["id"]}
    assert changed[shop.products[1]["id"]]["stock"] == 98


async def test_cashier_unlock_data(pos: Pos, api: Api) -> None:
    response = await pos.client.put("/api/v1/me/pin", json={"pin": "4826", "password": STRONG_PASSWORD})
    assert response.status_code == 204, response.text
    everything, _, _ = await pull_all(pos)
    verifier = everything[pos.cashier_id]["offline_pin"]
    algorithm, iterations, salt, digest = verifier.split("$")
    assert algorithm == "pbkdf2-sha256" and int(iterations) >= 200_000
    import base64
    import hashlib

    def raw(value: str) -> bytes:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))

    assert hashlib.pbkdf2_hmac("sha256", b"4826", raw(salt), int(iterations)) == raw(digest)
    assert "password_hash" not in everything[pos.cashier_id]
    weak = await pos.client.put("/api/v1/me/pin", json={"pin": "1111", "password": STRONG_PASSWORD})
    assert weak.status_code == 422
    wrong = await pos.client.put("/api/v1/me/pin", json={"pin": "4826", "password": "not my password"})
    assert wrong.status_code == 422
    malformed = await pos.client.put("/api/v1/me/pin", json={"pin": "12ab", "password": STRONG_PASSWORD})
    assert malformed.status_code == 422


async def test_a_pin_set_by_an_admin_reaches_the_registers_on_the_next_pull(pos: Pos) -> None:
    _, cursor, _ = await pull_all(pos)
    unchanged, cursor, _ = await pull_all(pos, cursor)
    assert pos.cashier_id not in unchanged
    response = await pos.shop.client.put(f"/api/v1/users/{pos.cashier_id}/pin", json={"pin": "73915"})
    assert response.status_code == 204, response.text
    changed, cursor, _ = await pull_all(pos, cursor)
    verifier = changed[pos.cashier_id]["offline_pin"]
    assert verifier.startswith("pbkdf2-sha256$")
    again = await pos.shop.client.put(f"/api/v1/users/{pos.cashier_id}/pin", json={"pin": "73915"})
    assert again.status_code == 204
    changed, _, _ = await pull_all(pos, cursor)
    assert changed[pos.cashier_id]["offline_pin"] != verifier


async def test_bad_cursors_and_other_tenants(pos: Pos, api: Api, tenant_b) -> None:
    for cursor in ("garbage", "YzEuMS4yLjkuLTEu", "Yz" * 50, "YzIuLTEuLi4uLi4="):
        response = await pos.client.get("/api/v1/sync/catalog", params={"cursor": cursor}, headers=pos.headers)
        assert response.status_code == 422, cursor
        assert response.json()["errors"][0]["loc"] == ["query", "cursor"]
    b_product = (await tenant_b.client.post("/api/v1/products", json={"sku": "B1", "name": "Ajeno", "price": 1})).json()
    everything, _, _ = await pull_all(pos)
    assert b_product["id"] not in everything
    assert str(tenant_b.admin_id) not in everything
    on_b = api.client(tenant_b.subdomain)
    response = await on_b.get(
        "/api/v1/sync/catalog", headers={**pos.headers, "Authorization": pos.client.headers["Authorization"]}
    )
    assert response.status_code == 403
    assert (await pos.client.get("/api/v1/sync/catalog")).status_code == 422


async def test_a_change_committing_late_is_not_skipped(pos: Pos, app_engine) -> None:
    """A write that started before a pull cycle and commits after it must come in the next cycle,
    even though a newer write was seen in between."""
    shop = pos.shop
    _, cursor, _ = await pull_all(pos)
    slow = await app_engine.connect()
    transaction = await slow.begin()
    await slow.execute(text("select set_config('app.org_id', :o, true)"), {"o": str(shop.tenant.organization_id)})
    await slow.execute(text("update products set name = 'Escrito tarde' where id = :p"), {"p": shop.products[2]["id"]})
    await shop.client.patch(f"/api/v1/products/{shop.products[1]['id']}", json={"name": "Escrito pronto"})
    changed, cursor, _ = await pull_all(pos, cursor)
    assert changed[shop.products[1]["id"]]["name"] == "Escrito pronto"
    assert shop.products[2]["id"] not in changed
    await transaction.commit()
    await slow.close()
    changed, cursor, _ = await pull_all(pos, cursor)
    assert changed[shop.products[2]["id"]]["name"] == "Escrito tarde"


async def test_pull_under_concurrent_writes_never_skips(pos: Pos) -> None:
    """Writers keep renaming products while a device pulls; afterwards, what the device holds
    equals the database."""
    shop = pos.shop
    for index in range(20):
        await shop.client.post(
            "/api/v1/products", json={"sku": f"C-{index}-{uuid.uuid4().hex[:4]}", "name": "x", "price": 100}
        )
    everything, cursor, _ = await pull_all(pos, limit=7)
    stop = asyncio.Event()

    async def writer(tag: str) -> None:
        round_number = 0
        while not stop.is_set():
            round_number += 1
            listing = (await shop.client.get("/api/v1/products", params={"limit": 200})).json()["items"]
            target = listing[round_number % len(listing)]
            await shop.client.patch(f"/api/v1/products/{target['id']}", json={"name": f"{tag}-{round_number}"})

    writers = [asyncio.create_task(writer(tag)) for tag in ("a", "b", "c")]
    for _ in range(6):
        changed, cursor, _ = await pull_all(pos, cursor, limit=7)
        everything.update(changed)
    stop.set()
    await asyncio.gather(*writers)
    changed, cursor, _ = await pull_all(pos, cursor, limit=7)
    everything.update(changed)
    truth = (await shop.client.get("/api/v1/products", params={"limit": 200})).json()["items"]
    for product in truth:
        assert everything[product["id"]]["name"] == product["name"]
