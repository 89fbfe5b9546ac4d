from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from openapi_spec_validator import validate

from server.customers import service
from tests.conftest import Api, TenantSession, without_request_id
from tests.server.customers.conftest import AddSales, OpenContext

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def create(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/customers", json={"name": "Ana", **body})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def audit_actions(tenant: TenantSession, customer_id: str) -> list[str]:
    entries = await tenant.client.get("/api/v1/audit", params={"entity": "customer", "entity_id": customer_id})
    return [entry["action"] for entry in entries.json()["items"]]


async def test_crud(tenant_a: TenantSession) -> None:
    created = await create(
        tenant_a.client, name="Ana Pérez", tax_id="12.345.678-k", email="Ana@Example.com", phone="+56 9 1234 5678"
    )
    assert created["tax_id"] == "12345678-K" and created["email"] == "ana@example.com"
    assert created["phone"] == "+56912345678"
    assert (created["visits"], created["total_spent"], created["last_purchase_at"]) == (0, 0, None)
    path = f"/api/v1/customers/{created['id']}"
    assert (await tenant_a.client.get(path)).json() == created

    patched = await tenant_a.client.patch(path, json={"notes": "VIP", "email": None})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["notes"], patched.json()["email"]) == ("VIP", None)

    deleted = await tenant_a.client.delete(path)
    assert deleted.status_code == 204 and deleted.content == b""
    assert (await tenant_a.client.get(path)).json()["is_active"] is False
    assert (await tenant_a.client.delete(path)).status_code == 204

    audit = (await tenant_a.client.get("/api/v1/audit", params={"entity_id": created["id"]})).json()["items"]
    assert [entry["action"] for entry in audit] == ["customer.deactivated", "customer.updated", "customer.created"]
    assert audit[1]["before"]["email"] == "ana@example.com" and audit[1]["after"]["email"] is None
    assert audit[0]["before"]["is_active"] is True and audit[0]["after"]["is_active"] is False
    assert {entry["actor_id"] for entry in audit} == {str(tenant_a.admin_id)}


async def test_cashiers_serve_customers_but_only_managers_change_them(api: Api, tenant_a: TenantSession) -> None:
    cashier = (await api.add_user(tenant_a, "cashier"))["client"]
    manager = (await api.add_user(tenant_a, "manager"))["client"]
    created = await create(cashier, name="Walk-in", phone="+56 9 8765 4321")
    path = f"/api/v1/customers/{created['id']}"
    assert (await cashier.get("/api/v1/customers", params={"search": "walk"})).json()["items"] == [created]
    assert (await cashier.get(path)).status_code == 200
    assert (await cashier.get(f"{path}/sales")).status_code == 200
    for forbidden in (
        await cashier.patch(path, json={"name": "Changed"}),
        await cashier.delete(path),
        await cashier.get("/api/v1/customers/export.csv"),
    ):
        assert forbidden.status_code == 403
        assert forbidden.json()["code"] == "role_forbidden"
    assert (await cashier.get(path)).json() == created
    assert (await manager.patch(path, json={"name": "Changed"})).status_code == 200
    assert (await manager.get("/api/v1/customers/export.csv")).status_code == 200
    assert (await manager.delete(path)).status_code == 204
    anonymous = api.client(tenant_a.subdomain)
    assert (await anonymous.get("/api/v1/customers")).status_code == 401


async def test_unknown_fields_are_refused(tenant_a: TenantSession) -> None:
    created = await create(tenant_a.client)
    path = f"/api/v1/customers/{created['id']}"
    for field, value in (
        ("organization_id", str(uuid.uuid4())),
        ("id", str(uuid.uuid4())),
        ("visits", 99),
        ("total_spent", 10**9),
        ("last_purchase_at", T0.isoformat()),
    ):
        for response in (
            await tenant_a.client.post("/api/v1/customers", json={"name": "X", field: value}),
            await tenant_a.client.patch(path, json={field: value}),
        ):
            assert response.status_code == 422, (field, response.text)
            assert "unknown field" in response.json()["detail"].lower()
    listed = (await tenant_a.client.get("/api/v1/customers")).json()["items"]
    assert listed == [created]


