"""One-time pairing codes (`sync.pairing`): made by managers, typed on a device at the tenant's
host without signing in, single use, ten minutes, bound to their tenant."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest

from server.core.ratelimit import limit_key
from sync.pairing import ALPHABET, CODE_SECONDS, new_code, normalize_code
from tests.conftest import Api, TenantSession

CODE_FORMAT = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


async def make_register(tenant: TenantSession, code: str = "R1") -> dict[str, Any]:
    response = await tenant.client.post("/api/v1/registers", json={"code": code, "name": f"Caja {code}"})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def make_code(tenant: TenantSession, register_id: str, **fields: Any) -> dict[str, Any]:
    response = await tenant.client.post("/api/v1/sync/pairing-codes", json={"register_id": register_id, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def pair(api: Api, tenant: TenantSession, code: str, name: str = "Tablet") -> httpx.Response:
    return await api.client(tenant.subdomain).post("/api/v1/sync/pairing", json={"code": code, "name": name})


@pytest.fixture
def redis(app: Any) -> Any:
    """The Redis of the app as it is now (a test of the sync suite reopens the app's resources)."""
    return app.state.resources.redis


async def pairing_keys(redis: Any, tenant: TenantSession) -> list[bytes]:
    return [key async for key in redis.scan_iter(match=f"t:{tenant.organization_id}:pairing:*")]


def test_codes_are_eight_unambiguous_characters() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(CODE_FORMAT.match(code) for code in codes)
    assert not set(ALPHABET) & set("01ILOU")
    assert normalize_code(" abcd-efgh ".replace("c", "x")) == "ABXDEFGH"
    assert normalize_code("23456789") == "23456789"
    assert normalize_code("2345 6789") == "23456789"
    for wrong in ("2345-678", "2345-67890", "0ABC-DEFG", "IJKL-MNPQ", ""):
        assert normalize_code(wrong) is None


async def test_a_code_pairs_one_device_once(api: Api, tenant_a: TenantSession, redis: Any) -> None:
    register = await make_register(tenant_a)
    before = datetime.now(UTC)
    made = await make_code(tenant_a, register["id"])
    assert CODE_FORMAT.match(made["code"]) and made["register_id"] == register["id"]
    expires_at = datetime.fromisoformat(made["expires_at"])
    assert (
        before + timedelta(seconds=CODE_SECONDS - 5)
        <= expires_at
        <= datetime.now(UTC) + timedelta(seconds=CODE_SECONDS)
    )

    (stored,) = await pairing_keys(redis, tenant_a)
    raw = made["code"].replace("-", "")
    assert raw not in stored.decode() and raw.encode() not in (await redis.get(stored))
    assert CODE_SECONDS - 5 <= await redis.ttl(stored) <= CODE_SECONDS

    paired = await pair(api, tenant_a, made["code"].lower(), "Front tablet")
    assert paired.status_code == 201, paired.text
    credentials = paired.json()
    assert credentials["device"]["register_id"] == register["id"] and credentials["device"]["name"] == "Front tablet"
    assert credentials["credential"]
    assert await pairing_keys(redis, tenant_a) == []

    devices = (await tenant_a.client.get("/api/v1/sync/devices")).json()
    assert [device["id"] for device in devices] == [credentials["device"]["id"]]
    cashier = await api.add_user(tenant_a, "cashier")
    heartbeat = await cashier["client"].post(
        "/api/v1/sync/heartbeat",
        json={},
        headers={"X-Device-Id": credentials["device"]["id"], "X-Device-Key": credentials["credential"]},
    )
    assert heartbeat.status_code == 200, heartbeat.text

    again = await pair(api, tenant_a, made["code"])
    assert again.status_code == 422 and again.json()["code"] == "pairing_code_invalid"

    entries = (await tenant_a.client.get("/api/v1/audit", params={"entity": "device"})).json()["items"]
    assert {entry["action"] for entry in entries} == {"device.paired", "device.registered"}
    assert {entry["actor_id"] for entry in entries} == {str(tenant_a.admin_id)}
    created = (await tenant_a.client.get("/api/v1/audit", params={"action": "device.pairing_code_created"})).json()
    assert [entry["entity_id"] for entry in created["items"]] == [register["id"]]
    assert made["code"] not in str(created) and raw not in str(created)


async def test_two_devices_racing_with_one_code_get_one_device(api: Api, tenant_a: TenantSession) -> None:
    register = await make_register(tenant_a)
    made = await make_code(tenant_a, register["id"])
    first, second = await asyncio.gather(pair(api, tenant_a, made["code"], "A"), pair(api, tenant_a, made["code"], "B"))
    assert sorted([first.status_code, second.status_code]) == [201, 422]
    assert len((await tenant_a.client.get("/api/v1/sync/devices")).json()) == 1


async def test_every_failure_looks_the_same(api: Api, tenant_a: TenantSession, redis: Any) -> None:
    register = await make_register(tenant_a)
    used = await make_code(tenant_a, register["id"])
    assert (await pair(api, tenant_a, used["code"])).status_code == 201
    expiring = await make_code(tenant_a, register["id"], replace=True)
    (key,) = await pairing_keys(redis, tenant_a)
    await redis.pexpire(key, 1)
    await asyncio.sleep(0.05)
    answers = [
        await pair(api, tenant_a, code) for code in (used["code"], expiring["code"], new_code(), "not a code at all")
    ]
    assert {answer.status_code for answer in answers} == {422}
    bodies = {msgspec.json.encode({**answer.json(), "request_id": None}) for answer in answers}
    assert len(bodies) == 1
    problem = answers[0].json()
    assert problem["code"] == "pairing_code_invalid" and problem["errors"][0]["loc"] == ["body", "code"]


async def test_a_code_works_only_at_its_own_tenant(api: Api, tenant_a: TenantSession, tenant_b: TenantSession) -> None:
    register = await make_register(tenant_a)
    made = await make_code(tenant_a, register["id"])
    elsewhere = await pair(api, tenant_b, made["code"])
    assert elsewhere.status_code == 422 and elsewhere.json()["code"] == "pairing_code_invalid"
    assert (await tenant_b.client.get("/api/v1/sync/devices")).json() == []
    other_register = await tenant_b.client.post("/api/v1/sync/pairing-codes", json={"register_id": register["id"]})
    assert other_register.status_code == 404
    assert (await pair(api, tenant_a, made["code"])).status_code == 201


async def test_who_may_make_codes_and_for_which_register(api: Api, tenant_a: TenantSession) -> None:
    register = await make_register(tenant_a)
    cashier = await api.add_user(tenant_a, "cashier")
    refused = await cashier["client"].post("/api/v1/sync/pairing-codes", json={"register_id": register["id"]})
    assert refused.status_code == 403
    manager = await api.add_user(tenant_a, "manager")
    allowed = await manager["client"].post("/api/v1/sync/pairing-codes", json={"register_id": register["id"]})
    assert allowed.status_code == 201
    unknown = await tenant_a.client.post("/api/v1/sync/pairing-codes", json={"register_id": str(uuid.uuid4())})
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["loc"] == ["body", "register_id"]
    anonymous = await api.client(tenant_a.subdomain).post(
        "/api/v1/sync/pairing-codes", json={"register_id": register["id"]}
    )
    assert anonymous.status_code == 401


async def test_a_register_with_a_device_needs_replace(api: Api, tenant_a: TenantSession) -> None:
    register = await make_register(tenant_a)
    first = (await pair(api, tenant_a, (await make_code(tenant_a, register["id"]))["code"], "Old")).json()
    refused = await tenant_a.client.post("/api/v1/sync/pairing-codes", json={"register_id": register["id"]})
    assert refused.status_code == 409 and refused.json()["code"] == "register_has_device"
    made = await make_code(tenant_a, register["id"], replace=True, device_name="Named by the manager")
    second = await pair(api, tenant_a, made["code"], "Named by the device")
    assert second.status_code == 201, second.text
    assert second.json()["device"]["name"] == "Named by the manager"
    devices = {device["id"]: device for device in (await tenant_a.client.get("/api/v1/sync/devices")).json()}
    assert devices[first["device"]["id"]]["revoked_at"] is not None
    assert devices[second.json()["device"]["id"]]["revoked_at"] is None


async def test_a_code_dies_with_its_creators_authority(api: Api, tenant_a: TenantSession) -> None:
    register = await make_register(tenant_a)
    manager = await api.add_user(tenant_a, "manager")
    made = (await manager["client"].post("/api/v1/sync/pairing-codes", json={"register_id": register["id"]})).json()
    manager_id = (await manager["client"].get("/api/v1/me")).json()["user"]["id"]
    await tenant_a.client.patch(f"/api/v1/users/{manager_id}", json={"role": "cashier"})
    refused = await pair(api, tenant_a, made["code"])
    assert refused.status_code == 422 and refused.json()["code"] == "pairing_code_invalid"


async def test_pairing_attempts_are_limited_per_address(app: Any, tenant_a: TenantSession) -> None:
    resources = app.state.resources
    ip = f"198.51.100.{uuid.uuid4().int % 250}"
    await resources.redis.delete(limit_key(tenant_a.organization_id, "pairing-ip", ip))
    original = resources.settings
    resources.settings = msgspec.structs.replace(original, login_attempts_per_ip=3)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(ip, 1234)),
            base_url=f"http://{tenant_a.subdomain}.orbitengine.localhost",
        ) as client:
            statuses = [
                (await client.post("/api/v1/sync/pairing", json={"code": new_code(), "name": "Guess"})).status_code
                for _ in range(4)
            ]
    finally:
        resources.settings = original
    assert statuses == [422, 422, 422, 429]
