"""Accuracy metrics and prediction intervals calibrated on out-of-sample errors.

All functions take (series, days) matrices. Metrics are stated per series and pooled:

- MASE: mean absolute error divided by the in-sample mean absolute error of the 7-day seasonal
  naive forecast (Hyndman & Koehler); pooled as the mean over series with a defined MASE
  (`mase`), and as the ratio of the sums of errors and of scales over the same series
  (`mase_pooled`, skforecast's "pooling" aggregation: weighted by volume, so a few products
  with a tiny scale cannot dominate it).
- WAPE: Σ|error| / Σ actual; pooled over every series and day.
- bias: Σ(forecast − actual) / Σ actual (positive = over-forecast).
- coverage: share of actuals inside the 80 % and 95 % intervals (nominal 0.80 and 0.95).

MASE and WAPE are absolute errors, and the point forecast that minimises an absolute error is
the *median* of the predictive distribution, not its mean (Gneiting, "Making and evaluating
point forecasts", 2011). For counts that are often zero the two differ a lot: a product that
sells 0.3 units a day has a median day of 0. So each method is scored twice: its mean forecast
(`mase`, `wape`, `bias`; what reorder quantities add up) and its median forecast
(`mase_median`, `wape_median`; the forecast plus the median of the same backtest errors that
calibrate its intervals). Bias is only meaningful for the mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.floating[Any]]

SEASON = 7
INTERVALS = (0.80, 0.95)
INTERVAL_BINS = 12


def seasonal_scale(history: Matrix) -> npt.NDArray[np.float64]:
    """Per series, the in-sample mean absolute error of the seasonal naive forecast (MASE's denominator)."""
    if history.shape[1] <= SEASON:
        return np.zeros(history.shape[0])
    return np.asarray(np.abs(history[:, SEASON:] - history[:, :-SEASON]).mean(axis=1), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Scores:
    """Metrics of one method: per series (NaN where undefined) and pooled."""

    mase: npt.NDArray[np.float64]
    wape: npt.NDArray[np.float64]
    bias: npt.NDArray[np.float64]
    coverage_80: npt.NDArray[np.float64]
    coverage_95: npt.NDArray[np.float64]
    observations: int
    pooled: dict[str, float | None]
    mase_median: npt.NDArray[np.float64] | None = None
    wape_median: npt.NDArray[np.float64] | None = None


def _ratio(numerator: npt.NDArray[Any], denominator: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), np.nan)


def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 4)


def _absolute_scores(
    actual: Matrix,
    absolute: Matrix,
    scale: npt.NDArray[np.float64],
    established: npt.NDArray[np.bool_] | None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], dict[str, float | None]]:
    """MASE and WAPE per series of the absolute errors `absolute`, and pooled: `mase` (mean over
    the series with a MASE), `mase_pooled` (Σ errors / Σ scales over them) and `wape`."""
    mase = _ratio(absolute.mean(axis=1), scale)
    if established is not None:
        mase = np.where(established, mase, np.nan)
    wape = _ratio(absolute.sum(axis=1), actual.sum(axis=1))
    defined = np.isfinite(mase)
    scale_total = float((scale[defined] * actual.shape[1]).sum())
    all_actual = float(actual.sum())
    pooled = {
        "mase": _finite(float(np.nanmean(mase))) if defined.any() else None,
        "mase_pooled": _finite(float(absolute[defined].sum()) / scale_total) if scale_total > 0 else None,
        "wape": _finite(float(absolute.sum()) / all_actual) if all_actual > 0 else None,
    }
    return mase, wape, pooled


