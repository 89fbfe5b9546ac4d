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


def _ratio(numerator: npt.NDArray[Any], denominator: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), np.nan)


def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 4)


def score(
    actual: Matrix,
    forecast: Matrix,
    scale: npt.NDArray[np.float64],
    bounds: dict[float, tuple[Matrix, Matrix]] | None = None,
    *,
    established: npt.NDArray[np.bool_] | None = None,
) -> Scores:
    """Score `forecast` against `actual`; `bounds` maps a nominal coverage to (lower, upper)
    matrices, which may cover only the last columns (the folds not used to calibrate them).
    MASE is left undefined for series not `established` (too little history before the
    forecast origin for its scale to mean anything)."""
    error = forecast - actual
    absolute = np.abs(error)
    total_actual = actual.sum(axis=1)
    mase = _ratio(absolute.mean(axis=1), scale)
    if established is not None:
        mase = np.where(established, mase, np.nan)
    wape = _ratio(absolute.sum(axis=1), total_actual)
    bias = _ratio(error.sum(axis=1), total_actual)
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
    defined = np.isfinite(mase)
    scale_total = float((scale[defined] * actual.shape[1]).sum())
    pooled = {
        "mase": _finite(float(np.nanmean(mase))) if defined.any() else None,
        "mase_pooled": _finite(float(absolute[defined].sum()) / scale_total) if scale_total > 0 else None,
        "wape": _finite(float(absolute.sum()) / all_actual) if all_actual > 0 else None,
        "bias": _finite(float(error.sum()) / all_actual) if all_actual > 0 else None,
        "coverage_80": _finite(pooled_coverage[0.80]),
        "coverage_95": _finite(pooled_coverage[0.95]),
    }
    return Scores(
        mase=mase,
        wape=wape,
        bias=bias,
        coverage_80=coverage[0.80],
        coverage_95=coverage[0.95],
        observations=int(actual.size),
        pooled=pooled,
    )


@dataclass(frozen=True, slots=True)
class IntervalCalibration:
    """Prediction intervals from out-of-sample errors, binned by the forecast's size.

    Forecasts are grouped into bins by their value (quantile edges); within a bin, the interval
    of nominal coverage c runs from the (1−c)/2 to the (1+c)/2 quantile of the signed errors
    `actual − forecast` seen in backtests. This is split conformal prediction with binned
    residuals (as skforecast's `predict_interval(method="conformal")` does), with signed
    quantiles because count errors are skewed. Bounds are clipped at zero.
    """

    edges: npt.NDArray[np.float64]
    quantiles: dict[float, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]

    @classmethod
    def fit(cls, forecast: Matrix, actual: Matrix, *, bins: int = INTERVAL_BINS) -> IntervalCalibration:
        predicted = np.asarray(forecast, dtype=np.float64).ravel()
        residual = np.asarray(actual, dtype=np.float64).ravel() - predicted
        if predicted.size == 0:
            zeros = np.zeros(1)
            return cls(edges=np.zeros(0), quantiles={c: (zeros, zeros) for c in INTERVALS})
        edges = np.unique(np.quantile(predicted, np.linspace(0, 1, bins + 1)[1:-1]))
        which = np.searchsorted(edges, predicted, side="right")
        quantiles: dict[float, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]] = {}
        for nominal in INTERVALS:
            low = np.zeros(len(edges) + 1)
            high = np.zeros(len(edges) + 1)
            for index in range(len(edges) + 1):
                errors = residual[which == index]
                if errors.size == 0:
                    errors = residual
                low[index] = np.quantile(errors, (1 - nominal) / 2)
                high[index] = np.quantile(errors, (1 + nominal) / 2)
            quantiles[nominal] = (low, high)
        return cls(edges=edges, quantiles=quantiles)

    def bounds(self, forecast: Matrix) -> dict[float, tuple[Matrix, Matrix]]:
        which = np.searchsorted(self.edges, forecast, side="right")
        result: dict[float, tuple[Matrix, Matrix]] = {}
        for nominal, (low, high) in self.quantiles.items():
            lower = np.maximum(forecast + low[which], 0.0)
            upper = np.maximum(forecast + high[which], lower)
            result[nominal] = (lower, upper)
        return result
