"""Report endpoints for managers and admins. Each report has a CSV twin at the same path plus
`.csv`, taking the same query: the same rows, money in major units, times local."""

from __future__ import annotations

from starlette.responses import Response

from server.core.api import MANAGERS, Router
from server.core.context import Context
from server.core.csvio import csv_response
from server.reports import dashboard as live_dashboard
from server.reports import service
from server.reports.schemas import (
    Dashboard,
    GrossMargin,
    InventoryValuation,
    ReportQuery,
    SalesByCashier,
    SalesByCategory,
    SalesByDay,
    SalesByHour,
    SalesByPaymentMethod,
    SalesByRegister,
    ShiftsReport,
    TopProducts,
    TopProductsQuery,
    ValuationQuery,
)

router = Router(tags=["reports"])
CSV = ("text/csv",)
PREFIX = "/api/v1/reports"


def _download(table: service.Table) -> Response:
    return csv_response(table.filename, table.header, table.rows)


@router.get(f"{PREFIX}/dashboard", access=MANAGERS, response=Dashboard)
async def dashboard(ctx: Context) -> Dashboard:
    """The live dashboard: today's figures, by hour against last week, best sellers, alerts, registers.

    Today is the local day of the organization's time zone. After loading it, a client keeps it
    current from the realtime events of `sales`, `stock`, `alerts` and `registers`."""
    return await live_dashboard.dashboard(ctx)


@router.get(f"{PREFIX}/sales-by-day", access=MANAGERS, query=ReportQuery, response=SalesByDay)
async def sales_by_day(ctx: Context, query: ReportQuery) -> SalesByDay:
    """Sales per local day (every day of the period), with refunds."""
    return await service.sales_by_day(ctx, query)


@router.get(f"{PREFIX}/sales-by-day.csv", access=MANAGERS, query=ReportQuery, produces=CSV)
async def sales_by_day_csv(ctx: Context, query: ReportQuery) -> Response:
    """Sales per local day, as CSV."""
    return _download(await service.sales_by_day_table(ctx, query))


@router.get(f"{PREFIX}/sales-by-hour", access=MANAGERS, query=ReportQuery, response=SalesByHour)
async def sales_by_hour(ctx: Context, query: ReportQuery) -> SalesByHour:
    """Sales per local hour of the day (0–23, every hour), summed over the period."""
    return await service.sales_by_hour(ctx, query)


@router.get(f"{PREFIX}/sales-by-hour.csv", access=MANAGERS, query=ReportQuery, produces=CSV)
async def sales_by_hour_csv(ctx: Context, query: ReportQuery) -> Response:
    """Sales per local hour of the day, as CSV."""
    return _download(await service.sales_by_hour_table(ctx, query))


@router.get(f"{PREFIX}/sales-by-register", access=MANAGERS, query=ReportQuery, response=SalesByRegister)
async def sales_by_register(ctx: Context, query: ReportQuery) -> SalesByRegister:
    """Sales and refunds per register."""
    return await service.sales_by_register(ctx, query)


@router.get(f"{PREFIX}/sales-by-register.csv", access=MANAGERS, query=ReportQuery, produces=CSV)
async def sales_by_register_csv(ctx: Context, query: ReportQuery) -> Response:
    """Sales and refunds per register, as CSV."""
    return _download(await service.sales_by_register_table(ctx, query))


@router.get(f"{PREFIX}/sales-by-cashier", access=MANAGERS, query=ReportQuery, response=SalesByCashier)
async def sales_by_cashier(ctx: Context, query: ReportQuery) -> SalesByCashier:
    """Sales rung up and refunds made per cashier."""
    return await service.sales_by_cashier(ctx, query)


@router.get(f"{PREFIX}/sales-by-cashier.csv", access=MANAGERS, query=ReportQuery, produces=CSV)
async def sales_by_cashier_csv(ctx: Context, query: ReportQuery) -> Response:
    """Sales and refunds per cashier, as CSV."""
    return _download(await service.sales_by_cashier_table(ctx, query))


