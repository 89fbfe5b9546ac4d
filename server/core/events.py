"""The one event publisher (DESIGN §8), used by domains only after their transaction commits.

Each event is appended to the tenant topic's capped Redis Stream (the replay log) and published
on the tenant's pub/sub channel with the stream id, atomically, in one Lua script. The JSON is
encoded once: the stream stores the envelope without its id prefix, and both the live message and
a replayed one are `{"v":1,"id":"<stream id>",` + that tail, byte for byte.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
from redis.asyncio import Redis

from server.core.context import Context

TOPICS = ("stock", "sales", "predictions", "registers", "alerts")
STREAM_MAX_LENGTH = 10_000
ENVELOPE_VERSION = 1
ENVELOPE_HEAD = b'{"v":1,"id":"'

_PUBLISH = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[2])
redis.call('PUBLISH', KEYS[2], '{"v":1,"id":"' .. id .. '",' .. ARGV[2])
return id
"""

_encoder = msgspec.json.Encoder()


def stream_key(organization_id: uuid.UUID | str, topic: str) -> str:
    return f"t:{organization_id}:stream:{topic}"


def channel(organization_id: uuid.UUID | str) -> str:
    return f"t:{organization_id}:events"


def envelope_tail(topic: str, event_type: str, data: Any, at: datetime | None = None) -> bytes:
    """The envelope after its id: `"topic":…,"type":…,"at":…,"data":…}`."""
    moment = (at or datetime.now(UTC)).isoformat().replace("+00:00", "Z")
    body = _encoder.encode({"topic": topic, "type": event_type, "at": moment, "data": data})
    return body[1:]


def envelope(stream_id: str | bytes, tail: bytes) -> bytes:
    """The full envelope of a stored event (as published live)."""
    identifier = stream_id.encode() if isinstance(stream_id, str) else stream_id
    return ENVELOPE_HEAD + identifier + b'",' + tail


async def publish(redis: Redis, organization_id: uuid.UUID, topic: str, event_type: str, data: Any) -> str:
    """Append and broadcast one event; returns its stream id."""
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    script = redis.register_script(_PUBLISH)
    stream_id = await script(
        keys=[stream_key(organization_id, topic), channel(organization_id)],
        args=[STREAM_MAX_LENGTH, envelope_tail(topic, event_type, data)],
    )
    return stream_id.decode() if isinstance(stream_id, bytes) else str(stream_id)


def publish_after_commit(ctx: Context, topic: str, event_type: str, data: Any) -> None:
    """Queue an event of the context's tenant to go out once the transaction has committed."""
    redis = ctx.resources.redis
    organization_id = ctx.organization_id

    async def send() -> None:
        await publish(redis, organization_id, topic, event_type, data)

    ctx.after_commit(send)
