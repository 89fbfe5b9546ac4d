"""The OpenAPI 3.1 document of the API, generated from the `Endpoint` declarations, and the
routes that serve it with a self-hosted Swagger UI.

Nothing here is written by hand per endpoint: schemas come from the msgspec types an endpoint
declares, problem responses from its `Access` and inputs. The docs page loads its scripts and
styles from the app itself, so it works with no network access and under a `'self'` CSP.
"""

from __future__ import annotations

import html
import inspect
import re
from collections.abc import Callable, Iterator, Sequence
from http import HTTPStatus
from pathlib import Path
from typing import Any

import msgspec
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route
from swagger_ui_bundle import swagger_ui_path

from server.core import idempotency
from server.core.api import ROLES, Endpoint
from server.core.errors import PROBLEM_CONTENT_TYPE, Problem
from server.core.metrics import declare_route_path

OPENAPI_VERSION = "3.1.0"
OPENAPI_PATH = "/api/openapi.json"
DOCS_PATH = "/api/docs"
ASSETS_PATH = "/api/docs/assets"
TENANT_HEADER = "X-Tenant-Subdomain"

_REF = "#/components/schemas/{name}"
_SECURITY_SCHEME = "bearerAuth"
_TENANT_PARAMETER = "TenantSubdomain"

# Starlette's path parameter syntax and the schema of each built-in convertor.
_PATH_PARAM = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?\}")
_CONVERTORS: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "path": {"type": "string"},
    "int": {"type": "integer", "minimum": 0},
    "float": {"type": "number", "minimum": 0},
    "uuid": {"type": "string", "format": "uuid"},
}

TENANCY = f"""\
## Tenants

Every organization is a tenant with its own subdomain. Tenant endpoints find the organization
from the subdomain of the `Host` (`acme.<base domain>` → `acme`). A client that cannot choose
the host, such as this page, sends the subdomain in the `{TENANT_HEADER}` header instead; when
both are present they must agree (400). An unknown or inactive organization answers 404.

## Authentication

Endpoints that require a role take an access token as `Authorization: Bearer <token>` (401
without a valid one). A token is accepted only on the organization that issued it and only for
the roles the endpoint lists (403 otherwise).

## Errors

Every error is an RFC 9457 problem document (`{PROBLEM_CONTENT_TYPE}`); a 422 lists the failing
fields in `errors`, each with its location (`body`, `query`) and message.
"""

_PROBLEMS = {
    401: "Not authenticated: the bearer access token is missing, invalid or expired.",
    403: "Forbidden: the token belongs to another organization, or its role may not do this.",
    404: "Not found: no such resource, or no such active organization.",
    422: "Validation failed: a field of the request is missing or invalid.",
}
_IDEMPOTENCY_PROBLEMS = {
    400: "The Idempotency-Key is not 1 to 255 visible ASCII characters.",
    409: "A request with this Idempotency-Key is still in progress.",
    422: "Validation failed: a field is missing or invalid, or this Idempotency-Key was used for another request.",
    428: "The Idempotency-Key header is missing.",
}
IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "description": (
        "A key of the client's choosing (a UUID is fine) that makes this request safe to resend: the "
        "same key and body answer the stored response again (with `Idempotent-Replayed: true`)."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": idempotency.KEY_PATTERN.pattern},
}


def build_openapi(endpoints: Sequence[Endpoint], *, title: str, version: str, description: str = "") -> dict[str, Any]:
    """Return the OpenAPI 3.1 document describing `endpoints`.

    Each endpoint becomes one operation on its path (Starlette parameter syntax converted to
    OpenAPI's), with its query Struct's fields as query parameters (then its declared header
    and cookie `Endpoint.parameters`), its body Struct as a
    required JSON request body, its success response and the problem responses it can answer
    (422 when it has input, 401/403 when it requires a role, 404 on tenant or parametrized
    paths, plus `Endpoint.responses`). Operation ids are the handlers' names, suffixed when
    repeated. Raises `ValueError` when two endpoints declare the same method and path.
    """
    endpoints = list(endpoints)
    slots: list[Any] = [Problem]
    for endpoint in endpoints:
        slots += [endpoint.body, endpoint.response]
        slots += [field.type for field in _query_fields(endpoint)]
    schemas, components = msgspec.json.schema_components(slots, ref_template=_REF)
    schema_of = iter(schemas[1:])

    paths: dict[str, dict[str, Any]] = {}
    tags: dict[str, None] = {}
    operation_ids: set[str] = set()
    for endpoint in endpoints:
        path, path_parameters = _convert_path(endpoint.path)
        method = endpoint.method.lower()
        operations = paths.setdefault(path, {})
        if method in operations:
            raise ValueError(f"two endpoints declare {endpoint.method} {path}")
        operations[method] = _operation(endpoint, path, path_parameters, schema_of, operation_ids)
        tags.update(dict.fromkeys(endpoint.tags))

    info: dict[str, Any] = {"title": title, "version": version}
    info["description"] = f"{description.strip()}\n\n{TENANCY}" if description.strip() else TENANCY
    return {
        "openapi": OPENAPI_VERSION,
        "info": info,
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {
            "schemas": components,
            "parameters": {_TENANT_PARAMETER: _TENANT_PARAMETER_OBJECT},
            "securitySchemes": {_SECURITY_SCHEME: _BEARER_SCHEME},
        },
    }


