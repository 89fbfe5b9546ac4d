"""WebSocket fan-out: 5,000 sockets over 50 tenants on one server process, sales published at a
rising rate, against python-socketio + AsyncRedisManager with the same sockets and events.

    .venv/bin/python bench/ws_fanout/run.py

What it does (docs/benchmarks/ws-fanout.md has the figures and their reading):

1. creates a throwaway database `orbit_bench_ws_<random>` on BENCH_DATABASE_URL's server,
   migrates it and inserts 50 organizations with one manager each; signs an access token per
   manager; uses Redis at BENCH_REDIS_URL;
2. for each target — ours (`python -m server.cli serve`, one uvicorn process, `/ws`), the peer
   (`peer.py`: python-socketio's ASGI app with `AsyncRedisManager`, one uvicorn process) and the
   same peer with our server's garbage-collector settings — connects the sockets from a few
   client processes (100 per tenant; ours authenticate and subscribe to `sales`, the peer's join
   their tenant's room), measures the server's RSS before and after, then publishes
   `sale.created` events round-robin over the tenants at a rising rate (ours through
   `server.core.events.publish`, the peer through `AsyncRedisManager.emit`); every event carries
   its publish time, and each client records publish→receive latency;
3. per step: deliveries/s, share delivered, latency p50/p99/max, CPU of the server and of the
   clients, the server's garbage-collector pauses; a target's ramp stops once p99 passes 1 s or
   a step loses more than 5%. A target's sustained rate is the highest step up to which every
   step kept p99 within the budget (100 ms) and delivered everything;
4. prints one JSON document with the ratio of the sustained rates, and drops the database.

Every target is served by the same uvicorn and measured with the same client code (`BenchSocket`:
a bare WebSocket client that reads frames in place, so that 5,000 client sockets take as little
of the machine as they can), the same machine and the same Redis; the client processes share
the machine's two cores with the server, Redis and the publisher. Servers run under `gc_log.py`,
which records their collector pauses.

Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import sys
import tempfile
import time
import uuid
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness.database import ScratchDatabase  # noqa: E402
from bench.harness.machine import machine_cpu, percentile, process_cpu, raise_file_limit, rss_bytes  # noqa: E402
from bench.harness.server import ServerProcess, free_port, serve_command, server_environment  # noqa: E402
from bench.ws_fanout.clients import Client, close_clients, connect_clients  # noqa: E402

__all__ = ["Ramp", "close_clients", "connect_clients", "create_tenants", "launch"]
"""What bench/proxy reuses of this scenario."""

TARGETS = ("orbit", "socketio", "socketio-gc")
"""Ours; the peer as deployed; the peer with our garbage-collector settings (`settle_collector`)."""


# ---------------------------------------------------------------------------------------------
# Setup: database, tenants and tokens


SECRET_KEY = secrets.token_urlsafe(48)
"""Signs the managers' tokens here and verifies them in the servers `launch` starts."""

TOKEN_SECONDS = 4 * 3600

PUBLISH_CONNECTIONS = 100
"""Redis connections of our publisher (redis-py's default cap, now waited for rather than raised)."""


