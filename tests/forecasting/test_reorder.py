"""Reorder suggestions: lead-time demand, safety stock from the forecast's spread, run-out dates."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from forecasting.reorder import Z_95, DailyForecast, suggest

TODAY = date(2026, 3, 10)


def flat(days: int, yhat: float, upper: float, start: date = TODAY) -> list[DailyForecast]:
    return [DailyForecast(start + timedelta(days=offset), yhat, upper) for offset in range(days)]


def test_lead_time_demand_safety_stock_and_quantity() -> None:
    forecasts = flat(30, 2.0, 2.0 + Z_95)  # σ = 1 per day
    result = suggest(forecasts, today=TODAY, stock=5, lead_time_days=4, service_level=0.95)
    assert result.lead_time_demand == pytest.approx(8.0)
    assert result.safety_stock == pytest.approx(1.6449 * 2, abs=1e-3)  # z(0.95) · √4
    assert result.suggested_quantity == math.ceil(8 + 1.6449 * 2 - 5)
    assert result.runout_date == TODAY + timedelta(days=2)  # 2 + 2 + 2 > 5 on the third day
    assert result.runs_out_within_lead_time


def test_a_higher_service_level_holds_more_safety_stock() -> None:
    forecasts = flat(30, 1.0, 3.0)
    low = suggest(forecasts, today=TODAY, stock=0, lead_time_days=7, service_level=0.8)
    high = suggest(forecasts, today=TODAY, stock=0, lead_time_days=7, service_level=0.99)
    assert high.safety_stock > low.safety_stock and high.suggested_quantity > low.suggested_quantity


def test_plenty_of_stock_needs_no_order_and_runs_out_after_the_horizon() -> None:
    result = suggest(flat(30, 1.0, 2.0), today=TODAY, stock=100, lead_time_days=5, service_level=0.95)
    assert result.suggested_quantity == 0 and not result.runs_out_within_lead_time
    assert result.runout_date == TODAY + timedelta(days=100)


def test_no_demand_never_runs_out_and_no_stock_runs_out_today() -> None:
    assert suggest(flat(30, 0.0, 0.0), today=TODAY, stock=3, lead_time_days=5, service_level=0.95).runout_date is None
    empty = suggest(flat(30, 0.5, 1.0), today=TODAY, stock=0, lead_time_days=3, service_level=0.95)
    assert empty.runout_date == TODAY and empty.runs_out_within_lead_time


def test_lead_times_beyond_the_horizon_continue_at_the_last_weeks_rate() -> None:
    forecasts = flat(7, 2.0, 2.0)
    result = suggest(forecasts, today=TODAY, stock=0, lead_time_days=21, service_level=0.95)
    assert result.lead_time_demand == pytest.approx(42.0)
    past = flat(3, 9.0, 9.0, start=TODAY - timedelta(days=3)) + forecasts
    assert suggest(past, today=TODAY, stock=0, lead_time_days=7, service_level=0.95).lead_time_demand == 14.0


def test_service_level_must_be_a_probability() -> None:
    with pytest.raises(ValueError):
        suggest(flat(7, 1.0, 1.0), today=TODAY, stock=0, lead_time_days=1, service_level=1.0)


def test_the_order_by_date_is_the_runout_less_the_lead_time() -> None:
    ample = suggest(flat(30, 1.0, 2.0), today=TODAY, stock=20, lead_time_days=5, service_level=0.95)
    assert ample.runout_date == TODAY + timedelta(days=20)  # 21 units sold exceed 20
    assert ample.order_by_date == TODAY + timedelta(days=15)
    late = suggest(flat(30, 2.0, 3.0), today=TODAY, stock=3, lead_time_days=4, service_level=0.95)
    assert late.runs_out_within_lead_time and late.order_by_date is not None and late.order_by_date < TODAY
    never = suggest(flat(30, 0.0, 0.0), today=TODAY, stock=3, lead_time_days=5, service_level=0.95)
    assert never.runout_date is None and never.order_by_date is None
