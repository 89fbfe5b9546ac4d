from __future__ import annotations

import json
import uuid

from sqlalchemy import text

from server.core.events import envelope, stream_key
from server.core.metrics import REGISTRY
from tests.conftest import Api
from tests.server.sales.conftest import key, open_shop
from tests.sync.conftest import Pos, register_pos


async def counts(owner_engine, organization_id) -> dict[str, int]:
    async with owner_engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "select (select count(*) from sales where organization_id = :o) as sales, "
                    "(select count(*) from sync_documents where organization_id = :o) as documents, "
                    "(select coalesce(sum(delta), 0) from inventory_movements where organization_id = :o) as stock"
                ),
                {"o": organization_id},
            )
        ).one()
    return {"sales": row.sales, "documents": row.documents, "stock": int(row.stock)}


def settled(result: str) -> float:
    return REGISTRY.get_sample_value("orbit_sync_documents_total", {"result": result}) or 0.0


async def test_sale_is_applied_once_and_resend_is_identical(pos: Pos, owner_engine) -> None:
    applied, duplicates = settled("applied"), settled("duplicate")
    document = pos.sale([(0, 2), (1, 1)])
    first = await pos.push([document])
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["last_seq"] == 1 and body["expected_seq"] is None
    (result,) = body["results"]
    assert result["status"] == "applied" and result["sale_id"] == document["id"]
    assert result["invoice_number"] == "P1-1"
    sale = (await pos.shop.client.get(f"/api/v1/sales/{document['id']}")).json()
    assert sale["origin"] == "offline" and sale["sold_at"].startswith(document["device_time"][:19])
    assert sale["cashier_id"] == pos.cashier_id
    movements = (await pos.shop.client.get(f"/api/v1/products/{pos.shop.products[0]['id']}/movements")).json()
    assert movements["items"][0]["occurred_at"][:19] == document["device_time"][:19]

    again = (await pos.push([document])).json()
    assert again["results"][0] == {**result, "status": "duplicate"}
    assert again["last_seq"] == 1
    assert (settled("applied"), settled("duplicate")) == (applied + 1, duplicates + 1)
    assert (await counts(owner_engine, pos.shop.tenant.organization_id))["sales"] == 1
    assert await pos.shop.stock(0) == 98


async def test_same_id_with_another_body_is_rejected(pos: Pos) -> None:
    document = pos.sale([(0, 1)])
    await pos.push([document])
    forged = {**document, "lines": [{**document["lines"][0], "quantity": 5}]}
    result = (await pos.push([forged])).json()["results"][0]
    assert result["status"] == "rejected" and result["code"] == "idempotency_mismatch"
    assert await pos.shop.stock(0) == 99


async def test_gap_stops_the_batch(pos: Pos) -> None:
    first, second, third = pos.sale([(0, 1)]), pos.sale([(0, 1)]), pos.sale([(0, 1)])
    response = (await pos.push([first, third])).json()
    assert [r["seq"] for r in response["results"]] == [1]
    assert response["expected_seq"] == 2 and response["last_seq"] == 1
    resumed = (await pos.push([second, third])).json()
    assert [r["status"] for r in resumed["results"]] == ["applied", "applied"]
    assert resumed["last_seq"] == 3


async def test_rejected_document_still_advances(pos: Pos) -> None:
    bad = pos.sale([(0, 1)], payments=[{"method": "cash", "amount": 1}])
    good = pos.sale([(1, 1)])
    response = (await pos.push([bad, good])).json()
    assert [r["status"] for r in response["results"]] == ["rejected", "applied"]
    assert response["results"][0]["code"] == "invalid_amounts"
    assert response["last_seq"] == 2
    assert await pos.shop.stock(0) == 100
    resend = (await pos.push([bad])).json()["results"][0]
    assert resend["status"] == "duplicate" and resend["code"] == "invalid_amounts"


