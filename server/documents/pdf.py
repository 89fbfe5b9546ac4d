"""Invoices, credit notes and receipts as PDF: a pure function from a `Document` to bytes.

Two fixed layouts: `invoice` (A4, for the customer's records and accounting) and `receipt`
(80 mm roll, what a till prints, exactly as tall as its content). Both carry the same parts: the
seller's name, tax id and address; the document's title and number (the register's series for a
sale); the time of sale in the organization's time zone; the customer when known; the lines; the
taxes by rate; the totals; the payments.

Money and dates follow the document's locale (Babel's CLDR data, as the web app's `Intl` does):
`es-CL` writes `$12.345` and `06-12-2026, 22:49`, `en-US` writes `$1,234.50`. Text is Spanish
for an `es…` locale and English otherwise. What a document shows is `server.documents.content`,
its words and formats `server.documents.wording`; this module lays them out.

fpdf2 renders with the PDF's built-in Helvetica when every character of the document is in
Windows-1252 (Spanish, English and most Western European text: milliseconds, a few kB); a
document with any other character (a product named in Greek or with an emoji) embeds a subset of
DejaVu Sans instead, which takes a few hundred milliseconds more but prints every name as it is.

The output is deterministic: the PDF's dates are the document's own `issued_at`, so the same
document renders to the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from server.documents.content import Document, Kind, Layout, Line, Party, TaxRate, Tender, taxes_by_rate
from server.documents.wording import WORDS, Formats, formats_of, title

__all__ = [
    "FONTS",
    "Document",
    "Formats",
    "Kind",
    "Layout",
    "Line",
    "Party",
    "TaxRate",
    "Tender",
    "render_pdf",
    "taxes_by_rate",
]
"""The documents' model and formats are re-exported: callers import everything from here."""

FONTS = Path(__file__).with_name("fonts")
CORE_ENCODING = "windows-1252"


class _Pdf(FPDF):
    """An A4 page whose footer numbers the pages ("Page 1 of 2")."""

    page_label = "{page} / {pages}"
    numbered = False

    def footer(self) -> None:
        if not self.numbered:
            return
        self.set_y(-12)
        self.set_font(size=7)
        self.set_text_color(110)
        label = self.page_label.format(page=self.page_no(), pages="{nb}")
        self.cell(0, 5, label, align="R")


def _texts(document: Document, formats: Formats) -> Iterable[str]:
    """Every text a document prints (to choose its font)."""
    yield from (document.number, document.register, document.cashier, document.reference, document.reason)
    yield document.note
    for party in (document.seller, document.customer):
        if party is not None:
            yield from (party.name, party.tax_id, party.address, party.email)
    for line in document.lines:
        yield line.description
        yield line.sku
    for tender in document.payments:
        yield tender.reference
    yield formats.money(document.total)
    yield formats.moment(document.issued_at)


def _needs_unicode_font(document: Document, formats: Formats) -> bool:
    try:
        for text in _texts(document, formats):
            text.encode(CORE_ENCODING)
    except UnicodeEncodeError:
        return True
    return False


def _new_pdf(document: Document, formats: Formats, page: tuple[float, float] | str) -> _Pdf:
    pdf = _Pdf(unit="mm", format=page)
    pdf.page_label = formats.word("page")
    if _needs_unicode_font(document, formats):
        pdf.add_font("Body", "", FONTS / "DejaVuSans.ttf")
        pdf.add_font("Body", "B", FONTS / "DejaVuSans-Bold.ttf")
        pdf.set_font("Body", size=9)
    else:
        pdf.core_fonts_encoding = CORE_ENCODING
        pdf.set_font("Helvetica", size=9)
    pdf.set_creation_date(document.issued_at)
    pdf.set_title(f"{title(document, 'invoice', formats)} {document.number}")
    pdf.set_author(document.seller.name)
    pdf.set_creator("OrbitEngine")
    pdf.set_lang(formats.language)
    return pdf


