"""The demo tenant: an organization at `demo.{BASE_DOMAIN}` with an admin, a manager and a cashier.

Seeding is idempotent: an existing demo organization is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from server.core.context import Context, Resources
from server.tenancy import service as tenancy
from server.tenancy.models import Organization
from server.tenancy.schemas import RegistrationRequest
from server.users import service as users

DEMO_SUBDOMAIN = "demo"


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


async def seed_demo(resources: Resources) -> bool:
    """Create the demo organization and its users; return False when it already existed."""
    async with resources.database.transaction() as session:
        ctx = Context(session=session, resources=resources)
        if await session.scalar(select(Organization.id).where(Organization.subdomain == DEMO_SUBDOMAIN)):
            return False
        admin, *others = DEMO_LOGINS
        await tenancy.register_organization(
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
        for login in others:
            await users.add_user(
                ctx, email=login.email, full_name=names[login.role], role=login.role, password=login.password
            )
    return True
