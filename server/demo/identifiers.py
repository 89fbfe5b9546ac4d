"""Identifiers and instants of generated rows: UUIDv7 ids stamped with their row's time, barcodes,
Chilean tax ids (RUT), and UTC microseconds."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

Array = npt.NDArray[Any]

MICROS = 1_000_000


def ean13(first_twelve: str) -> str:
    """The 13-digit EAN with its check digit."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first_twelve))
    return first_twelve + str((10 - total % 10) % 10)


def rut(number: int) -> str:
    """A Chilean RUT as printed, `12.345.678-5`, with its modulo-11 check digit."""
    total, factor, rest = 0, 2, number
    while rest:
        total += rest % 10 * factor
        rest //= 10
        factor = 2 if factor == 7 else factor + 1
    check = 11 - total % 11
    digit = {10: "K", 11: "0"}.get(check, str(check))
    return f"{number:,}".replace(",", ".") + "-" + digit


def uuid7_parts(rng: np.random.Generator, micros: Array) -> tuple[Array, Array]:
    """The two 64-bit halves of UUIDv7 values (RFC 9562 §5.7) stamped with the millisecond of
    `micros` (UTC microseconds), with their random bits from `rng`: time-ordered like
    `server.core.ids.new_id()`, yet reproducible."""
    count = len(micros)
    millis = (np.asarray(micros, dtype=np.int64) // 1000).astype(np.uint64)
    random = rng.integers(0, np.iinfo(np.uint64).max, size=(2, count), dtype=np.uint64, endpoint=True)
    high = (millis << np.uint64(16)) | np.uint64(0x7000) | (random[0] & np.uint64(0x0FFF))
    low = np.uint64(0x8000_0000_0000_0000) | (random[1] & np.uint64(0x3FFF_FFFF_FFFF_FFFF))
    return high, low


def as_uuids(high: Array, low: Array) -> Array:
    """UUID objects from their halves, as an object array (for fancy indexing)."""
    values = np.empty(len(high), dtype=object)
    values[:] = [uuid.UUID(int=(h << 64) | lo) for h, lo in zip(high.tolist(), low.tolist(), strict=True)]
    return values


def time_ordered_ids(rng: np.random.Generator, micros: Array) -> Array:
    """Deterministic UUIDv7 ids for events at `micros` (UTC microseconds), as an object array."""
    return as_uuids(*uuid7_parts(rng, micros))


def timestamps(micros: Array) -> pd.Series:
    return pd.Series(pd.to_datetime(np.asarray(micros, dtype=np.int64), unit="us", utc=True))


def micros_of(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * MICROS + delta.microseconds
