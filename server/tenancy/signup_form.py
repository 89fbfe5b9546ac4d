"""The landing site's sign-up form, posted by a browser without JavaScript (`POST /signup`).

The sign-up page is a real HTML form. With JavaScript its script posts JSON to
`POST /api/v1/auth/register`; without, the browser posts the form here as
`application/x-www-form-urlencoded`. Both run the same `service.register_organization`.

- Accepted: 303 See Other to the new shop's hand-over URL (its one-time code), so the browser
  lands on its subdomain signed in, and reloading the result never posts twice.
- Refused (a field, a taken email or subdomain, too many sign-ups): the landing's own built
  sign-up page in the form's language (`language`), with what was typed put back (never the
  password), each message at its field and the rest above the form, and the refusal's status
  (422, 409, 429). Messages are translated with the table the page carries
  (`<script type="application/json" id="signup-messages">`), the same one its script uses.
- A refusal writes nothing: the registration runs in a savepoint that is rolled back.
- A post from another site's page (by `Origin` / `Sec-Fetch-Site`) is 403, as for the session
  endpoints: a page elsewhere cannot sign a browser in to a shop of its choosing.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs

import msgspec
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.core.config import Settings
from server.core.context import Context
from server.core.errors import (
    ApiError,
    FieldError,
    UnsupportedMediaType,
    ValidationFailed,
    reject_nul,
    validation_error_from_msgspec,
)
from server.tenancy import service
from server.tenancy.schemas import RegistrationRequest
from server.users.browser_session import NO_STORE, check_sent_from_own_site
from server.webapps import NOSNIFF, content_security_policy, shops_under, web_root

FORM_TYPE = "application/x-www-form-urlencoded"
FIELDS = ("company_name", "subdomain", "admin_name", "email", "password", "currency", "locale", "time_zone")
REQUIRED = ("company_name", "admin_name", "email", "password")
NOT_ECHOED = frozenset({"password"})
SIGNUP_PAGES = {"es": "sign-up/index.html", "en": "en/sign-up/index.html"}
"""Where each language's built sign-up page is, inside `landing/dist/` (the landing's routes)."""
DEFAULT_LANGUAGE = "es"
MESSAGES_ID = "signup-messages"


@dataclass(slots=True)
class Refusal:
    """What the re-rendered page shows: messages by field name, and one for the whole form."""

    status: int
    fields: dict[str, str] = field(default_factory=dict)
    form: str | None = None
    code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def read_form(body: bytes) -> tuple[dict[str, str], str]:
    """The posted fields (first value of each known one) and the page's language."""
    posted = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=50)
    values = {name: posted[name][0] for name in FIELDS if name in posted}
    language = posted.get("language", [DEFAULT_LANGUAGE])[0]
    return values, language if language in SIGNUP_PAGES else DEFAULT_LANGUAGE


def registration_of(values: dict[str, str]) -> RegistrationRequest:
    """The registration the form describes; 422 naming every missing field, or the first bad one."""
    reject_nul(values, "body")
    missing = [name for name in REQUIRED if not values.get(name, "").strip()]
    if missing:
        raise ValidationFailed(
            "fill in the required fields",
            errors=[FieldError(loc=["body", name], msg="required") for name in missing],
            code="required",
        )
    wanted = {name: value.strip() if name not in NOT_ECHOED else value for name, value in values.items()}
    wanted = {name: value for name, value in wanted.items() if value != ""}
    try:
        return msgspec.convert(wanted, RegistrationRequest)
    except msgspec.ValidationError as exc:
        raise validation_error_from_msgspec(exc, "body") from exc


def refusal_of(error: ApiError) -> Refusal:
    refusal = Refusal(status=error.status, code=error.code, headers=dict(error.headers))
    for item in error.errors or []:
        path = [part for part in item.loc if part != "body"]
        name = str(path[0]) if path else ""
        if name in FIELDS and name not in refusal.fields:
            refusal.fields[name] = item.msg
    if not refusal.fields:
        refusal.form = error.detail or error.title
    return refusal


async def submit(ctx: Context, request: Request) -> Response:
    """Register from a posted form: 303 to the hand-over, or the page again with its errors."""
    settings = ctx.resources.settings
    check_sent_from_own_site(request, settings)
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM_TYPE:
        raise UnsupportedMediaType(f"post the sign-up form as {FORM_TYPE}")
    values, language = read_form(await request.body())
    try:
        async with ctx.session.begin_nested():
            result = await service.register_organization(ctx, registration_of(values))
    except ApiError as error:
        echoed = {name: value for name, value in values.items() if name not in NOT_ECHOED}
        return refused_page(request, settings, language, echoed, refusal_of(error))
    return RedirectResponse(result.handoff_url, status_code=303, headers={**NO_STORE, "Referrer-Policy": "no-referrer"})


