"""Sales: ringing one up (online, or an offline document settled on its own), reading and listing.

Invariants:
- A sale is one transaction: the register's next series number is taken (its row stays locked,
  so one till rings one sale at a time) and its open shift share-locked (so it can't close under
  the sale); then, as late as possible so that a popular product's row is locked briefly, the
  products are locked in id order, stock is decremented with a conditional update, and the sale,
  its lines, payments, one movement per line and the audit row are written, all in one
  statement; the customer's stats are updated last; events go out only after commit.
- What is written is the sale's facts (`server.sales.sale_facts`), the same for every way a sale
  is recorded; the origin (`Online`, `Offline`) only decides which rules are checked.
- Online sales never oversell unless the tenant allows negative stock; the 409 names the products.
- Invoice numbers are `{register code}-{n}`, n consecutive per register.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime

import msgspec
from sqlalchemy import func, select

from server.audit import service as audit
from server.core import idempotency
from server.core.context import ActorContext, Context, TenantContext
from server.core.db import Statement
from server.core.errors import Conflict, FieldError, Forbidden, NotFound
from server.core.events import publish_after_commit
from server.core.ids import new_id
from server.core.pagination import Page, paginate
from server.core.schemas import encode_json
from server.customers import service as customers
from server.customers.models import Customer
from server.inventory import service as inventory
from server.sales.models import Payment, Refund, RefundLine, Sale, SaleLine
from server.sales.pricing import PricingError
from server.sales.rules import PRICE_SETTERS, invalid, missing
from server.sales.sale_facts import AUDIT_ACTION, Offline, Online, SaleFacts, SaleOrigin, sale_facts, sale_line_read
from server.sales.schemas import PaymentRead, SaleCreate, SaleQuery, SaleRead, SaleSummary


@dataclass(frozen=True)
class RecordedSale:
    facts: SaleFacts
    read: SaleRead = dataclasses.field(compare=False, repr=False)
    """The sale as `read_sale` would answer it right after the write (refunded nothing yet)."""

    @property
    def sale_id(self) -> uuid.UUID:
        return self.facts.id

    @property
    def invoice_number(self) -> str:
        return self.facts.invoice_number

    @property
    def total(self) -> int:
        return self.facts.priced.total


_OPEN_SALE = Statement(
    "with register as ("
    " update registers set updated_at = now(), last_number = case when cast(:number as bigint) is null"
    "  then last_number + 1 else greatest(last_number, cast(:number as bigint)) end"
    " where organization_id = :organization_id and id = :register_id"
    " returning id, code, is_active, coalesce(cast(:number as bigint), last_number) as number),"
    " shift as materialized (select id from shifts where organization_id = :organization_id"
    "  and register_id = :register_id and status = 'open' and cast(:find_shift as boolean) for share),"
    " plans as materialized (select current_setting('plan_cache_mode') as previous,"
    "  set_config('plan_cache_mode', 'force_generic_plan', true)) "
    "select r.code, r.is_active, r.number, (select id from shift) as shift_id,"
    " (select previous from plans) as plan_cache_mode,"
    " p.id, p.sku, p.name, s.on_hand, p.reorder_point, p.price, p.cost, p.tax_rate_bp, p.is_active as product_active "
    "from register r left join products p"
    " on p.organization_id = :organization_id and p.id = any(cast(:product_ids as uuid[]))"
    " left join product_stock s on s.organization_id = p.organization_id and s.product_id = p.id"
)
"""The sale's first statement: the register's series number taken (the register row stays locked
to the end: one till rings one sale at a time), its open shift share-locked so that it can't
close under the sale, and the products read, unlocked, for their prices and flags. No row: no
such register.