def score(
    actual: Matrix,
    forecast: Matrix,
    scale: npt.NDArray[np.float64],
    bounds: dict[float, tuple[Matrix, Matrix]] | None = None,
    *,
    established: npt.NDArray[np.bool_] | None = None,
    median: Matrix | None = None,
) -> Scores:
    """Score `forecast` against `actual`; `bounds` maps a nominal coverage to (lower, upper)
    matrices and `median` is the median forecast, both of which may cover only the last columns
    (the folds not used to calibrate them). MASE is left undefined for series not `established`
    (too little history before the forecast origin for its scale to mean anything)."""
    error = forecast - actual
    mase, wape, absolute_pooled = _absolute_scores(actual, np.abs(error), scale, established)
    bias = _ratio(error.sum(axis=1), actual.sum(axis=1))
    coverage: dict[float, npt.NDArray[np.float64]] = {}
    pooled_coverage: dict[float, float] = {}
    for nominal in INTERVALS:
        if bounds and nominal in bounds:
            lower, upper = bounds[nominal]
            tail = actual[:, actual.shape[1] - lower.shape[1] :]
            inside = (tail >= lower - 1e-9) & (tail <= upper + 1e-9)
            coverage[nominal] = inside.mean(axis=1) if inside.size else np.full(actual.shape[0], np.nan)
            pooled_coverage[nominal] = float(inside.mean()) if inside.size else math.nan
        else:
            coverage[nominal] = np.full(actual.shape[0], np.nan)
            pooled_coverage[nominal] = math.nan
    all_actual = float(actual.sum())
    pooled = {
        **absolute_pooled,
        "bias": _finite(float(error.sum()) / all_actual) if all_actual > 0 else None,
        "coverage_80": _finite(pooled_coverage[0.80]),
        "coverage_95": _finite(pooled_coverage[0.95]),
    }
    mase_median = wape_median = None
    if median is not None:
        tail = actual[:, actual.shape[1] - median.shape[1] :]
        mase_median, wape_median, median_pooled = _absolute_scores(tail, np.abs(median - tail), scale, established)
        pooled["mase_median"] = median_pooled["mase"]
        pooled["mase_median_pooled"] = median_pooled["mase_pooled"]
        pooled["wape_median"] = median_pooled["wape"]
    return Scores(
        mase=mase,
        wape=wape,
        bias=bias,
        coverage_80=coverage[0.80],
        coverage_95=coverage[0.95],
        observations=int(actual.size),
        pooled=pooled,
        mase_median=mase_median,
        wape_median=wape_median,
    )


PROFILE_DAYS = 91  # days whose share of selling days sets a product's profile
LUMP_DAYS = 182  # days whose units per selling day set it too
SELLING_EDGES = (0.2, 0.5, 0.8)  # share of days with a sale
LUMP_EDGES = (1.2, 1.6, 2.5)  # units on a day with a sale
MIN_BIN_ERRORS = 400  # errors per bin at least (a 95 % interval's tails are 2.5 % of them)


def demand_profiles(history: Matrix) -> npt.NDArray[np.int64]:
    """Per series, the shape of its recent demand, one of 16 classes: how often it sells (the
    share of the last `PROFILE_DAYS` days with a sale, cut at `SELLING_EDGES`) × how lumpy it
    is (the mean units on a selling day over the last `LUMP_DAYS`, cut at `LUMP_EDGES`). Two
    products with the same mean forecast can have very different errors: one selling 1 unit
    most days, another 3 units one day in three."""
    recent = np.asarray(history, dtype=np.float64)
    if recent.ndim != 2 or recent.shape[1] == 0:
        return np.zeros(recent.shape[0] if recent.ndim else 0, dtype=np.int64)
    selling = (recent[:, -PROFILE_DAYS:] > 0).mean(axis=1)
    lumps = recent[:, -LUMP_DAYS:]
    days = (lumps > 0).sum(axis=1)
    size = np.where(days > 0, lumps.sum(axis=1) / np.maximum(days, 1), 0.0)
    return np.asarray(np.digitize(selling, SELLING_EDGES) * 4 + np.digitize(size, LUMP_EDGES), dtype=np.int64)


