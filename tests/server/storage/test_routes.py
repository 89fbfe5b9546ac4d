"""Signed file URLs over HTTP, for both backends: served on the tenant's host until they expire,
a 404 for anything altered, expired or replayed on another tenant's host."""

from __future__ import annotations

import time
from typing import Any

import httpx

from server.core.config import Settings
from server.storage import TenantStorage, storage_for
from tests.conftest import TenantSession, tenant_url


def client(app: Any, tenant: TenantSession) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=tenant_url(tenant.subdomain))


async def test_signed_url_serves_and_caches(storage_app: Any, storage_settings: Settings, tenant_a) -> None:
    files = TenantStorage(storage_for(storage_settings), tenant_a.organization_id, storage_settings.secret_key)
    await files.put_bytes("docs/report.csv", b"a,b\n1,2\n", content_type="text/csv")
    url = files.signed_url("docs/report.csv", expires_in=600)
    async with client(storage_app, tenant_a) as http:
        response = await http.get(url)
        assert response.status_code == 200, response.text
        assert response.content == b"a,b\n1,2\n"
        assert response.headers["content-type"].startswith("text/csv")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in response.headers["content-security-policy"]
        max_age = int(response.headers["cache-control"].split("max-age=")[1].split(",")[0])
        assert 500 < max_age <= 601
        again = await http.get(url, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        download = await http.get(files.signed_url("docs/report.csv", expires_in=60, download_name="Informe 1.csv"))
        assert download.headers["content-disposition"].startswith('attachment; filename="Informe 1.csv"')


async def test_signed_url_refusals(storage_app: Any, storage_settings: Settings, tenant_a, tenant_b) -> None:
    files = TenantStorage(storage_for(storage_settings), tenant_a.organization_id, storage_settings.secret_key)
    await files.put_bytes("secret.txt", b"tenant a only", content_type="text/plain")
    url = files.signed_url("secret.txt", expires_in=600)
    expired = files.signed_url("secret.txt", expires_in=1, now=time.time() - 10)
    altered_name = url.replace("secret.txt", "secret.txu")
    altered_signature = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    longer = url.replace("expires=", "expires=9")
    added_download = url + "&download=x.txt"
    async with client(storage_app, tenant_a) as http:
        for bad in (expired, altered_name, altered_signature, longer, added_download):
            response = await http.get(bad)
            assert response.status_code == 404, bad
            assert response.json()["code"] == "file_not_found"
        assert (await http.get("/api/v1/files/secret.txt")).status_code == 422
        # A signature or download name outside ASCII is the same 404, not a crash.
        odd = await http.get(
            "/api/v1/files/secret.txt", params={"expires": "9999999999", "signature": "wé", "download": "ñ"}
        )
        assert odd.status_code == 404
        assert (await http.get(url.replace("secret.txt", "..%2Fsecret.txt"))).status_code == 404
    async with client(storage_app, tenant_b) as http:
        response = await http.get(url)
        assert response.status_code == 404 and b"tenant a only" not in response.content
    b_files = TenantStorage(storage_for(storage_settings), tenant_b.organization_id, storage_settings.secret_key)
    assert await b_files.head("secret.txt") is None


async def test_rounded_expiry_gives_one_url_per_window(storage_settings: Settings, tenant_a) -> None:
    files = TenantStorage(storage_for(storage_settings), tenant_a.organization_id, storage_settings.secret_key)
    day = 86_400
    start = 1_800_000_000 - (1_800_000_000 % day) + 10
    first = files.signed_url("p.webp", expires_in=30 * day, round_to=day, now=start)
    later = files.signed_url("p.webp", expires_in=30 * day, round_to=day, now=start + 3600)
    assert first == later
