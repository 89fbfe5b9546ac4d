from __future__ import annotations

import pytest

from tests.conftest import TenantSession
from tests.server.sales.conftest import Shop, open_shop


@pytest.fixture
async def shop(tenant_a: TenantSession) -> Shop:
    """Tenant A with a register, an open shift and three stocked products."""
    return await open_shop(tenant_a)
