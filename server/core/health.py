"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.core.context import Resources
from server.core.draining import draining

CHECK_TIMEOUT_SECONDS = 2.0


async def health(request: Request) -> Response:
    """The process is up and serving."""
    return JSONResponse({"status": "ok"})


async def _check_database(resources: Resources) -> None:
    async with resources.database.engine.connect() as connection:
        await connection.execute(text("select 1"))


async def _check_redis(resources: Resources) -> None:
    await resources.redis.ping()


async def ready(request: Request) -> Response:
    """The process can reach PostgreSQL and Redis: 200 when both answer, 503 otherwise. A
    draining process (stopping: `server.core.draining`) answers 503 without checking."""
    if draining():
        return JSONResponse({"status": "draining", "checks": {}}, status_code=503)
    resources: Resources = request.app.state.resources
    checks = {"database": _check_database, "redis": _check_redis}
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check(resources), CHECK_TIMEOUT_SECONDS)
            results[name] = "ok"
        except Exception as exc:
            results[name] = f"unavailable: {type(exc).__name__}"
    healthy = all(value == "ok" for value in results.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results}, status_code=200 if healthy else 503
    )


def health_routes() -> list[Route]:
    return [Route("/health", health, methods=["GET"]), Route("/ready", ready, methods=["GET"])]
