"""The one way to declare an HTTP endpoint.

An endpoint states its method, path, input and output Structs, status, and who may call it
(`Access`). The wrapper built here does the same steps for every endpoint, in this order:

1. open one session and transaction;
2. resolve the tenant from the Host (or `X-Tenant-Subdomain`) when the endpoint is tenant-scoped,
   and scope the transaction to it (`app.org_id`) — unknown or inactive tenant → 404; for an
   idempotent endpoint whose token and key are well-formed, the same statement also takes the
   key's lock and looks it up (`idempotency.Probe`, used in step 5 once the token is checked);
3. authenticate the bearer token and authorize the role — 401 / 403, and a token of another
   tenant → 403;
4. decode path, query and body into their Structs — 422 with the failing field;
5. call the handler with its context, encode its result, store it under the request's
   idempotency key (unless the handler's own statement did: `Context.claim`), commit, then
   run after-commit work.

The context is an `ActorContext` for an authenticated endpoint (tenant and user known), a
`TenantContext` for another tenant-scoped one, a plain `Context` otherwise; a handler annotates
the one its endpoint gets, and building the app fails if its `Access` cannot produce it.

Any exception rolls the transaction back. Routes stay thin: parse, authorize, call one service.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.core import idempotency, observability
from server.core.config import Settings
from server.core.context import Actor, ActorContext, Context, Resources, Tenant, TenantContext
from server.core.errors import (
    ApiError,
    Forbidden,
    Unauthorized,
    ValidationFailed,
    reject_nul,
    validation_error_from_msgspec,
)
from server.core.metrics import declare_route_path
from server.core.schemas import encode_json
from server.core.security import AccessClaims, decode_access_token

logger = logging.getLogger("orbit.api")

JSON = "application/json"
DEFAULT_MAX_BODY = 1024 * 1024
ROLES = ("admin", "manager", "cashier")


@dataclass(frozen=True, slots=True)
class Access:
    """Who may call an endpoint: `tenant` says whether it lives on a tenant host; `roles` is
    None for anonymous endpoints, else the roles whose access token is accepted."""

    tenant: bool
    roles: frozenset[str] | None

    @property
    def authenticated(self) -> bool:
        return self.roles is not None


PUBLIC = Access(tenant=False, roles=None)
TENANT_PUBLIC = Access(tenant=True, roles=None)


def allow(*roles: str) -> Access:
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    return Access(tenant=True, roles=frozenset(roles))


ANY_ROLE = allow(*ROLES)
MANAGERS = allow("admin", "manager")
ADMINS = allow("admin")

Handler = Callable[..., Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Parameter:
    """A header or cookie that a handler reads itself (it takes `request`), declared so that
    the API document lists it."""

    name: str
    location: Literal["header", "cookie"]
    description: str
    required: bool = False
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    access: Access
    summary: str
    tags: tuple[str, ...]
    body: type | None = None
    query: type | None = None
    response: Any = None
    status: int = 200
    responses: dict[int, str] = field(default_factory=dict)
    produces: tuple[str, ...] = (JSON,)
    max_body: int = DEFAULT_MAX_BODY
    idempotent: bool = False
    parameters: tuple[Parameter, ...] = ()

    @property
    def operation_id(self) -> str:
        return self.handler.__name__


class Router:
    """Collects the endpoints of one domain."""

    def __init__(self, *, tags: Sequence[str]) -> None:
        self.tags = tuple(tags)
        self.endpoints: list[Endpoint] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        access: Access,
        summary: str = "",
        body: type | None = None,
        query: type | None = None,
        response: Any = None,
        status: int = 200,
        responses: dict[int, str] | None = None,
        produces: tuple[str, ...] = (JSON,),
        max_body: int = DEFAULT_MAX_BODY,
        idempotent: bool = False,
        parameters: tuple[Parameter, ...] = (),
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.endpoints.append(
                Endpoint(
                    method=method,
                    path=path,
                    handler=handler,
                    access=access,
                    summary=summary or (inspect.getdoc(handler) or handler.__name__).splitlines()[0],
                    tags=self.tags,
                    body=body,
                    query=query,
                    response=response,
                    status=status,
                    responses=responses or {},
                    produces=produces,
                    max_body=max_body,
                    idempotent=idempotent,
                    parameters=parameters,
                )
            )
            return handler

        return register

    def get(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("GET", path, **options)

    def post(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("POST", path, **options)

    def put(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("PUT", path, **options)

    def patch(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("PATCH", path, **options)

    def delete(self, path: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route("DELETE", path, **options)


_decoders: dict[type, msgspec.json.Decoder[Any]] = {}


def _decoder(struct: type) -> msgspec.json.Decoder[Any]:
    decoder = _decoders.get(struct)
    if decoder is None:
        decoder = _decoders[struct] = msgspec.json.Decoder(struct)
    return decoder


def decode_body(raw: bytes, struct: type) -> Any:
    if not raw:
        raise ValidationFailed("a JSON request body is required")
    try:
        decoded = _decoder(struct).decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise validation_error_from_msgspec(exc, "body") from exc
    if b"\\u0000" in raw:
        reject_nul(decoded, "body")
    return decoded


def decode_query(request: Request, struct: type) -> Any:
    reject_nul({name: value for name, value in request.query_params.multi_items() if "\x00" in name + value}, "query")
    try:
        return msgspec.convert(dict(request.query_params), struct, strict=False)
    except msgspec.ValidationError as exc:
        raise validation_error_from_msgspec(exc, "query") from exc


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("a bearer access token is required", code="token_missing")
    return token.strip()


def authorize(
    settings: Settings, tenant: Tenant, request: Request, access: Access, claims: AccessClaims | None = None
) -> Actor:
    """The user the access token (`claims`, when the edge already verified it) names, once it is
    checked against the resolved tenant and the endpoint's roles."""
    assert access.roles is not None
    if claims is None:
        claims = decode_access_token(settings, bearer_token(request))
    if claims.organization_id != tenant.id:
        raise Forbidden("this token belongs to another organization", code="wrong_tenant")
    if claims.role not in access.roles:
        raise Forbidden("your role may not do this", code="role_forbidden")
    return Actor(user_id=claims.user_id, role=claims.role)


