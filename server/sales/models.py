from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from server.core.db import Base, ChangeTracked, TenantScoped, Timestamped
from server.sales.schemas import (
    CashMovementKind,
    OriginName,
    PaymentMethod,
    RefundKind,
    SaleStatus,
    ShiftStatus,
    TaxMode,
)


class Register(TenantScoped, Timestamped, ChangeTracked, Base):
    """A till. Its `code` prefixes the invoice series `{code}-{n}`; `last_number` is the last
    number taken, advanced only inside the sale's transaction."""

    __tablename__ = "registers"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        Index("uq_registers_code", "organization_id", "code", unique=True),
        Index("ix_registers_change", "organization_id", "change_xid"),
        CheckConstraint("code ~ '^[A-Z0-9]{1,8}$'", name="code_format"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    code: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(Text)
    last_number: Mapped[int] = mapped_column(BigInteger, server_default="0")
    is_active: Mapped[bool] = mapped_column(Boolean, server_default="true")


class Device(TenantScoped, Base):
    """A POS device bound to a register. `last_seq` is the highest sequence number whose sale
    (or other offline document) has been settled, exactly once, in the same transaction."""

    __tablename__ = "devices"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "register_id"], ["registers.organization_id", "registers.id"]),
        ForeignKeyConstraint(["organization_id", "created_by"], ["users.organization_id", "users.id"]),
        Index("uq_devices_credential", "organization_id", "credential_hash", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    register_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(Text)
    credential_hash: Mapped[bytes] = mapped_column(LargeBinary)
    last_seq: Mapped[int] = mapped_column(BigInteger, server_default="0")
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Shift(TenantScoped, Base):
    """A cash shift of one register. At most one open shift per register; a closed shift is immutable."""

    __tablename__ = "shifts"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "register_id"], ["registers.organization_id", "registers.id"]),
        ForeignKeyConstraint(["organization_id", "opened_by"], ["users.organization_id", "users.id"]),
        ForeignKeyConstraint(["organization_id", "closed_by"], ["users.organization_id", "users.id"]),
        Index(
            "uq_shifts_open_per_register",
            "organization_id",
            "register_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_shifts_register_opened", "organization_id", "register_id", "opened_at"),
        CheckConstraint("status in ('open', 'closed')", name="status"),
        CheckConstraint("opening_float >= 0", name="opening_float_non_negative"),
        CheckConstraint("(status = 'closed') = (closed_at is not null)", name="closed_consistent"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    register_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    status: Mapped[ShiftStatus] = mapped_column(String(8), server_default="open")
    opening_float: Mapped[int] = mapped_column(BigInteger)
    opened_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, server_default="")


class ShiftCashMovement(TenantScoped, Base):
    """A pay-in (positive `amount`) or pay-out (negative) of cash during an open shift."""

    __tablename__ = "shift_cash_movements"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "shift_id"], ["shifts.organization_id", "shifts.id"]),
        ForeignKeyConstraint(["organization_id", "actor_id"], ["users.organization_id", "users.id"]),
        CheckConstraint("kind in ('pay_in', 'pay_out')", name="kind"),
        CheckConstraint("(kind = 'pay_in' and amount > 0) or (kind = 'pay_out' and amount < 0)", name="sign"),
        Index("ix_shift_cash_movements_shift", "organization_id", "shift_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    shift_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[CashMovementKind] = mapped_column(String(8))
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ShiftCount(TenantScoped, Base):
    """At close: per payment method, what the shift should hold, what was counted, and the difference."""

    __tablename__ = "shift_counts"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "shift_id"], ["shifts.organization_id", "shifts.id"]),
        CheckConstraint("method in ('cash', 'card', 'transfer', 'other')", name="method"),
        CheckConstraint("difference = counted - expected", name="difference"),
    )

    shift_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    method: Mapped[str] = mapped_column(String(16), primary_key=True)
    expected: Mapped[int] = mapped_column(BigInteger)
    counted: Mapped[int] = mapped_column(BigInteger)
    difference: Mapped[int] = mapped_column(BigInteger)


