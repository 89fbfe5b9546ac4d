from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import Api, TenantSession
from tests.server.sales.conftest import Shop, key, open_shop

REPORTS = (
    "sales-by-day",
    "sales-by-hour",
    "sales-by-register",
    "sales-by-cashier",
    "sales-by-payment-method",
    "sales-by-category",
    "top-products",
    "gross-margin",
    "inventory-valuation",
    "shifts",
)


@dataclass
class TradingDay:
    """One day of a small shop, rung up through the API (prices include 19 % VAT):

    | sale | who     | lines                    | payments    | figures                                   |
    |------|---------|--------------------------|-------------|-------------------------------------------|
    | A    | admin   | 2 × P0 (1000), 2 × P1 (2500) | cash 10000 | total 7000, tax 319 + 798, change 3000 |
    | B    | cashier | 4 × P2 (990)             | card 3960   | total 3960, tax 632                       |
    | C    | admin   | 1 × P0, sale discount 100 | cash 1000  | total 900, tax 144, change 100            |
    | D    | admin   | 2 × P1                   | cash 5000   | voided                                    |

    Then one unit of A's P0 line is refunded in cash (1000). P0 and P1 are in "Bebidas"; P2 has
    no category. Costs are half the price: 500, 1250, 495.
    """

    shop: Shop
    cashier: dict[str, Any]
    category: dict[str, Any]
    sales: dict[str, dict[str, Any]]
    refund: dict[str, Any]

    @property
    def client(self) -> httpx.AsyncClient:
        return self.shop.client


async def trade_one_day(api: Api, tenant: TenantSession) -> TradingDay:
    shop = await open_shop(tenant)
    category = (await tenant.client.post("/api/v1/categories", json={"name": "Bebidas"})).json()
    for product in shop.products[:2]:
        updated = await tenant.client.patch(f"/api/v1/products/{product['id']}", json={"category_id": category["id"]})
        assert updated.status_code == 200, updated.text
    cashier = await api.add_user(tenant, "cashier")
    sales = {}
    for name, response in (
        ("A", await shop.sell([(0, 2), (1, 2)], payments=[("cash", 10000)])),
        ("B", await shop.sell([(2, 4)], payments=[("card", 3960)], client=cashier["client"])),
        ("C", await shop.sell([(0, 1)], payments=[("cash", 1000)], discount=100)),
        ("D", await shop.sell([(1, 2)], payments=[("cash", 5000)])),
    ):
        assert response.status_code == 201, response.text
        sales[name] = response.json()
    voided = await tenant.client.post(
        f"/api/v1/sales/{sales['D']['id']}/void", json={"reason": "mal digitado"}, headers=key()
    )
    assert voided.status_code == 201, voided.text
    refund = await tenant.client.post(
        f"/api/v1/sales/{sales['A']['id']}/refunds",
        headers=key(),
        json={
            "register_id": shop.register["id"],
            "lines": [{"sale_line_id": sales["A"]["lines"][0]["id"], "quantity": 1}],
            "method": "cash",
            "reason": "cliente devuelve",
        },
    )
    assert refund.status_code == 201, refund.text
    return TradingDay(shop=shop, cashier=cashier, category=category, sales=sales, refund=refund.json())


def read_csv(response: httpx.Response) -> tuple[list[str], list[list[str]]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return header, rows
