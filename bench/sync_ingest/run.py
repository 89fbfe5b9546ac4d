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

Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres; needs a
role that may create databases), BENCH_REDIS_URL (default redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness.database import ScratchDatabase, admin, admin_fetch, connect_args, postgres_settings  # noqa: E402
from bench.harness.machine import CpuUse, CpuWindow, idle_machine_busy, load_average, percentile  # noqa: E402
from bench.harness.profiler import record  # noqa: E402
from bench.harness.profiler import stop as stop_profiler  # noqa: E402
from bench.harness.server import ServerProcess  # noqa: E402
from bench.harness.tenant import (  # noqa: E402
    Tenant,
    add_user,
    catalog_csv,
    check,
    forget_redis_keys,
    import_catalog,
    open_register,
    register_tenant,
    sign_in,
)

PUSH_PATH = "/api/v1/sync/sales"
CATALOG_PATH = "/api/v1/sync/catalog"
TARGET_RATIO_TO_BASELINE = 0.3
TARGET_REPLAY_SPEEDUP = 10.0
TARGET_CATALOG_SERVER_S = 3.0


# ---------------------------------------------------------------------------------------------
# CPU accounting


def cpu_figures(use: CpuUse) -> dict[str, Any]:
    """A phase's CPU per party, in seconds and in cores: the server's processes (when one ran),
    the PostgreSQL backends of the bench database, the bench client itself, the whole machine,
    and the others (whatever else ran on it)."""
    seconds = {"postgres_backends": use.postgres, "bench_client": use.client}
    if use.server is not None:
        seconds = {"server": use.server, **seconds}
    cores = {name: round(use.cores(value), 2) for name, value in seconds.items()}
    machine_busy = round(use.machine_share * (os.cpu_count() or 1), 2)
    result: dict[str, Any] = {
        "cpu_s": {name: round(value, 2) for name, value in seconds.items()},
        "cores": {**cores, "machine_busy": machine_busy, "others": round(machine_busy - sum(cores.values()), 2)},
        "machine_busy_pct": round(100 * use.machine_share, 1),
        "load_average_before": use.load_before,
        "load_average_after": use.load_after,
    }
    if use.server is not None:
        result["cpu_s"]["server_user"] = round(use.server_user, 2)
        result["cpu_s"]["server_system"] = round(use.server_system, 2)
    return result


# ---------------------------------------------------------------------------------------------
# Database, server, tenant


@dataclass
class Bench:
    database: ScratchDatabase
    app_role: str = "orbit_app"
    app_password: str = "orbit_app"
    server: ServerProcess | None = None
    tenant: Tenant | None = None
    cashier_id: str = ""
    cashier_token: str = ""
    register_id: str = ""
    register_code: str = "S1"
    shift_id: str = ""
    device_id: str = ""
    credential: str = ""

    @property
    def database_url(self) -> str:
        return self.database.url

    @property
    def organization_id(self) -> str:
        return self.tenant.organization_id if self.tenant else ""

    @property
    def base(self) -> str:
        assert self.server is not None
        return self.server.base_url

    @property
    def host(self) -> str:
        assert self.tenant is not None
        return self.tenant.host


async def create_database(bench: Bench) -> None:
    settings = await bench.database.create()
    bench.app_role, bench.app_password = settings.app_role, settings.app_role_password


def start_server(bench: Bench) -> None:
    bench.server = ServerProcess.orbit(
        database_url=bench.database.url, redis_url=bench.database.redis_url, workers=1, access_token_seconds=7200
    )
    bench.server.start_and_wait(timeout=60)


async def setup_tenant(bench: Bench, products: int, chunk: int) -> dict[str, Any]:
    import httpx

    figures: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=bench.base, timeout=600) as client:
        tenant = bench.tenant = await register_tenant(client, company="Bench Offline", subdomain="sync")
        started = time.perf_counter()
        for first in range(1, products + 1, chunk):
            count = min(chunk, products + 1 - first)
            report = await import_catalog(client, tenant, catalog_csv(range(first, first + count), stock=1_000_000))
            if report.get("created") not in (None, count):
                raise SystemExit(f"import created {report.get('created')} of {count}: {report}")
        figures["import_s"] = round(time.perf_counter() - started, 2)
        figures["import_method"] = f"POST /api/v1/products/import, {chunk:,} CSV rows per request"

        bench.cashier_id, email = await add_user(client, tenant, "cashier")
        bench.cashier_token = await sign_in(client, tenant, email)
        bench.register_id, bench.shift_id = await open_register(client, tenant, bench.register_code, "Offline till")
        body = {"register_id": bench.register_id, "name": "Bench POS"}
        device = check(await client.post("/api/v1/sync/devices", headers=tenant.headers, json=body), 201)
        bench.device_id = device["device"]["id"]
        bench.credential = device["credential"]
    return figures


