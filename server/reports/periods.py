"""Report periods: `[since, until)` in local days of the organization's time zone.

Invariants:
- Without `until` a period ends after today (local); without `since` it starts `DEFAULT_DAYS`
  before `until`. A reversed period, one longer than `MAX_MONTHS`, or a day outside
  `[EARLIEST, LATEST]` is a 422 on the query field.
- The statements turn the two local midnights into instants (`date::timestamp at time zone tz`,
  see `server.reports.sql`), so a sale is in the period exactly when its local day is.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.core.context import Context, Tenant
from server.core.errors import FieldError, ValidationFailed
from server.reports.schemas import ReportPeriod, ReportQuery

DEFAULT_DAYS = 30
MAX_MONTHS = 25  # two years and a month: a year-on-year comparison of a whole month fits
EARLIEST = date(1900, 1, 1)
LATEST = date(9000, 12, 31)


@dataclass(frozen=True, slots=True)
class Period:
    """Resolved `[since, until)` local days; `params` are the statement's common parameters."""

    since: date
    until: date
    time_zone: str
    organization_id: uuid.UUID
    currency: str

    @property
    def params(self) -> dict[str, Any]:
        return {"organization_id": self.organization_id, "since": self.since, "until": self.until, "tz": self.time_zone}

    def describe(self) -> ReportPeriod:
        return ReportPeriod(since=self.since, until=self.until, time_zone=self.time_zone, currency=self.currency)


def _query_error(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(loc=["query", field], msg=message)])


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month (Jan 31 + 1 → Feb 28/29)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def resolve_period(tenant: Tenant, query: ReportQuery, *, today: date | None = None) -> Period:
    """The period a query asks for. Without `until` it ends after today (local); without `since`
    it starts `DEFAULT_DAYS` before `until`. Reversed or longer than `MAX_MONTHS` → 422."""
    for field in ("since", "until"):
        value = getattr(query, field)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise _query_error(field, f"must be between {EARLIEST} and {LATEST}")
    today = today or datetime.now(ZoneInfo(tenant.time_zone)).date()
    until = query.until or today + timedelta(days=1)
    since = query.since or until - timedelta(days=DEFAULT_DAYS)
    if since > until:
        raise _query_error("since", f"must not be after until ({until})")
    if until > add_months(since, MAX_MONTHS):
        raise _query_error("until", "a report may span at most 2 years and 1 month")
    return Period(
        since=since, until=until, time_zone=tenant.time_zone, organization_id=tenant.id, currency=tenant.currency
    )


def period_of(ctx: Context, query: ReportQuery) -> Period:
    """The period `query` asks for, in the time zone and currency of the context's organization."""
    assert ctx.tenant is not None
    return resolve_period(ctx.tenant, query)
