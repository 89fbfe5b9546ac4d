"""Product search: by word prefix from the search terms' index, else by the name containing
the text. The choice depends on the search alone, never on the page, so every page of one
search agrees (`search_products`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, text, union
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Product, ProductSearchTerm


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _once(expression: Any) -> Any:
    """`expression` (of the search text only) as a scalar sub-select: PostgreSQL computes it once
    per query (an init plan), even in a generic plan where it would otherwise run per row."""
    return select(expression).scalar_subquery()


SEARCH_TOKENS = 8
TERM_LENGTH = 200  # the cut of migration 0010's terms


def search_tokens(search: str) -> list[str]:
    """The words of a search, as typed (folded by the database): at most `SEARCH_TOKENS`."""
    return search.split()[:SEARCH_TOKENS]


def _starting_with(organization_id: uuid.UUID, prefix: str) -> Select[Any]:
    """Ids of the products with a search term that starts with `prefix` (folded): a range of the
    terms' primary key, which row-level security lets an index serve (`>=` and `<` are leakproof).
    In the "C" collation strings are compared byte by byte, so the range holds exactly the terms
    starting with `prefix` (but for a following U+10FFFF, a noncharacter)."""
    return select(ProductSearchTerm.product_id).where(
        ProductSearchTerm.organization_id == organization_id,
        ProductSearchTerm.term >= prefix,
        ProductSearchTerm.term < prefix + chr(0x10FFFF),
    )


def word_prefix_condition(organization_id: uuid.UUID, prefixes: list[str]) -> Any:
    """Every folded word of the search (`folded_words`) starts a word of the product's name, its
    SKU or its barcode ("choco" and "leche sopr" find "Leche Soprole chocolate")."""
    return and_(*(Product.id.in_(_starting_with(organization_id, prefix)) for prefix in prefixes))


async def folded_words(session: AsyncSession, search: str) -> list[str]:
    """The words of a search as its terms are stored: folded by `orbit_fold`, cut to `TERM_LENGTH`."""
    tokens = search_tokens(search)
    if not tokens:
        return []
    row = (await session.execute(select(*(func.left(func.orbit_fold(token), TERM_LENGTH) for token in tokens)))).one()
    return [word for word in row if word]


def contains_condition(search: str) -> Any:
    """The name contains the text (case- and accent-insensitive), or the SKU or barcode starts
    with it. No index can serve it under row-level security (migration 0007): a scan of the shop's
    products, each a string match against the stored `folded_name`, the term folded once."""
    escaped = escape_like(search.strip())
    return or_(
        func.lower(Product.sku).like(_once(func.lower(escaped) + "%")),
        Product.barcode.like(escaped + "%"),
        Product.folded_name.like(_once("%" + func.orbit_fold(escaped) + "%")),
    )


@dataclass(frozen=True)
class ProductSearch:
    """What a product search matches (`condition`) and the products it names exactly (`exact`:
    the barcode, or the SKU ignoring case), which a list shows first."""

    condition: Any
    exact: list[uuid.UUID]


async def _exact_matches(
    session: AsyncSession, organization_id: uuid.UUID, search: str, prefixes: list[str]
) -> list[uuid.UUID]:
    """The products whose barcode is the search, or whose SKU is (ignoring case), each from an
    index: the barcode's, and the SKU's search term (its folded form) checked against the SKU."""
    term = search.strip()
    by_barcode = select(Product.id).where(Product.organization_id == organization_id, Product.barcode == term)
    if len(prefixes) != 1:
        return list(await session.scalars(by_barcode))
    sku_terms = select(ProductSearchTerm.product_id).where(
        ProductSearchTerm.organization_id == organization_id, ProductSearchTerm.term == prefixes[0]
    )
    by_sku = select(Product.id).where(
        Product.organization_id == organization_id, Product.id.in_(sku_terms), func.lower(Product.sku) == term.lower()
    )
    return list(await session.scalars(union(by_barcode, by_sku)))


async def search_products(session: AsyncSession, organization_id: uuid.UUID, search: str) -> ProductSearch:
    """What a product search matches. By word prefix, from an index, when any product matches so;
    otherwise by the name containing the text (a scan, so "olat" still finds "chocolate"). The
    choice depends on the search alone, never on the page, so every page of one search agrees.

    The rest of the transaction plans each statement for its values (`plan_cache_mode`): a generic
    plan cannot tell "c" (half the shop) from "choco" (a few products), and the right join differs.
    """
    prefixes = await folded_words(session, search)
    await session.execute(text("set local plan_cache_mode = force_custom_plan"))
    exact = await _exact_matches(session, organization_id, search, prefixes)
    by_prefix = word_prefix_condition(organization_id, prefixes)
    if prefixes and await session.scalar(select(exists().where(by_prefix))):
        return ProductSearch(by_prefix, exact)
    return ProductSearch(contains_condition(search), exact)
