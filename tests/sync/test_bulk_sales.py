"""The set-based path (sync/bulk_sales.py) settles exactly what the per-document path settles.

The same batch is pushed through the service twice, once set-based and once one document at a
time, each in a transaction that is rolled back afterwards. Both must give the same answers,
leave the same rows (apart from generated ids and the transaction's time) and queue the same
events in the same order; the set-based one in a handful of statements."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest
from sqlalchemy import event, text

from server.core.context import Actor, Context
from server.core.events import Publication
from server.tenancy.models import Organization
from server.tenancy.service import tenant_of
from sync import push
from sync.schemas import PushRequest
from tests.conftest import Api, TenantSession
from tests.server.sales.conftest import open_shop
from tests.sync.conftest import Pos, register_pos

SNAPSHOT = {
    "sales": (
        "select id, register_id, shift_id, number, invoice_number, cashier_id, customer_id, device_id, status, "
        "origin, subtotal, discount_total, tax_total, total, paid_total, change_total, tax_mode, note, sold_at "
        "from sales where device_id = :device order by number"
    ),
    "sale_lines": (
        "select l.sale_id, position, product_id, quantity, unit_price, list_price, unit_cost, discount, "
        "tax_rate_bp, tax_amount, l.total from sale_lines l join sales s on s.id = l.sale_id "
        "where s.device_id = :device order by s.number, position"
    ),
    "payments": (
        "select p.sale_id, method, amount, change, reference from payments p join sales s on s.id = p.sale_id "
        "where s.device_id = :device order by s.number, p.id"
    ),
    "inventory_movements": (
        "select m.product_id, kind, delta, balance_after, actor_id, reason, reference_id, occurred_at "
        "from inventory_movements m join sales s on s.id = m.reference_id "
        "where s.device_id = :device order by s.number, m.id"
    ),
    "audit_log": (
        "select a.actor_id, action, entity, entity_id, before, after, ip from audit_log a "
        "join sales s on a.entity_id = s.id::text where s.device_id = :device order by s.number, a.id"
    ),
    "sync_documents": (
        "select client_id, device_id, seq, kind, request_hash, outcome, result from sync_documents "
        "where device_id = :device order by seq"
    ),
    "sync_conflicts": (
        "select document_id, sale_id, product_id, code, message, details, status from sync_conflicts "
        "where device_id = :device order by code, product_id"
    ),
    "products": "select product_id, on_hand from product_stock order by product_id",
    "registers": "select id, last_number from registers order by id",
    "customers": "select id, name, visits, total_spent, last_purchase_at from customers order by id",
    "devices": "select id, last_seq from devices order by id",
}


@dataclass
class Settled:
    answer: dict[str, Any]
    rows: dict[str, list[tuple[Any, ...]]]
    events: list[tuple[str, str, Any]]
    statements: int


def normalized_event(publication: Publication) -> tuple[str, str, Any]:
    data = msgspec.to_builtins(publication.data)
    if publication.event_type == "stock.changed":
        data["products"].sort(key=lambda item: item["product_id"])
    if publication.event_type == "sync.conflict":
        del data["conflict_id"]
    return publication.topic, publication.event_type, data


async def settle(resources: Any, pos: Pos, documents: list[dict[str, Any]], *, set_based: bool) -> Settled:
    """Push `documents` through the service in a transaction that is rolled back."""
    organization_id = pos.shop.tenant.organization_id
    request = msgspec.json.decode(
        json.dumps({"device_id": pos.device_id, "sales": documents}).encode(), type=PushRequest
    )
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    engine = resources.database.engine.sync_engine
    async with resources.database.sessions() as session:
        session.info["organization_id"] = organization_id
        transaction = await session.begin()
        try:
            organization = await session.get(Organization, organization_id)
            assert organization is not None
            ctx = Context(
                session=session,
                resources=resources,
                tenant=tenant_of(organization),
                actor=Actor(uuid.UUID(pos.cashier_id), "cashier"),
                ip="203.0.113.7",
            )
            event.listen(engine, "before_cursor_execute", count)
            try:
                result = await push.push_documents(ctx, request, pos.credential, set_based=set_based)
            finally:
                event.remove(engine, "before_cursor_execute", count)
            rows = {
                name: [tuple(row) for row in await session.execute(text(query), {"device": pos.device_id})]
                for name, query in SNAPSHOT.items()
            }
            events = [normalized_event(p) for p in ctx.pending_after_commit if isinstance(p, Publication)]
            assert len(events) == len(ctx.pending_after_commit)
        finally:
            await transaction.rollback()
    return Settled(msgspec.to_builtins(result), rows, events, statements)


@pytest.fixture
async def shop_pos(api: Api, tenant_a: TenantSession) -> Pos:
    pos = await register_pos(api, await open_shop(tenant_a, code="B1", stock=20))
    product = pos.shop.products[0]["id"]
    response = await pos.shop.client.patch(f"/api/v1/products/{product}", json={"reorder_point": 15})
    assert response.status_code == 200, response.text
    return pos


def mixed_batch(pos: Pos) -> list[dict[str, Any]]:
    """Plain sales around every kind of document the set-based path must leave alone."""
    plain = pos.sale([(0, 1), (1, 2)])
    documents = [
        plain,
        pos.sale(
            [(0, 2), (2, 1), (0, 1)],
            discount=100,
            payments=[{"method": "card", "amount": 1000}, {"method": "cash", "amount": 10**6, "reference": "x"}],
        ),
        customer := pos.document("customer", customer={"name": "Cliente Lote"}),
        pos.sale([(0, 1)], customer_id=customer["id"], note="con cliente"),
        repriced := pos.sale([(2, 1)]),
        pos.sale([(1, 1)]),
        pos.sale([(0, 1)], payments=[{"method": "cash", "amount": 1}]),
        pos.sale([(1, 30)]),
        pos.sale([(0, 1), (2, 2)]),
        pos.sale([(2, 1)], shift_id=None),
        pos.sale([(0, 1), (2, 1)]),
        pos.sale([(2, 3)]),
        plain,
    ]
    repriced["lines"][0]["unit_price"] = 1
    return documents


async def test_set_based_and_one_by_one_settle_the_same(shop_pos: Pos, resources) -> None:
    documents = mixed_batch(shop_pos)
    fast = await settle(resources, shop_pos, documents, set_based=True)
    slow = await settle(resources, shop_pos, documents, set_based=False)

    statuses = [result["status"] for result in fast.answer["results"]]
    assert statuses == [
        "applied",
        "applied",
        "applied",
        "applied",
        "applied_with_conflict",
        "applied",
        "rejected",
        "applied_with_conflict",
        "applied",
        "applied_with_conflict",
        "applied",
        "applied",
        "duplicate",
    ]
    assert fast.answer == slow.answer
    for name in SNAPSHOT:
        assert fast.rows[name] == slow.rows[name], name
    assert len(fast.rows["sales"]) == 10 and fast.rows["devices"]
    assert fast.events == slow.events
    kinds = [kind for _, kind, _ in fast.events]
    assert "stock.low" in kinds and "sync.conflict" in kinds and kinds.count("sale.created") == 10


async def test_a_run_of_plain_sales_takes_a_fixed_number_of_statements(shop_pos: Pos, resources) -> None:
    small = await settle(resources, shop_pos, [shop_pos.sale([(0, 1), (1, 1)]) for _ in range(5)], set_based=True)
    shop_pos.seq = shop_pos.number = 0
    large = await settle(resources, shop_pos, [shop_pos.sale([(0, 1), (1, 1)]) for _ in range(15)], set_based=True)
    assert {result["status"] for result in large.answer["results"]} == {"applied"}
    assert large.statements == small.statements
    assert large.rows["products"] == [
        (uuid.UUID(product["id"]), stock)
        for product, stock in sorted(
            zip(shop_pos.shop.products, (5, 5, 20), strict=True), key=lambda item: uuid.UUID(item[0]["id"])
        )
    ]


async def test_a_run_postgresql_refuses_is_settled_one_by_one(shop_pos: Pos, resources, owner_engine) -> None:
    """A document only PostgreSQL refuses: the set-based write is rolled back and the run goes
    through the per-document path, where that document alone is rejected."""
    documents = [shop_pos.sale([(0, 1)]), shop_pos.sale([(1, 1)], note="refused by the test"), shop_pos.sale([(2, 1)])]
    async with owner_engine.begin() as connection:
        await connection.execute(
            text("alter table sales add constraint test_refused check (note <> 'refused by the test') not valid")
        )
    try:
        response = await shop_pos.push(documents)
    finally:
        async with owner_engine.begin() as connection:
            await connection.execute(text("alter table sales drop constraint test_refused"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["status"] for r in body["results"]] == ["applied", "rejected", "applied"]
    assert body["results"][1]["code"] == "refused_by_database" and body["last_seq"] == 3
    assert [await shop_pos.shop.stock(index) for index in range(3)] == [19, 20, 19]
    again = (await shop_pos.push(documents)).json()
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 3
