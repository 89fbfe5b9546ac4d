"""Product search that an index serves under row-level security: the words of each product.

Under row-level security PostgreSQL applies a query's own conditions only after the policy's,
unless their operators are leakproof (see migration 0007). `LIKE` is not, so a name search read
every product of the shop: about 100 ms a key at 50,000 products. Equality and the `>=`/`<` range
of `text` are leakproof, so a prefix range over an index can run inside the policy.

`product_search_terms` holds, per product, the words a search starts from (folded by
`orbit_fold`, compared in the "C" collation, so a prefix is a byte range):
- the folded name (the stored `folded_name`) split at white space ("coca-cola", "1.5"),
- and split again at every non-alphanumeric character ("coca", "cola", "1", "5"),
- the folded SKU whole, and the barcode whole.
Each term is cut to 200 characters (a B-tree entry has a size limit; queries are cut alike).

Triggers keep it: after a statement that inserts products (one set-based insert from the
transition table), after an update of a product's name, SKU or barcode (its terms rewritten),
after a statement that deletes products. Stock and price updates never touch it. It is derived
data with no foreign key: checking one per term (about eight a product) tripled the time of a
50,000-product import. Otherwise it is a tenant table like every other: row-level security
forced, one tenant policy.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

from server.core.migrate import tenant_isolation

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TERMS = """
create function orbit_search_terms(folded_name text, sku text, barcode text) returns setof text
language sql immutable parallel safe as $$
    select distinct left(term, 200)
    from unnest(
        regexp_split_to_array(folded_name, '\\s+') || regexp_split_to_array(folded_name, '[^[:alnum:]]+')
        || orbit_fold(sku) || barcode
    ) as term
    where term <> ''
$$
"""

ON_INSERT = """
create function orbit_products_terms_insert() returns trigger language plpgsql as $$
begin
    insert into product_search_terms (organization_id, term, product_id)
    select inserted.organization_id, term, inserted.id
    from inserted, lateral orbit_search_terms(inserted.folded_name, inserted.sku, inserted.barcode) as term;
    return null;
end
$$
"""

ON_UPDATE = """
create function orbit_products_terms_update() returns trigger language plpgsql as $$
begin
    delete from product_search_terms where organization_id = new.organization_id and product_id = new.id;
    insert into product_search_terms (organization_id, term, product_id)
    select new.organization_id, term, new.id from orbit_search_terms(new.folded_name, new.sku, new.barcode) as term;
    return null;
end
$$
"""

ON_DELETE = """
create function orbit_products_terms_delete() returns trigger language plpgsql as $$
begin
    delete from product_search_terms as terms using deleted
    where terms.organization_id = deleted.organization_id and terms.product_id = deleted.id;
    return null;
end
$$
"""


def upgrade() -> None:
    op.execute(
        """
        create table product_search_terms (
            organization_id uuid not null,
            term text collate "C" not null,
            product_id uuid not null,
            constraint pk_product_search_terms primary key (organization_id, term, product_id)
        )
        """
    )
    op.execute("create index ix_product_search_terms_product on product_search_terms (organization_id, product_id)")
    for function in (TERMS, ON_INSERT, ON_UPDATE, ON_DELETE):
        op.execute(function)
    # The owner sees every tenant's products only while the policy is not forced on it.
    op.execute("alter table products no force row level security")
    op.execute(
        "insert into product_search_terms (organization_id, term, product_id) "
        "select p.organization_id, term, p.id "
        "from products p, lateral orbit_search_terms(p.folded_name, p.sku, p.barcode) term"
    )
    op.execute("alter table products force row level security")
    for statement in tenant_isolation("product_search_terms"):
        op.execute(statement)
    op.execute(
        "create trigger products_terms_insert after insert on products referencing new table as inserted "
        "for each statement execute function orbit_products_terms_insert()"
    )
    op.execute(
        "create trigger products_terms_update after update of name, sku, barcode on products for each row "
        "when (old.name is distinct from new.name or old.sku is distinct from new.sku "
        "or old.barcode is distinct from new.barcode) execute function orbit_products_terms_update()"
    )
    op.execute(
        "create trigger products_terms_delete after delete on products referencing old table as deleted "
        "for each statement execute function orbit_products_terms_delete()"
    )


def downgrade() -> None:
    for trigger in ("products_terms_delete", "products_terms_update", "products_terms_insert"):
        op.execute(f"drop trigger {trigger} on products")
    op.execute("drop table product_search_terms")
    for function in ("orbit_products_terms_delete", "orbit_products_terms_update", "orbit_products_terms_insert"):
        op.execute(f"drop function {function}()")
    op.execute("drop function orbit_search_terms(text, text, text)")
