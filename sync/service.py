"""The offline point-of-sale protocol (DESIGN §9): devices, catalog pull, document push, conflicts.

Invariants:
- Exactly once per (device, seq) and per client id: a document is settled in the same
  transaction as what it creates, together with its `sync_documents` row and the device's
  `last_seq`; a resend is answered `duplicate` with the stored result, byte for byte the same
  apart from the status.
- Documents are settled in sequence order; a gap stops the batch with `expected_seq`. A
  document that can't be applied is `rejected` with a code, and `last_seq` still advances, so a
  device's queue never wedges.
- Offline facts are not refused for what the server would have refused online (stock going
  negative, a changed price, an inactive product or cashier, a closed shift): they stand, and
  each such thing becomes a conflict in the managers' inbox, announced on `alerts`.
- A document that fails never takes others down. Each document runs in its own savepoint and
  its events join the request's after-commit queue only when it succeeds; the exception is a run
  of sales that would all be applied without conflict, which `sync.bulk_sales` settles in one
  savepoint and, if PostgreSQL refuses it, rolls back and leaves to the one-by-one path. A
  transient failure (database gone, lock timeout) aborts the whole batch before commit: nothing
  is settled and the device is told when to retry.
- The catalog cursor never skips a change: rows carry the id of the transaction that last wrote
  them, and a pull cycle hands back as its next cursor the oldest transaction still running
  when the cycle began, so one that commits late is picked up by the next cycle.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import Text, and_, cast, or_, select, text, tuple_
from sqlalchemy.exc import DBAPIError

from server.audit import service as audit
from server.catalog.images import ImageLinker, image_linker
from server.catalog.models import Category, Product
from server.core.context import Actor, Context
from server.core.errors import (
    ApiError,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
    is_transient,
)
from server.core.events import publish_after_commit
from server.core.ids import new_id
from server.core.money import minor_units
from server.core.pagination import Page, paginate
from server.core.security import new_secret, secret_digest
from server.customers import service as customers
from server.customers.models import Customer
from server.inventory import service as inventory
from server.inventory.schemas import CountCreate, CountLine
from server.sales import refunds, sales, shifts
from server.sales.models import Device, Register, Sale, SaleLine, Shift
from server.sales.registers import open_shift_ids
from server.sales.sale_facts import Offline
from server.sales.schemas import CashMovementCreate, RefundCreate, RefundLineCreate, SaleCreate, ShiftClose, ShiftOpen
from server.users.models import User
from sync import bulk_sales
from sync.models import SyncConflict, SyncDocument, SyncTombstone
from sync.schemas import (
    MAX_DOCUMENTS,
    AnyDocument,
    CashierSync,
    CashMovementDocument,
    CatalogPage,
    CatalogQuery,
    CategorySync,
    ConflictNote,
    ConflictQuery,
    ConflictRead,
    ConflictResolve,
    CustomerDocument,
    CustomerSync,
    DeviceCreate,
    DeviceCredentials,
    DeviceRead,
    DocumentResult,
    Heartbeat,
    OrganizationSync,
    ProductSync,
    PushRequest,
    PushResult,
    RefundDocument,
    RegisterSync,
    SaleDocument,
    ShiftCloseDocument,
    ShiftOpenDocument,
    Tombstone,
)

LOCK_TIMEOUT = "5s"
logger = logging.getLogger("orbit.sync")


# Devices


def device_read(device: Device, register_code: str) -> DeviceRead:
    return DeviceRead(
        id=device.id,
        register_id=device.register_id,
        register_code=register_code,
        name=device.name,
        last_seq=device.last_seq,
        last_seen_at=device.last_seen_at,
        revoked_at=device.revoked_at,
        created_at=device.created_at,
    )


async def register_device(ctx: Context, data: DeviceCreate) -> DeviceCredentials:
    """Bind a new device to a register. A register has one active device, since the device
    numbers the register's invoice series; `replace` revokes the previous one."""
    register = await ctx.session.get(Register, (ctx.organization_id, data.register_id), with_for_update=True)
    if register is None:
        raise NotFound("no such register", errors=[FieldError(loc=["body", "register_id"], msg="no such register")])
    current = list(
        await ctx.session.scalars(
            select(Device).where(
                Device.organization_id == ctx.organization_id,
                Device.register_id == register.id,
                Device.revoked_at.is_(None),
            )
        )
    )
    if current and not data.replace:
        raise Conflict("the register already has a device; send replace=true to revoke it", code="register_has_device")
    now = datetime.now(UTC)
    for old in current:
        old.revoked_at = now
    credential = new_secret()
    device = Device(
        organization_id=ctx.organization_id,
        id=new_id(),
        register_id=register.id,
        name=data.name.strip(),
        credential_hash=secret_digest(credential),
        last_seq=0,
        created_by=ctx.actor_id,
        created_at=now,
    )
    ctx.session.add(device)
    await ctx.session.flush()
    await audit.record(
        ctx,
        action="device.registered",
        entity="device",
        entity_id=device.id,
        after={"register": register.code, "name": device.name, "replaced": [str(old.id) for old in current]},
    )
    return DeviceCredentials(device=device_read(device, register.code), credential=credential)


