"""Public holidays: a country's calendar, the features the model sees, and a model that uses
them to forecast a holiday in the horizon like the holidays it has seen."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from forecasting import global_model, model
from forecasting.holiday_calendar import FEATURES, HolidayCalendar, country_of_locale
from forecasting.model import ModelConfig, forecast, make_panel, predict, train

FAST = ModelConfig(n_estimators=60, learning_rate=0.1, min_child_samples=20)


def test_the_country_of_a_locale() -> None:
    assert country_of_locale("es-CL") == "CL"
    assert country_of_locale("es_cl") == "CL"
    assert country_of_locale("en") is None
    assert country_of_locale("") is None
    assert country_of_locale(None) is None
    assert country_of_locale("xx-ZZ") is None


def test_chile_s_public_holidays_as_features() -> None:
    calendar = HolidayCalendar.for_country("cl")
    dates = pd.date_range("2026-09-14", "2026-09-24", freq="D")
    features = calendar.features(dates)
    assert list(features.columns) == list(FEATURES)
    assert list(features.index) == list(dates)
    holidays = {day.date() for day in features.index[features["holiday"] == 1]}
    assert holidays == {date(2026, 9, 18), date(2026, 9, 19)}  # Independence Day, Army Day
    # A holiday counts as Sunday whatever weekday it falls on (Sep 18, 2026 is a Friday).
    assert features.loc["2026-09-18", "effective_weekday"] == 6
    assert features.loc["2026-09-17", "effective_weekday"] == 3
    assert features.loc["2026-09-16", "days_to_holiday"] == 2
    assert features.loc["2026-09-21", "days_since_holiday"] == 2
    assert features.loc["2026-09-14", "days_since_holiday"] == 7  # capped: none within a week
    # Movable feasts come from the calendar too: Good Friday 2027 is March 26.
    assert calendar.features(pd.DatetimeIndex(["2027-03-26"]))["holiday"].iloc[0] == 1
    # Features depend on the date alone, not on the range asked for.
    alone = calendar.features(pd.DatetimeIndex(["2026-09-16"]))
    assert alone.iloc[0].to_dict() == features.loc["2026-09-16"].to_dict()


def test_an_unknown_country_is_refused() -> None:
    with pytest.raises(ValueError):
        HolidayCalendar.for_country("ZZ")
    history = pd.DataFrame({"product_id": ["a"], "date": [date(2026, 1, 1)], "quantity": [1]})
    with pytest.raises(ValueError):
        forecast(history, 7, country="ZZ")


def holiday_history(holidays: set[date], products: int = 10, days: int = 420, seed: int = 5) -> pd.DataFrame:
    """Poisson counts with a weekly pattern; on a holiday the shop sells as on a Sunday, except
    on the closing days in `closed` (nothing at all)."""
    rng = np.random.default_rng(seed)
    start = date(2025, 1, 6)  # a Monday
    week = np.array([0.8, 0.8, 0.9, 1.0, 1.4, 1.8, 0.4])
    rows = []
    for index in range(products):
        level = rng.uniform(5, 15)
        for offset in range(days):
            day = start + timedelta(days=offset)
            factor = week[6] if day in holidays else week[offset % 7]
            quantity = rng.poisson(level * factor)
            if quantity:
                rows.append((f"p{index}", day, quantity))
    return pd.DataFrame(rows, columns=["product_id", "date", "quantity"])


def test_the_model_forecasts_a_holiday_like_the_holidays_it_has_seen() -> None:
    start = date(2025, 1, 6)
    # A holiday every 16 days (so on every weekday in turn), in the history and in the horizon.
    holidays = {start + timedelta(days=offset) for offset in range(5, 460, 16)}
    history = holiday_history(holidays)
    last = pd.Timestamp(history["date"].max()).date()
    horizon = 14
    upcoming = sorted(day for day in holidays if last < day <= last + timedelta(days=horizon))
    weekday_holidays = [day for day in upcoming if day.weekday() < 6]
    assert weekday_holidays, "the horizon must hold a holiday that is not a Sunday"
    calendar = HolidayCalendar(days=frozenset(holidays))

    panel = make_panel(history)
    aware = train(panel, config=FAST, holidays=calendar)
    blind = train(panel, config=FAST)
    assert aware.forecaster.exog_in_ and not blind.forecaster.exog_in_
    # The backtest scores the model with the calendar better than without it.
    assert aware.evaluation.pooled[model.MODEL_NAME]["wape"] < blind.evaluation.pooled[model.MODEL_NAME]["wape"]

    def on(result: pd.DataFrame, day: date) -> float:
        return float(result.loc[result["date"] == day, "yhat"].sum())

    with_calendar = predict(aware, panel, horizon)
    without = predict(blind, panel, horizon)
    for day in weekday_holidays:
        same_weekday = day - timedelta(days=7)
        if same_weekday <= last or same_weekday in holidays:
            same_weekday = day + timedelta(days=7)
        # The holiday is forecast well below an ordinary day of the same weekday, and below
        # what the model without the calendar forecasts for it.
        assert on(with_calendar, day) < 0.75 * on(with_calendar, same_weekday)
        assert on(with_calendar, day) < 0.8 * on(without, day)

    # The public contract takes the calendar too, and a trained model survives its artifact.
    result = forecast(history, horizon, holidays=calendar)
    assert len(result) == 10 * horizon and (result["yhat"] >= 0).all()
    restored = model.TrainedModel.loads(aware.dumps())
    assert restored is not None and restored.holidays == calendar
    again = predict(restored, panel, horizon)
    assert np.allclose(again["yhat"].to_numpy(), with_calendar["yhat"].to_numpy())


def test_closing_days_are_told_apart_from_holidays() -> None:
    start = date(2025, 1, 6)
    holidays = {start + timedelta(days=offset) for offset in range(5, 420, 16)}
    closed = sorted(holidays)[::4]
    history = holiday_history(holidays)
    history = history[~history["date"].isin(closed)]  # the shop did not open on those holidays
    panel = make_panel(history)
    exog = global_model.holiday_exog(FAST, HolidayCalendar(days=frozenset(holidays)), panel.dates, panel)
    assert exog is not None and list(exog.columns) == list(FAST.holiday_features)
    marked = {day.date() for day in exog.index[exog["closed"] == 1]}
    assert marked == set(closed) & {day.date() for day in panel.dates}
    ahead = global_model.holiday_exog(
        FAST, HolidayCalendar(days=frozenset(holidays)), pd.date_range(panel.dates[-1], periods=5)
    )
    assert ahead is not None and (ahead["closed"] == 0).all()  # the horizon is taken to be open
