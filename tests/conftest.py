"""Shared fixtures: real PostgreSQL and Redis, a migrated throwaway database, the app, and
helpers to create tenants through the public API.

With TEST_DATABASE_URL / TEST_REDIS_URL set, those servers are used; otherwise private
embedded ones are started for the session.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from server.app import close_resources, create_app, open_resources
from server.core.config import Settings, load_settings
from server.core.context import Resources
from server.core.db import async_url
from server.core.migrate import create_database_if_missing, migrate
from server.embedded import embedded_services

BASE_DOMAIN = "orbitengine.localhost"
STRONG_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def service_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    database_url = os.environ.get("TEST_DATABASE_URL")
    redis_url = os.environ.get("TEST_REDIS_URL")
    if database_url and redis_url:
        yield database_url, redis_url
        return
    with embedded_services(tmp_path_factory.mktemp("services"), persistent=False) as (embedded_pg, embedded_redis):
        yield database_url or embedded_pg, redis_url or embedded_redis


async def drop_database(admin_url: str, name: str) -> None:
    engine = create_async_engine(async_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'drop database if exists "{name}" with (force)'))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
async def database_url(service_urls: tuple[str, str]) -> AsyncIterator[str]:
    """A new, migrated database for this test session (dropped afterwards)."""
    server_url = service_urls[0]
    name = f"orbit_test_{uuid.uuid4().hex[:10]}"
    await create_database_if_missing(server_url, name)
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    await migrate(make_settings(url, service_urls[1]))
    yield url
    await drop_database(server_url, name)


def make_settings(database_url: str, redis_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "redis_url": redis_url,
        "base_domain": BASE_DOMAIN,
        "registrations_per_ip": 1_000_000,
        "login_attempts_per_ip": 1_000_000,
        "storage_dir": os.path.join(tempfile.gettempdir(), f"orbit-test-objects-{os.getpid()}"),
    }
    values.update(overrides)
    return load_settings({}, **values)


@pytest.fixture(scope="session")
def settings(database_url: str, service_urls: tuple[str, str]) -> Settings:
    return make_settings(database_url, service_urls[1])


@pytest.fixture(scope="session")
async def resources(settings: Settings) -> AsyncIterator[Resources]:
    opened = open_resources(settings)
    yield opened
    await close_resources(opened)


@pytest.fixture(scope="session")
def app(settings: Settings, resources: Resources) -> Any:
    application = create_app(settings)
    application.state.resources = resources
    return application


@pytest.fixture(scope="session")
async def owner_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A connection with the migration (administrative) credentials, for assertions only."""
    engine = create_async_engine(async_url(database_url))
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app_engine(resources: Resources) -> AsyncEngine:
    """The application role's engine (no BYPASSRLS), for row-level security checks."""
    return resources.database.engine


def tenant_url(subdomain: str | None) -> str:
    return f"http://{subdomain}.{BASE_DOMAIN}" if subdomain else f"http://{BASE_DOMAIN}"


@dataclass
class TenantSession:
    """A registered organization and its signed-in admin."""

    subdomain: str
    organization_id: uuid.UUID
    admin_id: uuid.UUID
    email: str
    tokens: dict[str, Any]
    client: httpx.AsyncClient
    extra_clients: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def access_token(self) -> str:
        return str(self.tokens["access_token"])

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.access_token}"}


class Api:
    """Builds clients for the ASGI app and registers tenants through the real endpoint."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._clients: list[httpx.AsyncClient] = []

    def client(self, subdomain: str | None = None, **headers: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=("203.0.113.7", 50000)),
            base_url=tenant_url(subdomain),
            headers=headers,
        )
        self._clients.append(client)
        return client

    async def register(self, company: str | None = None, **fields: Any) -> TenantSession:
        company = company or f"Shop {uuid.uuid4().hex[:8]}"
        email = fields.pop("email", f"owner-{uuid.uuid4().hex[:10]}@example.com")
        body = {
            "company_name": company,
            "admin_name": "Ada Owner",
            "email": email,
            "password": STRONG_PASSWORD,
            "currency": "CLP",
            "locale": "es-CL",
            "time_zone": "America/Santiago",
            **fields,
        }
        response = await self.client().post("/api/v1/auth/register", json=body)
        assert response.status_code == 201, response.text
        data = response.json()
        subdomain = data["subdomain"]
        client = self.client(subdomain)
        client.headers["Authorization"] = f"Bearer {data['tokens']['access_token']}"
        return TenantSession(
            subdomain=subdomain,
            organization_id=uuid.UUID(data["organization"]["id"]),
            admin_id=uuid.UUID(data["tokens"]["user"]["id"]),
            email=email,
            tokens=data["tokens"],
            client=client,
        )

    async def add_user(self, tenant: TenantSession, role: str, password: str = STRONG_PASSWORD) -> dict[str, Any]:
        """Create a user of `role` and sign them in; returns the login response with `client`."""
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        created = await tenant.client.post(
            "/api/v1/users", json={"email": email, "full_name": f"Test {role}", "role": role, "password": password}
        )
        assert created.status_code == 201, created.text
        anonymous = self.client(tenant.subdomain)
        login = await anonymous.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert login.status_code == 200, login.text
        tokens = login.json()
        client = self.client(tenant.subdomain)
        client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        return {**tokens, "email": email, "password": password, "client": client}

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()


@pytest.fixture
async def api(app: Any) -> AsyncIterator[Api]:
    helper = Api(app)
    yield helper
    await helper.aclose()


@pytest.fixture
async def tenant_a(api: Api) -> TenantSession:
    return await api.register("Almacén Aurora")


@pytest.fixture
async def tenant_b(api: Api) -> TenantSession:
    return await api.register("Bodega Boreal")


def without_request_id(problem: dict[str, Any]) -> dict[str, Any]:
    """A problem document but for its `request_id`, which differs for every request."""
    return {name: value for name, value in problem.items() if name != "request_id"}


async def wait_for_blocked_backend(owner_engine: AsyncEngine) -> int:
    """The pid of an application backend waiting on a lock, as soon as there is one (10 s at most)."""
    async with asyncio.timeout(10):
        while True:
            async with owner_engine.connect() as connection:
                pid = (
                    await connection.execute(
                        text(
                            "select pid from pg_stat_activity where usename = 'orbit_app' "
                            "and wait_event_type = 'Lock' and datname = current_database() limit 1"
                        )
                    )
                ).scalar()
            if pid:
                return int(pid)
            await asyncio.sleep(0.02)