@router.get(f"{PREFIX}/sales-by-payment-method", access=MANAGERS, query=ReportQuery, response=SalesByPaymentMethod)
async def sales_by_payment_method(ctx: Context, query: ReportQuery) -> SalesByPaymentMethod:
    """Money taken (tendered minus change) and refunded per payment method."""
    return await service.sales_by_payment_method(ctx, query)


@router.get(f"{PREFIX}/sales-by-payment-method.csv", access=MANAGERS, query=ReportQuery, produces=CSV)
async def sales_by_payment_method_csv(ctx: Context, query: ReportQuery) -> Response:
    """Money per payment method, as CSV."""
    return _download(await service.sales_by_payment_method_table(ctx, query))


@router.get(f"{PREFIX}/sales-by-category", access=MANAGERS, query=ReportQuery, response=SalesByCategory)
async def sales_by_category(ctx: Context, query: ReportQuery) -> SalesByCategory:
    """Sales and refunds per product category; uncategorized products are a row of their own."""
    return await service.sales_by_category(ctx, query)


@router.get(f"{PREFIX}/sales-by-category.csv", access=MANAGERS, query=ReportQuery, produces=CSV)
async def sales_by_category_csv(ctx: Context, query: ReportQuery) -> Response:
    """Sales per category, as CSV."""
    return _download(await service.sales_by_category_table(ctx, query))


@router.get(f"{PREFIX}/top-products", access=MANAGERS, query=TopProductsQuery, response=TopProducts)
async def top_products(ctx: Context, query: TopProductsQuery) -> TopProducts:
    """The best-selling products by units or by net revenue."""
    return await service.top_products(ctx, query)


@router.get(f"{PREFIX}/top-products.csv", access=MANAGERS, query=TopProductsQuery, produces=CSV)
async def top_products_csv(ctx: Context, query: TopProductsQuery) -> Response:
    """The best-selling products, as CSV."""
    return _download(await service.top_products_table(ctx, query))


@router.get(f"{PREFIX}/gross-margin", access=MANAGERS, query=ReportQuery, response=GrossMargin)
async def gross_margin(ctx: Context, query: ReportQuery) -> GrossMargin:
    """Net revenue, cost and gross margin, in total and per category."""
    return await service.gross_margin(ctx, query)


@router.get(f"{PREFIX}/gross-margin.csv", access=MANAGERS, query=ReportQuery, produces=CSV)
async def gross_margin_csv(ctx: Context, query: ReportQuery) -> Response:
    """Gross margin per category, as CSV."""
    return _download(await service.gross_margin_table(ctx, query))


@router.get(
    f"{PREFIX}/inventory-valuation",
    access=MANAGERS,
    query=ValuationQuery,
    response=InventoryValuation,
    responses={404: "No such category"},
)
async def inventory_valuation(ctx: Context, query: ValuationQuery) -> InventoryValuation:
    """Current stock valued at cost (and at price) per product, with totals."""
    return await service.inventory_valuation(ctx, query)


@router.get(
    f"{PREFIX}/inventory-valuation.csv",
    access=MANAGERS,
    query=ValuationQuery,
    produces=CSV,
    responses={404: "No such category"},
)
async def inventory_valuation_csv(ctx: Context, query: ValuationQuery) -> Response:
    """Current stock valued at cost, as CSV."""
    return _download(await service.inventory_valuation_table(ctx, query))


@router.get(f"{PREFIX}/shifts", access=MANAGERS, query=ReportQuery, response=ShiftsReport)
async def shifts(ctx: Context, query: ReportQuery) -> ShiftsReport:
    """Shifts opened in the period: sales, refunds, and expected against counted cash."""
    return await service.shifts(ctx, query)


@router.get(f"{PREFIX}/shifts.csv", access=MANAGERS, query=ReportQuery, produces=CSV)
async def shifts_csv(ctx: Context, query: ReportQuery) -> Response:
    """Shifts opened in the period, as CSV."""
    return _download(await service.shifts_table(ctx, query))
