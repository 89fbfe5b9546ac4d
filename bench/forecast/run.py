"""Forecasting: one tenant's full nightly run on 1,000 products × 730 days, against the
original design (one Prophet model per product) and statsforecast's AutoETS, measured in the
same run on the same data.

    .venv/bin/python bench/forecast/run.py [--products 1000] [--days 730] [--prophet-sample 40] [--workers 2]

What it does:

1. creates a throwaway database `orbit_bench_forecast_<random>` on BENCH_DATABASE_URL's server
   and migrates it; uses Redis at BENCH_REDIS_URL;
2. registers a tenant (CLP, America/Santiago) and loads a demo shop into it
   (`server.demo.generator.generate_shop`, `server.demo.loader.load_shop`), history ending
   yesterday, and ANALYZEs it (as autovacuum would have by the night);
3. times a full run exactly as a worker runs it (`forecasting.execution.execute_run`): read the
   history from PostgreSQL, backtest on 4 rolling origins × 28 days, fit the final global model,
   predict 30 days with 80 % / 95 % intervals, store predictions and evaluations;
4. scores every method on each of the backtest's rolling-origin folds (4 × 28 days), each
   forecasting a fold from its origin with only the history before it (`folds.py`), with MASE
   (period 7; mean and pooled Σ/Σ), WAPE, bias, RMSSE and interval coverage, per fold, pooled
   over the four folds, and pooled over folds 2–4:
   - the global model alone, as the run's backtest makes it: fitted once on the days before
     the first origin, forecasting each fold from the actual days before that fold;
   - the global model refitted at each origin (`folds.refitted_model`): trained anew, same
     config and holidays, on the days before each fold's origin, as AutoETS and Prophet are —
     the like-for-like comparison with them; untimed;
   - seasonal naive, 28-day moving average, TSB, exponential smoothing (the run's baselines,
     recomputed at each origin by the run);
   - statsforecast AutoETS (season 7) and Prophet (defaults, one model per product, forecasts
     clipped at zero), both refitted at every fold's origin on every product — the same
     products and history as the model; fitted in a pool of `--workers` processes, untimed;
   - what is served (the model with its per-product fallback), chosen on the folds before each
     fold, so from fold 2 on;
   - AutoETS and Prophet recalibrated: their forecasts given intervals and a median by the run's
     calibration on their own errors of the earlier folds (`folds.recalibrated`);
   - the generator's true expected demand (`DemoShop.expected_demand`), a reference row that is
     never a peer;
   every method's median as well as its mean where it has one (MASE and WAPE of the median: the
   point forecast absolute errors call for), with a paired bootstrap over products of the
   model's median lead over each peer, and each mean forecast's distance from the truth;
   intervals calibrated on backtest errors (the model's, the baselines', the served mix's) use
   the earlier folds only, so they have coverage from fold 2 on; pooled coverage is over folds
   2–4 for every method. The last fold is also scored exactly as earlier versions of this
   benchmark did (a check that the per-fold scores reproduce it);
5. times Prophet one product at a time on a random sample of established products
   (`--prophet-sample`, fitted on the history before the last fold, before the accuracy fits
   start) and reports its seconds per product against the full run's seconds per product, the
   speed ratio, twice: for one fit and 30-day forecast with its 80 % interval, and for the
   run's work (a backtest fit forecasting every fold, and the final fit forecasting 30 days,
   each with 80 % and 95 % intervals), by wall and CPU time; LightGBM and skforecast are
   imported before the clock starts, as in a worker that has run before, and the one-off
   import is reported apart;
6. scores the model alone the same way with other LightGBM seeds (`--noise-seeds`, the same
   run's backtest refitted; the served model keeps its seed), to show how much of a gap between
   methods is the model's own noise, and the model refitted at each origin with those seeds;
7. prints one JSON document (the database is dropped after the run's timing).

Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/0). Needs the `bench` dependency group
(prophet, statsforecast): `uv sync --all-groups`.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import logging
import multiprocessing
import os
import platform
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for path in (ROOT, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import folds as fold_scores  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import peers  # noqa: E402
from report import (  # noqa: E402
    AUTOETS,
    AUTOETS_RECALIBRATED,
    MODEL,
    OURS,
    PROPHET,
    PROPHET_RECALIBRATED,
    REFITTED,
    SERVED,
    TRUTH,
    prophet_figures,
    speed_ratios,
    verdict,
)
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from forecasting import execution, runs  # noqa: E402
from forecasting import model as forecasting_model  # noqa: E402
from forecasting.evaluation import Scores, score  # noqa: E402
from server.core.config import load_settings  # noqa: E402
from server.core.context import Context, Resources  # noqa: E402
from server.core.db import async_url  # noqa: E402
from server.core.migrate import create_database_if_missing, migrate  # noqa: E402
from server.demo.generator import generate_shop  # noqa: E402
from server.demo.loader import load_shop  # noqa: E402
from server.resources import opened_resources  # noqa: E402
from server.tenancy import service as tenancy  # noqa: E402
from server.tenancy.schemas import RegistrationRequest  # noqa: E402

TIME_ZONE = "America/Santiago"
HORIZON = 30
BOOTSTRAP_SAMPLES = 2000
LABELS = {forecasting_model.MODEL_NAME: MODEL}
PROPHET_BLOCK = 50


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(async_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _pooled(result: Scores) -> dict[str, Any]:
    return {key: result.pooled[key] for key in ("mase", "mase_pooled", "wape", "bias", "coverage_80", "coverage_95")}


def _label(name: str) -> str:
    return LABELS.get(name, name)


@dataclasses.dataclass(frozen=True)
class TimedRun:
    """What the timed run leaves for the accuracy stages: the model it trained (with its
    backtest), the panel and holidays it trained on, and the generator's true expected demand."""

    trained: forecasting_model.TrainedModel
    panel: Any
    holidays: Any
    expected_demand: pd.DataFrame

    @property
    def backtest(self) -> Any:
        return self.trained.evaluation.backtest

    @property
    def dates(self) -> pd.DatetimeIndex:
        """The backtest's days, its history's and its folds'."""
        days = self.backtest.history.shape[1]
        return pd.date_range(end=pd.Timestamp(self.trained.trained_through), periods=days, freq="D")

    @property
    def last_origin(self) -> int:
        return int(fold_scores.origin(self.backtest, self.backtest.folds - 1))


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """The benchmark's stages in the module's order; the figures, as one JSON document."""
    figures: dict[str, Any] = {
        "benchmark": "forecast",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()},
        "versions": forecasting_model.library_versions(),
        "products": args.products,
        "days": args.days,
    }
    timed = await time_full_run(args, figures)
    sample = await time_prophet(args, timed, figures)
    if args.speed_only:
        figures["machine"]["load_average_end"] = os.getloadavg()
        return figures
    methods, order = await peer_methods(args, timed, figures)
    figures["accuracy"] = accuracy = score_folds(timed, methods, order)
    held_out = accuracy["per_fold"][f"fold {timed.backtest.folds}"]
    figures["last_fold_reproduces_previous_scoring"] = reproduces_previous_scoring(timed, held_out)
    figures["held_out_fold"] = held_out_fold(timed, methods, sample, held_out)
    figures["verdict"] = verdict(accuracy, held_out)
    # How sure the median leads are (products resampled, paired), and how far each mean
    # forecast is from the truth, folds 2 to the last.
    later_folds = list(range(1, timed.backtest.folds))
    peer_labels = [label for label in order if label not in (*OURS, TRUTH)]
    figures["median_differences_folds_2_to_last"] = {
        contender: {
            label: fold_scores.paired_bootstrap(
                timed.backtest,
                later_folds,
                methods[contender],
                methods[label],
                samples=BOOTSTRAP_SAMPLES,
                seed=args.seed,
            )
            for label in peer_labels
        }
        for contender in (MODEL, SERVED)
    }
    figures["distance_to_truth_folds_2_to_last"] = {
        label: fold_scores.distance_to_truth(timed.backtest, later_folds, methods[label], methods[TRUTH])
        for label in order
        if label not in (TRUTH, AUTOETS_RECALIBRATED, PROPHET_RECALIBRATED)
    }
    noise, refitted_noise = await other_seeds(args, timed)
    figures["model_alone_other_seeds"] = {"served_model_seed": timed.trained.config.seed, **noise}
    figures["model_refitted_other_seeds"] = {"served_model_seed": timed.trained.config.seed, **refitted_noise}
    figures["machine"]["load_average_end"] = os.getloadavg()
    return figures


