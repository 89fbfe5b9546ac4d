"""Baselines and metrics on hand-checkable numbers."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.baselines import is_intermittent, moving_average, seasonal_naive, tsb
from forecasting.evaluation import IntervalCalibration, demand_profiles, score, seasonal_scale


def test_seasonal_naive_repeats_last_week() -> None:
    history = np.arange(14, dtype=float)[None, :]
    assert seasonal_naive(history, 10).tolist() == [[7, 8, 9, 10, 11, 12, 13, 7, 8, 9]]
    assert seasonal_naive(np.array([[1.0, 2.0]]), 3).shape == (1, 3)


def test_moving_average_and_tsb() -> None:
    history = np.array([[0.0] * 20 + [2.0] * 28, [0.0, 3.0] * 24])
    assert moving_average(history, 2)[0].tolist() == [2.0, 2.0]
    forecast = tsb(history, 3)
    assert forecast.shape == (2, 3) and np.allclose(forecast[1], forecast[1][0])
    assert 1.0 < forecast[1][0] < 2.0  # sells 3 units every other day: about 1.5 a day
    assert tsb(np.zeros((1, 10)), 2).tolist() == [[0.0, 0.0]]
    assert is_intermittent(history).tolist() == [True, True]
    assert not is_intermittent(np.ones((1, 30)))[0]


def test_metrics() -> None:
    history = np.array([[1.0, 2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7, 8]])
    scale = seasonal_scale(history)
    assert scale.tolist() == [1.0]
    actual = np.array([[2.0, 4.0]])
    forecast = np.array([[3.0, 3.0]])
    result = score(actual, forecast, scale, {0.8: (np.array([[1.0, 3.5]]), np.array([[3.0, 5.0]]))})
    assert result.mase.tolist() == [1.0]
    assert result.wape.tolist() == [pytest.approx(2 / 6)]
    assert result.bias.tolist() == [0.0]
    assert result.coverage_80.tolist() == [1.0]
    assert np.isnan(result.coverage_95[0]) and result.pooled["coverage_95"] is None


def test_interval_calibration_is_binned_by_forecast_size() -> None:
    rng = np.random.default_rng(1)
    forecast = np.repeat(np.array([[1.0], [20.0]]), 500, axis=1)
    actual = rng.poisson(forecast).astype(float)
    calibration = IntervalCalibration.fit(forecast, actual)
    bounds = calibration.bounds(forecast)
    width = bounds[0.95][1] - bounds[0.95][0]
    assert width[1, 0] > 2 * width[0, 0]
    inside = (actual >= bounds[0.8][0]) & (actual <= bounds[0.8][1])
    assert 0.78 <= inside.mean() <= 0.97
    assert (bounds[0.95][0] >= 0).all()


def test_the_median_forecast_is_the_forecast_plus_its_bins_median_error() -> None:
    rng = np.random.default_rng(2)
    forecast = np.repeat(np.array([[0.3], [2.0], [30.0]]), 2000, axis=1)
    actual = rng.poisson(forecast).astype(float)
    calibration = IntervalCalibration.fit(forecast, actual)
    median = calibration.median(forecast)
    # Poisson medians: 0 for a mean of 0.3 (74 % of its days sell nothing), 2 for 2, 30 for 30.
    assert median[:, 0].tolist() == [0.0, 2.0, 30.0]
    bounds = calibration.bounds(forecast)
    assert ((bounds[0.8][0] <= median) & (median <= bounds[0.8][1])).all()
    # Scored on a fresh draw, the median's absolute error is lower than the mean's.
    fresh = rng.poisson(forecast).astype(float)
    result = score(fresh, forecast, np.ones(3), median=median)
    assert result.pooled["wape_median"] < result.pooled["wape"]
    assert result.mase_median is not None and result.mase_median[0] < result.mase[0]


def test_demand_profiles_tell_steady_from_lumpy_sellers() -> None:
    steady = np.ones(200)  # 1 unit every day
    lumpy = np.tile([3.0, 0.0, 0.0], 67)[:200]  # 3 units one day in three: the same mean
    rare = np.zeros(200)
    rare[::20] = 1.0
    profiles = demand_profiles(np.stack([steady, lumpy, rare, np.zeros(200)]))
    assert profiles.tolist() == [3 * 4 + 0, 1 * 4 + 3, 0 * 4 + 0, 0]
    assert demand_profiles(np.zeros((2, 0))).tolist() == [0, 0]


def test_each_profile_gets_its_own_median_and_the_intervals_pool_every_error() -> None:
    rng = np.random.default_rng(3)
    days = 1000
    steady = rng.poisson(1.0, size=(10, days)).astype(float)
    lumpy = 3.0 * (rng.random((10, days)) < 1 / 3)
    actual = np.concatenate([steady, lumpy])
    forecast = np.ones_like(actual)  # both sell a unit a day on average
    profiles = demand_profiles(actual)
    calibration = IntervalCalibration.fit(forecast, actual, profiles=profiles)
    median = calibration.median(forecast, profiles)
    assert (median[:10] == 1.0).all() and (median[10:] == 0.0).all()
    assert calibration.median(forecast).max() == calibration.median(forecast).min()  # without profiles, one median
    pooled = IntervalCalibration.fit(forecast, actual).bounds(forecast)
    with_profiles = calibration.bounds(forecast)
    assert all(np.array_equal(pooled[level][side], with_profiles[level][side]) for level in pooled for side in (0, 1))


def test_days_near_a_holiday_get_intervals_from_their_own_errors() -> None:
    rng = np.random.default_rng(3)
    series, days = 100, 40
    forecast = np.full((series, days), 10.0)
    events = np.zeros(days, dtype=bool)
    events[[10, 11, 12, 30, 31]] = True
    noise = np.where(events, 8.0, 1.0)  # errors near holidays are eight times the usual
    actual = forecast + rng.normal(0.0, 1.0, (series, days)) * noise
    calibration = IntervalCalibration.fit(forecast, actual, events=events)
    pooled = IntervalCalibration.fit(forecast, actual)
    ahead = np.full((2, 3), 10.0)
    flags = np.array([False, True, False])
    lower, upper = calibration.bounds(ahead, flags)[0.95]
    plain_lower, plain_upper = pooled.bounds(ahead)[0.95]
    # ordinary days: narrower than intervals pooled over every day, about ±1.96
    assert upper[0, 0] - lower[0, 0] < plain_upper[0, 0] - plain_lower[0, 0]
    assert 3.0 < upper[0, 0] - lower[0, 0] < 5.0
    # the day near a holiday: wider than the pooled one, about ±1.96 × 8
    assert upper[0, 1] - lower[0, 1] > 20.0
    # without flags every day is ordinary; without a calendar nothing changes
    assert np.allclose(calibration.bounds(ahead)[0.95][1], upper[:, [0, 0, 0]])
    assert np.allclose(IntervalCalibration.fit(forecast, actual, events=None).bounds(ahead)[0.95][1], plain_upper)


def test_too_few_errors_near_holidays_keep_the_pooled_intervals() -> None:
    forecast = np.full((5, 30), 4.0)
    actual = forecast + np.linspace(-3, 3, 150).reshape(5, 30)
    events = np.zeros(30, dtype=bool)
    events[3] = True  # 5 errors: too few for tails of their own
    calibration = IntervalCalibration.fit(forecast, actual, events=events)
    assert calibration.near_holiday is None
    flags = np.array([True, False])
    assert np.allclose(
        calibration.bounds(np.full((1, 2), 4.0), flags)[0.8][1], 4.0 + np.quantile(actual - forecast, 0.9)
    )
