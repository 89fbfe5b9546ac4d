"""The system the browser suites run against: `orbit dev` (server, forecasting worker,
scheduler, demo shop) on a fresh database, started by Playwright before the suites.

With `TEST_DATABASE_URL` / `TEST_REDIS_URL` set (CI), it uses those servers: the database
`orbit_web_{port}` is dropped and created anew, and a Redis database of its own (numbered by the
port) is flushed, so every run starts from the same demo shop, no stray job or event of another
suite leaks in, and servers on different ports can run side by side.
Without them, `orbit dev` starts embedded PostgreSQL and Redis under a data directory that is
wiped first.

Usage: python -m tests.web.serve --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

from redis import Redis
from sqlalchemy.engine import make_url

from server.core.migrate import create_database_if_missing
from tests.conftest import drop_database


def redis_database(port: int) -> int:
    """Redis databases 5–14: clear of the Python suites' database 0."""
    return 5 + port % 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", default=None, help="embedded services' data (default .orbit-web-PORT)")
    parser.add_argument("--products", type=int, default=120)
    parser.add_argument("--days", type=int, default=200, help="enough history for a forecast backtest")
    args = parser.parse_args()
    environment = {
        **os.environ,
        "LOGIN_ATTEMPTS_PER_IP": "100000",
        "LOGIN_ATTEMPTS_PER_ACCOUNT": "100000",
        "REGISTRATIONS_PER_IP": "100000",
    }
    server_url = os.environ.get("TEST_DATABASE_URL", "")
    redis_url = os.environ.get("TEST_REDIS_URL", "")
    if server_url and redis_url:
        database = f"orbit_web_{args.port}"
        asyncio.run(drop_database(server_url, database))
        asyncio.run(create_database_if_missing(server_url, database))
        web_redis = urlsplit(redis_url)._replace(path=f"/{redis_database(args.port)}").geturl()
        Redis.from_url(web_redis).flushdb()
        environment["DATABASE_URL"] = make_url(server_url).set(database=database).render_as_string(hide_password=False)
        environment["REDIS_URL"] = web_redis
    else:
        environment.pop("DATABASE_URL", None)
        environment.pop("REDIS_URL", None)
    data_dir = args.data_dir or f".orbit-web-{args.port}"
    if "DATABASE_URL" not in environment:
        shutil.rmtree(Path(data_dir), ignore_errors=True)
    command = [sys.executable, "-m", "server.cli", "dev", "--port", str(args.port), "--data-dir", data_dir]
    command += ["--demo-products", str(args.products), "--demo-days", str(args.days)]
    os.execve(sys.executable, command, environment)


if __name__ == "__main__":
    main()