async def time_full_run(args: argparse.Namespace, figures: dict[str, Any]) -> TimedRun:
    """Steps 1–3: a scratch database with a tenant and its shop, and its run timed as a worker
    runs it; the database is dropped afterwards."""
    server_url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    name = f"orbit_bench_forecast_{uuid.uuid4().hex[:10]}"
    await create_database_if_missing(server_url, name)
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    # Every run registers a tenant: the sign-up limit per address must not stop a series of runs.
    settings = load_settings(
        {}, environment="test", database_url=url, redis_url=redis_url, registrations_per_ip=1_000_000
    )
    try:
        await migrate(settings)
        async with opened_resources(settings) as resources:
            organization_id, expected_demand = await load_tenant_shop(args, resources, figures)
            await _admin(url, "analyze")  # as autovacuum would have done by the night
            return await time_execution(args, resources, organization_id, figures, expected_demand)
    finally:
        await _admin(server_url, f'drop database if exists "{name}" with (force)')


async def load_tenant_shop(
    args: argparse.Namespace, resources: Resources, figures: dict[str, Any]
) -> tuple[uuid.UUID, pd.DataFrame]:
    """A tenant registered and its generated shop loaded; (its id, the shop's expected demand)."""
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
    expected_demand = shop.expected_demand()
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
    # A worker holds no generated shop: its million Python objects would slow every garbage
    # collection of the timed run.
    del shop
    gc.collect()
    return organization_id, expected_demand


