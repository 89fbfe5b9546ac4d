"""The managers' live dashboard, and the events that keep it current."""

from __future__ import annotations

import copy
import json
import time
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.core.context import Resources
from server.core.events import envelope, stream_key
from server.core.presence import Presence
from tests.conftest import Api, TenantSession
from tests.server.reports.conftest import TradingDay, trade_one_day
from tests.server.sales.conftest import key, open_shop

DASHBOARD = "/api/v1/reports/dashboard"
SANTIAGO = ZoneInfo("America/Santiago")


async def dashboard(client: Any) -> dict[str, Any]:
    response = await client.get(DASHBOARD)
    assert response.status_code == 200, response.text
    return dict(response.json())


def local(moment: str, zone: ZoneInfo = SANTIAGO) -> datetime:
    return datetime.fromisoformat(moment).astimezone(zone)


def same_day_or_skip(body: dict[str, Any], *moments: str) -> None:
    """Skip a test that straddled local midnight: its sales are not all on the dashboard's day."""
    if any(local(moment).date().isoformat() != body["day"] for moment in moments):
        pytest.skip("the test ran across local midnight")


async def test_todays_figures_hours_and_best_sellers(api: Api, tenant_a: TenantSession, tenant_b) -> None:
    day = await trade_one_day(api, tenant_a)
    sales = day.sales
    body = await dashboard(day.client)
    same_day_or_skip(body, *(sale["sold_at"] for sale in sales.values()), day.refund["refunded_at"])
    assert (body["time_zone"], body["currency"]) == ("America/Santiago", "CLP")
    assert date.fromisoformat(body["last_week_day"]) == date.fromisoformat(body["day"]) - timedelta(days=7)
    assert body["today"] == {
        "revenue": 11860 - 1000,
        "sales_total": 11860,
        "refunds": 1000,
        "refunds_count": 1,
        "tickets": 3,
        "average_ticket": 3953,
        "units": 9,
    }
    assert [hour["hour"] for hour in body["hours_today"]] == list(range(24))
    assert [hour["hour"] for hour in body["hours_last_week"]] == list(range(24))
    expected_hours = [{"hour": hour, "revenue": 0, "tickets": 0} for hour in range(24)]
    for name in ("A", "B", "C"):
        bucket = expected_hours[local(sales[name]["sold_at"]).hour]
        bucket["revenue"] += sales[name]["total"]
        bucket["tickets"] += 1
    expected_hours[local(day.refund["refunded_at"]).hour]["revenue"] -= 1000
    assert body["hours_today"] == expected_hours
    assert all(hour == {"hour": hour["hour"], "revenue": 0, "tickets": 0} for hour in body["hours_last_week"])
    products = day.shop.products
    assert body["top_products"] == [
        {"product_id": products[1]["id"], "name": products[1]["name"], "units": 2, "revenue": 5000},
        {"product_id": products[2]["id"], "name": products[2]["name"], "units": 4, "revenue": 3960},
        {"product_id": products[0]["id"], "name": products[0]["name"], "units": 3, "revenue": 2900},
    ]
    assert body["open_conflicts"] == 0
    assert body["low_stock"] == {"count": 0, "items": []}
    [register] = body["registers"]
    assert register == {
        "register_id": day.shop.register["id"],
        "code": "C1",
        "name": "Caja C1",
        "open_shift_id": day.shop.shift["id"],
        "online": False,
        "last_seen_at": None,
        "queued_sales": 0,
        "presence_version": 0,
    }

    # Written a moment ago, so their events may still come after `as_of`: the page skips them.
    assert set(body["counted_sales"]) == {sales[name]["id"] for name in ("A", "B", "C")}
    assert day.refund["id"] in body["counted_refunds"] and len(body["counted_refunds"]) == 2  # the refund and D's void

    other = await dashboard(tenant_b.client)
    assert other["today"]["tickets"] == 0 and other["top_products"] == [] and other["registers"] == []
    assert other["counted_sales"] == [] and other["counted_refunds"] == []
    assert other["hours_today"] == [{"hour": hour, "revenue": 0, "tickets": 0} for hour in range(24)]


async def test_the_same_weekday_last_week_and_no_other_day(
    api: Api, tenant_a: TenantSession, owner_engine: AsyncEngine
) -> None:
    shop = await open_shop(tenant_a)
    moved = {}
    for days_back, quantity in ((7, 1), (6, 2), (8, 3), (1, 4)):
        sale = (await shop.sell([(0, quantity)])).json()
        async with owner_engine.begin() as connection:
            sold_at = await connection.scalar(
                text(
                    "update sales set sold_at = sold_at - make_interval(days => :days) where id = :id returning sold_at"
                ),
                {"days": days_back, "id": sale["id"]},
            )
        moved[days_back] = sold_at
    body = await dashboard(shop.client)
    last_week = date.fromisoformat(body["last_week_day"])
    if moved[7].astimezone(SANTIAGO).date() != last_week:
        pytest.skip("the test ran across local midnight")
    hours = {hour["hour"]: hour for hour in body["hours_last_week"] if hour["tickets"]}
    assert hours == {
        moved[7].astimezone(SANTIAGO).hour: {"hour": moved[7].astimezone(SANTIAGO).hour, "revenue": 1000, "tickets": 1}
    }
    assert body["today"]["tickets"] == 0 and body["top_products"] == []


