from __future__ import annotations

import csv
import io
import uuid

from tests.conftest import Api, TenantSession, without_request_id

IDEMPOTENT = {"Idempotency-Key": ""}


def product_body(**fields: object) -> dict[str, object]:
    suffix = uuid.uuid4().hex[:8]
    return {"sku": f"SKU-{suffix}", "name": f"Producto {suffix}", "price": 1990, "tax_rate_bp": 1900, **fields}


async def create_product(tenant: TenantSession, **fields: object) -> dict[str, object]:
    response = await tenant.client.post("/api/v1/products", json=product_body(**fields))
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_read_update_deactivate(tenant_a) -> None:
    category = (await tenant_a.client.post("/api/v1/categories", json={"name": "Bebidas"})).json()
    product = await create_product(tenant_a, category_id=category["id"], initial_stock=12, barcode="7801234567890")
    assert product["stock"] == 12
    assert product["category_id"] == category["id"]
    movements = (await tenant_a.client.get(f"/api/v1/products/{product['id']}/movements")).json()["items"]
    assert [(m["kind"], m["delta"], m["balance_after"]) for m in movements] == [("receipt", 12, 12)]
    updated = await tenant_a.client.patch(f"/api/v1/products/{product['id']}", json={"price": 2490, "name": "Jugo"})
    assert updated.json()["price"] == 2490 and updated.json()["stock"] == 12
    assert (await tenant_a.client.delete(f"/api/v1/products/{product['id']}")).status_code == 204
    assert (await tenant_a.client.get(f"/api/v1/products/{product['id']}")).json()["is_active"] is False
    audit = (await tenant_a.client.get("/api/v1/audit", params={"entity_id": product["id"]})).json()["items"]
    assert [entry["action"] for entry in audit] == ["product.updated", "product.updated", "product.created"]
    assert audit[1]["before"] == {"price": 1990, "name": product["name"]}


async def test_stock_cannot_be_written_directly(tenant_a) -> None:
    product = await create_product(tenant_a)
    response = await tenant_a.client.patch(f"/api/v1/products/{product['id']}", json={"stock": 500})
    assert response.status_code == 422
    for field in ("organization_id", "id"):
        assert (
            await tenant_a.client.post("/api/v1/products", json=product_body(**{field: str(uuid.uuid4())}))
        ).status_code == 422


async def test_sku_and_barcode_unique_per_tenant(tenant_a, tenant_b) -> None:
    first = await create_product(tenant_a, sku="DUP-1", barcode="111")
    again = await tenant_a.client.post("/api/v1/products", json=product_body(sku="DUP-1"))
    assert again.status_code == 409 and again.json()["code"] == "sku_taken"
    barcode = await tenant_a.client.post("/api/v1/products", json=product_body(barcode="111"))
    assert barcode.status_code == 409 and barcode.json()["code"] == "barcode_taken"
    other = await tenant_b.client.post("/api/v1/products", json=product_body(sku="DUP-1", barcode="111"))
    assert other.status_code == 201
    rename = await tenant_a.client.patch(f"/api/v1/products/{first['id']}", json={"sku": "DUP-1"})
    assert rename.status_code == 200


async def test_bad_input(tenant_a) -> None:
    cases = [
        ({"price": -1}, ["body", "price"]),
        ({"price": "12"}, ["body", "price"]),
        ({"tax_rate_bp": 10001}, ["body", "tax_rate_bp"]),
        ({"sku": ""}, ["body", "sku"]),
        ({"lead_time_days": 400}, ["body", "lead_time_days"]),
        ({"barcode": "has space"}, ["body", "barcode"]),
    ]
    for fields, location in cases:
        response = await tenant_a.client.post("/api/v1/products", json=product_body(**fields))
        assert response.status_code == 422, (fields, response.text)
        assert response.json()["errors"][0]["loc"] == location


async def test_search_by_name_sku_and_barcode(tenant_a) -> None:
    await create_product(tenant_a, name="Azúcar Granulada 1kg", sku="AZU-001", barcode="7802000000011")
    await create_product(tenant_a, name="Café Molido", sku="CAF-002", barcode="7802000000028")
    await create_product(tenant_a, name="Té Negro", sku="TE-003")

    async def names(term: str) -> list[str]:
        response = await tenant_a.client.get("/api/v1/products", params={"search": term})
        return [item["name"] for item in response.json()["items"]]

    assert await names("azucar") == ["Azúcar Granulada 1kg"]
    assert await names("GRANUL") == ["Azúcar Granulada 1kg"]
    assert await names("caf-") == ["Café Molido"]
    assert await names("7802000000028") == ["Café Molido"]
    assert await names("780200") == ["Azúcar Granulada 1kg", "Café Molido"]
    assert await names("100%_") == []


