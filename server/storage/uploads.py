"""Reading an uploaded request body with a size limit that answers a problem document.

Starlette's own body limit (`Route(max_body_size=…)`) answers a plain-text 413; endpoints that
take files declare a generous route limit (`UPLOAD_ROUTE_LIMIT`) and read through these
helpers instead, which refuse a declared `Content-Length` past the limit before reading and
stop reading as soon as the limit is passed (`ObjectTooLarge`: a 413 problem document).
"""

from __future__ import annotations

import tempfile
from typing import IO, cast

from starlette.requests import Request

from server.storage.base import ObjectTooLarge, limited

UPLOAD_ROUTE_LIMIT = 1 << 40
SPOOL_IN_MEMORY = 16 * 1024 * 1024


def _check_declared(request: Request, max_bytes: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ObjectTooLarge(max_bytes)


async def read_upload(request: Request, *, max_bytes: int) -> bytes:
    """The whole body, in memory (for bodies whose limit is small)."""
    _check_declared(request, max_bytes)
    return b"".join([chunk async for chunk in limited(request.stream(), max_bytes)])


async def spool_upload(request: Request, *, max_bytes: int) -> IO[bytes]:
    """The body in a seekable temporary file (in memory up to 16 MiB, then on disk), positioned
    at its start. The caller closes it (`with`)."""
    _check_declared(request, max_bytes)
    spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (the caller closes it)
    try:
        async for chunk in limited(request.stream(), max_bytes):
            spooled.write(chunk)
        spooled.seek(0)
    except BaseException:
        spooled.close()
        raise
    return cast(IO[bytes], spooled)
