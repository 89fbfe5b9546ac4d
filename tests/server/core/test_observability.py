"""Request ids, JSON log lines, jobs that log under their request's id, and error reports to
Sentry through an in-process transport (the real SDK, only its network leg replaced)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import logging.config
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sentry_sdk
from prometheus_client.parser import text_string_to_metric_families
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport
from taskiq import TaskiqResult

from forecasting.jobs import make_broker
from server.app import create_app
from server.core.api import ANY_ROLE, Router, build_routes
from server.core.config import Settings
from server.core.observability import (
    JobObservability,
    JsonFormatter,
    RequestInfo,
    bound,
    current,
    init_error_reports,
    logging_config,
    report_exception,
)
from server.tenancy.service import resolve_tenant
from tests.conftest import BASE_DOMAIN, TenantSession, tenant_url


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("orbit")
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def lines_of(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_one_json_line_per_request_with_its_ids(tenant_a: TenantSession, captured: io.StringIO) -> None:
    product_id = uuid.uuid4()
    response = await tenant_a.client.get(
        f"/api/v1/products/{product_id}", params={"who": "Ana Pérez"}, headers={"X-Request-Id": "till-7.retry:2"}
    )
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "till-7.retry:2"
    assert response.json()["request_id"] == "till-7.retry:2"
    [line] = [line for line in lines_of(captured) if line["logger"] == "orbit.access"]
    assert line["request_id"] == "till-7.retry:2"
    assert line["tenant"] == str(tenant_a.organization_id)
    assert line["user"] == str(tenant_a.admin_id)
    assert (line["method"], line["route"], line["status"]) == ("GET", "/api/v1/products/{product_id:uuid}", 404)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "info" and line["service"] and line["time"].endswith("+00:00")
    assert str(product_id) not in json.dumps(line) and "Ana" not in json.dumps(line)


async def test_a_missing_or_malformed_request_id_is_replaced(tenant_a: TenantSession, captured: io.StringIO) -> None:
    made = await tenant_a.client.get("/api/v1/products")
    hostile = await tenant_a.client.get("/api/v1/products", headers={"X-Request-Id": "x" * 129})
    spaced = await tenant_a.client.get("/api/v1/products", headers={"X-Request-Id": "a b"})
    ids = [response.headers["x-request-id"] for response in (made, hostile, spaced)]
    assert all(len(value) == 32 and int(value, 16) >= 0 for value in ids)
    assert len(set(ids)) == 3
    logged = [line["request_id"] for line in lines_of(captured) if line["logger"] == "orbit.access"]
    assert logged == ids


async def test_anonymous_requests_and_problems_carry_the_id(app: Any, captured: io.StringIO) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{BASE_DOMAIN}") as client:
        response = await client.post("/api/v1/auth/register", json={"company_name": "x"})
    assert response.status_code == 422
    assert response.json()["request_id"] == response.headers["x-request-id"]
    [line] = [line for line in lines_of(captured) if line["logger"] == "orbit.access"]
    assert line["route"] == "/api/v1/auth/register" and line["status"] == 422
    assert "tenant" not in line and "user" not in line


def test_exceptions_are_one_line_and_the_config_is_valid() -> None:
    formatter = JsonFormatter()
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("orbit.test").makeRecord(
            "orbit.test", logging.ERROR, __file__, 1, "failed %s", ("here",), exc_info=sys.exc_info(), extra={"run": 3}
        )
    with bound(RequestInfo(request_id="r1", tenant="t1")):
        line = formatter.format(record)
    assert "\n" not in line
    payload = json.loads(line)
    assert payload["message"] == "failed here" and payload["run"] == 3 and payload["request_id"] == "r1"
    assert "ValueError: boom" in payload["exception"]
    logging.config.dictConfig(logging_config("json"))
    logging.config.dictConfig(logging_config("text"))
    with pytest.raises(ValueError):
        logging_config("xml")


async def test_a_request_id_travels_into_the_job_it_enqueues(
    tenant_a: TenantSession, resources: Any, monkeypatch: pytest.MonkeyPatch, captured: io.StringIO
) -> None:
    stream = f"orbit:test-jobs:{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("ORBIT_JOB_STREAM", stream)
    response = await tenant_a.client.post(
        "/api/v1/forecasts/runs", json={"horizon_days": 7}, headers={"X-Request-Id": "ask-forecast-1"}
    )
    assert response.status_code == 202, response.text
    [(_, fields)] = await resources.redis.xrange(stream)
    broker = make_broker(resources.settings)
    message = broker.formatter.loads(fields[b"data"])
    assert message.labels["request_id"] == "ask-forecast-1"
    assert message.labels["tenant"] == str(tenant_a.organization_id)

    metrics = await tenant_a.client.get("/metrics")
    families = {family.name: family for family in text_string_to_metric_families(metrics.text)}
    depth = {
        s.labels["state"]: s.value for s in families["orbit_job_queue_depth"].samples if s.labels["queue"] == stream
    }
    assert depth == {"waiting": 1.0, "pending": 0.0}

    # What the worker does with it: the job runs, and logs, under the request's ids.
    middleware = JobObservability()
    seen: list[RequestInfo | None] = []

    async def job() -> None:
        middleware.pre_execute(message)
        logging.getLogger("orbit.forecasting").info("running")
        seen.append(current())
        middleware.post_execute(message, TaskiqResult(is_err=False, return_value=None, execution_time=1.5))

    await asyncio.create_task(job())
    assert current() is None or current() is not seen[0]
    assert seen[0] is not None and seen[0].request_id == "ask-forecast-1"
    lines = [line for line in lines_of(captured) if line["logger"] in ("orbit.forecasting", "orbit.jobs")]
    assert {line["request_id"] for line in lines} == {"ask-forecast-1"}
    assert {line["tenant"] for line in lines} == {str(tenant_a.organization_id)}
    [done] = [line for line in lines if line["logger"] == "orbit.jobs"]
    assert done["task"] == "forecasting.run_forecast" and done["outcome"] == "ok" and done["duration_ms"] == 1500
    await resources.redis.delete(stream)


class LocalTransport(Transport):
    """Keeps the envelopes the SDK would send, in this process."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict[str, Any]]:
        return [
            item.payload.json or {} for envelope in self.envelopes for item in envelope.items if item.type == "event"
        ]


