from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response

from server.core.api import ADMINS, ANY_ROLE, MANAGERS, TENANT_PUBLIC, Parameter, Router
from server.core.context import ActorContext, Context
from server.core.errors import problem_response
from server.core.pagination import Page
from server.tenancy import service as tenancy
from server.tenancy.schemas import MeRead
from server.users import browser_session, service
from server.users.schemas import (
    HandoffExchange,
    LoginRequest,
    PersonRead,
    PinSet,
    RefreshRequest,
    SessionRead,
    TokenPair,
    UserCreate,
    UserPinSet,
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
        return problem_response(service.refresh_reused())
    return outcome


@router.post("/api/v1/auth/logout", access=TENANT_PUBLIC, body=RefreshRequest, status=204)
async def logout(ctx: Context, body: RefreshRequest) -> None:
    """End the session of a refresh token."""
    await service.logout(ctx, body.refresh_token)


# Browser sessions: the refresh token travels only in the `orbit_refresh` cookie.

SESSION_COOKIE = Parameter(
    browser_session.COOKIE_NAME,
    "cookie",
    f"The refresh token, set by the session endpoints (HttpOnly, SameSite=Strict, Path={browser_session.COOKIE_PATH}).",
)
CSRF = Parameter(
    browser_session.CSRF_HEADER,
    "header",
    "Must be `1`. With `Origin` (when sent) equal to the request's own origin and `Sec-Fetch-Site` "
    "(when sent) `same-origin`, it shows the request comes from the app's own pages.",
    required=True,
    schema={"type": "string", "enum": ["1"]},
)


@router.post(
    "/api/v1/auth/session",
    access=TENANT_PUBLIC,
    body=LoginRequest,
    response=SessionRead,
    responses={401: "Wrong credentials or inactive account", 429: "Too many attempts"},
)
async def open_browser_session(ctx: Context, body: LoginRequest) -> Response:
    """Sign in a browser: the access token in the body, the refresh token in a cookie.

    Sets `orbit_refresh` (HttpOnly, SameSite=Strict, host-only, Path=/api/v1/auth/session,
    Secure under https, Max-Age the refresh token's lifetime). Same limits as `/auth/login`."""
    return await browser_session.open_session(ctx, body)


@router.post(
    "/api/v1/auth/session/refresh",
    access=TENANT_PUBLIC,
    response=SessionRead,
    parameters=(SESSION_COOKIE, CSRF),
    responses={
        401: "No session cookie (`session_missing`), or its token is invalid, expired, revoked or reused "
        "(`refresh_reused`); the cookie is cleared",
        403: "The CSRF checks failed (`csrf`)",
    },
)
async def refresh_browser_session(ctx: Context, request: Request) -> Response:
    """Rotate the session cookie's refresh token and answer a new access token.

    The old token stops working; presenting it again revokes every session of its family."""
    return await browser_session.refresh_session(ctx, request)


@router.post(
    "/api/v1/auth/session/logout",
    access=TENANT_PUBLIC,
    status=204,
    parameters=(SESSION_COOKIE, CSRF),
    responses={403: "The CSRF checks failed (`csrf`)"},
)
async def close_browser_session(ctx: Context, request: Request) -> Response:
    """Sign a browser out: revoke the session cookie's refresh token and clear the cookie."""
    return await browser_session.close_session(ctx, request)


@router.post(
    "/api/v1/auth/session/handoff",
    access=TENANT_PUBLIC,
    body=HandoffExchange,
    response=SessionRead,
    parameters=(CSRF,),
    responses={
        401: "The code was already used, has expired, or belongs to another organization (`handoff_invalid`)",
        403: "The CSRF checks failed (`csrf`)",
    },
)
async def exchange_handoff(ctx: Context, request: Request, body: HandoffExchange) -> Response:
    """Sign a browser in with the one-time hand-over code of a registration.

    Registration (`POST /api/v1/auth/register`, or the sign-up form) answers a `handoff_url` on
    the new shop's host with a code valid once, for about a minute. The shop's page exchanges it
    here: the answer is that of `POST /api/v1/auth/session` (access token in the body, refresh
    token in the `orbit_refresh` cookie)."""
    return await browser_session.exchange_handoff(ctx, request, body.code)


@router.get("/api/v1/me", access=ANY_ROLE, response=MeRead)
async def me(ctx: ActorContext) -> MeRead:
    """The signed-in user and their organization."""
    return MeRead(
        user=await service.read_user(ctx, ctx.actor.user_id), organization=await tenancy.read_organization(ctx)
    )


@router.get("/api/v1/people", access=MANAGERS, response=list[PersonRead])
async def list_people(ctx: ActorContext) -> list[PersonRead]:
    """The organization's people by name and role (no emails), for naming cashiers and actors."""
    return await service.list_people(ctx)


@router.get("/api/v1/users", access=ADMINS, query=UserQuery, response=Page[UserRead])
async def list_users(ctx: ActorContext, query: UserQuery) -> Page[UserRead]:
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
async def create_user(ctx: ActorContext, body: UserCreate) -> UserRead:
    """Add a user with a role."""
    return await service.create_user(ctx, body)


@router.get("/api/v1/users/{user_id:uuid}", access=ADMINS, response=UserRead)
async def read_user(ctx: ActorContext, user_id: uuid.UUID) -> UserRead:
    """One user."""
    return await service.read_user(ctx, user_id)


@router.patch(
    "/api/v1/users/{user_id:uuid}",
    access=ADMINS,
    body=UserUpdate,
    response=UserRead,
    responses={409: "The change would leave no active admin"},
)
async def update_user(ctx: ActorContext, user_id: uuid.UUID, body: UserUpdate) -> UserRead:
    """Rename, change the role, reset the password, or (de)activate a user."""
    return await service.update_user(ctx, user_id, body)


@router.put(
    "/api/v1/me/pin",
    access=ANY_ROLE,
    body=PinSet,
    status=204,
    responses={422: "Wrong password (`bad_credentials` at `body.password`), or a PIN not 4–8 digits or too guessable"},
)
async def set_pin(ctx: ActorContext, body: PinSet) -> None:
    """Set the PIN that unlocks the point of sale offline (4–8 digits; the password confirms it).

    A wrong password is a 422 on the body's `password` field, not a 401: the caller's session is
    valid, and a 401 would make the client refresh its token and retry as if it were not."""
    await service.set_offline_pin(ctx, pin=body.pin, password=body.password)


@router.put(
    "/api/v1/users/{user_id:uuid}/pin",
    access=ADMINS,
    body=UserPinSet,
    status=204,
    responses={422: "Not 4–8 digits, or too guessable (`weak_pin`)"},
)
async def set_user_pin(ctx: ActorContext, user_id: uuid.UUID, body: UserPinSet) -> None:
    """Set a user's point-of-sale unlock PIN (4–8 digits), for instance a cashier who forgot theirs.

    The registers get the new unlock data on their next catalog pull."""
    await service.set_user_pin(ctx, user_id, body.pin)
