"""The rules of a realtime connection: who may connect, what they may see, and what history a
subscription is served from. The hub and the endpoint only move frames; decisions live here.

Invariants:
- A connection belongs to exactly one tenant: the organization of its access token, which must
  be the active organization named by the host. Nothing of another tenant is ever read for it:
  the tenant's pub/sub channel and streams are keyed by that id only.
- Users are checked against the database (active, same role as the token) at connect, on every
  refresh and periodically (`current_users` + `cut_off`); a refresh must carry a token of the same user.
- Admins and managers may subscribe to every topic. Cashiers may subscribe to `stock`, and to
  `alerts` when the socket has declared its register (`auth.register_id`), in which case they get
  only alerts whose `data.register_id` is that register.
- Replay: `since` is the id of the last event the client has. The history reaches back to it
  when the stream still holds an entry at or before it (streams are only ever trimmed from the
  oldest end), or, for `since = 0`, when the stream has never been trimmed. Otherwise the
  answer is `recovered: false` and the client reloads over REST (a client whose last event was
  trimmed is a whole stream behind, and is better served by a reload anyway).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from realtime.envelope import Event, stream_key_of
from realtime.schemas import (
    REGISTER_UNKNOWN,
    ROLE_CHANGED,
    TOKEN_EXPIRED,
    TOKEN_INVALID,
    TOKEN_MISSING,
    UNKNOWN_TENANT,
    USER_INACTIVE,
    WRONG_TENANT,
    Refused,
)
from server.core.context import Resources
from server.core.errors import ApiError, Unauthorized
from server.core.events import STREAM_MAX_LENGTH, TOPICS, stream_key
from server.core.security import AccessClaims, decode_access_token
from server.sales.models import Register
from server.tenancy.models import Organization
from server.tenancy.service import requested_subdomain
from server.users.models import User

ALL_TOPICS = frozenset(TOPICS)
TOPICS_BY_ROLE: dict[str, frozenset[str]] = {
    "admin": ALL_TOPICS,
    "manager": ALL_TOPICS,
    "cashier": frozenset({"stock", "alerts"}),
}
REGISTER_SCOPED_ROLES = frozenset({"cashier"})
"""Roles that see only their own register's alerts."""

ORIGIN = "0-0"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a connection is, as established by `authenticate` (and replaced by `refresh`)."""

    organization_id: uuid.UUID
    user_id: uuid.UUID
    role: str
    expires_at: int
    register_id: uuid.UUID | None = None
    register_code: str | None = None
    topics: frozenset[str] = field(default_factory=frozenset)

    @property
    def alerts_register(self) -> str | None:
        """The register whose alerts alone this connection sees, or None for all alerts."""
        if self.role in REGISTER_SCOPED_ROLES:
            return str(self.register_id) if self.register_id else ""
        return None


def allowed_topics(role: str, *, has_register: bool) -> frozenset[str]:
    topics = TOPICS_BY_ROLE.get(role, frozenset())
    if role in REGISTER_SCOPED_ROLES and not has_register:
        topics = topics - {"alerts"}
    return topics


def topic_refusal(identity: Identity, topic: str) -> tuple[str, str] | None:
    """Why `identity` may not subscribe to `topic` (an error code and message), or None."""
    if topic not in ALL_TOPICS:
        return "unknown_topic", f"topics are {', '.join(TOPICS)}"
    if topic in identity.topics:
        return None
    if topic == "alerts" and identity.role in REGISTER_SCOPED_ROLES:
        return "register_required", "declare your register (auth.register_id) to receive its alerts"
    return "topic_forbidden", f"the {identity.role} role may not subscribe to {topic}"


def visible(identity: Identity, event: Event) -> bool:
    """Whether a connection subscribed to the event's topic may receive it."""
    if event.topic != "alerts":
        return True
    register = identity.alerts_register
    return register is None or (bool(register) and event.register_id == register)


def _claims(resources: Resources, token: str) -> AccessClaims:
    if not token:
        raise Refused(TOKEN_MISSING, "send {type: auth, token} first")
    try:
        return decode_access_token(resources.settings, token)
    except Unauthorized as exc:
        raise Refused(TOKEN_EXPIRED if exc.code == "token_expired" else TOKEN_INVALID, exc.detail) from None


async def authenticate(
    resources: Resources,
    *,
    token: str,
    host: str | None,
    tenant_header: str | None,
    register_id: uuid.UUID | None,
) -> Identity:
    """Check the first frame: a valid access token of an active user of the host's active
    organization, and a declared register of that organization. Raises `Refused`."""
    claims = _claims(resources, token)
    try:
        subdomain = requested_subdomain(host, tenant_header, resources.settings.base_domain)
    except ApiError as exc:
        raise Refused(UNKNOWN_TENANT, exc.detail) from None
    async with resources.database.transaction(claims.organization_id) as session:
        organization_id = await session.scalar(
            select(Organization.id).where(Organization.subdomain == subdomain, Organization.is_active)
        )
        if organization_id is None:
            raise Refused(UNKNOWN_TENANT, "no active organization at this address")
        if organization_id != claims.organization_id:
            raise Refused(WRONG_TENANT, "the token belongs to another organization")
        await _check_user(session, claims)
        register_code = None
        if register_id is not None:
            register = (
                await session.execute(
                    select(Register.code).where(
                        Register.organization_id == organization_id, Register.id == register_id, Register.is_active
                    )
                )
            ).first()
            if register is None:
                raise Refused(REGISTER_UNKNOWN, "no active register with this id")
            register_code = register.code
    return Identity(
        organization_id=claims.organization_id,
        user_id=claims.user_id,
        role=claims.role,
        expires_at=claims.expires_at,
        register_id=register_id,
        register_code=register_code,
        topics=allowed_topics(claims.role, has_register=register_id is not None),
    )


