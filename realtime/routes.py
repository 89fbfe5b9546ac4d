"""`/ws`: the edge of the realtime protocol. It accepts, waits for the `auth` frame, has the
service check it, hands the socket to the hub, then reads client frames and passes each to the
hub until the socket closes. Close codes and frames: docs/realtime.md."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketState

from realtime import service
from realtime.connection import Connection
from realtime.hub import Hub
from realtime.schemas import (
    AUTH_TIMEOUT,
    INTERNAL,
    TOKEN_MISSING,
    TOO_BIG,
    Auth,
    CloseCode,
    Error,
    Ping,
    Pong,
    Presence,
    Refresh,
    Refused,
    Subscribe,
    Unsubscribe,
    decode_client_frame,
)

logger = logging.getLogger("orbit.realtime")

PATH = "/ws"


async def _refuse(websocket: WebSocket, close: CloseCode) -> None:
    if websocket.application_state == WebSocketState.CONNECTED:
        await websocket.close(close.code, close.reason)


def _text(message: Mapping[str, Any], limit: int) -> str:
    """The text of a received message; raises Refused for binary or oversized frames."""
    text = message.get("text")
    if text is None:
        raw = message.get("bytes")
        if not isinstance(raw, bytes | bytearray):
            raise Refused(TOO_BIG, "empty frame")
        text = raw.decode("utf-8", "replace")
    assert isinstance(text, str)
    if len(text) > limit:
        raise Refused(TOO_BIG, f"frames are limited to {limit} bytes")
    return text


async def _authenticate(websocket: WebSocket, hub: Hub) -> service.Identity | None:
    """The socket's identity from its first frame, or None when the client left first."""
    try:
        message = await asyncio.wait_for(websocket.receive(), hub.config.auth_timeout)
    except TimeoutError:
        raise Refused(AUTH_TIMEOUT, "send the auth frame within 5 seconds") from None
    if message["type"] == "websocket.disconnect":
        return None
    frame = decode_client_frame(_text(message, hub.config.frame_bytes))
    if not isinstance(frame, Auth):
        raise Refused(TOKEN_MISSING, "the first frame must be {type: auth, token}")
    return await service.authenticate(
        hub.resources,
        token=frame.token,
        host=websocket.headers.get("host"),
        tenant_header=websocket.headers.get("x-tenant-subdomain"),
        register_id=frame.register_id,
    )


async def _serve_frames(websocket: WebSocket, hub: Hub, connection: Connection) -> None:
    limit = hub.config.frame_bytes
    while not connection.closing:
        receiving = asyncio.ensure_future(websocket.receive())
        await asyncio.wait((receiving, connection.finished), return_when=asyncio.FIRST_COMPLETED)
        if not receiving.done():
            receiving.cancel()
            return
        message = receiving.result()
        if message["type"] == "websocket.disconnect":
            return
        frame = decode_client_frame(_text(message, limit))
        hub.touched(connection)
        if isinstance(frame, Subscribe):
            # Served in the background (serialised per socket) so that pongs and refreshes are
            # still read while a long history is replayed.
            hub.spawn(hub.subscribe(connection, frame.topics, frame.since), name="realtime-subscribe")
        elif isinstance(frame, Unsubscribe):
            hub.unsubscribe(connection, frame.topics)
        elif isinstance(frame, Refresh):
            await hub.refresh(connection, frame.token)
        elif isinstance(frame, Presence):
            await hub.report_presence(connection, frame.queued_sales)
        elif isinstance(frame, Ping):
            connection.send('{"type":"pong"}')
        elif isinstance(frame, Pong):
            pass
        else:
            connection.send(Error(code="unexpected_frame", message=f"{type(frame).__name__} is not expected now"))


async def realtime_endpoint(websocket: WebSocket) -> None:
    hub: Hub = websocket.app.state.realtime
    await websocket.accept()
    try:
        identity = await _authenticate(websocket, hub)
    except Refused as refused:
        await _refuse(websocket, refused.close)
        return
    except Exception:
        logger.exception("realtime authentication failed")
        await _refuse(websocket, INTERNAL)
        return
    if identity is None:
        return
    connection = await hub.attach(websocket, identity)
    try:
        await _serve_frames(websocket, hub, connection)
    except Refused as refused:
        connection.close(refused.close, refused.detail)
    except Exception:
        logger.exception("realtime socket %s failed", connection.id)
        connection.close(INTERNAL)
    finally:
        await hub.detach(connection)


def websocket_route() -> WebSocketRoute:
    return WebSocketRoute(PATH, realtime_endpoint, name="realtime")
