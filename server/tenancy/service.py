"""Organizations: sign-up, subdomains, and resolving the tenant of a request.

Invariants:
- A subdomain is a single DNS label of 3–63 characters (lower-case letters, digits, inner
  hyphens), unique, and never one of `RESERVED_SUBDOMAINS`.
- Registration creates the organization and its first admin in one transaction: either both
  exist afterwards or neither does. Its one-time hand-over code (`users.handoff`) is stored
  only once that transaction has committed.
- The tenant of a request comes from the Host's subdomain of BASE_DOMAIN, or from
  `X-Tenant-Subdomain`; when both are present they must agree. Unknown or inactive → 404.
  It is read afresh by every request (no process caches it), so a settings change applies to
  the next request of every server process.
- Money is stored in minor units of the organization's currency, so the currency can change
  only while the organization has no sale; the subdomain never changes.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from zoneinfo import available_timezones

import msgspec
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from server.audit import service as audit
from server.core import idempotency, ratelimit
from server.core.context import Context, Resources, Tenant
from server.core.db import Statement, enter_tenant, unique_or_conflict
from server.core.errors import BadRequest, Conflict, FieldError, NotFound, ValidationFailed
from server.core.ids import new_id
from server.core.money import is_currency, minor_units
from server.sales.models import Sale
from server.tenancy.models import Organization
from server.tenancy.schemas import (
    OrganizationRead,
    OrganizationUpdate,
    RegistrationRequest,
    RegistrationResult,
    SubdomainAvailability,
)
from server.users import handoff
from server.users import service as users
from server.users.passwords import check_password_strength

RESERVED_SUBDOMAINS = frozenset(
    """
    www api app apps admin administrator root system internal auth login logout signin signup register
    account accounts billing pay payments checkout static assets cdn media files img images docs doc help
    support status health metrics ws wss socket realtime sync pos mail email smtp imap pop ftp sftp ssh
    vpn dns ns ns1 ns2 mx blog news shop store dashboard console portal dev test testing staging stage
    prod production beta demo-admin localhost orbit orbitengine security abuse postmaster hostmaster
    webmaster null undefined
    """.split()
)
SUBDOMAIN_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
SLUG_MAX = 40
_TIME_ZONES = frozenset(available_timezones())


def subdomain_problem(subdomain: str) -> str | None:
    """Why `subdomain` can't be registered, or None when its form is acceptable."""
    if not SUBDOMAIN_PATTERN.match(subdomain):
        return "use 3 to 63 lower-case letters, digits and inner hyphens"
    if "--" in subdomain:
        return "consecutive hyphens are not allowed"
    if subdomain in RESERVED_SUBDOMAINS:
        return "this name is reserved"
    return None


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


async def _taken_subdomains(session: AsyncSession, base: str) -> set[str]:
    rows = await session.scalars(
        select(Organization.subdomain).where(
            (Organization.subdomain == base) | Organization.subdomain.op("~")(f"^{re.escape(base)}-[0-9]+$")
        )
    )
    return set(rows)


async def derive_subdomain(session: AsyncSession, company_name: str) -> str:
    """The company's slug, or slug-2, slug-3, … when taken; reserved or too-short slugs are numbered too."""
    base = slugify(company_name)
    if len(base) < 3:
        base = (base + "-shop").strip("-") if base else "shop"
    taken = await _taken_subdomains(session, base)
    if base not in taken and subdomain_problem(base) is None:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def to_read(organization: Organization) -> OrganizationRead:
    return OrganizationRead(
        id=organization.id,
        name=organization.name,
        subdomain=organization.subdomain,
        currency=organization.currency,
        currency_minor_units=minor_units(organization.currency),
        locale=organization.locale,
        time_zone=organization.time_zone,
        tax_mode=organization.tax_mode,
        allow_negative_stock=organization.allow_negative_stock,
        tax_id=organization.tax_id,
        address=organization.address,
    )


def tenant_of(organization: Organization) -> Tenant:
    return Tenant(
        id=organization.id,
        subdomain=organization.subdomain,
        name=organization.name,
        currency=organization.currency,
        locale=organization.locale,
        time_zone=organization.time_zone,
        tax_mode=organization.tax_mode,
        allow_negative_stock=organization.allow_negative_stock,
    )


def _field(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(loc=["body", name], msg=message)])


async def check_subdomain(session: AsyncSession, subdomain: str) -> SubdomainAvailability:
    subdomain = subdomain.strip().lower()
    problem = subdomain_problem(subdomain)
    if problem is None and await session.scalar(select(Organization.id).where(Organization.subdomain == subdomain)):
        problem = "this subdomain is taken"
    return SubdomainAvailability(subdomain=subdomain, available=problem is None, reason=problem)


