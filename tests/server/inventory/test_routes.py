from __future__ import annotations

import uuid

from tests.conftest import Api, TenantSession
from tests.server.catalog.test_routes import create_product


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def stock_of(tenant: TenantSession, product_id: str) -> int:
    return int((await tenant.client.get(f"/api/v1/products/{product_id}")).json()["stock"])


async def test_receipt_adjustment_count_history(tenant_a) -> None:
    product = await create_product(tenant_a, reorder_point=3)
    pid = product["id"]
    receipt = await tenant_a.client.post(
        "/api/v1/inventory/receipts",
        json={"lines": [{"product_id": pid, "quantity": 10}], "reason": "proveedor"},
        headers=key(),
    )
    assert receipt.status_code == 201, receipt.text
    adjustment = await tenant_a.client.post(
        "/api/v1/inventory/adjustments",
        json={"lines": [{"product_id": pid, "delta": -2}], "reason": "quebrado"},
        headers=key(),
    )
    assert adjustment.json()["movements"][0]["balance_after"] == 8
    count = await tenant_a.client.post(
        "/api/v1/inventory/counts", json={"lines": [{"product_id": pid, "counted": 5}]}, headers=key()
    )
    assert count.json()["movements"][0]["delta"] == -3
    assert await stock_of(tenant_a, pid) == 5
    history = (await tenant_a.client.get(f"/api/v1/products/{pid}/movements")).json()["items"]
    assert [(m["kind"], m["delta"], m["balance_after"]) for m in history] == [
        ("count", -3, 5),
        ("adjustment", -2, 8),
        ("receipt", 10, 10),
    ]
    assert all(m["actor_id"] == str(tenant_a.admin_id) for m in history)
    assert history[1]["reason"] == "quebrado"
    named = (product["sku"], product["name"])
    assert (receipt.json()["movements"][0]["product_sku"], receipt.json()["movements"][0]["product_name"]) == named
    assert {(m["product_sku"], m["product_name"]) for m in history} == {named}
    ledger = await tenant_a.client.get("/api/v1/inventory/movements", params={"kind": "adjustment", "limit": 200})
    assert (pid, *named) in {(m["product_id"], m["product_sku"], m["product_name"]) for m in ledger.json()["items"]}
    assert {m["kind"] for m in ledger.json()["items"]} == {"adjustment"}


async def test_adjustment_below_zero_is_refused_unless_allowed(tenant_a, owner_engine) -> None:
    product = await create_product(tenant_a, initial_stock=1)
    body = {"lines": [{"product_id": product["id"], "delta": -2}], "reason": "pérdida"}
    refused = await tenant_a.client.post("/api/v1/inventory/adjustments", json=body, headers=key())
    assert refused.status_code == 409
    assert refused.json()["code"] == "insufficient_stock"
    assert product["name"] in refused.json()["detail"]
    assert await stock_of(tenant_a, product["id"]) == 1


async def test_low_stock_list_and_alert(tenant_a, resources) -> None:
    from server.core.events import stream_key

    product = await create_product(tenant_a, initial_stock=5, reorder_point=3)
    body = {"lines": [{"product_id": product["id"], "delta": -2}], "reason": "venta manual"}
    await tenant_a.client.post("/api/v1/inventory/adjustments", json=body, headers=key())
    low = (await tenant_a.client.get("/api/v1/inventory/low-stock")).json()["items"]
    assert [(item["product_id"], item["stock"], item["shortfall"]) for item in low] == [(product["id"], 3, 0)]
    alerts = await resources.redis.xrange(stream_key(tenant_a.organization_id, "alerts"))
    assert len(alerts) == 1 and product["id"].encode() in alerts[0][1][b"e"]
    stock_events = await resources.redis.xrange(stream_key(tenant_a.organization_id, "stock"))
    assert len(stock_events) == 2


async def test_idempotent_writes(tenant_a) -> None:
    product = await create_product(tenant_a)
    headers = key()
    body = {"lines": [{"product_id": product["id"], "quantity": 4}]}
    first = await tenant_a.client.post("/api/v1/inventory/receipts", json=body, headers=headers)
    second = await tenant_a.client.post("/api/v1/inventory/receipts", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second.headers["idempotent-replayed"] == "true"
    assert await stock_of(tenant_a, product["id"]) == 4
    other = await tenant_a.client.post(
        "/api/v1/inventory/receipts", json={"lines": [{"product_id": product["id"], "quantity": 5}]}, headers=headers
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"
    missing = await tenant_a.client.post("/api/v1/inventory/receipts", json=body)
    assert missing.status_code == 428


async def test_bad_input_and_isolation(api: Api, tenant_a, tenant_b) -> None:
    foreign = await create_product(tenant_b, initial_stock=5)
    response = await tenant_a.client.post(
        "/api/v1/inventory/receipts", json={"lines": [{"product_id": foreign["id"], "quantity": 1}]}, headers=key()
    )
    assert response.status_code == 404
    assert await stock_of(tenant_b, foreign["id"]) == 5
    for body in (
        {"lines": []},
        {"lines": [{"product_id": foreign["id"], "quantity": 0}]},
        {"lines": [{"product_id": "nope", "quantity": 1}]},
    ):
        assert (await tenant_a.client.post("/api/v1/inventory/receipts", json=body, headers=key())).status_code == 422
    no_reason = {"lines": [{"product_id": foreign["id"], "delta": 1}]}
    assert (
        await tenant_a.client.post("/api/v1/inventory/adjustments", json=no_reason, headers=key())
    ).status_code == 422
    movements = (await tenant_a.client.get("/api/v1/inventory/movements", params={"limit": 200})).json()["items"]
    assert foreign["id"] not in {m["product_id"] for m in movements}
    cashier = await api.add_user(tenant_a, "cashier")
    own = await create_product(tenant_a)
    body = {"lines": [{"product_id": own["id"], "quantity": 1}]}
    assert (await cashier["client"].post("/api/v1/inventory/receipts", json=body, headers=key())).status_code == 403
    assert (await cashier["client"].get("/api/v1/inventory/low-stock")).status_code == 200
