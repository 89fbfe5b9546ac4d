"""The forecasting model: one global skforecast model per tenant over all its products.

The public contract (DESIGN §10), usable without the server::

    forecast(history, horizon) -> DataFrame[product_id, date, yhat, yhat_lower, yhat_upper, yhat_median]

`history` has columns `product_id, date, quantity`, one row per product and day with sales; a
missing day means zero sales. Negative quantities (returns) count as zero demand, duplicate
rows are summed. An optional `group` column names each product's group (its category). The
result has one row per product of `history` and day of the `horizon` days after the last date
of `history`; `yhat` is the mean (expected units), `yhat_median` the median (the point forecast
absolute errors call for); `0 ≤ yhat_lower ≤ yhat ≤ yhat_upper` and `yhat_lower ≤ yhat_median
≤ yhat_upper` (80 % interval by default). It never raises on short, empty or all-zero
histories. The first five columns are DESIGN §10's contract; `yhat_median` was added after it.

How (see docs/forecasting.md): a `ForecasterRecursiveMultiSeries` over LightGBM with a Tweedie
loss whose trees learn demand relative to each product's smoothed level (`LevelOffsetRegressor`),
lags, rolling windows, calendar features, each product's group when the history names one,
and, given a holiday calendar (`forecast(…, country="CL")`), public holidays and closed days
known in advance; a rolling-origin backtest
scores the model and the baselines (seasonal naive, 28-day moving average, TSB for intermittent
products) on the same folds; each product gets the model unless a fallback baseline (moving
average, TSB) has a clearly lower backtest MASE; intervals and the median come from the
backtest errors (`evaluation`).

The model's parts, one module each: `config` (settings, method names), `panel` (the history
as a matrix), `global_model` (the skforecast model: fit, forecast), `backtest` (the rolling
origin, scores, calibrations, each product's combination), `combination` and `baselines` (the
per-product candidates). This module holds the API others import.

`train()` and `predict()` split the work so a worker can checkpoint the trained model
(`TrainedModel.dumps()` / `TrainedModel.loads()`, which refuses an artifact made with other
library versions so the caller retrains instead of crashing).
"""

from __future__ import annotations

import io
import logging
import pickle
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from importlib.metadata import version
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from forecasting import combination
from forecasting.backtest import (
    ESTABLISHED_DAYS,
    EVALUATION_COLUMNS,
    Backtest,
    Evaluation,
    MethodResult,
    backtest_baselines,
    backtest_folds,
    baseline_forecasts,
    choose_methods,
    run_backtest,
)
from forecasting.config import (
    COMBINATION,
    LOG_LINK_OBJECTIVES,
    MODEL_NAME,
    NEW_PRODUCT_METHOD,
    NO_SALES_METHOD,
    ModelConfig,
    Progress,
)
from forecasting.evaluation import INTERVALS, IntervalCalibration, Matrix, demand_profiles
from forecasting.global_model import (
    LEVEL_COLUMN,
    LevelOffsetRegressor,
    RecencyWeights,
    load_libraries,
    model_forecast,
    timed_fit,
)
from forecasting.holiday_calendar import HolidayCalendar
from forecasting.panel import Panel, make_panel, panel_digest

__all__ = [
    "COMBINATION",
    "ESTABLISHED_DAYS",
    "EVALUATION_COLUMNS",
    "LEVEL_COLUMN",
    "LOG_LINK_OBJECTIVES",
    "MODEL_NAME",
    "NEW_PRODUCT_METHOD",
    "NO_SALES_METHOD",
    "PUBLIC_COLUMNS",
    "Backtest",
    "Evaluation",
    "LevelOffsetRegressor",
    "MethodResult",
    "ModelConfig",
    "Panel",
    "Progress",
    "RecencyWeights",
    "TrainedModel",
    "choose_methods",
    "forecast",
    "library_versions",
    "load_libraries",
    "make_panel",
    "panel_digest",
    "predict",
    "train",
]

logger = logging.getLogger("orbit.forecasting")

