from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import STRONG_PASSWORD


async def test_audit_filters(api, tenant_a) -> None:
    created = await tenant_a.client.post(
        "/api/v1/users",
        json={"email": "audited@example.com", "full_name": "Audited", "role": "cashier", "password": STRONG_PASSWORD},
    )
    user_id = created.json()["id"]
    await tenant_a.client.patch(f"/api/v1/users/{user_id}", json={"is_active": False})
    by_action = (await tenant_a.client.get("/api/v1/audit", params={"action": "user.deactivated"})).json()["items"]
    assert [entry["entity_id"] for entry in by_action] == [user_id]
    assert by_action[0]["before"]["is_active"] is True and by_action[0]["after"]["is_active"] is False
    by_actor = (await tenant_a.client.get("/api/v1/audit", params={"actor_id": str(tenant_a.admin_id)})).json()["items"]
    assert {entry["action"] for entry in by_actor} >= {"user.created", "user.deactivated"}
    creation = (
        await tenant_a.client.get("/api/v1/audit", params={"action": "user.created", "entity_id": user_id})
    ).json()
    since = (await tenant_a.client.get("/api/v1/audit", params={"since": creation["items"][0]["at"]})).json()["items"]
    assert {entry["action"] for entry in since} == {"user.created", "user.deactivated"}
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert (await tenant_a.client.get("/api/v1/audit", params={"since": future})).json()["items"] == []
    bad = await tenant_a.client.get("/api/v1/audit", params={"since": "yesterday"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["query", "since"]


async def test_registration_is_audited(tenant_a) -> None:
    entries = (await tenant_a.client.get("/api/v1/audit", params={"entity": "organization"})).json()["items"]
    assert [entry["action"] for entry in entries] == ["organization.created"]
    assert entries[0]["after"]["subdomain"] == tenant_a.subdomain


async def test_entity_types_are_the_tenants_own(api, tenant_a, tenant_b) -> None:
    await tenant_a.client.post(
        "/api/v1/users",
        json={"email": "typed@example.com", "full_name": "Typed", "role": "cashier", "password": STRONG_PASSWORD},
    )
    await tenant_b.client.post("/api/v1/registers", json={"code": "B1", "name": "Caja B1"})
    assert (await tenant_a.client.get("/api/v1/audit/entity-types")).json() == ["organization", "user"]
    assert (await tenant_b.client.get("/api/v1/audit/entity-types")).json() == ["organization", "register", "user"]
    manager = await api.add_user(tenant_a, "manager")
    assert (await manager["client"].get("/api/v1/audit/entity-types")).status_code == 403
