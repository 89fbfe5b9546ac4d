"""Report exports as jobs, with a real worker: the Taskiq receiver of `orbit worker`, on the real
broker and Redis stream, running in this process. The CSV is the report's own `.csv` download,
stored in the tenant's storage; progress is on the tenant's `reports` topic."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import msgspec
import pytest
from sqlalchemy import func, select
from taskiq.acks import AcknowledgeType
from taskiq.api import run_receiver_task

from forecasting.jobs import make_broker
from server.core.config import Settings
from server.core.context import Resources
from server.core.events import stream_key
from server.documents.exports import object_name
from server.documents.models import ReportExport
from server.job_queue import attach_resources
from server.storage import TenantStorage, storage_for
from tests.conftest import Api, TenantSession
from tests.forecasting.conftest import load_history


@pytest.fixture
def job_stream(monkeypatch: pytest.MonkeyPatch) -> str:
    """A job stream of this test's own, so no other test's worker takes its jobs."""
    name = f"orbit:test-jobs:{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("ORBIT_JOB_STREAM", name)
    return name


@pytest.fixture
async def worker(
    settings: Settings,
    resources: Resources,
    job_stream: str,
) -> AsyncIterator[None]:
    """`orbit worker`'s receiver on this test's own job stream, in this process."""
    broker = make_broker(settings)
    broker.is_worker_process = True
    await broker.startup()
    attach_resources(broker, resources)
    receiver = asyncio.create_task(
        run_receiver_task(broker, max_async_tasks=1, ack_time=AcknowledgeType.WHEN_SAVED, run_startup=False)
    )
    yield
    receiver.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await receiver
    await broker.shutdown()


async def wait_until_finished(tenant: TenantSession, export_id: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        export = (await tenant.client.get(f"/api/v1/reports/exports/{export_id}")).json()
        if export["status"] in ("ready", "failed"):
            return dict(export)
        await asyncio.sleep(0.1)
    raise AssertionError(f"export still {export['status']} after {seconds} s")


async def reports_events(resources: Resources, tenant: TenantSession) -> list[dict[str, Any]]:
    entries: Any = await resources.redis.xrange(stream_key(tenant.organization_id, "reports"))
    return [msgspec.json.decode(b"{" + fields[b"e"]) for _, fields in entries]


async def test_a_long_sales_by_day_export_runs_as_a_job_with_progress_and_matches_the_csv(
    api: Api, resources: Resources, settings: Settings, worker: None
) -> None:
    tenant = await api.register("Exportadora Austral")
    await load_history(resources, tenant, products=6, days=430, seed=5)
    until = date.today() + timedelta(days=1)
    since = until - timedelta(days=420)
    period = {"since": since.isoformat(), "until": until.isoformat()}

    queued = await tenant.client.post("/api/v1/reports/exports", json={"report": "sales-by-day", **period})
    assert queued.status_code == 202, queued.text
    export = queued.json()
    assert export["status"] in ("queued", "running", "ready") and export["filename"].startswith("sales-by-day_")

    finished = await wait_until_finished(tenant, export["id"])
    assert finished["status"] == "ready", finished
    assert finished["progress"] == 100 and finished["rows"] == 420

    download = await tenant.client.get(f"/api/v1/reports/exports/{export['id']}/download")
    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith("text/csv")
    assert f'filename="{finished["filename"]}"' in download.headers["content-disposition"]
    direct = await tenant.client.get("/api/v1/reports/sales-by-day.csv", params=period)
    assert download.content == direct.content, "the export is the report's own CSV"
    assert download.content.startswith("\ufeffday,".encode()) and len(download.content) == finished["size"]

    events = [event for event in await reports_events(resources, tenant) if event["data"]["export_id"] == export["id"]]
    types = [event["type"] for event in events]
    assert types[0] == "export.queued" and types[1] == "export.started" and types[-1] == "export.ready"
    progress = [event["data"]["progress"] for event in events if event["type"] == "export.progress"]
    assert len(progress) >= 14, "one step per calendar month of the period"
    assert progress == sorted(progress) and progress[-1] == 90
    assert events[-1]["data"]["rows"] == 420 and events[-1]["data"]["size"] == finished["size"]

    listed = (await tenant.client.get("/api/v1/reports/exports")).json()["items"]
    assert [item["id"] for item in listed] == [export["id"]]


async def test_top_products_keeps_its_options(api: Api, resources: Resources, worker: None) -> None:
    tenant = await api.register("Exportadora Boreal")
    await load_history(resources, tenant, products=6, days=120, seed=6)
    body = {
        "report": "top-products",
        "since": (date.today() - timedelta(days=100)).isoformat(),
        "by": "revenue",
        "limit": 3,
    }
    export = (await tenant.client.post("/api/v1/reports/exports", json=body)).json()
    finished = await wait_until_finished(tenant, export["id"])
    assert finished["status"] == "ready" and finished["rows"] == 3
    download = await tenant.client.get(f"/api/v1/reports/exports/{export['id']}/download")
    direct = await tenant.client.get(
        "/api/v1/reports/top-products.csv", params={"since": str(body["since"]), "by": "revenue", "limit": 3}
    )
    assert download.content == direct.content


async def test_bad_exports_are_refused_and_queue_nothing(
    api: Api, tenant_a: TenantSession, tenant_b: TenantSession, settings: Settings, resources: Resources
) -> None:
    """No worker runs here: an export stays queued, so its download is not ready."""
    cases = [
        ({"report": "sales-by-day", "since": "2026-05-01", "until": "2026-04-01"}, ["query", "since"]),
        ({"report": "sales-by-day", "since": "2020-01-01", "until": "2026-01-01"}, ["query", "until"]),
        ({"report": "inventory-valuation"}, ["body", "report"]),
        ({"report": "../../etc/passwd"}, ["body", "report"]),
        ({"report": "top-products", "limit": 1000}, ["body", "limit"]),
        ({"report": "sales-by-day", "filename": "x.csv"}, ["body"]),
    ]
    for body, location in cases:
        response = await tenant_a.client.post("/api/v1/reports/exports", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["loc"][: len(location)] == location, (body, response.json())
    async with resources.database.transaction(tenant_a.organization_id) as session:
        assert await session.scalar(select(func.count()).select_from(ReportExport)) == 0

    cashier = (await api.add_user(tenant_a, "cashier"))["client"]
    assert (await cashier.post("/api/v1/reports/exports", json={"report": "sales-by-day"})).status_code == 403

    export = (await tenant_a.client.post("/api/v1/reports/exports", json={"report": "sales-by-day"})).json()
    not_ready = await tenant_a.client.get(f"/api/v1/reports/exports/{export['id']}/download")
    assert not_ready.status_code == 409 and not_ready.json()["code"] == "export_not_ready"

    for path in (f"/api/v1/reports/exports/{export['id']}", f"/api/v1/reports/exports/{export['id']}/download"):
        other = await tenant_b.client.get(path)
        assert other.status_code == 404 and other.json()["code"] == "export_not_found", other.text
    assert (await tenant_b.client.get("/api/v1/reports/exports")).json()["items"] == []
    files = TenantStorage(storage_for(settings), tenant_a.organization_id, settings.secret_key)
    assert await files.head(object_name(uuid.UUID(export["id"]), export["filename"])) is None
