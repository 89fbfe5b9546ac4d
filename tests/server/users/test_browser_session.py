"""Browser sessions: the refresh token in the `orbit_refresh` cookie, with CSRF checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from typing import Any

import httpx
import msgspec
import pytest

from server.core.config import Settings
from server.core.context import Resources
from tests.conftest import BASE_DOMAIN, STRONG_PASSWORD, Api, TenantSession

SESSION = "/api/v1/auth/session"
CSRF = {"X-Orbit-CSRF": "1"}


def set_cookie(response: httpx.Response) -> tuple[str, dict[str, str], str]:
    """The value, attributes (lower-case names) and raw text of the response's one Set-Cookie."""
    headers = response.headers.get_list("set-cookie")
    assert len(headers) == 1, headers
    parsed: SimpleCookie = SimpleCookie()
    parsed.load(headers[0])
    morsel = parsed["orbit_refresh"]
    attributes = {name: str(value) for name, value in morsel.items() if value}
    return morsel.value, attributes, headers[0]


def assert_cleared(response: httpx.Response) -> None:
    value, attributes, _ = set_cookie(response)
    assert value == "" and attributes["max-age"] == "0" and attributes["path"] == SESSION


async def post(
    client: httpx.AsyncClient, path: str, token: str | None = None, headers: dict[str, str] | None = None, **kwargs: Any
) -> httpx.Response:
    """POST with exactly the cookie given (the client keeps no jar between calls)."""
    client.cookies.clear()
    sent = dict(headers if headers is not None else CSRF)
    if token is not None:
        sent["Cookie"] = f"orbit_refresh={token}"
    try:
        return await client.post(path, headers=sent, **kwargs)
    finally:
        client.cookies.clear()


async def sign_in(client: httpx.AsyncClient, tenant: TenantSession) -> tuple[httpx.Response, str]:
    response = await post(client, SESSION, json={"email": tenant.email, "password": STRONG_PASSWORD})
    assert response.status_code == 200, response.text
    return response, set_cookie(response)[0]


@contextmanager
def public_scheme(resources: Resources, scheme: str) -> Iterator[None]:
    original = resources.settings
    resources.settings = msgspec.structs.replace(original, public_scheme=scheme)
    try:
        yield
    finally:
        resources.settings = original


async def test_signing_in_sets_a_strict_host_only_cookie_and_no_token_in_the_body(
    api: Api, tenant_a: TenantSession, settings: Settings
) -> None:
    client = api.client(tenant_a.subdomain)
    response, token = await sign_in(client, tenant_a)
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "user"}
    assert body["token_type"] == "bearer" and body["user"]["email"] == tenant_a.email
    value, attributes, raw = set_cookie(response)
    assert value == token and len(token) >= 40
    assert attributes["path"] == SESSION
    assert attributes["samesite"].lower() == "strict"
    assert attributes["httponly"] and "secure" not in attributes and "domain" not in attributes
    assert attributes["max-age"] == str(settings.refresh_token_seconds)
    assert "HttpOnly" in raw
    assert response.headers["cache-control"] == "no-store"
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200


async def test_the_cookie_is_secure_under_https(api: Api, tenant_a: TenantSession, resources: Resources) -> None:
    client = api.client(tenant_a.subdomain)
    with public_scheme(resources, "https"):
        response, token = await sign_in(client, tenant_a)
        assert "secure" in set_cookie(response)[1]
        origin = f"https://{tenant_a.subdomain}.{BASE_DOMAIN}"
        refreshed = await post(client, f"{SESSION}/refresh", token, {**CSRF, "Origin": origin})
        assert refreshed.status_code == 200, refreshed.text
        assert "secure" in set_cookie(refreshed)[1]
        plain = await post(
            client, f"{SESSION}/refresh", set_cookie(refreshed)[0], {**CSRF, "Origin": "http" + origin[5:]}
        )
        assert plain.status_code == 403 and plain.json()["code"] == "csrf"


async def test_refresh_rotates_the_cookie_and_reuse_revokes_the_family(api: Api, tenant_a: TenantSession) -> None:
    client = api.client(tenant_a.subdomain)
    _, first = await sign_in(client, tenant_a)
    rotated = await post(client, f"{SESSION}/refresh", first)
    assert rotated.status_code == 200, rotated.text
    assert set(rotated.json()) == {"access_token", "token_type", "expires_in", "user"}
    second = set_cookie(rotated)[0]
    assert second and second != first
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {rotated.json()['access_token']}"})
    assert me.status_code == 200

    reused = await post(client, f"{SESSION}/refresh", first)
    assert reused.status_code == 401 and reused.json()["code"] == "refresh_reused"
    assert_cleared(reused)
    revoked = await post(client, f"{SESSION}/refresh", second)
    assert revoked.status_code == 401 and revoked.json()["code"] == "refresh_invalid"
    assert_cleared(revoked)
    audit = await tenant_a.client.get("/api/v1/audit", params={"action": "session.reuse_detected"})
    assert len(audit.json()["items"]) == 1


