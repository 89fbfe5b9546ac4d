"""The database backstop: even a query that forgot its tenant can't see or write another's rows."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from server.core.config import Settings
from server.core.db import Database, async_url
from server.core.migrate import application_url

GLOBAL_LOOKUP_TABLES = {"user_emails"}


async def test_every_tenant_table_has_forced_rls_with_both_clauses(owner_engine) -> None:
    async with owner_engine.connect() as connection:
        tables = (
            await connection.execute(
                text(
                    "select c.relname, c.relrowsecurity, c.relforcerowsecurity from pg_class c "
                    "join pg_namespace n on n.oid = c.relnamespace "
                    "where n.nspname = 'public' and c.relkind = 'r' and exists (select 1 from pg_attribute a "
                    "where a.attrelid = c.oid and a.attname = 'organization_id' and not a.attisdropped)"
                )
            )
        ).all()
        policies = (
            await connection.execute(text("select tablename, policyname, cmd, qual, with_check from pg_policies"))
        ).all()
    assert len(tables) >= 20
    for name, enabled, forced in tables:
        assert enabled and forced, name
        isolation = [p for p in policies if p.tablename == name and p.policyname == "tenant_isolation"]
        assert len(isolation) == 1, name
        policy = isolation[0]
        assert policy.cmd == "ALL"
        assert "app.org_id" in policy.qual and "organization_id" in policy.qual, name
        assert "app.org_id" in policy.with_check and "organization_id" in policy.with_check, name
        others = {p.policyname for p in policies if p.tablename == name} - {"tenant_isolation"}
        if name in GLOBAL_LOOKUP_TABLES:
            assert others == {"global_lookup"}
            lookup = next(p for p in policies if p.tablename == name and p.policyname == "global_lookup")
            assert lookup.cmd == "SELECT"
        else:
            assert not others, name


async def test_application_role_is_unprivileged(owner_engine, settings: Settings) -> None:
    async with owner_engine.connect() as connection:
        role = (
            await connection.execute(
                text("select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles where rolname = :r"),
                {"r": settings.app_role},
            )
        ).one()
        owned = (
            await connection.execute(
                text("select count(*) from pg_class c join pg_roles r on r.oid = c.relowner where r.rolname = :r"),
                {"r": settings.app_role},
            )
        ).scalar_one()
        table_owners = set(
            (
                await connection.execute(text("select distinct tableowner from pg_tables where schemaname = 'public'"))
            ).scalars()
        )
    assert tuple(role) == (False, False, False, False)
    assert owned == 0
    assert table_owners == {settings.owner_role}


async def test_no_tenant_sees_nothing_and_a_tenant_sees_only_itself(app_engine, tenant_a, tenant_b) -> None:
    async with app_engine.connect() as connection:
        assert (await connection.execute(text("select count(*) from users"))).scalar_one() == 0
        assert (await connection.execute(text("select count(*) from audit_log"))).scalar_one() == 0
        await connection.execute(
            text("select set_config('app.org_id', :o, true)"), {"o": str(tenant_a.organization_id)}
        )
        organizations = set((await connection.execute(text("select distinct organization_id from users"))).scalars())
        assert organizations == {tenant_a.organization_id}
        audit_organizations = set(
            (await connection.execute(text("select distinct organization_id from audit_log"))).scalars()
        )
        assert audit_organizations == {tenant_a.organization_id}
        await connection.rollback()


async def test_writing_another_tenants_row_fails(app_engine, tenant_a, tenant_b) -> None:
    async with app_engine.connect() as connection:
        await connection.execute(
            text("select set_config('app.org_id', :o, true)"), {"o": str(tenant_a.organization_id)}
        )
        with pytest.raises(DBAPIError, match="row-level security"):
            await connection.execute(
                text("insert into categories (organization_id, id, name) values (:org, :id, 'Smuggled')"),
                {"org": tenant_b.organization_id, "id": uuid.uuid4()},
            )
        await connection.rollback()
    async with app_engine.connect() as connection:
        await connection.execute(
            text("select set_config('app.org_id', :o, true)"), {"o": str(tenant_a.organization_id)}
        )
        updated = await connection.execute(
            text("update users set full_name = 'Hacked' where organization_id = :org"),
            {"org": tenant_b.organization_id},
        )
        assert updated.rowcount == 0
        await connection.rollback()


async def test_audit_log_is_append_only_for_the_application(app_engine, tenant_a) -> None:
    async with app_engine.connect() as connection:
        await connection.execute(
            text("select set_config('app.org_id', :o, true)"), {"o": str(tenant_a.organization_id)}
        )
        with pytest.raises(DBAPIError, match="permission denied"):
            await connection.execute(text("delete from audit_log"))
        await connection.rollback()


async def test_tenant_setting_never_survives_into_the_next_transaction(settings: Settings, tenant_a, tenant_b) -> None:
    """A pool of one connection: A's transaction, a failing one, then B's — each sees only its own."""
    database = Database(application_url(settings), pool_size=1, max_overflow=0)
    try:
        async with database.transaction(tenant_a.organization_id) as session:
            seen = set((await session.execute(text("select distinct organization_id from users"))).scalars())
            assert seen == {tenant_a.organization_id}
        with pytest.raises(DBAPIError):
            async with database.transaction(tenant_a.organization_id) as session:
                await session.execute(text("select 1 / 0"))
        async with database.transaction() as session:
            assert (await session.execute(text("select current_setting('app.org_id', true)"))).scalar() in (None, "")
            assert (await session.execute(text("select count(*) from users"))).scalar_one() == 0
        async with database.transaction(tenant_b.organization_id) as session:
            seen = set((await session.execute(text("select distinct organization_id from users"))).scalars())
            assert seen == {tenant_b.organization_id}
    finally:
        await database.dispose()


async def test_tenant_setting_does_not_leak_through_the_api_pool(
    app, settings: Settings, api, tenant_a, tenant_b
) -> None:
    """Same, through real requests: a failing request between two tenants' requests."""
    from server.app import close_resources, open_resources

    single = type(settings)(
        **{**{f: getattr(settings, f) for f in settings.__struct_fields__}, "database_pool_size": 1}
    )
    original = app.state.resources
    resources = open_resources(single)
    resources.database.engine.pool._max_overflow = 0  # type: ignore[attr-defined]
    app.state.resources = resources
    try:
        first = await tenant_a.client.get("/api/v1/users")
        assert {u["id"] for u in first.json()["items"]} == {str(tenant_a.admin_id)}
        failing = await tenant_a.client.post("/api/v1/users", json={"email": "bad"})
        assert failing.status_code == 422
        second = await tenant_b.client.get("/api/v1/users")
        assert {u["id"] for u in second.json()["items"]} == {str(tenant_b.admin_id)}
    finally:
        app.state.resources = original
        await close_resources(resources)


