"""`orbit`: run, migrate and seed OrbitEngine.

orbit dev        everything on one machine; embedded PostgreSQL and Redis unless
                 DATABASE_URL / REDIS_URL are set
orbit serve      the web server alone (production)
orbit worker     a job worker (forecast runs, report exports); run as many as needed
orbit scheduler  the nightly scheduler (one per deployment)
orbit migrate    upgrade the schema (creates the database roles when missing)
orbit seed-demo  create the demo tenant and two years of its shop's trading
orbit openapi    write the API's OpenAPI document (no server, database or Redis needed)
orbit healthcheck  a container's health check: a URL answers 200, a heartbeat file is fresh, or
                 the database answers
orbit restore-check  a restored database's fingerprint per shop, to compare with the source's;
                 optionally drops the realtime replay streams that no longer match it
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from prometheus_client import start_http_server
from sqlalchemy.engine import make_url

from server.core.config import ConfigError, Settings, load_settings
from server.core.metrics import REGISTRY
from server.core.migrate import create_database_if_missing, migrate
from server.core.observability import configure_logging, init_error_reports, logging_config
from server.core.serving import serve

DEFAULT_DATA_DIR = Path(".orbit")
WEBSOCKET_MAX_MESSAGE = 64 * 1024
"""The largest WebSocket message a client may send (its frames are small: auth, subscribe,
refresh; `realtime` refuses any above 16 KiB); uvicorn's default would buffer 16 MiB."""
DEV_DATABASE = "orbit"

logger = logging.getLogger("orbit")


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        raise SystemExit(f"orbit: {exc}") from None


async def _seed(settings: Settings, **shop: int) -> bool:
    from server.demo import seed_demo
    from server.resources import opened_resources

    async with opened_resources(settings) as resources:
        return await seed_demo(resources, **shop)


@contextmanager
def _services(data_dir: Path) -> Iterator[tuple[str, str]]:
    """The configured servers, or embedded ones under `data_dir` for what is not configured."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if database_url and redis_url:
        yield database_url, redis_url
        return
    from server.embedded import embedded_services

    data_dir.mkdir(parents=True, exist_ok=True)
    print(f"Starting embedded PostgreSQL and Redis under {data_dir}/ …", flush=True)
    with embedded_services(data_dir) as (embedded_database, embedded_redis):
        if not database_url:
            database_url = make_url(embedded_database).set(database=DEV_DATABASE).render_as_string(hide_password=False)
            asyncio.run(create_database_if_missing(embedded_database, DEV_DATABASE))
        yield database_url, redis_url or embedded_redis


def _banner(settings: Settings, port: int) -> str:
    from server.demo import DEMO_LOGINS, DEMO_SUBDOMAIN

    apex = f"http://{settings.base_domain}:{port}"
    tenant = settings.app_url(DEMO_SUBDOMAIN)
    lines = [
        "",
        "OrbitEngine is running.",
        f"  Landing and sign-up  {apex}/",
        f"  Demo shop            {tenant}/",
        f"  Point of sale        {tenant}/pos/",
        f"  API docs             {apex}/api/docs",
        f"  Health               {apex}/ready",
        "",
        "Demo logins (at the demo shop):",
        *(f"  {login.role:<8} {login.email:<24} {login.password}" for login in DEMO_LOGINS),
        "",
        "Setting a till up (once per browser): open the point of sale, sign in there as the manager",
        "and pick a register (or type a pairing code made in Registers & devices), then sign the till",
        "in as the cashier. People unlock the till with their PIN:",
        "  " + " · ".join(f"{login.name} {login.pin}" for login in reversed(DEMO_LOGINS)),
        "",
        "Press Ctrl-C to stop.",
        "",
    ]
    return "\n".join(lines)


def _environment(settings: Settings, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "PUBLIC_PORT": str(port),
        "ORBIT_ENV": settings.environment,
    }


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"orbit: the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("orbit: the server did not start in time")


def _stop(processes: list[subprocess.Popen[bytes]], timeout: float = 15.0) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def command_dev(args: argparse.Namespace) -> None:
    """Run the system as separate processes (as in production) and stop everything on Ctrl-C
    or SIGTERM, embedded services last."""
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    with _services(Path(args.data_dir)) as (database_url, redis_url):
        settings = _settings(database_url=database_url, redis_url=redis_url, public_port=args.port)
        asyncio.run(migrate(settings))
        asyncio.run(_seed(settings, products=args.demo_products, days=args.demo_days))
        environment = _environment(settings, args.port)
        # Files (product images, documents) live beside the embedded services' data.
        environment.setdefault("STORAGE_DIR", str(Path(args.data_dir).absolute() / "objects"))
        command = [
            sys.executable,
            "-m",
            "server.cli",
            "serve",
            "--host",
            args.host,
            "--port",
            str(args.port),
            "--log-level",
            "warning",
        ]
        processes = [subprocess.Popen(command, env=environment)]
        for role in ("worker", "scheduler"):
            processes.append(subprocess.Popen([sys.executable, "-m", "server.cli", role], env=environment))
        try:
            _wait_until_serving(f"http://{args.host}:{args.port}/health", processes[0])
            print(_banner(settings, args.port), flush=True)
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
            print("orbit: a process exited; stopping the rest", flush=True)
        except KeyboardInterrupt:
            print("\nStopping…", flush=True)
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            _stop(processes)


def command_serve(args: argparse.Namespace) -> None:
    settings = _settings()
    level = args.log_level or settings.log_level  # the flag wins over LOG_LEVEL, for every logger
    serve(
        uvicorn.Config(
            "server.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            proxy_headers=True,
            forwarded_allow_ips=args.forwarded_allow_ips,
            log_level=level.lower(),
            log_config=logging_config(settings.log_format, level),
            access_log=False,  # one richer line per request: server.core.observability
            # Realtime events are written as ready-made frames, the same bytes to every socket; a
            # compressed socket would need its own (docs/realtime.md, "The server side").
            ws="realtime.transport:FrameWebSocketProtocol",
            ws_per_message_deflate=False,
            ws_max_size=WEBSOCKET_MAX_MESSAGE,
        ),
        drain_seconds=args.drain_seconds,
    )


def command_worker(args: argparse.Namespace) -> None:
    """Run the workers' jobs (forecasting runs, report exports) until SIGINT or SIGTERM."""
    from forecasting.worker import run_worker

    heartbeat = Path(args.heartbeat) if args.heartbeat else None
    settings = _settings()
    _observe_background_process(settings, "worker")
    asyncio.run(run_worker(settings, heartbeat=heartbeat, stop_seconds=args.stop_seconds))