PUBLIC_COLUMNS = ["product_id", "date", "yhat", "yhat_lower", "yhat_upper", "yhat_median"]
PREDICTION_COLUMNS = [
    "product_id",
    "date",
    "method",
    "yhat",
    "yhat_median",
    "yhat_lower_80",
    "yhat_upper_80",
    "yhat_lower_95",
    "yhat_upper_95",
]
ARTIFACT_FORMAT = 8  # 8: intervals calibrated apart near holidays
# `demand_profiles`' class of a product selling on 80 % of days or more, 2.5 units or more on a
# selling day: its median forecast is its mean.
STEADY_PROFILE = 15


def library_versions() -> dict[str, str]:
    """Versions an artifact depends on; a trained model is only reused under the same ones."""
    return {name: version(name) for name in ("skforecast", "scikit-learn", "lightgbm", "pandas", "numpy")}


@dataclass(slots=True)
class TrainedModel:
    """Everything `predict()` needs: the fitted global forecaster (None when the history was too
    short for one), the method chosen per product, and interval calibrations per method."""

    product_ids: list[Any]
    trained_through: date | None
    forecaster: Any
    methods: dict[Any, str]
    calibrations: dict[str, IntervalCalibration]
    evaluation: Evaluation
    config: ModelConfig
    holidays: HolidayCalendar | None = None
    versions: dict[str, str] = field(default_factory=library_versions)
    durations: dict[str, float] = field(default_factory=dict)
    # The final model's forecast of the days after the training history, made in `train`, with
    # that history's `panel_digest`: `predict` uses it for the same history.
    model_forecast: tuple[str, Matrix] | None = None
    # Per product, its combination's weight per method (`COMBINATION` products only).
    weights: dict[Any, dict[str, float]] = field(default_factory=dict)

    def dumps(self) -> bytes:
        """The artifact: a pickle that records the library versions it was made with."""
        buffer = io.BytesIO()
        # A copy without the backtest's fold forecasts, so that this model is not changed while
        # the checkpoint is written (the run predicts from it meanwhile).
        stored = replace(self, evaluation=replace(self.evaluation, backtest=None))
        pickle.dump({"format": ARTIFACT_FORMAT, "versions": self.versions, "model": stored}, buffer, protocol=5)
        return buffer.getvalue()

    @staticmethod
    def loads(artifact: bytes) -> TrainedModel | None:
        """The model in `artifact`, or None when it was made with other library versions (or
        cannot be read at all): the caller retrains instead of running a stale model."""
        try:
            header = pickle.loads(artifact)
        except Exception:
            logger.warning("unreadable model artifact; retraining", exc_info=True)
            return None
        if not isinstance(header, dict) or header.get("format") != ARTIFACT_FORMAT:
            return None
        if header.get("versions") != library_versions():
            logger.info(
                "model artifact made with %s, running %s; retraining", header.get("versions"), library_versions()
            )
            return None
        model = header.get("model")
        return model if isinstance(model, TrainedModel) else None


# Training -------------------------------------------------------------------------------------


