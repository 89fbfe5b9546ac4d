"""Product images: upload, replace, remove, a zip of images named by SKU, and their URLs.

Invariants:
- A product's image is the set of renditions in `image_files.SIZES`, stored as
  `products/{product_id}/{image_version}-{size}.webp` in the tenant's object storage;
  `products.image_version` names the current set (null: no image).
- A new image is written under a new version before the row points at it, and the previous
  version's files are deleted only after the transaction commits; so a failed request leaves
  the product as it was, and a URL of the old image keeps working until the new one is
  visible. Uploading the same photo again is the same version and deletes nothing.
- Bad input (not a JPEG/PNG/WebP by content, too large in bytes or pixels, damaged) is a 4xx
  and stores nothing. A zip is checked whole before anything is stored: any problem (a path in
  a name, an unknown SKU, a non-image, a zip bomb) refuses it with every problem listed, unless
  `skip_invalid` asks to store the valid files.
- URLs are signed for the tenant (`TenantStorage.signed_url`): valid for about 13 months,
  identical for 30 days (the expiry is rounded), so browsers and the point of sale's service
  worker keep their cached copies.
- Products are never deleted (they are deactivated), and a deactivated product keeps its image
  for when it comes back; removing the image deletes its files.
"""

from __future__ import annotations

import asyncio
import uuid
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO

from sqlalchemy import Text, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from server.audit import service as audit
from server.catalog import image_files
from server.catalog.image_zip import ZipEntry, read_zip
from server.catalog.models import Product
from server.catalog.schemas import ImageImportError, ImageImportReport, ProductImageRead
from server.core.context import Context
from server.core.errors import FieldError, NotFound, ValidationFailed
from server.storage import ObjectTooLarge, TenantStorage, tenant_storage

URL_SECONDS = 400 * 24 * 3600
URL_WINDOW = 30 * 24 * 3600

ImageLinker = Callable[[uuid.UUID, str | None], ProductImageRead | None]


def file_name(product_id: uuid.UUID, version: str, size: str) -> str:
    return f"products/{product_id}/{version}-{size}.webp"


def _names(product_id: uuid.UUID, version: str) -> list[str]:
    return [file_name(product_id, version, size) for size in image_files.SIZES]


def image_linker(ctx: Context) -> ImageLinker:
    """`(product_id, image_version) -> ProductImageRead | None` for this request's tenant."""
    files = tenant_storage(ctx)

    def link(product_id: uuid.UUID, version: str | None) -> ProductImageRead | None:
        if not version:
            return None
        urls = {
            size: files.signed_url(file_name(product_id, version, size), expires_in=URL_SECONDS, round_to=URL_WINDOW)
            for size in image_files.SIZES
        }
        return ProductImageRead(version=version, thumb=urls["thumb"], grid=urls["grid"], detail=urls["detail"])

    return link


async def _store(files: TenantStorage, product_id: uuid.UUID, rendered: image_files.RenderedImage) -> None:
    stored: list[str] = []
    try:
        for size, body in rendered.files.items():
            name = file_name(product_id, rendered.version, size)
            await files.put_bytes(name, body, content_type=image_files.CONTENT_TYPE)
            stored.append(name)
    except BaseException:
        await asyncio.shield(files.delete_many(stored))
        raise


async def _point_at(ctx: Context, product: Product, version: str | None, *, source: str) -> None:
    """Make `product` show `version` (None: no image), audit it, and delete the old files once
    the transaction has committed."""
    previous = product.image_version
    if previous == version:
        return
    product.image_version = version
    product.updated_at = datetime.now(UTC)
    await ctx.session.flush()
    await audit.record(
        ctx,
        action="product.image_updated" if version else "product.image_removed",
        entity="product",
        entity_id=product.id,
        before={"image_version": previous},
        after={"image_version": version, "source": source},
    )
    if previous:
        files, old = tenant_storage(ctx), _names(product.id, previous)

        async def delete_old() -> None:
            await files.delete_many(old)

        ctx.after_commit(delete_old)


async def _locked_product(ctx: Context, product_id: uuid.UUID) -> Product:
    product = await ctx.session.get(Product, (ctx.organization_id, product_id), with_for_update=True)
    if product is None:
        raise NotFound("no such product")
    return product


