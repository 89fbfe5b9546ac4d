"""What the embedded PostgreSQL and Redis servers (`server.embedded`) share: the loopback address,
timeouts, free ports, pid files, waiting, and errors that carry the tail of the server's log."""

from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import time
from collections.abc import Callable

HOST = "127.0.0.1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0


class ServiceError(RuntimeError):
    """An embedded server failed to start or stop.

    The message ends with the tail of the server's log.
    """


def log_tail(path: pathlib.Path, *, lines: int = 40, max_bytes: int = 16384) -> str:
    try:
        with path.open("rb") as file:
            file.seek(max(0, file.seek(0, os.SEEK_END) - max_bytes))
            data = file.read()
    except OSError:
        return f"(no log at {path})"
    text = data.decode("utf-8", "replace").splitlines()[-lines:]
    return "\n".join(text) if text else f"(empty log at {path})"


def failure(message: str, log_file: pathlib.Path, output: str = "") -> ServiceError:
    parts = [message]
    if output.strip():
        parts.append(output.strip())
    parts.append(f"--- last lines of {log_file} ---\n{log_tail(log_file)}")
    return ServiceError("\n".join(parts))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def choose_port(requested: int | None, remembered: pathlib.Path) -> int:
    """The requested port, else the one remembered for this directory if free, else any free one."""
    if requested is not None:
        return requested
    previous = read_int(remembered)
    if previous is not None and 0 < previous < 65536 and port_is_free(previous):
        return previous
    return free_port()


def read_int(path: pathlib.Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def process_running(pid: int, program: str) -> bool:
    """Whether process ``pid`` is alive and runs ``program``.

    Where ``/proc`` is available this also tells a recycled pid, left in a
    stale pid file, from the server, and an exited but unreaped (zombie)
    server from a live one; elsewhere any live process counts.
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat_line = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    name = stat_line[stat_line.find("(") + 1 : stat_line.rfind(")")]
    state = stat_line[stat_line.rfind(")") + 1 :].split()[:1]
    return name == program[:15] and state != ["Z"]


def wait_until(
    condition: Callable[[], bool], *, timeout: float, interval: float = 0.02, max_interval: float = 0.25
) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
        interval = min(interval * 1.5, max_interval)


def command_output(exc: subprocess.CalledProcessError | subprocess.TimeoutExpired) -> str:
    parts = []
    for stream in (exc.stdout, exc.stderr):
        if isinstance(stream, bytes):
            stream = stream.decode("utf-8", "replace")
        if stream:
            parts.append(stream.strip())
    if isinstance(exc, subprocess.TimeoutExpired):
        parts.append(f"(timed out after {exc.timeout:g}s)")
    return "\n".join(parts)


class EmbeddedServer:
    """What both embedded servers have: a data directory of their own, the port asked for (else
    the one used last time, else any free one), and a log file there."""

    log_file_name: str

    def __init__(self, data_dir: pathlib.Path, *, port: int | None = None) -> None:
        self.data_dir = pathlib.Path(data_dir).absolute()
        self.requested_port = port
        self._port: int | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.data_dir)!r}, port={self._port or self.requested_port})"

    @property
    def log_file(self) -> pathlib.Path:
        return self.data_dir / self.log_file_name

    @property
    def port(self) -> int:
        """The port the server listens on; valid after ``start()``."""
        if self._port is None:
            raise RuntimeError(f"{self!r} has not been started")
        return self._port
