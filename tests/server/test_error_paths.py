"""Refusals that had no test: each answers its problem document, and nothing changed (the rows
the request would have written are counted before and after). Also the list endpoints of
registers, shifts, sales and stock movements, read with their filters."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import STRONG_PASSWORD, Api, TenantSession
from tests.server.sales.conftest import Shop, key, open_shop
from tests.sync.conftest import register_pos


async def rows(owner_engine: AsyncEngine, table: str, organization_id: uuid.UUID) -> int:
    async with owner_engine.connect() as connection:
        count = await connection.execute(
            text(f'select count(*) from "{table}" where organization_id = :o'), {"o": organization_id}
        )
        return int(count.scalar_one())


def problem(response: httpx.Response, status: int, code: str | None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body.get("code") == code, body
    return body


async def test_a_duplicate_register_code_is_code_taken_and_registers_are_listed_and_renamed(
    tenant_a: TenantSession, owner_engine: AsyncEngine
) -> None:
    client = tenant_a.client
    first = (await client.post("/api/v1/registers", json={"code": "C1", "name": "Caja 1"})).json()
    second = (await client.post("/api/v1/registers", json={"code": "C2", "name": "Caja 2"})).json()
    problem(await client.post("/api/v1/registers", json={"code": "C1", "name": "Otra"}), 409, "code_taken")
    assert await rows(owner_engine, "registers", tenant_a.organization_id) == 2
    listed = (await client.get("/api/v1/registers")).json()
    items = listed["items"] if isinstance(listed, dict) else listed
    assert [(item["code"], item["name"]) for item in items] == [("C1", "Caja 1"), ("C2", "Caja 2")]
    renamed = await client.patch(f"/api/v1/registers/{second['id']}", json={"name": "Caja del fondo"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Caja del fondo"
    unchanged = (await client.get(f"/api/v1/registers/{second['id']}")).json()
    assert (unchanged["code"], unchanged["name"]) == ("C2", "Caja del fondo")
    assert (await client.get(f"/api/v1/registers/{first['id']}")).json()["code"] == "C1"


async def refund_body(shop: Shop, sale: dict[str, Any], quantity: int = 1) -> dict[str, Any]:
    return {
        "register_id": shop.register["id"],
        "method": "cash",
        "reason": "devuelto",
        "lines": [{"sale_line_id": sale["lines"][0]["id"], "quantity": quantity}],
    }


async def test_a_voided_sale_cannot_be_refunded_and_a_refunded_one_cannot_be_voided(
    tenant_a: TenantSession, owner_engine: AsyncEngine
) -> None:
    shop = await open_shop(tenant_a)
    voided = (await shop.sell([(0, 2)])).json()
    assert (
        await shop.client.post(f"/api/v1/sales/{voided['id']}/void", json={"reason": "error"}, headers=key())
    ).status_code == 201
    refunded = (await shop.sell([(1, 2)])).json()
    partial = await shop.client.post(
        f"/api/v1/sales/{refunded['id']}/refunds", json=await refund_body(shop, refunded), headers=key()
    )
    assert partial.status_code == 201, partial.text
    before = (await rows(owner_engine, "refunds", tenant_a.organization_id), await shop.stock(0), await shop.stock(1))

    refused = await shop.client.post(
        f"/api/v1/sales/{voided['id']}/refunds", json=await refund_body(shop, voided), headers=key()
    )
    problem(refused, 409, "sale_voided")
    refused = await shop.client.post(f"/api/v1/sales/{refunded['id']}/void", json={"reason": "error"}, headers=key())
    problem(refused, 409, "sale_has_refunds")

    after = (await rows(owner_engine, "refunds", tenant_a.organization_id), await shop.stock(0), await shop.stock(1))
    assert after == before == (2, 100, 99)
    assert (await shop.client.get(f"/api/v1/sales/{refunded['id']}")).json()["status"] == "completed"


async def test_adjustment_and_count_refusals_change_no_stock(
    tenant_a: TenantSession, owner_engine: AsyncEngine
) -> None:
    shop = await open_shop(tenant_a, stock=10)
    product = shop.products[0]["id"]
    client = shop.client
    movements = await rows(owner_engine, "inventory_movements", tenant_a.organization_id)

    zero = {"reason": "nada", "lines": [{"product_id": product, "delta": 0}]}
    problem(await client.post("/api/v1/inventory/adjustments", json=zero, headers=key()), 409, "empty_adjustment")
    twice = {"lines": [{"product_id": product, "counted": 3}, {"product_id": product, "counted": 4}]}
    counted_twice = problem(
        await client.post("/api/v1/inventory/counts", json=twice, headers=key()), 409, "duplicate_line"
    )
    assert [error["loc"] for error in counted_twice["errors"]] == [["body", "lines", 1, "product_id"]]

    cases: list[tuple[str, dict[str, Any]]] = [
        ("/api/v1/inventory/adjustments", {"reason": "merma", "lines": [{"product_id": product, "delta": -1}]}),
        ("/api/v1/inventory/counts", {"lines": [{"product_id": product, "counted": 7}]}),
    ]
    for path, body in cases:
        assert (await client.post(path, json=body)).status_code == 428
        headers = key()
        assert (await client.post(path, json=body, headers=headers)).status_code == 201
        other = {**body, "lines": [{**body["lines"][0], "product_id": shop.products[1]["id"]}]}
        problem(await client.post(path, json=other, headers=headers), 422, "idempotency_mismatch")
    # Only the two accepted requests wrote: 10 - 1, then counted 7.
    assert await rows(owner_engine, "inventory_movements", tenant_a.organization_id) == movements + 2
    assert await shop.stock(0) == 7 and await shop.stock(1) == 10


async def test_a_csv_past_fifty_thousand_rows_is_too_many_rows(
    tenant_a: TenantSession, owner_engine: AsyncEngine
) -> None:
    lines = ["sku,name,price"] + [f"S{index},P,100" for index in range(50_001)]
    response = await tenant_a.client.post(
        "/api/v1/products/import",
        content="\n".join(lines).encode(),
        headers={"Content-Type": "text/csv", **key()},
    )
    problem(response, 422, "too_many_rows")
    assert await rows(owner_engine, "products", tenant_a.organization_id) == 0


async def test_registrations_past_the_limit_per_address_are_429(
    app: Any, api: Api, resources, owner_engine: AsyncEngine
) -> None:
    from server.core.ratelimit import limit_key

    ip = f"198.51.100.{uuid.uuid4().int % 250}"
    await resources.redis.delete(limit_key("global", "register-ip", ip))
    original = resources.settings
    fields = {name: getattr(original, name) for name in original.__struct_fields__}
    resources.settings = type(original)(**{**fields, "registrations_per_ip": 2})
    emails = [f"limit-{uuid.uuid4().hex[:8]}@example.com" for _ in range(3)]
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(ip, 1234)), base_url="http://orbitengine.localhost"
        ) as client:
            answers = [
                await client.post(
                    "/api/v1/auth/register",
                    json={
                        "company_name": f"Límite {email[6:14]}",
                        "admin_name": "Ada",
                        "email": email,
                        "password": STRONG_PASSWORD,
                        "currency": "CLP",
                        "locale": "es-CL",
                        "time_zone": "America/Santiago",
                    },
                )
                for email in emails
            ]
    finally:
        resources.settings = original
    assert [answer.status_code for answer in answers] == [201, 201, 429]
    limited = problem(answers[2], 429, "rate_limited")
    assert int(answers[2].headers["retry-after"]) > 0 and limited["status"] == 429
    async with owner_engine.connect() as connection:
        registered = await connection.execute(
            text("select email from user_emails where email = any(:e)"), {"e": emails}
        )
        assert sorted(registered.scalars()) == sorted(emails[:2])


async def test_bad_subdomain_checks_are_422_at_the_name(api: Api) -> None:
    client = api.client()
    for params in ({}, {"name": ""}, {"name": "x" * 200}, {"name": "no spaces"}, {"name": "ñandú"}):
        response = await client.get("/api/v1/subdomains/check", params=params)
        if response.status_code == 200:  # well-formed but unusable: answered, not registrable
            assert response.json()["available"] is False, (params, response.text)
            continue
        body = problem(response, 422, None)
        wanted = ["query", "name"] if params else ["query"]  # a missing field is named by its parent
        assert [error["loc"] for error in body["errors"]] == [wanted], (params, body)


async def test_a_heartbeat_from_an_unknown_or_revoked_device_is_refused(
    api: Api, tenant_a: TenantSession, tenant_b: TenantSession, owner_engine: AsyncEngine
) -> None:
    shop = await open_shop(tenant_a, code="H1")
    pos = await register_pos(api, shop)
    heartbeat = {"queued_documents": 1}
    unknown = await pos.client.post(
        "/api/v1/sync/heartbeat", json=heartbeat, headers={**pos.headers, "X-Device-Id": str(uuid.uuid4())}
    )
    problem(unknown, 404, "unknown_device")
    other = await register_pos(api, await open_shop(tenant_b, code="H2"))
    foreign = await pos.client.post(
        "/api/v1/sync/heartbeat", json=heartbeat, headers={**pos.headers, "X-Device-Id": other.device_id}
    )
    problem(foreign, 404, "unknown_device")
    assert (await shop.client.delete(f"/api/v1/sync/devices/{pos.device_id}")).status_code == 204
    problem(await pos.client.post("/api/v1/sync/heartbeat", json=heartbeat, headers=pos.headers), 403, "device_revoked")
    async with owner_engine.connect() as connection:
        seen = await connection.execute(
            text("select last_seen_at from devices where id = any(:d)"), {"d": [pos.device_id, other.device_id]}
        )
        assert set(seen.scalars()) == {None}


async def test_an_offline_refund_of_an_unknown_sale_is_refused_and_writes_nothing(
    api: Api, tenant_a: TenantSession, owner_engine: AsyncEngine
) -> None:
    pos = await register_pos(api, await open_shop(tenant_a, code="U1"))
    refund = pos.document(
        "refund",
        sale_id=str(uuid.uuid4()),
        shift_id=pos.shift_id,
        lines=[{"position": 1, "quantity": 1}],
        method="cash",
        reason="devolución",
    )
    response = await pos.push([refund])
    assert response.status_code == 200, response.text
    result = response.json()["results"][0]
    assert (result["status"], result["code"]) == ("rejected", "unknown_sale"), result
    assert await rows(owner_engine, "refunds", tenant_a.organization_id) == 0
    assert [await pos.shop.stock(index) for index in range(3)] == [100, 100, 100]


async def test_shifts_sales_and_movements_are_listed_with_their_filters(api: Api, tenant_a: TenantSession) -> None:
    first = await open_shop(tenant_a, code="L1")
    register = (await tenant_a.client.post("/api/v1/registers", json={"code": "L2", "name": "Caja 2"})).json()
    opened = await tenant_a.client.post(
        "/api/v1/shifts", json={"register_id": register["id"], "opening_float": 0}, headers=key()
    )
    second = Shop(tenant=tenant_a, register=register, shift=opened.json(), products=first.products)
    cashier = await api.add_user(tenant_a, "cashier")
    mine = (await first.sell([(0, 1)])).json()
    theirs = (await second.sell([(1, 2)], client=cashier["client"])).json()
    voided = (await first.sell([(2, 1)])).json()
    await first.client.post(f"/api/v1/sales/{voided['id']}/void", json={"reason": "error"}, headers=key())
    closed = await first.client.post(f"/api/v1/shifts/{first.shift['id']}/close", json={"counts": []}, headers=key())
    assert closed.status_code == 200, closed.text

    async def ids(path: str, **params: Any) -> list[str]:
        response = await tenant_a.client.get(path, params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert set(await ids("/api/v1/shifts")) == {first.shift["id"], second.shift["id"]}
    assert await ids("/api/v1/shifts", status="open") == [second.shift["id"]]
    assert await ids("/api/v1/shifts", register_id=first.register["id"]) == [first.shift["id"]]
    assert set(await ids("/api/v1/sales")) == {mine["id"], theirs["id"], voided["id"]}
    assert await ids("/api/v1/sales", register_id=register["id"]) == [theirs["id"]]
    assert await ids("/api/v1/sales", cashier_id=cashier["user"]["id"]) == [theirs["id"]]
    assert await ids("/api/v1/sales", status="voided") == [voided["id"]]
    assert await ids("/api/v1/sales", invoice_number=mine["invoice_number"]) == [mine["id"]]
    assert (await tenant_a.client.get("/api/v1/sales", params={"status": "lost"})).status_code == 422
    movements = (
        await tenant_a.client.get("/api/v1/inventory/movements", params={"product_id": first.products[2]["id"]})
    ).json()["items"]
    assert [(m["kind"], m["delta"]) for m in movements] == [("void", 1), ("sale", -1), ("receipt", 100)]
    everything = (await tenant_a.client.get("/api/v1/inventory/movements", params={"limit": 200})).json()["items"]
    assert {m["product_id"] for m in everything} == {product["id"] for product in first.products}
