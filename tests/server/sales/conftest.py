from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import TenantSession
from tests.server.catalog.test_routes import create_product


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


@dataclass
class Shop:
    """A tenant with a register, an open shift and a few products."""

    tenant: TenantSession
    register: dict[str, Any]
    shift: dict[str, Any]
    products: list[dict[str, Any]]

    @property
    def client(self) -> httpx.AsyncClient:
        return self.tenant.client

    def sale(
        self, lines: list[tuple[int, int]], payments: list[tuple[str, int]] | None = None, **fields: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "register_id": self.register["id"],
            "lines": [{"product_id": self.products[index]["id"], "quantity": quantity} for index, quantity in lines],
            "payments": [{"method": method, "amount": amount} for method, amount in (payments or [("cash", 10**7)])],
        }
        body.update(fields)
        return body

    async def sell(
        self,
        lines: list[tuple[int, int]],
        payments: list[tuple[str, int]] | None = None,
        client: httpx.AsyncClient | None = None,
        **fields: Any,
    ) -> httpx.Response:
        return await (client or self.client).post(
            "/api/v1/sales", json=self.sale(lines, payments, **fields), headers=key()
        )

    async def stock(self, index: int) -> int:
        response = await self.client.get(f"/api/v1/products/{self.products[index]['id']}")
        return int(response.json()["stock"])


async def open_shop(
    tenant: TenantSession, *, code: str = "C1", prices: tuple[int, ...] = (1000, 2500, 990), stock: int = 100
) -> Shop:
    register = (await tenant.client.post("/api/v1/registers", json={"code": code, "name": f"Caja {code}"})).json()
    shift = await tenant.client.post(
        "/api/v1/shifts", json={"register_id": register["id"], "opening_float": 20000}, headers=key()
    )
    assert shift.status_code == 201, shift.text
    products = [
        await create_product(tenant, price=price, tax_rate_bp=1900, initial_stock=stock, cost=price // 2)
        for price in prices
    ]
    return Shop(tenant=tenant, register=register, shift=shift.json(), products=products)
