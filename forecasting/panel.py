"""The history as the model reads it: a dense (products, days) matrix of daily units (`Panel`),
built from the long `product_id, date, quantity` frame by `make_panel`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from forecasting.evaluation import Matrix


@dataclass(frozen=True, slots=True)
class Panel:
    """The history as a (products, days) matrix of daily units, zero where nothing was sold."""

    product_ids: list[Any]
    dates: pd.DatetimeIndex
    values: Matrix
    first_sale: npt.NDArray[np.int64]  # index of each product's first day with a sale (len(dates) if none)
    groups: list[str | None] | None = None  # each product's group (its category), when the history has one

    @property
    def days(self) -> int:
        return len(self.dates)


def make_panel(history: pd.DataFrame) -> Panel:
    """Validate and densify the history (negative quantities — returns — count as zero). An
    optional `group` column names each product's group (its category; the first non-empty value
    per product counts)."""
    missing = {"product_id", "date", "quantity"} - set(history.columns)
    if missing:
        raise ValueError(f"history lacks columns {sorted(missing)}")
    if history.empty:
        return Panel([], pd.DatetimeIndex([]), np.zeros((0, 0)), np.zeros(0, dtype=np.int64))
    frame = pd.DataFrame(
        {
            "product_id": history["product_id"].to_numpy(),
            "date": pd.to_datetime(history["date"]).dt.tz_localize(None).dt.normalize()
            if isinstance(history["date"].dtype, pd.DatetimeTZDtype)
            else pd.to_datetime(history["date"]).dt.normalize(),
            "quantity": pd.to_numeric(history["quantity"], errors="coerce").fillna(0.0).clip(lower=0.0),
        }
    )
    products = sorted(frame["product_id"].unique().tolist(), key=str)
    dates = pd.date_range(frame["date"].min(), frame["date"].max(), freq="D")
    row = pd.Index(products).get_indexer(frame["product_id"])
    column = dates.get_indexer(frame["date"])
    values = np.zeros((len(products), len(dates)))
    np.add.at(values, (row, column), frame["quantity"].to_numpy(dtype=np.float64))
    sold = values > 0
    first_sale = np.where(sold.any(axis=1), sold.argmax(axis=1), len(dates)).astype(np.int64)
    groups: list[str | None] | None = None
    if "group" in history.columns:
        named = pd.DataFrame({"product_id": history["product_id"].to_numpy(), "group": history["group"].to_numpy()})
        named = named[named["group"].notna() & (named["group"].astype(str) != "")]
        first = named.drop_duplicates("product_id").set_index("product_id")["group"]
        groups = [None if product not in first.index else str(first[product]) for product in products]
    return Panel(products, dates, values, first_sale, groups)


# The global model -----------------------------------------------------------------------------


def panel_digest(panel: Panel) -> str:
    """A fingerprint of the panel's products, days and values (what a model forecast from it
    depends on)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((panel.product_ids, str(panel.dates[0]) if panel.days else None, panel.days)).encode())
    digest.update(np.ascontiguousarray(panel.values).tobytes())
    return digest.hexdigest()


def panel_frame(panel: Panel, end: int | None = None, start: int = 0) -> pd.DataFrame:
    stop = panel.days if end is None else end
    frame = pd.DataFrame(
        panel.values[:, start:stop].T, index=panel.dates[start:stop], columns=[str(p) for p in panel.product_ids]
    )
    frame.index.freq = "D"
    return frame
