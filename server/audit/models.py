from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKeyConstraint, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from server.core.db import Base, TenantScoped


class AuditEntry(TenantScoped, Base):
    """Who did what to which entity, with the state before and after. Append-only: the
    application role may insert and read these rows, never change or delete them."""

    __tablename__ = "audit_log"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "actor_id"], ["users.organization_id", "users.id"]),
        Index("ix_audit_log_at", "organization_id", "at"),
        Index("ix_audit_log_entity", "organization_id", "entity", "entity_id"),
        Index("ix_audit_log_actor", "organization_id", "actor_id", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    ip: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