def refused_page(
    request: Request, settings: Settings, language: str, values: dict[str, str], refusal: Refusal
) -> Response:
    page = landing_page_path(settings, language)
    headers = {**refusal.headers, **NOSNIFF, **NO_STORE}
    try:
        template = page.read_text(encoding="utf-8")
    except OSError:
        template = None
    if template is None:
        return Response(_bare_page(refusal), status_code=refusal.status, media_type="text/html", headers=headers)
    filled = fill_form(template, values, refusal)
    host = request.headers.get("host")
    headers["Content-Security-Policy"] = content_security_policy(host, shops_under(host, settings.public_scheme))
    return Response(filled, status_code=refusal.status, media_type="text/html", headers=headers)


def _bare_page(refusal: Refusal) -> str:
    """The refusal when the landing site is not built: a plain list of what went wrong."""
    items = [f"<li>{html.escape(name)}: {html.escape(message)}</li>" for name, message in refusal.fields.items()]
    if refusal.form:
        items.append(f"<li>{html.escape(refusal.form)}</li>")
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Sign-up refused</title>'
        f"<h1>The sign-up was refused</h1><ul>{''.join(items)}</ul><p>Go back and correct the form.</p></html>"
    )


# Filling the built page in


class MessageTable(msgspec.Struct):
    """The page's translations of the server's messages (see the landing's sign-up strings)."""

    messages: dict[str, str] = {}
    fields: dict[str, str] = {}
    codes: dict[str, str] = {}
    form: str = ""

    def field_message(self, name: str, message: str) -> str:
        if message in self.messages:
            return self.messages[message]
        if message == "required" or message.startswith(("Expected", "Object")):
            return self.fields.get(name, message)
        return message

    def form_message(self, refusal: Refusal) -> str:
        if refusal.code and refusal.code in self.codes:
            return self.codes[refusal.code]
        if refusal.form and refusal.form in self.messages:
            return self.messages[refusal.form]
        return refusal.form or self.form


def message_table(page: str) -> MessageTable:
    start = page.find(f'id="{MESSAGES_ID}"')
    if start < 0:
        return MessageTable()
    opened = page.index(">", start) + 1
    try:
        return msgspec.json.decode(page[opened : page.index("</script>", opened)], type=MessageTable)
    except (msgspec.DecodeError, ValueError):
        return MessageTable()


def _attributes(attrs: list[tuple[str, str | None]]) -> str:
    return "".join(f" {name}" if value is None else f' {name}="{html.escape(value)}"' for name, value in attrs)


class _FormFiller(HTMLParser):
    """Re-emits a page exactly as written, except: the form's inputs get the posted values,
    its selects the posted option, the field named by an error `aria-invalid`, every
    `[data-error-for=name]` element its message, and `[data-form-error]` the form's message
    (both shown: `hidden` removed)."""

    def __init__(self, values: dict[str, str], errors: dict[str, str], form_error: str | None) -> None:
        super().__init__(convert_charrefs=False)
        self.values = values
        self.errors = errors
        self.form_error = form_error
        self.out: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._tag(tag, attrs, self.get_starttag_text() or "", closed=False))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._tag(tag, attrs, self.get_starttag_text() or "", closed=True))

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], raw: str, *, closed: bool) -> str:
        named = dict(attrs)
        message: str | None = None
        changed = False
        name = named.get("name") or ""
        if tag == "select":
            self._select = name
        if tag in ("input", "select", "textarea") and name in self.errors:
            attrs = [(key, value) for key, value in attrs if key != "aria-invalid"] + [("aria-invalid", "true")]
            changed = True
        if tag == "input" and name in self.values and named.get("type") != "password":
            attrs = [(key, value) for key, value in attrs if key != "value"] + [("value", self.values[name])]
            changed = True
        if tag == "option" and self._select in self.values:
            chosen = named.get("value") == self.values[self._select or ""]
            attrs = [(key, value) for key, value in attrs if key != "selected"]
            attrs += [("selected", None)] if chosen else []
            changed = True
        error_for = named.get("data-error-for")
        if error_for is not None and error_for in self.errors:
            message = self.errors[error_for]
        if "data-form-error" in named and self.form_error:
            message = self.form_error
        if message is not None:
            attrs = [(key, value) for key, value in attrs if key != "hidden"]
            changed = True
        if not changed:
            return raw
        text = f"<{tag}{_attributes(attrs)}{' /' if closed else ''}>"
        return text + (html.escape(message) if message is not None else "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def fill_form(page: str, values: dict[str, str], refusal: Refusal) -> str:
    """The built sign-up page with the posted values and the refusal's messages in place."""
    table = message_table(page)
    errors = {name: table.field_message(name, message) for name, message in refusal.fields.items()}
    form_error = table.form_message(refusal) if refusal.form else table.form
    filler = _FormFiller(values, errors, form_error)
    filler.feed(page)
    filler.close()
    return "".join(filler.out)


def landing_page_path(settings: Settings, language: str) -> Path:
    return web_root(settings) / "landing" / "dist" / SIGNUP_PAGES[language]
