from __future__ import annotations

from server.audit import service
from server.audit.schemas import AuditEntryRead, AuditQuery
from server.core.api import ADMINS, Router
from server.core.context import ActorContext
from server.core.pagination import Page

router = Router(tags=["audit"])


@router.get("/api/v1/audit", access=ADMINS, query=AuditQuery, response=Page[AuditEntryRead])
async def list_audit_entries(ctx: ActorContext, query: AuditQuery) -> Page[AuditEntryRead]:
    """List audit entries, newest first, filtered by entity, action, actor and time."""
    return await service.list_entries(ctx, query)


@router.get("/api/v1/audit/entity-types", access=ADMINS, response=list[str])
async def list_audit_entity_types(ctx: ActorContext) -> list[str]:
    """The entity types present in the audit log (`user`, `sale`, …), sorted, for filtering."""
    return await service.list_entity_types(ctx)
