"""The seller's tax id and address for invoices, and report exports run as jobs.

`organizations` gains `tax_id` and `address` (empty until an admin sets them): an invoice names
the seller by both. `report_exports` holds one CSV export of a report over a period, produced by
a worker: its status and progress while it runs, and its object's key in storage once ready.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.core.migrate import tenant_isolation

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organizations", sa.Column("tax_id", sa.String(length=32), server_default="", nullable=False))
    op.add_column("organizations", sa.Column("address", sa.Text(), server_default="", nullable=False))
    op.create_table(
        "report_exports",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("report", sa.String(length=40), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("parameters", sa.dialects.postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("status", sa.String(length=9), server_default="queued", nullable=False),
        sa.Column("progress", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), server_default="", nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status in ('queued', 'running', 'ready', 'failed')", name=op.f("ck_report_exports_status")),
        sa.CheckConstraint("progress between 0 and 100", name=op.f("ck_report_exports_progress")),
        sa.CheckConstraint("(status = 'ready') = (storage_key is not null)", name=op.f("ck_report_exports_ready_key")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_report_exports_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "requested_by"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_report_exports_organization_id_requested_by_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_report_exports")),
    )
    op.create_index("ix_report_exports_created", "report_exports", ["organization_id", "created_at", "id"])
    for statement in tenant_isolation("report_exports"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("report_exports")
    op.drop_column("organizations", "address")
    op.drop_column("organizations", "tax_id")
