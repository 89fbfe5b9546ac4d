"""What scaling past one PostgreSQL and one Redis requires of the schema and the keys, checked on
the migrated schema and the key names the code makes (docs/operations.md, "Scale-out")."""

from __future__ import annotations

import uuid
from typing import Any

from redis.crc import key_slot
from sqlalchemy import text

from server.core.events import TOPICS, channel, stream_key
from server.core.ratelimit import limit_key

# Tables that cannot be distributed by organization_id, and what they become past one database.
NOT_BY_TENANT = {
    "organizations": "distributed by id, co-located with the tenant tables",
    "alembic_version": "a reference table",
}
# Tables with organization_id whose uniqueness is global on purpose.
GLOBAL_UNIQUE = {
    "user_emails": "sign-in by email on the apex: a reference table (or distributed by email) past one database",
}

TABLES = text(
    """
    select c.relname,
        exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'organization_id') as tenant
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p')
    """
)
CONSTRAINTS = text(
    """
    select t.relname, c.conname, c.contype::text as contype, pg_get_constraintdef(c.oid) as definition,
        (select array_agg(a.attname order by k.ord) from unnest(c.conkey) with ordinality k(attnum, ord)
            join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum) as columns,
        (select array_agg(a.attname order by k.ord) from unnest(c.confkey) with ordinality k(attnum, ord)
            join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum) as referenced,
        c.confrelid::regclass::text as target
    from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
    where n.nspname = 'public' and c.contype in ('p', 'u', 'f')
    """
)
UNIQUE_INDEXES = text(
    """
    select t.relname, i.relname as index, pg_get_indexdef(x.indexrelid) as definition
    from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
    join pg_namespace n on n.oid = t.relnamespace
    where n.nspname = 'public' and x.indisunique
    """
)


async def test_every_tenant_table_is_distributable_by_organization(owner_engine: Any) -> None:
    """Citus distributes a table by one column; every primary key, unique constraint and unique
    index must include it, and a foreign key between distributed tables must join on it."""
    async with owner_engine.connect() as connection:
        tables = {row.relname: row.tenant for row in await connection.execute(TABLES)}
        constraints = (await connection.execute(CONSTRAINTS)).all()
        indexes = (await connection.execute(UNIQUE_INDEXES)).all()
    assert {name for name, tenant in tables.items() if not tenant} == set(NOT_BY_TENANT)
    tenant_tables = {name for name, tenant in tables.items() if tenant}
    assert len(tenant_tables) > 20

    problems = []
    for row in constraints:
        if row.relname not in tenant_tables or row.relname in GLOBAL_UNIQUE:
            continue
        if row.contype in ("p", "u") and "organization_id" not in row.columns:
            problems.append(f"{row.relname}.{row.conname}: {row.definition}")
        if row.contype == "f":
            if row.target == "organizations":
                assert row.columns == ["organization_id"] and row.referenced == ["id"], row.definition
            elif row.target in tenant_tables:
                position = row.columns.index("organization_id") if "organization_id" in row.columns else None
                if position is None or row.referenced[position] != "organization_id":
                    problems.append(f"{row.relname}.{row.conname}: {row.definition}")
    for row in indexes:
        if (
            row.relname in tenant_tables
            and row.relname not in GLOBAL_UNIQUE
            and "organization_id" not in row.definition
        ):
            problems.append(f"{row.relname}.{row.index}: {row.definition}")
    assert problems == []
    assert sum(row.contype == "f" for row in constraints) > 20, "the foreign keys were looked at"

    # The exception is what the documentation says it is: unique by email alone.
    global_keys = [row.columns for row in constraints if row.relname in GLOBAL_UNIQUE and row.contype == "p"]
    assert global_keys == [["email"]]


def test_a_shops_redis_keys_and_what_a_cluster_needs() -> None:
    """Every key and channel is prefixed by the shop. On Redis Cluster the publish script, which
    appends to a stream and publishes on the shop's channel in one call, needs every key it
    touches in one hash slot: today they spread over several slots (no hash tag), so moving to
    a cluster means naming them `t:{<shop>}:…` (docs/operations.md, "Scale-out")."""
    organization_id = uuid.uuid4()
    keys = [stream_key(organization_id, topic) for topic in TOPICS] + [channel(organization_id)]
    keys.append(limit_key(organization_id, "login-ip", "203.0.113.7"))
    assert all(key.startswith(f"t:{organization_id}:") for key in keys)
    assert len({key_slot(key.encode()) for key in keys}) > 1
    tagged = [key.replace(f"t:{organization_id}:", f"t:{{{organization_id}}}:", 1) for key in keys]
    assert len({key_slot(key.encode()) for key in tagged}) == 1
