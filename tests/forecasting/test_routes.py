"""Forecast runs, predictions, evaluations and reorder suggestions over HTTP: the run lifecycle,
reruns that never duplicate, events, roles, tenant isolation and bad input."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta

import msgspec
import pandas as pd
from sqlalchemy import func, select, update

from forecasting import execution
from forecasting.history import load_history as read_sales_history
from forecasting.model import TrainedModel
from forecasting.models import ForecastModel, ForecastRun, Prediction
from server.core.context import Resources
from server.core.events import stream_key
from tests.conftest import Api, TenantSession
from tests.forecasting.conftest import load_history

RUNS = "/api/v1/forecasts/runs"
PREDICTIONS = "/api/v1/forecasts/predictions"
REORDER = "/api/v1/reorder-suggestions"
HISTORY = "/api/v1/forecasts/history"


async def prediction_count(resources: Resources, tenant: TenantSession, run_id: str) -> int:
    async with resources.database.transaction(tenant.organization_id) as session:
        return int(
            await session.scalar(
                select(func.sum(func.cardinality(Prediction.yhat))).where(Prediction.run_id == uuid.UUID(run_id))
            )
            or 0
        )


async def events(resources: Resources, tenant: TenantSession, topic: str) -> list[dict]:
    entries = await resources.redis.xrange(stream_key(tenant.organization_id, topic))
    return [msgspec.json.decode(b"{" + fields[b"e"]) for _, fields in entries]


async def test_a_run_from_request_to_reorder_suggestions(
    api: Api, tenant_a: TenantSession, resources: Resources, job_stream: str
) -> None:
    products = await load_history(resources, tenant_a, products=10, days=240)
    client = tenant_a.client
    catalog = (await client.get("/api/v1/products", params={"limit": 200})).json()["items"]
    empty_shelf = catalog[0]
    counted = await client.post(
        "/api/v1/inventory/counts",
        json={"lines": [{"product_id": empty_shelf["id"], "counted": 0}], "reason": "shelf is empty"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert counted.status_code == 201, counted.text

    assert (await client.get(PREDICTIONS)).json()["items"] == []
    assert (await client.get(REORDER)).json()["run_id"] is None

    created = await client.post(RUNS, json={"horizon_days": 30})
    assert created.status_code == 202, created.text
    run = created.json()
    assert run["status"] == "queued" and run["trigger"] == "manual" and run["requested_by"] == str(tenant_a.admin_id)
    again = await client.post(RUNS, json={})
    assert again.status_code == 409 and again.json()["code"] == "forecast_run_active"
    assert await resources.redis.xlen(job_stream) == 1

    outcome = await execution.execute_run(resources, tenant_a.organization_id, uuid.UUID(run["id"]))
    assert outcome["status"] == "succeeded"
    # The tenant's locale is es-CL: the model was trained knowing Chile's public holidays.
    async with resources.database.transaction(tenant_a.organization_id) as session:
        checkpoint = await session.get(ForecastModel, (tenant_a.organization_id, uuid.UUID(run["id"])))
    assert checkpoint is not None
    trained = TrainedModel.loads(checkpoint.artifact)
    assert trained is not None and trained.holidays is not None and trained.holidays.country == "CL"
    assert trained.forecaster.exog_in_
    done = (await client.get(f"{RUNS}/{run['id']}")).json()
    assert done["status"] == "succeeded" and done["finished_at"] and done["error"] is None
    assert done["durations"]["total"] > 0 and done["durations"]["resumed_from_checkpoint"] is False
    assert done["versions"]["skforecast"] and done["versions"]["model"] == "global_lgbm"
    pooled = done["metrics"]["pooled"]
    assert {"global_lgbm", "seasonal_naive", "moving_average", "tsb"} <= set(pooled)
    assert {"mase", "wape", "bias", "coverage_80", "coverage_95", "mase_median", "wape_median"} <= set(
        pooled["global_lgbm"]
    )
    assert "selected" in done["metrics"]["held_out"]
    assert sum(done["metrics"]["methods"].values()) == products
    listed = (await client.get(RUNS)).json()["items"]
    assert [item["id"] for item in listed] == [run["id"]]

    total = await prediction_count(resources, tenant_a, run["id"])
    assert total == products * 30
    page = (await client.get(PREDICTIONS, params={"product_id": empty_shelf["id"], "limit": 200})).json()
    assert len(page["items"]) == 30 and page["next_offset"] is None
    first = page["items"][0]
    assert (
        first["yhat_lower_95"]
        <= first["yhat_lower_80"]
        <= first["yhat"]
        <= first["yhat_upper_80"]
        <= first["yhat_upper_95"]
    )
    assert all(item["yhat_lower_80"] <= item["yhat_median"] <= item["yhat_upper_80"] for item in page["items"])
    days = [date.fromisoformat(item["date"]) for item in page["items"]]
    assert days == [days[0] + timedelta(days=offset) for offset in range(30)]  # consecutive, ascending
    window = (
        await client.get(PREDICTIONS, params={"date_from": first["date"], "date_to": first["date"], "limit": 200})
    ).json()
    assert len(window["items"]) == products and {item["date"] for item in window["items"]} == {first["date"]}
    later = (
        await client.get(PREDICTIONS, params={"product_id": empty_shelf["id"], "date_from": days[28].isoformat()})
    ).json()
    assert [item["date"] for item in later["items"]] == [days[28].isoformat(), days[29].isoformat()]
    exported = await client.get(f"{PREDICTIONS}.csv", params={"run_id": run["id"]})
    assert exported.headers["content-type"].startswith("text/csv")
    exported_rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert len(exported_rows) == products * 30 + 1 and "yhat_median" in exported_rows[0]

    selected = (await client.get(f"{RUNS}/{run['id']}/evaluations", params={"selected": "true", "limit": 200})).json()[
        "items"
    ]
    # Each product's served combination (weight 1) and the methods that make it up, whose
    # weights add up to one: why the product got the forecast it got.
    evaluations = [item for item in selected if item["method"] == "combination"]
    assert len({item["product_id"] for item in evaluations}) == len(evaluations) >= products - 2
    assert all(item["weight"] == 1.0 for item in evaluations)
    parts: dict[str, float] = {}
    for item in selected:
        if item["method"] != "combination":
            assert 0 < item["weight"] < 1 or item["weight"] == 1.0
            parts[item["product_id"]] = parts.get(item["product_id"], 0.0) + item["weight"]
    assert set(parts) == {item["product_id"] for item in evaluations}
    assert all(abs(total - 1) < 0.01 for total in parts.values())
    assert {"mase_median", "wape_median", "weight"} <= set(evaluations[0])
    assert any(item["wape_median"] is not None for item in evaluations)
    by_method = (
        await client.get(
            f"{RUNS}/{run['id']}/evaluations", params={"product_id": evaluations[0]["product_id"], "limit": 50}
        )
    ).json()["items"]
    assert {item["method"] for item in by_method} >= {"combination", "global_lgbm", "moving_average", "weekly_ets"}
    assert all(item["weight"] is None for item in by_method if not item["selected"])

    # Reruns of the same job never duplicate: a finished run is left alone, and an attempt
    # after a crash (status still running, model checkpointed) replaces rather than adds.
    assert (await execution.execute_run(resources, tenant_a.organization_id, uuid.UUID(run["id"])))[
        "status"
    ] == "succeeded"
    async with resources.database.transaction(tenant_a.organization_id) as session:
        await session.execute(
            update(ForecastRun).where(ForecastRun.id == uuid.UUID(run["id"])).values(status="running")
        )
    assert (await execution.execute_run(resources, tenant_a.organization_id, uuid.UUID(run["id"])))[
        "status"
    ] == "succeeded"
    assert await prediction_count(resources, tenant_a, run["id"]) == products * 30
    resumed = (await client.get(f"{RUNS}/{run['id']}")).json()
    assert resumed["durations"]["resumed_from_checkpoint"] is True

    suggestions = (await client.get(REORDER, params={"limit": 200})).json()
    assert suggestions["run_id"] == run["id"] and suggestions["service_level"] == 0.95
    assert len(suggestions["items"]) == products
    empty = next(item for item in suggestions["items"] if item["product_id"] == empty_shelf["id"])
    assert empty["stock"] == 0 and empty["runout_date"] == suggestions["as_of"]
    assert empty["runs_out_within_lead_time"] is True
    assert empty["suggested_quantity"] >= empty["lead_time_demand"]
    strict = (await client.get(REORDER, params={"service_level": 0.99, "product_id": empty_shelf["id"]})).json()
    assert strict["items"][0]["safety_stock"] >= empty["safety_stock"]
    at_risk = (await client.get(REORDER, params={"at_risk": "true", "limit": 200})).json()["items"]
    assert empty_shelf["id"] in {item["product_id"] for item in at_risk}
    assert all(item["runs_out_within_lead_time"] for item in at_risk)
    needing = (await client.get(REORDER, params={"needs_reorder": "false", "limit": 200})).json()["items"]
    assert all(item["suggested_quantity"] == 0 for item in needing)
    exported = await client.get(f"{REORDER}.csv", params={"at_risk": "true"})
    assert len(list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))) == len(at_risk) + 1

    published = await events(resources, tenant_a, "predictions")
    types = [event["type"] for event in published]
    assert types[0] == "forecast.queued" and "forecast.progress" in types
    assert types.count("forecast.completed") == 2  # the first attempt and the post-crash retry; never the no-op
    alerts = [
        event for event in await events(resources, tenant_a, "alerts") if event["type"] == "stock.runout_forecast"
    ]
    assert alerts and empty_shelf["id"] in {item["product_id"] for item in alerts[-1]["data"]["products"]}

    # A new run may start once the previous one finished.
    assert (await client.post(RUNS, json={"horizon_days": 7})).status_code == 202


async def test_roles_isolation_and_bad_input(
    api: Api, tenant_a: TenantSession, tenant_b: TenantSession, resources: Resources, job_stream: str
) -> None:
    await load_history(resources, tenant_a, products=4, days=60)
    run = (await tenant_a.client.post(RUNS, json={})).json()
    await execution.execute_run(resources, tenant_a.organization_id, uuid.UUID(run["id"]))
    product_id = (await tenant_a.client.get(PREDICTIONS)).json()["items"][0]["product_id"]

    cashier = (await api.add_user(tenant_a, "cashier"))["client"]
    manager = (await api.add_user(tenant_a, "manager"))["client"]
    anonymous = api.client(tenant_a.subdomain)
    paths = [
        RUNS,
        f"{RUNS}/{run['id']}",
        f"{RUNS}/{run['id']}/evaluations",
        PREDICTIONS,
        f"{PREDICTIONS}.csv",
        REORDER,
        f"{REORDER}.csv",
    ]
    for path in paths:
        assert (await cashier.get(path)).status_code == 403, path
        assert (await anonymous.get(path)).status_code == 401, path
        assert (await manager.get(path)).status_code == 200, path
    assert (await cashier.post(RUNS, json={})).json()["code"] == "role_forbidden"
    assert (await manager.post(RUNS, json={})).status_code == 202

    other = tenant_b.client
    missing = str(uuid.uuid4())
    for path in (f"{RUNS}/{run['id']}", f"{RUNS}/{missing}", f"{RUNS}/{run['id']}/evaluations"):
        response = await other.get(path)
        assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json", path
    for params in ({"run_id": run["id"]}, {"product_id": product_id}, {"product_id": missing}):
        assert (await other.get(PREDICTIONS, params=params)).status_code == 404, params
        assert (await other.get(f"{PREDICTIONS}.csv", params=params)).status_code == 404, params
    assert (await other.get(REORDER, params={"product_id": product_id})).status_code == 404
    assert (await other.get(PREDICTIONS)).json()["items"] == []
    assert (await other.get(RUNS)).json()["items"] == []
    wrong_host = api.client(tenant_b.subdomain)
    wrong_host.headers["Authorization"] = tenant_a.client.headers["Authorization"]
    assert (await wrong_host.get(RUNS)).status_code == 403

    bad = [
        (RUNS, {"horizon_days": 99}, ["body", "horizon_days"]),
        (RUNS, {"organization_id": str(tenant_b.organization_id)}, ["body"]),
    ]
    for path, body, location in bad:
        response = await tenant_b.client.post(path, json=body)
        assert response.status_code == 422 and response.json()["errors"][0]["loc"][: len(location)] == location
    for path, params in (
        (REORDER, {"service_level": "2"}),
        (REORDER, {"needs_reorder": "maybe"}),
        (PREDICTIONS, {"date_from": "yesterday"}),
        (PREDICTIONS, {"limit": "0"}),
        (RUNS, {"status": "sleeping"}),
        (f"{RUNS}/{run['id']}/evaluations", {"selected": "perhaps"}),
    ):
        response = await tenant_a.client.get(path, params=params)
        assert response.status_code == 422, (path, params)
        assert response.json()["errors"][0]["loc"][0] == "query"
    assert (await tenant_a.client.get(f"{RUNS}/not-a-uuid")).status_code == 404


async def test_a_products_daily_history_and_searching_the_reorder_list(
    api: Api, tenant_a: TenantSession, tenant_b: TenantSession, resources: Resources, job_stream: str
) -> None:
    await load_history(resources, tenant_a, products=6, days=60)
    client = tenant_a.client
    today = date.fromisoformat((await client.get(REORDER)).json()["as_of"])
    yesterday, first = today - timedelta(days=1), today - timedelta(days=30)
    async with resources.database.transaction(tenant_a.organization_id) as session:
        frame = await read_sales_history(
            session, tenant_a.organization_id, time_zone="America/Santiago", until=yesterday
        )
    recent = frame[frame["date"] >= pd.Timestamp(first)]
    best_seller = str(recent.groupby("product_id")["quantity"].sum().idxmax())
    catalog = (await client.get("/api/v1/products", params={"limit": 200})).json()["items"]
    product = next(item for item in catalog if item["id"] == best_seller)

    answer = await client.get(HISTORY, params={"product_id": product["id"], "days": 30})
    assert answer.status_code == 200, answer.text
    history = answer.json()
    days = [date.fromisoformat(day["date"]) for day in history["days"]]
    assert days == [first + timedelta(days=offset) for offset in range(30)] and days[-1] == yesterday
    assert history["date_from"] == first.isoformat() and history["date_to"] == yesterday.isoformat()
    # The same units the nightly run learns from, zero on the days without a sale.
    own = recent[recent["product_id"].astype(str) == best_seller]
    expected = {row.date.date().isoformat(): row.quantity for row in own.itertuples() if row.quantity > 0}
    assert expected and {day["date"]: day["units"] for day in history["days"] if day["units"] > 0} == expected

    assert (await client.get(HISTORY, params={"product_id": product["id"]})).json()["days"].__len__() == 90
    for params in ({}, {"product_id": product["id"], "days": 3}, {"product_id": "nope"}):
        assert (await client.get(HISTORY, params=params)).status_code == 422, params
    assert (await tenant_b.client.get(HISTORY, params={"product_id": product["id"]})).status_code == 404
    cashier = (await api.add_user(tenant_a, "cashier"))["client"]
    assert (await cashier.get(HISTORY, params={"product_id": product["id"]})).status_code == 403

    run = (await client.post(RUNS, json={"horizon_days": 14})).json()
    assert (await execution.execute_run(resources, tenant_a.organization_id, uuid.UUID(run["id"])))[
        "status"
    ] == "succeeded"
    everything = (await client.get(REORDER, params={"limit": 200})).json()["items"]
    for item in everything:
        if item["runout_date"] is None:
            assert item["order_by_date"] is None
        else:
            runout = date.fromisoformat(item["runout_date"])
            assert date.fromisoformat(item["order_by_date"]) == runout - timedelta(days=item["lead_time_days"])
    found = (await client.get(REORDER, params={"search": product["name"][2:8].upper()})).json()["items"]
    assert product["id"] in {item["product_id"] for item in found} and len(found) < len(everything)
    by_sku = (await client.get(REORDER, params={"search": product["sku"]})).json()["items"]
    assert [item["product_id"] for item in by_sku] == [product["id"]]
    exported = await client.get(f"{REORDER}.csv", params={"search": product["sku"]})
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert "order_by_date" in rows[0] and len(rows) == 2 and rows[1][0] == product["id"]
    assert (await client.get(REORDER, params={"search": ""})).status_code == 422
