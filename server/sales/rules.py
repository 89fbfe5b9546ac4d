"""What the sales sub-domains (registers, shifts, sales, refunds) share: who may set a price or
void a sale, and the two problems of a body field that names something."""

from __future__ import annotations

from collections.abc import Sequence

from server.core.errors import FieldError, NotFound, ValidationFailed

PRICE_SETTERS = ("admin", "manager")
"""The roles that may sell at another price than the catalog's, and void a sale."""


def invalid(location: Sequence[str | int], message: str, code: str | None = None) -> ValidationFailed:
    """A body field that names something which exists but may not be used: 422."""
    return ValidationFailed(message, errors=[FieldError(loc=["body", *location], msg=message)], code=code)


def missing(location: Sequence[str | int], message: str, code: str | None = None) -> NotFound:
    """A referenced id that does not exist for this tenant: 404, like an id in the path."""
    return NotFound(message, errors=[FieldError(loc=["body", *location], msg=message)], code=code)
