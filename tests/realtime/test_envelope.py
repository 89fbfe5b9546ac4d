"""Reading published envelopes without decoding them, and capping oversized ones."""

from __future__ import annotations

import json

import pytest

from realtime.envelope import Event, stream_key_of
from server.core.events import envelope, envelope_tail


def test_the_head_is_read_from_the_published_bytes() -> None:
    raw = envelope("1712-3", envelope_tail("alerts", "sync.conflict", {"register_id": "r1", "ñ": "é"}))
    event = Event.parse(raw)
    assert (event.id, event.topic, event.type, event.order) == ("1712-3", "alerts", "sync.conflict", (1712, 3))
    assert event.text == raw.decode() and event.register_id == "r1"


def test_other_layouts_fall_back_to_decoding() -> None:
    raw = json.dumps({"data": {}, "type": "x.y", "topic": "stock", "id": "5-0", "v": 1}).encode()
    event = Event.parse(raw)
    assert (event.id, event.topic, event.type) == ("5-0", "stock", "x.y")
    with pytest.raises(ValueError):
        Event.parse(b"garbage")


def test_oversized_events_become_stubs_with_the_same_id() -> None:
    event = Event.parse(envelope("9-1", envelope_tail("sales", "sale.created", {"pad": "x" * 5000})))
    stub = event.capped(1000)
    decoded = json.loads(stub.text)
    assert decoded["id"] == "9-1" and decoded["truncated"] is True and decoded["data"] is None
    assert decoded["at"] == json.loads(event.text)["at"]
    assert event.capped(10_000) is event


def test_stream_ids_order_numerically() -> None:
    assert stream_key_of("10-0") > stream_key_of("9-99") and stream_key_of("0") == (0, 0)
