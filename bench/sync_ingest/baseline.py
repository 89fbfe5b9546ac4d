"""The baseline: the rows the ingest writes for the same documents, inserted plainly (no reads,
no checks, no stock updates) as the application role with the tenant set."""

from __future__ import annotations

import argparse
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bench.harness.database import admin_fetch, connect_args
from bench.harness.figures import cpu_figures, latency_figures
from bench.harness.inserts import unnest_insert, values_insert
from bench.harness.machine import CpuWindow
from bench.sync_ingest.plan import Plan, make_plan
from bench.sync_ingest.shop import Bench, product_costs
from server.core.ids import new_id

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


@dataclass(frozen=True, slots=True)
class _Ids:
    """The bench's tenant, register, shift, cashier and device, as UUIDs."""

    organization: uuid.UUID
    register: uuid.UUID
    shift: uuid.UUID
    cashier: uuid.UUID
    device: uuid.UUID

    @classmethod
    def of(cls, bench: Bench) -> _Ids:
        return cls(
            *(
                uuid.UUID(value)
                for value in (
                    bench.organization_id,
                    bench.register_id,
                    bench.shift_id,
                    bench.cashier_id,
                    bench.device_id,
                )
            )
        )


def baseline_rows(bench: Bench, plan: Plan, offset: int, tax_mode: str) -> list[dict[str, list[tuple[Any, ...]]]]:
    """Per batch of 100 sales, the rows of each table: what the ingest writes for the same
    documents, with other ids, invoice numbers and sequence numbers (`offset` + n). Each row is
    a tuple in the column order of `SALE_COLUMNS` and the others."""
    ids = _Ids.of(bench)
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
        current["sales"].append(_sale_row(ids, sale_id, number, invoice, priced, paid, tax_mode, sold_at))
        for position, (line_product, line) in enumerate(zip(lines, priced.lines, strict=True), 1):
            movement, sale_line = _line_rows(ids, sale_id, position, line_product, line, stock, sold_at)
            current["inventory_movements"].append(movement)
            current["sale_lines"].append(sale_line)
        current["payments"].append((ids.organization, new_id(), sale_id, "cash", paid, paid - priced.total, ""))
        current["sync_documents"].append(_document_row(ids, document, number, sale_id, invoice))
    return batches


def _sale_row(
    ids: _Ids, sale_id: uuid.UUID, number: int, invoice: str, priced: Any, paid: int, tax_mode: str, sold_at: datetime
) -> tuple[Any, ...]:
    """A `sales` row (`SALE_COLUMNS`): completed, offline, paid in cash."""
    return (
        ids.organization,
        sale_id,
        ids.register,
        ids.shift,
        number,
        invoice,
        ids.cashier,
        None,
        ids.device,
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


def _line_rows(
    ids: _Ids,
    sale_id: uuid.UUID,
    position: int,
    line_product: tuple[str, int, int, int],
    line: Any,
    stock: dict[str, int],
    sold_at: datetime,
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """A sale line's `inventory_movements` row (`MOVEMENT_COLUMNS`; its running balance kept in
    `stock`) and its `sale_lines` row (`LINE_COLUMNS`). One unit of the product at its price."""
    product, price, cost, rate = line_product
    product_id = uuid.UUID(product)
    stock[product] = stock.get(product, 1_000_000) - 1
    movement = (ids.organization, new_id(), product_id, "sale", -1, stock[product], ids.cashier, "", sale_id, sold_at)
    sale_line = (
        ids.organization,
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
    return movement, sale_line


def _document_row(
    ids: _Ids, document: dict[str, Any], number: int, sale_id: uuid.UUID, invoice: str
) -> tuple[Any, ...]:
    """A `sync_documents` row (`DOCUMENT_COLUMNS`) with the answer of an applied sale."""
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
    return (
        ids.organization,
        client_id,
        ids.device,
        number,
        "sale",
        hashlib.sha256(json.dumps(document).encode()).digest(),
        "applied",
        json.dumps(result),
    )


async def run_baseline(bench: Bench, batches: list[dict[str, list[tuple[Any, ...]]]], mode: str) -> dict[str, Any]:
    """100 transactions of 100 sales as the application role, tenant set, plain INSERTs."""
    import asyncpg

    connection = await asyncpg.connect(
        **{**connect_args(bench.database_url), "user": bench.app_role, "password": bench.app_password}
    )
    latencies: list[float] = []
    unnest_statements = {table: unnest_insert(table, columns) for table, columns in TABLES}
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
                            values_insert(table, columns, len(rows)), *[value for row in rows for value in row]
                        )
                    elif mode == "unnest":
                        await connection.execute(
                            unnest_statements[table], *[list(column) for column in zip(*rows, strict=True)]
                        )
                    else:
                        await connection.executemany(values_insert(table, columns, 1), rows)
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
