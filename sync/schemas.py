from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from server.core.pagination import PageQuery
from server.core.schemas import Input, Money, Name, Output
from server.customers.schemas import CustomerCreate
from server.sales.schemas import CountedAmount, PaymentCreate, PaymentMethod, Reason, SaleLineCreate

Seq = Annotated[int, msgspec.Meta(ge=1, le=2**53)]
Note = Annotated[str, msgspec.Meta(max_length=1000)]
MAX_DOCUMENTS = 100
MAX_BATCH_BYTES = 1024 * 1024


# Devices


class DeviceCreate(Input):
    register_id: uuid.UUID
    name: Name
    replace: bool = False


class DeviceRead(Output):
    id: uuid.UUID
    register_id: uuid.UUID
    register_code: str
    name: str
    last_seq: int
    last_seen_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime


class DeviceCredentials(Output):
    """Returned once, at registration: the credential is stored only as its hash."""

    device: DeviceRead
    credential: str


class PairingCodeCreate(Input):
    """A one-time code that pairs a device with the register (`sync.pairing`). `device_name`,
    when given, names the device instead of the name the device sends; `replace` revokes the
    register's current device when the new one pairs."""

    register_id: uuid.UUID
    device_name: Name | None = None
    replace: bool = False


class PairingCodeRead(Output):
    """The code, shown once (`XXXX-XXXX`); valid until `expires_at`, for one device."""

    code: str
    expires_at: datetime
    register_id: uuid.UUID


class PairingRequest(Input):
    """What the device sends: the code as typed (case, dash and spaces don't matter) and its name."""

    code: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    name: Name


class Heartbeat(Input):
    queued_documents: Annotated[int, msgspec.Meta(ge=0, le=10**7)] = 0


# Catalog pull


class CatalogQuery(Input):
    cursor: Annotated[str, msgspec.Meta(max_length=4000)] | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=5000)] = 1000


class OrganizationSync(Output):
    id: uuid.UUID
    name: str
    currency: str
    currency_minor_units: int
    locale: str
    time_zone: str
    tax_mode: str
    allow_negative_stock: bool


class ProductSync(Output):
    id: uuid.UUID
    sku: str
    barcode: str | None
    name: str
    category_id: uuid.UUID | None
    price: int
    tax_rate_bp: int
    unit: str
    stock: int
    is_active: bool
    image: str | None = None
    """The signed URL of the product's image for the point of sale's grid (WebP), or None."""


class CategorySync(Output):
    id: uuid.UUID
    name: str
    parent_id: uuid.UUID | None


class CustomerSync(Output):
    id: uuid.UUID
    name: str
    tax_id: str | None
    email: str | None
    phone: str | None
    is_active: bool


class CashierSync(Output):
    """What the POS needs to let a cashier unlock it offline (see docs/sync.md, threat model)."""

    id: uuid.UUID
    full_name: str
    role: str
    is_active: bool
    offline_pin: str | None


class RegisterSync(Output):
    id: uuid.UUID
    code: str
    name: str
    is_active: bool
    last_number: int
    open_shift_id: uuid.UUID | None


class Tombstone(Output):
    entity: str
    id: uuid.UUID


class CatalogPage(Output):
    """Rows changed since the cursor. Keep pulling with `next_cursor` while `has_more`; when it is
    false, `next_cursor` is where the next pull (after more changes) starts."""

    next_cursor: str
    has_more: bool
    organization: OrganizationSync
    products: list[ProductSync]
    categories: list[CategorySync]
    customers: list[CustomerSync]
    cashiers: list[CashierSync]
    registers: list[RegisterSync]
    tombstones: list[Tombstone]


# Offline documents


class Document(Input, tag_field="kind"):
    """Common fields of every offline document: a client-made UUID (it becomes the id of what
    the document creates), the device's sequence number, the device's clock, and who did it."""

    id: uuid.UUID
    seq: Seq
    device_time: datetime
    cashier_id: uuid.UUID


class SaleDocument(Document, tag="sale"):
    shift_id: uuid.UUID | None
    number: Annotated[int, msgspec.Meta(ge=1, le=2**53)]
    lines: Annotated[list[SaleLineCreate], msgspec.Meta(min_length=1, max_length=500)]
    payments: Annotated[list[PaymentCreate], msgspec.Meta(min_length=1, max_length=10)]
    discount: Money = 0
    customer_id: uuid.UUID | None = None
    note: Note = ""


class RefundLineDocument(Input):
    position: Annotated[int, msgspec.Meta(ge=1, le=500)]
    quantity: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]


class RefundDocument(Document, tag="refund"):
    sale_id: uuid.UUID
    shift_id: uuid.UUID | None
    lines: Annotated[list[RefundLineDocument], msgspec.Meta(min_length=1, max_length=500)]
    method: PaymentMethod
    reason: Reason
    restock: bool = True


class CustomerDocument(Document, tag="customer"):
    customer: CustomerCreate


class ShiftOpenDocument(Document, tag="shift_open"):
    opening_float: Money


class ShiftCloseDocument(Document, tag="shift_close"):
    shift_id: uuid.UUID
    counts: Annotated[list[CountedAmount], msgspec.Meta(max_length=4)]
    note: Note = ""


class CashMovementDocument(Document, tag="cash_movement"):
    shift_id: uuid.UUID
    movement: Literal["pay_in", "pay_out"]
    amount: Annotated[int, msgspec.Meta(ge=1, le=10**15)]
    reason: Reason


AnyDocument = (
    SaleDocument | RefundDocument | CustomerDocument | ShiftOpenDocument | ShiftCloseDocument | CashMovementDocument
)


class PushRequest(Input):
    device_id: uuid.UUID
    sales: list[AnyDocument]


Status = Literal["applied", "applied_with_conflict", "duplicate", "rejected"]


class ConflictNote(Output):
    code: str
    message: str
    product_id: uuid.UUID | None = None


class DocumentResult(Output):
    id: uuid.UUID
    seq: int
    kind: str
    status: Status
    code: str | None = None
    message: str | None = None
    sale_id: uuid.UUID | None = None
    invoice_number: str | None = None
    conflicts: list[ConflictNote] = []


class PushResult(Output):
    """Per document, in order. `last_seq` is the device's settled sequence: every document up to
    it is final and may be purged by the POS. `expected_seq` is set when the batch stopped at a
    gap; `retry_after_ms` when it stopped on a transient failure (then nothing was settled)."""

    device_id: uuid.UUID
    last_seq: int
    results: list[DocumentResult]
    expected_seq: int | None = None
    retry_after_ms: int | None = None


# Conflict inbox


class ConflictQuery(PageQuery):
    status: Literal["open", "resolved"] | None = None
    code: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    device_id: uuid.UUID | None = None
    since: datetime | None = None


class ConflictRead(Output):
    id: uuid.UUID
    device_id: uuid.UUID
    document_id: uuid.UUID
    sale_id: uuid.UUID | None
    product_id: uuid.UUID | None
    code: str
    message: str
    details: dict[str, Any]
    status: Literal["open", "resolved"]
    resolution: str | None
    note: str
    resolved_by: uuid.UUID | None
    resolved_at: datetime | None
    created_at: datetime


class ConflictResolve(Input):
    action: Literal["acknowledge", "adjust_stock", "annotate"]
    note: Note = ""
    counted: Annotated[int, msgspec.Meta(ge=0, le=10**9)] | None = None
