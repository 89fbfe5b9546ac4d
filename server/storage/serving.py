"""How a signed file URL becomes a response: check the signature for the Host's tenant, then
stream the object with its type, length, ETag and a cache lifetime up to the URL's expiry.

A wrong, altered, expired or other tenant's URL is the same 404 as a missing object, so a URL
tells nothing about objects it was not made for. Served files carry `nosniff` and a sandboxing
Content-Security-Policy, so a stored file can never run as a page of the application.
"""

from __future__ import annotations

import time
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from server.storage.base import InvalidObjectName, ObjectNotFound, TenantStorage, check_name
from server.storage.schemas import FileQuery

MAX_CACHE_SECONDS = 365 * 24 * 3600


def _headers(etag: str, expires: int, download: str | None) -> dict[str, str]:
    remaining = max(0, min(MAX_CACHE_SECONDS, expires - int(time.time())))
    headers = {
        "ETag": f'"{etag}"',
        "Cache-Control": f"private, max-age={remaining}, immutable",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if download:
        ascii_name = download.encode("ascii", "replace").decode().replace('"', "'").replace("\\", "_")
        headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(download)}"
    return headers


async def signed_file_response(
    files: TenantStorage, name: str, query: FileQuery, *, if_none_match: str | None = None
) -> Response:
    try:
        check_name(name)
    except InvalidObjectName:
        raise ObjectNotFound() from None
    if not files.accepts_signature(
        name, expires=query.expires, download_name=query.download, signature=query.signature
    ):
        raise ObjectNotFound()
    stored = await files.open(name)
    headers = _headers(stored.info.etag, query.expires, query.download)
    if if_none_match and stored.info.etag and f'"{stored.info.etag}"' in if_none_match:
        await stored.aclose()
        return Response(status_code=304, headers=headers)
    headers["Content-Length"] = str(stored.info.size)
    return StreamingResponse(
        stored.chunks(), media_type=stored.info.content_type, headers=headers, background=BackgroundTask(stored.aclose)
    )
