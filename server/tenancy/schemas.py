from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec

from server.core.schemas import Email, Input, Output
from server.users.schemas import TokenPair, UserRead

SubdomainText = Annotated[str, msgspec.Meta(min_length=1, max_length=63)]


class RegistrationRequest(Input):
    company_name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    admin_name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    email: Email
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    subdomain: SubdomainText | None = None
    currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")] = "USD"
    locale: Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")] = "en-US"
    time_zone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] = "UTC"


LOCALE_PATTERN = r"^(es|en)(-([A-Z]{2}|[0-9]{3}))?$"


class OrganizationUpdate(Input):
    """An admin's change to the organization's settings; fields left out stay as they are.

    The currency can change only until the first sale: amounts are stored in its minor units
    and are never converted."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)] | msgspec.UnsetType = msgspec.UNSET
    currency: (
        Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, such as CLP or USD")]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    locale: (
        Annotated[
            str,
            msgspec.Meta(
                pattern=LOCALE_PATTERN, description="Spanish or English, optionally with a region: es, es-CL, en-US"
            ),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    time_zone: (
        Annotated[
            str, msgspec.Meta(min_length=1, max_length=64, description="IANA time zone, such as America/Santiago")
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    tax_mode: (
        Annotated[
            Literal["inclusive", "exclusive"], msgspec.Meta(description="Whether prices include tax or tax is added")
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    allow_negative_stock: bool | msgspec.UnsetType = msgspec.UNSET
    tax_id: (
        Annotated[
            str,
            msgspec.Meta(
                max_length=32,
                pattern=r"^[0-9A-Za-z .\-/]*$",
                description="The seller's tax id printed on invoices (RUT, NIF, EIN…); empty to clear",
            ),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    address: (
        Annotated[str, msgspec.Meta(max_length=300, description="The seller's address printed on invoices")]
        | msgspec.UnsetType
    ) = msgspec.UNSET


class OrganizationRead(Output):
    id: uuid.UUID
    name: str
    subdomain: str
    currency: str
    currency_minor_units: int
    locale: str
    time_zone: str
    tax_mode: Literal["inclusive", "exclusive"]
    allow_negative_stock: bool
    tax_id: str
    address: str


class RegistrationResult(Output):
    organization: OrganizationRead
    subdomain: str
    app_url: str
    tokens: TokenPair
    handoff_url: Annotated[
        str,
        msgspec.Meta(
            description="The new shop's hand-over page with a one-time code: a browser that opens it is "
            "signed in there (`POST /api/v1/auth/session/handoff`). Valid once, for `handoff_expires_in` seconds."
        ),
    ]
    handoff_expires_in: int


class SubdomainAvailability(Output):
    subdomain: str
    available: bool
    reason: str | None = None


class SubdomainQuery(Input):
    name: SubdomainText


class MeRead(Output):
    """The signed-in user and the organization they belong to."""

    user: UserRead
    organization: OrganizationRead
