"""Object storage: files (product images, invoice PDFs, report exports) behind one small interface.

Use from a service:

    from server.storage import tenant_storage

    files = tenant_storage(ctx)                      # this tenant's objects only
    info = await files.put("invoices/A-17.pdf", chunks, content_type="application/pdf",
                           max_bytes=20 * 1024 * 1024)  # chunks: AsyncIterable[bytes]
    async with await files.open("invoices/A-17.pdf") as stored:   # ObjectNotFound (404) if missing
        async for chunk in stored.chunks(): ...
    url = files.signed_url("invoices/A-17.pdf", expires_in=300, download_name="A-17.pdf")
    await files.delete("invoices/A-17.pdf")

Names are relative to the tenant (`/`-separated segments of letters, digits, `.`, `_`, `-`;
no `..`); the backend key is `{organization_id}/{name}`, so one tenant can never name another's
object. A signed URL (`/api/v1/files/{name}?expires=…&signature=…`) is served on the tenant's
own host only, until it expires, to whoever holds it (no token: it works in `<img>`, downloads
and the service worker). Workers and other code with no request build the same view with
`TenantStorage(storage_for(settings), organization_id, settings.secret_key)`.

The backend is chosen by settings (`STORAGE_BACKEND=local|s3`, see docs/files.md): `local`
keeps files under `STORAGE_DIR`, `s3` uses any S3-compatible service (`S3_ENDPOINT_URL`,
`S3_BUCKET`, `S3_REGION`, `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY`).
"""

from __future__ import annotations

from server.core.config import Settings
from server.core.context import Context
from server.storage.base import (
    CHUNK_SIZE,
    InvalidObjectName,
    ObjectInfo,
    ObjectNotFound,
    ObjectStorage,
    ObjectTooLarge,
    StoredObject,
    TenantStorage,
    bytes_chunks,
    check_name,
)
from server.storage.local import LocalStorage
from server.storage.s3 import S3Storage

__all__ = [
    "CHUNK_SIZE",
    "InvalidObjectName",
    "LocalStorage",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectStorage",
    "ObjectTooLarge",
    "S3Storage",
    "StoredObject",
    "TenantStorage",
    "bytes_chunks",
    "check_name",
    "close_storages",
    "open_storage",
    "storage_for",
    "tenant_storage",
]

_backends: dict[Settings, ObjectStorage] = {}


def open_storage(settings: Settings) -> ObjectStorage:
    """A new backend as the settings describe it (no connection is made yet)."""
    if settings.storage_backend == "s3":
        return S3Storage(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
        )
    return LocalStorage(settings.storage_dir)


def storage_for(settings: Settings) -> ObjectStorage:
    """The process's backend for these settings (one per process, opened on first use)."""
    backend = _backends.get(settings)
    if backend is None:
        backend = _backends[settings] = open_storage(settings)
    return backend


def tenant_storage(ctx: Context) -> TenantStorage:
    """The request's tenant's objects. Only for tenant-scoped contexts."""
    assert ctx.tenant is not None, "object storage needs a tenant"
    settings = ctx.resources.settings
    return TenantStorage(storage_for(settings), ctx.tenant.id, settings.secret_key)


async def close_storages() -> None:
    """Close every backend this process opened (at shutdown)."""
    while _backends:
        _, backend = _backends.popitem()
        await backend.aclose()
