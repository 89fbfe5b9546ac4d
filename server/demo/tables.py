"""The demo shop's tables, assembled from what the trading steps left on the `Shop`: ids drawn in
time order, one DataFrame per table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from server.demo.identifiers import MICROS, Array, as_uuids, time_ordered_ids, timestamps, uuid7_parts
from server.demo.people import customer_cards
from server.demo.shop import DemoShop
from server.demo.trading import PAYMENT_METHODS, Shop
from server.demo.trading_days import TIME_ZONE

RECEIPT_REASONS = ("Stock inicial", "Reposición de proveedor", "Reposición urgente")


@dataclass(frozen=True)
class _Ids:
    """The ids of every generated row but payments and refund lines, drawn in this order from
    the shop's id stream (the order is part of the seed)."""

    category: Array
    product: Array
    product_created: Array
    register: Array
    register_created: Array
    shift: Array
    sale: Array
    line: Array
    refund: Array


def _draw_ids(shop: Shop) -> _Ids:
    rng, calendar, catalog = shop.id_rng, shop.calendar, shop.catalog
    hour = 3600 * MICROS
    category_created = shop.history_start + np.arange(len(catalog.category_names)) * MICROS
    category_id = time_ordered_ids(rng, category_created)
    established = int(calendar.midnight[0]) - rng.integers(30, 400, size=shop.products) * 24 * hour
    product_created = np.where(shop.is_new, calendar.midnight[shop.launch] + 6 * hour, established)
    product_created += rng.integers(0, hour // 2, size=shop.products)
    product_id = np.empty(shop.products, dtype=object)
    by_creation = np.argsort(product_created, kind="stable")
    product_id[by_creation] = time_ordered_ids(rng, product_created[by_creation])
    register_created = shop.history_start + np.arange(shop.register_count) * MICROS
    return _Ids(
        category=category_id,
        product=product_id,
        product_created=product_created,
        register=time_ordered_ids(rng, register_created),
        register_created=register_created,
        shift=time_ordered_ids(rng, shop.shift_opened),
        sale=time_ordered_ids(rng, shop.sale_micros),
        line=time_ordered_ids(rng, shop.sale_micros[shop.line_sale]),
        refund=time_ordered_ids(rng, shop.refund_micros),
    )


def assemble(shop: Shop) -> DemoShop:
    """The shop's tables. Ids are drawn in a fixed order (`_draw_ids`, the movements, then the
    payments and refund lines), so the same seed gives the same ids."""
    ids = _draw_ids(shop)
    movements = movement_rows(shop, ids.product, ids.sale, ids.refund)
    stock = np.bincount(movements["product"], weights=movements["delta"], minlength=shop.products).astype(np.int64)
    shifts, shift_counts = _shift_frames(shop, ids)
    sales, sale_lines, payments, customers = _sale_frames(shop, ids)
    refunds, refund_lines = _refund_frames(shop, ids)
    dates = np.array(shop.calendar.dates, dtype="datetime64[D]")
    return DemoShop(
        seed=shop.seed,
        start=shop.start,
        end=shop.end,
        time_zone=TIME_ZONE,
        tax_mode=shop.tax_mode,
        currency_minor_units=shop.minor_units,
        categories=_category_frame(shop, ids),
        products=_product_frame(shop, ids, stock),
        customers=customers,
        registers=_register_frame(shop, ids),
        shifts=shifts,
        shift_counts=shift_counts,
        sales=sales,
        sale_lines=sale_lines,
        payments=payments,
        refunds=refunds,
        refund_lines=refund_lines,
        inventory_movements=_movement_frame(movements, ids),
        promotions=_promotion_frame(shop, ids),
        _daily_demand=_daily_demand(shop, ids, dates),
        _expected_demand=pd.DataFrame(shop.expected.T, index=pd.to_datetime(dates), columns=ids.product),
    )


def _category_frame(shop: Shop, ids: _Ids) -> pd.DataFrame:
    catalog = shop.catalog
    created = shop.history_start + np.arange(len(catalog.category_names)) * MICROS
    return pd.DataFrame(
        {
            "id": ids.category,
            "name": catalog.category_names,
            "parent_id": [None if parent is None else ids.category[parent] for parent in catalog.category_parents],
            "created_at": timestamps(created),
            "updated_at": timestamps(created),
        }
    )


def _product_frame(shop: Shop, ids: _Ids, stock: Array) -> pd.DataFrame:
    catalog, hour = shop.catalog, 3600 * MICROS
    repriced = shop.calendar.midnight[np.maximum(shop.price_changed, 0)] + 7 * hour
    updated = np.where(shop.price_changed >= 0, np.maximum(ids.product_created, repriced), ids.product_created)
    return pd.DataFrame(
        {
            "id": ids.product,
            "sku": catalog.sku,
            "barcode": catalog.barcode,
            "name": catalog.name,
            "description": "",
            "category_id": ids.category[catalog.category],
            "price": shop.list_price[:, -1],
            "cost": shop.unit_cost[:, -1],
            "tax_rate_bp": shop.tax_rate,
            "unit": "unit",
            "stock": stock,
            "reorder_point": shop.reorder_point,
            "lead_time_days": shop.lead_time,
            "is_active": True,
            "created_at": timestamps(ids.product_created),
            "updated_at": timestamps(updated),
        }
    )


def _register_frame(shop: Shop, ids: _Ids) -> pd.DataFrame:
    registers = shop.register_count
    return pd.DataFrame(
        {
            "id": ids.register,
            "code": [f"C{index + 1}" for index in range(registers)],
            "name": [f"Caja {index + 1}" for index in range(registers)],
            "last_number": np.bincount(shop.sale_register, minlength=registers),
            "is_active": True,
            "created_at": timestamps(ids.register_created),
            "updated_at": timestamps(ids.register_created),
        }
    )


def _shift_frames(shop: Shop, ids: _Ids) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shifts and the counts of the closed ones (cash carries the difference)."""
    exists = shop.shift_exists
    closed = shop.shift_is_closed[exists]
    shifts = pd.DataFrame(
        {
            "id": ids.shift[exists],
            "register_id": ids.register[shop.shift_register[exists]],
            "status": np.where(closed, "closed", "open"),
            "opening_float": shop.shift_float[exists],
            "cashier": shop.shift_cashier[exists],
            "opened_at": timestamps(shop.shift_opened[exists]),
            "closed_at": timestamps(shop.shift_closed[exists]).where(closed),
            "note": np.where(closed & (shop.shift_difference[exists] != 0), "Diferencia en el arqueo", ""),
        }
    )
    counted = np.flatnonzero(shop.shift_is_closed)
    methods = PAYMENT_METHODS
    expected = np.stack([shop.shift_expected[method][counted] for method in methods], axis=1).ravel()
    by_method = np.zeros((len(counted), len(methods)), dtype=np.int64)
    by_method[:, 0] = shop.shift_difference[counted]
    difference = by_method.ravel()
    counts = pd.DataFrame(
        {
            "shift_id": np.repeat(ids.shift[counted], len(methods)),
            "method": list(methods) * len(counted),
            "expected": expected,
            "counted": expected + difference,
            "difference": difference,
        }
    )
    return shifts, counts


def _sale_frames(shop: Shop, ids: _Ids) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Sales, their lines and payments, and the customers (whose cards the sales point at)."""
    sales = pd.DataFrame(
        {
            "id": ids.sale,
            "register_id": ids.register[shop.sale_register],
            "shift_id": ids.shift[shop.sale_shift],
            "number": shop.sale_number,
            "invoice_number": [
                f"C{register + 1}-{number}"
                for register, number in zip(shop.sale_register.tolist(), shop.sale_number.tolist(), strict=True)
            ],
            "cashier": shop.shift_cashier[shop.sale_shift],
            "customer_id": None,
            "subtotal": shop.sale_subtotal,
            "discount_total": shop.sale_discount,
            "tax_total": shop.sale_tax,
            "total": shop.sale_total,
            "paid_total": shop.sale_paid,
            "change_total": shop.sale_change,
            "tax_mode": shop.tax_mode,
            "sold_at": timestamps(shop.sale_micros),
        }
    )
    customers, customer_id = customer_frame(shop)
    sales["customer_id"] = optional(customer_id, shop.sale_customer)
    lines = pd.DataFrame(
        {
            "id": ids.line,
            "sale_id": ids.sale[shop.line_sale],
            "position": shop.line_position,
            "product_id": ids.product[shop.line_product],
            "quantity": shop.line_quantity,
            "unit_price": shop.line_unit_price,
            "list_price": shop.line_unit_price,
            "unit_cost": shop.line_unit_cost,
            "discount": shop.line_discount,
            "tax_rate_bp": shop.line_tax_rate,
            "tax_amount": shop.line_tax,
            "total": shop.line_total,
        }
    )
    payments = pd.DataFrame(
        {
            "id": time_ordered_ids(shop.id_rng, shop.sale_micros[shop.payment_sale]),
            "sale_id": ids.sale[shop.payment_sale],
            "method": shop.payment_method,
            "amount": shop.payment_amount,
            "change": shop.payment_change,
            "reference": shop.payment_reference,
        }
    )
    return sales, lines, payments, customers


def _refund_frames(shop: Shop, ids: _Ids) -> tuple[pd.DataFrame, pd.DataFrame]:
    refunds = pd.DataFrame(
        {
            "id": ids.refund,
            "sale_id": ids.sale[shop.refund_sale],
            "register_id": ids.register[shop.sale_register[shop.refund_sale]],
            "shift_id": ids.shift[shop.refund_shift],
            "kind": "refund",
            "method": shop.refund_method,
            "total": shop.refund_total,
            "restock": shop.refund_restock,
            "reason": shop.refund_reason,
            "cashier": shop.shift_cashier[shop.refund_shift],
            "refunded_at": timestamps(shop.refund_micros),
        }
    )
    lines = pd.DataFrame(
        {
            "id": time_ordered_ids(shop.id_rng, shop.refund_micros),
            "refund_id": ids.refund,
            "sale_line_id": ids.line[shop.refund_line],
            "product_id": ids.product[shop.line_product[shop.refund_line]],
            "quantity": shop.line_quantity[shop.refund_line],
            "amount": shop.refund_total,
        }
    )
    return refunds, lines


def _movement_frame(movements: dict[str, Any], ids: _Ids) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": movements["id"],
            "product_id": ids.product[movements["product"]],
            "kind": movements["kind"],
            "delta": movements["delta"],
            "balance_after": movements["balance"],
            "cashier": movements["cashier"],
            "reason": movements["reason"],
            "reference_id": movements["reference"],
            "occurred_at": timestamps(movements["micros"]),
        }
    )


