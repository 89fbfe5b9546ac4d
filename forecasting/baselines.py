"""The baselines every run is measured against, vectorised over a matrix of series.

Every function takes `history`, a float matrix of shape (series, days) whose last column is the
day before the first forecast day, and returns a (series, horizon) matrix of point forecasts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.floating[Any]]

SEASON = 7
MOVING_AVERAGE_DAYS = 28
TSB_DEMAND_SMOOTHING = 0.1
TSB_PROBABILITY_SMOOTHING = 0.1


def seasonal_naive(history: Matrix, horizon: int) -> Matrix:
    """Last week, repeated: the value 7 days before each forecast day."""
    series, days = history.shape
    if days == 0:
        return np.zeros((series, horizon))
    week = history[:, -SEASON:]
    if week.shape[1] < SEASON:
        week = np.concatenate([np.repeat(week[:, :1], SEASON - week.shape[1], axis=1), week], axis=1)
    repeats = -(-horizon // SEASON)
    return np.tile(week, repeats)[:, :horizon]


def moving_average(history: Matrix, horizon: int, window: int = MOVING_AVERAGE_DAYS) -> Matrix:
    """The mean of the last `window` days, flat."""
    series, days = history.shape
    if days == 0:
        return np.zeros((series, horizon))
    level = history[:, -window:].mean(axis=1, keepdims=True)
    return np.repeat(level, horizon, axis=1)


def tsb(
    history: Matrix,
    horizon: int,
    *,
    demand_smoothing: float = TSB_DEMAND_SMOOTHING,
    probability_smoothing: float = TSB_PROBABILITY_SMOOTHING,
) -> Matrix:
    """Teunter-Syntetos-Babai for intermittent demand: exponentially smoothed probability of a
    sale on a day times the smoothed size of a sale, flat. Unlike Croston's method, the
    probability decays through runs of zeros, so a product that stopped selling fades out."""
    series, days = history.shape
    if days == 0:
        return np.zeros((series, horizon))
    occurred = history > 0
    first_sale = np.where(occurred.any(axis=1), occurred.argmax(axis=1), days)
    size = np.where(first_sale < days, history[np.arange(series), np.minimum(first_sale, days - 1)], 0.0)
    probability = np.where(first_sale < days, 1.0 / (first_sale + 1.0), 0.0)
    for day in range(days):
        active = day > first_sale
        sold = occurred[:, day] & active
        size = np.where(sold, size + demand_smoothing * (history[:, day] - size), size)
        probability = np.where(
            active, probability + probability_smoothing * (sold.astype(float) - probability), probability
        )
    return np.repeat((probability * size)[:, None], horizon, axis=1)


SES_ALPHAS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
SES_FIT_DAYS = 182


def simple_exponential_smoothing(history: Matrix, horizon: int, alphas: tuple[float, ...] = SES_ALPHAS) -> Matrix:
    """Simple exponential smoothing, flat, with each series' smoothing weight chosen from
    `alphas` by the smallest one-step absolute error over its last `SES_FIT_DAYS` days."""
    series, days = history.shape
    if days == 0:
        return np.zeros((series, horizon))
    start = max(0, days - SES_FIT_DAYS - 28)
    fit_from = max(start + 1, days - SES_FIT_DAYS)
    levels = np.empty((len(alphas), series))
    errors = np.zeros((len(alphas), series))
    weights = np.asarray(alphas)[:, None]
    levels[:] = history[:, start : start + 28].mean(axis=1) if days - start >= 28 else history[:, start]
    for day in range(start, days):
        observed = history[:, day]
        if day >= fit_from:
            errors += np.abs(observed - levels)
        levels += weights * (observed - levels)
    best = errors.argmin(axis=0)
    return np.repeat(levels[best, np.arange(series)][:, None], horizon, axis=1)


def is_intermittent(history: Matrix, *, window: int = 182, threshold: float = 1.32) -> npt.NDArray[np.bool_]:
    """Average inter-demand interval above 1.32 days over the recent `window` (Syntetos-Boylan):
    the series where Croston-style methods are worth trying."""
    recent = history[:, -window:]
    sales_days = (recent > 0).sum(axis=1)
    interval = np.where(sales_days > 0, recent.shape[1] / np.maximum(sales_days, 1), np.inf)
    return np.asarray(interval > threshold)


BASELINES = {
    "seasonal_naive": seasonal_naive,
    "moving_average": moving_average,
    "tsb": tsb,
    "exponential_smoothing": simple_exponential_smoothing,
}
