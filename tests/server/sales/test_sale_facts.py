"""The facts of a sale (server/sales/sale_facts.py): one pure function, the same for an online
request and an offline document, that every writer of a sale writes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from server.inventory.service import LockedProduct
from server.sales.pricing import PricingError
from server.sales.sale_facts import Offline, Online, sale_facts
from server.sales.schemas import PaymentCreate, SaleCreate, SaleLineCreate
from sync.schemas import SaleDocument

MILK = LockedProduct(uuid.UUID(int=2), "MILK", "Leche", 40, 10, 1190, 800, 1900, True)
BREAD = LockedProduct(uuid.UUID(int=1), "BREAD", "Pan", 5, 10, 990, 500, 0, True)
PRODUCTS = {MILK.id: MILK, BREAD.id: BREAD}
SOLD_AT = datetime(2026, 12, 7, 12, 30, tzinfo=UTC)
REGISTER = uuid.UUID(int=10)
CASHIER = uuid.UUID(int=20)
SHIFT = uuid.UUID(int=30)


def lines() -> list[SaleLineCreate]:
    return [
        SaleLineCreate(product_id=MILK.id, quantity=2),
        SaleLineCreate(product_id=BREAD.id, quantity=1, unit_price=890, discount=40),
        SaleLineCreate(product_id=MILK.id, quantity=1),
    ]


def facts_of(request: SaleCreate | SaleDocument, origin: Online | Offline, number: int = 7):
    return sale_facts(
        request,
        origin=origin,
        sale_id=uuid.UUID(int=99),
        register_id=REGISTER,
        register_code="C1",
        number=number,
        shift_id=SHIFT,
        cashier_id=CASHIER,
        tax_mode="inclusive",
        products=PRODUCTS,
    )


def test_the_facts_of_a_request() -> None:
    request = SaleCreate(
        register_id=REGISTER,
        lines=lines(),
        payments=[PaymentCreate(method="card", amount=1000), PaymentCreate(method="cash", amount=5000)],
        discount=100,
        note="sin bolsa",
    )
    facts = facts_of(request, Online())
    assert facts.invoice_number == "C1-7" and facts.origin == "online" and facts.device_id is None
    assert [line.position for line in facts.lines] == [1, 2, 3]
    assert [(line.unit_price, line.list_price, line.unit_cost) for line in facts.lines] == [
        (1190, 1190, 800),
        (890, 990, 500),
        (1190, 1190, 800),
    ]
    assert sum(line.total for line in facts.lines) == facts.priced.total == 2 * 1190 + 890 - 40 + 1190 - 100
    assert sum(line.discount for line in facts.lines) == facts.priced.discount_total == 140
    assert facts.deltas == {BREAD.id: -1, MILK.id: -3}, "per product, in id order"
    assert facts.product_ids == [BREAD.id, MILK.id]
    assert len(set(facts.movement_ids)) == len(facts.lines)
    assert [payment.change for payment in facts.payments] == [0, 6000 - facts.priced.total]
    assert facts.audit_after == {"invoice_number": "C1-7", "total": facts.priced.total, "origin": "online"}

    row = facts.sale_row(SOLD_AT)
    assert row["total"] == facts.priced.total and row["paid_total"] == 6000 and row["note"] == "sin bolsa"
    read = facts.read(SOLD_AT)
    assert read.sold_at == SOLD_AT and read.refunded_total == 0 and read.total == row["total"]
    assert [line.id for line in read.lines] == [line.id for line in facts.lines]
    event = facts.created_event(SOLD_AT)
    assert event["items"] == 4 and [line["name"] for line in event["lines"]] == ["Leche", "Pan", "Leche"]


def test_an_offline_document_gives_the_same_facts_as_the_request() -> None:
    payments = [PaymentCreate(method="cash", amount=10_000)]
    request = SaleCreate(register_id=REGISTER, lines=lines(), payments=payments, discount=100)
    document = SaleDocument(
        id=uuid.UUID(int=99),
        seq=1,
        device_time=SOLD_AT,
        cashier_id=CASHIER,
        shift_id=SHIFT,
        number=7,
        lines=lines(),
        payments=payments,
        discount=100,
    )
    offline = Offline(device_id=uuid.UUID(int=5), sale_id=document.id, sold_at=SOLD_AT, number=7, shift_id=SHIFT)
    online, from_device = facts_of(request, Online()), facts_of(document, offline)
    assert from_device.origin == "offline" and from_device.device_id == uuid.UUID(int=5)
    assert from_device.priced == online.priced and from_device.settlement == online.settlement
    ignored = {"id", "device_id", "origin"}
    assert {k: v for k, v in from_device.sale_row(SOLD_AT).items() if k not in ignored} == {
        k: v for k, v in online.sale_row(SOLD_AT).items() if k not in ignored
    }


def test_amounts_that_do_not_add_up_raise() -> None:
    request = SaleCreate(register_id=REGISTER, lines=lines(), payments=[PaymentCreate(method="card", amount=1)])
    with pytest.raises(PricingError):
        facts_of(request, Online())
