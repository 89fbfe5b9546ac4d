"""Database access: the engine, the declarative base, and the one way to open a transaction.

Invariants:
- The application connects as a role that owns nothing and has no BYPASSRLS; every tenant
  table is protected by row-level security keyed on `app.org_id`.
- `app.org_id` is set with `set_config(..., true)`, i.e. for the current transaction only, at the
  start of every transaction of a session that carries a tenant. It can never leak into the
  next user of a pooled connection: commit and rollback both discard it.
- Services only flush. The edge (`Database.transaction`) commits or rolls back.
- A connection taken from the pool is alive as far as the client can tell: one whose server
  closed it (PostgreSQL restarted, backend terminated) is replaced at checkout, without a round
  trip, so a restart does not surface as a failed request.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import BigInteger, DateTime, MetaData, event, func, text
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, SessionTransaction, mapped_column
from sqlalchemy.types import Uuid

from server.core.errors import ApiError

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TENANT_SETTING = "app.org_id"
CURRENT_TRANSACTION_ID = "(pg_current_xact_id()::text)::bigint"

Result = TypeVar("Result")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TenantScoped:
    """Mixin for tenant-owned tables: `organization_id` leads the primary key (distributable by tenant)."""

    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, sort_order=-1)


class ChangeTracked:
    """Rows the POS pulls offline. `change_xid` is the id of the transaction that last wrote the
    row (set on insert by default and on update by a trigger), the basis of the sync cursor."""

    change_xid: Mapped[int] = mapped_column(BigInteger, server_default=text(CURRENT_TRANSACTION_ID))


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


def async_url(url: str) -> str:
    """The asyncpg form of a PostgreSQL URL (`postgresql://` is accepted for convenience)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def with_credentials(url: str, username: str, password: str | None) -> str:
    return make_url(url).set(username=username, password=password).render_as_string(hide_password=False)


@event.listens_for(Session, "after_begin")
def _set_tenant_for_transaction(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    if transaction.nested:
        return
    organization_id = session.info.get("organization_id")
    if organization_id is not None:
        connection.execute(
            text("select set_config(:name, :value, true)"),
            {"name": TENANT_SETTING, "value": str(organization_id)},
        )


class Database:
    """The application's connection pool and transaction factory."""

    def __init__(self, url: str, *, pool_size: int = 20, max_overflow: int = 10, **engine_options: Any) -> None:
        self.engine: AsyncEngine = create_async_engine(
            async_url(url),
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_recycle=3600,
            **engine_options,
        )
        event.listen(self.engine.sync_engine, "checkout", _refuse_closed_connection)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def transaction(self, organization_id: uuid.UUID | None = None) -> AsyncIterator[AsyncSession]:
        """One session and one transaction: committed when the block succeeds, rolled back otherwise."""
        async with self.sessions() as session:
            session.info["organization_id"] = organization_id
            async with session.begin():
                yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


def _refuse_closed_connection(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Replace a pooled connection whose server end is gone. asyncpg notices the socket's
    close as soon as the event loop reads it, so this costs no round trip (a pre-ping costs
    three with this driver: BEGIN, an empty query, ROLLBACK)."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the pooled connection was closed by the server")


_DRIVER_DIALECT = PGDialect_asyncpg()
_DRIVER_ERROR: type[Exception] = PGDialect_asyncpg.import_dbapi().Error


class Statement:
    """A hot-path SQL statement, written with `:named` parameters like `text()`, compiled once,
    and run on the session's own connection and transaction as an asyncpg prepared statement
    (asyncpg prepares it once per connection and caches it). Costs a third of the client CPU
    of `session.execute(text(...))`; use it where that matters (the sale), `text()` elsewhere.
    Errors are raised as SQLAlchemy's, exactly as `session.execute` would raise them."""

    __slots__ = ("names", "sql")

    def __init__(self, sql: str) -> None:
        compiled = text(sql).compile(dialect=_DRIVER_DIALECT)
        self.sql: str = compiled.string
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())

    async def fetch(self, session: AsyncSession, params: Mapping[str, Any]) -> list[Any]:
        """The rows (asyncpg `Record`s: by name or index) of the statement run with `params`."""
        arguments = [params[name] for name in self.names]
        rows: list[Any] = await self._run(session, lambda driver: driver.fetch(self.sql, *arguments), arguments)
        return rows

    async def execute_many(self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once for each of `rows`, in one round trip (asyncpg's
        `executemany`: the driver encodes the rows, not SQLAlchemy's per-row bind processing)."""
        arguments = [[row[name] for name in self.names] for row in rows]
        await self._run(session, lambda driver: driver.executemany(self.sql, arguments), arguments)

    async def _run(
        self, session: AsyncSession, call: Callable[[Any], Awaitable[Result]], arguments: list[Any]
    ) -> Result:
        """`call` on the session's asyncpg connection, inside its transaction; the driver's errors
        raised as SQLAlchemy's."""
        adapted = await _driver_connection(session)
        try:
            if adapted._transaction is None:
                # The driver begins lazily, on the first statement SQLAlchemy runs.
                await adapted._start_transaction()
            return await call(adapted.driver_connection)
        except Exception as error:
            try:
                adapted._handle_exception(error)
            except Exception as translated:
                raise DBAPIError.instance(
                    self.sql,
                    arguments,
                    translated,
                    _DRIVER_ERROR,
                    connection_invalidated=adapted.driver_connection.is_closed(),
                ) from error
            raise


_DRIVER_CONNECTION = "driver_connection"


async def _driver_connection(session: AsyncSession) -> Any:
    """The session's DB-API connection (SQLAlchemy's asyncpg adapter) for its current transaction,
    remembered per transaction: asking the session for it costs two greenlet switches."""
    transaction = session.sync_session.get_transaction()
    remembered = session.info.get(_DRIVER_CONNECTION)
    if transaction is not None and remembered is not None and remembered[0] is transaction:
        return remembered[1]
    connection = await session.connection()
    adapted = (await connection.get_raw_connection()).dbapi_connection
    session.info[_DRIVER_CONNECTION] = (session.sync_session.get_transaction(), adapted)
    return adapted


async def enter_tenant(session: AsyncSession, organization_id: uuid.UUID) -> None:
    """Scope the session's current (and later) transactions to a tenant known only mid-transaction."""
    session.info["organization_id"] = organization_id
    await session.execute(
        text("select set_config(:name, :value, true)"),
        {"name": TENANT_SETTING, "value": str(organization_id)},
    )


@asynccontextmanager
async def unique_or_conflict(session: AsyncSession, conflicts: dict[str, ApiError]) -> AsyncIterator[None]:
    """Make the changes done inside the block and flush them within a savepoint. A unique
    violation of an index named in `conflicts` becomes that error (a 409 naming the field) and
    leaves the rest of the transaction usable; other integrity errors propagate.

    Changes must be made inside the block: entering it flushes what is already pending, outside
    the savepoint."""
    try:
        async with session.begin_nested():
            yield
            await session.flush()
    except IntegrityError as exc:
        message = str(exc.orig)
        for index, error in conflicts.items():
            if index in message:
                raise error from exc
        raise