async def set_product_image(ctx: Context, product_id: uuid.UUID, data: bytes) -> ProductImageRead:
    """Check and render an uploaded photo, store its renditions and make it the product's image."""
    if len(data) > image_files.MAX_IMAGE_BYTES:
        raise ObjectTooLarge(image_files.MAX_IMAGE_BYTES)
    if await ctx.session.get(Product, (ctx.organization_id, product_id)) is None:
        raise NotFound("no such product")  # before the work; the row is locked only once it is done
    rendered = await asyncio.to_thread(image_files.render, data)
    product = await _locked_product(ctx, product_id)
    files = tenant_storage(ctx)
    if product.image_version != rendered.version:
        await _store(files, product.id, rendered)
    try:
        await _point_at(ctx, product, rendered.version, source="upload")
    except BaseException:
        if product.image_version != rendered.version:
            await asyncio.shield(files.delete_many(_names(product.id, rendered.version)))
        raise
    linked = image_linker(ctx)(product.id, rendered.version)
    assert linked is not None
    return linked


async def remove_product_image(ctx: Context, product_id: uuid.UUID) -> None:
    """The product has no image any more; its files are deleted after the commit."""
    await _point_at(ctx, await _locked_product(ctx, product_id), None, source="removed")


# Zip import


async def import_images_zip(
    ctx: Context, archive: bytes | IO[bytes], *, dry_run: bool = False, skip_invalid: bool = False
) -> ImageImportReport:
    """Set product images from a zip of files named by SKU (`ABC-123.jpg`, see `image_zip`).
    `archive` is the zip's bytes or a seekable file holding it."""
    entries, errors = await asyncio.to_thread(read_zip, archive)
    files_seen = len(entries) + len(errors)
    products = await _products_by_sku(ctx, [entry.sku for entry in entries])
    valid: list[tuple[ZipEntry, uuid.UUID]] = []
    for entry in entries:
        product_id = products.get(entry.sku) or products.get(entry.sku.lower())
        if product_id is None:
            errors.append(ImageImportError(file=entry.file, message=f"no product has the SKU {entry.sku!r}"))
            continue
        problem = await asyncio.to_thread(_header_problem, entry)
        if problem:
            errors.append(ImageImportError(file=entry.file, message=problem))
            continue
        valid.append((entry, product_id))
    errors.sort(key=lambda error: error.file)
    if errors and not skip_invalid:
        raise ValidationFailed(
            f"{len(errors)} file(s) of the zip cannot be used; nothing was stored",
            errors=[FieldError(loc=["body", error.file], msg=error.message) for error in errors],
            code="invalid_image_zip",
        )
    updated = unchanged = 0
    if not dry_run:
        files = tenant_storage(ctx)
        written: list[str] = []
        try:
            for entry, product_id in valid:
                rendered = await asyncio.to_thread(image_files.render, entry.read())
                product = await _locked_product(ctx, product_id)
                if product.image_version == rendered.version:
                    unchanged += 1
                    continue
                await _store(files, product_id, rendered)
                written.extend(_names(product_id, rendered.version))
                await _point_at(ctx, product, rendered.version, source=f"zip:{entry.file}")
                updated += 1
        except BaseException:
            await asyncio.shield(files.delete_many(written))
            raise
    return ImageImportReport(
        dry_run=dry_run,
        files=files_seen,
        updated=len(valid) if dry_run else updated,
        unchanged=unchanged,
        skipped=len(errors),
        errors=errors,
    )


def _header_problem(entry: ZipEntry) -> str | None:
    try:
        image_files.open_checked(entry.read())
    except (image_files.NotAnImage, image_files.UnreadableImage, image_files.TooManyPixels) as problem:
        return problem.detail
    except (zipfile.BadZipFile, OSError, EOFError):
        return "the file is damaged in the zip"
    return None


async def _products_by_sku(ctx: Context, skus: list[str]) -> dict[str, uuid.UUID]:
    """SKU → product id, for the SKUs asked (exact, and lower-cased for a unique case-insensitive match)."""
    if not skus:
        return {}
    wanted = sorted({sku.lower() for sku in skus})
    rows = await ctx.session.execute(
        select(Product.sku, Product.id).where(
            Product.organization_id == ctx.organization_id,
            func.lower(Product.sku) == any_(bindparam("skus", wanted, type_=ARRAY(Text))),
        )
    )
    exact: dict[str, uuid.UUID] = {}
    folded: dict[str, list[uuid.UUID]] = {}
    for sku, product_id in rows:
        exact[sku] = product_id
        folded.setdefault(sku.lower(), []).append(product_id)
    return {**{key: ids[0] for key, ids in folded.items() if len(ids) == 1}, **exact}