async def test_invalid_input_is_422_at_the_field(tenant_a: TenantSession) -> None:
    for body, location in (
        ({}, ["body"]),
        ({"name": ""}, ["body", "name"]),
        ({"name": "   "}, ["body", "name"]),
        ({"name": "X", "tax_id": "12;345"}, ["body", "tax_id"]),
        ({"name": "X", "tax_id": "1.2"}, ["body", "tax_id"]),
        ({"name": "X", "email": "ana@"}, ["body", "email"]),
        ({"name": "X", "phone": "call me"}, ["body", "phone"]),
        ({"name": "X", "phone": "123"}, ["body", "phone"]),
        ({"name": "X", "notes": "n" * 2001}, ["body", "notes"]),
        ({"name": "X", "address": 5}, ["body", "address"]),
    ):
        response = await tenant_a.client.post("/api/v1/customers", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["loc"] == location, body
    for params, location in (
        ({"sort": "email"}, ["query", "sort"]),
        ({"limit": 0}, ["query", "limit"]),
        ({"is_active": "maybe"}, ["query", "is_active"]),
        ({"search": "x" * 101}, ["query", "search"]),
        ({"organization_id": str(uuid.uuid4())}, ["query"]),
    ):
        response = await tenant_a.client.get("/api/v1/customers", params=params)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["errors"][0]["loc"] == location, params
    assert (await tenant_a.client.get("/api/v1/customers")).json()["items"] == []


async def test_duplicate_tax_id_is_409_after_normalization(tenant_a: TenantSession, tenant_b: TenantSession) -> None:
    first = await create(tenant_a.client, name="First", tax_id="12.345.678-9")
    duplicate = await tenant_a.client.post("/api/v1/customers", json={"name": "Second", "tax_id": "12345678-9"})
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "tax_id_taken"
    assert duplicate.json()["errors"][0]["loc"] == ["body", "tax_id"]
    other = await create(tenant_a.client, name="Other")
    moved = await tenant_a.client.patch(f"/api/v1/customers/{other['id']}", json={"tax_id": " 12 345 678-9 "})
    assert moved.status_code == 409 and moved.json()["code"] == "tax_id_taken"
    same = await tenant_a.client.patch(f"/api/v1/customers/{first['id']}", json={"tax_id": "12345678-9"})
    assert same.status_code == 200
    assert await audit_actions(tenant_a, first["id"]) == ["customer.created"]  # an unchanged PATCH writes nothing
    names = [item["name"] for item in (await tenant_a.client.get("/api/v1/customers")).json()["items"]]
    assert names == ["First", "Other"]
    await create(tenant_b.client, name="Elsewhere", tax_id="12345678-9")  # unique per tenant only


async def test_other_tenants_customers_answer_like_random_ids(
    tenant_a: TenantSession, tenant_b: TenantSession, add_sales: AddSales
) -> None:
    foreign = await create(tenant_b.client, name="Bodega Secret", tax_id="55555555-5", email="secret@b.example")
    await add_sales(tenant_b, uuid.UUID(foreign["id"]), [(1_000, T0, "completed")])
    foreign = (await tenant_b.client.get(f"/api/v1/customers/{foreign['id']}")).json()  # its figures, with the sale
    mine = await create(tenant_a.client, name="Mine")
    for customer_id in (foreign["id"], str(uuid.uuid4())):
        path = f"/api/v1/customers/{customer_id}"
        responses = [
            await tenant_a.client.get(path),
            await tenant_a.client.patch(path, json={"name": "Hacked"}),
            await tenant_a.client.delete(path),
            await tenant_a.client.get(f"{path}/sales"),
        ]
        assert [response.status_code for response in responses] == [404] * 4
        assert [without_request_id(response.json()) for response in responses] == [
            {"type": "https://orbitengine.dev/problems/not-found", "title": "Not found", "status": 404,
             "detail": "no such customer"}
        ] * 4  # fmt: skip
    for params in ({}, {"search": "bodega"}, {"search": "55555"}, {"search": "secret"}, {"is_active": "true"}):
        listed = (await tenant_a.client.get("/api/v1/customers", params={**params, "limit": 200})).json()["items"]
        assert foreign["id"] not in {item["id"] for item in listed}
    assert [item["id"] for item in (await tenant_a.client.get("/api/v1/customers")).json()["items"]] == [mine["id"]]
    export = (await tenant_a.client.get("/api/v1/customers/export.csv")).text
    assert foreign["id"] not in export and "Bodega" not in export
    untouched = (await tenant_b.client.get(f"/api/v1/customers/{foreign['id']}")).json()
    assert untouched == foreign
    assert len((await tenant_b.client.get(f"/api/v1/customers/{foreign['id']}/sales")).json()["items"]) == 1
    # A's token on B's host is refused before anything is looked up.
    cross = await tenant_b.client.get("/api/v1/customers", headers=tenant_a.auth())
    assert cross.status_code == 403 and cross.json()["code"] == "wrong_tenant"


async def test_search_sort_and_pagination(tenant_a: TenantSession, open_context: OpenContext) -> None:
    ids = {}
    for name, extra in (
        ("Zoe", {"tax_id": "11.111.111-1", "email": "zoe@example.com"}),
        ("ana", {"phone": "+56 2 2222 3333"}),
        ("Álvaro", {"email": "alvaro@example.com"}),
        ("Andrés", {"tax_id": "22.222.222-2"}),
        ("Bea", {"email": "ANA.bea@example.com"}),
    ):
        ids[name] = (await create(tenant_a.client, name=name, **extra))["id"]
    async with open_context(tenant_a) as ctx:
        await service.record_purchase(ctx, customer_id=uuid.UUID(ids["Bea"]), amount=9_000, at=T0)
        await service.record_purchase(ctx, customer_id=uuid.UUID(ids["Zoe"]), amount=100, at=T0 + timedelta(days=1))

    async def names(**params: Any) -> list[str]:
        response = await tenant_a.client.get("/api/v1/customers", params=params)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert await names(search="AN") == ["ana", "Andrés", "Bea"]  # Bea by her email
    assert await names(search="11111") == ["Zoe"]
    assert await names(search="22.222") == ["Andrés"]
    assert await names(search="+56 2 2222") == ["ana"]
    assert await names(search="zoe@") == ["Zoe"]
    assert await names(search="_") == []
    assert await names(search="ÁLV") == ["Álvaro"]
    assert await names(search="alvar") == ["Álvaro"]
    never_bought = sorted(["ana", "Álvaro", "Andrés"], key=lambda name: uuid.UUID(ids[name]))
    assert await names(sort="-total_spent") == ["Bea", "Zoe", *reversed(never_bought)]  # ties: id, same direction
    assert await names(sort="total_spent") == [*never_bought, "Zoe", "Bea"]
    assert await names(sort="last_purchase_at") == ["Bea", "Zoe", *never_bought]  # never bought: last either way
    assert (await names(sort="-last_purchase_at"))[:2] == ["Zoe", "Bea"]
    assert await names(sort="created_at") == ["Zoe", "ana", "Álvaro", "Andrés", "Bea"]
    await tenant_a.client.delete(f"/api/v1/customers/{ids['Zoe']}")
    assert "Zoe" not in await names(is_active="true")
    assert await names(is_active="false") == ["Zoe"]

    for sort in ("name", "-name", "total_spent", "-last_purchase_at", "created_at"):
        everything = await names(sort=sort)
        seen: list[str] = []
        offset: int | None = 0
        while offset is not None:
            page = (
                await tenant_a.client.get("/api/v1/customers", params={"sort": sort, "limit": 2, "offset": offset})
            ).json()
            seen += [item["name"] for item in page["items"]]
            offset = page["next_offset"]
        assert seen == everything and len(set(seen)) == 5, sort


async def test_purchase_history(tenant_a: TenantSession, add_sales: AddSales) -> None:
    customer = await create(tenant_a.client)
    ids = await add_sales(
        tenant_a,
        uuid.UUID(customer["id"]),
        [(1_500, T0 + timedelta(days=n), "voided" if n == 1 else "completed") for n in range(5)],
    )
    path = f"/api/v1/customers/{customer['id']}/sales"
    first = (await tenant_a.client.get(path, params={"limit": 3})).json()
    second = (await tenant_a.client.get(path, params={"limit": 3, "offset": 3})).json()
    assert [sale["id"] for sale in first["items"] + second["items"]] == [str(i) for i in reversed(ids)]
    assert first["next_offset"] == 3 and second["next_offset"] is None
    assert first["items"][0] == {
        "id": str(ids[4]),
        "invoice_number": first["items"][0]["invoice_number"],
        "sold_at": "2025-03-05T12:00:00Z",
        "total": 1_500,
        "status": "completed",
    }
    assert first["items"][0]["invoice_number"].endswith("-5")
    assert second["items"][0]["status"] == "voided"
    assert (await tenant_a.client.get(path, params={"limit": 500})).status_code == 422


async def test_csv_export(api: Api, tenant_a: TenantSession, open_context: OpenContext) -> None:
    ana = await create(
        tenant_a.client,
        name="Ana Ñandú",
        tax_id="12.345.678-5",
        email="ana@example.com",
        phone="+56 9 1111 2222",
        address='Calle "Uno", 1\nDepto 2',
        notes='=HYPERLINK("http://evil")',
    )
    bea = await create(tenant_a.client, name="Bea")
    gone = await create(tenant_a.client, name="Carla")
    await tenant_a.client.delete(f"/api/v1/customers/{gone['id']}")
    async with open_context(tenant_a) as ctx:
        await service.record_purchase(ctx, customer_id=uuid.UUID(ana["id"]), amount=12_345, at=T0)
    manager = (await api.add_user(tenant_a, "manager"))["client"]

    response = await manager.get("/api/v1/customers/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="customers-{tenant_a.subdomain}-') and disposition.endswith(
        '.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert list(rows[0]) == list(service.EXPORT_COLUMNS)
    assert [row["name"] for row in rows] == ["Ana Ñandú", "Bea", "Carla"]
    first = rows[0]
    assert first["id"] == ana["id"]
    assert (first["tax_id"], first["email"], first["phone"]) == ("12345678-5", "ana@example.com", "+56911112222")
    assert first["address"] == 'Calle "Uno", 1\nDepto 2'
    assert first["notes"] == '\'=HYPERLINK("http://evil")'  # not run as a formula by spreadsheets
    assert (first["is_active"], first["visits"], first["total_spent"]) == ("true", "1", "12345")
    assert first["last_purchase_at"] == "2025-03-01T09:00:00-03:00"  # America/Santiago
    assert datetime.fromisoformat(first["created_at"]).utcoffset() is not None
    assert rows[1]["tax_id"] == "" and rows[1]["last_purchase_at"] == ""
    assert rows[2]["is_active"] == "false"

    filtered = await manager.get(
        "/api/v1/customers/export.csv", params={"is_active": "true", "sort": "-name", "search": ""}
    )
    assert [row["name"] for row in csv.DictReader(io.StringIO(filtered.text))] == ["Bea", "Ana Ñandú"]
    searched = await manager.get("/api/v1/customers/export.csv", params={"search": "be"})
    assert [row["id"] for row in csv.DictReader(io.StringIO(searched.text))] == [bea["id"]]
    bad = await manager.get("/api/v1/customers/export.csv", params={"limit": 10})
    assert bad.status_code == 422

    exports = (await tenant_a.client.get("/api/v1/audit", params={"action": "customer.exported"})).json()["items"]
    assert len(exports) == 3  # the refused (422) request wrote nothing
    assert exports[0]["after"] == {"search": "be", "is_active": None, "sort": "name"}


async def test_empty_export_has_the_header(tenant_a: TenantSession) -> None:
    response = await tenant_a.client.get("/api/v1/customers/export.csv")
    assert response.status_code == 200
    assert response.content == (",".join(service.EXPORT_COLUMNS) + "\r\n").encode()


async def test_api_document_describes_customers(api: Api) -> None:
    document = (await api.client().get("/api/openapi.json")).json()
    validate(document)
    paths = document["paths"]
    assert set(paths["/api/v1/customers"]) == {"get", "post"}
    assert set(paths["/api/v1/customers/{customer_id}"]) == {"get", "patch", "delete"}
    assert set(paths["/api/v1/customers/{customer_id}/sales"]) == {"get"}
    export = paths["/api/v1/customers/export.csv"]["get"]
    assert export["responses"]["200"]["content"] == {"text/csv": {"schema": {"type": "string"}}}
    assert "Roles: admin, manager." in export["description"]
    assert "Roles: admin, manager, cashier." in paths["/api/v1/customers"]["post"]["description"]
    assert "409" in paths["/api/v1/customers"]["post"]["responses"]
