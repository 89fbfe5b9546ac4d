"""Product search under row-level security (migrations 0007 and 0010): by word prefix from an
index of each product's words, kept by triggers through creation, import, rename and deletion;
by the name containing the text only when no word starts with it."""

from __future__ import annotations

from sqlalchemy import text

from server.catalog import search as catalog_search
from server.catalog import service
from server.catalog.schemas import ProductQuery
from server.core.context import Actor, Context, Resources
from server.tenancy.models import Organization
from server.tenancy.service import tenant_of
from tests.conftest import TenantSession
from tests.server.catalog.test_routes import create_product


async def names(tenant: TenantSession, term: str) -> list[str]:
    response = await tenant.client.get("/api/v1/products", params={"search": term, "sort": "name"})
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


async def test_the_folded_name_follows_a_rename(tenant_a: TenantSession) -> None:
    product = await create_product(tenant_a, name="Azúcar Rubia Ñandú")
    assert await names(tenant_a, "rubia nandu") == ["Azúcar Rubia Ñandú"]
    renamed = await tenant_a.client.patch(f"/api/v1/products/{product['id']}", json={"name": "Café Tostado Ñuñoa"})
    assert renamed.status_code == 200
    assert await names(tenant_a, "rubia nandu") == []
    assert await names(tenant_a, "nand") == []
    assert await names(tenant_a, "TOSTADO NUNOA") == ["Café Tostado Ñuñoa"]
    assert "folded_name" not in renamed.json()


async def test_every_word_of_the_search_starts_a_word_of_the_product(tenant_a: TenantSession) -> None:
    await create_product(tenant_a, name="Leche Soprole chocolate 1 L", sku="LS-100", barcode="7802900001111")
    await create_product(tenant_a, name="Galletas Costa chocolate 140 g", sku="GC-140")
    await create_product(tenant_a, name="Coca-Cola 1.5 L", sku="CC-015")
    await create_product(tenant_a, name="Merkén ahumado", sku="MK-001")

    assert await names(tenant_a, "choco") == ["Galletas Costa chocolate 140 g", "Leche Soprole chocolate 1 L"]
    assert await names(tenant_a, "leche sopr") == ["Leche Soprole chocolate 1 L"]
    assert await names(tenant_a, "sopr leche") == ["Leche Soprole chocolate 1 L"]
    assert await names(tenant_a, "  CHOCO   costa ") == ["Galletas Costa chocolate 140 g"]
    assert await names(tenant_a, "merken") == ["Merkén ahumado"]
    assert await names(tenant_a, "cola") == ["Coca-Cola 1.5 L"]  # a part of a hyphenated word
    assert await names(tenant_a, "coca-co") == ["Coca-Cola 1.5 L"]  # the whole word
    assert await names(tenant_a, "1.5") == ["Coca-Cola 1.5 L"]
    assert await names(tenant_a, "gc-1") == ["Galletas Costa chocolate 140 g"]  # SKU prefix
    assert await names(tenant_a, "78029000") == ["Leche Soprole chocolate 1 L"]  # barcode prefix
    assert await names(tenant_a, "choco merken") == []  # every word must match


async def test_a_text_inside_a_word_is_found_when_no_word_starts_with_it(tenant_a: TenantSession) -> None:
    await create_product(tenant_a, name="Galletas Costa chocolate 140 g")
    await create_product(tenant_a, name="Chocolatería Latente", sku="LT-1")
    # "late" starts a word ("latente"): prefix matches win, the substring of "chocolate" is not added.
    assert await names(tenant_a, "late") == ["Chocolatería Latente"]
    # "olat" starts no word: the names containing it.
    assert await names(tenant_a, "olat") == ["Chocolatería Latente", "Galletas Costa chocolate 140 g"]
    assert await names(tenant_a, "%") == []
    assert await names(tenant_a, "_") == []


async def test_exact_sku_or_barcode_comes_first(tenant_a: TenantSession) -> None:
    await create_product(tenant_a, name="Aceite 1 L", sku="AC-1")
    await create_product(tenant_a, name="Aceite 10 L", sku="AC-10")
    response = await tenant_a.client.get("/api/v1/products", params={"search": "ac-10", "sort": "name"})
    assert [item["sku"] for item in response.json()["items"]] == ["AC-10"]
    response = await tenant_a.client.get("/api/v1/products", params={"search": "ac-1", "sort": "-name"})
    assert [item["sku"] for item in response.json()["items"]] == ["AC-1", "AC-10"]
    await create_product(tenant_a, name="Arroz A", sku="AR-1", barcode="78012345678901")
    await create_product(tenant_a, name="Arroz B", sku="AR-2", barcode="7801234567890")
    response = await tenant_a.client.get("/api/v1/products", params={"search": "7801234567890", "sort": "name"})
    assert [item["sku"] for item in response.json()["items"]] == ["AR-2", "AR-1"]
    response = await tenant_a.client.get("/api/v1/products", params={"search": "7801234567890", "offset": 1})
    assert [item["sku"] for item in response.json()["items"]] == ["AR-1"]  # pages agree with the first


