"""The demo shop's catalog: products drawn from the aisles, with barcodes, SKUs, shelf prices and
demand parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from server.demo.aisles import AISLES, PARENTS
from server.demo.identifiers import ean13

Array = npt.NDArray[Any]


def shelf_prices(amount: Array, minor_units: int) -> Array:
    """Round CLP-scale amounts to shelf prices in minor units: `…90` pesos for a currency without
    minor units (1.290, 12.990), `….x9` otherwise (1,290 pesos ≈ 1.29)."""
    if minor_units == 0:
        step = np.where(amount >= 10_000, 1000, np.where(amount >= 300, 100, 10))
        price = np.maximum(np.floor(amount / step + 0.5), 1) * step
        return np.where(step == 10, price, price - 10).astype(np.int64)
    scale = 10**minor_units
    step = scale // 10
    rounded: Array = np.maximum(np.floor(amount / 1000 * scale / step + 0.5), 1) * step - 1
    return np.maximum(rounded, 1).astype(np.int64)


@dataclass(frozen=True, slots=True)
class Catalog:
    category_names: list[str]
    category_parents: list[int | None]
    category: Array  # per product: index into category_names
    aisle: Array  # per product: index into AISLES
    name: list[str]
    sku: list[str]
    barcode: list[str]
    base_price: Array  # CLP-scale, before rounding
    appeal: Array
    season_peak: Array
    season_amplitude: Array


class Offer(NamedTuple):
    name: str
    price: float
    appeal: float
    season: tuple[int, float]
    in_store: bool


def build_catalog(rng: np.random.Generator, count: int) -> Catalog:
    """Pick `count` products across the aisles in proportion to their shares, the more appealing
    first (staples are nearly always stocked). Appeal falls with the brand's rank in its family
    and with the pack size. Draws from `rng` in this order, which is part of the seed: the
    aisles' races, the barcodes, then prices, season peaks and amplitudes."""
    chosen = _choose(_ranked_offers(rng), count)
    category_names = list(PARENTS)
    category_parents: list[int | None] = [None] * len(PARENTS)
    category_names.extend(spec.name for spec in AISLES)
    category_parents.extend(None if spec.parent is None else category_names.index(spec.parent) for spec in AISLES)

    total = sum(len(items) for items in chosen)
    manufacturer = rng.choice(10**9, size=total, replace=False)
    in_store_codes = rng.choice(10**10, size=total, replace=False)
    names: list[str] = []
    skus: list[str] = []
    barcodes: list[str] = []
    aisle_of: list[int] = []
    picked: list[Offer] = []
    for aisle_index, items in enumerate(chosen):
        for number, offer in enumerate(sorted(items), start=1):
            serial = len(names)
            names.append(offer.name)
            skus.append(f"{AISLES[aisle_index].code}-{number:04d}")
            barcodes.append(
                ean13(f"20{in_store_codes[serial]:010d}") if offer.in_store else ean13(f"780{manufacturer[serial]:09d}")
            )
            aisle_of.append(aisle_index)
            picked.append(offer)
    aisles = np.array(aisle_of, dtype=np.int64)
    return Catalog(
        category_names=category_names,
        category_parents=category_parents,
        category=aisles + len(PARENTS),
        aisle=aisles,
        name=names,
        sku=skus,
        barcode=barcodes,
        base_price=np.array([offer.price for offer in picked]) * rng.uniform(0.88, 1.12, size=total),
        appeal=np.array([offer.appeal for offer in picked]),
        season_peak=np.array([offer.season[0] for offer in picked], dtype=np.int64) + rng.integers(-12, 13, size=total),
        season_amplitude=np.array([offer.season[1] for offer in picked]) * rng.uniform(0.8, 1.1, size=total),
    )


def _ranked_offers(rng: np.random.Generator) -> list[list[Offer]]:
    """Every aisle's offers (each brand of each family in each size), in the order a weighted
    race by appeal puts them."""
    offers: list[list[Offer]] = []
    for aisle in AISLES:
        items = [
            Offer(
                name=f"{name} {label}".strip(),
                price=family.price * factor,
                appeal=family.appeal * (rank + 1) ** -0.5 * factor**-0.7,
                season=family.season or aisle.season,
                in_store=aisle.in_store if family.in_store is None else family.in_store,
            )
            for family in aisle.families
            for rank, name in enumerate(family.names)
            for label, factor in family.sizes
        ]
        race = rng.exponential(size=len(items)) / np.array([item.appeal for item in items])
        offers.append([items[index] for index in np.argsort(race, kind="stable")])
    return offers


def _choose(offers: list[list[Offer]], count: int) -> list[list[Offer]]:
    """`count` offers in all: each aisle's first ones in proportion to its share (at least one
    each when there is room), the largest aisles' next ones when an aisle runs out, and
    multipacks of the first offers when every aisle has run out."""
    shares = np.array([aisle.share for aisle in AISLES], dtype=float)
    wanted = np.floor(shares / shares.sum() * count).astype(np.int64)
    if count >= len(AISLES):
        wanted = np.maximum(wanted, 1)
    for index in np.argsort(-shares, kind="stable"):
        if wanted.sum() >= count:
            break
        wanted[index] += 1
    while wanted.sum() > count:
        wanted[int(np.argmax(wanted))] -= 1
    chosen = [items[:wanted_here] for items, wanted_here in zip(offers, wanted.tolist(), strict=True)]
    spare = count - sum(len(items) for items in chosen)
    for index in np.argsort(-shares, kind="stable").tolist():
        extra = offers[index][len(chosen[index]) : len(chosen[index]) + spare]
        chosen[index].extend(extra)
        spare -= len(extra)
    pack = 2
    while spare > 0:
        for index in range(len(AISLES)):
            for offer in offers[index][:spare]:
                chosen[index].append(
                    offer._replace(
                        name=f"{offer.name} pack {pack}", price=offer.price * pack * 0.95, appeal=offer.appeal / pack
                    )
                )
                spare -= 1
        pack += 1
    return chosen
