"""The built front ends, served by the Python server: no Node process runs at run time.

Each app is a Vite or Astro build in `{web root}/{app}/dist/` (`Settings.web_root`, env
`ORBIT_WEB_ROOT`; by default the repository's root):

- A tenant's host (`{sub}.BASE_DOMAIN`, or `X-Tenant-Subdomain`): `/pos/…` is `pwa/dist/`,
  every other path `frontend/dist/`; a path that is no file is the app's `index.html`
  (history routing).
- The apex (`BASE_DOMAIN`, `www.BASE_DOMAIN`) and hosts outside the base domain (`127.0.0.1`):
  `landing/dist/`, where `/x` and `/x/` are `x/index.html` or `x.html`, and a page that does not
  exist is `404.html` with status 404.

Invariants:
- The server's own paths keep their behaviour: `/api…`, `/ws`, `/health`, `/ready` and `/metrics`
  are never matched here, so an unknown `/api/…` path is still the problem+json 404.
- Only regular files inside an app's `dist/` are served: a path with a `.` or `..` segment, a
  backslash or a NUL is 404 (after percent-decoding), and a symbolic link leading out is refused.
- A path whose last segment names a file type (`.js`, `.png`, …) is never answered with a page:
  a missing script is a 404, not HTML that the browser would refuse to run.
- HTML is `Cache-Control: no-cache` (revalidated with its ETag), files under `assets/` (Vite's
  content-hashed names; Astro's `_astro/`) are immutable for a year, other files cached 5
  minutes, service-worker scripts and manifests revalidated. Every answer is `nosniff`; HTML
  carries a Content-Security-Policy that runs only this origin's scripts, never an inline one
  (the builds have none); the landing's pages may also post forms that end on a shop's host
  (the sign-up's redirect to the hand-over). The other security headers are added to every
  answer by `server.core.hardening`.
- The shop's hand-over page (`/auth/handoff`, whose URL carries a one-time code) is sent with
  `Referrer-Policy: no-referrer` and `Cache-Control: no-store`, so the code leaks neither to
  another site nor into a cache.
- An app that is not built answers 503 with a page saying how to build it (`make web`); `dist/`
  is looked up per request, so a fresh build is served without a restart.
"""

from __future__ import annotations

import mimetypes
import os
import re
import stat
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.staticfiles import NotModifiedResponse
from starlette.types import Receive, Scope, Send

from server.core.config import Settings
from server.core.errors import NotFound
from server.core.metrics import declare_route_path
from server.tenancy.service import host_name, requested_subdomain
from server.users.handoff import HANDOFF_PAGE

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
SERVER_PREFIXES = ("/api", "/ws", "/health", "/ready", "/metrics")
POS_PREFIX = "pos"
HASHED_FOLDERS = frozenset({"assets", "_astro"})
ALWAYS_REVALIDATED = frozenset({"sw.js", "service-worker.js", "registerSW.js", "manifest.json"})

HTML_CACHE = "no-cache"
HASHED_CACHE = "public, max-age=31536000, immutable"
STATIC_CACHE = "public, max-age=300"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
}

# Pages whose URL carries a secret: never cached, never named in a Referer.
PRIVATE_PAGES = frozenset({HANDOFF_PAGE.strip("/")})
PRIVATE_PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}

# A Host header safe to repeat inside the policy (anything else is left out of it).
_PLAIN_HOST = re.compile(r"[a-z0-9.-]+(:[0-9]{1,5})?", re.IGNORECASE)

Site = Literal["tenant", "landing", "none"]


@dataclass(frozen=True, slots=True)
class WebApp:
    folder: str
    title: str
    history_routing: bool
    """True for the single-page apps (unknown pages are their `index.html`); False for the
    landing site (pages are files; unknown pages are `404.html`)."""


FRONTEND = WebApp("frontend", "shop's web app", history_routing=True)
POS = WebApp("pwa", "point of sale", history_routing=True)
LANDING = WebApp("landing", "landing site", history_routing=False)


@dataclass(frozen=True, slots=True)
class Found:
    path: Path
    stat: os.stat_result
    relative: tuple[str, ...]

    @property
    def is_html(self) -> bool:
        return self.path.suffix.lower() == ".html"


@dataclass(frozen=True, slots=True)
class Located:
    """What a path resolves to: a file to serve with `status`, or nothing (`found` None)."""

    built: bool
    found: Found | None = None
    status: int = 200


# What a `<script type>` may be and still run (no type, or a JavaScript one); anything else
# (`application/json`, `application/ld+json`) is data the page reads, never run.
_SCRIPT_TYPES = frozenset({"", "module", "text/javascript", "application/javascript", "text/ecmascript"})


