"""Scratch databases: one per benchmark run, created on BENCH_DATABASE_URL's server, migrated,
and dropped at the end; and one-off statements on any database (as its owner or a superuser)."""

from __future__ import annotations

import os
import secrets
import statistics
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from server.core.config import Settings

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def admin_url() -> str:
    """The server scratch databases are made on (a role that may create databases and roles)."""
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)


def connect_args(url: str) -> dict[str, Any]:
    """asyncpg's `connect` arguments for a SQLAlchemy-style URL."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return {
        "host": parsed.host or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": parsed.username,
        "password": parsed.password,
        "database": parsed.database,
    }


async def admin(url: str, *statements: str) -> list[list[Any]]:
    """Run `statements` one after the other on one connection (autocommit); their rows."""
    import asyncpg

    connection = await asyncpg.connect(**connect_args(url))
    try:
        return [await connection.fetch(statement) for statement in statements]
    finally:
        await connection.close()


async def admin_fetch(url: str, statement: str, *params: Any) -> list[Any]:
    """The rows of one statement with `$n` parameters."""
    import asyncpg

    connection = await asyncpg.connect(**connect_args(url))
    try:
        return await connection.fetch(statement, *params)
    finally:
        await connection.close()


async def postgres_settings(url: str) -> dict[str, str]:
    """The server settings a benchmark's figures depend on."""
    names = ["server_version", "max_connections", "shared_buffers", "synchronous_commit", "fsync", "wal_level"]
    rows = await admin_fetch(url, "select name, setting, unit from pg_settings where name = any($1)", names)
    return {row["name"]: row["setting"] + (row["unit"] or "") for row in rows}


@dataclass
class ScratchDatabase:
    """A throwaway database `<prefix>_<random>` on `admin_url`'s server. `create` makes and
    migrates it (so the owner and application roles exist); `drop` removes it whatever state it
    is in."""

    prefix: str = "orbit_bench"
    admin_url: str = field(default_factory=admin_url)
    redis_url: str = field(default_factory=redis_url)
    name: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        from sqlalchemy.engine import make_url

        self.name = self.name or f"{self.prefix}_{secrets.token_hex(5)}"
        self.url = make_url(self.admin_url).set(database=self.name).render_as_string(hide_password=False)

    def settings(self, **override: Any) -> Settings:
        """Test settings on this database, with the login and sign-up limits out of the way."""
        from server.core.config import load_settings

        values: dict[str, Any] = {
            "database_url": self.url,
            "redis_url": self.redis_url,
            "login_attempts_per_ip": 10**9,
            "registrations_per_ip": 10**9,
        }
        return load_settings({}, environment="test", **{**values, **override})

    async def create(self, **override: Any) -> Settings:
        """Create and migrate the database; the settings it was migrated with."""
        from server.core.migrate import migrate

        await admin(self.admin_url, f'create database "{self.name}"')
        settings = self.settings(**override)
        await migrate(settings)
        return settings

    async def drop(self) -> None:
        await admin(self.admin_url, f'drop database if exists "{self.name}" with (force)')

    async def vacuum_and_checkpoint(self) -> None:
        """`VACUUM ANALYZE` then `CHECKPOINT`: every phase starts from the same state."""
        await admin(self.url, "vacuum analyze", "checkpoint")


async def round_trip_latency(url: str, *, user: str, password: str, count: int = 300) -> dict[str, float]:
    """Latency of a trivial statement (`select 1`) as `user`: what one database round trip costs
    on the machine right now (p50, p90, mean in milliseconds, after 20 warm-up calls)."""
    import asyncpg

    from bench.harness.machine import percentile

    connection = await asyncpg.connect(**{**connect_args(url), "user": user, "password": password})
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
