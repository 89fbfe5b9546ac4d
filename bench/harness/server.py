"""The server under test, as deployed: `python -m server.cli serve` (uvicorn, uvloop, httptools)
in a process of its own, on a free port, against a given database and Redis."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness.machine import all_processes

ROOT = Path(__file__).resolve().parents[2]
"""The checkout this package belongs to."""

BASE_DOMAIN = "orbitengine.localhost"


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on right now: one of BENCH_PORTS
    (`first-last`) when set, so that runs sharing a machine keep to their own ports."""
    first, _, last = os.environ.get("BENCH_PORTS", "").partition("-")
    for port in range(int(first), int(last) + 1) if first and last else [0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise SystemExit(f"no free port in BENCH_PORTS={first}-{last}")


def serve_command(port: int, *, workers: int | None = None, launcher: Sequence[str] = ()) -> list[str]:
    """`python -m server.cli serve` on `port` (`launcher`: what runs the module instead of plain
    Python, e.g. `python -m cProfile -o FILE`)."""
    command = [*(launcher or [sys.executable]), "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    return [*command, "--log-level", "warning"]


def server_environment(
    *,
    database_url: str,
    redis_url: str,
    port: int,
    secret_key: str | None = None,
    access_token_seconds: int = 3600,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The process environment of a test-mode server, with the login and sign-up limits out of
    the way. Give the same `secret_key` to every start whose tokens must stay valid."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ORBIT_ENV": "test",
        "SECRET_KEY": secret_key or secrets.token_urlsafe(48),
        "BASE_DOMAIN": BASE_DOMAIN,
        "PUBLIC_PORT": str(port),
        "ACCESS_TOKEN_SECONDS": str(access_token_seconds),
        "LOGIN_ATTEMPTS_PER_IP": str(10**9),
        "REGISTRATIONS_PER_IP": str(10**9),
        **(extra or {}),
    }


@dataclass
class ServerProcess:
    """A server process that can be started, waited for, stopped, killed and started again (on
    the same port). It runs in a session of its own, so stopping it reaches its workers."""

    command: list[str]
    environment: dict[str, str]
    port: int
    cwd: Path = ROOT
    ready_path: str = "/ready"
    ready_status: int | None = 200
    """The status `ready_path` must answer with (None: any answer will do)."""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @classmethod
    def orbit(
        cls,
        *,
        database_url: str,
        redis_url: str,
        workers: int | None = None,
        launcher: Sequence[str] = (),
        cwd: Path = ROOT,
        secret_key: str | None = None,
        access_token_seconds: int = 3600,
        extra: Mapping[str, str] | None = None,
    ) -> ServerProcess:
        """Our server on a free port (see `serve_command` and `server_environment`)."""
        port = free_port()
        environment = server_environment(
            database_url=database_url,
            redis_url=redis_url,
            port=port,
            secret_key=secret_key,
            access_token_seconds=access_token_seconds,
            extra=extra,
        )
        return cls(serve_command(port, workers=workers, launcher=launcher), environment, port, cwd=cwd)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None, "the server was not started"
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, cwd=self.cwd, env=self.environment, start_new_session=True)

    def wait_ready(self, *, timeout: float = 180.0, workers: int = 1) -> None:
        """Until `ready_path` answers with `ready_status` and, with several workers, every worker
        process exists. A loaded 2-core machine can take a minute to import the workers."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with status {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base_url}{self.ready_path}", timeout=2) as response:
                    answered = self.ready_status in (None, response.status)
            except urllib.error.HTTPError as error:
                answered = self.ready_status in (None, error.code)
            except OSError:
                answered = False
            if answered and (workers == 1 or len(self.worker_pids()) >= workers):
                return
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer {self.ready_path} within {timeout:.0f} s")

    def start_and_wait(self, *, timeout: float = 180.0, workers: int = 1) -> None:
        self.start()
        self.wait_ready(timeout=timeout, workers=workers)

    def worker_pids(self) -> list[int]:
        """uvicorn's worker processes (with one worker, uvicorn serves in the process itself)."""
        children = []
        for pid, ppid, _ in all_processes():
            if ppid != self.pid:
                continue
            try:
                if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
                    children.append(pid)
            except OSError:
                continue
        return children or [self.pid]

    def stop(self, how: signal.Signals = signal.SIGTERM, *, timeout: float = 20.0) -> None:
        """Ask the server to stop (SIGTERM: drain and exit; SIGINT lets a profiler write its
        stats); after `timeout`, kill its whole session."""
        if not self.running():
            return
        assert self.process is not None
        self.process.send_signal(how)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would: nothing is drained or flushed."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
