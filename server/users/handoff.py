"""One-time hand-over codes: how a shop that signed up on the landing site (the apex) gets its
first browser session on its own subdomain, with no token in any URL.

Registration makes a code; the browser is sent to the shop's `HANDOFF_PAGE?code=…`, whose page
posts the code to `POST /api/v1/auth/session/handoff` on the shop's host and gets the session
(`browser_session.exchange_handoff`).

Invariants:
- A code is `CODE_BYTES` random bytes (URL-safe base64). Redis keeps only its SHA-256 digest,
  under the tenant's prefix (`t:{organization_id}:handoff:{digest}`), with the user's id as the
  value, for `HANDOFF_SECONDS`.
- A code is redeemed at most once: GETDEL reads and deletes it in one atomic step, so of two
  racing exchanges exactly one wins, and a replay finds nothing.
- A code is bound to its tenant and its user: it is looked up under the prefix of the host it
  is presented on, so another shop's host never finds (nor consumes) it, and it opens a session
  only for the user it was made for.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from redis.asyncio import Redis

HANDOFF_PAGE = "/auth/handoff"
HANDOFF_SECONDS = 60
CODE_BYTES = 32
MAX_CODE_LENGTH = 128


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def code_key(organization_id: uuid.UUID, code: str) -> str:
    digest = hashlib.sha256(code.encode()).hexdigest()
    return f"t:{organization_id}:handoff:{digest}"


async def store(redis: Redis, *, organization_id: uuid.UUID, user_id: uuid.UUID, code: str) -> None:
    """Keep `code` for `HANDOFF_SECONDS`, bound to the organization and the user."""
    await redis.set(code_key(organization_id, code), str(user_id), ex=HANDOFF_SECONDS)


async def redeem(redis: Redis, *, organization_id: uuid.UUID, code: str) -> uuid.UUID | None:
    """The user a code was made for, deleting the code; None for a used, expired, malformed or
    other organization's code."""
    if not 0 < len(code) <= MAX_CODE_LENGTH:
        return None
    stored = await redis.getdel(code_key(organization_id, code))
    if stored is None:
        return None
    try:
        return uuid.UUID(stored.decode() if isinstance(stored, bytes) else str(stored))
    except ValueError:
        return None


def handoff_url(app_url: str, code: str) -> str:
    """Where the browser goes to exchange `code`: the shop's hand-over page."""
    return f"{app_url}{HANDOFF_PAGE}?code={code}"