def _block(pdf: _Pdf, width: float, height: float, text: str, align: Literal["L", "C", "R"] = "L") -> None:
    """Text on as many lines as it needs, then the next line at the left margin. A text that fits
    on one line is one cell: fpdf2's line breaking costs far more than a cell."""
    if pdf.get_string_width(text) <= width - 2 * pdf.c_margin:
        pdf.cell(width, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.multi_cell(width, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_pdf(document: Document, layout: Layout = "invoice") -> bytes:
    """The document as a PDF in the given layout."""
    formats = formats_of(document)
    if layout == "receipt":
        return _render_receipt(document, formats)
    return _render_invoice(document, formats)


# Invoice (A4)

_COLUMNS: tuple[tuple[str, float, Literal["L", "R"]], ...] = (
    ("description", 70, "L"),
    ("quantity", 14, "R"),
    ("unit_price", 26, "R"),
    ("discount", 24, "R"),
    ("tax_rate", 18, "R"),
    ("line_total", 28, "R"),
)
_ROW = 5.0


def _render_invoice(document: Document, formats: Formats) -> bytes:
    pdf = _new_pdf(document, formats, "A4")
    pdf.numbered = True
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    _invoice_head(pdf, document, formats)
    _invoice_lines(pdf, document, formats)
    _invoice_totals(pdf, document, formats)
    return bytes(pdf.output())


def _invoice_head(pdf: _Pdf, document: Document, formats: Formats) -> None:
    seller = document.seller
    width = pdf.epw / 2
    top = pdf.get_y()
    pdf.set_font(style="B", size=14)
    _block(pdf, width, 7, seller.name)
    pdf.set_font(style="", size=9)
    if seller.tax_id:
        pdf.cell(width, _ROW, f"{formats.word('tax_id')}: {seller.tax_id}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if seller.address:
        _block(pdf, width, _ROW, seller.address)
    left_bottom = pdf.get_y()

    pdf.set_xy(pdf.l_margin + width, top)
    pdf.set_font(style="B", size=14)
    pdf.cell(width, 7, title(document, "invoice", formats), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(style="B", size=11)
    pdf.cell(width, 6, f"{formats.word('number')} {document.number}", align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(style="", size=9)
    for text in _facts(document, formats):
        pdf.cell(width, _ROW, text, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 3)

    if document.voided:
        pdf.set_font(style="B", size=12)
        pdf.set_text_color(180, 0, 0)
        pdf.cell(0, 7, formats.word("voided"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0)
        pdf.set_font(style="", size=9)
    customer = document.customer
    if customer is not None:
        pdf.set_font(style="B")
        pdf.cell(0, _ROW, formats.word("customer"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(style="")
        for text in _party_lines(customer, formats):
            _block(pdf, pdf.epw, _ROW, text)
        pdf.ln(2)


def _facts(document: Document, formats: Formats) -> list[str]:
    facts = [
        f"{formats.word('date')}: {formats.moment(document.issued_at)}",
        f"{formats.word('register')}: {document.register}",
        f"{formats.word('cashier')}: {document.cashier}",
    ]
    if document.reference:
        facts.append(f"{formats.word('reference')} {document.reference}")
    return facts


def _party_lines(party: Party, formats: Formats) -> list[str]:
    texts = [party.name]
    if party.tax_id:
        texts.append(f"{formats.word('tax_id')}: {party.tax_id}")
    texts += [text for text in (party.address, party.email) if text]
    return texts


def _table_head(pdf: _Pdf, formats: Formats) -> None:
    pdf.set_font(style="B", size=8)
    pdf.set_fill_color(235)
    for key, width, align in _COLUMNS:
        pdf.cell(width, 6, formats.word(key), border="B", align=align, fill=True)
    pdf.ln(6)
    pdf.set_font(style="", size=8)


def _invoice_lines(pdf: _Pdf, document: Document, formats: Formats) -> None:
    _table_head(pdf, formats)
    description_width = _COLUMNS[0][1]
    for line in document.lines:
        description = f"{line.description} ({line.sku})" if line.sku else line.description
        # Most descriptions fit on one line; fpdf2's line breaking costs far more than a cell.
        fits = pdf.get_string_width(description) <= description_width - 2 * pdf.c_margin
        if fits:
            height = _ROW
        else:
            wrapped = pdf.multi_cell(description_width, 4.2, description, align="L", dry_run=True, output="LINES")
            assert isinstance(wrapped, list)
            height = max(_ROW, 4.2 * len(wrapped) + 0.8)
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            _table_head(pdf, formats)
        top = pdf.get_y()
        if fits:
            pdf.cell(description_width, 4.2, description)
        else:
            pdf.multi_cell(description_width, 4.2, description, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_xy(pdf.l_margin + description_width, top)
        cells = (
            formats.quantity(line.quantity),
            formats.money(line.unit_price),
            formats.money(line.discount) if line.discount else "",
            formats.rate(line.tax_rate_bp),
            formats.money(line.total),
        )
        for (_, width, align), text in zip(_COLUMNS[1:], cells, strict=True):
            pdf.cell(width, 4.2, text, align=align)
        pdf.set_xy(pdf.l_margin, top + height)
        pdf.set_draw_color(225)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
        pdf.set_draw_color(0)
    pdf.ln(3)


def _totals(document: Document, formats: Formats) -> list[tuple[str, str, bool]]:
    """(label, amount, bold) rows of the totals block."""
    if document.kind != "sale":
        return [
            (formats.word("tax_included"), formats.money(document.tax_total), False),
            (formats.word("refunded"), formats.money(document.total), True),
        ]
    rows = [(formats.word("subtotal"), formats.money(document.subtotal), False)]
    if document.discount_total:
        rows.append((formats.word("discounts"), formats.money(-document.discount_total), False))
    tax_word = "tax_included" if document.tax_mode == "inclusive" else "tax_added"
    rows.append((formats.word(tax_word), formats.money(document.tax_total), False))
    rows.append((formats.word("total"), formats.money(document.total), True))
    return rows


def _payments(document: Document, formats: Formats) -> list[tuple[str, str]]:
    rows = []
    for tender in document.payments:
        label = formats.word(tender.method) if tender.method in WORDS["en"] else tender.method
        if tender.reference:
            label = f"{label} ({tender.reference})"
        rows.append((label, formats.money(tender.amount)))
    if document.kind == "sale":
        rows.append((formats.word("paid"), formats.money(document.paid_total)))
        if document.change_total:
            rows.append((formats.word("change"), formats.money(document.change_total)))
    return rows


def _keep_together(pdf: _Pdf, height: float) -> None:
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def _invoice_totals(pdf: _Pdf, document: Document, formats: Formats) -> None:
    half = pdf.epw / 2
    taxes = document.taxes
    _keep_together(pdf, _ROW * (len(taxes) + 2))
    top = pdf.get_y()
    # Taxes by rate, on the left.
    pdf.set_font(style="B", size=8)
    pdf.cell(half, _ROW, formats.word("taxes"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for text, align in ((formats.word("rate"), "L"), (formats.word("base"), "R"), (formats.word("tax"), "R")):
        pdf.cell(half / 3, _ROW, text, border="B", align=align)
    pdf.ln(_ROW)
    pdf.set_font(style="", size=8)
    for rate in taxes:
        pdf.cell(half / 3, _ROW, formats.rate(rate.rate_bp))
        pdf.cell(half / 3, _ROW, formats.money(rate.base), align="R")
        pdf.cell(half / 3, _ROW, formats.money(rate.tax), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_bottom = pdf.get_y()
    # Totals, on the right.
    pdf.set_y(top)
    for label, amount, bold in _totals(document, formats):
        pdf.set_x(pdf.l_margin + half + 10)
        pdf.set_font(style="B" if bold else "", size=11 if bold else 9)
        pdf.cell(half - 40, 6, label)
        pdf.cell(30, 6, amount, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 4)

    payments = _payments(document, formats)
    _keep_together(pdf, _ROW * (len(payments) + 1))
    pdf.set_font(style="B", size=9)
    pdf.cell(0, _ROW, formats.word("payments" if document.kind == "sale" else "refunded_by"))
    pdf.ln(_ROW)
    pdf.set_font(style="", size=9)
    for label, amount in payments:
        pdf.cell(half - 30, _ROW, label)
        pdf.cell(30, _ROW, amount, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font(size=8)
    for text in _closing(document, formats):
        _block(pdf, pdf.epw, 4.2, text)


def _closing(document: Document, formats: Formats) -> list[str]:
    texts = []
    if document.reason:
        texts.append(f"{formats.word('reason')}: {document.reason}")
    if document.note:
        texts.append(f"{formats.word('note')}: {document.note}")
    if document.kind == "sale":
        texts.append(formats.word(document.tax_mode))
    return texts


# Receipt (80 mm roll)

_RECEIPT_WIDTH = 80.0
_RECEIPT_MARGIN = 4.0


def _render_receipt(document: Document, formats: Formats) -> bytes:
    """Drawn twice: once on a long strip to measure it, then on a page exactly that tall."""
    measure = _new_pdf(document, formats, (_RECEIPT_WIDTH, 3000.0))
    height = _draw_receipt(measure, document, formats) + _RECEIPT_MARGIN
    pdf = _new_pdf(document, formats, (_RECEIPT_WIDTH, max(height, 60.0)))
    _draw_receipt(pdf, document, formats)
    return bytes(pdf.output())


def _draw_receipt(pdf: _Pdf, document: Document, formats: Formats) -> float:
    pdf.set_margins(_RECEIPT_MARGIN, _RECEIPT_MARGIN, _RECEIPT_MARGIN)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.epw
    row = 4.0

    def centered(text: str, *, bold: bool = False, size: float = 8) -> None:
        pdf.set_font(style="B" if bold else "", size=size)
        _block(pdf, width, row, text, "C")

    def pair(label: str, amount: str, *, bold: bool = False) -> None:
        pdf.set_font(style="B" if bold else "", size=8.5 if bold else 8)
        pdf.cell(width * 0.6, row, label)
        pdf.cell(width * 0.4, row, amount, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def rule() -> None:
        pdf.ln(1)
        pdf.set_dash_pattern(dash=0.6, gap=0.6)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
        pdf.set_dash_pattern()
        pdf.ln(1.5)

    seller = document.seller
    centered(seller.name, bold=True, size=10)
    if seller.tax_id:
        centered(f"{formats.word('tax_id')}: {seller.tax_id}")
    if seller.address:
        centered(seller.address)
    rule()
    centered(f"{title(document, 'receipt', formats)} {formats.word('number')} {document.number}", bold=True, size=9)
    for text in _facts(document, formats):
        centered(text)
    if document.voided:
        centered(formats.word("voided"), bold=True, size=10)
    if document.customer is not None:
        centered(f"{formats.word('customer')}: " + " · ".join(_party_lines(document.customer, formats)))
    rule()
    for line in document.lines:
        pdf.set_font(style="", size=8)
        _block(pdf, width, row, line.description)
        detail = f"{formats.quantity(line.quantity)} × {formats.money(line.unit_price)}"
        if line.discount:
            detail += f"  - {formats.money(line.discount)}"
        pair(f"  {detail}", formats.money(line.total))
    rule()
    for label, amount, bold in _totals(document, formats):
        pair(label, amount, bold=bold)
    pdf.set_font(size=7)
    for rate in document.taxes:
        pair(
            f"  {formats.word('tax')} {formats.rate(rate.rate_bp)} ({formats.word('base')} {formats.money(rate.base)})",
            formats.money(rate.tax),
        )
    rule()
    for label, amount in _payments(document, formats):
        pair(label, amount)
    closing = _closing(document, formats)
    if closing:
        rule()
        for text in closing:
            centered(text)
    return pdf.get_y()
