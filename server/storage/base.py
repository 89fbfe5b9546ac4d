"""The object storage contract: what every backend does, and the tenant-scoped view services use.

Two layers:

* `ObjectStorage` is a backend (local filesystem, S3-compatible). It speaks in *full keys*
  (`{organization_id}/{name}`) and knows nothing about tenants or URLs.
* `TenantStorage` is what a service gets (`tenant_storage(ctx)`): one organization's slice of a
  backend. Every method takes a *name* relative to the tenant and prefixes it with the tenant's
  id, so a service cannot address another tenant's object at all; `signed_url` hands out a URL
  bound to the tenant, the name and an expiry (see `server.storage.signing`).

Bodies are streams both ways: `put` consumes an async iterable of byte chunks and `open`
returns a `StoredObject` whose `chunks()` yields the body; no backend holds a whole object in
memory (the S3 backend holds at most one multipart part).
"""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

from server.core.errors import NotFound, PayloadTooLarge, ValidationFailed
from server.storage.signing import sign_url, verify

CHUNK_SIZE = 64 * 1024
MAX_NAME_LENGTH = 400
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class ObjectNotFound(NotFound):
    """No object under that key (or one of another tenant: the same answer)."""

    def __init__(self, detail: str = "no such file", **kwargs: object) -> None:
        super().__init__(detail, code="file_not_found", **kwargs)  # type: ignore[arg-type]


class ObjectTooLarge(PayloadTooLarge):
    """The body passed `max_bytes` while streaming; nothing was stored."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the file is larger than {max_bytes} bytes", code="file_too_large")
        self.max_bytes = max_bytes


class InvalidObjectName(ValidationFailed):
    """A name with a path trick (`..`, a leading `/`, a backslash, control characters)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"not a valid file name: {name[:80]!r}", code="invalid_file_name")


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What a backend knows about a stored object. `key` is the full key; `etag` is opaque and
    changes whenever the body does."""

    key: str
    size: int
    content_type: str
    etag: str
    modified_at: datetime


class StoredObject(ABC):
    """An open object: its `info` and its body as a stream. Close it (`async with`, or `aclose`)
    when done; closing twice is harmless."""

    info: ObjectInfo

    @abstractmethod
    def chunks(self) -> AsyncIterator[bytes]:
        """The body, in chunks of at most `CHUNK_SIZE` bytes; may be iterated once."""

    @abstractmethod
    async def aclose(self) -> None: ...

    async def read(self) -> bytes:
        """The whole body (for small objects only: callers that may meet a large one stream)."""
        return b"".join([chunk async for chunk in self.chunks()])

    async def __aenter__(self) -> StoredObject:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()


class ObjectStorage(ABC):
    """A backend. Keys are full keys (validated by `check_key`). `put` is atomic: a reader sees
    the old object or the whole new one, and a failed or oversized put leaves nothing behind."""

    name: str

    @abstractmethod
    async def put(
        self, key: str, chunks: AsyncIterable[bytes], *, content_type: str, max_bytes: int | None = None
    ) -> ObjectInfo:
        """Store the body read from `chunks` under `key` (replacing any object there). Raises
        `ObjectTooLarge` as soon as more than `max_bytes` arrive, keeping nothing."""

    @abstractmethod
    async def open(self, key: str) -> StoredObject:
        """The object under `key`, ready to stream; `ObjectNotFound` when there is none."""

    @abstractmethod
    async def head(self, key: str) -> ObjectInfo | None:
        """The object's info, or None when there is none."""

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove the object; removing a missing one is not an error."""

    async def delete_many(self, keys: Iterable[str]) -> None:
        for key in keys:
            await self.delete(key)

    async def aclose(self) -> None:  # noqa: B027 (a backend without connections has nothing to close)
        """Release connections (the process is shutting down)."""


def check_name(name: str) -> str:
    """A tenant-relative object name: `/`-separated segments of letters, digits, `.`, `_`, `-`,
    none starting with a dot (so no `..`), at most `MAX_NAME_LENGTH` characters."""
    if not name or len(name) > MAX_NAME_LENGTH or not all(_SEGMENT.match(part) for part in name.split("/")):
        raise InvalidObjectName(name)
    return name


def tenant_key(organization_id: uuid.UUID, name: str) -> str:
    return f"{organization_id}/{check_name(name)}"


def check_key(key: str) -> str:
    """A full key: a tenant's id, then a valid name."""
    prefix, _, name = key.partition("/")
    try:
        uuid.UUID(prefix)
    except ValueError:
        raise InvalidObjectName(key) from None
    check_name(name)
    return key


async def bytes_chunks(data: bytes, size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
    """Adapt bytes already in memory to `put`'s stream."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


class TenantStorage:
    """One organization's objects in a backend. Names are relative to the tenant (see
    `check_name`); the backend key is `{organization_id}/{name}`."""

    def __init__(self, backend: ObjectStorage, organization_id: uuid.UUID, secret_key: str) -> None:
        self.backend = backend
        self.organization_id = organization_id
        self._secret_key = secret_key

    def key(self, name: str) -> str:
        return tenant_key(self.organization_id, name)

    async def put(
        self, name: str, chunks: AsyncIterable[bytes], *, content_type: str, max_bytes: int | None = None
    ) -> ObjectInfo:
        return await self.backend.put(self.key(name), chunks, content_type=content_type, max_bytes=max_bytes)

    async def put_bytes(self, name: str, data: bytes, *, content_type: str) -> ObjectInfo:
        return await self.put(name, bytes_chunks(data), content_type=content_type)

    async def open(self, name: str) -> StoredObject:
        return await self.backend.open(self.key(name))

    async def head(self, name: str) -> ObjectInfo | None:
        return await self.backend.head(self.key(name))

    async def delete(self, name: str) -> None:
        await self.backend.delete(self.key(name))

    async def delete_many(self, names: Iterable[str]) -> None:
        await self.backend.delete_many([self.key(name) for name in names])

    def signed_url(
        self,
        name: str,
        *,
        expires_in: int,
        download_name: str | None = None,
        round_to: int = 0,
        now: float | None = None,
    ) -> str:
        """A path on the tenant's host (`/api/v1/files/{name}?expires=…&signature=…`) that serves
        the object to whoever holds it until it expires, without a token (for `<img>`, downloads,
        the service worker). It is bound to this tenant, the name, the expiry and the download
        name: served on another tenant's host, or with any part changed, it is a 404.

        `download_name` makes the response an attachment with that file name. `round_to` rounds
        the expiry up to a multiple of that many seconds, so URLs made within one window are
        identical and caches (HTTP, the service worker) keep hitting."""
        return sign_url(
            self._secret_key,
            self.organization_id,
            check_name(name),
            expires_in=expires_in,
            download_name=download_name,
            round_to=round_to,
            now=now,
        )

    def accepts_signature(self, name: str, *, expires: int, download_name: str | None, signature: str) -> bool:
        """Whether a signed URL's parts were signed for this tenant and name and are still fresh."""
        return verify(self._secret_key, self.organization_id, name, expires, download_name, signature)


async def limited(chunks: AsyncIterable[bytes], max_bytes: int | None) -> AsyncIterator[bytes]:
    """Pass `chunks` through, raising `ObjectTooLarge` once more than `max_bytes` went by."""
    seen = 0
    async for chunk in chunks:
        seen += len(chunk)
        if max_bytes is not None and seen > max_bytes:
            raise ObjectTooLarge(max_bytes)
        if chunk:
            yield chunk
