"""Serving a new subscription: its history after `since` from the tenant's stream, then live.

Invariants:
- The subscription is BUFFERING while its history is read: live events that arrive meanwhile are
  kept aside and delivered after the history, de-duplicated by their stream position, so a
  client sees every event once and in order.
- The replay is paced by the socket's queue (`Connection.drained`), never by dropping events.
- Every step re-checks that the socket is still open and the subscription still the one being
  served (`generation`); a stale replay stops without sending anything more.
- When Redis fails during the replay, the subscription is paused and the client told that
  `resume` will follow (the caller records that some subscription is paused).
"""

from __future__ import annotations

import logging
import time

from redis.asyncio import Redis

from realtime import service
from realtime.connection import Connection, RealtimeConfig, Subscription
from realtime.envelope import stream_key_of
from realtime.feed import FEED_ERRORS
from realtime.schemas import Error, PresenceSnapshot, Subscribed
from server.core.metrics import REPLAY_LAG, REPLAYED_EVENTS
from server.core.presence import Presence

logger = logging.getLogger("orbit.realtime")


class Replay:
    """One subscription's history, served once (`serve`)."""

    def __init__(
        self,
        connection: Connection,
        subscription: Subscription,
        generation: int,
        *,
        redis: Redis,
        presence: Presence,
        config: RealtimeConfig,
    ) -> None:
        self.connection = connection
        self.subscription = subscription
        self.generation = generation
        self.redis = redis
        self.presence = presence
        self.config = config

    def stale(self) -> bool:
        """The socket is closing or the subscription was restarted or paused since."""
        return self.connection.closing or self.subscription.generation != self.generation

    async def serve(self, since: str | None) -> bool:
        """Send `subscribed`, the history after `since`, then go live; False if the subscription
        was paused because Redis failed (the caller must then send `resume` later)."""
        connection, topic = self.connection, self.subscription.topic
        organization_id = connection.identity.organization_id
        try:
            start = await service.history_start(self.redis, organization_id, topic, since)
            if self.stale():
                return True
            replay_from = since if since is not None and start.recovered else None
            end = start.position
            if replay_from is not None and stream_key_of(replay_from) > stream_key_of(end):
                end = replay_from
            connection.send(Subscribed(topic=topic, recovered=start.recovered, position=end))
            if replay_from is not None and not await self._replay(replay_from, start.position):
                return True
            self.subscription.go_live(stream_key_of(end))
            if topic == "registers":
                registers = await self.presence.snapshot(organization_id, time.time())
                if not self.stale():
                    connection.send(PresenceSnapshot(registers=registers))
        except FEED_ERRORS as exc:
            logger.warning("history of %s for socket %s not served: %r", topic, connection.id, exc)
            if not self.stale():
                self.subscription.pause()
                connection.send(
                    Error(code="unavailable", message="history unavailable; you will be sent resume", topic=topic)
                )
                return False
        return True

    async def _replay(self, cursor: str, until: str) -> bool:
        """Push the events after `cursor` up to `until`, page by page; False once stale."""
        connection, config = self.connection, self.config
        identity = connection.identity
        first = True
        while stream_key_of(cursor) < stream_key_of(until):
            page = await service.history_page(
                self.redis, identity.organization_id, self.subscription.topic, cursor, until, config.replay_page
            )
            if self.stale():
                return False
            if page and first:
                REPLAY_LAG.observe(max(0.0, time.time() - stream_key_of(page[0].id)[0] / 1000))
            first = False
            REPLAYED_EVENTS.inc(len(page))
            for event in page:
                if not connection.has_room():
                    await connection.drained()
                    if self.stale():
                        return False
                if service.visible(identity, event):
                    connection.push(event.capped(config.event_bytes))
            if len(page) < config.replay_page:
                return True
            cursor = page[-1].id
        return True