It also switches the transaction to generic plans until `_WRITE_SALE` has started, which puts
the setting back: PostgreSQL would otherwise re-plan that ten-part statement for every sale
(its custom plans look cheaper than a generic one, as they see three-element arrays), which
costs about as much as running it."""

_WRITE_SALE = Statement(
    "with locked as materialized ("
    " select product_id as id, on_hand as stock from product_stock where organization_id = :organization_id"
    " and product_id = any(cast(:product_ids as uuid[])) order by product_id for update),"
    " wanted as (select * from unnest(cast(:product_ids as uuid[]), cast(:deltas as bigint[])) as w(id, delta)),"
    " refused as (select w.id from wanted w left join locked l on l.id = w.id"
    "  where l.id is null or (not cast(:allow_negative as boolean) and l.stock + w.delta < 0)),"
    " changed as (update product_stock s set on_hand = s.on_hand + w.delta, updated_at = now() from wanted w"
    "  where s.organization_id = :organization_id and s.product_id = w.id and not exists (select from refused)"
    "  returning s.product_id as id, s.on_hand as stock),"
    " moment as (select coalesce(cast(:sold_at as timestamptz), clock_timestamp()) as at"
    "  where exists (select from changed)),"
    " sale as (insert into sales (organization_id, id, register_id, shift_id, number, invoice_number, cashier_id,"
    "  customer_id, device_id, status, origin, subtotal, discount_total, tax_total, total, paid_total, change_total,"
    "  tax_mode, note, sold_at)"
    "  select :organization_id, :sale_id, :register_id, :shift_id, :number, :invoice_number, :cashier_id,"
    "  :customer_id, :device_id, 'completed', :origin, :subtotal, :discount_total, :tax_total, :total, :paid_total,"
    "  :change_total, :tax_mode, :note, m.at from moment m),"
    " sale_lines as (insert into sale_lines (organization_id, id, sale_id, position, product_id, quantity,"
    "  unit_price, list_price, unit_cost, discount, tax_rate_bp, tax_amount, total)"
    "  select :organization_id, l.id, :sale_id, l.position, l.product_id, l.quantity, l.unit_price, l.list_price,"
    "  l.unit_cost, l.discount, l.tax_rate_bp, l.tax_amount, l.total"
    "  from unnest(cast(:line_ids as uuid[]), cast(:line_product_ids as uuid[]), cast(:line_quantities as bigint[]),"
    "  cast(:line_unit_prices as bigint[]), cast(:line_list_prices as bigint[]), cast(:line_unit_costs as bigint[]),"
    "  cast(:line_discounts as bigint[]), cast(:line_tax_rates as integer[]), cast(:line_tax_amounts as bigint[]),"
    "  cast(:line_totals as bigint[])) with ordinality as l(id, product_id, quantity, unit_price, list_price,"
    "  unit_cost, discount, tax_rate_bp, tax_amount, total, position), moment),"
    " movements as (insert into inventory_movements (organization_id, id, product_id, kind, delta, balance_after,"
    "  actor_id, reason, reference_id, occurred_at)"
    "  select :organization_id, m.id, m.product_id, 'sale', m.delta,"
    "  l.stock + sum(m.delta) over (partition by m.product_id order by m.position), :cashier_id, '', :sale_id, t.at"
    "  from unnest(cast(:movement_ids as uuid[]), cast(:line_product_ids as uuid[]),"
    "  cast(:movement_deltas as bigint[])) with ordinality as m(id, product_id, delta, position)"
    "  join locked l on l.id = m.product_id cross join moment t),"
    " payments as (insert into payments (organization_id, id, sale_id, method, amount, change, reference)"
    "  select :organization_id, p.id, :sale_id, p.method, p.amount, p.change, p.reference"
    "  from unnest(cast(:payment_ids as uuid[]), cast(:payment_methods as text[]),"
    "  cast(:payment_amounts as bigint[]), cast(:payment_changes as bigint[]),"
    "  cast(:payment_references as text[])) as p(id, method, amount, change, reference), moment),"
    f" audit as ({audit.AUDIT_INSERT} from moment),"
    f" idempotency as ({idempotency.response_insert('sold_at')}) "
    "select l.id, l.stock, c.stock as stock_after, (select at from moment) as sold_at,"
    " exists (select from idempotency) as response_stored,"
    " set_config('plan_cache_mode', :plan_cache_mode, true)"
    " from locked l left join changed c on c.id = l.id"
)
"""The sale's write, in one statement, holding the product locks for the shortest time (this
statement, the idempotency row, the commit): lock the products in id order; refuse (write
nothing) if one is missing or would go below zero when that is not allowed; otherwise decrement
them, and insert the sale, its lines, payments, one movement per line (with the balance right
after it), the audit row and, for a request holding an idempotency key, its 201 answer, at the
time of the sale (the time the locks were granted, for an online sale). One row per locked
product: its stock when locked, and after (null: refused), and whether the answer was stored."""


@dataclass(frozen=True, slots=True)
class _Opened:
    """What `_OPEN_SALE` found: the register's code, the sale's number and shift, the products as
    read (unlocked), and the plan cache mode to put back."""

    register_code: str
    number: int
    shift_id: uuid.UUID | None
    products: dict[uuid.UUID, inventory.LockedProduct]
    plan_cache_mode: str


async def _open(ctx: Context, data: SaleCreate, origin: SaleOrigin, product_ids: list[uuid.UUID]) -> _Opened:
    """Run `_OPEN_SALE` and check the register and shift: an online sale needs an active register
    with an open shift; an offline one keeps the shift it names."""
    online = isinstance(origin, Online)
    rows = await _OPEN_SALE.fetch(
        ctx.session,
        {
            "organization_id": ctx.organization_id,
            "register_id": data.register_id,
            "number": None if isinstance(origin, Online) else origin.number,
            "find_shift": online,
            "product_ids": product_ids,
        },
    )
    if not rows:
        raise missing(["register_id"], "no such register")
    register_code, register_active, number, open_shift_id, plan_cache_mode = rows[0][:5]
    if isinstance(origin, Offline):
        shift_id = origin.shift_id
    elif not register_active:
        raise invalid(["register_id"], "the register is inactive")
    elif open_shift_id is None:
        raise Conflict("the register has no open shift; open one first", code="no_open_shift")
    else:
        shift_id = open_shift_id
    products = {row[5]: inventory.LockedProduct(*row[5:]) for row in rows if row[5] is not None}
    return _Opened(register_code, number, shift_id, products, plan_cache_mode)


def _check_lines(
    ctx: ActorContext, data: SaleCreate, origin: SaleOrigin, products: dict[uuid.UUID, inventory.LockedProduct]
) -> None:
    """Every product must exist; an online sale also needs them active, and a manager to change a
    price."""
    online = isinstance(origin, Online)
    for index, line in enumerate(data.lines):
        product = products.get(line.product_id)
        if product is None:
            raise missing(["lines", index, "product_id"], "no such product", code="unknown_product")
        if not online:
            continue
        if not product.is_active:
            raise invalid(["lines", index, "product_id"], f"{product.name} is inactive", code="inactive_product")
        if line.unit_price not in (None, product.price) and ctx.actor.role not in PRICE_SETTERS:
            raise Forbidden("only managers may change a price at the till", code="price_override_forbidden")


async def _check_customer(ctx: Context, data: SaleCreate, origin: SaleOrigin) -> None:
    """The customer must exist, and be active for an online sale."""
    if data.customer_id is not None:
        customer = await ctx.session.get(Customer, (ctx.organization_id, data.customer_id))
        if customer is None or (not customer.is_active and isinstance(origin, Online)):
            raise missing(["customer_id"], "no such customer")


def _write_values(
    ctx: TenantContext, facts: SaleFacts, origin: SaleOrigin, opened: _Opened, answer: bytes
) -> dict[str, object]:
    """The parameters of `_WRITE_SALE` for `facts`; `answer` is the encoded response to store
    under an online request's idempotency key (empty without one)."""
    claim = origin.claim if isinstance(origin, Online) else None
    deltas = facts.deltas
    row = facts.sale_row(sold_at=origin.sold_at if isinstance(origin, Offline) else None)
    del row["id"], row["status"]  # the statement writes them itself
    return {
        "organization_id": ctx.organization_id,
        "product_ids": list(deltas),
        "deltas": list(deltas.values()),
        "allow_negative": ctx.tenant.allow_negative_stock if isinstance(origin, Online) else True,
        "plan_cache_mode": opened.plan_cache_mode,
        **row,
        "sale_id": facts.id,
        "line_ids": [line.id for line in facts.lines],
        "line_product_ids": [line.product_id for line in facts.lines],
        "line_quantities": [line.quantity for line in facts.lines],
        "line_unit_prices": [line.unit_price for line in facts.lines],
        "line_list_prices": [line.list_price for line in facts.lines],
        "line_unit_costs": [line.unit_cost for line in facts.lines],
        "line_discounts": [line.discount for line in facts.lines],
        "line_tax_rates": [line.tax_rate_bp for line in facts.lines],
        "line_tax_amounts": [line.tax_amount for line in facts.lines],
        "line_totals": [line.total for line in facts.lines],
        "movement_ids": list(facts.movement_ids),
        "movement_deltas": [-line.quantity for line in facts.lines],
        "payment_ids": [payment.id for payment in facts.payments],
        "payment_methods": [payment.method for payment in facts.payments],
        "payment_amounts": [payment.amount for payment in facts.payments],
        "payment_changes": [payment.change for payment in facts.payments],
        "payment_references": [payment.reference for payment in facts.payments],
        **audit.entry_values(ctx, action=AUDIT_ACTION, entity="sale", entity_id=facts.id, after=facts.audit_after),
        **idempotency.response_values(claim, facts.cashier_id, answer),
    }


