"""The endpoint wrapper's rules that hold for every endpoint: NUL in text input, a client that
hangs up during its upload."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.core.api import ANY_ROLE, PUBLIC, TENANT_PUBLIC, Router, build_route
from server.core.context import ActorContext, Context, TenantContext
from server.core.errors import NUL_MESSAGE, ValidationFailed, reject_nul
from server.core.metrics import REGISTRY
from tests.conftest import STRONG_PASSWORD, Api, TenantSession

NUL = "\x00"


def nul_fields(response: Any) -> list[list[str | int]]:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "nul_character"
    assert all(error["msg"] == NUL_MESSAGE for error in problem["errors"])
    return [error["loc"] for error in problem["errors"]]


async def test_nul_in_anonymous_bodies_is_422_at_the_field(api: Api, tenant_a: TenantSession) -> None:
    login = await api.client(tenant_a.subdomain).post(
        "/api/v1/auth/login", json={"email": f"a{NUL}@example.com", "password": STRONG_PASSWORD}
    )
    assert nul_fields(login) == [["body", "email"]]
    registration = await api.client().post(
        "/api/v1/auth/register",
        json={
            "company_name": f"Shop{NUL}",
            "admin_name": f"Ada{NUL}",
            "email": "nul-owner@example.com",
            "password": STRONG_PASSWORD,
        },
    )
    assert nul_fields(registration) == [["body", "company_name"], ["body", "admin_name"]]


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        ("/api/v1/categories", {"name": f"Drinks{NUL}"}, ["body", "name"]),
        ("/api/v1/registers", {"code": "R9", "name": f"Front{NUL}desk"}, ["body", "name"]),
        ("/api/v1/customers", {"name": "Ana", "notes": f"{NUL}"}, ["body", "notes"]),
        (
            "/api/v1/products",
            {"sku": "NUL-1", "name": "Tea", "price": 100, "description": f"Green{NUL}"},
            ["body", "description"],
        ),
    ],
)
async def test_nul_in_domain_bodies_is_422_at_the_field_and_writes_nothing(
    tenant_a: TenantSession, owner_engine: AsyncEngine, path: str, body: dict[str, Any], where: list[Any]
) -> None:
    async with owner_engine.connect() as connection:
        audit_before = (await connection.execute(text("select count(*) from audit_log"))).scalar()
    response = await tenant_a.client.post(path, json=body)
    assert where in nul_fields(response)
    async with owner_engine.connect() as connection:
        assert (await connection.execute(text("select count(*) from audit_log"))).scalar() == audit_before


async def test_nul_in_a_query_string_is_422_at_the_parameter(tenant_a: TenantSession) -> None:
    response = await tenant_a.client.get("/api/v1/products", params={"search": f"te{NUL}a"})
    assert nul_fields(response) == [["query", "search"]]
    customers = await tenant_a.client.get("/api/v1/customers?search=%00")
    assert nul_fields(customers) == [["query", "search"]]


async def test_nul_in_a_csv_import_is_422_at_the_cell(tenant_a: TenantSession) -> None:
    csv = f"sku,name,price\nA-1,Tea,100\nA-2,Cof{NUL}fee,200\n".encode()
    response = await tenant_a.client.post("/api/v1/products/import", content=csv, headers={"Content-Type": "text/csv"})
    assert nul_fields(response) == [["body", "row", 3, "name"]]
    listed = await tenant_a.client.get("/api/v1/products")
    assert listed.json()["items"] == []


async def test_an_escaped_backslash_before_u0000_is_not_a_nul(tenant_a: TenantSession) -> None:
    response = await tenant_a.client.post(
        "/api/v1/categories", content=b'{"name": "C:\\\\u0000"}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "C:\\u0000"


class Line(msgspec.Struct):
    note: str = msgspec.field(name="lineNote")


class Document(msgspec.Struct):
    lines: list[Line]
    tags: dict[str, str]


def test_nul_is_located_at_any_depth_by_encoded_name() -> None:
    document = Document(lines=[Line(note="ok"), Line(note=f"b{NUL}d")], tags={"a": NUL, f"k{NUL}": "v"})
    with pytest.raises(ValidationFailed) as raised:
        reject_nul(document, "body")
    assert [error.loc for error in raised.value.errors or []] == [
        ["body", "lines", 1, "lineNote"],
        ["body", "tags", "a"],
        ["body", "tags", f"k{NUL}"],
    ]
    reject_nul(Document(lines=[Line(note="fine")], tags={}), "body")


def http_requests(route: str, status: int) -> float:
    labels = {"method": "POST", "route": route, "status": str(status)}
    return REGISTRY.get_sample_value("orbit_http_requests_total", labels) or 0.0


async def test_a_client_hanging_up_during_its_upload_is_a_499_not_a_500(
    app: Any, tenant_a: TenantSession, caplog: pytest.LogCaptureFixture
) -> None:
    """The body's first chunk arrives, then the client disconnects: no traceback is logged,
    nothing is sent, and the request is counted as 499 (client closed), not as a server error."""
    route = "/api/v1/customers"
    chunks: list[dict[str, Any]] = [
        {"type": "http.request", "body": b'{"name": "Half', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    host = f"{tenant_a.subdomain}.orbitengine.localhost".encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", host),
            (b"content-type", b"application/json"),
            (b"content-length", b"1000"),
            (b"authorization", f"Bearer {tenant_a.access_token}".encode()),
        ],
        "client": ("203.0.113.7", 50000),
        "server": ("testserver", 80),
        "app": app,
        "state": {},
    }
    failed, hung_up = http_requests(route, 500), http_requests(route, 499)
    with caplog.at_level(logging.INFO):
        await app(scope, receive, send)
    assert http_requests(route, 500) == failed
    assert http_requests(route, 499) == hung_up + 1
    assert not [record for record in caplog.records if record.exc_info or record.levelno >= logging.ERROR]
    assert [message["status"] for message in sent if message["type"] == "http.response.start"] in ([], [499])


async def test_a_method_the_path_does_not_take_is_405_naming_the_ones_it_does(tenant_a: TenantSession) -> None:
    """Found by the API fuzzing test: the problem document dropped Starlette's `Allow` header."""
    response = await tenant_a.client.put("/api/v1/categories")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


async def _unused_resolver(*_: Any) -> Any:
    raise AssertionError("never called: the routes are only built")


def test_the_context_a_handler_takes_must_be_one_its_access_produces() -> None:
    """A handler annotated with an `ActorContext` (or a `TenantContext`) is refused, when the app is
    built, on an endpoint that makes none; so is an idempotent endpoint without a user."""
    router = Router(tags=["checks"])

    async def acts(ctx: ActorContext) -> None: ...

    async def reads_tenant(ctx: TenantContext) -> None: ...

    async def anyone(ctx: Context) -> None: ...

    router.post("/acts", access=TENANT_PUBLIC)(acts)
    router.post("/reads", access=PUBLIC)(reads_tenant)
    router.post("/keyed", access=TENANT_PUBLIC, idempotent=True)(anyone)
    for endpoint in router.endpoints:
        with pytest.raises(ValueError, match=endpoint.operation_id):
            build_route(endpoint, _unused_resolver)
    fine = Router(tags=["checks"])
    fine.post("/acts", access=ANY_ROLE, idempotent=True)(acts)
    fine.post("/reads", access=TENANT_PUBLIC)(reads_tenant)
    fine.post("/anyone", access=PUBLIC)(anyone)
    assert [build_route(endpoint, _unused_resolver).path for endpoint in fine.endpoints] == [
        "/acts",
        "/reads",
        "/anyone",
    ]