async def create_tenants(database_url: str, count: int) -> list[dict[str, str]]:
    """`count` organizations with one manager each: subdomain, organization id and a token."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from server.core.config import load_settings
    from server.core.db import async_url
    from server.core.security import issue_access_token

    settings = load_settings({}, environment="test", secret_key=SECRET_KEY, access_token_seconds=TOKEN_SECONDS)
    engine = create_async_engine(async_url(database_url))
    tenants = []
    async with engine.begin() as connection:
        for index in range(count):
            organization_id, user_id = uuid.uuid4(), uuid.uuid4()
            subdomain = f"wsbench-{index:03d}"
            await connection.execute(
                text(
                    "insert into organizations (id, name, subdomain, currency, locale, time_zone, tax_mode,"
                    " allow_negative_stock, is_active) values (:id, :name, :subdomain, 'CLP', 'es-CL',"
                    " 'America/Santiago', 'inclusive', false, true)"
                ),
                {"id": organization_id, "name": f"Bench {index}", "subdomain": subdomain},
            )
            await connection.execute(
                text(
                    "insert into users (organization_id, id, email, full_name, password_hash, role, is_active)"
                    " values (:organization_id, :id, :email, 'Bench manager', 'x', 'manager', true)"
                ),
                {"organization_id": organization_id, "id": user_id, "email": f"manager@{subdomain}.example"},
            )
            token, _ = issue_access_token(settings, user_id=user_id, organization_id=organization_id, role="manager")
            tenants.append({"subdomain": subdomain, "organization_id": str(organization_id), "token": token})
    await engine.dispose()
    return tenants


# ---------------------------------------------------------------------------------------------
# Publishing at a controlled rate


def sale_data(step: int, sequence: int, tenant: dict[str, str]) -> dict[str, Any]:
    """A `sale.created` payload shaped like the real one, plus the publish time."""
    return {
        "sale_id": str(uuid.uuid4()),
        "invoice_number": f"C1-{sequence}",
        "register_id": tenant["organization_id"],
        "register_code": "C1",
        "total": 12990,
        "items": 3,
        "origin": "online",
        "lines": [{"product_id": str(uuid.uuid4()), "quantity": 1} for _ in range(3)],
        "step": step,
        "seq": sequence,
        "ts": time.time(),
    }


async def publish_step(
    target: str, publisher: Any, tenants: list[dict[str, str]], step: int, rate: float, seconds: float
) -> dict[str, float]:
    """Publish `rate` events per second for `seconds`, round-robin over the tenants."""
    from server.core.events import publish

    total = int(rate * seconds)
    started = time.monotonic()
    lag = 0.0
    pending: set[asyncio.Task[Any]] = set()
    for sequence in range(total):
        due = started + sequence / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            lag = max(lag, -delay)
        tenant = tenants[sequence % len(tenants)]
        data = sale_data(step, sequence, tenant)
        if target == "orbit":
            coroutine = publish(publisher, uuid.UUID(tenant["organization_id"]), "sales", "sale.created", data)
        else:
            coroutine = publisher.emit("sale.created", data, room=tenant["subdomain"], namespace="/")
        task = asyncio.ensure_future(coroutine)
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.gather(*pending)
    return {"events": total, "seconds": time.monotonic() - started, "max_lag_ms": lag * 1000}


# ---------------------------------------------------------------------------------------------
# One target


def gc_log_lines(log: Path) -> list[tuple[float, int, float]]:
    """The server's collections of 5 ms or more: (unix time, generation, milliseconds)."""
    lines = []
    for line in log.read_text().splitlines():
        at, generation, milliseconds = line.split()
        lines.append((float(at), int(generation), float(milliseconds)))
    return lines


def gc_pauses(log: Path, since: float, until: float) -> list[float]:
    """The server's collections of 5 ms or more between two times (milliseconds each)."""
    return [milliseconds for at, _generation, milliseconds in gc_log_lines(log) if since <= at <= until]


def launch(target: str, args: argparse.Namespace, database_url: str, redis_url: str) -> tuple[ServerProcess, Path]:
    """The target's server (under `gc_log.py`, or cProfile with `--profile`), not yet started,
    and the file its collector pauses go to."""
    port = free_port()
    gc_log = Path(tempfile.mkstemp(prefix="ws-fanout-gc-", suffix=".log")[1])
    environment = server_environment(
        database_url=database_url,
        redis_url=redis_url,
        port=port,
        secret_key=SECRET_KEY,
        access_token_seconds=TOKEN_SECONDS,
        extra={
            "PEER_REDIS_URL": redis_url,
            "PEER_CHANNEL": f"orbit-bench-{secrets.token_hex(4)}",
            "PEER_SETTLE_GC": "1" if target == "socketio-gc" else "",
            "GC_LOG": str(gc_log),
        },
    )
    if args.profile and target == "orbit":
        launcher = [sys.executable, "-m", "cProfile", "-o", args.profile]
    else:
        launcher = [sys.executable, str(HERE / "gc_log.py")]
    if target == "orbit":
        command = serve_command(port, launcher=launcher)
        health = "/health"
    else:
        command = [
            *launcher, "-m", "uvicorn", "--factory", "peer:create_app", "--app-dir", str(HERE),
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        ]  # fmt: skip
        health = "/socket.io/?EIO=4&transport=polling"
    return ServerProcess(command, environment, port, cwd=ROOT, ready_path=health, ready_status=None), gc_log