async def record_sale(ctx: ActorContext, data: SaleCreate, origin: SaleOrigin) -> RecordedSale:
    """Write a sale and everything that goes with it (see the module's invariants) in two
    statements: `_OPEN_SALE` (register, number, shift, products), the rules of the origin checked
    in Python, then `_WRITE_SALE`. Any 4xx leaves the transaction to be rolled back; `_WRITE_SALE`
    itself writes nothing when it refuses. With an online claim, `_WRITE_SALE` also stores the
    sale's answer under the key, and the claim is marked stored (409 if a duplicate stored one
    first)."""
    if ctx.session.new or ctx.session.dirty or ctx.session.deleted:
        await ctx.session.flush()  # the statements below bypass the unit of work
    product_ids = sorted({line.product_id for line in data.lines})
    opened = await _open(ctx, data, origin, product_ids)
    _check_lines(ctx, data, origin, opened.products)
    try:
        facts = sale_facts(
            data,
            origin=origin,
            sale_id=origin.sale_id if isinstance(origin, Offline) else new_id(),
            register_id=data.register_id,
            register_code=opened.register_code,
            number=opened.number,
            shift_id=opened.shift_id,
            cashier_id=ctx.actor.user_id,
            tax_mode=ctx.tenant.tax_mode,
            products=opened.products,
        )
    except PricingError as exc:
        raise invalid(exc.field, str(exc), code="invalid_amounts") from exc
    await _check_customer(ctx, data, origin)
    claim = origin.claim if isinstance(origin, Online) else None
    read = facts.read(sold_at=idempotency.MOMENT_PLACEHOLDER)  # the statement knows the moment
    written = await _WRITE_SALE.fetch(
        ctx.session, _write_values(ctx, facts, origin, opened, encode_json(read) if claim else b"")
    )
    stock_before = {row[0]: row[1] for row in written}
    stock_after = {row[0]: row[2] for row in written if row[2] is not None}
    if len(stock_after) != len(product_ids):
        _refused(product_ids, opened.products, stock_before, stock_after, facts.deltas)
    moment: datetime = written[0][3]
    if claim is not None:
        if not written[0][4]:
            raise idempotency.in_flight()
        claim.stored = True
    inventory.announce(
        ctx,
        {pid: dataclasses.replace(opened.products[pid], stock=stock_before[pid]) for pid in product_ids},
        {pid: stock_after[pid] for pid in product_ids},
        facts.deltas,
        "sale",
    )
    if data.customer_id is not None:
        await customers.record_purchase(ctx, customer_id=data.customer_id, amount=facts.priced.total, at=moment)
    publish_after_commit(ctx, "sales", "sale.created", facts.created_event(sold_at=moment))
    return RecordedSale(facts=facts, read=msgspec.structs.replace(read, sold_at=moment))


