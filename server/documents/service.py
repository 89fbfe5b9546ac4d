"""Invoices, credit notes and receipts of sales and refunds, as PDF files in object storage.

Invariants:
- A document is generated the first time it is asked for and stored under a name of its own
  (`documents/sales/{sale_id}/invoice.pdf`, `…/receipt.pdf`, likewise under `refunds/`); every
  later request serves the stored file. The first rendering is the document of record: renaming a
  product or changing the settings afterwards does not rewrite an issued invoice.
- The sale or refund is read under the tenant's row-level security and checked first: an id of
  another tenant, or of nothing, is a 404 before storage is touched, so nothing is stored for it.
- Names, totals and taxes come from the database as the sale recorded them: the lines' charged
  prices, discounts and taxes, not the catalog's current ones. Only descriptions (product name and
  SKU) and the people's names are read as they are at generation.
- A refund's number is `{sale invoice}/D{n}`, n its place among the sale's refunds and voids in
  time order; the tax in each refunded line is the line's tax pro rata of the amount given back.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from server.core.context import Context
from server.core.errors import NotFound
from server.documents.pdf import Document, Layout, Line, Party, Tender, render_pdf
from server.sales.pricing import round_half_up
from server.storage import ObjectNotFound, StoredObject, tenant_storage

PDF = "application/pdf"
MAX_PDF_BYTES = 20 * 1024 * 1024

# The seller (the organization, with its locale) and the customer, read with the document.
_PARTIES = """c.name as customer_name, c.tax_id as customer_tax_id, c.address as customer_address,
           c.email as customer_email,
           o.name as seller_name, o.tax_id as seller_tax_id, o.address as seller_address,
           o.currency, o.locale, o.time_zone"""
_SALE = text(
    f"""
    select s.id, s.invoice_number, s.status, s.tax_mode, s.subtotal, s.discount_total, s.tax_total, s.total,
           s.paid_total, s.change_total, s.note, s.sold_at,
           r.code as register_code, r.name as register_name, u.full_name as cashier,
           {_PARTIES}
    from sales s
    join organizations o on o.id = s.organization_id
    join registers r on r.organization_id = s.organization_id and r.id = s.register_id
    join users u on u.organization_id = s.organization_id and u.id = s.cashier_id
    left join customers c on c.organization_id = s.organization_id and c.id = s.customer_id
    where s.organization_id = :organization_id and s.id = :sale_id
    """
)
_SALE_LINES = text(
    """
    select p.name, p.sku, l.quantity, l.unit_price, l.discount, l.tax_rate_bp, l.tax_amount, l.total
    from sale_lines l
    join products p on p.organization_id = l.organization_id and p.id = l.product_id
    where l.organization_id = :organization_id and l.sale_id = :sale_id
    order by l.position
    """
)
_PAYMENTS = text(
    """
    select method, amount, change, reference from payments
    where organization_id = :organization_id and sale_id = :sale_id
    order by id
    """
)
_REFUND = text(
    f"""
    select f.id, f.sale_id, f.kind, f.method, f.total, f.reason, f.refunded_at,
           s.invoice_number, s.tax_mode,
           (select count(*) from refunds e
            where e.organization_id = f.organization_id and e.sale_id = f.sale_id
              and (e.refunded_at, e.id) <= (f.refunded_at, f.id)) as ordinal,
           r.code as register_code, r.name as register_name, u.full_name as cashier,
           {_PARTIES}
    from refunds f
    join sales s on s.organization_id = f.organization_id and s.id = f.sale_id
    join organizations o on o.id = f.organization_id
    join registers r on r.organization_id = f.organization_id and r.id = f.register_id
    join users u on u.organization_id = f.organization_id and u.id = f.actor_id
    left join customers c on c.organization_id = s.organization_id and c.id = s.customer_id
    where f.organization_id = :organization_id and f.id = :refund_id
    """
)
_REFUND_LINES = text(
    """
    select p.name, p.sku, rl.quantity, rl.amount, l.unit_price, l.tax_rate_bp, l.tax_amount, l.total
    from refund_lines rl
    join sale_lines l on l.organization_id = rl.organization_id and l.id = rl.sale_line_id
    join products p on p.organization_id = rl.organization_id and p.id = rl.product_id
    where rl.organization_id = :organization_id and rl.refund_id = :refund_id
    order by l.position, rl.id
    """
)


@dataclass(frozen=True, slots=True)
class StoredPdf:
    """A document ready to send: its stored body, and the file name to offer."""

    body: StoredObject
    filename: str


def _party(row: Any, prefix: str) -> Party:
    return Party(
        name=getattr(row, f"{prefix}_name"),
        tax_id=getattr(row, f"{prefix}_tax_id") or "",
        address=getattr(row, f"{prefix}_address") or "",
        email=getattr(row, f"{prefix}_email", "") or "",
    )


def _register(row: Any) -> str:
    return f"{row.register_code} · {row.register_name}"


async def sale_document(ctx: Context, sale_id: uuid.UUID) -> Document:
    """The sale as its invoice shows it; 404 when the tenant has no such sale."""
    params = {"organization_id": ctx.organization_id, "sale_id": sale_id}
    sale = (await ctx.session.execute(_SALE, params)).one_or_none()
    if sale is None:
        raise NotFound("no such sale", code="sale_not_found")
    lines = (await ctx.session.execute(_SALE_LINES, params)).all()
    payments = (await ctx.session.execute(_PAYMENTS, params)).all()
    return Document(
        kind="sale",
        number=sale.invoice_number,
        issued_at=sale.sold_at,
        seller=_party(sale, "seller"),
        customer=_party(sale, "customer") if sale.customer_name is not None else None,
        register=_register(sale),
        cashier=sale.cashier,
        currency=sale.currency,
        locale=sale.locale,
        time_zone=sale.time_zone,
        tax_mode=sale.tax_mode,
        lines=tuple(
            Line(
                description=line.name,
                sku=line.sku,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.quantity * line.unit_price - (line.total - _added_tax(sale.tax_mode, line.tax_amount)),
                tax_rate_bp=line.tax_rate_bp,
                tax_amount=line.tax_amount,
                total=line.total,
            )
            for line in lines
        ),
        subtotal=sale.subtotal,
        discount_total=sale.discount_total,
        tax_total=sale.tax_total,
        total=sale.total,
        payments=tuple(Tender(p.method, p.amount, p.change, p.reference) for p in payments),
        paid_total=sale.paid_total,
        change_total=sale.change_total,
        voided=sale.status == "voided",
        note=sale.note,
    )


def _added_tax(tax_mode: str, tax_amount: int) -> int:
    """The part of a line's total that tax added on top of its price (none when prices include it)."""
    return tax_amount if tax_mode == "exclusive" else 0


