"""The Starlette application: every domain's endpoints, the probes and the API document; the
process-wide resources (`server.resources`) and the realtime hub are opened and closed with the
lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request

from forecasting.routes import router as forecasting_router
from realtime.hub import Hub
from realtime.routes import websocket_route
from server.audit.routes import router as audit_router
from server.catalog.routes import router as catalog_router
from server.core.api import Endpoint, Router, build_routes
from server.core.config import Settings, load_settings
from server.core.draining import DrainMiddleware
from server.core.errors import EXCEPTION_HANDLERS, handle_unexpected
from server.core.hardening import SecurityHeadersMiddleware, cors_middleware
from server.core.health import health_routes
from server.core.metrics import MetricsMiddleware, metrics_route
from server.core.observability import RequestLogMiddleware, init_error_reports, set_service
from server.core.openapi import build_openapi, openapi_routes
from server.customers.routes import router as customers_router
from server.documents.routes import router as documents_router
from server.inventory.routes import router as inventory_router
from server.job_queue import observe_queue_depth
from server.reports.routes import router as reports_router
from server.resources import close_resources, open_resources, opened_resources
from server.sales.routes import router as sales_router
from server.storage.routes import router as files_router
from server.tenancy.certificates import certificate_routes
from server.tenancy.routes import router as tenancy_router
from server.tenancy.service import resolve_tenant
from server.users.routes import router as users_router
from server.webapps import webapp_routes
from sync.routes import router as sync_router

__all__ = ["all_endpoints", "close_resources", "create_app", "open_resources", "openapi_document"]
"""`open_resources` and `close_resources` live in `server.resources`; they are named here too
for the callers that open the application's resources beside the application."""

API_TITLE = "OrbitEngine API"
API_VERSION = "1.0.0"

ROUTERS: Sequence[Router] = (
    tenancy_router,
    users_router,
    audit_router,
    catalog_router,
    inventory_router,
    customers_router,
    sales_router,
    reports_router,
    forecasting_router,
    sync_router,
    files_router,
    documents_router,
)


def all_endpoints() -> list[Endpoint]:
    return [endpoint for router in ROUTERS for endpoint in router.endpoints]


def openapi_document() -> dict[str, Any]:
    """The API document served at `/api/openapi.json` (and written by `orbit openapi`)."""
    return build_openapi(all_endpoints(), title=API_TITLE, version=API_VERSION)


async def _observe_job_queue(request: Request) -> None:
    await observe_queue_depth(request.app.state.resources.redis)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    set_service("server")
    init_error_reports(
        settings.sentry_dsn, environment=settings.environment, service="server", release=settings.sentry_release or None
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with opened_resources(settings) as resources:
            app.state.resources = resources
            app.state.realtime = await Hub(resources).start()
            try:
                yield
            finally:
                await app.state.realtime.stop()

    routes = [
        *health_routes(),
        *certificate_routes(),
        metrics_route(refresh=(_observe_job_queue,)),
        *openapi_routes(all_endpoints, title=API_TITLE, version=API_VERSION),
        *build_routes(ROUTERS, resolve_tenant),
        websocket_route(),
        *webapp_routes(settings),
    ]
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            Middleware(RequestLogMiddleware, on_error=handle_unexpected),
            Middleware(MetricsMiddleware),
            Middleware(SecurityHeadersMiddleware, https=settings.public_scheme == "https"),
            *cors_middleware(settings.allowed_origins),
            Middleware(DrainMiddleware),
        ],
    )
