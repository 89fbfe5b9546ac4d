from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.core.context import Resources
from server.demo import DEMO_LOGINS, DEMO_SUBDOMAIN, seed_demo
from server.demo.generator import DemoShop, generate_shop
from server.demo.loader import TABLES, load_shop
from tests.conftest import TenantSession


def verify_pin(verifier: str | None, pin: str) -> bool:
    """Check a PIN the way the POS does (docs/sync.md): PBKDF2-SHA-256 with the verifier's salt."""
    if verifier is None:
        return False
    _, iterations, salt, digest = verifier.split("$")
    decode = lambda part: base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))  # noqa: E731
    return hashlib.pbkdf2_hmac("sha256", pin.encode(), decode(salt), int(iterations)) == decode(digest)


@pytest.fixture(scope="module")
def shop() -> DemoShop:
    return generate_shop(seed=5, products=30, days=60, end=date(2026, 1, 31))


async def scoped(connection: AsyncConnection, organization_id: uuid.UUID | None) -> None:
    await connection.execute(
        text("select set_config('app.org_id', :value, true)"), {"value": str(organization_id or "")}
    )


async def counts(connection: AsyncConnection) -> dict[str, int]:
    return {
        table.name: (await connection.execute(text(f"select count(*) from {table.name}"))).scalar_one()
        for table in TABLES
    }


async def test_a_shop_loads_into_its_tenant_only(
    resources: Resources, app_engine: AsyncEngine, shop: DemoShop, tenant_a: TenantSession, tenant_b: TenantSession
) -> None:
    async with resources.database.transaction(tenant_a.organization_id) as session:
        report = await load_shop(
            session, tenant_a.organization_id, shop, cashier_ids=[tenant_a.admin_id], actor_id=tenant_a.admin_id
        )
    assert report.rows == shop.row_counts() and report.seconds > 0

    async with app_engine.connect() as connection:
        await scoped(connection, tenant_a.organization_id)
        assert await counts(connection) == shop.row_counts()
        stock_mismatches = await connection.execute(
            text(
                "select p.id from products p join product_stock s on s.product_id = p.id "
                "left join (select product_id, sum(delta) as total "
                "from inventory_movements group by product_id) m on m.product_id = p.id "
                "where s.on_hand <> coalesce(m.total, 0)"
            )
        )
        assert stock_mismatches.all() == []
        running = await connection.execute(
            text(
                "select count(*) filter (where balance_after <> running), count(*) filter (where balance_after < 0) "
                "from (select balance_after, sum(delta) over (partition by product_id order by occurred_at, id) "
                "as running from inventory_movements) m"
            )
        )
        assert tuple(running.one()) == (0, 0)
        totals = await connection.execute(
            text(
                "select s.invoice_number from sales s join sale_lines l on l.sale_id = s.id "
                "group by s.organization_id, s.id having s.total <> sum(l.total) or s.tax_total <> sum(l.tax_amount)"
            )
        )
        assert totals.all() == []
        actors = await connection.execute(text("select count(distinct cashier_id), min(cashier_id::text) from sales"))
        assert tuple(actors.one()) == (1, str(tenant_a.admin_id))
        series = await connection.execute(
            text(
                "select r.code, r.last_number, count(s.id), max(s.number) from registers r "
                "left join sales s on s.register_id = r.id group by r.organization_id, r.id order by r.code"
            )
        )
        assert all(last == count == top for _, last, count, top in series.all())
        await connection.rollback()

        await scoped(connection, tenant_b.organization_id)
        assert set((await counts(connection)).values()) == {0}
        await connection.rollback()
        await scoped(connection, None)
        assert set((await counts(connection)).values()) == {0}
        await connection.rollback()


async def test_loading_needs_a_transaction_scoped_to_the_tenant(
    resources: Resources, shop: DemoShop, tenant_a: TenantSession, tenant_b: TenantSession
) -> None:
    async with resources.database.transaction(tenant_b.organization_id) as session:
        with pytest.raises(ValueError, match="not scoped"):
            await load_shop(
                session, tenant_a.organization_id, shop, cashier_ids=[tenant_a.admin_id], actor_id=tenant_a.admin_id
            )


async def test_seed_demo_is_idempotent(resources: Resources, app_engine: AsyncEngine) -> None:
    # This session's database is new and nothing else seeds the demo in it: the first call creates.
    assert await seed_demo(resources, products=12, days=20) is True
    assert await seed_demo(resources, products=12, days=20) is False

    async with app_engine.connect() as connection:
        organization_id = (
            await connection.execute(text("select id from organizations where subdomain = :s"), {"s": DEMO_SUBDOMAIN})
        ).scalar_one()
        await scoped(connection, organization_id)
        emails = set((await connection.execute(text("select email from users"))).scalars())
        assert {login.email for login in DEMO_LOGINS} <= emails
        verifiers = {row[0]: row[1] for row in await connection.execute(text("select email, offline_pin from users"))}
        for login in DEMO_LOGINS:
            assert verify_pin(verifiers[login.email], login.pin), login.email
        tables = await counts(connection)  # once, though seeded twice
        assert tables["products"] == 12 and tables["registers"] == 3
        assert tables["sales"] > 0 and tables["inventory_movements"] >= tables["sale_lines"]
        cashiers = (await connection.execute(text("select count(distinct cashier_id) from sales"))).scalar_one()
        assert cashiers == 3
        await connection.rollback()
