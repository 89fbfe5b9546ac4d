from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from forecasting.schemas import RunStatus, RunTrigger
from server.core.db import Base, TenantScoped


class ForecastRun(TenantScoped, Base):
    """One forecasting run of a tenant. At most one queued or running run per tenant."""

    __tablename__ = "forecast_runs"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        ForeignKeyConstraint(["organization_id", "requested_by"], ["users.organization_id", "users.id"]),
        Index(
            "uq_forecast_runs_active",
            "organization_id",
            unique=True,
            postgresql_where=text("status in ('queued', 'running')"),
        ),
        Index("ix_forecast_runs_created", "organization_id", "created_at"),
        CheckConstraint("status in ('queued', 'running', 'succeeded', 'failed')", name="status"),
        CheckConstraint("trigger in ('schedule', 'manual')", name="trigger"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    status: Mapped[RunStatus] = mapped_column(String(16), server_default="queued")
    trigger: Mapped[RunTrigger] = mapped_column(String(16))
    requested_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    horizon_days: Mapped[int] = mapped_column(server_default="30")
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    durations: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    versions: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Prediction(TenantScoped, Base):
    """One run's forecast of one product: its daily values from `first_day` on, one array
    element per day (element i is day `first_day + i`) — the mean (`yhat`), the median, and
    80 % and 95 % intervals. One row per product and run rather than per day: a nightly run
    writes a thousand rows, not thirty thousand, and a reader gets a product's whole horizon
    from one row. Invariant: every array has the same number of elements (CHECK)."""

    __tablename__ = "predictions"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "run_id"], ["forecast_runs.organization_id", "forecast_runs.id"]),
        ForeignKeyConstraint(["organization_id", "product_id"], ["products.organization_id", "products.id"]),
        CheckConstraint(
            "cardinality(yhat) >= 1 and array_ndims(yhat) = 1"
            " and cardinality(yhat_lower_80) = cardinality(yhat) and cardinality(yhat_upper_80) = cardinality(yhat)"
            " and cardinality(yhat_lower_95) = cardinality(yhat) and cardinality(yhat_upper_95) = cardinality(yhat)"
            " and (yhat_median is null or cardinality(yhat_median) = cardinality(yhat))",
            name="daily_arrays",
        ),
        Index("ix_predictions_product", "organization_id", "product_id", "first_day"),
    )

    run_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    first_day: Mapped[date] = mapped_column(Date)
    model: Mapped[str] = mapped_column(String(32))
    yhat: Mapped[list[float]] = mapped_column(ARRAY(Float))  # the mean
    yhat_median: Mapped[list[float] | None] = mapped_column(ARRAY(Float))
    yhat_lower_80: Mapped[list[float]] = mapped_column(ARRAY(Float))
    yhat_upper_80: Mapped[list[float]] = mapped_column(ARRAY(Float))
    yhat_lower_95: Mapped[list[float]] = mapped_column(ARRAY(Float))
    yhat_upper_95: Mapped[list[float]] = mapped_column(ARRAY(Float))


class ForecastEvaluation(TenantScoped, Base):
    """Backtest scores of one method for one product in one run; `selected` marks the method
    the product's predictions came from."""

    __tablename__ = "forecast_evaluations"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "run_id"], ["forecast_runs.organization_id", "forecast_runs.id"]),
        ForeignKeyConstraint(["organization_id", "product_id"], ["products.organization_id", "products.id"]),
    )

    run_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    method: Mapped[str] = mapped_column(String(32), primary_key=True)
    mase: Mapped[float | None] = mapped_column(Float)
    wape: Mapped[float | None] = mapped_column(Float)
    bias: Mapped[float | None] = mapped_column(Float)
    coverage_80: Mapped[float | None] = mapped_column(Float)
    coverage_95: Mapped[float | None] = mapped_column(Float)
    mase_median: Mapped[float | None] = mapped_column(Float)
    wape_median: Mapped[float | None] = mapped_column(Float)
    selected: Mapped[bool] = mapped_column(Boolean)
    # The method's share of the combination the product is served (1 for the combination's
    # own row; null outside it, and for runs made before combinations).
    weight: Mapped[float | None] = mapped_column(Float)


class ForecastModel(TenantScoped, Base):
    """The trained model of a run (`forecasting.model.TrainedModel.dumps()`), with the library
    versions it was made with."""

    __tablename__ = "forecast_models"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "run_id"], ["forecast_runs.organization_id", "forecast_runs.id"]),
    )

    run_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    versions: Mapped[dict[str, Any]] = mapped_column(JSONB)
    artifact: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
