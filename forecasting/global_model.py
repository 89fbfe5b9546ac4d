"""The global model: one skforecast `ForecasterRecursiveMultiSeries` over LightGBM for all of a
tenant's products, its features known in advance (holidays, closed days), fitting it and
forecasting with it from any origin of the panel.

LightGBM, skforecast and the `holidays` package are imported on first use (`load_libraries`
imports them ahead), so that importing this module costs nothing."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from forecasting.config import ModelConfig
from forecasting.evaluation import Matrix
from forecasting.features import LevelFeatures
from forecasting.holiday_calendar import HolidayCalendar
from forecasting.panel import Panel, panel_frame

LEVEL_COLUMN = "_level_skforecast"  # skforecast's column of the series' ordinal code


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


def build_forecaster(config: ModelConfig, level_groups: npt.NDArray[np.float64] | None = None) -> Any:
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


def _training_start(config: ModelConfig, end: int) -> int:
    return 0 if config.training_days is None else max(0, end - config.training_days)


def holiday_exog(
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


def fit_model(
    panel: Panel, config: ModelConfig, end: int | None = None, holidays: HolidayCalendar | None = None
) -> Any:
    """Fit the global model on the panel's days before `end` (all by default)."""
    stop = panel.days if end is None else end
    frame = panel_frame(panel, end=stop, start=_training_start(config, stop))
    forecaster = build_forecaster(config, _level_groups(panel, config, frame.columns))
    # No `warnings.catch_warnings()` here: it swaps process-wide filters, which is unsafe in the
    # second thread a fit may run in; `suppress_warnings` silences skforecast's own warnings.
    forecaster.fit(
        series=frame,
        exog=holiday_exog(config, holidays, frame.index, panel),
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


def timed_fit(
    panel: Panel, config: ModelConfig, holidays: HolidayCalendar | None, horizon: int | None = None
) -> tuple[Any, float, Matrix | None]:
    """The final model, the seconds its fit took, and (with `horizon`) its forecast of the
    `horizon` days after the panel."""
    started = time.perf_counter()
    forecaster = fit_model(panel, config, holidays=holidays)
    seconds = time.perf_counter() - started
    forecast = None
    if horizon is not None and horizon >= 1 and panel.days >= forecaster.window_size:
        forecast = model_forecast(forecaster, panel, panel.days, horizon, config, holidays)
    return forecaster, seconds, forecast


def model_forecast(
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
    last_window = panel_frame(panel, origin, start=max(0, origin - window))[known]
    exog = None
    if forecaster.exog_in_:
        start = last_window.index[-1] + pd.Timedelta(days=1)
        exog = holiday_exog(config, holidays, pd.date_range(start, periods=horizon, freq="D"))
    # No `warnings.catch_warnings()`: this runs in the second thread too (the final model's
    # forecast), and it swaps process-wide filters; `suppress_warnings` silences skforecast's.
    predicted = forecaster.predict(
        steps=horizon, levels=known, last_window=last_window, exog=exog, suppress_warnings=True
    )
    wide = predicted.pivot(columns="level", values="pred")
    wide = wide.reindex(columns=[str(p) for p in panel.product_ids])
    return np.clip(wide.to_numpy().T, 0.0, None)  # NaN for products the model was not fitted on
