"""Forecasting: one tenant's full nightly run on 1,000 products × 730 days, against the
original design (one Prophet model per product) and statsforecast's AutoETS, measured in the
same run on the same data.

    .venv/bin/python bench/forecast/run.py [--products 1000] [--days 730] [--prophet-sample 40]

What it does:

1. creates a throwaway database `orbit_bench_forecast_<random>` on BENCH_DATABASE_URL's server
   and migrates it; uses Redis at BENCH_REDIS_URL;
2. registers a tenant (CLP, America/Santiago) and loads a demo shop into it
   (`server.demo.generator.generate_shop`, `server.demo.loader.load_shop`), history ending
   yesterday, and ANALYZEs it (as autovacuum would have by the night);
3. times a full run exactly as a worker runs it (`forecasting.service.execute_run`): read the
   history from PostgreSQL, backtest on 4 rolling origins × 28 days, fit the final global model,
   predict 30 days with 80 % / 95 % intervals, store predictions and evaluations;
4. on the held-out fold (the last 28 days of history; the per-product choice of method made on
   the three folds before it) scores, with MASE (period 7), WAPE, bias, interval coverage and
   (all products) RMSSE:
   the global model alone, what is served (model with per-product fallback), seasonal naive,
   28-day moving average, TSB, statsforecast AutoETS (season 7, every product), and Prophet
   (defaults, one model per product, on a random sample of established products; its
   forecasts clipped at zero), the last two fitted on the same history up to the fold's origin;
5. reports Prophet's seconds per product against the full run's seconds per product, the speed
   ratio, twice: for one fit and 30-day forecast with intervals, and for the run's work (a
   backtest fit forecasting every fold, and the final fit forecasting 30 days), by wall and CPU
   time; LightGBM and skforecast are imported before the clock starts, as in a worker that has
   run before, and the one-off import is reported apart;
6. prints one JSON document and drops the database.

Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/0). Needs the `bench` dependency group
(prophet, statsforecast): `uv sync --all-groups`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import resource
import sys
import time
import uuid
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from forecasting import model as forecasting_model  # noqa: E402
from forecasting import service  # noqa: E402
from forecasting.evaluation import Scores, score  # noqa: E402
from server.app import close_resources, open_resources  # noqa: E402
from server.core.config import load_settings  # noqa: E402
from server.core.context import Context  # noqa: E402
from server.core.db import async_url  # noqa: E402
from server.core.migrate import create_database_if_missing, migrate  # noqa: E402
from server.demo.generator import generate_shop  # noqa: E402
from server.demo.loader import load_shop  # noqa: E402
from server.tenancy import service as tenancy  # noqa: E402
from server.tenancy.schemas import RegistrationRequest  # noqa: E402

TIME_ZONE = "America/Santiago"
HORIZON = 30


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(async_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (cmdstan, for Prophet)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _pooled(result: Scores) -> dict[str, Any]:
    return {key: result.pooled[key] for key in ("mase", "mase_pooled", "wape", "bias", "coverage_80", "coverage_95")}


def _rmsse(backtest: Any, actual: np.ndarray, forecast: np.ndarray) -> float:
    """Pooled root mean squared scaled error over the established products: √(Σ squared errors
    / Σ in-sample squared errors of the 7-day seasonal naive before the backtest), M5's scale.
    Unlike MASE and WAPE it is minimised by the mean, so it does not reward forecasting an
    intermittent product's most common day, zero, below its mean."""
    before = backtest.history[:, : backtest.origin]
    squared = ((before[:, 7:] - before[:, :-7]) ** 2).mean(axis=1)
    keep = backtest.established
    errors = ((forecast - actual) ** 2)[keep].sum()
    return round(float(np.sqrt(errors / (squared[keep].sum() * actual.shape[1]))), 4)