async def list_devices(ctx: Context) -> list[DeviceRead]:
    rows = await ctx.session.execute(
        select(Device, Register.code)
        .join(Register, and_(Register.organization_id == Device.organization_id, Register.id == Device.register_id))
        .where(Device.organization_id == ctx.organization_id)
        .order_by(Register.code, Device.created_at)
    )
    return [device_read(device, code) for device, code in rows]


async def revoke_device(ctx: Context, device_id: uuid.UUID) -> None:
    device = await ctx.session.get(Device, (ctx.organization_id, device_id), with_for_update=True)
    if device is None:
        raise NotFound("no such device")
    if device.revoked_at is None:
        device.revoked_at = datetime.now(UTC)
        await audit.record(ctx, action="device.revoked", entity="device", entity_id=device.id)


async def authenticate_device(
    ctx: Context, device_id: uuid.UUID, credential: str | None, *, lock: bool = False
) -> Device:
    """The tenant's device, if the credential is its own and it is not revoked."""
    device = await ctx.session.get(Device, (ctx.organization_id, device_id), with_for_update=lock)
    if device is None:
        raise NotFound("no such device", code="unknown_device")
    if not credential or not hmac.compare_digest(device.credential_hash, secret_digest(credential)):
        raise Forbidden("the device credential is wrong", code="device_credential_invalid")
    if device.revoked_at is not None:
        raise Forbidden("this device was revoked; register it again", code="device_revoked")
    return device


async def heartbeat(ctx: Context, device: Device, data: Heartbeat) -> DeviceRead:
    """Record that the device is alive and how many documents it still holds, and tell the
    managers' dashboards (presence on `registers`)."""
    device.last_seen_at = datetime.now(UTC)
    register = await ctx.session.get(Register, (ctx.organization_id, device.register_id))
    assert register is not None
    publish_after_commit(
        ctx,
        "registers",
        "register.heartbeat",
        {
            "register_id": register.id,
            "register_code": register.code,
            "device_id": device.id,
            "last_seen_at": device.last_seen_at,
            "queued_documents": data.queued_documents,
        },
    )
    return device_read(device, register.code)


# Catalog pull


