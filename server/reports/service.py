"""Reports: sales by day, hour, register, cashier, payment method and category; top products;
gross margin; inventory valuation at cost; shifts. Each as a JSON answer and a CSV table.

This module is the domain's public face for the routes and the document exports; each report
lives in a module of its own:

- `periods`: the `[since, until)` local days a query asks for (`resolve_period`).
- `sql`: the SQL fragments the statements share and `aggregate`, which runs one.
- `sales_figures`: sales by day, hour, register, cashier, category and payment method.
- `top_products`, `gross_margin`, `inventory_valuation`, `shifts`: one report each.
- `tables`: the CSV tables, the same rows as the JSON answers.

Reports own no tables, so this domain has no `models.py`: they read the sales, catalog and
inventory tables. Each report is one SQL statement that aggregates in the database; Python only
shapes the rows, and money stays integer minor units.
"""

from __future__ import annotations

from server.reports.gross_margin import gross_margin
from server.reports.inventory_valuation import inventory_valuation
from server.reports.periods import Period, add_months, resolve_period
from server.reports.sales_figures import (
    sales_by_cashier,
    sales_by_category,
    sales_by_day,
    sales_by_hour,
    sales_by_payment_method,
    sales_by_register,
)
from server.reports.shifts import shifts
from server.reports.tables import (
    Table,
    gross_margin_table,
    inventory_valuation_table,
    sales_by_cashier_table,
    sales_by_category_table,
    sales_by_day_table,
    sales_by_hour_table,
    sales_by_payment_method_table,
    sales_by_register_table,
    shifts_table,
    top_products_table,
)
from server.reports.top_products import top_products

__all__ = [
    "Period",
    "Table",
    "add_months",
    "gross_margin",
    "gross_margin_table",
    "inventory_valuation",
    "inventory_valuation_table",
    "resolve_period",
    "sales_by_cashier",
    "sales_by_cashier_table",
    "sales_by_category",
    "sales_by_category_table",
    "sales_by_day",
    "sales_by_day_table",
    "sales_by_hour",
    "sales_by_hour_table",
    "sales_by_payment_method",
    "sales_by_payment_method_table",
    "sales_by_register",
    "sales_by_register_table",
    "shifts",
    "shifts_table",
    "top_products",
    "top_products_table",
]
