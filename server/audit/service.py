"""The audit log: one `record` call that any service makes inside its own transaction, so an
audited change and its audit row commit or roll back together. The sale writes its row inside
its own single write statement, with the values `entry_values` gives."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import select, text

from server.audit.models import AuditEntry
from server.audit.schemas import AuditEntryRead, AuditQuery
from server.core.context import Context
from server.core.ids import new_id
from server.core.pagination import Page, paginate


def snapshot(value: Any) -> dict[str, Any] | None:
    """A JSON-ready copy of a Struct or mapping for the `before`/`after` columns."""
    if value is None:
        return None
    copy: dict[str, Any] = msgspec.to_builtins(value, str_keys=True)
    return copy


async def record(
    ctx: Context,
    *,
    action: str,
    entity: str,
    entity_id: object,
    before: Any = None,
    after: Any = None,
) -> None:
    ctx.session.add(
        AuditEntry(
            organization_id=ctx.organization_id,
            id=new_id(),
            actor_id=ctx.actor_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=snapshot(before),
            after=snapshot(after),
            ip=ctx.ip,
        )
    )


_json = msgspec.json.Encoder()


def entry_values(ctx: Context, *, action: str, entity: str, entity_id: object, after: Any = None) -> dict[str, Any]:
    """The values of an audit row for a statement that inserts it itself (`after` as JSON text)."""
    return {
        "audit_id": new_id(),
        "audit_actor_id": ctx.actor_id,
        "audit_action": action,
        "audit_entity": entity,
        "audit_entity_id": str(entity_id),
        "audit_after": None if after is None else _json.encode(snapshot(after)).decode(),
        "audit_ip": ctx.ip,
    }


AUDIT_INSERT = (
    "insert into audit_log (organization_id, id, actor_id, action, entity, entity_id, after, ip) "
    "select :organization_id, :audit_id, :audit_actor_id, :audit_action, :audit_entity, :audit_entity_id, "
    "cast(:audit_after as jsonb), :audit_ip"
)
"""The insert of an `entry_values` row, to embed in a statement (append `from`/`where` to make it conditional)."""


def to_read(entry: AuditEntry) -> AuditEntryRead:
    return AuditEntryRead(
        id=entry.id,
        at=entry.at,
        actor_id=entry.actor_id,
        action=entry.action,
        entity=entry.entity,
        entity_id=entry.entity_id,
        before=entry.before,
        after=entry.after,
        ip=entry.ip,
    )


async def list_entries(ctx: Context, query: AuditQuery) -> Page[AuditEntryRead]:
    statement = select(AuditEntry).where(AuditEntry.organization_id == ctx.organization_id)
    if query.entity is not None:
        statement = statement.where(AuditEntry.entity == query.entity)
    if query.entity_id is not None:
        statement = statement.where(AuditEntry.entity_id == query.entity_id)
    if query.action is not None:
        statement = statement.where(AuditEntry.action == query.action)
    if query.actor_id is not None:
        statement = statement.where(AuditEntry.actor_id == query.actor_id)
    if query.since is not None:
        statement = statement.where(AuditEntry.at >= query.since)
    if query.until is not None:
        statement = statement.where(AuditEntry.at < query.until)
    statement = statement.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return await paginate(ctx.session, statement, query, to_read)


_ENTITY_TYPES = text(
    """
    with recursive types(entity) as (
        (select entity from audit_log where organization_id = :organization_id order by entity limit 1)
        union all
        select (
            select next.entity from audit_log next
            where next.organization_id = :organization_id and next.entity > types.entity
            order by next.entity limit 1
        )
        from types where types.entity is not null
    )
    select entity from types where entity is not null
    """
)


async def list_entity_types(ctx: Context) -> list[str]:
    """The entity types the organization's log holds, in order, for the log's filter. One index
    probe per type (a loose scan of `ix_audit_log_entity`), however long the log is."""
    rows = await ctx.session.scalars(_ENTITY_TYPES, {"organization_id": ctx.organization_id})
    return list(rows)
