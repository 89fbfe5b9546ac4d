"""Product images over HTTP: upload, the renditions served by signed URL, replace, remove, and
every kind of bad input refused with nothing stored."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from server.catalog import image_files
from server.catalog.images import file_name
from server.core.config import Settings
from server.storage import TenantStorage, storage_for
from tests.conftest import Api, TenantSession
from tests.server.catalog.image_samples import photo, png_declaring
from tests.server.catalog.test_routes import create_product


def storage_root(settings: Settings) -> Path:
    return Path(settings.storage_dir).absolute()


def storage(settings: Settings, tenant: TenantSession) -> TenantStorage:
    return TenantStorage(storage_for(settings), tenant.organization_id, settings.secret_key)


async def stored_names(settings: Settings, tenant: TenantSession, product_id: str, version: str) -> list[str]:
    files = storage(settings, tenant)
    names = [file_name(uuid.UUID(product_id), version, size) for size in image_files.SIZES]
    return [name for name in names if await files.head(name) is not None]


async def upload(tenant: TenantSession, product_id: str, data: bytes, **headers: str) -> Any:
    return await tenant.client.put(
        f"/api/v1/products/{product_id}/image", content=data, headers={"Content-Type": "image/jpeg", **headers}
    )


async def fetch_image(tenant: TenantSession, url: str) -> tuple[Image.Image, bytes, Any]:
    response = await tenant.client.get(url, headers={"Authorization": ""})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/webp"
    return Image.open(io.BytesIO(response.content)), response.content, response


async def test_upload_renders_every_size_without_exif(tenant_a: TenantSession, settings: Settings) -> None:
    product = await create_product(tenant_a)
    # 1600×800, EXIF orientation 6 (rotate 90° clockwise to display): the result is portrait.
    response = await upload(tenant_a, product["id"], photo(1600, 800, orientation=6))
    assert response.status_code == 200, response.text
    image = response.json()
    for size, side in image_files.SIZES.items():
        rendered, body, served = await fetch_image(tenant_a, image[size])
        assert rendered.format == "WEBP"
        assert max(rendered.size) == min(side, 1600)
        assert rendered.height > rendered.width, "the EXIF orientation was applied"
        assert len(rendered.getexif()) == 0 and b"Exif" not in body and b"OrbitCam" not in body
        assert "max-age=" in served.headers["cache-control"] and "immutable" in served.headers["cache-control"]
        max_age = int(served.headers["cache-control"].split("max-age=")[1].split(",")[0])
        assert max_age > 300 * 24 * 3600
    # Rotated clockwise: the red left half is now the top.
    detail, _, _ = await fetch_image(tenant_a, image["detail"])
    top = detail.convert("RGB").getpixel((detail.width // 2, detail.height // 4))
    assert isinstance(top, tuple) and top[0] > 150 and top[2] < 100
    read = (await tenant_a.client.get(f"/api/v1/products/{product['id']}")).json()
    assert read["image"] == image
    listed = (await tenant_a.client.get("/api/v1/products", params={"search": product["sku"]})).json()["items"]
    assert listed[0]["image"]["thumb"] == image["thumb"]


@pytest.mark.parametrize(("fmt", "mode"), [("PNG", "RGBA"), ("WEBP", "RGB")])
async def test_png_and_webp_are_accepted(tenant_a: TenantSession, fmt: str, mode: str) -> None:
    product = await create_product(tenant_a)
    response = await upload(tenant_a, product["id"], photo(300, 300, fmt=fmt))
    assert response.status_code == 200, response.text
    rendered, _, _ = await fetch_image(tenant_a, response.json()["grid"])
    assert rendered.mode == mode and rendered.size == (300, 300)


async def test_replace_then_remove_deletes_the_old_files(tenant_a: TenantSession, settings: Settings) -> None:
    product = await create_product(tenant_a)
    first = (await upload(tenant_a, product["id"], photo(seed=1))).json()
    again = (await upload(tenant_a, product["id"], photo(seed=1))).json()
    assert again["version"] == first["version"]
    assert len(await stored_names(settings, tenant_a, product["id"], first["version"])) == 3
    second = (await upload(tenant_a, product["id"], photo(seed=2))).json()
    assert second["version"] != first["version"]
    assert await stored_names(settings, tenant_a, product["id"], first["version"]) == []
    assert (await tenant_a.client.get(first["grid"])).status_code == 404
    assert len(await stored_names(settings, tenant_a, product["id"], second["version"])) == 3
    audit = (await tenant_a.client.get("/api/v1/audit", params={"entity_id": product["id"]})).json()["items"]
    assert [entry["action"] for entry in audit][:2] == ["product.image_updated", "product.image_updated"]

    assert (await tenant_a.client.delete(f"/api/v1/products/{product['id']}/image")).status_code == 204
    assert (await tenant_a.client.get(f"/api/v1/products/{product['id']}")).json()["image"] is None
    assert await stored_names(settings, tenant_a, product["id"], second["version"]) == []
    assert (await tenant_a.client.delete(f"/api/v1/products/{product['id']}/image")).status_code == 204


async def test_a_deactivated_product_keeps_its_image(tenant_a: TenantSession) -> None:
    product = await create_product(tenant_a)
    image = (await upload(tenant_a, product["id"], photo())).json()
    assert (await tenant_a.client.delete(f"/api/v1/products/{product['id']}")).status_code == 204
    assert (await tenant_a.client.get(f"/api/v1/products/{product['id']}")).json()["image"] == image


BAD_INPUT = [
    ("text", b"just some text, named photo.jpg" * 10, 415, "unsupported_image"),
    ("gif", b"GIF89a" + b"\0" * 100, 415, "unsupported_image"),
    ("pdf", b"%PDF-1.7\n" + b"\0" * 100, 415, "unsupported_image"),
    ("truncated", photo(800, 600)[:600], 422, "unreadable_image"),
    ("bomb", png_declaring(30_000, 30_000), 422, "image_too_many_pixels"),
    ("empty", b"", 415, "unsupported_image"),
]


@pytest.mark.parametrize(("case", "data", "status", "code"), BAD_INPUT, ids=[case[0] for case in BAD_INPUT])
async def test_bad_uploads_are_refused_and_store_nothing(
    tenant_a: TenantSession, settings: Settings, case: str, data: bytes, status: int, code: str
) -> None:
    product = await create_product(tenant_a)
    response = await upload(tenant_a, product["id"], data)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert (await tenant_a.client.get(f"/api/v1/products/{product['id']}")).json()["image"] is None
    folder = storage_root(settings) / str(tenant_a.organization_id) / "products" / product["id"]
    assert not folder.exists() or not any(folder.iterdir())


async def test_a_huge_file_is_413(tenant_a: TenantSession) -> None:
    product = await create_product(tenant_a)
    response = await upload(tenant_a, product["id"], photo() + b"\0" * (image_files.MAX_IMAGE_BYTES + 1))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert (await tenant_a.client.get(f"/api/v1/products/{product['id']}")).json()["image"] is None


async def test_tenants_and_roles(api: Api, tenant_a: TenantSession, tenant_b: TenantSession) -> None:
    product = await create_product(tenant_a)
    image = (await upload(tenant_a, product["id"], photo())).json()
    # Tenant B can't touch A's product, nor read A's image by its URL on B's host.
    assert (await upload(tenant_b, product["id"], photo())).status_code == 404
    assert (await tenant_b.client.delete(f"/api/v1/products/{product['id']}/image")).status_code == 404
    foreign = await tenant_b.client.get(image["grid"])
    assert foreign.status_code == 404 and foreign.json()["code"] == "file_not_found"
    # A's key spelled as B's name goes nowhere either.
    sneaky = image["grid"].replace("/api/v1/files/", f"/api/v1/files/..%2F{tenant_a.organization_id}%2F")
    assert (await tenant_b.client.get(sneaky)).status_code == 404
    cashier = await api.add_user(tenant_a, "cashier")
    refused = await cashier["client"].put(f"/api/v1/products/{product['id']}/image", content=photo())
    assert refused.status_code == 403
    assert (await tenant_a.client.put(f"/api/v1/products/{uuid.uuid4()}/image", content=photo())).status_code == 404