async def test_filters_sorting_and_pagination(tenant_a) -> None:
    category = (await tenant_a.client.post("/api/v1/categories", json={"name": "Snacks"})).json()
    for price in (500, 1500, 1000):
        await create_product(tenant_a, price=price, category_id=category["id"], reorder_point=5)
    listed = await tenant_a.client.get("/api/v1/products", params={"category_id": category["id"], "sort": "-price"})
    assert [item["price"] for item in listed.json()["items"]] == [1500, 1000, 500]
    low = await tenant_a.client.get("/api/v1/products", params={"low_stock": "true", "limit": 2})
    assert len(low.json()["items"]) == 2 and low.json()["next_offset"] == 2
    bad_sort = await tenant_a.client.get("/api/v1/products", params={"sort": "stock; drop table products"})
    assert bad_sort.status_code == 422


async def test_categories(tenant_a) -> None:
    parent = (await tenant_a.client.post("/api/v1/categories", json={"name": "Lácteos"})).json()
    child = (await tenant_a.client.post("/api/v1/categories", json={"name": "Yogur", "parent_id": parent["id"]})).json()
    cycle = await tenant_a.client.patch(f"/api/v1/categories/{parent['id']}", json={"parent_id": child["id"]})
    assert cycle.status_code == 422
    duplicate = await tenant_a.client.post("/api/v1/categories", json={"name": "lácteos"})
    assert duplicate.status_code == 409
    in_use = await tenant_a.client.delete(f"/api/v1/categories/{parent['id']}")
    assert in_use.status_code == 409
    assert (await tenant_a.client.delete(f"/api/v1/categories/{child['id']}")).status_code == 204


async def test_other_tenants_products_and_categories_are_404(tenant_a, tenant_b) -> None:
    product = await create_product(tenant_b)
    category = (await tenant_b.client.post("/api/v1/categories", json={"name": "Ajena"})).json()
    random_id = uuid.uuid4()
    for path in (f"/api/v1/products/{product['id']}", f"/api/v1/products/{product['id']}/movements"):
        foreign = await tenant_a.client.get(path)
        missing = await tenant_a.client.get(path.replace(product["id"], str(random_id)))
        assert foreign.status_code == missing.status_code == 404
        assert without_request_id(foreign.json()) == without_request_id(missing.json())
    assert (await tenant_a.client.patch(f"/api/v1/products/{product['id']}", json={"price": 1})).status_code == 404
    assert (await tenant_a.client.patch(f"/api/v1/categories/{category['id']}", json={"name": "x"})).status_code == 404
    assert (await tenant_a.client.delete(f"/api/v1/categories/{category['id']}")).status_code == 404
    uses_foreign = await tenant_a.client.post("/api/v1/products", json=product_body(category_id=category["id"]))
    assert uses_foreign.status_code == 404
    assert uses_foreign.json()["errors"][0]["loc"] == ["body", "category_id"]
    listed = (await tenant_a.client.get("/api/v1/products", params={"limit": 200})).json()["items"]
    assert product["id"] not in {item["id"] for item in listed}
    assert category["id"] not in {c["id"] for c in (await tenant_a.client.get("/api/v1/categories")).json()}


async def test_roles(api: Api, tenant_a) -> None:
    cashier = await api.add_user(tenant_a, "cashier")
    assert (await cashier["client"].get("/api/v1/products")).status_code == 200
    assert (await cashier["client"].post("/api/v1/products", json=product_body())).status_code == 403
    manager = await api.add_user(tenant_a, "manager")
    assert (await manager["client"].post("/api/v1/products", json=product_body())).status_code == 201


CSV_OK = """sku;name;price;cost;tax_rate;category;stock;barcode;active
A-1;Arroz Grado 1;1290;900;19;Abarrotes;40;7801111111111;si
A-2;Aceite Maravilla 1L;2990;2100;19;Abarrotes;;;
B-1;Bebida Cola 1,5L;1890;1100;19;Bebidas;24;;yes
"""


