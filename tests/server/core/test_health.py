from __future__ import annotations

from redis.asyncio import Redis

from server.core.context import Resources


async def test_health_and_ready(api) -> None:
    client = api.client()
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_ready_is_503_when_redis_is_unreachable(app, api, resources: Resources) -> None:
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    app.state.resources = Resources(settings=resources.settings, database=resources.database, redis=unreachable)
    try:
        ready = await api.client().get("/ready")
    finally:
        app.state.resources = resources
        await unreachable.aclose()
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["redis"].startswith("unavailable")


async def test_unknown_routes_are_problem_404s(api, tenant_a) -> None:
    response = await tenant_a.client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    wrong_method = await tenant_a.client.delete("/api/v1/me")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"] == "application/problem+json"


async def test_openapi_document_lists_the_api(api) -> None:
    document = (await api.client().get("/api/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/auth/register" in document["paths"]
    assert "/api/v1/users/{user_id}" in document["paths"]
    docs = await api.client().get("/api/docs")
    assert docs.status_code == 200
    assert "https://" not in docs.text and "http://" not in docs.text
