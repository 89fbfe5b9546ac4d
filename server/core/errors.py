"""The one error hierarchy of the API, rendered as RFC 9457 problem+json in one place.

Services raise these; nothing else turns into a 4xx. Any other exception is a bug and
becomes a 500 with no detail leaked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import msgspec
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Match, Route

from server.core.observability import current_request_id, report_exception

logger = logging.getLogger("orbit.errors")

PROBLEM_CONTENT_TYPE = "application/problem+json"
CLIENT_CLOSED_REQUEST = 499
"""The status recorded (logs, metrics) for a request whose client hung up before its answer,
as nginx names it; nothing is sent, since nobody is listening."""


class FieldError(msgspec.Struct, frozen=True):
    loc: list[str | int]
    msg: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] | None = None
    code: str | None = None
    retry_after_ms: int | None = None
    request_id: str | None = None
    """The request's `X-Request-Id`, to quote when reporting the problem."""


class ApiError(Exception):
    """Base of every error the API answers on purpose."""

    status: int = 400
    title: str = "Bad request"
    slug: str = "bad-request"

    def __init__(
        self,
        detail: str = "",
        *,
        errors: list[FieldError] | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors
        self.code = code
        self.headers = headers or {}

    retry_after_ms: int | None = None

    def problem(self) -> Problem:
        return Problem(
            type=f"https://orbitengine.dev/problems/{self.slug}",
            title=self.title,
            status=self.status,
            detail=self.detail,
            errors=self.errors,
            code=self.code,
            retry_after_ms=self.retry_after_ms,
            request_id=current_request_id(),
        )


class BadRequest(ApiError):
    pass


class ValidationFailed(ApiError):
    status, title, slug = 422, "Validation failed", "validation"


class Unauthorized(ApiError):
    status, title, slug = 401, "Not authenticated", "unauthorized"

    def __init__(self, detail: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class Forbidden(ApiError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(ApiError):
    status, title, slug = 404, "Not found", "not-found"


class MethodNotAllowed(ApiError):
    status, title, slug = 405, "Method not allowed", "method-not-allowed"


class Conflict(ApiError):
    status, title, slug = 409, "Conflict", "conflict"


class PreconditionRequired(ApiError):
    status, title, slug = 428, "Precondition required", "precondition-required"


class PayloadTooLarge(ApiError):
    status, title, slug = 413, "Payload too large", "payload-too-large"


class UnsupportedMediaType(ApiError):
    status, title, slug = 415, "Unsupported media type", "unsupported-media-type"


class TooManyRequests(ApiError):
    status, title, slug = 429, "Too many requests", "rate-limited"

    def __init__(self, detail: str = "", *, retry_after: int, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(max(1, retry_after))})
        super().__init__(detail, **kwargs)
        self.retry_after = retry_after


class ServiceUnavailable(ApiError):
    """A transient failure (database unreachable, lock timeout, deadlock): nothing was changed,
    retry after `retry_after_ms`."""

    status, title, slug = 503, "Service unavailable", "unavailable"

    def __init__(self, detail: str = "", *, retry_after_ms: int = 2000, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(max(1, -(-retry_after_ms // 1000)))})
        kwargs.setdefault("code", "retry_later")
        super().__init__(detail, **kwargs)
        self.retry_after_ms = retry_after_ms


TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03", "53300"}


def is_transient(exc: BaseException) -> bool:
    """A database failure worth retrying: connection lost or refused, serialization failure,
    deadlock, lock or statement timeout, server shutting down or out of connections."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (OperationalError, InterfaceError, ConnectionError, OSError, TimeoutError)):
        return True
    original = getattr(exc, "orig", None)
    sqlstate = getattr(original, "sqlstate", None) or getattr(getattr(original, "__cause__", None), "sqlstate", None)
    return sqlstate in TRANSIENT_SQLSTATES or (isinstance(sqlstate, str) and sqlstate.startswith("08"))


_encoder = msgspec.json.Encoder()
_LOCATION = re.compile(r"\$((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)")
_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def validation_error_from_msgspec(exc: msgspec.ValidationError | msgspec.DecodeError, where: str) -> ValidationFailed:
    """Turn msgspec's message (`Expected int, got str - at $.lines[0].quantity`) into a field error."""
    message = str(exc)
    location: list[str | int] = [where]
    text = message
    if " - at `" in message:
        text, _, path = message.partition(" - at `")
        match = _LOCATION.match(path.rstrip("`"))
        if match:
            for name, index in _PART.findall(match.group(1)):
                location.append(name if name else int(index))
    if isinstance(exc, msgspec.DecodeError) and not isinstance(exc, msgspec.ValidationError):
        return ValidationFailed("the request body is not valid JSON", errors=[FieldError(loc=[where], msg=text)])
    return ValidationFailed(text, errors=[FieldError(loc=location, msg=text)])


NUL = "\x00"
NUL_MESSAGE = "text may not contain the NUL character (U+0000)"


def nul_locations(value: Any, location: tuple[str | int, ...]) -> Iterator[list[str | int]]:
    """Where a decoded input holds text with a NUL: every string value or key of a Struct (by
    its encoded field names), list, tuple, set or dict, walked to any depth."""
    if isinstance(value, str):
        if NUL in value:
            yield list(location)
    elif isinstance(value, msgspec.Struct):
        for name, encoded in zip(value.__struct_fields__, value.__struct_encode_fields__, strict=True):
            yield from nul_locations(getattr(value, name), (*location, encoded))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and NUL in key:
                yield [*location, key]
                continue
            yield from nul_locations(item, (*location, key if isinstance(key, str | int) else str(key)))
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from nul_locations(item, (*location, index))


def reject_nul(value: Any, *location: str | int) -> None:
    """The one rule for NUL in text input: PostgreSQL cannot store U+0000 in `text` or `jsonb`,
    so any input holding one, wherever it is (body, query, form, CSV cell), is a 422 naming
    each field that holds it, before anything reads or writes the database."""
    found = list(nul_locations(value, location))
    if found:
        errors = [FieldError(loc=loc, msg=NUL_MESSAGE) for loc in found]
        raise ValidationFailed(NUL_MESSAGE, errors=errors, code="nul_character")


def problem_response(error: ApiError) -> Response:
    return Response(
        _encoder.encode(error.problem()),
        status_code=error.status,
        media_type=PROBLEM_CONTENT_TYPE,
        headers=error.headers,
    )


async def handle_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return problem_response(exc)


_HTTP_ERRORS: dict[int, type[ApiError]] = {
    404: NotFound,
    405: MethodNotAllowed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
}


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    error_type = _HTTP_ERRORS.get(exc.status_code, BadRequest)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    error = error_type(exc.detail if isinstance(exc.detail, str) else "", headers=headers)
    error.status = exc.status_code
    return problem_response(error)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at the request's path. Each endpoint is a route of its own,
    so Starlette's 405 names only the first route's methods; `Allow` must name them all."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods
    return sorted(methods)


async def handle_client_disconnect(request: Request, exc: Exception) -> Response:
    """The client hung up while sending its body (a till on a flaky network): the transaction
    was rolled back, nothing changed, and it is no server error: no traceback, status 499."""
    logger.info("client disconnected during %s %s", request.method, request.url.path)
    return Response(status_code=CLIENT_CLOSED_REQUEST)


async def handle_database_error(request: Request, exc: Exception) -> Response:
    if is_transient(exc):
        logger.warning("transient database failure on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(ServiceUnavailable("the database is busy or unreachable; nothing was changed"))
    return await handle_unexpected(request, exc)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    if is_transient(exc):
        return await handle_database_error(request, exc)
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    report_exception(exc)
    error = ApiError("an unexpected error occurred; it has been logged")
    error.status, error.title, error.slug = 500, "Internal server error", "internal"
    return problem_response(error)


EXCEPTION_HANDLERS = {
    ApiError: handle_api_error,
    ClientDisconnect: handle_client_disconnect,
    DBAPIError: handle_database_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
