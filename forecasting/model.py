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

`train()` and `predict()` split the work so a worker can checkpoint the trained model
(`TrainedModel.dumps()` / `TrainedModel.loads()`, which refuses an artifact made with other
library versions so the caller retrains instead of crashing).
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import pickle
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from importlib.metadata import version
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from forecasting import baselines, combination
from forecasting.evaluation import (
    INTERVALS,
    IntervalCalibration,
    Matrix,
    Scores,
    demand_profiles,
    score,
    seasonal_scale,
)
from forecasting.features import LevelFeatures
from forecasting.holiday_calendar import HolidayCalendar

logger = logging.getLogger("orbit.forecasting")

MODEL_NAME = "global_lgbm"
COMBINATION = "combination"
NEW_PRODUCT_METHOD = "recent_mean"
NO_SALES_METHOD = "no_sales"
PUBLIC_COLUMNS = ["product_id", "date", "yhat", "yhat_lower", "yhat_upper", "yhat_median"]
ARTIFACT_FORMAT = 7
LOG_LINK_OBJECTIVES = ("tweedie", "poisson", "gamma")
LEVEL_COLUMN = "_level_skforecast"  # skforecast's column of the series' ordinal code

Progress = Callable[[str, float], None]


def library_versions() -> dict[str, str]:
    """Versions an artifact depends on; a trained model is only reused under the same ones."""
    return {name: version(name) for name in ("skforecast", "scikit-learn", "lightgbm", "pandas", "numpy")}


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """Knobs of the global model and its backtest. The defaults are what the benchmark ran.

    `threads` is how many fits run at once, not LightGBM threads (each fit uses one): with 2,
    the final model is fitted while the backtest runs."""

    lags: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 14, 21, 28)
    rolling_means: tuple[int, ...] = (7, 28, 91)
    rolling_stds: tuple[int, ...] = (28,)
    ewm_alpha: float = 0.05
    ewm_window: int = 91
    more_ewm_alphas: tuple[float, ...] = ()
    weekday_weeks: tuple[int, ...] = ()
    weekday_alpha: float = 0.0
    ratios: tuple[tuple[str, str], ...] = ()
    calendar: tuple[str, ...] = ("day_of_week", "month")
    n_estimators: int = 50
    learning_rate: float = 0.24
    num_leaves: int = 31
    min_child_samples: int = 100
    max_bin: int = 63
    threads: int = 2
    backtest_folds: int = 4
    fold_days: int = 28
    min_training_days: int = 56
    selection_margin: float = 0.05
    # Per-product candidates besides the global model. Seasonal naive is scored but not
    # offered: on the tuning shop its backtest wins (mostly intermittent products whose last
    # week happened to score well) did not carry over to the next fold, by pooled MASE or WAPE.
    candidates: tuple[str, ...] = (
        "moving_average",
        "tsb",
        "exponential_smoothing",
        "weekly_ets",
        "weekday_profile",
        "weekday_profile_long",
        "profile_smoothing",
    )
    # Each product is served a combination of its `combine_top` candidates with the lowest
    # backtest MASE, weighted by 1 / MASE² (`combination`); 0: the global model unless a
    # candidate's MASE is lower by more than `selection_margin` (the earlier rule).
    combine_top: int = 5
    training_days: int | None = 400
    objective: str = "tweedie"
    tweedie_power: float = 1.5
    row_subsample: float = 0.8
    seed: int = 7
    holiday_features: tuple[str, ...] = ("holiday", "closed")
    # The trees learn demand relative to this window feature (`LevelOffsetRegressor`); None:
    # they learn the demand itself.
    offset_feature: str | None = "roll_ewm_91_alpha_0.05"
    offset_floor: float = 0.05
    relative_features: tuple[str, ...] = ()
    # Training rows weighted by age (`RecencyWeights`); None: every row weighs the same.
    half_life_days: float | None = None
    # With the products' groups in the history (`Panel.groups`), the trees see each row's group
    # as a categorical feature: products of a category share their weekly and yearly pattern
    # and their response to holidays, which one product's own history shows only noisily.
    group_feature: bool = True
    # The share of training rows with zero demand the trees see (each weighing 1 / share), in
    # training matrices of at least `zero_rows_from` rows: a speed measure for large tenants,
    # whose loss it leaves unbiased; a small tenant's fit is quick anyway, and its few rows
    # would make the sample's noise visible (a slow mover's mean off by half on 3,500 rows).
    zero_rows_kept: float = 0.33
    zero_rows_from: int = 100_000

    def __post_init__(self) -> None:
        if self.offset_feature is not None and self.objective not in LOG_LINK_OBJECTIVES:
            raise ValueError(f"a level offset needs a log-link objective ({', '.join(LOG_LINK_OBJECTIVES)})")

    @property
    def window_size(self) -> int:
        weekday = [7 * weeks for weeks in self.weekday_weeks]
        return max(*self.lags, *self.rolling_means, *self.rolling_stds, self.ewm_window, *weekday)


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


