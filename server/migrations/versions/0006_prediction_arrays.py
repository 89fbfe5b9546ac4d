"""Forecasting: one prediction row per run and product, its days as arrays.

`predictions` held one row per run, product and day: thirty thousand rows a night for a shop of
a thousand products, each checked against two foreign keys on insert (two thirds of the time a
run spent storing them). Now a row holds a product's whole horizon: `first_day` and, for each
figure (`yhat`, `yhat_median`, the 80 % and 95 % bounds), one array element per day from
`first_day` on. Existing rows are converted (their days are consecutive by construction);
the downgrade converts back.

The conversion runs as the owner, with row-level security not forced on the old table (the
owner is bound by forced security, and no tenant is set during a migration); the new table is
filled before its security is enabled, then bound like every tenant table.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from server.core.migrate import tenant_isolation

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FIGURES = ("yhat", "yhat_median", "yhat_lower_80", "yhat_upper_80", "yhat_lower_95", "yhat_upper_95")
ARRAYS_CHECK = (
    "cardinality(yhat) >= 1 and array_ndims(yhat) = 1"
    " and cardinality(yhat_lower_80) = cardinality(yhat) and cardinality(yhat_upper_80) = cardinality(yhat)"
    " and cardinality(yhat_lower_95) = cardinality(yhat) and cardinality(yhat_upper_95) = cardinality(yhat)"
    " and (yhat_median is null or cardinality(yhat_median) = cardinality(yhat))"
)


def _foreign_keys() -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            ["organization_id", "product_id"],
            ["products.organization_id", "products.id"],
            name=op.f("fk_predictions_organization_id_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "run_id"],
            ["forecast_runs.organization_id", "forecast_runs.id"],
            name=op.f("fk_predictions_organization_id_run_id_forecast_runs"),
        ),
    ]


def upgrade() -> None:
    op.execute("alter table predictions no force row level security")
    medians = "case when bool_and(yhat_median is not null) then array_agg(yhat_median order by day) end"
    aggregated = ", ".join(
        f"{medians if figure == 'yhat_median' else f'array_agg({figure} order by day)'} as {figure}"
        for figure in FIGURES
    )
    op.execute(
        "create table predictions_by_product as select organization_id, run_id, product_id, min(day) as first_day, "
        f"min(model) as model, {aggregated} from predictions group by organization_id, run_id, product_id"
    )
    op.drop_index("ix_predictions_product", table_name="predictions")
    op.drop_table("predictions")
    array = postgresql.ARRAY(sa.Float())
    op.create_table(
        "predictions",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("model", sa.String(length=32), nullable=False),
        sa.Column("yhat", array, nullable=False),
        sa.Column("yhat_median", array, nullable=True),
        sa.Column("yhat_lower_80", array, nullable=False),
        sa.Column("yhat_upper_80", array, nullable=False),
        sa.Column("yhat_lower_95", array, nullable=False),
        sa.Column("yhat_upper_95", array, nullable=False),
        *_foreign_keys(),
        sa.CheckConstraint(ARRAYS_CHECK, name=op.f("ck_predictions_daily_arrays")),
        sa.PrimaryKeyConstraint("organization_id", "run_id", "product_id", name=op.f("pk_predictions")),
    )
    op.create_index("ix_predictions_product", "predictions", ["organization_id", "product_id", "first_day"])
    columns = "organization_id, run_id, product_id, first_day, model, " + ", ".join(FIGURES)
    op.execute(f"insert into predictions ({columns}) select {columns} from predictions_by_product")
    op.drop_table("predictions_by_product")
    for statement in tenant_isolation("predictions"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("alter table predictions no force row level security")
    elements = ", ".join(f"{figure}[i] as {figure}" for figure in FIGURES if figure != "yhat_median")
    op.execute(
        "create table predictions_by_day as select organization_id, run_id, product_id, first_day + (i - 1) as day, "
        f"model, {elements}, yhat_median[i] as yhat_median "
        "from predictions cross join lateral generate_subscripts(yhat, 1) as i"
    )
    op.drop_index("ix_predictions_product", table_name="predictions")
    op.drop_table("predictions")
    op.create_table(
        "predictions",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("model", sa.String(length=32), nullable=False),
        sa.Column("yhat", sa.Float(), nullable=False),
        sa.Column("yhat_lower_80", sa.Float(), nullable=False),
        sa.Column("yhat_upper_80", sa.Float(), nullable=False),
        sa.Column("yhat_lower_95", sa.Float(), nullable=False),
        sa.Column("yhat_upper_95", sa.Float(), nullable=False),
        sa.Column("yhat_median", sa.Float(), nullable=True),
        *_foreign_keys(),
        sa.PrimaryKeyConstraint("organization_id", "run_id", "product_id", "day", name=op.f("pk_predictions")),
    )
    op.create_index("ix_predictions_product", "predictions", ["organization_id", "product_id", "day"])
    columns = "organization_id, run_id, product_id, day, model, " + ", ".join(FIGURES)
    op.execute(f"insert into predictions ({columns}) select {columns} from predictions_by_day")
    op.drop_table("predictions_by_day")
    for statement in tenant_isolation("predictions"):
        op.execute(statement)
