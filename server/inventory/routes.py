from __future__ import annotations

import uuid

from server.core.api import ANY_ROLE, MANAGERS, Router
from server.core.context import Context
from server.core.pagination import Page, PageQuery
from server.inventory import service
from server.inventory.schemas import (
    AdjustmentCreate,
    CountCreate,
    LowStockItem,
    MovementBatch,
    MovementQuery,
    MovementRead,
    ProductMovementQuery,
    ReceiptCreate,
)

router = Router(tags=["inventory"])
STOCK_CONFLICTS = {409: "Not enough stock for one or more products"}


@router.post(
    "/api/v1/inventory/receipts",
    access=MANAGERS,
    body=ReceiptCreate,
    response=MovementBatch,
    status=201,
    idempotent=True,
)
async def receive_stock(ctx: Context, body: ReceiptCreate) -> MovementBatch:
    """Record goods received: each line adds its quantity to stock."""
    return await service.receive_stock(ctx, body)


@router.post(
    "/api/v1/inventory/adjustments",
    access=MANAGERS,
    body=AdjustmentCreate,
    response=MovementBatch,
    status=201,
    idempotent=True,
    responses=STOCK_CONFLICTS,
)
async def adjust_stock(ctx: Context, body: AdjustmentCreate) -> MovementBatch:
    """Correct stock by a signed delta, with a reason."""
    return await service.adjust_stock(ctx, body)


@router.post(
    "/api/v1/inventory/counts",
    access=MANAGERS,
    body=CountCreate,
    response=MovementBatch,
    status=201,
    idempotent=True,
    responses={409: "A product is counted on two lines (`duplicate_line`)"},
)
async def count_stock(ctx: Context, body: CountCreate) -> MovementBatch:
    """Record a stock count: each product is set to the counted quantity."""
    return await service.count_stock(ctx, body)


@router.get("/api/v1/inventory/movements", access=MANAGERS, query=MovementQuery, response=Page[MovementRead])
async def list_movements(ctx: Context, query: MovementQuery) -> Page[MovementRead]:
    """Stock movements, newest first."""
    return await service.list_movements(ctx, query)


@router.get(
    "/api/v1/products/{product_id:uuid}/movements",
    access=MANAGERS,
    query=ProductMovementQuery,
    response=Page[MovementRead],
)
async def product_movements(ctx: Context, product_id: uuid.UUID, query: ProductMovementQuery) -> Page[MovementRead]:
    """One product's stock history, newest first."""
    return await service.product_movements(ctx, product_id, query)


@router.get("/api/v1/inventory/low-stock", access=ANY_ROLE, query=PageQuery, response=Page[LowStockItem])
async def low_stock(ctx: Context, query: PageQuery) -> Page[LowStockItem]:
    """Active products at or below their reorder point, the most short first."""
    return await service.low_stock(ctx, query)
