"""Devices (DESIGN §9): the point-of-sale installs bound to a register, their credentials and
heartbeats.

Invariants:
- A register has at most one active device, since the device numbers the register's invoice
  series; binding a new one with `replace` revokes the previous one.
- A device is known by its id and a credential only its owner holds (stored as a digest); a
  revoked device is refused everywhere.
"""

from __future__ import annotations

import hmac
import uuid
from datetime import UTC, datetime

from sqlalchemy import and_, select

from server.audit import service as audit
from server.core.context import Context
from server.core.errors import Conflict, FieldError, Forbidden, NotFound
from server.core.events import publish_after_commit
from server.core.ids import new_id
from server.core.security import new_secret, secret_digest
from server.sales.models import Device, Register
from sync.schemas import DeviceCreate, DeviceCredentials, DeviceRead, Heartbeat


def device_read(device: Device, register_code: str) -> DeviceRead:
    return DeviceRead(
        id=device.id,
        register_id=device.register_id,
        register_code=register_code,
        name=device.name,
        last_seq=device.last_seq,
        last_seen_at=device.last_seen_at,
        revoked_at=device.revoked_at,
        created_at=device.created_at,
    )


async def register_device(ctx: Context, data: DeviceCreate) -> DeviceCredentials:
    """Bind a new device to a register. A register has one active device, since the device
    numbers the register's invoice series; `replace` revokes the previous one."""
    register = await ctx.session.get(Register, (ctx.organization_id, data.register_id), with_for_update=True)
    if register is None:
        raise NotFound("no such register", errors=[FieldError(loc=["body", "register_id"], msg="no such register")])
    current = list(
        await ctx.session.scalars(
            select(Device).where(
                Device.organization_id == ctx.organization_id,
                Device.register_id == register.id,
                Device.revoked_at.is_(None),
            )
        )
    )
    if current and not data.replace:
        raise Conflict("the register already has a device; send replace=true to revoke it", code="register_has_device")
    now = datetime.now(UTC)
    for old in current:
        old.revoked_at = now
    credential = new_secret()
    device = Device(
        organization_id=ctx.organization_id,
        id=new_id(),
        register_id=register.id,
        name=data.name.strip(),
        credential_hash=secret_digest(credential),
        last_seq=0,
        created_by=ctx.actor_id,
        created_at=now,
    )
    ctx.session.add(device)
    await ctx.session.flush()
    await audit.record(
        ctx,
        action="device.registered",
        entity="device",
        entity_id=device.id,
        after={"register": register.code, "name": device.name, "replaced": [str(old.id) for old in current]},
    )
    return DeviceCredentials(device=device_read(device, register.code), credential=credential)


async def list_devices(ctx: Context) -> list[DeviceRead]:
    rows = await ctx.session.execute(
        select(Device, Register.code)
        .join(Register, and_(Register.organization_id == Device.organization_id, Register.id == Device.register_id))
        .where(Device.organization_id == ctx.organization_id)
        .order_by(Register.code, Device.created_at)
    )
    return [device_read(device, code) for device, code in rows]


async def revoke_device(ctx: Context, device_id: uuid.UUID) -> None:
    device = await ctx.session.get(Device, (ctx.organization_id, device_id), with_for_update=True)
    if device is None:
        raise NotFound("no such device")
    if device.revoked_at is None:
        device.revoked_at = datetime.now(UTC)
        await audit.record(ctx, action="device.revoked", entity="device", entity_id=device.id)


async def authenticate_device(
    ctx: Context, device_id: uuid.UUID, credential: str | None, *, lock: bool = False
) -> Device:
    """The tenant's device, if the credential is its own and it is not revoked."""
    device = await ctx.session.get(Device, (ctx.organization_id, device_id), with_for_update=lock)
    if device is None:
        raise NotFound("no such device", code="unknown_device")
    if not credential or not hmac.compare_digest(device.credential_hash, secret_digest(credential)):
        raise Forbidden("the device credential is wrong", code="device_credential_invalid")
    if device.revoked_at is not None:
        raise Forbidden("this device was revoked; register it again", code="device_revoked")
    return device


async def heartbeat(ctx: Context, device: Device, data: Heartbeat) -> DeviceRead:
    """Record that the device is alive and how many documents it still holds, and tell the
    managers' dashboards (presence on `registers`)."""
    device.last_seen_at = datetime.now(UTC)
    register = await ctx.session.get(Register, (ctx.organization_id, device.register_id))
    assert register is not None
    publish_after_commit(
        ctx,
        "registers",
        "register.heartbeat",
        {
            "register_id": register.id,
            "register_code": register.code,
            "device_id": device.id,
            "last_seen_at": device.last_seen_at,
            "queued_documents": data.queued_documents,
        },
    )
    return device_read(device, register.code)