class Sale(TenantScoped, Base):
    """A completed sale. `number` is the register series number; `sold_at` is the time of sale
    (the device's clock for offline sales). Totals in minor units, computed by the server:
    total = subtotal - discount_total + tax_total (tax_total is 0 added when prices include tax)."""

    __tablename__ = "sales"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "register_id"], ["registers.organization_id", "registers.id"]),
        ForeignKeyConstraint(["organization_id", "shift_id"], ["shifts.organization_id", "shifts.id"]),
        ForeignKeyConstraint(["organization_id", "cashier_id"], ["users.organization_id", "users.id"]),
        ForeignKeyConstraint(["organization_id", "customer_id"], ["customers.organization_id", "customers.id"]),
        ForeignKeyConstraint(["organization_id", "device_id"], ["devices.organization_id", "devices.id"]),
        Index("uq_sales_register_number", "organization_id", "register_id", "number", unique=True),
        Index("ix_sales_sold_at", "organization_id", "sold_at"),
        Index("ix_sales_customer", "organization_id", "customer_id", "sold_at"),
        Index("ix_sales_shift", "organization_id", "shift_id"),
        CheckConstraint("status in ('completed', 'voided')", name="status"),
        CheckConstraint("origin in ('online', 'offline')", name="origin"),
        CheckConstraint("total >= 0 and subtotal >= 0 and discount_total >= 0 and tax_total >= 0", name="amounts"),
        CheckConstraint("paid_total - change_total >= total", name="paid_covers_total"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    register_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    shift_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    number: Mapped[int] = mapped_column(BigInteger)
    invoice_number: Mapped[str] = mapped_column(String(32))
    cashier_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    device_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status: Mapped[SaleStatus] = mapped_column(String(16), server_default="completed")
    origin: Mapped[OriginName] = mapped_column(String(8), server_default="online")
    subtotal: Mapped[int] = mapped_column(BigInteger)
    discount_total: Mapped[int] = mapped_column(BigInteger)
    tax_total: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    paid_total: Mapped[int] = mapped_column(BigInteger)
    change_total: Mapped[int] = mapped_column(BigInteger)
    tax_mode: Mapped[TaxMode] = mapped_column(String(9))
    note: Mapped[str] = mapped_column(Text, server_default="")
    sold_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SaleLine(TenantScoped, Base):
    """One product line. `unit_price` is what was charged per unit, `list_price` the catalog
    price at the time, `unit_cost` the cost at the time (for margins)."""

    __tablename__ = "sale_lines"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "sale_id"], ["sales.organization_id", "sales.id"]),
        ForeignKeyConstraint(["organization_id", "product_id"], ["products.organization_id", "products.id"]),
        Index("uq_sale_lines_position", "organization_id", "sale_id", "position", unique=True),
        Index("ix_sale_lines_product", "organization_id", "product_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0 and discount >= 0 and tax_amount >= 0", name="amounts"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    list_price: Mapped[int] = mapped_column(BigInteger)
    unit_cost: Mapped[int] = mapped_column(BigInteger)
    discount: Mapped[int] = mapped_column(BigInteger, server_default="0")
    tax_rate_bp: Mapped[int] = mapped_column(Integer)
    tax_amount: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)


class Payment(TenantScoped, Base):
    """A tender of a sale. For cash, `tendered` is what was handed over and `change` what was given back."""

    __tablename__ = "payments"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "sale_id"], ["sales.organization_id", "sales.id"]),
        Index("ix_payments_sale", "organization_id", "sale_id"),
        CheckConstraint("method in ('cash', 'card', 'transfer', 'other')", name="method"),
        CheckConstraint("amount > 0 and change >= 0", name="amounts"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    method: Mapped[PaymentMethod] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    change: Mapped[int] = mapped_column(BigInteger, server_default="0")
    reference: Mapped[str] = mapped_column(Text, server_default="")


class Refund(TenantScoped, Base):
    """A refund or a void: its own document referencing the sale. A void reverses the whole sale."""

    __tablename__ = "refunds"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "sale_id"], ["sales.organization_id", "sales.id"]),
        ForeignKeyConstraint(["organization_id", "shift_id"], ["shifts.organization_id", "shifts.id"]),
        ForeignKeyConstraint(["organization_id", "register_id"], ["registers.organization_id", "registers.id"]),
        ForeignKeyConstraint(["organization_id", "actor_id"], ["users.organization_id", "users.id"]),
        Index("ix_refunds_sale", "organization_id", "sale_id"),
        Index("ix_refunds_refunded_at", "organization_id", "refunded_at"),
        CheckConstraint("kind in ('refund', 'void')", name="kind"),
        CheckConstraint("method in ('cash', 'card', 'transfer', 'other')", name="method"),
        CheckConstraint("total >= 0", name="total_non_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    register_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    shift_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    kind: Mapped[RefundKind] = mapped_column(String(8))
    method: Mapped[PaymentMethod] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(BigInteger)
    restock: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, server_default="")
    actor_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    refunded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RefundLine(TenantScoped, Base):
    __tablename__ = "refund_lines"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "refund_id"], ["refunds.organization_id", "refunds.id"]),
        ForeignKeyConstraint(["organization_id", "sale_line_id"], ["sale_lines.organization_id", "sale_lines.id"]),
        ForeignKeyConstraint(["organization_id", "product_id"], ["products.organization_id", "products.id"]),
        Index("ix_refund_lines_sale_line", "organization_id", "sale_line_id"),
        CheckConstraint("quantity > 0 and amount >= 0", name="amounts"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    refund_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    sale_line_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    quantity: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