async def time_execution(
    args: argparse.Namespace,
    resources: Resources,
    organization_id: uuid.UUID,
    figures: dict[str, Any],
    expected_demand: pd.DataFrame,
) -> TimedRun:
    """The nightly run, executed and timed as a worker runs it; the model it trains is kept."""
    run_id = await runs.create_scheduled_run(resources, organization_id)
    assert run_id is not None
    captured: dict[str, Any] = {}
    original_train = forecasting_model.train

    def capturing_train(*arguments: Any, **options: Any) -> forecasting_model.TrainedModel:
        trained = original_train(*arguments, **options)
        captured["model"] = trained
        captured["arguments"], captured["options"] = arguments, options
        return trained

    forecasting_model.train = capturing_train
    # A worker imports LightGBM and skforecast once, at its first run; a run is timed in a
    # process that has them loaded, and the one-off import is reported apart.
    started = time.perf_counter()
    forecasting_model.load_libraries()
    figures["library_import_seconds_once_per_process"] = round(time.perf_counter() - started, 2)
    started, started_cpu = time.perf_counter(), peers.cpu_seconds()
    try:
        outcome = await execution.execute_run(resources, organization_id, run_id)
    finally:
        forecasting_model.train = original_train
    wall, cpu = time.perf_counter() - started, peers.cpu_seconds() - started_cpu
    assert outcome["status"] == "succeeded", outcome
    async with resources.database.transaction(organization_id) as session:
        durations, stored = (
            await session.execute(
                text(
                    "select durations, (select sum(cardinality(yhat)) from predictions where run_id = :run) "
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
    timed = TimedRun(captured["model"], captured["arguments"][0], captured["options"].get("holidays"), expected_demand)
    assert timed.backtest is not None
    figures["run_metrics_all_folds"] = timed.trained.evaluation.pooled
    return timed


async def time_prophet(args: argparse.Namespace, timed: TimedRun, figures: dict[str, Any]) -> np.ndarray:
    """Step 5: Prophet's timing, as before the accuracy fits start (nothing else running in this
    process): a random sample of established products, one at a time, fitted on the history up
    to the last fold's origin. Returns the sample (the products' rows)."""
    backtest, dates, fold_origin = timed.backtest, timed.dates, timed.last_origin
    rng = np.random.default_rng(args.seed)
    eligible = np.flatnonzero(backtest.established)
    sample = np.sort(rng.choice(eligible, size=min(args.prophet_sample, len(eligible)), replace=False))
    prophet_seconds, prophet_cpu = await asyncio.to_thread(
        peers.prophet_timed, backtest.history[sample, :fold_origin], dates[:fold_origin], HORIZON
    )
    same_seconds, same_cpu = await asyncio.to_thread(
        peers.prophet_same_work,
        backtest.history[sample],
        dates,
        backtest.origin,
        backtest.folds * backtest.steps,
        HORIZON,
    )
    figures["prophet"] = prophet_figures(args.products, prophet_seconds, prophet_cpu, same_seconds, same_cpu)
    figures["speed_ratio_vs_prophet"] = speed_ratios(figures["full_run"], figures["prophet"])
    return sample


async def peer_methods(
    args: argparse.Namespace, timed: TimedRun, figures: dict[str, Any]
) -> tuple[dict[str, fold_scores.FoldForecasts], list[str]]:
    """Step 4's methods, each one's forecasts of every fold it has, and their order in the report."""
    backtest, dates, count = timed.backtest, timed.dates, timed.backtest.folds
    # Accuracy: AutoETS and Prophet refitted at every fold's origin on every product (the same
    # products and history as every other method), in a pool of processes; not timed.
    started = time.perf_counter()
    ets, prophet = await asyncio.to_thread(peer_forecasts, backtest, dates, args.workers)
    figures["peer_accuracy_fits_seconds"] = round(time.perf_counter() - started, 1)
    figures["autoets_seconds_per_fold"] = [round(seconds, 1) for seconds in ets[1]]

    methods: dict[str, fold_scores.FoldForecasts] = {
        _label(name): fold_scores.backtest_method(backtest, name) for name in backtest.forecasts
    }
    methods[SERVED] = fold_scores.served_method(backtest, timed.trained.config.selection_margin)
    methods[AUTOETS] = ets[0]
    methods[PROPHET] = prophet
    # The like-for-like median: AutoETS's and Prophet's forecasts with intervals and median
    # calibrated on their own errors on the earlier folds, by the run's machinery.
    methods[AUTOETS_RECALIBRATED] = fold_scores.recalibrated(backtest, ets[0])
    methods[PROPHET_RECALIBRATED] = fold_scores.recalibrated(backtest, prophet)
    # The generator's expected demand: what a forecaster that knew the truth would forecast
    # (reported, never a peer), with a median calibrated the same way.
    panel_ids = list(timed.panel.product_ids)
    truth = timed.expected_demand.reindex(index=dates, columns=panel_ids)
    truth_matrix = truth.fillna(0.0).to_numpy(dtype=np.float64).T[:, backtest.origin :]
    methods[TRUTH] = fold_scores.recalibrated(
        backtest,
        fold_scores.FoldForecasts(
            forecasts={fold: truth_matrix[:, fold_scores.columns(backtest, fold)] for fold in range(count)},
            bounds={fold: None for fold in range(count)},
        ),
    )
    figures["truth_products_matched"] = int(np.isfinite(truth.to_numpy()).all(axis=0).sum())
    figures["truth_products"] = len(panel_ids)
    # The like-for-like comparison with AutoETS and Prophet: the same model, config and
    # holidays, trained anew on the days before each fold's origin (untimed).
    started = time.perf_counter()
    methods[REFITTED] = await asyncio.to_thread(
        fold_scores.refitted_model, backtest, timed.panel, timed.trained.config, timed.holidays
    )
    figures["refitted_model_fits_seconds"] = round(time.perf_counter() - started, 1)
    baselines = [_label(name) for name in backtest.forecasts if name != forecasting_model.MODEL_NAME]
    order = [MODEL, REFITTED, SERVED, *baselines]
    order += [AUTOETS, PROPHET, AUTOETS_RECALIBRATED, PROPHET_RECALIBRATED, TRUTH]
    return methods, list(dict.fromkeys(order))


def score_folds(timed: TimedRun, methods: dict[str, fold_scores.FoldForecasts], order: list[str]) -> dict[str, Any]:
    """Every method scored on each fold, pooled over all folds, and over folds 2 to the last."""
    backtest, dates, steps = timed.backtest, timed.dates, timed.backtest.steps
    all_folds = list(range(backtest.folds))
    later_folds = list(range(1, backtest.folds))
    fold_dates = {
        fold: f"{dates[fold_scores.origin(backtest, fold)].date()} … "
        f"{dates[fold_scores.origin(backtest, fold) + steps - 1].date()}"
        for fold in all_folds
    }
    return {
        "folds": {f"fold {fold + 1} ({fold_dates[fold]})": fold for fold in all_folds},
        "per_fold": {
            f"fold {fold + 1}": {
                label: fold_scores.score_fold(backtest, fold, methods[label])
                for label in order
                if fold in methods[label].forecasts
            }
            for fold in all_folds
        },
        "pooled_all_folds": {
            label: fold_scores.score_pooled(backtest, all_folds, methods[label]) for label in order if label != SERVED
        },
        "pooled_folds_2_to_last": {
            label: fold_scores.score_pooled(backtest, later_folds, methods[label]) for label in order
        },
    }


def reproduces_previous_scoring(timed: TimedRun, held_out: dict[str, dict[str, Any]]) -> bool:
    """The last fold exactly as the previous versions of this benchmark scored it (Backtest's
    own methods), as a check that the fold-by-fold scores reproduce it."""
    backtest = timed.backtest
    cut = (backtest.folds - 1) * backtest.steps
    actual = backtest.actual[:, cut:]
    previous: dict[str, dict[str, Any]] = {}
    for name, forecast in backtest.forecasts.items():
        previous[_label(name)] = _pooled(backtest.score_last_fold(forecast[:, cut:], forecast))
        previous[_label(name)]["rmsse_pooled"] = fold_scores.rmsse(backtest, actual, forecast[:, cut:])
    _, served_last, served_all = backtest.selected_last_fold(timed.trained.config.selection_margin)
    previous[SERVED] = _pooled(backtest.score_last_fold(served_last, served_all))
    previous[SERVED]["rmsse_pooled"] = fold_scores.rmsse(backtest, actual, served_last)
    return all({key: held_out[label][key] for key in row} == row for label, row in previous.items())


def held_out_fold(
    timed: TimedRun, methods: dict[str, fold_scores.FoldForecasts], sample: np.ndarray, held_out: dict[str, Any]
) -> dict[str, Any]:
    """The last fold: every product's scores, and those of Prophet's timing sample."""
    backtest, last = timed.backtest, timed.backtest.folds - 1
    actual = backtest.actual[:, last * backtest.steps :]
    scale, established = backtest.scale[sample], backtest.established[sample]

    def on_sample(label: str) -> dict[str, Any]:
        method = methods[label]
        bounds = method.bounds[last]
        picked = {level: (low[sample], high[sample]) for level, (low, high) in bounds.items()} if bounds else None
        return _pooled(score(actual[sample], method.forecasts[last][sample], scale, picked, established=established))

    return {
        "days": backtest.steps,
        "from": str(timed.dates[timed.last_origin].date()),
        "all_products": held_out,
        f"prophet_timing_sample_{len(sample)}_products": {
            label: on_sample(label) for label in (PROPHET, SERVED, MODEL, "moving_average", AUTOETS)
        },
    }


async def other_seeds(args: argparse.Namespace, timed: TimedRun) -> tuple[dict[str, Any], dict[str, Any]]:
    """Step 6: how much of the gaps is the model's own noise: the same run's backtest with other
    LightGBM seeds (not served, not chosen: the served model keeps its seed), model alone, and
    the model refitted at each origin with those seeds."""
    backtest, trained = timed.backtest, timed.trained
    all_folds, later_folds = list(range(backtest.folds)), list(range(1, backtest.folds))
    noise: dict[str, Any] = {}
    refitted_noise: dict[str, Any] = {}
    for seed in args.noise_seeds:
        config = dataclasses.replace(trained.config, seed=seed, threads=1)
        other = await asyncio.to_thread(forecasting_model.train, timed.panel, config=config, holidays=timed.holidays)
        assert other.evaluation.backtest is not None
        method = fold_scores.backtest_method(other.evaluation.backtest, forecasting_model.MODEL_NAME)
        noise[f"seed {seed}"] = {
            **{
                f"fold {fold + 1}": fold_scores.score_fold(other.evaluation.backtest, fold, method)
                for fold in all_folds
            },
            "pooled_all_folds": fold_scores.score_pooled(other.evaluation.backtest, all_folds, method),
            "pooled_folds_2_to_last": fold_scores.score_pooled(other.evaluation.backtest, later_folds, method),
        }
        refitted = await asyncio.to_thread(
            fold_scores.refitted_model,
            backtest,
            timed.panel,
            dataclasses.replace(trained.config, seed=seed),
            timed.holidays,
        )
        refitted_noise[f"seed {seed}"] = {
            **{f"fold {fold + 1}": fold_scores.score_fold(backtest, fold, refitted) for fold in all_folds},
            "pooled_all_folds": fold_scores.score_pooled(backtest, all_folds, refitted),
            "pooled_folds_2_to_last": fold_scores.score_pooled(backtest, later_folds, refitted),
        }
    return noise, refitted_noise


def peer_forecasts(
    backtest: Any, dates: pd.DatetimeIndex, workers: int
) -> tuple[tuple[fold_scores.FoldForecasts, list[float]], fold_scores.FoldForecasts]:
    """AutoETS and Prophet fitted at every fold's origin on the history before it, every
    product; Prophet in blocks of products. Deterministic (Prophet's interval sampling is
    seeded per fold and product)."""
    count, steps, products = backtest.folds, backtest.steps, backtest.history.shape[0]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        ets_jobs = []
        prophet_jobs: dict[int, list[Any]] = {}
        for fold in range(count):
            origin = fold_scores.origin(backtest, fold)
            history, history_dates = backtest.history[:, :origin], dates[:origin]
            ets_jobs.append(pool.submit(peers.autoets, history, history_dates, steps))
            prophet_jobs[fold] = [
                pool.submit(
                    peers.prophet_block,
                    history[start : start + PROPHET_BLOCK],
                    history_dates,
                    steps,
                    [fold * 100_000 + index for index in range(start, min(start + PROPHET_BLOCK, products))],
                )
                for start in range(0, products, PROPHET_BLOCK)
            ]
        ets_results = [job.result() for job in ets_jobs]
        prophet_results = {
            fold: peers.split(np.concatenate([job.result() for job in jobs])) for fold, jobs in prophet_jobs.items()
        }
    # Both models' errors are normal, so their own median is their forecast (clipped at zero,
    # as the forecast is).
    ets = fold_scores.FoldForecasts(
        forecasts={fold: result[0] for fold, result in enumerate(ets_results)},
        bounds={fold: result[1] for fold, result in enumerate(ets_results)},
        medians={fold: result[0] for fold, result in enumerate(ets_results)},
    )
    prophet = fold_scores.FoldForecasts(
        forecasts={fold: result[0] for fold, result in prophet_results.items()},
        bounds={fold: result[1] for fold, result in prophet_results.items()},
        medians={fold: result[0] for fold, result in prophet_results.items()},
    )
    return (ets, [result[2] for result in ets_results]), prophet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--prophet-sample", type=int, default=40)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--noise-seeds",
        type=lambda text: [int(part) for part in text.split(",") if part],
        default=[8, 9],
        help="other LightGBM seeds whose backtest (model alone) is scored, to show the seed noise",
    )
    parser.add_argument(
        "--speed-only",
        action="store_true",
        help="stop after the timings (the full run and Prophet's), before the accuracy fits (a minute, not 15)",
    )
    parser.add_argument("--workers", type=int, default=2, help="processes for the (untimed) AutoETS and Prophet fits")
    logging.basicConfig(level=logging.WARNING)
    print(json.dumps(asyncio.run(run(parser.parse_args())), indent=2, default=str))


if __name__ == "__main__":
    main()
