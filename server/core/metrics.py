"""Prometheus metrics of the HTTP API, kept in a registry owned by this module.

Labels are bounded: `route` is the matched endpoint's path template (never the raw path),
`method` one of the standard HTTP methods or "other", `status` the response status code.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("orbit.metrics")

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

SYNC_DOCUMENTS = Counter(
    "orbit_sync_documents",
    "Offline documents settled by POST /api/v1/sync/sales, by result (applied, applied_with_conflict, "
    "duplicate, rejected), counted once committed; batches stopped by a transient failure count as retry_later.",
    ("result",),
    registry=REGISTRY,
)
REPLAY_LAG = Histogram(
    "orbit_realtime_replay_lag_seconds",
    "How far behind a resuming WebSocket subscription was: the age of the first event replayed to it.",
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600),
    registry=REGISTRY,
)
REPLAYED_EVENTS = Counter(
    "orbit_realtime_replayed_events",
    "Events sent to resuming subscriptions from the replay streams.",
    registry=REGISTRY,
)
JOB_QUEUE_DEPTH = Gauge(
    "orbit_job_queue_depth",
    "Jobs on a queue, read from Redis at scrape time: waiting (not yet taken by a worker) or pending "
    "(taken, not yet acknowledged).",
    ("queue", "state"),
    registry=REGISTRY,
)
JOB_DURATION = Histogram(
    "orbit_job_duration_seconds",
    "Time a worker spent on a job (a forecast run is task forecasting.run_forecast), by outcome (ok, error).",
    ("task", "outcome"),
    buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600),
    registry=REGISTRY,
)

ScrapeHook = Callable[[Request], Awaitable[None]]


_DECLARED_PATHS: weakref.WeakKeyDictionary[Callable[..., Any], str] = weakref.WeakKeyDictionary()


def declare_route_path(endpoint: Callable[..., Any], path: str) -> None:
    """Name the requests `endpoint` answers by `path` (a template, such as `/sales/{sale_id}`)."""
    _DECLARED_PATHS[endpoint] = path


def route_template(scope: Scope) -> str:
    """The bounded name of the route a request matched: the path its endpoint was declared with
    (`declare_route_path`), else the matched route's path template, else "unmatched"."""
    endpoint = scope.get("endpoint")
    declared = _DECLARED_PATHS.get(endpoint) if callable(endpoint) else None
    if declared is not None:
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


def metrics_route(refresh: Sequence[ScrapeHook] = ()) -> Route:
    """`GET /metrics`: the module's registry in the Prometheus text exposition format (or
    OpenMetrics when the scraper asks for it), after running each `refresh` hook (gauges read
    from elsewhere at scrape time, such as the job queue's depth; a failing hook is logged and
    leaves its gauge as it was). Anonymous: expose it only to the scraper."""

    async def metrics(request: Request) -> Response:
        for hook in refresh:
            try:
                await hook(request)
            except Exception:
                logger.warning("metrics refresh %r failed", hook, exc_info=True)
        encoder, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encoder(REGISTRY), headers={"Content-Type": content_type})

    declare_route_path(metrics, METRICS_PATH)
    return Route(METRICS_PATH, metrics, methods=["GET"], name="metrics")
