from __future__ import annotations

import json
import uuid

import pytest
from redis.exceptions import ResponseError

from server.core import events
from server.core.context import Context, Tenant
from server.core.events import channel, envelope, publish, publish_after_commit, stream_key
from tests.server.sales.conftest import Shop


async def test_publish_appends_to_the_stream_and_broadcasts_the_same_bytes(resources) -> None:
    organization_id = uuid.uuid4()
    pubsub = resources.redis.pubsub()
    await pubsub.subscribe(channel(organization_id))
    await pubsub.get_message(timeout=1)
    stream_id = await publish(resources.redis, organization_id, "sales", "sale.created", {"total": 1990, "ñ": "é"})
    message = None
    for _ in range(20):
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
        if message:
            break
    await pubsub.aclose()
    assert message is not None
    ((entry_id, fields),) = await resources.redis.xrange(stream_key(organization_id, "sales"))
    assert entry_id.decode() == stream_id
    assert envelope(entry_id, fields[b"e"]) == message["data"]
    decoded = json.loads(message["data"])
    assert decoded["v"] == 1 and decoded["id"] == stream_id
    assert (decoded["topic"], decoded["type"], decoded["data"]) == ("sales", "sale.created", {"total": 1990, "ñ": "é"})
    assert decoded["at"].endswith("Z")


