"""Registers: the tills of a shop, each with its own invoice series (`{code}-{n}`).

Invariants:
- A register's code is unique in its organization; its `last_number` only grows.
- Invoice numbers are `{register code}-{n}`, n consecutive per register; `series_report` finds
  the gaps and duplicates that offline tills can leave.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import msgspec
from sqlalchemy import func, select, text

from server.audit import service as audit
from server.core.context import Context
from server.core.db import unique_or_conflict
from server.core.errors import Conflict, FieldError, NotFound
from server.core.ids import new_id
from server.sales.models import Register, Sale, Shift
from server.sales.schemas import NumberRange, RegisterCreate, RegisterRead, RegisterUpdate, SeriesReport


async def open_shift_ids(ctx: Context, register_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """The open shift of each of `register_ids` that has one."""
    rows = await ctx.session.execute(
        select(Shift.register_id, Shift.id).where(
            Shift.organization_id == ctx.organization_id, Shift.register_id.in_(register_ids), Shift.status == "open"
        )
    )
    return {register_id: shift_id for register_id, shift_id in rows}


def register_read(register: Register, open_shift_id: uuid.UUID | None) -> RegisterRead:
    return RegisterRead(
        id=register.id,
        code=register.code,
        name=register.name,
        last_number=register.last_number,
        is_active=register.is_active,
        open_shift_id=open_shift_id,
    )


async def get_register(ctx: Context, register_id: uuid.UUID) -> Register:
    register = await ctx.session.get(Register, (ctx.organization_id, register_id))
    if register is None:
        raise NotFound("no such register")
    return register


async def list_registers(ctx: Context) -> list[RegisterRead]:
    registers = list(
        await ctx.session.scalars(
            select(Register).where(Register.organization_id == ctx.organization_id).order_by(Register.code)
        )
    )
    open_shifts = await open_shift_ids(ctx, [register.id for register in registers])
    return [register_read(register, open_shifts.get(register.id)) for register in registers]


async def read_register(ctx: Context, register_id: uuid.UUID) -> RegisterRead:
    register = await get_register(ctx, register_id)
    return register_read(register, (await open_shift_ids(ctx, [register.id])).get(register.id))


async def create_register(ctx: Context, data: RegisterCreate) -> RegisterRead:
    now = datetime.now(UTC)
    register = Register(
        organization_id=ctx.organization_id,
        id=new_id(),
        code=data.code,
        name=data.name.strip(),
        last_number=0,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    taken = Conflict(
        "another register has this code",
        code="code_taken",
        errors=[FieldError(loc=["body", "code"], msg="already used")],
    )
    async with unique_or_conflict(ctx.session, {"uq_registers_code": taken}):
        ctx.session.add(register)
    await audit.record(
        ctx,
        action="register.created",
        entity="register",
        entity_id=register.id,
        after={"code": register.code, "name": register.name},
    )
    return register_read(register, None)


async def update_register(ctx: Context, register_id: uuid.UUID, data: RegisterUpdate) -> RegisterRead:
    register = await get_register(ctx, register_id)
    before = {"name": register.name, "is_active": register.is_active}
    if data.name is not msgspec.UNSET:
        register.name = data.name.strip()
    if data.is_active is not msgspec.UNSET:
        register.is_active = data.is_active
    register.updated_at = datetime.now(UTC)
    await ctx.session.flush()
    await audit.record(
        ctx,
        action="register.updated",
        entity="register",
        entity_id=register.id,
        before=before,
        after={"name": register.name, "is_active": register.is_active},
    )
    return await read_register(ctx, register_id)


async def series_report(ctx: Context, register_id: uuid.UUID) -> SeriesReport:
    """Gaps and duplicates in a register's invoice numbers, computed in SQL."""
    register = await get_register(ctx, register_id)
    params = {"organization_id": ctx.organization_id, "register_id": register_id}
    gaps = await ctx.session.execute(
        text(
            "select number + 1 as first, next - 1 as last from ("
            " select number, lead(number) over (order by number) as next from ("
            "  select 0 as number union all select number from sales"
            "  where organization_id = :organization_id and register_id = :register_id) numbers) steps "
            "where next > number + 1 order by number"
        ),
        params,
    )
    duplicates = await ctx.session.scalars(
        text(
            "select number from sales where organization_id = :organization_id and register_id = :register_id "
            "group by number having count(*) > 1 order by number"
        ),
        params,
    )
    issued = (
        await ctx.session.scalar(
            select(func.count())
            .select_from(Sale)
            .where(Sale.organization_id == ctx.organization_id, Sale.register_id == register_id)
        )
        or 0
    )
    ranges = [NumberRange(first=row.first, last=row.last) for row in gaps]
    if register.last_number > 0:
        highest = (
            await ctx.session.scalar(
                select(func.max(Sale.number)).where(
                    Sale.organization_id == ctx.organization_id, Sale.register_id == register_id
                )
            )
            or 0
        )
        if highest < register.last_number:
            ranges.append(NumberRange(first=highest + 1, last=register.last_number))
    return SeriesReport(
        register_id=register.id,
        code=register.code,
        last_number=register.last_number,
        issued=issued,
        gaps=ranges,
        duplicates=list(duplicates),
    )
