"""Races through the HTTP API, forced rather than hoped for: a connection of the test holds the
row (or the unique key) that every request of the race needs, the requests are started one by
one until PostgreSQL shows each of them waiting on a lock (`pg_stat_activity`), and then the
row is let go. Whatever order they then run in, the rules must hold: exactly the documented
winner, a problem document (never a 5xx) for the others, and no state a lone request could not
have made."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import STRONG_PASSWORD, Api, TenantSession
from tests.server.sales.conftest import key, open_shop
from tests.sync.conftest import register_pos


async def waiting_on_locks(owner_engine: AsyncEngine) -> int:
    async with owner_engine.connect() as connection:
        count = await connection.execute(
            text(
                "select count(*) from pg_stat_activity where usename = 'orbit_app' "
                "and wait_event_type = 'Lock' and datname = current_database()"
            )
        )
        return int(count.scalar_one())


async def race(
    owner_engine: AsyncEngine,
    hold: str | list[str],
    params: dict[str, Any],
    *requests: Callable[[], Awaitable[httpx.Response]],
) -> list[httpx.Response]:
    """Run `requests` while `hold` (a statement that takes the contested lock) is held; each is
    started once the previous one waits on a lock; all are let go at once."""
    blocker = await owner_engine.connect()
    await blocker.begin()
    try:
        for statement in [hold] if isinstance(hold, str) else hold:
            await blocker.execute(
                text(statement), {name: value for name, value in params.items() if f":{name}" in statement}
            )
        started: list[asyncio.Task[httpx.Response]] = []
        for index, request in enumerate(requests, start=1):
            started.append(asyncio.create_task(request()))  # type: ignore[arg-type]
            async with asyncio.timeout(10):
                while await waiting_on_locks(owner_engine) < index:
                    assert not started[-1].done(), started[-1].result().text
                    await asyncio.sleep(0.02)
    finally:
        await blocker.rollback()
        await blocker.close()
    return list(await asyncio.gather(*started))


def statuses(responses: list[httpx.Response]) -> list[int]:
    return sorted(response.status_code for response in responses)


async def test_concurrent_partial_refunds_never_refund_more_than_the_line(
    tenant_a: TenantSession, owner_engine: AsyncEngine
) -> None:
    shop = await open_shop(tenant_a)
    sale = (await shop.sell([(0, 3)])).json()
    line = sale["lines"][0]["id"]

    def refund() -> Awaitable[httpx.Response]:
        body = {
            "register_id": shop.register["id"],
            "method": "cash",
            "reason": "devuelto",
            "lines": [{"sale_line_id": line, "quantity": 2}],
        }
        return shop.client.post(f"/api/v1/sales/{sale['id']}/refunds", json=body, headers=key())

    responses = await race(
        owner_engine, "select 1 from sales where id = :s for update", {"s": sale["id"]}, refund, refund
    )
    assert statuses(responses) == [201, 409], [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 409).json()
    assert refused["code"] == "refund_exceeds_sale"
    refunds = (await shop.client.get(f"/api/v1/sales/{sale['id']}/refunds")).json()
    assert [sum(item["quantity"] for item in refund["lines"]) for refund in refunds] == [2]
    assert await shop.stock(0) == 100 - 3 + 2


@pytest.mark.parametrize("first", ["refund", "void"])
async def test_a_void_racing_a_refund_lets_exactly_one_through(
    tenant_a: TenantSession, owner_engine: AsyncEngine, first: str
) -> None:
    """Row locks are granted in the order they were asked for, so `first` wins the race."""
    shop = await open_shop(tenant_a)
    sale = (await shop.sell([(0, 3)])).json()
    refund_body = {
        "register_id": shop.register["id"],
        "method": "cash",
        "reason": "devuelto",
        "lines": [{"sale_line_id": sale["lines"][0]["id"], "quantity": 1}],
    }
    requests = {
        "refund": lambda: shop.client.post(f"/api/v1/sales/{sale['id']}/refunds", json=refund_body, headers=key()),
        "void": lambda: shop.client.post(f"/api/v1/sales/{sale['id']}/void", json={"reason": "error"}, headers=key()),
    }
    second = "void" if first == "refund" else "refund"
    lock = "select 1 from sales where id = :s for update"
    won, lost = await race(owner_engine, lock, {"s": sale["id"]}, requests[first], requests[second])
    after = (await shop.client.get(f"/api/v1/sales/{sale['id']}")).json()
    refunds = (await shop.client.get(f"/api/v1/sales/{sale['id']}/refunds")).json()
    if first == "refund":
        assert won.status_code == 201, won.text
        assert (lost.status_code, lost.json()["code"]) == (409, "sale_has_refunds")
        assert after["status"] != "voided" and [refund["kind"] for refund in refunds] == ["refund"]
        assert await shop.stock(0) == 98
    else:
        assert (won.status_code, won.json()["kind"]) == (201, "void"), won.text
        assert (lost.status_code, lost.json()["code"]) == (409, "sale_voided")
        assert after["status"] == "voided" and [refund["kind"] for refund in refunds] == ["void"]
        assert await shop.stock(0) == 100


async def test_two_shifts_opened_at_once_on_one_register(api: Api, tenant_a: TenantSession, owner_engine) -> None:
    register = (await tenant_a.client.post("/api/v1/registers", json={"code": "R9", "name": "Caja 9"})).json()

    def open_shift() -> Awaitable[httpx.Response]:
        body = {"register_id": register["id"], "opening_float": 1000}
        return tenant_a.client.post("/api/v1/shifts", json=body, headers=key())

    responses = await race(
        owner_engine, "select 1 from registers where id = :r for update", {"r": register["id"]}, open_shift, open_shift
    )
    assert statuses(responses) == [201, 409], [r.text for r in responses]
    assert next(r for r in responses if r.status_code == 409).json()["code"] == "shift_already_open"
    async with owner_engine.connect() as connection:
        open_shifts = await connection.execute(
            text("select count(*) from shifts where register_id = :r and status = 'open'"), {"r": register["id"]}
        )
        assert open_shifts.scalar_one() == 1


async def test_concurrent_cash_movements_are_all_recorded(tenant_a: TenantSession, owner_engine) -> None:
    shop = await open_shop(tenant_a)
    shift_id = shop.shift["id"]

    def movement(kind: str, amount: int) -> Callable[[], Awaitable[httpx.Response]]:
        body = {"kind": kind, "amount": amount, "reason": kind}
        return lambda: shop.client.post(f"/api/v1/shifts/{shift_id}/cash-movements", json=body, headers=key())

    responses = await race(
        owner_engine,
        "select 1 from shifts where id = :s for update",
        {"s": shift_id},
        movement("pay_in", 500),
        movement("pay_out", 300),
        movement("pay_out", 200),
    )
    assert statuses(responses) == [201, 201, 201], [r.text for r in responses]
    report = (await shop.client.get(f"/api/v1/shifts/{shift_id}/report")).json()
    assert sorted((m["kind"], m["amount"]) for m in report["cash_movements"]) == [
        ("pay_in", 500),
        ("pay_out", 200),
        ("pay_out", 300),
    ]
    cash = next(method for method in report["methods"] if method["method"] == "cash")
    assert cash["expected"] == 20000 + 500 - 300 - 200


@pytest.mark.parametrize("first", ["close", "movement"])
async def test_a_movement_racing_the_close_of_its_shift(tenant_a: TenantSession, owner_engine, first: str) -> None:
    """The close counts every movement let in before it; one that comes after is refused."""
    shop = await open_shop(tenant_a)
    shift_id = shop.shift["id"]
    requests = {
        "close": lambda: shop.client.post(f"/api/v1/shifts/{shift_id}/close", json={"counts": []}, headers=key()),
        "movement": lambda: shop.client.post(
            f"/api/v1/shifts/{shift_id}/cash-movements",
            json={"kind": "pay_in", "amount": 700, "reason": "tarde"},
            headers=key(),
        ),
    }
    order = [first, "movement" if first == "close" else "close"]
    lock = "select 1 from shifts where id = :s for update"
    answers = dict(
        zip(order, await race(owner_engine, lock, {"s": shift_id}, *(requests[name] for name in order)), strict=True)
    )
    close, movement = answers["close"], answers["movement"]
    assert close.status_code == 200, close.text
    report = (await shop.client.get(f"/api/v1/shifts/{shift_id}/report")).json()
    cash = next(method for method in report["methods"] if method["method"] == "cash")
    if first == "movement":
        assert movement.status_code == 201, movement.text
        assert [(m["kind"], m["amount"]) for m in report["cash_movements"]] == [("pay_in", 700)]
        assert cash["expected"] == 20000 + 700
    else:
        assert (movement.status_code, movement.json()["code"]) == (409, "shift_closed")
        assert report["cash_movements"] == [] and cash["expected"] == 20000


async def test_concurrent_negative_adjustments_never_go_below_zero(tenant_a: TenantSession, owner_engine) -> None:
    shop = await open_shop(tenant_a, stock=100)
    product = shop.products[0]["id"]

    def adjust() -> Awaitable[httpx.Response]:
        body = {"reason": "merma", "lines": [{"product_id": product, "delta": -60}]}
        return shop.client.post("/api/v1/inventory/adjustments", json=body, headers=key())

    responses = await race(
        owner_engine, "select 1 from products where id = :p for update", {"p": product}, adjust, adjust
    )
    assert statuses(responses) == [201, 409], [r.text for r in responses]
    assert next(r for r in responses if r.status_code == 409).json()["code"] == "insufficient_stock"
    assert await shop.stock(0) == 40
    movements = (await shop.client.get(f"/api/v1/products/{product}/movements")).json()["items"]
    assert [m["delta"] for m in movements if m["kind"] == "adjustment"] == [-60]


async def test_two_pushes_at_once_from_one_device_apply_each_document_once(
    api: Api, tenant_a: TenantSession, owner_engine
) -> None:
    shop = await open_shop(tenant_a, code="P1")
    pos = await register_pos(api, shop)
    first, second = pos.sale([(0, 1)]), pos.sale([(1, 2)])
    responses = await race(
        owner_engine,
        "select 1 from devices where id = :d for update",
        {"d": pos.device_id},
        lambda: pos.push([first, second]),
        lambda: pos.push([first, second]),
    )
    assert statuses(responses) == [200, 200], [r.text for r in responses]
    outcomes = sorted(tuple(result["status"] for result in r.json()["results"]) for r in responses)
    assert outcomes == [("applied", "applied"), ("duplicate", "duplicate")], outcomes
    assert await shop.stock(0) == 99 and await shop.stock(1) == 98
    async with owner_engine.connect() as connection:
        sales = await connection.execute(
            text("select count(*) from sales where id = any(:ids)"), {"ids": [first["id"], second["id"]]}
        )
        assert sales.scalar_one() == 2


async def test_concurrent_forecast_runs_for_one_tenant_queue_one(
    api: Api, tenant_a: TenantSession, owner_engine
) -> None:
    """Both requests wait on the unique key of the tenant's active run, held by a run the test
    inserts and then rolls back: once it is gone one request queues its run, the other is 409."""
    responses = await race(
        owner_engine,
        "insert into forecast_runs (organization_id, id, status, trigger, horizon_days) "
        "values (:o, :i, 'queued', 'manual', 7)",
        {"o": tenant_a.organization_id, "i": uuid.uuid4()},
        lambda: tenant_a.client.post("/api/v1/forecasts/runs", json={}),
        lambda: tenant_a.client.post("/api/v1/forecasts/runs", json={}),
    )
    assert statuses(responses) == [202, 409], [r.text for r in responses]
    runs = (await tenant_a.client.get("/api/v1/forecasts/runs")).json()["items"]
    assert [run["id"] for run in runs] == [next(r for r in responses if r.status_code == 202).json()["id"]]


def registration(api: Api, **fields: Any) -> Callable[[], Awaitable[httpx.Response]]:
    body = {
        "company_name": f"Carrera {uuid.uuid4().hex[:6]}",  # each its own subdomain unless one is given
        "admin_name": "Ada",
        "email": f"race-{uuid.uuid4().hex[:8]}@example.com",
        "password": STRONG_PASSWORD,
        "currency": "CLP",
        "locale": "es-CL",
        "time_zone": "America/Santiago",
        **fields,
    }
    return lambda: api.client().post("/api/v1/auth/register", json=body)


async def test_concurrent_registrations_of_one_subdomain(api: Api, tenant_a: TenantSession, owner_engine) -> None:
    subdomain = f"carrera-{uuid.uuid4().hex[:6]}"
    # The test's own transaction inserts the subdomain first (a copy of tenant A's row), so both
    # registrations wait on its unique key; it then rolls back.
    hold = [
        "create temporary table held on commit drop as select * from organizations where id = :a",
        "update held set id = gen_random_uuid(), subdomain = :s",
        "insert into organizations select * from held",
    ]
    responses = await race(
        owner_engine,
        hold,
        {"a": tenant_a.organization_id, "s": subdomain},
        registration(api, subdomain=subdomain),
        registration(api, subdomain=subdomain),
    )
    assert statuses(responses) == [201, 409], [r.text for r in responses]
    assert next(r for r in responses if r.status_code == 409).json()["code"] == "subdomain_taken"
    async with owner_engine.connect() as connection:
        count = await connection.execute(
            text("select count(*) from organizations where subdomain = :s"), {"s": subdomain}
        )
        assert count.scalar_one() == 1


async def test_concurrent_registrations_of_one_email(api: Api, tenant_a: TenantSession, owner_engine) -> None:
    email = f"carrera-{uuid.uuid4().hex[:8]}@example.com"
    # The global registry of sign-in emails holds the key: the test's transaction takes it first.
    hold = "insert into user_emails (email, organization_id, user_id) values (:e, :o, :u)"
    responses = await race(
        owner_engine,
        hold,
        {"u": tenant_a.admin_id, "o": tenant_a.organization_id, "e": email},
        registration(api, email=email),
        registration(api, email=email),
    )
    assert statuses(responses) == [201, 409], [r.text for r in responses]
    assert next(r for r in responses if r.status_code == 409).json()["code"] == "email_taken"
    async with owner_engine.connect() as connection:
        users = await connection.execute(text("select count(*) from users where email = :e"), {"e": email})
        assert users.scalar_one() == 1
        # The refused registration left no organization behind.
        orphans = await connection.execute(
            text(
                "select count(*) from organizations o where o.name like 'Carrera %' "
                "and not exists (select 1 from users u where u.organization_id = o.id)"
            )
        )
        assert orphans.scalar_one() == 0