def train(
    history: pd.DataFrame | Panel,
    *,
    config: ModelConfig | None = None,
    progress: Progress | None = None,
    holidays: HolidayCalendar | None = None,
    horizon: int | None = None,
) -> TrainedModel:
    """Backtest the model and the baselines on rolling origins, choose a method per product,
    calibrate the intervals, and fit the final model on the whole history (in a second thread,
    while the backtest runs, when `config.threads > 1`). With `holidays`, the model also sees
    the public holidays of every day it learns from and forecasts (`holiday_calendar`). With
    `horizon`, the final model forecasts the `horizon` days after the history as soon as it is
    fitted (in that second thread), and `predict` on the same history uses that forecast."""
    config = config or ModelConfig()
    report = progress or (lambda stage, fraction: None)
    durations: dict[str, float] = {}
    started = time.perf_counter()
    panel = history if isinstance(history, Panel) else make_panel(history)
    durations["prepare"] = time.perf_counter() - started
    report("prepared", 0.05)

    folds = backtest_folds(panel, config)
    fit_final = panel.days >= config.window_size + config.min_training_days
    # The final model does not depend on the backtest: with two threads it is fitted while the
    # backtest runs (LightGBM releases the GIL; each fit uses one core).
    with ThreadPoolExecutor(max_workers=1) as pool:
        parallel = config.threads > 1
        final = pool.submit(timed_fit, panel, config, holidays, horizon) if fit_final and parallel else None
        # The baselines' backtest needs no model: the second thread does it after the final fit,
        # while this one forecasts and scores the backtest model.
        baselines_done = pool.submit(backtest_baselines, panel, config, folds, holidays) if folds and parallel else None
        tick = time.perf_counter()
        evaluation, methods, calibrations, weights = run_backtest(
            panel, config, folds, report, holidays, baselines_done
        )
        durations["backtest"] = time.perf_counter() - tick
        report("backtested", 0.6)
        if final is not None:
            forecaster, durations["fit"], model_forecast = final.result()
        elif fit_final:
            forecaster, durations["fit"], model_forecast = timed_fit(panel, config, holidays, horizon)
        else:
            forecaster, durations["fit"], model_forecast = None, 0.0, None
    report("fitted", 0.85)
    if forecaster is None:
        methods = {product: method for product, method in methods.items() if method != MODEL_NAME}
        weights = {}
        methods = {product: method for product, method in methods.items() if method != COMBINATION}
    return TrainedModel(
        product_ids=list(panel.product_ids),
        trained_through=panel.dates[-1].date() if panel.days else None,
        forecaster=forecaster,
        methods=methods,
        calibrations=calibrations,
        evaluation=evaluation,
        config=config,
        holidays=holidays,
        durations=durations,
        model_forecast=None if model_forecast is None else (panel_digest(panel), model_forecast),
        weights=weights,
    )


# Predicting -----------------------------------------------------------------------------------


def predict(trained: TrainedModel, history: pd.DataFrame | Panel, horizon: int) -> pd.DataFrame:
    """Forecast `horizon` days after the end of `history` for every product in it, each with its
    chosen method, with 80 % and 95 % intervals. Columns: `product_id, date, method, yhat,
    yhat_median, yhat_lower_80, yhat_upper_80, yhat_lower_95, yhat_upper_95`.

    `yhat` is the mean (expected units: what lead-time demand adds up), `yhat_median` the median
    (the point forecast absolute errors call for; below the mean for slow movers, whose median
    day is often zero); `yhat_lower_80 ≤ yhat_median ≤ yhat_upper_80` and the 80 % interval
    lies inside the 95 % one."""
    if horizon < 1:
        raise ValueError("horizon must be at least 1 day")
    panel = history if isinstance(history, Panel) else make_panel(history)
    if not panel.product_ids:
        return pd.DataFrame(columns=PREDICTION_COLUMNS)
    forecasts = _method_forecasts(trained, panel, horizon)
    chosen = _served_methods(trained, panel, forecasts)
    served = _Served.empty(len(panel.product_ids), horizon)
    recent = _recent_mean(panel, horizon)
    profiles = demand_profiles(panel.values)
    start = (panel.dates[-1] + pd.Timedelta(days=1)) if panel.days else pd.Timestamp.today().normalize()
    days = pd.date_range(start, periods=horizon, freq="D")
    events = combination.near_holidays(trained.holidays, days)
    for method in set(chosen):
        if method == NO_SALES_METHOD:
            continue
        rows = np.array([index for index, name in enumerate(chosen) if name == method])
        values = recent[rows] if method == NEW_PRODUCT_METHOD else forecasts[method][rows]
        served.fill(rows, np.clip(values, 0.0, None), trained.calibrations.get(method), profiles[rows], events)
    count = len(panel.product_ids)
    lower, upper = served.bounds[0.80]
    return pd.DataFrame(
        {
            "product_id": np.repeat(np.array(panel.product_ids, dtype=object), horizon),
            "date": np.tile(days.date, count),
            "method": np.repeat(np.array(chosen, dtype=object), horizon),
            "yhat": served.mean.ravel(),
            "yhat_median": served.median.ravel(),
            "yhat_lower_80": lower.ravel(),
            "yhat_upper_80": upper.ravel(),
            "yhat_lower_95": np.minimum(served.bounds[0.95][0], lower).ravel(),
            "yhat_upper_95": np.maximum(served.bounds[0.95][1], upper).ravel(),
        }
    )