def command_scheduler(args: argparse.Namespace) -> None:
    """Queue every tenant's forecast at its local midnight, until SIGINT or SIGTERM."""
    from forecasting.scheduler import serve_scheduler

    heartbeat = Path(args.heartbeat) if args.heartbeat else None
    settings = _settings()
    _observe_background_process(settings, "scheduler")
    asyncio.run(serve_scheduler(settings, interval=args.interval, heartbeat=heartbeat))


def command_healthcheck(args: argparse.Namespace) -> None:
    """Exit 0 when the process checked is healthy, 1 (with the reason) otherwise."""
    from server.core.heartbeat import age

    if args.url:
        try:
            with urllib.request.urlopen(args.url, timeout=args.timeout) as response:
                status = response.status
        except OSError as exc:
            raise SystemExit(f"unhealthy: {args.url}: {exc}") from None
        if status != 200:
            raise SystemExit(f"unhealthy: {args.url} answered {status}")
    if args.heartbeat:
        seconds = age(Path(args.heartbeat))
        if seconds is None:
            raise SystemExit(f"unhealthy: no heartbeat at {args.heartbeat}")
        if seconds > args.max_age:
            raise SystemExit(f"unhealthy: last heartbeat {seconds:.0f} s ago (over {args.max_age:.0f} s)")
    if args.database:
        from server.core.migrate import check_database

        try:
            asyncio.run(asyncio.wait_for(check_database(_settings()), args.timeout))
        except Exception as exc:
            raise SystemExit(f"unhealthy: the database does not answer: {exc!r}") from None
    if not (args.url or args.heartbeat or args.database):
        raise SystemExit("orbit healthcheck: name --url, --heartbeat or --database")


def command_restore_check(args: argparse.Namespace) -> None:
    """Print the database's fingerprint (JSON); with --reset-replay, drop the shops' replay streams."""
    import json

    from redis.asyncio import Redis

    from server.core.restore import fingerprint, reset_replay

    settings = _settings()
    if not (settings.migration_database_url or settings.database_url):
        raise SystemExit("orbit: set DATABASE_URL (or MIGRATION_DATABASE_URL)")
    found = asyncio.run(fingerprint(settings, args.shop))
    if args.reset_replay:
        if not settings.redis_url:
            raise SystemExit("orbit: set REDIS_URL to reset the replay streams")

        async def reset() -> int:
            redis = Redis.from_url(settings.redis_url)
            try:
                return await reset_replay(redis, [shop["organization_id"] for shop in found["shops"]])
            finally:
                await redis.aclose()

        found["replay_streams_deleted"] = asyncio.run(reset())
    print(json.dumps(found, indent=2, sort_keys=True))


def command_migrate(args: argparse.Namespace) -> None:
    settings = _settings()
    if not (settings.migration_database_url or settings.database_url):
        raise SystemExit("orbit: set DATABASE_URL (or MIGRATION_DATABASE_URL)")
    asyncio.run(migrate(settings, args.revision, downgrade=args.downgrade))
    print(f"Schema at {'revision ' + args.revision if args.downgrade else args.revision}.")


def command_seed_demo(args: argparse.Namespace) -> None:
    settings = _settings()
    created = asyncio.run(_seed(settings, seed=args.seed, products=args.products, days=args.days))
    print("Demo tenant created." if created else "Demo tenant already present.")