@dataclass(frozen=True, slots=True)
class _Binned:
    """Error quantiles per bin of forecast size (quantile edges)."""

    edges: npt.NDArray[np.float64]
    quantiles: dict[float, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]
    medians: npt.NDArray[np.float64]  # per bin, the median signed error

    @classmethod
    def fit(cls, predicted: npt.NDArray[np.float64], residual: npt.NDArray[np.float64], bins: int) -> _Binned:
        if predicted.size == 0:
            zeros = np.zeros(1)
            return cls(edges=np.zeros(0), quantiles={c: (zeros, zeros) for c in INTERVALS}, medians=zeros)
        bins = max(1, min(bins, predicted.size // MIN_BIN_ERRORS))
        edges = np.unique(np.quantile(predicted, np.linspace(0, 1, bins + 1)[1:-1]))
        which = np.searchsorted(edges, predicted, side="right")
        # One sort per bin: every interval's two quantiles and the median at once.
        levels = [level for nominal in INTERVALS for level in ((1 - nominal) / 2, (1 + nominal) / 2)] + [0.5]
        table = np.array(
            [
                np.quantile(errors if errors.size else residual, levels)
                for errors in (residual[which == index] for index in range(len(edges) + 1))
            ]
        )
        quantiles = {nominal: (table[:, 2 * i], table[:, 2 * i + 1]) for i, nominal in enumerate(INTERVALS)}
        return cls(edges=edges, quantiles=quantiles, medians=table[:, -1])


@dataclass(frozen=True, slots=True)
class IntervalCalibration:
    """Prediction intervals and the median forecast from out-of-sample errors, binned by the
    forecast's size (the median within each demand profile, `demand_profiles`).

    Forecasts are grouped into bins by their value (quantile edges); within a bin, the interval
    of nominal coverage c runs from the (1−c)/2 to the (1+c)/2 quantile of the signed errors
    `actual − forecast` seen in backtests, and the median forecast is the forecast plus the
    bin's median error. This is split conformal prediction with binned residuals (as
    skforecast's `predict_interval(method="conformal")` does), with signed quantiles because
    count errors are skewed. A bin holds at least `MIN_BIN_ERRORS` errors (fewer bins when there
    are fewer errors). Given the series' profiles, the median of each profile with enough errors
    for two bins comes from its own errors (the others' from all of them): a lumpy slow mover
    and a steady one with the same mean have different medians. The intervals' tails (2.5 % of
    the errors for 95 %) need every error to be estimated well, so intervals are not split by
    profile: on the benchmark shop, per-profile intervals covered 94.0 % instead of 94.8 %.
    Bounds and medians are clipped at zero; the 80 % interval lies inside the 95 % one (the
    quantiles of one set of errors are ordered).

    Days near a public holiday (`events`, a mask over the days: the holiday and the day on each
    side, `combination.near_holidays`) err far more than other days: a shop's Christmas Eve,
    Good Friday, Easter Saturday. Given such days with at least `MIN_BIN_ERRORS` errors, the
    intervals of ordinary days come from the errors of ordinary days only (`ordinary`) and
    those of days near a holiday from those days' errors (`near_holiday`); `bounds(…,
    events=…)` says which forecast days are which. Pooling them made a bakery's 95 % intervals
    too wide on ordinary weeks (97.5 % coverage) and too narrow at Easter (89 %); apart, 96 %
    and 92.5 % (docs/benchmarks/forecast.md). The median stays calibrated on every day.
    """

    pooled: _Binned
    by_profile: dict[int, _Binned]
    ordinary: _Binned | None = None
    near_holiday: _Binned | None = None

    @classmethod
    def fit(
        cls,
        forecast: Matrix,
        actual: Matrix,
        *,
        profiles: npt.NDArray[np.int64] | None = None,
        bins: int = INTERVAL_BINS,
        events: npt.NDArray[np.bool_] | None = None,
    ) -> IntervalCalibration:
        """Calibrate on (series, days) `forecast` and `actual`; `profiles` has one class per
        series, `events` one flag per day (near a holiday)."""
        forecast = np.asarray(forecast, dtype=np.float64)
        predicted: npt.NDArray[np.float64] = np.asarray(forecast.ravel(), dtype=np.float64)
        residual = np.asarray(actual, dtype=np.float64).ravel() - predicted
        pooled = _Binned.fit(predicted, residual, bins)
        ordinary = near_holiday = None
        if events is not None and forecast.ndim == 2 and events.any():
            flagged = np.broadcast_to(np.asarray(events, dtype=bool), forecast.shape).ravel()
            if flagged.sum() >= MIN_BIN_ERRORS:
                ordinary = _Binned.fit(predicted[~flagged], residual[~flagged], bins)
                near_holiday = _Binned.fit(predicted[flagged], residual[flagged], bins)
        by_profile: dict[int, _Binned] = {}
        if profiles is not None and predicted.size:
            each = np.repeat(np.asarray(profiles), forecast.shape[1] if forecast.ndim == 2 else 1)
            for profile in np.unique(each).tolist():
                chosen = each == profile
                if chosen.sum() >= 2 * MIN_BIN_ERRORS:
                    by_profile[int(profile)] = _Binned.fit(predicted[chosen], residual[chosen], bins)
        return cls(pooled=pooled, by_profile=by_profile, ordinary=ordinary, near_holiday=near_holiday)

    def _parts(self, forecast: Matrix, profiles: npt.NDArray[np.int64] | None) -> list[tuple[Any, _Binned]]:
        """(rows selector, calibration) pairs covering every row of `forecast`."""
        if profiles is None or not self.by_profile:
            return [(slice(None), self.pooled)]
        profiles = np.asarray(profiles)
        parts: list[tuple[Any, _Binned]] = []
        rest = np.ones(len(profiles), dtype=bool)
        for profile, binned in self.by_profile.items():
            rows = profiles == profile
            if rows.any():
                parts.append((rows, binned))
                rest &= ~rows
        if rest.any():
            parts.append((rest, self.pooled))
        return parts

    def bounds(
        self, forecast: Matrix, events: npt.NDArray[np.bool_] | None = None
    ) -> dict[float, tuple[Matrix, Matrix]]:
        """80 % and 95 % (lower, upper) for (series, days) `forecast`; `events` flags the days
        near a holiday (none by default)."""
        forecast = np.asarray(forecast, dtype=np.float64)
        if self.ordinary is None or self.near_holiday is None:
            return _bounds(self.pooled, forecast)
        result = _bounds(self.ordinary, forecast)
        if events is not None and np.any(events):
            flagged = np.broadcast_to(np.asarray(events, dtype=bool), forecast.shape)
            near = _bounds(self.near_holiday, forecast)
            for nominal, (lower, upper) in result.items():
                result[nominal] = (
                    np.where(flagged, near[nominal][0], lower),
                    np.where(flagged, near[nominal][1], upper),
                )
        return result

    def median(self, forecast: Matrix, profiles: npt.NDArray[np.int64] | None = None) -> Matrix:
        """The median forecast: `forecast` plus the median error of its bin, clipped at zero."""
        forecast = np.asarray(forecast, dtype=np.float64)
        result = np.zeros_like(forecast)
        for rows, binned in self._parts(forecast, profiles):
            which = np.searchsorted(binned.edges, forecast[rows], side="right")
            result[rows] = np.maximum(forecast[rows] + binned.medians[which], 0.0)
        return result


def _bounds(binned: _Binned, forecast: Matrix) -> dict[float, tuple[Matrix, Matrix]]:
    """Each interval's (lower, upper) for `forecast` from the signed error quantiles of its bin."""
    which = np.searchsorted(binned.edges, forecast, side="right")
    result: dict[float, tuple[Matrix, Matrix]] = {}
    for nominal, (low, high) in binned.quantiles.items():
        lower = np.maximum(forecast + low[which], 0.0)
        result[nominal] = (lower, np.maximum(forecast + high[which], lower))
    return result
