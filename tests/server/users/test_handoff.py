"""The hand-over from the landing site to a new shop: a one-time code, exchanged once on the
shop's own host for a browser session."""

from __future__ import annotations

import asyncio
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from server.core.context import Resources
from server.users import handoff
from tests.conftest import Api, TenantSession
from tests.server.users.test_browser_session import CSRF, SESSION, post, set_cookie

EXCHANGE = "/api/v1/auth/session/handoff"


def code_of(handoff_url: str) -> str:
    return parse_qs(urlsplit(handoff_url).query)["code"][0]


async def register(api: Api) -> tuple[TenantSession, str, dict[str, object]]:
    """A new shop and the registration's answer (with its hand-over code)."""
    response = await api.client().post(
        "/api/v1/auth/register",
        json={
            "company_name": f"Librería {uuid.uuid4().hex[:6]}",
            "admin_name": "Inés Lector",
            "email": f"ines-{uuid.uuid4().hex[:8]}@example.com",
            "password": "correct horse battery staple",
            "currency": "CLP",
            "locale": "es-CL",
            "time_zone": "America/Santiago",
        },
    )
    assert response.status_code == 201, response.text
    data = response.json()
    client = api.client(data["subdomain"])
    client.headers["Authorization"] = f"Bearer {data['tokens']['access_token']}"
    tenant = TenantSession(
        subdomain=data["subdomain"],
        organization_id=uuid.UUID(data["organization"]["id"]),
        admin_id=uuid.UUID(data["tokens"]["user"]["id"]),
        email=data["tokens"]["user"]["email"],
        tokens=data["tokens"],
        client=client,
    )
    return tenant, code_of(data["handoff_url"]), data


async def exchange(client: httpx.AsyncClient, code: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return await post(client, EXCHANGE, headers=headers, json={"code": code})


async def test_registration_answers_a_handoff_url_on_the_new_shops_host(api: Api) -> None:
    _, code, data = await register(api)
    assert data["handoff_url"] == f"{data['app_url']}/auth/handoff?code={code}"
    assert data["handoff_expires_in"] == handoff.HANDOFF_SECONDS
    assert len(code) >= 40


async def test_the_code_opens_a_browser_session_once(api: Api, resources: Resources) -> None:
    tenant, code, _ = await register(api)
    client = api.client(tenant.subdomain)
    response = await exchange(client, code)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["user"]["id"] == str(tenant.admin_id)
    assert "refresh_token" not in body
    refresh_token, attributes, _ = set_cookie(response)
    assert attributes["path"] == SESSION and attributes["httponly"]
    me = await api.client(tenant.subdomain).get(
        "/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status_code == 200 and me.json()["organization"]["subdomain"] == tenant.subdomain
    refreshed = await post(client, f"{SESSION}/refresh", refresh_token)
    assert refreshed.status_code == 200, refreshed.text
    assert await resources.redis.exists(handoff.code_key(tenant.organization_id, code)) == 0

    replayed = await exchange(client, code)
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "handoff_invalid"
    assert replayed.headers["cache-control"] == "no-store"
    assert "set-cookie" not in replayed.headers


async def test_two_racing_exchanges_have_one_winner(api: Api) -> None:
    tenant, code, _ = await register(api)
    answers = await asyncio.gather(*(exchange(api.client(tenant.subdomain), code) for _ in range(4)))
    assert sorted(answer.status_code for answer in answers) == [200, 401, 401, 401]


async def test_the_code_lives_about_a_minute(api: Api, resources: Resources) -> None:
    tenant, code, _ = await register(api)
    key = handoff.code_key(tenant.organization_id, code)
    assert 0 < await resources.redis.ttl(key) <= handoff.HANDOFF_SECONDS
    await resources.redis.pexpire(key, 1)
    await asyncio.sleep(0.05)
    expired = await exchange(api.client(tenant.subdomain), code)
    assert expired.status_code == 401 and expired.json()["code"] == "handoff_invalid"


async def test_another_shops_host_neither_accepts_nor_spends_the_code(api: Api, tenant_b: TenantSession) -> None:
    tenant, code, _ = await register(api)
    foreign = await exchange(api.client(tenant_b.subdomain), code)
    assert foreign.status_code == 401 and foreign.json()["code"] == "handoff_invalid"
    own = await exchange(api.client(tenant.subdomain), code)
    assert own.status_code == 200
    assert own.json()["user"]["id"] == str(tenant.admin_id)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {**CSRF, "Origin": "http://evil.example"},
        {**CSRF, "Sec-Fetch-Site": "cross-site"},
    ],
    ids=["no-csrf-header", "foreign-origin", "cross-site-fetch"],
)
async def test_a_cross_site_exchange_is_refused_and_spends_nothing(api: Api, headers: dict[str, str]) -> None:
    tenant, code, _ = await register(api)
    client = api.client(tenant.subdomain)
    refused = await exchange(client, code, headers=headers)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf"
    assert (await exchange(client, code)).status_code == 200


async def test_a_deactivated_user_gets_no_session(api: Api) -> None:
    tenant, code, _ = await register(api)
    other_admin = await api.add_user(tenant, "admin")
    deactivated = await other_admin["client"].patch(f"/api/v1/users/{tenant.admin_id}", json={"is_active": False})
    assert deactivated.status_code == 200, deactivated.text
    refused = await exchange(api.client(tenant.subdomain), code)
    assert refused.status_code == 401 and refused.json()["code"] == "handoff_invalid"


async def test_malformed_and_unknown_codes_are_refused(api: Api, tenant_a: TenantSession) -> None:
    client = api.client(tenant_a.subdomain)
    assert (await exchange(client, "x" * 129)).status_code == 422
    assert (await exchange(client, "")).status_code == 422
    unknown = await exchange(client, handoff.new_code())
    assert unknown.status_code == 401 and unknown.json()["code"] == "handoff_invalid"
    apex = await post(api.client(), EXCHANGE, json={"code": handoff.new_code()})
    assert apex.status_code == 404


async def test_redeem_is_bound_to_organization_and_user(resources: Resources) -> None:
    organization, user, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    code = handoff.new_code()
    await handoff.store(resources.redis, organization_id=organization, user_id=user, code=code)
    assert await handoff.redeem(resources.redis, organization_id=other, code=code) is None
    assert await handoff.redeem(resources.redis, organization_id=organization, code=code) == user
    assert await handoff.redeem(resources.redis, organization_id=organization, code=code) is None
    keys = [key async for key in resources.redis.scan_iter(match=f"t:{organization}:handoff:*")]
    assert keys == []
    assert code not in handoff.code_key(organization, code)
