"""Invariant: a product's stock equals the sum of its movements, and each movement's balance is
the running sum — whatever sequence of receipts, adjustments and counts is applied."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from server.catalog import service as catalog
from server.catalog.schemas import ProductCreate
from server.core.context import Actor, Context, Resources
from server.core.errors import Conflict
from server.inventory import service
from server.inventory.schemas import (
    AdjustmentCreate,
    AdjustmentLine,
    CountCreate,
    CountLine,
    ReceiptCreate,
    ReceiptLine,
)
from server.tenancy.models import Organization
from server.tenancy.service import tenant_of
from tests.conftest import TenantSession

operation = st.one_of(
    st.tuples(st.just("receipt"), st.integers(0, 2), st.integers(1, 50)),
    st.tuples(st.just("adjustment"), st.integers(0, 2), st.integers(-30, 30).filter(lambda n: n != 0)),
    st.tuples(st.just("count"), st.integers(0, 2), st.integers(0, 60)),
)


async def run_operation(ctx: Context, kind: str, product_id: uuid.UUID, amount: int) -> None:
    if kind == "receipt":
        await service.receive_stock(ctx, ReceiptCreate(lines=[ReceiptLine(product_id=product_id, quantity=amount)]))
    elif kind == "adjustment":
        lines = [AdjustmentLine(product_id=product_id, delta=amount)]
        await service.adjust_stock(ctx, AdjustmentCreate(lines=lines, reason="test"))
    else:
        await service.count_stock(ctx, CountCreate(lines=[CountLine(product_id=product_id, counted=amount)]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=12))
async def test_stock_equals_sum_of_movements(
    resources: Resources, tenant_a: TenantSession, operations: list[tuple[str, int, int]]
) -> None:
    actor = Actor(user_id=tenant_a.admin_id, role="admin")
    async with resources.database.transaction(tenant_a.organization_id) as session:
        tenant = tenant_of(await session.get(Organization, tenant_a.organization_id))
        ctx = Context(session=session, resources=resources, tenant=tenant, actor=actor)
        products = [
            (await catalog.create_product(ctx, ProductCreate(sku=uuid.uuid4().hex, name="P", price=100))).id
            for _ in range(3)
        ]
    expected = [0, 0, 0]  # the model: what each product's stock must be
    for kind, index, amount in operations:
        before = expected[index]
        if kind == "receipt":
            expected[index] += amount
        elif kind == "count":
            expected[index] = amount
        elif before + amount >= 0:  # an adjustment, refused only below zero (negatives not allowed)
            expected[index] += amount
        try:
            async with resources.database.transaction(tenant.id) as session:
                ctx = Context(session=session, resources=resources, tenant=tenant, actor=actor)
                await run_operation(ctx, kind, products[index], amount)
        except Conflict as refusal:
            assert (kind, refusal.code) == ("adjustment", "insufficient_stock")
            assert before + amount < 0, (kind, before, amount)
        else:
            assert not (kind == "adjustment" and before + amount < 0), ("accepted below zero", before, amount)

    async with resources.database.transaction(tenant.id) as session:
        for product_id in products:
            stock = (
                await session.execute(
                    text("select on_hand from product_stock where product_id = :p"), {"p": product_id}
                )
            ).scalar_one()
            history = (
                await session.execute(
                    text("select delta, balance_after from inventory_movements where product_id = :p order by id"),
                    {"p": product_id},
                )
            ).all()
            running = 0
            for delta, balance in history:
                running += delta
                assert balance == running
                assert balance >= 0
            assert stock == running == expected[products.index(product_id)]
