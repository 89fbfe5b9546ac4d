"""Document push (DESIGN §9): a device's batch of offline documents, settled in order.

Invariants:
- Exactly once per (device, seq) and per client id: a document is settled in the same
  transaction as what it creates, together with its `sync_documents` row and the device's
  `last_seq`; a resend is answered `duplicate` with the stored result, byte for byte the same
  apart from the status.
- Documents are settled in sequence order; a gap stops the batch with `expected_seq`. A
  document that can't be applied is `rejected` with a code, and `last_seq` still advances, so a
  device's queue never wedges.
- A document that fails never takes others down. Each document runs in its own savepoint
  (`sync.settlement`); the exception is a run of sales that would all be applied without
  conflict, which `sync.bulk_sales` settles in one savepoint and, if PostgreSQL refuses it,
  rolls back and leaves to the one-by-one path. A transient failure (database gone, lock
  timeout) aborts the whole batch before commit: nothing is settled and the device is told when
  to retry.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec
from sqlalchemy import Text, cast, select, text

from server.core.context import Context
from server.core.errors import FieldError, Forbidden, NotFound, PayloadTooLarge
from server.inventory import service as inventory
from server.sales.models import Device, Register
from server.users.models import User
from sync import bulk_sales
from sync.devices import authenticate_device
from sync.models import SyncDocument
from sync.schemas import MAX_DOCUMENTS, AnyDocument, DocumentResult, PushRequest, PushResult, SaleDocument
from sync.settlement import rejected, settle_document

LOCK_TIMEOUT = "5s"


_result_decoder = msgspec.json.Decoder(DocumentResult)


def fingerprint(document: AnyDocument) -> bytes:
    return hashlib.sha256(msgspec.json.encode(document)).digest()


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
    answers_only = all(document.seq <= device.last_seq for document in documents)
    if not answers_only:
        await _lock_device(ctx, device)
    stored_documents = await _stored_documents(ctx, documents) if documents else {}
    cashiers: dict[uuid.UUID, User] = {}
    locked: dict[uuid.UUID, inventory.LockedProduct] | None = None
    if not answers_only:
        cashiers, locked = await _validate_references(ctx, documents, stored_documents)
    batch = _Batch(device, stored_documents)
    pacing = _Pacing()
    register: Register | None = None
    expected_seq: int | None = None
    index = 0
    while index < len(documents):
        document = documents[index]
        stored = batch.stored.get(document.id)
        if stored is not None:
            batch.answer(_stored_answer(device, document, stored))
        elif document.seq <= batch.last_seq:
            batch.answer(rejected(document, "seq_already_used", f"sequence {document.seq} is already settled"))
        elif document.seq > batch.last_seq + 1:
            expected_seq = batch.last_seq + 1
            break
        elif set_based and pacing.set_based_at(index) and isinstance(document, SaleDocument):
            register = register or await ctx.session.get(Register, (ctx.organization_id, device.register_id))
            assert register is not None
            run = _sale_run(documents, index, batch)
            outcome = await bulk_sales.settle_run(ctx, device, register, run, cashiers, locked)
            locked = None
            for settled_document, result in zip(run, outcome.results, strict=False):
                batch.settled(settled_document, result)
            index += len(outcome.results)
            pacing.after_run(index, outcome)
            continue
        else:
            batch.settled(document, await settle_document(ctx, device, document))
            locked = None
        index += 1
    if not answers_only:
        await batch.write(ctx)
    return PushResult(device_id=device.id, last_seq=device.last_seq, results=batch.results, expected_seq=expected_seq)


async def _lock_device(ctx: Context, device: Device) -> None:
    """Lock the device's row for the batch (one batch of a device at a time) and bound how long
    any lock of the batch may be waited for."""
    await ctx.session.refresh(device, with_for_update=True)
    if device.revoked_at is not None:
        raise Forbidden("this device was revoked; register it again", code="device_revoked")
    await ctx.session.execute(text(f"set local lock_timeout = '{LOCK_TIMEOUT}'"))


def _stored_answer(device: Device, document: AnyDocument, stored: _Stored) -> DocumentResult:
    """A resend's answer: the stored result as `duplicate`, unless the id was used for another
    document (another device, body or sequence number)."""
    if stored.device_id != device.id or stored.request_hash != fingerprint(document) or stored.seq != document.seq:
        return rejected(document, "idempotency_mismatch", "this document id was already used for a different document")
    return msgspec.structs.replace(stored.result, status="duplicate")


@dataclass(slots=True)
class _Pacing:
    """When the set-based path is tried. After a run it refused, its documents go one by one;
    after a run that stopped early, the next document does; after runs that settled nothing,
    the next 1, 2, 4… (up to 64) documents do."""

    one_by_one_until: int = 0
    misses: int = 0

    def set_based_at(self, index: int) -> bool:
        return index >= self.one_by_one_until

    def after_run(self, index: int, outcome: bulk_sales.RunSettlement) -> None:
        """`index`: where the batch stands after the run's settled documents."""
        if outcome.refused:
            self.one_by_one_until = index + outcome.refused
        elif outcome.results:
            self.misses, self.one_by_one_until = 0, index + 1
        else:
            self.misses, self.one_by_one_until = min(self.misses + 1, 6), index + 2**self.misses