async def checkpoint(bench: Bench) -> None:
    await admin(bench.database_url, "checkpoint")


# ---------------------------------------------------------------------------------------------
# Server-side time from /metrics


METRIC_LINE = re.compile(r"^orbit_http_request_duration_seconds_(sum|count)\{([^}]*)\} ([0-9.e+-]+)$")


async def server_time(client: Any, route: str) -> tuple[float, int]:
    """(seconds, requests) the server has spent on `route` since it started (every method)."""
    text = (await client.get("/metrics")).text
    total, count = 0.0, 0
    for line in text.splitlines():
        match = METRIC_LINE.match(line)
        if match and f'route="{route}"' in match.group(2):
            if match.group(1) == "sum":
                total += float(match.group(3))
            else:
                count += int(float(match.group(3)))
    return total, count


def latency_figures(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(1000 * percentile(values, 0.50), 1),
        "p99_ms": round(1000 * percentile(values, 0.99), 1),
        "mean_ms": round(1000 * statistics.fmean(values), 1),
        "min_ms": round(1000 * min(values), 1),
        "max_ms": round(1000 * max(values), 1),
    }


# ---------------------------------------------------------------------------------------------
# Phases


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


@dataclass
class Plan:
    """The 10,000 offline sales, as the device queued them, and the request bodies."""

    documents: list[dict[str, Any]]
    priced: list[Any]
    bodies: list[bytes]
    line_products: list[list[tuple[str, int, int, int]]]  # per sale: (product_id, price, cost, tax_rate_bp)


def make_plan(
    bench: Bench,
    products: list[dict[str, Any]],
    costs: dict[str, int],
    tax_mode: str,
    sales: int,
    batch: int,
    seed: int,
) -> Plan:
    import msgspec

    from server.sales.pricing import LineInput, price_sale

    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(hours=6)
    documents: list[dict[str, Any]] = []
    priced_all: list[Any] = []
    line_products: list[list[tuple[str, int, int, int]]] = []
    for seq in range(1, sales + 1):
        picks = rng.sample(products, 3)
        priced = price_sale(
            [LineInput(quantity=1, unit_price=p["price"], tax_rate_bp=p["tax_rate_bp"], discount=0) for p in picks],
            tax_mode=tax_mode,
        )
        documents.append(
            {
                "kind": "sale",
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),  # the POS makes random UUIDs
                "seq": seq,
                "device_time": (start + timedelta(seconds=2 * seq)).isoformat(),
                "cashier_id": bench.cashier_id,
                "shift_id": bench.shift_id,
                "number": seq,
                "lines": [{"product_id": p["id"], "quantity": 1, "unit_price": p["price"]} for p in picks],
                "payments": [{"method": "cash", "amount": priced.total}],
            }
        )
        priced_all.append(priced)
        line_products.append([(p["id"], p["price"], costs[p["id"]], p["tax_rate_bp"]) for p in picks])
    encoder = msgspec.json.Encoder()
    bodies = [
        encoder.encode({"device_id": bench.device_id, "sales": documents[i : i + batch]})
        for i in range(0, sales, batch)
    ]
    return Plan(documents=documents, priced=priced_all, bodies=bodies, line_products=line_products)


def start_profiler(bench: Bench, output: str) -> subprocess.Popen[bytes]:
    """py-spy on the server process (collapsed stacks, 100 Hz, GIL holders) until `stop_profiler`."""
    assert bench.server is not None
    return record(bench.server.pid, output, gil=True)