MAX_TRACKED_IN_PROGRESS = 64


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a pull stands.

    A pull cycle returns the rows written by transactions at or after `low` or listed in
    `pending` (those that were still running when the previous cycle began). The cycle's own
    starting snapshot (`next_low` = its xmax, `next_pending` = its in-progress list) becomes the
    next cycle's `low`/`pending`, so a transaction that commits after the cycle began is always
    picked up by the next one, and nothing that committed before it is sent again. Within a
    cycle, `stage` is the table being read and (`after_xid`, `after_id`) the last row returned."""

    low: int = 0
    pending: tuple[int, ...] = ()
    next_low: int = 0
    next_pending: tuple[int, ...] = ()
    stage: int = 0
    after_xid: int = -1
    after_id: uuid.UUID | None = None

    def encode(self) -> str:
        parts = [
            "c2",
            str(self.low),
            "-".join(map(str, self.pending)),
            str(self.next_low),
            "-".join(map(str, self.next_pending)),
            str(self.stage),
            str(self.after_xid),
            self.after_id.hex if self.after_id else "",
        ]
        return base64.urlsafe_b64encode(".".join(parts).encode()).rstrip(b"=").decode()

    @classmethod
    def decode(cls, value: str | None) -> Cursor:
        if not value:
            return cls()
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            version, low, pending, next_low, next_pending, stage, after_xid, after = raw.split(".")
            if version != "c2":
                raise ValueError(version)
            cursor = cls(
                int(low),
                tuple(int(x) for x in pending.split("-") if x),
                int(next_low),
                tuple(int(x) for x in next_pending.split("-") if x),
                int(stage),
                int(after_xid),
                uuid.UUID(after) if after else None,
            )
            if cursor.low < 0 or not 0 <= cursor.stage < len(STAGES):
                raise ValueError(raw)
            return cursor
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationFailed(
                "not a cursor this server gave out", errors=[FieldError(loc=["query", "cursor"], msg="invalid")]
            ) from exc

    @property
    def starts_cycle(self) -> bool:
        return self.stage == 0 and self.after_id is None


@dataclass(frozen=True, slots=True)
class Stage:
    """One table of the pull: the columns read (not whole entities: a cold pull reads every
    product) and how a row becomes what the device gets."""

    name: str
    model: Any
    columns: tuple[str, ...]
    convert: Callable[[Any], Any]


STAGES: tuple[Stage, ...] = (
    Stage(
        "categories",
        Category,
        ("id", "name", "parent_id"),
        lambda c: CategorySync(id=c.id, name=c.name, parent_id=c.parent_id),
    ),
    Stage(
        "products",
        Product,
        (
            "id",
            "sku",
            "barcode",
            "name",
            "category_id",
            "price",
            "tax_rate_bp",
            "unit",
            "stock",
            "is_active",
            "image_version",
        ),
        lambda p: ProductSync(
            id=p.id,
            sku=p.sku,
            barcode=p.barcode,
            name=p.name,
            category_id=p.category_id,
            price=p.price,
            tax_rate_bp=p.tax_rate_bp,
            unit=p.unit,
            stock=p.stock,
            is_active=p.is_active,
        ),
    ),
    Stage(
        "customers",
        Customer,
        ("id", "name", "tax_id", "email", "phone", "is_active"),
        lambda c: CustomerSync(
            id=c.id, name=c.name, tax_id=c.tax_id, email=c.email, phone=c.phone, is_active=c.is_active
        ),
    ),
    Stage(
        "cashiers",
        User,
        ("id", "full_name", "role", "is_active", "offline_pin"),
        lambda u: CashierSync(
            id=u.id, full_name=u.full_name, role=u.role, is_active=u.is_active, offline_pin=u.offline_pin
        ),
    ),
    Stage("registers", Register, ("id", "code", "name", "is_active", "last_number"), lambda r: r),
    Stage("tombstones", SyncTombstone, ("entity", "id"), lambda t: Tombstone(entity=t.entity, id=t.id)),
)


async def _snapshot(ctx: Context) -> tuple[int, tuple[int, ...]]:
    """The current snapshot's xmax and in-progress transactions. Past `MAX_TRACKED_IN_PROGRESS`
    of them, the snapshot's xmin stands in for all (more rows are re-sent, none is missed)."""
    row = (
        await ctx.session.execute(
            text(
                "select (pg_snapshot_xmin(s)::text)::bigint, (pg_snapshot_xmax(s)::text)::bigint, "
                "array(select (x::text)::bigint from pg_snapshot_xip(s) as x order by 1) "
                "from pg_current_snapshot() as s"
            )
        )
    ).one()
    xmin, xmax, in_progress = int(row[0]), int(row[1]), tuple(int(x) for x in row[2])
    if len(in_progress) > MAX_TRACKED_IN_PROGRESS:
        return xmin, ()
    return xmax, in_progress


async def pull_catalog(ctx: Context, query: CatalogQuery) -> CatalogPage:
    """Up to `limit` rows changed since the cursor, table by table (see `Cursor`)."""
    assert ctx.tenant is not None
    cursor = Cursor.decode(query.cursor)
    if cursor.starts_cycle:
        next_low, next_pending = await _snapshot(ctx)
        cursor = Cursor(cursor.low, cursor.pending, next_low, next_pending)
    found: dict[str, list[Any]] = {stage.name: [] for stage in STAGES}
    room = query.limit
    stage_index, after_xid, after_id = cursor.stage, cursor.after_xid, cursor.after_id
    while stage_index < len(STAGES):
        stage = STAGES[stage_index]
        model = stage.model
        changed = model.change_xid >= cursor.low
        if cursor.pending:
            changed = or_(changed, model.change_xid.in_(cursor.pending))
        columns = [getattr(model, name) for name in stage.columns]
        statement = select(*columns, model.change_xid).where(model.organization_id == ctx.organization_id, changed)
        if after_id is not None:
            statement = statement.where(tuple_(model.change_xid, model.id) > tuple_(after_xid, after_id))
        rows = list(await ctx.session.execute(statement.order_by(model.change_xid, model.id).limit(room + 1)))
        if len(rows) > room:
            rows = rows[:room]
            found[stage.name].extend(rows)
            last = rows[-1] if rows else None
            next_cursor = Cursor(
                cursor.low,
                cursor.pending,
                cursor.next_low,
                cursor.next_pending,
                stage_index,
                last.change_xid if last else after_xid,
                last.id if last else after_id,
            )
            return await _page(ctx, found, next_cursor, has_more=True)
        found[stage.name].extend(rows)
        room -= len(rows)
        stage_index, after_xid, after_id = stage_index + 1, -1, None
    return await _page(ctx, found, Cursor(cursor.next_low, cursor.next_pending), has_more=False)


