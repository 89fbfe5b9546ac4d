"""Window features of the global model: each product's recent level, vectorised.

`LevelFeatures` is a skforecast custom window feature (attributes `window_sizes` and
`features_names`, methods `transform_batch` and `transform`). It computes the same numbers as
`skforecast.preprocessing.RollingFeatures(stats=["mean", …, "std", "ewm"])` — rolling means,
a rolling standard deviation, and an exponentially weighted mean over a fixed window — from
cumulative sums and one matrix product instead of a pandas rolling object per statistic and a
Python call per row for the weighted mean, which made building the training matrix of a
thousand series cost more than fitting the trees on it.

Invariant (what skforecast requires of a window feature): the row of `transform_batch` for day
t uses only the days before t (`closed="left"`), and `transform` on the window of days before t
returns exactly that row; the first `max(window_sizes)` days have no row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

Matrix = npt.NDArray[np.floating[Any]]


class LevelFeatures:
    """Rolling means over `means` days, rolling standard deviations (ddof 1) over `stds` days,
    and the mean over the last `ewm_window` days weighted by (1 − `ewm_alpha`)^age, normalised
    (skforecast's `ewm` statistic)."""

    def __init__(
        self,
        means: tuple[int, ...] = (7, 28, 91),
        stds: tuple[int, ...] = (28,),
        ewm_alpha: float = 0.05,
        ewm_window: int = 91,
    ) -> None:
        if not 0 < ewm_alpha <= 1:
            raise ValueError("ewm_alpha must be in (0, 1]")
        if min((*means, *stds, ewm_window)) < 1 or (stds and min(stds) < 2):
            raise ValueError("windows must be positive (at least 2 days for a standard deviation)")
        self.means = tuple(means)
        self.stds = tuple(stds)
        self.ewm_alpha = ewm_alpha
        self.ewm_window = ewm_window
        self.window_sizes = [*self.means, *self.stds, ewm_window]
        self.features_names = [
            *(f"roll_mean_{window}" for window in self.means),
            *(f"roll_std_{window}" for window in self.stds),
            f"roll_ewm_{ewm_window}_alpha_{ewm_alpha}",
        ]
        weights = (1 - ewm_alpha) ** np.arange(ewm_window - 1, -1, -1, dtype=np.float64)
        self._weights = weights / weights.sum()

    def __repr__(self) -> str:
        return (
            f"LevelFeatures(means={self.means}, stds={self.stds}, "
            f"ewm_alpha={self.ewm_alpha}, ewm_window={self.ewm_window})"
        )

    def transform_batch(self, X: pd.Series) -> pd.DataFrame:
        """Features of every day after the first `max(window_sizes)`, from the days before it."""
        values = np.asarray(X.to_numpy(), dtype=np.float64)
        first = max(self.window_sizes)
        ends = np.arange(first, len(values))
        sums = np.concatenate([[0.0], np.cumsum(values)])
        squares = np.concatenate([[0.0], np.cumsum(values * values)])
        columns = [(sums[ends] - sums[ends - window]) / window for window in self.means]
        for window in self.stds:
            total = sums[ends] - sums[ends - window]
            variance = (squares[ends] - squares[ends - window] - total * total / window) / (window - 1)
            columns.append(np.sqrt(np.maximum(variance, 0.0)))
        windows = np.lib.stride_tricks.sliding_window_view(values, self.ewm_window)
        columns.append(windows[ends - self.ewm_window] @ self._weights if len(ends) else np.zeros(0))
        return pd.DataFrame(np.column_stack(columns), index=X.index[first:], columns=self.features_names)

    def transform(self, X: Matrix) -> Matrix:
        """Features of the day after the window `X`: (days,) → (features,), or
        (days, series) → (series, features)."""
        window = np.asarray(X, dtype=np.float64)
        single = window.ndim == 1
        if single:
            window = window[:, None]
        columns = [window[-size:].mean(axis=0) for size in self.means]
        columns += [window[-size:].std(axis=0, ddof=1) for size in self.stds]
        columns.append(self._weights @ window[-self.ewm_window :])
        result = np.column_stack(columns)
        return result.ravel() if single else result
