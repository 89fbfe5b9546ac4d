"""The objects a service receives: who the tenant is, who is acting, and the open transaction.

A `Context` is made only by the API edge (`server.core.api`) or by trusted entry points
(CLI, workers) after they have resolved the tenant; services never build one from user input.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import uuid
from collections.abc import Awaitable, Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession

from server.core.idempotency_claim import Claim

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from server.core.config import Settings
    from server.core.db import Database


@dataclass(frozen=True, slots=True)
class Tenant:
    id: uuid.UUID
    subdomain: str
    name: str
    currency: str
    locale: str
    time_zone: str
    tax_mode: str
    allow_negative_stock: bool


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated user (None for anonymous calls such as login)."""

    user_id: uuid.UUID
    role: str


@dataclass(slots=True)
class Resources:
    """Process-wide handles shared by every request."""

    settings: Settings
    database: Database
    redis: Redis


logger = logging.getLogger("orbit.context")

AfterCommit = Callable[[], Awaitable[None]]


@runtime_checkable
class RunsTogether(Protocol):
    """An after-commit callback that can also run in one go with its queued neighbours of the
    same `batch_key` (the event publisher sends a request's events in one Redis round trip).
    `run_together` receives the whole run, in queue order, and returns one failure or None per
    callback; it must not raise for the failure of a single one."""

    @property
    def batch_key(self) -> Hashable: ...

    async def __call__(self) -> None: ...

    async def run_together(self, run: Sequence[Any]) -> Sequence[BaseException | None]: ...


@dataclass(slots=True)
class Context:
    session: AsyncSession
    resources: Resources
    tenant: Tenant | None = None
    actor: Actor | None = None
    ip: str | None = None
    user_agent: str | None = None
    claim: Claim | None = None
    """The idempotency key an idempotent request holds; a handler may store the response itself
    (`idempotency.response_insert`) and mark it `stored`."""
    _after_commit: list[AfterCommit] = field(default_factory=list)

    @property
    def organization_id(self) -> uuid.UUID:
        assert self.tenant is not None, "tenant-scoped service called without a tenant"
        return self.tenant.id

    @property
    def actor_id(self) -> uuid.UUID | None:
        return self.actor.user_id if self.actor else None

    def after_commit(self, callback: AfterCommit) -> None:
        """Run `callback` once the transaction has committed (events, jobs); never on rollback."""
        self._after_commit.append(callback)

    @property
    def pending_after_commit(self) -> tuple[AfterCommit, ...]:
        """The callbacks queued so far, in queue order (for inspection; nothing runs them)."""
        return tuple(self._after_commit)

    @contextlib.contextmanager
    def staged(self, *, actor: Actor | None = None) -> Iterator[Context]:
        """A context for the same transaction and tenant, acting as `actor` (default: the same
        actor) and holding no idempotency claim, whose after-commit callbacks join this context's
        queue only when the block ends without an exception. Wrap a savepoint whose writes may
        be rolled back, so that their events are dropped with them."""
        child = Context(
            session=self.session,
            resources=self.resources,
            tenant=self.tenant,
            actor=self.actor if actor is None else actor,
            ip=self.ip,
            user_agent=self.user_agent,
        )
        yield child
        self._after_commit.extend(child._after_commit)

    async def run_after_commit(self) -> None:
        """Run the queued callbacks in queue order. Consecutive callbacks with the same
        `batch_key` (`RunsTogether`) run in one go, still in order. The transaction is already
        committed, so a failing callback is logged and does not turn a done request into an
        error, nor stop the callbacks after it."""
        callbacks, self._after_commit = self._after_commit, []
        for _, group in itertools.groupby(callbacks, key=_batch_key):
            run = list(group)
            if len(run) == 1:
                try:
                    await run[0]()
                except Exception:
                    logger.exception("after-commit callback %r failed", run[0])
                continue
            first = run[0]
            assert isinstance(first, RunsTogether)
            try:
                failures = await first.run_together(run)
            except Exception:
                logger.exception("after-commit run of %d callbacks (%r…) failed", len(run), first)
                continue
            for callback, failure in zip(run, failures, strict=True):
                if failure is not None:
                    logger.error("after-commit callback %r failed", callback, exc_info=failure)


def _batch_key(callback: AfterCommit) -> Hashable:
    """The callback's `batch_key`, or a key equal to no other for a callback that runs alone."""
    key = getattr(callback, "batch_key", None)
    return object() if key is None else key
