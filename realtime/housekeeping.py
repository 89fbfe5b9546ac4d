"""The hub's periodic checks of its sockets: liveness, token expiry, users cut off, presence.

Each check only marks sockets for closing (`Connection.close`) or queues frames; none waits for a
socket, so one slow peer never delays the checks of the others.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Mapping

from realtime import service
from realtime.connection import Connection, RealtimeConfig
from realtime.feed import FEED_ERRORS, TenantFeed
from realtime.schemas import PING_TEXT, PING_TIMEOUT, SLOW, TOKEN_EXPIRED, TokenExpiring
from server.core.context import Resources
from server.core.presence import Presence

logger = logging.getLogger("orbit.realtime")


def keep_sockets(connections: Iterable[Connection], config: RealtimeConfig, now: float, wall: float) -> None:
    """Close the stalled, silent and expired sockets; warn of expiry and ping the others.

    `now` is the loop's clock (socket timings), `wall` the Unix time (token expiry)."""
    for connection in list(connections):
        if connection.closing:
            continue
        expires_at = connection.identity.expires_at
        if connection.sending_since and now - connection.sending_since > config.stall_seconds:
            connection.close(SLOW, "a frame was not taken in time")
        elif now - connection.last_received > config.idle_timeout:
            connection.close(PING_TIMEOUT, "nothing received; answer ping with pong")
        elif wall >= expires_at:
            connection.close(TOKEN_EXPIRED, "send refresh before the token expires")
        else:
            if not connection.warned and wall >= expires_at - config.token_warning:
                connection.warned = True
                connection.send(TokenExpiring(expires_at=expires_at))
            if now - connection.last_ping >= config.ping_interval:
                connection.last_ping = now
                connection.send(PING_TEXT)


async def check_users(resources: Resources, tenants: Mapping[uuid.UUID, TenantFeed]) -> None:
    """Close the sockets of users (or organizations) deactivated since, or whose role changed."""
    for organization_id, feed in list(tenants.items()):
        connections = [connection for connection in feed.connections if not connection.closing]
        if not connections:
            continue
        try:
            states = await service.current_users(
                resources, organization_id, {connection.identity.user_id for connection in connections}
            )
        except Exception as exc:
            logger.warning("users of %s not checked: %r", organization_id, exc)
            continue
        for connection in connections:
            refusal = service.cut_off(connection.identity, states)
            if refusal is not None:
                connection.close(refusal.close, refusal.detail)


async def sweep_presence(presence: Presence, tenants: Mapping[uuid.UUID, TenantFeed]) -> None:
    """Expire the register leases no process renews any more, for the tenants watching `registers`."""
    for organization_id, feed in list(tenants.items()):
        if "registers" in feed.topics:
            try:
                await presence.sweep(organization_id, time.time())
            except FEED_ERRORS as exc:
                logger.warning("presence of %s not swept: %r", organization_id, exc)
                return
