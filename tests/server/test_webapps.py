"""The built front ends served from a web root of fake `dist/` folders."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.core.context import Resources
from server.webapps import REPOSITORY_ROOT, inline_scripts, names_a_file, url_segments
from tests.conftest import BASE_DOMAIN, make_settings

INLINE = "window.__theme = localStorage.getItem('theme');"
SPA_PAGE = (
    "<!doctype html><html><head><script>" + INLINE + "</script>"
    '<script type="module" crossorigin src="/assets/index-B6_zUzkD.js"></script></head>'
    '<body><div id="root"></div></body></html>'
)
FILES = {
    "frontend/dist/index.html": SPA_PAGE,
    "frontend/dist/assets/index-B6_zUzkD.js": "console.log('spa')",
    "frontend/dist/assets/index-DV8f42Pm.css": "body{}",
    "frontend/dist/assets/font-x1.woff2": "wOF2",
    "frontend/dist/favicon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "frontend/dist/robots.txt": "User-agent: *",
    "frontend/dist/.well-known/security.txt": "Contact: mailto:security@example.com",
    "pwa/dist/index.html": "<!doctype html><title>POS</title>",
    "pwa/dist/assets/pos-Ab12.js": "console.log('pos')",
    "pwa/dist/sw.js": "self.addEventListener('fetch', () => {})",
    "pwa/dist/manifest.webmanifest": '{"name": "POS"}',
    "landing/dist/index.html": "<!doctype html><title>Landing</title>",
    "landing/dist/pricing/index.html": "<!doctype html><title>Pricing</title>",
    "landing/dist/about.html": "<!doctype html><title>About</title>",
    "landing/dist/404.html": "<!doctype html><title>Lost</title>",
    "landing/dist/_astro/page.Zx9.css": "h1{}",
    "secret.txt": "not for the web",
}


@pytest.fixture(scope="module")
def web_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("web")
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    os.symlink(root / "secret.txt", root / "frontend/dist/leak.txt")
    os.symlink(root, root / "frontend/dist/up")
    return root


@pytest.fixture(scope="module")
def web_app(web_root: Path, database_url: str, service_urls: tuple[str, str], resources: Resources) -> Any:
    application = create_app(make_settings(database_url, service_urls[1], web_root=str(web_root)))
    application.state.resources = resources
    return application


@pytest.fixture
async def clients(web_app: Any) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    hosts = {
        "tenant": f"http://demo.{BASE_DOMAIN}",
        "apex": f"http://{BASE_DOMAIN}",
        "www": f"http://www.{BASE_DOMAIN}",
        "address": "http://127.0.0.1:8000",
        "nested": f"http://a.b.{BASE_DOMAIN}",
    }
    opened = {
        name: httpx.AsyncClient(transport=httpx.ASGITransport(app=web_app), base_url=url) for name, url in hosts.items()
    }
    yield opened
    for client in opened.values():
        await client.aclose()


async def test_the_spa_and_its_history_routing(clients: dict[str, httpx.AsyncClient]) -> None:
    tenant = clients["tenant"]
    for path in ("/", "/index.html", "/products", "/sales/0190-abc/refunds", "/products/ABC.123", "/pos-reports"):
        response = await tenant.get(path)
        assert response.status_code == 200, path
        assert response.text == SPA_PAGE, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-content-type-options"] == "nosniff"
    policy = (await tenant.get("/")).headers["content-security-policy"]
    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    assert directives["script-src"] == "'self'"  # the page's inline script would not run: builds have none
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["img-src"] == "'self' data: blob:"
    assert directives["connect-src"] == f"'self' ws://demo.{BASE_DOMAIN} wss://demo.{BASE_DOMAIN}"
    assert directives["frame-ancestors"] == "'none'"


async def test_static_files_have_their_types_and_cache_lifetimes(clients: dict[str, httpx.AsyncClient]) -> None:
    tenant = clients["tenant"]
    expected = {
        "/assets/index-B6_zUzkD.js": ("text/javascript; charset=utf-8", "public, max-age=31536000, immutable"),
        "/assets/index-DV8f42Pm.css": ("text/css; charset=utf-8", "public, max-age=31536000, immutable"),
        "/assets/font-x1.woff2": ("font/woff2", "public, max-age=31536000, immutable"),
        "/favicon.svg": ("image/svg+xml", "public, max-age=300"),
        "/robots.txt": ("text/plain; charset=utf-8", "public, max-age=300"),
        "/.well-known/security.txt": ("text/plain; charset=utf-8", "public, max-age=300"),
        "/pos/assets/pos-Ab12.js": ("text/javascript; charset=utf-8", "public, max-age=31536000, immutable"),
        "/pos/sw.js": ("text/javascript; charset=utf-8", "no-cache"),
        "/pos/manifest.webmanifest": ("application/manifest+json", "no-cache"),
    }
    for path, (media_type, cache) in expected.items():
        response = await tenant.get(path)
        assert response.status_code == 200, path
        assert (response.headers["content-type"], response.headers["cache-control"]) == (media_type, cache), path
        assert response.headers["x-content-type-options"] == "nosniff"
        if media_type.startswith("text/javascript"):  # a worker script's policy would govern the worker
            assert "content-security-policy" not in response.headers, path
        else:
            assert response.headers["content-security-policy"].startswith("default-src 'none'"), path
        assert response.headers["etag"]


async def test_a_missing_file_is_404_never_the_page(clients: dict[str, httpx.AsyncClient]) -> None:
    for path in ("/assets/gone-123.js", "/favicon.ico", "/pos/assets/gone.css", "/data.json"):
        response = await clients["tenant"].get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/plain")
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_pos_lives_under_pos(clients: dict[str, httpx.AsyncClient]) -> None:
    tenant = clients["tenant"]
    for path in ("/pos/", "/pos/sale", "/pos/settings/device", "/pos/index.html"):
        response = await tenant.get(path)
        assert response.status_code == 200 and response.text == FILES["pwa/dist/index.html"], path
        assert response.headers["cache-control"] == "no-cache"
    redirect = await tenant.get("/pos", params={"pair": "1"})
    assert redirect.status_code == 308 and redirect.headers["location"] == "/pos/?pair=1"


async def test_the_landing_site_on_the_apex(clients: dict[str, httpx.AsyncClient]) -> None:
    for name in ("apex", "www", "address"):
        client = clients[name]
        pages = {
            "/": "Landing",
            "/pricing": "Pricing",
            "/pricing/": "Pricing",
            "/about": "About",
            "/about/": "About",
            "/index.html": "Landing",
        }
        for path, title in pages.items():
            response = await client.get(path)
            assert response.status_code == 200, (name, path)
            assert f"<title>{title}</title>" in response.text
            assert response.headers["cache-control"] == "no-cache"
            assert "content-security-policy" in response.headers
        css = await client.get("/_astro/page.Zx9.css")
        assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
        for path in ("/nowhere", "/pricing/nothing/", "/app.js"):
            missing = await client.get(path)
            assert missing.status_code == 404, (name, path)
            assert "<title>Lost</title>" in missing.text
            assert missing.headers["content-type"] == "text/html; charset=utf-8"
        assert (await client.get("/products")).status_code == 404
        assert (await client.get("/assets/index-B6_zUzkD.js")).status_code == 404


async def test_a_host_nested_under_a_tenant_is_no_site(clients: dict[str, httpx.AsyncClient]) -> None:
    assert (await clients["nested"].get("/")).status_code == 404


async def test_the_servers_own_paths_keep_their_answers(clients: dict[str, httpx.AsyncClient]) -> None:
    for client in (clients["tenant"], clients["apex"]):
        for path in ("/api/v1/nowhere", "/api", "/api/", "/api/v1/products/x.js", "/health/x", "/ws", "/metrics/x"):
            response = await client.get(path)
            assert response.status_code == 404, path
            assert response.headers["content-type"] == "application/problem+json", path
        wrong_method = await client.get("/api/v1/auth/login")
        assert wrong_method.status_code == 405
        assert (await client.get("/health")).json() == {"status": "ok"}
        assert (await client.get("/api/openapi.json")).status_code == 200
    posted = await clients["tenant"].post("/products")
    assert posted.status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/%2e%2e/secret.txt",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/pos/%2e%2e/%2e%2e/secret.txt",
        "/pos/..%2f..%2fsecret.txt",
        "/%2e/index.html",
        "/a%5c..%5c..%5csecret.txt",
        "/a%00.js",
        "/leak.txt",
        "/up/secret.txt",
        "/up/landing/dist/about.html",
    ],
)
async def test_no_path_leaves_the_dist_folder(clients: dict[str, httpx.AsyncClient], path: str) -> None:
    for name in ("tenant", "apex"):
        response = await clients[name].get(path)
        assert "not for the web" not in response.text, (name, path)
        assert response.status_code == 404, (name, path, response.status_code)


async def call(app: Any, path: str, host: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """The app's answer to a raw ASGI request (no client normalizes the path)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", host.encode())],
        "client": ("203.0.113.9", 1234),
        "server": ("testserver", 80),
    }
    messages: list[dict[str, Any]] = []
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if requested:
            return {"type": "http.disconnect"}
        requested = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(scope, receive, send)
    start = messages[0]
    headers = {key.decode(): value.decode() for key, value in start["headers"]}
    return start["status"], headers, b"".join(m.get("body", b"") for m in messages[1:])


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/assets/../../secret.txt", "//etc/passwd", "/pos/../../secret.txt"]
)
async def test_raw_dot_segments_and_absolute_paths(web_app: Any, path: str) -> None:
    status, _, body = await call(web_app, path, f"demo.{BASE_DOMAIN}")
    assert b"not for the web" not in body and b"root:" not in body
    assert status in (404, 200), status
    if status == 200:  # `//etc/passwd` is the SPA's page for its own route `/etc/passwd`
        assert body == SPA_PAGE.encode()


