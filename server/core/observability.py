"""What an operator reads when something goes wrong: JSON log lines, request ids, error reports.

- Every process (server, worker, scheduler) writes one JSON object per log line
  (`LOG_FORMAT=json`, the default; `text` for a terminal), with the request id, tenant and user
  of the request or job it was written for (`RequestInfo`, a context variable).
- The server writes one line per HTTP request (logger `orbit.access`): request id, tenant,
  user, method, route template (never the raw path or query, which may name people), status,
  duration. The request id is the client's `X-Request-Id` when it is well formed (1–128 of
  `A–Z a–z 0–9 . _ : -`), else a new one; it is echoed in the response's `X-Request-Id` header
  and in problem documents (`request_id`), and carried as a label into the jobs a request
  enqueues, whose worker logs under the same id.
- With `SENTRY_DSN` set, unexpected errors (the 500s, failed jobs) are reported to Sentry
  tagged with `tenant` (organization id), `request_id` and `service`; no personal data: no
  request bodies, headers, cookies, query strings, IP addresses or user fields are sent.
"""

from __future__ import annotations

import contextlib
import json
import logging
import logging.config
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sentry_sdk
from sentry_sdk.transport import Transport
from sentry_sdk.types import Event, Hint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from taskiq import TaskiqMessage, TaskiqMiddleware, TaskiqResult

from server.core.metrics import JOB_DURATION, route_template

REQUEST_ID_HEADER = "X-Request-Id"
REQUEST_ID_LABEL = "request_id"
LOG_FORMATS = ("json", "text")
_WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_service = "orbit"

access_logger = logging.getLogger("orbit.access")
jobs_logger = logging.getLogger("orbit.jobs")
logger = logging.getLogger("orbit.observability")


@dataclass(slots=True)
class RequestInfo:
    """Who a piece of work is for: filled in as the request is resolved (tenant, then user)."""

    request_id: str
    tenant: str | None = None
    user: str | None = None


_current: ContextVar[RequestInfo | None] = ContextVar("orbit_request", default=None)


def current() -> RequestInfo | None:
    return _current.get()


def current_request_id() -> str | None:
    info = _current.get()
    return info.request_id if info is not None else None


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(raw: str | None) -> str:
    """The client's request id when well formed, else a new one."""
    return raw if raw is not None and _WELL_FORMED_ID.fullmatch(raw) else new_request_id()


@contextlib.contextmanager
def bound(info: RequestInfo) -> Iterator[RequestInfo]:
    """Make `info` the current request's (or job's) for the block."""
    token = _current.set(info)
    try:
        yield info
    finally:
        _current.reset(token)


def annotate(*, tenant: object | None = None, user: object | None = None) -> None:
    """Record the tenant and user the current request turned out to be for."""
    info = _current.get()
    if info is None:
        return
    if tenant is not None:
        info.tenant = str(tenant)
    if user is not None:
        info.user = str(user)


# Log lines

_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName", "color_message"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the service, the current
    request's ids, any `extra=` fields, and the exception's traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "service": _service,
        }
        info = _current.get()
        if info is not None:
            payload["request_id"] = info.request_id
            if info.tenant is not None:
                payload["tenant"] = info.tenant
            if info.user is not None:
                payload["user"] = info.user
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRIBUTES and not name.startswith("_"):
                payload[name] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