async def refund_document(ctx: Context, refund_id: uuid.UUID) -> Document:
    """The refund or void as its credit note shows it; 404 when the tenant has no such refund."""
    params = {"organization_id": ctx.organization_id, "refund_id": refund_id}
    refund = (await ctx.session.execute(_REFUND, params)).one_or_none()
    if refund is None:
        raise NotFound("no such refund", code="refund_not_found")
    lines = [
        Line(
            description=line.name,
            sku=line.sku,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=0,
            tax_rate_bp=line.tax_rate_bp,
            tax_amount=round_half_up(line.amount * line.tax_amount, line.total) if line.total else 0,
            total=line.amount,
        )
        for line in (await ctx.session.execute(_REFUND_LINES, params)).all()
    ]
    tax_total = sum(line.tax_amount for line in lines)
    return Document(
        kind="void" if refund.kind == "void" else "refund",
        number=f"{refund.invoice_number}/D{refund.ordinal}",
        issued_at=refund.refunded_at,
        seller=_party(refund, "seller"),
        customer=_party(refund, "customer") if refund.customer_name is not None else None,
        register=_register(refund),
        cashier=refund.cashier,
        currency=refund.currency,
        locale=refund.locale,
        time_zone=refund.time_zone,
        tax_mode=refund.tax_mode,
        lines=tuple(lines),
        subtotal=refund.total,
        discount_total=0,
        tax_total=tax_total,
        total=refund.total,
        payments=(Tender(refund.method, refund.total),),
        paid_total=refund.total,
        change_total=0,
        reference=refund.invoice_number,
        reason=refund.reason,
    )


def _filename(number: str, layout: Layout) -> str:
    safe = "".join(character if character.isalnum() or character in "-_" else "-" for character in number)
    return f"{safe}-{layout}.pdf" if layout == "receipt" else f"{safe}.pdf"


async def _stored_or_rendered(
    ctx: Context, name: str, layout: Layout, load: Callable[[], Awaitable[Document]]
) -> StoredPdf:
    files = tenant_storage(ctx)
    document = await load()
    filename = _filename(document.number, layout)
    try:
        return StoredPdf(await files.open(name), filename)
    except ObjectNotFound:
        pass
    body = await asyncio.to_thread(render_pdf, document, layout)
    await files.put_bytes(name, body, content_type=PDF)
    return StoredPdf(await files.open(name), filename)


async def sale_pdf(ctx: Context, sale_id: uuid.UUID, layout: Layout) -> StoredPdf:
    """The sale's invoice or receipt: the stored file, or rendered and stored now."""
    return await _stored_or_rendered(
        ctx, sale_document_name(sale_id, layout), layout, lambda: sale_document(ctx, sale_id)
    )


async def refund_pdf(ctx: Context, refund_id: uuid.UUID, layout: Layout) -> StoredPdf:
    """The refund's credit note (or void) or its receipt: the stored file, or rendered and stored now."""
    return await _stored_or_rendered(
        ctx, refund_document_name(refund_id, layout), layout, lambda: refund_document(ctx, refund_id)
    )


def sale_document_name(sale_id: uuid.UUID, layout: Layout) -> str:
    return f"documents/sales/{sale_id}/{layout}.pdf"


def refund_document_name(refund_id: uuid.UUID, layout: Layout) -> str:
    return f"documents/refunds/{refund_id}/{layout}.pdf"
