"""Migration 0006 turns a run's predictions from a row per day into a row per product (arrays
over the days) and back, keeping every figure; the API reads the same predictions either way."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from forecasting import execution, runs
from server.app import close_resources, open_resources
from server.core.context import Context
from server.core.db import async_url
from server.core.migrate import create_database_if_missing, migrate
from server.demo.generator import generate_shop
from server.demo.loader import load_shop
from server.tenancy import service as tenancy
from server.tenancy.schemas import RegistrationRequest
from tests.conftest import drop_database, make_settings

FIGURES = "yhat, yhat_median, yhat_lower_80, yhat_upper_80, yhat_lower_95, yhat_upper_95"


async def test_predictions_survive_the_downgrade_and_the_upgrade(service_urls) -> None:
    name = f"orbit_prediction_arrays_{uuid.uuid4().hex[:8]}"
    await create_database_if_missing(service_urls[0], name)
    url = make_url(service_urls[0]).set(database=name).render_as_string(hide_password=False)
    settings = make_settings(url, service_urls[1])
    owner = create_async_engine(async_url(url))
    try:
        await migrate(settings)
        resources = open_resources(settings)
        try:
            async with resources.database.transaction() as session:
                registration = await tenancy.register_organization(
                    Context(session=session, resources=resources),
                    RegistrationRequest(
                        company_name="Almacén Migración",
                        admin_name="Ana Admin",
                        email="ana@example.com",
                        password="correct horse battery staple",
                        currency="CLP",
                        locale="es-CL",
                        time_zone="America/Santiago",
                    ),
                )
                organization_id, admin_id = registration.organization.id, registration.tokens.user.id
            now = datetime.now(UTC)
            shop = generate_shop(
                seed=4,
                products=4,
                days=60,
                end=now.astimezone(ZoneInfo("America/Santiago")).date(),
                until=now,
                registers=1,
                customers=5,
            )
            async with resources.database.transaction(organization_id) as session:
                await load_shop(session, organization_id, shop, cashier_ids=[admin_id], actor_id=admin_id)
            run_id = await runs.create_scheduled_run(resources, organization_id)
            assert run_id is not None
            assert (await execution.execute_run(resources, organization_id, run_id))["status"] == "succeeded"
        finally:
            await close_resources(resources)

        async def read(statement: str) -> list[tuple[object, ...]]:
            async with owner.connect() as connection:
                await connection.execute(
                    text("select set_config('app.org_id', :org, false)"), {"org": str(organization_id)}
                )
                return [tuple(row) for row in (await connection.execute(text(statement), {"run": run_id})).all()]

        by_product = f"select product_id, first_day, model, {FIGURES} from predictions where run_id = :run order by 1"
        arrays = await read(by_product)
        assert len(arrays) == 4 and all(len(row[3]) == 30 for row in arrays)  # type: ignore[arg-type]

        await migrate(settings, "0005", downgrade=True)
        days = await read(
            f"select product_id, day, model, {FIGURES} from predictions where run_id = :run order by 1, 2"
        )
        assert len(days) == 4 * 30
        for product, (product_id, first_day, model, *figures) in enumerate(arrays):
            rows = days[product * 30 : (product + 1) * 30]
            assert [row[0] for row in rows] == [product_id] * 30 and {row[2] for row in rows} == {model}
            assert rows[0][1] == first_day and [(row[1] - first_day).days for row in rows] == list(range(30))  # type: ignore[operator]
            for column, values in enumerate(figures):
                assert [row[3 + column] for row in rows] == values

        await migrate(settings)
        assert await read(by_product) == arrays
    finally:
        await owner.dispose()
        await drop_database(service_urls[0], name)