async def _check_user(session: AsyncSession, claims: AccessClaims) -> None:
    user = (
        await session.execute(
            select(User.is_active, User.role).where(
                User.organization_id == claims.organization_id, User.id == claims.user_id
            )
        )
    ).first()
    if user is None or not user.is_active:
        raise Refused(USER_INACTIVE, "the user is deactivated")
    if user.role != claims.role:
        raise Refused(ROLE_CHANGED, "the user's role changed; refresh the token")


async def refresh(resources: Resources, identity: Identity, token: str) -> Identity:
    """A new access token for the same user and organization extends the connection."""
    claims = _claims(resources, token)
    if claims.organization_id != identity.organization_id:
        raise Refused(WRONG_TENANT, "the token belongs to another organization")
    if claims.user_id != identity.user_id:
        raise Refused(TOKEN_INVALID, "the token belongs to another user")
    async with resources.database.transaction(claims.organization_id) as session:
        await _check_user(session, claims)
    return replace(
        identity,
        role=claims.role,
        expires_at=claims.expires_at,
        topics=allowed_topics(claims.role, has_register=identity.register_id is not None),
    )


@dataclass(frozen=True, slots=True)
class UserState:
    is_active: bool
    role: str


async def current_users(
    resources: Resources, organization_id: uuid.UUID, user_ids: set[uuid.UUID]
) -> dict[uuid.UUID, UserState] | None:
    """The state of these users now, or None when the organization was deactivated."""
    async with resources.database.transaction(organization_id) as session:
        active = await session.scalar(select(Organization.is_active).where(Organization.id == organization_id))
        if not active:
            return None
        rows = await session.execute(
            select(User.id, User.is_active, User.role).where(
                User.organization_id == organization_id, User.id.in_(list(user_ids))
            )
        )
        return {row.id: UserState(is_active=row.is_active, role=row.role) for row in rows}


def cut_off(identity: Identity, users: dict[uuid.UUID, UserState] | None) -> Refused | None:
    """Why a connected user must be cut off now (they or their organization were deactivated, or
    their role changed), or None."""
    if users is None:
        return Refused(UNKNOWN_TENANT, "the organization was deactivated")
    state = users.get(identity.user_id)
    if state is None or not state.is_active:
        return Refused(USER_INACTIVE, "the user was deactivated")
    if state.role != identity.role:
        return Refused(ROLE_CHANGED, "the user's role changed; refresh the token")
    return None


# History -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryStart:
    """Where a subscription's history starts: whether it reaches back to `since`, and `position`,
    the newest id the stream had when asked (or `0-0` when empty)."""

    recovered: bool
    position: str


def _decode(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def history_start(redis: Redis, organization_id: uuid.UUID, topic: str, since: str | None) -> HistoryStart:
    """Call only once the tenant's channel is subscribed, so nothing falls between the two."""
    key = stream_key(organization_id, topic)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.xrange(key, "-", "+", count=1)
        pipe.xrevrange(key, "+", "-", count=1)
        pipe.xlen(key)
        first, last, length = await pipe.execute()
    position = _decode(last[0][0]) if last else ORIGIN
    if since is None:
        return HistoryStart(recovered=True, position=position)
    wanted = stream_key_of(since)
    if first and stream_key_of(_decode(first[0][0])) <= wanted:
        return HistoryStart(recovered=True, position=position)
    if wanted == (0, 0):
        return HistoryStart(recovered=await _never_trimmed(redis, key, length), position=position)
    # The stream starts after `since`: entries after it may have been trimmed (the client is at
    # least a whole stream behind), or Redis lost its data (restarted without persistence).
    return HistoryStart(recovered=False, position=position)


async def _never_trimmed(redis: Redis, key: str, length: int) -> bool:
    if not length:
        return True
    info = await redis.xinfo_stream(key)
    added = info.get("entries-added")
    if added is not None:  # Redis 7+
        return int(added) == length
    return length < STREAM_MAX_LENGTH  # trimming with MAXLEN ~ never leaves fewer


async def history_page(
    redis: Redis, organization_id: uuid.UUID, topic: str, after: str, until: str, count: int
) -> list[Event]:
    """Up to `count` events with after < id <= until, oldest first."""
    start = "-" if stream_key_of(after) == (0, 0) else f"({after}"
    # redis-py types the reply for every decoding setting; this client does not decode (bytes).
    entries: list[tuple[bytes, dict[bytes, bytes]]] = await redis.xrange(  # type: ignore[assignment]
        stream_key(organization_id, topic), start, until, count=count
    )
    return [Event.from_entry(entry_id, fields[b"e"]) for entry_id, fields in entries]


def visible_events(identity: Identity, events: Iterable[Event]) -> list[Event]:
    return [event for event in events if visible(identity, event)]