async def test_low_stock_presence_and_roles(
    api: Api, tenant_a: TenantSession, tenant_b: TenantSession, resources: Resources
) -> None:
    shop = await open_shop(tenant_a, stock=5)
    for product, reorder_point in zip(shop.products, (10, 5, 1), strict=True):
        response = await shop.client.patch(f"/api/v1/products/{product['id']}", json={"reorder_point": reorder_point})
        assert response.status_code == 200, response.text
    second = (await shop.client.post("/api/v1/registers", json={"code": "A2", "name": "Caja A2"})).json()
    presence = Presence(resources.redis)
    await presence.lease(tenant_a.organization_id, uuid.UUID(second["id"]), "A2", "conn-1", time.time(), queued_sales=4)

    body = await dashboard(shop.client)
    assert body["low_stock"]["count"] == 2
    assert [item["product_id"] for item in body["low_stock"]["items"]] == [
        shop.products[0]["id"],
        shop.products[1]["id"],
    ]
    assert body["low_stock"]["items"][0]["shortfall"] == 5
    by_code = {register["code"]: register for register in body["registers"]}
    assert list(by_code) == ["A2", "C1"]
    assert by_code["A2"]["online"] is True and by_code["A2"]["queued_sales"] == 4
    assert by_code["A2"]["presence_version"] == 1 and by_code["A2"]["open_shift_id"] is None
    assert abs(datetime.fromisoformat(by_code["A2"]["last_seen_at"]).timestamp() - time.time()) < 60
    assert by_code["C1"]["online"] is False

    await presence.release(tenant_a.organization_id, uuid.UUID(second["id"]), "conn-1", time.time())
    after = {register["code"]: register for register in (await dashboard(shop.client))["registers"]}
    assert after["A2"]["online"] is False and after["A2"]["presence_version"] == 2 and after["A2"]["queued_sales"] == 4
    deactivated = await shop.client.patch(f"/api/v1/registers/{second['id']}", json={"is_active": False})
    assert deactivated.status_code == 200, deactivated.text
    assert [r["code"] for r in (await dashboard(shop.client))["registers"]] == ["C1"]
    assert (await dashboard(tenant_b.client))["registers"] == []

    manager = await api.add_user(tenant_a, "manager")
    assert (await manager["client"].get(DASHBOARD)).status_code == 200
    cashier = await api.add_user(tenant_a, "cashier")
    forbidden = await cashier["client"].get(DASHBOARD)
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "role_forbidden"
    assert (await api.client(tenant_a.subdomain).get(DASHBOARD)).status_code == 401
    wrong_tenant = await api.client(tenant_b.subdomain).get(DASHBOARD, headers=tenant_a.auth())
    assert wrong_tenant.status_code == 403
    assert (await shop.client.get(DASHBOARD, params={"day": "2024-01-01"})).status_code == 200


# Keeping the dashboard current from the events alone


async def stream_positions(resources: Resources, organization_id: uuid.UUID) -> dict[str, str]:
    positions = {}
    for topic in ("sales", "stock", "alerts"):
        newest = await resources.redis.xrevrange(stream_key(organization_id, topic), count=1)
        positions[topic] = newest[0][0].decode() if newest else "0-0"
    return positions


async def events_since(resources: Resources, organization_id: uuid.UUID, positions: dict[str, str]) -> list[dict]:
    events = []
    for topic, position in positions.items():
        entries = await resources.redis.xrange(stream_key(organization_id, topic), min=f"({position}")
        events += [json.loads(envelope(entry_id, fields[b"e"])) for entry_id, fields in entries]
    return sorted(events, key=lambda event: tuple(int(part) for part in event["id"].split("-")))


