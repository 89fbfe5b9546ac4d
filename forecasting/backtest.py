"""The rolling-origin backtest every run scores itself with: the global model and the per-product
candidates forecast the same folds from the same origins (`run_backtest`); `Backtest` scores
them, calibrates each method's intervals and median on their errors, and weighs each product's
combination (docs/forecasting.md, "Honest evaluation")."""

from __future__ import annotations

import math
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from forecasting import baselines, combination
from forecasting.config import COMBINATION, MODEL_NAME, ModelConfig, Progress
from forecasting.evaluation import IntervalCalibration, Matrix, Scores, demand_profiles, score, seasonal_scale
from forecasting.global_model import fit_model, model_forecast
from forecasting.holiday_calendar import HolidayCalendar
from forecasting.panel import Panel

EVALUATION_COLUMNS = [
    "product_id",
    "method",
    "mase",
    "wape",
    "bias",
    "coverage_80",
    "coverage_95",
    "mase_median",
    "wape_median",
    "selected",
    "weight",
]
ESTABLISHED_DAYS = 56
# `demand_profiles`' class of a product selling on 80 % of days or more, 2.5 units or more on a
# selling day: its median forecast is its mean.
STEADY_PROFILE = 15


@dataclass(slots=True)
class Evaluation:
    """Backtest results: per product and method (long frame, all folds), pooled per method over
    all folds, and pooled on the last fold alone (`held_out`), where `selected` is the per-product
    choice made on the earlier folds — the honest score of what is served. `backtest` keeps the
    fold forecasts for benchmarks; it is dropped from artifacts."""

    per_product: pd.DataFrame
    pooled: dict[str, dict[str, float | None]]
    held_out: dict[str, dict[str, float | None]]
    folds: int
    fold_days: int
    origin: date | None
    backtest: Backtest | None = None


def baseline_forecasts(
    panel: Panel, end: int, horizon: int, holidays: HolidayCalendar | None = None
) -> dict[str, Matrix]:
    """Every baseline's forecast of the `horizon` days after day `end` (exclusive) of the panel,
    from the days before it with the shop's closed days filled in; with a holiday calendar,
    each forecast day that is a public holiday scaled by the product's past ratio for that
    holiday (`combination`)."""
    history = panel.values[:, :end]
    filled = combination.fill_closed(history, combination.shop_closed(history))
    forecasts = {name: function(filled, horizon) for name, function in baselines.BASELINES.items()}
    if holidays is not None and panel.days:
        dates = pd.date_range(panel.dates[0], periods=end + horizon, freq="D")
        names = combination.holiday_names(holidays, dates)
        ahead = names[end:]
        wanted = {name for name in ahead if name is not None}
        if wanted:
            ratios = combination.holiday_ratios(history, names[:end], wanted)
            forecasts = {
                name: combination.apply_holidays(forecast, ahead, ratios) for name, forecast in forecasts.items()
            }
    return forecasts


# Training -------------------------------------------------------------------------------------