def load_libraries() -> None:
    """Import LightGBM, skforecast and the `holidays` package, and build one holiday calendar
    (seconds in a fresh process: the first calendar the package builds costs half a second, any
    later one nothing). `train` would do it on first use; `orbit worker` calls this at start-up,
    so that no run pays it."""
    import holidays
    import lightgbm  # noqa: F401
    import skforecast.preprocessing
    import skforecast.recursive  # noqa: F401

    holidays.country_holidays("CL")


# Preparing the history ------------------------------------------------------------------------


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


def _forecaster(config: ModelConfig, level_groups: npt.NDArray[np.float64] | None = None) -> Any:
    """The unfitted skforecast forecaster. `level_groups` maps skforecast's ordinal code of each
    series (its rank among the sorted series names) to its group's code (NaN: none); without it
    the trees do not see which series a row belongs to."""
    from lightgbm import LGBMRegressor
    from skforecast.preprocessing import CalendarFeatures

    from forecasting.forecaster import ForecasterRecursiveMultiSeries

    estimator: Any = LGBMRegressor(
        objective=config.objective,
        tweedie_variance_power=config.tweedie_power,
        n_estimators=config.n_estimators,
        learning_rate=config.learning_rate,
        num_leaves=config.num_leaves,
        min_child_samples=config.min_child_samples,
        max_bin=config.max_bin,
        subsample=config.row_subsample,
        subsample_freq=1,
        colsample_bytree=0.8,
        n_jobs=1,
        random_state=config.seed,
        deterministic=True,
        verbose=-1,
    )
    if config.offset_feature is None:
        level_groups = None  # the series' group is given to the trees by `LevelOffsetRegressor`
    else:
        estimator = LevelOffsetRegressor(
            estimator,
            config.offset_feature,
            config.offset_floor,
            config.relative_features,
            level_groups,
            zero_rows_kept=config.zero_rows_kept,
            zero_rows_from=config.zero_rows_from,
            seed=config.seed,
        )
    forecaster = ForecasterRecursiveMultiSeries(
        estimator=estimator,
        lags=list(config.lags),
        window_features=LevelFeatures(
            means=config.rolling_means,
            stds=config.rolling_stds,
            ewm_alpha=config.ewm_alpha,
            ewm_window=config.ewm_window,
            more_ewm_alphas=config.more_ewm_alphas,
            weekday_weeks=config.weekday_weeks,
            weekday_alpha=config.weekday_alpha,
            ratios=config.ratios,
        ),
        calendar_features=CalendarFeatures(features=list(config.calendar), encoding=None),
        encoding=None if level_groups is None else "ordinal",
        weight_func=RecencyWeights(config.half_life_days) if config.half_life_days else None,
    )
    # The intervals come from the backtest's errors (`evaluation.IntervalCalibration`), not from
    # skforecast's in-sample residuals: switch off what `fit` does for those (predicting the
    # whole training matrix once more and binning the residuals), as skforecast's own
    # backtesting does when it needs no intervals.
    forecaster._probabilistic_mode = False
    return forecaster


