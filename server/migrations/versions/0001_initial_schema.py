"""Initial schema: every table of the data model, with row-level security on tenant tables.

Every tenant table has `organization_id` leading its primary key, foreign keys that include
`organization_id`, and one policy whose USING and WITH CHECK clauses both require
`organization_id` to equal the transaction's `app.org_id`. Security is enabled and forced, so
the owner role is bound by it too.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 03:06:34.613293
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from server.core.migrate import tenant_isolation

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


TENANT_TABLES = (
    "users",
    "refresh_tokens",
    "audit_log",
    "categories",
    "products",
    "customers",
    "registers",
    "devices",
    "shifts",
    "shift_cash_movements",
    "shift_counts",
    "sales",
    "sale_lines",
    "payments",
    "refunds",
    "refund_lines",
    "inventory_movements",
    "forecast_runs",
    "predictions",
    "idempotency_keys",
)


def enable_tenant_isolation(table: str) -> None:
    for statement in tenant_isolation(table):
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("subdomain", sa.String(length=63), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("locale", sa.String(length=35), nullable=False),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("tax_mode", sa.String(length=9), server_default="inclusive", nullable=False),
        sa.Column("allow_negative_stock", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name=op.f("ck_organizations_currency_format")),
        sa.CheckConstraint(
            "subdomain ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'", name=op.f("ck_organizations_subdomain_format")
        ),
        sa.CheckConstraint("tax_mode in ('inclusive', 'exclusive')", name=op.f("ck_organizations_tax_mode")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("subdomain", name=op.f("uq_organizations_subdomain")),
    )
    op.create_table(
        "categories",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("parent_id is null or parent_id <> id", name=op.f("ck_categories_not_own_parent")),
        sa.ForeignKeyConstraint(
            ["organization_id", "parent_id"],
            ["categories.organization_id", "categories.id"],
            name=op.f("fk_categories_organization_id_parent_id_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_categories_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_categories")),
    )
    op.create_index(
        "uq_categories_name", "categories", ["organization_id", sa.literal_column("lower(name)")], unique=True
    )
    op.create_table(
        "customers",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("tax_id", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("address", sa.Text(), server_default="", nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("visits", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total_spent", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("last_purchase_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_customers_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_customers")),
    )
    op.create_index(
        "uq_customers_tax_id",
        "customers",
        ["organization_id", "tax_id"],
        unique=True,
        postgresql_where=sa.text("tax_id is not null"),
    )
    op.create_table(
        "registers",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("last_number", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("code ~ '^[A-Z0-9]{1,8}$'", name=op.f("ck_registers_code_format")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_registers_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_registers")),
    )
    op.create_index("uq_registers_code", "registers", ["organization_id", "code"], unique=True)
    op.create_table(
        "users",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("role in ('admin', 'manager', 'cashier')", name=op.f("ck_users_role")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_users_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_users")),
    )
    op.create_index(
        "uq_users_organization_id_email", "users", ["organization_id", sa.literal_column("lower(email)")], unique=True
    )
    op.create_table(
        "user_emails",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_user_emails_lower_case")),
        sa.ForeignKeyConstraint(
            ["organization_id", "user_id"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_user_emails_organization_id_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_user_emails")),
    )
    op.create_table(
        "audit_log",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "actor_id"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_audit_log_organization_id_actor_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_actor", "audit_log", ["organization_id", "actor_id", "at"], unique=False)
    op.create_index("ix_audit_log_at", "audit_log", ["organization_id", "at"], unique=False)
    op.create_index("ix_audit_log_entity", "audit_log", ["organization_id", "entity", "entity_id"], unique=False)
    op.create_table(
        "devices",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("credential_hash", sa.LargeBinary(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id", "created_by"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_devices_organization_id_created_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "register_id"],
            ["registers.organization_id", "registers.id"],
            name=op.f("fk_devices_organization_id_register_id_registers"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_devices")),
    )
    op.create_index("uq_devices_credential", "devices", ["organization_id", "credential_hash"], unique=True)
    op.create_table(
        "forecast_runs",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="queued", nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("horizon_days", sa.Integer(), server_default="30", nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("durations", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("metrics", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("versions", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status in ('queued', 'running', 'succeeded', 'failed')", name=op.f("ck_forecast_runs_status")
        ),
        sa.CheckConstraint("trigger in ('schedule', 'manual')", name=op.f("ck_forecast_runs_trigger")),
        sa.ForeignKeyConstraint(
            ["organization_id", "requested_by"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_forecast_runs_organization_id_requested_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_forecast_runs_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_forecast_runs")),
    )
    op.create_index("ix_forecast_runs_created", "forecast_runs", ["organization_id", "created_at"], unique=False)
    op.create_index(
        "uq_forecast_runs_active",
        "forecast_runs",
        ["organization_id"],
        unique=True,
        postgresql_where=sa.text("status in ('queued', 'running')"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("endpoint", sa.String(length=128), nullable=False),
        sa.Column("request_hash", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status in ('in_progress', 'completed')", name=op.f("ck_idempotency_keys_status")),
        sa.ForeignKeyConstraint(
            ["organization_id", "user_id"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_idempotency_keys_organization_id_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "user_id", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index("ix_idempotency_keys_created", "idempotency_keys", ["created_at"], unique=False)
    op.create_table(
        "products",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("cost", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tax_rate_bp", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unit", sa.String(length=16), server_default="unit", nullable=False),
        sa.Column("stock", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reorder_point", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lead_time_days", sa.Integer(), server_default="7", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("cost >= 0", name=op.f("ck_products_cost_non_negative")),
        sa.CheckConstraint("lead_time_days between 0 and 365", name=op.f("ck_products_lead_time_range")),
        sa.CheckConstraint("price >= 0", name=op.f("ck_products_price_non_negative")),
        sa.CheckConstraint("reorder_point >= 0", name=op.f("ck_products_reorder_point_non_negative")),
        sa.CheckConstraint("tax_rate_bp between 0 and 10000", name=op.f("ck_products_tax_rate_range")),
        sa.ForeignKeyConstraint(
            ["organization_id", "category_id"],
            ["categories.organization_id", "categories.id"],
            name=op.f("fk_products_organization_id_category_id_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_products_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_products")),
    )
    op.create_index(
        "uq_products_barcode",
        "products",
        ["organization_id", "barcode"],
        unique=True,
        postgresql_where=sa.text("barcode is not null"),
    )
    op.create_index("uq_products_sku", "products", ["organization_id", "sku"], unique=True)
    op.create_table(
        "refresh_tokens",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id", "user_id"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_refresh_tokens_organization_id_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_refresh_tokens")),
    )
    op.create_index("ix_refresh_tokens_family", "refresh_tokens", ["organization_id", "family_id"], unique=False)
    op.create_index("ix_refresh_tokens_user", "refresh_tokens", ["organization_id", "user_id"], unique=False)
    op.create_index("uq_refresh_tokens_hash", "refresh_tokens", ["organization_id", "token_hash"], unique=True)
    op.create_table(
        "shifts",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=8), server_default="open", nullable=False),
        sa.Column("opening_float", sa.BigInteger(), nullable=False),
        sa.Column("opened_by", sa.Uuid(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.Uuid(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint("(status = 'closed') = (closed_at is not null)", name=op.f("ck_shifts_closed_consistent")),
        sa.CheckConstraint("status in ('open', 'closed')", name=op.f("ck_shifts_status")),
        sa.CheckConstraint("opening_float >= 0", name=op.f("ck_shifts_opening_float_non_negative")),
        sa.ForeignKeyConstraint(
            ["organization_id", "closed_by"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_shifts_organization_id_closed_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "opened_by"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_shifts_organization_id_opened_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "register_id"],
            ["registers.organization_id", "registers.id"],
            name=op.f("fk_shifts_organization_id_register_id_registers"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_shifts")),
    )
    op.create_index(
        "ix_shifts_register_opened", "shifts", ["organization_id", "register_id", "opened_at"], unique=False
    )
    op.create_index(
        "uq_shifts_open_per_register",
        "shifts",
        ["organization_id", "register_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "inventory_movements",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("reference_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind in ('receipt', 'adjustment', 'count', 'sale', 'refund', 'void')",
            name=op.f("ck_inventory_movements_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "actor_id"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_inventory_movements_organization_id_actor_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "product_id"],
            ["products.organization_id", "products.id"],
            name=op.f("fk_inventory_movements_organization_id_product_id_products"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_inventory_movements")),
    )
    op.create_index(
        "ix_inventory_movements_product",
        "inventory_movements",
        ["organization_id", "product_id", "occurred_at"],
        unique=False,
    )
    op.create_index(
        "ix_inventory_movements_reference", "inventory_movements", ["organization_id", "reference_id"], unique=False
    )
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
        sa.PrimaryKeyConstraint("organization_id", "run_id", "product_id", "day", name=op.f("pk_predictions")),
    )
    op.create_index("ix_predictions_product", "predictions", ["organization_id", "product_id", "day"], unique=False)
    op.create_table(
        "sales",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=False),
        sa.Column("shift_id", sa.Uuid(), nullable=True),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("invoice_number", sa.String(length=32), nullable=False),
        sa.Column("cashier_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="completed", nullable=False),
        sa.Column("origin", sa.String(length=8), server_default="online", nullable=False),
        sa.Column("subtotal", sa.BigInteger(), nullable=False),
        sa.Column("discount_total", sa.BigInteger(), nullable=False),
        sa.Column("tax_total", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("paid_total", sa.BigInteger(), nullable=False),
        sa.Column("change_total", sa.BigInteger(), nullable=False),
        sa.Column("tax_mode", sa.String(length=9), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("sold_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("origin in ('online', 'offline')", name=op.f("ck_sales_origin")),
        sa.CheckConstraint("status in ('completed', 'voided')", name=op.f("ck_sales_status")),
        sa.CheckConstraint("paid_total - change_total >= total", name=op.f("ck_sales_paid_covers_total")),
        sa.CheckConstraint(
            "total >= 0 and subtotal >= 0 and discount_total >= 0 and tax_total >= 0", name=op.f("ck_sales_amounts")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "cashier_id"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_sales_organization_id_cashier_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "customer_id"],
            ["customers.organization_id", "customers.id"],
            name=op.f("fk_sales_organization_id_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "device_id"],
            ["devices.organization_id", "devices.id"],
            name=op.f("fk_sales_organization_id_device_id_devices"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "register_id"],
            ["registers.organization_id", "registers.id"],
            name=op.f("fk_sales_organization_id_register_id_registers"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "shift_id"],
            ["shifts.organization_id", "shifts.id"],
            name=op.f("fk_sales_organization_id_shift_id_shifts"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_sales")),
    )
    op.create_index("ix_sales_customer", "sales", ["organization_id", "customer_id", "sold_at"], unique=False)
    op.create_index("ix_sales_shift", "sales", ["organization_id", "shift_id"], unique=False)
    op.create_index("ix_sales_sold_at", "sales", ["organization_id", "sold_at"], unique=False)
    op.create_index("uq_sales_register_number", "sales", ["organization_id", "register_id", "number"], unique=True)
    op.create_table(
        "shift_cash_movements",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'pay_in' and amount > 0) or (kind = 'pay_out' and amount < 0)",
            name=op.f("ck_shift_cash_movements_sign"),
        ),
        sa.CheckConstraint("kind in ('pay_in', 'pay_out')", name=op.f("ck_shift_cash_movements_kind")),
        sa.ForeignKeyConstraint(
            ["organization_id", "actor_id"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_shift_cash_movements_organization_id_actor_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "shift_id"],
            ["shifts.organization_id", "shifts.id"],
            name=op.f("fk_shift_cash_movements_organization_id_shift_id_shifts"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_shift_cash_movements")),
    )
    op.create_index(
        "ix_shift_cash_movements_shift", "shift_cash_movements", ["organization_id", "shift_id"], unique=False
    )
    op.create_table(
        "shift_counts",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("expected", sa.BigInteger(), nullable=False),
        sa.Column("counted", sa.BigInteger(), nullable=False),
        sa.Column("difference", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("method in ('cash', 'card', 'transfer', 'other')", name=op.f("ck_shift_counts_method")),
        sa.CheckConstraint("difference = counted - expected", name=op.f("ck_shift_counts_difference")),
        sa.ForeignKeyConstraint(
            ["organization_id", "shift_id"],
            ["shifts.organization_id", "shifts.id"],
            name=op.f("fk_shift_counts_organization_id_shift_id_shifts"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "shift_id", "method", name=op.f("pk_shift_counts")),
    )
    op.create_table(
        "payments",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sale_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("change", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reference", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint("method in ('cash', 'card', 'transfer', 'other')", name=op.f("ck_payments_method")),
        sa.CheckConstraint("amount > 0 and change >= 0", name=op.f("ck_payments_amounts")),
        sa.ForeignKeyConstraint(
            ["organization_id", "sale_id"],
            ["sales.organization_id", "sales.id"],
            name=op.f("fk_payments_organization_id_sale_id_sales"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_payments")),
    )
    op.create_index("ix_payments_sale", "payments", ["organization_id", "sale_id"], unique=False)
    op.create_table(
        "refunds",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sale_id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=False),
        sa.Column("shift_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("restock", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind in ('refund', 'void')", name=op.f("ck_refunds_kind")),
        sa.CheckConstraint("method in ('cash', 'card', 'transfer', 'other')", name=op.f("ck_refunds_method")),
        sa.CheckConstraint("total >= 0", name=op.f("ck_refunds_total_non_negative")),
        sa.ForeignKeyConstraint(
            ["organization_id", "actor_id"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_refunds_organization_id_actor_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "register_id"],
            ["registers.organization_id", "registers.id"],
            name=op.f("fk_refunds_organization_id_register_id_registers"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "sale_id"],
            ["sales.organization_id", "sales.id"],
            name=op.f("fk_refunds_organization_id_sale_id_sales"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "shift_id"],
            ["shifts.organization_id", "shifts.id"],
            name=op.f("fk_refunds_organization_id_shift_id_shifts"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_refunds")),
    )
    op.create_index("ix_refunds_sale", "refunds", ["organization_id", "sale_id"], unique=False)
    op.create_table(
        "sale_lines",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sale_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("list_price", sa.BigInteger(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("discount", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("tax_rate_bp", sa.Integer(), nullable=False),
        sa.Column("tax_amount", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_sale_lines_quantity_positive")),
        sa.CheckConstraint("unit_price >= 0 and discount >= 0 and tax_amount >= 0", name=op.f("ck_sale_lines_amounts")),
        sa.ForeignKeyConstraint(
            ["organization_id", "product_id"],
            ["products.organization_id", "products.id"],
            name=op.f("fk_sale_lines_organization_id_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "sale_id"],
            ["sales.organization_id", "sales.id"],
            name=op.f("fk_sale_lines_organization_id_sale_id_sales"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_sale_lines")),
    )
    op.create_index("ix_sale_lines_product", "sale_lines", ["organization_id", "product_id"], unique=False)
    op.create_index("uq_sale_lines_position", "sale_lines", ["organization_id", "sale_id", "position"], unique=True)
    op.create_table(
        "refund_lines",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("refund_id", sa.Uuid(), nullable=False),
        sa.Column("sale_line_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0 and amount >= 0", name=op.f("ck_refund_lines_amounts")),
        sa.ForeignKeyConstraint(
            ["organization_id", "product_id"],
            ["products.organization_id", "products.id"],
            name=op.f("fk_refund_lines_organization_id_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "refund_id"],
            ["refunds.organization_id", "refunds.id"],
            name=op.f("fk_refund_lines_organization_id_refund_id_refunds"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "sale_line_id"],
            ["sale_lines.organization_id", "sale_lines.id"],
            name=op.f("fk_refund_lines_organization_id_sale_line_id_sale_lines"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_refund_lines")),
    )
    op.create_index("ix_refund_lines_sale_line", "refund_lines", ["organization_id", "sale_line_id"], unique=False)

    for table in TENANT_TABLES:
        enable_tenant_isolation(table)
    enable_tenant_isolation("user_emails")
    op.execute("create policy global_lookup on user_emails for select using (true)")


def downgrade() -> None:
    op.drop_index("ix_refund_lines_sale_line", table_name="refund_lines")
    op.drop_table("refund_lines")
    op.drop_index("uq_sale_lines_position", table_name="sale_lines")
    op.drop_index("ix_sale_lines_product", table_name="sale_lines")
    op.drop_table("sale_lines")
    op.drop_index("ix_refunds_sale", table_name="refunds")
    op.drop_table("refunds")
    op.drop_index("ix_payments_sale", table_name="payments")
    op.drop_table("payments")
    op.drop_table("shift_counts")
    op.drop_index("ix_shift_cash_movements_shift", table_name="shift_cash_movements")
    op.drop_table("shift_cash_movements")
    op.drop_index("uq_sales_register_number", table_name="sales")
    op.drop_index("ix_sales_sold_at", table_name="sales")
    op.drop_index("ix_sales_shift", table_name="sales")
    op.drop_index("ix_sales_customer", table_name="sales")
    op.drop_table("sales")
    op.drop_index("ix_predictions_product", table_name="predictions")
    op.drop_table("predictions")
    op.drop_index("ix_inventory_movements_reference", table_name="inventory_movements")
    op.drop_index("ix_inventory_movements_product", table_name="inventory_movements")
    op.drop_table("inventory_movements")
    op.drop_index("uq_shifts_open_per_register", table_name="shifts", postgresql_where=sa.text("status = 'open'"))
    op.drop_index("ix_shifts_register_opened", table_name="shifts")
    op.drop_table("shifts")
    op.drop_index("uq_refresh_tokens_hash", table_name="refresh_tokens")
    op.drop_index("ix_refresh_tokens_user", table_name="refresh_tokens")
    op.drop_index("ix_refresh_tokens_family", table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
    op.drop_index("uq_products_sku", table_name="products")
    op.drop_index("uq_products_barcode", table_name="products", postgresql_where=sa.text("barcode is not null"))
    op.drop_table("products")
    op.drop_index("ix_idempotency_keys_created", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index(
        "uq_forecast_runs_active",
        table_name="forecast_runs",
        postgresql_where=sa.text("status in ('queued', 'running')"),
    )
    op.drop_index("ix_forecast_runs_created", table_name="forecast_runs")
    op.drop_table("forecast_runs")
    op.drop_index("uq_devices_credential", table_name="devices")
    op.drop_table("devices")
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("user_emails")
    op.drop_index("uq_users_organization_id_email", table_name="users")
    op.drop_table("users")
    op.drop_index("uq_registers_code", table_name="registers")
    op.drop_table("registers")
    op.drop_index("uq_customers_tax_id", table_name="customers", postgresql_where=sa.text("tax_id is not null"))
    op.drop_table("customers")
    op.drop_index("uq_categories_name", table_name="categories")
    op.drop_table("categories")
    op.drop_table("organizations")
