"""Document endpoints: the PDF invoice (A4) and receipt (80 mm) of every sale and refund, for any
role (a cashier prints them at the till), and report CSV exports run as jobs, for managers."""

from __future__ import annotations

import uuid

from starlette.responses import Response, StreamingResponse

from server.core.api import ANY_ROLE, MANAGERS, Router
from server.core.context import ActorContext, Context
from server.core.pagination import Page
from server.documents import exports, service
from server.documents.pdf import Layout
from server.documents.schemas import ExportCreate, ExportQuery, ExportRead

router = Router(tags=["documents"])
PDF = (service.PDF,)
NOT_FOUND = {404: "No such sale or refund in this organization"}


def _send(stored: service.StoredPdf) -> Response:
    """The stored file, streamed; shown in the browser (`inline`) under the document's number."""
    info = stored.body.info
    return StreamingResponse(
        stored.body.chunks(),
        media_type=service.PDF,
        headers={
            "Content-Length": str(info.size),
            "Content-Disposition": f'inline; filename="{stored.filename}"',
            "Cache-Control": "private, max-age=300",
            "ETag": f'"{info.etag}"',
        },
    )


async def _sale(ctx: Context, sale_id: uuid.UUID, layout: Layout) -> Response:
    return _send(await service.sale_pdf(ctx, sale_id, layout))


async def _refund(ctx: Context, refund_id: uuid.UUID, layout: Layout) -> Response:
    return _send(await service.refund_pdf(ctx, refund_id, layout))


@router.get("/api/v1/sales/{sale_id:uuid}/invoice.pdf", access=ANY_ROLE, produces=PDF, responses=NOT_FOUND)
async def sale_invoice_pdf(ctx: Context, sale_id: uuid.UUID) -> Response:
    """The sale's invoice as an A4 PDF (made on first request, then served as stored)."""
    return await _sale(ctx, sale_id, "invoice")


@router.get("/api/v1/sales/{sale_id:uuid}/receipt.pdf", access=ANY_ROLE, produces=PDF, responses=NOT_FOUND)
async def sale_receipt_pdf(ctx: Context, sale_id: uuid.UUID) -> Response:
    """The sale's receipt as an 80 mm roll PDF (made on first request, then served as stored)."""
    return await _sale(ctx, sale_id, "receipt")


@router.get("/api/v1/refunds/{refund_id:uuid}/invoice.pdf", access=ANY_ROLE, produces=PDF, responses=NOT_FOUND)
async def refund_invoice_pdf(ctx: Context, refund_id: uuid.UUID) -> Response:
    """The refund's credit note (or the void's) as an A4 PDF."""
    return await _refund(ctx, refund_id, "invoice")


@router.get("/api/v1/refunds/{refund_id:uuid}/receipt.pdf", access=ANY_ROLE, produces=PDF, responses=NOT_FOUND)
async def refund_receipt_pdf(ctx: Context, refund_id: uuid.UUID) -> Response:
    """The refund's receipt as an 80 mm roll PDF."""
    return await _refund(ctx, refund_id, "receipt")


# Report exports


@router.post(
    "/api/v1/reports/exports",
    access=MANAGERS,
    body=ExportCreate,
    response=ExportRead,
    status=202,
    responses={422: "Unknown report, or a period reversed or longer than 2 years and 1 month"},
)
async def request_report_export(ctx: ActorContext, body: ExportCreate) -> ExportRead:
    """Export a report's CSV over a period as a job; progress and the result arrive on the `reports` topic."""
    return await exports.request_export(ctx, body)


@router.get("/api/v1/reports/exports", access=MANAGERS, query=ExportQuery, response=Page[ExportRead])
async def list_report_exports(ctx: Context, query: ExportQuery) -> Page[ExportRead]:
    """Report exports, newest first."""
    return await exports.list_exports(ctx, query)


@router.get(
    "/api/v1/reports/exports/{export_id:uuid}",
    access=MANAGERS,
    response=ExportRead,
    responses={404: "No such export in this organization"},
)
async def get_report_export(ctx: Context, export_id: uuid.UUID) -> ExportRead:
    """One report export: its status and progress."""
    return await exports.get_export(ctx, export_id)


@router.get(
    "/api/v1/reports/exports/{export_id:uuid}/download",
    access=MANAGERS,
    produces=("text/csv",),
    responses={404: "No such export in this organization", 409: "The export is not ready, or failed"},
)
async def download_report_export(ctx: Context, export_id: uuid.UUID) -> Response:
    """The ready export's CSV."""
    stored, filename = await exports.open_download(ctx, export_id)
    return StreamingResponse(
        stored.chunks(),
        media_type=exports.CSV_MEDIA_TYPE,
        headers={
            "Content-Length": str(stored.info.size),
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-cache",
        },
    )
