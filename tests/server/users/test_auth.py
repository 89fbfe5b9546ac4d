from __future__ import annotations

import asyncio
import time
import uuid

import jwt
import msgspec
import pytest

from server.core.config import Settings
from server.core.errors import Unauthorized
from server.core.security import decode_access_token
from tests.conftest import STRONG_PASSWORD, Api, TenantSession


def forge(
    settings: Settings,
    tenant: TenantSession,
    *,
    key: str | None = None,
    algorithm: str = "HS256",
    drop: tuple[str, ...] = (),
    **claims: object,
) -> str:
    now = int(time.time())
    payload: dict[str, object] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + 60,
        "sub": str(tenant.admin_id),
        "org": str(tenant.organization_id),
        "role": "admin",
        "typ": "access",
    }
    payload.update(claims)
    for name in drop:
        payload.pop(name)
    return jwt.encode(payload, key if key is not None else settings.secret_key, algorithm=algorithm)


def unsigned(settings: Settings, tenant: TenantSession) -> str:
    header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    body = jwt.utils.base64url_encode(
        jwt.api_jws.json.dumps(
            {
                "iss": settings.jwt_issuer,
                "aud": settings.jwt_audience,
                "iat": int(time.time()),
                "exp": int(time.time()) + 60,
                "sub": str(tenant.admin_id),
                "org": str(tenant.organization_id),
                "role": "admin",
                "typ": "access",
            }
        ).encode()
    ).decode()
    return f"{header}.{body}."