def _with_image(product: ProductSync, row: Any, link: ImageLinker) -> ProductSync:
    image = link(row.id, row.image_version)
    product.image = image.grid if image is not None else None
    return product


async def _page(ctx: Context, found: dict[str, list[Any]], cursor: Cursor, *, has_more: bool) -> CatalogPage:
    assert ctx.tenant is not None
    registers: list[Any] = found["registers"]
    open_shifts = await open_shift_ids(ctx, [register.id for register in registers]) if registers else {}
    by_name = {stage.name: stage for stage in STAGES}
    tenant = ctx.tenant
    link = image_linker(ctx)
    return CatalogPage(
        next_cursor=cursor.encode(),
        has_more=has_more,
        organization=OrganizationSync(
            id=tenant.id,
            name=tenant.name,
            currency=tenant.currency,
            currency_minor_units=minor_units(tenant.currency),
            locale=tenant.locale,
            time_zone=tenant.time_zone,
            tax_mode=tenant.tax_mode,
            allow_negative_stock=tenant.allow_negative_stock,
        ),
        products=[_with_image(by_name["products"].convert(row), row, link) for row in found["products"]],
        categories=[by_name["categories"].convert(row) for row in found["categories"]],
        customers=[by_name["customers"].convert(row) for row in found["customers"]],
        cashiers=[by_name["cashiers"].convert(row) for row in found["cashiers"]],
        registers=[
            RegisterSync(
                id=r.id,
                code=r.code,
                name=r.name,
                is_active=r.is_active,
                last_number=r.last_number,
                open_shift_id=open_shifts.get(r.id),
            )
            for r in registers
        ],
        tombstones=[by_name["tombstones"].convert(row) for row in found["tombstones"]],
    )


# Document push


_result_decoder = msgspec.json.Decoder(DocumentResult)


def fingerprint(document: AnyDocument) -> bytes:
    return hashlib.sha256(msgspec.json.encode(document)).digest()


@dataclass
class Settlement:
    """What settling one document produced."""

    conflicts: list[ConflictNote]
    sale_id: uuid.UUID | None = None
    invoice_number: str | None = None


async def _validate_references(
    ctx: Context, documents: Sequence[AnyDocument], stored: dict[uuid.UUID, _Stored]
) -> tuple[dict[uuid.UUID, User], dict[uuid.UUID, inventory.LockedProduct]]:
    """A batch naming products or cashiers this tenant doesn't have is malformed (or hostile):
    refused whole with 404, before anything is settled. Documents already settled (`stored`)
    are answered from what is stored and not checked again. Returns the batch's cashiers, and
    its products, locked in id order for the rest of the transaction."""
    unsettled = [(index, d) for index, d in enumerate(documents) if d.id not in stored]
    product_ids = {line.product_id for _, d in unsettled if isinstance(d, SaleDocument) for line in d.lines}
    cashier_ids = {d.cashier_id for _, d in unsettled}
    locked: dict[uuid.UUID, inventory.LockedProduct] = {}
    if product_ids:
        locked = await inventory.lock_products(ctx, list(product_ids))
        for index, document in unsettled:
            if isinstance(document, SaleDocument):
                for line_index, line in enumerate(document.lines):
                    if line.product_id not in locked:
                        raise NotFound(
                            f"document {document.seq} names a product this organization doesn't have",
                            code="unknown_product",
                            errors=[
                                FieldError(
                                    loc=["body", "sales", index, "lines", line_index, "product_id"],
                                    msg="no such product",
                                )
                            ],
                        )
    if not cashier_ids:
        return {}, locked
    cashiers = {
        user.id: user
        for user in await ctx.session.scalars(
            select(User).where(User.organization_id == ctx.organization_id, User.id.in_(cashier_ids))
        )
    }
    for index, document in unsettled:
        if document.cashier_id not in cashiers:
            raise NotFound(
                f"document {document.seq} names a cashier this organization doesn't have",
                code="unknown_cashier",
                errors=[FieldError(loc=["body", "sales", index, "cashier_id"], msg="no such user")],
            )
    return cashiers, locked


@dataclass(frozen=True, slots=True)
class _Stored:
    """A settled document, as far as a resend of it is concerned."""

    device_id: uuid.UUID
    seq: int
    request_hash: bytes
    result: DocumentResult


