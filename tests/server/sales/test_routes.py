from __future__ import annotations

import asyncio
import json
import uuid

from sqlalchemy import text

from server.core import idempotency
from server.core.api import decode_body, encode_json
from server.sales.schemas import SaleCreate
from tests.conftest import Api, TenantSession, wait_for_blocked_backend, without_request_id
from tests.server.sales.conftest import Shop, key, open_shop


async def count_sales(owner_engine, organization_id) -> int:
    async with owner_engine.connect() as connection:
        return (
            await connection.execute(
                text("select count(*) from sales where organization_id = :o"), {"o": organization_id}
            )
        ).scalar_one()


async def test_sale_with_change_split_payment_and_customer(shop: Shop) -> None:
    customer = (await shop.client.post("/api/v1/customers", json={"name": "Pía Soto"})).json()
    response = await shop.sell([(0, 2), (1, 1)], payments=[("card", 2000), ("cash", 5000)], customer_id=customer["id"])
    assert response.status_code == 201, response.text
    sale = response.json()
    assert sale["invoice_number"] == "C1-1"
    assert (sale["subtotal"], sale["total"], sale["paid_total"], sale["change_total"]) == (4500, 4500, 7000, 2500)
    assert sale["tax_mode"] == "inclusive"
    assert sale["tax_total"] == sum(line["tax_amount"] for line in sale["lines"])
    cash = next(p for p in sale["payments"] if p["method"] == "cash")
    assert cash["change"] == 2500
    assert await shop.stock(0) == 98 and await shop.stock(1) == 99
    movements = (await shop.client.get(f"/api/v1/products/{shop.products[0]['id']}/movements")).json()["items"]
    assert (movements[0]["kind"], movements[0]["delta"], movements[0]["reference_id"]) == ("sale", -2, sale["id"])
    stats = (await shop.client.get(f"/api/v1/customers/{customer['id']}")).json()
    assert (stats["visits"], stats["total_spent"]) == (1, 4500)
    second = await shop.sell([(2, 1)])
    assert second.json()["invoice_number"] == "C1-2"


async def test_sale_discounts_and_exclusive_tax(api: Api, owner_engine) -> None:
    tenant = await api.register()
    async with owner_engine.begin() as connection:
        await connection.execute(
            text("update organizations set tax_mode = 'exclusive' where id = :id"), {"id": tenant.organization_id}
        )
    shop = await open_shop(tenant, prices=(1000, 333))
    response = await shop.client.post(
        "/api/v1/sales",
        headers=key(),
        json={
            "register_id": shop.register["id"],
            "lines": [
                {"product_id": shop.products[0]["id"], "quantity": 3, "discount": 300},
                {"product_id": shop.products[1]["id"], "quantity": 1},
            ],
            "discount": 100,
            "payments": [{"method": "cash", "amount": 10000}],
        },
    )
    assert response.status_code == 201, response.text
    sale = response.json()
    assert sale["subtotal"] == 3333
    assert sale["discount_total"] == 400
    assert sale["total"] == sale["subtotal"] - sale["discount_total"] + sale["tax_total"]
    assert sale["total"] == sum(line["total"] for line in sale["lines"])
    assert sale["change_total"] == 10000 - sale["total"]


async def test_bad_sales_write_nothing(api: Api, shop: Shop, owner_engine) -> None:
    before = await count_sales(owner_engine, shop.tenant.organization_id)
    cases = [
        (shop.sale([(0, 1)], payments=[("cash", 10)]), 422, ["body", "payments"]),
        (shop.sale([(0, 1)], payments=[("card", 100000)]), 422, ["body", "payments"]),
        (shop.sale([(0, 0)]), 422, ["body", "lines", 0, "quantity"]),
        (shop.sale([(0, -1)]), 422, ["body", "lines", 0, "quantity"]),
        (shop.sale([]), 422, ["body", "lines"]),
        (
            {**shop.sale([(0, 1)]), "lines": [{"product_id": str(uuid.uuid4()), "quantity": 1}]},
            404,
            ["body", "lines", 0, "product_id"],
        ),
        ({**shop.sale([(0, 1)]), "register_id": str(uuid.uuid4())}, 404, ["body", "register_id"]),
        (shop.sale([(0, 1)], customer_id=str(uuid.uuid4())), 404, ["body", "customer_id"]),
        (
            {**shop.sale([(0, 1)]), "lines": [{"product_id": shop.products[0]["id"], "quantity": 1, "discount": 5000}]},
            422,
            ["body", "lines", 0, "discount"],
        ),
        (shop.sale([(0, 1)], discount=10**6), 422, ["body", "discount"]),
        (shop.sale([(0, 1)], organization_id=str(uuid.uuid4())), 422, ["body"]),
        (shop.sale([(0, 1)], payments=[("bitcoin", 5000)]), 422, ["body", "payments", 0, "method"]),
    ]
    for body, status, location in cases:
        response = await shop.client.post("/api/v1/sales", json=body, headers=key())
        assert response.status_code == status, (body, response.text)
        assert response.json()["errors"][0]["loc"] == location, response.json()
    await shop.client.patch(f"/api/v1/products/{shop.products[2]['id']}", json={"is_active": False})
    inactive = await shop.sell([(2, 1)])
    assert inactive.status_code == 422 and inactive.json()["code"] == "inactive_product"
    assert await count_sales(owner_engine, shop.tenant.organization_id) == before
    assert await shop.stock(0) == 100