def _refused(
    product_ids: list[uuid.UUID],
    products: dict[uuid.UUID, inventory.LockedProduct],
    stock_before: dict[uuid.UUID, int],
    stock_after: dict[uuid.UUID, int],
    deltas: dict[uuid.UUID, int],
) -> None:
    """Raise what `_WRITE_SALE` refused for: a product deleted since it was read (404), or stock
    that would go below zero (409 naming the products)."""
    missing_ids = [product_id for product_id in product_ids if product_id not in stock_before]
    if missing_ids:
        raise NotFound(
            "unknown product", errors=[FieldError(loc=["product", str(pid)], msg="not found") for pid in missing_ids]
        )
    short = [
        dataclasses.replace(products[product_id], stock=stock_before[product_id])
        for product_id in product_ids
        if product_id not in stock_after
    ]
    raise inventory.insufficient_stock(short, {pid: -delta for pid, delta in deltas.items()})


async def create_sale(ctx: ActorContext, data: SaleCreate) -> SaleRead:
    """Ring up an online sale; the answer is built from what was written, not read back, and
    stored under the request's idempotency key by the sale's own write statement."""
    return (await record_sale(ctx, data, Online(claim=ctx.claim))).read


async def get_sale(ctx: Context, sale_id: uuid.UUID, *, for_update: bool = False) -> Sale:
    sale = await ctx.session.get(Sale, (ctx.organization_id, sale_id), with_for_update=for_update)
    if sale is None:
        raise NotFound("no such sale")
    return sale


