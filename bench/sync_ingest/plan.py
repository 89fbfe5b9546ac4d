"""The offline sales the device queued, as documents and as the request bodies of its pushes."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.sync_ingest.shop import Bench


@dataclass
class Plan:
    """The 10,000 offline sales, as the device queued them, and the request bodies."""

    documents: list[dict[str, Any]]
    priced: list[Any]
    bodies: list[bytes]
    line_products: list[list[tuple[str, int, int, int]]]  # per sale: (product_id, price, cost, tax_rate_bp)


def make_plan(
    bench: Bench,
    products: list[dict[str, Any]],
    costs: dict[str, int],
    tax_mode: str,
    sales: int,
    batch: int,
    seed: int,
) -> Plan:
    import msgspec

    from server.sales.pricing import LineInput, price_sale

    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(hours=6)
    documents: list[dict[str, Any]] = []
    priced_all: list[Any] = []
    line_products: list[list[tuple[str, int, int, int]]] = []
    for seq in range(1, sales + 1):
        picks = rng.sample(products, 3)
        priced = price_sale(
            [LineInput(quantity=1, unit_price=p["price"], tax_rate_bp=p["tax_rate_bp"], discount=0) for p in picks],
            tax_mode=tax_mode,
        )
        documents.append(
            {
                "kind": "sale",
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),  # the POS makes random UUIDs
                "seq": seq,
                "device_time": (start + timedelta(seconds=2 * seq)).isoformat(),
                "cashier_id": bench.cashier_id,
                "shift_id": bench.shift_id,
                "number": seq,
                "lines": [{"product_id": p["id"], "quantity": 1, "unit_price": p["price"]} for p in picks],
                "payments": [{"method": "cash", "amount": priced.total}],
            }
        )
        priced_all.append(priced)
        line_products.append([(p["id"], p["price"], costs[p["id"]], p["tax_rate_bp"]) for p in picks])
    encoder = msgspec.json.Encoder()
    bodies = [
        encoder.encode({"device_id": bench.device_id, "sales": documents[i : i + batch]})
        for i in range(0, sales, batch)
    ]
    return Plan(documents=documents, priced=priced_all, bodies=bodies, line_products=line_products)
