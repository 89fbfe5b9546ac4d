"""What the restore drill needs (docs/operations.md, "Backups and restore"): `orbit restore-check`.

- `fingerprint`: per shop, what it holds — counts, sums and a digest of every sale (id, invoice
  number, total) — and the schema's revision. Taken on the source at the backup's moment and on
  the restored database, the two are equal exactly when the restore brought every shop back.
- `reset_replay`: deletes every shop's realtime replay streams. Redis and PostgreSQL are backed
  up separately and restored to different moments; a stream may then hold events the restored
  database does not have (or lack ones it has). Without its stream a client that resumes with
  `since` is answered `recovered: false` and reloads over REST, from the database.

Read with the migration (owner) credentials: the fingerprint looks at every shop at once, which
the application role's row-level security would not allow.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from server.core.config import Settings
from server.core.db import async_url
from server.core.events import TOPICS, stream_key

_FINGERPRINT = text(
    """
    select o.id::text as organization_id, o.subdomain, o.is_active,
        (select count(*) from users x where x.organization_id = o.id) as users,
        (select count(*) from products x where x.organization_id = o.id) as products,
        (select coalesce(sum(x.on_hand), 0)::bigint from product_stock x where x.organization_id = o.id) as stock_units,
        (select count(*) from customers x where x.organization_id = o.id) as customers,
        (select count(*) from registers x where x.organization_id = o.id) as registers,
        (select count(*) from shifts x where x.organization_id = o.id) as shifts,
        (select count(*) from sales x where x.organization_id = o.id) as sales,
        (select coalesce(sum(x.total), 0)::bigint from sales x where x.organization_id = o.id) as sales_total,
        (select count(*) from refunds x where x.organization_id = o.id) as refunds,
        (select count(*) from inventory_movements x where x.organization_id = o.id) as movements,
        (select max(x.sold_at) from sales x where x.organization_id = o.id)::text as last_sale_at,
        (select md5(coalesce(
                string_agg(x.id::text || ' ' || x.invoice_number || ' ' || x.total, ',' order by x.id), ''
            )) from sales x where x.organization_id = o.id) as sales_digest
    from organizations o
    where cast(:subdomain as text) is null or o.subdomain = :subdomain
    order by o.subdomain
    """
)


async def fingerprint(settings: Settings, subdomain: str | None = None) -> dict[str, Any]:
    """The schema revision and every shop's fingerprint (or one shop's)."""
    engine = create_async_engine(async_url(settings.migration_database_url or settings.database_url))
    try:
        async with engine.connect() as connection:
            revision = (await connection.execute(text("select version_num from alembic_version"))).scalar_one()
            rows = (await connection.execute(_FINGERPRINT, {"subdomain": subdomain})).mappings().all()
    finally:
        await engine.dispose()
    return {"revision": revision, "shops": [{key: _plain(value) for key, value in row.items()} for row in rows]}


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else value


async def reset_replay(redis: Redis, organization_ids: list[str]) -> int:
    """Delete the replay streams of these shops; returns how many existed."""
    keys = [stream_key(organization_id, topic) for organization_id in organization_ids for topic in TOPICS]
    return int(await redis.delete(*keys)) if keys else 0
