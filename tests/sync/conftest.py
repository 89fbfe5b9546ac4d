"""A point-of-sale device as the tests drive it: registers itself, pulls, and pushes documents
with its own sequence numbers and client ids."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.conftest import Api, TenantSession
from tests.server.sales.conftest import Shop, open_shop


@dataclass
class Pos:
    shop: Shop
    device_id: str
    credential: str
    cashier_id: str
    client: httpx.AsyncClient
    seq: int = 0
    number: int = 0
    shift_id: str | None = None
    made: list[dict[str, Any]] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Device-Id": self.device_id, "X-Device-Key": self.credential}

    def document(self, kind: str, **fields: Any) -> dict[str, Any]:
        self.seq += 1
        document = {
            "kind": kind,
            "id": str(uuid.uuid4()),
            "seq": self.seq,
            "device_time": datetime.now(UTC).isoformat(),
            "cashier_id": self.cashier_id,
            **fields,
        }
        self.made.append(document)
        return document

    def sale(self, lines: list[tuple[int, int]], **fields: Any) -> dict[str, Any]:
        self.number += 1
        body = {
            "shift_id": self.shift_id,
            "number": self.number,
            "lines": [
                {
                    "product_id": self.shop.products[index]["id"],
                    "quantity": quantity,
                    "unit_price": self.shop.products[index]["price"],
                }
                for index, quantity in lines
            ],
            "payments": [{"method": "cash", "amount": 10**7}],
        }
        body.update(fields)
        return self.document("sale", **body)

    async def push(self, documents: list[dict[str, Any]], *, device_id: str | None = None) -> httpx.Response:
        return await self.client.post(
            "/api/v1/sync/sales",
            json={"device_id": device_id or self.device_id, "sales": documents},
            headers={"X-Device-Key": self.credential},
        )

    async def pull(self, cursor: str | None = None, limit: int = 1000) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = await self.client.get("/api/v1/sync/catalog", params=params, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()


async def register_pos(api: Api, shop: Shop, *, replace: bool = False) -> Pos:
    response = await shop.client.post(
        "/api/v1/sync/devices", json={"register_id": shop.register["id"], "name": "Caja tablet", "replace": replace}
    )
    assert response.status_code == 201, response.text
    credentials = response.json()
    cashier = await api.add_user(shop.tenant, "cashier")
    me = (await cashier["client"].get("/api/v1/me")).json()["user"]
    return Pos(
        shop=shop,
        device_id=credentials["device"]["id"],
        credential=credentials["credential"],
        cashier_id=me["id"],
        client=cashier["client"],
        shift_id=shop.shift["id"],
    )


@pytest.fixture
async def pos(api: Api, tenant_a: TenantSession) -> Pos:
    return await register_pos(api, await open_shop(tenant_a, code="P1"))
