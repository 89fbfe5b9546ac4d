"""Real sockets against real servers: an in-process uvicorn server on a free port (shared by the
module's tests), and `python -m server.cli serve` subprocesses for the multi-process and
Redis-restart tests. Events come from real sales (through the API) or from the one publisher."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from realtime.client import RealtimeClient
from realtime.connection import RealtimeConfig
from realtime.hub import Hub
from realtime.transport import FrameWebSocketProtocol
from server.app import create_app
from server.core.config import Settings
from server.core.security import issue_access_token
from tests.conftest import BASE_DOMAIN, TenantSession

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ws_url(subdomain: str, port: int) -> str:
    return f"ws://{subdomain}.{BASE_DOMAIN}:{port}/ws"


@dataclass
class RunningServer:
    port: int
    app: Any = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def hub(self) -> Hub:
        hub: Hub = self.app.state.realtime
        return hub

    def url(self, subdomain: str) -> str:
        return ws_url(subdomain, self.port)

    def client(
        self, tenant: TenantSession | str, token: Any = None, topics: tuple[str, ...] = (), **options: Any
    ) -> RealtimeClient:
        subdomain = tenant if isinstance(tenant, str) else tenant.subdomain
        if token is None:
            assert isinstance(tenant, TenantSession)
            token = tenant.access_token
        options.setdefault("connect_to", ("127.0.0.1", self.port))
        return RealtimeClient(self.url(subdomain), token, topics, **options)

    def http(self, tenant: TenantSession, token: str | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{self.port}",
            headers={"Host": f"{tenant.subdomain}.{BASE_DOMAIN}", **tenant.auth(token)},
            timeout=10,
        )


@contextlib.asynccontextmanager
async def in_process_server(settings: Settings, **options: Any) -> AsyncIterator[RunningServer]:
    """The application under uvicorn in this event loop (lifespan and hub included), with the
    WebSocket options of `orbit serve` unless `options` say otherwise."""
    port = free_port()
    app = create_app(settings)
    options = {"ws": FrameWebSocketProtocol, "ws_per_message_deflate": False, **options}
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning", **options)
    instance = uvicorn.Server(config)
    task = asyncio.create_task(instance.serve())
    while not instance.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield RunningServer(port=port, app=app)
    finally:
        instance.should_exit = True
        await asyncio.wait_for(task, 20)


@pytest.fixture(scope="module")
async def server(settings: Settings) -> AsyncIterator[RunningServer]:
    async with in_process_server(settings) as running:
        yield running


@contextlib.contextmanager
def hub_config(server: RunningServer, **changes: Any) -> Iterator[RealtimeConfig]:
    """Change the hub's limits for sockets opened inside the block."""
    before = server.hub.config
    server.hub.config = dataclasses.replace(before, **changes)
    try:
        yield server.hub.config
    finally:
        server.hub.config = before


def token_for(
    settings: Settings,
    tenant: TenantSession,
    *,
    user_id: uuid.UUID | None = None,
    role: str = "admin",
    lifetime: float | None = None,
) -> str:
    """An access token, optionally one that expires `lifetime` seconds from now."""
    now = time.time()
    if lifetime is not None:
        now -= settings.access_token_seconds - lifetime
    token, _ = issue_access_token(
        settings, user_id=user_id or tenant.admin_id, organization_id=tenant.organization_id, role=role, now=now
    )
    return token


def server_environment(settings: Settings, redis_url: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TEST_", "PYTEST", "ORBIT", "DATABASE", "REDIS"))
    }
    environment.update(
        {
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": redis_url,
            "ORBIT_ENV": "test",
            "BASE_DOMAIN": BASE_DOMAIN,
            "SECRET_KEY": settings.secret_key,
        }
    )
    return environment


async def start_process(settings: Settings, redis_url: str, workers: int = 1) -> RunningServer:
    """`python -m server.cli serve` as deployed, on a free port; returns once /health answers."""
    port = free_port()
    command = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    process = await asyncio.to_thread(
        subprocess.Popen, [*command, "--log-level", "warning"], cwd=ROOT, env=server_environment(settings, redis_url)
    )
    deadline = time.monotonic() + 150  # a busy machine takes its time to import everything
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"http://127.0.0.1:{port}/health", timeout=1)).status_code == 200:
                    return RunningServer(port=port, process=process)
            await asyncio.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def stop_process(server: RunningServer) -> None:
    process = server.process
    assert process is not None
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def eventually(condition: Any, within: float = 10.0, interval: float = 0.05) -> None:
    deadline = time.monotonic() + within
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)
