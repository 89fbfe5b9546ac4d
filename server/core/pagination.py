"""The one pagination helper: offset pages with `limit` and `offset`, and `next_offset` set
only when another page exists (one row more than asked is fetched to know it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.schemas import Input, Output

T = TypeVar("T")
MAX_LIMIT = 200


class PageQuery(Input):
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_LIMIT)] = 50
    offset: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)] = 0


class Page(Output, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    next_offset: int | None


def make_page(rows: Sequence[Any], query: PageQuery, convert: Callable[[Any], T]) -> Page[T]:
    has_more = len(rows) > query.limit
    return Page(
        items=[convert(row) for row in rows[: query.limit]],
        limit=query.limit,
        offset=query.offset,
        next_offset=query.offset + query.limit if has_more else None,
    )


async def paginate(
    session: AsyncSession,
    statement: Select[*tuple[Any, ...]],
    query: PageQuery,
    convert: Callable[[Any], T],
    *,
    scalars: bool = True,
) -> Page[T]:
    """Run an ordered `statement` for one page. The statement must have a total order."""
    result = await session.execute(statement.limit(query.limit + 1).offset(query.offset))
    rows = result.scalars().all() if scalars else result.all()
    return make_page(rows, query, convert)
