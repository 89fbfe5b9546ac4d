from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.core.api import ADMINS, ANY_ROLE, PUBLIC, Router
from server.core.context import Context
from server.tenancy import service, signup_form
from server.tenancy.schemas import (
    OrganizationRead,
    OrganizationUpdate,
    RegistrationRequest,
    RegistrationResult,
    SubdomainAvailability,
    SubdomainQuery,
)

router = Router(tags=["organizations"])


@router.post(
    "/api/v1/auth/register",
    access=PUBLIC,
    body=RegistrationRequest,
    response=RegistrationResult,
    status=201,
    responses={409: "The email or the wanted subdomain is taken", 429: "Too many sign-ups from this address"},
)
async def register(ctx: Context, body: RegistrationRequest) -> RegistrationResult:
    """Register an organization and its admin; answer with tokens and the new app URL."""
    return await service.register_organization(ctx, body)


@router.post(
    "/signup",
    access=PUBLIC,
    status=303,
    produces=(),
    max_body=64 * 1024,
    responses={
        403: "Posted from another site's page (`csrf`)",
        415: "Not a form post (`application/x-www-form-urlencoded`)",
    },
)
async def register_from_form(ctx: Context, request: Request) -> Response:
    """The landing's sign-up form posted without JavaScript (`application/x-www-form-urlencoded`).

    Fields as `POST /api/v1/auth/register`, plus `language` (`es` or `en`). Registered: 303 to the
    new shop's hand-over URL. Refused: the sign-up page again (HTML) with the refusal's status
    (422, 409, 429), what was typed (never the password) and each message at its field."""
    return await signup_form.submit(ctx, request)


@router.get("/api/v1/subdomains/check", access=PUBLIC, query=SubdomainQuery, response=SubdomainAvailability)
async def check_subdomain(ctx: Context, query: SubdomainQuery) -> SubdomainAvailability:
    """Tell whether a subdomain can be registered (for the sign-up form)."""
    return await service.check_subdomain(ctx.session, query.name)


@router.get("/api/v1/organization", access=ANY_ROLE, response=OrganizationRead)
async def read_organization(ctx: Context) -> OrganizationRead:
    """The signed-in user's organization and its settings."""
    return await service.read_organization(ctx)


@router.patch(
    "/api/v1/organization",
    access=ADMINS,
    body=OrganizationUpdate,
    response=OrganizationRead,
    responses={409: "The currency can't change once sales are recorded (`currency_locked`)"},
)
async def update_organization(ctx: Context, body: OrganizationUpdate) -> OrganizationRead:
    """Change the organization's name, currency, locale, time zone, tax mode or negative-stock rule.

    Fields left out stay as they are. The currency can change only until the first sale."""
    return await service.update_organization(ctx, body)
