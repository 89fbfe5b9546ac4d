"""A server process's graceful stop: drain, then stop (docs/operations.md, "Shutdown").

On the first SIGTERM (or SIGINT) a process started with a drain period (`orbit serve
--drain-seconds`):

1. answers `/ready` with 503 at once, so the proxy's health check and the orchestrator stop
   sending it new work, while it goes on serving everything that still arrives;
2. during the drain, answers every HTTP request with `Connection: close`, so the proxy opens its
   next requests on new connections (which, once /ready has been seen failing, go to another
   server) instead of reusing one that is about to close;
3. when the drain is over, stops listening (a proxy's new connection is refused and tried on
   another server), lets requests in flight finish, and closes WebSockets with 1012
   `restarting`: clients reconnect through the proxy to another server and resume by replay
   (`since`), so no event is lost; then the application shuts down.

A second signal skips what is left of the drain. Invariant: nothing accepted is cut short by
the drain itself; only uvicorn's graceful-shutdown timeout, when configured, may do that.
"""

from __future__ import annotations

import logging
import time
from types import FrameType

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("orbit.serving")

_draining = False


def draining() -> bool:
    """Whether this process is draining (its /ready answers 503)."""
    return _draining


def start_draining() -> None:
    global _draining
    _draining = True


def stop_draining() -> None:
    """Back to normal (for tests that drain an in-process server and keep using the process)."""
    global _draining
    _draining = False


class DrainMiddleware:
    """While the process drains, every HTTP response says `Connection: close`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _draining:
            await self.app(scope, receive, send)
            return

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(name, value) for name, value in message.get("headers", []) if name.lower() != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, send_closing)


class DrainingServer(uvicorn.Server):
    """uvicorn's server, whose first stop signal starts a drain of `config.drain_seconds`
    (an attribute set on the `uvicorn.Config`, so that it reaches worker processes too)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.drain_deadline: float | None = None

    @property
    def drain_seconds(self) -> float:
        return float(getattr(self.config, "drain_seconds", 0.0))

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.drain_seconds > 0 and self.started and self.drain_deadline is None and not self.should_exit:
            self._captured_signals.append(sig)
            self.drain_deadline = time.monotonic() + self.drain_seconds
            start_draining()
            logger.info("draining for %.1f s: /ready answers 503, then the server stops", self.drain_seconds)
            return
        super().handle_exit(sig, frame)

    async def on_tick(self, counter: int) -> bool:
        if self.drain_deadline is not None and time.monotonic() >= self.drain_deadline:
            self.should_exit = True
        return await super().on_tick(counter)
