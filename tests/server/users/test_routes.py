from __future__ import annotations

import uuid

from sqlalchemy import text

from tests.conftest import STRONG_PASSWORD, Api, without_request_id


async def test_admin_creates_lists_and_updates_users(api: Api, tenant_a) -> None:
    created = await tenant_a.client.post(
        "/api/v1/users",
        json={"email": "Maria@Example.com", "full_name": "María", "role": "cashier", "password": STRONG_PASSWORD},
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["email"] == "maria@example.com"
    listed = await tenant_a.client.get("/api/v1/users", params={"role": "cashier"})
    assert [item["id"] for item in listed.json()["items"]] == [user["id"]]
    promoted = await tenant_a.client.patch(f"/api/v1/users/{user['id']}", json={"role": "manager"})
    assert promoted.json()["role"] == "manager"
    audit = (await tenant_a.client.get("/api/v1/audit", params={"entity": "user", "entity_id": user["id"]})).json()
    actions = [entry["action"] for entry in audit["items"]]
    assert actions == ["user.role_changed", "user.created"]
    assert audit["items"][0]["before"]["role"] == "cashier"
    assert audit["items"][0]["after"]["role"] == "manager"
    assert audit["items"][0]["actor_id"] == str(tenant_a.admin_id)
    assert audit["items"][0]["ip"] == "203.0.113.7"


async def test_roles_are_enforced(api: Api, tenant_a) -> None:
    for role in ("manager", "cashier"):
        user = await api.add_user(tenant_a, role)
        assert (await user["client"].get("/api/v1/users")).status_code == 403
        assert (await user["client"].get("/api/v1/audit")).status_code == 403
        forbidden = await user["client"].post(
            "/api/v1/users",
            json={"email": "x@example.com", "full_name": "X", "role": "admin", "password": STRONG_PASSWORD},
        )
        assert forbidden.status_code == 403
        assert forbidden.json()["code"] == "role_forbidden"
        assert (await user["client"].get("/api/v1/me")).status_code == 200


async def test_mass_assignment_is_refused(tenant_a) -> None:
    me = (await tenant_a.client.get("/api/v1/me")).json()["user"]
    for field, value in (
        ("organization_id", str(uuid.uuid4())),
        ("id", str(uuid.uuid4())),
        ("email", "new@example.com"),
    ):
        response = await tenant_a.client.patch(f"/api/v1/users/{me['id']}", json={field: value})
        assert response.status_code == 422, (field, response.text)
        assert "unknown field" in response.json()["detail"].lower()
    created = await tenant_a.client.post(
        "/api/v1/users",
        json={
            "email": "y@example.com",
            "full_name": "Y",
            "role": "cashier",
            "password": STRONG_PASSWORD,
            "organization_id": str(uuid.uuid4()),
        },
    )
    assert created.status_code == 422
    bad_role = await tenant_a.client.post(
        "/api/v1/users", json={"email": "z@example.com", "full_name": "Z", "role": "owner", "password": STRONG_PASSWORD}
    )
    assert bad_role.status_code == 422
    assert bad_role.json()["errors"][0]["loc"] == ["body", "role"]


async def test_last_admin_cannot_be_removed(tenant_a) -> None:
    demote = await tenant_a.client.patch(f"/api/v1/users/{tenant_a.admin_id}", json={"role": "manager"})
    assert demote.status_code == 409
    assert demote.json()["code"] == "last_admin"
    deactivate = await tenant_a.client.patch(f"/api/v1/users/{tenant_a.admin_id}", json={"is_active": False})
    assert deactivate.status_code == 409


async def test_duplicate_email_in_tenant_is_409(tenant_a) -> None:
    body = {"email": tenant_a.email, "full_name": "Dup", "role": "cashier", "password": STRONG_PASSWORD}
    response = await tenant_a.client.post("/api/v1/users", json=body)
    assert response.status_code == 409


async def test_other_tenants_users_are_404_like_random_ids(tenant_a, tenant_b) -> None:
    foreign = await tenant_a.client.get(f"/api/v1/users/{tenant_b.admin_id}")
    random = await tenant_a.client.get(f"/api/v1/users/{uuid.uuid4()}")
    assert foreign.status_code == random.status_code == 404
    assert without_request_id(foreign.json()) == without_request_id(random.json())
    patch = await tenant_a.client.patch(f"/api/v1/users/{tenant_b.admin_id}", json={"full_name": "Hacked"})
    assert patch.status_code == 404
    listed = (await tenant_a.client.get("/api/v1/users", params={"limit": 200})).json()["items"]
    assert str(tenant_b.admin_id) not in {item["id"] for item in listed}
    audit = (await tenant_a.client.get("/api/v1/audit", params={"limit": 200})).json()["items"]
    assert all(entry["entity_id"] != str(tenant_b.admin_id) for entry in audit)


async def test_pagination(api: Api, tenant_a) -> None:
    for index in range(3):
        await tenant_a.client.post(
            "/api/v1/users",
            json={
                "email": f"p{index}-{uuid.uuid4().hex[:6]}@example.com",
                "full_name": f"P{index}",
                "role": "cashier",
                "password": STRONG_PASSWORD,
            },
        )
    first = (await tenant_a.client.get("/api/v1/users", params={"limit": 2})).json()
    assert len(first["items"]) == 2 and first["next_offset"] == 2
    second = (await tenant_a.client.get("/api/v1/users", params={"limit": 2, "offset": 2})).json()
    assert len(second["items"]) == 2 and second["next_offset"] is None
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    bad = await tenant_a.client.get("/api/v1/users", params={"limit": 1000})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["query", "limit"]
    unknown = await tenant_a.client.get("/api/v1/users", params={"organization_id": str(uuid.uuid4())})
    assert unknown.status_code == 422


async def test_an_admin_sets_a_users_pin_audited_without_the_pin(api: Api, tenant_a, tenant_b) -> None:
    cashier = await api.add_user(tenant_a, "cashier")
    cashier_id = (await cashier["client"].get("/api/v1/me")).json()["user"]["id"]
    response = await tenant_a.client.put(f"/api/v1/users/{cashier_id}/pin", json={"pin": "482615"})
    assert response.status_code == 204 and response.content == b""
    audit = (await tenant_a.client.get("/api/v1/audit", params={"entity": "user", "entity_id": cashier_id})).json()
    entry = audit["items"][0]
    assert entry["action"] == "user.pin_set" and entry["actor_id"] == str(tenant_a.admin_id)
    assert entry["before"] == {"has_pin": False} and entry["after"] == {"has_pin": True, "set_by_admin": True}
    assert "482615" not in str(audit)

    for pin in ("123", "123456789", "12a4", "", 1234, None):
        bad = await tenant_a.client.put(f"/api/v1/users/{cashier_id}/pin", json={"pin": pin})
        assert bad.status_code == 422, pin
        assert bad.json()["errors"][0]["loc"] == ["body", "pin"]
    weak = await tenant_a.client.put(f"/api/v1/users/{cashier_id}/pin", json={"pin": "1111"})
    assert weak.status_code == 422 and weak.json()["code"] == "weak_pin"
    smuggled = await tenant_a.client.put(
        f"/api/v1/users/{cashier_id}/pin", json={"pin": "4826", "password": STRONG_PASSWORD}
    )
    assert smuggled.status_code == 422

    for role in ("manager", "cashier"):
        user = await api.add_user(tenant_a, role)
        forbidden = await user["client"].put(f"/api/v1/users/{cashier_id}/pin", json={"pin": "4826"})
        assert forbidden.status_code == 403
    assert (await tenant_b.client.put(f"/api/v1/users/{cashier_id}/pin", json={"pin": "4826"})).status_code == 404
    missing = await tenant_a.client.put(f"/api/v1/users/{uuid.uuid4()}/pin", json={"pin": "4826"})
    assert missing.status_code == 404
    assert (await tenant_a.client.put("/api/v1/users/not-a-uuid/pin", json={"pin": "4826"})).status_code == 404


async def test_managers_read_the_people_directory_of_their_own_organization(api: Api, tenant_a, tenant_b) -> None:
    manager = await api.add_user(tenant_a, "manager")
    cashier = await api.add_user(tenant_a, "cashier")
    await api.add_user(tenant_b, "cashier")
    response = await manager["client"].get("/api/v1/people")
    assert response.status_code == 200, response.text
    people = response.json()
    assert {person["id"] for person in people} == {str(tenant_a.admin_id), manager["user"]["id"], cashier["user"]["id"]}
    assert all(set(person) == {"id", "full_name", "role", "is_active"} for person in people)
    assert (await cashier["client"].get("/api/v1/people")).status_code == 403


async def test_a_wrong_password_setting_ones_pin_is_422_on_the_field_and_changes_nothing(
    api: Api, tenant_a, owner_engine
) -> None:
    """422, not 401: the session is valid (a 401 would send the client to refresh its token), the
    password field is wrong. The document says the same."""

    async def stored_pin() -> str | None:
        async with owner_engine.connect() as connection:
            return (
                await connection.execute(text("select offline_pin from users where id = :u"), {"u": tenant_a.admin_id})
            ).scalar_one()

    assert (
        await tenant_a.client.put("/api/v1/me/pin", json={"pin": "4826", "password": STRONG_PASSWORD})
    ).status_code == 204
    before = await stored_pin()
    wrong = await tenant_a.client.put("/api/v1/me/pin", json={"pin": "7391", "password": "not my password"})
    assert wrong.status_code == 422, wrong.text
    problem = wrong.json()
    assert problem["code"] == "bad_credentials"
    assert [error["loc"] for error in problem["errors"]] == [["body", "password"]]
    assert before is not None and await stored_pin() == before
    still_signed_in = await tenant_a.client.get("/api/v1/me")
    assert still_signed_in.status_code == 200
    operation = (await api.client().get("/api/openapi.json")).json()["paths"]["/api/v1/me/pin"]["put"]
    assert "Wrong password" in operation["responses"]["422"]["description"]
    assert "Wrong password" not in operation["responses"].get("401", {}).get("description", "")