async def test_terms_follow_import_sku_change_and_deletion(tenant_a: TenantSession) -> None:
    csv_text = "sku;name;price;tax_rate\nIM-1;Harina Selecta 1 kg;1290;19\nIM-2;Harina Integral 1 kg;1390;19\n"
    imported = await tenant_a.client.post("/api/v1/products/import", content=csv_text.encode())
    assert imported.status_code == 200, imported.text
    assert await names(tenant_a, "harina") == ["Harina Integral 1 kg", "Harina Selecta 1 kg"]
    assert await names(tenant_a, "im-2") == ["Harina Integral 1 kg"]

    product = await create_product(tenant_a, name="Sal de mar", sku="SM-1", barcode="7800000000017")
    changed = await tenant_a.client.patch(
        f"/api/v1/products/{product['id']}", json={"sku": "XS-9", "barcode": "7809999999990"}
    )
    assert changed.status_code == 200, changed.text
    assert await names(tenant_a, "sm-1") == []
    assert await names(tenant_a, "78000000") == []
    assert await names(tenant_a, "xs-9") == ["Sal de mar"]
    assert await names(tenant_a, "78099999") == ["Sal de mar"]


async def test_a_deleted_products_terms_go_with_it(resources: Resources, tenant_a: TenantSession) -> None:
    """Products are deactivated, never deleted, by the API; a deletion (by hand, or of a tenant)
    still takes the product's search terms with it."""
    product = await create_product(tenant_a, name="Té Verde Matcha", sku="TV-1")
    kept = await create_product(tenant_a, name="Té Negro", sku="TN-1")
    async with resources.database.transaction(tenant_a.organization_id) as session:
        count = "select count(*) from product_search_terms where product_id = :id"
        assert await session.scalar(text(count), {"id": product["id"]}) == 4  # te, verde, matcha, tv-1
        await session.execute(text("delete from products where id = :id"), {"id": product["id"]})
        assert await session.scalar(text(count), {"id": product["id"]}) == 0
        assert await session.scalar(text(count), {"id": kept["id"]}) > 0


async def test_another_tenants_words_are_never_matched(tenant_a: TenantSession, tenant_b: TenantSession) -> None:
    await create_product(tenant_b, name="Quinoa Andina Orgánica", sku="QA-1", barcode="7807777777771")
    for term in ("quinoa", "andina org", "qa-1", "7807777", "uinoa"):
        assert await names(tenant_a, term) == []
    assert await names(tenant_b, "quinoa") == ["Quinoa Andina Orgánica"]


async def plan(resources: Resources, tenant: TenantSession, sql_of: object) -> str:
    """The plan of a statement built from a context, as the application role (row-level security
    on), with sequential scans off so an index that cannot serve the condition shows as a filter."""
    async with resources.database.transaction(tenant.organization_id) as session:
        ctx = Context(
            session=session,
            resources=resources,
            tenant=tenant_of(await session.get(Organization, tenant.organization_id)),
            actor=Actor(user_id=tenant.admin_id, role="admin"),
        )
        statement = sql_of(ctx)  # type: ignore[operator]
        sql = str(statement.compile(dialect=session.bind.dialect, compile_kwargs={"literal_binds": True}))
        connection = await session.connection()
        await connection.exec_driver_sql("set local enable_seqscan = off")
        return "\n".join((await connection.exec_driver_sql(f"explain verbose {sql}")).scalars())


async def test_the_word_prefix_is_an_index_range_under_row_level_security(
    resources: Resources, tenant_a: TenantSession
) -> None:
    await create_product(tenant_a, name="Café Molido 250 g")
    async with resources.database.transaction(tenant_a.organization_id) as session:
        assert await catalog_search.folded_words(session, " Café  MOL ") == ["cafe", "mol"]

    def statement(ctx: Context) -> object:
        condition = catalog_search.word_prefix_condition(ctx.organization_id, ["cafe", "mol"])
        return service.product_statement(
            ctx, ProductQuery(search="Café mol"), catalog_search.ProductSearch(condition, [])
        )

    explained = await plan(resources, tenant_a, statement)
    # The planner may look up the second word's terms by product instead; at least one word's
    # range is an index condition, which row-level security would forbid were it not leakproof.
    ranges = [line for line in explained.splitlines() if "Index Cond:" in line and "term >=" in line]
    assert ranges and all("term <" in line for line in ranges), explained
    assert "term >= 'cafe'" in explained and "term >= 'mol'" in explained, explained
    assert "orbit_fold(products" not in explained and "unaccent(products" not in explained, explained


async def test_the_contains_scan_folds_the_term_once_and_no_name(resources: Resources, tenant_a: TenantSession) -> None:
    """The fallback compares the stored `folded_name`; `orbit_fold`/`lower` of the search text run
    in init plans, once."""

    def statement(ctx: Context) -> object:
        search = catalog_search.ProductSearch(catalog_search.contains_condition("Café 5"), [])
        return service.product_statement(ctx, ProductQuery(search="Café 5"), search)

    explained = await plan(resources, tenant_a, statement)
    scan = next(line for line in explained.splitlines() if "Filter:" in line and "folded_name" in line)
    assert "orbit_fold(" not in scan and "unaccent(" not in scan, explained
    assert "InitPlan" in explained, explained
