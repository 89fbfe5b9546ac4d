from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from tests.conftest import Api
from tests.server.reports.conftest import REPORTS, TradingDay, read_csv, trade_one_day
from tests.server.sales.conftest import key, open_shop

FIGURES = ("sales_count", "items", "gross", "discounts", "tax", "total", "net", "refunds_count", "refunds")
SANTIAGO = ZoneInfo("America/Santiago")


def figures(*values: int) -> dict[str, int]:
    return dict(zip(FIGURES, values, strict=True))


def only_figures(row: dict[str, Any]) -> dict[str, int]:
    return {name: row[name] for name in FIGURES}


# Hand-computed from the TradingDay table (tax = base − round(base / 1.19)).
DAY_TOTALS = figures(3, 9, 11960, 100, 319 + 798 + 632 + 144, 11860, 11860 - 1893, 1, 1000)
ADMIN = figures(2, 5, 8000, 100, 319 + 798 + 144, 7900, 7900 - 1261, 1, 1000)
CASHIER = figures(1, 4, 3960, 0, 632, 3960, 3328, 0, 0)
ZERO = figures(0, 0, 0, 0, 0, 0, 0, 0, 0)


async def report(client: Any, name: str, **params: Any) -> dict[str, Any]:
    response = await client.get(f"/api/v1/reports/{name}", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def thirty_days_to(day: date) -> dict[str, str]:
    """The report's default period when `day` is the shop's today."""
    since, until = (day - timedelta(days=29)).isoformat(), (day + timedelta(days=1)).isoformat()
    return {"since": since, "until": until, "time_zone": "America/Santiago", "currency": "CLP"}


async def test_sales_by_day_hour_register_and_cashier(api: Api, tenant_a) -> None:
    day = await trade_one_day(api, tenant_a)
    moments = [sale["sold_at"] for sale in day.sales.values()] + [day.refund["refunded_at"]]
    sale_days = {datetime.fromisoformat(moment).astimezone(SANTIAGO).date() for moment in moments}
    if len(sale_days) > 1:
        pytest.skip("the day's trading ran across local midnight")
    [sold_on] = sale_days

    # The default period is the 30 local days to today, whichever day today was during the call.
    before = datetime.now(SANTIAGO).date()
    default = await report(day.client, "sales-by-day")
    after = datetime.now(SANTIAGO).date()
    assert default["period"] in (thirty_days_to(before), thirty_days_to(after))

    # The figures, over a period named by the day of the sales, not by the clock.
    period = thirty_days_to(sold_on)
    by_day = await report(day.client, "sales-by-day", since=period["since"], until=period["until"])
    assert by_day["period"] == period
    assert [row["day"] for row in by_day["rows"]] == [
        (sold_on - timedelta(days=n)).isoformat() for n in range(29, -1, -1)
    ]
    assert only_figures(by_day["rows"][-1]) == DAY_TOTALS
    assert all(only_figures(row) == ZERO for row in by_day["rows"][:-1])
    assert by_day["totals"] == DAY_TOTALS

    by_hour = await report(day.client, "sales-by-hour")
    assert [row["hour"] for row in by_hour["rows"]] == list(range(24))
    assert by_hour["totals"] == DAY_TOTALS
    sold_hour = datetime.fromisoformat(day.sales["A"]["sold_at"]).astimezone(SANTIAGO).hour
    assert by_hour["rows"][sold_hour]["total"] >= 7000
    assert sum(row["net"] for row in by_hour["rows"]) == DAY_TOTALS["net"]

    by_register = await report(day.client, "sales-by-register")
    [register] = by_register["rows"]
    assert (register["register_id"], register["register_code"], register["register_name"]) == (
        day.shop.register["id"],
        "C1",
        "Caja C1",
    )
    assert only_figures(register) == DAY_TOTALS == by_register["totals"]

    by_cashier = await report(day.client, "sales-by-cashier")
    assert [(row["cashier_id"], row["cashier_name"]) for row in by_cashier["rows"]] == [
        (str(tenant_a.admin_id), "Ada Owner"),
        (day.cashier["user"]["id"], "Test cashier"),
    ]
    assert [only_figures(row) for row in by_cashier["rows"]] == [ADMIN, CASHIER]
    assert by_cashier["totals"] == DAY_TOTALS


async def test_payment_methods_and_categories(api: Api, tenant_a) -> None:
    day = await trade_one_day(api, tenant_a)
    methods = await report(day.client, "sales-by-payment-method")
    assert methods["rows"] == [
        {
            "method": "cash",
            "payments_count": 2,
            "sales_count": 2,
            "amount": 7000 + 900,
            "refunds_count": 1,
            "refunds": 1000,
            "net": 6900,
        },
        {
            "method": "card",
            "payments_count": 1,
            "sales_count": 1,
            "amount": 3960,
            "refunds_count": 0,
            "refunds": 0,
            "net": 3960,
        },
    ]
    assert methods["totals"] == {
        "payments_count": 3,
        "sales_count": 3,
        "amount": 11860,
        "refunds_count": 1,
        "refunds": 1000,
        "net": 10860,
    }

    categories = await report(day.client, "sales-by-category")
    assert [(row["category_id"], row["category_name"]) for row in categories["rows"]] == [
        (day.category["id"], "Bebidas"),
        (None, None),
    ]
    assert [only_figures(row) for row in categories["rows"]] == [ADMIN, CASHIER]
    assert categories["totals"] == DAY_TOTALS


async def test_a_sale_counts_once_under_each_of_its_methods_categories_and_products(api: Api, tenant_a) -> None:
    shop = await open_shop(tenant_a)
    category = (await tenant_a.client.post("/api/v1/categories", json={"name": "Lácteos"})).json()
    await tenant_a.client.patch(f"/api/v1/products/{shop.products[1]['id']}", json={"category_id": category["id"]})
    # 2500 + 990 + 2 × 990 = 5470: a P1 line (Lácteos) and two P2 lines (uncategorized), paid by card and cash.
    sale = await shop.sell([(1, 1), (2, 1), (2, 2)], payments=[("card", 1500), ("cash", 4000), ("cash", 1000)])
    assert sale.status_code == 201, sale.text

    methods = await report(shop.client, "sales-by-payment-method")
    assert [(row["method"], row["payments_count"], row["sales_count"], row["amount"]) for row in methods["rows"]] == [
        ("cash", 2, 1, 3970),
        ("card", 1, 1, 1500),
    ]
    assert (methods["totals"]["payments_count"], methods["totals"]["sales_count"]) == (3, 1)
    categories = await report(shop.client, "sales-by-category")
    assert [(row["category_name"], row["sales_count"], row["items"], row["total"]) for row in categories["rows"]] == [
        (None, 1, 3, 2970),
        ("Lácteos", 1, 1, 2500),
    ]
    assert (categories["totals"]["sales_count"], categories["totals"]["items"]) == (1, 4)
    [p2, p1] = (await report(shop.client, "top-products"))["rows"]
    assert (p2["product_id"], p2["units"], p2["sales_count"]) == (shop.products[2]["id"], 3, 1)
    assert (p1["product_id"], p1["units"], p1["sales_count"]) == (shop.products[1]["id"], 1, 1)


async def test_top_products_and_gross_margin(api: Api, tenant_a) -> None:
    day = await trade_one_day(api, tenant_a)
    p0, p1, p2 = (product["id"] for product in day.shop.products)
    by_units = await report(day.client, "top-products")
    assert by_units["by"] == "units"
    assert [
        (
            row["rank"],
            row["product_id"],
            row["units"],
            row["sales_count"],
            row["total"],
            row["net"],
            row["refunded_units"],
            row["refunds"],
        )
        for row in by_units["rows"]
    ] == [
        (1, p2, 4, 1, 3960, 3328, 0, 0),
        (2, p0, 3, 2, 2900, 1681 + 756, 1, 1000),
        (3, p1, 2, 1, 5000, 4202, 0, 0),
    ]
    assert by_units["rows"][1]["category_name"] == "Bebidas" and by_units["rows"][0]["category_id"] is None
    by_revenue = await report(day.client, "top-products", by="revenue", limit=2)
    assert [row["product_id"] for row in by_revenue["rows"]] == [p1, p2]

    margin = await report(day.client, "gross-margin")
    # cost = quantity × unit cost at the time of sale: 3 × 500 + 2 × 1250 = 4000, and 4 × 495 = 1980.
    assert margin["totals"] == {"units": 9, "net": 9967, "cost": 5980, "margin": 3987, "margin_bp": 4000}
    assert margin["rows"] == [
        {
            "category_id": day.category["id"],
            "category_name": "Bebidas",
            "units": 5,
            "net": 6639,
            "cost": 4000,
            "margin": 2639,
            "margin_bp": 3975,
        },
        {
            "category_id": None,
            "category_name": None,
            "units": 4,
            "net": 3328,
            "cost": 1980,
            "margin": 1348,
            "margin_bp": 4050,
        },
    ]


async def test_inventory_valuation(api: Api, owner_engine) -> None:
    tenant = await api.register()
    async with owner_engine.begin() as connection:
        await connection.execute(
            text("update organizations set allow_negative_stock = true where id = :id"), {"id": tenant.organization_id}
        )
    shop = await open_shop(tenant, prices=(1000, 2500, 990), stock=10)
    parent = (await tenant.client.post("/api/v1/categories", json={"name": "Almacén"})).json()
    child = (await tenant.client.post("/api/v1/categories", json={"name": "Aceites", "parent_id": parent["id"]})).json()
    await tenant.client.patch(f"/api/v1/products/{shop.products[0]['id']}", json={"category_id": parent["id"]})
    await tenant.client.patch(f"/api/v1/products/{shop.products[1]['id']}", json={"category_id": child["id"]})
    assert (await shop.sell([(2, 13)])).status_code == 201  # 10 − 13 = −3 units of P2
    await tenant.client.delete(f"/api/v1/products/{shop.products[1]['id']}")  # inactive, still holds 10

    valuation = await report(shop.client, "inventory-valuation")
    assert [
        (
            row["sku"],
            row["stock"],
            row["unit_cost"],
            row["value"],
            row["retail_value"],
            row["negative_stock"],
            row["is_active"],
        )
        for row in valuation["rows"]
    ] == [
        (shop.products[1]["sku"], 10, 1250, 12500, 25000, False, False),
        (shop.products[0]["sku"], 10, 500, 5000, 10000, False, True),
        (shop.products[2]["sku"], -3, 495, 0, 0, True, True),
    ]
    assert valuation["totals"] == {
        "products": 3,
        "units": 20,
        "value": 17500,
        "retail_value": 35000,
        "negative_stock_products": 1,
    }
    assert valuation["currency"] == "CLP" and valuation["category_id"] is None

    almacen = await report(shop.client, "inventory-valuation", category_id=parent["id"])
    assert [row["category_name"] for row in almacen["rows"]] == ["Aceites", "Almacén"]
    assert almacen["totals"]["value"] == 17500 - 0 and almacen["category_id"] == parent["id"]
    aceites = await report(shop.client, "inventory-valuation", category_id=child["id"])
    assert [row["sku"] for row in aceites["rows"]] == [shop.products[1]["sku"]]
    missing = await shop.client.get("/api/v1/reports/inventory-valuation", params={"category_id": str(uuid.uuid4())})
    assert missing.status_code == 404 and missing.json()["errors"][0]["loc"] == ["query", "category_id"]


async def test_shifts_report_open_then_closed(api: Api, tenant_a) -> None:
    day = await trade_one_day(api, tenant_a)
    await day.client.post(
        f"/api/v1/shifts/{day.shop.shift['id']}/cash-movements",
        headers=key(),
        json={"kind": "pay_out", "amount": 400, "reason": "compra de bolsas"},
    )
    open_report = await report(day.client, "shifts")
    [row] = open_report["rows"]
    assert (row["shift_id"], row["register_code"], row["status"], row["opened_by_name"], row["closed_at"]) == (
        day.shop.shift["id"],
        "C1",
        "open",
        "Ada Owner",
        None,
    )
    # The void (sale D) leaves the drawer as if D never happened.
    assert (row["sales_count"], row["sales_total"], row["refunds_count"], row["refunds_total"]) == (3, 11860, 1, 1000)
    assert row["cash_expected"] == 20000 + 7900 - 1000 - 400
    assert (row["cash_counted"], row["cash_difference"], row["difference"]) == (None, None, None)

    closed = await day.client.post(
        f"/api/v1/shifts/{day.shop.shift['id']}/close",
        headers=key(),
        json={"counts": [{"method": "cash", "counted": 26450}, {"method": "card", "counted": 4000}]},
    )
    assert closed.status_code == 200, closed.text
    second = await day.client.post(
        "/api/v1/shifts", json={"register_id": day.shop.register["id"], "opening_float": 5000}, headers=key()
    )
    assert (await day.shop.sell([(2, 1)], payments=[("cash", 1000)])).status_code == 201

    shifts = await report(day.client, "shifts")
    first, latest = shifts["rows"]
    assert (
        first["status"],
        first["closed_by_name"],
        first["cash_expected"],
        first["cash_counted"],
        first["cash_difference"],
        first["difference"],
    ) == ("closed", "Ada Owner", 26500, 26450, -50, -50 + 40)
    assert (latest["shift_id"], latest["status"], latest["sales_count"], latest["cash_expected"]) == (
        second.json()["id"],
        "open",
        1,
        5000 + 990,
    )
    assert shifts["totals"] == {
        "shifts": 2,
        "open_shifts": 1,
        "sales_count": 4,
        "sales_total": 11860 + 990,
        "refunds_count": 1,
        "refunds_total": 1000,
        "cash_difference": -50,
        "difference": -10,
    }
    z_report = (await day.client.get(f"/api/v1/shifts/{day.shop.shift['id']}/report")).json()
    z_cash = next(method for method in z_report["methods"] if method["method"] == "cash")
    assert (z_cash["expected"], z_cash["difference"]) == (first["cash_expected"], first["cash_difference"])

    yesterday = datetime.now(SANTIAGO).date() - timedelta(days=1)
    earlier = await report(
        day.client, "shifts", since=(yesterday - timedelta(days=5)).isoformat(), until=yesterday.isoformat()
    )
    assert earlier["rows"] == [] and earlier["totals"]["shifts"] == 0


@pytest.mark.parametrize(
    ("time_zone", "sold_at", "local_day", "local_hour"),
    [
        ("America/Santiago", "2025-01-15 02:30:00+00", date(2025, 1, 14), 23),  # UTC−3 in summer
        ("America/Santiago", "2025-07-01 03:30:00+00", date(2025, 6, 30), 23),  # UTC−4 in winter
        ("Asia/Tokyo", "2025-03-10 20:15:00+00", date(2025, 3, 11), 5),  # UTC+9: local day is ahead
    ],
)
async def test_days_and_hours_are_local(
    api: Api, owner_engine, time_zone: str, sold_at: str, local_day: date, local_hour: int
) -> None:
    tenant = await api.register(time_zone=time_zone)
    shop = await open_shop(tenant)
    sale = (await shop.sell([(0, 1)], payments=[("cash", 1000)])).json()
    refund = await shop.client.post(
        f"/api/v1/sales/{sale['id']}/refunds",
        headers=key(),
        json={
            "register_id": shop.register["id"],
            "lines": [{"sale_line_id": sale["lines"][0]["id"], "quantity": 1}],
            "method": "cash",
            "reason": "no le gustó",
        },
    )
    assert refund.status_code == 201
    moment = datetime.fromisoformat(sold_at)
    async with owner_engine.begin() as connection:
        await connection.execute(
            text("update sales set sold_at = :at where id = :id"), {"at": moment, "id": sale["id"]}
        )
        await connection.execute(
            text("update refunds set refunded_at = :at where id = :id"),
            {"at": moment + timedelta(minutes=10), "id": refund.json()["id"]},
        )
    assert moment.date() != local_day

    around = {
        "since": (local_day - timedelta(days=1)).isoformat(),
        "until": (local_day + timedelta(days=2)).isoformat(),
    }
    by_day = await report(shop.client, "sales-by-day", **around)
    assert [(row["day"], row["sales_count"], row["total"], row["refunds"]) for row in by_day["rows"]] == [
        ((local_day - timedelta(days=1)).isoformat(), 0, 0, 0),
        (local_day.isoformat(), 1, 1000, 1000),
        ((local_day + timedelta(days=1)).isoformat(), 0, 0, 0),
    ]
    by_hour = await report(shop.client, "sales-by-hour", **around)
    assert [row["hour"] for row in by_hour["rows"] if row["sales_count"]] == [local_hour]
    assert [row["hour"] for row in by_hour["rows"] if row["refunds_count"]] == [local_hour]
    the_day = {"since": local_day.isoformat(), "until": (local_day + timedelta(days=1)).isoformat()}
    assert (await report(shop.client, "sales-by-day", **the_day))["totals"]["total"] == 1000
    assert (await report(shop.client, "top-products", **the_day))["rows"][0]["units"] == 1
    the_utc_day = {"since": moment.date().isoformat(), "until": (moment.date() + timedelta(days=1)).isoformat()}
    assert (await report(shop.client, "sales-by-day", **the_utc_day))["totals"]["sales_count"] == 0
    assert (await report(shop.client, "gross-margin", **the_utc_day))["totals"]["units"] == 0


def major(amount: int | None) -> str:
    """USD minor units as the CSV writes them, computed independently of the server."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount) // 100}.{abs(amount) % 100:02d}"


def local(moment: str | None) -> str:
    return "" if moment is None else datetime.fromisoformat(moment).astimezone(SANTIAGO).strftime("%Y-%m-%d %H:%M:%S")


def money_figures(row: dict[str, Any]) -> list[str]:
    return [
        str(row["sales_count"]),
        str(row["items"]),
        *(major(row[name]) for name in FIGURES[2:7]),
        str(row["refunds_count"]),
        major(row["refunds"]),
    ]


EXPECTED_CSV = {
    "sales-by-day": lambda row: [row["day"], *money_figures(row)],
    "sales-by-hour": lambda row: [str(row["hour"]), *money_figures(row)],
    "sales-by-register": lambda row: [row["register_code"], row["register_name"], *money_figures(row)],
    "sales-by-cashier": lambda row: [row["cashier_name"], *money_figures(row)],
    "sales-by-category": lambda row: [row["category_name"] or "(uncategorized)", *money_figures(row)],
    "sales-by-payment-method": lambda row: [
        row["method"],
        str(row["payments_count"]),
        str(row["sales_count"]),
        major(row["amount"]),
        str(row["refunds_count"]),
        major(row["refunds"]),
        major(row["net"]),
    ],
    "top-products": lambda row: [
        str(row["rank"]),
        row["sku"],
        row["name"],
        row["category_name"] or "(uncategorized)",
        str(row["units"]),
        str(row["sales_count"]),
        major(row["total"]),
        major(row["net"]),
        str(row["refunded_units"]),
        major(row["refunds"]),
    ],
    "gross-margin": lambda row: [
        row["category_name"] or "(uncategorized)",
        str(row["units"]),
        major(row["net"]),
        major(row["cost"]),
        major(row["margin"]),
        major(row["margin_bp"]),
    ],
    "inventory-valuation": lambda row: [
        row["sku"],
        row["name"],
        row["category_name"] or "(uncategorized)",
        "yes" if row["is_active"] else "no",
        str(row["stock"]),
        major(row["unit_cost"]),
        major(row["price"]),
        major(row["value"]),
        major(row["retail_value"]),
        "yes" if row["negative_stock"] else "no",
    ],
    "shifts": lambda row: [
        row["register_code"],
        row["status"],
        local(row["opened_at"]),
        local(row["closed_at"]),
        row["opened_by_name"],
        row["closed_by_name"] or "",
        major(row["opening_float"]),
        str(row["sales_count"]),
        major(row["sales_total"]),
        str(row["refunds_count"]),
        *(
            major(row[name])
            for name in ("refunds_total", "cash_expected", "cash_counted", "cash_difference", "difference")
        ),
    ],
}


async def test_csv_twins_match_json(api: Api) -> None:
    tenant = await api.register(currency="USD", locale="en-US")
    day: TradingDay = await trade_one_day(api, tenant)
    await day.client.post(
        f"/api/v1/shifts/{day.shop.shift['id']}/close",
        headers=key(),
        json={"counts": [{"method": "cash", "counted": 26850}]},
    )
    assert set(EXPECTED_CSV) == set(REPORTS)
    for name in REPORTS:
        params = {"by": "revenue"} if name == "top-products" else {}
        json_rows = (await report(day.client, name, **params))["rows"]
        assert json_rows, name
        header, rows = read_csv(await day.client.get(f"/api/v1/reports/{name}.csv", params=params))
        assert rows == [EXPECTED_CSV[name](row) for row in json_rows], name
        assert len(header) == len(rows[0]), name
    day_csv = await day.client.get(
        "/api/v1/reports/sales-by-day.csv", params={"since": "2025-03-01", "until": "2025-04-01"}
    )
    assert day_csv.headers["content-disposition"] == 'attachment; filename="sales-by-day_2025-03-01_to_2025-03-31.csv"'
    assert read_csv(day_csv)[0] == ["day", *FIGURES]
    assert len(read_csv(day_csv)[1]) == 31


async def test_only_managers_and_admins(api: Api, tenant_a) -> None:
    cashier = await api.add_user(tenant_a, "cashier")
    manager = await api.add_user(tenant_a, "manager")
    for name in REPORTS:
        for path in (f"/api/v1/reports/{name}", f"/api/v1/reports/{name}.csv"):
            refused = await cashier["client"].get(path)
            assert refused.status_code == 403 and refused.json()["code"] == "role_forbidden", path
            assert (await manager["client"].get(path)).status_code == 200, path
            assert (await api.client(tenant_a.subdomain).get(path)).status_code == 401, path


async def test_tenants_never_see_each_other(api: Api, tenant_a, tenant_b) -> None:
    shop_a = await open_shop(tenant_a, code="A1")
    day_b = await trade_one_day(api, tenant_b)
    assert (await report(day_b.client, "sales-by-day"))["totals"] == DAY_TOTALS
    foreign_ids = {
        str(value)
        for value in (
            day_b.shop.register["id"],
            day_b.category["id"],
            day_b.cashier["user"]["id"],
            tenant_b.admin_id,
            day_b.shop.shift["id"],
            *(product["id"] for product in day_b.shop.products),
        )
    }
    for name in REPORTS:
        body = await report(shop_a.client, name)
        assert not foreign_ids & set(_strings(body)), name
        if name.startswith("sales-by-"):
            assert body["totals"]["sales_count"] == 0 and body["totals"]["refunds_count"] == 0, name
    assert {row["product_id"] for row in (await report(shop_a.client, "inventory-valuation"))["rows"]} == {
        product["id"] for product in shop_a.products
    }
    shifts_a = await report(shop_a.client, "shifts")
    assert [row["shift_id"] for row in shifts_a["rows"]] == [shop_a.shift["id"]]
    foreign = await shop_a.client.get(
        "/api/v1/reports/inventory-valuation", params={"category_id": day_b.category["id"]}
    )
    assert foreign.status_code == 404
    # B's token on A's host is refused outright.
    crossed = await api.client(tenant_a.subdomain).get("/api/v1/reports/sales-by-day", headers=tenant_b.auth())
    assert crossed.status_code == 403 and crossed.json()["code"] == "wrong_tenant"


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize(
    ("path", "params", "location"),
    [
        ("sales-by-day", {"since": "2025-03-10", "until": "2025-03-01"}, ["query", "since"]),
        ("sales-by-day", {"since": "2023-01-01", "until": "2025-02-02"}, ["query", "until"]),
        ("sales-by-hour", {"since": "2025-13-01"}, ["query", "since"]),
        ("sales-by-register", {"until": "yesterday"}, ["query", "until"]),
        ("sales-by-cashier", {"organization_id": str(uuid.uuid4())}, ["query"]),
        ("sales-by-category", {"since": "0001-01-01", "until": "0001-01-02"}, ["query", "since"]),
        # Since a day after tomorrow, without until (which defaults to tomorrow): reversed, in any year.
        ("sales-by-payment-method.csv", {"since": str(date.today() + timedelta(days=2))}, ["query", "since"]),
        ("top-products", {"by": "margin"}, ["query", "by"]),
        ("top-products", {"limit": "101"}, ["query", "limit"]),
        ("top-products.csv", {"limit": "0"}, ["query", "limit"]),
        ("gross-margin", {"since": "2020-01-01", "until": "2024-01-01"}, ["query", "until"]),
        ("inventory-valuation", {"since": "2025-01-01"}, ["query"]),
        ("inventory-valuation", {"category_id": "not-a-uuid"}, ["query", "category_id"]),
        ("shifts.csv", {"until": "2025-02-30"}, ["query", "until"]),
    ],
)
async def test_bad_parameters_are_422_with_their_location(
    tenant_a, path: str, params: dict[str, str], location: list[str]
) -> None:
    response = await tenant_a.client.get(f"/api/v1/reports/{path}", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == location


async def test_longest_period_is_two_years_and_a_month(tenant_a) -> None:
    longest = {"since": "2023-01-31", "until": "2025-02-28"}
    assert len((await report(tenant_a.client, "sales-by-day", **longest))["rows"]) == 759
    too_long = await tenant_a.client.get("/api/v1/reports/sales-by-day", params={**longest, "until": "2025-03-01"})
    assert too_long.status_code == 422
    empty = await report(tenant_a.client, "sales-by-day", since="2025-03-01", until="2025-03-01")
    assert empty["rows"] == [] and empty["totals"] == ZERO
