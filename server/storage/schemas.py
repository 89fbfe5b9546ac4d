from __future__ import annotations

from typing import Annotated

import msgspec

from server.core.schemas import Input


class FileQuery(Input):
    """The signed part of a file URL: its expiry (Unix seconds), the download name when the file
    is served as an attachment, and the signature over both with the tenant and the name."""

    expires: Annotated[int, msgspec.Meta(ge=0)]
    signature: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    download: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
