"""The sign-up form posted without JavaScript: 303 to the new shop's hand-over, or the landing's
own sign-up page again with the values and the messages at their fields."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import text

from server.app import close_resources, create_app, open_resources
from server.core.context import Resources
from server.tenancy.signup_form import Refusal, fill_form
from tests.conftest import BASE_DOMAIN, STRONG_PASSWORD, Api, make_settings

MESSAGES = (
    '{"messages": {"this subdomain is taken": "este subdominio ya está en uso"},'
    ' "fields": {"email": "Escribe un correo válido", "company_name": "Escribe el nombre de tu empresa",'
    ' "admin_name": "Escribe tu nombre", "password": "Elige una contraseña"},'
    ' "codes": {"rate_limited": "Demasiados registros desde esta conexión"},'
    ' "form": "Revisa los campos marcados."}'
)


def signup_page(language: str) -> str:
    return f"""<!doctype html>
<html lang="{language}"><head><meta charset="utf-8"><title>Crea tu tienda &amp; vende</title>
<script type="application/json" id="signup-messages">{MESSAGES}</script>
<script type="module" src="/_astro/signup.Ab12.js"></script></head>
<body><!-- the form --><form method="post" action="/signup" novalidate>
<input type="hidden" name="language" value="{language}">
<div data-form-error role="alert" hidden></div>
<label for="company_name">Empresa</label><input id="company_name" name="company_name" required>
<p id="company_name-error" data-error-for="company_name" hidden></p>
<input id="subdomain" name="subdomain" aria-describedby="subdomain-error">
<p id="subdomain-error" data-error-for="subdomain" hidden></p>
<input id="admin_name" name="admin_name"><p data-error-for="admin_name" hidden></p>
<input id="email" type="email" name="email"><p data-error-for="email" hidden></p>
<input id="password" type="password" name="password"><p data-error-for="password" hidden></p>
<select name="currency"><option value="USD" selected>USD</option><option value="CLP">CLP &#8212; peso</option></select>
<select name="locale"><option value="es-CL" selected>es-CL</option><option value="en-US">en-US</option></select>
<input name="time_zone" value="America/Santiago"><p data-error-for="time_zone" hidden></p>
<button>Crear</button></form></body></html>
"""


@pytest.fixture(scope="module")
def web_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("web")
    for language, path in (("es", "sign-up/index.html"), ("en", "en/sign-up/index.html")):
        page = root / "landing" / "dist" / path
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(signup_page(language), encoding="utf-8")
    (root / "landing" / "dist" / "index.html").write_text("<!doctype html><title>Home</title>")
    return root


@asynccontextmanager
async def app_with(database_url: str, redis_url: str, **settings: Any) -> AsyncIterator[Any]:
    """The app with its own settings (and so its own resources, which the handlers read)."""
    configured = make_settings(database_url, redis_url, **settings)
    application = create_app(configured)
    application.state.resources = open_resources(configured)
    try:
        yield application
    finally:
        await close_resources(application.state.resources)


@pytest.fixture(scope="module")
async def form_app(web_root: Path, database_url: str, service_urls: tuple[str, str]) -> AsyncIterator[Any]:
    async with app_with(database_url, service_urls[1], web_root=str(web_root)) as application:
        yield application


@pytest.fixture
async def apex(form_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    address = f"198.51.100.{random.randint(1, 254)}"
    transport = httpx.ASGITransport(app=form_app, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{BASE_DOMAIN}") as client:
        yield client


def form(**fields: str) -> dict[str, str]:
    return {
        "language": "es",
        "company_name": f"Almacén {uuid.uuid4().hex[:6]}",
        "subdomain": "",
        "admin_name": "Pía Soto",
        "email": f"pia-{uuid.uuid4().hex[:8]}@example.com",
        "password": STRONG_PASSWORD,
        "currency": "CLP",
        "locale": "es-CL",
        "time_zone": "America/Santiago",
        **fields,
    }


async def organizations_named(owner_engine: Any, name: str) -> int:
    async with owner_engine.connect() as connection:
        query = text("select count(*) from organizations where name = :name")
        return int((await connection.execute(query, {"name": name})).scalar_one())


async def test_a_posted_form_registers_and_goes_to_the_handoff(apex: httpx.AsyncClient, api: Api) -> None:
    wanted = f"form-{uuid.uuid4().hex[:8]}"
    response = await apex.post("/signup", data=form(subdomain=wanted))
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    assert (location.scheme, location.netloc, location.path) == (
        "http",
        f"{wanted}.{BASE_DOMAIN}:8000",
        "/auth/handoff",
    )
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    code = parse_qs(location.query)["code"][0]
    session = await api.client(wanted).post(
        "/api/v1/auth/session/handoff", headers={"X-Orbit-CSRF": "1"}, json={"code": code}
    )
    assert session.status_code == 200, session.text
    assert session.json()["user"]["role"] == "admin"


async def test_a_refusal_is_the_page_again_with_values_and_messages(
    apex: httpx.AsyncClient, api: Api, owner_engine: Any
) -> None:
    taken = (await api.register()).subdomain
    fields = form(company_name='Tienda "Ñandú" & <Co>', subdomain=taken, password="a secret to never echo")
    response = await apex.post("/signup", data=fields)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert "script-src 'self';" in response.headers["content-security-policy"]
    assert f"form-action 'self' http://*.{BASE_DOMAIN};" in response.headers["content-security-policy"]
    page = response.text
    assert '<p id="subdomain-error" data-error-for="subdomain">este subdominio ya está en uso</p>' in page
    assert (
        '<input id="subdomain" name="subdomain" aria-describedby="subdomain-error" '
        f'aria-invalid="true" value="{taken}">' in page
    )
    assert 'value="Tienda &quot;Ñandú&quot; &amp; &lt;Co&gt;"' in page
    assert "a secret to never echo" not in page
    assert '<option value="CLP" selected>CLP &#8212; peso</option>' in page
    assert '<option value="USD">USD</option>' in page
    assert '<div data-form-error role="alert">Revisa los campos marcados.</div>' in page
    assert "<title>Crea tu tienda &amp; vende</title>" in page
    assert await organizations_named(owner_engine, fields["company_name"]) == 0


async def test_every_missing_field_is_named_in_the_pages_language(apex: httpx.AsyncClient) -> None:
    response = await apex.post("/signup", data=form(company_name=" ", admin_name="", email="", password=""))
    assert response.status_code == 422
    for name, message in [
        ("company_name", "Escribe el nombre de tu empresa"),
        ("admin_name", "Escribe tu nombre"),
        ("email", "Escribe un correo válido"),
        ("password", "Elige una contraseña"),
    ]:
        assert f'data-error-for="{name}">{message}</p>' in response.text


async def test_a_bad_field_is_refused_at_its_field(apex: httpx.AsyncClient) -> None:
    response = await apex.post("/signup", data=form(email="not-an-email", language="en"))
    assert response.status_code == 422
    assert '<html lang="en">' in response.text
    assert 'data-error-for="email">Escribe un correo válido</p>' in response.text
    weak = await apex.post("/signup", data=form(password="short"))
    assert weak.status_code == 422
    assert 'data-error-for="password">use at least 10 characters</p>' in weak.text


async def test_a_nul_in_a_posted_field_is_refused_at_its_field(apex: httpx.AsyncClient, owner_engine: Any) -> None:
    company = f"Almacén {uuid.uuid4().hex[:6]}"
    response = await apex.post("/signup", data=form(company_name=company + "\x00"))
    assert response.status_code == 422
    assert 'data-error-for="company_name">' in response.text
    assert await organizations_named(owner_engine, company) == 0


async def test_only_form_posts_from_the_own_site_are_taken(apex: httpx.AsyncClient) -> None:
    assert (await apex.post("/signup", json=form())).status_code == 415
    foreign = await apex.post("/signup", data=form(), headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403 and foreign.json()["code"] == "csrf"
    cross_site = await apex.post("/signup", data=form(), headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403
    same = await apex.post("/signup", data=form(), headers={"Origin": f"http://{BASE_DOMAIN}"})
    assert same.status_code == 303


async def test_too_many_sign_ups_are_refused_above_the_form(
    web_root: Path, database_url: str, service_urls: tuple[str, str], resources: Resources
) -> None:
    address = f"192.0.2.{random.randint(1, 254)}"
    await resources.redis.delete(f"t:global:rl:register-ip:{address}")
    async with app_with(database_url, service_urls[1], web_root=str(web_root), registrations_per_ip=1) as limited:
        transport = httpx.ASGITransport(app=limited, client=(address, 50000))
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{BASE_DOMAIN}") as client:
            assert (await client.post("/signup", data=form())).status_code == 303
            refused = await client.post("/signup", data=form())
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert '<div data-form-error role="alert">Demasiados registros desde esta conexión</div>' in refused.text


async def test_without_a_built_landing_the_refusal_is_a_plain_list(
    tmp_path: Path, database_url: str, service_urls: tuple[str, str]
) -> None:
    async with app_with(database_url, service_urls[1], web_root=str(tmp_path)) as bare:
        transport = httpx.ASGITransport(app=bare, client=("203.0.113.9", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{BASE_DOMAIN}") as client:
            refused = await client.post("/signup", data=form(email="nope"))
    assert refused.status_code == 422
    assert "<li>email: " in refused.text


def test_an_untouched_page_is_written_back_exactly() -> None:
    page = signup_page("es") + "<svg viewBox='0 0 1 1'><path d='M0 0'/></svg><p>a &lt; b &#62; c</p>"
    assert (
        fill_form(page, {}, Refusal(status=422)).replace(
            '<div data-form-error role="alert">Revisa los campos marcados.</div>',
            '<div data-form-error role="alert" hidden></div>',
        )
        == page
    )
