"""Security headers on every answer of the real application, HSTS only under https, CORS only
when configured, and a body limit on every route that takes a body."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.routing import Route

from server.app import create_app
from server.core.hardening import API_POLICY, PAGE_POLICY
from tests.conftest import BASE_DOMAIN, TenantSession, make_settings, tenant_url


def assert_secured(response: httpx.Response) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["referrer-policy"] in ("strict-origin-when-cross-origin", "no-referrer")
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "access-control-allow-origin" not in headers


async def test_api_answers_carry_the_security_headers(app: Any, tenant_a: TenantSession) -> None:
    answers = [
        await tenant_a.client.get("/api/v1/products"),
        await tenant_a.client.get("/api/v1/products/export.csv"),
        await tenant_a.client.post("/api/v1/categories", json={"name": ""}),
        await tenant_a.client.get("/api/v1/nowhere"),
        await tenant_a.client.get("/health"),
        await tenant_a.client.get("/api/openapi.json"),
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 422, 404, 200, 200]
    for answer in answers:
        assert_secured(answer)
        assert answer.headers["content-security-policy"] == API_POLICY
        assert "strict-transport-security" not in answer.headers  # plain http
    docs = await tenant_a.client.get("/api/docs")
    assert_secured(docs)
    assert docs.headers["content-security-policy"] == PAGE_POLICY
    assert "'unsafe-inline'" not in PAGE_POLICY.split("script-src")[1].split(";")[0]


@pytest.fixture
async def https_app(database_url: str, service_urls: tuple[str, str], resources: Any) -> AsyncIterator[Any]:
    settings = make_settings(
        database_url,
        service_urls[1],
        public_scheme="https",
        cors_origins="https://till.example.com, https://kiosk.example.com/",
    )
    application = create_app(settings)
    application.state.resources = resources
    yield application


async def test_hsts_under_https_and_cors_only_for_configured_origins(
    app: Any, https_app: Any, tenant_a: TenantSession
) -> None:
    token = tenant_a.auth()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=https_app), base_url=tenant_url(tenant_a.subdomain)
    ) as client:
        listed = await client.get("/api/v1/products", headers={**token, "Origin": "https://till.example.com"})
        assert listed.status_code == 200
        assert listed.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
        assert listed.headers["access-control-allow-origin"] == "https://till.example.com"
        assert "x-request-id" in listed.headers["access-control-expose-headers"].lower()
        preflight = await client.options(
            "/api/v1/sales",
            headers={
                "Origin": "https://kiosk.example.com",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://kiosk.example.com"
        assert "access-control-allow-credentials" not in preflight.headers
        stranger = await client.get("/api/v1/products", headers={**token, "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in stranger.headers
        refused = await client.options(
            "/api/v1/sales", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
        assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=tenant_url(tenant_a.subdomain)
    ) as client:
        plain = await client.get("/api/v1/products", headers={**token, "Origin": "https://till.example.com"})
        assert "access-control-allow-origin" not in plain.headers
        preflight = await client.options(
            "/api/v1/sales", headers={"Origin": "https://till.example.com", "Access-Control-Request-Method": "POST"}
        )
        assert "access-control-allow-origin" not in preflight.headers
        assert preflight.status_code == 405


def test_a_wildcard_or_bare_origin_is_refused(database_url: str, service_urls: tuple[str, str]) -> None:
    from server.core.config import ConfigError

    for origins in ("*", "till.example.com"):
        with pytest.raises(ConfigError, match="CORS_ORIGINS"):
            make_settings(database_url, service_urls[1], cors_origins=origins)


def test_every_route_that_takes_a_body_limits_it(app: Any) -> None:
    """Starlette reads a body into memory: a route without a limit would take any size."""
    unlimited = [
        f"{sorted(route.methods or ())} {route.path}"
        for route in app.routes
        if isinstance(route, Route)
        and set(route.methods or ()) - {"GET", "HEAD", "OPTIONS"}
        and not isinstance(route.app, RequestBodyLimitMiddleware)
    ]
    assert unlimited == []


async def test_an_oversized_body_is_413_before_it_is_read_whole(tenant_a: TenantSession) -> None:
    response = await tenant_a.client.post(
        "/api/v1/categories",
        content=b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert_secured(response)


async def test_landing_pages_are_secured_too(app: Any) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{BASE_DOMAIN}") as client:
        page = await client.get("/")
    assert_secured(page)


async def test_a_revalidated_page_keeps_its_own_policy(
    tmp_path: Any, database_url: str, service_urls: tuple[str, str], resources: Any
) -> None:
    """A 304 gets no policy of its own: the browser merges a 304's headers into the page it has
    cached, and an API policy there blanked the SPA on its next visit (found by the browser tests)."""
    (tmp_path / "frontend" / "dist").mkdir(parents=True)
    (tmp_path / "frontend" / "dist" / "index.html").write_text('<!doctype html><script src="/assets/a.js"></script>')
    app = create_app(make_settings(database_url, service_urls[1], web_root=str(tmp_path)))
    app.state.resources = resources
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://demo.{BASE_DOMAIN}") as client:
        page = await client.get("/sign-in")
        assert page.status_code == 200
        assert "script-src 'self'" in page.headers["content-security-policy"]
        again = await client.get("/sign-in", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304
    assert "content-security-policy" not in again.headers
    assert again.headers["x-content-type-options"] == "nosniff"