class _Batch:
    """The answers of one push, and the `sync_documents` rows and `last_seq` they become."""

    def __init__(self, device: Device, stored: dict[uuid.UUID, _Stored]) -> None:
        self.device = device
        self.stored = stored
        self.last_seq = device.last_seq
        self.results: list[DocumentResult] = []
        self.rows = bulk_sales.Rows(
            SyncDocument, "client_id", "device_id", "seq", "kind", "request_hash", "outcome", "result"
        )

    def answer(self, result: DocumentResult) -> None:
        """Answer a document that was not settled now (`duplicate`, or rejected before settling)."""
        self.results.append(result)

    def settled(self, document: AnyDocument, result: DocumentResult) -> None:
        """Record a document settled now: its answer, its row, and `last_seq`."""
        digest = fingerprint(document)
        self.stored[document.id] = _Stored(self.device.id, document.seq, digest, result)
        self.rows.add(
            client_id=document.id,
            device_id=self.device.id,
            seq=document.seq,
            kind=result.kind,
            request_hash=digest,
            outcome=result.status,
            result=msgspec.json.encode(result).decode(),
        )
        self.last_seq = document.seq
        self.results.append(result)

    async def write(self, ctx: Context) -> None:
        await self.rows.insert(ctx)
        self.device.last_seq = self.last_seq
        self.device.last_seen_at = datetime.now(UTC)
        await ctx.session.flush()


async def _stored_documents(ctx: Context, documents: Sequence[AnyDocument]) -> dict[uuid.UUID, _Stored]:
    """The batch's documents that are already settled. Their stored answers are read as JSON
    text and decoded straight into `DocumentResult`s."""
    rows = await ctx.session.execute(
        select(
            SyncDocument.client_id,
            SyncDocument.device_id,
            SyncDocument.seq,
            SyncDocument.request_hash,
            cast(SyncDocument.result, Text).label("result"),
        ).where(
            SyncDocument.organization_id == ctx.organization_id,
            SyncDocument.client_id.in_({document.id for document in documents}),
        )
    )
    return {
        row.client_id: _Stored(row.device_id, row.seq, row.request_hash, _result_decoder.decode(row.result))
        for row in rows
    }


def _sale_run(documents: Sequence[AnyDocument], start: int, batch: _Batch) -> list[SaleDocument]:
    """The sale documents from `start` on that are next in sequence and not yet settled."""
    run: list[SaleDocument] = []
    ids: set[uuid.UUID] = set()
    for document in documents[start:]:
        if (
            not isinstance(document, SaleDocument)
            or document.seq != batch.last_seq + 1 + len(run)
            or document.id in batch.stored
            or document.id in ids
        ):
            break
        ids.add(document.id)
        run.append(document)
    return run


async def push_documents(
    ctx: Context, data: PushRequest, credential: str | None, *, set_based: bool = True
) -> PushResult:
    """Settle a batch of offline documents in order (see the module's invariants).

    Runs of plain sales are settled set-based (`sync.bulk_sales`) unless `set_based` is False;
    every other document, and any sale that path leaves, is settled alone in its own savepoint.
    The document where a run stopped goes one by one; so do the next 1, 2, 4… documents after
    runs that settled nothing, so a batch the set-based path can't take costs few extra lookups.
    The batch's `sync_documents` rows and the device's `last_seq` are written at the end, in the
    same transaction as everything the documents created. The device's row is locked for the
    batch, unless every document's sequence number is already settled: such a resend is only
    answered, and writes nothing (not even `last_seen_at`)."""
    if len(data.sales) > MAX_DOCUMENTS:
        raise PayloadTooLarge(f"at most {MAX_DOCUMENTS} documents per request", code="batch_too_large")
    documents = data.sales
    device = await authenticate_device(ctx, data.device_id, credential)
    # A batch whose every sequence number is already settled can only be answered (a resend):
    # nothing is locked or written for it.
    answers_only = all(document.seq <= device.last_seq for document in documents)
    if not answers_only:
        await ctx.session.refresh(device, with_for_update=True)
        if device.revoked_at is not None:
            raise Forbidden("this device was revoked; register it again", code="device_revoked")
        await ctx.session.execute(text(f"set local lock_timeout = '{LOCK_TIMEOUT}'"))
    stored_documents = await _stored_documents(ctx, documents) if documents else {}
    cashiers: dict[uuid.UUID, User] = {}
    locked: dict[uuid.UUID, inventory.LockedProduct] | None = None
    if not answers_only:
        cashiers, locked = await _validate_references(ctx, documents, stored_documents)
    batch = _Batch(device, stored_documents)
    register: Register | None = None
    expected_seq: int | None = None
    one_by_one_until = misses = index = 0
    while index < len(documents):
        document = documents[index]
        stored = batch.stored.get(document.id)
        if stored is not None:
            if (
                stored.device_id != device.id
                or stored.request_hash != fingerprint(document)
                or stored.seq != document.seq
            ):
                batch.answer(
                    _rejected(
                        document, "idempotency_mismatch", "this document id was already used for a different document"
                    )
                )
            else:
                batch.answer(msgspec.structs.replace(stored.result, status="duplicate"))
            index += 1
            continue
        if document.seq <= batch.last_seq:
            batch.answer(_rejected(document, "seq_already_used", f"sequence {document.seq} is already settled"))
            index += 1
            continue
        if document.seq > batch.last_seq + 1:
            expected_seq = batch.last_seq + 1
            break
        if set_based and index >= one_by_one_until and isinstance(document, SaleDocument):
            register = register or await ctx.session.get(Register, (ctx.organization_id, device.register_id))
            assert register is not None
            run = _sale_run(documents, index, batch)
            outcome = await bulk_sales.settle_run(ctx, device, register, run, cashiers, locked)
            locked = None
            for settled_document, result in zip(run, outcome.results, strict=False):
                batch.settled(settled_document, result)
            index += len(outcome.results)
            if outcome.refused:
                one_by_one_until = index + outcome.refused
            elif outcome.results:
                misses, one_by_one_until = 0, index + 1
            else:
                misses, one_by_one_until = min(misses + 1, 6), index + 2**misses
            continue
        batch.settled(document, await _settle(ctx, device, document))
        locked = None
        index += 1
    if not answers_only:
        await batch.write(ctx)
    return PushResult(device_id=device.id, last_seq=device.last_seq, results=batch.results, expected_seq=expected_seq)


