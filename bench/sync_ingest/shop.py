"""The benchmark's shop: its scratch database, the server, and a tenant with a cashier, a
register with an open shift and a registered device, all set up through the API."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from bench.harness.database import ScratchDatabase, admin, admin_fetch
from bench.harness.server import ServerProcess
from bench.harness.tenant import (
    Tenant,
    add_user,
    catalog_csv,
    check,
    import_catalog,
    open_register,
    register_tenant,
    sign_in,
)


@dataclass
class Bench:
    database: ScratchDatabase
    app_role: str = "orbit_app"
    app_password: str = "orbit_app"
    server: ServerProcess | None = None
    tenant: Tenant | None = None
    cashier_id: str = ""
    cashier_token: str = ""
    register_id: str = ""
    register_code: str = "S1"
    shift_id: str = ""
    device_id: str = ""
    credential: str = ""

    @property
    def database_url(self) -> str:
        return self.database.url

    @property
    def organization_id(self) -> str:
        return self.tenant.organization_id if self.tenant else ""

    @property
    def base(self) -> str:
        assert self.server is not None
        return self.server.base_url

    @property
    def host(self) -> str:
        assert self.tenant is not None
        return self.tenant.host


async def create_database(bench: Bench) -> None:
    settings = await bench.database.create()
    bench.app_role, bench.app_password = settings.app_role, settings.app_role_password


def start_server(bench: Bench) -> None:
    bench.server = ServerProcess.orbit(
        database_url=bench.database.url, redis_url=bench.database.redis_url, workers=1, access_token_seconds=7200
    )
    bench.server.start_and_wait(timeout=60)


async def setup_tenant(bench: Bench, products: int, chunk: int) -> dict[str, Any]:
    import httpx

    figures: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=bench.base, timeout=600) as client:
        tenant = bench.tenant = await register_tenant(client, company="Bench Offline", subdomain="sync")
        started = time.perf_counter()
        for first in range(1, products + 1, chunk):
            count = min(chunk, products + 1 - first)
            report = await import_catalog(client, tenant, catalog_csv(range(first, first + count), stock=1_000_000))
            if report.get("created") not in (None, count):
                raise SystemExit(f"import created {report.get('created')} of {count}: {report}")
        figures["import_s"] = round(time.perf_counter() - started, 2)
        figures["import_method"] = f"POST /api/v1/products/import, {chunk:,} CSV rows per request"

        bench.cashier_id, email = await add_user(client, tenant, "cashier")
        bench.cashier_token = await sign_in(client, tenant, email)
        bench.register_id, bench.shift_id = await open_register(client, tenant, bench.register_code, "Offline till")
        body = {"register_id": bench.register_id, "name": "Bench POS"}
        device = check(await client.post("/api/v1/sync/devices", headers=tenant.headers, json=body), 201)
        bench.device_id = device["device"]["id"]
        bench.credential = device["credential"]
    return figures


async def checkpoint(bench: Bench) -> None:
    await admin(bench.database_url, "checkpoint")


async def product_costs(bench: Bench) -> dict[str, int]:
    rows = await admin_fetch(
        bench.database_url,
        "select id::text, cost from products where organization_id = $1",
        uuid.UUID(bench.organization_id),
    )
    return {row["id"]: row["cost"] for row in rows}