async def test_head_answers_headers_only(web_app: Any, clients: dict[str, httpx.AsyncClient]) -> None:
    host = f"demo.{BASE_DOMAIN}"
    for path in ("/", "/products", "/assets/index-B6_zUzkD.js", "/assets/missing.js"):
        status, headers, body = await call(web_app, path, host, "HEAD")
        get = await clients["tenant"].get(path)
        assert (status, body) == (get.status_code, b""), path
        assert headers["content-length"] == str(len(get.content)), path
        assert headers["content-type"] == get.headers["content-type"]
    status, _, body = await call(web_app, "/nowhere", BASE_DOMAIN, "HEAD")
    assert (status, body) == (404, b"")


async def test_revalidation_answers_304(clients: dict[str, httpx.AsyncClient]) -> None:
    tenant = clients["tenant"]
    first = await tenant.get("/")
    again = await tenant.get("/", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == "no-cache"
    since = await tenant.get("/favicon.svg", headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    changed = await tenant.get("/", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200


async def test_an_app_that_is_not_built_is_503_with_instructions(
    tmp_path: Path, database_url: str, service_urls: tuple[str, str]
) -> None:
    (tmp_path / "frontend/dist").mkdir(parents=True)
    app = create_app(make_settings(database_url, service_urls[1], web_root=str(tmp_path)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://demo.{BASE_DOMAIN}") as c:
        for path in ("/", "/products", "/pos/", "/assets/index.js"):
            response = await c.get(path)
            assert response.status_code == 503, path
            assert response.headers["content-type"] == "text/html; charset=utf-8"
            assert "make web" in response.text and str(tmp_path) not in response.text
            assert response.headers["cache-control"] == "no-store"
        assert "pwa/dist/" in (await c.get("/pos/")).text
    status, headers, body = await call(app, "/", f"demo.{BASE_DOMAIN}", "HEAD")
    assert (status, body) == (503, b"") and int(headers["content-length"]) > 0
    (tmp_path / "frontend/dist/index.html").write_text("<!doctype html><title>Built</title>")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://demo.{BASE_DOMAIN}") as c:
        assert (await c.get("/products")).status_code == 200


def test_the_default_web_root_is_the_repository() -> None:
    assert (REPOSITORY_ROOT / "server" / "webapps.py").is_file()
    assert make_settings("postgresql://x/y", "redis://x").web_root == ""


def test_helpers() -> None:
    assert url_segments("a//b/") == ["a", "b"]
    assert url_segments("a/../b") is None and url_segments("./a") is None and url_segments("a\\b") is None
    assert names_a_file("app.js") and names_a_file("photo.PNG") and names_a_file("site.webmanifest")
    assert not names_a_file("orders") and not names_a_file("ABC.123") and not names_a_file("john.doe")
    page = (
        '<script>a()</script><script src="/x.js"></script><script type="module">b()</script>'
        '<script type="application/json" id="m">{"a": 1}</script><script type="text/JavaScript">c()</script>'
    )
    assert inline_scripts(page) == ["a()", "b()", "c()"]
    assert inline_scripts("<p>no scripts</p>") == []


BUILT_PAGES = [
    path for app in ("frontend", "pwa", "landing") for path in sorted((REPOSITORY_ROOT / app / "dist").rglob("*.html"))
]


@pytest.mark.skipif(not BUILT_PAGES, reason="the front ends are not built (make web)")
def test_the_built_front_ends_have_no_inline_script() -> None:
    """Their pages' policy is `script-src 'self'`: an inline script in a build would not run."""
    offending = {
        str(path.relative_to(REPOSITORY_ROOT)): scripts
        for path in BUILT_PAGES
        if (scripts := inline_scripts(path.read_text(encoding="utf-8")))
    }
    assert offending == {}
    assert {path.relative_to(REPOSITORY_ROOT).parts[0] for path in BUILT_PAGES} == {"frontend", "pwa", "landing"}


async def test_the_handoff_page_is_never_cached_nor_named_in_a_referer(clients: dict[str, httpx.AsyncClient]) -> None:
    tenant = clients["tenant"]
    for path in ("/auth/handoff?code=secret", "/auth/handoff/"):
        response = await tenant.get(path)
        assert response.status_code == 200 and response.text == SPA_PAGE
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "content-security-policy" in response.headers
    etag = (await tenant.get("/auth/handoff")).headers["etag"]
    assert (await tenant.get("/auth/handoff", headers={"If-None-Match": etag})).status_code == 200
    other = await tenant.get("/products")
    assert other.headers["cache-control"] == "no-cache"
    assert other.headers["referrer-policy"] == "strict-origin-when-cross-origin"  # the default (hardening)
    landing = await clients["apex"].get("/auth/handoff")
    assert landing.status_code == 404 and landing.headers["referrer-policy"] == "strict-origin-when-cross-origin"


async def test_landing_pages_may_post_forms_that_end_on_a_shop(clients: dict[str, httpx.AsyncClient]) -> None:
    def form_action(response: httpx.Response) -> str:
        directives = dict(part.split(" ", 1) for part in response.headers["content-security-policy"].split("; "))
        return directives["form-action"]

    assert form_action(await clients["apex"].get("/")) == f"'self' http://*.{BASE_DOMAIN}"
    assert form_action(await clients["www"].get("/pricing")) == f"'self' http://*.{BASE_DOMAIN}"
    assert form_action(await clients["tenant"].get("/")) == "'self'"