_TENANT_PARAMETER_OBJECT: dict[str, Any] = {
    "name": TENANT_HEADER,
    "in": "header",
    "required": False,
    "description": "Subdomain of the organization, for clients that cannot set the Host.",
    "schema": {"type": "string", "minLength": 3, "maxLength": 63},
}
_BEARER_SCHEME: dict[str, Any] = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "An access token issued by the organization's login endpoint.",
}


def _operation(
    endpoint: Endpoint,
    path: str,
    path_parameters: list[dict[str, Any]],
    schema_of: Iterator[Any],
    operation_ids: set[str],
) -> dict[str, Any]:
    """The operation object of `endpoint` on `path`; `schema_of` yields its body, response and
    query fields' schemas, in that order (see `build_openapi`)."""
    body_schema, response_schema = next(schema_of), next(schema_of)
    query = [(field, next(schema_of)) for field in _query_fields(endpoint)]
    operation: dict[str, Any] = {
        "operationId": _unique(endpoint.operation_id, operation_ids),
        "summary": endpoint.summary,
    }
    if endpoint.tags:
        operation["tags"] = list(endpoint.tags)
    if text := _description(endpoint):
        operation["description"] = text
    taken = {parameter["name"] for parameter in path_parameters} & {field.encode_name for field, _ in query}
    if taken:
        raise ValueError(f"{endpoint.method} {path} declares {sorted(taken)} in its path and its query")
    if parameters := _parameters(endpoint, path_parameters, query):
        operation["parameters"] = parameters
    if endpoint.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body_schema}}}
    operation["responses"] = _responses(endpoint, response_schema, has_path_parameters=bool(path_parameters))
    if endpoint.access.authenticated:
        operation["security"] = [{_SECURITY_SCHEME: []}]
    return operation


def _parameters(
    endpoint: Endpoint, path_parameters: list[dict[str, Any]], query: list[tuple[msgspec.structs.FieldInfo, Any]]
) -> list[dict[str, Any]]:
    """Path, query, declared header and cookie parameters, then the Idempotency-Key and the
    tenant header when they apply."""
    parameters = path_parameters + [_query_parameter(field, schema) for field, schema in query]
    parameters += [
        {
            "name": parameter.name,
            "in": parameter.location,
            "required": parameter.required,
            "description": parameter.description,
            "schema": dict(parameter.schema),
        }
        for parameter in endpoint.parameters
    ]
    if endpoint.idempotent:
        parameters.append(dict(IDEMPOTENCY_PARAMETER))
    if endpoint.access.tenant:
        parameters.append({"$ref": f"#/components/parameters/{_TENANT_PARAMETER}"})
    return parameters


def _query_fields(endpoint: Endpoint) -> tuple[msgspec.structs.FieldInfo, ...]:
    return msgspec.structs.fields(endpoint.query) if endpoint.query is not None else ()


def _convert_path(path: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": dict(_CONVERTORS.get(convertor or "str", _CONVERTORS["str"])),
        }
        for name, convertor in _PATH_PARAM.findall(path)
    ]
    return _PATH_PARAM.sub(r"{\1}", path), parameters


def _query_parameter(field: msgspec.structs.FieldInfo, schema: dict[str, Any]) -> dict[str, Any]:
    parameter: dict[str, Any] = {"name": field.encode_name, "in": "query", "required": field.required}
    if field.default is not msgspec.NODEFAULT:
        schema = {**schema, "default": msgspec.to_builtins(field.default)}
    if "description" in schema:
        parameter["description"] = schema["description"]
    parameter["schema"] = schema
    return parameter


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate)
    return candidate


