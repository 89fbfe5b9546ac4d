"""What the demo generator produces: a shop as one DataFrame per database table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd


@dataclass(frozen=True, eq=False)
class DemoShop:
    """A generated shop, as one DataFrame per database table (same column names, without
    `organization_id`; ids are UUIDv7, timestamps UTC-aware, money in minor units).

    Who acted is a *cashier slot* (`cashier`: 0, 1, …) that the loader maps to real users; a
    slot of -1 (stock receipts) is the back office. `promotions` is not a table: it lists the
    price cuts behind the line discounts, for whoever wants to explain the demand.
    Treat the frames as read-only.
    """

    seed: int
    start: date
    end: date
    time_zone: str
    tax_mode: str
    currency_minor_units: int
    categories: pd.DataFrame
    products: pd.DataFrame
    customers: pd.DataFrame
    registers: pd.DataFrame
    shifts: pd.DataFrame
    shift_counts: pd.DataFrame
    sales: pd.DataFrame
    sale_lines: pd.DataFrame
    payments: pd.DataFrame
    refunds: pd.DataFrame
    refund_lines: pd.DataFrame
    inventory_movements: pd.DataFrame
    promotions: pd.DataFrame
    _daily_demand: pd.DataFrame
    _expected_demand: pd.DataFrame

    def daily_demand(self) -> pd.DataFrame:
        """Units sold per product and local day: columns `product_id, date, quantity`, one row
        per day with sales (a missing day means zero), sorted by product then date."""
        return self._daily_demand.copy()

    def expected_demand(self) -> pd.DataFrame:
        """The mean of the demand drawn per product and local day — the rate before the day's
        traffic, the product's own noise and the Poisson draw — as one column per product id
        (index: dates). No forecaster can know it; benchmarks compare forecasts with it to see
        how far from the truth they are, without the noise of a single draw."""
        return self._expected_demand.copy()

    def row_counts(self) -> dict[str, int]:
        """Rows per database table."""
        return {name: len(getattr(self, name)) for name in TABLES}


TABLES = (
    "categories",
    "products",
    "customers",
    "registers",
    "shifts",
    "shift_counts",
    "sales",
    "sale_lines",
    "payments",
    "refunds",
    "refund_lines",
    "inventory_movements",
)