def backtest_folds(panel: Panel, config: ModelConfig) -> int:
    """How many folds of `fold_days` fit after a minimal training period (0: no backtest)."""
    available = panel.days - config.window_size - config.min_training_days
    return max(0, min(config.backtest_folds, available // config.fold_days))


MethodResults = dict[str, "MethodResult"]


def _backtest_layout(panel: Panel, config: ModelConfig, folds: int) -> tuple[int, int]:
    """The first origin and the fold length of a backtest of `folds` folds."""
    return panel.days - folds * config.fold_days, config.fold_days


def _scorer(
    panel: Panel,
    config: ModelConfig,
    folds: int,
    forecasts: dict[str, Matrix],
    holidays: HolidayCalendar | None = None,
) -> Backtest:
    origin, steps = _backtest_layout(panel, config, folds)
    return Backtest(
        origin=origin,
        steps=steps,
        actual=panel.values[:, origin:],
        scale=seasonal_scale(panel.values[:, :origin]),
        established=panel.first_sale <= origin - ESTABLISHED_DAYS,
        intermittent=baselines.is_intermittent(panel.values[:, :origin]),
        forecasts=forecasts,
        history=panel.values,
        allowed=config.candidates,
        profiles=demand_profiles(panel.values[:, :origin]),
        combine_top=config.combine_top,
        events=combination.near_holidays(holidays, panel.dates[origin:]) if holidays is not None else None,
    )


def _served_calendar(config: ModelConfig, holidays: HolidayCalendar | None) -> HolidayCalendar | None:
    """The calendar for a single method's backtest scores and calibration: the days near a
    holiday are calibrated apart only for what can be served. With a combination, its members'
    calibrations serve nobody, and two more calibrations for each of them cost about a second
    of a 1,000-product run's wall time; their coverage figures stay pooled."""
    return holidays if config.combine_top <= 0 else None


def backtest_baselines(
    panel: Panel, config: ModelConfig, folds: int, holidays: HolidayCalendar | None = None
) -> tuple[dict[str, Matrix], MethodResults]:
    """Every baseline's forecasts of the backtest folds (each from the days before its fold's
    origin), and their scores and calibrations."""
    origin, steps = _backtest_layout(panel, config, folds)
    per_fold = [baseline_forecasts(panel, origin + k * steps, steps, holidays) for k in range(folds)]
    forecasts = {name: np.concatenate([fold[name] for fold in per_fold], axis=1) for name in baselines.BASELINES}
    return forecasts, _scorer(panel, config, folds, forecasts, _served_calendar(config, holidays)).method_results()


def run_backtest(
    panel: Panel,
    config: ModelConfig,
    folds: int,
    report: Progress,
    holidays: HolidayCalendar | None,
    baselines_done: Future[tuple[dict[str, Matrix], MethodResults]] | None = None,
) -> tuple[Evaluation, dict[Any, str], dict[str, IntervalCalibration], dict[Any, dict[str, float]]]:
    """The rolling-origin backtest of the model and the baselines (the baselines' part from
    `baselines_done` when another thread computes it), the method chosen per product, each
    method's interval calibration, and per product its combination's weights."""
    if folds == 0:
        empty = pd.DataFrame(columns=EVALUATION_COLUMNS)
        return Evaluation(empty, {}, {}, 0, config.fold_days, None), {}, {}, {}
    origin, steps = _backtest_layout(panel, config, folds)
    # Rolling origin without refitting: one model fitted on the days before the first origin
    # forecasts every fold from the actual window before that fold's origin. This is what
    # skforecast's `backtesting_forecaster_multiseries(cv=TimeSeriesFold(refit=False))` does;
    # calling `predict(last_window=…)` directly skips its per-fold data extraction, which cost
    # more than the fit on a thousand series.
    forecaster = fit_model(panel, config, end=origin, holidays=holidays)
    report("backtest model", 0.35)
    model_folds = [model_forecast(forecaster, panel, origin + k * steps, steps, config, holidays) for k in range(folds)]
    report("backtest forecasts", 0.45)
    model = {MODEL_NAME: np.nan_to_num(np.concatenate(model_folds, axis=1), nan=0.0)}
    results = _scorer(panel, config, folds, model, _served_calendar(config, holidays)).method_results()
    baseline_forecasts, baseline_results = (
        baselines_done.result() if baselines_done is not None else backtest_baselines(panel, config, folds, holidays)
    )
    forecasts = {**model, **baseline_forecasts}
    results.update(baseline_results)
    backtest = _scorer(panel, config, folds, forecasts, holidays)
    all_folds = {name: result.scores for name, result in results.items()}
    weight_table: dict[str, npt.NDArray[np.float64]] = {}
    if config.combine_top > 0:
        weight_table = backtest.weights({name: result.mase for name, result in all_folds.items()})
        combined = combination.combine(forecasts, weight_table)
        backtest.forecasts[COMBINATION] = combined
        results[COMBINATION] = _scorer(panel, config, folds, {COMBINATION: combined}, holidays).method_results()[
            COMBINATION
        ]
        all_folds[COMBINATION] = results[COMBINATION].scores
        chosen = [COMBINATION] * len(panel.product_ids)
    else:
        chosen = choose_methods(all_folds, backtest.candidates, config.selection_margin)
    pooled = backtest.pooled_scores(config.selection_margin, results)
    methods = {product: chosen[index] for index, product in enumerate(panel.product_ids)}
    calibrations = {name: result.calibration for name, result in results.items()}
    weights = {
        product: {name: round(float(table[index]), 4) for name, table in weight_table.items() if table[index] > 0}
        for index, product in enumerate(panel.product_ids)
    }

    per_product = _per_product(panel, all_folds, backtest.intermittent, methods, weights)
    evaluation = Evaluation(
        per_product, pooled["all_folds"], pooled["held_out"], folds, steps, panel.dates[origin].date(), backtest
    )
    return evaluation, methods, calibrations, weights


def _per_product(
    panel: Panel,
    all_folds: dict[str, Scores],
    intermittent: npt.NDArray[np.bool_],
    methods: dict[Any, str],
    weights: dict[Any, dict[str, float]],
) -> pd.DataFrame:
    """The evaluation rows (`EVALUATION_COLUMNS`): per method and product its scores, whether
    the product is served it (alone or in its combination) and its weight there (TSB only for
    intermittent products)."""
    rows = []
    for name, result in all_folds.items():
        for index, product in enumerate(panel.product_ids):
            if name == "tsb" and not intermittent[index]:
                continue
            rows.append(
                (
                    product,
                    name,
                    _number(result.mase[index]),
                    _number(result.wape[index]),
                    _number(result.bias[index]),
                    _number(result.coverage_80[index]),
                    _number(result.coverage_95[index]),
                    _number(_at(result.mase_median, index)),
                    _number(_at(result.wape_median, index)),
                    methods[product] == name or weights.get(product, {}).get(name, 0.0) > 0,
                    1.0 if methods[product] == name else weights.get(product, {}).get(name),
                )
            )
    return pd.DataFrame(rows, columns=EVALUATION_COLUMNS)


@dataclass(frozen=True, slots=True)
class MethodResult:
    """One method's backtest: its scores over every fold, its pooled last-fold scores, and
    the calibration of its intervals and median on every fold."""

    scores: Scores
    held_out: dict[str, float | None] | None
    calibration: IntervalCalibration


@dataclass(slots=True)
class Backtest:
    """Forecasts of every method on the backtest folds (days `origin…` of the panel)."""

    origin: int
    steps: int
    actual: Matrix
    scale: npt.NDArray[np.float64]
    established: npt.NDArray[np.bool_]
    intermittent: npt.NDArray[np.bool_]
    forecasts: dict[str, Matrix]
    history: Matrix  # the whole panel, for comparisons with other models
    allowed: tuple[str, ...]
    profiles: npt.NDArray[np.int64]  # each product's demand profile before the first origin
    combine_top: int = 0  # > 0: what is served is a combination (`weights`), not one method
    # Per backtest day, near a public holiday (`combination.near_holidays`): those days'
    # intervals are calibrated apart (`IntervalCalibration`); None without a holiday calendar.
    events: npt.NDArray[np.bool_] | None = None

    @property
    def folds(self) -> int:
        return self.actual.shape[1] // self.steps

    @property
    def candidates(self) -> dict[str, npt.NDArray[np.bool_]]:
        everyone = np.ones(self.actual.shape[0], dtype=bool)
        nobody = np.zeros(self.actual.shape[0], dtype=bool)
        allowed = {MODEL_NAME, *self.allowed}
        return {
            name: (nobody if name not in allowed else self.intermittent if name == "tsb" else everyone)
            for name in self.forecasts
            if name != COMBINATION
        }

    def weights(self, mase: dict[str, npt.NDArray[np.float64]]) -> dict[str, npt.NDArray[np.float64]]:
        """Per candidate, per product, its weight in the product's combination, from each
        candidate's per-product backtest MASE (`combination.combination_weights`; the
        global model first, so that a product without any MASE gets the model alone)."""
        candidates = self.candidates
        names = [MODEL_NAME, *(name for name in candidates if name != MODEL_NAME and candidates[name].any())]
        names = [name for name in names if name in mase]
        return combination.combination_weights(
            {name: mase[name] for name in names}, {name: candidates[name] for name in names}, self.combine_top
        )

    def _events(self, start: int, stop: int | None) -> npt.NDArray[np.bool_] | None:
        """The near-holiday flags of backtest days `start…stop` (None without a calendar)."""
        return None if self.events is None else self.events[start:stop]

    def _calibration_days(self) -> int:
        return max(1, self.folds // 2) * self.steps

    def score_all(self, name: str) -> Scores:
        """Point metrics of the mean forecast over every fold; coverage and the median
        forecast's metrics on the folds after the first half, with the intervals and the median
        calibrated on the first half."""
        days = self._calibration_days()
        forecast = self.forecasts[name]
        calibration = IntervalCalibration.fit(
            forecast[:, :days], self.actual[:, :days], profiles=self.profiles, events=self._events(0, days)
        )
        held = forecast[:, days:] if self.folds > 1 else forecast
        return score(
            self.actual,
            forecast,
            self.scale,
            calibration.bounds(held, self._events(days if self.folds > 1 else 0, None)),
            established=self.established,
            median=calibration.median(held, self.profiles),
        )

    def score_last_fold(self, forecast: Matrix, calibration_forecast: Matrix) -> Scores:
        cut = (self.folds - 1) * self.steps
        days = min(self._calibration_days(), cut)
        calibration = IntervalCalibration.fit(
            calibration_forecast[:, :days], self.actual[:, :days], profiles=self.profiles, events=self._events(0, days)
        )
        return score(
            self.actual[:, cut:],
            forecast,
            self.scale,
            calibration.bounds(forecast, self._events(cut, None)),
            established=self.established,
            median=calibration.median(forecast, self.profiles),
        )

    def selected_last_fold(self, margin: float) -> tuple[list[str], Matrix, Matrix]:
        """Methods chosen on every fold but the last (the choice the last fold's forecast
        would have been served with), and their last-fold and earlier forecasts."""
        cut = (self.folds - 1) * self.steps
        early = {
            name: score(self.actual[:, :cut], forecast[:, :cut], self.scale, established=self.established)
            for name, forecast in self.forecasts.items()
            if name != COMBINATION
        }
        if self.combine_top > 0:
            weights = self.weights({name: scores.mase for name, scores in early.items()})
            combined = combination.combine(self.forecasts, weights)
            return [COMBINATION] * combined.shape[0], combined[:, cut:], combined
        chosen = choose_methods(early, self.candidates, margin)
        rows = np.arange(len(chosen))
        order = [name for name in self.forecasts if name != COMBINATION]
        stacked = np.stack([self.forecasts[name] for name in order])
        picked = stacked[[order.index(name) for name in chosen], rows]
        return chosen, picked[:, cut:], picked

    def method_results(self) -> dict[str, MethodResult]:
        """Per method: `score_all`, the pooled scores of its last fold (None with one fold) and
        its intervals calibrated on every fold (what its served forecasts get)."""
        cut = (self.folds - 1) * self.steps
        return {
            name: MethodResult(
                scores=self.score_all(name),
                held_out=_pooled(self.score_last_fold(forecast[:, cut:], forecast)) if self.folds > 1 else None,
                calibration=IntervalCalibration.fit(
                    forecast, self.actual, profiles=self.profiles, events=self._events(0, None)
                ),
            )
            for name, forecast in self.forecasts.items()
        }

    def pooled_scores(
        self, margin: float, results: dict[str, MethodResult] | None = None
    ) -> dict[str, dict[str, dict[str, float | None]]]:
        """Pooled scores of every method over all folds and on the last fold alone, with the
        served choice's (`results`: their `method_results`, when the caller has them)."""
        results = results or self.method_results()
        all_folds = {name: _pooled(results[name].scores) for name in self.forecasts}
        held_out: dict[str, dict[str, float | None]] = {}
        if self.folds > 1:
            for name in self.forecasts:
                held_out[name] = results[name].held_out  # type: ignore[assignment]
            _, last, everything = self.selected_last_fold(margin)
            held_out["selected"] = _pooled(self.score_last_fold(last, everything))
        return {"all_folds": all_folds, "held_out": held_out}


def _pooled(scores: Scores) -> dict[str, float | None]:
    return {**scores.pooled, "observations": scores.observations}


def _at(values: npt.NDArray[np.float64] | None, index: int) -> float:
    return math.nan if values is None else float(values[index])


def _number(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 4)


def choose_methods(scores: dict[str, Scores], candidates: dict[str, npt.NDArray[np.bool_]], margin: float) -> list[str]:
    """Per product, the model unless a candidate baseline has a MASE lower by more than `margin`
    (products without a defined MASE keep the model)."""
    count = len(scores[MODEL_NAME].mase)
    best = [MODEL_NAME] * count
    model = np.where(np.isfinite(scores[MODEL_NAME].mase), scores[MODEL_NAME].mase, np.inf)
    best_value = model * (1 - margin)
    for name in scores:
        if name == MODEL_NAME:
            continue
        value = np.where(np.isfinite(scores[name].mase) & candidates[name], scores[name].mase, np.inf)
        better = value < best_value
        for index in np.flatnonzero(better):
            best[index] = name
        best_value = np.where(better, value, best_value)
    return best


# Predicting -----------------------------------------------------------------------------------