class _InlineScripts(HTMLParser):
    """Collects the text of every `<script>` element without `src` that a browser would run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        if tag == "script" and "src" not in values and values.get("type", "").strip().lower() in _SCRIPT_TYPES:
            self._current = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.scripts.append("".join(self._current))
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)


def inline_scripts(html: str) -> list[str]:
    """The inline scripts a browser would run in a page (none in our builds: the policy
    refuses them, and `tests/server/test_webapps.py` checks the built pages)."""
    parser = _InlineScripts()
    parser.feed(html)
    parser.close()
    return parser.scripts


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


# What a front end's build may hold besides `CONTENT_TYPES`; a last segment with any other
# suffix (`/products/ABC.123`, `/users/ana.diaz`) is a page of the app, not a file.
OTHER_FILE_SUFFIXES = frozenset({".mp4", ".webm", ".mp3", ".ogg", ".wav", ".zip", ".gz", ".br", ".csv", ".bmp"})


def names_a_file(segment: str) -> bool:
    """Whether a URL's last segment names a file type (`app.js`), not a page (`orders`, `a.b`)."""
    suffix = Path(segment).suffix.lower()
    return suffix in CONTENT_TYPES or suffix in OTHER_FILE_SUFFIXES


def url_segments(relative: str) -> list[str] | None:
    """The segments of a decoded URL path, or None when it could step outside (`..`, `.`, `\\`, NUL)."""
    if "\\" in relative or "\x00" in relative:
        return None
    segments = [segment for segment in relative.split("/") if segment]
    if any(segment in (".", "..") for segment in segments):
        return None
    return segments


def cache_policy(found: Found) -> str:
    if found.is_html or found.path.name in ALWAYS_REVALIDATED or found.path.suffix == ".webmanifest":
        return HTML_CACHE
    if len(found.relative) > 1 and found.relative[0] in HASHED_FOLDERS:
        return HASHED_CACHE
    return STATIC_CACHE


def shops_under(host: str | None, scheme: str) -> tuple[str, ...]:
    """The CSP source of every shop under the apex `host` (`http://*.example.com:8000`): where the
    landing's sign-up form lands, through the server's redirect to the new shop's hand-over
    (browsers apply `form-action` to the redirect's target too)."""
    if not host or not _PLAIN_HOST.fullmatch(host):
        return ()
    apex = host.lower().removeprefix("www.")
    return (f"{scheme}://*.{apex}",)


def content_security_policy(host: str | None, form_targets: tuple[str, ...] = ()) -> str:
    """A front end's page policy: this origin's scripts only (no inline script, no `eval`), its
    WebSocket, inline styles (the UI libraries set style attributes), no framing."""
    connect = ["'self'"]
    if host and _PLAIN_HOST.fullmatch(host):
        connect += [f"ws://{host}", f"wss://{host}"]
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src " + " ".join(connect),
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action " + " ".join(["'self'", *form_targets]),
            "frame-ancestors 'none'",
        ]
    )


class _Page(Response):
    """A small answer of its own (not a file) that sends only its headers to HEAD."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await super().__call__(scope, receive, send)


NOSNIFF = {"X-Content-Type-Options": "nosniff"}
_NOT_BUILT = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not built yet — OrbitEngine</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>The {title} is not built yet</h1>
<p>This server serves the built front end from <code>{folder}/dist/</code>, which is missing.
Build the front ends with <code>make web</code>, then reload this page.</p>
</body>
</html>
"""


def not_built(app: WebApp) -> Response:
    page = _NOT_BUILT.format(title=app.title, folder=app.folder)
    return _Page(page, status_code=503, media_type="text/html", headers={**NOSNIFF, "Cache-Control": "no-store"})


def not_found() -> Response:
    return _Page(
        "Not found\n", status_code=404, media_type="text/plain", headers={**NOSNIFF, "Cache-Control": HTML_CACHE}
    )


def web_root(settings: Settings) -> Path:
    """The folder holding each app's `{folder}/dist/`."""
    return Path(settings.web_root).resolve() if settings.web_root else REPOSITORY_ROOT


