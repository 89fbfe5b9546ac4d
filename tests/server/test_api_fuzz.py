"""Schemathesis over the whole API document, signed in as the admin of a fresh shop.

For every operation, a bounded number of generated requests (the same ones on every run: a
fixed seed) go to a real application (its own lifespan, database pool and Redis, in the
fuzzer's event loop) and each answer must be no server error, have a documented status, and
match the documented content type and schema. What it found became regression tests in the
domains' own suites (see docs/operations.md, "Hardening").
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import ASGIClient, shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from server.app import create_app, openapi_document
from server.core.config import Settings
from server.core.metrics import REGISTRY
from tests.conftest import Api, TenantSession, tenant_url

EXAMPLES_PER_OPERATION = 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,  # input the document forbids is refused with a 4xx
    unsupported_method,  # a method the path does not declare is a 405 naming the allowed ones
]
# Not run: `missing_required_header` wants 400/422 for a missing Idempotency-Key, which is 428 by
# design (documented on each operation); `ignored_auth` sends its own requests over the network,
# so `test_every_authenticated_operation_refuses_a_request_without_a_token` does its job here.


@pytest.fixture(scope="module")
async def fuzzed_shop(app: Any) -> AsyncIterator[TenantSession]:
    api = Api(app)
    shop = await api.register("Fuzzed Shop")
    yield shop
    await api.aclose()


@pytest.fixture(scope="module")
def fuzzed_app(settings: Settings) -> Iterator[ASGIClient]:
    """An application of its own, whose lifespan (pool, Redis, realtime hub) runs in the
    fuzzer's event loop, reached in-process."""
    with ASGIClient(create_app(settings)) as client:  # type: ignore[arg-type]  # Starlette is an ASGI app
        yield client
    shutdown_lifespans()


def addressed_by_host(document: dict[str, Any]) -> dict[str, Any]:
    """The document as a browser on the shop's host uses it: the tenant is the Host's subdomain,
    so the optional `X-Tenant-Subdomain` header (another shop, or a mismatch: 404/400) is not
    generated; `tests/server/tenancy` covers it."""
    tenant_header = {"$ref": "#/components/parameters/TenantSubdomain"}
    for operations in document["paths"].values():
        for operation in operations.values():
            parameters = [parameter for parameter in operation.get("parameters", []) if parameter != tenant_header]
            if parameters:
                operation["parameters"] = parameters
            else:
                operation.pop("parameters", None)
    return document


schema = schemathesis.openapi.from_dict(addressed_by_host(openapi_document()))


def answered() -> dict[tuple[str, str, str], float]:
    return {
        (sample.labels["method"], sample.labels["route"], sample.labels["status"]): sample.value
        for family in REGISTRY.collect()
        if family.name == "orbit_http_requests"
        for sample in family.samples
        if sample.name == "orbit_http_requests_total"
    }


@pytest.fixture(scope="module", autouse=True)
def reaches_past_the_door() -> Iterator[None]:
    """The fuzzer must not just bounce off authentication and validation: the operations that
    need no existing id must have succeeded (2xx) at least once."""
    before = answered()
    yield
    after = answered()
    grown = {key: value - before.get(key, 0.0) for key, value in after.items() if value > before.get(key, 0.0)}
    succeeded = {(method, route) for method, route, status in grown if status.startswith("2")}
    # About 57 of the document's operations; the others need ids of things that exist.
    assert len(succeeded) >= 45, sorted(succeeded)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_holds_its_document(case: Any, fuzzed_app: ASGIClient, fuzzed_shop: TenantSession) -> None:
    checks = CHECKS if case.path.startswith("/api/") else [c for c in CHECKS if c is not unsupported_method]
    # (`GET /signup` is the landing's sign-up page, outside the API.)
    base_url = tenant_url(fuzzed_shop.subdomain)
    case.call_and_validate(base_url=base_url, session=fuzzed_app, headers=fuzzed_shop.auth(), checks=checks)


def operations_with_security() -> list[tuple[str, str]]:
    document = openapi_document()
    return [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if operation.get("security")
    ]


async def test_every_authenticated_operation_refuses_a_request_without_a_token(
    api: Api, fuzzed_shop: TenantSession
) -> None:
    """What Schemathesis's `ignored_auth` checks, for every operation that declares a token."""
    client = api.client(fuzzed_shop.subdomain)
    operations = operations_with_security()
    assert len(operations) > 50
    for method, path in operations:
        concrete = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        response = await client.request(method, concrete, json={} if method in ("POST", "PUT", "PATCH") else None)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.headers["www-authenticate"] == "Bearer"
