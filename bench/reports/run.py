"""Reports: how long each report endpoint takes on two years of a 300-product shop, against a
plain `select count(*), sum(total) from sales` over the same rows measured in the same run.

    .venv/bin/python bench/reports/run.py [--runs 5] [--synthetic] [--keep]

What it does:

1. creates a throwaway database `orbit_bench_reports_<random>` on BENCH_DATABASE_URL's server
   and migrates it; uses Redis at BENCH_REDIS_URL;
2. registers a tenant through the app (CLP, America/Santiago) and adds a manager and a cashier;
3. loads the demo shop (`server.demo.generator.generate_shop` with 300 products × 730 days,
   written by `server.demo.loader.load_shop`), or, with `--synthetic` or when those modules
   can't be imported, ~70,000 sales × 3 lines made by `INSERT … SELECT generate_series` SQL;
   then ANALYZEs, as a freshly loaded database would be after autovacuum;
4. through the ASGI app with httpx (in process: routing, auth, decoding, SQL, encoding — no
   sockets), times every report endpoint and its CSV twin over the whole two years and over the
   default 30 days: one warm-up, then the median of `--runs` runs;
5. times the baseline the same number of times: the plain count-and-sum over the same sales
   (the two years), as the application role inside a tenant-scoped transaction, no HTTP; and
   an HTTP floor, `GET /api/v1/registers`, for the fixed cost of a request;
6. prints one JSON document with every figure (milliseconds, and each report's ratio to the
   baseline), and drops the database unless `--keep`.

Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres; needs a
role that may create databases and roles), BENCH_REDIS_URL (default redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bench.harness.database import ScratchDatabase, admin  # noqa: E402
from bench.harness.server import BASE_DOMAIN  # noqa: E402
from bench.harness.tenant import add_user, register_tenant  # noqa: E402
from server.app import close_resources, create_app, open_resources  # noqa: E402
from server.core.db import async_url  # noqa: E402

TIME_ZONE = "America/Santiago"
PRODUCTS = 300
DAYS = 730
REPORTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("sales-by-day", {}),
    ("sales-by-hour", {}),
    ("sales-by-register", {}),
    ("sales-by-cashier", {}),
    ("sales-by-payment-method", {}),
    ("sales-by-category", {}),
    ("top-products", {"by": "units", "limit": 100}),
    ("top-products", {"by": "revenue", "limit": 100}),
    ("gross-margin", {}),
    ("inventory-valuation", {}),
    ("shifts", {}),
)
BASELINE = (
    "select count(*), sum(total) from sales where organization_id = :organization_id "
    "and sold_at >= (cast(:since as date)::timestamp at time zone :tz) "
    "and sold_at < (cast(:until as date)::timestamp at time zone :tz)"
)


async def paired_ms(
    runs: int, call: Callable[[], Awaitable[Any]], baseline: Callable[[], Awaitable[Any]]
) -> tuple[float, float]:
    """Medians of `runs` timings of `call` and of `baseline`, run alternately after one warm-up
    of each, so that both see the same load on the machine."""
    await baseline()
    await call()  # warm-up: plans cached, pages in shared buffers
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for timing, function in zip(timings, (call, baseline), strict=True):
            started = time.perf_counter()
            await function()
            timing.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings[0]), 2), round(statistics.median(timings[1]), 2)


async def shop_tenant(client: httpx.AsyncClient) -> dict[str, Any]:
    """A CLP shop in Santiago registered through the app, with a manager and a cashier."""
    tenant = await register_tenant(
        client, company="Almacén Benchmark", currency="CLP", locale="es-CL", time_zone=TIME_ZONE
    )
    staff = [uuid.UUID((await add_user(client, tenant, role))[0]) for role in ("manager", "cashier")]
    return {
        "host": f"http://{tenant.host}",
        "headers": {"Authorization": f"Bearer {tenant.token}"},
        "organization_id": uuid.UUID(tenant.organization_id),
        "admin_id": uuid.UUID(tenant.admin_id),
        "staff": staff,
    }


async def load_demo_shop(resources: Any, tenant: dict[str, Any]) -> dict[str, Any]:
    from server.demo.generator import generate_shop
    from server.demo.loader import load_shop

    now = datetime.now(UTC)
    started = time.perf_counter()
    shop = await asyncio.to_thread(
        generate_shop, seed=7, products=PRODUCTS, days=DAYS, end=now.astimezone(ZoneInfo(TIME_ZONE)).date(), until=now
    )
    generated = time.perf_counter() - started
    async with resources.database.transaction(tenant["organization_id"]) as session:
        report = await load_shop(
            session,
            tenant["organization_id"],
            shop,
            cashier_ids=(*tenant["staff"], tenant["admin_id"]),
            actor_id=tenant["admin_id"],
        )
    return {
        "source": "server.demo (generate_shop + load_shop)",
        "generate_s": round(generated, 1),
        "load_s": round(report.seconds, 1),
    }


SYNTHETIC = (
    # 300 products in 12 categories; price 500–30,400 CLP, cost 60 %.
    """insert into categories (organization_id, id, name)
       select :org, gen_random_uuid(), 'Category ' || n from generate_series(1, 12) n""",
    """insert into products (organization_id, id, sku, name, category_id, price, cost, tax_rate_bp)
       select :org, gen_random_uuid(), 'SKU-' || lpad(n::text, 4, '0'), 'Product ' || n,
              case when n % 25 = 0 then null
                   else (select id from categories where organization_id = :org order by id offset n % 12 limit 1) end,
              500 + (n * 101) % 30000, (500 + (n * 101) % 30000) * 6 / 10, 1900
       from generate_series(1, 300) n""",
    # Each product's stock row (created with it, at 0): 200 - n % 7 * 40 units.
    """update product_stock s set on_hand = 200 - substr(p.sku, 5)::int % 7 * 40
       from products p where p.organization_id = :org and s.organization_id = :org and s.product_id = p.id""",
    """insert into registers (organization_id, id, code, name, last_number)
       select :org, gen_random_uuid(), 'C' || n, 'Caja ' || n, 0 from generate_series(1, 3) n""",
    # ~96 sales a day over 730 days, at opening hours 09:00–20:59 local, over 3 registers.
    """insert into sales (organization_id, id, register_id, number, invoice_number, cashier_id, status, origin,
                          subtotal, discount_total, tax_total, total, paid_total, change_total, tax_mode, sold_at)
       select :org, gen_random_uuid(), r.id, n, r.code || '-' || n, (:cashiers ::uuid[])[1 + n % 3],
              case when n % 211 = 0 then 'voided' else 'completed' end, 'online', 0, 0, 0, 0, 0, 0, 'inclusive',
              ((current_date - 730 + n / 96)::timestamp + interval '9 hours' + (n % 96) * interval '450 seconds')
                at time zone :tz
       from generate_series(1, 730 * 96) n
       join registers r on r.organization_id = :org and r.code = 'C' || (1 + n % 3)""",
    """insert into sale_lines (organization_id, id, sale_id, position, product_id, quantity, unit_price, list_price,
                               unit_cost, discount, tax_rate_bp, tax_amount, total)
       select s.organization_id, gen_random_uuid(), s.id, k, p.id, q, p.price, p.price, p.cost, 0, 1900,
              q * p.price - (2 * q * p.price * 10000 + 11900) / (2 * 11900), q * p.price
       from sales s
       cross join generate_series(1, 3) k
       cross join lateral (select 1 + (s.number + k) % 3 as q) quantity
       join products p on p.organization_id = s.organization_id
                      and p.sku = 'SKU-' || lpad((1 + (s.number * 7 + k * 53) % 300)::text, 4, '0')
       where s.organization_id = :org""",
    """update sales s set subtotal = l.total, total = l.total, tax_total = l.tax, paid_total = l.total
       from (select sale_id, sum(total) as total, sum(tax_amount) as tax from sale_lines
             where organization_id = :org group by sale_id) l
       where s.organization_id = :org and s.id = l.sale_id""",
    """insert into payments (organization_id, id, sale_id, method, amount, change)
       select organization_id, gen_random_uuid(), id, (array['cash', 'card', 'transfer'])[1 + number % 3], total, 0
       from sales where organization_id = :org""",
    """insert into refunds (organization_id, id, sale_id, register_id, kind, method, total, restock, actor_id,
                           refunded_at)
       select s.organization_id, gen_random_uuid(), s.id, s.register_id, 'refund', 'cash', l.unit_price, true,
              s.cashier_id, s.sold_at + interval '1 day'
       from sales s join sale_lines l on l.organization_id = s.organization_id and l.sale_id = s.id and l.position = 1
       where s.organization_id = :org and s.status = 'completed' and s.number % 120 = 0""",
    """insert into refund_lines (organization_id, id, refund_id, sale_line_id, product_id, quantity, amount)
       select r.organization_id, gen_random_uuid(), r.id, l.id, l.product_id, 1, r.total
       from refunds r join sale_lines l on l.organization_id = r.organization_id and l.sale_id = r.sale_id
                                        and l.position = 1
       where r.organization_id = :org""",
)


async def load_synthetic(owner_url: str, tenant: dict[str, Any]) -> dict[str, Any]:
    """Rows straight into the tables, as the owner: the numbers are consistent (line totals,
    inclusive tax, payments covering totals), the calendar regular; no shifts or movements."""
    started = time.perf_counter()
    engine = create_async_engine(async_url(owner_url))
    params = {
        "org": tenant["organization_id"],
        "tz": TIME_ZONE,
        "cashiers": [str(value) for value in (*tenant["staff"], tenant["admin_id"])],
    }
    try:
        async with engine.begin() as connection:
            for statement in SYNTHETIC:
                await connection.execute(text(statement), params)
    finally:
        await engine.dispose()
    return {"source": "synthetic SQL (generate_series)", "load_s": round(time.perf_counter() - started, 1)}


async def row_counts(owner_url: str, organization_id: uuid.UUID) -> dict[str, int]:
    engine = create_async_engine(async_url(owner_url))
    counts = {}
    try:
        async with engine.connect() as connection:
            for table in (
                "products",
                "categories",
                "registers",
                "shifts",
                "sales",
                "sale_lines",
                "payments",
                "refunds",
                "refund_lines",
            ):
                counts[table] = (
                    await connection.execute(
                        text(f"select count(*) from {table} where organization_id = :org"),
                        {"org": organization_id},
                    )
                ).scalar_one()
    finally:
        await engine.dispose()
    return counts


async def run(args: argparse.Namespace) -> dict[str, Any]:
    database = ScratchDatabase(prefix="orbit_bench_reports")
    url, server_url = database.url, database.admin_url
    result: dict[str, Any] = {"benchmark": "reports", "database": database.name}
    load_before = os.getloadavg()[0]
    try:
        settings = await database.create(base_domain=BASE_DOMAIN)
        resources = open_resources(settings)
        app = create_app(settings)
        app.state.resources = resources
        try:
            transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
            async with httpx.AsyncClient(transport=transport, base_url=f"http://{BASE_DOMAIN}", timeout=120) as client:
                tenant = await shop_tenant(client)
                try:
                    if args.synthetic:
                        raise ImportError("--synthetic")
                    result["data"] = await load_demo_shop(resources, tenant)
                except ImportError as exc:
                    result["data"] = await load_synthetic(url, tenant)
                    result["data"]["why"] = str(exc)
                await admin(url, "analyze")
                result["rows"] = await row_counts(url, tenant["organization_id"])
                result["figures"] = await measure(client, resources, tenant, args.runs)
        finally:
            await close_resources(resources)
    finally:
        if not args.keep:
            await database.drop()
    result["machine"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "postgres": await server_version(server_url),
        # Other work on the machine slows reports and baseline alike; the ratios are more stable.
        "load_average_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }
    return result


async def server_version(url: str) -> str:
    return str((await admin(url, "show server_version"))[0][0]["server_version"])


async def measure(client: httpx.AsyncClient, resources: Any, tenant: dict[str, Any], runs: int) -> dict[str, Any]:
    today = datetime.now(ZoneInfo(TIME_ZONE)).date()
    periods = {
        "two_years": {
            "since": (today - timedelta(days=DAYS - 1)).isoformat(),
            "until": (today + timedelta(days=1)).isoformat(),
        },
        "thirty_days": {},
    }

    async def baseline() -> None:
        async with resources.database.transaction(tenant["organization_id"]) as session:
            await session.execute(
                text(BASELINE),
                {
                    "organization_id": tenant["organization_id"],
                    "tz": TIME_ZONE,
                    "since": date.fromisoformat(periods["two_years"]["since"]),
                    "until": date.fromisoformat(periods["two_years"]["until"]),
                },
            )

    async def get(path: str, params: dict[str, Any]) -> None:
        response = await client.get(f"{tenant['host']}{path}", params=params, headers=tenant["headers"])
        response.raise_for_status()

    async def nothing() -> None:
        return None

    floor_ms, _ = await paired_ms(runs, lambda: get("/api/v1/registers", {}), nothing)
    reports: dict[str, Any] = {}
    baselines: list[float] = []
    for report, extra in REPORTS:
        label = f"{report}?by={extra['by']}" if "by" in extra else report
        figures: dict[str, Any] = {}
        for period, bounds in periods.items():
            if report == "inventory-valuation" and period != "two_years":
                continue  # no period: current stock
            params = {**extra, **({} if report == "inventory-valuation" else bounds)}
            json_ms, baseline_ms = await paired_ms(runs, partial(get, f"/api/v1/reports/{report}", params), baseline)
            csv_ms, _ = await paired_ms(runs, partial(get, f"/api/v1/reports/{report}.csv", params), nothing)
            baselines.append(baseline_ms)
            figures["now" if report == "inventory-valuation" else period] = {
                "json_ms": json_ms,
                "csv_ms": csv_ms,
                "baseline_ms": baseline_ms,
                "json_vs_baseline": round(json_ms / baseline_ms, 1),
            }
        reports[label] = figures
    two_years = [f["json_ms"] for figures in reports.values() for key, f in figures.items() if key != "thirty_days"]
    return {
        "runs": runs,
        "baseline": {
            "sql": "select count(*), sum(total) from sales over the two years, tenant-scoped transaction",
            "median_ms": round(statistics.median(baselines), 2),
        },
        "http_floor": {"path": "GET /api/v1/registers", "ms": floor_ms},
        "reports": reports,
        "slowest_two_years_json_ms": max(two_years),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--synthetic", action="store_true", help="generate the sales with SQL, not the demo shop")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
