"""Plain INSERT statements (asyncpg `$n` parameters), for baselines that write the rows a
scenario writes without the application in between."""

from __future__ import annotations


def values_insert(table: str, columns: tuple[str, ...], rows: int) -> str:
    """One multi-row `INSERT ... VALUES` of `rows` rows, parameters row after row."""
    width = len(columns)
    groups = ", ".join("(" + ", ".join(f"${r * width + c + 1}" for c in range(width)) + ")" for r in range(rows))
    return f"insert into {table} ({', '.join(columns)}) values {groups}"


def unnest_insert(table: str, columns: tuple[str, ...]) -> str:
    """One INSERT of any number of rows, each column bound as one array (`INSERT ... SELECT
    FROM unnest(arrays)`); column types from the application's table definitions."""
    from sqlalchemy.dialects import registry

    from server.models import metadata

    definition = metadata.tables[table]
    dialect = registry.load("postgresql.asyncpg")()
    types = [definition.c[name].type.compile(dialect=dialect) for name in columns]
    arrays = ", ".join(f"${index}::{type_}[]" for index, type_ in enumerate(types, start=1))
    return f"insert into {table} ({', '.join(columns)}) select * from unnest({arrays})"
