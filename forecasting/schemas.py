"""API Structs of forecasting: runs, predictions, per-product evaluations and reorder suggestions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from server.core.pagination import PageQuery
from server.core.schemas import Input, Output

RunStatus = Literal["queued", "running", "succeeded", "failed"]
RunTrigger = Literal["schedule", "manual"]
Horizon = Annotated[int, msgspec.Meta(ge=7, le=30, description="Days to forecast (7–30)")]
SearchText = Annotated[
    str, msgspec.Meta(min_length=1, max_length=100, description="Name contains, or SKU or barcode starts with")
]
ServiceLevel = Annotated[
    float, msgspec.Meta(ge=0.5, le=0.999, description="Probability of not running out during the lead time")
]


class RunCreate(Input):
    horizon_days: Horizon = 30


class RunRead(Output):
    id: uuid.UUID
    status: RunStatus
    trigger: RunTrigger
    requested_by: uuid.UUID | None
    horizon_days: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    durations: dict[str, Any] | None
    metrics: dict[str, Any] | None
    versions: dict[str, Any] | None
    error: str | None


class RunQuery(PageQuery):
    status: RunStatus | None = None


class PredictionQuery(PageQuery):
    run_id: uuid.UUID | None = None
    product_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None


class PredictionRead(Output):
    run_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    date: date
    model: str
    yhat: float  # the mean: expected units
    yhat_median: float | None  # the median (None for runs made before it was stored)
    yhat_lower_80: float
    yhat_upper_80: float
    yhat_lower_95: float
    yhat_upper_95: float


class EvaluationQuery(PageQuery):
    product_id: uuid.UUID | None = None
    method: str | None = None
    selected: bool | None = None


class EvaluationRead(Output):
    product_id: uuid.UUID
    method: str
    mase: float | None
    wape: float | None
    bias: float | None
    coverage_80: float | None
    coverage_95: float | None
    mase_median: float | None
    wape_median: float | None
    selected: bool
    weight: Annotated[
        float | None,
        msgspec.Meta(
            description="The method's share of the combination the product is served (1: the combination itself)"
        ),
    ] = None


class ReorderQuery(PageQuery):
    service_level: ServiceLevel = 0.95
    search: SearchText | None = None
    product_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    needs_reorder: bool | None = None
    at_risk: bool | None = None


class ReorderSuggestion(Output):
    product_id: uuid.UUID
    sku: str
    name: str
    stock: int
    lead_time_days: int
    lead_time_demand: float
    safety_stock: float
    reorder_level: float
    suggested_quantity: int
    runout_date: date | None
    runs_out_within_lead_time: bool
    order_by_date: Annotated[
        date | None, msgspec.Meta(description="Last day an order arrives before the run-out (runout_date − lead time)")
    ]
    model: str
    run_id: uuid.UUID


class ReorderPage(Output):
    items: list[ReorderSuggestion]
    limit: int
    offset: int
    next_offset: int | None
    run_id: uuid.UUID | None
    service_level: float
    as_of: date


class HistoryQuery(Input):
    product_id: uuid.UUID
    days: Annotated[int, msgspec.Meta(ge=7, le=730, description="Local days before today (today is not complete)")] = 90


class HistoryDay(Output):
    date: date
    units: float


class ProductHistory(Output):
    """Units of one product sold per local day, every day of `[date_from, date_to]` (zero on
    days without a sale): completed sales, not net of refunds, like the forecast's history."""

    product_id: uuid.UUID
    date_from: date
    date_to: date
    days: list[HistoryDay]
