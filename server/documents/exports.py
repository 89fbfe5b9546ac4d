"""Report exports: a report's CSV over a long period, made by a worker instead of a request held
open, stored in the tenant's object storage and downloaded when ready.

Invariants:
- An export is queued only for a valid period (the reports' own rule: at most 2 years and 1
  month, `since` not after `until`); a bad one is a 422 and nothing is queued or stored.
- The CSV is the report's `.csv` download byte for byte in its rows: the same table functions
  (`server.reports.service.*_table`), money in major units, times local. Sales by day runs month
  by month, so its progress is real; the other reports are one statement each.
- Progress goes out on the tenant's `reports` topic (`export.queued`, `export.started`,
  `export.progress`, `export.ready`, `export.failed`) and is kept on the row, so a client that
  missed events reads it over REST. Events go out only after the row's change has committed.
- Delivery is at least once: a job whose export is already `ready` or `failed` does nothing; one
  still `running` (its worker died) runs again and overwrites the same object.
- The CSV streams into storage in chunks; the file is offered only once `ready`, and a download
  of an export not ready is a 409 (`export_not_ready`, `export_failed`).
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import select

from server.core.context import ActorContext, Context, Resources, Tenant
from server.core.csvio import spreadsheet_safe
from server.core.errors import Conflict, NotFound
from server.core.events import publish, publish_after_commit
from server.core.ids import new_id
from server.core.pagination import Page, paginate
from server.documents.models import ReportExport
from server.documents.schemas import ExportCreate, ExportQuery, ExportRead
from server.job_queue import enqueue_after_commit
from server.reports import service as reports
from server.reports.schemas import ReportQuery, TopProductsQuery
from server.storage import StoredObject, TenantStorage, storage_for, tenant_storage
from server.tenancy.models import Organization
from server.tenancy.service import tenant_of

logger = logging.getLogger("orbit.documents.exports")

RUN_REPORT_EXPORT = "documents.run_report_export"
"""The job that makes an export's CSV (`execute_export`), enqueued by this name (`server.job_queue`)."""
TOPIC = "reports"
ROWS_PER_CHUNK = 500
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
TableFunction = Callable[[Context, Any], Awaitable[reports.Table]]

TABLES: dict[str, TableFunction] = {
    "sales-by-day": reports.sales_by_day_table,
    "sales-by-hour": reports.sales_by_hour_table,
    "sales-by-register": reports.sales_by_register_table,
    "sales-by-cashier": reports.sales_by_cashier_table,
    "sales-by-payment-method": reports.sales_by_payment_method_table,
    "sales-by-category": reports.sales_by_category_table,
    "top-products": reports.top_products_table,
    "gross-margin": reports.gross_margin_table,
    "shifts": reports.shifts_table,
}
CHUNKED_BY_MONTH = frozenset({"sales-by-day"})


def _report_query(report: str, since: date | None, until: date | None, parameters: dict[str, Any]) -> ReportQuery:
    if report == "top-products":
        return TopProductsQuery(
            since=since, until=until, by=parameters.get("by", "units"), limit=parameters.get("limit", 10)
        )
    return ReportQuery(since=since, until=until)


def _filename(report: str, since: date, until: date) -> str:
    last = until - timedelta(days=1)
    span = since.isoformat() if last <= since else f"{since.isoformat()}_to_{last.isoformat()}"
    return f"{report}_{span}.csv"


def object_name(export_id: uuid.UUID, filename: str) -> str:
    return f"exports/{export_id}/{filename}"


def to_read(export: ReportExport) -> ExportRead:
    return ExportRead(
        id=export.id,
        report=export.report,
        since=export.since,
        until=export.until,
        status=export.status,
        progress=export.progress,
        rows=export.rows,
        size=export.size,
        filename=export.filename,
        error=export.error,
        requested_by=export.requested_by,
        created_at=export.created_at,
        started_at=export.started_at,
        finished_at=export.finished_at,
    )