def _rejected(document: AnyDocument, code: str, message: str) -> DocumentResult:
    return DocumentResult(
        id=document.id,
        seq=document.seq,
        kind=str(document.__struct_config__.tag),
        status="rejected",
        code=code,
        message=message,
    )


async def _settle(ctx: Context, device: Device, document: AnyDocument) -> DocumentResult:
    cashier = await ctx.session.get(User, (ctx.organization_id, document.cashier_id))
    assert cashier is not None
    conflicts: list[ConflictNote] = []
    if not cashier.is_active:
        conflicts.append(ConflictNote(code="cashier_inactive", message=f"{cashier.full_name} is deactivated"))
    kind = str(document.__struct_config__.tag)
    try:
        with ctx.staged(actor=Actor(cashier.id, cashier.role)) as child:
            async with ctx.session.begin_nested():
                settlement = await HANDLERS[type(document)](child, device, document, conflicts)
    except ApiError as error:
        return _rejected(document, error.code or error.slug, error.detail or error.title)
    except DBAPIError as error:
        if is_transient(error):
            raise
        logger.exception("PostgreSQL refused document %s of device %s", document.seq, device.id)
        return _rejected(document, "refused_by_database", "the database refused this document; it was logged")
    for note in settlement.conflicts:
        conflict = SyncConflict(
            organization_id=ctx.organization_id,
            id=new_id(),
            device_id=device.id,
            document_id=document.id,
            sale_id=settlement.sale_id,
            product_id=note.product_id,
            code=note.code,
            message=note.message,
            details={"seq": document.seq, "kind": kind, "device_time": document.device_time.isoformat()},
            status="open",
            note="",
        )
        ctx.session.add(conflict)
        publish_after_commit(
            ctx,
            "alerts",
            "sync.conflict",
            {
                "conflict_id": conflict.id,
                "code": note.code,
                "message": note.message,
                "device_id": device.id,
                "register_id": device.register_id,
                "sale_id": settlement.sale_id,
                "product_id": note.product_id,
            },
        )
    return DocumentResult(
        id=document.id,
        seq=document.seq,
        kind=kind,
        status="applied_with_conflict" if settlement.conflicts else "applied",
        sale_id=settlement.sale_id,
        invoice_number=settlement.invoice_number,
        conflicts=settlement.conflicts,
    )


async def _usable_shift(
    ctx: Context, device: Device, shift_id: uuid.UUID | None, conflicts: list[ConflictNote]
) -> Shift | None:
    """The document's shift if it is open on the device's register; else None and a conflict."""
    if shift_id is None:
        conflicts.append(ConflictNote(code="no_shift", message="made outside any shift"))
        return None
    shift = await ctx.session.get(Shift, (ctx.organization_id, shift_id))
    if shift is None or shift.register_id != device.register_id:
        conflicts.append(ConflictNote(code="unknown_shift", message="the shift is unknown on this register"))
        return None
    if shift.status != "open":
        conflicts.append(ConflictNote(code="shift_closed", message="the shift was already closed"))
        return None
    return shift


