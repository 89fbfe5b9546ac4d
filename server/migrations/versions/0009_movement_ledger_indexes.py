"""The shop's stock ledger reads its newest movements from an index.

`GET /api/v1/inventory/movements` lists a tenant's movements newest first (optionally of one
kind). The only index led by the product, so the ledger sorted every movement of the shop for
each page: about 200 ms at half a million movements. `(organization_id, occurred_at, id)` and
`(organization_id, kind, occurred_at, id)` make a page a short backward index scan.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_inventory_movements_time", "inventory_movements", ["organization_id", "occurred_at", "id"])
    op.create_index(
        "ix_inventory_movements_kind_time", "inventory_movements", ["organization_id", "kind", "occurred_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_inventory_movements_kind_time", table_name="inventory_movements")
    op.drop_index("ix_inventory_movements_time", table_name="inventory_movements")
