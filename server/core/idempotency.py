"""Idempotency keys for POST endpoints that create money or stock facts (DESIGN §5).

A key is scoped by tenant and user. The same key and body replay the stored response (with
`Idempotent-Replayed: true`); the same key with another body is 422; a request racing an
in-flight one with the same key is 409.

How: the request takes a transaction-scoped advisory lock on (tenant, user, key) — a second
request finds it taken and gets 409 — and, in the same statement, looks for a stored response.
The response is stored in the same transaction as the sale (or other fact) it reports, so a
crash or an error leaves no key behind and the client may simply retry. Failed requests are not
stored.

The lookup's snapshot is taken when the statement starts, before the lock is granted: a request
that gets the lock just after a duplicate committed finds no stored response, does its work, and
then cannot store its own (the key is taken). It is answered 409 like any request that raced an
in-flight one, and its work is rolled back; the client's retry replays the stored response.
One round trip fewer on every call is worth that rare wasted attempt.

The edge saves one more: when the request's access token and key are well-formed, the lock and
the lookup (`Probe`) ride on the tenant lookup's statement, keyed by the token's tenant and
user. They are used only once the token is verified to belong to the resolved tenant; otherwise
the request fails (403) and its rollback releases the lock.

Stored responses are kept for `RETENTION` (a week) and purged nightly, per tenant, by
`orbit scheduler` (`purge_expired`). A request that reuses a key after that is a new request.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    delete,
    func,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from server.core.context import ActorContext
from server.core.db import Base, Statement, TenantScoped
from server.core.errors import BadRequest, Conflict, PreconditionRequired, ValidationFailed
from server.core.idempotency_claim import Claim
from server.core.schemas import encode_json


class IdempotencyKey(TenantScoped, Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "user_id"], ["users.organization_id", "users.id"]),
        CheckConstraint("status in ('in_progress', 'completed')", name="status"),
        Index("ix_idempotency_keys_created", "created_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


RETENTION = timedelta(days=7)
"""How long a stored response is replayed. Clients retry within seconds or minutes; a week also
covers a till left with a request unanswered over a long weekend."""

KEY_HEADER = "idempotency-key"
REPLAY_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: bytes


@dataclass(slots=True)
class Probe:
    """The lock and lookup of a key, taken by the tenant lookup's statement (`LOCK_AND_LOOKUP`)
    for the token's tenant and user: `claim` uses it instead of a round trip of its own."""

    organization_id: uuid.UUID
    user_id: uuid.UUID
    key: str
    locked: bool = False
    stored: tuple[bytes, int | None, bytes | None] | None = None

    @property
    def lock(self) -> int:
        return _lock_id(self.organization_id, self.user_id, self.key)


LOCK_AND_LOOKUP = (
    "pg_try_advisory_xact_lock(:lock) as locked, (select row(k.request_hash, k.response_status, "
    "k.response_body) from idempotency_keys k where k.organization_id = :organization_id "
    "and k.user_id = :user_id and k.key = :key) as stored, "
    "set_config('plan_cache_mode', 'force_generic_plan', true) as plan_cache_mode"
)
"""Select-list items taking the lock and reading a stored response for a `Probe`'s parameters.
Placed after the `set_config` of `app.org_id` in the same select list: PostgreSQL evaluates it
in order, so row-level security already sees the tenant when the sub-select runs.

They also put the rest of the transaction on generic plans. An idempotent request writes facts
with point lookups and small writes, for which the plan PostgreSQL makes once per connection is
as good as a fresh one; left to choose, it re-plans some of them on every call (a statement
matching products to an array of ids looks cheaper planned for its three ids than in general),
which costs a sale about a tenth of its database time. The setting ends with the transaction."""

_CLAIM = Statement(
    "select pg_try_advisory_xact_lock(:lock) as locked, k.request_hash, k.response_status, k.response_body "
    "from (select) as one left join idempotency_keys k on k.organization_id = :organization_id "
    "and k.user_id = :user_id and k.key = :key"
)
_STORE = Statement(
    "insert into idempotency_keys (organization_id, user_id, key, endpoint, request_hash, status, "
    "response_status, response_body, completed_at) "
    "values (:organization_id, :user_id, :key, :endpoint, :request_hash, 'completed', :response_status, "
    ":response_body, :completed_at) on conflict do nothing returning 1"
)


MOMENT_PLACEHOLDER = datetime(2000, 1, 1, tzinfo=UTC)
"""Stands, in a response encoded before its statement runs, for the moment only that statement
knows (`response_insert`). Encoded, it is `"2000-01-01T00:00:00Z"`."""


def rfc3339_sql(moment: str) -> str:
    """SQL text rendering the timestamptz expression `moment` exactly as the JSON encoder writes
    a UTC datetime: `YYYY-MM-DDTHH:MM:SS` and `Z`, with `.ffffff` only when the microseconds
    aren't zero."""
    utc = f"({moment} at time zone 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || case when "
        f"cast(extract(microseconds from {utc}) as bigint) % 1000000 = 0 then '' else to_char({utc}, '.US') end"
        " || 'Z'"
    )


