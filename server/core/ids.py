"""Identifiers: time-ordered UUIDs (version 7), so new rows land at the right edge of B-tree indexes.

Within one process the ids are strictly increasing (RFC 9562 §6.2, method 1: the 12 bits after
the millisecond timestamp count ids made in the same millisecond), so ordering rows by id
follows the order in which this process created them.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_millisecond = 0
_counter = 0
_COUNTER_MAX = (1 << 12) - 1


def uuid7_from(millisecond: int, counter: int, random_bits: int) -> uuid.UUID:
    value = (millisecond & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (counter & _COUNTER_MAX) << 64
    value |= 0x2 << 62
    value |= random_bits & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def new_id() -> uuid.UUID:
    """A fresh UUIDv7, greater than every id this process made before."""
    global _last_millisecond, _counter
    with _lock:
        millisecond = time.time_ns() // 1_000_000
        if millisecond > _last_millisecond:
            _last_millisecond, _counter = millisecond, int.from_bytes(os.urandom(1), "big")
        else:
            _counter += 1
            if _counter > _COUNTER_MAX:
                _last_millisecond, _counter = _last_millisecond + 1, 0
        return uuid7_from(_last_millisecond, _counter, int.from_bytes(os.urandom(8), "big"))
