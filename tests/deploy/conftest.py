"""The production shape on one machine: `orbit serve` and `orbit worker` processes as compose runs
them, and the project's Caddyfile run by the machine's Caddy in plain HTTP on a loopback port.

Caddy is a system package (`.ci/run` installs it): in CI a missing `caddy` fails the tests that
need it; elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from server.core.config import Settings
from tests.conftest import BASE_DOMAIN

ROOT = Path(__file__).resolve().parents[2]
CADDYFILE = ROOT / "deploy" / "Caddyfile"
WEB_APPS = ("frontend", "pwa", "landing")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def caddy_binary() -> str:
    """The machine's `caddy`; fails in CI when it is missing, skips elsewhere."""
    found = shutil.which("caddy")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("caddy is not installed (.ci/run installs Debian's caddy package)")
        pytest.skip("caddy is not installed (apt-get install caddy)")
    return found


def web_dir(tmp: Path) -> Path:
    """A folder laid out as the proxy image's /srv: each app's built `dist/` under its name."""
    missing = [app for app in WEB_APPS if not (ROOT / app / "dist" / "index.html").exists()]
    if missing:
        pytest.fail(f"the front ends are not built ({', '.join(missing)}): run `make web` first")
    tmp.mkdir(parents=True, exist_ok=True)
    for app in WEB_APPS:
        link = tmp / app
        if not link.exists():
            link.symlink_to(ROOT / app / "dist", target_is_directory=True)
    return tmp


def app_environment(settings: Settings, **extra: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TEST_", "PYTEST", "ORBIT", "DATABASE", "REDIS"))
    }
    environment.update(
        {
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            "ORBIT_ENV": "test",
            "BASE_DOMAIN": BASE_DOMAIN,
            "SECRET_KEY": settings.secret_key,
            "REGISTRATIONS_PER_IP": "1000000",
            "LOGIN_ATTEMPTS_PER_IP": "1000000",
            **extra,
        }
    )
    return environment


@dataclass
class Server:
    """One `orbit serve` process on a fixed port (so a restart comes back at the same address)."""

    settings: Settings
    port: int = field(default_factory=free_port)
    drain_seconds: float = 0.0
    environment: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--log-level", "warning", "--drain-seconds", str(self.drain_seconds)]
        self.process = subprocess.Popen(command, cwd=ROOT, env=app_environment(self.settings, **self.environment))

    async def ready(self, within: float = 150) -> None:
        """Wait until /ready answers 200 (a busy machine takes its time to import everything)."""
        assert self.process is not None
        deadline = time.monotonic() + within
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the server exited with {self.process.returncode}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"http://{self.address}/ready", timeout=2)).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise RuntimeError("the server did not become ready")

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Caddy:
    """`caddy run` with the project's Caddyfile, plain HTTP on a loopback port."""

    upstreams: list[str]
    ask_url: str
    home: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "BASE_DOMAIN": BASE_DOMAIN,
            "ORBIT_SITE_SCHEME": "http",
            "ORBIT_SITE_PORT": f":{self.port}",
            "ORBIT_TLS": "off",
            "ORBIT_BIND": "loopback",
            "ORBIT_UPSTREAMS": " ".join(self.upstreams),
            "ORBIT_ASK_URL": self.ask_url,
            "ORBIT_WEB_DIR": str(web_dir(self.home / "srv")),
            "CADDY_ADMIN": "off",
        }

    def start(self) -> None:
        command = [caddy_binary(), "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"]
        self.process = subprocess.Popen(
            command, env=self.environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    async def ready(self, within: float = 30) -> None:
        assert self.process is not None
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                errors = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"caddy exited with {self.process.returncode}: {errors[-2000:]}")
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            await asyncio.sleep(0.05)
        raise RuntimeError("caddy did not start")

    async def upstreams_healthy(self, within: float = 30) -> None:
        """Wait until the proxy sends /ready to a server (its health checks have passed)."""
        deadline = time.monotonic() + within
        async with self.client() as apex:
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if (await apex.get("/ready")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise RuntimeError("the proxy found no healthy server")

    def origin(self, subdomain: str | None = None) -> str:
        host = f"{subdomain}.{BASE_DOMAIN}" if subdomain else BASE_DOMAIN
        return f"http://{host}:{self.port}"

    def client(self, subdomain: str | None = None, **headers: str) -> httpx.AsyncClient:
        """A client that dials the proxy on loopback with the shop's (or the apex's) Host."""
        host = f"{subdomain}.{BASE_DOMAIN}" if subdomain else BASE_DOMAIN
        return httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{self.port}", headers={"Host": f"{host}:{self.port}", **headers}, timeout=30
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(25)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def stopping(*parts: Server | Caddy) -> Iterator[None]:
    try:
        yield
    finally:
        for part in parts:
            part.stop()