def _registration_names(data: RegistrationRequest) -> tuple[str, str]:
    """The company's and the admin's names, spaces collapsed, once the request's fields hold up:
    the names, the currency, the time zone and the password's strength (422 otherwise)."""
    company_name = " ".join(data.company_name.split())
    admin_name = " ".join(data.admin_name.split())
    if len(company_name) < 2:
        raise _field("company_name", "a company name needs at least 2 characters")
    if not admin_name:
        raise _field("admin_name", "a name is required")
    if not is_currency(data.currency):
        raise _field("currency", "not an ISO 4217 currency code")
    if data.time_zone not in _TIME_ZONES:
        raise _field("time_zone", "not an IANA time zone such as America/Santiago")
    check_password_strength(data.password, email=data.email, names=(admin_name, company_name))
    return company_name, admin_name


def _wanted_subdomain(data: RegistrationRequest) -> str:
    """The subdomain the request asks for ("" to derive one from the company's name); 422 on a bad form."""
    if data.subdomain is None:
        return ""
    wanted = data.subdomain.strip().lower()
    problem = subdomain_problem(wanted)
    if problem:
        raise _field("subdomain", problem)
    return wanted


async def _add_organization(ctx: Context, data: RegistrationRequest, company_name: str, wanted: str) -> Organization:
    """Insert the organization under `wanted`, or under a derived subdomain, retried when a
    concurrent sign-up took it first. A wanted subdomain that is taken is a 409 at once."""
    for _attempt in range(5):
        subdomain = wanted or await derive_subdomain(ctx.session, company_name)
        now = datetime.now(UTC)
        organization = Organization(
            id=new_id(),
            name=company_name,
            subdomain=subdomain,
            currency=data.currency,
            locale=data.locale,
            time_zone=data.time_zone,
            tax_mode="inclusive",
            allow_negative_stock=False,
            is_active=True,
            created_at=now,
            updated_at=now,
        )
        try:
            async with unique_or_conflict(ctx.session, {}):
                ctx.session.add(organization)
            return organization
        except IntegrityError:
            if wanted:
                raise Conflict(
                    "this subdomain is taken",
                    code="subdomain_taken",
                    errors=[FieldError(loc=["body", "subdomain"], msg="this subdomain is taken")],
                ) from None
    raise Conflict("could not find a free subdomain; choose one", code="subdomain_taken")


async def register_organization(ctx: Context, data: RegistrationRequest) -> RegistrationResult:
    """Create an organization, its admin and a signed-in session, all or nothing.

    The request is checked before anything is written: its fields, the sign-up rate of the
    caller's address, the subdomain's form and the email's being free, in that order."""
    company_name, admin_name = _registration_names(data)
    settings = ctx.resources.settings
    await ratelimit.enforce(
        ctx.resources.redis,
        ratelimit.limit_key("global", "register-ip", ctx.ip or "unknown"),
        limit=settings.registrations_per_ip,
        window_seconds=3600,
        what="sign-ups from this address",
    )
    wanted = _wanted_subdomain(data)
    if await users.email_taken(ctx, data.email):
        message = "this email already has an account; sign in at your organization's address"
        raise Conflict(message, code="email_taken", errors=[FieldError(loc=["body", "email"], msg=message)])

    organization = await _add_organization(ctx, data, company_name, wanted)
    await enter_tenant(ctx.session, organization.id)
    ctx.tenant = tenant_of(organization)
    admin = await users.add_user(ctx, email=data.email, full_name=admin_name, role="admin", password=data.password)
    await audit.record(
        ctx,
        action="organization.created",
        entity="organization",
        entity_id=organization.id,
        after=to_read(organization),
    )
    tokens = await users.start_session(ctx, admin)
    code = handoff.new_code()

    async def keep_handoff_code() -> None:
        await handoff.store(ctx.resources.redis, organization_id=organization.id, user_id=admin.id, code=code)

    ctx.after_commit(keep_handoff_code)
    app_url = settings.app_url(organization.subdomain)
    return RegistrationResult(
        organization=to_read(organization),
        subdomain=organization.subdomain,
        app_url=app_url,
        tokens=tokens,
        handoff_url=handoff.handoff_url(app_url, code),
        handoff_expires_in=handoff.HANDOFF_SECONDS,
    )


def host_name(host: str | None) -> str:
    """The name of a Host header, lower case, without its port ("" for none or an IPv6 literal)."""
    return host.strip().lower().rsplit(":", 1)[0] if host and not host.startswith("[") else ""


def subdomain_of_host(hostname: str, base_domain: str) -> str | None:
    """The label in front of `.{base_domain}`: None when the host is not under the base domain,
    "" when there is no single label there (`a.b.{base_domain}`), which is no tenant's."""
    suffix = "." + base_domain.lower()
    if not hostname.endswith(suffix):
        return None
    label = hostname[: -len(suffix)]
    return label if label and "." not in label else ""


