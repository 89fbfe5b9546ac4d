"""Reorder suggestions from a product's daily forecast (pure functions, no I/O).

For a product with lead time L days, stock S and daily forecasts yhat_d with 95 % upper bounds
u_d, from today on:

- lead-time demand μ_L = Σ yhat_d over the first L days;
- daily spread σ_d = (u_d − yhat_d) / 1.96 (the forecast's own uncertainty, read off its
  upper quantile, since running out is what matters), σ_L = √Σ σ_d² over the same days;
- safety stock = z · σ_L with z the standard normal quantile of the service level;
- reorder level = μ_L + safety stock; suggested quantity = ⌈reorder level − S⌉ when positive;
- run-out date: the first day on which cumulative forecast demand exceeds S (today when S ≤ 0),
  continued past the horizon at the horizon's last-week average rate, none when the rate is 0;
- a product runs out within its lead time when that date is before today + L: an order
  placed now would arrive too late;
- order-by date: the run-out date minus L, the last day on which an order still arrives before
  the shelf is empty (in the past when it is already too late; none without a run-out date).

Lead times longer than the horizon continue at the last week's average demand and spread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist
from typing import NamedTuple

Z_95 = 1.959963984540054
MAX_RUNOUT_DAYS = 365


class DailyForecast(NamedTuple):
    """One day of a product's forecast (a tuple: a run's thousand products make 30,000)."""

    day: date
    yhat: float
    upper_95: float


@dataclass(frozen=True, slots=True)
class Suggestion:
    lead_time_demand: float
    safety_stock: float
    reorder_level: float
    suggested_quantity: int
    runout_date: date | None
    runs_out_within_lead_time: bool
    order_by_date: date | None


def service_level_z(service_level: float) -> float:
    if not 0 < service_level < 1:
        raise ValueError("service level must be between 0 and 1")
    return NormalDist().inv_cdf(service_level)


def suggest(
    forecasts: Sequence[DailyForecast], *, today: date, stock: int, lead_time_days: int, service_level: float
) -> Suggestion:
    """The suggestion for one product; `forecasts` are its daily forecasts in date order."""
    upcoming = [f for f in forecasts if f.day >= today]
    demand = [max(0.0, f.yhat) for f in upcoming]
    spread = [max(0.0, f.upper_95 - f.yhat) / Z_95 for f in upcoming]
    tail = demand[-7:] or [0.0]
    tail_spread = spread[-7:] or [0.0]
    rate = sum(tail) / len(tail)
    tail_variance = sum(s * s for s in tail_spread) / len(tail_spread)
    lead = max(0, lead_time_days)
    covered = min(lead, len(demand))
    extra = lead - covered
    lead_demand = sum(demand[:covered]) + extra * rate
    variance = sum(s * s for s in spread[:covered]) + extra * tail_variance
    safety = max(0.0, service_level_z(service_level)) * math.sqrt(variance)
    reorder_level = lead_demand + safety
    quantity = max(0, math.ceil(reorder_level - stock - 1e-9))
    runout = _runout(demand, rate, today, stock)
    at_risk = runout is not None and runout < today + timedelta(days=lead)
    return Suggestion(
        lead_time_demand=round(lead_demand, 3),
        safety_stock=round(safety, 3),
        reorder_level=round(reorder_level, 3),
        suggested_quantity=quantity,
        runout_date=runout,
        runs_out_within_lead_time=at_risk,
        order_by_date=runout - timedelta(days=lead) if runout is not None else None,
    )


def _runout(demand: Sequence[float], rate: float, today: date, stock: int) -> date | None:
    if stock <= 0:
        return today
    remaining = float(stock)
    for offset, units in enumerate(demand):
        remaining -= units
        if remaining < 0:
            return today + timedelta(days=offset)
    if rate <= 0:
        return None
    days = len(demand) + math.floor(remaining / rate)
    return today + timedelta(days=days) if days <= MAX_RUNOUT_DAYS else None
