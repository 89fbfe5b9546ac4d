from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from server.core.db import Base, ChangeTracked, TenantScoped, Timestamped
from server.users.schemas import Role

ROLES = ("admin", "manager", "cashier")


class User(TenantScoped, Timestamped, ChangeTracked, Base):
    """A person of one organization. Emails are unique per organization, compared in lower case."""

    __tablename__ = "users"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        CheckConstraint("role in ('admin', 'manager', 'cashier')", name="role"),
        Index("uq_users_organization_id_email", "organization_id", text("lower(email)"), unique=True),
        Index("ix_users_change", "organization_id", "change_xid"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    full_name: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[Role] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    offline_pin: Mapped[str | None] = mapped_column(Text)


class RefreshToken(TenantScoped, Base):
    """An opaque refresh token, stored as its SHA-256. Each use rotates it within its family;
    presenting a token that was already rotated revokes the whole family."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "user_id"], ["users.organization_id", "users.id"]),
        Index("uq_refresh_tokens_hash", "organization_id", "token_hash", unique=True),
        Index("ix_refresh_tokens_family", "organization_id", "family_id"),
        Index("ix_refresh_tokens_user", "organization_id", "user_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    family_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user_agent: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))


class UserEmail(Base):
    """The global registry of sign-in emails: a person belongs to exactly one organization, so an
    email appears once across all tenants. Anyone may look an email up (registration must know
    whether it is taken); only its own tenant may add, change or remove its rows."""

    __tablename__ = "user_emails"
    __table_args__ = (
        ForeignKeyConstraint(["organization_id", "user_id"], ["users.organization_id", "users.id"], ondelete="CASCADE"),
        CheckConstraint("email = lower(email)", name="lower_case"),
    )

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
