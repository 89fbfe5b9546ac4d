"""Prometheus metrics of the HTTP API, kept in a registry owned by this module.

Labels are bounded: `route` is the matched endpoint's path template (never the raw path),
`method` one of the standard HTTP methods or "other", `status` the response status code.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

METRICS_PATH = "/metrics"
UNMATCHED = "unmatched"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

REQUESTS = Counter(
    "orbit_http_requests_total",
    "HTTP requests answered, by method, route template and status code.",
    ("method", "route", "status"),
    registry=REGISTRY,
)
DURATION = Histogram(
    "orbit_http_request_duration_seconds",
    "Time from receiving an HTTP request to sending the end of its response.",
    ("method", "route"),
    registry=REGISTRY,
)


def route_template(scope: Scope) -> str:
    """The bounded name of the route a request matched: the endpoint's `route_path` when it
    declares one, else the matched route's path template, else "unmatched"."""
    declared = getattr(scope.get("endpoint"), "route_path", None)
    if isinstance(declared, str):
        return declared
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED


class MetricsMiddleware:
    """Count and time every HTTP request; other scope types pass through untouched.

    The route label is `route_template(scope)`. A request whose app raises before starting a
    response is counted with status 500; one whose client hung up during its upload is answered
    (to nobody) and counted as 499 by the error handlers (`server.core.errors`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_status)
        finally:
            elapsed = time.perf_counter() - start
            route = route_template(scope)
            method = scope["method"] if scope["method"] in _METHODS else "other"
            REQUESTS.labels(method, route, str(status)).inc()
            DURATION.labels(method, route).observe(elapsed)


async def _metrics(request: Request) -> Response:
    encoder, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encoder(REGISTRY), headers={"Content-Type": content_type})


_metrics.route_path = METRICS_PATH  # type: ignore[attr-defined]


def metrics_route() -> Route:
    """`GET /metrics`: the module's registry in the Prometheus text exposition format (or
    OpenMetrics when the scraper asks for it). Anonymous: expose it only to the scraper."""
    return Route(METRICS_PATH, _metrics, methods=["GET"], name="metrics")