def summarize_profile(path: str, top: int = 40) -> dict[str, Any]:
    """Busy samples of the server, and the functions with the largest inclusive share."""
    busy = 0
    inclusive: dict[str, int] = {}
    leaf: dict[str, int] = {}
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        if frames[-1].startswith(("Runner.run ", "run_forever ", "select (selectors", "_run_once (")) and not any(
            "server/" in frame or "sync/" in frame for frame in frames
        ):
            continue  # the event loop waiting
        samples = int(count)
        busy += samples
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + samples
        leaf[frames[-1]] = leaf.get(frames[-1], 0) + samples

    def share(counter: dict[str, int]) -> dict[str, float]:
        ranked = sorted(counter.items(), key=lambda item: -item[1])[:top]
        return {name: round(100 * value / max(busy, 1), 1) for name, value in ranked}

    return {"busy_samples": busy, "inclusive_pct": share(inclusive), "self_pct": share(leaf)}


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
        spy = start_profiler(bench, profile) if profile else None
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
        figures["profile"] = summarize_profile(profile)
    return figures


# Baseline: the same rows, plain INSERTs


SALE_COLUMNS = (
    "organization_id",
    "id",
    "register_id",
    "shift_id",
    "number",
    "invoice_number",
    "cashier_id",
    "customer_id",
    "device_id",
    "status",
    "origin",
    "subtotal",
    "discount_total",
    "tax_total",
    "total",
    "paid_total",
    "change_total",
    "tax_mode",
    "note",
    "sold_at",
)
MOVEMENT_COLUMNS = (
    "organization_id",
    "id",
    "product_id",
    "kind",
    "delta",
    "balance_after",
    "actor_id",
    "reason",
    "reference_id",
    "occurred_at",
)
LINE_COLUMNS = (
    "organization_id",
    "id",
    "sale_id",
    "position",
    "product_id",
    "quantity",
    "unit_price",
    "list_price",
    "unit_cost",
    "discount",
    "tax_rate_bp",
    "tax_amount",
    "total",
)
PAYMENT_COLUMNS = ("organization_id", "id", "sale_id", "method", "amount", "change", "reference")
DOCUMENT_COLUMNS = ("organization_id", "client_id", "device_id", "seq", "kind", "request_hash", "outcome", "result")
TABLES = (
    ("sales", SALE_COLUMNS),
    ("inventory_movements", MOVEMENT_COLUMNS),
    ("sale_lines", LINE_COLUMNS),
    ("payments", PAYMENT_COLUMNS),
    ("sync_documents", DOCUMENT_COLUMNS),
)


