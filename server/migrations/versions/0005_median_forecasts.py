"""Forecasting: the median forecast beside the mean.

`predictions.yhat_median` is each day's median forecast (the point forecast that absolute
errors such as MASE and WAPE call for); `yhat` stays the mean, which reorder quantities add up.
`forecast_evaluations.mase_median` and `wape_median` score that median on the backtest folds
after the first half (those its calibration did not see). Rows written before this revision
have no median (NULL).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("predictions", sa.Column("yhat_median", sa.Float(), nullable=True))
    op.add_column("forecast_evaluations", sa.Column("mase_median", sa.Float(), nullable=True))
    op.add_column("forecast_evaluations", sa.Column("wape_median", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column("forecast_evaluations", "wape_median")
    op.drop_column("forecast_evaluations", "mase_median")
    op.drop_column("predictions", "yhat_median")
