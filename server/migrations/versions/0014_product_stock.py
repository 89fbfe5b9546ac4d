"""Stock on hand in its own narrow table, `product_stock`, one row per product.

A stock change used to update the product row, whose change-tracking trigger (migration 0003)
moves `change_xid`, an indexed column: every sale rewrote an entry in each of the product's
indexes (SKU, barcode, name, category, change, …) and left a dead wide row. Now it updates a
row of four small columns with two indexes (its key and its change index).

- Every product has exactly one stock row: a statement trigger creates it, at 0, with the
  product; deleting the product deletes it.
- The row carries its own `change_xid` (default and update trigger as for pulled tables) and
  `updated_at`: the catalog pull sends a product again when either its row or its stock row
  changed (`sync/catalog_pull.py`), and a product's `updated_at` in the API is the later of
  the two.
- Row-level security as every tenant table. The downgrade moves the quantities back to
  `products.stock`.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from alembic import op

from server.core.migrate import tenant_isolation

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ON_PRODUCT_INSERT = """
create function orbit_product_stock_insert() returns trigger language plpgsql as $$
begin
    insert into product_stock (organization_id, product_id)
    select inserted.organization_id, inserted.id from inserted;
    return null;
end
$$
"""


def upgrade() -> None:
    op.execute(
        """
        create table product_stock (
            organization_id uuid not null,
            product_id uuid not null,
            on_hand bigint not null default 0,
            change_xid bigint not null default (pg_current_xact_id()::text)::bigint,
            updated_at timestamptz not null default now(),
            constraint pk_product_stock primary key (organization_id, product_id),
            constraint fk_product_stock_organization_id_product_id_products foreign key (organization_id, product_id)
                references products (organization_id, id) on delete cascade
        )
        """
    )
    op.execute("create index ix_product_stock_change on product_stock (organization_id, change_xid)")
    # The owner sees every tenant's products only while the policy is not forced on it.
    op.execute("alter table products no force row level security")
    op.execute(
        "insert into product_stock (organization_id, product_id, on_hand, updated_at) "
        "select organization_id, id, stock, updated_at from products"
    )
    op.execute("alter table products force row level security")
    for statement in tenant_isolation("product_stock"):
        op.execute(statement)
    op.execute(
        "create trigger product_stock_touch_change before update on product_stock "
        "for each row execute function orbit_touch_change()"
    )
    op.execute(ON_PRODUCT_INSERT)
    op.execute(
        "create trigger products_stock_insert after insert on products referencing new table as inserted "
        "for each statement execute function orbit_product_stock_insert()"
    )
    op.drop_column("products", "stock")


def downgrade() -> None:
    op.execute("alter table products add column stock bigint not null default 0")
    op.execute("drop trigger products_stock_insert on products")
    op.execute("drop function orbit_product_stock_insert()")
    for table in ("products", "product_stock"):
        op.execute(f"alter table {table} no force row level security")
    # Moved without firing the products' change trigger: the rows' stock is what the devices hold.
    op.execute("alter table products disable trigger products_touch_change")
    op.execute(
        "update products p set stock = s.on_hand from product_stock s "
        "where s.organization_id = p.organization_id and s.product_id = p.id"
    )
    op.execute("alter table products enable trigger products_touch_change")
    op.execute("alter table products force row level security")
    op.execute("drop table product_stock")
