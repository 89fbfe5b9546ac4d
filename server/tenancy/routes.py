from __future__ import annotations

from server.core.api import ADMINS, ANY_ROLE, PUBLIC, Router
from server.core.context import Context
from server.tenancy import service
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
