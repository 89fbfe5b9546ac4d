"""Stock on hand lives in `product_stock` (migration 0014): one row per product, bound to its
tenant by row-level security, moved there and back by the migration without losing a unit, and
a stock change leaves the product row (and its indexes) alone."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from server.core.db import async_url
from server.core.migrate import create_database_if_missing, migrate
from tests.conftest import TenantSession, drop_database, make_settings
from tests.server.catalog.test_routes import create_product


async def scoped(connection: AsyncConnection, tenant: TenantSession) -> None:
    await connection.execute(text("select set_config('app.org_id', :o, true)"), {"o": str(tenant.organization_id)})


async def test_a_tenant_can_neither_read_nor_write_anothers_stock(app_engine, tenant_a, tenant_b) -> None:
    theirs = await create_product(tenant_b, initial_stock=7)
    async with app_engine.connect() as connection:
        await scoped(connection, tenant_a)
        seen = await connection.execute(
            text("select count(*) from product_stock where product_id = :p"), {"p": theirs["id"]}
        )
        assert seen.scalar_one() == 0
        updated = await connection.execute(
            text("update product_stock set on_hand = 0 where product_id = :p"), {"p": theirs["id"]}
        )
        assert updated.rowcount == 0
        with pytest.raises(DBAPIError, match="row-level security"):
            await connection.execute(
                text("insert into product_stock (organization_id, product_id) values (:org, :p)"),
                {"org": tenant_b.organization_id, "p": uuid.uuid4()},
            )
        await connection.rollback()
    assert (await tenant_b.client.get(f"/api/v1/products/{theirs['id']}")).json()["stock"] == 7


async def test_every_product_gets_one_stock_row_and_a_stock_change_leaves_the_product_row(
    owner_engine, tenant_a
) -> None:
    product = await create_product(tenant_a, initial_stock=3)
    async with owner_engine.connect() as connection:
        await scoped(connection, tenant_a)
        before = (
            await connection.execute(text("select change_xid, ctid from products where id = :p"), {"p": product["id"]})
        ).one()
        await connection.rollback()
    moved = await tenant_a.client.post(
        "/api/v1/inventory/adjustments",
        json={"lines": [{"product_id": product["id"], "delta": 4}], "reason": "found"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert moved.status_code == 201, moved.text
    async with owner_engine.connect() as connection:
        await scoped(connection, tenant_a)
        after = (
            await connection.execute(text("select change_xid, ctid from products where id = :p"), {"p": product["id"]})
        ).one()
        rows = (
            await connection.execute(
                text("select on_hand from product_stock where product_id = :p"), {"p": product["id"]}
            )
        ).all()
        await connection.rollback()
    assert tuple(after) == tuple(before)
    assert [row.on_hand for row in rows] == [7]
    read = (await tenant_a.client.get(f"/api/v1/products/{product['id']}")).json()
    assert read["stock"] == 7 and read["updated_at"] >= product["updated_at"]


async def test_the_migration_moves_stock_there_and_back(service_urls) -> None:
    name = f"orbit_product_stock_{uuid.uuid4().hex[:8]}"
    await create_database_if_missing(service_urls[0], name)
    url = make_url(service_urls[0]).set(database=name).render_as_string(hide_password=False)
    settings = make_settings(url, service_urls[1])
    engine = create_async_engine(async_url(url), isolation_level="AUTOCOMMIT")
    organization, products = uuid.uuid4(), [uuid.uuid4() for _ in range(3)]

    async def run(statement: str, **params: object) -> list[tuple[object, ...]]:
        async with engine.connect() as connection:
            await connection.execute(text("set role orbit_owner"))
            await connection.execute(text("select set_config('app.org_id', :o, false)"), {"o": str(organization)})
            result = await connection.execute(text(statement), params)
            return [tuple(row) for row in result.all()] if result.returns_rows else []

    try:
        await migrate(settings, "0013")
        await run(
            "insert into organizations (id, name, subdomain, currency, locale, time_zone) "
            "values (:o, 'Migración', 'migracion', 'CLP', 'es-CL', 'America/Santiago')",
            o=organization,
        )
        for number, product in enumerate(products):
            await run(
                "insert into products (organization_id, id, sku, name, price, stock) "
                "values (:o, :p, :sku, 'Producto', 1000, :stock)",
                o=organization,
                p=product,
                sku=f"SKU-{number}",
                stock=[5, 0, -2][number],
            )
        expected = sorted((product, [5, 0, -2][number]) for number, product in enumerate(products))

        await migrate(settings, "0014")
        assert sorted(await run("select product_id, on_hand from product_stock")) == expected
        assert "stock" not in {
            row[0]
            for row in await run("select column_name from information_schema.columns where table_name = 'products'")
        }
        await run("update product_stock set on_hand = on_hand + 10 where product_id = :p", p=products[1])
        await run(
            "insert into products (organization_id, id, sku, name, price) values (:o, :p, 'NEW', 'Nuevo', 1)",
            o=organization,
            p=uuid.uuid4(),
        )
        assert len(await run("select 1 from product_stock")) == 4

        await migrate(settings, "0013", downgrade=True)
        moved_back = await run("select id, stock from products where sku <> 'NEW' order by id")
        assert sorted(moved_back) == sorted((p, s + (10 if p == products[1] else 0)) for p, s in expected)

        await migrate(settings)
        again = await run("select product_id, on_hand from product_stock where product_id = any(:ids)", ids=products)
        assert sorted(again) == sorted(moved_back)
    finally:
        await engine.dispose()
        await drop_database(service_urls[0], name)
