from __future__ import annotations

import uuid

from sqlalchemy import text

from tests.conftest import STRONG_PASSWORD, Api, TenantSession
from tests.server.sales.conftest import open_shop

REGISTER = "/api/v1/auth/register"


def registration(**fields: object) -> dict[str, object]:
    return {
        "company_name": f"Ferretería {uuid.uuid4().hex[:6]}",
        "admin_name": "Rosa Pérez",
        "email": f"rosa-{uuid.uuid4().hex[:8]}@example.com",
        "password": STRONG_PASSWORD,
        "currency": "CLP",
        "locale": "es-CL",
        "time_zone": "America/Santiago",
        **fields,
    }


async def count_organizations(owner_engine, name: str) -> int:
    async with owner_engine.connect() as connection:
        return (
            await connection.execute(text("select count(*) from organizations where name = :n"), {"n": name})
        ).scalar_one()


async def test_register_returns_tokens_subdomain_and_app_url(api: Api) -> None:
    body = registration(company_name="Panadería Ñandú & Co.")
    response = await api.client().post(REGISTER, json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["subdomain"].startswith("panaderia-nandu-co")
    assert data["app_url"] == f"http://{data['subdomain']}.orbitengine.localhost:8000"
    assert data["organization"]["currency"] == "CLP"
    assert data["organization"]["currency_minor_units"] == 0
    assert data["tokens"]["user"]["role"] == "admin"
    me = await api.client(data["subdomain"]).get(
        "/api/v1/me", headers={"Authorization": f"Bearer {data['tokens']['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["user"]["email"] == body["email"]
    assert me.json()["organization"]["subdomain"] == data["subdomain"]


async def test_slug_collisions_are_numbered(api: Api) -> None:
    name = f"Kiosko {uuid.uuid4().hex[:6]}"
    subdomains = []
    for _ in range(3):
        response = await api.client().post(REGISTER, json=registration(company_name=name))
        assert response.status_code == 201, response.text
        subdomains.append(response.json()["subdomain"])
    base = subdomains[0]
    assert subdomains == [base, f"{base}-2", f"{base}-3"]


async def test_reserved_company_slug_is_numbered(api: Api) -> None:
    response = await api.client().post(REGISTER, json=registration(company_name="Admin"))
    assert response.status_code == 201
    assert response.json()["subdomain"].startswith("admin-")


async def test_wanted_subdomain_is_used_and_then_taken(api: Api, owner_engine) -> None:
    wanted = f"tienda-{uuid.uuid4().hex[:6]}"
    first = await api.client().post(REGISTER, json=registration(subdomain=wanted))
    assert first.status_code == 201
    assert first.json()["subdomain"] == wanted
    body = registration(subdomain=wanted)
    second = await api.client().post(REGISTER, json=body)
    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json()["code"] == "subdomain_taken"
    assert await count_organizations(owner_engine, body["company_name"]) == 0


async def test_reserved_and_malformed_subdomains_are_refused(api: Api, owner_engine) -> None:
    for wanted in ["www", "api", "admin", "ab", "-shop", "shop-", "Shop!", "a" * 64, "xn--abc", "tienda.dos"]:
        body = registration(subdomain=wanted)
        response = await api.client().post(REGISTER, json=body)
        assert response.status_code == 422, (wanted, response.text)
        assert response.json()["errors"][0]["loc"] == ["body", "subdomain"]
        assert await count_organizations(owner_engine, body["company_name"]) == 0


async def test_weak_passwords_are_refused(api: Api, owner_engine) -> None:
    for password in ["short", "aaaaaaaaaaaa", "password123", "rosaperez12"]:
        body = registration(password=password)
        response = await api.client().post(REGISTER, json=body)
        assert response.status_code == 422, (password, response.text)
        assert response.json()["code"] == "weak_password"
        assert await count_organizations(owner_engine, body["company_name"]) == 0


async def test_duplicate_email_is_refused_and_nothing_is_created(api: Api, owner_engine) -> None:
    email = f"dup-{uuid.uuid4().hex[:8]}@example.com"
    assert (await api.client().post(REGISTER, json=registration(email=email))).status_code == 201
    body = registration(email=email.upper())
    response = await api.client().post(REGISTER, json=body)
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"
    assert await count_organizations(owner_engine, body["company_name"]) == 0


async def test_bad_settings_and_unknown_fields_are_refused(api: Api) -> None:
    cases = [
        ({"currency": "XYZ"}, ["body", "currency"]),
        ({"currency": "usd"}, ["body", "currency"]),
        ({"time_zone": "Mars/Olympus"}, ["body", "time_zone"]),
        ({"locale": "spanish"}, ["body", "locale"]),
        ({"email": "not-an-email"}, ["body", "email"]),
        ({"organization_id": str(uuid.uuid4())}, ["body"]),
        ({"role": "admin"}, ["body"]),
        ({"id": str(uuid.uuid4())}, ["body"]),
    ]
    for fields, location in cases:
        response = await api.client().post(REGISTER, json=registration(**fields))
        assert response.status_code == 422, (fields, response.text)
        problem = response.json()
        assert problem["status"] == 422
        assert problem["errors"][0]["loc"] == location, problem


async def test_malformed_json_is_a_422_problem(api: Api) -> None:
    response = await api.client().post(REGISTER, content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_subdomain_check(api: Api, tenant_a) -> None:
    client = api.client()
    taken = (await client.get("/api/v1/subdomains/check", params={"name": tenant_a.subdomain})).json()
    assert taken == {"subdomain": tenant_a.subdomain, "available": False, "reason": "this subdomain is taken"}
    free = (await client.get("/api/v1/subdomains/check", params={"name": f"free-{uuid.uuid4().hex[:6]}"})).json()
    assert free["available"] is True
    reserved = (await client.get("/api/v1/subdomains/check", params={"name": "www"})).json()
    assert reserved["available"] is False


async def test_unknown_and_inactive_tenants_are_404(api: Api, tenant_a, owner_engine) -> None:
    assert (
        await api.client("no-such-shop").post("/api/v1/auth/login", json={"email": "a@b.co", "password": "x"})
    ).status_code == 404
    async with owner_engine.begin() as connection:
        await connection.execute(
            text("update organizations set is_active = false where id = :id"), {"id": tenant_a.organization_id}
        )
    response = await tenant_a.client.get("/api/v1/me")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_tenant"


async def test_tenant_header_must_agree_with_host(api: Api, tenant_a, tenant_b) -> None:
    by_header = api.client(None, **{"X-Tenant-Subdomain": tenant_a.subdomain})
    assert (await by_header.get("/api/v1/me", headers=tenant_a.auth())).status_code == 200
    mismatch = await tenant_a.client.get("/api/v1/me", headers={"X-Tenant-Subdomain": tenant_b.subdomain})
    assert mismatch.status_code == 400
    assert mismatch.json()["code"] == "tenant_mismatch"
    agree = await tenant_a.client.get("/api/v1/me", headers={"X-Tenant-Subdomain": tenant_a.subdomain})
    assert agree.status_code == 200


async def test_an_admin_changes_the_settings_audited_and_seen_by_the_next_request(
    api: Api, tenant_a: TenantSession, tenant_b: TenantSession
) -> None:
    change = {
        "name": "  Almacén   Aurora Sur ",
        "locale": "en-US",
        "time_zone": "Europe/Madrid",
        "tax_mode": "exclusive",
        "allow_negative_stock": True,
        "currency": "USD",
        "tax_id": "76.123.456-7",
        "address": "  Av. Providencia 1234,\n Santiago ",
    }
    response = await tenant_a.client.patch("/api/v1/organization", json=change)
    assert response.status_code == 200, response.text
    organization = response.json()
    assert organization["name"] == "Almacén Aurora Sur"
    assert (organization["currency"], organization["currency_minor_units"]) == ("USD", 2)
    assert (organization["locale"], organization["time_zone"]) == ("en-US", "Europe/Madrid")
    assert (organization["tax_mode"], organization["allow_negative_stock"]) == ("exclusive", True)
    assert (organization["tax_id"], organization["address"]) == ("76.123.456-7", "Av. Providencia 1234, Santiago")
    assert (await tenant_a.client.get("/api/v1/organization")).json() == organization
    assert (await tenant_b.client.get("/api/v1/organization")).json()["currency"] == "CLP"

    audit = (await tenant_a.client.get("/api/v1/audit", params={"action": "organization.updated"})).json()["items"]
    assert len(audit) == 1
    assert audit[0]["before"]["time_zone"] == "America/Santiago" and audit[0]["after"]["time_zone"] == "Europe/Madrid"
    assert audit[0]["entity_id"] == str(tenant_a.organization_id)

    partial = await tenant_a.client.patch("/api/v1/organization", json={"locale": "es"})
    assert partial.json() == {**organization, "locale": "es"}
    unchanged = await tenant_a.client.patch("/api/v1/organization", json={"locale": "es"})
    assert unchanged.status_code == 200
    audit = (await tenant_a.client.get("/api/v1/audit", params={"action": "organization.updated"})).json()["items"]
    assert len(audit) == 2


async def test_bad_organization_settings_are_422_and_change_nothing(tenant_a: TenantSession) -> None:
    before = (await tenant_a.client.get("/api/v1/organization")).json()
    cases = [
        ({"currency": "XYZ"}, ["body", "currency"]),
        ({"currency": "usd"}, ["body", "currency"]),
        ({"currency": "USDX"}, ["body", "currency"]),
        ({"time_zone": "Mars/Olympus"}, ["body", "time_zone"]),
        ({"time_zone": ""}, ["body", "time_zone"]),
        ({"locale": "fr-FR"}, ["body", "locale"]),
        ({"locale": "es_CL"}, ["body", "locale"]),
        ({"locale": "es-cl"}, ["body", "locale"]),
        ({"tax_mode": "none"}, ["body", "tax_mode"]),
        ({"allow_negative_stock": "yes"}, ["body", "allow_negative_stock"]),
        ({"name": " "}, ["body", "name"]),
        ({"name": "x" * 121}, ["body", "name"]),
        ({"tax_id": "1" * 33}, ["body", "tax_id"]),
        ({"tax_id": "<b>1</b>"}, ["body", "tax_id"]),
        ({"address": "x" * 301}, ["body", "address"]),
        ({"subdomain": "other"}, ["body"]),
        ({"id": str(uuid.uuid4())}, ["body"]),
        ({"time_zone": "America/Santiago", "is_active": False}, ["body"]),
    ]
    for body, location in cases:
        response = await tenant_a.client.patch("/api/v1/organization", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["loc"] == location, body
    assert (await tenant_a.client.patch("/api/v1/organization", content=b"[")).status_code == 422
    assert (await tenant_a.client.get("/api/v1/organization")).json() == before


async def test_only_admins_change_the_organization(api: Api, tenant_a: TenantSession) -> None:
    for role in ("manager", "cashier"):
        user = await api.add_user(tenant_a, role)
        response = await user["client"].patch("/api/v1/organization", json={"name": "Tomada"})
        assert response.status_code == 403 and response.json()["code"] == "role_forbidden"
    assert (await api.client(tenant_a.subdomain).patch("/api/v1/organization", json={"name": "X"})).status_code == 401


async def test_the_currency_is_locked_once_there_are_sales(tenant_a: TenantSession) -> None:
    shop = await open_shop(tenant_a)
    assert (await tenant_a.client.patch("/api/v1/organization", json={"currency": "PEN"})).status_code == 200
    assert (await tenant_a.client.patch("/api/v1/organization", json={"currency": "CLP"})).status_code == 200
    assert (await shop.sell([(0, 1)])).status_code == 201
    locked = await tenant_a.client.patch("/api/v1/organization", json={"currency": "USD"})
    assert locked.status_code == 409 and locked.json()["code"] == "currency_locked"
    same = await tenant_a.client.patch("/api/v1/organization", json={"currency": "CLP", "tax_mode": "exclusive"})
    assert same.status_code == 200 and same.json()["tax_mode"] == "exclusive"
