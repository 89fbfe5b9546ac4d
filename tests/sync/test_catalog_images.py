"""Product images travel to the point of sale in the catalog pull, as signed URLs it can fetch."""

from __future__ import annotations

from tests.server.catalog.image_samples import photo
from tests.sync.conftest import Pos
from tests.sync.test_catalog import pull_all


async def test_the_pull_carries_the_grid_image(pos: Pos) -> None:
    shop = pos.shop
    product = shop.products[0]
    everything, cursor, _ = await pull_all(pos)
    assert everything[product["id"]]["image"] is None
    uploaded = await shop.client.put(f"/api/v1/products/{product['id']}/image", content=photo())
    assert uploaded.status_code == 200, uploaded.text
    changed, cursor, _ = await pull_all(pos, cursor)
    assert changed[product["id"]]["image"] == uploaded.json()["grid"]
    served = await pos.client.get(changed[product["id"]]["image"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    await shop.client.delete(f"/api/v1/products/{product['id']}/image")
    changed, _, _ = await pull_all(pos, cursor)
    assert changed[product["id"]]["image"] is None
