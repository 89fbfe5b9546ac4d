"""The process-wide resources, opened once per process and closed on its way out: the database
pool, the Redis client, the object stores and the job queue's brokers.

The web application (in its lifespan), `orbit worker`, `orbit scheduler` and the command-line
tasks all open and close them here, so a worker needs nothing of the web application. Importing
this module registers every table (`server.models`): a process that opens the database can then
write any row, whichever of the schema's modules it imported itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

import server.models  # noqa: F401  (every table registered: see the docstring)
from server.core.config import Settings
from server.core.context import Resources
from server.core.db import Database
from server.core.migrate import application_url
from server.job_queue import close_brokers
from server.storage import close_storages


def open_resources(settings: Settings) -> Resources:
    """The database pool (as the application's role) and the Redis client; both connect lazily."""
    database = Database(application_url(settings), pool_size=settings.database_pool_size)
    redis = Redis.from_url(settings.redis_url, decode_responses=False, health_check_interval=30)
    return Resources(settings=settings, database=database, redis=redis)


async def close_resources(resources: Resources) -> None:
    """Close what `open_resources` opened, and the object stores and job brokers opened on use."""
    await resources.database.dispose()
    await resources.redis.aclose()
    await close_storages()
    await close_brokers()


@asynccontextmanager
async def opened_resources(settings: Settings) -> AsyncIterator[Resources]:
    """`open_resources` for the length of a block, closed however it ends."""
    resources = open_resources(settings)
    try:
        yield resources
    finally:
        await close_resources(resources)
