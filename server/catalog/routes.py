from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response

from server.catalog import categories, image_files, image_zip, images, product_csv, service
from server.catalog.schemas import (
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    ImageImportQuery,
    ImageImportReport,
    ImportQuery,
    ImportReport,
    ProductCreate,
    ProductImageRead,
    ProductQuery,
    ProductRead,
    ProductUpdate,
)
from server.core.api import ANY_ROLE, MANAGERS, Router
from server.core.context import Context
from server.core.csvio import MAX_CSV_BYTES, csv_response
from server.core.pagination import Page
from server.storage.uploads import UPLOAD_ROUTE_LIMIT, read_upload, spool_upload

router = Router(tags=["catalog"])
TAKEN = {409: "The SKU, barcode or name is already used"}


@router.get("/api/v1/categories", access=ANY_ROLE, response=list[CategoryRead])
async def list_categories(ctx: Context) -> list[CategoryRead]:
    """Every category, by name."""
    return await categories.list_categories(ctx)


@router.post(
    "/api/v1/categories", access=MANAGERS, body=CategoryCreate, response=CategoryRead, status=201, responses=TAKEN
)
async def create_category(ctx: Context, body: CategoryCreate) -> CategoryRead:
    """Add a category, optionally inside another."""
    return await categories.create_category(ctx, body)


@router.patch(
    "/api/v1/categories/{category_id:uuid}",
    access=MANAGERS,
    body=CategoryUpdate,
    response=CategoryRead,
    responses=TAKEN,
)
async def update_category(ctx: Context, category_id: uuid.UUID, body: CategoryUpdate) -> CategoryRead:
    """Rename a category or move it."""
    return await categories.update_category(ctx, category_id, body)


@router.delete(
    "/api/v1/categories/{category_id:uuid}",
    access=MANAGERS,
    status=204,
    responses={409: "The category still has products or subcategories"},
)
async def delete_category(ctx: Context, category_id: uuid.UUID) -> None:
    """Delete an empty category."""
    await categories.delete_category(ctx, category_id)


@router.get("/api/v1/products", access=ANY_ROLE, query=ProductQuery, response=Page[ProductRead])
async def list_products(ctx: Context, query: ProductQuery) -> Page[ProductRead]:
    """Search and list products (name contains, SKU or barcode starts with the search text)."""
    return await service.list_products(ctx, query)


@router.post("/api/v1/products", access=MANAGERS, body=ProductCreate, response=ProductRead, status=201, responses=TAKEN)
async def create_product(ctx: Context, body: ProductCreate) -> ProductRead:
    """Add a product; `initial_stock` is recorded as a receipt."""
    return await service.create_product(ctx, body)


@router.get("/api/v1/products/export.csv", access=MANAGERS, produces=("text/csv",))
async def export_products(ctx: Context) -> Response:
    """Every product as CSV, in the format the import reads."""
    header, rows = await product_csv.export_products(ctx)
    return csv_response("products.csv", header, rows)


@router.post(
    "/api/v1/products/import",
    access=MANAGERS,
    query=ImportQuery,
    response=ImportReport,
    max_body=MAX_CSV_BYTES,
    responses={422: "Some rows are invalid (without skip_invalid): the problem lists them; nothing was written"},
)
async def import_products(ctx: Context, query: ImportQuery, request: Request) -> ImportReport:
    """Create or update products by SKU from a CSV file (the request body).

    All rows or none; with `skip_invalid`, the valid rows, and the report lists the skipped ones."""
    return await product_csv.import_products(
        ctx, await request.body(), dry_run=query.dry_run, skip_invalid=query.skip_invalid
    )


@router.get("/api/v1/products/{product_id:uuid}", access=ANY_ROLE, response=ProductRead)
async def read_product(ctx: Context, product_id: uuid.UUID) -> ProductRead:
    """One product."""
    return await service.read_product(ctx, product_id)


@router.patch(
    "/api/v1/products/{product_id:uuid}", access=MANAGERS, body=ProductUpdate, response=ProductRead, responses=TAKEN
)
async def update_product(ctx: Context, product_id: uuid.UUID, body: ProductUpdate) -> ProductRead:
    """Change a product's data (not its stock: use inventory movements)."""
    return await service.update_product(ctx, product_id, body)


@router.delete("/api/v1/products/{product_id:uuid}", access=MANAGERS, status=204)
async def deactivate_product(ctx: Context, product_id: uuid.UUID) -> None:
    """Deactivate a product (products with history are never deleted)."""
    await service.deactivate_product(ctx, product_id)


IMAGE_PROBLEMS = {
    413: "The file is larger than 15 MiB",
    415: "Not a JPEG, PNG or WebP image (by content)",
    422: "The image is damaged or has more than 50 megapixels",
}


@router.put(
    "/api/v1/products/{product_id:uuid}/image",
    access=MANAGERS,
    response=ProductImageRead,
    max_body=UPLOAD_ROUTE_LIMIT,
    responses=IMAGE_PROBLEMS,
)
async def set_product_image(ctx: Context, product_id: uuid.UUID, request: Request) -> ProductImageRead:
    """Set or replace the product's image: the request body is a JPEG, PNG or WebP photo.

    It is cleaned (EXIF and location dropped, orientation applied) and rendered as WebP in the
    sizes of the product page, the point of sale's grid and the product list."""
    data = await read_upload(request, max_bytes=image_files.MAX_IMAGE_BYTES)
    return await images.set_product_image(ctx, product_id, data)


@router.delete("/api/v1/products/{product_id:uuid}/image", access=MANAGERS, status=204)
async def remove_product_image(ctx: Context, product_id: uuid.UUID) -> None:
    """Remove the product's image (its files are deleted)."""
    await images.remove_product_image(ctx, product_id)


@router.post(
    "/api/v1/products/images/import",
    access=MANAGERS,
    query=ImageImportQuery,
    response=ImageImportReport,
    max_body=UPLOAD_ROUTE_LIMIT,
    responses={
        413: "The zip is larger than 512 MiB",
        415: "Not a zip, or an encrypted one",
        422: "Unusable files (without skip_invalid: the problem lists them, nothing was stored) or a zip bomb",
    },
)
async def import_product_images(ctx: Context, query: ImageImportQuery, request: Request) -> ImageImportReport:
    """Set product images from a zip (the request body) of photos named by SKU: `ABC-123.jpg`.

    All files or none; with `skip_invalid`, the usable ones, and the report lists the others."""
    with await spool_upload(request, max_bytes=image_zip.MAX_ZIP_BYTES) as archive:
        return await images.import_images_zip(ctx, archive, dry_run=query.dry_run, skip_invalid=query.skip_invalid)
