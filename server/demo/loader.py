"""Write a generated `DemoShop` into one tenant, quickly, through the application role.

Row-level security refuses COPY, so each table goes in as
`INSERT … SELECT $1, * FROM unnest($2::uuid[], $3::text[], …)` statements of up to
`CHUNK_ROWS` rows (one statement and one round trip per chunk), on the session's own asyncpg
connection: inside the caller's transaction, checked row by row by the tenant policy, and
committed or rolled back by the caller like any other service write.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Column, Table, text
from sqlalchemy.dialects import registry
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Category, Product
from server.core.db import TENANT_SETTING
from server.customers.models import Customer
from server.demo.generator import DemoShop
from server.inventory.models import InventoryMovement
from server.sales.models import Payment, Refund, RefundLine, Register, Sale, SaleLine, Shift, ShiftCount

CHUNK_ROWS = 20_000

# What the loader writes, in foreign-key order. Columns and their types come from the models;
# the database fills in the columns a shop leaves out (`status`, `origin`, `change_xid`, …).
MODELS = (
    Category,
    Product,
    Customer,
    Register,
    Shift,
    ShiftCount,
    Sale,
    SaleLine,
    Payment,
    Refund,
    RefundLine,
    InventoryMovement,
)
TABLES = tuple(cast(Table, model.__table__) for model in MODELS)


@dataclass(frozen=True, slots=True)
class LoadReport:
    """Rows written per table, and the wall-clock seconds it took."""

    rows: dict[str, int]
    seconds: float


async def load_shop(
    session: AsyncSession,
    organization_id: uuid.UUID,
    shop: DemoShop,
    *,
    cashier_ids: Sequence[uuid.UUID],
    actor_id: uuid.UUID | None,
) -> LoadReport:
    """Insert every row of `shop` for `organization_id`, in the session's open transaction,
    which must already be scoped to that organization.

    Cashier slot `n` of the shop becomes `cashier_ids[n % len(cashier_ids)]`; stock receipts are
    attributed to `actor_id`. The tenant must not already hold rows that collide with the shop's
    (register codes, SKUs, barcodes, tax ids): loading is meant for a fresh tenant.
    """
    if not cashier_ids:
        raise ValueError("at least one cashier is needed")
    started = time.perf_counter()
    scope = await session.scalar(text("select current_setting(:name, true)"), {"name": TENANT_SETTING})
    if scope != str(organization_id):
        raise ValueError("the session's transaction is not scoped to this organization")
    await session.flush()
    connection = await (await session.connection()).get_raw_connection()
    driver = connection.driver_connection
    assert driver is not None
    frames = _with_people(shop, cashier_ids, actor_id)
    rows: dict[str, int] = {}
    for table in TABLES:
        frame = frames[table.name]
        columns = [column for column in table.columns if column.name in frame.columns]
        statement = _insert_statement(table, columns)
        values = [_values(frame[column.name]) for column in columns]
        for first in range(0, len(frame), CHUNK_ROWS):
            await driver.execute(statement, organization_id, *(column[first : first + CHUNK_ROWS] for column in values))
        rows[table.name] = len(frame)
    products = frames["products"]
    await driver.execute(_SET_STOCK, organization_id, _values(products["id"]), _values(products["stock"]))
    return LoadReport(rows=rows, seconds=time.perf_counter() - started)


_SET_STOCK = (
    "update product_stock s set on_hand = v.on_hand from unnest($2::uuid[], $3::bigint[]) as v(id, on_hand) "
    "where s.organization_id = $1::uuid and s.product_id = v.id"
)
"""The shop's stock on hand, into the stock rows its products were created with (migration 0014)."""


def _insert_statement(table: Table, columns: Sequence[Column[Any]]) -> str:
    names = ", ".join(f'"{column.name}"' for column in columns)
    dialect = registry.load("postgresql.asyncpg")()
    arrays = ", ".join(
        f"${number}::{column.type.compile(dialect=dialect)}[]" for number, column in enumerate(columns, start=2)
    )
    return f"insert into {table.name} (organization_id, {names}) select $1::uuid, * from unnest({arrays})"


def _with_people(shop: DemoShop, cashier_ids: Sequence[uuid.UUID], actor_id: uuid.UUID | None) -> dict[str, Any]:
    """The shop's frames with cashier slots turned into user ids, and `created_at` where the row
    records a past event."""
    people = np.array(list(cashier_ids), dtype=object)

    def who(slots: pd.Series, default: uuid.UUID | None = None) -> np.ndarray[Any, Any]:
        index = slots.to_numpy()
        chosen: np.ndarray[Any, Any] = people[index % len(people)]
        chosen[index < 0] = default
        return chosen

    shifts = shop.shifts.assign(opened_by=who(shop.shifts["cashier"]))
    shifts["closed_by"] = shifts["opened_by"].where(shifts["status"] == "closed", None)
    movements = shop.inventory_movements
    return {
        "categories": shop.categories,
        "products": shop.products,
        "customers": shop.customers,
        "registers": shop.registers,
        "shifts": shifts,
        "shift_counts": shop.shift_counts,
        "sales": shop.sales.assign(cashier_id=who(shop.sales["cashier"]), created_at=shop.sales["sold_at"]),
        "sale_lines": shop.sale_lines,
        "payments": shop.payments,
        "refunds": shop.refunds.assign(actor_id=who(shop.refunds["cashier"]), created_at=shop.refunds["refunded_at"]),
        "refund_lines": shop.refund_lines,
        "inventory_movements": movements.assign(
            actor_id=who(movements["cashier"], actor_id), created_at=movements["occurred_at"]
        ),
    }


def _values(column: pd.Series) -> list[Any]:
    """A column as the Python values asyncpg encodes (None for missing timestamps)."""
    if not pd.api.types.is_datetime64_any_dtype(column):
        return list(column.tolist())
    values: list[Any] = pd.DatetimeIndex(column).to_pydatetime().tolist()
    for index in np.flatnonzero(column.isna().to_numpy()).tolist():
        values[index] = None
    return values
