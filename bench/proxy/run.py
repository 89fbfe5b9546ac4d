"""The proxy's cost: sales throughput and WebSocket fan-out through Caddy (the project's
Caddyfile) against the same server reached directly, in the same run.

    .venv/bin/python bench/proxy/run.py

What it does (docs/benchmarks/proxy.md has the figures and their reading):

1. creates a throwaway database on BENCH_DATABASE_URL's server and migrates it; uses Redis at
   BENCH_REDIS_URL; starts `caddy run` with deploy/Caddyfile in plain HTTP on a loopback port
   (as tests/deploy/test_proxy.py does), in front of the server under test;
2. sales: the scenario of `bench/sales_throughput` (its set-up, load generator and figures: tills
   on keep-alive connections, each sale three random products with its own Idempotency-Key),
   run against the server directly and through the proxy, alternately, `--rounds` times each;
3. fan-out: the scenario of `bench/ws_fanout` (its tenants, bare WebSocket clients in a few
   processes, events published with their publish time) on one server, with the sockets
   connected directly and then through the proxy, each at the same rates;
4. prints one JSON document: every phase's figures, Caddy's CPU, and the ratios proxy / direct
   (throughput, latency percentiles), then drops the database.

Requires `caddy` on PATH (Debian's package) and the benchmarks' dependencies. Environment as
bench/sales_throughput and bench/ws_fanout (BENCH_DATABASE_URL, BENCH_REDIS_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness.database import ScratchDatabase  # noqa: E402
from bench.harness.machine import idle_machine_busy, process_cpu, raise_file_limit  # noqa: E402
from bench.harness.server import BASE_DOMAIN, free_port  # noqa: E402
from bench.sales_throughput import run as sales  # noqa: E402
from bench.ws_fanout import run as fanout  # noqa: E402

CADDYFILE = ROOT / "deploy" / "Caddyfile"


class Caddy:
    """`caddy run` with the project's Caddyfile in plain HTTP on a loopback port."""

    def __init__(self, upstream_port: int, home: Path) -> None:
        self.port = free_port()
        self.home = home
        web = home / "srv"
        web.mkdir(parents=True, exist_ok=True)
        for app in ("frontend", "pwa", "landing"):
            if not (web / app).exists():
                (web / app).symlink_to(ROOT / app / "dist", target_is_directory=True)
        self.environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "BASE_DOMAIN": BASE_DOMAIN,
            "ORBIT_SITE_SCHEME": "http",
            "ORBIT_SITE_PORT": f":{self.port}",
            "ORBIT_TLS": "off",
            "ORBIT_BIND": "loopback",
            "ORBIT_UPSTREAMS": f"127.0.0.1:{upstream_port}",
            "ORBIT_ASK_URL": f"http://127.0.0.1:{upstream_port}/internal/tls/ask",
            "ORBIT_WEB_DIR": str(web),
            "CADDY_ADMIN": "off",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        caddy = shutil.which("caddy")
        if caddy is None:
            raise SystemExit("caddy is not installed (apt-get install caddy)")
        self.process = subprocess.Popen(
            [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            request = urllib.request.Request(f"http://127.0.0.1:{self.port}/ready", headers={"Host": BASE_DOMAIN})
            with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
            time.sleep(0.2)
        raise SystemExit("caddy found no healthy server")

    @property
    def cpu(self) -> float:
        assert self.process is not None
        return process_cpu(self.process.pid) or 0.0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def ratio(proxy: float | None, direct: float | None) -> float | None:
    return round(proxy / direct, 3) if proxy is not None and direct else None


# ---------------------------------------------------------------------------------------------
# Sales throughput


def sales_phases(args: argparse.Namespace, database: ScratchDatabase, home: Path) -> dict[str, Any]:
    bench = sales.Bench(database=database)
    caddy: Caddy | None = None
    try:
        sales.start_server(bench, args.workers)
        asyncio.run(sales.setup_tenant(bench, args.products, args.clients))
        sales.probe_sale(bench)
        direct_port = bench.port
        caddy = Caddy(direct_port, home / "sales")
        caddy.start()
        rounds: list[dict[str, Any]] = []
        for number in range(args.rounds):
            row: dict[str, Any] = {"round": number + 1}
            for target, port in (("direct", direct_port), ("proxy", caddy.port)):
                bench.port = port
                sales.settle(bench)
                caddy_before, started = caddy.cpu, time.monotonic()
                figures = sales.run_api_phase(bench, args.clients, False, args.warmup, args.duration)
                figures["cpu"]["caddy_cores"] = round((caddy.cpu - caddy_before) / (time.monotonic() - started), 2)
                row[target] = figures
                print(f"# sales {target} round {number + 1}: {figures['sales_per_s']}/s", file=sys.stderr)
            row["ratio_sales_per_s"] = ratio(row["proxy"]["sales_per_s"], row["direct"]["sales_per_s"])
            row["ratio_p50"] = ratio(row["proxy"]["p50_ms"], row["direct"]["p50_ms"])
            row["ratio_p99"] = ratio(row["proxy"]["p99_ms"], row["direct"]["p99_ms"])
            rounds.append(row)
        bench.port = direct_port
        return {
            "clients": args.clients,
            "server_workers": args.workers,
            "rounds": rounds,
            "median_ratio_sales_per_s": statistics.median(r["ratio_sales_per_s"] for r in rounds),
            "median_ratio_p50": statistics.median(r["ratio_p50"] for r in rounds),
            "median_ratio_p99": statistics.median(r["ratio_p99"] for r in rounds),
        }
    finally:
        if caddy is not None:
            caddy.stop()
        sales.stop_server(bench)
        if bench.organization_id:
            asyncio.run(sales.forget_redis_keys(database.redis_url, bench.organization_id))


# ---------------------------------------------------------------------------------------------
# WebSocket fan-out


async def fanout_phases(args: argparse.Namespace, database: ScratchDatabase, home: Path) -> dict[str, Any]:
    from redis.asyncio import Redis

    tenants = await fanout.create_tenants(database.url, args.tenants)
    options = argparse.Namespace(
        sockets=args.sockets,
        client_processes=args.client_processes,
        connect_concurrency=50,
        step_seconds=args.step_seconds,
        drain_seconds=2.0,
        profile=None,
    )
    server, gc_log = fanout.launch("orbit", options, database.url, database.redis_url)
    await asyncio.to_thread(server.start)
    caddy: Caddy | None = None
    publisher = Redis.from_url(database.redis_url)
    results: dict[str, Any] = {"sockets": args.sockets, "tenants": args.tenants, "rates_events_per_s": args.rates}
    try:
        await asyncio.to_thread(server.wait_ready, timeout=120)
        caddy = Caddy(server.port, home / "fanout")
        await asyncio.to_thread(caddy.start)
        step = 0
        for target, port in (("direct", server.port), ("proxy", caddy.port)):
            clients, connecting = await fanout.connect_clients("orbit", options, tenants, port)
            ramp = fanout.Ramp("orbit", options, tenants, server, clients, gc_log, publisher)
            rows = []
            try:
                await asyncio.sleep(2.0)
                for rate in args.rates:
                    caddy_before = caddy.cpu
                    row = await ramp.measure(step, rate)
                    row["caddy_cpu"] = round((caddy.cpu - caddy_before) / (args.step_seconds + 2.0), 2)
                    rows.append(row)
                    step += 1
            finally:
                await fanout.close_clients(clients)
            results[target] = {**connecting, "steps": rows}
            print(f"# fan-out {target}: {[(r['deliveries_per_s'], r['p99_ms']) for r in rows]}", file=sys.stderr)
        results["ratios_by_rate"] = [
            {
                "events_per_s": direct["events_per_s"],
                "deliveries_per_s": ratio(proxy["deliveries_per_s"], direct["deliveries_per_s"]),
                "p50": ratio(proxy["p50_ms"], direct["p50_ms"]),
                "p99": ratio(proxy["p99_ms"], direct["p99_ms"]),
                "delivered_share_proxy": proxy["delivered_share"],
            }
            for direct, proxy in zip(results["direct"]["steps"], results["proxy"]["steps"], strict=True)
        ]
        return results
    finally:
        await publisher.aclose()
        if caddy is not None:
            caddy.stop()
        server.stop()
        await asyncio.to_thread(gc_log.unlink, missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="tills selling at once")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="server processes (sales)")
    parser.add_argument("--rounds", type=int, default=2, help="direct/proxy pairs of sales phases")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--tenants", type=int, default=10)
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--rates", type=lambda text: [float(v) for v in text.split(",")], default=[20.0, 50.0, 100.0])
    parser.add_argument("--step-seconds", type=float, default=8.0)
    parser.add_argument("--skip-sales", action="store_true")
    parser.add_argument("--skip-fanout", action="store_true")
    args = parser.parse_args()
    raise_file_limit()
    began = time.monotonic()
    report: dict[str, Any] = {
        "benchmark": "proxy",
        "caddy": subprocess.run(["caddy", "version"], capture_output=True, text=True).stdout.strip(),
        "machine": {"cores": os.cpu_count(), "idle_busy_pct_before": idle_machine_busy(2.0)},
    }
    database = ScratchDatabase(prefix="orbit_bench_proxy")
    with tempfile.TemporaryDirectory(prefix="orbit-bench-proxy-") as home:
        try:
            asyncio.run(database.create())
            if not args.skip_sales:
                report["sales"] = sales_phases(args, database, Path(home))
            if not args.skip_fanout:
                report["fanout"] = asyncio.run(fanout_phases(args, database, Path(home)))
        finally:
            asyncio.run(database.drop())
    report["elapsed_s"] = round(time.monotonic() - began, 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
