"""The stored answer of a sale is written by its own statement, with the sale's moment spliced
into the body by SQL: that rendering must be the JSON encoder's, byte for byte."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.core.idempotency import MOMENT_PLACEHOLDER, response_insert, rfc3339_sql
from server.core.schemas import encode_json

moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
) | st.sampled_from(
    [
        datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC),  # no microseconds: no fraction at all
        datetime(2026, 11, 28, 12, 0, 0, 4, tzinfo=UTC),  # leading zeros kept
        datetime(2026, 11, 28, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2024, 2, 29, 0, 0, 0, 120000, tzinfo=UTC),  # trailing zeros kept
    ]
)


@settings(max_examples=30, deadline=None)
@given(batch=st.lists(moments, min_size=1, max_size=40))
async def test_sql_renders_a_moment_as_the_encoder_does(owner_engine: AsyncEngine, batch: list[datetime]) -> None:
    async with owner_engine.connect() as connection:
        rendered = (
            await connection.execute(
                text(f"select {rfc3339_sql('m')} from unnest(cast(:moments as timestamptz[])) as m"),
                {"moments": batch},
            )
        ).scalars()
        assert [f'"{value}"'.encode() for value in rendered] == [encode_json(moment) for moment in batch]


async def test_the_placeholder_is_what_the_statement_replaces() -> None:
    assert encode_json(MOMENT_PLACEHOLDER) == b'"2000-01-01T00:00:00Z"'
    assert encode_json(MOMENT_PLACEHOLDER + timedelta(microseconds=1)) != encode_json(MOMENT_PLACEHOLDER)


async def test_only_the_member_gets_the_moment(owner_engine: AsyncEngine) -> None:
    """A note that looks like the placeholder, or like the member, stays as the customer wrote it."""
    body = encode_json(
        {"note": "2000-01-01T00:00:00Z", "memo": '"sold_at":"2000-01-01T00:00:00Z"', "sold_at": MOMENT_PLACEHOLDER}
    )
    moment = datetime(2026, 11, 28, 9, 30, 1, 250, tzinfo=UTC)
    statement = response_insert("sold_at")
    replace = statement[statement.index("replace(") : statement.index(", 'UTF8')")]
    replace = replace.replace("cast(:idempotency_body as text)", ":body").replace("moment.at", ":moment")
    async with owner_engine.connect() as connection:
        stored = (
            await connection.execute(text(f"select {replace}"), {"body": body.decode(), "moment": moment})
        ).scalar()
    assert stored.encode() == encode_json(
        {"note": "2000-01-01T00:00:00Z", "memo": '"sold_at":"2000-01-01T00:00:00Z"', "sold_at": moment}
    )