def build_route(endpoint: Endpoint, resolve_tenant: TenantResolver) -> Route:
    """The Starlette route running `endpoint`'s steps (see the module's notes). Refuses, when the
    app is built, an idempotent endpoint that is not authenticated (keys are scoped by user) and
    a handler taking an `ActorContext` on an endpoint that makes none."""
    if endpoint.idempotent and not endpoint.access.authenticated:
        raise ValueError(f"{endpoint.operation_id}: an idempotent endpoint must be authenticated")
    context_type = _context_type(endpoint.handler)
    if context_type == ActorContext.__name__ and not endpoint.access.authenticated:
        raise ValueError(f"{endpoint.operation_id}: takes an ActorContext but is not authenticated")
    if context_type == TenantContext.__name__ and not endpoint.access.tenant:
        raise ValueError(f"{endpoint.operation_id}: takes a TenantContext but is not tenant-scoped")
    wanted = set(inspect.signature(endpoint.handler).parameters)
    path_names = [name for name in wanted if "{" + name in endpoint.path]

    async def run(request: Request) -> Response:
        resources: Resources = request.app.state.resources
        async with resources.database.transaction() as session:
            context, probe = await _context(endpoint, request, session, resources, resolve_tenant)
            arguments: dict[str, Any] = {name: request.path_params[name] for name in path_names}
            if endpoint.query is not None and "query" in wanted:
                arguments["query"] = decode_query(request, endpoint.query)
            if endpoint.body is not None and "body" in wanted:
                arguments["body"] = decode_body(await request.body(), endpoint.body)
            if "request" in wanted:
                arguments["request"] = request
            if endpoint.idempotent and isinstance(context, ActorContext):
                response = await _call_idempotent(endpoint, context, request, arguments, probe)
            else:
                response = await _call(endpoint, context, arguments)
        await context.run_after_commit()
        return response

    run.__name__ = endpoint.handler.__name__
    declare_route_path(run, endpoint.path)
    return Route(endpoint.path, run, methods=[endpoint.method], max_body_size=endpoint.max_body)