async def test_price_override_only_for_managers(api: Api, shop: Shop) -> None:
    cashier = await api.add_user(shop.tenant, "cashier")
    body = shop.sale([(0, 1)])
    body["lines"][0]["unit_price"] = 500
    refused = await cashier["client"].post("/api/v1/sales", json=body, headers=key())
    assert refused.status_code == 403 and refused.json()["code"] == "price_override_forbidden"
    same_price = shop.sale([(0, 1)])
    same_price["lines"][0]["unit_price"] = 1000
    assert (await cashier["client"].post("/api/v1/sales", json=same_price, headers=key())).status_code == 201
    manager = await api.add_user(shop.tenant, "manager")
    allowed = await manager["client"].post("/api/v1/sales", json=body, headers=key())
    assert allowed.status_code == 201
    assert allowed.json()["lines"][0]["unit_price"] == 500 and allowed.json()["lines"][0]["list_price"] == 1000


async def test_fifty_concurrent_sales_of_ten_units(api: Api, owner_engine) -> None:
    shop = await open_shop(await api.register(), stock=10)
    responses = await asyncio.gather(*(shop.sell([(0, 1)]) for _ in range(50)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(201) == 10 and statuses.count(409) == 40, statuses
    refused = next(r for r in responses if r.status_code == 409).json()
    assert refused["code"] == "insufficient_stock" and shop.products[0]["name"] in refused["detail"]
    assert await shop.stock(0) == 0
    async with owner_engine.connect() as connection:
        total, balances = (
            await connection.execute(
                text(
                    "select sum(delta), array_agg(balance_after order by occurred_at, id) from inventory_movements "
                    "where product_id = :p"
                ),
                {"p": shop.products[0]["id"]},
            )
        ).one()
        numbers = (
            await connection.execute(
                text("select array_agg(number order by number) from sales where register_id = :r"),
                {"r": shop.register["id"]},
            )
        ).scalar_one()
    assert total == 0
    assert balances == [10, *range(9, -1, -1)]
    assert numbers == list(range(1, 11))


async def test_concurrent_identical_requests_with_one_key(shop: Shop, owner_engine) -> None:
    headers = key()
    body = shop.sale([(0, 1)])
    responses = await asyncio.gather(
        *(shop.client.post("/api/v1/sales", json=body, headers=headers) for _ in range(10))
    )
    created = [r for r in responses if r.status_code == 201]
    assert created and all(r.status_code in (201, 409) for r in responses)
    assert all(r.json()["code"] == "idempotency_in_flight" for r in responses if r.status_code == 409)
    assert len({r.json()["id"] for r in created}) == 1
    assert await count_sales(owner_engine, shop.tenant.organization_id) == 1
    replay = await shop.client.post("/api/v1/sales", json=body, headers=headers)
    assert replay.status_code == 201 and replay.content == created[0].content
    assert replay.headers["idempotent-replayed"] == "true"
    other = await shop.client.post("/api/v1/sales", json=shop.sale([(0, 2)]), headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"
    assert await shop.stock(0) == 99


async def test_idempotency_keys_are_per_user(api: Api, shop: Shop) -> None:
    cashier = await api.add_user(shop.tenant, "cashier")
    headers = key()
    first = await shop.client.post("/api/v1/sales", json=shop.sale([(0, 1)]), headers=headers)
    second = await cashier["client"].post("/api/v1/sales", json=shop.sale([(0, 1)]), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]


async def test_refunds_never_exceed_the_sale(shop: Shop) -> None:
    sale = (await shop.sell([(0, 3), (1, 1)])).json()
    line = sale["lines"][0]
    partial = await shop.client.post(
        f"/api/v1/sales/{sale['id']}/refunds",
        headers=key(),
        json={
            "register_id": shop.register["id"],
            "lines": [{"sale_line_id": line["id"], "quantity": 2}],
            "method": "cash",
            "reason": "cliente devuelve",
        },
    )
    assert partial.status_code == 201, partial.text
    assert partial.json()["total"] == line["total"] * 2 // 3
    assert await shop.stock(0) == 99
    too_many = await shop.client.post(
        f"/api/v1/sales/{sale['id']}/refunds",
        headers=key(),
        json={
            "register_id": shop.register["id"],
            "lines": [{"sale_line_id": line["id"], "quantity": 2}],
            "method": "cash",
            "reason": "otra vez",
        },
    )
    assert too_many.status_code == 409 and too_many.json()["code"] == "refund_exceeds_sale"
    rest = await shop.client.post(
        f"/api/v1/sales/{sale['id']}/refunds",
        headers=key(),
        json={
            "register_id": shop.register["id"],
            "lines": [{"sale_line_id": line["id"], "quantity": 1}],
            "method": "card",
            "restock": False,
            "reason": "dañado",
        },
    )
    assert partial.json()["total"] + rest.json()["total"] == line["total"]
    assert await shop.stock(0) == 99
    detail = (await shop.client.get(f"/api/v1/sales/{sale['id']}")).json()
    assert detail["lines"][0]["refunded_quantity"] == 3
    assert detail["refunded_total"] == line["total"]
    refunds = (await shop.client.get(f"/api/v1/sales/{sale['id']}/refunds")).json()
    assert [r["kind"] for r in refunds] == ["refund", "refund"]
    foreign_line = await shop.client.post(
        f"/api/v1/sales/{sale['id']}/refunds",
        headers=key(),
        json={
            "register_id": shop.register["id"],
            "lines": [{"sale_line_id": str(uuid.uuid4()), "quantity": 1}],
            "method": "cash",
            "reason": "no existe",
        },
    )
    assert foreign_line.status_code == 404


async def test_void_only_by_manager_in_the_same_open_shift(api: Api, shop: Shop) -> None:
    sale = (await shop.sell([(0, 2)])).json()
    cashier = await api.add_user(shop.tenant, "cashier")
    assert (
        await cashier["client"].post(
            f"/api/v1/sales/{sale['id']}/void", json={"reason": "error de caja"}, headers=key()
        )
    ).status_code == 403
    voided = await shop.client.post(f"/api/v1/sales/{sale['id']}/void", json={"reason": "error de caja"}, headers=key())
    assert voided.status_code == 201, voided.text
    assert voided.json()["kind"] == "void" and voided.json()["total"] == sale["total"]
    assert await shop.stock(0) == 100
    assert (await shop.client.get(f"/api/v1/sales/{sale['id']}")).json()["status"] == "voided"
    again = await shop.client.post(f"/api/v1/sales/{sale['id']}/void", json={"reason": "otra vez"}, headers=key())
    assert again.status_code == 409

    old = (await shop.sell([(1, 1)])).json()
    await shop.client.post(f"/api/v1/shifts/{shop.shift['id']}/close", json={"counts": []}, headers=key())
    await shop.client.post(
        "/api/v1/shifts", json={"register_id": shop.register["id"], "opening_float": 0}, headers=key()
    )
    late = await shop.client.post(f"/api/v1/sales/{old['id']}/void", json={"reason": "tarde"}, headers=key())
    assert late.status_code == 409 and late.json()["code"] == "shift_closed"


async def test_shift_close_z_report_and_immutability(shop: Shop) -> None:
    await shop.sell([(0, 1)], payments=[("cash", 2000)])
    await shop.sell([(1, 2)], payments=[("card", 5000)])
    await shop.client.post(
        f"/api/v1/shifts/{shop.shift['id']}/cash-movements",
        headers=key(),
        json={"kind": "pay_out", "amount": 3000, "reason": "compra de bolsas"},
    )
    await shop.client.post(
        f"/api/v1/shifts/{shop.shift['id']}/cash-movements",
        headers=key(),
        json={"kind": "pay_in", "amount": 500, "reason": "sencillo"},
    )
    closed = await shop.client.post(
        f"/api/v1/shifts/{shop.shift['id']}/close",
        headers=key(),
        json={"counts": [{"method": "cash", "counted": 18400}], "note": "ok"},
    )
    assert closed.status_code == 200, closed.text
    report = closed.json()
    cash = next(m for m in report["methods"] if m["method"] == "cash")
    card = next(m for m in report["methods"] if m["method"] == "card")
    assert cash["expected"] == 20000 + 1000 - 3000 + 500
    assert (cash["counted"], cash["difference"]) == (18400, -100)
    assert (card["expected"], card["counted"], card["difference"]) == (5000, 5000, 0)
    assert report["sales_count"] == 2 and report["net_sales"] == 6000
    assert report["first_invoice"] == "C1-1" and report["last_invoice"] == "C1-2"
    assert report["shift"]["status"] == "closed"
    assert (await shop.sell([(0, 1)])).json()["code"] == "no_open_shift"
    assert (
        await shop.client.post(
            f"/api/v1/shifts/{shop.shift['id']}/cash-movements",
            headers=key(),
            json={"kind": "pay_in", "amount": 1, "reason": "tarde"},
        )
    ).status_code == 409
    assert (
        await shop.client.post(f"/api/v1/shifts/{shop.shift['id']}/close", headers=key(), json={"counts": []})
    ).status_code == 409
    assert (await shop.client.get(f"/api/v1/shifts/{shop.shift['id']}/report")).json() == report
    second = await shop.client.post(
        "/api/v1/shifts", json={"register_id": shop.register["id"], "opening_float": 0}, headers=key()
    )
    assert second.status_code == 201
    dup = await shop.client.post(
        "/api/v1/shifts", json={"register_id": shop.register["id"], "opening_float": 0}, headers=key()
    )
    assert dup.status_code == 409 and dup.json()["code"] == "shift_already_open"


async def test_series_report(shop: Shop, owner_engine) -> None:
    for _ in range(3):
        await shop.sell([(0, 1)])
    report = (await shop.client.get(f"/api/v1/registers/{shop.register['id']}/series")).json()
    assert (report["issued"], report["last_number"], report["gaps"], report["duplicates"]) == (3, 3, [], [])
    async with owner_engine.begin() as connection:
        await connection.execute(
            text("delete from payments where sale_id in (select id from sales where register_id = :r and number = 2)"),
            {"r": shop.register["id"]},
        )
        await connection.execute(
            text(
                "delete from inventory_movements where reference_id in (select id from sales "
                "where register_id = :r and number = 2)"
            ),
            {"r": shop.register["id"]},
        )
        await connection.execute(
            text(
                "delete from sale_lines where sale_id in (select id from sales where register_id = :r and number = 2)"
            ),
            {"r": shop.register["id"]},
        )
        await connection.execute(
            text("delete from sales where register_id = :r and number = 2"), {"r": shop.register["id"]}
        )
    report = (await shop.client.get(f"/api/v1/registers/{shop.register['id']}/series")).json()
    assert report["gaps"] == [{"first": 2, "last": 2}]


async def test_other_tenants_ids_are_404_everywhere(api: Api, shop: Shop) -> None:
    other = await open_shop(await api.register(), code="Z9")
    foreign_sale = (await other.sell([(0, 1)])).json()
    customer = (await other.client.post("/api/v1/customers", json={"name": "Ajeno"})).json()
    random_id = str(uuid.uuid4())
    for path in (
        f"/api/v1/sales/{foreign_sale['id']}",
        f"/api/v1/sales/{foreign_sale['id']}/refunds",
        f"/api/v1/registers/{other.register['id']}",
        f"/api/v1/registers/{other.register['id']}/series",
        f"/api/v1/shifts/{other.shift['id']}",
        f"/api/v1/shifts/{other.shift['id']}/report",
    ):
        foreign = await shop.client.get(path)
        missing = await shop.client.get(path.replace(path.split("/")[4], random_id))
        assert foreign.status_code == missing.status_code == 404, path
        assert without_request_id(foreign.json()) == without_request_id(missing.json())
    posts = [
        (f"/api/v1/sales/{foreign_sale['id']}/void", {"reason": "ajena"}),
        (
            f"/api/v1/sales/{foreign_sale['id']}/refunds",
            {
                "register_id": shop.register["id"],
                "method": "cash",
                "reason": "ajena",
                "lines": [{"sale_line_id": foreign_sale["lines"][0]["id"], "quantity": 1}],
            },
        ),
        (f"/api/v1/shifts/{other.shift['id']}/close", {"counts": []}),
        (f"/api/v1/shifts/{other.shift['id']}/cash-movements", {"kind": "pay_in", "amount": 1, "reason": "ajena"}),
        ("/api/v1/shifts", {"register_id": other.register["id"], "opening_float": 0}),
        ("/api/v1/sales", shop.sale([(0, 1)], customer_id=customer["id"])),
        ("/api/v1/sales", {**shop.sale([(0, 1)]), "register_id": other.register["id"]}),
        ("/api/v1/sales", {**shop.sale([(0, 1)]), "lines": [{"product_id": other.products[0]["id"], "quantity": 1}]}),
    ]
    for path, body in posts:
        response = await shop.client.post(path, json=body, headers=key())
        assert response.status_code == 404, (path, response.text)
    listed = (await shop.client.get("/api/v1/sales", params={"limit": 200})).json()["items"]
    assert foreign_sale["id"] not in {item["id"] for item in listed}
    assert await other.stock(0) == 99


async def test_a_duplicate_committed_during_the_request_is_409_and_writes_nothing(shop: Shop, owner_engine) -> None:
    """The idempotency lookup's snapshot predates its lock: a request that gets the lock just
    after its duplicate committed cannot store its answer at the end, so it is answered 409 like
    any racing duplicate, rolls back, and its retry replays what the duplicate stored."""
    headers = key()
    body = shop.sale([(0, 1)])
    stored = b'{"stored":"by the duplicate"}'
    fingerprint = idempotency.request_fingerprint(
        "POST /api/v1/sales", encode_json(decode_body(json.dumps(body).encode(), SaleCreate))
    )
    blocker = await owner_engine.connect()
    await blocker.begin()
    await blocker.execute(text("select 1 from registers where id = :r for update"), {"r": shop.register["id"]})
    request = asyncio.create_task(shop.client.post("/api/v1/sales", json=body, headers=headers))
    await wait_for_blocked_backend(owner_engine)  # it has claimed its key, waits for the register
    async with owner_engine.begin() as connection:  # the duplicate commits meanwhile
        await connection.execute(
            text(
                "insert into idempotency_keys (organization_id, user_id, key, endpoint, request_hash, status, "
                "response_status, response_body, completed_at) values (:o, :u, :k, 'POST /api/v1/sales', :h, "
                "'completed', 201, :b, now())"
            ),
            {
                "o": shop.tenant.organization_id,
                "u": shop.tenant.admin_id,
                "k": headers["Idempotency-Key"],
                "h": fingerprint,
                "b": stored,
            },
        )
    await blocker.rollback()
    await blocker.close()
    response = await request
    assert response.status_code == 409 and response.json()["code"] == "idempotency_in_flight", response.text
    assert await count_sales(owner_engine, shop.tenant.organization_id) == 0
    assert await shop.stock(0) == 100
    replay = await shop.client.post("/api/v1/sales", json=body, headers=headers)
    assert replay.status_code == 201 and replay.content == stored


async def test_key_is_scoped_by_the_verified_token_tenant(shop: Shop, tenant_b: TenantSession, owner_engine) -> None:
    """The edge locks and looks up the key with the tenant lookup, keyed by the token's tenant
    and user: another tenant's token with the same key is 403, replays nothing, and holds nothing."""
    headers = key()
    body = shop.sale([(0, 1)])
    first = await shop.client.post("/api/v1/sales", json=body, headers=headers)
    assert first.status_code == 201, first.text
    crossed = await shop.client.post("/api/v1/sales", json=body, headers={**headers, **tenant_b.auth()})
    assert crossed.status_code == 403 and crossed.json()["code"] == "wrong_tenant"
    assert "idempotent-replayed" not in crossed.headers
    replay = await shop.client.post("/api/v1/sales", json=body, headers=headers)
    assert replay.status_code == 201 and replay.content == first.content
    assert replay.headers["idempotent-replayed"] == "true"
    # A malformed key is still refused in its turn, after the token and the body.
    bad = await shop.client.post("/api/v1/sales", json=body, headers={"Idempotency-Key": "with space"})
    assert bad.status_code == 400 and bad.json()["code"] == "idempotency_key_invalid"
    assert await count_sales(owner_engine, shop.tenant.organization_id) == 1
    assert await shop.stock(0) == 99
