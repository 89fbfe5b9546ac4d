"""Document endpoints: the PDF invoice (A4) and receipt (80 mm) of every sale and refund, for any
role (a cashier prints them at the till), and report CSV exports run as jobs, for managers."""

from __future__ import annotations

import uuid

from starlette.responses import Response, StreamingResponse

from server.core.api import ANY_ROLE, Router
from server.core.context import Context
from server.documents import service
from server.documents.pdf import Layout

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