def autoets(history: np.ndarray, dates: pd.DatetimeIndex, horizon: int) -> tuple[np.ndarray, dict[float, Any], float]:
    """AutoETS (season 7) per series with statsforecast: forecasts, 80/95 bounds, seconds."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(np.arange(history.shape[0]), history.shape[1]),
            "ds": np.tile(dates, history.shape[0]),
            "y": history.ravel(),
        }
    )
    started = time.perf_counter()
    engine = StatsForecast(models=[AutoETS(season_length=7)], freq="D", n_jobs=1)
    result = engine.forecast(df=frame, h=horizon, level=[80, 95])
    seconds = time.perf_counter() - started
    result = result.sort_values(["unique_id", "ds"])

    def matrix(column: str) -> np.ndarray:
        return np.clip(result[column].to_numpy().reshape(history.shape[0], horizon), 0.0, None)

    bounds = {
        0.80: (matrix("AutoETS-lo-80"), matrix("AutoETS-hi-80")),
        0.95: (matrix("AutoETS-lo-95"), matrix("AutoETS-hi-95")),
    }
    return matrix("AutoETS"), bounds, seconds


def _prophet_forecast(values: np.ndarray, dates: pd.DatetimeIndex, horizon: int) -> None:
    """Fit Prophet on one series and forecast `horizon` days with 80 % and 95 % intervals."""
    from prophet import Prophet

    fitted = Prophet(interval_width=0.80)
    fitted.fit(pd.DataFrame({"ds": dates, "y": values}))
    future = fitted.make_future_dataframe(periods=horizon, include_history=False)
    fitted.predict(future)
    fitted.interval_width = 0.95
    fitted.predict(future)


def prophet_same_work(
    history: np.ndarray, dates: pd.DatetimeIndex, origin: int, backtest_days: int, horizon: int
) -> tuple[list[float], list[float]]:
    """Seconds (wall, CPU) per product for Prophet to do what a run does for each product: a
    backtest (one fit at the backtest origin forecasting every fold, the cheapest backtest
    Prophet allows: it cannot re-anchor on the days before each fold without refitting) and the
    final fit forecasting `horizon` days, each with 80 % and 95 % intervals."""
    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    logging.getLogger("prophet").setLevel(logging.WARNING)
    seconds: list[float] = []
    cpu: list[float] = []
    for index in range(history.shape[0]):
        started, started_cpu = time.perf_counter(), cpu_seconds()
        _prophet_forecast(history[index, :origin], dates[:origin], backtest_days)
        _prophet_forecast(history[index], dates, horizon)
        seconds.append(time.perf_counter() - started)
        cpu.append(cpu_seconds() - started_cpu)
    return seconds, cpu


def prophet(
    history: np.ndarray, dates: pd.DatetimeIndex, horizon: int
) -> tuple[np.ndarray, dict[float, Any], list[float]]:
    """One Prophet model per series (the original design): forecasts, 80/95 bounds, and the
    seconds each product took to fit and forecast `HORIZON` days with its 80 % interval."""
    from prophet import Prophet

    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    logging.getLogger("prophet").setLevel(logging.WARNING)
    count = history.shape[0]
    forecasts = np.zeros((count, horizon))
    bounds = {level: (np.zeros((count, horizon)), np.zeros((count, horizon))) for level in (0.80, 0.95)}
    seconds: list[float] = []
    cpu: list[float] = []
    for index in range(count):
        frame = pd.DataFrame({"ds": dates, "y": history[index]})
        started, started_cpu = time.perf_counter(), cpu_seconds()
        fitted = Prophet(interval_width=0.80)
        fitted.fit(frame)
        future = fitted.make_future_dataframe(periods=HORIZON, include_history=False)
        predicted = fitted.predict(future)
        seconds.append(time.perf_counter() - started)
        cpu.append(cpu_seconds() - started_cpu)
        forecasts[index] = np.clip(predicted["yhat"].to_numpy()[:horizon], 0.0, None)
        bounds[0.80][0][index] = np.clip(predicted["yhat_lower"].to_numpy()[:horizon], 0.0, None)
        bounds[0.80][1][index] = np.clip(predicted["yhat_upper"].to_numpy()[:horizon], 0.0, None)
        fitted.interval_width = 0.95
        wide = fitted.predict(future)
        bounds[0.95][0][index] = np.clip(wide["yhat_lower"].to_numpy()[:horizon], 0.0, None)
        bounds[0.95][1][index] = np.clip(wide["yhat_upper"].to_numpy()[:horizon], 0.0, None)
    return forecasts, bounds, (seconds, cpu)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    server_url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    name = f"orbit_bench_forecast_{uuid.uuid4().hex[:10]}"
    await create_database_if_missing(server_url, name)
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    settings = load_settings({}, environment="test", database_url=url, redis_url=redis_url)
    figures: dict[str, Any] = {
        "benchmark": "forecast",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()},
        "versions": forecasting_model.library_versions(),
        "products": args.products,
        "days": args.days,
    }
    try:
        await migrate(settings)
        resources = open_resources(settings)
        try:
            now = datetime.now(UTC)
            started = time.perf_counter()
            shop = await asyncio.to_thread(
                generate_shop,
                seed=args.seed,
                products=args.products,
                days=args.days,
                end=now.astimezone(ZoneInfo(TIME_ZONE)).date(),
                until=now,
            )
            figures["generate_seconds"] = round(time.perf_counter() - started, 1)
            async with resources.database.transaction() as session:
                registration = await tenancy.register_organization(
                    Context(session=session, resources=resources),
                    RegistrationRequest(
                        company_name="Almacén Pronóstico",
                        admin_name="Ana Admin",
                        email=f"bench-{uuid.uuid4().hex[:8]}@example.com",
                        password="correct horse battery staple",
                        currency="CLP",
                        locale="es-CL",
                        time_zone=TIME_ZONE,
                    ),
                )
                organization_id = registration.organization.id
                admin_id = registration.tokens.user.id
                started = time.perf_counter()
                await load_shop(session, organization_id, shop, cashier_ids=[admin_id], actor_id=admin_id)
            figures["load_seconds"] = round(time.perf_counter() - started, 1)
            await _admin(url, "analyze")  # as autovacuum would have done by the night
            run_id = await service.create_scheduled_run(resources, organization_id)
            assert run_id is not None

            captured: dict[str, forecasting_model.TrainedModel] = {}
            original_train = forecasting_model.train

            def capturing_train(*arguments: Any, **options: Any) -> forecasting_model.TrainedModel:
                trained = original_train(*arguments, **options)
                captured["model"] = trained
                return trained

            forecasting_model.train = capturing_train  # type: ignore[assignment]
            # A worker imports LightGBM and skforecast once, at its first run; a run is timed
            # in a process that has them loaded, and the one-off import is reported apart.
            started = time.perf_counter()
            forecasting_model.load_libraries()
            figures["library_import_seconds_once_per_process"] = round(time.perf_counter() - started, 2)
            started, started_cpu = time.perf_counter(), cpu_seconds()
            outcome = await service.execute_run(resources, organization_id, run_id)
            wall, cpu = time.perf_counter() - started, cpu_seconds() - started_cpu
            forecasting_model.train = original_train  # type: ignore[assignment]
            assert outcome["status"] == "succeeded", outcome
            async with resources.database.transaction(organization_id) as session:
                durations, stored = (
                    await session.execute(
                        text(
                            "select durations, (select count(*) from predictions where run_id = :run) "
                            "from forecast_runs where id = :run"
                        ),
                        {"run": run_id},
                    )
                ).one()
            figures["full_run"] = {
                "wall_seconds": round(wall, 2),
                "target_seconds": 30,
                "stages_seconds": durations,
                "predictions_stored": stored,
                "seconds_per_product": round(wall / args.products, 4),
                "cpu_seconds": round(cpu, 2),
                "cpu_seconds_per_product": round(cpu / args.products, 4),
            }
            trained = captured["model"]
            backtest = trained.evaluation.backtest
            assert backtest is not None
            figures["run_metrics_all_folds"] = trained.evaluation.pooled
        finally:
            await close_resources(resources)
    finally:
        await _admin(server_url, f'drop database if exists "{name}" with (force)')

    # The held-out fold: the last `steps` days of history.
    cut = (backtest.folds - 1) * backtest.steps
    fold_origin = backtest.origin + cut
    dates = pd.date_range(end=pd.Timestamp(trained.trained_through), periods=backtest.history.shape[1], freq="D")
    actual = backtest.actual[:, cut:]
    rows: dict[str, dict[str, Any]] = {}
    for name_, forecast in backtest.forecasts.items():
        label = "global model alone" if name_ == forecasting_model.MODEL_NAME else name_
        rows[label] = _pooled(backtest.score_last_fold(forecast[:, cut:], forecast))
        rows[label]["rmsse_pooled"] = _rmsse(backtest, actual, forecast[:, cut:])
    chosen, served_last, served_all = backtest.selected_last_fold(trained.config.selection_margin)
    rows["served (model + per-product fallback)"] = _pooled(backtest.score_last_fold(served_last, served_all))
    rows["served (model + per-product fallback)"]["rmsse_pooled"] = _rmsse(backtest, actual, served_last)

    # Statistical peers fitted on the same history up to the fold's origin.
    history = backtest.history[:, :fold_origin]
    history_dates = dates[:fold_origin]
    ets_forecast, ets_bounds, ets_seconds = await asyncio.to_thread(autoets, history, history_dates, backtest.steps)
    rows["statsforecast AutoETS"] = _pooled(
        score(actual, ets_forecast, backtest.scale, ets_bounds, established=backtest.established)
    )
    rows["statsforecast AutoETS"]["rmsse_pooled"] = _rmsse(backtest, actual, ets_forecast)
    figures["autoets_seconds"] = round(ets_seconds, 1)

    rng = np.random.default_rng(args.seed)
    eligible = np.flatnonzero(backtest.established)
    sample = np.sort(rng.choice(eligible, size=min(args.prophet_sample, len(eligible)), replace=False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prophet_forecast, prophet_bounds, (prophet_seconds, prophet_cpu) = await asyncio.to_thread(
            prophet, history[sample], history_dates, backtest.steps
        )
    scale, established = backtest.scale[sample], backtest.established[sample]
    sample_rows = {
        "Prophet (one model per product)": _pooled(
            score(actual[sample], prophet_forecast, scale, prophet_bounds, established=established)
        ),
        "served (model + per-product fallback)": _pooled(
            score(
                actual[sample],
                served_last[sample],
                scale,
                _served_bounds(backtest, chosen, served_last, sample),
                established=established,
            )
        ),
        "global model alone": _pooled(
            score(
                actual[sample],
                backtest.forecasts[forecasting_model.MODEL_NAME][sample, cut:],
                scale,
                established=established,
            )
        ),
        "moving_average": _pooled(
            score(actual[sample], backtest.forecasts["moving_average"][sample, cut:], scale, established=established)
        ),
        "statsforecast AutoETS": _pooled(score(actual[sample], ets_forecast[sample], scale, established=established)),
    }
    same_seconds, same_cpu = await asyncio.to_thread(
        prophet_same_work,
        backtest.history[sample],
        dates,
        backtest.origin,
        backtest.folds * backtest.steps,
        HORIZON,
    )
    per_product = float(np.median(prophet_seconds))
    figures["prophet"] = {
        "products_sampled": len(sample),
        "seconds_per_product_median": round(per_product, 3),
        "seconds_per_product_mean": round(float(np.mean(prophet_seconds)), 3),
        "estimated_seconds_for_all_products": round(per_product * args.products, 1),
        "cpu_seconds_per_product_median": round(float(np.median(prophet_cpu)), 3),
        "same_work_seconds_per_product_median": round(float(np.median(same_seconds)), 3),
        "same_work_cpu_seconds_per_product_median": round(float(np.median(same_cpu)), 3),
    }
    run_wall, run_cpu = figures["full_run"]["seconds_per_product"], figures["full_run"]["cpu_seconds_per_product"]
    figures["speed_ratio_vs_prophet"] = {
        # Prophet's fit + one 30-day forecast per product against our whole run per product
        # (which also loads, backtests every method, calibrates intervals and stores).
        "fit_and_forecast": round(per_product / run_wall, 1),
        "fit_and_forecast_by_cpu_time": round(float(np.median(prophet_cpu)) / run_cpu, 1),
        # Prophet doing the run's work per product (backtest fit + final fit, both forecasting
        # with 80/95 % intervals; not loading or storing) against our whole run per product.
        "same_work": round(float(np.median(same_seconds)) / run_wall, 1),
        "same_work_by_cpu_time": round(float(np.median(same_cpu)) / run_cpu, 1),
        "target": 20,
    }
    figures["held_out_fold"] = {
        "days": backtest.steps,
        "from": str(dates[fold_origin].date()),
        "all_products": rows,
        f"prophet_sample_{len(sample)}_products": sample_rows,
    }
    served = rows["served (model + per-product fallback)"]
    peers = {label: row for label, row in rows.items() if not label.startswith("served")}
    figures["served_beats_every_peer_pooled"] = {
        metric: all(served[metric] < row[metric] for row in peers.values())
        for metric in ("mase", "mase_pooled", "wape", "rmsse_pooled")
    }
    alone = rows["global model alone"]
    figures["model_alone_beats_every_peer_pooled"] = {
        metric: all(alone[metric] < row[metric] for label, row in peers.items() if label != "global model alone")
        for metric in ("mase", "mase_pooled", "wape", "rmsse_pooled")
    }
    figures["served_beats_prophet_on_its_sample"] = {
        metric: sample_rows["served (model + per-product fallback)"][metric]
        < sample_rows["Prophet (one model per product)"][metric]
        for metric in ("mase", "mase_pooled", "wape")
    }
    figures["machine"]["load_average_end"] = os.getloadavg()
    return figures


def _served_bounds(backtest: Any, chosen: list[str], served_last: np.ndarray, sample: np.ndarray) -> dict[float, Any]:
    cut = (backtest.folds - 1) * backtest.steps
    days = min(max(1, backtest.folds // 2) * backtest.steps, cut)
    from forecasting.evaluation import IntervalCalibration

    calibrations = {
        name: IntervalCalibration.fit(forecast[:, :days], backtest.actual[:, :days])
        for name, forecast in backtest.forecasts.items()
    }
    lower = {level: np.zeros((len(sample), served_last.shape[1])) for level in (0.80, 0.95)}
    upper = {level: np.zeros((len(sample), served_last.shape[1])) for level in (0.80, 0.95)}
    for row, index in enumerate(sample):
        bounds = calibrations[chosen[index]].bounds(served_last[index : index + 1])
        for level in (0.80, 0.95):
            lower[level][row] = bounds[level][0][0]
            upper[level][row] = bounds[level][1][0]
    return {level: (lower[level], upper[level]) for level in (0.80, 0.95)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--prophet-sample", type=int, default=40)
    parser.add_argument("--seed", type=int, default=11)
    logging.basicConfig(level=logging.WARNING)
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2, default=str))


if __name__ == "__main__":
    main()
