from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.core.pagination import PageQuery
from server.core.schemas import Input, Money, Name, Output

Sku = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")]
Barcode = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z\-\.]+$")]
TaxRate = Annotated[int, msgspec.Meta(ge=0, le=10_000, description="Basis points: 1900 = 19 %")]
Unit = Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
ReorderPoint = Annotated[int, msgspec.Meta(ge=0, le=10**9)]
LeadTime = Annotated[int, msgspec.Meta(ge=0, le=365)]
Quantity = Annotated[int, msgspec.Meta(ge=0, le=10**9)]
Description = Annotated[str, msgspec.Meta(max_length=4000)]
SearchText = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]

ProductSort = Literal["name", "-name", "sku", "-sku", "price", "-price", "stock", "-stock", "updated_at", "-updated_at"]


class CategoryCreate(Input):
    name: Name
    parent_id: uuid.UUID | None = None


class CategoryUpdate(Input):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    parent_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET


class CategoryRead(Output):
    id: uuid.UUID
    name: str
    parent_id: uuid.UUID | None


class ProductCreate(Input):
    sku: Sku
    name: Name
    price: Money
    barcode: Barcode | None = None
    description: Description = ""
    category_id: uuid.UUID | None = None
    cost: Money = 0
    tax_rate_bp: TaxRate = 0
    unit: Unit = "unit"
    reorder_point: ReorderPoint = 0
    lead_time_days: LeadTime = 7
    is_active: bool = True
    initial_stock: Quantity = 0


class ProductUpdate(Input):
    """Fields left out stay as they are. Stock is not here: it changes only through movements."""

    sku: Sku | msgspec.UnsetType = msgspec.UNSET
    name: Name | msgspec.UnsetType = msgspec.UNSET
    price: Money | msgspec.UnsetType = msgspec.UNSET
    barcode: Barcode | msgspec.UnsetType | None = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    category_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    cost: Money | msgspec.UnsetType = msgspec.UNSET
    tax_rate_bp: TaxRate | msgspec.UnsetType = msgspec.UNSET
    unit: Unit | msgspec.UnsetType = msgspec.UNSET
    reorder_point: ReorderPoint | msgspec.UnsetType = msgspec.UNSET
    lead_time_days: LeadTime | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class ProductImageRead(Output):
    """A product's image: signed URLs of its renditions (WebP), valid for about 13 months and the
    same for 30 days, so caches keep them. `version` changes whenever the image does."""

    version: str
    thumb: str
    grid: str
    detail: str


class ProductRead(Output):
    id: uuid.UUID
    sku: str
    barcode: str | None
    name: str
    description: str
    category_id: uuid.UUID | None
    price: int
    cost: int
    tax_rate_bp: int
    unit: str
    stock: int
    reorder_point: int
    lead_time_days: int
    is_active: bool
    created_at: datetime
    updated_at: datetime
    image: ProductImageRead | None = None


class ProductQuery(PageQuery):
    search: SearchText | None = None
    category_id: uuid.UUID | None = None
    is_active: bool | None = None
    low_stock: bool | None = None
    sort: ProductSort = "name"


class ImportRowError(Output):
    """A problem of one cell: `row` counts the header as row 1, as a spreadsheet does."""

    row: int
    column: str
    message: str


class ImportReport(Output):
    """The outcome of a CSV import (or of its dry run, which writes nothing). Without
    `skip_invalid`, a file with any invalid row is refused whole with a 422 problem listing every
    error as `loc: ["body", "row", <row number>, <column>]`; with it, the valid rows are imported
    and the invalid ones are `skipped`, each error listed in `errors`."""

    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    errors: list[ImportRowError]


class ImportQuery(Input):
    dry_run: bool = False
    skip_invalid: bool = False


class ImageImportQuery(Input):
    dry_run: bool = False
    skip_invalid: bool = False


class ImageImportError(Output):
    """A file of the zip that can't be used, and why."""

    file: str
    message: str


class ImageImportReport(Output):
    """The outcome of a zip of images named by SKU (or of its dry run, which stores nothing:
    `updated` then counts the images that would be set). Without `skip_invalid`, a zip with any
    unusable file is refused whole with a 422 listing every file as `loc: ["body", <file>]`."""

    dry_run: bool
    files: int
    updated: int
    unchanged: int
    skipped: int
    errors: list[ImageImportError]
