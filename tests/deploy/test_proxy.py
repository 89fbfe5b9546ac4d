"""The project's Caddyfile, run by the real Caddy in front of a real `orbit serve` and the built
front ends: every route of the production shape, checked through the proxy."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from realtime.client import RealtimeClient
from server.core.config import Settings
from server.core.events import publish
from server.tenancy.certificates import ASK_PATH
from tests.conftest import BASE_DOMAIN, STRONG_PASSWORD
from tests.deploy.conftest import CADDYFILE, ROOT, Caddy, Server, caddy_binary

pytestmark = pytest.mark.slow


@dataclass
class Stack:
    server: Server
    caddy: Caddy
    shop: dict[str, Any]

    @property
    def subdomain(self) -> str:
        return str(self.shop["subdomain"])

    @property
    def token(self) -> str:
        return str(self.shop["tokens"]["access_token"])


@pytest.fixture(scope="module")
async def stack(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    caddy_binary()
    server = Server(settings)
    caddy = Caddy(
        upstreams=[server.address], ask_url=f"http://{server.address}{ASK_PATH}", home=tmp_path_factory.mktemp("caddy")
    )
    try:
        server.start()
        caddy.start()
        await asyncio.gather(server.ready(), caddy.ready())
        await caddy.upstreams_healthy()
        async with caddy.client() as apex:
            registered = await apex.post(
                "/api/v1/auth/register",
                json={
                    "company_name": f"Proxy {uuid.uuid4().hex[:6]}",
                    "admin_name": "Ana",
                    "email": f"ana-{uuid.uuid4().hex[:8]}@example.com",
                    "password": STRONG_PASSWORD,
                    "currency": "CLP",
                    "locale": "es-CL",
                    "time_zone": "America/Santiago",
                },
            )
        assert registered.status_code == 201, registered.text
        yield Stack(server=server, caddy=caddy, shop=registered.json())
    finally:
        caddy.stop()
        server.stop()


def built(app: str, *path: str) -> bytes:
    return ROOT.joinpath(app, "dist", *path).read_bytes()


async def test_the_apex_serves_the_landing_site(stack: Stack) -> None:
    async with stack.caddy.client() as apex, stack.caddy.client("www") as www:
        home = await apex.get("/")
        assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
        assert home.content == built("landing", "index.html")
        assert home.headers["cache-control"] == "no-cache"
        assert home.headers["x-content-type-options"] == "nosniff"
        assert (await www.get("/")).content == home.content
        pricing = await apex.get("/pricing/")
        assert pricing.status_code == 200 and pricing.content == built("landing", "pricing", "index.html")
        missing = await apex.get("/no-such-page")
        assert missing.status_code == 404 and missing.content == built("landing", "404.html")
        policy = home.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
        # The sign-up's redirect ends on the new shop's host: the landing may post there.
        assert f"form-action 'self' http://*.{BASE_DOMAIN}:{stack.caddy.port};" in policy


async def test_pages_carry_the_servers_page_headers_and_the_api_its_own(stack: Stack) -> None:
    """What the proxy serves from files carries the headers the servers give their pages
    (server/core/hardening.py); what it proxies keeps the servers' headers, each once."""
    host = f"{stack.subdomain}.{BASE_DOMAIN}:{stack.caddy.port}"
    async with stack.caddy.client(stack.subdomain) as shop:
        for path in ("/", "/pos/", "/pos/sw.js"):
            page = await shop.get(path)
            policy = page.headers["content-security-policy"]
            assert "default-src 'self'; script-src 'self';" in policy, path
            assert f"connect-src 'self' ws://{host} wss://{host};" in policy, path
            assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
            assert page.headers["x-frame-options"] == "DENY"
            assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
            assert page.headers["cross-origin-opener-policy"] == "same-origin"
            assert "strict-transport-security" not in page.headers  # plain HTTP
        api = await shop.get("/api/v1/organization")
        assert api.status_code == 401
        for name in ("content-security-policy", "x-content-type-options", "referrer-policy"):
            assert len(api.headers.get_list(name)) <= 1, name
        assert api.headers.get("content-security-policy", "").startswith("default-src 'none'")


async def test_a_shop_host_serves_the_spa_with_history_routing(stack: Stack) -> None:
    index = built("frontend", "index.html")
    async with stack.caddy.client(stack.subdomain) as shop:
        for path in ("/", "/products", "/sales/2f1c7c1e-0000-4000-8000-000000000000", "/auth/handoff"):
            response = await shop.get(path)
            assert response.status_code == 200, path
            assert response.content == index, path
        assert (await shop.get("/auth/handoff")).headers["cache-control"] == "no-store"
        assert (await shop.get("/auth/handoff")).headers["referrer-policy"] == "no-referrer"
        script = next(path for path in (ROOT / "frontend" / "dist" / "assets").iterdir() if path.suffix == ".js")
        asset = await shop.get(f"/assets/{script.name}")
        assert asset.status_code == 200 and asset.content == script.read_bytes()
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        missing_script = await shop.get("/assets/no-such-chunk.js")
        assert missing_script.status_code == 404 and missing_script.content != index


