"""Refunds by time: an index on `(organization_id, refunded_at)`.

The reports and the managers' dashboard select a period's refunds by `refunded_at`; without the
index that read every refund the tenant ever made. Sales have had `(organization_id, sold_at)`
since the first revision.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_refunds_refunded_at", "refunds", ["organization_id", "refunded_at"])


def downgrade() -> None:
    op.drop_index("ix_refunds_refunded_at", table_name="refunds")
