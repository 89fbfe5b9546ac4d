"""Invoice and receipt PDFs over HTTP: generated on first request from the recorded sale, stored
in the tenant's object storage, served from there afterwards; another tenant's ids are 404 and
store nothing."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from server.core.config import Settings
from server.documents.service import refund_document_name, sale_document_name
from server.storage import TenantStorage, storage_for
from tests.conftest import Api, TenantSession
from tests.server.documents.test_pdf import pdf_text
from tests.server.sales.conftest import key, open_shop


def clp(amount: int) -> str:
    """Chilean pesos as es-CL writes them: no decimals, dots between thousands."""
    sign = "-" if amount < 0 else ""
    return f"${sign}{abs(amount):,}".replace(",", ".")


def files_of(settings: Settings, tenant: TenantSession) -> TenantStorage:
    return TenantStorage(storage_for(settings), tenant.organization_id, settings.secret_key)


async def pdf(client: httpx.AsyncClient, path: str) -> bytes:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return response.content


async def sale_with_customer(tenant: TenantSession) -> tuple[Any, dict[str, Any]]:
    settings = await tenant.client.patch(
        "/api/v1/organization", json={"tax_id": "76.543.210-K", "address": "Los Carrera 501, Concepción"}
    )
    assert settings.status_code == 200, settings.text
    customer = await tenant.client.post(
        "/api/v1/customers", json={"name": "Josefa Valdés", "tax_id": "15.432.876-5", "address": "Freire 77"}
    )
    assert customer.status_code == 201, customer.text
    shop = await open_shop(tenant, prices=(1990, 12345, 990))
    sold = await shop.sell(
        [(0, 2), (1, 1), (2, 3)],
        [("card", 10000), ("cash", 20000)],
        discount=345,
        customer_id=customer.json()["id"],
    )
    assert sold.status_code == 201, sold.text
    return shop, {**sold.json(), "customer": customer.json()}


async def test_a_sale_s_invoice_carries_the_sale_s_numbers_and_is_stored(
    tenant_a: TenantSession, settings: Settings
) -> None:
    shop, sale = await sale_with_customer(tenant_a)
    assert not await files_of(settings, tenant_a).head(sale_document_name(uuid.UUID(sale["id"]), "invoice"))

    body = await pdf(tenant_a.client, f"/api/v1/sales/{sale['id']}/invoice.pdf")
    text = pdf_text(body)
    assert "Factura" in text and f"N.º {sale['invoice_number']}" in text
    assert "Almacén Aurora" in text and "76.543.210-K" in text and "Los Carrera 501, Concepción" in text
    assert "Josefa Valdés" in text and sale["customer"]["tax_id"] in text and "Freire 77" in text
    for line in sale["lines"]:
        assert clp(line["unit_price"]) in text and clp(line["total"]) in text
    for amount in (sale["subtotal"], -sale["discount_total"], sale["tax_total"], sale["total"], sale["paid_total"]):
        assert clp(amount) in text, (amount, text)
    assert clp(sale["change_total"]) in text and "Vuelto" in text
    taxed = [line for line in sale["lines"] if line["tax_rate_bp"] == 1900]
    assert clp(sum(line["total"] - line["tax_amount"] for line in taxed)) in text, "the 19 % rate's net base"
    assert "19 %" in text and "Tarjeta" in text and "Efectivo" in text

    stored = await files_of(settings, tenant_a).head(sale_document_name(uuid.UUID(sale["id"]), "invoice"))
    assert stored is not None and stored.size == len(body) and stored.content_type == "application/pdf"

    # The issued invoice is the document of record: a renamed product doesn't rewrite it.
    renamed = await tenant_a.client.patch(f"/api/v1/products/{shop.products[0]['id']}", json={"name": "Otro nombre"})
    assert renamed.status_code == 200
    again = await tenant_a.client.get(f"/api/v1/sales/{sale['id']}/invoice.pdf")
    assert again.content == body
    assert 'filename="' + sale["invoice_number"] + '.pdf"' in again.headers["content-disposition"]


async def test_a_cashier_gets_the_receipt_and_a_refund_has_its_credit_note(api: Api, tenant_a: TenantSession) -> None:
    shop, sale = await sale_with_customer(tenant_a)
    cashier = (await api.add_user(tenant_a, "cashier"))["client"]
    receipt = pdf_text(await pdf(cashier, f"/api/v1/sales/{sale['id']}/receipt.pdf"))
    assert "Comprobante de venta" in receipt and clp(sale["total"]) in receipt

    line = sale["lines"][0]
    refund = await tenant_a.client.post(
        f"/api/v1/sales/{sale['id']}/refunds",
        json={
            "register_id": shop.register["id"],
            "lines": [{"sale_line_id": line["id"], "quantity": 1}],
            "method": "cash",
            "reason": "Llegó aplastada",
        },
        headers=key(),
    )
    assert refund.status_code == 201, refund.text
    given_back = refund.json()
    text = pdf_text(await pdf(cashier, f"/api/v1/refunds/{given_back['id']}/invoice.pdf"))
    assert "Nota de crédito" in text and f"{sale['invoice_number']}/D1" in text
    assert f"Referencia: factura {sale['invoice_number']}" in text and "Llegó aplastada" in text
    assert clp(given_back["total"]) in text and "Total devuelto" in text
    # Tax in the refunded unit: the line's tax pro rata of the amount given back.
    tax = (given_back["total"] * line["tax_amount"] * 2 + line["total"]) // (2 * line["total"])
    assert clp(tax) in text
    assert "Nota de crédito" in pdf_text(await pdf(cashier, f"/api/v1/refunds/{given_back['id']}/receipt.pdf"))


async def test_a_voided_sale_s_documents_say_so(tenant_a: TenantSession) -> None:
    shop = await open_shop(tenant_a)
    sale = (await shop.sell([(0, 1)])).json()
    void = await tenant_a.client.post(
        f"/api/v1/sales/{sale['id']}/void", json={"reason": "Error de caja"}, headers=key()
    )
    assert void.status_code == 201, void.text
    assert "ANULADA" in pdf_text(await pdf(tenant_a.client, f"/api/v1/sales/{sale['id']}/invoice.pdf"))
    text = pdf_text(await pdf(tenant_a.client, f"/api/v1/refunds/{void.json()['id']}/invoice.pdf"))
    assert "Anulación" in text and "Error de caja" in text


async def test_another_tenant_s_ids_and_bad_paths_are_404_and_store_nothing(
    tenant_a: TenantSession, tenant_b: TenantSession, settings: Settings
) -> None:
    _, sale = await sale_with_customer(tenant_a)
    sale_id = uuid.UUID(sale["id"])
    for path in (
        f"/api/v1/sales/{sale_id}/invoice.pdf",
        f"/api/v1/sales/{sale_id}/receipt.pdf",
        f"/api/v1/refunds/{sale_id}/invoice.pdf",
        f"/api/v1/sales/{uuid.uuid4()}/invoice.pdf",
    ):
        response = await tenant_b.client.get(path)
        assert response.status_code == 404, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert (await tenant_b.client.get(f"/api/v1/sales/{sale_id}/invoice.pdf")).json()["code"] == "sale_not_found"
    for layout in ("invoice", "receipt"):
        assert await files_of(settings, tenant_b).head(sale_document_name(sale_id, layout)) is None
        assert await files_of(settings, tenant_a).head(sale_document_name(sale_id, layout)) is None
        assert await files_of(settings, tenant_b).head(refund_document_name(sale_id, layout)) is None
    for path in (
        f"/api/v1/sales/{sale_id}/..%2F..%2Fetc%2Fpasswd.pdf",
        f"/api/v1/sales/{sale_id}/../invoice.pdf",
        f"/api/v1/sales/{sale_id}/statement.pdf",
        "/api/v1/sales/not-a-uuid/invoice.pdf",
    ):
        assert (await tenant_a.client.get(path)).status_code in (404, 405), path
    assert await files_of(settings, tenant_a).head(sale_document_name(sale_id, "invoice")) is None
    anonymous = await httpx.AsyncClient(
        transport=tenant_a.client._transport, base_url=str(tenant_a.client.base_url)
    ).get(f"/api/v1/sales/{sale_id}/invoice.pdf")
    assert anonymous.status_code == 401