async def test_a_shop_host_serves_the_pos_under_pos(stack: Stack) -> None:
    index = built("pwa", "index.html")
    async with stack.caddy.client(stack.subdomain) as shop:
        for path in ("/pos/", "/pos/sell", "/pos/queue/today"):
            response = await shop.get(path)
            assert response.status_code == 200 and response.content == index, path
        bare = await shop.get("/pos")
        assert bare.status_code == 308 and bare.headers["location"] == "/pos/"
        worker = await shop.get("/pos/sw.js")
        assert worker.status_code == 200 and worker.content == built("pwa", "sw.js")
        assert "javascript" in worker.headers["content-type"]
        assert worker.headers["service-worker-allowed"] == "/pos/"
        assert worker.headers["cache-control"] == "no-cache"
        manifest = await shop.get("/pos/manifest.webmanifest")
        assert manifest.status_code == 200 and json.loads(manifest.content)["scope"] == "/pos/"
        assert manifest.headers["cache-control"] == "no-cache"


async def test_the_api_goes_through_to_the_servers(stack: Stack) -> None:
    async with stack.caddy.client(stack.subdomain, Authorization=f"Bearer {stack.token}") as shop:
        organization = await shop.get("/api/v1/organization")
        assert organization.status_code == 200, organization.text
        assert organization.json()["subdomain"] == stack.subdomain
        unknown = await shop.get("/api/v1/no-such-endpoint")
        assert unknown.status_code == 404
        assert unknown.headers["content-type"] == "application/problem+json"
        assert (await shop.get("/ready")).json()["status"] == "ok"
    async with stack.caddy.client("nosuchshop") as nobody:
        assert (await nobody.get("/api/v1/organization")).status_code == 404


async def test_a_websocket_upgrades_through_the_proxy(stack: Stack, settings: Settings, resources: Any) -> None:
    url = f"ws://{stack.subdomain}.{BASE_DOMAIN}:{stack.caddy.port}/ws"
    client = RealtimeClient(url, stack.token, ("sales",), connect_to=("127.0.0.1", stack.caddy.port))
    await client.start()
    try:
        await client.wait_subscribed()
        organization_id = uuid.UUID(stack.shop["organization_id"]) if "organization_id" in stack.shop else None
        if organization_id is None:
            async with stack.caddy.client(stack.subdomain, Authorization=f"Bearer {stack.token}") as shop:
                organization_id = uuid.UUID((await shop.get("/api/v1/organization")).json()["id"])
        sent = await publish(resources.redis, organization_id, "sales", "sale.created", {"through": "proxy"})
        event = await asyncio.wait_for(client.events.get(), 10)
        assert (event.id, event.type, event.data) == (sent, "sale.created", {"through": "proxy"})
    finally:
        await client.close()
    assert client.closes == []


async def test_metrics_and_internal_paths_are_refused_from_outside(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=f"http://{stack.server.address}") as direct:
        assert (await direct.get("/metrics")).status_code == 200  # the server has them ...
        assert (await direct.get(ASK_PATH, params={"domain": BASE_DOMAIN})).status_code == 200
    async with stack.caddy.client() as apex, stack.caddy.client(stack.subdomain) as shop:
        for client in (apex, shop):  # ... the proxy does not give them out
            for path in ("/metrics", "/metrics/", f"{ASK_PATH}?domain={BASE_DOMAIN}"):
                response = await client.get(path)
                assert response.status_code == 404, path
                assert b"orbit_" not in response.content and b"allowed" not in response.content


async def test_the_ask_endpoint_refuses_an_unknown_shop(stack: Stack) -> None:
    """As the proxy asks before it gets a certificate (it calls the servers directly)."""
    async with httpx.AsyncClient(base_url=f"http://{stack.server.address}") as direct:
        known = await direct.get(ASK_PATH, params={"domain": f"{stack.subdomain}.{BASE_DOMAIN}"})
        assert known.status_code == 200
        unknown = await direct.get(ASK_PATH, params={"domain": f"nosuch{uuid.uuid4().hex[:8]}.{BASE_DOMAIN}"})
        assert unknown.status_code == 404


def adapted(tmp_path: Path, **environment: str) -> dict[str, Any]:
    result = subprocess.run(
        [caddy_binary(), "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **environment},
        capture_output=True,
        check=True,
    )
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_the_production_configuration_asks_before_every_certificate(tmp_path: Path) -> None:
    """compose's proxy environment: https on 443, a certificate per name on demand, asked first."""
    config = adapted(
        tmp_path,
        BASE_DOMAIN="shops.example.com",
        ACME_EMAIL="ops@example.com",
        ORBIT_UPSTREAMS="server:8000",
        ORBIT_ASK_URL=f"http://server:8000{ASK_PATH}",
    )
    (server,) = config["apps"]["http"]["servers"].values()
    assert server["listen"] == [":443"]
    automation = config["apps"]["tls"]["automation"]
    (policy,) = automation["policies"]
    assert policy["on_demand"] is True
    assert set(policy["subjects"]) == {"shops.example.com", "*.shops.example.com"}
    assert automation["on_demand"]["ask"] == f"http://server:8000{ASK_PATH}"
    assert automation["on_demand"]["rate_limit"] == {"interval": 60_000_000_000, "burst": 20}
    assert "disabled" not in config.get("admin", {})
    assert '"Strict-Transport-Security":["max-age=63072000; includeSubDomains"]' in json.dumps(
        config, separators=(",", ":")
    )
