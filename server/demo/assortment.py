"""The shape of the demo shop's assortment: an aisle (a category with its demand profile: weekly
and yearly seasonality, lead time, basket size) holds families of products (names × sizes)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Family:
    names: tuple[str, ...]
    sizes: tuple[tuple[str, float], ...]
    price: float
    season: tuple[int, float] | None
    in_store: bool | None
    appeal: float


def family(
    names: str,
    sizes: str,
    price: float,
    *,
    season: tuple[int, float] | None = None,
    in_store: bool | None = None,
    appeal: float = 1.0,
) -> Family:
    """`names` (best sellers first) and `sizes` are `|`-separated; a size is `label:price factor`.
    `appeal` scales the family's demand against the rest of its aisle."""
    parsed = tuple((label, float(factor)) for label, factor in (size.rsplit(":", 1) for size in sizes.split("|")))
    return Family(tuple(names.split("|")), parsed, price, season, in_store, appeal)


WEEKEND = (0.8, 0.78, 0.82, 0.92, 1.3, 1.62, 0.98)
EVERY_DAY = (1.0, 0.96, 0.96, 1.0, 1.06, 1.14, 0.88)
HOUSEHOLD = (1.05, 0.98, 0.95, 0.96, 1.02, 1.22, 0.82)
SUMMER = 20
WINTER = 195


@dataclass(frozen=True, slots=True)
class Aisle:
    name: str
    parent: str | None
    code: str
    group: str
    share: float
    popularity: float
    week: tuple[float, ...]
    season: tuple[int, float]
    lead_time: tuple[int, int]
    basket: float
    families: tuple[Family, ...]
    in_store: bool = False
    perishable: bool = False
