"""Every templated path of the API document, called by one tenant with another tenant's ids,
answers 404 and changes nothing, in either tenant.

The walk reads the live OpenAPI document, so an endpoint is covered the day it lands: a path
parameter this file has no foreign value for, or an operation with a body it has no valid body
for, fails the test until one is added here (a valid body, so that the 404 cannot be a 422)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import Api, TenantSession
from tests.server.catalog.image_samples import photo
from tests.server.sales.conftest import Shop, key, open_shop
from tests.sync.conftest import register_pos

METHODS = ("get", "post", "put", "patch", "delete")


async def foreign_resources(api: Api, other: Shop, paths: dict[str, Any]) -> dict[str, str]:
    """One of each resource in the other tenant, by the path parameter that names it."""
    client = other.client
    category = (await client.post("/api/v1/categories", json={"name": "Ajena"})).json()
    customer = (await client.post("/api/v1/customers", json={"name": "Cliente ajeno"})).json()
    sale = (await other.sell([(0, 2)], customer_id=customer["id"])).json()
    refund = await client.post(
        f"/api/v1/sales/{sale['id']}/refunds",
        json={
            "register_id": other.register["id"],
            "method": "cash",
            "reason": "ajena",
            "lines": [{"sale_line_id": sale["lines"][0]["id"], "quantity": 1}],
        },
        headers=key(),
    )
    assert refund.status_code == 201, refund.text
    cashier = await api.add_user(other.tenant, "cashier")
    pos = await register_pos(api, other)
    await client.patch(f"/api/v1/products/{other.products[1]['id']}", json={"price": 9999})
    pushed = (await pos.push([pos.sale([(1, 1)])])).json()["results"][0]
    assert pushed["status"] == "applied_with_conflict", pushed
    conflicts = (await client.get("/api/v1/sync/conflicts", params={"status": "open"})).json()["items"]
    run = await client.post("/api/v1/forecasts/runs", json={})
    assert run.status_code in (201, 202), run.text
    found: dict[str, str] = {}
    if "/api/v1/reports/exports" in paths:
        export = await client.post("/api/v1/reports/exports", json={"report": "sales-by-day"})
        assert export.status_code == 202, export.text
        found["export_id"] = export.json()["id"]
    image = await client.put(
        f"/api/v1/products/{other.products[2]['id']}/image", content=photo(), headers={"Content-Type": "image/jpeg"}
    )
    assert image.status_code == 200, image.text
    return found | {
        "category_id": category["id"],
        "customer_id": customer["id"],
        "product_id": other.products[0]["id"],
        "sale_id": sale["id"],
        "refund_id": refund.json()["id"],
        "register_id": other.register["id"],
        "shift_id": other.shift["id"],
        "user_id": cashier["user"]["id"],
        "device_id": pos.device_id,
        "conflict_id": conflicts[0]["id"],
        "run_id": run.json()["id"],
        # A signed URL of the other tenant's file, signature and all (`?` kept in the value).
        "name": urlsplit(image.json()["thumb"]).path.split("/api/v1/files/", 1)[1]
        + "?"
        + urlsplit(image.json()["thumb"]).query,
    }


def valid_bodies(mine: Shop, foreign: dict[str, str], sale_line_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    """A body each operation would accept for a resource of its own tenant."""
    return {
        ("patch", "/api/v1/categories/{category_id}"): {"json": {"name": "Renombrada"}},
        ("patch", "/api/v1/customers/{customer_id}"): {"json": {"name": "Renombrado"}},
        ("patch", "/api/v1/products/{product_id}"): {"json": {"price": 1}},
        ("put", "/api/v1/products/{product_id}/image"): {
            "content": photo(seed=1),
            "headers": {"Content-Type": "image/jpeg"},
        },
        ("patch", "/api/v1/registers/{register_id}"): {"json": {"name": "Renombrada"}},
        ("post", "/api/v1/sales/{sale_id}/refunds"): {
            "json": {
                "register_id": mine.register["id"],
                "method": "cash",
                "reason": "ajena",
                "lines": [{"sale_line_id": sale_line_id, "quantity": 1}],
            }
        },
        ("post", "/api/v1/sales/{sale_id}/void"): {"json": {"reason": "ajena"}},
        ("post", "/api/v1/shifts/{shift_id}/cash-movements"): {
            "json": {"kind": "pay_in", "amount": 100, "reason": "ajena"}
        },
        ("post", "/api/v1/shifts/{shift_id}/close"): {"json": {"counts": []}},
        ("post", "/api/v1/sync/conflicts/{conflict_id}/resolve"): {"json": {"action": "acknowledge"}},
        ("patch", "/api/v1/users/{user_id}"): {"json": {"full_name": "Renombrado"}},
        ("put", "/api/v1/users/{user_id}/pin"): {"json": {"pin": "4826"}},
    }


async def snapshot(owner_engine: AsyncEngine, *organization_ids: uuid.UUID) -> dict[str, str]:
    """A digest of every tenant-owned row of these tenants, per table. `idempotency_keys` is left
    out: a caller's own key may remember the 404 it was answered, which changes no data."""
    digests: dict[str, str] = {}
    async with owner_engine.connect() as connection:
        tables = (
            await connection.execute(
                text(
                    "select table_name from information_schema.columns where table_schema = 'public' "
                    "and column_name = 'organization_id' and table_name <> 'idempotency_keys' order by 1"
                )
            )
        ).scalars()
        for table in list(tables):
            digest = await connection.execute(
                text(
                    f"select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from \"{table}\" t "
                    "where organization_id = any(:ids)"
                ),
                {"ids": list(organization_ids)},
            )
            digests[table] = str(digest.scalar_one())
    return digests


async def test_every_templated_path_answers_404_to_another_tenants_ids_and_changes_nothing(
    api: Api, tenant_a: TenantSession, tenant_b: TenantSession, owner_engine: AsyncEngine
) -> None:
    mine = await open_shop(tenant_a, code="A1")
    other = await open_shop(tenant_b, code="B1")
    document = (await api.client().get("/api/openapi.json")).json()
    foreign = await foreign_resources(api, other, document["paths"])
    foreign_sale = (await other.client.get(f"/api/v1/sales/{foreign['sale_id']}")).json()
    bodies = valid_bodies(mine, foreign, foreign_sale["lines"][0]["id"])
    operations = [
        (method, path)
        for path, item in document["paths"].items()
        if "{" in path
        for method in METHODS
        if method in item
    ]
    assert len(operations) >= 30  # the walk is over the real document
    before = await snapshot(owner_engine, tenant_a.organization_id, tenant_b.organization_id)
    answered: dict[tuple[str, str], int] = {}
    for method, path in operations:
        operation = document["paths"][path][method]
        parameters = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"]
        missing = [name for name in parameters if name not in foreign]
        assert not missing, f"{method.upper()} {path}: add another tenant's {missing} to foreign_resources"
        url = path
        for name in parameters:
            url = url.replace("{" + name + "}", foreign[name])
        request: dict[str, Any] = {}
        if "requestBody" in operation or (method, path) in bodies:
            assert (method, path) in bodies, f"{method.upper()} {path}: add a valid body to valid_bodies"
            request = dict(bodies[(method, path)])
        headers = {**key(), **request.pop("headers", {})}
        response = await tenant_a.client.request(method.upper(), url, headers=headers, **request)
        answered[(method, path)] = response.status_code
    assert {operation: status for operation, status in answered.items() if status != 404} == {}
    assert await snapshot(owner_engine, tenant_a.organization_id, tenant_b.organization_id) == before