def requested_subdomain(host: str | None, header: str | None, base_domain: str) -> str:
    """The subdomain a request addresses; raises 400 on disagreement and 404 when there is none."""
    from_host = subdomain_of_host(host_name(host), base_domain)
    from_header = header.strip().lower() if header else None
    if from_host == "":
        raise NotFound("unknown organization", code="unknown_tenant")
    if from_host and from_header and from_host != from_header:
        raise BadRequest("X-Tenant-Subdomain does not match the host", code="tenant_mismatch")
    subdomain = from_host or from_header
    if not subdomain:
        raise NotFound("no organization in the request's host", code="unknown_tenant")
    return subdomain


_TENANT_COLUMNS = (
    "select id, subdomain, name, currency, locale, time_zone, tax_mode, allow_negative_stock, "
    "set_config('app.org_id', id::text, true)"
)
_TENANT_WHERE = " from organizations where subdomain = :subdomain and is_active"
_RESOLVE = Statement(_TENANT_COLUMNS + _TENANT_WHERE)
_RESOLVE_AND_PROBE = Statement(_TENANT_COLUMNS + ", " + idempotency.LOCK_AND_LOOKUP + _TENANT_WHERE)


async def resolve_tenant(
    session: AsyncSession, request: Request, resources: Resources, probe: idempotency.Probe | None = None
) -> Tenant:
    """Find the request's organization and scope the open transaction to it (one round trip).
    With a `probe`, the same statement takes the idempotency key's lock and looks it up, and
    fills the probe in (only for a known tenant)."""
    subdomain = requested_subdomain(
        request.headers.get("host"), request.headers.get("x-tenant-subdomain"), resources.settings.base_domain
    )
    if probe is None:
        rows = await _RESOLVE.fetch(session, {"subdomain": subdomain})
    else:
        rows = await _RESOLVE_AND_PROBE.fetch(
            session,
            {
                "subdomain": subdomain,
                "lock": probe.lock,
                "organization_id": probe.organization_id,
                "user_id": probe.user_id,
                "key": probe.key,
            },
        )
    if not rows:
        raise NotFound("unknown organization", code="unknown_tenant")
    row = rows[0]
    if probe is not None:
        probe.locked = row["locked"]
        probe.stored = row["stored"]
    session.info["organization_id"] = row["id"]
    return Tenant(
        id=row["id"],
        subdomain=row["subdomain"],
        name=row["name"],
        currency=row["currency"],
        locale=row["locale"],
        time_zone=row["time_zone"],
        tax_mode=row["tax_mode"],
        allow_negative_stock=row["allow_negative_stock"],
    )


async def get_organization(ctx: Context) -> Organization:
    organization = await ctx.session.get(Organization, ctx.organization_id)
    if organization is None:
        raise NotFound("unknown organization", code="unknown_tenant")
    return organization


async def read_organization(ctx: Context) -> OrganizationRead:
    return to_read(await get_organization(ctx))


SETTINGS_FIELDS = ("name", "currency", "locale", "time_zone", "tax_mode", "allow_negative_stock", "tax_id", "address")


def settings_view(organization: Organization) -> dict[str, object]:
    return {name: getattr(organization, name) for name in SETTINGS_FIELDS}


async def update_organization(ctx: Context, data: OrganizationUpdate) -> OrganizationRead:
    """Change the organization's name and settings, audited with before and after.

    The registers learn the new settings from their next catalog pull, which carries them."""
    organization = await ctx.session.get(Organization, ctx.organization_id, with_for_update=True)
    if organization is None:
        raise NotFound("unknown organization", code="unknown_tenant")
    before = settings_view(organization)
    changes = {name: value for name, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
    if "name" in changes:
        changes["name"] = " ".join(str(changes["name"]).split())
        if len(changes["name"]) < 2:
            raise _field("name", "a company name needs at least 2 characters")
    if "currency" in changes:
        if not is_currency(str(changes["currency"])):
            raise _field("currency", "not an ISO 4217 currency code")
        if changes["currency"] != organization.currency and await ctx.session.scalar(
            select(exists().where(Sale.organization_id == ctx.organization_id))
        ):
            raise Conflict(
                "the currency can't change once sales are recorded: their amounts are in its minor units",
                code="currency_locked",
                errors=[FieldError(loc=["body", "currency"], msg="sales are recorded in the current currency")],
            )
    for name in ("tax_id", "address"):
        if name in changes:
            changes[name] = " ".join(str(changes[name]).split())
    if "time_zone" in changes and changes["time_zone"] not in _TIME_ZONES:
        raise _field("time_zone", "not an IANA time zone such as America/Santiago")
    for name, value in changes.items():
        setattr(organization, name, value)
    after = settings_view(organization)
    if after != before:
        organization.updated_at = datetime.now(UTC)
        await audit.record(
            ctx,
            action="organization.updated",
            entity="organization",
            entity_id=organization.id,
            before=before,
            after=after,
        )
    await ctx.session.flush()
    return to_read(organization)