async def _settle_sale(
    ctx: Context, device: Device, document: SaleDocument, conflicts: list[ConflictNote]
) -> Settlement:
    shift = await _usable_shift(ctx, device, document.shift_id, conflicts)
    number: int | None = document.number
    taken = await ctx.session.scalar(
        select(Sale.id).where(
            Sale.organization_id == ctx.organization_id,
            Sale.register_id == device.register_id,
            Sale.number == document.number,
        )
    )
    if taken is not None:
        conflicts.append(
            ConflictNote(
                code="number_collision",
                message=f"invoice number {document.number} was already used; a new one was given",
            )
        )
        number = None
    customer_id = document.customer_id
    if customer_id is not None:
        customer = await ctx.session.get(Customer, (ctx.organization_id, customer_id))
        if customer is None:
            conflicts.append(
                ConflictNote(code="unknown_customer", message="the customer is unknown; sale kept without")
            )
            customer_id = None
        elif not customer.is_active:
            conflicts.append(ConflictNote(code="customer_inactive", message=f"{customer.name} is deactivated"))
    recorded = await sales.record_sale(
        ctx,
        SaleCreate(
            register_id=device.register_id,
            lines=document.lines,
            payments=document.payments,
            discount=document.discount,
            customer_id=customer_id,
            note=document.note,
        ),
        Offline(
            device_id=device.id,
            sale_id=document.id,
            sold_at=document.device_time,
            number=number,
            shift_id=shift.id if shift is not None else None,
        ),
    )
    products = {
        p.id: p
        for p in await ctx.session.scalars(
            select(Product).where(
                Product.organization_id == ctx.organization_id,
                Product.id.in_({line.product_id for line in document.lines}),
            )
        )
    }
    for line in document.lines:
        product = products[line.product_id]
        if line.unit_price is not None and line.unit_price != product.price:
            conflicts.append(
                ConflictNote(
                    code="price_changed",
                    product_id=product.id,
                    message=f"{product.name} sold at {line.unit_price}, catalog says {product.price}",
                )
            )
        if not product.is_active:
            conflicts.append(
                ConflictNote(code="product_inactive", product_id=product.id, message=f"{product.name} is inactive")
            )
    for product in products.values():
        if product.stock < 0:
            conflicts.append(
                ConflictNote(
                    code="negative_stock",
                    product_id=product.id,
                    message=f"{product.name} went to {product.stock} in stock",
                )
            )
    return Settlement(conflicts=conflicts, sale_id=recorded.sale_id, invoice_number=recorded.invoice_number)


async def _settle_refund(
    ctx: Context, device: Device, document: RefundDocument, conflicts: list[ConflictNote]
) -> Settlement:
    shift = await _usable_shift(ctx, device, document.shift_id, conflicts)
    lines = {
        line.position: line.id
        for line in await ctx.session.scalars(
            select(SaleLine).where(
                SaleLine.organization_id == ctx.organization_id, SaleLine.sale_id == document.sale_id
            )
        )
    }
    missing = [line.position for line in document.lines if line.position not in lines]
    if not lines or missing:
        raise NotFound("the sale or its line is unknown", code="unknown_sale")
    await refunds.refund_sale(
        ctx,
        document.sale_id,
        RefundCreate(
            register_id=device.register_id,
            method=document.method,
            reason=document.reason,
            restock=document.restock,
            lines=[
                RefundLineCreate(sale_line_id=lines[line.position], quantity=line.quantity) for line in document.lines
            ],
        ),
        at=document.device_time,
        shift=shift,
        refund_id=document.id,
        offline=True,
    )
    return Settlement(conflicts=conflicts, sale_id=document.sale_id)


async def _settle_customer(
    ctx: Context, device: Device, document: CustomerDocument, conflicts: list[ConflictNote]
) -> Settlement:
    try:
        async with ctx.session.begin_nested():
            await customers.create_customer(ctx, document.customer, customer_id=document.id, at=document.device_time)
    except Conflict as error:
        if error.code != "tax_id_taken":
            raise
        conflicts.append(
            ConflictNote(
                code="duplicate_tax_id",
                message=f"tax id {document.customer.tax_id} belongs to another customer; created without it",
            )
        )
        await customers.create_customer(
            ctx,
            msgspec.structs.replace(document.customer, tax_id=None),
            customer_id=document.id,
            at=document.device_time,
        )
    return Settlement(conflicts=conflicts)


async def _settle_shift_open(
    ctx: Context, device: Device, document: ShiftOpenDocument, conflicts: list[ConflictNote]
) -> Settlement:
    await shifts.open_shift(
        ctx,
        ShiftOpen(register_id=device.register_id, opening_float=document.opening_float),
        opened_at=document.device_time,
        shift_id=document.id,
    )
    return Settlement(conflicts=conflicts)


async def _settle_shift_close(
    ctx: Context, device: Device, document: ShiftCloseDocument, conflicts: list[ConflictNote]
) -> Settlement:
    shift = await ctx.session.get(Shift, (ctx.organization_id, document.shift_id))
    if shift is None or shift.register_id != device.register_id:
        raise NotFound("the shift is unknown on this register", code="unknown_shift")
    await shifts.close_shift(
        ctx, shift.id, ShiftClose(counts=document.counts, note=document.note), closed_at=document.device_time
    )
    return Settlement(conflicts=conflicts)