def _event(export: ReportExport) -> dict[str, Any]:
    return {
        "export_id": str(export.id),
        "report": export.report,
        "status": export.status,
        "progress": export.progress,
        "rows": export.rows,
        "size": export.size,
        "filename": export.filename,
        "requested_by": str(export.requested_by),
    }


# Requests


async def request_export(ctx: ActorContext, body: ExportCreate) -> ExportRead:
    """Queue an export; the job is handed to the workers once the row has committed. If it
    cannot be, the export is marked failed (and says why)."""
    parameters = {"by": body.by, "limit": body.limit} if body.report == "top-products" else {}
    period = reports.resolve_period(ctx.tenant, _report_query(body.report, body.since, body.until, parameters))
    export = ReportExport(
        organization_id=ctx.organization_id,
        id=new_id(),
        report=body.report,
        since=period.since,
        until=period.until,
        parameters=parameters,
        status="queued",
        progress=0,
        filename=_filename(body.report, period.since, period.until),
        error="",
        requested_by=ctx.actor.user_id,
        created_at=datetime.now(UTC),
    )
    ctx.session.add(export)
    await ctx.session.flush()
    publish_after_commit(ctx, TOPIC, "export.queued", _event(export))
    resources, organization_id, export_id = ctx.resources, ctx.organization_id, export.id

    async def mark_failed(reason: str) -> None:
        await _finish(resources, organization_id, export_id, failure=reason)

    enqueue_after_commit(ctx, RUN_REPORT_EXPORT, export_id, on_failure=mark_failed)
    return to_read(export)


async def list_exports(ctx: Context, query: ExportQuery) -> Page[ExportRead]:
    statement = select(ReportExport).where(ReportExport.organization_id == ctx.organization_id)
    if query.status is not None:
        statement = statement.where(ReportExport.status == query.status)
    statement = statement.order_by(ReportExport.created_at.desc(), ReportExport.id.desc())
    return await paginate(ctx.session, statement, query, to_read)


async def _get(ctx: Context, export_id: uuid.UUID) -> ReportExport:
    export = await ctx.session.get(ReportExport, (ctx.organization_id, export_id))
    if export is None:
        raise NotFound("no such export", code="export_not_found")
    return export


async def get_export(ctx: Context, export_id: uuid.UUID) -> ExportRead:
    return to_read(await _get(ctx, export_id))


async def open_download(ctx: Context, export_id: uuid.UUID) -> tuple[StoredObject, str]:
    """The ready export's stored CSV and its file name; 409 while it is not ready."""
    export = await _get(ctx, export_id)
    if export.status == "failed":
        raise Conflict(f"this export failed: {export.error}", code="export_failed")
    if export.status != "ready" or export.storage_key is None:
        raise Conflict(f"this export is {export.status} ({export.progress} %), not ready yet", code="export_not_ready")
    return await tenant_storage(ctx).open(export.storage_key), export.filename


# The job


def _periods(report: str, since: date, until: date) -> list[tuple[date, date]]:
    """The statements' periods: calendar months for reports whose rows are days, else the whole."""
    if report not in CHUNKED_BY_MONTH:
        return [(since, until)]
    periods, start = [], since
    while start < until:
        next_month = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
        end = min(next_month, until)
        periods.append((start, end))
        start = end
    return periods


async def _csv_chunks(header: Sequence[str], rows: Sequence[Sequence[object]]) -> AsyncIterator[bytes]:
    """The CSV as `csv_response` writes it (UTF-8 with a BOM, formula guard), in chunks of rows."""
    yield _csv_text(["\ufeff"], [header]).encode()
    for start in range(0, len(rows), ROWS_PER_CHUNK):
        yield _csv_text(
            [], ([spreadsheet_safe(cell) for cell in row] for row in rows[start : start + ROWS_PER_CHUNK])
        ).encode()


