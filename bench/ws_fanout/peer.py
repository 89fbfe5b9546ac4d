"""The peer of the fan-out benchmark: python-socketio with its Redis manager, as one would deploy it.

Run by run.py as `uvicorn --factory peer:create_app` (one process, like ours). A client joins the
room of its tenant on connect (`auth = {"tenant": "<subdomain>"}`); the benchmark's publisher
emits through `socketio.AsyncRedisManager(write_only=True)` on the same channel, so each event
goes through Redis pub/sub to this process and out to the room's sockets.

Environment: PEER_REDIS_URL, PEER_CHANNEL; PEER_SETTLE_GC=1 applies our server's garbage-collector
settings (`realtime.memory.settle_collector`) to the peer too.
"""

from __future__ import annotations

import os
from typing import Any

import socketio


def create_app() -> Any:
    if os.environ.get("PEER_SETTLE_GC"):
        from realtime.memory import settle_collector

        settle_collector()
    manager = socketio.AsyncRedisManager(os.environ["PEER_REDIS_URL"], channel=os.environ["PEER_CHANNEL"])
    server = socketio.AsyncServer(async_mode="asgi", client_manager=manager, cors_allowed_origins="*")

    async def connect(sid: str, environ: dict[str, Any], auth: dict[str, Any] | None) -> bool:
        tenant = (auth or {}).get("tenant")
        if not tenant:
            return False
        await server.enter_room(sid, tenant)
        return True

    untyped: Any = server  # python-socketio has no type hints
    untyped.on("connect", connect)

    return socketio.ASGIApp(server)
