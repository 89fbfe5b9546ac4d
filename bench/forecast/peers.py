"""The benchmark's per-product peers, fitted on a history matrix: statsforecast AutoETS and
Prophet (the original design). Plain functions of arrays, so that a process pool can run them
(the accuracy fits are not timed; Prophet's timing is measured apart, one product at a time)."""

from __future__ import annotations

import logging
import resource
import time
import warnings

import numpy as np
import pandas as pd

Bounds = dict[float, tuple[np.ndarray, np.ndarray]]


def autoets(history: np.ndarray, dates: pd.DatetimeIndex, horizon: int) -> tuple[np.ndarray, Bounds, float]:
    """AutoETS (season 7) per series with statsforecast: forecasts, 80/95 bounds (clipped at
    zero), seconds."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(np.arange(history.shape[0]), history.shape[1]),
            "ds": np.tile(dates, history.shape[0]),
            "y": history.ravel(),
        }
    )
    started = time.perf_counter()
    engine = StatsForecast(models=[AutoETS(season_length=7)], freq="D", n_jobs=1)
    result = engine.forecast(df=frame, h=horizon, level=[80, 95])
    seconds = time.perf_counter() - started
    result = result.sort_values(["unique_id", "ds"])

    def matrix(column: str) -> np.ndarray:
        return np.clip(result[column].to_numpy().reshape(history.shape[0], horizon), 0.0, None)

    bounds = {
        0.80: (matrix("AutoETS-lo-80"), matrix("AutoETS-hi-80")),
        0.95: (matrix("AutoETS-lo-95"), matrix("AutoETS-hi-95")),
    }
    return matrix("AutoETS"), bounds, seconds


def quiet_prophet() -> None:
    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    logging.getLogger("prophet").setLevel(logging.WARNING)
    warnings.simplefilter("ignore")


def prophet_one(values: np.ndarray, dates: pd.DatetimeIndex, horizon: int, seed: int) -> np.ndarray:
    """Prophet (defaults) on one series: a (5, horizon) array of the forecast and the 80 % and
    95 % bounds (lower, upper), clipped at zero. `seed` seeds the sampling of the intervals, so
    the figures do not depend on which process fitted which product."""
    from prophet import Prophet

    fitted = Prophet(interval_width=0.80)
    fitted.fit(pd.DataFrame({"ds": dates, "y": values}))
    future = fitted.make_future_dataframe(periods=horizon, include_history=False)
    np.random.seed(seed)
    narrow = fitted.predict(future)
    fitted.interval_width = 0.95
    np.random.seed(seed)
    wide = fitted.predict(future)
    columns = (narrow["yhat"], narrow["yhat_lower"], narrow["yhat_upper"], wide["yhat_lower"], wide["yhat_upper"])
    return np.clip(np.stack([column.to_numpy()[:horizon] for column in columns]), 0.0, None)


def prophet_block(history: np.ndarray, dates: pd.DatetimeIndex, horizon: int, seeds: list[int]) -> np.ndarray:
    """`prophet_one` for each row of `history`: a (rows, 5, horizon) array."""
    quiet_prophet()
    return np.stack([prophet_one(history[row], dates, horizon, seeds[row]) for row in range(history.shape[0])])


def split(block: np.ndarray) -> tuple[np.ndarray, Bounds]:
    """A (series, 5, horizon) array of `prophet_block`s → forecasts and bounds."""
    return block[:, 0], {0.80: (block[:, 1], block[:, 2]), 0.95: (block[:, 3], block[:, 4])}


def prophet_timed(history: np.ndarray, dates: pd.DatetimeIndex, horizon: int) -> tuple[list[float], list[float]]:
    """Seconds (wall, CPU) per series for Prophet to fit and forecast `horizon` days with its
    80 % interval, one series at a time (the figure of the speed ratio)."""
    from prophet import Prophet

    quiet_prophet()
    seconds: list[float] = []
    cpu: list[float] = []
    for index in range(history.shape[0]):
        frame = pd.DataFrame({"ds": dates, "y": history[index]})
        started, started_cpu = time.perf_counter(), cpu_seconds()
        fitted = Prophet(interval_width=0.80)
        fitted.fit(frame)
        future = fitted.make_future_dataframe(periods=horizon, include_history=False)
        fitted.predict(future)
        seconds.append(time.perf_counter() - started)
        cpu.append(cpu_seconds() - started_cpu)
    return seconds, cpu


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (cmdstan, for Prophet)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _prophet_forecast(values: np.ndarray, dates: pd.DatetimeIndex, horizon: int) -> None:
    """Fit Prophet on one series and forecast `horizon` days with 80 % and 95 % intervals."""
    from prophet import Prophet

    fitted = Prophet(interval_width=0.80)
    fitted.fit(pd.DataFrame({"ds": dates, "y": values}))
    future = fitted.make_future_dataframe(periods=horizon, include_history=False)
    fitted.predict(future)
    fitted.interval_width = 0.95
    fitted.predict(future)


def prophet_same_work(
    history: np.ndarray, dates: pd.DatetimeIndex, origin: int, backtest_days: int, horizon: int
) -> tuple[list[float], list[float]]:
    """Seconds (wall, CPU) per product for Prophet to do what a run does for each product: a
    backtest (one fit at the backtest origin forecasting every fold, the cheapest backtest
    Prophet allows: it cannot re-anchor on the days before each fold without refitting) and the
    final fit forecasting `horizon` days, each with 80 % and 95 % intervals."""
    quiet_prophet()
    seconds: list[float] = []
    cpu: list[float] = []
    for index in range(history.shape[0]):
        started, started_cpu = time.perf_counter(), cpu_seconds()
        _prophet_forecast(history[index, :origin], dates[:origin], backtest_days)
        _prophet_forecast(history[index], dates, horizon)
        seconds.append(time.perf_counter() - started)
        cpu.append(cpu_seconds() - started_cpu)
    return seconds, cpu