def _context_type(handler: Handler) -> str | None:
    """The name of the context type the handler's first parameter is annotated with."""
    first = next(iter(inspect.signature(handler).parameters.values()), None)
    annotation = first.annotation if first is not None else None
    return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", None)


async def _context(
    endpoint: Endpoint, request: Request, session: AsyncSession, resources: Resources, resolve_tenant: TenantResolver
) -> tuple[Context, idempotency.Probe | None]:
    """Steps 2 and 3: the tenant resolved and the token checked. An authenticated endpoint gets
    an `ActorContext`, another tenant-scoped one a `TenantContext`, any other a `Context`; with
    them, the idempotency probe taken (or None)."""
    claims, probe = (
        _probe(request, resources) if endpoint.idempotent and endpoint.access.authenticated else (None, None)
    )
    tenant: Tenant | None = None
    if endpoint.access.tenant:
        tenant = await resolve_tenant(session, request, resources, probe)
        observability.annotate(tenant=tenant.id)
    ip, user_agent = client_ip(request), request.headers.get("user-agent")
    if tenant is None:
        assert not endpoint.access.authenticated, "allow() makes every authenticated endpoint tenant-scoped"
        return Context(session=session, resources=resources, ip=ip, user_agent=user_agent), probe
    if not endpoint.access.authenticated:
        return TenantContext(session=session, resources=resources, tenant=tenant, ip=ip, user_agent=user_agent), probe
    actor = authorize(resources.settings, tenant, request, endpoint.access, claims)
    observability.annotate(user=actor.user_id)
    context = ActorContext(
        session=session, resources=resources, tenant=tenant, actor=actor, ip=ip, user_agent=user_agent
    )
    return context, probe


async def _call(endpoint: Endpoint, context: Context, arguments: dict[str, Any]) -> Response:
    result = await endpoint.handler(context, **arguments)
    return result if isinstance(result, Response) else _render(endpoint, result)


async def _call_idempotent(
    endpoint: Endpoint,
    context: ActorContext,
    request: Request,
    arguments: dict[str, Any],
    probe: idempotency.Probe | None,
) -> Response:
    """Step 5 under the request's idempotency key: the stored response replayed, or the handler
    called holding the key and its response stored in the same transaction (unless the handler's
    own statement stored it)."""
    outcome = await idempotency.claim(
        context,
        key=idempotency.validate_key(request.headers.get(idempotency.KEY_HEADER)),
        endpoint=f"{endpoint.method} {request.url.path}",
        canonical_body=encode_json(arguments.get("body")),
        status=endpoint.status,
        probe=probe,
    )
    if isinstance(outcome, idempotency.StoredResponse):
        return _replay(outcome)
    claim = context.claim = outcome
    response = await _call(endpoint, context, arguments)
    if not claim.stored:
        await idempotency.complete(
            context, claim, idempotency.StoredResponse(response.status_code, bytes(response.body))
        )
    return response


def _probe(request: Request, resources: Resources) -> tuple[AccessClaims | None, idempotency.Probe | None]:
    """The verified token, and the idempotency key to lock and look up with the tenant lookup,
    when both are well-formed; Nones otherwise (the steps below then raise their errors in order)."""
    try:
        claims = decode_access_token(resources.settings, bearer_token(request))
        key = idempotency.validate_key(request.headers.get(idempotency.KEY_HEADER))
    except ApiError:
        return None, None
    return claims, idempotency.Probe(organization_id=claims.organization_id, user_id=claims.user_id, key=key)


def _replay(stored: idempotency.StoredResponse) -> Response:
    return Response(
        stored.body, status_code=stored.status, media_type=JSON, headers={idempotency.REPLAY_HEADER: "true"}
    )


def _render(endpoint: Endpoint, result: Any) -> Response:
    if result is None and endpoint.status == 204:
        return Response(status_code=204)
    return Response(encode_json(result), status_code=endpoint.status, media_type=JSON)


TenantResolver = Callable[[AsyncSession, Request, Resources, "idempotency.Probe | None"], Awaitable[Tenant]]


def build_routes(routers: Iterable[Router], resolve_tenant: TenantResolver) -> list[Route]:
    return [build_route(endpoint, resolve_tenant) for router in routers for endpoint in router.endpoints]
