"""`Context.staged`: work done in a savepoint queues its after-commit callbacks on the request only
if the block succeeds."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from server.core.context import Actor, ActorContext, Context, Tenant

CASHIER = Actor(uuid.UUID(int=2), "cashier")
TENANT = Tenant(uuid.UUID(int=3), "acme", "Acme", "USD", "en-US", "UTC", "exclusive", False)


def context() -> ActorContext:
    return ActorContext(session=object(), resources=object(), tenant=TENANT, actor=Actor(uuid.UUID(int=1), "admin"))  # type: ignore[arg-type]


def callback(ran: list[str], name: str) -> Any:
    async def run() -> None:
        ran.append(name)

    return run


async def test_a_staged_block_that_succeeds_queues_its_callbacks_after_the_requests() -> None:
    ctx, ran = context(), []
    ctx.after_commit(callback(ran, "before"))
    with ctx.staged(actor=CASHIER) as child:
        assert isinstance(child, ActorContext) and child.tenant is TENANT
        assert child.session is ctx.session and child.actor == CASHIER and child.claim is None
        child.after_commit(callback(ran, "staged"))
        assert len(ctx.pending_after_commit) == 1, "nothing joins the request before the block ends"
    ctx.after_commit(callback(ran, "after"))
    await ctx.run_after_commit()
    assert ran == ["before", "staged", "after"]
    assert ctx.pending_after_commit == ()


async def test_a_staged_block_that_fails_drops_its_callbacks() -> None:
    ctx, ran = context(), []
    with pytest.raises(RuntimeError), ctx.staged() as child:
        assert isinstance(child, ActorContext) and child.actor == ctx.actor
        child.after_commit(callback(ran, "rolled back"))
        raise RuntimeError("the savepoint was rolled back")
    await ctx.run_after_commit()
    assert ran == []


async def test_a_context_without_an_actor_stages_one_acting_as_a_user() -> None:
    ctx = Context(session=object(), resources=object(), tenant=TENANT)  # type: ignore[arg-type]
    with ctx.staged() as same:
        assert type(same) is Context and same.actor is None
    with ctx.staged(actor=CASHIER) as acting:
        assert isinstance(acting, ActorContext) and acting.actor_id == CASHIER.user_id
