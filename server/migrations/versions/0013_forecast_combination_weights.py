"""Forecast evaluations: each method's weight in the product's served combination.

A run serves each product a combination of the candidate methods with the lowest backtest
MASE, weighted by that error (forecasting/combination.py); `weight` is a method's share of it
(1 for the combination's own row, null for a method outside it and for runs made before).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("forecast_evaluations", sa.Column("weight", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column("forecast_evaluations", "weight")