@dataclass
class Ramp:
    """One target under load: publishes a step at a given rate and reads what every client got."""

    target: str
    args: argparse.Namespace
    tenants: list[dict[str, str]]
    server: ServerProcess
    clients: list[Client]
    gc_log: Path
    publisher: Any
    steps: list[dict[str, Any]] = field(default_factory=list)

    async def latencies(self, step: int) -> list[float]:
        """Every client's publish→receive latencies (ms) of `step`, sorted."""
        latencies: list[float] = []
        for _, pipe in self.clients:
            pipe.send("report")
        for _, pipe in self.clients:
            report = await asyncio.to_thread(pipe.recv)
            for reported_step, raw in report.items():
                if reported_step == step:
                    samples = array("f")
                    samples.frombytes(raw)
                    latencies.extend(samples)
        return sorted(latencies)

    def clients_cpu(self) -> float:
        return sum(process_cpu(process.pid or 0) or 0.0 for process, _ in self.clients)

    async def measure(self, step: int, rate: float) -> dict[str, Any]:
        args, server = self.args, self.server
        server_cpu, client_cpu, machine_busy = process_cpu(server.pid) or 0.0, self.clients_cpu(), machine_cpu()[0]
        step_started = time.time()
        published = await publish_step(self.target, self.publisher, self.tenants, step, rate, args.step_seconds)
        await asyncio.sleep(args.drain_seconds)
        pauses = gc_pauses(self.gc_log, step_started, time.time())
        server_cpu = (process_cpu(server.pid) or 0.0) - server_cpu
        client_cpu = self.clients_cpu() - client_cpu
        machine_busy = machine_cpu()[0] - machine_busy
        latencies = await self.latencies(step)
        per_tenant = args.sockets / len(self.tenants)
        expected = int(published["events"] * per_tenant)
        window = args.step_seconds + args.drain_seconds
        row = {
            "events_per_s": rate,
            "offered_deliveries_per_s": round(rate * per_tenant),
            "delivered": len(latencies),
            "expected": expected,
            "delivered_share": round(len(latencies) / expected, 5) if expected else 0.0,
            "deliveries_per_s": round(len(latencies) / published["seconds"]),
            "p50_ms": round(percentile(latencies, 0.50), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1),
            "max_ms": round(latencies[-1], 1) if latencies else None,
            "server_cpu": round(server_cpu / window, 2),
            "server_cpu_us_per_delivery": round(server_cpu / len(latencies) * 1e6) if latencies else None,
            "clients_cpu": round(client_cpu / window, 2),
            "machine_busy_cpus": round(machine_busy / window, 2),
            "others_cpu": round((machine_busy - server_cpu - client_cpu) / window, 2),
            "publisher_max_lag_ms": round(published["max_lag_ms"], 1),
            "server_gc_pauses": len(pauses),
            "server_gc_max_ms": max(pauses, default=0.0),
            "rss_mb": round(rss_bytes(server.pid) / 2**20, 1),
        }
        self.steps.append(row)
        print(f"[{self.target}] {json.dumps(row)}", flush=True)
        return row

    def holds(self, row: dict[str, Any]) -> bool:
        return bool(row["p99_ms"] <= self.args.p99_budget_ms and row["delivered_share"] >= 0.999)

    async def sustained(self) -> float:
        """Ramp up through `args.rates` until p99 passes 1 s or a step loses more than 5%. The
        sustained rate is the highest up to which every step kept p99 within budget and lost
        nothing; then `--refine` steps halve the interval between it and the first miss."""
        for step, rate in enumerate(self.args.rates):
            row = await self.measure(step, rate)
            if row["p99_ms"] > 1000 or row["delivered_share"] < 0.95:
                break
        sustained: float = 0
        passed, missed = 0.0, None
        for row in self.steps:
            if not self.holds(row):
                missed = row["events_per_s"]
                break
            sustained, passed = row["deliveries_per_s"], row["events_per_s"]
        for _ in range(self.args.refine if missed is not None and passed else 0):
            assert missed is not None
            await asyncio.sleep(self.args.settle_seconds)  # what a missed step left queued drains first
            rate = (passed + missed) / 2
            row = await self.measure(len(self.steps), rate)
            row["refine"] = True
            if self.holds(row):
                sustained, passed = row["deliveries_per_s"], rate
            else:
                missed = rate
        return sustained