async def test_offline_facts_stand_with_conflicts(api: Api, pos: Pos, resources) -> None:
    shop = pos.shop
    await shop.client.patch(f"/api/v1/products/{shop.products[1]['id']}", json={"price": 9999})
    await shop.client.patch(f"/api/v1/products/{shop.products[2]['id']}", json={"is_active": False})
    document = pos.sale([(0, 150), (1, 1), (2, 1)])
    result = (await pos.push([document])).json()["results"][0]
    assert result["status"] == "applied_with_conflict"
    codes = sorted(conflict["code"] for conflict in result["conflicts"])
    assert codes == ["negative_stock", "price_changed", "product_inactive"]
    assert await shop.stock(0) == -50
    sale = (await shop.client.get(f"/api/v1/sales/{document['id']}")).json()
    assert sale["lines"][1]["unit_price"] == 2500 and sale["lines"][1]["list_price"] == 9999
    inbox = (await shop.client.get("/api/v1/sync/conflicts", params={"status": "open"})).json()["items"]
    assert sorted(item["code"] for item in inbox) == codes
    alerts = await resources.redis.xrange(stream_key(shop.tenant.organization_id, "alerts"))
    conflict_events = [json.loads(envelope(i, f[b"e"])) for i, f in alerts]
    assert sorted(e["data"]["code"] for e in conflict_events if e["type"] == "sync.conflict") == codes
    # The register's cashier sees its own register's conflicts (alerts are filtered by data.register_id).
    assert {e["data"]["register_id"] for e in conflict_events if e["type"] == "sync.conflict"} == {shop.register["id"]}
    sales_events = await resources.redis.xrange(stream_key(shop.tenant.organization_id, "sales"))
    assert any(document["id"].encode() in fields[b"e"] for _, fields in sales_events)

    negative = next(item for item in inbox if item["code"] == "negative_stock")
    resolved = await shop.client.post(
        f"/api/v1/sync/conflicts/{negative['id']}/resolve",
        json={"action": "adjust_stock", "counted": 0, "note": "contado"},
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolution"] == "stock_adjusted"
    assert await shop.stock(0) == 0
    annotate = next(item for item in inbox if item["code"] == "price_changed")
    noted = (
        await shop.client.post(
            f"/api/v1/sync/conflicts/{annotate['id']}/resolve", json={"action": "annotate", "note": "precio viejo"}
        )
    ).json()
    assert noted["status"] == "open" and noted["note"] == "precio viejo"
    again = await shop.client.post(f"/api/v1/sync/conflicts/{negative['id']}/resolve", json={"action": "acknowledge"})
    assert again.status_code == 409
    cashier = await api.add_user(shop.tenant, "cashier")
    assert (await cashier["client"].get("/api/v1/sync/conflicts")).status_code == 403


async def test_deactivated_cashier_and_closed_shift(pos: Pos) -> None:
    shop = pos.shop
    await shop.client.patch(f"/api/v1/users/{pos.cashier_id}", json={"is_active": False})
    await shop.client.post(f"/api/v1/shifts/{shop.shift['id']}/close", json={"counts": []}, headers=key())
    result = (await pos.push([pos.sale([(0, 1)])])).json()["results"][0]
    assert sorted(c["code"] for c in result["conflicts"]) == ["cashier_inactive", "shift_closed"]
    assert result["status"] == "applied_with_conflict"


async def test_offline_shift_customer_refund_and_cash(pos: Pos) -> None:
    shop = pos.shop
    await shop.client.post(f"/api/v1/shifts/{shop.shift['id']}/close", json={"counts": []}, headers=key())
    opened = pos.document("shift_open", opening_float=5000)
    pos.shift_id = opened["id"]
    customer = pos.document("customer", customer={"name": "Cliente Offline", "tax_id": "11.111.111-1"})
    sale = pos.sale([(0, 3)], customer_id=customer["id"])
    refund = pos.document(
        "refund",
        sale_id=sale["id"],
        shift_id=pos.shift_id,
        lines=[{"position": 1, "quantity": 1}],
        method="cash",
        reason="devolución",
    )
    payout = pos.document("cash_movement", shift_id=pos.shift_id, movement="pay_out", amount=500, reason="bolsas")
    closed = pos.document("shift_close", shift_id=pos.shift_id, counts=[{"method": "cash", "counted": 6000}])
    response = (await pos.push([opened, customer, sale, refund, payout, closed])).json()
    assert [r["status"] for r in response["results"]] == ["applied"] * 6, response
    assert response["last_seq"] == 6
    assert await shop.stock(0) == 98
    stats = (await shop.client.get(f"/api/v1/customers/{customer['id']}")).json()
    assert (stats["visits"], stats["total_spent"]) == (1, 3000 - 1000)
    report = (await shop.client.get(f"/api/v1/shifts/{opened['id']}/report")).json()
    assert report["shift"]["status"] == "closed"
    cash = next(m for m in report["methods"] if m["method"] == "cash")
    assert cash["expected"] == 5000 + 3000 - 1000 - 500
    assert cash["difference"] == 6000 - cash["expected"]

    twin = pos.document("customer", customer={"name": "Otro", "tax_id": "11111111-1"})
    result = (await pos.push([twin])).json()["results"][0]
    assert result["status"] == "applied_with_conflict"
    assert result["conflicts"][0]["code"] == "duplicate_tax_id"


async def test_number_collision_gets_a_new_number(pos: Pos) -> None:
    online = await pos.shop.sell([(0, 1)])
    assert online.json()["invoice_number"] == "P1-1"
    result = (await pos.push([pos.sale([(0, 1)])])).json()["results"][0]
    assert result["conflicts"][0]["code"] == "number_collision"
    assert result["invoice_number"] == "P1-2"


async def test_bad_batches_write_nothing(api: Api, pos: Pos, owner_engine) -> None:
    organization = pos.shop.tenant.organization_id
    before = await counts(owner_engine, organization)
    other_shop = await open_shop(await api.register(), code="Q1")
    foreign = await register_pos(api, other_shop)
    cases = [
        (
            await pos.client.post(
                "/api/v1/sync/sales", json={"device_id": pos.device_id}, headers={"X-Device-Key": pos.credential}
            ),
            422,
        ),
        (await pos.client.post("/api/v1/sync/sales", content=b"{]", headers={"X-Device-Key": pos.credential}), 422),
        (await pos.push([{**pos.sale([(0, 1)]), "kind": "teleport"}]), 422),
        (await pos.push([{**pos.sale([(0, 1)]), "organization_id": str(uuid.uuid4())}]), 422),
        (await pos.push([pos.sale([(0, 1)])], device_id=foreign.device_id), 404),
        (await pos.push([pos.sale([(0, 1)])], device_id=str(uuid.uuid4())), 404),
        (
            await pos.push(
                [{**pos.sale([(0, 1)]), "lines": [{"product_id": other_shop.products[0]["id"], "quantity": 1}]}]
            ),
            404,
        ),
        (await pos.push([{**pos.sale([(0, 1)]), "cashier_id": foreign.cashier_id}]), 404),
        (await pos.push([pos.sale([(0, 1)]) for _ in range(101)]), 413),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
    wrong_key = await pos.client.post(
        "/api/v1/sync/sales", json={"device_id": pos.device_id, "sales": []}, headers={"X-Device-Key": "nope"}
    )
    assert wrong_key.status_code == 403
    huge = await pos.client.post(
        "/api/v1/sync/sales",
        content=b"x" * (1024 * 1024 + 1),
        headers={"X-Device-Key": pos.credential, "content-type": "application/json"},
    )
    assert huge.status_code == 413
    assert await counts(owner_engine, organization) == before
    assert await other_shop.stock(0) == 100


async def test_devices(api: Api, pos: Pos) -> None:
    shop = pos.shop
    second = await shop.client.post("/api/v1/sync/devices", json={"register_id": shop.register["id"], "name": "otra"})
    assert second.status_code == 409 and second.json()["code"] == "register_has_device"
    listed = (await shop.client.get("/api/v1/sync/devices")).json()
    assert [d["id"] for d in listed] == [pos.device_id]
    heartbeat = await pos.client.post("/api/v1/sync/heartbeat", json={"queued_documents": 3}, headers=pos.headers)
    assert heartbeat.status_code == 200 and heartbeat.json()["last_seen_at"] is not None
    replaced = await register_pos(api, shop, replace=True)
    assert (await pos.push([pos.sale([(0, 1)])])).status_code == 403
    assert (await replaced.push([replaced.sale([(0, 1)])])).status_code == 200
    assert (await shop.client.delete(f"/api/v1/sync/devices/{replaced.device_id}")).status_code == 204
    revoked = await replaced.client.get("/api/v1/sync/catalog", headers=replaced.headers)
    assert revoked.status_code == 403 and revoked.json()["code"] == "device_revoked"
    cashier = await api.add_user(shop.tenant, "cashier")
    assert (
        await cashier["client"].post("/api/v1/sync/devices", json={"register_id": shop.register["id"], "name": "x"})
    ).status_code == 403


async def test_a_resend_is_answered_without_locking_or_writing(pos: Pos, owner_engine) -> None:
    documents = [pos.sale([(0, 1)]), pos.sale([(1, 1)])]
    first = (await pos.push(documents)).json()
    devices = (await pos.shop.client.get("/api/v1/sync/devices")).json()
    blocker = await owner_engine.connect()
    await blocker.begin()
    await blocker.execute(text("select 1 from devices where id = :d for update"), {"d": pos.device_id})
    try:
        again = (await pos.push(documents)).json()
    finally:
        await blocker.rollback()
        await blocker.close()
    assert again["results"] == [{**result, "status": "duplicate"} for result in first["results"]]
    assert again["last_seq"] == 2
    assert (await pos.shop.client.get("/api/v1/sync/devices")).json() == devices


async def test_conflicts_reach_the_dashboard_and_their_resolution_is_announced(pos: Pos, resources) -> None:
    shop = pos.shop
    organization_id = shop.tenant.organization_id
    clean = pos.sale([(1, 2)])
    short = pos.sale([(0, 150)])
    results = (await pos.push([clean, short])).json()["results"]
    assert [result["status"] for result in results] == ["applied", "applied_with_conflict"]
    events = [
        json.loads(envelope(i, f[b"e"])) for i, f in await resources.redis.xrange(stream_key(organization_id, "sales"))
    ]
    created = {event["data"]["sale_id"]: event["data"] for event in events if event["type"] == "sale.created"}
    product = shop.products[1]
    assert created[clean["id"]]["lines"] == [
        {"product_id": product["id"], "name": product["name"], "quantity": 2, "total": 2 * product["price"]}
    ]
    assert created[short["id"]]["origin"] == "offline" and created[short["id"]]["lines"][0]["quantity"] == 150

    dashboard = (await shop.client.get("/api/v1/reports/dashboard")).json()
    assert dashboard["open_conflicts"] == 1
    [conflict] = (await shop.client.get("/api/v1/sync/conflicts", params={"status": "open"})).json()["items"]
    noted = await shop.client.post(
        f"/api/v1/sync/conflicts/{conflict['id']}/resolve", json={"action": "annotate", "note": "ver"}
    )
    assert noted.status_code == 200
    done = await shop.client.post(f"/api/v1/sync/conflicts/{conflict['id']}/resolve", json={"action": "acknowledge"})
    assert done.status_code == 200, done.text
    alerts = [
        json.loads(envelope(i, f[b"e"])) for i, f in await resources.redis.xrange(stream_key(organization_id, "alerts"))
    ]
    resolved = [event["data"] for event in alerts if event["type"] == "sync.conflict_resolved"]
    assert resolved == [
        {
            "conflict_id": conflict["id"],
            "resolution": "acknowledged",
            "resolved_by": str(shop.tenant.admin_id),
            "register_id": shop.register["id"],
        }
    ]
    assert (await shop.client.get("/api/v1/reports/dashboard")).json()["open_conflicts"] == 0