class WebApps:
    """Serves the three apps from one web root (see the module's docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.root = web_root(settings)
        self.scheme = settings.public_scheme
        self.base_domain = settings.base_domain.lower()

    def site(self, request: Request) -> Site:
        """Which site a request's host addresses. A host under the base domain that is no single
        label (`a.b.{base}`) is none; a host outside it (an address, `localhost`) is the landing site."""
        host = request.headers.get("host")
        hostname = host_name(host)
        if hostname in (self.base_domain, "www." + self.base_domain):
            return "landing"
        try:
            requested_subdomain(host, request.headers.get("x-tenant-subdomain"), self.base_domain)
        except NotFound:
            return "none" if hostname.endswith("." + self.base_domain) else "landing"
        return "tenant"

    async def serve(self, request: Request) -> Response:
        site = self.site(request)
        if site == "none":
            return not_found()
        relative: str = request.path_params["path"]
        app = LANDING
        if site == "tenant":
            app = FRONTEND
            if relative == POS_PREFIX:
                query = request.url.query
                return RedirectResponse(f"/{POS_PREFIX}/" + (f"?{query}" if query else ""), status_code=308)
            if relative.startswith(POS_PREFIX + "/"):
                app, relative = POS, relative[len(POS_PREFIX) + 1 :]
        located = await anyio.to_thread.run_sync(self.locate, app, relative)
        if not located.built:
            return not_built(app)
        if located.found is None:
            return not_found()
        private = app is FRONTEND and relative.strip("/") in PRIVATE_PAGES
        return self.respond(request, located.found, located.status, private=private, landing=app is LANDING)

    def respond(
        self, request: Request, found: Found, status: int, *, private: bool = False, landing: bool = False
    ) -> Response:
        headers = {**NOSNIFF, "Cache-Control": cache_policy(found)}
        if found.is_html:
            host = request.headers.get("host")
            form_targets = shops_under(host, self.scheme) if landing else ()
            headers["Content-Security-Policy"] = content_security_policy(host, form_targets)
        if private:
            headers.update(PRIVATE_PAGE_HEADERS)
        response = FileResponse(
            found.path,
            status_code=status,
            headers=headers,
            media_type=content_type(found.path.name),
            stat_result=found.stat,
        )
        if status == 200 and not private and _not_modified(response, request):
            return NotModifiedResponse(response.headers)
        return response

    # Looking files up (in a worker thread: it touches the disk)

    def locate(self, app: WebApp, relative: str) -> Located:
        dist = self.root / app.folder / "dist"
        if not (dist / "index.html").is_file():
            return Located(built=False)
        base = dist.resolve()
        segments = url_segments(relative)
        if segments is None:
            return Located(built=True)
        for candidate in self._candidates(app, segments, trailing_slash=relative.endswith("/")):
            found = self._file(base, candidate)
            if found is not None:
                return Located(built=True, found=found)
        if app.history_routing:
            if segments and names_a_file(segments[-1]):
                return Located(built=True)
            return Located(built=True, found=self._file(base, ["index.html"]))
        return Located(built=True, found=self._file(base, ["404.html"]), status=404)

    @staticmethod
    def _candidates(app: WebApp, segments: list[str], *, trailing_slash: bool) -> list[list[str]]:
        if not segments:
            return [["index.html"]]
        if app.history_routing:
            return [segments]
        *folder, last = segments
        pages = [[*segments, "index.html"], [*folder, last + ".html"]]
        return pages if trailing_slash else [segments, *pages]

    def _file(self, base: Path, segments: list[str]) -> Found | None:
        try:
            path = base.joinpath(*segments).resolve(strict=True)
            status = path.stat()
        except (OSError, RuntimeError, ValueError):
            return None
        if not path.is_relative_to(base) or not stat.S_ISREG(status.st_mode):
            return None
        return Found(path=path, stat=status, relative=tuple(path.relative_to(base).parts))


def _not_modified(response: Response, request: Request) -> bool:
    """The request's validators match the file (If-None-Match wins over If-Modified-Since)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or response.headers["etag"] in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        return parsedate_to_datetime(if_modified_since) >= parsedate_to_datetime(response.headers["last-modified"])
    except (TypeError, ValueError):
        return False


class _WebRoute(Route):
    """Matches every GET/HEAD path except the server's own (`SERVER_PREFIXES`), which keep
    their answers, 404 and 405 included."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and _is_server_path(scope["path"]):
            return Match.NONE, {}
        return super().matches(scope)


def _is_server_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in SERVER_PREFIXES)


def webapp_routes(settings: Settings) -> list[BaseRoute]:
    """The catch-all route of the front ends; it goes after every other route."""
    apps = WebApps(settings)

    async def web_app(request: Request) -> Response:
        return await apps.serve(request)

    declare_route_path(web_app, "/{web path}")
    return [_WebRoute("/{path:path}", web_app, methods=["GET", "HEAD"], name="web_app")]
