from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from server.core.pagination import PageQuery
from server.core.schemas import Input, Output

ExportableReport = Literal[
    "sales-by-day",
    "sales-by-hour",
    "sales-by-register",
    "sales-by-cashier",
    "sales-by-payment-method",
    "sales-by-category",
    "top-products",
    "gross-margin",
    "shifts",
]
ExportStatus = Literal["queued", "running", "ready", "failed"]


class ExportCreate(Input):
    """A report's CSV over a period of local days, made by a worker (the same rows as the report's
    `.csv` download). Without `until` the period ends after today; without `since` it starts 30
    days before `until`; at most 2 years and 1 month."""

    report: ExportableReport
    since: Annotated[date | None, msgspec.Meta(description="First local day included")] = None
    until: Annotated[date | None, msgspec.Meta(description="First local day not included")] = None
    by: Annotated[Literal["units", "revenue"], msgspec.Meta(description="top-products only")] = "units"
    limit: Annotated[int, msgspec.Meta(ge=1, le=100, description="top-products only")] = 10


class ExportRead(Output):
    id: uuid.UUID
    report: ExportableReport
    since: date
    until: date
    status: ExportStatus
    progress: Annotated[int, msgspec.Meta(description="0–100")]
    rows: int | None
    size: Annotated[int | None, msgspec.Meta(description="Bytes of the CSV, once ready")]
    filename: str
    error: str
    requested_by: uuid.UUID
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ExportQuery(PageQuery):
    status: ExportStatus | None = None
