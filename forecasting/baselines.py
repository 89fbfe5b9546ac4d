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


ETS_ALPHAS = (0.02, 0.05, 0.1, 0.2, 0.35)
ETS_GAMMAS = (0.0, 0.02, 0.05, 0.15)
ETS_FIT_DAYS = 182
ETS_WARMUP_DAYS = 182


def weekly_ets(
    history: Matrix,
    horizon: int,
    alphas: tuple[float, ...] = ETS_ALPHAS,
    gammas: tuple[float, ...] = ETS_GAMMAS,
) -> Matrix:
    """Exponential smoothing with an additive weekly season, ETS(A,N,A), flat level plus each
    weekday's offset, with each series' smoothing weights (level α, season γ) chosen from the
    grid by the smallest one-step absolute error over its last `ETS_FIT_DAYS` days. Vectorised
    over every series and every pair of weights at once: a thousand series in milliseconds.

    Level and offsets start from the means of the first four weeks of the window; an offset is
    never allowed below minus the level, so a weekday the shop is closed forecasts zero, not
    less. The forecast is clipped at zero."""
    series, days = history.shape
    if days == 0:
        return np.zeros((series, horizon))
    start = max(0, days - ETS_FIT_DAYS - ETS_WARMUP_DAYS)
    window = history[:, start:]
    length = window.shape[1]
    if length < 2 * SEASON:
        return moving_average(history, horizon)
    fit_from = max(SEASON, length - ETS_FIT_DAYS)
    grid_alpha = np.repeat(np.asarray(alphas, dtype=np.float64), len(gammas))[:, None]
    grid_gamma = np.tile(np.asarray(gammas, dtype=np.float64), len(alphas))[:, None]
    combos = grid_alpha.shape[0]
    first = window[:, : min(28, length)]
    first_weeks = first.shape[1] // SEASON * SEASON
    level = np.broadcast_to(first[:, :first_weeks].mean(axis=1), (combos, series)).copy()
    # season[k] is the offset of the weekday of window day k (mod 7)
    weekday_means = first[:, :first_weeks].reshape(series, -1, SEASON).mean(axis=1)
    offsets = (weekday_means - weekday_means.mean(axis=1, keepdims=True)).T  # (7, series)
    season = np.broadcast_to(offsets[:, None, :], (SEASON, combos, series)).copy()
    errors = np.zeros((combos, series))
    for day in range(length):
        position = day % SEASON
        observed = window[:, day]
        predicted = level + season[position]
        error = observed - predicted
        if day >= fit_from:
            errors += np.abs(observed - np.maximum(predicted, 0.0))
        level = level + grid_alpha * error
        season[position] = np.maximum(season[position] + grid_gamma * error, -level)
    best = errors.argmin(axis=0)
    columns = np.arange(series)
    chosen_level = level[best, columns]
    steps = (length + np.arange(horizon)) % SEASON
    result = chosen_level[:, None] + season[steps][:, best, columns].T
    return np.asarray(np.clip(result, 0.0, None))


PROFILE_WEEKS = 26


def weekday_profile(
    history: Matrix, horizon: int, window: int = MOVING_AVERAGE_DAYS, weeks: int = PROFILE_WEEKS
) -> Matrix:
    """The mean of the last `window` days shaped by each weekday's share of the last `weeks`
    weeks' units: a multiplicative weekly pattern (a weekday the shop keeps closed forecasts
    zero)."""
    series, days = history.shape
    if days < SEASON:
        return moving_average(history, horizon, window)
    weeks = min(weeks, days // SEASON)
    recent = history[:, days - weeks * SEASON :].reshape(series, weeks, SEASON).sum(axis=1)
    total = recent.sum(axis=1, keepdims=True)
    shares = np.where(total > 0, recent * SEASON / np.where(total > 0, total, 1.0), 1.0)
    level = history[:, -window:].mean(axis=1, keepdims=True)
    # column j of `recent` is the weekday of the days at positions ≡ j (mod 7) from its start
    steps = (days + np.arange(horizon) - (days - weeks * SEASON)) % SEASON
    return np.asarray(level * shares[:, steps])


def weekday_profile_long(history: Matrix, horizon: int) -> Matrix:
    """`weekday_profile` over a year of weeks and an 8-week level: steadier, for steady sellers."""
    return weekday_profile(history, horizon, 56, 52)


PROFILE_ALPHAS = (0.03, 0.06, 0.1, 0.15, 0.25, 0.4)


def profile_smoothing(history: Matrix, horizon: int, alphas: tuple[float, ...] = PROFILE_ALPHAS) -> Matrix:
    """`weekday_profile` with a smoothed level: each day's units divided by its weekday's share
    (the last `PROFILE_WEEKS` weeks' pattern), smoothed exponentially with each series' weight
    chosen from `alphas` by the smallest one-step absolute error over its last
    `ETS_FIT_DAYS` days, times the shares again. A multiplicative weekly season that adapts
    its level faster than a 28-day mean when sales shift, and slower when they are noisy.
    Days of a weekday with almost no share (a closed weekday) do not move the level."""
    series, days = history.shape
    if days < 2 * SEASON:
        return weekday_profile(history, horizon)
    weeks = min(PROFILE_WEEKS, days // SEASON)
    recent = history[:, days - weeks * SEASON :].reshape(series, weeks, SEASON).sum(axis=1)
    total = recent.sum(axis=1, keepdims=True)
    shares = np.where(total > 0, recent * SEASON / np.where(total > 0, total, 1.0), 1.0)
    start = max(0, days - ETS_FIT_DAYS - ETS_WARMUP_DAYS)
    fit_from = max(start + 28, days - ETS_FIT_DAYS)
    offset = days - weeks * SEASON  # day `offset + j` has the weekday of shares[:, j]
    weights = np.asarray(alphas, dtype=np.float64)[:, None]
    level = np.broadcast_to(history[:, start : start + 28].mean(axis=1), (len(alphas), series)).copy()
    errors = np.zeros((len(alphas), series))
    for day in range(start, days):
        share = shares[:, (day - offset) % SEASON]
        observed = history[:, day]
        if day >= fit_from:
            errors += np.abs(observed - level * share)
        informative = share >= 0.2
        deseasoned = np.where(informative, observed / np.where(informative, share, 1.0), level)
        level = level + weights * (deseasoned - level)
    best = errors.argmin(axis=0)
    chosen = level[best, np.arange(series)]
    steps = (days + np.arange(horizon) - offset) % SEASON
    return np.asarray(np.clip(chosen[:, None] * shares[:, steps], 0.0, None))


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
    "weekly_ets": weekly_ets,
    "weekday_profile": weekday_profile,
    "weekday_profile_long": weekday_profile_long,
    "profile_smoothing": profile_smoothing,
}