def _method_forecasts(trained: TrainedModel, panel: Panel, horizon: int) -> dict[str, Matrix]:
    """Every method's forecast of the `horizon` days after the panel: the baselines, the global
    model (the one `train` already made when the history is the same), the combination."""
    forecasts = baseline_forecasts(panel, panel.days, horizon, trained.holidays)
    if trained.forecaster is not None and panel.days >= trained.forecaster.window_size:
        made = trained.model_forecast
        if made is not None and made[1].shape[1] >= horizon and made[0] == panel_digest(panel):
            forecasts[MODEL_NAME] = made[1][:, :horizon]
        else:
            forecasts[MODEL_NAME] = model_forecast(
                trained.forecaster, panel, panel.days, horizon, trained.config, trained.holidays
            )
    if trained.weights:
        forecasts[COMBINATION] = _combined(trained, panel, forecasts, horizon)
    return forecasts


def _served_methods(trained: TrainedModel, panel: Panel, forecasts: dict[str, Matrix]) -> list[str]:
    """Per product, the method it is served: the one `train` chose, unless it never sold
    (`NO_SALES_METHOD`) or is too new or lacks that method's forecast (`NEW_PRODUCT_METHOD`)."""
    age = panel.days - panel.first_sale  # days since the first sale (≤ 0: never sold)
    minimum = max(trained.config.window_size, 14)
    chosen: list[str] = []
    for index, product in enumerate(panel.product_ids):
        method = trained.methods.get(product, MODEL_NAME)
        if age[index] <= 0:
            method = NO_SALES_METHOD
        elif age[index] < minimum or method not in forecasts or not np.isfinite(forecasts[method][index]).all():
            method = NEW_PRODUCT_METHOD
        chosen.append(method)
    return chosen


@dataclass(slots=True)
class _Served:
    """The served forecast being assembled, method by method: mean, median and both intervals
    per product and day (zeros for products no method fills: those that never sold)."""

    mean: Matrix
    median: Matrix
    bounds: dict[float, tuple[Matrix, Matrix]]

    @staticmethod
    def empty(count: int, horizon: int) -> _Served:
        bounds: dict[float, tuple[Matrix, Matrix]] = {
            nominal: (np.zeros((count, horizon)), np.zeros((count, horizon))) for nominal in INTERVALS
        }
        return _Served(np.zeros((count, horizon)), np.zeros((count, horizon)), bounds)

    def fill(
        self,
        rows: npt.NDArray[np.int64],
        values: Matrix,
        calibration: IntervalCalibration | None,
        profiles: Any,
        events: npt.NDArray[np.bool_] | None = None,
    ) -> None:
        """Serve `values` (mean forecasts) to `rows`, with the median and intervals of the
        method's `calibration` (Poisson's without one; `events` flags the days near a holiday).
        Invariant kept: lower ≤ mean ≤ upper and the median inside the 80 % interval."""
        self.mean[rows] = values
        if calibration is not None:
            method_bounds = calibration.bounds(values, events)
            median = calibration.median(values, profiles)
        else:
            method_bounds = _poisson_bounds(values)
            median = _poisson_median(values)
        for nominal in INTERVALS:
            self.bounds[nominal][0][rows] = np.minimum(method_bounds[nominal][0], values)
            self.bounds[nominal][1][rows] = np.maximum(method_bounds[nominal][1], values)
        # A steady seller's errors are symmetric enough that its median is its mean: the bin's
        # median error would only re-add the backtest's bias (measured on real shops' data,
        # docs/forecasting.md).
        steady = profiles == STEADY_PROFILE
        median[steady] = values[steady]
        # A product selling on fewer than half of its days: no higher than a Poisson count's
        # median around the mean (counts this sparse are at least as dispersed, with more
        # mass at zero), which the bins, pooled with busier products, can miss.
        sparse = profiles // 4 <= 1
        median[sparse] = np.minimum(median[sparse], _poisson_median(values[sparse]))
        # The median comes from the product's demand profile, the intervals from every error:
        # keep it inside the 80 % interval.
        self.median[rows] = np.clip(median, self.bounds[0.80][0][rows], self.bounds[0.80][1][rows])


