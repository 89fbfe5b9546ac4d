"""The garbage collector's settings of a process that holds thousands of sockets."""

from __future__ import annotations

import gc

YOUNG_COLLECTION_THRESHOLD = 10_000
"""Allocations between two collections of the youngest generation (Python's default is 700)."""


def settle_collector() -> None:
    """Keep the garbage collector's pauses short in a process that holds thousands of sockets.

    A full collection walks every tracked object, about 150 per socket (the ASGI call chain of
    each open WebSocket included): some 0.5 s of stalled event loop with 5,000 sockets, which
    every socket's latency then carries. Two settings make full collections rare and smaller
    (docs/benchmarks/ws-fanout.md has the measurements):

    - what exists when the hub starts (modules, the application, its pools) lives as long as the
      process: it is collected once and frozen out of every later collection (`gc.freeze`);
    - the youngest generation is collected every `YOUNG_COLLECTION_THRESHOLD` allocations, so that
      the short-lived objects of deliveries and requests die before a collection promotes them;
      fewer promotions mean fewer full collections.
    """
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, oldest)