def openapi_json() -> bytes:
    """The document of `/api/openapi.json`, pretty-printed with sorted keys and a final newline,
    so that a generated copy diffs cleanly."""
    import msgspec

    from server.app import openapi_document

    return msgspec.json.format(msgspec.json.encode(openapi_document(), order="sorted"), indent=2) + b"\n"


def command_openapi(args: argparse.Namespace) -> None:
    document = openapi_json()
    if args.output in (None, "-"):
        sys.stdout.buffer.write(document)
        sys.stdout.flush()
        return
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(output.name + ".tmp")
    temporary.write_bytes(document)
    temporary.replace(output)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="orbit", description="Run, migrate and seed OrbitEngine.")
    commands = root.add_subparsers(dest="command", required=True)

    dev = commands.add_parser("dev", help="run the whole system locally")
    dev.add_argument("--port", type=int, default=8000)
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR))
    dev.add_argument("--demo-products", type=int, default=300, help="size of the demo shop seeded on first run")
    dev.add_argument("--demo-days", type=int, default=730, help="days of demo sales history")
    dev.set_defaults(run=command_dev)

    serve = commands.add_parser("serve", help="run the web server")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--forwarded-allow-ips", default="127.0.0.1")
    serve.add_argument(
        "--log-level",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        help="the least level written, the request lines (INFO) included (default: LOG_LEVEL, or INFO)",
    )
    serve.add_argument(
        "--drain-seconds",
        type=float,
        default=0.0,
        help="on SIGTERM, answer /ready with 503 and keep serving this long before stopping",
    )
    serve.set_defaults(run=command_serve)

    worker = commands.add_parser("worker", help="run background jobs (forecast runs, report exports)")
    worker.add_argument("--heartbeat", help="file touched every few seconds while the worker runs")
    worker.add_argument(
        "--stop-seconds",
        type=float,
        default=30.0,
        help="on SIGTERM, let the job in progress finish this long, then hand it back to the queue",
    )
    worker.set_defaults(run=command_worker)

    scheduler = commands.add_parser("scheduler", help="queue each tenant's nightly forecast at its local midnight")
    scheduler.add_argument("--interval", type=float, default=30.0, help="seconds between schedule checks")
    scheduler.add_argument("--heartbeat", help="file touched every few seconds while the scheduler runs")
    scheduler.set_defaults(run=command_scheduler)

    upgrade = commands.add_parser("migrate", help="upgrade the database schema")
    upgrade.add_argument("--revision", default="head")
    upgrade.add_argument("--downgrade", action="store_true", help="downgrade to --revision instead")
    upgrade.set_defaults(run=command_migrate)

    seed = commands.add_parser("seed-demo", help="create the demo tenant and its shop's history")
    seed.add_argument("--seed", type=int, default=7, help="random seed of the generated shop")
    seed.add_argument("--products", type=int, default=300)
    seed.add_argument("--days", type=int, default=730, help="days of history, ending today")
    seed.set_defaults(run=command_seed_demo)

    openapi = commands.add_parser("openapi", help="write the OpenAPI document of the API")
    openapi.add_argument("--output", "-o", help="file to write (default: standard output)")
    openapi.set_defaults(run=command_openapi)

    healthcheck = commands.add_parser("healthcheck", help="exit 0 when a process is healthy (container checks)")
    healthcheck.add_argument("--url", help="a URL that must answer 200 (a server's /ready)")
    healthcheck.add_argument("--heartbeat", help="a heartbeat file that must be fresh (worker, scheduler)")
    healthcheck.add_argument("--max-age", type=float, default=60.0, help="seconds a heartbeat may be old")
    healthcheck.add_argument("--database", action="store_true", help="the configured database must answer")
    healthcheck.add_argument("--timeout", type=float, default=5.0)
    healthcheck.set_defaults(run=command_healthcheck)

    restore = commands.add_parser("restore-check", help="fingerprint a (restored) database, shop by shop")
    restore.add_argument("--shop", help="one shop's subdomain (default: every shop)")
    restore.add_argument(
        "--reset-replay", action="store_true", help="drop the shops' realtime replay streams (clients reload)"
    )
    restore.set_defaults(run=command_restore_check)
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv if argv is not None else sys.argv[1:])
    if args.run is command_dev:
        os.environ.setdefault("LOG_FORMAT", "text")  # a terminal reads it; its child processes inherit it
    service = args.run.__name__.removeprefix("command_").replace("serve", "server")
    try:
        configure_logging(
            os.environ.get("LOG_FORMAT") or "json", os.environ.get("LOG_LEVEL") or "INFO", service=service
        )
    except ValueError as exc:
        raise SystemExit(f"orbit: {exc}") from None
    args.run(args)


def _observe_background_process(settings: Settings, service: str) -> None:
    """A worker's or the scheduler's error reports and, with METRICS_PORT, its own `/metrics`."""
    init_error_reports(
        settings.sentry_dsn, environment=settings.environment, service=service, release=settings.sentry_release or None
    )
    if settings.metrics_port:
        start_http_server(settings.metrics_port, registry=REGISTRY)


if __name__ == "__main__":
    main()
