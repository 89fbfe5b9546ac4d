"""A believable demo shop: a Chilean minimarket's catalog, customers and years of trading,
generated from a seed, in memory, without touching the database.

`generate_shop()` first draws the daily unit demand of every product (base level, weekly and
yearly seasonality, trend, promotions, holidays, launches, intermittent slow movers), then
rings that demand up as tickets at the registers, priced by `server.sales.pricing` exactly as
a real sale is, and keeps stock, shifts and customer statistics consistent with them.

The pieces, in the order a shop is made: `assortment` and `aisles` (what the shop sells),
`trading_days` (when it opens, what moves its demand), `catalog` (the products drawn from the
aisles), `trading` (the `Shop` steps: prices, demand, tickets, payments, returns, shifts, stock;
`tenders` says how a sale is paid), `tables` (the DataFrames, with ids drawn in time order),
`people` (customer cards) and `identifiers` (UUIDv7 ids, barcodes, RUTs); `shop` holds the result, `DemoShop`.

Invariants of every `DemoShop` (the tests check them):

- The same arguments give the same shop, ids and timestamps included.
- Every sale is priced by `price_sale` and paid through `settle`: its total is the sum of its
  line totals, its tenders cover it, and change comes out of cash only.
- For every product, `stock` is the sum of its movements' deltas, `balance_after` is the running
  sum in `(occurred_at, id)` order, and no balance is negative.
- Each register numbers its sales `1, 2, …` in time order (`invoice_number` is `{code}-{n}`), and
  its `last_number` is its count of sales.
- A closed shift's count per method is what its sales, change and refunds left in it.
- Customers' `visits`, `total_spent` and `last_purchase_at` summarise their sales the way the
  sale service keeps them (a refund comes off `total_spent`).
- Demand is never lost: when a day's sales would outrun the shelf, an urgent receipt arrives
  before opening, so the units sold are the demand drawn.
- `daily_demand()` is exactly the units sold per product and local day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np

from server.demo.catalog import build_catalog
from server.demo.identifiers import micros_of, time_ordered_ids
from server.demo.shop import DemoShop
from server.demo.tables import assemble
from server.demo.trading import Shop
from server.demo.trading_days import TIME_ZONE, build_calendar

DEFAULT_END = date(2026, 6, 30)

__all__ = ["DEFAULT_END", "TIME_ZONE", "DemoShop", "generate_shop", "time_ordered_ids"]


def generate_shop(
    *,
    seed: int = 7,
    products: int = 300,
    days: int = 730,
    end: date | None = None,
    registers: int = 3,
    customers: int = 400,
    tax_mode: str = "inclusive",
    currency_minor_units: int = 0,
    until: datetime | None = None,
) -> DemoShop:
    """Generate a shop trading for `days` days up to and including `end` (default
    `DEFAULT_END`, so that the same arguments always give the same shop).

    Prices are CLP-like for `currency_minor_units == 0` and scaled to ~1/1000 (1.29, 12.99) for
    currencies with minor units. `until` (UTC-aware) cuts the last day short: nothing happens
    after it, and shifts still open at that moment stay open.
    """
    if products < 1 or days < 1 or customers < 0 or not 1 <= registers <= 99:
        raise ValueError("products, days and registers (1-99) must be positive, customers not negative")
    if tax_mode not in ("inclusive", "exclusive"):
        raise ValueError("tax_mode is 'inclusive' or 'exclusive'")
    if until is not None and until.tzinfo is None:
        raise ValueError("until must be timezone-aware")
    end = end or DEFAULT_END
    start = end - timedelta(days=days - 1)
    catalog_rng, demand_rng, ticket_rng, payment_rng, people_rng, stock_rng, id_rng = (
        np.random.default_rng(stream) for stream in np.random.SeedSequence(seed).spawn(7)
    )
    calendar = build_calendar(start, days)
    catalog = build_catalog(catalog_rng, products)
    cut = micros_of(until) if until is not None else None
    shop = Shop(
        seed=seed,
        start=start,
        end=end,
        registers=registers,
        customers=customers,
        tax_mode=tax_mode,
        minor_units=currency_minor_units,
        calendar=calendar,
        catalog=catalog,
        cut=cut,
        rngs=(catalog_rng, demand_rng, ticket_rng, payment_rng, people_rng, stock_rng, id_rng),
    )
    return assemble(shop.build())