async def _settle_cash_movement(
    ctx: Context, device: Device, document: CashMovementDocument, conflicts: list[ConflictNote]
) -> Settlement:
    shift = await ctx.session.get(Shift, (ctx.organization_id, document.shift_id))
    if shift is None or shift.register_id != device.register_id:
        raise NotFound("the shift is unknown on this register", code="unknown_shift")
    await shifts.add_cash_movement(
        ctx,
        shift.id,
        CashMovementCreate(kind=document.movement, amount=document.amount, reason=document.reason),
        at=document.device_time,
        movement_id=document.id,
    )
    return Settlement(conflicts=conflicts)


Handler = Callable[[Context, Device, Any, list[ConflictNote]], Awaitable[Settlement]]
HANDLERS: dict[type, Handler] = {
    SaleDocument: _settle_sale,
    RefundDocument: _settle_refund,
    CustomerDocument: _settle_customer,
    ShiftOpenDocument: _settle_shift_open,
    ShiftCloseDocument: _settle_shift_close,
    CashMovementDocument: _settle_cash_movement,
}


# Conflict inbox


def conflict_read(conflict: SyncConflict) -> ConflictRead:
    return ConflictRead(
        id=conflict.id,
        device_id=conflict.device_id,
        document_id=conflict.document_id,
        sale_id=conflict.sale_id,
        product_id=conflict.product_id,
        code=conflict.code,
        message=conflict.message,
        details=conflict.details,
        status=conflict.status,  # type: ignore[arg-type]
        resolution=conflict.resolution,
        note=conflict.note,  # type: ignore[arg-type]
        resolved_by=conflict.resolved_by,
        resolved_at=conflict.resolved_at,
        created_at=conflict.created_at,
    )


async def list_conflicts(ctx: Context, query: ConflictQuery) -> Page[ConflictRead]:
    statement = select(SyncConflict).where(SyncConflict.organization_id == ctx.organization_id)
    for field in ("status", "code", "device_id"):
        value = getattr(query, field)
        if value is not None:
            statement = statement.where(getattr(SyncConflict, field) == value)
    if query.since is not None:
        statement = statement.where(SyncConflict.created_at >= query.since)
    statement = statement.order_by(SyncConflict.created_at.desc(), SyncConflict.id.desc())
    return await paginate(ctx.session, statement, query, conflict_read)


async def resolve_conflict(ctx: Context, conflict_id: uuid.UUID, data: ConflictResolve) -> ConflictRead:
    """Acknowledge it, fix the stock it is about with a count, or add a note (which leaves it open)."""
    conflict = await ctx.session.get(SyncConflict, (ctx.organization_id, conflict_id), with_for_update=True)
    if conflict is None:
        raise NotFound("no such conflict")
    if conflict.status == "resolved":
        raise Conflict("the conflict is already resolved", code="conflict_resolved")
    before = {"status": conflict.status, "note": conflict.note}
    if data.note:
        conflict.note = (conflict.note + "\n" + data.note).strip()
    if data.action == "adjust_stock":
        if conflict.product_id is None or data.counted is None:
            raise ValidationFailed(
                "adjusting stock needs a conflict about a product and the counted quantity",
                errors=[FieldError(loc=["body", "counted"], msg="required for adjust_stock")],
            )
        await inventory.count_stock(
            ctx,
            CountCreate(
                lines=[CountLine(product_id=conflict.product_id, counted=data.counted)],
                reason=f"conflict {conflict.id}: {data.note}".strip(": "),
            ),
        )
    if data.action != "annotate":
        conflict.status = "resolved"
        conflict.resolution = {"acknowledge": "acknowledged", "adjust_stock": "stock_adjusted"}[data.action]
        conflict.resolved_by = ctx.actor_id
        conflict.resolved_at = datetime.now(UTC)
    await ctx.session.flush()
    if conflict.status == "resolved":
        device = await ctx.session.get(Device, (ctx.organization_id, conflict.device_id))
        publish_after_commit(
            ctx,
            "alerts",
            "sync.conflict_resolved",
            {
                "conflict_id": conflict.id,
                "resolution": conflict.resolution,
                "resolved_by": conflict.resolved_by,
                "register_id": device.register_id if device is not None else None,
            },
        )
    await audit.record(
        ctx,
        action=f"conflict.{data.action}",
        entity="sync_conflict",
        entity_id=conflict.id,
        before=before,
        after={"status": conflict.status, "note": conflict.note, "counted": data.counted},
    )
    return conflict_read(conflict)