async def test_a_valid_forged_token_is_accepted_so_the_matrix_is_meaningful(settings, tenant_a) -> None:
    response = await tenant_a.client.get("/api/v1/me", headers=tenant_a.auth(forge(settings, tenant_a)))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "case",
    [
        "alg_none",
        "wrong_key",
        "wrong_aud",
        "wrong_iss",
        "no_exp",
        "expired",
        "refresh_typ",
        "opaque_refresh",
        "garbage",
        "missing",
        "hs512",
    ],
)
async def test_jwt_rejection_matrix(case: str, settings: Settings, tenant_a: TenantSession) -> None:
    tokens = {
        "alg_none": lambda: unsigned(settings, tenant_a),
        "wrong_key": lambda: forge(settings, tenant_a, key="another-secret-key-that-is-long-enough-000"),
        "wrong_aud": lambda: forge(settings, tenant_a, aud="someone-else"),
        "wrong_iss": lambda: forge(settings, tenant_a, iss="someone-else"),
        "no_exp": lambda: forge(settings, tenant_a, drop=("exp",)),
        "expired": lambda: forge(settings, tenant_a, exp=int(time.time()) - 5, iat=int(time.time()) - 100),
        "refresh_typ": lambda: forge(settings, tenant_a, typ="refresh"),
        "opaque_refresh": lambda: tenant_a.tokens["refresh_token"],
        "garbage": lambda: "not.a.token",
        "hs512": lambda: forge(settings, tenant_a, algorithm="HS512"),
    }
    headers = {} if case == "missing" else tenant_a.auth(tokens[case]())
    response = await tenant_a.client.get("/api/v1/me", headers=headers or {"Authorization": ""})
    assert response.status_code == 401, (case, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_token_of_another_tenant_is_403(api: Api, tenant_a, tenant_b) -> None:
    response = await api.client(tenant_b.subdomain).get("/api/v1/me", headers=tenant_a.auth())
    assert response.status_code == 403
    assert response.json()["code"] == "wrong_tenant"


async def test_login_and_me(api: Api, tenant_a) -> None:
    client = api.client(tenant_a.subdomain)
    response = await client.post(
        "/api/v1/auth/login", json={"email": tenant_a.email.upper(), "password": STRONG_PASSWORD}
    )
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 600
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["user"]["id"] == str(tenant_a.admin_id)
    assert me.json()["user"]["last_login_at"] is not None


async def test_login_is_per_tenant(api: Api, tenant_a, tenant_b) -> None:
    response = await api.client(tenant_b.subdomain).post(
        "/api/v1/auth/login", json={"email": tenant_a.email, "password": STRONG_PASSWORD}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"


async def test_refresh_rotates_and_reuse_revokes_the_family(api: Api, tenant_a) -> None:
    client = api.client(tenant_a.subdomain)
    first = tenant_a.tokens["refresh_token"]
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["refresh_token"]
    assert second != first
    assert (
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {rotated.json()['access_token']}"})
    ).status_code == 200

    reuse = await client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert reuse.status_code == 401
    assert reuse.json()["code"] == "refresh_reused"
    after_reuse = await client.post("/api/v1/auth/refresh", json={"refresh_token": second})
    assert after_reuse.status_code == 401
    assert after_reuse.json()["code"] == "refresh_invalid"

    audit = await tenant_a.client.get("/api/v1/audit", params={"action": "session.reuse_detected"})
    assert len(audit.json()["items"]) == 1


async def test_refresh_token_of_another_tenant_is_refused(api: Api, tenant_a, tenant_b) -> None:
    response = await api.client(tenant_b.subdomain).post(
        "/api/v1/auth/refresh", json={"refresh_token": tenant_a.tokens["refresh_token"]}
    )
    assert response.status_code == 401
    still_valid = await api.client(tenant_a.subdomain).post(
        "/api/v1/auth/refresh", json={"refresh_token": tenant_a.tokens["refresh_token"]}
    )
    assert still_valid.status_code == 200


async def test_logout_revokes_the_session(api: Api, tenant_a) -> None:
    client = api.client(tenant_a.subdomain)
    token = tenant_a.tokens["refresh_token"]
    assert (await client.post("/api/v1/auth/logout", json={"refresh_token": token})).status_code == 204
    assert (await client.post("/api/v1/auth/refresh", json={"refresh_token": token})).status_code == 401
    assert (await client.post("/api/v1/auth/logout", json={"refresh_token": "unknown"})).status_code == 204


async def test_login_rate_limit_per_account(api: Api, tenant_a, settings) -> None:
    client = api.client(tenant_a.subdomain)
    for _ in range(settings.login_attempts_per_account):
        bad = await client.post("/api/v1/auth/login", json={"email": tenant_a.email, "password": "wrong password!"})
        assert bad.status_code == 401
    blocked = await client.post("/api/v1/auth/login", json={"email": tenant_a.email, "password": STRONG_PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert blocked.json()["code"] == "rate_limited"
    # The limit is the account's: another account of the shop, from the same address, still
    # signs in (add_user signs it in and asserts 200), while this one stays blocked.
    colleague = await api.add_user(tenant_a, "cashier")
    assert colleague["access_token"] and colleague["user"]["id"] != str(tenant_a.admin_id)
    again = await client.post("/api/v1/auth/login", json={"email": tenant_a.email, "password": STRONG_PASSWORD})
    assert again.status_code == 429


async def test_login_rate_limit_per_ip(app, tenant_a, settings, resources) -> None:
    import httpx

    from server.core.ratelimit import limit_key

    ip = f"198.51.100.{uuid.uuid4().int % 250}"
    await resources.redis.delete(limit_key(tenant_a.organization_id, "login-ip", ip))
    limited = type(settings)(
        **{**{f: getattr(settings, f) for f in settings.__struct_fields__}, "login_attempts_per_ip": 3}
    )
    original = resources.settings
    resources.settings = limited
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(ip, 1234)),
            base_url=f"http://{tenant_a.subdomain}.orbitengine.localhost",
        ) as client:
            statuses = []
            for index in range(4):
                response = await client.post(
                    "/api/v1/auth/login", json={"email": f"nobody{index}@example.com", "password": "whatever123"}
                )
                statuses.append(response.status_code)
            assert statuses == [401, 401, 401, 429]
    finally:
        resources.settings = original


async def test_deactivated_user_is_cut_off(api: Api, tenant_a) -> None:
    cashier = await api.add_user(tenant_a, "cashier")
    me = await cashier["client"].get("/api/v1/me")
    user_id = me.json()["user"]["id"]
    response = await tenant_a.client.patch(f"/api/v1/users/{user_id}", json={"is_active": False})
    assert response.status_code == 200, response.text
    anonymous = api.client(tenant_a.subdomain)
    refresh = await anonymous.post("/api/v1/auth/refresh", json={"refresh_token": cashier["refresh_token"]})
    assert refresh.status_code == 401
    login = await anonymous.post(
        "/api/v1/auth/login", json={"email": cashier["email"], "password": cashier["password"]}
    )
    assert login.status_code == 401
    assert login.json()["code"] == "account_inactive"


async def test_a_remembered_token_still_expires(api: Api, settings: Settings, tenant_a: TenantSession) -> None:
    """Verified tokens are remembered between requests; their expiry is still checked every time."""
    token = forge(settings, tenant_a, exp=int(time.time()) + 2)
    client = api.client(tenant_a.subdomain)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    await asyncio.sleep(max(0.0, jwt.decode(token, options={"verify_signature": False})["exp"] - time.time()) + 0.05)
    expired = await client.get("/api/v1/me", headers=headers)
    assert expired.status_code == 401 and expired.json()["code"] == "token_expired"


async def test_a_token_remembered_under_one_key_is_checked_under_another(settings: Settings, tenant_a) -> None:
    token = forge(settings, tenant_a)
    assert decode_access_token(settings, token).user_id == tenant_a.admin_id
    rotated = msgspec.structs.replace(settings, secret_key="another signing key of at least thirty-two bytes")
    with pytest.raises(Unauthorized) as refused:
        decode_access_token(rotated, token)
    assert refused.value.code == "token_invalid"