class LevelOffsetRegressor:
    """A LightGBM regressor with a log link (Tweedie, Poisson) whose trees learn each row's
    demand *relative to* one of its features, the product's smoothed level: the log of that
    level (floored at `floor`) is LightGBM's `init_score`, so a forecast is
    level × exp(Σ trees).

    Without it the trees must rebuild each product's level from step functions of the level
    features, over three orders of magnitude of demand, and they do it coarsely: on the tuning
    shop the model's 28-day totals per product were off by 14 % more than AutoETS's.
    `relative` names features also given to the trees divided by the level (ratios trees cannot
    form themselves). With `level_groups`, skforecast's ordinal series code (the column
    `LEVEL_COLUMN`) is replaced by the code of the series' group, a categorical feature: the
    trees learn per group, never per product. Invariant: `predict` sees the same columns, in the
    same order, as `fit`."""

    def __init__(
        self,
        estimator: Any,
        offset_feature: str,
        floor: float,
        relative: tuple[str, ...] = (),
        level_groups: npt.NDArray[np.float64] | None = None,
        zero_rows_kept: float = 1.0,
        zero_rows_from: int = 0,
        seed: int = 0,
    ) -> None:
        if floor <= 0:
            raise ValueError("the level's floor must be positive")
        if not 0 < zero_rows_kept <= 1:
            raise ValueError("the share of zero rows kept must be in (0, 1]")
        self.estimator = estimator
        self.offset_feature = offset_feature
        self.floor = floor
        self.relative = relative
        self.level_groups = level_groups
        self.zero_rows_kept = zero_rows_kept
        self.zero_rows_from = zero_rows_from
        self.seed = seed

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {
            "estimator": self.estimator,
            "offset_feature": self.offset_feature,
            "floor": self.floor,
            "relative": self.relative,
            "level_groups": self.level_groups,
            "zero_rows_kept": self.zero_rows_kept,
            "zero_rows_from": self.zero_rows_from,
            "seed": self.seed,
        }

    def set_params(self, **params: Any) -> LevelOffsetRegressor:
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def _design(self, X: Any) -> tuple[Matrix, npt.NDArray[np.float64]]:
        values = np.asarray(X, dtype=np.float64)
        if self._level_index is not None and self.level_groups is not None:
            values = values.copy()
            codes = values[:, self._level_index].astype(np.int64)
            values[:, self._level_index] = self.level_groups[codes]
        level = np.maximum(values[:, self._offset_index], self.floor)
        if self._relative_index:
            values = np.concatenate([values, values[:, self._relative_index] / level[:, None]], axis=1)
        return values, np.log(level)

    def fit(self, X: pd.DataFrame, y: Any, sample_weight: Any = None) -> LevelOffsetRegressor:
        names = [str(name) for name in X.columns]
        missing = [name for name in (self.offset_feature, *self.relative) if name not in names]
        if missing:
            raise ValueError(f"features {missing} are not among the training features {names}")
        self._offset_index = names.index(self.offset_feature)
        self._relative_index = [names.index(name) for name in self.relative]
        self._level_index = names.index(LEVEL_COLUMN) if LEVEL_COLUMN in names else None
        if self._level_index is not None and self.level_groups is None:
            raise ValueError("the series code is among the features but no level_groups map it to groups")
        values, offset = self._design(X)
        target = np.asarray(y, dtype=np.float64)
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if self.zero_rows_kept < 1 and len(target) >= self.zero_rows_from:
            # A random share of the rows whose target is zero, each weighing 1 / share: the
            # loss's expectation is unchanged, the trees see fewer rows.
            drawn = np.random.default_rng(self.seed).random(len(target)) < self.zero_rows_kept
            kept = (target > 0) | drawn
            scale = np.where(target[kept] > 0, 1.0, 1.0 / self.zero_rows_kept)
            weight = scale if weight is None else weight[kept] * scale
            values, offset, target = values[kept], offset[kept], target[kept]
        categorical = [self._level_index] if self._level_index is not None else "auto"
        self.estimator.fit(
            values,
            target,
            sample_weight=weight,
            init_score=offset,
            categorical_feature=categorical,
        )
        self.feature_names_in_ = np.array(names, dtype=object)
        return self

    def predict(self, X: Any) -> npt.NDArray[np.float64]:
        values, offset = self._design(X)
        return np.asarray(np.exp(self.estimator.booster_.predict(values, raw_score=True) + offset), dtype=np.float64)


