"""Users, sign-in and sessions.

Invariants:
- An email belongs to one user of one organization (`user_emails`), compared in lower case.
- Refresh tokens rotate on every use. A token that was already rotated, presented again, is
  treated as stolen: its whole family is revoked and the caller must sign in again.
- Deactivating a user revokes every refresh token they hold, so they are cut off once their
  current access token (at most `access_token_seconds`) expires.
- An organization always keeps at least one active admin.
- Every change to users and roles is written to the audit log in the same transaction.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ParamSpec, TypeVar

import msgspec
from sqlalchemy import func, or_, select, update

from server.audit import service as audit
from server.core import ratelimit
from server.core.context import ActorContext, Context
from server.core.db import unique_or_conflict
from server.core.errors import Conflict, FieldError, NotFound, TooManyRequests, Unauthorized, ValidationFailed
from server.core.ids import new_id
from server.core.pagination import Page, paginate
from server.core.security import (
    hash_password,
    issue_access_token,
    new_secret,
    password_needs_rehash,
    secret_digest,
    verify_password,
)
from server.users.models import RefreshToken, User, UserEmail
from server.users.passwords import check_password_strength
from server.users.schemas import LoginRequest, PersonRead, TokenPair, UserCreate, UserQuery, UserRead, UserUpdate

P = ParamSpec("P")
T = TypeVar("T")


async def _off_loop(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a password hash or check (argon2id: about 0.1 s of CPU, far more on a busy machine) in
    a worker thread: on the event loop it would stall every other request and socket of the
    process for that long. argon2-cffi releases the GIL, so the thread runs alongside."""
    return await asyncio.to_thread(function, *args, **kwargs)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def to_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        role=user.role,
        is_active=user.is_active,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def audit_view(user: User) -> dict[str, object]:
    return {"email": user.email, "full_name": user.full_name, "role": user.role, "is_active": user.is_active}


async def get_user(ctx: Context, user_id: uuid.UUID) -> User:
    user = await ctx.session.get(User, (ctx.organization_id, user_id))
    if user is None:
        raise NotFound("no such user")
    return user


async def email_taken(ctx: Context, email: str) -> bool:
    found = await ctx.session.scalar(select(UserEmail.email).where(UserEmail.email == normalize_email(email)))
    return found is not None


async def add_user(ctx: Context, *, email: str, full_name: str, role: str, password: str) -> User:
    """Create a user of the context's organization; refuses a weak password or a taken email."""
    email = normalize_email(email)
    full_name = full_name.strip()
    if not full_name:
        raise ValidationFailed("a name is required", errors=[FieldError(loc=["body", "full_name"], msg="required")])
    check_password_strength(password, email=email, names=(full_name,))
    if await email_taken(ctx, email):
        raise Conflict("this email already has an account", code="email_taken")
    now = datetime.now(UTC)
    user = User(
        organization_id=ctx.organization_id,
        id=new_id(),
        email=email,
        full_name=full_name,
        password_hash=await _off_loop(hash_password, password),
        role=role,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    taken = Conflict("this email already has an account", code="email_taken")
    async with unique_or_conflict(ctx.session, {"pk_user_emails": taken, "uq_users_organization_id_email": taken}):
        ctx.session.add(user)
        ctx.session.add(UserEmail(email=email, organization_id=ctx.organization_id, user_id=user.id))
    await audit.record(ctx, action="user.created", entity="user", entity_id=user.id, after=audit_view(user))
    return user


async def create_user(ctx: Context, data: UserCreate) -> UserRead:
    user = await add_user(ctx, email=data.email, full_name=data.full_name, role=data.role, password=data.password)
    return to_read(user)


async def list_users(ctx: Context, query: UserQuery) -> Page[UserRead]:
    statement = select(User).where(User.organization_id == ctx.organization_id)
    if query.role is not None:
        statement = statement.where(User.role == query.role)
    if query.is_active is not None:
        statement = statement.where(User.is_active == query.is_active)
    if query.search:
        pattern = query.search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(or_(User.email.like(pattern), func.lower(User.full_name).like(pattern)))
    statement = statement.order_by(User.full_name, User.id)
    return await paginate(ctx.session, statement, query, to_read)


PEOPLE_LIMIT = 1000


async def list_people(ctx: Context) -> list[PersonRead]:
    """Every user of the organization by name (at most `PEOPLE_LIMIT`, a shop's staff), without
    emails or sign-in data: the directory that names cashiers and actors on managers' screens."""
    rows = await ctx.session.execute(
        select(User.id, User.full_name, User.role, User.is_active)
        .where(User.organization_id == ctx.organization_id)
        .order_by(User.full_name, User.id)
        .limit(PEOPLE_LIMIT)
    )
    return [PersonRead(id=row.id, full_name=row.full_name, role=row.role, is_active=row.is_active) for row in rows]


async def read_user(ctx: Context, user_id: uuid.UUID) -> UserRead:
    return to_read(await get_user(ctx, user_id))


async def _active_admins(ctx: Context) -> int:
    return (
        await ctx.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.organization_id == ctx.organization_id, User.role == "admin", User.is_active)
        )
        or 0
    )