@pytest.fixture
def sentry() -> Iterator[LocalTransport]:
    transport = LocalTransport()
    assert init_error_reports(
        "https://public@errors.invalid/1", environment="test", service="server", transport=transport
    )
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


async def test_unexpected_errors_are_reported_with_tenant_and_request_id_only(
    settings: Settings, resources: Any, tenant_a: TenantSession, sentry: LocalTransport
) -> None:
    router = Router(tags=["test"])

    @router.post("/api/v1/test/explode", access=ANY_ROLE)
    async def explode(ctx: Any) -> None:
        raise RuntimeError("the till ran out of paper")

    app = create_app(settings)
    app.state.resources = resources
    app.router.routes[:0] = build_routes([router], resolve_tenant)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=tenant_url(tenant_a.subdomain)) as client:
        response = await client.post(
            "/api/v1/test/explode?email=ana@example.com",
            json={"customer": "Ana Pérez"},
            headers={**tenant_a.auth(), "X-Request-Id": "boom-1", "Cookie": "orbit_refresh=secret"},
        )
    assert response.status_code == 500
    assert response.json()["request_id"] == "boom-1"
    [event] = sentry.events()
    assert event["tags"]["tenant"] == str(tenant_a.organization_id)
    assert event["tags"]["request_id"] == "boom-1"
    assert event["tags"]["service"] == "server"
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    text = json.dumps(event)
    for personal in ("Ana", "ana@example.com", "secret", "203.0.113", str(tenant_a.admin_id), tenant_a.email):
        assert personal not in text
    assert "request" not in event and "user" not in event


def test_without_a_dsn_nothing_is_reported() -> None:
    assert init_error_reports("", environment="test", service="server") is False
    assert not sentry_sdk.get_client().is_active()
    report_exception(RuntimeError("nobody listens"))  # a no-op, not an error