def _description(endpoint: Endpoint) -> str:
    doc = inspect.getdoc(endpoint.handler) or ""
    first, _, rest = doc.partition("\n")
    parts = [rest.strip() if first.strip() == endpoint.summary else doc.strip()]
    if endpoint.access.roles is not None:
        roles = [role for role in ROLES if role in endpoint.access.roles]
        roles += sorted(endpoint.access.roles - set(ROLES))
        parts.append("Roles: " + ", ".join(roles) + ".")
    return "\n\n".join(part for part in parts if part)


def _status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Success"


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def _responses(endpoint: Endpoint, schema: dict[str, Any], *, has_path_parameters: bool) -> dict[str, Any]:
    success: dict[str, Any] = {"description": _status_phrase(endpoint.status)}
    if endpoint.status != 204:
        content: dict[str, Any] = {}
        for media_type in endpoint.produces:
            if _is_json(media_type):
                content[media_type] = {"schema": schema}
            elif media_type.startswith("text/"):
                content[media_type] = {"schema": {"type": "string"}}
            else:
                content[media_type] = {}
        success["content"] = content
    responses: dict[str, Any] = {str(endpoint.status): success}

    problems: dict[int, str] = {}
    if endpoint.body is not None or endpoint.query is not None:
        problems[422] = _PROBLEMS[422]
    if endpoint.access.roles is not None:
        problems[401] = _PROBLEMS[401]
        problems[403] = _PROBLEMS[403]
    if endpoint.access.tenant or has_path_parameters:
        problems[404] = _PROBLEMS[404]
    problems.update(endpoint.responses)
    if endpoint.idempotent:
        for status, description in _IDEMPOTENCY_PROBLEMS.items():
            own = endpoint.responses.get(status)
            joined = own is not None and status not in (400, 428)
            problems[status] = f"{own}; or: {description[0].lower()}{description[1:]}" if joined else description
    for status, description in sorted(problems.items()):
        if status == endpoint.status:
            continue
        responses[str(status)] = {"description": description}
        if status >= 400:
            responses[str(status)]["content"] = {
                PROBLEM_CONTENT_TYPE: {"schema": {"$ref": _REF.format(name="Problem")}}
            }
    return responses


_ASSETS: dict[str, str] = {
    "swagger-ui.css": "text/css",
    "swagger-ui.css.map": "application/json",
    "swagger-ui-bundle.js": "text/javascript",
    "favicon-32x32.png": "image/png",
}
_ASSET_DIR = Path(str(swagger_ui_path))

_INIT_SCRIPT = b"""\
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    validatorUrl: null,
  });
});
"""
_INIT_NAME = "docs.js"

_DOCS_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/{init}"></script>
</body>
</html>
"""

_ASSET_CACHE = {"Cache-Control": "public, max-age=3600"}


def openapi_routes(get_endpoints: Callable[[], Sequence[Endpoint]], *, title: str, version: str) -> list[BaseRoute]:
    """Routes serving the API description, all anonymous and outside any tenant:

    - `GET /api/openapi.json`: the `build_openapi` document of `get_endpoints()`, built on the
      first request and then served from memory;
    - `GET /api/docs`: a Swagger UI page for that document;
    - `GET /api/docs/assets/{name}`: the page's scripts, styles and icon, served from the
      installed Swagger UI distribution.

    URLs in the page are relative to the app's `root_path`, so the routes work when mounted.
    """
    document: list[bytes] = []

    async def openapi(request: Request) -> Response:
        if not document:
            built = build_openapi(get_endpoints(), title=title, version=version)
            document.append(msgspec.json.encode(built))
        return Response(document[0], media_type="application/json")

    async def docs(request: Request) -> Response:
        root = request.scope.get("root_path", "").rstrip("/")
        page = _DOCS_PAGE.format(
            title=html.escape(f"{title} — API"),
            assets=html.escape(root + ASSETS_PATH),
            openapi=html.escape(root + OPENAPI_PATH),
            init=_INIT_NAME,
        )
        return HTMLResponse(page)

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name == _INIT_NAME:
            return Response(_INIT_SCRIPT, media_type="text/javascript", headers=_ASSET_CACHE)
        media_type = _ASSETS.get(name)
        if media_type is None:
            raise HTTPException(404)
        return FileResponse(_ASSET_DIR / name, media_type=media_type, headers=_ASSET_CACHE)

    routes = [
        (OPENAPI_PATH, openapi, "openapi_document"),
        (DOCS_PATH, docs, "openapi_docs"),
        (ASSETS_PATH + "/{name}", asset, "openapi_docs_asset"),
    ]
    for path, handler, _ in routes:
        declare_route_path(handler, path)
    return [Route(path, handler, methods=["GET"], name=name) for path, handler, name in routes]
