from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.core.pagination import PageQuery
from server.core.schemas import Email, Input, Name, Output

Role = Literal["admin", "manager", "cashier"]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
OpaqueToken = Annotated[str, msgspec.Meta(min_length=1, max_length=512)]


class LoginRequest(Input):
    email: Email
    password: Password


class RefreshRequest(Input):
    refresh_token: OpaqueToken


class HandoffExchange(Input):
    """A one-time hand-over code, as the landing site's registration made it."""

    code: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class UserRead(Output):
    id: uuid.UUID
    email: str
    full_name: str
    role: Role
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class TokenPair(Output):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    user: UserRead


class SessionRead(Output):
    """A browser session: the access token in the body, the refresh token only in the
    `orbit_refresh` cookie set by the same response."""

    access_token: str
    token_type: Literal["bearer"]
    expires_in: int
    user: UserRead


class UserCreate(Input):
    email: Email
    full_name: Name
    role: Role
    password: Password


class UserUpdate(Input):
    """Fields left out stay as they are."""

    full_name: Name | msgspec.UnsetType = msgspec.UNSET
    role: Role | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET
    password: Password | msgspec.UnsetType = msgspec.UNSET


class PersonRead(Output):
    """What managers may know of a colleague: enough to name who sold, refunded or changed what."""

    id: uuid.UUID
    full_name: str
    role: Role
    is_active: bool


class UserQuery(PageQuery):
    role: Role | None = None
    is_active: bool | None = None
    search: Annotated[str, msgspec.Meta(max_length=100)] | None = None


Pin = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4,8}$", description="4 to 8 digits")]


class PinSet(Input):
    pin: Pin
    password: Password


class UserPinSet(Input):
    """An admin sets a user's PIN: no password of the user is needed."""

    pin: Pin