async def update_user(ctx: Context, user_id: uuid.UUID, data: UserUpdate) -> UserRead:
    user = await ctx.session.get(User, (ctx.organization_id, user_id), with_for_update=True)
    if user is None:
        raise NotFound("no such user")
    before = audit_view(user)
    loses_admin = (
        user.role == "admin"
        and user.is_active
        and ((data.role is not msgspec.UNSET and data.role != "admin") or data.is_active is False)
    )
    if loses_admin:
        await ctx.session.execute(
            select(User.id).where(User.organization_id == ctx.organization_id, User.role == "admin").with_for_update()
        )
        if await _active_admins(ctx) <= 1:
            raise Conflict("an organization must keep at least one active admin", code="last_admin")
    if data.full_name is not msgspec.UNSET:
        if not data.full_name.strip():
            raise ValidationFailed("a name is required", errors=[FieldError(loc=["body", "full_name"], msg="required")])
        user.full_name = data.full_name.strip()
    if data.role is not msgspec.UNSET:
        user.role = data.role
    if data.password is not msgspec.UNSET:
        check_password_strength(data.password, email=user.email, names=(user.full_name,))
        user.password_hash = await _off_loop(hash_password, data.password)
    if data.is_active is not msgspec.UNSET:
        user.is_active = data.is_active
    cuts_sessions = (
        data.is_active is False
        or data.password is not msgspec.UNSET
        or (data.role is not msgspec.UNSET and data.role != before["role"])
    )
    if cuts_sessions:
        await revoke_all_sessions(ctx, user.id)
    user.updated_at = datetime.now(UTC)
    after = audit_view(user)
    if after != before or data.password is not msgspec.UNSET:
        action = "user.deactivated" if before["is_active"] and not user.is_active else "user.updated"
        if before["role"] != user.role:
            action = "user.role_changed" if action == "user.updated" else action
        changed = {**after, "password_changed": data.password is not msgspec.UNSET}
        await audit.record(ctx, action=action, entity="user", entity_id=user.id, before=before, after=changed)
    await ctx.session.flush()
    return to_read(user)


async def revoke_all_sessions(ctx: Context, user_id: uuid.UUID) -> None:
    await ctx.session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.organization_id == ctx.organization_id,
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=func.now())
    )


# Sign-in and sessions


async def _open_session(ctx: Context, user: User, *, family_id: uuid.UUID | None = None) -> TokenPair:
    settings = ctx.resources.settings
    access_token, lifetime = issue_access_token(
        settings, user_id=user.id, organization_id=ctx.organization_id, role=user.role
    )
    refresh_token = new_secret()
    ctx.session.add(
        RefreshToken(
            organization_id=ctx.organization_id,
            id=new_id(),
            user_id=user.id,
            family_id=family_id or new_id(),
            token_hash=secret_digest(refresh_token),
            expires_at=datetime.now(UTC) + timedelta(seconds=settings.refresh_token_seconds),
            user_agent=(ctx.user_agent or "")[:400] or None,
            ip=ctx.ip,
        )
    )
    return TokenPair(
        access_token=access_token,
        token_type="bearer",
        expires_in=lifetime,
        refresh_token=refresh_token,
        refresh_expires_in=settings.refresh_token_seconds,
        user=to_read(user),
    )


async def start_session(ctx: Context, user: User) -> TokenPair:
    """Issue a fresh token pair for a user that has just proved who they are."""
    return await _open_session(ctx, user)


async def start_handoff_session(ctx: Context, user_id: uuid.UUID) -> TokenPair | None:
    """Open a session for the user a redeemed hand-over code names; None when that user is gone
    or deactivated meanwhile."""
    user = await ctx.session.get(User, (ctx.organization_id, user_id))
    if user is None or not user.is_active:
        return None
    user.last_login_at = datetime.now(UTC)
    return await _open_session(ctx, user)


async def login(ctx: Context, data: LoginRequest) -> TokenPair:
    """Check credentials under the per-IP and per-account limits of this organization."""
    settings = ctx.resources.settings
    redis = ctx.resources.redis
    email = normalize_email(data.email)
    window = settings.login_window_seconds
    ip_key = ratelimit.limit_key(ctx.organization_id, "login-ip", ctx.ip or "unknown")
    account_key = ratelimit.limit_key(ctx.organization_id, "login-account", email)
    await ratelimit.enforce(
        redis, ip_key, limit=settings.login_attempts_per_ip, window_seconds=window, what="sign-in attempts"
    )
    wait = await ratelimit.remaining_wait(redis, account_key, settings.login_attempts_per_account)
    if wait:
        raise TooManyRequests(
            f"too many failed sign-ins for this account; try again in {wait} seconds",
            retry_after=wait,
            code="rate_limited",
        )
    user = await ctx.session.scalar(
        select(User).where(User.organization_id == ctx.organization_id, User.email == email)
    )
    if not await _off_loop(verify_password, user.password_hash if user else None, data.password) or user is None:
        await ratelimit.count_hit(redis, account_key, window)
        raise Unauthorized("wrong email or password", code="bad_credentials")
    if not user.is_active:
        raise Unauthorized("this account is deactivated", code="account_inactive")
    if password_needs_rehash(user.password_hash):
        user.password_hash = await _off_loop(hash_password, data.password)
    user.last_login_at = datetime.now(UTC)
    await redis.delete(account_key)
    return await _open_session(ctx, user)


