"""`orbit serve --workers N`: every worker accepts on a socket of its own (SO_REUSEPORT), so a
burst of keep-alive connections is spread over the workers instead of landing on one."""

from __future__ import annotations

import asyncio
import os
import pickle
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from server.core.config import Settings
from server.core.serving import WorkerSocket, bind_reuse_port
from tests.realtime.conftest import free_port, server_environment, start_process, stop_process

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_worker_sockets_share_the_address() -> None:
    port = free_port()
    first = bind_reuse_port("127.0.0.1", port, 16)
    # What a worker gets when it unpickles the supervisor's stand-in: a second listener, same port.
    second = pickle.loads(pickle.dumps(WorkerSocket("127.0.0.1", port, 16)))
    try:
        assert isinstance(second, socket.socket)
        assert second.getsockname() == first.getsockname() == ("127.0.0.1", port)
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
    finally:
        first.close()
        second.close()


def test_a_taken_address_is_refused() -> None:
    with socket.socket() as plain:
        plain.bind(("127.0.0.1", 0))
        plain.listen()
        with pytest.raises(OSError):
            bind_reuse_port("127.0.0.1", plain.getsockname()[1], 16)


ESTABLISHED, LISTEN = "01", "0A"


def _sockets_on(pid: int, port: int, state: str = ESTABLISHED) -> int:
    """Sockets on local `port` in `state` that process `pid` holds (its inodes in /proc/net/tcp)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == state and fields[9] in inodes:
            count += 1
    return count


def _workers(pid: int) -> list[int]:
    """The worker processes uvicorn's supervisor `pid` spawned."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and "multiprocessing.spawn" in (entry / "cmdline").read_text():
                found.append(int(entry.name))
    return found


@pytest.mark.slow
@linux_only
async def test_a_burst_of_connections_reaches_every_worker(settings: Settings) -> None:
    server = await start_process(settings, settings.redis_url, workers=2)
    assert server.process is not None
    connections: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    try:
        # Both workers started and listening: a spawned worker binds its socket only once it has
        # unpickled it, which on a busy machine can come well after the process appears.
        workers: list[int] = []
        for _ in range(300):
            workers = _workers(server.process.pid)
            if len(workers) == 2 and all(_sockets_on(pid, server.port, LISTEN) for pid in workers):
                break
            await asyncio.sleep(0.1)
        assert len(workers) == 2 and all(_sockets_on(pid, server.port, LISTEN) for pid in workers)
        # 32 keep-alive connections at once, each used for one request, all held open.
        connections = await asyncio.gather(*(asyncio.open_connection("127.0.0.1", server.port) for _ in range(32)))
        for _, writer in connections:
            writer.write(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        for reader, _ in connections:
            assert (await reader.readline()).startswith(b"HTTP/1.1 200")
        held = [_sockets_on(pid, server.port) for pid in workers]
        assert sum(held) == 32
        # A hash spreads them: each worker holds some (one shared socket gives nearly all to one).
        assert min(held) >= 4, held
    finally:
        for _, writer in connections:
            writer.close()
        stop_process(server)


@pytest.mark.slow
def test_a_server_that_cannot_start_exits_with_an_error(settings: Settings) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for workers in ("1", "2"):
            command = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
            done = subprocess.run(
                [*command, "--workers", workers, "--log-level", "critical"],
                env=server_environment(settings, settings.redis_url),
                capture_output=True,
                timeout=240,  # a loaded machine takes a while to import the application
            )
            assert done.returncode != 0, (workers, done.stderr[-500:])