async def test_streams_are_capped(resources, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the cap the oldest entries go, through `publish` and through a batch alike. The trim
    is approximate (`MAXLEN ~`): Redis drops whole stream nodes only, so the length stays between
    the cap and the cap plus one node (`stream-node-max-entries`)."""
    cap = 150
    monkeypatch.setattr(events, "STREAM_MAX_LENGTH", cap)
    node_entries = int((await resources.redis.config_get("stream-node-max-entries"))["stream-node-max-entries"])
    published = 3 * cap + node_entries
    single, batched = uuid.uuid4(), uuid.uuid4()
    for index in range(published):
        await publish(resources.redis, single, "stock", "stock.changed", {"i": index})
    run = [
        events.Publication(resources.redis, batched, "stock", "stock.changed", {"i": index})
        for index in range(published)
    ]
    assert await run[0].run_together(run) == [None] * published
    for organization_id in (single, batched):
        key = stream_key(organization_id, "stock")
        length = await resources.redis.xlen(key)
        assert cap <= length < cap + node_entries, length
        entries = await resources.redis.xrange(key)
        kept = [json.loads(envelope(entry_id, fields[b"e"]))["data"]["i"] for entry_id, fields in entries]
        assert kept == list(range(published - length, published))


async def test_a_sale_publishes_after_commit_and_a_failed_one_publishes_nothing(shop: Shop, resources) -> None:
    tenant = shop.tenant.organization_id
    sales_before = await resources.redis.xlen(stream_key(tenant, "sales"))
    stock_before = await resources.redis.xlen(stream_key(tenant, "stock"))
    refused = await shop.sell([(0, 1)], payments=[("cash", 1)])
    assert refused.status_code == 422
    assert await resources.redis.xlen(stream_key(tenant, "sales")) == sales_before
    sale = (await shop.sell([(0, 2), (1, 1)])).json()
    entries = await resources.redis.xrevrange(stream_key(tenant, "sales"), count=1)
    event = json.loads(envelope(entries[0][0], entries[0][1][b"e"]))
    assert event["type"] == "sale.created" and event["data"]["sale_id"] == sale["id"]
    assert event["data"]["total"] == sale["total"]
    stock = await resources.redis.xrevrange(stream_key(tenant, "stock"), count=1)
    changed = json.loads(envelope(stock[0][0], stock[0][1][b"e"]))["data"]["products"]
    assert {(item["product_id"], item["stock"]) for item in changed} == {
        (shop.products[0]["id"], 98),
        (shop.products[1]["id"], 99),
    }
    assert await resources.redis.xlen(stream_key(tenant, "stock")) == stock_before + 1


async def test_events_of_one_tenant_never_reach_anothers_channel(resources, shop: Shop, tenant_b) -> None:
    pubsub = resources.redis.pubsub()
    await pubsub.subscribe(channel(tenant_b.organization_id))
    await pubsub.get_message(timeout=1)
    assert (await shop.sell([(0, 1)])).status_code == 201
    await publish(resources.redis, tenant_b.organization_id, "sales", "marker.test", {"marker": True})
    first = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5)
    await pubsub.aclose()
    assert first is not None and json.loads(first["data"])["type"] == "marker.test"  # nothing of A's came before


def tenant_context(resources) -> Context:
    tenant = Tenant(uuid.uuid4(), "t", "T", "USD", "en", "UTC", "inclusive", False)
    return Context(session=None, resources=resources, tenant=tenant)  # type: ignore[arg-type]


async def test_queued_events_go_out_in_order_after_commit_and_a_failing_one_stops_nothing(resources) -> None:
    ctx = tenant_context(resources)
    organization_id = ctx.organization_id
    ran: list[str] = []

    async def plain() -> None:
        ran.append("plain")
        raise RuntimeError("a failing callback between events")

    await resources.redis.set(stream_key(organization_id, "alerts"), "not a stream")
    pubsub = resources.redis.pubsub()
    await pubsub.subscribe(channel(organization_id))
    await pubsub.get_message(timeout=1)
    for index in range(3):
        publish_after_commit(ctx, "sales", "sale.created", {"i": index})
    publish_after_commit(ctx, "alerts", "stock.low", {"i": "lost"})
    publish_after_commit(ctx, "stock", "stock.changed", {"i": 3})
    ctx.after_commit(plain)
    publish_after_commit(ctx, "sales", "sale.created", {"i": 4})
    assert await resources.redis.xlen(stream_key(organization_id, "sales")) == 0
    await ctx.run_after_commit()

    live = []
    while len(live) < 5:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
        assert message is not None, live
        live.append(message["data"])
    await pubsub.aclose()
    assert [json.loads(item)["data"]["i"] for item in live] == [0, 1, 2, 3, 4]
    assert ran == ["plain"]
    stored = await resources.redis.xrange(stream_key(organization_id, "sales"))
    assert [envelope(entry_id, fields[b"e"]) for entry_id, fields in stored] == [live[0], live[1], live[2], live[4]]
    assert ctx._after_commit == []


def test_an_unknown_topic_fails_when_queued(resources) -> None:
    ctx = tenant_context(resources)
    with pytest.raises(ValueError, match="unknown topic"):
        publish_after_commit(ctx, "gossip", "x", {})


async def test_queued_events_go_out_when_redis_has_forgotten_the_script(resources) -> None:
    """A restarted or flushed Redis no longer knows the script: the call loads it again."""
    ctx = tenant_context(resources)
    await resources.redis.script_flush()
    publish_after_commit(ctx, "sales", "sale.created", {"i": 0})
    publish_after_commit(ctx, "stock", "stock.changed", {"i": 1})
    await ctx.run_after_commit()
    assert await resources.redis.xlen(stream_key(ctx.organization_id, "sales")) == 1
    assert await resources.redis.xlen(stream_key(ctx.organization_id, "stock")) == 1


async def test_publish_raises_when_the_stream_refuses_the_event_and_broadcasts_nothing(resources) -> None:
    organization_id = uuid.uuid4()
    await resources.redis.set(stream_key(organization_id, "alerts"), "not a stream")
    pubsub = resources.redis.pubsub()
    await pubsub.subscribe(channel(organization_id))
    await pubsub.get_message(timeout=1)
    with pytest.raises(ResponseError, match="WRONGTYPE"):
        await publish(resources.redis, organization_id, "alerts", "stock.low", {})
    assert await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5) is None
    await pubsub.aclose()
