"""Schema migrations and database roles.

Two roles (names from settings): the owner role owns every table and runs migrations; the
application role logs in, owns nothing, has no BYPASSRLS, and gets only the privileges
granted here. Tables force row-level security, so even the owner sees only the tenant set
in `app.org_id`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from server.core.config import Settings
from server.core.db import async_url, with_credentials

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
CURRENT_TENANT = "nullif(current_setting('app.org_id', true), '')::uuid"


def tenant_isolation(table: str) -> list[str]:
    """The statements that bind a tenant table to the transaction's tenant, for migrations:
    row-level security enabled and forced, one policy with USING and WITH CHECK."""
    return [
        f"alter table {table} enable row level security",
        f"alter table {table} force row level security",
        f"create policy tenant_isolation on {table} using (organization_id = {CURRENT_TENANT}) "
        f"with check (organization_id = {CURRENT_TENANT})",
    ]


APPEND_ONLY_TABLES = ("audit_log",)


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ensure_roles(connection: Connection, settings: Settings) -> None:
    """Create the owner and application roles when missing (needs a role that may create roles)."""
    owner, app = settings.owner_role, settings.app_role
    existing = set(
        connection.execute(
            text("select rolname from pg_roles where rolname in (:owner, :app)"), {"owner": owner, "app": app}
        ).scalars()
    )
    if owner not in existing:
        connection.execute(text(f"create role {_quote(owner)} nologin"))
    if app not in existing:
        connection.execute(
            text(
                f"create role {_quote(app)} login password {_literal(settings.app_role_password)} "
                "nosuperuser nocreatedb nocreaterole nobypassrls noinherit"
            )
        )
    database = connection.execute(text("select current_database()")).scalar_one()
    connection.execute(text(f"grant usage, create on schema public to {_quote(owner)}"))
    connection.execute(text(f"grant create on database {_quote(database)} to {_quote(owner)}"))
    connection.execute(text(f"grant connect on database {_quote(database)} to {_quote(app)}"))
    connection.execute(text(f"grant usage on schema public to {_quote(app)}"))
    current = connection.execute(text("select current_user")).scalar_one()
    if current != owner:
        connection.execute(text(f"grant {_quote(owner)} to {_quote(current)}"))


def apply_grants(connection: Connection, settings: Settings) -> None:
    """The application role may read and write tenant data, and only append to the audit log."""
    app = _quote(settings.app_role)
    connection.execute(text(f"grant select, insert, update, delete on all tables in schema public to {app}"))
    connection.execute(text(f"grant usage, select on all sequences in schema public to {app}"))
    for table in APPEND_ONLY_TABLES:
        connection.execute(text(f"revoke update, delete, truncate on {_quote(table)} from {app}"))
    connection.execute(text(f"revoke all on alembic_version from {app}"))


def _run(connection: Connection, settings: Settings, revision: str, downgrade: bool) -> None:
    if connection.execute(text("select rolsuper or rolcreaterole from pg_roles where rolname = current_user")).scalar():
        ensure_roles(connection, settings)
    connection.execute(text(f"set role {_quote(settings.owner_role)}"))
    config = alembic_config(connection)
    if downgrade:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)
        apply_grants(connection, settings)
    connection.execute(text("reset role"))
    connection.commit()


async def migrate(settings: Settings, revision: str = "head", *, downgrade: bool = False) -> None:
    """Upgrade (or downgrade) the schema of `settings.migration_database_url or database_url`."""
    engine = create_async_engine(async_url(settings.migration_database_url or settings.database_url))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run, settings, revision, downgrade)
    finally:
        await engine.dispose()


def application_url(settings: Settings) -> str:
    """The URL the application connects with: the administrative URL with the application role's credentials."""
    if make_url(settings.database_url).username == settings.app_role:
        return settings.database_url
    return with_credentials(settings.database_url, settings.app_role, settings.app_role_password)


async def create_database_if_missing(admin_url: str, database: str) -> None:
    engine = create_async_engine(async_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            exists = (
                await connection.execute(text("select 1 from pg_database where datname = :name"), {"name": database})
            ).scalar()
            if not exists:
                await connection.execute(text(f"create database {_quote(database)}"))
    finally:
        await engine.dispose()


async def check_database(settings: Settings) -> None:
    """Raise unless the configured database answers (`orbit healthcheck --database`)."""
    engine = create_async_engine(async_url(settings.migration_database_url or settings.database_url))
    try:
        async with engine.connect() as connection:
            await connection.execute(text("select 1"))
    finally:
        await engine.dispose()
