"""The words and number formats of a printed document, in its locale (Babel's CLDR data, as the
web app's `Intl` does): `es-CL` writes `$12.345` and `06-12-2026, 22:49`, `en-US` writes
`$1,234.50`. Text is Spanish for an `es…` locale and English otherwise."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.core import Locale
from babel.dates import format_datetime
from babel.numbers import NumberPattern

from server.core.money import minor_units
from server.documents.content import Document, Layout

WORDS: dict[str, dict[str, str]] = {
    "es": {
        "sale_invoice": "Factura",
        "sale_receipt": "Comprobante de venta",
        "refund": "Nota de crédito",
        "void": "Anulación",
        "number": "N.º",
        "date": "Fecha",
        "register": "Caja",
        "cashier": "Atendió",
        "customer": "Cliente",
        "tax_id": "Id. fiscal",
        "reference": "Referencia: factura",
        "reason": "Motivo",
        "description": "Descripción",
        "quantity": "Cant.",
        "unit_price": "Precio unit.",
        "discount": "Descuento",
        "tax_rate": "Impuesto",
        "line_total": "Total",
        "taxes": "Impuestos por tasa",
        "rate": "Tasa",
        "base": "Neto",
        "tax": "Impuesto",
        "subtotal": "Subtotal",
        "discounts": "Descuentos",
        "tax_included": "Impuestos incluidos",
        "tax_added": "Impuestos",
        "total": "Total",
        "refunded": "Total devuelto",
        "payments": "Pagos",
        "refunded_by": "Devuelto en",
        "paid": "Pagado",
        "change": "Vuelto",
        "cash": "Efectivo",
        "card": "Tarjeta",
        "transfer": "Transferencia",
        "other": "Otro",
        "voided": "ANULADA",
        "inclusive": "Los precios incluyen impuestos.",
        "exclusive": "Los impuestos se suman a los precios.",
        "page": "Página {page} de {pages}",
        "note": "Nota",
    },
    "en": {
        "sale_invoice": "Invoice",
        "sale_receipt": "Sales receipt",
        "refund": "Credit note",
        "void": "Void",
        "number": "No.",
        "date": "Date",
        "register": "Register",
        "cashier": "Served by",
        "customer": "Customer",
        "tax_id": "Tax ID",
        "reference": "Refers to invoice",
        "reason": "Reason",
        "description": "Description",
        "quantity": "Qty",
        "unit_price": "Unit price",
        "discount": "Discount",
        "tax_rate": "Tax",
        "line_total": "Total",
        "taxes": "Taxes by rate",
        "rate": "Rate",
        "base": "Net",
        "tax": "Tax",
        "subtotal": "Subtotal",
        "discounts": "Discounts",
        "tax_included": "Tax included",
        "tax_added": "Tax",
        "total": "Total",
        "refunded": "Total refunded",
        "payments": "Payments",
        "refunded_by": "Refunded by",
        "paid": "Paid",
        "change": "Change",
        "cash": "Cash",
        "card": "Card",
        "transfer": "Transfer",
        "other": "Other",
        "voided": "VOIDED",
        "inclusive": "Prices include tax.",
        "exclusive": "Tax is added to prices.",
        "page": "Page {page} of {pages}",
        "note": "Note",
    },
}

# Babel writes some narrow spaces that Windows-1252 lacks; they print as ordinary ones.
_SPACES = str.maketrans({"\u202f": "\u00a0", "\u2009": " ", "\u2007": " "})


@functools.lru_cache(maxsize=64)
def _babel(locale: str) -> tuple[Locale, NumberPattern, NumberPattern]:
    """The CLDR locale and its currency and number patterns (parsed once per process)."""
    parsed = Locale.parse(locale.replace("-", "_"))
    return parsed, parsed.currency_formats["standard"], parsed.decimal_formats[None]


@dataclass(frozen=True, slots=True)
class Formats:
    """Money, quantities, rates and times in one locale, currency and time zone."""

    locale: str
    currency: str
    time_zone: str

    @property
    def language(self) -> str:
        return "es" if self.locale.lower().startswith("es") else "en"

    def word(self, key: str) -> str:
        return WORDS[self.language][key]

    def money(self, amount: int) -> str:
        locale, pattern, _ = _babel(self.locale)
        value = Decimal(amount).scaleb(-minor_units(self.currency))
        text: str = pattern.apply(value, locale, currency=self.currency)
        return text.translate(_SPACES)

    def number(self, value: Decimal | int) -> str:
        locale, _, pattern = _babel(self.locale)
        text: str = pattern.apply(value, locale)
        return text.translate(_SPACES)

    def quantity(self, quantity: int) -> str:
        return self.number(quantity)

    def rate(self, rate_bp: int) -> str:
        return self.number(Decimal(rate_bp).scaleb(-2)) + " %"

    def moment(self, value: datetime) -> str:
        locale, _, _ = _babel(self.locale)
        return format_datetime(value, "medium", tzinfo=ZoneInfo(self.time_zone), locale=locale).translate(_SPACES)


def formats_of(document: Document) -> Formats:
    return Formats(locale=document.locale, currency=document.currency, time_zone=document.time_zone)


def title(document: Document, layout: Layout, formats: Formats) -> str:
    if document.kind == "sale":
        return formats.word("sale_invoice" if layout == "invoice" else "sale_receipt")
    return formats.word(document.kind)
