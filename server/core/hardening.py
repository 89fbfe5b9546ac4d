"""Security headers on every HTTP answer, and cross-origin access only when configured.

`SecurityHeadersMiddleware` adds to every response, unless the response set its own:

- `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`,
  `Referrer-Policy: strict-origin-when-cross-origin`, `Cross-Origin-Opener-Policy: same-origin`;
- a Content-Security-Policy: an HTML page without one (the API's docs page) gets `PAGE_POLICY`
  (scripts and styles from this origin only, never inline scripts, no framing); an answer that is
  no page and no script (JSON, problem documents, CSV, PDF, images, SVG) gets `API_POLICY`
  (`default-src 'none'`: nothing it could contain may load or run). Scripts get none, since a
  worker script's policy would govern the worker (the POS's service worker);
- `Strict-Transport-Security` only when the public site is https (`PUBLIC_SCHEME=https`) or the
  request came over https: a browser ignores it over plain HTTP, and a development host must
  never be pinned to https.

The front ends' HTML pages carry their own policy (`server.webapps.content_security_policy`):
`script-src 'self'`, no inline script (the builds have none; a test checks the built files).

CORS: with `CORS_ORIGINS` empty (the default) the API sends no CORS header, so browsers keep
pages of other origins from reading it; the front ends are same-origin. With it set, exactly
those origins may call the API from a browser, with the headers the API reads, and no cookies.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"
ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_SCRIPTS = (b"text/javascript", b"application/javascript", b"application/ecmascript", b"text/ecmascript")

CORS_HEADERS = (
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "X-Request-Id",
    "X-Tenant-Subdomain",
    "X-Device-Id",
    "X-Device-Key",
    "X-Orbit-CSRF",
)
CORS_EXPOSED = ("X-Request-Id", "Idempotent-Replayed", "Retry-After", "Content-Disposition")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = self.https or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = secured(list(message.get("headers", [])), https=https, status=message["status"])
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def secured(headers: list[tuple[bytes, bytes]], *, https: bool, status: int) -> list[tuple[bytes, bytes]]:
    """`headers` with the missing security headers added. A policy goes only on an answer with a
    body of a known type: never on a 304, whose headers a browser merges into the page it has
    cached (an API policy there would blank a cached page on its next visit)."""
    present = {name.lower() for name, _ in headers}
    added = [(name, value) for name, value in ALWAYS if name not in present]
    media_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    media_type = media_type.split(b";")[0].strip().lower()
    if b"content-security-policy" not in present and media_type and status != 304:
        if media_type == b"text/html":
            added.append((b"content-security-policy", PAGE_POLICY.encode()))
        elif media_type not in _SCRIPTS:
            added.append((b"content-security-policy", API_POLICY.encode()))
    if https and b"strict-transport-security" not in present:
        added.append((b"strict-transport-security", HSTS.encode()))
    return headers + added


def cors_middleware(origins: tuple[str, ...]) -> list[Middleware]:
    """The CORS layer for `origins`, or none at all when no origin is configured."""
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=list(CORS_HEADERS),
            expose_headers=list(CORS_EXPOSED),
            allow_credentials=False,
            max_age=600,
        )
    ]
