"""What turns the candidates' forecasts into the one a product is served (docs/forecasting.md).

Real shops' histories have what a generator lacks, and each piece here answers one of them:

- **closed days** (`shop_closed`): days on which the whole shop sold nothing (Christmas, Good
  Friday, a stocktake). The per-product candidates (moving average, exponential smoothing,
  weekday profile, TSB) would read them as demand that vanished, so they see the history with
  those days filled by the same weekday a week earlier (`fill_closed`); the global model sees
  them as a feature of its own.
- **holidays by name** (`holiday_ratios`, `apply_holidays`): one flag for every public holiday
  cannot tell a bakery's Good Friday (closed) from its Easter Monday (open, busy). Each holiday
  the calendar names gets, per product, the ratio of its past sales on that holiday to the
  same weekday's sales in the weeks around it (pooled over the years it occurred, shrunk
  toward the whole shop's ratio when the product sold little on those days); a forecast day
  that is that holiday is the candidate's normal-day forecast times that ratio.
- **which candidate** (`combination_weights`): per product, the best `TOP` (5) candidates by
  their backtest MASE, weighted by the inverse of its square. A combination is never much
  worse than its best member and often better; a weight from its backtest error keeps a
  candidate that lost there from pulling it down.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from forecasting.evaluation import Matrix
from forecasting.holiday_calendar import HolidayCalendar

SEASON = 7
CLOSED_MIN_PRODUCTS = 3  # a day with no sale across fewer products is not evidence of a closed shop
TOP = 5
WEIGHT_POWER = 2.0
MASE_FLOOR = 0.05
HOLIDAY_WEEKS = 2  # same weekday, this many weeks before and after, for a holiday's normal day
HOLIDAY_SHRINK_UNITS = 20.0
NEAR_HOLIDAY_DAYS = 1  # a day this near a public holiday is calibrated apart (`near_holidays`)
BARE_DAY = "holiday"  # units on the normal days at which the product's own ratio counts half


def shop_closed(values: Matrix) -> npt.NDArray[np.bool_]:
    """Per day: the whole shop sold nothing (and it has enough products for that to mean it)."""
    if values.shape[0] < CLOSED_MIN_PRODUCTS or values.shape[1] == 0:
        return np.zeros(values.shape[1], dtype=bool)
    totals = values.sum(axis=0)
    sold = np.flatnonzero(totals > 0)
    closed = totals <= 0
    if sold.size:
        closed[: sold[0]] = False  # before the shop's first sale: not open yet, not closed
    return np.asarray(closed)


def fill_closed(values: Matrix, closed: npt.NDArray[np.bool_]) -> Matrix:
    """`values` with each closed day replaced by the same weekday a week earlier (itself filled
    when closed too; the first week's closed days stay as they are)."""
    if not closed.any():
        return values
    filled = np.array(values, dtype=np.float64, copy=True)
    for day in np.flatnonzero(closed):
        if day >= SEASON:
            filled[:, day] = filled[:, day - SEASON]
    return filled


def holiday_names(calendar: HolidayCalendar | None, dates: pd.DatetimeIndex) -> list[str | None]:
    """Per date, the name of its public holiday (None on an ordinary day). The bare dates of a
    calendar (a shop's own closing days) share one name, `BARE_DAY`."""
    if calendar is None or len(dates) == 0:
        return [None] * len(dates)
    names: dict[date, str] = dict.fromkeys(calendar.days, BARE_DAY)
    if calendar.country is not None:
        import holidays

        years = range(dates[0].year, dates[-1].year + 1)
        for day, name in holidays.country_holidays(calendar.country, years=list(years), language="en_US").items():
            names[day] = str(name)
    return [names.get(day.date()) for day in dates]


def near_holidays(
    calendar: HolidayCalendar | None, dates: pd.DatetimeIndex, days: int = NEAR_HOLIDAY_DAYS
) -> npt.NDArray[np.bool_]:
    """Per date: a public holiday of `calendar` is at most `days` days away (the holiday
    itself, the eve, the day after). Forecast errors on these days are several times the
    usual (`IntervalCalibration`)."""
    if calendar is None or len(dates) == 0:
        return np.zeros(len(dates), dtype=bool)
    span = pd.date_range(dates[0] - pd.Timedelta(days=days), dates[-1] + pd.Timedelta(days=days), freq="D")
    holiday = np.array([name is not None for name in holiday_names(calendar, span)], dtype=bool)
    window = np.convolve(holiday.astype(np.int64), np.ones(2 * days + 1, dtype=np.int64), mode="valid") > 0
    position = (dates - span[0]).days - days
    return np.asarray(window[position], dtype=bool)


def holiday_ratios(values: Matrix, names: list[str | None], wanted: set[str]) -> dict[str, npt.NDArray[np.float64]]:
    """Per holiday name in `wanted`: per product, its sales on that holiday over its sales on
    the same weekday `HOLIDAY_WEEKS` weeks around it (ordinary days only), pooled over the
    holiday's occurrences in the history and shrunk toward the whole shop's ratio. A name the
    history has not seen gets the ratio of every holiday it has seen together; with none seen,
    no ratio."""
    days = values.shape[1]
    ordinary = np.array([name is None for name in names[:days]], dtype=bool)
    result: dict[str, npt.NDArray[np.float64]] = {}
    seen = {name for name in names[:days] if name is not None}
    everything = _ratio(values, names, ordinary, seen) if wanted - seen else None
    for name in wanted:
        ratio = _ratio(values, names, ordinary, {name}) if name in seen else everything
        if ratio is not None:
            result[name] = ratio
    return result


def _ratio(
    values: Matrix, names: list[str | None], ordinary: npt.NDArray[np.bool_], which: set[str]
) -> npt.NDArray[np.float64] | None:
    """`holiday_ratios`' ratio over the days named any of `which` (None: no usable day)."""
    days = values.shape[1]
    on = np.zeros(values.shape[0])
    normal = np.zeros(values.shape[0])
    if which:
        for day in (index for index, value in enumerate(names[:days]) if value in which):
            around = [
                day + SEASON * step
                for step in range(-HOLIDAY_WEEKS, HOLIDAY_WEEKS + 1)
                if step != 0 and 0 <= day + SEASON * step < days and ordinary[day + SEASON * step]
            ]
            if not around:
                continue
            on += values[:, day]
            normal += values[:, around].mean(axis=1)
    if normal.sum() <= 0:
        return None
    shop = on.sum() / normal.sum()
    weight = normal / (normal + HOLIDAY_SHRINK_UNITS)
    own = np.where(normal > 0, on / np.where(normal > 0, normal, 1.0), shop)
    return np.asarray(weight * own + (1 - weight) * shop)


def apply_holidays(
    forecast: Matrix,
    horizon_names: list[str | None],
    ratios: dict[str, npt.NDArray[np.float64]],
    *,
    knows_holidays: bool = False,
) -> Matrix:
    """`forecast` with each horizon day that is a holiday of known ratio set to the product's
    normal-day forecast times that ratio. For a method that does not know holidays its own
    forecast of the day is the normal day's; for one that does (`knows_holidays`, the global
    model) the normal day is its forecast of the same weekday a week before or after, when
    that day is in the horizon and ordinary (otherwise its own forecast is kept)."""
    result = np.array(forecast, dtype=np.float64, copy=True)
    steps = forecast.shape[1]
    for step, name in enumerate(horizon_names[:steps]):
        if name is None or name not in ratios:
            continue
        normal: Matrix | None = forecast[:, step]
        if knows_holidays:
            normal = None
            for other in (step - SEASON, step + SEASON, step - 2 * SEASON, step + 2 * SEASON):
                if 0 <= other < steps and horizon_names[other] is None:
                    normal = forecast[:, other]
                    break
        if normal is not None:
            result[:, step] = normal * ratios[name]
    return result


def combination_weights(
    scores: dict[str, npt.NDArray[np.float64]], allowed: dict[str, npt.NDArray[np.bool_]], top: int = TOP
) -> dict[str, npt.NDArray[np.float64]]:
    """Per method, per product, its weight in the product's combination: the `top` methods
    with the lowest backtest MASE (among those `allowed` for the product), weighted by
    1 / max(MASE, floor)². A product with no finite score gets the first method alone."""
    names = list(scores)
    count = len(next(iter(scores.values())))
    table = np.vstack([np.where(np.isfinite(scores[name]) & allowed[name], scores[name], np.inf) for name in names])
    order = np.argsort(table, axis=0, kind="stable")
    weights = np.zeros_like(table)
    rows = np.arange(count)
    for rank in range(min(top, len(names))):
        method = order[rank]
        value = table[method, rows]
        weights[method, rows] = np.where(np.isfinite(value), 1.0 / np.maximum(value, MASE_FLOOR) ** WEIGHT_POWER, 0.0)
    totals = weights.sum(axis=0)
    weights[0, totals <= 0] = 1.0
    weights /= np.maximum(weights.sum(axis=0), 1e-12)
    return {name: weights[index] for index, name in enumerate(names)}


def combine(forecasts: dict[str, Matrix], weights: dict[str, npt.NDArray[np.float64]]) -> Matrix:
    """Σ weight × forecast per product (methods without weight for a product add nothing)."""
    total: Any = None
    for name, weight in weights.items():
        if not weight.any():
            continue
        part = np.nan_to_num(forecasts[name], nan=0.0) * weight[:, None]
        total = part if total is None else total + part
    shape = next(iter(forecasts.values())).shape
    return np.zeros(shape) if total is None else np.asarray(total)
