"""`forecasting.history.load_history` reads exactly the units a generated shop sold per product
and local day, for one tenant only, with every active product present."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from forecasting.history import load_history
from forecasting.model import make_panel
from server.core.context import Resources
from server.demo.generator import generate_shop
from server.demo.loader import load_shop
from tests.conftest import TenantSession

ZONE = "America/Santiago"


async def test_the_history_is_the_units_sold_per_product_and_local_day(
    resources: Resources, tenant_a: TenantSession, tenant_b: TenantSession
) -> None:
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo(ZONE)).date()
    shops = {}
    for tenant, seed in ((tenant_a, 4), (tenant_b, 5)):
        shop = generate_shop(seed=seed, products=8, days=60, end=today, until=now, registers=1, customers=5)
        async with resources.database.transaction(tenant.organization_id) as session:
            await load_shop(
                session, tenant.organization_id, shop, cashier_ids=[tenant.admin_id], actor_id=tenant.admin_id
            )
        shops[tenant.organization_id] = shop
    until = today - timedelta(days=1)
    async with resources.database.transaction(tenant_a.organization_id) as session:
        history = await load_history(session, tenant_a.organization_id, time_zone=ZONE, until=until)

    shop = shops[tenant_a.organization_id]
    expected = shop.daily_demand()
    expected = expected[pd.to_datetime(expected["date"]) <= pd.Timestamp(until)]
    expected_units = {
        (str(row.product_id), pd.Timestamp(row.date)): float(row.quantity) for row in expected.itertuples()
    }
    sold = history[history["quantity"] > 0]
    assert {(str(row.product_id), row.date): row.quantity for row in sold.itertuples()} == expected_units
    # Every active product is there (a zero on the last day), and nothing of the other tenant.
    active = shop.products.loc[shop.products["is_active"], "id"]
    assert set(map(str, history["product_id"])) == set(map(str, active))
    assert (history.loc[history["date"] == pd.Timestamp(until), "quantity"] >= 0).all()
    assert history["date"].dtype.kind == "M" and history["date"].max() == pd.Timestamp(until)
    # Each product's category is its group (on its anchor row), which the model reads per product.
    category = dict(zip(shop.products["id"].astype(str), shop.products["category_id"].astype(str), strict=True))
    panel = make_panel(history)
    assert panel.groups == [category[str(product)] for product in panel.product_ids]
