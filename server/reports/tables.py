"""CSV tables of the reports: the same rows as the JSON answers, money in major units, times local."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from server.core.context import Context
from server.core.money import format_amount, minor_units
from server.reports.gross_margin import gross_margin
from server.reports.inventory_valuation import inventory_valuation
from server.reports.sales_figures import (
    FIGURES,
    PAYMENT_FIGURES,
    sales_by_cashier,
    sales_by_category,
    sales_by_day,
    sales_by_hour,
    sales_by_payment_method,
    sales_by_register,
)
from server.reports.schemas import ReportPeriod, ReportQuery, SalesFigures, TopProductsQuery, ValuationQuery
from server.reports.shifts import shifts
from server.reports.top_products import top_products


@dataclass(frozen=True, slots=True)
class Table:
    filename: str
    header: list[str]
    rows: list[list[object]]


@dataclass(frozen=True, slots=True)
class _Cells:
    digits: int
    zone: ZoneInfo

    def money(self, amount: int | None) -> Decimal | str:
        """A number, not text, so the CSV writer's formula guard leaves a negative amount alone."""
        return "" if amount is None else Decimal(format_amount(amount, self.digits))

    def percent(self, basis_points: int | None) -> Decimal | str:
        return "" if basis_points is None else Decimal(format_amount(basis_points, 2))

    def moment(self, value: datetime | None) -> str:
        return "" if value is None else value.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S")

    def figures(self, figures: SalesFigures) -> list[object]:
        return [
            figures.sales_count,
            figures.items,
            self.money(figures.gross),
            self.money(figures.discounts),
            self.money(figures.tax),
            self.money(figures.total),
            self.money(figures.net),
            figures.refunds_count,
            self.money(figures.refunds),
        ]


def _cells(ctx: Context) -> _Cells:
    assert ctx.tenant is not None
    return _Cells(digits=minor_units(ctx.tenant.currency), zone=ZoneInfo(ctx.tenant.time_zone))


def _filename(name: str, period: ReportPeriod) -> str:
    last = period.until - timedelta(days=1)
    span = period.since.isoformat() if last <= period.since else f"{period.since.isoformat()}_to_{last.isoformat()}"
    return f"{name}_{span}.csv"


def _table(name: str, period: ReportPeriod, header: Sequence[str], rows: Iterable[list[object]]) -> Table:
    return Table(filename=_filename(name, period), header=list(header), rows=list(rows))


UNCATEGORIZED = "(uncategorized)"


async def sales_by_day_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await sales_by_day(ctx, query), _cells(ctx)
    return _table(
        "sales-by-day",
        report.period,
        ["day", *FIGURES],
        ([row.day.isoformat(), *cells.figures(row)] for row in report.rows),
    )


async def sales_by_hour_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await sales_by_hour(ctx, query), _cells(ctx)
    return _table(
        "sales-by-hour", report.period, ["hour", *FIGURES], ([row.hour, *cells.figures(row)] for row in report.rows)
    )


async def sales_by_register_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await sales_by_register(ctx, query), _cells(ctx)
    return _table(
        "sales-by-register",
        report.period,
        ["register_code", "register_name", *FIGURES],
        ([row.register_code, row.register_name, *cells.figures(row)] for row in report.rows),
    )


async def sales_by_cashier_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await sales_by_cashier(ctx, query), _cells(ctx)
    return _table(
        "sales-by-cashier",
        report.period,
        ["cashier", *FIGURES],
        ([row.cashier_name, *cells.figures(row)] for row in report.rows),
    )


async def sales_by_category_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await sales_by_category(ctx, query), _cells(ctx)
    return _table(
        "sales-by-category",
        report.period,
        ["category", *FIGURES],
        ([row.category_name or UNCATEGORIZED, *cells.figures(row)] for row in report.rows),
    )


async def sales_by_payment_method_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await sales_by_payment_method(ctx, query), _cells(ctx)
    return _table(
        "sales-by-payment-method",
        report.period,
        ["method", *PAYMENT_FIGURES],
        (
            [
                row.method,
                row.payments_count,
                row.sales_count,
                cells.money(row.amount),
                row.refunds_count,
                cells.money(row.refunds),
                cells.money(row.net),
            ]
            for row in report.rows
        ),
    )


async def top_products_table(ctx: Context, query: TopProductsQuery) -> Table:
    report, cells = await top_products(ctx, query), _cells(ctx)
    return _table(
        f"top-products-by-{report.by}",
        report.period,
        ["rank", "sku", "name", "category", "units", "sales_count", "total", "net", "refunded_units", "refunds"],
        (
            [
                row.rank,
                row.sku,
                row.name,
                row.category_name or UNCATEGORIZED,
                row.units,
                row.sales_count,
                cells.money(row.total),
                cells.money(row.net),
                row.refunded_units,
                cells.money(row.refunds),
            ]
            for row in report.rows
        ),
    )


async def gross_margin_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await gross_margin(ctx, query), _cells(ctx)
    return _table(
        "gross-margin",
        report.period,
        ["category", "units", "net", "cost", "margin", "margin_percent"],
        (
            [
                row.category_name or UNCATEGORIZED,
                row.units,
                cells.money(row.net),
                cells.money(row.cost),
                cells.money(row.margin),
                cells.percent(row.margin_bp),
            ]
            for row in report.rows
        ),
    )


async def inventory_valuation_table(ctx: Context, query: ValuationQuery) -> Table:
    report, cells = await inventory_valuation(ctx, query), _cells(ctx)
    day = report.as_of.astimezone(cells.zone).date().isoformat()
    return Table(
        filename=f"inventory-valuation_{day}.csv",
        header=[
            "sku",
            "name",
            "category",
            "active",
            "stock",
            "unit_cost",
            "price",
            "value",
            "retail_value",
            "negative_stock",
        ],
        rows=[
            [
                row.sku,
                row.name,
                row.category_name or UNCATEGORIZED,
                "yes" if row.is_active else "no",
                row.stock,
                cells.money(row.unit_cost),
                cells.money(row.price),
                cells.money(row.value),
                cells.money(row.retail_value),
                "yes" if row.negative_stock else "no",
            ]
            for row in report.rows
        ],
    )


async def shifts_table(ctx: Context, query: ReportQuery) -> Table:
    report, cells = await shifts(ctx, query), _cells(ctx)
    return _table(
        "shifts",
        report.period,
        [
            "register_code",
            "status",
            "opened_at",
            "closed_at",
            "opened_by",
            "closed_by",
            "opening_float",
            "sales_count",
            "sales_total",
            "refunds_count",
            "refunds_total",
            "cash_expected",
            "cash_counted",
            "cash_difference",
            "difference",
        ],
        (
            [
                row.register_code,
                row.status,
                cells.moment(row.opened_at),
                cells.moment(row.closed_at),
                row.opened_by_name,
                row.closed_by_name or "",
                cells.money(row.opening_float),
                row.sales_count,
                cells.money(row.sales_total),
                row.refunds_count,
                cells.money(row.refunds_total),
                cells.money(row.cash_expected),
                cells.money(row.cash_counted),
                cells.money(row.cash_difference),
                cells.money(row.difference),
            ]
            for row in report.rows
        ),
    )