def _csv_text(prefix: list[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    buffer.writelines(prefix)
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


async def _update(
    resources: Resources, organization_id: uuid.UUID, export_id: uuid.UUID, **changes: Any
) -> ReportExport | None:
    async with resources.database.transaction(organization_id) as session:
        export = await session.get(ReportExport, (organization_id, export_id), with_for_update=True)
        if export is None:
            return None
        for name, value in changes.items():
            setattr(export, name, value)
        await session.flush()
        return export


async def _announce(redis: Redis, export: ReportExport | None, event_type: str) -> None:
    if export is not None:
        await publish(redis, export.organization_id, TOPIC, event_type, _event(export))


async def _finish(
    resources: Resources,
    organization_id: uuid.UUID,
    export_id: uuid.UUID,
    *,
    failure: str | None = None,
    storage_key: str | None = None,
    rows: int | None = None,
    size: int | None = None,
) -> None:
    now = datetime.now(UTC)
    if failure is not None:
        export = await _update(
            resources, organization_id, export_id, status="failed", error=failure[:500], finished_at=now
        )
        await _announce(resources.redis, export, "export.failed")
        return
    export = await _update(
        resources,
        organization_id,
        export_id,
        status="ready",
        progress=100,
        storage_key=storage_key,
        rows=rows,
        size=size,
        finished_at=now,
    )
    await _announce(resources.redis, export, "export.ready")


async def execute_export(resources: Resources, organization_id: uuid.UUID, export_id: uuid.UUID) -> dict[str, Any]:
    """Run one export job to its end (ready or failed); a job for an export already finished
    does nothing."""
    async with resources.database.transaction(organization_id) as session:
        export = await session.get(ReportExport, (organization_id, export_id), with_for_update=True)
        if export is None:
            logger.warning("report export %s of %s not found; job dropped", export_id, organization_id)
            return {"export_id": str(export_id), "status": "missing"}
        if export.status in ("ready", "failed"):
            return {"export_id": str(export_id), "status": export.status}
        export.status, export.progress = "running", 0
        export.started_at = export.started_at or datetime.now(UTC)
        organization = await session.get(Organization, organization_id)
        assert organization is not None
        tenant = tenant_of(organization)
        report, since, until = export.report, export.since, export.until
        parameters, filename = dict(export.parameters), export.filename
        await session.flush()
        started = _event(export)
    await publish(resources.redis, organization_id, TOPIC, "export.started", started)
    try:
        header, rows = await _compute(resources, tenant, export_id, report, since, until, parameters)
        settings = resources.settings
        files = TenantStorage(storage_for(settings), organization_id, settings.secret_key)
        name = object_name(export_id, filename)
        info = await files.put(name, _csv_chunks(header, rows), content_type=CSV_MEDIA_TYPE)
    except Exception as exc:
        logger.exception("report export %s of %s failed", export_id, organization_id)
        await _finish(resources, organization_id, export_id, failure=str(exc) or type(exc).__name__)
        return {"export_id": str(export_id), "status": "failed"}
    await _finish(resources, organization_id, export_id, storage_key=name, rows=len(rows), size=info.size)
    return {"export_id": str(export_id), "status": "ready", "rows": len(rows), "size": info.size}


async def _compute(
    resources: Resources,
    tenant: Tenant,
    export_id: uuid.UUID,
    report: str,
    since: date,
    until: date,
    parameters: dict[str, Any],
) -> tuple[list[str], list[list[object]]]:
    """The report's header and rows, one statement per period, with progress after each."""
    periods = _periods(report, since, until)
    header: list[str] = []
    rows: list[list[object]] = []
    for done, (start, end) in enumerate(periods, start=1):
        async with resources.database.transaction(tenant.id) as session:
            ctx = Context(session=session, resources=resources, tenant=tenant)
            table = await TABLES[report](ctx, _report_query(report, start, end, parameters))
        header = table.header
        rows.extend(table.rows)
        # The last tenth is storing the file.
        progress = 90 * done // len(periods)
        export = await _update(resources, tenant.id, export_id, progress=progress)
        await _announce(resources.redis, export, "export.progress")
    return header, rows
