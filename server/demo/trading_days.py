"""The demo shop's calendar: the days it trades, the days it is closed, and the holidays and
events that move its demand, per aisle group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from server.demo.aisles import GROUPS
from server.demo.identifiers import MICROS

Array = npt.NDArray[Any]

TIME_ZONE = "America/Santiago"

# Day multipliers per group around the dates that move a Chilean shop ("*": every group).
EVENTS: dict[tuple[int, int], dict[str, float]] = {
    (1, 2): {"*": 0.8},
    (9, 14): {"carnes": 1.4, "botilleria": 1.4, "bebidas": 1.2, "snacks": 1.2},
    (9, 15): {"carnes": 1.9, "botilleria": 1.8, "bebidas": 1.4, "snacks": 1.4, "panaderia": 1.3},
    (9, 16): {"carnes": 2.6, "botilleria": 2.4, "bebidas": 1.7, "snacks": 1.6, "panaderia": 1.5},
    (9, 17): {"*": 1.15, "carnes": 3.5, "botilleria": 3.0, "bebidas": 2.0, "snacks": 1.8, "panaderia": 1.8},
    (9, 18): {"carnes": 3.0, "botilleria": 3.2, "bebidas": 2.2, "snacks": 2.0, "panaderia": 2.0},
    (9, 19): {"carnes": 2.2, "botilleria": 2.4, "bebidas": 1.8, "snacks": 1.6, "panaderia": 1.6},
    (9, 20): {"*": 0.7},
    (12, 22): {"botilleria": 1.4, "snacks": 1.3, "bebidas": 1.2},
    (12, 23): {"botilleria": 1.8, "snacks": 1.5, "bebidas": 1.4, "carnes": 1.4},
    (12, 24): {"*": 1.3, "botilleria": 2.5, "snacks": 2.0, "bebidas": 1.8, "carnes": 1.8, "helados": 1.5},
    (12, 25): {"*": 0.35},
    (12, 30): {"botilleria": 1.6, "bebidas": 1.4, "snacks": 1.3},
    (12, 31): {"*": 1.2, "botilleria": 3.0, "bebidas": 2.2, "snacks": 2.0, "carnes": 1.8, "helados": 1.5},
}
PUBLIC_HOLIDAYS = frozenset(
    {
        (1, 1), (5, 1), (5, 21), (6, 20), (6, 29), (7, 16), (8, 15),
        (9, 18), (9, 19), (10, 12), (10, 31), (11, 1), (12, 8), (12, 25),
    }
)  # fmt: skip
CLOSED = frozenset({(1, 1), (5, 1)})
HOLIDAY_DEMAND = 0.9
DEMAND_SCALE = 1.0


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


@dataclass(frozen=True, slots=True)
class Calendar:
    dates: list[date]
    weekday: Array  # 0 = Monday; public holidays count as Sundays
    is_open: Array
    opens: Array  # local minutes after midnight
    closes: Array
    midnight: Array  # UTC microseconds of the local day's 00:00 (the day's offset holds 07:00-24:00)
    day_of_year: Array
    lift: Array  # (group, day) demand multipliers
    next_open: Array  # the first open day on or after each day (len(dates) when none)


def build_calendar(start: date, days: int) -> Calendar:
    zone = ZoneInfo(TIME_ZONE)
    dates = [start + timedelta(days=offset) for offset in range(days)]
    easters = {year: easter(year) for year in {day.year for day in dates}}
    weekday = np.empty(days, dtype=np.int64)
    opens = np.empty(days, dtype=np.int64)
    closes = np.empty(days, dtype=np.int64)
    midnight = np.empty(days, dtype=np.int64)
    lift = np.ones((len(GROUPS), days))
    for index, day in enumerate(dates):
        key = (day.month, day.day)
        good_friday = easters[day.year] - timedelta(days=2)
        holiday = key in PUBLIC_HOLIDAYS or day in (good_friday, good_friday + timedelta(days=1))
        weekday[index] = 6 if holiday else day.weekday()
        if key in CLOSED:
            opens[index], closes[index] = -1, -1
        elif key == (12, 25):
            opens[index], closes[index] = 11 * 60, 15 * 60
        elif key in ((12, 24), (12, 31)):
            opens[index], closes[index] = 8 * 60 + 30, 19 * 60
        elif weekday[index] == 6:
            opens[index], closes[index] = 10 * 60, 20 * 60
        else:
            opens[index], closes[index] = 8 * 60 + 30, 21 * 60 + 30
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
        offset = noon.utcoffset() or timedelta()
        naive = datetime(day.year, day.month, day.day, tzinfo=UTC)
        midnight[index] = int(naive.timestamp() - offset.total_seconds()) * MICROS
        event = EVENTS.get(key, {})
        general = event.get("*", HOLIDAY_DEMAND if holiday else 1.0)
        for group_index, group in enumerate(GROUPS):
            lift[group_index, index] = general * event.get(group, 1.0)
    is_open = opens >= 0
    next_open = np.full(days + 1, days, dtype=np.int64)
    for index in range(days - 1, -1, -1):
        next_open[index] = index if is_open[index] else next_open[index + 1]
    return Calendar(
        dates=dates,
        weekday=weekday,
        is_open=is_open,
        opens=opens,
        closes=closes,
        midnight=midnight,
        day_of_year=np.array([day.timetuple().tm_yday for day in dates], dtype=np.int64),
        lift=lift,
        next_open=next_open[:days],
    )
