"""The idempotency key a request holds, as the request's `Context` carries it.

Its own module so that `server.core.context` can name it without importing the module that
takes and stores keys (`server.core.idempotency`, which works on a `Context`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Claim:
    """A key this request holds (under a transaction-scoped advisory lock) until it commits.

    `status` is the endpoint's success status. A handler whose own statement stores the response
    (`idempotency.response_insert`) sets `stored`, and the edge then stores nothing more."""

    key: str
    endpoint: str
    fingerprint: bytes
    status: int = 200
    stored: bool = False