async def refunded_quantities(ctx: Context, sale_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """How many units of each of the sale's lines were refunded (lines with none are left out)."""
    rows = await ctx.session.execute(
        select(RefundLine.sale_line_id, func.sum(RefundLine.quantity))
        .join(Refund, (Refund.organization_id == RefundLine.organization_id) & (Refund.id == RefundLine.refund_id))
        .where(Refund.organization_id == ctx.organization_id, Refund.sale_id == sale_id)
        .group_by(RefundLine.sale_line_id)
    )
    return {line_id: int(quantity) for line_id, quantity in rows}


async def read_sale(ctx: Context, sale_id: uuid.UUID) -> SaleRead:
    sale = await get_sale(ctx, sale_id)
    lines = list(
        await ctx.session.scalars(
            select(SaleLine)
            .where(SaleLine.organization_id == ctx.organization_id, SaleLine.sale_id == sale.id)
            .order_by(SaleLine.position)
        )
    )
    payments = list(
        await ctx.session.scalars(
            select(Payment)
            .where(Payment.organization_id == ctx.organization_id, Payment.sale_id == sale.id)
            .order_by(Payment.id)
        )
    )
    refunded = await refunded_quantities(ctx, sale.id)
    refunded_total = (
        await ctx.session.scalar(
            select(func.coalesce(func.sum(Refund.total), 0)).where(
                Refund.organization_id == ctx.organization_id, Refund.sale_id == sale.id
            )
        )
        or 0
    )
    return SaleRead(
        id=sale.id,
        invoice_number=sale.invoice_number,
        number=sale.number,
        register_id=sale.register_id,
        shift_id=sale.shift_id,
        cashier_id=sale.cashier_id,
        customer_id=sale.customer_id,
        status=sale.status,
        origin=sale.origin,
        tax_mode=sale.tax_mode,
        subtotal=sale.subtotal,
        discount_total=sale.discount_total,
        tax_total=sale.tax_total,
        total=sale.total,
        paid_total=sale.paid_total,
        change_total=sale.change_total,
        refunded_total=int(refunded_total),
        note=sale.note,
        sold_at=sale.sold_at,
        lines=[sale_line_read(line, refunded_quantity=refunded.get(line.id, 0)) for line in lines],
        payments=[
            PaymentRead(
                id=p.id,
                method=p.method,
                amount=p.amount,
                change=p.change,
                reference=p.reference,
            )
            for p in payments
        ],
    )


def _summary(sale: Sale) -> SaleSummary:
    return SaleSummary(
        id=sale.id,
        invoice_number=sale.invoice_number,
        register_id=sale.register_id,
        cashier_id=sale.cashier_id,
        customer_id=sale.customer_id,
        status=sale.status,
        origin=sale.origin,
        total=sale.total,
        sold_at=sale.sold_at,
    )


async def list_sales(ctx: Context, query: SaleQuery) -> Page[SaleSummary]:
    statement = select(Sale).where(Sale.organization_id == ctx.organization_id)
    for field in ("register_id", "shift_id", "customer_id", "cashier_id", "status", "invoice_number"):
        value = getattr(query, field)
        if value is not None:
            statement = statement.where(getattr(Sale, field) == value)
    if query.since is not None:
        statement = statement.where(Sale.sold_at >= query.since)
    if query.until is not None:
        statement = statement.where(Sale.sold_at < query.until)
    statement = statement.order_by(Sale.sold_at.desc(), Sale.id.desc())
    return await paginate(ctx.session, statement, query, _summary)
