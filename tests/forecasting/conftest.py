"""Tenants with a generated shop's history (`server.demo`), ending yesterday in their time zone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from server.core.context import Resources
from server.demo.generator import generate_shop
from server.demo.loader import load_shop
from tests.conftest import TenantSession


async def load_history(resources: Resources, tenant: TenantSession, *, products: int, days: int, seed: int = 3) -> int:
    """Load a generated shop into `tenant`; returns its number of products."""
    now = datetime.now(UTC)
    shop = generate_shop(
        seed=seed,
        products=products,
        days=days,
        end=now.astimezone(ZoneInfo("America/Santiago")).date(),
        until=now,
        registers=1,
        customers=10,
    )
    async with resources.database.transaction(tenant.organization_id) as session:
        await load_shop(session, tenant.organization_id, shop, cashier_ids=[tenant.admin_id], actor_id=tenant.admin_id)
    return len(shop.products)


@pytest.fixture
def job_stream(monkeypatch: pytest.MonkeyPatch) -> str:
    """A job stream of this test's own, so no other test's worker takes its jobs."""
    name = f"orbit:test-jobs:{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("ORBIT_JOB_STREAM", name)
    return name