def apply_event(board: dict[str, Any], event: dict[str, Any]) -> None:
    """What a dashboard client does with an event (docs/realtime.md)."""
    zone, day, data = ZoneInfo(board["time_zone"]), board["day"], event["data"]
    today, hours = board["today"], board["hours_today"]
    products = {product["product_id"]: product for product in board["top_products"]}
    if event["type"] in ("sale.created", "sale.voided"):
        sign = 1 if event["type"] == "sale.created" else -1
        sold = local(data["sold_at"], zone)
        if sold.date().isoformat() == day:
            today["tickets"] += sign
            today["sales_total"] += sign * data["total"]
            today["revenue"] += sign * data["total"]
            hours[sold.hour]["tickets"] += sign
            hours[sold.hour]["revenue"] += sign * data["total"]
            for line in data["lines"]:
                today["units"] += sign * line["quantity"]
                entry = products.setdefault(
                    line["product_id"],
                    {"product_id": line["product_id"], "name": line.get("name"), "units": 0, "revenue": 0},
                )
                entry["units"] += sign * line["quantity"]
                entry["revenue"] += sign * (line["total"] if sign > 0 else line["amount"])
    elif event["type"] == "sale.refunded":
        refunded = local(data["refunded_at"], zone)
        if refunded.date().isoformat() == day:
            today["refunds"] += data["total"]
            today["refunds_count"] += 1
            today["revenue"] -= data["total"]
            hours[refunded.hour]["revenue"] -= data["total"]
    elif event["type"] == "stock.changed":
        low = {item["product_id"]: item for item in board["low_stock"]["items"]}
        for change in data["products"]:
            was_low = change["stock"] - change["delta"] <= change["reorder_point"]
            is_low = change["stock"] <= change["reorder_point"]
            board["low_stock"]["count"] += int(is_low) - int(was_low)
            if is_low:
                low.setdefault(change["product_id"], {"product_id": change["product_id"]})["stock"] = change["stock"]
            else:
                low.pop(change["product_id"], None)
        board["low_stock"]["items"] = [low[product_id] for product_id in sorted(low)]
    elif event["type"] == "sync.conflict":
        board["open_conflicts"] += 1
    elif event["type"] == "sync.conflict_resolved":
        board["open_conflicts"] -= 1
    tickets = today["tickets"]
    today["average_ticket"] = (2 * today["sales_total"] + tickets) // (2 * tickets) if tickets else 0
    ranked = sorted(products.values(), key=lambda p: (-p["revenue"], -p["units"], p["product_id"]))
    board["top_products"] = [product for product in ranked if product["units"] or product["revenue"]][:5]


def comparable(board: dict[str, Any]) -> dict[str, Any]:
    return {
        "today": board["today"],
        "hours_today": board["hours_today"],
        "top_products": board["top_products"],
        "low_stock_count": board["low_stock"]["count"],
        "low_stock": sorted(item["product_id"] for item in board["low_stock"]["items"]),
        "open_conflicts": board["open_conflicts"],
    }


async def test_the_events_carry_what_the_dashboard_needs(
    api: Api, tenant_a: TenantSession, resources: Resources
) -> None:
    day: TradingDay = await trade_one_day(api, tenant_a)
    shop = day.shop
    await shop.client.patch(f"/api/v1/products/{shop.products[2]['id']}", json={"reorder_point": 96})
    before = await dashboard(shop.client)
    positions = await stream_positions(resources, tenant_a.organization_id)

    sold = (await shop.sell([(2, 1), (0, 2)])).json()
    voided = (await shop.sell([(1, 1)])).json()
    assert (
        await shop.client.post(f"/api/v1/sales/{voided['id']}/void", json={"reason": "mal digitado"}, headers=key())
    ).status_code == 201
    refund = await shop.client.post(
        f"/api/v1/sales/{sold['id']}/refunds",
        headers=key(),
        json={
            "register_id": shop.register["id"],
            "lines": [{"sale_line_id": sold["lines"][0]["id"], "quantity": 1}],
            "method": "card",
            "restock": True,
            "reason": "no le quedó",
        },
    )
    assert refund.status_code == 201, refund.text
    receipt = await shop.client.post(
        "/api/v1/inventory/receipts",
        json={"lines": [{"product_id": shop.products[2]["id"], "quantity": 50}]},
        headers=key(),
    )
    assert receipt.status_code == 201, receipt.text

    after = await dashboard(shop.client)
    same_day_or_skip(after, sold["sold_at"], before["as_of"])
    board = copy.deepcopy(before)
    events = await events_since(resources, tenant_a.organization_id, positions)
    for event in events:
        apply_event(board, event)
    assert comparable(board) == comparable(after)
    assert before["low_stock"]["count"] == 1 and after["low_stock"]["count"] == 0

    created = next(event["data"] for event in events if event["type"] == "sale.created")
    assert created["lines"] == [
        {"product_id": shop.products[2]["id"], "name": shop.products[2]["name"], "quantity": 1, "total": 990},
        {"product_id": shop.products[0]["id"], "name": shop.products[0]["name"], "quantity": 2, "total": 2000},
    ]
    assert (created["register_id"], created["total"], created["items"]) == (shop.register["id"], 2990, 3)
    void = next(event["data"] for event in events if event["type"] == "sale.voided")
    assert void["kind"] == "void" and void["sold_at"] and void["register_id"] == shop.register["id"]
    assert void["lines"] == [{"product_id": shop.products[1]["id"], "quantity": 1, "amount": 2500}]
    refunded = next(event["data"] for event in events if event["type"] == "sale.refunded")
    assert refunded["kind"] == "refund" and refunded["total"] == 990 and refunded["method"] == "card"
    assert refunded["lines"] == [{"product_id": shop.products[2]["id"], "quantity": 1, "amount": 990}]
    assert local(refunded["refunded_at"]) <= local(after["as_of"])
    stock = next(event["data"] for event in events if event["type"] == "stock.changed")
    assert {"product_id", "sku", "stock", "delta", "kind", "reorder_point"} == set(stock["products"][0])
