"""`Statement`: a prepared asyncpg statement run on the session's own connection and transaction,
for one row (`fetch`) or a batch of rows (`execute_many`), with the driver's errors raised as
SQLAlchemy's."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from server.core.context import Resources
from server.core.db import Statement

INSERT = Statement("insert into statement_probe (id, values_) values (:id, cast(:values_ as float8[]))")
SELECT = Statement("select id, values_ from statement_probe where id >= :lowest order by id")


async def test_a_batch_of_rows_in_the_sessions_transaction(resources: Resources) -> None:
    async with resources.database.transaction() as session:
        await session.execute(text("create temporary table statement_probe (id int primary key, values_ float8[])"))
        await INSERT.execute_many(session, [{"id": n, "values_": [n / 2, float(n)]} for n in range(1, 4)])
        rows = await SELECT.fetch(session, {"lowest": 2})
        assert [(row["id"], row["values_"]) for row in rows] == [(2, [1.0, 2.0]), (3, [1.5, 3.0])]
        # The same transaction as SQLAlchemy's statements: they see the batch.
        assert await session.scalar(text("select count(*) from statement_probe")) == 3
        with pytest.raises(IntegrityError):
            await INSERT.execute_many(session, [{"id": 4, "values_": []}, {"id": 1, "values_": []}])
        await session.rollback()
