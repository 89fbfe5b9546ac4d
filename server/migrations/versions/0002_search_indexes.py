"""Search: accent- and case-insensitive name search, and prefix search on SKU and barcode.

`orbit_fold(text)` lower-cases and strips accents ("Azúcar" → "azucar"); it is declared
immutable so it can be indexed (unaccent's dictionary is fixed by the migration that installs it).
Name search uses a trigram GIN index on `orbit_fold(name)`, so `%term%` matches are fast on tens of
thousands of products; SKU and barcode prefixes use `text_pattern_ops` B-trees.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("create extension if not exists unaccent")
    op.execute("create extension if not exists pg_trgm")
    op.execute(
        "create function orbit_fold(text) returns text language sql immutable parallel safe strict "
        "as $$ select lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$"
    )
    op.execute("create index ix_products_name_trgm on products using gin (orbit_fold(name) gin_trgm_ops)")
    op.execute("create index ix_products_sku_prefix on products (organization_id, lower(sku) text_pattern_ops)")
    op.create_index(
        "ix_products_barcode_prefix",
        "products",
        ["organization_id", "barcode"],
        postgresql_ops={"barcode": "text_pattern_ops"},
    )
    op.create_index("ix_products_category", "products", ["organization_id", "category_id"])
    op.create_index("ix_products_name", "products", ["organization_id", "name"])
    op.execute("create index ix_customers_name_trgm on customers using gin (orbit_fold(name) gin_trgm_ops)")
    op.execute("create index ix_customers_tax_id_prefix on customers (organization_id, tax_id text_pattern_ops)")


def downgrade() -> None:
    op.execute("drop index ix_customers_tax_id_prefix")
    op.execute("drop index ix_customers_name_trgm")
    op.drop_index("ix_products_name", table_name="products")
    op.drop_index("ix_products_category", table_name="products")
    op.drop_index("ix_products_barcode_prefix", table_name="products")
    op.execute("drop index ix_products_sku_prefix")
    op.execute("drop index ix_products_name_trgm")
    op.execute("drop function orbit_fold(text)")
