"""Offline sync: change tracking for what the POS pulls, settled documents, conflicts, tombstones.

`change_xid` is the id of the transaction that last wrote a row: the insert default, and a
trigger on update. A catalog pull cycle returns rows written by transactions at or after the
cursor's xmax or still running when the previous cycle began, and hands back its own starting
snapshot as the next cursor, so a transaction that commits late is never skipped
(`sync.catalog_pull.Cursor`). Deleting a pulled
row leaves a tombstone. Users get `offline_pin`, the verifier a cashier unlocks the POS with.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 03:41:01.769174
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from server.core.migrate import tenant_isolation

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TRACKED_TABLES = ("categories", "products", "customers", "users", "registers")


def upgrade() -> None:
    op.create_table(
        "sync_tombstones",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column(
            "change_xid",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id()::text)::bigint"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_sync_tombstones")),
    )
    op.create_index("ix_sync_tombstones_change", "sync_tombstones", ["organization_id", "change_xid"], unique=False)
    op.create_table(
        "sync_conflicts",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("sale_id", sa.Uuid(), nullable=True),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "resolution is null or resolution in ('acknowledged', 'stock_adjusted', 'annotated')",
            name=op.f("ck_sync_conflicts_resolution"),
        ),
        sa.CheckConstraint("status in ('open', 'resolved')", name=op.f("ck_sync_conflicts_status")),
        sa.ForeignKeyConstraint(
            ["organization_id", "device_id"],
            ["devices.organization_id", "devices.id"],
            name=op.f("fk_sync_conflicts_organization_id_device_id_devices"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "resolved_by"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_sync_conflicts_organization_id_resolved_by_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_sync_conflicts")),
    )
    op.create_index(
        "ix_sync_conflicts_status", "sync_conflicts", ["organization_id", "status", "created_at"], unique=False
    )
    op.create_table(
        "sync_documents",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("request_hash", sa.LargeBinary(), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind in ('sale', 'refund', 'customer', 'shift_open', 'shift_close', 'cash_movement')",
            name=op.f("ck_sync_documents_kind"),
        ),
        sa.CheckConstraint(
            "outcome in ('applied', 'applied_with_conflict', 'rejected')", name=op.f("ck_sync_documents_outcome")
        ),
        sa.CheckConstraint("seq > 0", name=op.f("ck_sync_documents_seq_positive")),
        sa.ForeignKeyConstraint(
            ["organization_id", "device_id"],
            ["devices.organization_id", "devices.id"],
            name=op.f("fk_sync_documents_organization_id_device_id_devices"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "client_id", name=op.f("pk_sync_documents")),
    )
    op.create_index("uq_sync_documents_seq", "sync_documents", ["organization_id", "device_id", "seq"], unique=True)
    op.add_column(
        "categories",
        sa.Column(
            "change_xid",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id()::text)::bigint"),
            nullable=False,
        ),
    )
    op.create_index("ix_categories_change", "categories", ["organization_id", "change_xid"], unique=False)
    op.add_column(
        "customers",
        sa.Column(
            "change_xid",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id()::text)::bigint"),
            nullable=False,
        ),
    )
    op.create_index("ix_customers_change", "customers", ["organization_id", "change_xid"], unique=False)
    op.add_column(
        "products",
        sa.Column(
            "change_xid",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id()::text)::bigint"),
            nullable=False,
        ),
    )
    op.create_index("ix_products_change", "products", ["organization_id", "change_xid"], unique=False)
    op.add_column(
        "registers",
        sa.Column(
            "change_xid",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id()::text)::bigint"),
            nullable=False,
        ),
    )
    op.create_index("ix_registers_change", "registers", ["organization_id", "change_xid"], unique=False)
    op.add_column("users", sa.Column("offline_pin", sa.Text(), nullable=True))
    op.add_column(
        "users",
        sa.Column(
            "change_xid",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id()::text)::bigint"),
            nullable=False,
        ),
    )
    op.create_index("ix_users_change", "users", ["organization_id", "change_xid"], unique=False)

    for table in ("sync_documents", "sync_conflicts", "sync_tombstones"):
        for statement in tenant_isolation(table):
            op.execute(statement)
    op.execute(
        "create function orbit_touch_change() returns trigger language plpgsql as $$ "
        "begin new.change_xid := (pg_current_xact_id()::text)::bigint; return new; end $$"
    )
    op.execute(
        "create function orbit_tombstone() returns trigger language plpgsql as $$ "
        "begin insert into sync_tombstones (organization_id, id, entity) "
        "values (old.organization_id, old.id, tg_table_name); return old; end $$"
    )
    for table in TRACKED_TABLES:
        op.execute(
            f"create trigger {table}_touch_change before update on {table} "
            "for each row execute function orbit_touch_change()"
        )
        op.execute(
            f"create trigger {table}_tombstone after delete on {table} for each row execute function orbit_tombstone()"
        )


def downgrade() -> None:
    for table in TRACKED_TABLES:
        op.execute(f"drop trigger {table}_tombstone on {table}")
        op.execute(f"drop trigger {table}_touch_change on {table}")
    op.execute("drop function orbit_tombstone()")
    op.execute("drop function orbit_touch_change()")
    op.drop_index("ix_users_change", table_name="users")
    op.drop_column("users", "change_xid")
    op.drop_column("users", "offline_pin")
    op.drop_index("ix_registers_change", table_name="registers")
    op.drop_column("registers", "change_xid")
    op.drop_index("ix_products_change", table_name="products")
    op.drop_column("products", "change_xid")
    op.drop_index("ix_customers_change", table_name="customers")
    op.drop_column("customers", "change_xid")
    op.drop_index("ix_categories_change", table_name="categories")
    op.drop_column("categories", "change_xid")
    op.drop_index("uq_sync_documents_seq", table_name="sync_documents")
    op.drop_table("sync_documents")
    op.drop_index("ix_sync_conflicts_status", table_name="sync_conflicts")
    op.drop_table("sync_conflicts")
    op.drop_index("ix_sync_tombstones_change", table_name="sync_tombstones")
    op.drop_table("sync_tombstones")