async def test_csv_import_export_round_trip(tenant_a) -> None:
    client = tenant_a.client
    dry = await client.post("/api/v1/products/import", params={"dry_run": "true"}, content=CSV_OK.encode())
    assert dry.status_code == 200, dry.text
    assert dry.json() == {
        "dry_run": True,
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "errors": [],
    }
    assert (await client.get("/api/v1/products", params={"search": "A-1"})).json()["items"] == []

    done = await client.post("/api/v1/products/import", content=CSV_OK.encode())
    assert done.json()["created"] == 3
    rice = (await client.get("/api/v1/products", params={"search": "A-1"})).json()["items"][0]
    assert (rice["price"], rice["cost"], rice["tax_rate_bp"], rice["stock"]) == (1290, 900, 1900, 40)

    again = await client.post("/api/v1/products/import", content=CSV_OK.replace("1290;900", "1390;900").encode())
    assert again.json() == {
        "dry_run": False,
        "rows": 3,
        "created": 0,
        "updated": 1,
        "unchanged": 2,
        "skipped": 0,
        "errors": [],
    }

    exported = await client.get("/api/v1/products/export.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    by_sku = {row["sku"]: row for row in rows}
    assert by_sku["A-1"]["price"] == "1390" and by_sku["A-1"]["category"] == "Abarrotes"
    assert by_sku["A-1"]["stock"] == "40" and by_sku["B-1"]["tax_rate"] == "19.00"

    reimport = await client.post("/api/v1/products/import", content=exported.content)
    assert reimport.status_code == 200
    assert reimport.json()["unchanged"] == 3


async def test_csv_import_reports_every_bad_row_and_writes_nothing(tenant_a) -> None:
    bad = """sku,name,price,tax_rate,stock
X-1,Bueno,1000,19,5
X-2,,1000,19,
X-3,Precio malo,1.990,19,
X-1,Repetido,1000,19,
X-5,Impuesto,1000,150,-3
"""
    response = await tenant_a.client.post("/api/v1/products/import", content=bad.encode())
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "invalid_rows"
    locations = {(error["loc"][2], error["loc"][3]) for error in problem["errors"]}
    assert locations == {(3, "name"), (4, "price"), (5, "sku"), (6, "tax_rate"), (6, "stock")}
    assert (await tenant_a.client.get("/api/v1/products", params={"search": "X-1"})).json()["items"] == []
    missing_column = await tenant_a.client.post("/api/v1/products/import", content=b"sku,name\nQ,Q\n")
    assert missing_column.status_code == 422 and missing_column.json()["code"] == "missing_columns"
    empty = await tenant_a.client.post("/api/v1/products/import", content=b"")
    assert empty.status_code == 422


async def test_csv_import_can_skip_the_invalid_rows(tenant_a) -> None:
    await create_product(tenant_a, sku="HOLD-1", barcode="990011")
    mixed = """sku,name,price,barcode
S-1,Bueno uno,1000,
S-2,Sin precio,,
S-1,Repetido,1000,
S-4,Bueno dos,2500,
S-5,Barra ajena,900,990011
"""
    dry = await tenant_a.client.post(
        "/api/v1/products/import", params={"dry_run": "true", "skip_invalid": "true"}, content=mixed.encode()
    )
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert (report["rows"], report["created"], report["skipped"]) == (5, 2, 3)
    assert [(error["row"], error["column"]) for error in report["errors"]] == [(3, "price"), (4, "sku"), (6, "barcode")]
    assert (await tenant_a.client.get("/api/v1/products", params={"search": "S-"})).json()["items"] == []

    done = await tenant_a.client.post(
        "/api/v1/products/import", params={"skip_invalid": "true"}, content=mixed.encode()
    )
    assert done.status_code == 200 and done.json()["created"] == 2 and done.json()["dry_run"] is False
    found = (await tenant_a.client.get("/api/v1/products", params={"search": "S-", "sort": "sku"})).json()["items"]
    assert [(item["sku"], item["name"]) for item in found] == [("S-1", "Bueno uno"), ("S-4", "Bueno dos")]


async def test_csv_import_of_more_rows_than_a_statement_has_parameters(tenant_a) -> None:
    """PostgreSQL takes at most 32,767 parameters a statement: the import's lookups of existing
    SKUs and barcodes send one array each, so a file past that size is checked, not refused."""
    rows = 33_000
    csv = "sku,name,price,barcode\n" + "".join(f"BIG-{n},Item {n},100,77{n:08d}\n" for n in range(rows))
    response = await tenant_a.client.post("/api/v1/products/import", params={"dry_run": "true"}, content=csv.encode())
    assert response.status_code == 200, response.text[:300]
    assert (response.json()["rows"], response.json()["created"], response.json()["errors"]) == (rows, rows, [])
