"""Offline sync ingest (issue 5): one POS catching up on 10,000 offline sales, the same rows
inserted with plain batched INSERTs in the same run, the same batches replayed as duplicates,
and a cold catalog pull of 25,000 products.

    .venv/bin/python bench/sync_ingest/run.py

What it does (figures and analysis in docs/benchmarks/sync-ingest.md):

1. creates a throwaway database `orbit_bench_<random>` on BENCH_DATABASE_URL's server and
   migrates it; uses Redis at BENCH_REDIS_URL;
2. starts the server as deployed, `python -m server.cli serve --workers 1`: a single device
   pushes its queue sequentially (one request at a time, each batch in one transaction that
   locks the device row), so a second worker would sit idle; one worker is the honest setting;
3. over HTTP: registers a tenant, imports 25,000 products with `POST /api/v1/products/import`
   (CSV, 5 chunks of 5,000 rows), creates a cashier, a register, opens a shift and registers a
   device on the register;
4. cold catalog pull: from no cursor, `limit=5000`, until `has_more` is false; client wall time,
   server time (the `orbit_http_request_duration_seconds` histogram of `/metrics`, before and
   after), bytes and pages. The POS builds its sales from what it pulled;
   Then `--history` (10,000) sales are inserted with plain INSERTs and the database is
   analyzed, so the ingest meets tables in service, not empty ones (`insert_history`);
5. ingest: 10,000 sale documents (3 distinct random products, quantity 1, the catalog price,
   one cash payment of exactly the total), pushed as 100 batches of 100, sequentially, on one
   keep-alive connection: sales/s = 10,000 / total wall time, per-batch p50/p99;
6. replay: the same 100 request bodies again (every document answered `duplicate`);
7. baseline: the same rows (10,000 sales, 30,000 sale_lines, 10,000 payments, 30,000
   inventory_movements, 10,000 sync_documents; other ids, numbers and seqs) inserted by asyncpg
   as the application role with the tenant set, in 100 transactions of 100 sales, no reads, no
   checks, no stock updates. Three variants, each over its own 10,000 sales: multi-row
   `INSERT ... VALUES` (one statement per table and transaction), `executemany`, and one
   `INSERT ... SELECT FROM unnest(arrays)` per table and transaction (the shape the ingest's
   set-based path writes with). The ratio is taken against the fastest;
8. prints one JSON document with every figure, stops the server and drops the database.

CPU is accounted per party for every phase (server process, the PostgreSQL backends of the
bench database, the bench client itself, and the whole machine), so a figure taken on a busy
machine can be read as CPU cost per sale as well as wall time; the summary gives the ratios both
ways. The latency of a trivial `select 1` is probed before the ingest and after the baseline (the
ingest makes about 20 round trips per batch, the baseline 6; a batch the ingest can't take
set-based pays about 19 per document). `--profile FILE` attaches py-spy to the server during
the ingest.

The scenario's pieces sit beside this file: `shop.py` (database, server, tenant and device),
`plan.py` (the queued documents and request bodies), `baseline.py` (the same rows inserted
plainly); what every benchmark shares is in `bench/harness`.

Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres; needs a
role that may create databases), BENCH_REDIS_URL (default redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness.database import ScratchDatabase, admin_fetch, postgres_settings, round_trip_latency  # noqa: E402
from bench.harness.figures import cpu_figures, latency_figures  # noqa: E402
from bench.harness.machine import CpuWindow, idle_machine_busy, load_average  # noqa: E402
from bench.harness.metrics import server_time  # noqa: E402
from bench.harness.profiler import record, top_frames  # noqa: E402
from bench.harness.profiler import stop as stop_profiler  # noqa: E402
from bench.harness.tenant import check, forget_redis_keys  # noqa: E402
from bench.sync_ingest.baseline import baseline_rows, insert_history, run_baseline  # noqa: E402
from bench.sync_ingest.plan import make_plan  # noqa: E402
from bench.sync_ingest.shop import (  # noqa: E402
    Bench,
    checkpoint,
    create_database,
    product_costs,
    setup_tenant,
    start_server,
)

PUSH_PATH = "/api/v1/sync/sales"
CATALOG_PATH = "/api/v1/sync/catalog"
TARGET_RATIO_TO_BASELINE = 0.3
TARGET_REPLAY_SPEEDUP = 10.0
TARGET_CATALOG_SERVER_S = 3.0


async def round_trip_probe(bench: Bench) -> dict[str, float]:
    """What one database round trip costs right now, as the application role. The ingest makes
    about 19 of them per document, the baseline 6 per 100 sales, so load on the machine weighs
    very differently on the two."""
    return await round_trip_latency(bench.database_url, user=bench.app_role, password=bench.app_password)


async def catalog_pull(bench: Bench, limit: int) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """A cold pull: no cursor, pages of `limit` until has_more is false."""
    import httpx

    headers = {
        "Host": bench.host,
        "Authorization": f"Bearer {bench.cashier_token}",
        "X-Device-Id": bench.device_id,
        "X-Device-Key": bench.credential,
    }
    products: list[dict[str, Any]] = []
    organization: dict[str, Any] = {}
    pages: list[dict[str, Any]] = []
    async with httpx.AsyncClient(base_url=bench.base, timeout=120, headers=headers) as client:
        await client.get("/health")  # open the connection outside the measurement
        before = await server_time(client, CATALOG_PATH)
        window = CpuWindow(bench.database.name, bench.server.pid if bench.server else None)
        window.start()
        started = time.perf_counter()
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": limit}
            if cursor:
                params["cursor"] = cursor
            sent = time.perf_counter()
            response = await client.get(CATALOG_PATH, params=params)
            elapsed = time.perf_counter() - sent
            page = check(response)
            rows = {
                key: len(page[key])
                for key in ("categories", "products", "customers", "cashiers", "registers", "tombstones")
            }
            pages.append({"client_s": round(elapsed, 3), "bytes": len(response.content), **rows})
            products.extend(page["products"])
            organization = page["organization"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
        wall = time.perf_counter() - started
        cpu = cpu_figures(window.stop())
        after = await server_time(client, CATALOG_PATH)
    figures = {
        "limit": limit,
        "pages": len(pages),
        "products": len(products),
        "client_wall_s": round(wall, 3),
        "server_s": round(after[0] - before[0], 3),
        "server_requests": after[1] - before[1],
        "bytes": sum(page["bytes"] for page in pages),
        "per_page": pages,
        "meets_target_server_under_3s": (after[0] - before[0]) < TARGET_CATALOG_SERVER_S,
        "resources": cpu,
    }
    return figures, products, organization


async def push_all(bench: Bench, bodies: list[bytes], expect: str, profile: str | None = None) -> dict[str, Any]:
    """Push the batches one after the other, like one POS emptying its queue. A 503 is retried
    after `retry_after_ms` (the wait counts in the wall time, as it would for the device)."""
    import httpx

    headers = {
        "Host": bench.host,
        "Authorization": f"Bearer {bench.cashier_token}",
        "X-Device-Key": bench.credential,
        "Content-Type": "application/json",
    }
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    retries = 0
    last_seq = 0
    response_bytes = 0
    async with httpx.AsyncClient(base_url=bench.base, timeout=300, headers=headers) as client:
        await client.get("/health")
        before = await server_time(client, PUSH_PATH)
        window = CpuWindow(bench.database.name, bench.server.pid if bench.server else None)
        spy = record(bench.server.pid, profile, gil=True) if profile and bench.server else None
        window.start()
        started = time.perf_counter()
        for body in bodies:
            while True:
                sent = time.perf_counter()
                response = await client.post(PUSH_PATH, content=body)
                elapsed = time.perf_counter() - sent
                if response.status_code == 503:
                    retries += 1
                    await asyncio.sleep(int(response.json().get("retry_after_ms") or 500) / 1000)
                    continue
                break
            answer = check(response)
            latencies.append(elapsed)
            response_bytes += len(response.content)
            for result in answer["results"]:
                statuses[result["status"]] = statuses.get(result["status"], 0) + 1
            last_seq = answer["last_seq"]
            if answer.get("expected_seq") is not None:
                raise SystemExit(f"the batch stopped at a gap: {answer['expected_seq']}")
        wall = time.perf_counter() - started
        cpu = cpu_figures(window.stop())
        if spy:
            stop_profiler(spy)
        after = await server_time(client, PUSH_PATH)
    documents = sum(statuses.values())
    unexpected = {status: count for status, count in statuses.items() if status != expect}
    figures = {
        "batches": len(bodies),
        "documents": documents,
        "wall_s": round(wall, 2),
        "sales_per_s": round(documents / wall, 1),
        "batch_latency": latency_figures(latencies),
        "server_s": round(after[0] - before[0], 2),
        "server_ms_per_sale": round(1000 * (after[0] - before[0]) / documents, 2),
        "statuses": statuses,
        "unexpected_statuses": unexpected or None,
        "retries_503": retries,
        "last_seq": last_seq,
        "request_bytes_per_batch": round(statistics.fmean(len(body) for body in bodies)),
        "response_bytes_per_batch": round(response_bytes / len(bodies)),
        "batch_latencies_ms": [round(1000 * value, 1) for value in latencies],
        "resources": cpu,
    }
    figures["cpu_ms_per_sale"] = {key: round(1000 * value / documents, 2) for key, value in cpu["cpu_s"].items()}
    if profile:
        figures["profile"] = top_frames(profile)
    return figures


async def verify(bench: Bench, sales: int) -> dict[str, Any]:
    row = (
        await admin_fetch(
            bench.database_url,
            "select (select count(*) from sales where device_id = $1 and number <= $2) as ingested_sales, "
            "(select count(*) from sale_lines l join sales s on s.organization_id = l.organization_id "
            "  and s.id = l.sale_id where s.device_id = $1 and s.number <= $2) as ingested_lines, "
            "(select count(*) from sync_documents where device_id = $1 and seq <= $2) as ingested_documents, "
            "(select last_seq from devices where id = $1) as device_last_seq, "
            "(select count(*) from sync_conflicts) as conflicts, "
            "(select count(*) from sales) as all_sales, (select count(*) from sale_lines) as all_lines, "
            "(select count(*) from payments) as all_payments, "
            "(select count(*) from inventory_movements where kind = 'sale') as all_sale_movements, "
            "(select count(*) from sync_documents) as all_documents, "
            "(select count(*) from audit_log where action = 'sale.created') as sale_audit_rows",
            uuid.UUID(bench.device_id),
            sales,
        )
    )[0]
    figures = dict(row)
    # Stock updates are HOT (no index writes) only when no indexed column changes: they were
    # not while stock lived in the product row, whose trigger moves the indexed change_xid.
    await asyncio.sleep(1.0)  # table statistics reach the shared view after a short delay
    stats = await admin_fetch(
        bench.database_url,
        "select relname, n_tup_upd, n_tup_hot_upd from pg_stat_user_tables "
        "where relname in ('products', 'product_stock')",
    )
    for table in stats:
        figures[f"{table['relname']}_updates"] = table["n_tup_upd"]
        figures[f"{table['relname']}_hot_updates"] = table["n_tup_hot_upd"]
    return figures


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


async def run(bench: Bench, args: argparse.Namespace, report: dict[str, Any]) -> None:
    await create_database(bench)
    report["postgres"] = await postgres_settings(bench.database.admin_url)
    start_server(bench)
    log(f"server on {bench.base}, database {bench.database.name}")
    report["setup"] = await setup_tenant(bench, args.products, args.import_chunk)
    log(f"tenant {bench.host}: {args.products:,} products imported in {report['setup']['import_s']} s")
    await bench.database.vacuum_and_checkpoint()

    report["machine"]["busy_pct_before_catalog"] = idle_machine_busy()
    catalog, products, organization = await catalog_pull(bench, args.catalog_limit)
    report["catalog_pull"] = catalog
    log(
        f"catalog: {catalog['pages']} pages, {catalog['bytes']:,} bytes, client {catalog['client_wall_s']} s, "
        f"server {catalog['server_s']} s"
    )
    if len(products) != args.products:
        raise SystemExit(f"the pull returned {len(products)} products, expected {args.products}")

    plan = make_plan(
        bench, products, await product_costs(bench), organization["tax_mode"], args.sales, args.batch, args.seed
    )
    report["settings"]["tax_mode"] = organization["tax_mode"]
    if args.history:
        report["history"] = await insert_history(bench, args, products, organization["tax_mode"])
        log(f"history: {args.history:,} sales inserted and analyzed in {report['history']['wall_s']} s")
    await checkpoint(bench)
    report["machine"]["busy_pct_before_ingest"] = idle_machine_busy()
    report["machine"]["db_round_trip_before_ingest"] = await round_trip_probe(bench)
    ingest = report["ingest"] = await push_all(bench, plan.bodies, expect="applied", profile=args.profile)
    log(
        f"ingest: {ingest['sales_per_s']} sales/s, batch p50 {ingest['batch_latency']['p50_ms']} ms, "
        f"p99 {ingest['batch_latency']['p99_ms']} ms, statuses {ingest['statuses']}"
    )

    report["machine"]["busy_pct_before_replay"] = idle_machine_busy()
    replay = report["replay"] = await push_all(bench, plan.bodies, expect="duplicate")
    log(f"replay: {replay['sales_per_s']} sales/s, statuses {replay['statuses']}")

    baselines: dict[str, Any] = {}
    for index, mode in enumerate(("values", "executemany", "unnest")):
        rows = baseline_rows(bench, plan, offset=(index + 1) * 1_000_000, tax_mode=organization["tax_mode"])
        await checkpoint(bench)
        report["machine"][f"busy_pct_before_baseline_{mode}"] = idle_machine_busy()
        baselines[mode] = await run_baseline(bench, rows, mode)
        log(f"baseline ({mode}): {baselines[mode]['sales_per_s']} sales/s")
    report["baseline"] = baselines
    report["machine"]["db_round_trip_after_baseline"] = await round_trip_probe(bench)
    report["verification"] = await verify(bench, args.sales)

    report["summary"] = summarize(ingest, replay, baselines, catalog)


def summarize(
    ingest: dict[str, Any], replay: dict[str, Any], baselines: dict[str, Any], catalog: dict[str, Any]
) -> dict[str, Any]:
    """The headline figures: each phase against its baseline and target, by wall time and by
    CPU cost."""
    # CPU cost per sale, which load from other processes on the machine disturbs far less than
    # wall time: the server and its PostgreSQL backends for the API, PostgreSQL and the inserting
    # process for the baseline.
    ingest_cpu = ingest["cpu_ms_per_sale"]["server"] + ingest["cpu_ms_per_sale"]["postgres_backends"]
    replay_cpu = replay["cpu_ms_per_sale"]["server"] + replay["cpu_ms_per_sale"]["postgres_backends"]
    baseline_cpu = {
        mode: figures["cpu_ms_per_sale"]["postgres_backends"] + figures["cpu_ms_per_sale"]["bench_client"]
        for mode, figures in baselines.items()
    }
    best_mode = max(baselines, key=lambda mode: baselines[mode]["sales_per_s"])
    best = baselines[best_mode]["sales_per_s"]
    ratio = ingest["sales_per_s"] / best
    speedup = replay["sales_per_s"] / ingest["sales_per_s"]
    return {
        "ingest_sales_per_s": ingest["sales_per_s"],
        "ingest_batch_p50_ms": ingest["batch_latency"]["p50_ms"],
        "ingest_batch_p99_ms": ingest["batch_latency"]["p99_ms"],
        "baseline_sales_per_s": best,
        "baseline_mode": best_mode,
        "ratio_ingest_to_baseline": round(ratio, 3),
        "ratio_ingest_to_each_baseline": {
            mode: round(ingest["sales_per_s"] / figures["sales_per_s"], 3) for mode, figures in baselines.items()
        },
        "target_ratio": TARGET_RATIO_TO_BASELINE,
        "meets_ratio_target": ratio >= TARGET_RATIO_TO_BASELINE,
        "replay_sales_per_s": replay["sales_per_s"],
        "replay_speedup": round(speedup, 2),
        "target_replay_speedup": TARGET_REPLAY_SPEEDUP,
        "meets_replay_target": speedup >= TARGET_REPLAY_SPEEDUP,
        "cpu_ms_per_sale": {
            "ingest": round(ingest_cpu, 2),
            "replay": round(replay_cpu, 2),
            **{f"baseline_{mode}": round(value, 3) for mode, value in baseline_cpu.items()},
        },
        "ratio_by_cpu_cost": round(min(baseline_cpu.values()) / ingest_cpu, 3),
        "replay_speedup_by_cpu_cost": round(ingest_cpu / replay_cpu, 1),
        "catalog_pull_server_s": catalog["server_s"],
        "catalog_pull_server_cpu_s": catalog["resources"]["cpu_s"]["server"],
        "catalog_pull_client_s": catalog["client_wall_s"],
        "catalog_pull_bytes": catalog["bytes"],
        "catalog_pull_pages": catalog["pages"],
        "target_catalog_server_s": TARGET_CATALOG_SERVER_S,
        "meets_catalog_target": catalog["server_s"] < TARGET_CATALOG_SERVER_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--products", type=int, default=25_000)
    parser.add_argument("--import-chunk", type=int, default=5_000)
    parser.add_argument("--catalog-limit", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--history",
        type=int,
        default=10_000,
        help="sales already in the database before the ingest (0: empty tables, see insert_history)",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="attach py-spy (PY_SPY or on PATH) to the server during the ingest; collapsed stacks "
        "to FILE, a summary in the JSON (the ingest figures are then perturbed)",
    )
    args = parser.parse_args()
    if args.sales % args.batch:
        raise SystemExit("--sales must be a multiple of --batch")
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass

    bench = Bench(database=ScratchDatabase())
    began = time.monotonic()
    report: dict[str, Any] = {
        "benchmark": "sync_ingest",
        "machine": {
            "cores": os.cpu_count(),
            "load_average_at_start": load_average(),
            "busy_pct_before_start": idle_machine_busy(2.0),
        },
        "server": {
            "command": "python -m server.cli serve --workers 1",
            "why_one_worker": "one device pushes sequentially: one request in flight at a time",
        },
        "settings": {
            "sales": args.sales,
            "batch": args.batch,
            "lines_per_sale": 3,
            "payments_per_sale": 1,
            "products": args.products,
            "catalog_limit": args.catalog_limit,
            "seed": args.seed,
            "history_sales": args.history,
        },
    }
    try:
        asyncio.run(run(bench, args, report))
    finally:
        if bench.server is not None:
            bench.server.stop()
        try:
            asyncio.run(forget_redis_keys(bench.database.redis_url, bench.organization_id))
        finally:
            asyncio.run(bench.database.drop())
    report["machine"]["load_average_at_end"] = load_average()
    report["elapsed_s"] = round(time.monotonic() - began, 1)
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
