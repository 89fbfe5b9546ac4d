"""Forecasting: per-product backtest scores of every run, and the model artifacts of runs.

`forecast_evaluations` holds, per run, product and method (the global model and each
baseline), the rolling-origin backtest's MASE, WAPE, bias and interval coverage, and whether
that method was chosen for the product. `forecast_models` keeps a run's trained model (a
pickle) with the library versions it was made with, so a redelivered run resumes from it and a
version change means retraining.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from server.core.migrate import tenant_isolation

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forecast_evaluations",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("mase", sa.Float(), nullable=True),
        sa.Column("wape", sa.Float(), nullable=True),
        sa.Column("bias", sa.Float(), nullable=True),
        sa.Column("coverage_80", sa.Float(), nullable=True),
        sa.Column("coverage_95", sa.Float(), nullable=True),
        sa.Column("selected", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "run_id"],
            ["forecast_runs.organization_id", "forecast_runs.id"],
            name=op.f("fk_forecast_evaluations_organization_id_run_id_forecast_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "product_id"],
            ["products.organization_id", "products.id"],
            name=op.f("fk_forecast_evaluations_organization_id_product_id_products"),
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "run_id", "product_id", "method", name=op.f("pk_forecast_evaluations")
        ),
    )
    op.create_table(
        "forecast_models",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("versions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("artifact", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "run_id"],
            ["forecast_runs.organization_id", "forecast_runs.id"],
            name=op.f("fk_forecast_models_organization_id_run_id_forecast_runs"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "run_id", name=op.f("pk_forecast_models")),
    )
    for table in ("forecast_evaluations", "forecast_models"):
        for statement in tenant_isolation(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("forecast_models")
    op.drop_table("forecast_evaluations")
