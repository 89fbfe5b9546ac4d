from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser
from typing import Annotated, Any, Generic, TypeVar

import msgspec
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from server.core.api import ADMINS, ANY_ROLE, MANAGERS, PUBLIC, TENANT_PUBLIC, Endpoint, Parameter, Router
from server.core.errors import PROBLEM_CONTENT_TYPE
from server.core.openapi import build_openapi, openapi_routes

T = TypeVar("T")


class Item(msgspec.Struct):
    id: uuid.UUID
    name: str


class ItemCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, description="Display name")]


class ItemQuery(msgspec.Struct, kw_only=True):
    kind: str
    search: str | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=100)] = 20


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    next_offset: int | None


class Health(msgspec.Struct):
    ok: bool


items = Router(tags=["items"])
other = Router(tags=["other"])


@items.get("/api/v1/items", access=ANY_ROLE, query=ItemQuery, response=Page[Item])
async def list_items(ctx: Any, query: ItemQuery) -> Page[Item]:
    """List items.

    Sorted by name."""
    raise NotImplementedError


@items.post("/api/v1/items", access=MANAGERS, body=ItemCreate, response=Item, status=201, responses={409: "Taken."})
async def create_item(ctx: Any, body: ItemCreate) -> Item:
    raise NotImplementedError


@items.get("/api/v1/items/{item_id:uuid}", access=TENANT_PUBLIC, response=Item)
async def get_item(ctx: Any, item_id: uuid.UUID) -> Item:
    raise NotImplementedError


@items.delete("/api/v1/items/{item_id:uuid}", access=ADMINS, status=204)
async def delete_item(ctx: Any, item_id: uuid.UUID) -> None:
    raise NotImplementedError


@items.get("/api/v1/items/export", access=MANAGERS, produces=("text/csv",))
async def export_items(ctx: Any) -> None:
    raise NotImplementedError


@other.get("/api/health", access=PUBLIC, response=Health)
async def health(ctx: Any) -> Health:
    raise NotImplementedError


def _another_get_item() -> None:
    @other.get("/api/v1/orders/{number:int}/lines/{name}", access=PUBLIC, response=list[Item])
    async def get_item(ctx: Any, number: int, name: str) -> list[Item]:
        raise NotImplementedError


_another_get_item()
ENDPOINTS: list[Endpoint] = items.endpoints + other.endpoints


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_openapi(ENDPOINTS, title="Orbit", version="1.2.3", description="The Orbit API.")


def operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return document["paths"][path][method]


def problem_statuses(op: dict[str, Any]) -> set[str]:
    return {
        status for status, response in op["responses"].items() if PROBLEM_CONTENT_TYPE in response.get("content", {})
    }


def test_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    validate(document, cls=OpenAPIV31SpecValidator)
    # the served form is JSON: it must survive encoding unchanged
    validate(msgspec.json.decode(msgspec.json.encode(document)), cls=OpenAPIV31SpecValidator)


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if "$ref" in node else []
            return own + [ref for value in node.values() for ref in refs(value)]
        if isinstance(node, list):
            return [ref for value in node for ref in refs(value)]
        return []

    found = refs(document)
    assert found
    for ref in found:
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]


def test_info_describes_tenancy(document: dict[str, Any]) -> None:
    info = document["info"]
    assert info["title"] == "Orbit" and info["version"] == "1.2.3"
    assert info["description"].startswith("The Orbit API.")
    assert "X-Tenant-Subdomain" in info["description"] and "Host" in info["description"]
    assert [tag["name"] for tag in document["tags"]] == ["items", "other"]


