"""Scoring methods fold by fold on a run's rolling-origin backtest (`forecasting.model.Backtest`).

Fold k (0-based) holds days `origin + k·steps … origin + (k+1)·steps − 1` of the panel; a method
forecasting it may use only the days before its origin. Every score uses the backtest's own
MASE scale and set of established products (both taken from the days before the *first*
origin, as the run's stored metrics do), so the methods share one denominator per product and
pooled MASE over several folds is Σ|error| / Σ(scale × days).

Intervals calibrated on backtest errors (the model's and the baselines') need out-of-sample
errors from folds before the one scored: fold k ≥ 1 is calibrated on the first
min(⌊folds/2⌋, k) folds (for the last fold that is what `Backtest.score_last_fold` does), and
fold 0 has none. The median forecast (MASE and WAPE's point forecast) comes from the same
calibration, so it too exists from fold 1 on; AutoETS and Prophet bring their own intervals and
medians. "Served" (each product's combination, or with `combine_top=0` the model with its
per-product fallback) takes its weights or its choice from the folds before k, so it exists
from fold 1 on.

`refitted_model` is the global model as AutoETS and Prophet are treated: trained anew (the
public `train`, its own backtest, calibration and final fit) on the days before each fold's
origin, and forecasting the fold with `predict`, every product on the model (no fallback), its
intervals those of that training's own calibration — so it has coverage on every fold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from forecasting.combination import combine
from forecasting.evaluation import IntervalCalibration, Matrix, Scores, score
from forecasting.model import COMBINATION, Backtest, ModelConfig, Panel, choose_methods, predict, train

Bounds = dict[float, tuple[Matrix, Matrix]]


def columns(backtest: Backtest, fold: int) -> slice:
    """The fold's columns in `backtest.actual` and `backtest.forecasts[…]`."""
    return slice(fold * backtest.steps, (fold + 1) * backtest.steps)


def origin(backtest: Backtest, fold: int) -> int:
    """Index in the panel of the fold's first day: a forecast of it uses `history[:, :origin]`."""
    return backtest.origin + fold * backtest.steps


def _stacked(per_fold: dict[int, Matrix], folds: Sequence[int]) -> Matrix:
    """The matrices of `folds`, side by side."""
    return np.concatenate([per_fold[fold] for fold in folds], axis=1)


def _actual(backtest: Backtest, folds: Sequence[int]) -> Matrix:
    """The actual units of the days of `folds`."""
    return np.concatenate([backtest.actual[:, columns(backtest, fold)] for fold in folds], axis=1)


