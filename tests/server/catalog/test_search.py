"""Product search under row-level security: it matches on the stored folded name, which follows
renames, and its plan never folds a product's name per row (migration 0007)."""

from __future__ import annotations

from server.catalog import service
from server.catalog.schemas import ProductQuery
from server.core.context import Actor, Context, Resources
from server.tenancy.models import Organization
from server.tenancy.service import tenant_of
from tests.conftest import TenantSession
from tests.server.catalog.test_routes import create_product


async def names(tenant: TenantSession, term: str) -> list[str]:
    response = await tenant.client.get("/api/v1/products", params={"search": term})
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


async def test_the_folded_name_follows_a_rename(tenant_a: TenantSession) -> None:
    product = await create_product(tenant_a, name="Azúcar Rubia Ñandú")
    assert await names(tenant_a, "rubia nandu") == ["Azúcar Rubia Ñandú"]
    renamed = await tenant_a.client.patch(f"/api/v1/products/{product['id']}", json={"name": "Café Tostado Ñuñoa"})
    assert renamed.status_code == 200
    assert await names(tenant_a, "rubia nandu") == []
    assert await names(tenant_a, "TOSTADO NUNOA") == ["Café Tostado Ñuñoa"]
    assert "folded_name" not in renamed.json()


async def test_the_search_plan_folds_the_term_once_and_no_name(resources: Resources, tenant_a: TenantSession) -> None:
    """As the application role (row-level security on): the per-row filter compares the stored
    `folded_name`, and `orbit_fold`/`lower` of the search text run in init plans, once."""
    async with resources.database.transaction(tenant_a.organization_id) as session:
        tenant = tenant_of(await session.get(Organization, tenant_a.organization_id))
        ctx = Context(
            session=session, resources=resources, tenant=tenant, actor=Actor(user_id=tenant_a.admin_id, role="admin")
        )
        statement = service.product_statement(ctx, ProductQuery(search="Café 5"))
        sql = str(statement.compile(dialect=session.bind.dialect, compile_kwargs={"literal_binds": True}))
        connection = await session.connection()
        plan = "\n".join((await connection.exec_driver_sql(f"explain verbose {sql}")).scalars())
    scan = next(line for line in plan.splitlines() if "Filter:" in line and "folded_name" in line)
    assert "orbit_fold(" not in scan and "unaccent(" not in scan, plan
    assert "InitPlan" in plan, plan
