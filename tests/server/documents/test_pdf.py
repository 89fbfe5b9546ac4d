"""The PDF layouts as a pure function: the text read back from the file carries the document's
numbers, formatted for its locale, and the same document always renders to the same bytes."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from server.documents.pdf import Document, Line, Party, Tender, render_pdf, taxes_by_rate


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def page_count(body: bytes) -> int:
    return len(PdfReader(io.BytesIO(body)).pages)


SELLER = Party("Panadería Ñandú SpA", "76.123.456-7", "Av. Providencia 1234, Santiago")


def chilean_sale(**overrides: object) -> Document:
    """2 × $1.990 at 19 % and 1 × $12.345 less $345 at 0 %, prices with tax included: the tax
    in the first line is 3.980 − round(3.980 / 1,19) = 635."""
    fields: dict[str, object] = {
        "kind": "sale",
        "number": "C1-42",
        "issued_at": datetime(2026, 12, 7, 2, 15, tzinfo=UTC),  # 23:15 on the 6th in Santiago
        "seller": SELLER,
        "register": "C1 · Caja principal",
        "cashier": "Ada Owner",
        "currency": "CLP",
        "locale": "es-CL",
        "time_zone": "America/Santiago",
        "tax_mode": "inclusive",
        "lines": (
            Line("Marraqueta", "PAN-001", 2, 1990, 0, 1900, 635, 3980),
            Line("Torta de mil hojas", "TOR-002", 1, 12345, 345, 0, 0, 12000),
        ),
        "subtotal": 16325,
        "discount_total": 345,
        "tax_total": 635,
        "total": 15980,
        "payments": (Tender("card", 10000, 0, "4242"), Tender("cash", 10000, 4020)),
        "paid_total": 20000,
        "change_total": 4020,
        "customer": Party("María José Pérez", "12.345.678-9", "Calle Falsa 123", "maria@example.com"),
    }
    fields.update(overrides)
    return Document(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("layout", ["invoice", "receipt"])
def test_a_chilean_sale_reads_back_with_its_numbers_in_spanish(layout: str) -> None:
    body = render_pdf(chilean_sale(), layout)  # type: ignore[arg-type]
    assert body.startswith(b"%PDF-")
    text = pdf_text(body)
    for expected in (
        "Panadería Ñandú SpA",
        "76.123.456-7",
        "Av. Providencia 1234, Santiago",
        "C1-42",
        "06-12-2026, 23:15",  # the local day and time, not UTC's 02:15 of the 7th
        "María José Pérez",
        "12.345.678-9",
        "Marraqueta",
        "$1.990",  # unit price
        "$3.980",  # line total
        "$12.000",
        "$16.325",  # subtotal
        "$-345",  # discounts
        "$635",  # tax included
        "$15.980",  # total
        "$20.000",  # paid
        "$4.020",  # change
        "Vuelto",
        "Tarjeta (4242)",
        "Efectivo",
        "19 %",
        "$3.345",  # the 19 % rate's net base
        "Los precios incluyen impuestos.",
    ):
        assert expected in text, (expected, text)
    assert ("Factura" if layout == "invoice" else "Comprobante de venta") in text
    assert "Invoice" not in text and "UTC" not in text


def test_an_american_sale_with_tax_added_reads_back_in_english() -> None:
    """3 × $12.50 and 1 × $499.99 less $9.99 at 8.25 %, a $10 sale discount shared 71/929 cents:
    taxes 304 + 3,966 cents on bases 3,679 + 48,071."""
    document = chilean_sale(
        number="A-7",
        currency="USD",
        locale="en-US",
        time_zone="America/New_York",
        tax_mode="exclusive",
        lines=(
            Line("Coffee beans 1 lb", "COF-1", 3, 1250, 71, 825, 304, 3983),
            Line("Espresso machine", "ESP-9", 1, 49999, 1928, 825, 3966, 52037),
        ),
        subtotal=53749,
        discount_total=1999,
        tax_total=4270,
        total=56020,
        payments=(Tender("transfer", 56020),),
        paid_total=56020,
        change_total=0,
        customer=None,
    )
    text = pdf_text(render_pdf(document, "invoice"))
    for expected in (
        "Invoice",
        "No. A-7",
        "Dec 6, 2026, 9:15:00",
        "$12.50",
        "$39.83",
        "$499.99",
        "$520.37",
        "$537.49",  # subtotal
        "-$19.99",  # discounts
        "$42.70",  # tax added
        "$560.20",  # total
        "8.25 %",
        "$517.50",  # the rate's net base: 36.79 + 480.71
        "Transfer",
        "Tax is added to prices.",
    ):
        assert expected in text, (expected, text)
    assert "Customer" not in text and "Change" not in text


def test_taxes_by_rate_add_up_to_the_lines() -> None:
    lines = (
        Line("a", "", 1, 1190, 0, 1900, 190, 1190),
        Line("b", "", 1, 500, 0, 0, 0, 500),
        Line("c", "", 2, 1190, 0, 1900, 380, 2380),
    )
    rates = taxes_by_rate(lines)
    assert [(rate.rate_bp, rate.base, rate.tax) for rate in rates] == [(1900, 3000, 570), (0, 500, 0)]


def test_fifty_lines_run_onto_a_second_page_with_every_line_and_the_total() -> None:
    lines = tuple(
        Line(f"Producto {index:02d}", f"SKU-{index:02d}", 1, 1000 + index, 0, 1900, 0, 1000 + index)
        for index in range(50)
    )
    total = sum(line.total for line in lines)
    document = chilean_sale(lines=lines, subtotal=total, discount_total=0, tax_total=0, total=total)
    body = render_pdf(document, "invoice")
    text = pdf_text(body)
    assert page_count(body) == 2
    assert "Página 1 de 2" in text and "Página 2 de 2" in text
    assert re.findall(r"Producto (\d\d)", text) == [f"{index:02d}" for index in range(50)]
    assert f"${total // 1000}.{total % 1000:03d}" in text
    receipt = render_pdf(document, "receipt")
    assert page_count(receipt) == 1, "a receipt is one strip, as tall as its lines"


def test_a_refund_is_a_credit_note_that_names_the_invoice_and_the_reason() -> None:
    document = chilean_sale(
        kind="refund",
        number="C1-42/D1",
        reference="C1-42",
        reason="Producto dañado",
        lines=(Line("Marraqueta", "PAN-001", 1, 1990, 0, 1900, 318, 1990),),
        subtotal=1990,
        discount_total=0,
        tax_total=318,
        total=1990,
        payments=(Tender("cash", 1990),),
        paid_total=1990,
        change_total=0,
    )
    text = pdf_text(render_pdf(document, "invoice"))
    for expected in ("Nota de crédito", "C1-42/D1", "Referencia: factura C1-42", "Producto dañado", "$1.990", "$318"):
        assert expected in text, (expected, text)
    assert "Total devuelto" in text and "Devuelto en" in text


def test_a_voided_sale_says_so() -> None:
    assert "ANULADA" in pdf_text(render_pdf(chilean_sale(voided=True), "invoice"))
    assert "ANULADA" not in pdf_text(render_pdf(chilean_sale(), "invoice"))


def test_names_outside_western_european_text_embed_a_font_and_read_back_as_they_are() -> None:
    lines = (Line("Κασέρι ☕ Сыр", "GR-1", 1, 1990, 0, 1900, 318, 1990),)
    body = render_pdf(chilean_sale(lines=lines, subtotal=1990, discount_total=0, tax_total=318, total=1990), "invoice")
    assert b"/FontFile2" in body
    assert "Κασέρι" in pdf_text(body)
    plain = render_pdf(chilean_sale(), "invoice")
    assert b"/FontFile2" not in plain and b"/Helvetica" in plain


def test_the_same_document_renders_to_the_same_bytes() -> None:
    assert render_pdf(chilean_sale(), "invoice") == render_pdf(chilean_sale(), "invoice")
    assert render_pdf(chilean_sale(), "receipt") == render_pdf(chilean_sale(), "receipt")
