from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from server.core.pagination import PageQuery
from server.core.schemas import Output

Word = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class AuditQuery(PageQuery):
    entity: Word | None = None
    entity_id: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    action: Word | None = None
    actor_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


class AuditEntryRead(Output):
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip: str | None
