"""Browser sessions: the token flow of `service` with the refresh token in a cookie.

The SPA and the POS keep the access token in memory and never see the refresh token: it lives
in the `orbit_refresh` cookie, which scripts cannot read and which the browser sends only to
`/api/v1/auth/session…` of the very host that set it, and never with a cross-site request.

Invariants:
- The cookie is HttpOnly, SameSite=Strict, Path=`COOKIE_PATH`, host-only (no Domain: one shop's
  cookie never reaches another subdomain), Secure when the public scheme is https, and lives as
  long as the refresh token (`refresh_token_seconds`, renewed by every rotation).
- Rotation, reuse detection and revocation are the JSON flow's (`service.refresh`,
  `service.logout`). A refresh token is bound to its organization, so a cookie presented on
  another tenant's host is unknown there (401).
- A request that spends the cookie (refresh, sign-out) shows that it comes from the app's own
  pages: it carries `X-Orbit-CSRF: 1` (a cross-site form cannot send a header, and a cross-site
  script cannot without a CORS preflight, which this server never grants); its `Origin`, when
  the browser sends one, is the request's own origin; its `Sec-Fetch-Site`, when sent, is
  `same-origin`. Otherwise 403 `csrf`, and the cookie is left alone.
- Every 401 of these endpoints clears the cookie, so a browser stops presenting a dead token,
  except the hand-over's: a spent hand-over code says nothing about the cookie the browser holds.
- The hand-over exchange (`exchange_handoff`) passes the same CSRF checks, so another site
  cannot sign a browser in to a shop of its choosing.
- No answer of theirs is stored by a cache (`Cache-Control: no-store`): they carry tokens.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from server.core.config import Settings
from server.core.context import Context
from server.core.errors import Forbidden, Unauthorized, problem_response
from server.core.schemas import encode_json
from server.users import handoff, service
from server.users.schemas import LoginRequest, SessionRead, TokenPair

COOKIE_NAME = "orbit_refresh"
COOKIE_PATH = "/api/v1/auth/session"
CSRF_HEADER = "X-Orbit-CSRF"
MAX_TOKEN_LENGTH = 512
_DEFAULT_PORTS = {"http": 80, "https": 443}
NO_STORE = {"Cache-Control": "no-store"}


def _origin(url: str) -> tuple[str, str, int] | None:
    """`(scheme, host, port)` of an origin, the port made explicit; None when malformed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None
    return parts.scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[parts.scheme]


def check_same_origin(request: Request, settings: Settings) -> None:
    """Refuse (403 `csrf`) a request that may come from another site's page."""
    if request.headers.get(CSRF_HEADER) != "1":
        raise Forbidden(f"the {CSRF_HEADER}: 1 header is required", code="csrf")
    check_sent_from_own_site(request, settings)


def check_sent_from_own_site(request: Request, settings: Settings) -> None:
    """Refuse (403 `csrf`) a request whose `Origin` or `Sec-Fetch-Site`, when the browser sends
    them, shows it comes from another site's page (the check a plain HTML form post can pass)."""
    origin = request.headers.get("origin")
    if origin is not None:
        own = _origin(f"{settings.public_scheme}://{request.headers.get('host', '')}")
        if own is None or _origin(origin) != own:
            raise Forbidden("the request comes from another origin", code="csrf")
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site != "same-origin":
        raise Forbidden("the request comes from another site", code="csrf")


def presented_token(request: Request) -> str | None:
    token = request.cookies.get(COOKIE_NAME, "")
    return token if 0 < len(token) <= MAX_TOKEN_LENGTH else None


def _set_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=settings.refresh_token_seconds,
        path=COOKIE_PATH,
        secure=settings.public_scheme == "https",
        httponly=True,
        samesite="strict",
    )


def _clear_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE_NAME, path=COOKIE_PATH, secure=settings.public_scheme == "https", httponly=True, samesite="strict"
    )


def _session(settings: Settings, pair: TokenPair) -> Response:
    body = SessionRead(
        access_token=pair.access_token, token_type=pair.token_type, expires_in=pair.expires_in, user=pair.user
    )
    response = Response(encode_json(body), media_type="application/json", headers=NO_STORE)
    _set_cookie(response, settings, pair.refresh_token)
    return response


def _refused(settings: Settings, error: Unauthorized) -> Response:
    response = problem_response(error)
    response.headers.update(NO_STORE)
    _clear_cookie(response, settings)
    return response


async def open_session(ctx: Context, credentials: LoginRequest) -> Response:
    """Sign in (under the login limits) and answer the access token, with the refresh token
    in the cookie."""
    return _session(ctx.resources.settings, await service.login(ctx, credentials))


async def refresh_session(ctx: Context, request: Request) -> Response:
    """Rotate the cookie's refresh token. A rotated token presented again revokes its family
    (401 `refresh_reused`); the revocation commits even though the answer is an error."""
    settings = ctx.resources.settings
    check_same_origin(request, settings)
    token = presented_token(request)
    if token is None:
        return _refused(settings, Unauthorized("there is no session cookie; sign in", code="session_missing"))
    try:
        outcome = await service.refresh(ctx, token)
    except Unauthorized as error:
        return _refused(settings, error)
    if isinstance(outcome, service.RefreshReuse):
        return _refused(settings, service.refresh_reused())
    return _session(settings, outcome)


async def close_session(ctx: Context, request: Request) -> Response:
    """Revoke the cookie's session, if there is one, and clear the cookie (idempotent)."""
    settings = ctx.resources.settings
    check_same_origin(request, settings)
    token = presented_token(request)
    if token is not None:
        await service.logout(ctx, token)
    response = Response(status_code=204, headers=NO_STORE)
    _clear_cookie(response, settings)
    return response


def handoff_refused() -> Unauthorized:
    return Unauthorized(
        "this sign-up link was already used, has expired or belongs to another shop; sign in instead",
        code="handoff_invalid",
    )


async def exchange_handoff(ctx: Context, request: Request, code: str) -> Response:
    """Redeem a one-time hand-over code (`handoff`) for a session of the user it was made for:
    the access token in the body, the refresh token in the cookie. A used, expired or other
    shop's code is 401 `handoff_invalid`."""
    settings = ctx.resources.settings
    check_same_origin(request, settings)
    user_id = await handoff.redeem(ctx.resources.redis, organization_id=ctx.organization_id, code=code)
    pair = None if user_id is None else await service.start_handoff_session(ctx, user_id)
    if pair is None:
        response = problem_response(handoff_refused())
        response.headers.update(NO_STORE)
        return response
    return _session(settings, pair)
