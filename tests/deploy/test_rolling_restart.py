"""A rolling restart of the production shape under load loses nothing.

Two `orbit serve` processes (drain on SIGTERM) and two `orbit worker` processes on one PostgreSQL
and Redis, Caddy in front with the project's Caddyfile. Tills keep selling through the proxy and
dashboards keep watching the `sales` topic through it while each server in turn is stopped with
SIGTERM and started again, and each worker in turn too while a forecast runs. Afterwards: every
sale answered is in the database exactly once, every sale made is, each watcher received every
`sale.created` exactly once in the stream's order (resumed by replay after the server it was
on closed it with 1012 `restarting`), and the forecast run completed.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from realtime.client import RealtimeClient
from server.core.config import Settings
from server.core.context import Resources
from server.core.events import stream_key
from server.tenancy.certificates import ASK_PATH
from tests.conftest import BASE_DOMAIN, STRONG_PASSWORD, TenantSession
from tests.deploy.conftest import ROOT, Caddy, Server, app_environment, caddy_binary
from tests.realtime.conftest import eventually
from tests.realtime.test_hub import drain
from tests.server.sales.conftest import open_shop

pytestmark = pytest.mark.slow

DRAIN_SECONDS = 3.0
SELLERS = 3
WATCHERS = 3
RETRYABLE = {502, 503, 504}


@dataclass
class Worker:
    environment: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "server.cli", "worker", "--stop-seconds", "20"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.environment)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Load:
    """Tills selling in a loop; each sale is retried with its key until the server answers it."""

    shop: Any
    client: httpx.AsyncClient
    answered: dict[str, str] = field(default_factory=dict)
    retries: Counter[str] = field(default_factory=Counter)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def sell_until_answered(self, body: dict[str, Any]) -> None:
        key = str(uuid.uuid4())
        while True:
            try:
                response = await self.client.post("/api/v1/sales", json=body, headers={"Idempotency-Key": key})
            except httpx.TransportError as exc:
                self.retries[type(exc).__name__] += 1
            else:
                if response.status_code == 201:
                    self.answered[key] = response.json()["id"]
                    return
                assert response.status_code in RETRYABLE | {409}, (response.status_code, response.text)
                self.retries[str(response.status_code)] += 1
            await asyncio.sleep(0.05)

    async def till(self, index: int) -> None:
        while not self.stop.is_set():
            await self.sell_until_answered(self.shop.sale([(index % len(self.shop.products), 1)]))
            await asyncio.sleep(0.02)


async def wait_exit(process: subprocess.Popen[bytes], within: float = 60) -> int:
    return await asyncio.to_thread(process.wait, within)


async def restart_server(server: Server) -> dict[str, float]:
    """SIGTERM, check /ready flips at once while requests are still served, wait for the exit,
    start again at the same address."""
    assert server.process is not None
    started = time.monotonic()
    server.terminate()
    async with httpx.AsyncClient(base_url=f"http://{server.address}", timeout=2) as direct:
        deadline = time.monotonic() + 2
        while (await direct.get("/ready")).status_code != 503:
            assert time.monotonic() < deadline, "/ready did not flip"
            await asyncio.sleep(0.02)
        flipped = time.monotonic() - started
        assert (await direct.get("/health")).status_code == 200  # still serving while it drains
        closing = await direct.get("/health")
        assert closing.headers.get("connection") == "close"
    code = await wait_exit(server.process)
    stopped = time.monotonic() - started
    assert stopped >= DRAIN_SECONDS
    assert code in (0, -signal.SIGTERM), code
    server.start()
    await server.ready()
    return {"ready_flipped_after": flipped, "stopped_after": stopped, "code": code}


async def test_a_rolling_restart_under_load_loses_no_sale_and_no_event(
    settings: Settings, resources: Resources, owner_engine: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    caddy_binary()
    began = time.monotonic()
    stream = f"orbit:test-jobs:{uuid.uuid4().hex[:10]}"
    servers = [
        Server(settings, drain_seconds=DRAIN_SECONDS, environment={"ORBIT_JOB_STREAM": stream}) for _ in range(2)
    ]
    worker_environment = app_environment(settings, ORBIT_JOB_STREAM=stream, ORBIT_JOB_REDELIVERY_SECONDS="600")
    workers = [Worker(worker_environment) for _ in range(2)]
    caddy = Caddy(
        upstreams=[server.address for server in servers],
        ask_url=f"http://{servers[0].address}{ASK_PATH}",
        home=tmp_path_factory.mktemp("caddy"),
    )
    watchers: list[RealtimeClient] = []
    try:
        for server in servers:
            server.start()
        for worker in workers:
            worker.start()
        caddy.start()
        await asyncio.gather(*(server.ready() for server in servers), caddy.ready())
        await caddy.upstreams_healthy()
        phases = {"started": time.monotonic() - began}

        async with caddy.client() as apex:
            registered = await apex.post(
                "/api/v1/auth/register",
                json={
                    "company_name": f"Rolling {uuid.uuid4().hex[:6]}",
                    "admin_name": "Rita",
                    "email": f"rita-{uuid.uuid4().hex[:8]}@example.com",
                    "password": STRONG_PASSWORD,
                    "currency": "CLP",
                    "locale": "es-CL",
                    "time_zone": "America/Santiago",
                },
            )
        assert registered.status_code == 201, registered.text
        result = registered.json()
        token = result["tokens"]["access_token"]
        async with caddy.client(result["subdomain"], Authorization=f"Bearer {token}") as client:
            me = (await client.get("/api/v1/organization")).json()
            tenant = TenantSession(
                subdomain=result["subdomain"],
                organization_id=uuid.UUID(me["id"]),
                admin_id=uuid.uuid4(),
                email="",
                tokens=result["tokens"],
                client=client,
            )
            shop = await open_shop(tenant, code="RR", prices=(1000, 2500, 990), stock=1_000_000)
            organization_id = tenant.organization_id
            for _ in range(WATCHERS):
                watcher = RealtimeClient(
                    f"ws://{tenant.subdomain}.{BASE_DOMAIN}:{caddy.port}/ws",
                    token,
                    ("sales",),
                    connect_to=("127.0.0.1", caddy.port),
                    backoff_max=1.0,
                )
                await watcher.start()
                watchers.append(watcher)
            for watcher in watchers:
                await watcher.wait_subscribed()

            load = Load(shop=shop, client=client)
            tills = [asyncio.create_task(load.till(index)) for index in range(SELLERS)]
            await asyncio.sleep(1.0)
            run = await client.post("/api/v1/forecasts/runs", json={})
            assert run.status_code == 202, run.text

            # One server at a time, each worker beside it.
            restarts = []
            for server, worker in zip(servers, workers, strict=True):
                worker.stop()
                worker.start()
                restarts.append(await restart_server(server))
                # The proxy's health check (every 2 s) sees the new process before the next goes.
                await asyncio.sleep(2.5)
            await asyncio.sleep(1.0)
            load.stop.set()
            await asyncio.gather(*tills)
            phases["restarted"] = time.monotonic() - began

            # Every sale answered is stored once, and nothing else is.
            async with owner_engine.connect() as connection:
                stored = (
                    await connection.execute(
                        text("select id::text from sales where organization_id = :org"), {"org": organization_id}
                    )
                ).scalars()
                stored_ids = sorted(stored)
            assert len(load.answered) >= 20, "too little load to mean anything"
            assert sorted(load.answered.values()) == stored_ids

            # Every sale's event is in the stream once; every watcher got them all, once, in order.
            entries = await resources.redis.xrange(stream_key(organization_id, "sales"), "-", "+")
            expected_ids = [entry_id.decode() for entry_id, _ in entries]
            published = Counter(
                body.split(b'"sale_id":"')[1][:36].decode()
                for _, fields in entries
                for body in [fields[b"e"]]
                if b'"type":"sale.created"' in body
            )
            assert sorted(published) == stored_ids and set(published.values()) == {1}
            for watcher in watchers:
                await eventually(lambda w=watcher: w.last_ids.get("sales") == expected_ids[-1], within=20)
            for watcher in watchers:
                received = [event.id for event in drain(watcher)]
                assert received == expected_ids
                assert watcher.reloads == [], "a watcher had to reload instead of resuming"
                assert any(code == 1012 for code, _ in watcher.closes), watcher.closes

            # The forecast run was done by a worker, whichever.
            deadline = time.monotonic() + 60
            while True:
                status = (await client.get(f"/api/v1/forecasts/runs/{run.json()['id']}")).json()["status"]
                if status in ("succeeded", "failed") or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
            assert status == "succeeded"
            pending = await resources.redis.xpending(stream, "orbit-workers")
            assert int(pending["pending"]) == 0

        print(
            f"\nrolling restart: {len(load.answered)} sales, retries {dict(load.retries)}, "
            f"restarts {restarts}, phases {phases}, {time.monotonic() - began:.1f} s in all"
        )
    finally:
        for watcher in watchers:
            with contextlib.suppress(Exception):
                await watcher.close()
        caddy.stop()
        for part in (*servers, *workers):
            part.stop()
        await resources.redis.delete(stream)