class RecencyWeights:
    """skforecast `weight_func`: a training row's weight halves every `half_life` days of age,
    counted back from the last day the model is trained on."""

    def __init__(self, half_life: float) -> None:
        self.half_life = half_life

    def __call__(self, index: pd.Index) -> npt.NDArray[np.float64]:
        if len(index) == 0:
            return np.ones(0)
        age = np.asarray((index.max() - index) / pd.Timedelta(days=1), dtype=np.float64)
        return np.asarray(0.5 ** (age / self.half_life), dtype=np.float64)


def _frame(panel: Panel, end: int | None = None, start: int = 0) -> pd.DataFrame:
    stop = panel.days if end is None else end
    frame = pd.DataFrame(
        panel.values[:, start:stop].T, index=panel.dates[start:stop], columns=[str(p) for p in panel.product_ids]
    )
    frame.index.freq = "D"
    return frame


def _training_start(config: ModelConfig, end: int) -> int:
    return 0 if config.training_days is None else max(0, end - config.training_days)


def _exog(
    config: ModelConfig, holidays: HolidayCalendar | None, dates: pd.DatetimeIndex, panel: Panel | None = None
) -> pd.DataFrame | None:
    """The features known in advance for `dates` (None without a holiday calendar). `closed`
    marks the days of `panel` on which the whole shop sold nothing (a holiday it closed on);
    days of the forecast horizon are taken to be open."""
    if holidays is None or not config.holiday_features:
        return None
    exog = holidays.features(dates)
    exog["closed"] = 0.0
    if panel is not None and panel.days:
        totals = pd.Series(panel.values.sum(axis=0), index=panel.dates)
        exog["closed"] = (totals.reindex(dates).fillna(1.0) == 0).astype(np.float64).to_numpy()
    exog = exog[list(config.holiday_features)]
    exog.index.freq = "D"
    return exog


def _fit(panel: Panel, config: ModelConfig, end: int | None = None, holidays: HolidayCalendar | None = None) -> Any:
    """Fit the global model on the panel's days before `end` (all by default)."""
    stop = panel.days if end is None else end
    frame = _frame(panel, end=stop, start=_training_start(config, stop))
    forecaster = _forecaster(config, _level_groups(panel, config, frame.columns))
    # No `warnings.catch_warnings()` here: it swaps process-wide filters, which is unsafe in the
    # second thread a fit may run in; `suppress_warnings` silences skforecast's own warnings.
    forecaster.fit(
        series=frame,
        exog=_exog(config, holidays, frame.index, panel),
        store_in_sample_residuals=False,
        suppress_warnings=True,
    )
    return forecaster


def _level_groups(panel: Panel, config: ModelConfig, names: pd.Index) -> npt.NDArray[np.float64] | None:
    """Per series, in skforecast's ordinal order (sorted names), the code of its group (groups
    numbered in sorted order; NaN for a product without one); None when the panel has no groups
    or the model does not use them."""
    if not config.group_feature or panel.groups is None or not any(group is not None for group in panel.groups):
        return None
    by_name = {str(product): group for product, group in zip(panel.product_ids, panel.groups, strict=True)}
    codes = {group: float(code) for code, group in enumerate(sorted({g for g in panel.groups if g is not None}))}
    ordered = [by_name[name] for name in sorted(str(name) for name in names)]
    return np.array([math.nan if group is None else codes[group] for group in ordered])


