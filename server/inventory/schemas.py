from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.core.pagination import PageQuery
from server.core.schemas import Input, Output

MovementKind = Literal["receipt", "adjustment", "count", "sale", "refund", "void"]
Reason = Annotated[str, msgspec.Meta(max_length=500)]
RequiredReason = Annotated[str, msgspec.Meta(min_length=3, max_length=500)]
PositiveQuantity = Annotated[int, msgspec.Meta(ge=1, le=10**9)]
Delta = Annotated[int, msgspec.Meta(ge=-(10**9), le=10**9)]
CountedQuantity = Annotated[int, msgspec.Meta(ge=0, le=10**9)]
Lines = Annotated[list, msgspec.Meta(min_length=1, max_length=1000)]


class ReceiptLine(Input):
    product_id: uuid.UUID
    quantity: PositiveQuantity


class AdjustmentLine(Input):
    product_id: uuid.UUID
    delta: Delta


class CountLine(Input):
    product_id: uuid.UUID
    counted: CountedQuantity


class ReceiptCreate(Input):
    lines: Annotated[list[ReceiptLine], msgspec.Meta(min_length=1, max_length=1000)]
    reason: Reason = ""


class AdjustmentCreate(Input):
    lines: Annotated[list[AdjustmentLine], msgspec.Meta(min_length=1, max_length=1000)]
    reason: RequiredReason


class CountCreate(Input):
    lines: Annotated[list[CountLine], msgspec.Meta(min_length=1, max_length=1000)]
    reason: Reason = ""


class MovementRead(Output):
    """One stock movement, with the product's SKU and name as they are now (for ledgers)."""

    id: uuid.UUID
    product_id: uuid.UUID
    product_sku: str
    product_name: str
    kind: MovementKind
    delta: int
    balance_after: int
    actor_id: uuid.UUID | None
    reason: str
    reference_id: uuid.UUID | None
    occurred_at: datetime


class MovementBatch(Output):
    movements: list[MovementRead]


class ProductMovementQuery(PageQuery):
    """One product's movements (the product is in the path)."""

    kind: MovementKind | None = None
    since: datetime | None = None
    until: datetime | None = None


class MovementQuery(ProductMovementQuery):
    product_id: uuid.UUID | None = None


class LowStockItem(Output):
    product_id: uuid.UUID
    sku: str
    name: str
    stock: int
    reorder_point: int
    shortfall: int
