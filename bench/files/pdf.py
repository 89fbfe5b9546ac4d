"""Invoice PDFs: how long `server.documents.pdf.render_pdf` takes for a 50-line invoice, against
the raw library call that prints the same text, measured in the same run.

    .venv/bin/python bench/files/pdf.py [--runs 40]

What it times (each: two warm-ups, then `--runs` runs; median and p95 in milliseconds):

1. `invoice`: `render_pdf(document, "invoice")` for a 50-line sale of a Chilean shop (es-CL, CLP,
   two tax rates, a sale discount, a customer, two payments): the A4 layout, Babel's formatting
   of every amount and the time, page breaks with the table's head repeated, the PDF written;
2. `receipt`: the same sale as an 80 mm receipt (drawn twice: measured, then on a page as tall);
3. `invoice_unicode`: the same invoice with one product named in Greek, which embeds a subset
   of DejaVu Sans instead of using the PDF's built-in Helvetica;
4. baselines, the raw library call: fpdf2 alone, writing the same 50 lines' text (already
   formatted) as one cell each in Helvetica on A4 pages, and `output()`; and the same with the
   DejaVu font added, the floor for the third figure.

No database, Redis or storage is involved: this is the rendering only. Prints one JSON document
with the figures, the sizes of the files and each layout's ratio to its baseline.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from server.documents.pdf import FONTS, Document, Formats, Line, Party, Tender, render_pdf
from server.sales.pricing import LineInput, price_sale

LINES = 50


def fifty_line_sale(first_name: str = "Marraqueta") -> Document:
    inputs = [
        LineInput(index % 3 + 1, 990 + 37 * index, 1900 if index % 4 else 0, 50 * (index % 5)) for index in range(LINES)
    ]
    priced = price_sale(inputs, sale_discount=1500, tax_mode="inclusive")
    names = [first_name] + [f"Producto de almacén número {index}" for index in range(1, LINES)]
    lines = tuple(
        Line(
            description=name,
            sku=f"SKU-{index:04d}",
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=line.discount + line.sale_discount_share,
            tax_rate_bp=line.tax_rate_bp,
            tax_amount=line.tax_amount,
            total=line.total,
        )
        for index, (name, line) in enumerate(zip(names, priced.lines, strict=True))
    )
    return Document(
        kind="sale",
        number="C1-1042",
        issued_at=datetime(2026, 12, 7, 2, 15, tzinfo=UTC),
        seller=Party("Panadería Ñandú SpA", "76.123.456-7", "Av. Providencia 1234, Santiago"),
        register="C1 · Caja principal",
        cashier="Ada Owner",
        currency="CLP",
        locale="es-CL",
        time_zone="America/Santiago",
        tax_mode="inclusive",
        lines=lines,
        subtotal=priced.subtotal,
        discount_total=priced.discount_total,
        tax_total=priced.tax_total,
        total=priced.total,
        payments=(Tender("card", priced.total - 2000, 0, "4242"), Tender("cash", 5000, 3000)),
        paid_total=priced.total + 3000,
        change_total=3000,
        customer=Party("María José Pérez", "12.345.678-9", "Calle Falsa 123", "maria@example.com"),
    )


def raw_rows(document: Document) -> list[str]:
    """The lines' text as the invoice prints it, formatted before timing starts."""
    formats = Formats(document.locale, document.currency, document.time_zone)
    return [
        f"{line.description} ({line.sku})  {line.quantity}  {formats.money(line.unit_price)}  "
        f"{formats.money(line.discount)}  {formats.rate(line.tax_rate_bp)}  {formats.money(line.total)}"
        for line in document.lines
    ]


def raw_library(rows: list[str], *, unicode_font: bool) -> bytes:
    pdf = FPDF(unit="mm", format="A4")
    if unicode_font:
        pdf.add_font("Body", "", FONTS / "DejaVuSans.ttf")
        pdf.set_font("Body", size=8)
    else:
        pdf.core_fonts_encoding = "windows-1252"
        pdf.set_font("Helvetica", size=8)
    pdf.add_page()
    for row in rows:
        pdf.cell(0, 5, row, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def timed(function: Callable[[], bytes], runs: int) -> dict[str, float]:
    for _ in range(2):
        size = len(function())
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 2),
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40)
    runs = parser.parse_args().runs

    document = fifty_line_sale()
    unicode_document = fifty_line_sale("Κασέρι Νάξου")
    rows = raw_rows(document)
    unicode_rows = raw_rows(unicode_document)

    figures = {
        "invoice": timed(lambda: render_pdf(document, "invoice"), runs),
        "receipt": timed(lambda: render_pdf(document, "receipt"), runs),
        "invoice_unicode": timed(lambda: render_pdf(unicode_document, "invoice"), runs),
        "baseline_raw_helvetica": timed(lambda: raw_library(rows, unicode_font=False), runs),
        "baseline_raw_dejavu": timed(lambda: raw_library(unicode_rows, unicode_font=True), runs),
    }

    def ratio(name: str, baseline: str) -> float:
        return round(figures[name]["median_ms"] / figures[baseline]["median_ms"], 2)

    print(
        json.dumps(
            {
                "benchmark": "files/pdf",
                "python": platform.python_version(),
                "lines": LINES,
                "runs": runs,
                "figures": figures,
                "ratios": {
                    "invoice_vs_raw_helvetica": ratio("invoice", "baseline_raw_helvetica"),
                    "receipt_vs_raw_helvetica": ratio("receipt", "baseline_raw_helvetica"),
                    "invoice_unicode_vs_raw_dejavu": ratio("invoice_unicode", "baseline_raw_dejavu"),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
