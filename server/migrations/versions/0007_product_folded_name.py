"""Product search that stays fast under row-level security: the folded name is stored.

The application role is bound by row-level security, and PostgreSQL evaluates a query's own
conditions after the policy's unless their operators are leakproof. `LIKE` (`~~`) and
`lower()` are not, so neither the trigram index on `orbit_fold(name)` nor the `lower(sku)`
prefix index of migration 0002 can ever serve the application: every product search reads all of
the tenant's products and, before this migration, called `orbit_fold` (unaccent) on each name.
On 50,000 products that was about 100 ms a search.

`folded_name` (a stored generated column, `orbit_fold(name)`) makes that scan a plain string
match per row; the two indexes nothing can use are dropped (they only cost writes). The barcode
prefix index stays: equality and the `~>=~`/`~<~` range operators are leakproof.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("alter table products add column folded_name text generated always as (orbit_fold(name)) stored")
    op.execute("drop index ix_products_name_trgm")
    op.execute("drop index ix_products_sku_prefix")


def downgrade() -> None:
    op.execute("create index ix_products_sku_prefix on products (organization_id, lower(sku) text_pattern_ops)")
    op.execute("create index ix_products_name_trgm on products using gin (orbit_fold(name) gin_trgm_ops)")
    op.execute("alter table products drop column folded_name")