def response_insert(field: str) -> str:
    """The insert of a claimed key's response inside the statement that writes the request's
    facts, for a handler that wants no round trip for it (`response_values`). The statement must
    have a `moment` row source (`at`, a timestamptz) and insert nothing without it. The body's
    member `field` holds `MOMENT_PLACEHOLDER` and gets that moment: only the member itself
    matches, since a `"` inside any JSON string is escaped. Returns a row when stored, none when
    a duplicate took the key first (the handler then raises `in_flight()`)."""
    assert field.isidentifier()
    member = f'"{field}":'
    placeholder = encode_json(MOMENT_PLACEHOLDER).decode()
    return (
        "insert into idempotency_keys (organization_id, user_id, key, endpoint, request_hash, status, "
        "response_status, response_body, completed_at) "
        "select :organization_id, cast(:idempotency_user_id as uuid), cast(:idempotency_key as text), "
        "cast(:idempotency_endpoint as text), cast(:idempotency_hash as bytea), 'completed', "
        "cast(:idempotency_status as integer), convert_to(replace(cast(:idempotency_body as text), "
        f"'{member}{placeholder}', '{member}\"' || {rfc3339_sql('moment.at')} || '\"'), 'UTF8'), "
        "moment.at from moment where cast(:idempotency_key as text) is not null on conflict do nothing returning 1"
    )


def response_values(claim: Claim | None, user_id: uuid.UUID, body: bytes) -> dict[str, Any]:
    """The parameters of `response_insert`: `body` is the response encoded with
    `MOMENT_PLACEHOLDER` for the moment; no claim inserts nothing."""
    if claim is None:
        return dict.fromkeys(
            (
                "idempotency_user_id",
                "idempotency_key",
                "idempotency_endpoint",
                "idempotency_hash",
                "idempotency_status",
                "idempotency_body",
            ),
        )
    return {
        "idempotency_user_id": user_id,
        "idempotency_key": claim.key,
        "idempotency_endpoint": claim.endpoint,
        "idempotency_hash": claim.fingerprint,
        "idempotency_status": claim.status,
        "idempotency_body": body.decode(),
    }


def request_fingerprint(endpoint: str, canonical_body: bytes) -> bytes:
    return hashlib.sha256(endpoint.encode() + b"\n" + canonical_body).digest()


def _lock_id(organization_id: uuid.UUID, user_id: uuid.UUID, key: str) -> int:
    digest = hashlib.blake2b(f"{organization_id}:{user_id}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def validate_key(raw: str | None) -> str:
    if raw is None:
        raise PreconditionRequired(
            "this request creates money or stock facts: send an Idempotency-Key header (a UUID is fine)",
            code="idempotency_key_required",
        )
    if not KEY_PATTERN.match(raw):
        raise BadRequest(
            "the Idempotency-Key must be 1 to 255 visible ASCII characters", code="idempotency_key_invalid"
        )
    return raw


async def claim(
    ctx: ActorContext, *, key: str, endpoint: str, canonical_body: bytes, status: int = 200, probe: Probe | None = None
) -> Claim | StoredResponse:
    """Take the key for this transaction, or return the stored response of an earlier success.
    `probe`, when it was taken for this tenant, user and key, stands for the lock and lookup.

    Raises 409 while another request with the key is in flight, and 422 when the key was used
    with another body or endpoint.
    """
    if (
        probe is not None
        and probe.key == key
        and probe.organization_id == ctx.organization_id
        and probe.user_id == ctx.actor.user_id
    ):
        locked = probe.locked
        request_hash, response_status, response_body = probe.stored or (None, None, None)
    else:
        locked, request_hash, response_status, response_body = (
            await _CLAIM.fetch(
                ctx.session,
                {
                    "lock": _lock_id(ctx.organization_id, ctx.actor.user_id, key),
                    "organization_id": ctx.organization_id,
                    "user_id": ctx.actor.user_id,
                    "key": key,
                },
            )
        )[0]
    if not locked:
        raise in_flight()
    fingerprint = request_fingerprint(endpoint, canonical_body)
    if request_hash is None:
        return Claim(key=key, endpoint=endpoint, fingerprint=fingerprint, status=status)
    if request_hash != fingerprint:
        raise ValidationFailed(
            "this Idempotency-Key was already used for a different request", code="idempotency_mismatch"
        )
    assert response_status is not None and response_body is not None
    return StoredResponse(status=response_status, body=response_body)


def in_flight() -> Conflict:
    return Conflict("a request with this Idempotency-Key is still in progress", code="idempotency_in_flight")


async def complete(ctx: ActorContext, held: Claim, response: StoredResponse) -> None:
    """Store the response in the same transaction as the facts it reports. Raises 409 when a
    duplicate committed between this request's lookup and its lock (see the module's notes)."""
    stored = await _STORE.fetch(
        ctx.session,
        {
            "organization_id": ctx.organization_id,
            "user_id": ctx.actor.user_id,
            "key": held.key,
            "endpoint": held.endpoint,
            "request_hash": held.fingerprint,
            "response_status": response.status,
            "response_body": response.body,
            "completed_at": datetime.now(UTC),
        },
    )
    if not stored:
        raise in_flight()


async def purge_expired(session: AsyncSession, organization_id: uuid.UUID, now: datetime) -> int:
    """Delete the tenant's keys created more than `RETENTION` before `now`; returns how many."""
    connection = await session.connection()
    result = await connection.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.organization_id == organization_id, IdempotencyKey.created_at < now - RETENTION
        )
    )
    return result.rowcount
