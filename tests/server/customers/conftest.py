"""Service-level access for the customer tests: an `ActorContext` on its own committed transaction,
scoped to a tenant registered through the API, acting as that tenant's admin."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.core.context import Actor, ActorContext, Resources
from server.tenancy.models import Organization
from server.tenancy.service import tenant_of
from tests.conftest import TenantSession
from tests.server.catalog.test_routes import create_product
from tests.server.sales.conftest import key

OpenContext = Callable[[TenantSession], AbstractAsyncContextManager[ActorContext]]


@pytest.fixture
def open_context(resources: Resources) -> OpenContext:
    @asynccontextmanager
    async def open_(tenant: TenantSession) -> AsyncIterator[ActorContext]:
        async with resources.database.transaction(tenant.organization_id) as session:
            organization = await session.get(Organization, tenant.organization_id)
            assert organization is not None
            yield ActorContext(
                session=session,
                resources=resources,
                tenant=tenant_of(organization),
                actor=Actor(user_id=tenant.admin_id, role="admin"),
                ip="198.51.100.9",
            )

    return open_


AddSales = Callable[[TenantSession, uuid.UUID | None, list[tuple[int, datetime, str]]], Awaitable[list[uuid.UUID]]]


@pytest.fixture
def add_sales(owner_engine: AsyncEngine) -> AddSales:
    """Ring up sales through the sales API (a register of their own, one product per total, tax
    free), void those marked `voided`, then move each to its `sold_at` (the one thing the API
    decides by itself, and these tests need fixed):
    `await add_sales(tenant, customer_id, [(total, sold_at, status), …])` → the sales' ids, in order."""

    async def add(
        tenant: TenantSession, customer_id: uuid.UUID | None, sales: list[tuple[int, datetime, str]]
    ) -> list[uuid.UUID]:
        code = f"R{uuid.uuid4().hex[:6].upper()}"
        register = (await tenant.client.post("/api/v1/registers", json={"code": code, "name": "Front till"})).json()
        shift = await tenant.client.post(
            "/api/v1/shifts", json={"register_id": register["id"], "opening_float": 0}, headers=key()
        )
        assert shift.status_code == 201, shift.text
        products: dict[int, Any] = {}
        ids: list[uuid.UUID] = []
        for total, sold_at, status in sales:
            if total not in products:
                products[total] = await create_product(tenant, price=total, tax_rate_bp=0, initial_stock=100)
            body = {
                "register_id": register["id"],
                "customer_id": str(customer_id) if customer_id else None,
                "lines": [{"product_id": products[total]["id"], "quantity": 1}],
                "payments": [{"method": "cash", "amount": total}],
            }
            sale = await tenant.client.post("/api/v1/sales", json=body, headers=key())
            assert sale.status_code == 201, sale.text
            sale_id = sale.json()["id"]
            if status == "voided":
                void = await tenant.client.post(
                    f"/api/v1/sales/{sale_id}/void", json={"reason": "error"}, headers=key()
                )
                assert void.status_code == 201, void.text
            async with owner_engine.begin() as connection:
                await connection.execute(
                    text("update sales set sold_at = :t where id = :s"), {"t": sold_at, "s": sale_id}
                )
            ids.append(uuid.UUID(sale_id))
        await tenant.client.post(f"/api/v1/shifts/{shift.json()['id']}/close", json={"counts": []}, headers=key())
        return ids

    return add
