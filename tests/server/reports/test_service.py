from __future__ import annotations

import uuid
from datetime import date

import pytest

from server.core.context import Tenant
from server.core.errors import ValidationFailed
from server.reports.schemas import ReportQuery
from server.reports.service import add_months, resolve_period

TENANT = Tenant(
    id=uuid.uuid4(),
    subdomain="aurora",
    name="Aurora",
    currency="CLP",
    locale="es-CL",
    time_zone="America/Santiago",
    tax_mode="inclusive",
    allow_negative_stock=False,
)
TODAY = date(2025, 3, 15)


def period(since: date | None = None, until: date | None = None) -> tuple[date, date]:
    resolved = resolve_period(TENANT, ReportQuery(since=since, until=until), today=TODAY)
    return resolved.since, resolved.until


def test_default_is_the_last_thirty_local_days_including_today() -> None:
    assert period() == (date(2025, 2, 14), date(2025, 3, 16))


def test_one_bound_given() -> None:
    assert period(since=date(2025, 3, 1)) == (date(2025, 3, 1), date(2025, 3, 16))
    assert period(until=date(2025, 3, 1)) == (date(2025, 1, 30), date(2025, 3, 1))
    assert period(since=date(2025, 3, 1), until=date(2025, 3, 1)) == (date(2025, 3, 1), date(2025, 3, 1))


@pytest.mark.parametrize(
    ("since", "until", "field"),
    [
        (date(2025, 3, 2), date(2025, 3, 1), "since"),
        (date(2025, 4, 1), None, "since"),
        (date(2024, 2, 29), date(2026, 3, 30), "until"),
        (date(1899, 12, 31), None, "since"),
        (None, date(9999, 12, 31), "until"),
    ],
)
def test_reversed_too_long_or_absurd_periods_are_refused(since: date | None, until: date | None, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        period(since, until)
    assert refused.value.errors is not None and refused.value.errors[0].loc == ["query", field]


def test_two_years_and_a_month_is_the_longest_period() -> None:
    assert period(date(2024, 2, 29), date(2026, 3, 29)) == (date(2024, 2, 29), date(2026, 3, 29))


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 25) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2025, 12, 15), 1) == date(2026, 1, 15)