def baseline_rows(bench: Bench, plan: Plan, offset: int, tax_mode: str) -> list[dict[str, list[tuple[Any, ...]]]]:
    """Per batch of 100 sales, the rows of each table: what the ingest writes for the same
    documents, with other ids, invoice numbers and sequence numbers (`offset` + n).

    One function on purpose (about 95 lines): a sale's tuples for the five tables are built side
    by side, in the column order of `SALE_COLUMNS` and the others, where they can be checked
    against each other."""
    from server.core.ids import new_id

    org = uuid.UUID(bench.organization_id)
    register, shift = uuid.UUID(bench.register_id), uuid.UUID(bench.shift_id)
    cashier, device = uuid.UUID(bench.cashier_id), uuid.UUID(bench.device_id)
    stock: dict[str, int] = {}
    batches: list[dict[str, list[tuple[Any, ...]]]] = []
    current: dict[str, list[tuple[Any, ...]]] = {}
    batch = len(plan.documents) // len(plan.bodies)
    for index, (document, priced, lines) in enumerate(
        zip(plan.documents, plan.priced, plan.line_products, strict=True)
    ):
        if index % batch == 0:
            current = {name: [] for name, _ in TABLES}
            batches.append(current)
        sale_id = uuid.uuid4()
        number = offset + document["seq"]
        sold_at = datetime.fromisoformat(document["device_time"])
        invoice = f"{bench.register_code}-{number}"
        paid = document["payments"][0]["amount"]
        current["sales"].append(
            (
                org,
                sale_id,
                register,
                shift,
                number,
                invoice,
                cashier,
                None,
                device,
                "completed",
                "offline",
                priced.subtotal,
                priced.discount_total,
                priced.tax_total,
                priced.total,
                paid,
                paid - priced.total,
                tax_mode,
                "",
                sold_at,
            )
        )
        for position, ((product, price, cost, rate), line) in enumerate(zip(lines, priced.lines, strict=True), 1):
            product_id = uuid.UUID(product)
            stock[product] = stock.get(product, 1_000_000) - 1
            current["inventory_movements"].append(
                (org, new_id(), product_id, "sale", -1, stock[product], cashier, "", sale_id, sold_at)
            )
            current["sale_lines"].append(
                (
                    org,
                    new_id(),
                    sale_id,
                    position,
                    product_id,
                    1,
                    price,
                    price,
                    cost,
                    line.discount + line.sale_discount_share,
                    rate,
                    line.tax_amount,
                    line.total,
                )
            )
        current["payments"].append((org, new_id(), sale_id, "cash", paid, paid - priced.total, ""))
        client_id = uuid.uuid4()
        result = {
            "id": str(client_id),
            "seq": number,
            "kind": "sale",
            "status": "applied",
            "code": None,
            "message": None,
            "sale_id": str(sale_id),
            "invoice_number": invoice,
            "conflicts": [],
        }
        current["sync_documents"].append(
            (
                org,
                client_id,
                device,
                number,
                "sale",
                hashlib.sha256(json.dumps(document).encode()).digest(),
                "applied",
                json.dumps(result),
            )
        )
    return batches


def values_statement(table: str, columns: tuple[str, ...], rows: int) -> str:
    width = len(columns)
    groups = ", ".join("(" + ", ".join(f"${r * width + c + 1}" for c in range(width)) + ")" for r in range(rows))
    return f"insert into {table} ({', '.join(columns)}) values {groups}"


def single_statement(table: str, columns: tuple[str, ...]) -> str:
    return values_statement(table, columns, 1)


def unnest_statement(table: str, columns: tuple[str, ...]) -> str:
    """One INSERT of any number of rows, each column bound as one array (the shape the ingest's
    set-based path uses); column types from the application's table definitions."""
    from sqlalchemy.dialects import postgresql

    from server.models import metadata

    definition = metadata.tables[table]
    types = [definition.c[name].type.compile(dialect=postgresql.dialect()) for name in columns]
    arrays = ", ".join(f"${index}::{type_}[]" for index, type_ in enumerate(types, start=1))
    return f"insert into {table} ({', '.join(columns)}) select * from unnest({arrays})"


async def run_baseline(bench: Bench, batches: list[dict[str, list[tuple[Any, ...]]]], mode: str) -> dict[str, Any]:
    """100 transactions of 100 sales as the application role, tenant set, plain INSERTs."""
    import asyncpg

    connection = await asyncpg.connect(
        **{**connect_args(bench.database_url), "user": bench.app_role, "password": bench.app_password}
    )
    latencies: list[float] = []
    unnest_statements = {table: unnest_statement(table, columns) for table, columns in TABLES}
    try:
        window = CpuWindow(bench.database.name, None)
        window.start()
        started = time.perf_counter()
        for batch in batches:
            sent = time.perf_counter()
            async with connection.transaction():
                await connection.execute("select set_config('app.org_id', $1, true)", bench.organization_id)
                for table, columns in TABLES:
                    rows = batch[table]
                    if mode == "values":
                        await connection.execute(
                            values_statement(table, columns, len(rows)), *[value for row in rows for value in row]
                        )
                    elif mode == "unnest":
                        await connection.execute(
                            unnest_statements[table], *[list(column) for column in zip(*rows, strict=True)]
                        )
                    else:
                        await connection.executemany(single_statement(table, columns), rows)
            latencies.append(time.perf_counter() - sent)
        wall = time.perf_counter() - started
        cpu = cpu_figures(window.stop())
    finally:
        await connection.close()
    sales = sum(len(batch["sales"]) for batch in batches)
    figures = {
        "mode": {
            "values": "one multi-row INSERT ... VALUES per table and transaction",
            "executemany": "asyncpg executemany (pipelined single-row INSERTs) per table and transaction",
            "unnest": "one INSERT ... SELECT FROM unnest(column arrays) per table and transaction",
        }[mode],
        "transactions": len(batches),
        "sales": sales,
        "rows": {table: sum(len(batch[table]) for batch in batches) for table, _ in TABLES},
        "wall_s": round(wall, 2),
        "sales_per_s": round(sales / wall, 1),
        "transaction_latency": latency_figures(latencies),
        "resources": cpu,
    }
    figures["cpu_ms_per_sale"] = {key: round(1000 * value / sales, 3) for key, value in cpu["cpu_s"].items()}
    return figures