@dataclass(frozen=True, slots=True)
class RefreshReuse:
    """The presented refresh token had already been rotated: its family is now revoked."""


def refresh_reused() -> Unauthorized:
    """The answer to a `RefreshReuse`."""
    return Unauthorized(
        "this refresh token was already used; every session of its family is revoked", code="refresh_reused"
    )


async def refresh(ctx: Context, refresh_token: str) -> TokenPair | RefreshReuse:
    """Rotate a refresh token. Returns `RefreshReuse` (after revoking the family) on reuse, so
    the caller can answer 401 while the revocation still commits."""
    token = await ctx.session.scalar(
        select(RefreshToken)
        .where(
            RefreshToken.organization_id == ctx.organization_id, RefreshToken.token_hash == secret_digest(refresh_token)
        )
        .with_for_update()
    )
    now = datetime.now(UTC)
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise Unauthorized("the refresh token is not valid", code="refresh_invalid")
    if token.rotated_at is not None:
        await revoke_family(ctx, token.family_id)
        await audit.record(
            ctx,
            action="session.reuse_detected",
            entity="user",
            entity_id=token.user_id,
            after={"family": str(token.family_id)},
        )
        return RefreshReuse()
    user = await ctx.session.get(User, (ctx.organization_id, token.user_id))
    if user is None or not user.is_active:
        await revoke_family(ctx, token.family_id)
        raise Unauthorized("this account is deactivated", code="account_inactive")
    token.rotated_at = now
    return await _open_session(ctx, user, family_id=token.family_id)


async def revoke_family(ctx: Context, family_id: uuid.UUID) -> None:
    await ctx.session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.organization_id == ctx.organization_id,
            RefreshToken.family_id == family_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=func.now())
    )


async def logout(ctx: Context, refresh_token: str) -> None:
    """End the session the refresh token belongs to. Unknown tokens are ignored (idempotent)."""
    family_id = await ctx.session.scalar(
        select(RefreshToken.family_id).where(
            RefreshToken.organization_id == ctx.organization_id, RefreshToken.token_hash == secret_digest(refresh_token)
        )
    )
    if family_id is not None:
        await revoke_family(ctx, family_id)


# Offline unlock


PIN_ITERATIONS = 210_000


def pin_verifier(pin: str, *, salt: bytes | None = None, iterations: int = PIN_ITERATIONS) -> str:
    """`pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url), checkable in a browser with
    WebCrypto, so the POS can unlock offline without the server (see docs/sync.md)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)

    def encode(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"pbkdf2-sha256${iterations}${encode(salt)}${encode(digest)}"


def _store_pin(user: User, pin: str) -> None:
    """Refuse a guessable PIN (422 `weak_pin`), else replace the user's verifier. The row's
    change marks it for the next catalog pull, so the registers learn the new unlock data."""
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise ValidationFailed(
            "choose a less guessable PIN", errors=[FieldError(loc=["body", "pin"], msg="too simple")], code="weak_pin"
        )
    user.offline_pin = pin_verifier(pin)
    user.updated_at = datetime.now(UTC)


async def set_offline_pin(ctx: ActorContext, *, pin: str, password: str) -> None:
    """Set the signed-in user's POS unlock PIN; their password confirms it is them."""
    user = await get_user(ctx, ctx.actor.user_id)
    if not await _off_loop(verify_password, user.password_hash, password):
        raise ValidationFailed(
            "wrong password",
            errors=[FieldError(loc=["body", "password"], msg="wrong password")],
            code="bad_credentials",
        )
    _store_pin(user, pin)
    await audit.record(ctx, action="user.pin_set", entity="user", entity_id=user.id)


async def set_user_pin(ctx: Context, user_id: uuid.UUID, pin: str) -> None:
    """An admin sets another user's (or their own) POS unlock PIN, say for a cashier who forgot
    theirs. The audit row says who did it, never the PIN."""
    user = await ctx.session.get(User, (ctx.organization_id, user_id), with_for_update=True)
    if user is None:
        raise NotFound("no such user")
    had_pin = user.offline_pin is not None
    _store_pin(user, pin)
    await audit.record(
        ctx,
        action="user.pin_set",
        entity="user",
        entity_id=user.id,
        before={"has_pin": had_pin},
        after={"has_pin": True, "set_by_admin": True},
    )
