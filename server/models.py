"""Every table of the schema, imported in one place so the metadata is complete."""

from forecasting.models import ForecastRun, Prediction
from server.audit.models import AuditEntry
from server.catalog.models import Category, Product, ProductSearchTerm
from server.core.db import Base
from server.core.idempotency import IdempotencyKey
from server.customers.models import Customer
from server.documents.models import ReportExport
from server.inventory.models import InventoryMovement, ProductStock
from server.sales.models import (
    Device,
    Payment,
    Refund,
    RefundLine,
    Register,
    Sale,
    SaleLine,
    Shift,
    ShiftCashMovement,
    ShiftCount,
)
from server.tenancy.models import Organization
from server.users.models import RefreshToken, User, UserEmail
from sync.models import SyncConflict, SyncDocument, SyncTombstone

metadata = Base.metadata

__all__ = [
    "AuditEntry",
    "Category",
    "Customer",
    "Device",
    "ForecastRun",
    "IdempotencyKey",
    "InventoryMovement",
    "Organization",
    "Payment",
    "Prediction",
    "Product",
    "ProductSearchTerm",
    "ProductStock",
    "RefreshToken",
    "Refund",
    "RefundLine",
    "Register",
    "ReportExport",
    "Sale",
    "SaleLine",
    "Shift",
    "ShiftCashMovement",
    "ShiftCount",
    "SyncConflict",
    "SyncDocument",
    "SyncTombstone",
    "User",
    "UserEmail",
    "metadata",
]
