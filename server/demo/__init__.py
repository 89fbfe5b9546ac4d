"""The demo tenant: an organization at `demo.{BASE_DOMAIN}` with an admin, a manager and a
cashier, and a shop with two years of trading behind it (`server.demo.generator`).

Seeding is idempotent: an existing demo organization is left as it is.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server.core.context import Context, Resources
from server.demo.generator import generate_shop
from server.demo.loader import load_shop
from server.tenancy import service as tenancy
from server.tenancy.models import Organization
from server.tenancy.schemas import RegistrationRequest
from server.users import service as users

__all__ = ["DEMO_LOGINS", "DEMO_SUBDOMAIN", "DemoLogin", "seed_demo"]

DEMO_SUBDOMAIN = "demo"

logger = logging.getLogger("orbit.demo")


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


DEMO_LOGINS = (
    DemoLogin("admin", "admin@demo.example", "demo-admin-2026"),
    DemoLogin("manager", "manager@demo.example", "demo-manager-2026"),
    DemoLogin("cashier", "cashier@demo.example", "demo-cashier-2026"),
)


async def seed_demo(resources: Resources, *, seed: int = 7, products: int = 300, days: int = 730) -> bool:
    """Create the demo organization, its users and its shop's history (ending now, in the
    tenant's time zone) in one transaction; return False when it already existed."""
    async with resources.database.transaction() as session:
        ctx = Context(session=session, resources=resources)
        if await session.scalar(select(Organization.id).where(Organization.subdomain == DEMO_SUBDOMAIN)):
            return False
        admin, *others = DEMO_LOGINS
        registration = await tenancy.register_organization(
            ctx,
            RegistrationRequest(
                company_name="Almacén Demo",
                admin_name="Ana Admin",
                email=admin.email,
                password=admin.password,
                subdomain=DEMO_SUBDOMAIN,
                currency="CLP",
                locale="es-CL",
                time_zone="America/Santiago",
            ),
        )
        names = {"manager": "Manuel Manager", "cashier": "Carla Cajera"}
        staff = {
            login.role: await users.add_user(
                ctx, email=login.email, full_name=names[login.role], role=login.role, password=login.password
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
    return True