async def test_a_missing_or_unknown_cookie_is_401_and_clears_it(api: Api, tenant_a: TenantSession) -> None:
    client = api.client(tenant_a.subdomain)
    missing = await post(client, f"{SESSION}/refresh")
    assert missing.status_code == 401 and missing.json()["code"] == "session_missing"
    assert missing.headers["content-type"] == "application/problem+json"
    assert_cleared(missing)
    assert missing.headers["cache-control"] == "no-store"
    unknown = await post(client, f"{SESSION}/refresh", "not-a-token")
    assert unknown.status_code == 401 and unknown.json()["code"] == "refresh_invalid"
    assert_cleared(unknown)
    oversized = await post(client, f"{SESSION}/refresh", "x" * 600)
    assert oversized.status_code == 401 and oversized.json()["code"] == "session_missing"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Orbit-CSRF": "0"},
        {"X-Orbit-CSRF": "true"},
        {**CSRF, "Origin": "http://evil.example"},
        {**CSRF, "Origin": "null"},
        {**CSRF, "Origin": "http://other.orbitengine.localhost"},
        {**CSRF, "Origin": "https://{host}"},
        {**CSRF, "Origin": "http://{host}:8000"},
        {**CSRF, "Origin": "http://{host}/path"},
        {**CSRF, "Origin": "http://{host}:99999"},
        {**CSRF, "Sec-Fetch-Site": "same-site"},
        {**CSRF, "Sec-Fetch-Site": "cross-site"},
        {**CSRF, "Sec-Fetch-Site": "none"},
    ],
)
async def test_csrf_checks_refuse_and_spend_nothing(api: Api, tenant_a: TenantSession, headers: dict[str, str]) -> None:
    client = api.client(tenant_a.subdomain)
    _, token = await sign_in(client, tenant_a)
    host = f"{tenant_a.subdomain}.{BASE_DOMAIN}"
    headers = {name: value.format(host=host) for name, value in headers.items()}
    for path in (f"{SESSION}/refresh", f"{SESSION}/logout"):
        refused = await post(client, path, token, headers)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["code"] == "csrf"
        assert not refused.headers.get_list("set-cookie")
    still_good = await post(client, f"{SESSION}/refresh", token)
    assert still_good.status_code == 200


@pytest.mark.parametrize(
    "extra",
    [
        {"Origin": "http://{host}"},
        {"Origin": "HTTP://{HOST}:80"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://{host}", "Sec-Fetch-Site": "same-origin"},
    ],
)
async def test_same_origin_requests_pass(api: Api, tenant_a: TenantSession, extra: dict[str, str]) -> None:
    client = api.client(tenant_a.subdomain)
    _, token = await sign_in(client, tenant_a)
    host = f"{tenant_a.subdomain}.{BASE_DOMAIN}"
    headers = {name: value.format(host=host, HOST=host.upper()) for name, value in extra.items()}
    response = await post(client, f"{SESSION}/refresh", token, {**CSRF, **headers})
    assert response.status_code == 200, response.text


async def test_logout_revokes_the_session_and_clears_the_cookie(api: Api, tenant_a: TenantSession) -> None:
    client = api.client(tenant_a.subdomain)
    _, token = await sign_in(client, tenant_a)
    out = await post(client, f"{SESSION}/logout", token)
    assert out.status_code == 204 and out.content == b""
    assert_cleared(out)
    after = await post(client, f"{SESSION}/refresh", token)
    assert after.status_code == 401 and after.json()["code"] == "refresh_invalid"
    again = await post(client, f"{SESSION}/logout")
    assert again.status_code == 204
    assert_cleared(again)


async def test_a_cookie_of_one_tenant_does_nothing_on_anothers_host(
    api: Api, tenant_a: TenantSession, tenant_b: TenantSession
) -> None:
    _, token = await sign_in(api.client(tenant_a.subdomain), tenant_a)
    other = api.client(tenant_b.subdomain)
    refused = await post(other, f"{SESSION}/refresh", token)
    assert refused.status_code == 401 and refused.json()["code"] == "refresh_invalid"
    assert (await post(other, f"{SESSION}/logout", token)).status_code == 204
    still_valid = await post(api.client(tenant_a.subdomain), f"{SESSION}/refresh", token)
    assert still_valid.status_code == 200, still_valid.text


async def test_sign_in_shares_the_login_limits(api: Api, tenant_a: TenantSession, settings: Settings) -> None:
    client = api.client(tenant_a.subdomain)
    wrong = {"email": tenant_a.email, "password": "wrong password!"}
    for index in range(settings.login_attempts_per_account):
        path = SESSION if index % 2 else "/api/v1/auth/login"
        bad = await post(client, path, json=wrong)
        assert bad.status_code == 401 and bad.json()["code"] == "bad_credentials"
        assert not bad.headers.get_list("set-cookie")
    blocked = await post(client, SESSION, json={"email": tenant_a.email, "password": STRONG_PASSWORD})
    assert blocked.status_code == 429 and blocked.json()["code"] == "rate_limited"


async def test_bad_input_is_4xx(api: Api, tenant_a: TenantSession) -> None:
    client = api.client(tenant_a.subdomain)
    for body in (None, b"{", b'{"email": "x"}', b'{"email":"a@b.co","password":"p","role":"admin"}'):
        response = await client.post(SESSION, content=body, headers={"content-type": "application/json"})
        assert response.status_code == 422, response.text
    apex = api.client()
    assert (await post(apex, f"{SESSION}/refresh")).status_code == 404
    unknown = api.client("no-such-shop")
    assert (await post(unknown, f"{SESSION}/refresh")).status_code == 404


async def test_the_json_token_flow_is_unchanged(api: Api, tenant_a: TenantSession) -> None:
    client = api.client(tenant_a.subdomain)
    login = await client.post("/api/v1/auth/login", json={"email": tenant_a.email, "password": STRONG_PASSWORD})
    assert login.status_code == 200 and "refresh_token" in login.json()
    assert not login.headers.get_list("set-cookie")
