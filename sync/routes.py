from __future__ import annotations

import uuid

from starlette.requests import Request

from server.core.api import ANY_ROLE, MANAGERS, TENANT_PUBLIC, Router
from server.core.context import ActorContext, Context
from server.core.errors import FieldError, ValidationFailed
from server.core.metrics import SYNC_DOCUMENTS
from server.core.pagination import Page
from sync import catalog_pull, conflicts, devices, pairing, push
from sync.schemas import (
    MAX_BATCH_BYTES,
    CatalogPage,
    CatalogQuery,
    ConflictQuery,
    ConflictRead,
    ConflictResolve,
    DeviceCreate,
    DeviceCredentials,
    DeviceRead,
    Heartbeat,
    PairingCodeCreate,
    PairingCodeRead,
    PairingRequest,
    PushRequest,
    PushResult,
)

router = Router(tags=["sync"])
DEVICE_ID_HEADER = "x-device-id"
DEVICE_KEY_HEADER = "x-device-key"
DEVICE_ERRORS = {403: "Wrong or revoked device credential (X-Device-Key)"}


def device_id_header(request: Request) -> uuid.UUID:
    try:
        return uuid.UUID(request.headers.get(DEVICE_ID_HEADER, ""))
    except ValueError:
        raise ValidationFailed(
            "send the device id in X-Device-Id", errors=[FieldError(loc=["header", "X-Device-Id"], msg="required")]
        ) from None


@router.post(
    "/api/v1/sync/devices",
    access=MANAGERS,
    body=DeviceCreate,
    response=DeviceCredentials,
    status=201,
    responses={409: "The register already has a device"},
)
async def register_device(ctx: Context, body: DeviceCreate) -> DeviceCredentials:
    """Register a POS device on a register; the credential is shown only in this answer."""
    return await devices.register_device(ctx, body)


@router.get("/api/v1/sync/devices", access=MANAGERS, response=list[DeviceRead])
async def list_devices(ctx: Context) -> list[DeviceRead]:
    """Every device, with its last settled sequence and when it was last seen."""
    return await devices.list_devices(ctx)


@router.delete("/api/v1/sync/devices/{device_id:uuid}", access=MANAGERS, status=204)
async def revoke_device(ctx: Context, device_id: uuid.UUID) -> None:
    """Revoke a device (lost or replaced): it can no longer pull or push."""
    await devices.revoke_device(ctx, device_id)


@router.post(
    "/api/v1/sync/pairing-codes",
    access=MANAGERS,
    body=PairingCodeCreate,
    response=PairingCodeRead,
    status=201,
    responses={409: "The register already has a device (send replace=true)"},
)
async def create_pairing_code(ctx: ActorContext, body: PairingCodeCreate) -> PairingCodeRead:
    """Make a one-time code (`XXXX-XXXX`, 10 minutes) that pairs a POS device with the register."""
    return await pairing.create_pairing_code(ctx, body)


@router.post(
    "/api/v1/sync/pairing",
    access=TENANT_PUBLIC,
    body=PairingRequest,
    response=DeviceCredentials,
    status=201,
    responses={
        409: "The register got a device meanwhile (`register_has_device`); the code is spent",
        422: "The code is unknown, used or expired (`pairing_code_invalid`)",
        429: "Too many attempts",
    },
)
async def pair_device(ctx: Context, body: PairingRequest) -> DeviceCredentials:
    """Pair a POS device with a one-time code: no sign-in; the credential is shown only in this answer."""
    return await pairing.pair_device(ctx, body)


@router.post("/api/v1/sync/heartbeat", access=ANY_ROLE, body=Heartbeat, response=DeviceRead, responses=DEVICE_ERRORS)
async def heartbeat(ctx: Context, body: Heartbeat, request: Request) -> DeviceRead:
    """The device is alive and holds `queued_documents` not yet pushed (X-Device-Id, X-Device-Key)."""
    device = await devices.authenticate_device(ctx, device_id_header(request), request.headers.get(DEVICE_KEY_HEADER))
    return await devices.heartbeat(ctx, device, body)


@router.get("/api/v1/sync/catalog", access=ANY_ROLE, query=CatalogQuery, response=CatalogPage, responses=DEVICE_ERRORS)
async def pull_catalog(ctx: Context, query: CatalogQuery, request: Request) -> CatalogPage:
    """Catalog, customers, cashiers' unlock data and registers changed since the cursor, in pages."""
    await devices.authenticate_device(ctx, device_id_header(request), request.headers.get(DEVICE_KEY_HEADER))
    return await catalog_pull.pull_catalog(ctx, query)


@router.post(
    "/api/v1/sync/sales",
    access=ANY_ROLE,
    body=PushRequest,
    response=PushResult,
    max_body=MAX_BATCH_BYTES,
    responses={**DEVICE_ERRORS, 413: "More than 100 documents or 1 MiB", 503: "Transient failure: retry"},
)
async def push_documents(ctx: Context, body: PushRequest, request: Request) -> PushResult:
    """Settle offline documents (sales, refunds, customers, shifts) exactly once, in sequence order."""
    result = await push.push_documents(ctx, body, request.headers.get(DEVICE_KEY_HEADER))

    async def count_outcomes() -> None:
        for document in result.results:
            SYNC_DOCUMENTS.labels(document.status).inc()
        if result.retry_after_ms is not None:
            SYNC_DOCUMENTS.labels("retry_later").inc()

    ctx.after_commit(count_outcomes)
    return result


@router.get("/api/v1/sync/conflicts", access=MANAGERS, query=ConflictQuery, response=Page[ConflictRead])
async def list_conflicts(ctx: Context, query: ConflictQuery) -> Page[ConflictRead]:
    """The conflict inbox, newest first."""
    return await conflicts.list_conflicts(ctx, query)


@router.post(
    "/api/v1/sync/conflicts/{conflict_id:uuid}/resolve",
    access=MANAGERS,
    body=ConflictResolve,
    response=ConflictRead,
    responses={409: "Already resolved"},
)
async def resolve_conflict(ctx: Context, conflict_id: uuid.UUID, body: ConflictResolve) -> ConflictRead:
    """Acknowledge a conflict, adjust the stock it is about, or annotate it."""
    return await conflicts.resolve_conflict(ctx, conflict_id, body)
