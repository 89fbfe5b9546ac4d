"""Which host names the proxy may get a TLS certificate for: the `ask` of Caddy's on-demand TLS.

A shop's certificate is issued the first time its host is visited (docs/operations.md, "TLS").
Before it asks a certificate authority, the proxy asks the servers
`GET /internal/tls/ask?domain=<host>`: 200 lets it go ahead; any other status refuses.

Invariants:
- 200 only for the apex, `www.` + the apex, and `<subdomain>.` + the apex where the subdomain is
  an active organization's; every other name (an unknown or inactive shop, a deeper name, another
  domain, an IP address) is refused with 404, so nobody can make the proxy ask for certificates
  of names we do not serve and spend the authority's rate limits.
- The endpoint is rate limited per caller (`ASKS_PER_MINUTE`, 429 past it): a flood of TLS
  handshakes with made-up names costs at most that many database lookups a minute. Names that
  already have a certificate are never asked about again.
- It is internal: the proxy calls the servers directly and refuses `/internal/*` from outside.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.core import ratelimit
from server.core.config import Settings
from server.core.context import Resources
from server.core.errors import BadRequest, NotFound
from server.tenancy.service import subdomain_of_host

ASK_PATH = "/internal/tls/ask"
ASKS_PER_MINUTE = 120
LONGEST_NAME = 253


def certificate_subdomain(name: str, settings: Settings) -> str | None:
    """What a host name is to us: "" for the apex (and `www.`), the shop's subdomain for a shop's
    host, None for a name we never serve."""
    name = name.strip().lower().removesuffix(".")
    base = settings.base_domain.lower()
    if name in (base, f"www.{base}"):
        return ""
    return subdomain_of_host(name, base) or None


async def may_have_certificate(session: AsyncSession, settings: Settings, name: str) -> bool:
    """Whether the proxy may obtain a certificate for the host `name`."""
    if len(name) > LONGEST_NAME:
        return False
    subdomain = certificate_subdomain(name, settings)
    if subdomain is None:
        return False
    if subdomain == "":
        return True
    found = await session.execute(
        text("select 1 from organizations where subdomain = :subdomain and is_active"), {"subdomain": subdomain}
    )
    return found.first() is not None


async def ask(request: Request) -> Response:
    """Caddy's `ask`: 200 when the proxy may get a certificate for `domain`, 404 when not."""
    resources: Resources = request.app.state.resources
    name = request.query_params.get("domain", "")
    if not name:
        raise BadRequest("the query parameter `domain` is required", code="domain_required")
    caller = request.client.host if request.client else "unknown"
    await ratelimit.enforce(
        resources.redis,
        ratelimit.limit_key("global", "tls-ask", caller),
        limit=ASKS_PER_MINUTE,
        window_seconds=60,
        what="certificate asks",
    )
    async with resources.database.transaction() as session:
        allowed = await may_have_certificate(session, resources.settings, name)
    if not allowed:
        raise NotFound("no shop is served at this name", code="unknown_host")
    return JSONResponse({"domain": name.strip().lower().removesuffix("."), "allowed": True})


def certificate_routes() -> list[Route]:
    return [Route(ASK_PATH, ask, methods=["GET"])]
