"""Running the HTTP server: uvicorn, with one listening socket per worker process.

uvicorn's workers normally share one listening socket, and whichever worker wakes first accepts
every connection waiting in it (the event loop accepts until the queue is empty). A burst of
connections — every till reconnecting after a network outage, a load generator opening its
connections — therefore lands on one worker, and keep-alive and WebSocket connections stay
there: one worker serves them all at the speed of one core while the others idle.

Here each worker binds its own socket to the address with `SO_REUSEPORT`, and the kernel spreads
new connections across the workers' sockets by a hash of the client's address and port. Invariant:
no process ever listens on a socket it does not accept from (the supervisor binds none), so no
connection waits in a queue nobody reads. The price: a worker that dies takes the connections
still waiting in its own queue with it (they are reset, and clients reconnect); uvicorn's
supervisor starts a new worker with a new socket.
"""

from __future__ import annotations

import contextlib
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import multiprocess
from uvicorn.supervisors.multiprocess import Multiprocess

from server.core.draining import DrainingServer


def bind_reuse_port(host: str, port: int, backlog: int) -> socket.socket:
    """A listening TCP socket on (host, port) that other processes may bind too (SO_REUSEPORT)."""
    sock = _bound(host, port)
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def _bound(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class WorkerSocket:
    """Stands for a listening socket in the supervisor, which hands it to every worker it starts
    (or restarts). It is only pickled: each worker that unpickles it gets a socket of its own,
    bound to the address with `SO_REUSEPORT`."""

    def __init__(self, host: str, port: int, backlog: int) -> None:
        self.host, self.port, self.backlog = host, port, backlog

    def __reduce__(self) -> tuple[Any, tuple[str, int, int]]:
        return bind_reuse_port, (self.host, self.port, self.backlog)


class DrainingProcess(multiprocess.Process):
    """A worker process whose server drains on its first stop signal (`server.core.draining`).
    Pickled by reference into each worker, which therefore imports this module."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = DrainingServer(config=self.config)
        return self._server


def serve(config: uvicorn.Config, *, drain_seconds: float = 0.0) -> None:
    """Serve `config.app` with `config.workers` processes, each accepting on its own socket
    where the platform has SO_REUSEPORT (uvicorn's shared socket elsewhere). A stop signal
    drains each process for `drain_seconds` before it stops (`server.core.draining`)."""
    config.drain_seconds = drain_seconds  # type: ignore[attr-defined]  # read by DrainingServer, in every worker
    if config.workers <= 1:
        server = DrainingServer(config)
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
        if not server.started:  # as `uvicorn.run`: a server that never started exits with an error
            sys.exit(STARTUP_FAILURE)
        return
    sockets: list[Any]
    if hasattr(socket, "SO_REUSEPORT"):
        _bound(config.host, config.port).close()  # fail here, once, if the address is taken
        sockets = [WorkerSocket(config.host, config.port, config.backlog)]
    else:
        sockets = [config.bind_socket()]
    # uvicorn's supervisor makes (and remakes) its workers with its module's `Process`.
    original, multiprocess.Process = multiprocess.Process, DrainingProcess  # type: ignore[misc]
    try:
        Multiprocess(config, sockets=sockets).run()
    finally:
        multiprocess.Process = original  # type: ignore[misc]
