"""One-time pairing codes: a manager sets up a POS device by typing a short code on it, instead
of signing in on the device.

Invariants:
- A code is 8 characters of an alphabet without look-alikes (no 0/O, 1/I/L, U), drawn with
  `secrets`, shown as `XXXX-XXXX`. It is valid for `CODE_SECONDS` and for one use.
- The code itself is never stored: Redis holds only its HMAC (keyed with the server's secret)
  under a key prefixed with the tenant (`t:{organization_id}:pairing:{digest}`), with a TTL, so
  a code typed at another tenant's host finds nothing.
- Pairing consumes the code with one `GETDEL`: of two devices racing with the same code, exactly
  one gets the stored grant. Every failure (unknown, used, expired, another tenant's, the
  creator since deactivated or demoted) answers the same 422 `pairing_code_invalid`, so an
  answer never tells which.
- The device is made by `sync.devices.register_device`, on the authority of the user who made
  the code (the device's `created_by` and the audit actor), in the pairing request's transaction.
  A code is spent even when that transaction then fails: the manager makes a new one.
- Pairing attempts are limited per IP and tenant like sign-ins (`login_attempts_per_ip` per
  `login_window_seconds`), which with the 10-minute lifetime makes guessing hopeless: 30⁸ codes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import msgspec
from sqlalchemy import select

from server.audit import service as audit
from server.core import ratelimit
from server.core.context import Actor, ActorContext, Context
from server.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from server.sales.models import Device, Register
from server.users.models import User
from sync import devices
from sync.schemas import DeviceCreate, DeviceCredentials, PairingCodeCreate, PairingCodeRead, PairingRequest

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
CODE_SECONDS = 600
PAIRING_ROLES = frozenset({"admin", "manager"})


class Grant(msgspec.Struct, kw_only=True):
    """What a code allows, as stored in Redis under the code's digest."""

    organization_id: uuid.UUID
    register_id: uuid.UUID
    created_by: uuid.UUID
    device_name: str | None
    replace: bool


def new_code() -> str:
    """A fresh code, formatted `XXXX-XXXX`."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(typed: str) -> str | None:
    """The code's 8 characters as typed in any case, with or without the dash and spaces; None
    when it can't be a code (wrong length or a character outside the alphabet)."""
    cleaned = "".join(char for char in typed.upper() if char not in "- \t")
    if len(cleaned) != CODE_LENGTH or any(char not in ALPHABET for char in cleaned):
        return None
    return cleaned


def code_key(ctx: Context, normalized: str) -> str:
    digest = hmac.new(ctx.resources.settings.secret_key.encode(), normalized.encode(), hashlib.sha256).hexdigest()
    return f"t:{ctx.organization_id}:pairing:{digest}"


def invalid_code() -> ValidationFailed:
    return ValidationFailed(
        "this pairing code is not valid: it may be mistyped, used or expired; ask for a new one",
        code="pairing_code_invalid",
        errors=[FieldError(loc=["body", "code"], msg="invalid or expired code")],
    )


async def _active_device(ctx: Context, register_id: uuid.UUID) -> bool:
    found = await ctx.session.scalar(
        select(Device.id).where(
            Device.organization_id == ctx.organization_id,
            Device.register_id == register_id,
            Device.revoked_at.is_(None),
        )
    )
    return found is not None


async def create_pairing_code(ctx: ActorContext, data: PairingCodeCreate) -> PairingCodeRead:
    """Make a code that pairs one device with the register. A register that already has a
    device is refused now (409 `register_has_device`) unless `replace` is set, rather than
    when the device types the code."""
    register = await ctx.session.get(Register, (ctx.organization_id, data.register_id))
    if register is None:
        raise NotFound("no such register", errors=[FieldError(loc=["body", "register_id"], msg="no such register")])
    if not data.replace and await _active_device(ctx, register.id):
        raise Conflict("the register already has a device; send replace=true to revoke it", code="register_has_device")
    device_name = data.device_name.strip() if data.device_name else None
    grant = Grant(
        organization_id=ctx.organization_id,
        register_id=register.id,
        created_by=ctx.actor.user_id,
        device_name=device_name or None,
        replace=data.replace,
    )
    redis = ctx.resources.redis
    while True:
        code = new_code()
        stored = await redis.set(
            code_key(ctx, code.replace("-", "")), msgspec.json.encode(grant), ex=CODE_SECONDS, nx=True
        )
        if stored:
            break
    expires_at = datetime.now(UTC) + timedelta(seconds=CODE_SECONDS)
    await audit.record(
        ctx,
        action="device.pairing_code_created",
        entity="register",
        entity_id=register.id,
        after={
            "register": register.code,
            "device_name": device_name,
            "replace": data.replace,
            "expires_at": expires_at,
        },
    )
    return PairingCodeRead(code=code, expires_at=expires_at, register_id=register.id)


async def _take_grant(ctx: Context, typed: str) -> Grant | None:
    normalized = normalize_code(typed)
    if normalized is None:
        return None
    raw = await ctx.resources.redis.getdel(code_key(ctx, normalized))
    if raw is None:
        return None
    grant = msgspec.json.decode(raw, type=Grant)
    return grant if grant.organization_id == ctx.organization_id else None


async def pair_device(ctx: Context, data: PairingRequest) -> DeviceCredentials:
    """Exchange a code for a device credential on the code's register (single use)."""
    settings = ctx.resources.settings
    await ratelimit.enforce(
        ctx.resources.redis,
        ratelimit.limit_key(ctx.organization_id, "pairing-ip", ctx.ip or "unknown"),
        limit=settings.login_attempts_per_ip,
        window_seconds=settings.login_window_seconds,
        what="pairing attempts",
    )
    grant = await _take_grant(ctx, data.code)
    if grant is None:
        raise invalid_code()
    creator = await ctx.session.get(User, (ctx.organization_id, grant.created_by))
    if creator is None or not creator.is_active or creator.role not in PAIRING_ROLES:
        raise invalid_code()
    ctx.actor = Actor(user_id=creator.id, role=creator.role)
    credentials = await devices.register_device(
        ctx, DeviceCreate(register_id=grant.register_id, name=grant.device_name or data.name, replace=grant.replace)
    )
    await audit.record(
        ctx,
        action="device.paired",
        entity="device",
        entity_id=credentials.device.id,
        after={"register": credentials.device.register_code, "name": credentials.device.name, "ip": ctx.ip},
    )
    return credentials
