from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.core.pagination import PageQuery
from server.core.schemas import Input, Name, Output

# Raw input shapes. The service normalizes them (see `server.customers.service`) and checks the
# normalized form, so "12.345.678-9" and "12345678-9" are the same tax id. An empty string
# means "none" for the optional contact fields, so a form may send its empty inputs as they are.
TaxId = Annotated[
    str,
    msgspec.Meta(
        max_length=64,
        pattern=r"^[0-9A-Za-z\s./-]*$",
        description="Tax or national id. Spaces and dots are removed and letters upper-cased "
        "(`12.345.678-k` → `12345678-K`); empty for none.",
    ),
]
ContactEmail = Annotated[
    str, msgspec.Meta(max_length=320, description="An email address, stored in lower case; empty for none.")
]
Phone = Annotated[
    str,
    msgspec.Meta(
        max_length=40,
        pattern=r"^[0-9+\s().-]*$",
        description="A phone number; spaces, dots, dashes and parentheses are removed "
        "(`+56 9 1234-5678` → `+56912345678`); empty for none.",
    ),
]
Address = Annotated[str, msgspec.Meta(max_length=500)]
Notes = Annotated[str, msgspec.Meta(max_length=2000)]
Search = Annotated[
    str,
    msgspec.Meta(
        max_length=100,
        description="Case-insensitive prefix of the name, tax id, email or phone.",
    ),
]
CustomerSort = Literal[
    "name", "-name", "last_purchase_at", "-last_purchase_at", "total_spent", "-total_spent", "created_at", "-created_at"
]
SaleStatus = Literal["completed", "voided"]


class CustomerCreate(Input):
    name: Name
    tax_id: TaxId | None = None
    email: ContactEmail | None = None
    phone: Phone | None = None
    address: Address = ""
    notes: Notes = ""


class CustomerUpdate(Input):
    """Fields left out stay as they are; `null` (or an empty string) clears an optional contact field."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    tax_id: TaxId | msgspec.UnsetType | None = msgspec.UNSET
    email: ContactEmail | msgspec.UnsetType | None = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    address: Address | msgspec.UnsetType = msgspec.UNSET
    notes: Notes | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class CustomerRead(Output):
    id: uuid.UUID
    name: str
    tax_id: str | None
    email: str | None
    phone: str | None
    address: str
    notes: str
    is_active: bool
    visits: int
    total_spent: int
    last_purchase_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CustomerQuery(PageQuery):
    """Filters and order of the customer list. Every order ends with the id, so pages never overlap."""

    search: Search | None = None
    is_active: bool | None = None
    sort: CustomerSort = "name"


class CustomerExportQuery(Input):
    """The list's filters and order, without pagination: the export holds every matching customer."""

    search: Search | None = None
    is_active: bool | None = None
    sort: CustomerSort = "name"


class CustomerSaleRead(Output):
    """One sale of a customer's purchase history."""

    id: uuid.UUID
    invoice_number: str
    sold_at: datetime
    total: int
    status: SaleStatus