def _combined(trained: TrainedModel, panel: Panel, forecasts: dict[str, Matrix], horizon: int) -> Matrix:
    """Each product's combination of the methods' forecasts, by its weights (NaN for a product
    without weights, or whose weighted methods have no forecast for it)."""
    result = np.full((len(panel.product_ids), horizon), np.nan)
    for index, product in enumerate(panel.product_ids):
        weights = trained.weights.get(product)
        if not weights or any(name not in forecasts for name in weights):
            continue
        result[index] = sum(weight * forecasts[name][index] for name, weight in weights.items())
    return result


def _recent_mean(panel: Panel, horizon: int) -> Matrix:
    """For new products: the mean daily units since the first sale, flat."""
    age = np.maximum(panel.days - panel.first_sale, 1)
    window = np.minimum(age, 28)
    totals = np.array([panel.values[index, panel.days - window[index] :].sum() for index in range(len(age))])
    return np.repeat((totals / window)[:, None], horizon, axis=1)


def _poisson_median(values: Matrix) -> Matrix:
    """The median without backtest errors to calibrate on: Poisson's, around the forecast."""
    from scipy.stats import poisson

    return np.asarray(poisson.median(np.maximum(values, 1e-9)), dtype=np.float64)


def _poisson_bounds(values: Matrix) -> dict[float, tuple[Matrix, Matrix]]:
    """Intervals without backtest errors to calibrate on: Poisson quantiles around the forecast."""
    from scipy.stats import poisson

    return {
        nominal: (
            poisson.ppf((1 - nominal) / 2, np.maximum(values, 1e-9)).astype(float),
            poisson.ppf((1 + nominal) / 2, np.maximum(values, 1e-9)).astype(float),
        )
        for nominal in INTERVALS
    }


# The public contract --------------------------------------------------------------------------


def forecast(
    history: pd.DataFrame,
    horizon: int,
    *,
    interval: float = 0.80,
    country: str | None = None,
    holidays: HolidayCalendar | None = None,
) -> pd.DataFrame:
    """Daily forecasts with intervals for every product in `history` (see the module docstring).

    `interval` is the nominal coverage of `yhat_lower`/`yhat_upper`: 0.80 or 0.95. `country`
    (ISO 3166 alpha-2, e.g. "CL") lets the model know that country's public holidays, in the
    history and in the horizon; `holidays` is any other calendar. Without either, no holidays."""
    if country is not None and holidays is not None:
        raise ValueError("give a country or a holiday calendar, not both")
    if country is not None:
        holidays = HolidayCalendar.for_country(country)
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}")
    if not isinstance(horizon, int) or horizon < 1:
        raise ValueError("horizon must be a positive number of days")
    panel = make_panel(history)
    if not panel.product_ids:
        return pd.DataFrame(
            {name: pd.Series(dtype=object if name in ("product_id", "date") else float) for name in PUBLIC_COLUMNS}
        )
    full = predict(train(panel, holidays=holidays, horizon=horizon), panel, horizon)
    suffix = "80" if interval == 0.80 else "95"
    result = full.rename(columns={f"yhat_lower_{suffix}": "yhat_lower", f"yhat_upper_{suffix}": "yhat_upper"})
    result["date"] = pd.to_datetime(result["date"])
    return result[PUBLIC_COLUMNS].reset_index(drop=True)
