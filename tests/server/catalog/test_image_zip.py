"""A zip of images named by SKU: stored whole or not at all, with each refusal a clear 4xx."""

from __future__ import annotations

import zipfile
from typing import Any

import pytest

from tests.conftest import TenantSession
from tests.server.catalog.image_samples import photo, png_declaring, zip_of
from tests.server.catalog.test_routes import create_product

IMPORT = "/api/v1/products/images/import"


async def post_zip(tenant: TenantSession, data: bytes, **params: Any) -> Any:
    return await tenant.client.post(IMPORT, content=data, params=params, headers={"Content-Type": "application/zip"})


async def images_of(tenant: TenantSession, *products: dict[str, Any]) -> list[Any]:
    return [(await tenant.client.get(f"/api/v1/products/{p['id']}")).json()["image"] for p in products]


async def test_a_zip_sets_images_by_sku(tenant_a: TenantSession) -> None:
    first, second = await create_product(tenant_a), await create_product(tenant_a)
    archive = zip_of(
        {
            f"{first['sku']}.jpg": photo(seed=3),
            f"fotos/{second['sku'].lower()}.PNG": photo(fmt="PNG"),
            f"__MACOSX/fotos/._{second['sku']}.PNG": b"resource fork",
            ".DS_Store": b"\0\0\0\1Bud1",
        }
    )
    dry = await post_zip(tenant_a, archive, dry_run="true")
    assert dry.status_code == 200, dry.text
    assert dry.json() | {"errors": []} == {
        "dry_run": True,
        "files": 2,
        "updated": 2,
        "unchanged": 0,
        "skipped": 0,
        "errors": [],
    }
    assert await images_of(tenant_a, first, second) == [None, None]
    report = (await post_zip(tenant_a, archive)).json()
    assert (report["updated"], report["skipped"]) == (2, 0)
    one, two = await images_of(tenant_a, first, second)
    assert one["grid"] and two["grid"]
    assert (await tenant_a.client.get(two["grid"])).status_code == 200
    again = (await post_zip(tenant_a, archive)).json()
    assert (again["updated"], again["unchanged"]) == (0, 2)


async def test_unusable_files_refuse_the_zip_unless_skipped(tenant_a: TenantSession) -> None:
    product = await create_product(tenant_a)
    archive = zip_of(
        {
            f"{product['sku']}.jpg": photo(),
            "NO-SUCH-SKU.jpg": photo(),
            "notes.jpg": b"plain text pretending",
        }
    )
    refused = await post_zip(tenant_a, archive)
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_image_zip"
    errors = {error["loc"][1]: error["msg"] for error in refused.json()["errors"]}
    assert set(errors) == {"NO-SUCH-SKU.jpg", "notes.jpg"}
    assert "NO-SUCH-SKU" in errors["NO-SUCH-SKU.jpg"]
    assert await images_of(tenant_a, product) == [None]
    skipped = await post_zip(tenant_a, archive, skip_invalid="true")
    assert skipped.status_code == 200
    assert (skipped.json()["updated"], skipped.json()["skipped"]) == (1, 2)
    assert (await images_of(tenant_a, product))[0] is not None


@pytest.mark.parametrize("name", ["../{sku}.jpg", "/{sku}.jpg", "a/../../{sku}.jpg", "C:/{sku}.jpg", "a\\{sku}.jpg"])
async def test_a_path_in_a_name_stores_nothing(tenant_a: TenantSession, name: str) -> None:
    product = await create_product(tenant_a)
    other = await create_product(tenant_a)
    archive = zip_of({name.format(sku=product["sku"]): photo(), f"{other['sku']}.jpg": photo()})
    response = await post_zip(tenant_a, archive)
    assert response.status_code == 422
    assert "path" in response.json()["errors"][0]["msg"]
    assert await images_of(tenant_a, product, other) == [None, None]


async def test_a_zip_bomb_is_refused_whole(tenant_a: TenantSession) -> None:
    product = await create_product(tenant_a)
    bomb = zip_of({f"{product['sku']}.png": b"\0" * (12 * 1024 * 1024)}, compression=zipfile.ZIP_DEFLATED)
    assert len(bomb) < 100_000
    response = await post_zip(tenant_a, bomb, skip_invalid="true")
    assert response.status_code == 422 and response.json()["code"] == "zip_bomb"
    pixels = zip_of({f"{product['sku']}.png": png_declaring(40_000, 40_000)})
    refused = await post_zip(tenant_a, pixels)
    assert refused.status_code == 422 and "megapixels" in refused.json()["errors"][0]["msg"]
    assert await images_of(tenant_a, product) == [None]


async def test_not_a_zip_and_other_tenants(tenant_a: TenantSession, tenant_b: TenantSession) -> None:
    response = await post_zip(tenant_a, photo())
    assert response.status_code == 415 and response.json()["code"] == "not_a_zip"
    product = await create_product(tenant_a)
    # B's zip naming A's SKU finds no product of B's.
    response = await post_zip(tenant_b, zip_of({f"{product['sku']}.jpg": photo()}))
    assert response.status_code == 422
    assert await images_of(tenant_a, product) == [None]
