"""The restore drill (docs/operations.md, "Backups and restore") in small: a shop's database dumped
and restored into a new database is the same shop — `orbit restore-check` fingerprints it equal,
and the application on the restored database serves the same sales to the same token, signs its
admin in, and numbers the next sale after the last one."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from server.app import close_resources, create_app, open_resources
from server.core.config import Settings
from server.core.context import Resources
from server.core.events import publish, stream_key
from server.core.migrate import create_database_if_missing, migrate
from server.core.restore import fingerprint
from tests.conftest import STRONG_PASSWORD, TenantSession, drop_database, make_settings, tenant_url
from tests.server.sales.conftest import key, open_shop

ROOT = Path(__file__).resolve().parents[3]


def postgres_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed (PostgreSQL's client tools)")
        pytest.skip(f"{name} is not installed")
    return found


def restore_check(settings: Settings, *arguments: str) -> dict[str, Any]:
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("DATABASE", "REDIS", "ORBIT"))},
        "ORBIT_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
    }
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "restore-check", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
    )
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.mark.slow
async def test_a_restored_database_serves_the_same_shop(
    tenant_a: TenantSession,
    tenant_b: TenantSession,
    settings: Settings,
    resources: Resources,
    service_urls: tuple[str, str],
    tmp_path: Path,
) -> None:
    shop = await open_shop(tenant_a, code="B1")
    sold = []
    for quantity in (1, 2, 3):
        response = await shop.sell([(0, quantity), (1, 1)])
        assert response.status_code == 201, response.text
        sold.append(response.json())
    before = await fingerprint(settings, tenant_a.subdomain)
    (source,) = before["shops"]
    assert (source["sales"], source["registers"]) == (3, 1)
    sales_before = (await tenant_a.client.get("/api/v1/sales")).json()

    dump = tmp_path / "orbit.dump"
    pg_dump = [postgres_tool("pg_dump"), "--format=custom", f"--file={dump}", settings.database_url]
    await asyncio.to_thread(subprocess.run, pg_dump, check=True)
    name = f"{make_url(settings.database_url).database}_restored"
    restored_url = make_url(settings.database_url).set(database=name).render_as_string(hide_password=False)
    await create_database_if_missing(service_urls[0], name)
    restored: Settings = make_settings(restored_url, service_urls[1])
    restored_resources: Resources | None = None
    try:
        restore = [postgres_tool("pg_restore"), "--exit-on-error", f"--dbname={restored_url}", str(dump)]
        await asyncio.to_thread(subprocess.run, restore, check=True)
        await migrate(restored)  # as the drill does: a no-op on a restored schema, grants re-applied

        # The fingerprints agree, every shop's and this one's.
        assert restore_check(restored) == {**await fingerprint(settings), "revision": before["revision"]}
        assert restore_check(restored, "--shop", tenant_a.subdomain) == before

        # Replay streams from before the restore are dropped on request.
        organization_id = tenant_a.organization_id
        await publish(resources.redis, organization_id, "sales", "sale.created", {"stale": True})
        assert await resources.redis.exists(stream_key(organization_id, "sales"))
        reset = restore_check(restored, "--shop", tenant_a.subdomain, "--reset-replay")
        assert reset["replay_streams_deleted"] >= 1
        assert not await resources.redis.exists(stream_key(organization_id, "sales"))
        assert await resources.redis.exists(stream_key(tenant_b.organization_id, "sales")) in (0, 1)

        # The application on the restored database serves the same shop.
        app = create_app(restored)
        restored_resources = app.state.resources = open_resources(restored)
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(
            transport=transport, base_url=tenant_url(tenant_a.subdomain), headers=tenant_a.auth()
        ) as client:
            assert (await client.get("/api/v1/sales")).json() == sales_before
            assert (await client.get(f"/api/v1/sales/{sold[-1]['id']}")).json() == sold[-1]
            signed_in = await client.post(
                "/api/v1/auth/login", json={"email": tenant_a.email, "password": STRONG_PASSWORD}
            )
            assert signed_in.status_code == 200, signed_in.text
            body = shop.sale([(0, 1)])
            following = await client.post("/api/v1/sales", json=body, headers=key())
            assert following.status_code == 201, following.text
            numbers = sorted(sale["number"] for sale in sold)
            assert following.json()["number"] == numbers[-1] + 1
    finally:
        if restored_resources is not None:
            await close_resources(restored_resources)
        await drop_database(service_urls[0], name)