def test_paths_use_openapi_templates_with_typed_parameters(document: dict[str, Any]) -> None:
    assert set(document["paths"]) == {
        "/api/v1/items",
        "/api/v1/items/{item_id}",
        "/api/v1/items/export",
        "/api/health",
        "/api/v1/orders/{number}/lines/{name}",
    }
    assert set(document["paths"]["/api/v1/items/{item_id}"]) == {"get", "delete"}
    [item_id, _tenant] = operation(document, "get", "/api/v1/items/{item_id}")["parameters"]
    assert item_id == {
        "name": "item_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    }
    number, name = operation(document, "get", "/api/v1/orders/{number}/lines/{name}")["parameters"]
    assert (number["name"], number["in"], number["required"], number["schema"]["type"]) == (
        "number",
        "path",
        True,
        "integer",
    )
    assert (name["name"], name["schema"]) == ("name", {"type": "string"})


def test_query_struct_fields_become_query_parameters(document: dict[str, Any]) -> None:
    parameters = operation(document, "get", "/api/v1/items")["parameters"]
    query = {parameter["name"]: parameter for parameter in parameters if parameter.get("in") == "query"}
    assert set(query) == {"kind", "search", "limit"}
    assert query["kind"]["required"] is True
    assert query["kind"]["schema"] == {"type": "string"}
    assert query["search"]["required"] is False
    assert query["search"]["schema"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert query["limit"]["required"] is False
    assert query["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    assert "ItemQuery" not in document["components"]["schemas"]


def test_body_is_a_required_json_request_body(document: dict[str, Any]) -> None:
    body = operation(document, "post", "/api/v1/items")["requestBody"]
    assert body == {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ItemCreate"}}},
    }
    schema = document["components"]["schemas"]["ItemCreate"]
    assert schema["required"] == ["name"]
    assert schema["properties"]["name"]["minLength"] == 1
    assert "requestBody" not in operation(document, "get", "/api/v1/items")


def test_success_responses(document: dict[str, Any]) -> None:
    listed = operation(document, "get", "/api/v1/items")["responses"]["200"]
    assert listed["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Page_Item_"}
    page = document["components"]["schemas"]["Page_Item_"]
    assert page["properties"]["items"] == {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}

    created = operation(document, "post", "/api/v1/items")["responses"]
    assert "200" not in created
    assert created["201"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Item"}

    deleted = operation(document, "delete", "/api/v1/items/{item_id}")["responses"]["204"]
    assert "content" not in deleted

    exported = operation(document, "get", "/api/v1/items/export")["responses"]["200"]
    assert exported["content"] == {"text/csv": {"schema": {"type": "string"}}}

    lines = operation(document, "get", "/api/v1/orders/{number}/lines/{name}")["responses"]["200"]
    assert lines["content"]["application/json"]["schema"]["type"] == "array"


def test_problem_responses(document: dict[str, Any]) -> None:
    assert problem_statuses(operation(document, "get", "/api/v1/items")) == {"401", "403", "404", "422"}
    assert problem_statuses(operation(document, "post", "/api/v1/items")) == {"401", "403", "404", "409", "422"}
    assert problem_statuses(operation(document, "get", "/api/v1/items/{item_id}")) == {"404"}
    assert problem_statuses(operation(document, "delete", "/api/v1/items/{item_id}")) == {"401", "403", "404"}
    assert problem_statuses(operation(document, "get", "/api/v1/orders/{number}/lines/{name}")) == {"404"}
    assert problem_statuses(operation(document, "get", "/api/health")) == set()

    conflict = operation(document, "post", "/api/v1/items")["responses"]["409"]
    assert conflict == {
        "description": "Taken.",
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "errors"} <= set(problem["properties"])
    assert "FieldError" in document["components"]["schemas"]


def test_security_and_tenant_header(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert "security" not in document
    tenant_ref = {"$ref": "#/components/parameters/TenantSubdomain"}
    header = document["components"]["parameters"]["TenantSubdomain"]
    assert (header["name"], header["in"], header["required"]) == ("X-Tenant-Subdomain", "header", False)

    for endpoint in ENDPOINTS:
        path = re.sub(r":\w+}", "}", endpoint.path)
        op = operation(document, endpoint.method.lower(), path)
        if endpoint.access.authenticated:
            assert op["security"] == [{"bearerAuth": []}]
        else:
            assert "security" not in op
        assert (tenant_ref in op.get("parameters", [])) is endpoint.access.tenant


def test_operations_have_unique_ids_summaries_and_tags(document: dict[str, Any]) -> None:
    ops = [op for methods in document["paths"].values() for op in methods.values()]
    ids = [op["operationId"] for op in ops]
    assert len(ids) == len(set(ids)) == len(ENDPOINTS)
    assert {"get_item", "get_item_2", "list_items", "create_item"} <= set(ids)
    listed = operation(document, "get", "/api/v1/items")
    assert listed["summary"] == "List items."
    assert listed["tags"] == ["items"]
    assert "Sorted by name." in listed["description"]
    assert "admin, manager, cashier" in listed["description"]


def test_duplicate_operation_is_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape("GET /api/v1/items/{item_id}")):
        build_openapi([*ENDPOINTS, ENDPOINTS[2]], title="Orbit", version="1")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href"}.get(tag)
        self.urls += [value for name, value in attrs if name == wanted and value]


def make_client(prefix: str = "") -> tuple[TestClient, list[int]]:
    calls: list[int] = []

    def get_endpoints() -> list[Endpoint]:
        calls.append(1)
        return ENDPOINTS

    routes = openapi_routes(get_endpoints, title="Orbit", version="1.2.3")
    app = Starlette(routes=[Mount(prefix, routes=routes)] if prefix else routes)
    return TestClient(app), calls


def test_openapi_json_is_served_and_built_once(document: dict[str, Any]) -> None:
    client, calls = make_client()
    first = client.get("/api/openapi.json")
    second = client.get("/api/openapi.json")
    assert first.status_code == second.status_code == 200
    assert first.headers["content-type"] == "application/json"
    served = first.json()
    assert served == second.json()
    assert served["paths"] == msgspec.json.decode(msgspec.json.encode(document["paths"]))
    validate(served, cls=OpenAPIV31SpecValidator)
    assert len(calls) == 1


@pytest.mark.parametrize("prefix", ["", "/prefix"])
def test_docs_page_loads_only_local_assets(prefix: str) -> None:
    client, _ = make_client(prefix)
    page = client.get(f"{prefix}/api/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert not re.search(r"(https?:)?//", page.text)

    parser = _Links()
    parser.feed(page.text)
    assert any(url.endswith("swagger-ui-bundle.js") for url in parser.urls)
    assert any(url.endswith(".css") for url in parser.urls)
    types = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
    for url in parser.urls:
        assert url.startswith(f"{prefix}/api/docs/assets/")
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.content
        assert asset.headers["content-type"].startswith(types[url[url.rindex(".") :]])

    [openapi_url] = re.findall(r'data-openapi-url="([^"]+)"', page.text)
    assert openapi_url == f"{prefix}/api/openapi.json"
    assert client.get(openapi_url).json()["openapi"].startswith("3.1.")


def test_swagger_ui_supports_openapi_3_1() -> None:
    client, _ = make_client()
    bundle = client.get("/api/docs/assets/swagger-ui-bundle.js").text
    version = re.search(r'PACKAGE_VERSION:"(\d+)\.(\d+)\.(\d+)"', bundle)
    assert version is not None and int(version.group(1)) >= 5


def test_unknown_asset_is_not_found() -> None:
    client, _ = make_client()
    assert client.get("/api/docs/assets/index.html").status_code == 404
    assert client.get("/api/docs/assets/..%2Fswagger-initializer.js").status_code == 404


def test_declared_header_and_cookie_parameters() -> None:
    router = Router(tags=["sessions"])

    @router.post(
        "/api/v1/session/refresh",
        access=TENANT_PUBLIC,
        response=Item,
        parameters=(
            Parameter("session", "cookie", "The session cookie."),
            Parameter("X-Check", "header", "Must be 1.", required=True, schema={"type": "string", "enum": ["1"]}),
        ),
    )
    async def refresh(ctx: Any) -> Item:
        raise NotImplementedError

    built = build_openapi(router.endpoints, title="Orbit", version="1")
    validate(built, cls=OpenAPIV31SpecValidator)
    parameters = operation(built, "post", "/api/v1/session/refresh")["parameters"]
    assert parameters[:2] == [
        {
            "name": "session",
            "in": "cookie",
            "required": False,
            "description": "The session cookie.",
            "schema": {"type": "string"},
        },
        {
            "name": "X-Check",
            "in": "header",
            "required": True,
            "description": "Must be 1.",
            "schema": {"type": "string", "enum": ["1"]},
        },
    ]
    assert parameters[2] == {"$ref": "#/components/parameters/TenantSubdomain"}


def test_idempotent_operations_declare_their_key_and_its_answers() -> None:
    router = Router(tags=["money"])

    @router.post(
        "/api/v1/payments",
        access=MANAGERS,
        body=ItemCreate,
        response=Item,
        status=201,
        idempotent=True,
        responses={409: "Not enough stock"},
    )
    async def pay(ctx: Any, body: ItemCreate) -> Item:
        raise NotImplementedError

    built = build_openapi(router.endpoints, title="Orbit", version="1")
    validate(built, cls=OpenAPIV31SpecValidator)
    op = operation(built, "post", "/api/v1/payments")
    [key] = [parameter for parameter in op["parameters"] if parameter.get("name") == "Idempotency-Key"]
    assert key["in"] == "header" and key["required"] is True
    assert re.fullmatch(key["schema"]["pattern"], "0b9f-KEY~") and not re.fullmatch(key["schema"]["pattern"], "a b")
    assert problem_statuses(op) >= {"400", "409", "422", "428"}
    assert op["responses"]["409"]["description"].startswith("Not enough stock; or: a request with this")


def test_a_parameter_in_both_path_and_query_is_rejected() -> None:
    router = Router(tags=["items"])

    class ByItem(msgspec.Struct, kw_only=True):
        item_id: uuid.UUID | None = None

    @router.get("/api/v1/items/{item_id:uuid}/history", access=ANY_ROLE, query=ByItem, response=list[Item])
    async def history(ctx: Any, item_id: uuid.UUID, query: ByItem) -> list[Item]:
        raise NotImplementedError

    with pytest.raises(ValueError, match=re.escape("['item_id'] in its path and its query")):
        build_openapi(router.endpoints, title="Orbit", version="1")


def test_the_apps_document_declares_what_its_operations_answer() -> None:
    from server.app import all_endpoints, openapi_document

    built = openapi_document()
    idempotent = [endpoint for endpoint in all_endpoints() if endpoint.idempotent]
    assert len(idempotent) >= 9
    for endpoint in idempotent:
        op = built["paths"][re.sub(r":[a-z]+\}", "}", endpoint.path)][endpoint.method.lower()]
        assert any(parameter.get("name") == "Idempotency-Key" for parameter in op["parameters"]), endpoint.path
        assert "428" in op["responses"], endpoint.path
    counts = built["paths"]["/api/v1/inventory/counts"]["post"]["responses"]
    assert "duplicate_line" in counts["409"]["description"]
    for operations in built["paths"].values():
        for op in operations.values():
            names = [(p["name"], p["in"]) for p in op.get("parameters", []) if "name" in p]
            assert len(names) == len(set(names)), op["operationId"]