def _promotion_frame(shop: Shop, ids: _Ids) -> pd.DataFrame:
    rows, dates = shop.promotion_rows, shop.calendar.dates
    return pd.DataFrame(
        {
            "product_id": ids.product[np.array([row[0] for row in rows], dtype=np.int64)],
            "starts_on": [dates[row[1]] for row in rows],
            "ends_on": [dates[row[2]] for row in rows],
            "discount_percent": [round(row[3] * 100) for row in rows],
        }
    )


def _daily_demand(shop: Shop, ids: _Ids, dates: Array) -> pd.DataFrame:
    cells = np.flatnonzero(shop.demand_cells)
    return pd.DataFrame(
        {
            "product_id": ids.product[cells // shop.days],
            "date": pd.to_datetime(dates[cells % shop.days]),
            "quantity": shop.demand_cells[cells],
        }
    )


def movement_rows(shop: Shop, product_id: Array, sale_id: Array, refund_id: Array) -> dict[str, Any]:
    """Receipts, one `sale` movement per line and one `refund` movement per restocked return,
    in time order, with each product's running balance."""
    restocked = np.flatnonzero(shop.refund_restock)
    returned_line = shop.refund_line[restocked]
    receipts = len(shop.receipt_product)
    product = np.concatenate((shop.receipt_product, shop.line_product, shop.line_product[returned_line]))
    micros = np.concatenate((shop.receipt_micros, shop.sale_micros[shop.line_sale], shop.refund_micros[restocked]))
    delta = np.concatenate((shop.receipt_quantity, -shop.line_quantity, shop.line_quantity[returned_line]))
    kind = np.array(
        ["receipt"] * receipts + ["sale"] * len(shop.line_product) + ["refund"] * len(restocked), dtype=object
    )
    reason = np.concatenate(
        (
            np.array(RECEIPT_REASONS, dtype=object)[shop.receipt_kind],
            np.full(len(shop.line_product), "", dtype=object),
            np.array(shop.refund_reason, dtype=object)[restocked],
        )
    )
    reference = np.concatenate((np.full(receipts, None, dtype=object), sale_id[shop.line_sale], refund_id[restocked]))
    cashier = np.concatenate(
        (
            np.full(receipts, -1, dtype=np.int64),
            shop.shift_cashier[shop.sale_shift[shop.line_sale]],
            shop.shift_cashier[shop.refund_shift[restocked]],
        )
    )
    high, low = uuid7_parts(shop.id_rng, micros)
    per_product = np.lexsort((low, high, micros, product))
    running = np.cumsum(delta[per_product])
    first = np.searchsorted(product[per_product], product[per_product])
    balance = np.empty(len(delta), dtype=np.int64)
    balance[per_product] = running - running[first] + delta[per_product][first]
    if (balance < 0).any():
        raise RuntimeError("a generated stock balance went negative")
    in_time = np.lexsort((low, high, micros))
    return {
        "id": as_uuids(high[in_time], low[in_time]),
        "product": product[in_time],
        "kind": kind[in_time],
        "delta": delta[in_time],
        "balance": balance[in_time],
        "cashier": cashier[in_time],
        "reason": reason[in_time],
        "reference": reference[in_time],
        "micros": micros[in_time],
    }


def customer_frame(shop: Shop) -> tuple[pd.DataFrame, Array]:
    """Customer cards with their purchase statistics, kept as the sale service keeps them:
    a visit and the total per sale, refunds taken off the total. A card exists before its
    first purchase."""
    rng, count = shop.people_rng, shop.customer_count
    cards = customer_cards(rng, count)
    buyer = shop.sale_customer >= 0
    who = shop.sale_customer[buyer]
    visits = np.bincount(who, minlength=count)
    spent = np.bincount(who, weights=shop.sale_total[buyer], minlength=count).astype(np.int64)
    refunded_by = shop.sale_customer[shop.refund_sale]
    refunded = refunded_by >= 0
    spent -= np.bincount(refunded_by[refunded], weights=shop.refund_total[refunded], minlength=count).astype(np.int64)
    spent = np.maximum(spent, 0)
    last = np.full(count, -1, dtype=np.int64)
    np.maximum.at(last, who, shop.sale_micros[buyer])
    first = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, who, shop.sale_micros[buyer])
    day = 24 * 3600 * MICROS
    start = int(shop.calendar.midnight[0])
    end = int(shop.calendar.midnight[-1]) + 10 * 3600 * MICROS
    if shop.cut is not None:
        end = min(end, shop.cut)
    unseen = start + (rng.random(count) * max(end - start, 1)).astype(np.int64)
    created = np.where(visits > 0, first - rng.integers(60 * MICROS, 60 * day, size=count), unseen)
    created = np.maximum(created, shop.history_start)
    by_creation = np.argsort(created, kind="stable")
    customer_id = np.empty(count, dtype=object)
    customer_id[by_creation] = time_ordered_ids(rng, created[by_creation])
    frame = pd.DataFrame(
        {
            "id": customer_id,
            **cards,
            "visits": visits,
            "total_spent": spent,
            "last_purchase_at": timestamps(np.maximum(last, 0)).where(visits > 0),
            "is_active": True,
            "created_at": timestamps(created),
            "updated_at": timestamps(np.maximum(created, last)),
        }
    )
    return frame, customer_id


def optional(values: Array, index: Array) -> Array:
    """`values[index]`, with None where `index` is -1."""
    chosen = np.full(len(index), None, dtype=object)
    present = index >= 0
    chosen[present] = values[index[present]]
    return chosen
