"""The served combination's parts: closed days, holidays by name, weights, and the weekly
candidates, on small histories whose right answer is known."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecasting import baselines, combination
from forecasting.holiday_calendar import HolidayCalendar

WEEK = np.array([10.0, 12.0, 14.0, 16.0, 20.0, 30.0, 0.0])  # Monday … Sunday; closed on Sundays


def weekly(weeks: int, level: float = 1.0) -> np.ndarray:
    return np.tile(WEEK * level, weeks)


def test_a_weekday_the_shop_never_opens_is_forecast_as_zero_and_the_others_keep_their_pattern() -> None:
    history = np.vstack([weekly(40), weekly(40, 2.0)])  # day 0 is a Monday
    for candidate in (
        baselines.weekly_ets,
        baselines.weekday_profile,
        baselines.weekday_profile_long,
        baselines.profile_smoothing,
    ):
        forecast = candidate(history, 14)
        assert forecast.shape == (2, 14)
        assert np.allclose(forecast[:, 6], 0.0) and np.allclose(forecast[:, 13], 0.0), candidate.__name__
        assert np.allclose(forecast[0, :7], WEEK, rtol=0.02), candidate.__name__
        assert np.allclose(forecast[1, :7], 2 * WEEK, rtol=0.02), candidate.__name__


def test_a_level_shift_moves_the_smoothed_candidates_toward_the_new_level() -> None:
    history = np.concatenate([weekly(30), weekly(6, 2.0)])[None, :]
    for candidate in (baselines.weekly_ets, baselines.profile_smoothing):
        total = candidate(history, 7).sum()
        assert 1.6 * WEEK.sum() < total < 2.2 * WEEK.sum(), candidate.__name__


def test_closed_days_are_days_the_whole_shop_sold_nothing_and_are_filled_from_a_week_before() -> None:
    values = np.vstack([weekly(4) + 1, weekly(4, 2.0) + 1, weekly(4, 3.0) + 1])
    values[:, 15] = 0.0  # the whole shop closed (a holiday)
    values[0, 16] = 0.0  # one product sold nothing: not a closed day
    closed = combination.shop_closed(values)
    assert closed.tolist() == [day == 15 for day in range(values.shape[1])]
    filled = combination.fill_closed(values, closed)
    assert np.array_equal(filled[:, 15], values[:, 8]) and filled[0, 16] == 0.0
    # Before the shop's first sale nothing is "closed"; with too few products, nothing is.
    late = np.hstack([np.zeros((3, 5)), values])
    assert not combination.shop_closed(late)[:5].any()
    assert not combination.shop_closed(values[:2]).any()


def test_each_holiday_is_scaled_by_its_own_past_ratio_by_name() -> None:
    # Two years of a German shop that closes on Good Friday and sells half again on Easter Monday.
    dates = pd.date_range("2017-01-02", "2019-04-30", freq="D")
    names = combination.holiday_names(HolidayCalendar.for_country("DE"), dates)
    assert names[list(dates).index(pd.Timestamp("2018-03-30"))] == "Good Friday"
    assert names[list(dates).index(pd.Timestamp("2018-04-02"))] == "Easter Monday"
    end = list(dates).index(pd.Timestamp("2019-04-15"))  # the forecast starts on Monday 15 April 2019
    values = np.tile(np.array([100.0, 200.0])[:, None], (1, len(dates)))
    for index, name in enumerate(names[:end]):
        if name == "Good Friday":
            values[:, index] = 0.0
        elif name == "Easter Monday":
            values[:, index] *= 1.5
    ahead = names[end : end + 14]
    ratios = combination.holiday_ratios(values[:, :end], names[:end], {name for name in ahead if name})
    assert ratios["Good Friday"] == pytest.approx([0.0, 0.0])
    assert ratios["Easter Monday"] == pytest.approx([1.5, 1.5], rel=1e-6)
    flat = np.tile(np.array([100.0, 200.0])[:, None], (1, 14))
    adjusted = combination.apply_holidays(flat, ahead, ratios)
    assert adjusted[:, ahead.index("Good Friday")] == pytest.approx([0.0, 0.0])
    assert adjusted[:, ahead.index("Easter Monday")] == pytest.approx([150.0, 300.0])
    ordinary = [step for step, name in enumerate(ahead) if name is None]
    assert np.array_equal(adjusted[:, ordinary], flat[:, ordinary])
    # A method that knows holidays already: its normal day is the same weekday a week away.
    knowing = flat.copy()
    knowing[:, ahead.index("Good Friday")] = 40.0
    assert combination.apply_holidays(knowing, ahead, ratios, knows_holidays=True)[
        :, ahead.index("Good Friday")
    ] == pytest.approx([0.0, 0.0])


def test_a_holiday_the_history_has_not_seen_gets_the_ratio_of_every_holiday_together() -> None:
    names: list[str | None] = [None] * 70
    names[20], names[41] = "A", "B"
    values = np.full((1, 70), 10.0)
    values[0, 20], values[0, 41] = 5.0, 5.0
    ratios = combination.holiday_ratios(values, names, {"A", "C"})
    assert ratios["A"] == pytest.approx([0.5]) and ratios["C"] == pytest.approx([0.5])
    assert combination.holiday_ratios(values, [None] * 70, {"C"}) == {}
    bare = combination.holiday_names(
        HolidayCalendar(days=frozenset({date(2026, 3, 3)})), pd.date_range("2026-03-01", periods=5)
    )
    assert bare == [None, None, combination.BARE_DAY, None, None]


def test_weights_go_to_the_lowest_errors_sum_to_one_and_respect_what_a_product_may_use() -> None:
    scores = {
        "global_lgbm": np.array([0.5, np.nan, 0.9]),
        "moving_average": np.array([1.0, np.nan, 0.3]),
        "tsb": np.array([0.2, np.nan, 0.1]),
        "weekly_ets": np.array([0.6, np.nan, 0.4]),
    }
    allowed = {name: np.ones(3, dtype=bool) for name in scores}
    allowed["tsb"] = np.array([False, False, True])  # TSB: the intermittent product only
    weights = combination.combination_weights(scores, allowed, top=2)
    table = np.vstack([weights[name] for name in scores])
    assert np.allclose(table.sum(axis=0), 1.0)
    # Product 0: the model (0.5) and weekly ETS (0.6), by 1/MASE²; TSB was not allowed.
    assert weights["global_lgbm"][0] == pytest.approx((1 / 0.25) / (1 / 0.25 + 1 / 0.36))
    assert weights["tsb"][0] == 0 and weights["moving_average"][0] == 0
    # Product 1 has no score at all: the first method (the model) alone.
    assert weights["global_lgbm"][1] == 1.0
    # Product 2: TSB and the moving average.
    assert weights["tsb"][2] > weights["moving_average"][2] > 0 and weights["global_lgbm"][2] == 0
    forecasts = {name: np.full((3, 2), float(index)) for index, name in enumerate(scores)}
    combined = combination.combine(forecasts, weights)
    assert combined[1] == pytest.approx([0.0, 0.0])
    assert combined[2, 0] == pytest.approx(weights["moving_average"][2] * 1 + weights["tsb"][2] * 2)


def test_days_near_a_holiday_are_the_holiday_and_the_day_on_each_side() -> None:
    calendar = HolidayCalendar(days=frozenset({date(2024, 3, 10), date(2024, 3, 20)}))
    dates = pd.date_range("2024-03-05", "2024-03-21", freq="D")
    near = combination.near_holidays(calendar, dates)
    flagged = {day.day for day, flag in zip(dates, near, strict=True) if flag}
    assert flagged == {9, 10, 11, 19, 20, 21}
    assert not combination.near_holidays(None, dates).any()
