"""Public holidays as features the global model knows in advance (skforecast `exog`).

A shop trades on a public holiday much as on a Sunday: the opening hours and the crowd of a
Sunday, not those of the weekday the date falls on. Per-product smoothing (AutoETS, the
baselines) cannot know that; the global model can, because the holiday calendar of the
tenant's country is known for the forecast horizon as well as for the history.

`HolidayCalendar.for_country("CL")` takes the calendar from the `holidays` package (offline
data, every year on demand); `HolidayCalendar(frozenset(dates))` is any other calendar (a
region's, a shop's own closing days). `country_of_locale("es-CL")` is the country of a
tenant's locale.

Invariants: `features(dates)` has one row per date, in order, with the columns `FEATURES`,
and depends only on each date and the calendar — never on sales — so the rows of the forecast
horizon are exactly what the rows of the history were on the same kind of day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

FEATURES = ("holiday", "effective_weekday", "days_to_holiday", "days_since_holiday")
HORIZON_CAP = 7  # days to/from a holiday further than this read as "none nearby"


@lru_cache(maxsize=64)
def _country_days(country: str, year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays(country, years=year).keys())


def country_of_locale(locale: str | None) -> str | None:
    """The ISO 3166 country of a BCP 47 locale (`es-CL` → `CL`, `es_cl` → `CL`), or None when
    the locale names no region or the region has no holiday calendar."""
    if not locale:
        return None
    parts = locale.replace("_", "-").split("-")
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            country = part.upper()
            return country if has_calendar(country) else None
    return None


@lru_cache(maxsize=256)
def has_calendar(country: str) -> bool:
    """Whether the `holidays` package knows public holidays for `country`. Asking for the one
    country imports its module alone; listing the supported countries would import all of
    them (more than a second, once per process)."""
    import holidays

    try:
        holidays.country_holidays(country.upper())
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """Public holidays: a fixed set of dates, or a country's calendar for any year."""

    days: frozenset[date] = frozenset()
    country: str | None = None

    @classmethod
    def for_country(cls, country: str) -> HolidayCalendar:
        """The public holidays of `country` (ISO 3166 alpha-2); ValueError if unknown."""
        code = country.upper()
        if not has_calendar(code):
            raise ValueError(f"no holiday calendar for country {country!r}")
        return cls(country=code)

    def holidays_in(self, years: Iterable[int]) -> frozenset[date]:
        result = set(self.days)
        if self.country is not None:
            for year in years:
                result |= _country_days(self.country, year)
        return frozenset(result)

    def features(self, dates: pd.DatetimeIndex) -> pd.DataFrame:
        """Per date: `holiday` (0/1), `effective_weekday` (0 = Monday; a holiday counts as
        Sunday, 6), and the days to the next and since the last holiday, capped at
        `HORIZON_CAP` (the cap also means "none nearby")."""
        index = pd.DatetimeIndex(dates)
        if len(index) == 0:
            return pd.DataFrame({name: pd.Series(dtype=float) for name in FEATURES}, index=index)
        # Look a week beyond both ends so that the distances do not depend on where the range stops.
        start, stop = index.min() - pd.Timedelta(days=HORIZON_CAP), index.max() + pd.Timedelta(days=HORIZON_CAP)
        span = pd.date_range(start, stop, freq="D")
        known = self.holidays_in(range(start.year, stop.year + 1))
        flags = np.fromiter((day.date() in known for day in span), dtype=bool, count=len(span))
        positions = np.arange(len(span))
        marked = np.where(flags, positions, -(10**9))
        last = np.maximum.accumulate(marked)
        marked_next = np.where(flags, positions, 10**9)
        following = np.minimum.accumulate(marked_next[::-1])[::-1]
        where = span.get_indexer(index.normalize())
        holiday = flags[where]
        weekday = np.where(holiday, 6, index.dayofweek.to_numpy())
        since = np.minimum(positions[where] - last[where], HORIZON_CAP)
        until = np.minimum(following[where] - positions[where], HORIZON_CAP)
        return pd.DataFrame(
            {
                "holiday": holiday.astype(np.float64),
                "effective_weekday": weekday.astype(np.float64),
                "days_to_holiday": until.astype(np.float64),
                "days_since_holiday": since.astype(np.float64),
            },
            index=index,
        )
