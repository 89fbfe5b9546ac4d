"""Base Structs and reusable field types for the API.

Input Structs forbid unknown fields, so `organization_id`, `role` or `id` can never be smuggled
into a request that does not declare them.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"

Email = Annotated[str, msgspec.Meta(pattern=EMAIL_PATTERN, max_length=320, description="An email address")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Money = Annotated[int, msgspec.Meta(ge=0, le=10**15, description="Minor units of the organization's currency")]


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body and query."""


class Output(msgspec.Struct, kw_only=True):
    """Base of every response body."""


_encoder = msgspec.json.Encoder()


def encode_json(value: Any) -> bytes:
    """A response body's bytes: the one encoder of every answer and of every stored answer, so
    that a replay is the original byte for byte."""
    return _encoder.encode(value)