async def insert_history(
    bench: Bench, args: argparse.Namespace, products: list[dict[str, Any]], tax_mode: str
) -> dict[str, Any]:
    """Sales already in the database before the ingest, so that it runs against a database in
    service rather than empty tables: `--history` sales of the same shape (their own documents,
    invoice numbers from 9,000,001 on, the bench device's sequence numbers from 9,000,001 on),
    inserted with plain INSERTs, then `ANALYZE`. Without them, the server's connections prepare
    their statements (and PostgreSQL its foreign-key checks) while `sales` is empty, keep plans
    made for an empty table, and every batch is slower than the one before."""
    started = time.perf_counter()
    plan = make_plan(bench, products, await product_costs(bench), tax_mode, args.history, args.batch, args.seed + 1)
    rows = baseline_rows(bench, plan, offset=9_000_000, tax_mode=tax_mode)
    await run_baseline(bench, rows, "unnest")
    await admin_fetch(bench.database_url, "analyze")
    return {
        "sales": args.history,
        "method": "the unnest baseline's INSERTs, then ANALYZE of the database",
        "wall_s": round(time.perf_counter() - started, 2),
    }


async def round_trip_probe(bench: Bench, count: int = 300) -> dict[str, float]:
    """Latency of a trivial statement (`select 1`) from this process as the application role:
    what one database round trip costs on the machine right now. The ingest makes about 19
    of them per document, the baseline 6 per 100 sales, so load on the machine weighs very
    differently on the two."""
    import asyncpg

    connection = await asyncpg.connect(
        **{**connect_args(bench.database_url), "user": bench.app_role, "password": bench.app_password}
    )
    try:
        statement = await connection.prepare("select 1")
        for _ in range(20):
            await statement.fetchval()
        samples = []
        for _ in range(count):
            sent = time.perf_counter()
            await statement.fetchval()
            samples.append(time.perf_counter() - sent)
    finally:
        await connection.close()
    return {
        "p50_ms": round(1000 * percentile(samples, 0.5), 3),
        "p90_ms": round(1000 * percentile(samples, 0.9), 3),
        "mean_ms": round(1000 * statistics.fmean(samples), 3),
    }


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
    # Stock updates are HOT (no index writes) only when no indexed column changes.
    await asyncio.sleep(1.0)  # table statistics reach the shared view after a short delay
    stats = await admin_fetch(
        bench.database_url,
        "select n_tup_upd, n_tup_hot_upd from pg_stat_user_tables where relname = 'products'",
    )
    if stats:
        figures["products_updates"] = stats[0]["n_tup_upd"]
        figures["products_hot_updates"] = stats[0]["n_tup_hot_upd"]
    return figures


async def product_costs(bench: Bench) -> dict[str, int]:
    rows = await admin_fetch(
        bench.database_url,
        "select id::text, cost from products where organization_id = $1",
        uuid.UUID(bench.organization_id),
    )
    return {row["id"]: row["cost"] for row in rows}


# ---------------------------------------------------------------------------------------------


async def run(bench: Bench, args: argparse.Namespace, report: dict[str, Any]) -> None:
    log = lambda message: print(f"# {message}", file=sys.stderr, flush=True)  # noqa: E731
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