async def run_target(
    target: str, args: argparse.Namespace, tenants: list[dict[str, str]], database_url: str, redis_url: str
) -> dict[str, Any]:
    from redis.asyncio import BlockingConnectionPool, Redis

    server, gc_log = launch(target, args, database_url, redis_url)
    await asyncio.to_thread(server.start)
    clients: list[Client] = []
    result: dict[str, Any] = {"target": target}
    try:
        await asyncio.to_thread(server.wait_ready, timeout=90)
        await asyncio.sleep(1.0)
        rss_idle = rss_bytes(server.pid)
        clients, connecting = await connect_clients(target, args, tenants, server.port)
        result.update(connecting)
        await asyncio.sleep(2.0)
        rss_loaded = rss_bytes(server.pid)
        result["rss_idle_mb"] = round(rss_idle / 2**20, 1)
        result["rss_loaded_mb"] = round(rss_loaded / 2**20, 1)
        result["rss_per_socket_kb"] = round((rss_loaded - rss_idle) / max(1, result["connected"]) / 1024, 1)
        connected_at = time.time()
        connected_line = f"{result['connected']} sockets in {result['connect_seconds']} s"
        print(f"[{target}] {connected_line}; RSS {result['rss_loaded_mb']} MB", flush=True)
        if target == "orbit":
            # Publishes wait for a free connection instead of failing when the pool's 100 are busy
            # (a loaded machine piles them up); the wait counts in their latency.
            pool = BlockingConnectionPool.from_url(redis_url, max_connections=PUBLISH_CONNECTIONS, timeout=None)
            publisher: Any = Redis.from_pool(pool)  # closes the pool with the client
        else:
            import socketio

            channel = server.environment["PEER_CHANNEL"]
            publisher = socketio.AsyncRedisManager(redis_url, channel=channel, write_only=True)
        ramp = Ramp(target, args, tenants, server, clients, gc_log, publisher)
        sustained = await ramp.sustained()
        result["steps"] = ramp.steps
        # Collections of 20 ms or more: [seconds since all sockets were connected, generation, ms].
        result["server_gc_over_20ms"] = [
            [round(at - connected_at, 1), generation, pause]
            for at, generation, pause in gc_log_lines(gc_log)
            if pause >= 20
        ]
        result["sustained_deliveries_per_s"] = sustained
        if target == "orbit":
            await publisher.aclose()
        else:
            with contextlib.suppress(Exception):
                await publisher.redis.aclose()
    finally:
        await close_clients(clients)
        # cProfile writes its stats on KeyboardInterrupt, not when killed by SIGTERM.
        server.stop(signal.SIGINT if args.profile and target == "orbit" else signal.SIGTERM)
        await asyncio.to_thread(gc_log.unlink, missing_ok=True)
    return result


# ---------------------------------------------------------------------------------------------


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    database = ScratchDatabase(prefix="orbit_bench_ws")
    database_url, redis_url = database.url, database.redis_url
    try:
        await database.create()
        tenants = await create_tenants(database_url, args.tenants)
        results: dict[str, Any] = {
            "sockets": args.sockets,
            "tenants": args.tenants,
            "client_processes": args.client_processes,
            "rates_events_per_s": args.rates,
            "step_seconds": args.step_seconds,
            "cpus": os.cpu_count(),
            "file_limit": raise_file_limit(),
            "targets": {},
        }
        for target in args.targets:
            results["targets"][target] = await run_target(target, args, tenants, database_url, redis_url)
        sustained = {target: row["sustained_deliveries_per_s"] for target, row in results["targets"].items()}
        for peer, key in (("socketio", "ratio_sustained"), ("socketio-gc", "ratio_sustained_gc_settled_peer")):
            if "orbit" in sustained and sustained.get(peer):
                results[key] = round(sustained["orbit"] / sustained[peer], 2)
        return results
    finally:
        await database.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, default=5000)
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--connect-concurrency", type=int, default=50)
    parser.add_argument(
        "--rates",
        type=lambda text: [float(part) for part in text.split(",")],
        default=[5, 10, 25, 50, 75, 100, 150, 200, 250, 300, 400, 500, 600, 700, 800, 1000],
    )
    parser.add_argument("--step-seconds", type=float, default=6.0)
    parser.add_argument("--drain-seconds", type=float, default=2.0)
    parser.add_argument("--p99-budget-ms", type=float, default=100.0)
    parser.add_argument("--refine", type=int, default=2, help="steps that narrow down the sustained rate")
    parser.add_argument("--settle-seconds", type=float, default=5.0, help="pause before each refining step")
    parser.add_argument("--targets", type=lambda text: text.split(","), default=list(TARGETS))
    parser.add_argument("--output", help="also write the JSON document here")
    parser.add_argument("--profile", help="run our server under cProfile and write its stats here")
    args = parser.parse_args()
    raise_file_limit()
    import uvloop

    results = uvloop.run(main_async(args))
    document = json.dumps(results, indent=2)
    print(document)
    if args.output:
        Path(args.output).write_text(document + "\n")


if __name__ == "__main__":
    main()
