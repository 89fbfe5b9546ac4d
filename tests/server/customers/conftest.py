"""Service-level access for the customer tests: a `Context` on its own committed transaction,
scoped to a tenant registered through the API, acting as that tenant's admin."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime

import pytest

from server.core.context import Actor, Context, Resources
from server.core.ids import new_id
from server.sales.models import Register, Sale
from server.tenancy.models import Organization
from server.tenancy.service import tenant_of
from tests.conftest import TenantSession

OpenContext = Callable[[TenantSession], AbstractAsyncContextManager[Context]]


@pytest.fixture
def open_context(resources: Resources) -> OpenContext:
    @asynccontextmanager
    async def open_(tenant: TenantSession) -> AsyncIterator[Context]:
        async with resources.database.transaction(tenant.organization_id) as session:
            organization = await session.get(Organization, tenant.organization_id)
            assert organization is not None
            yield Context(
                session=session,
                resources=resources,
                tenant=tenant_of(organization),
                actor=Actor(user_id=tenant.admin_id, role="admin"),
                ip="198.51.100.9",
            )

    return open_


AddSales = Callable[[TenantSession, uuid.UUID | None, list[tuple[int, datetime, str]]], Awaitable[list[uuid.UUID]]]


@pytest.fixture
def add_sales(open_context: OpenContext) -> AddSales:
    """Write sales straight into `registers` + `sales` (the sales service is not built yet):
    `await add_sales(tenant, customer_id, [(total, sold_at, status), …])` → the sales' ids, in order."""

    async def add(
        tenant: TenantSession, customer_id: uuid.UUID | None, sales: list[tuple[int, datetime, str]]
    ) -> list[uuid.UUID]:
        async with open_context(tenant) as ctx:
            register = Register(
                organization_id=ctx.organization_id,
                id=new_id(),
                code=f"R{uuid.uuid4().hex[:6].upper()}",
                name="Front till",
                last_number=len(sales),
            )
            ctx.session.add(register)
            await ctx.session.flush()
            ids = []
            for number, (total, sold_at, status) in enumerate(sales, start=1):
                sale = Sale(
                    organization_id=ctx.organization_id,
                    id=new_id(),
                    register_id=register.id,
                    number=number,
                    invoice_number=f"{register.code}-{number}",
                    cashier_id=tenant.admin_id,
                    customer_id=customer_id,
                    status=status,
                    origin="online",
                    subtotal=total,
                    discount_total=0,
                    tax_total=0,
                    total=total,
                    paid_total=total,
                    change_total=0,
                    tax_mode="inclusive",
                    sold_at=sold_at,
                )
                ctx.session.add(sale)
                ids.append(sale.id)
            await ctx.session.flush()
            return ids

    return add