def logging_config(log_format: str = "json", level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` for every process (uvicorn takes it as `log_config`, so
    each of its worker processes applies it): our records and uvicorn's in one format; uvicorn's
    own access log is off, since `RequestLogMiddleware` writes a richer line per request."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"orbit": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "orbit", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
        },
    }


def configure_logging(log_format: str = "json", level: str = "INFO", *, service: str = "orbit") -> None:
    global _service
    _service = service
    logging.config.dictConfig(logging_config(log_format, level))


def set_service(service: str) -> None:
    """Name the process in every log line and error report (`server`, `worker`, `scheduler`)."""
    global _service
    _service = service


# One line per request


ErrorResponder = Callable[[Request, Exception], Awaitable[Response]]


class RequestLogMiddleware:
    """Give every HTTP request and WebSocket connection a request id (`RequestInfo`), answer it
    in `X-Request-Id`, and write one `orbit.access` line per HTTP request when it ends.

    An exception that escapes the app before its response started is answered here by
    `on_error` (the 500 problem document), still inside the request's context, so the
    report, the log line and the answer all carry the request's ids."""

    def __init__(self, app: ASGIApp, on_error: ErrorResponder) -> None:
        self.app = app
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raw = _header(scope, b"x-request-id")
        info = RequestInfo(request_id=accepted_request_id(raw))
        if scope["type"] == "websocket":
            with bound(info):
                await self.app(scope, receive, send)
            return

        status = 500
        echoed = (b"x-request-id", info.request_id.encode())

        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                message = {**message, "headers": [*message.get("headers", []), echoed]}
            await send(message)

        start = time.perf_counter()
        with bound(info):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as exc:
                if started:
                    raise
                response = await self.on_error(Request(scope, receive), exc)
                await response(scope, receive, send_with_id)
            finally:
                access_logger.info(
                    "%s %s %s",
                    scope["method"],
                    route_template(scope),
                    status,
                    extra={
                        "method": scope["method"],
                        "route": route_template(scope),
                        "status": status,
                        "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                    },
                )


def _header(scope: Scope, name: bytes) -> str | None:
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers", ())
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None


# Jobs

TENANT_LABEL = "tenant"


def job_labels(tenant: object | None = None) -> dict[str, str]:
    """The labels a job is enqueued with: the current request's id (or a new one, for a job
    that no request asked for) and its tenant, so the worker logs under them."""
    labels = {REQUEST_ID_LABEL: current_request_id() or new_request_id()}
    if tenant is not None:
        labels[TENANT_LABEL] = str(tenant)
    return labels


class JobObservability(TaskiqMiddleware):
    """In a worker: each job runs with the request id and tenant it was enqueued with, writes
    one `orbit.jobs` line when it ends (task, outcome, duration), is timed in
    `orbit_job_duration_seconds`, and its failure is reported (`report_exception`)."""

    def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        # Each job runs in its own asyncio task, so this binds the job's context only.
        _current.set(
            RequestInfo(
                request_id=accepted_request_id(_label(message, REQUEST_ID_LABEL)), tenant=_label(message, TENANT_LABEL)
            )
        )
        return message

    def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        outcome = "error" if result.is_err else "ok"
        JOB_DURATION.labels(message.task_name, outcome).observe(result.execution_time)
        jobs_logger.info(
            "%s %s in %.1f s",
            message.task_name,
            outcome,
            result.execution_time,
            extra={"task": message.task_name, "outcome": outcome, "duration_ms": round(result.execution_time * 1000)},
        )

    def on_error(self, message: TaskiqMessage, result: TaskiqResult[Any], exception: BaseException) -> None:
        report_exception(exception)


def _label(message: TaskiqMessage, name: str) -> str | None:
    value = message.labels.get(name)
    return str(value) if value is not None else None


# Error reports


def init_error_reports(
    dsn: str, *, environment: str, service: str, release: str | None = None, transport: Transport | None = None
) -> bool:
    """Start reporting to Sentry when `dsn` is set (returns whether it is). Only what
    `report_exception` sends goes out: no integration collects requests, logs or breadcrumbs
    on its own, so no request body, header, cookie, address or user field can leak."""
    if not dsn:
        return False
    options: dict[str, Any] = {
        "dsn": dsn,
        "environment": environment,
        "release": release,
        "default_integrations": False,
        "auto_enabling_integrations": False,
        "max_request_body_size": "never",
        "include_local_variables": False,
        "max_breadcrumbs": 0,
        "before_send": _without_personal_data,
    }
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(**options)
    sentry_sdk.set_tag("service", service)
    return True


def report_exception(exc: BaseException) -> None:
    """Report an unexpected error, tagged with the current tenant and request id (if any)."""
    if not sentry_sdk.get_client().is_active():
        return
    info = _current.get()
    with sentry_sdk.new_scope() as scope:
        scope.set_tag("service", _service)
        if info is not None:
            scope.set_tag("request_id", info.request_id)
            if info.tenant is not None:
                scope.set_tag("tenant", info.tenant)
        sentry_sdk.capture_exception(exc)


_QUOTES_ROWS = ("sqlalchemy", "asyncpg")


def _without_personal_data(event: Event, hint: Hint) -> Event:
    """Drop what could name a person: request data, user fields, breadcrumbs, the host name, and
    the message of a database error (PostgreSQL quotes the offending row's values in it)."""
    event.pop("request", None)
    event.pop("user", None)
    event.pop("breadcrumbs", None)
    event.pop("server_name", None)
    for exception in event.get("exception", {}).get("values", []):
        if str(exception.get("module") or "").startswith(_QUOTES_ROWS):
            exception["value"] = "(withheld: a database error may quote row values)"
    return event
