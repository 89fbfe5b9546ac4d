"""The one event publisher (DESIGN §8), used by domains only after their transaction commits.

Each event is appended to the tenant topic's capped Redis Stream (the replay log) and published
on the tenant's pub/sub channel with the stream id, atomically, in one Lua script. The JSON is
encoded once: the stream stores the envelope without its id prefix, and both the live message and
a replayed one are `{"v":1,"id":"<stream id>",` + that tail, byte for byte.

Events queued with `publish_after_commit` go out once the transaction has committed, in the
order they were queued. A request's queued events are sent in one round trip, however many: one
script call appends and broadcasts a run of them, each event still atomically, and one that
fails stops none of the others.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from server.core.context import Context

TOPICS = ("stock", "sales", "predictions", "registers", "alerts", "reports")
STREAM_MAX_LENGTH = 10_000
ENVELOPE_VERSION = 1
ENVELOPE_HEAD = b'{"v":1,"id":"'

_PUBLISH = """
local ids = {}
for i = 2, #ARGV do
  local id = redis.pcall('XADD', KEYS[2 * i - 3], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[i])
  if type(id) == 'table' then
    ids[i - 1] = 'error: ' .. tostring(id.err)
  else
    redis.call('PUBLISH', KEYS[2 * i - 2], '{"v":1,"id":"' .. id .. '",' .. ARGV[i])
    ids[i - 1] = id
  end
end
return ids
"""
"""Append and broadcast events: KEYS are each event's stream and channel, ARGV the maximum
length and then each event's tail. Each event is appended to its capped stream and published
with its stream id, atomically, in order; one whose append fails is not broadcast (its reply is
`error: …`), and does not stop the others."""

PUBLISH_MANY_CHUNK = 500
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


def _check_topic(topic: str) -> None:
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")


async def publish(redis: Redis, organization_id: uuid.UUID, topic: str, event_type: str, data: Any) -> str:
    """Append and broadcast one event; returns its stream id."""
    _check_topic(topic)
    script = redis.register_script(_PUBLISH)
    (reply,) = await script(
        keys=[stream_key(organization_id, topic), channel(organization_id)],
        args=[STREAM_MAX_LENGTH, envelope_tail(topic, event_type, data)],
    )
    outcome = _stream_id_or_error(reply)
    if isinstance(outcome, ResponseError):
        raise outcome
    return outcome


def _stream_id_or_error(reply: Any) -> str | ResponseError:
    """One event's reply from `_PUBLISH`: its stream id, or the error that kept it out."""
    text = reply.decode() if isinstance(reply, bytes) else str(reply)
    return ResponseError(text.removeprefix("error: ")) if text.startswith("error: ") else text


@dataclass(frozen=True, slots=True, eq=False)
class Publication:
    """An event waiting for its transaction to commit (see `publish_after_commit`)."""

    redis: Redis
    organization_id: uuid.UUID
    topic: str
    event_type: str
    data: Any

    @property
    def batch_key(self) -> tuple[str, int]:
        """Publications to the same Redis go out together (`Context.run_after_commit`)."""
        return ("events", id(self.redis))

    async def __call__(self) -> None:
        await publish(self.redis, self.organization_id, self.topic, self.event_type, self.data)

    async def run_together(self, run: Sequence[Publication]) -> list[BaseException | None]:
        """Send `run` (this publication's queued neighbours, in order) in one round trip, up to
        `PUBLISH_MANY_CHUNK` events per script call: each event is still appended and broadcast
        atomically, in order, and one failing doesn't stop the others. Returns the failure of
        each, or None."""
        script = self.redis.register_script(_PUBLISH)
        calls: list[tuple[list[str], list[Any]]] = []
        for start in range(0, len(run), PUBLISH_MANY_CHUNK):
            keys: list[str] = []
            tails: list[bytes] = []
            for publication in run[start : start + PUBLISH_MANY_CHUNK]:
                keys += (
                    stream_key(publication.organization_id, publication.topic),
                    channel(publication.organization_id),
                )
                tails.append(envelope_tail(publication.topic, publication.event_type, publication.data))
            calls.append((keys, [STREAM_MAX_LENGTH, *tails]))
        replies: list[Any]
        if len(calls) == 1:
            # One call needs no pipeline, whose execute first asks SCRIPT EXISTS: a round trip
            # more on every sale. EVALSHA falls back to loading the script when Redis lacks it.
            try:
                replies = [await script(keys=calls[0][0], args=calls[0][1])]
            except ResponseError as error:
                replies = [error]
        else:
            async with self.redis.pipeline(transaction=False) as pipe:
                for keys, args in calls:
                    await script(keys=keys, args=args, client=pipe)
                replies = await pipe.execute(raise_on_error=False)
        failures: list[BaseException | None] = []
        for start, reply in zip(range(0, len(run), PUBLISH_MANY_CHUNK), replies, strict=True):
            count = min(PUBLISH_MANY_CHUNK, len(run) - start)
            if isinstance(reply, BaseException):
                failures += [reply] * count
                continue
            for event_reply in reply:
                outcome = _stream_id_or_error(event_reply)
                failures.append(outcome if isinstance(outcome, ResponseError) else None)
        return failures


def publish_after_commit(ctx: Context, topic: str, event_type: str, data: Any) -> None:
    """Queue an event of the context's tenant to go out once the transaction has committed."""
    _check_topic(topic)
    ctx.after_commit(Publication(ctx.resources.redis, ctx.organization_id, topic, event_type, data))
