from __future__ import annotations

import uuid

from starlette.responses import StreamingResponse

from server.core.api import ANY_ROLE, MANAGERS, Router
from server.core.context import ActorContext
from server.core.pagination import Page, PageQuery
from server.customers import service
from server.customers.schemas import (
    CustomerCreate,
    CustomerExportQuery,
    CustomerQuery,
    CustomerRead,
    CustomerSaleRead,
    CustomerUpdate,
)

router = Router(tags=["customers"])


@router.get("/api/v1/customers", access=ANY_ROLE, query=CustomerQuery, response=Page[CustomerRead])
async def list_customers(ctx: ActorContext, query: CustomerQuery) -> Page[CustomerRead]:
    """List and search customers.

    `search` matches the start of the name, tax id, email or phone, ignoring case (and dots and
    spaces in tax ids and phones)."""
    return await service.list_customers(ctx, query)


@router.post(
    "/api/v1/customers",
    access=ANY_ROLE,
    body=CustomerCreate,
    response=CustomerRead,
    status=201,
    responses={409: "Another customer has this tax id"},
)
async def create_customer(ctx: ActorContext, body: CustomerCreate) -> CustomerRead:
    """Add a customer (cashiers may, at the till)."""
    return await service.create_customer(ctx, body)


# Declared before `/{customer_id:uuid}` so the static path is never read as an id.
@router.get("/api/v1/customers/export.csv", access=MANAGERS, query=CustomerExportQuery, produces=("text/csv",))
async def export_customers(ctx: ActorContext, query: CustomerExportQuery) -> StreamingResponse:
    """Download the customers matching the list's filters as CSV.

    UTF-8 with a header row; money in minor units; times in the organization's time zone."""
    chunks = await service.export_customers(ctx, query)
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{service.export_filename(ctx)}"'},
    )


@router.get("/api/v1/customers/{customer_id:uuid}", access=ANY_ROLE, response=CustomerRead)
async def read_customer(ctx: ActorContext, customer_id: uuid.UUID) -> CustomerRead:
    """One customer, with their purchase statistics."""
    return await service.read_customer(ctx, customer_id)


@router.patch(
    "/api/v1/customers/{customer_id:uuid}",
    access=MANAGERS,
    body=CustomerUpdate,
    response=CustomerRead,
    responses={409: "Another customer has this tax id"},
)
async def update_customer(ctx: ActorContext, customer_id: uuid.UUID, body: CustomerUpdate) -> CustomerRead:
    """Change a customer's details, or (re)activate them."""
    return await service.update_customer(ctx, customer_id, body)


@router.delete("/api/v1/customers/{customer_id:uuid}", access=MANAGERS, status=204)
async def deactivate_customer(ctx: ActorContext, customer_id: uuid.UUID) -> None:
    """Deactivate a customer; their sales and history stay."""
    await service.deactivate_customer(ctx, customer_id)


@router.get(
    "/api/v1/customers/{customer_id:uuid}/sales", access=ANY_ROLE, query=PageQuery, response=Page[CustomerSaleRead]
)
async def list_customer_sales(ctx: ActorContext, customer_id: uuid.UUID, query: PageQuery) -> Page[CustomerSaleRead]:
    """The customer's purchase history, newest first."""
    return await service.purchase_history(ctx, customer_id, query)
