-- One online sale as a pgbench custom script: the SQL that POST /api/v1/sales commits
-- (server/sales/sales.py::record_sale, server/inventory/service.py, the audit row and the
-- idempotency row), statement for statement, without the framework around it.
--
-- Run by bench/sales_throughput/run.py as the application role (orbit_app, so row-level
-- security applies) with -M prepared. Variables given with -D:
--   org, sub, user   the tenant's id and subdomain and the cashier's user id
--   n                products in the lookup table bench_products(n, id), numbered 1..n;
--                    n = 0 is the hot product
--   hot              1: all three lines on the hot product; 0: three distinct random products
--   ip, bodylen      the client address and the length of the API's stored 201 response body
--   narrow           1: stock in product_stock, as the application keeps it (migration 0014);
--                    0: stock in a `stock` column of products, as before 0014 (the run adds that
--                    column to the scratch database for it): the update moves the product row's
--                    change_xid, so it rewrites an entry in every index of the product
-- Client k (pgbench's :client_id, 0-based) rings on register R{k+1}, like API client k.

\set third :n / 3
\set r1 random(1, :third)
\set r2 :third + random(1, :third)
\set r3 2 * :third + random(1, :third)
\set reg :client_id + 1

BEGIN;

-- the tenant, scoping the transaction (server/tenancy/service.py::resolve_tenant)
select id, subdomain, name, currency, locale, time_zone, tax_mode, allow_negative_stock,
       set_config('app.org_id', id::text, true)
from organizations where subdomain = :sub and is_active;

-- the register, then its open shift share-locked (record_sale, open_shift_of)
select id as reg_id, code as reg_code, is_active as reg_active
from registers where organization_id = :org and code = concat('R', :reg::int) \gset
select id as shift_id from shifts
where organization_id = :org and register_id = :reg_id and status = 'open' for share \gset

-- lock the products' stock in id order (inventory.lock_products); the application knows the ids,
-- pgbench maps its random numbers to ids in the same statement. A hot sale locks one product,
-- which stands in for the second and third line too (index least(k, count)).
\if :hot
\set d1 -3
\set d2 0
\set d3 0
\else
\set d1 -1
\set d2 -1
\set d3 -1
\endif
\if :narrow
-- the stock rows alone, locked, then the products' own fields: two single-table statements,
-- as inventory.lock_products issues them
select (array_agg(product_id order by product_id))[1] as p1, (array_agg(on_hand order by product_id))[1] as s1,
       (array_agg(product_id order by product_id))[least(2, count(*))] as p2,
       (array_agg(on_hand order by product_id))[least(2, count(*))] as s2,
       (array_agg(product_id order by product_id))[least(3, count(*))] as p3,
       (array_agg(on_hand order by product_id))[least(3, count(*))] as s3
from (select product_id, on_hand from product_stock
      where organization_id = :org
        and product_id in (select b.id from bench_products b where b.n in (:r1, :r2, :r3) and :hot = 0
                           or b.n = 0 and :hot = 1)
      order by product_id for update) locked \gset
select (array_agg(price order by id))[1] as pr1, (array_agg(cost order by id))[1] as co1,
       (array_agg(tax_rate_bp order by id))[1] as tr1,
       (array_agg(price order by id))[least(2, count(*))] as pr2, (array_agg(cost order by id))[least(2, count(*))] as co2,
       (array_agg(tax_rate_bp order by id))[least(2, count(*))] as tr2,
       (array_agg(price order by id))[least(3, count(*))] as pr3, (array_agg(cost order by id))[least(3, count(*))] as co3,
       (array_agg(tax_rate_bp order by id))[least(3, count(*))] as tr3
from (select id, sku, name, reorder_point, price, cost, tax_rate_bp, is_active from products
      where organization_id = :org and id in (:p1, :p2, :p3)) fields \gset
-- conditional stock decrement (inventory.apply_stock_changes)
update product_stock s set on_hand = s.on_hand + d.delta, updated_at = now()
from unnest(cast(array[:p1, :p2, :p3] as uuid[]), cast(array[:d1, :d2, :d3] as bigint[])) as d(id, delta)
where s.organization_id = :org and s.product_id = d.id and d.delta <> 0 and (false or s.on_hand + d.delta >= 0)
returning s.product_id, s.on_hand;
\else
select (array_agg(id order by id))[1] as p1, (array_agg(price order by id))[1] as pr1,
       (array_agg(cost order by id))[1] as co1, (array_agg(tax_rate_bp order by id))[1] as tr1,
       (array_agg(stock order by id))[1] as s1,
       (array_agg(id order by id))[least(2, count(*))] as p2, (array_agg(price order by id))[least(2, count(*))] as pr2,
       (array_agg(cost order by id))[least(2, count(*))] as co2, (array_agg(tax_rate_bp order by id))[least(2, count(*))] as tr2,
       (array_agg(stock order by id))[least(2, count(*))] as s2,
       (array_agg(id order by id))[least(3, count(*))] as p3, (array_agg(price order by id))[least(3, count(*))] as pr3,
       (array_agg(cost order by id))[least(3, count(*))] as co3, (array_agg(tax_rate_bp order by id))[least(3, count(*))] as tr3,
       (array_agg(stock order by id))[least(3, count(*))] as s3
from (select id, sku, name, stock, reorder_point, price, cost, tax_rate_bp, is_active from products
      where organization_id = :org
        and id in (select b.id from bench_products b where b.n in (:r1, :r2, :r3) and :hot = 0
                   or b.n = 0 and :hot = 1)
      order by id for update) locked \gset
-- conditional stock decrement, as before migration 0014
update products p set stock = p.stock + d.delta, updated_at = now()
from unnest(cast(array[:p1, :p2, :p3] as uuid[]), cast(array[:d1, :d2, :d3] as bigint[])) as d(id, delta)
where p.organization_id = :org and p.id = d.id and d.delta <> 0 and (false or p.stock + d.delta >= 0)
returning p.id, p.stock;
\endif
\if :hot
\set b1 :s1 - 1
\set b2 :s1 - 2
\set b3 :s1 - 3
\else
\set b1 :s1 - 1
\set b2 :s2 - 1
\set b3 :s3 - 1
\endif
\set tx1 :pr1 - (2 * :pr1 * 10000 + 10000 + :tr1) / (2 * (10000 + :tr1))
\set tx2 :pr2 - (2 * :pr2 * 10000 + 10000 + :tr2) / (2 * (10000 + :tr2))
\set tx3 :pr3 - (2 * :pr3 * 10000 + 10000 + :tr3) / (2 * (10000 + :tr3))
\set total :pr1 + :pr2 + :pr3
\set taxtotal :tx1 + :tx2 + :tx3
\set paid ((:total + 999) / 1000) * 1000
\set change :paid - :total

-- the register's next series number
update registers set last_number = last_number + 1, updated_at = now()
where organization_id = :org and id = :reg_id returning last_number as num \gset

insert into sales (organization_id, id, register_id, shift_id, number, invoice_number, cashier_id, customer_id,
                   device_id, status, origin, subtotal, discount_total, tax_total, total, paid_total, change_total,
                   tax_mode, note, sold_at)
values (:org, bench_uuid7(), :reg_id, :shift_id, :num, concat(:reg_code::text, '-', :num::bigint), :user, null,
        null, 'completed', 'online', :total, 0, :taxtotal, :total, :paid, :change, 'inclusive', '', now())
returning id as sale_id \gset

-- one movement per line (the application writes them right after the stock update, with the
-- sale's id generated beforehand; here the id comes from the insert above: same statements)
\if :hot
insert into inventory_movements (organization_id, id, product_id, kind, delta, balance_after, actor_id, reason,
                                 reference_id, occurred_at)
values (:org, bench_uuid7(), :p1, 'sale', -1, :b1, :user, '', :sale_id, now()),
       (:org, bench_uuid7(), :p1, 'sale', -1, :b2, :user, '', :sale_id, now()),
       (:org, bench_uuid7(), :p1, 'sale', -1, :b3, :user, '', :sale_id, now());
insert into sale_lines (organization_id, id, sale_id, position, product_id, quantity, unit_price, list_price,
                        unit_cost, discount, tax_rate_bp, tax_amount, total)
values (:org, bench_uuid7(), :sale_id, 1, :p1, 1, :pr1, :pr1, :co1, 0, :tr1, :tx1, :pr1),
       (:org, bench_uuid7(), :sale_id, 2, :p1, 1, :pr1, :pr1, :co1, 0, :tr1, :tx1, :pr1),
       (:org, bench_uuid7(), :sale_id, 3, :p1, 1, :pr1, :pr1, :co1, 0, :tr1, :tx1, :pr1);
\else
insert into inventory_movements (organization_id, id, product_id, kind, delta, balance_after, actor_id, reason,
                                 reference_id, occurred_at)
values (:org, bench_uuid7(), :p1, 'sale', -1, :b1, :user, '', :sale_id, now()),
       (:org, bench_uuid7(), :p2, 'sale', -1, :b2, :user, '', :sale_id, now()),
       (:org, bench_uuid7(), :p3, 'sale', -1, :b3, :user, '', :sale_id, now());
insert into sale_lines (organization_id, id, sale_id, position, product_id, quantity, unit_price, list_price,
                        unit_cost, discount, tax_rate_bp, tax_amount, total)
values (:org, bench_uuid7(), :sale_id, 1, :p1, 1, :pr1, :pr1, :co1, 0, :tr1, :tx1, :pr1),
       (:org, bench_uuid7(), :sale_id, 2, :p2, 1, :pr2, :pr2, :co2, 0, :tr2, :tx2, :pr2),
       (:org, bench_uuid7(), :sale_id, 3, :p3, 1, :pr3, :pr3, :co3, 0, :tr3, :tx3, :pr3);
\endif

insert into payments (organization_id, id, sale_id, method, amount, change, reference)
values (:org, bench_uuid7(), :sale_id, 'cash', :paid, :change, '');

-- the audit row (server/audit/service.py::record)
insert into audit_log (organization_id, id, actor_id, action, entity, entity_id, before, after, ip)
values (:org, bench_uuid7(), :user, 'sale.created', 'sale', :sale_id::text, null,
        jsonb_build_object('invoice_number', concat(:reg_code::text, '-', :num::bigint), 'total', :total::bigint,
                           'origin', 'online'),
        :ip);

-- the stored response under the request's Idempotency-Key (server/core/idempotency.py::complete)
insert into idempotency_keys (organization_id, user_id, key, endpoint, request_hash, status, response_status,
                              response_body, completed_at)
values (:org, :user, gen_random_uuid()::text, 'POST /api/v1/sales', sha256(convert_to(:sale_id::text, 'UTF8')),
        'completed', 201, convert_to(rpad('{', :bodylen::int, 'x'), 'UTF8'), now());

COMMIT;