async def test_migrations_downgrade_to_empty_and_upgrade_again(service_urls, settings: Settings) -> None:
    from sqlalchemy.engine import make_url

    from server.core.migrate import create_database_if_missing, migrate
    from tests.conftest import drop_database, make_settings

    name = f"orbit_migrations_{uuid.uuid4().hex[:8]}"
    await create_database_if_missing(service_urls[0], name)
    url = make_url(service_urls[0]).set(database=name).render_as_string(hide_password=False)
    own = make_settings(url, service_urls[1])
    engine = create_async_engine(async_url(url))

    async def tables() -> set[str]:
        async with engine.connect() as connection:
            return set(
                (
                    await connection.execute(text("select tablename from pg_tables where schemaname = 'public'"))
                ).scalars()
            )

    try:
        await migrate(own)
        assert {"organizations", "users", "sales", "predictions", "audit_log"} <= await tables()
        await migrate(own, "base", downgrade=True)
        assert await tables() <= {"alembic_version"}
        await migrate(own)
        assert "sale_lines" in await tables()
    finally:
        await engine.dispose()
        await drop_database(service_urls[0], name)


async def test_models_match_the_migrations(owner_engine) -> None:
    """The schema lives in migrations; the SQLAlchemy models must describe exactly that schema."""
    import warnings

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from server.models import metadata

    def differences(connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return compare_metadata(context, metadata)

    async with owner_engine.connect() as connection:
        diff = await connection.run_sync(differences)
    assert diff == []
