"""The demo tenant: an organization at `demo.{BASE_DOMAIN}` with an admin, a manager and a
cashier, and a shop with two years of trading behind it (`server.demo.generator`). Each demo
person has a known POS PIN, so the till can be unlocked a minute after `make demo` starts.

Seeding is idempotent: an existing demo organization is left as it is, except that a demo person
without a POS PIN (an organization seeded before PINs existed) is given theirs.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.context import Context, Resources
from server.demo.generator import generate_shop
from server.demo.loader import load_shop
from server.tenancy import service as tenancy
from server.tenancy.models import Organization
from server.tenancy.schemas import RegistrationRequest
from server.users import service as users
from server.users.models import User

__all__ = ["DEMO_LOGINS", "DEMO_SUBDOMAIN", "DemoLogin", "seed_demo"]

DEMO_SUBDOMAIN = "demo"

logger = logging.getLogger("orbit.demo")


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    name: str
    pin: str
    """The POS unlock PIN (docs/pos.md)."""


DEMO_LOGINS = (
    DemoLogin("admin", "admin@demo.example", "demo-admin-2026", "Ana Admin", "1357"),
    DemoLogin("manager", "manager@demo.example", "demo-manager-2026", "Manuel Manager", "2580"),
    DemoLogin("cashier", "cashier@demo.example", "demo-cashier-2026", "Carla Cajera", "2468"),
)


async def _give_pins(session: AsyncSession, organization_id: uuid.UUID) -> None:
    """Set each demo person's POS PIN where they have none (only its verifier is stored, as for
    everyone: docs/sync.md). The session must be scoped to the organization."""
    pins = {login.email: login.pin for login in DEMO_LOGINS}
    people = await session.scalars(select(User).where(User.organization_id == organization_id, User.email.in_(pins)))
    for person in people:
        if person.offline_pin is None:
            person.offline_pin = users.pin_verifier(pins[person.email])
            person.updated_at = datetime.now(UTC)
    await session.flush()


async def seed_demo(resources: Resources, *, seed: int = 7, products: int = 300, days: int = 730) -> bool:
    """Create the demo organization, its users (with their POS PINs) and its shop's history
    (ending now, in the tenant's time zone) in one transaction; return False when it already
    existed (then only PINs its people lack are set)."""
    async with resources.database.transaction() as session:
        ctx = Context(session=session, resources=resources)
        existing = await session.scalar(select(Organization.id).where(Organization.subdomain == DEMO_SUBDOMAIN))
        if existing is None:
            await _create(ctx, session, seed=seed, products=products, days=days)
    if existing is None:
        return True
    async with resources.database.transaction(existing) as session:
        await _give_pins(session, existing)
    return False


async def _create(ctx: Context, session: AsyncSession, *, seed: int, products: int, days: int) -> None:
    """The demo organization, its people (with their PINs) and its shop, in the caller's transaction."""
    admin, *others = DEMO_LOGINS
    registration = await tenancy.register_organization(
        ctx,
        RegistrationRequest(
            company_name="Almacén Demo",
            admin_name=admin.name,
            email=admin.email,
            password=admin.password,
            subdomain=DEMO_SUBDOMAIN,
            currency="CLP",
            locale="es-CL",
            time_zone="America/Santiago",
        ),
    )
    staff = {
        login.role: await users.add_user(
            ctx, email=login.email, full_name=login.name, role=login.role, password=login.password
        )
        for login in others
    }
    admin_id = registration.tokens.user.id
    organization = registration.organization
    now = datetime.now(UTC)
    started = asyncio.get_running_loop().time()
    shop = await asyncio.to_thread(
        generate_shop,
        seed=seed,
        products=products,
        days=days,
        end=now.astimezone(ZoneInfo(organization.time_zone)).date(),
        tax_mode=organization.tax_mode,
        currency_minor_units=organization.currency_minor_units,
        until=now,
    )
    generated = asyncio.get_running_loop().time() - started
    report = await load_shop(
        session,
        organization.id,
        shop,
        cashier_ids=(staff["cashier"].id, staff["manager"].id, admin_id),
        actor_id=admin_id,
    )
    logger.info(
        "demo shop: %d products, %d sales over %d days; generated in %.1f s, %d rows loaded in %.1f s",
        len(shop.products),
        len(shop.sales),
        days,
        generated,
        sum(report.rows.values()),
        report.seconds,
    )
    await _give_pins(session, organization.id)
