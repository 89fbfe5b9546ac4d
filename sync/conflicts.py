"""The conflict inbox (DESIGN §9): offline facts the server would have refused online.

Invariants:
- A conflict never undoes what the device did: the sale stands, and the conflict is a note
  for the managers, announced on `alerts` after commit.
- A resolved conflict stays resolved; a note alone leaves it open.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from server.audit import service as audit
from server.core.context import Context
from server.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from server.core.events import publish_after_commit
from server.core.ids import new_id
from server.core.pagination import Page, paginate
from server.inventory import service as inventory
from server.inventory.schemas import CountCreate, CountLine
from server.sales.models import Device
from sync.models import SyncConflict
from sync.schemas import AnyDocument, ConflictNote, ConflictQuery, ConflictRead, ConflictResolve


def record_conflicts(
    ctx: Context, device: Device, document: AnyDocument, notes: list[ConflictNote], sale_id: uuid.UUID | None
) -> None:
    """Open one conflict per note about a settled document, each announced on `alerts` after commit."""
    kind = str(document.__struct_config__.tag)
    for note in notes:
        conflict = SyncConflict(
            organization_id=ctx.organization_id,
            id=new_id(),
            device_id=device.id,
            document_id=document.id,
            sale_id=sale_id,
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
                "sale_id": sale_id,
                "product_id": note.product_id,
            },
        )


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
        status=conflict.status,
        resolution=conflict.resolution,
        note=conflict.note,
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
