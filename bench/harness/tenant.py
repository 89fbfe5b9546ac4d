"""A tenant set up through the API as a shop would be: registered, its catalog imported from a
CSV, its staff, its registers with open shifts; and its Redis keys removed afterwards."""

from __future__ import annotations

import csv
import io
import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bench.harness.server import BASE_DOMAIN

PASSWORD = "correct horse battery staple"

CATEGORIES = (
    "Abarrotes", "Bebidas", "Lácteos", "Panadería", "Carnes", "Frutas", "Verduras", "Limpieza", "Higiene",
    "Mascotas", "Congelados", "Snacks", "Desayuno", "Conservas", "Pastas", "Licores", "Bebé", "Ferretería",
    "Papelería", "Hogar",
)  # fmt: skip

CSV_HEADER = ("sku", "barcode", "name", "category", "price", "cost", "tax_rate", "unit", "stock", "reorder_point")

HOT_PRICE = 190
"""The price, in cents, of the hot product `catalog_csv` can add (`HOT-1`)."""


@dataclass
class Tenant:
    subdomain: str
    organization_id: str
    admin_id: str
    token: str
    """The admin's access token."""

    @property
    def host(self) -> str:
        return f"{self.subdomain}.{BASE_DOMAIN}"

    @property
    def headers(self) -> dict[str, str]:
        """The admin's headers on the tenant's host."""
        return {"Host": self.host, "Authorization": f"Bearer {self.token}"}


def check(response: Any, expected: int = 200) -> Any:
    """The JSON of an httpx response with the `expected` status; else stop the benchmark."""
    if response.status_code != expected:
        raise SystemExit(
            f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text[:500]}"
        )
    return response.json()


async def register_tenant(
    client: Any,
    *,
    company: str,
    subdomain: str | None = None,
    currency: str = "USD",
    locale: str | None = None,
    time_zone: str | None = None,
) -> Tenant:
    """Register a company and its admin (`POST /api/v1/auth/register` on the apex host) with an
    httpx client whose base URL is the server."""
    suffix = secrets.token_hex(4)
    body: dict[str, Any] = {
        "company_name": f"{company} {suffix}",
        "admin_name": "Bench Admin",
        "email": f"admin-{suffix}@bench.example.com",
        "password": PASSWORD,
        "currency": currency,
    }
    if subdomain is not None:
        body["subdomain"] = f"{subdomain}-{suffix}"
    if locale is not None:
        body["locale"] = locale
    if time_zone is not None:
        body["time_zone"] = time_zone
    registration = check(await client.post("/api/v1/auth/register", headers={"Host": BASE_DOMAIN}, json=body), 201)
    return Tenant(
        subdomain=registration["subdomain"],
        organization_id=registration["organization"]["id"],
        admin_id=registration["tokens"]["user"]["id"],
        token=registration["tokens"]["access_token"],
    )


async def add_user(client: Any, tenant: Tenant, role: str) -> tuple[str, str]:
    """A new active user of `role` (password `PASSWORD`): (id, email)."""
    email = f"{role}-{secrets.token_hex(4)}@bench.example.com"
    user = check(
        await client.post(
            "/api/v1/users",
            headers=tenant.headers,
            json={"email": email, "full_name": f"Bench {role}", "role": role, "password": PASSWORD},
        ),
        201,
    )
    return user["id"], email


async def sign_in(client: Any, tenant: Tenant, email: str) -> str:
    """An access token of the user with `email`."""
    answer = check(
        await client.post(
            "/api/v1/auth/login", headers={"Host": tenant.host}, json={"email": email, "password": PASSWORD}
        )
    )
    return str(answer["access_token"])


async def import_catalog(client: Any, tenant: Tenant, rows: bytes) -> dict[str, Any]:
    """`POST /api/v1/products/import` of a CSV; its report."""
    report: dict[str, Any] = check(
        await client.post(
            "/api/v1/products/import", headers={**tenant.headers, "Content-Type": "text/csv"}, content=rows
        )
    )
    return report


async def open_register(
    client: Any, tenant: Tenant, code: str, name: str, *, opening_float: int = 10_000
) -> tuple[str, str]:
    """A new register with a shift open on it: (register id, shift id)."""
    register = check(
        await client.post("/api/v1/registers", headers=tenant.headers, json={"code": code, "name": name}), 201
    )
    shift = check(
        await client.post(
            "/api/v1/shifts",
            headers={**tenant.headers, "Idempotency-Key": f"shift-{code}-{secrets.token_hex(4)}"},
            json={"register_id": register["id"], "opening_float": opening_float},
        ),
        201,
    )
    return register["id"], shift["id"]


def catalog_csv(numbers: Iterable[int], *, stock: int, hot_stock: int | None = None) -> bytes:
    """Products `SKU-<n>` of a realistic catalog: 20 categories, prices from 0.50 to 150.00,
    VAT 0 / 10 / 19 %, a barcode each, all with `stock`. Each row depends only on its number, so
    a catalog imported in chunks is the same catalog. With `hot_stock`, one more row: `HOT-1`,
    the one product every till sells (price `HOT_PRICE`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for index in numbers:
        rng = random.Random(index)
        price = rng.choice([rng.randint(50, 1_000), rng.randint(1_000, 5_000), rng.randint(5_000, 15_000)])
        category = rng.choice(CATEGORIES)
        writer.writerow(
            [
                f"SKU-{index:06d}",
                f"780{index:010d}",
                f"Producto {index} {category}",
                category,
                f"{price / 100:.2f}",
                f"{price * 0.65 / 100:.2f}",
                rng.choice(["19", "19", "10", "0"]),
                "unit",
                stock,
                10,
            ]
        )
    if hot_stock is not None:
        writer.writerow(
            ["HOT-1", "7999999999999", "Pan amasado (hot product)", "Panadería", f"{HOT_PRICE / 100:.2f}", "1.10",
             "19", "unit", hot_stock, 10]
        )  # fmt: skip
    return buffer.getvalue().encode()


async def forget_redis_keys(redis_url: str, organization_id: str) -> None:
    """Remove the tenant's keys (event streams, rate limits) from a shared Redis."""
    if not organization_id:
        return
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"t:{organization_id}:*", count=1000)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()
