"""The proxy's `ask` before it gets a shop's certificate (server/tenancy/certificates.py)."""

from __future__ import annotations

import random
import uuid
from typing import Any

import httpx
from sqlalchemy import text

from server.core import ratelimit
from server.core.config import Settings
from server.core.context import Resources
from server.tenancy.certificates import ASK_PATH, ASKS_PER_MINUTE, certificate_subdomain
from tests.conftest import BASE_DOMAIN, TenantSession


def internal_client(app: Any, caller: str = "10.0.0.2") -> httpx.AsyncClient:
    """As the proxy calls it: straight to a server, whose Host is the server's own name."""
    transport = httpx.ASGITransport(app=app, client=(caller, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://server:8000")


def test_names_and_what_they_are(settings: Settings) -> None:
    assert certificate_subdomain(BASE_DOMAIN, settings) == ""
    assert certificate_subdomain(f"www.{BASE_DOMAIN}.", settings) == ""
    assert certificate_subdomain(f"Shop.{BASE_DOMAIN.upper()}", settings) == "shop"
    for name in (f"a.b.{BASE_DOMAIN}", "example.com", f"{BASE_DOMAIN}.evil.com", "127.0.0.1", f".{BASE_DOMAIN}", ""):
        assert certificate_subdomain(name, settings) is None, name


async def test_the_apex_and_an_existing_shop_may_have_certificates(app: Any, tenant_a: TenantSession) -> None:
    async with internal_client(app) as client:
        for name in (BASE_DOMAIN, f"www.{BASE_DOMAIN}", f"{tenant_a.subdomain}.{BASE_DOMAIN}"):
            response = await client.get(ASK_PATH, params={"domain": name})
            assert response.status_code == 200, (name, response.text)
            assert response.json() == {"domain": name, "allowed": True}
        upper = await client.get(ASK_PATH, params={"domain": f"{tenant_a.subdomain.upper()}.{BASE_DOMAIN}"})
        assert upper.status_code == 200


async def test_unknown_inactive_and_foreign_names_are_refused(
    app: Any, tenant_a: TenantSession, tenant_b: TenantSession, owner_engine: Any
) -> None:
    async with owner_engine.begin() as connection:
        await connection.execute(
            text("update organizations set is_active = false where id = :id"), {"id": tenant_b.organization_id}
        )
    refused = [
        f"nosuchshop{uuid.uuid4().hex[:8]}.{BASE_DOMAIN}",
        f"{tenant_b.subdomain}.{BASE_DOMAIN}",
        f"x.{tenant_a.subdomain}.{BASE_DOMAIN}",
        f"{tenant_a.subdomain}.example.com",
        "example.com",
        "203.0.113.9",
        "a" * 300 + f".{BASE_DOMAIN}",
    ]
    async with internal_client(app) as client:
        for name in refused:
            response = await client.get(ASK_PATH, params={"domain": name})
            assert response.status_code == 404, (name, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["code"] == "unknown_host"
        missing = await client.get(ASK_PATH)
        assert missing.status_code == 400 and missing.json()["code"] == "domain_required"


async def test_asks_are_rate_limited_per_caller(app: Any, resources: Resources, tenant_a: TenantSession) -> None:
    caller = f"198.51.100.{random.randint(1, 254)}"
    key = ratelimit.limit_key("global", "tls-ask", caller)
    await resources.redis.delete(key)
    try:
        name = f"{tenant_a.subdomain}.{BASE_DOMAIN}"
        async with internal_client(app, caller) as client, internal_client(app, "10.0.0.3") as other:
            for _ in range(ASKS_PER_MINUTE):
                assert (await client.get(ASK_PATH, params={"domain": f"nope.{BASE_DOMAIN}"})).status_code == 404
            refused = await client.get(ASK_PATH, params={"domain": name})
            assert refused.status_code == 429
            assert 1 <= int(refused.headers["retry-after"]) <= 60
            # Another caller is not held up by the first one's flood.
            assert (await other.get(ASK_PATH, params={"domain": name})).status_code == 200
    finally:
        await resources.redis.delete(key)
