"""The objects a service receives: who the tenant is, who is acting, and the open transaction.

A `Context` is made only by the API edge (`server.core.api`) or by trusted entry points
(CLI, workers) after they have resolved the tenant; services never build one from user input.

A `TenantContext` is a `Context` whose tenant is resolved, and an `ActorContext` a
`TenantContext` whose acting user is known too: the edge makes one only once it has resolved the
tenant (and verified the request's access token for it), trusted entry points only for a tenant
and user they have looked up (a device's cashier settling its offline documents). A service that
reads the tenant takes a `TenantContext`, one that records who did something an `ActorContext`,
so neither can be called without them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import logging
import uuid
from collections.abc import Awaitable, Callable, Hashable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self, TypeVar, overload, runtime_checkable

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
    tax_mode: Literal["inclusive", "exclusive"]
    allow_negative_stock: bool


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated user: who does what a request asks."""

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
StagedContext = TypeVar("StagedContext", bound="Context")


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
    """The open transaction and whatever is known of who asks: the tenant and the acting user
    are None until resolved (an anonymous or not tenant-scoped endpoint, a worker before it
    enters a tenant). Services that need them take a `TenantContext` or an `ActorContext`."""

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
    def tenant_or_fail(self) -> Tenant:
        """The tenant; a tenant-scoped service called without one is a programming error."""
        assert self.tenant is not None, "tenant-scoped service called without a tenant"
        return self.tenant

    @property
    def organization_id(self) -> uuid.UUID:
        return self.tenant_or_fail.id

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

    @overload
    def staged(self, *, actor: Actor) -> AbstractContextManager[ActorContext]: ...
    @overload
    def staged(self, *, actor: None = None) -> AbstractContextManager[Self]: ...

    def staged(self, *, actor: Actor | None = None) -> AbstractContextManager[Context]:
        """A context for the same transaction and tenant, acting as `actor` (an `ActorContext`;
        default: the same actor, and the same type of context) and holding no idempotency claim,
        whose after-commit callbacks join this context's queue only when the block ends without an
        exception. Wrap a savepoint whose writes may be rolled back, so that their events are
        dropped with them."""
        if actor is None:
            return self._joining(dataclasses.replace(self, claim=None, _after_commit=[]))
        return self._joining(
            ActorContext(
                session=self.session,
                resources=self.resources,
                tenant=self.tenant_or_fail,
                actor=actor,
                ip=self.ip,
                user_agent=self.user_agent,
            )
        )

    @contextlib.contextmanager
    def _joining(self, child: StagedContext) -> Iterator[StagedContext]:
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


@dataclass(slots=True)
class TenantContext(Context):
    """A `Context` with a resolved tenant, for services that read the tenant's settings (its time
    zone, tax mode, subdomain). Made by the API edge for every tenant-scoped endpoint
    (`server.core.api`)."""

    tenant: Tenant


@dataclass(slots=True)
class ActorContext(TenantContext):
    """A `TenantContext` with an authenticated user, for services that act on someone's behalf
    (sales, shifts, refunds, idempotency keys). Made by the API edge only after the access token
    was verified for the tenant and the endpoint's roles (`server.core.api`), or by a trusted
    entry point for a user it looked up (`Context.staged(actor=...)`)."""

    actor: Actor

    @property
    def actor_id(self) -> uuid.UUID:
        return self.actor.user_id


def _batch_key(callback: AfterCommit) -> Hashable:
    """The callback's `batch_key`, or a key equal to no other for a callback that runs alone."""
    key = getattr(callback, "batch_key", None)
    return object() if key is None else key
