from __future__ import annotations

import uuid

from starlette.responses import Response

from server.core.api import ADMINS, ANY_ROLE, TENANT_PUBLIC, Router
from server.core.context import Context
from server.core.errors import Unauthorized, problem_response
from server.core.pagination import Page
from server.tenancy import service as tenancy
from server.tenancy.schemas import MeRead
from server.users import service
from server.users.schemas import (
    LoginRequest,
    PinSet,
    RefreshRequest,
    TokenPair,
    UserCreate,
    UserQuery,
    UserRead,
    UserUpdate,
)

router = Router(tags=["auth", "users"])


@router.post(
    "/api/v1/auth/login",
    access=TENANT_PUBLIC,
    body=LoginRequest,
    response=TokenPair,
    responses={401: "Wrong credentials or inactive account", 429: "Too many attempts"},
)
async def login(ctx: Context, body: LoginRequest) -> TokenPair:
    """Sign in to the organization of the host with email and password."""
    return await service.login(ctx, body)


@router.post(
    "/api/v1/auth/refresh",
    access=TENANT_PUBLIC,
    body=RefreshRequest,
    response=TokenPair,
    responses={401: "The refresh token is invalid, expired, revoked or reused"},
)
async def refresh(ctx: Context, body: RefreshRequest) -> TokenPair | Response:
    """Exchange a refresh token for a new pair; the old refresh token stops working."""
    outcome = await service.refresh(ctx, body.refresh_token)
    if isinstance(outcome, service.RefreshReuse):
        return problem_response(
            Unauthorized(
                "this refresh token was already used; every session of its family is revoked", code="refresh_reused"
            )
        )
    return outcome


@router.post("/api/v1/auth/logout", access=TENANT_PUBLIC, body=RefreshRequest, status=204)
async def logout(ctx: Context, body: RefreshRequest) -> None:
    """End the session of a refresh token."""
    await service.logout(ctx, body.refresh_token)


@router.get("/api/v1/me", access=ANY_ROLE, response=MeRead)
async def me(ctx: Context) -> MeRead:
    """The signed-in user and their organization."""
    assert ctx.actor is not None
    return MeRead(
        user=await service.read_user(ctx, ctx.actor.user_id), organization=await tenancy.read_organization(ctx)
    )


@router.get("/api/v1/users", access=ADMINS, query=UserQuery, response=Page[UserRead])
async def list_users(ctx: Context, query: UserQuery) -> Page[UserRead]:
    """List the organization's users."""
    return await service.list_users(ctx, query)


@router.post(
    "/api/v1/users",
    access=ADMINS,
    body=UserCreate,
    response=UserRead,
    status=201,
    responses={409: "The email already has an account"},
)
async def create_user(ctx: Context, body: UserCreate) -> UserRead:
    """Add a user with a role."""
    return await service.create_user(ctx, body)


@router.get("/api/v1/users/{user_id:uuid}", access=ADMINS, response=UserRead)
async def read_user(ctx: Context, user_id: uuid.UUID) -> UserRead:
    """One user."""
    return await service.read_user(ctx, user_id)


@router.patch(
    "/api/v1/users/{user_id:uuid}",
    access=ADMINS,
    body=UserUpdate,
    response=UserRead,
    responses={409: "The change would leave no active admin"},
)
async def update_user(ctx: Context, user_id: uuid.UUID, body: UserUpdate) -> UserRead:
    """Rename, change the role, reset the password, or (de)activate a user."""
    return await service.update_user(ctx, user_id, body)


@router.put("/api/v1/me/pin", access=ANY_ROLE, body=PinSet, status=204, responses={401: "Wrong password"})
async def set_pin(ctx: Context, body: PinSet) -> None:
    """Set the PIN that unlocks the point of sale offline (4–8 digits; the password confirms it)."""
    await service.set_offline_pin(ctx, pin=body.pin, password=body.password)
