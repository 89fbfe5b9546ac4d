"""Frames written straight to the transport: the same bytes for every plain socket, and ASGI
`send` for a socket that negotiated compression."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import ClientConnection, connect

from realtime.connection import Connection
from server.core.config import Settings
from server.core.events import publish
from tests.conftest import TenantSession
from tests.realtime.conftest import RunningServer, in_process_server


@pytest.fixture(scope="module")
async def compressing_server(settings: Settings) -> AsyncIterator[RunningServer]:
    """A server that negotiates permessage-deflate with clients that ask for it."""
    async with in_process_server(settings, ws_per_message_deflate=True) as running:
        yield running


def dial(server: RunningServer, tenant: TenantSession, compression: str | None) -> connect:
    """A raw client socket to the tenant's host, dialled at the server's address."""
    return connect(server.url(tenant.subdomain), compression=compression, host="127.0.0.1", port=server.port)


async def subscribed_socket(server: RunningServer, tenant: TenantSession, websocket: ClientConnection) -> Connection:
    """Authenticate and subscribe to `sales`; the hub's side of the socket."""
    await websocket.send(json.dumps({"type": "auth", "token": tenant.access_token}))
    ready = json.loads(await websocket.recv())
    await websocket.send(json.dumps({"type": "subscribe", "topics": ["sales"]}))
    assert json.loads(await websocket.recv())["type"] == "subscribed"
    (connection,) = [item for item in server.hub.connections if item.id == ready["connection_id"]]
    return connection


async def test_events_are_written_as_shared_frames_in_order(
    server: RunningServer, resources, tenant_a: TenantSession
) -> None:
    async with (
        dial(server, tenant_a, compression=None) as first,
        dial(server, tenant_a, compression=None) as second,
    ):
        sockets = [await subscribed_socket(server, tenant_a, websocket) for websocket in (first, second)]
        assert all(connection.sink is not None for connection in sockets)
        ids = [
            await publish(resources.redis, tenant_a.organization_id, "sales", "sale.created", {"n": n})
            for n in range(20)
        ]
        for websocket in (first, second):
            received = [json.loads(await websocket.recv()) for _ in ids]
            assert [event["id"] for event in received] == ids
            assert [event["data"]["n"] for event in received] == list(range(20))


async def test_a_compressed_socket_gets_the_same_events_through_asgi_send(
    compressing_server: RunningServer, resources, tenant_a: TenantSession
) -> None:
    server = compressing_server
    async with (
        dial(server, tenant_a, compression="deflate") as compressed,
        dial(server, tenant_a, compression=None) as plain,
    ):
        assert compressed.protocol.extensions and not plain.protocol.extensions
        compressed_socket = await subscribed_socket(server, tenant_a, compressed)
        plain_socket = await subscribed_socket(server, tenant_a, plain)
        assert compressed_socket.sink is None and plain_socket.sink is not None
        stream_id = await publish(resources.redis, tenant_a.organization_id, "sales", "sale.created", {"n": 1})
        texts = [await websocket.recv() for websocket in (compressed, plain)]
        assert texts[0] == texts[1] and json.loads(texts[0])["id"] == stream_id
