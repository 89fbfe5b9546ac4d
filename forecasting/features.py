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

_BLOCK_SERIES = 64  # series whose windows `transform_panel` copies at once (about 15 MB for a year)


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
        more_ewm_alphas: tuple[float, ...] = (),
        weekday_weeks: tuple[int, ...] = (),
        weekday_alpha: float = 0.0,
        ratios: tuple[tuple[str, str], ...] = (),
    ) -> None:
        alphas = (ewm_alpha, *more_ewm_alphas)
        if not all(0 < alpha <= 1 for alpha in alphas) or not 0 <= weekday_alpha < 1:
            raise ValueError("ewm alphas must be in (0, 1], weekday_alpha in [0, 1)")
        if min((*means, *stds, *weekday_weeks, ewm_window)) < 1 or (stds and min(stds) < 2):
            raise ValueError("windows must be positive (at least 2 days for a standard deviation)")
        self.means = tuple(means)
        self.stds = tuple(stds)
        self.ewm_alpha = ewm_alpha
        self.ewm_window = ewm_window
        self.more_ewm_alphas = tuple(more_ewm_alphas)
        self.weekday_weeks = tuple(weekday_weeks)
        self.weekday_alpha = weekday_alpha
        self.ratios = tuple(ratios)
        self.window_sizes = [*self.means, *self.stds, ewm_window, *(7 * weeks for weeks in self.weekday_weeks)]
        linear_names = [f"roll_ewm_{ewm_window}_alpha_{alpha}" for alpha in alphas]
        linear_names += [f"weekday_mean_{weeks}w" for weeks in self.weekday_weeks]
        self._base_names = [
            *(f"roll_mean_{window}" for window in self.means),
            *(f"roll_std_{window}" for window in self.stds),
            *linear_names,
        ]
        for numerator, denominator in self.ratios:
            if numerator not in self._base_names or denominator not in self._base_names:
                raise ValueError(f"unknown feature in ratio {numerator}/{denominator}")
        self.features_names = [*self._base_names, *(f"{a}_over_{b}" for a, b in self.ratios)]
        # The weighted means and the same-weekday means are linear in the last `span` days:
        # one (span, k) weight matrix, oldest day first.
        self._span = max([ewm_window, *(7 * weeks for weeks in self.weekday_weeks)])
        weights = np.zeros((self._span, len(linear_names)))
        for column, alpha in enumerate(alphas):
            ewm = (1 - alpha) ** np.arange(ewm_window - 1, -1, -1, dtype=np.float64)
            weights[self._span - ewm_window :, column] = ewm / ewm.sum()
        for offset, weeks in enumerate(self.weekday_weeks):
            decay = (1 - weekday_alpha) ** np.arange(weeks, dtype=np.float64)  # 1 week ago first
            for week in range(weeks):
                weights[self._span - 7 * (week + 1), len(alphas) + offset] = decay[week] / decay.sum()
        self._weights = weights

    def __repr__(self) -> str:
        return (
            f"LevelFeatures(means={self.means}, stds={self.stds}, ewm_alpha={self.ewm_alpha}, "
            f"ewm_window={self.ewm_window}, more_ewm_alphas={self.more_ewm_alphas}, "
            f"weekday_weeks={self.weekday_weeks}, weekday_alpha={self.weekday_alpha}, ratios={self.ratios})"
        )

    def _with_ratios(self, base: Matrix) -> Matrix:
        """Append the ratio columns to (rows, base features); 1 where the denominator is 0."""
        if not self.ratios:
            return base
        columns = [base]
        for numerator, denominator in self.ratios:
            top = base[:, self._base_names.index(numerator)]
            bottom = base[:, self._base_names.index(denominator)]
            safe = np.where(bottom > 0, bottom, 1.0)
            columns.append(np.where(bottom > 0, top / safe, 1.0)[:, None])
        return np.concatenate(columns, axis=1)

    def transform_batch(self, X: pd.Series) -> pd.DataFrame:
        """Features of every day after the first `max(window_sizes)`, from the days before it."""
        values = np.asarray(X.to_numpy(), dtype=np.float64)
        features = self.transform_panel(values[None, :])[0]
        return pd.DataFrame(features, index=X.index[max(self.window_sizes) :], columns=self.features_names)

    def transform_panel(self, values: Matrix) -> Matrix:
        """`transform_batch` of every row of a (series, days) matrix at once: (series, days −
        max(window_sizes), features)."""
        values = np.asarray(values, dtype=np.float64)
        series, days = values.shape
        first = max(self.window_sizes)
        ends = np.arange(first, days)
        zero = np.zeros((series, 1))
        sums = np.concatenate([zero, np.cumsum(values, axis=1)], axis=1)
        squares = np.concatenate([zero, np.cumsum(values * values, axis=1)], axis=1)
        columns = [(sums[:, ends] - sums[:, ends - window]) / window for window in self.means]
        for window in self.stds:
            total = sums[:, ends] - sums[:, ends - window]
            variance = (squares[:, ends] - squares[:, ends - window] - total * total / window) / (window - 1)
            columns.append(np.sqrt(np.maximum(variance, 0.0)))
        linear = np.empty((series, len(ends), self._weights.shape[1]))
        if len(ends):
            windows = np.lib.stride_tricks.sliding_window_view(values, self._span, axis=1)
            # In blocks of series: the windows are copied to multiply them (span × days each).
            for block in range(0, series, _BLOCK_SERIES):
                rows = slice(block, block + _BLOCK_SERIES)
                linear[rows] = windows[rows, ends - self._span] @ self._weights
        base = np.concatenate([np.stack(columns, axis=2), linear], axis=2) if columns else linear
        return self._with_ratios(base.reshape(-1, base.shape[2])).reshape(series, len(ends), -1)

    def transform(self, X: Matrix) -> Matrix:
        """Features of the day after the window `X`: (days,) → (features,), or
        (days, series) → (series, features)."""
        window = np.asarray(X, dtype=np.float64)
        single = window.ndim == 1
        if single:
            window = window[:, None]
        columns = [window[-size:].mean(axis=0) for size in self.means]
        columns += [window[-size:].std(axis=0, ddof=1) for size in self.stds]
        columns.append((self._weights.T @ window[-self._span :]).T)
        result = self._with_ratios(np.column_stack(columns))
        return result.ravel() if single else result
