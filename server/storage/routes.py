"""The one endpoint that serves stored files: a signed URL (`TenantStorage.signed_url`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.core.api import TENANT_PUBLIC, Router
from server.core.context import Context
from server.storage import tenant_storage
from server.storage.schemas import FileQuery
from server.storage.serving import signed_file_response

router = Router(tags=["files"])


@router.get(
    "/api/v1/files/{name:path}",
    access=TENANT_PUBLIC,
    query=FileQuery,
    produces=("application/octet-stream",),
    responses={304: "Not modified (If-None-Match)", 404: "No such file, or the signature is wrong or expired"},
)
async def read_file(ctx: Context, name: str, query: FileQuery, request: Request) -> Response:
    """A stored file, by a signed URL of this tenant (no token needed, until it expires)."""
    return await signed_file_response(
        tenant_storage(ctx), name, query, if_none_match=request.headers.get("if-none-match")
    )