def _timed_fit(
    panel: Panel, config: ModelConfig, holidays: HolidayCalendar | None, horizon: int | None = None
) -> tuple[Any, float, Matrix | None]:
    """The final model, the seconds its fit took, and (with `horizon`) its forecast of the
    `horizon` days after the panel."""
    started = time.perf_counter()
    forecaster = _fit(panel, config, holidays=holidays)
    seconds = time.perf_counter() - started
    forecast = None
    if horizon is not None and horizon >= 1 and panel.days >= forecaster.window_size:
        forecast = _model_forecast(forecaster, panel, panel.days, horizon, config, holidays)
    return forecaster, seconds, forecast


def panel_digest(panel: Panel) -> str:
    """A fingerprint of the panel's products, days and values (what a model forecast from it
    depends on)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((panel.product_ids, str(panel.dates[0]) if panel.days else None, panel.days)).encode())
    digest.update(np.ascontiguousarray(panel.values).tobytes())
    return digest.hexdigest()


def _model_forecast(
    forecaster: Any,
    panel: Panel,
    origin: int,
    horizon: int,
    config: ModelConfig,
    holidays: HolidayCalendar | None,
) -> Matrix:
    """Predict `horizon` days after day `origin` (exclusive) from the window just before it."""
    window = forecaster.window_size
    fitted = set(forecaster.series_names_in_)
    known = [name for name in (str(product) for product in panel.product_ids) if name in fitted]
    last_window = _frame(panel, origin, start=max(0, origin - window))[known]
    exog = None
    if forecaster.exog_in_:
        start = last_window.index[-1] + pd.Timedelta(days=1)
        exog = _exog(config, holidays, pd.date_range(start, periods=horizon, freq="D"))
    # No `warnings.catch_warnings()`: this runs in the second thread too (the final model's
    # forecast), and it swaps process-wide filters; `suppress_warnings` silences skforecast's.
    predicted = forecaster.predict(
        steps=horizon, levels=known, last_window=last_window, exog=exog, suppress_warnings=True
    )
    wide = predicted.pivot(columns="level", values="pred")
    wide = wide.reindex(columns=[str(p) for p in panel.product_ids])
    return np.clip(wide.to_numpy().T, 0.0, None)  # NaN for products the model was not fitted on


def _baseline_forecasts(
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

    folds = _backtest_folds(panel, config)
    fit_final = panel.days >= config.window_size + config.min_training_days
    # The final model does not depend on the backtest: with two threads it is fitted while the
    # backtest runs (LightGBM releases the GIL; each fit uses one core).
    with ThreadPoolExecutor(max_workers=1) as pool:
        parallel = config.threads > 1
        final = pool.submit(_timed_fit, panel, config, holidays, horizon) if fit_final and parallel else None
        # The baselines' backtest needs no model: the second thread does it after the final fit,
        # while this one forecasts and scores the backtest model.
        baselines_done = (
            pool.submit(_backtest_baselines, panel, config, folds, holidays) if folds and parallel else None
        )
        tick = time.perf_counter()
        evaluation, methods, calibrations, weights = _backtest(panel, config, folds, report, holidays, baselines_done)
        durations["backtest"] = time.perf_counter() - tick
        report("backtested", 0.6)
        if final is not None:
            forecaster, durations["fit"], model_forecast = final.result()
        elif fit_final:
            forecaster, durations["fit"], model_forecast = _timed_fit(panel, config, holidays, horizon)
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


def _backtest_folds(panel: Panel, config: ModelConfig) -> int:
    """How many folds of `fold_days` fit after a minimal training period (0: no backtest)."""
    available = panel.days - config.window_size - config.min_training_days
    return max(0, min(config.backtest_folds, available // config.fold_days))


MethodResults = dict[str, "MethodResult"]


def _backtest_layout(panel: Panel, config: ModelConfig, folds: int) -> tuple[int, int]:
    """The first origin and the fold length of a backtest of `folds` folds."""
    return panel.days - folds * config.fold_days, config.fold_days


def _scorer(panel: Panel, config: ModelConfig, folds: int, forecasts: dict[str, Matrix]) -> Backtest:
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
    )


def _backtest_baselines(
    panel: Panel, config: ModelConfig, folds: int, holidays: HolidayCalendar | None = None
) -> tuple[dict[str, Matrix], MethodResults]:
    """Every baseline's forecasts of the backtest folds (each from the days before its fold's
    origin), and their scores and calibrations."""
    origin, steps = _backtest_layout(panel, config, folds)
    per_fold = [_baseline_forecasts(panel, origin + k * steps, steps, holidays) for k in range(folds)]
    forecasts = {name: np.concatenate([fold[name] for fold in per_fold], axis=1) for name in baselines.BASELINES}
    return forecasts, _scorer(panel, config, folds, forecasts).method_results()


def _backtest(
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
    forecaster = _fit(panel, config, end=origin, holidays=holidays)
    report("backtest model", 0.35)
    model_folds = [
        _model_forecast(forecaster, panel, origin + k * steps, steps, config, holidays) for k in range(folds)
    ]
    report("backtest forecasts", 0.45)
    model = {MODEL_NAME: np.nan_to_num(np.concatenate(model_folds, axis=1), nan=0.0)}
    results = _scorer(panel, config, folds, model).method_results()
    baseline_forecasts, baseline_results = (
        baselines_done.result() if baselines_done is not None else _backtest_baselines(panel, config, folds, holidays)
    )
    forecasts = {**model, **baseline_forecasts}
    results.update(baseline_results)
    backtest = _scorer(panel, config, folds, forecasts)
    all_folds = {name: result.scores for name, result in results.items()}
    weight_table: dict[str, npt.NDArray[np.float64]] = {}
    if config.combine_top > 0:
        weight_table = backtest.weights({name: result.mase for name, result in all_folds.items()})
        combined = combination.combine(forecasts, weight_table)
        backtest.forecasts[COMBINATION] = combined
        results[COMBINATION] = _scorer(panel, config, folds, {COMBINATION: combined}).method_results()[COMBINATION]
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

    rows = []
    for name, result in all_folds.items():
        for index, product in enumerate(panel.product_ids):
            if name == "tsb" and not backtest.intermittent[index]:
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
    per_product = pd.DataFrame(rows, columns=EVALUATION_COLUMNS)
    evaluation = Evaluation(
        per_product, pooled["all_folds"], pooled["held_out"], folds, steps, panel.dates[origin].date(), backtest
    )
    return evaluation, methods, calibrations, weights


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

    def _calibration_days(self) -> int:
        return max(1, self.folds // 2) * self.steps

    def score_all(self, name: str) -> Scores:
        """Point metrics of the mean forecast over every fold; coverage and the median
        forecast's metrics on the folds after the first half, with the intervals and the median
        calibrated on the first half."""
        days = self._calibration_days()
        forecast = self.forecasts[name]
        calibration = IntervalCalibration.fit(forecast[:, :days], self.actual[:, :days], profiles=self.profiles)
        held = forecast[:, days:] if self.folds > 1 else forecast
        return score(
            self.actual,
            forecast,
            self.scale,
            calibration.bounds(held),
            established=self.established,
            median=calibration.median(held, self.profiles),
        )

    def score_last_fold(self, forecast: Matrix, calibration_forecast: Matrix) -> Scores:
        cut = (self.folds - 1) * self.steps
        days = min(self._calibration_days(), cut)
        calibration = IntervalCalibration.fit(
            calibration_forecast[:, :days], self.actual[:, :days], profiles=self.profiles
        )
        return score(
            self.actual[:, cut:],
            forecast,
            self.scale,
            calibration.bounds(forecast),
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
                calibration=IntervalCalibration.fit(forecast, self.actual, profiles=self.profiles),
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
    columns = [
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
    if not panel.product_ids:
        return pd.DataFrame(columns=columns)
    count = len(panel.product_ids)
    forecasts = _baseline_forecasts(panel, panel.days, horizon, trained.holidays)
    if trained.forecaster is not None and panel.days >= trained.forecaster.window_size:
        made = trained.model_forecast
        if made is not None and made[1].shape[1] >= horizon and made[0] == panel_digest(panel):
            forecasts[MODEL_NAME] = made[1][:, :horizon]
        else:
            forecasts[MODEL_NAME] = _model_forecast(
                trained.forecaster, panel, panel.days, horizon, trained.config, trained.holidays
            )
    if trained.weights:
        forecasts[COMBINATION] = _combined(trained, panel, forecasts, horizon)
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
    recent = _recent_mean(panel, horizon)
    profiles = demand_profiles(panel.values)
    yhat = np.zeros((count, horizon))
    median = np.zeros((count, horizon))
    bounds = {nominal: (np.zeros((count, horizon)), np.zeros((count, horizon))) for nominal in INTERVALS}
    for method in set(chosen):
        rows = np.array([index for index, name in enumerate(chosen) if name == method])
        if method == NO_SALES_METHOD:
            continue
        values = recent[rows] if method == NEW_PRODUCT_METHOD else forecasts[method][rows]
        values = np.clip(values, 0.0, None)
        yhat[rows] = values
        calibration = trained.calibrations.get(method)
        if calibration is not None:
            method_bounds = calibration.bounds(values)
            median[rows] = calibration.median(values, profiles[rows])
        else:
            method_bounds = _poisson_bounds(values)
            median[rows] = _poisson_median(values)
        for nominal in INTERVALS:
            bounds[nominal][0][rows] = np.minimum(method_bounds[nominal][0], values)
            bounds[nominal][1][rows] = np.maximum(method_bounds[nominal][1], values)
        # A steady seller's errors are symmetric enough that its median is its mean: the bin's
        # median error would only re-add the backtest's bias (measured on real shops' data,
        # docs/forecasting.md).
        steady = profiles[rows] == STEADY_PROFILE
        median[rows[steady]] = values[steady]
        # A product selling on fewer than half of its days: no higher than a Poisson count's
        # median around the mean (counts this sparse are at least as dispersed, with more
        # mass at zero), which the bins, pooled with busier products, can miss.
        sparse = profiles[rows] // 4 <= 1
        median[rows[sparse]] = np.minimum(median[rows[sparse]], _poisson_median(values[sparse]))
        # The median comes from the product's demand profile, the intervals from every error:
        # keep it inside the 80 % interval.
        median[rows] = np.clip(median[rows], bounds[0.80][0][rows], bounds[0.80][1][rows])
    start = (panel.dates[-1] + pd.Timedelta(days=1)) if panel.days else pd.Timestamp.today().normalize()
    days = pd.date_range(start, periods=horizon, freq="D")
    result = pd.DataFrame(
        {
            "product_id": np.repeat(np.array(panel.product_ids, dtype=object), horizon),
            "date": np.tile(days.date, count),
            "method": np.repeat(np.array(chosen, dtype=object), horizon),
            "yhat": yhat.ravel(),
            "yhat_median": median.ravel(),
            "yhat_lower_80": bounds[0.80][0].ravel(),
            "yhat_upper_80": bounds[0.80][1].ravel(),
            "yhat_lower_95": np.minimum(bounds[0.95][0], bounds[0.80][0]).ravel(),
            "yhat_upper_95": np.maximum(bounds[0.95][1], bounds[0.80][1]).ravel(),
        }
    )
    return result


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
