"""`/metrics` and the HTTP metrics of the real application: its routes, its middleware, its
error handlers (no copy of them is built here)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient

from server.app import create_app
from server.core.config import Settings
from server.core.metrics import REGISTRY, UNMATCHED, MetricsMiddleware
from tests.conftest import TenantSession

PRODUCT = "/api/v1/products/{product_id:uuid}"


def requests_total(method: str, route: str, status: int) -> float:
    labels = {"method": method, "route": route, "status": str(status)}
    return REGISTRY.get_sample_value("orbit_http_requests_total", labels) or 0.0


def duration_count(method: str, route: str) -> float:
    labels = {"method": method, "route": route}
    return REGISTRY.get_sample_value("orbit_http_request_duration_seconds_count", labels) or 0.0


def all_routes() -> set[str]:
    return {
        sample.labels["route"]
        for family in REGISTRY.collect()
        if family.name == "orbit_http_requests"
        for sample in family.samples
    }


def total_requests() -> float:
    return sum(
        sample.value
        for family in REGISTRY.collect()
        for sample in family.samples
        if sample.name == "orbit_http_requests_total"
    )


@pytest.fixture
def anonymous(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://orbitengine.localhost")


async def test_api_requests_are_counted_per_route_template(tenant_a: TenantSession) -> None:
    before, timed = requests_total("GET", PRODUCT, 404), duration_count("GET", PRODUCT)
    ids = [uuid.uuid4(), uuid.uuid4()]
    for product_id in ids:
        assert (await tenant_a.client.get(f"/api/v1/products/{product_id}")).status_code == 404
    assert requests_total("GET", PRODUCT, 404) == before + 2
    assert duration_count("GET", PRODUCT) == timed + 2
    assert not any(str(product_id) in route for product_id in ids for route in all_routes())
    listed = requests_total("GET", "/api/v1/products", 200)
    assert (await tenant_a.client.get("/api/v1/products", params={"search": "té"})).status_code == 200
    assert requests_total("GET", "/api/v1/products", 200) == listed + 1


async def test_probes_front_ends_and_unmatched_paths(anonymous: httpx.AsyncClient) -> None:
    health, web = (
        requests_total("GET", "/health", 200),
        sum(requests_total("GET", "/{web path}", status) for status in (200, 404, 503)),
    )
    unmatched = requests_total("GET", UNMATCHED, 404)
    assert (await anonymous.get("/health")).status_code == 200
    await anonymous.get("/some/page/of/the/landing")
    assert (await anonymous.get("/api/v1/no/such/thing")).status_code == 404
    assert (await anonymous.get(f"/api/v1/products/{'x' * 8}-not-a-uuid")).status_code == 404
    assert requests_total("GET", "/health", 200) == health + 1
    assert sum(requests_total("GET", "/{web path}", status) for status in (200, 404, 503)) == web + 1
    assert requests_total("GET", UNMATCHED, 404) == unmatched + 2
    assert not any("no/such" in route or "not-a-uuid" in route or "landing" in route for route in all_routes())


async def test_method_and_status_labels(tenant_a: TenantSession) -> None:
    product = f"/api/v1/products/{uuid.uuid4()}"
    wrong_method = requests_total("PUT", PRODUCT, 405)
    odd_method = requests_total("other", PRODUCT, 405)
    assert (await tenant_a.client.put(product)).status_code == 405
    assert (await tenant_a.client.request("BREW", product)).status_code == 405
    assert requests_total("PUT", PRODUCT, 405) == wrong_method + 1
    assert requests_total("other", PRODUCT, 405) == odd_method + 1
    assert all(method != "BREW" for method in {s.labels.get("method") for f in REGISTRY.collect() for s in f.samples})


async def test_an_app_that_raises_before_answering_is_counted_as_500() -> None:
    """The middleware's own rule, on a bare ASGI app that fails before its response starts."""

    async def failing(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    route = Route("/api/v1/explode", failing)
    scope = {"type": "http", "method": "POST", "path": "/api/v1/explode", "route": route, "endpoint": failing}
    before = requests_total("POST", "/api/v1/explode", 500)
    with pytest.raises(RuntimeError):
        await MetricsMiddleware(failing)(scope, None, None)  # type: ignore[arg-type]
    assert requests_total("POST", "/api/v1/explode", 500) == before + 1


def test_websockets_and_lifespan_pass_through(settings: Settings) -> None:
    """A second app of the same settings, with its own lifespan (the WebSocket hub runs in it)."""
    app = create_app(settings)
    assert any(isinstance(route, WebSocketRoute) and route.path == "/ws" for route in app.routes)
    before = total_requests()
    with (
        TestClient(app, base_url="http://orbitengine.localhost") as client,
        client.websocket_connect("/ws") as websocket,
    ):
        websocket.send_text("not an auth frame")
        frame = websocket.receive()
        assert frame["type"] in ("websocket.send", "websocket.close")
    assert total_requests() == before


async def test_metrics_endpoint_serves_exposition_text(anonymous: httpx.AsyncClient, tenant_a: TenantSession) -> None:
    await tenant_a.client.get(f"/api/v1/products/{uuid.uuid4()}")
    response = await anonymous.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")

    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    requests = families["orbit_http_requests"]
    assert requests.type == "counter"
    assert any(
        sample.name == "orbit_http_requests_total"
        and sample.labels == {"method": "GET", "route": PRODUCT, "status": "404"}
        and sample.value >= 1
        for sample in requests.samples
    )
    durations = families["orbit_http_request_duration_seconds"]
    assert durations.type == "histogram"
    assert {sample.name for sample in durations.samples} >= {
        "orbit_http_request_duration_seconds_bucket",
        "orbit_http_request_duration_seconds_count",
        "orbit_http_request_duration_seconds_sum",
    }
    assert "python_info" in families
    assert "process_cpu_seconds" in families


async def test_metrics_route_is_labelled_by_its_own_path(anonymous: httpx.AsyncClient) -> None:
    before = requests_total("GET", "/metrics", 200)
    await anonymous.get("/metrics")
    assert requests_total("GET", "/metrics", 200) == before + 1
