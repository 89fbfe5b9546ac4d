from __future__ import annotations

import uuid
from typing import Any

import msgspec
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket

from server.core.api import PUBLIC, Endpoint, Router
from server.core.metrics import REGISTRY, MetricsMiddleware, metrics_route

ITEM = "/api/v1/items/{item_id:uuid}"


class Item(msgspec.Struct):
    id: uuid.UUID


router = Router(tags=["items"])


@router.get(ITEM, access=PUBLIC, response=Item)
async def get_item(ctx: Any, item_id: uuid.UUID) -> Item:
    return Item(id=item_id)


@router.post("/api/v1/explode", access=PUBLIC)
async def explode(ctx: Any) -> None:
    raise RuntimeError("boom")


def as_route(endpoint: Endpoint) -> Route:
    """What `build_route` does for metrics: the matched endpoint carries its path template."""

    async def run(request: Request) -> Response:
        result = await endpoint.handler(None, **request.path_params)
        return Response(msgspec.json.encode(result), status_code=endpoint.status, media_type="application/json")

    run.route_path = endpoint.path  # type: ignore[attr-defined]
    return Route(endpoint.path, run, methods=[endpoint.method])


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(await websocket.receive_text())
    await websocket.close()


@pytest.fixture(scope="module")
def client() -> TestClient:
    routes = [*(as_route(endpoint) for endpoint in router.endpoints), WebSocketRoute("/ws", echo), metrics_route()]
    app = Starlette(routes=routes, middleware=[Middleware(MetricsMiddleware)])
    return TestClient(app, raise_server_exceptions=False)


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


def test_requests_are_counted_per_route_template(client: TestClient) -> None:
    before, timed = requests_total("GET", ITEM, 200), duration_count("GET", ITEM)
    ids = [uuid.uuid4(), uuid.uuid4()]
    for item_id in ids:
        assert client.get(f"/api/v1/items/{item_id}").status_code == 200
    assert requests_total("GET", ITEM, 200) == before + 2
    assert duration_count("GET", ITEM) == timed + 2
    assert not any(str(item_id) in route for item_id in ids for route in all_routes())


def test_unmatched_paths_share_one_label(client: TestClient) -> None:
    before = requests_total("GET", "unmatched", 404)
    assert client.get("/no/such/path").status_code == 404
    assert client.get("/api/v1/items/not-a-uuid").status_code == 404
    assert requests_total("GET", "unmatched", 404) == before + 2
    assert not any(route.startswith("/no/") or "not-a-uuid" in route for route in all_routes())


def test_method_and_status_labels(client: TestClient) -> None:
    wrong_method = requests_total("DELETE", ITEM, 405)
    odd_method = requests_total("other", ITEM, 405)
    failed = requests_total("POST", "/api/v1/explode", 500)
    item = f"/api/v1/items/{uuid.uuid4()}"
    assert client.delete(item).status_code == 405
    assert client.request("BREW", item).status_code == 405
    assert client.post("/api/v1/explode").status_code == 500
    assert requests_total("DELETE", ITEM, 405) == wrong_method + 1
    assert requests_total("other", ITEM, 405) == odd_method + 1
    assert requests_total("POST", "/api/v1/explode", 500) == failed + 1
    assert all(method != "BREW" for method in {s.labels.get("method") for f in REGISTRY.collect() for s in f.samples})


def test_websockets_and_lifespan_pass_through(client: TestClient) -> None:
    before = sum(
        sample.value
        for family in REGISTRY.collect()
        for sample in family.samples
        if sample.name == "orbit_http_requests_total"
    )
    with TestClient(client.app) as lifespan_client, lifespan_client.websocket_connect("/ws") as websocket:
        websocket.send_text("ping")
        assert websocket.receive_text() == "ping"
    after = sum(
        sample.value
        for family in REGISTRY.collect()
        for sample in family.samples
        if sample.name == "orbit_http_requests_total"
    )
    assert after == before


def test_metrics_endpoint_serves_exposition_text(client: TestClient) -> None:
    client.get(f"/api/v1/items/{uuid.uuid4()}")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")

    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    requests = families["orbit_http_requests"]
    assert requests.type == "counter"
    assert any(
        sample.name == "orbit_http_requests_total"
        and sample.labels == {"method": "GET", "route": ITEM, "status": "200"}
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


def test_metrics_route_is_labelled_by_its_own_path(client: TestClient) -> None:
    before = requests_total("GET", "/metrics", 200)
    client.get("/metrics")
    assert requests_total("GET", "/metrics", 200) == before + 1