def calibration_days(backtest: Backtest, fold: int) -> int:
    """Days of out-of-sample errors (from the start of the backtest) that calibrate fold `fold`."""
    return min(max(1, backtest.folds // 2), fold) * backtest.steps


def calibrated(
    backtest: Backtest, fold: int, forecast: Matrix, calibration_forecast: Matrix
) -> tuple[Bounds | None, Matrix | None]:
    """Intervals and the median for `forecast` (the fold's) from the errors of
    `calibration_forecast` (every backtest day, only the calibration days are read) on the
    earlier folds; None for fold 0."""
    days = calibration_days(backtest, fold)
    if days == 0:
        return None, None
    events = backtest.events  # days near a holiday are calibrated apart, as a run serves them
    calibration = IntervalCalibration.fit(
        calibration_forecast[:, :days],
        backtest.actual[:, :days],
        profiles=backtest.profiles,
        events=None if events is None else events[:days],
    )
    fold_events = None if events is None else events[columns(backtest, fold)]
    return calibration.bounds(forecast, fold_events), calibration.median(forecast, backtest.profiles)


def served(backtest: Backtest, fold: int, margin: float) -> tuple[list[str], Matrix, Matrix]:
    """Per product, the method chosen on the folds before `fold` (as a run made at the fold's
    origin would choose it), its forecast of the fold, and its forecasts of the earlier folds."""
    if fold < 1:
        raise ValueError("served needs at least one earlier fold to choose on")
    cut = fold * backtest.steps
    early = {
        name: score(backtest.actual[:, :cut], forecast[:, :cut], backtest.scale, established=backtest.established)
        for name, forecast in backtest.forecasts.items()
        if name != COMBINATION
    }
    if backtest.combine_top > 0:
        # What a run serves now: each product's combination, weighted on the earlier folds.
        combined = combine(backtest.forecasts, backtest.weights({name: result.mase for name, result in early.items()}))
        return [COMBINATION] * combined.shape[0], combined[:, columns(backtest, fold)], combined[:, :cut]
    chosen = choose_methods(early, backtest.candidates, margin)
    order = [name for name in backtest.forecasts if name != COMBINATION]
    stacked = np.stack([backtest.forecasts[name] for name in order])
    picked = stacked[[order.index(name) for name in chosen], np.arange(len(chosen))]
    return chosen, picked[:, columns(backtest, fold)], picked[:, :cut]


def rmsse(backtest: Backtest, actual: Matrix, forecast: Matrix) -> float:
    """Pooled root mean squared scaled error over the established products: √(Σ squared errors
    / Σ in-sample squared errors of the 7-day seasonal naive before the backtest), M5's scale.
    Unlike MASE and WAPE it is minimised by the mean, so it does not reward forecasting an
    intermittent product's most common day, zero, below its mean."""
    before = backtest.history[:, : backtest.origin]
    squared = ((before[:, 7:] - before[:, :-7]) ** 2).mean(axis=1)
    keep = backtest.established
    errors = ((forecast - actual) ** 2)[keep].sum()
    return round(float(np.sqrt(errors / (squared[keep].sum() * actual.shape[1]))), 4)


@dataclass(frozen=True, slots=True)
class FoldForecasts:
    """One method's (mean) forecast of each fold it covers (fold → (series, steps) matrix) and,
    where it has them, its 80 % / 95 % bounds and its median forecast of that fold."""

    forecasts: dict[int, Matrix]
    bounds: dict[int, Bounds | None]
    medians: dict[int, Matrix | None] = dataclasses.field(default_factory=dict)


MEDIAN_KEYS = ("mase_median", "mase_median_pooled", "wape_median")


def summary(
    backtest: Backtest, actual: Matrix, forecast: Matrix, bounds: Bounds | None, median: Matrix | None = None
) -> dict[str, Any]:
    """Pooled MASE (mean and Σ/Σ), WAPE, bias, coverage and RMSSE of one (mean) forecast, and
    MASE and WAPE of its median where it has one (None where not)."""
    result: Scores = score(actual, forecast, backtest.scale, bounds, established=backtest.established, median=median)
    row: dict[str, Any] = {
        key: result.pooled[key] for key in ("mase", "mase_pooled", "wape", "bias", "coverage_80", "coverage_95")
    }
    row["rmsse_pooled"] = rmsse(backtest, actual, forecast)
    row.update({key: result.pooled.get(key) for key in MEDIAN_KEYS})
    return row


def score_fold(backtest: Backtest, fold: int, method: FoldForecasts) -> dict[str, Any]:
    return summary(
        backtest,
        backtest.actual[:, columns(backtest, fold)],
        method.forecasts[fold],
        method.bounds[fold],
        method.medians.get(fold),
    )


def score_pooled(
    backtest: Backtest, folds: Sequence[int], method: FoldForecasts, *, coverage_from: int = 1
) -> dict[str, Any]:
    """Scores over the days of `folds` (consecutive, ascending); coverage only over the folds
    from `coverage_from` on (so that methods with and without intervals on fold 0 are compared
    on the same days), which must be the last of `folds`."""
    folds = list(folds)
    if folds != list(range(folds[0], folds[0] + len(folds))):
        raise ValueError("folds must be consecutive and ascending")
    actual = _actual(backtest, folds)
    forecast = _stacked(method.forecasts, folds)
    covered = [fold for fold in folds if fold >= coverage_from]
    median: Matrix | None = None
    if covered and all(method.medians.get(fold) is not None for fold in covered):
        median = _stacked(method.medians, covered)  # type: ignore[arg-type]
    bounds: Bounds | None = None
    if covered and all(method.bounds[fold] is not None for fold in covered):
        bounds = {
            level: (
                np.concatenate([method.bounds[fold][level][0] for fold in covered], axis=1),  # type: ignore[index]
                np.concatenate([method.bounds[fold][level][1] for fold in covered], axis=1),  # type: ignore[index]
            )
            for level in (0.80, 0.95)
        }
    return summary(backtest, actual, forecast, bounds, median)


def backtest_method(backtest: Backtest, name: str) -> FoldForecasts:
    """A method the run backtested (the global model or a baseline), with intervals calibrated
    on the earlier folds."""
    forecast = backtest.forecasts[name]
    folds = {fold: forecast[:, columns(backtest, fold)] for fold in range(backtest.folds)}
    return recalibrated(backtest, FoldForecasts(forecasts=folds, bounds={}))


def recalibrated(backtest: Backtest, method: FoldForecasts) -> FoldForecasts:
    """`method` (forecasting every fold) with its own intervals and median replaced by ones
    calibrated on its errors on the earlier folds, exactly as the run's own methods are: the
    like-for-like median for a method whose own distribution is symmetric (AutoETS's and
    Prophet's normal errors make their median their mean)."""
    every = _stacked(method.forecasts, range(backtest.folds))
    made = {fold: calibrated(backtest, fold, method.forecasts[fold], every) for fold in range(backtest.folds)}
    return FoldForecasts(
        forecasts=dict(method.forecasts),
        bounds={fold: made[fold][0] for fold in made},
        medians={fold: made[fold][1] for fold in made},
    )


def served_method(backtest: Backtest, margin: float) -> FoldForecasts:
    """What is served, on folds 1 … last: chosen on the folds before each, its intervals
    calibrated on the chosen methods' forecasts of the earlier folds (as `score_last_fold`
    does for the last fold)."""
    forecasts: dict[int, Matrix] = {}
    bounds: dict[int, Bounds | None] = {}
    medians: dict[int, Matrix | None] = {}
    for fold in range(1, backtest.folds):
        _, this, earlier = served(backtest, fold, margin)
        forecasts[fold] = this
        bounds[fold], medians[fold] = calibrated(backtest, fold, this, earlier)
    return FoldForecasts(forecasts=forecasts, bounds=bounds, medians=medians)


def truncated(panel: Panel, end: int) -> Panel:
    """The panel's days before `end`, as a history read that night would be."""
    return Panel(
        product_ids=list(panel.product_ids),
        dates=panel.dates[:end],
        values=panel.values[:, :end],
        first_sale=np.minimum(panel.first_sale, end),
        groups=panel.groups,
    )


def refitted_model(backtest: Backtest, panel: Panel, config: ModelConfig, holidays: Any = None) -> FoldForecasts:
    """The global model trained on the days before each fold's origin (`train`, as a nightly
    run at that origin would), forecasting the fold with `predict` with every product on the
    model (no per-product fallback; products without enough history get `predict`'s answer for
    them), with the 80 % / 95 % intervals of that training's calibration."""
    if not np.array_equal(panel.values, backtest.history):
        raise ValueError("the panel is not the backtest's history")
    steps, count = backtest.steps, len(panel.product_ids)
    forecasts: dict[int, Matrix] = {}
    bounds: dict[int, Bounds | None] = {}
    medians: dict[int, Matrix | None] = {}
    for fold in range(backtest.folds):
        history = truncated(panel, origin(backtest, fold))
        trained = train(history, config=config, holidays=holidays)
        alone = dataclasses.replace(trained, methods={})  # every product on the model
        predicted = predict(alone, history, steps)

        def matrix(column: str, frame: Any = predicted) -> Matrix:
            return frame[column].to_numpy(dtype=np.float64).reshape(count, steps)

        forecasts[fold] = matrix("yhat")
        medians[fold] = matrix("yhat_median")
        bounds[fold] = {
            0.80: (matrix("yhat_lower_80"), matrix("yhat_upper_80")),
            0.95: (matrix("yhat_lower_95"), matrix("yhat_upper_95")),
        }
    return FoldForecasts(forecasts=forecasts, bounds=bounds, medians=medians)


def paired_bootstrap(
    backtest: Backtest,
    folds: Sequence[int],
    mine: FoldForecasts,
    other: FoldForecasts,
    *,
    samples: int,
    seed: int = 0,
) -> dict[str, Any]:
    """How sure a difference in the medians' pooled MASE and WAPE is: (mine − other) over
    `folds`, and its 95 % interval when the products are resampled with replacement (paired:
    each resample scores both on the same products). An interval that excludes zero is a
    difference the choice of products does not explain."""
    actual = _actual(backtest, folds)
    mine_errors = np.abs(_stacked(mine.medians, folds) - actual).sum(axis=1)  # type: ignore[arg-type]
    other_errors = np.abs(_stacked(other.medians, folds) - actual).sum(axis=1)  # type: ignore[arg-type]
    weight = backtest.established.astype(np.float64)
    scale = backtest.scale * actual.shape[1] * weight
    units = actual.sum(axis=1)
    draws = np.random.default_rng(seed).integers(0, len(units), size=(samples, len(units)))

    def interval(values: npt.NDArray[np.float64], point: float) -> dict[str, Any]:
        low, high = np.quantile(values, [0.025, 0.975])
        return {"difference": round(point, 4), "interval_95": [round(float(low), 4), round(float(high), 4)]}

    difference = (mine_errors - other_errors) * weight
    gap = mine_errors - other_errors
    return {
        "mase_median_pooled": interval(
            difference[draws].sum(axis=1) / scale[draws].sum(axis=1), float(difference.sum() / scale.sum())
        ),
        "wape_median": interval(gap[draws].sum(axis=1) / units[draws].sum(axis=1), float(gap.sum() / units.sum())),
    }


def distance_to_truth(backtest: Backtest, folds: Sequence[int], method: FoldForecasts, truth: FoldForecasts) -> float:
    """Root mean squared distance of the (mean) forecast from the true expected demand, over the
    established products and the days of `folds`: the forecast's error without the noise of the
    one draw of demand that happened."""
    forecast = _stacked(method.forecasts, folds)
    expected = _stacked(truth.forecasts, folds)
    squared = ((forecast - expected) ** 2)[backtest.established]
    return round(float(np.sqrt(squared.mean())), 4)
