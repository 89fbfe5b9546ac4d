"""Forecasting on real shops' data: a rolling-origin backtest of `forecasting.model` against
the peers a manager could use instead, on the same folds, per data set and pooled.

    .venv/bin/python bench/forecast/real.py [--data-dir ../shared/data/forecast] [--sets pasta_it_daily,bakery_de_daily]
                                            [--no-prophet] [--workers 2] [--out result.json]

What it does, for each data set (`<name>.csv` in the long format `product_id,date,quantity`,
one row per product and calendar day):

1. cuts 4 rolling origins 14 days apart at the end of the history (folds 1–4 are the last 56
   days, 14 days each); every method forecasts fold k from the days before its origin only;
2. forecasts every fold with
   - **the model**: `forecasting.model.train` + `predict` on the history before the origin,
     exactly what `forecasting.model.forecast` does (it returns one interval; this keeps
     both), with the data set's country's public holidays as a tenant of that country has;
     its mean (`yhat`) and its median (`yhat_median`) are scored as two methods;
   - **seasonal naive** (last week repeated) and the **28-day moving average**;
   - **AutoETS** (statsforecast, `season_length=7`, with its own 80/95 % intervals);
   - **Prophet** (defaults, `interval_width` 0.80 and 0.95, clipped at zero; `--no-prophet`
     skips it);
   - **a plain global LightGBM** (skforecast `ForecasterRecursiveMultiSeries` over
     `LGBMRegressor()` with default settings, lags 1…28, clipped at zero);
3. scores each method per fold, over folds 1–3 (where every decision about the model is
   made) and on fold 4 (the holdout), per data set and pooled over the data sets:
   MASE (seasonal period 7, each series' scale its in-sample seasonal-naive MAE on the
   training window before the fold's origin; pooled Σ|error| / Σ(scale × days), and the mean
   of the per-series MASE), WAPE, RMSSE (pooled Σerror² / Σ(squared scale × days)), bias,
   80 % and 95 % coverage (methods that give intervals), wall time;
4. per product: the share of products on which the model's median is at least as good (MASE
   over the folds) as the data set's best peer (the peer with the lowest pooled MASE), and as
   each peer;
5. prints one JSON document and writes it with `--out`.

The peers' forecasts are cached (`.orbit/bench-forecast-cache/`, keyed by the data file's
digest, the method and the fold), so a run that changes only the model costs only the model's
fits; `--no-cache` recomputes everything. Needs the `bench` dependency group (statsforecast,
prophet).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from forecasting import baselines  # noqa: E402
from forecasting.evaluation import INTERVALS  # noqa: E402
from forecasting.model import Panel, make_panel, predict, train  # noqa: E402

HORIZON = 14
ORIGINS = 4
SEASON = 7
DECIDE = (0, 1, 2)  # folds 1–3: every choice about the model is made on these
HOLDOUT = (3,)  # fold 4
SETS = {"pasta_it_daily": "IT", "bakery_de_daily": "DE"}
PEERS = ("seasonal_naive", "moving_average_28", "autoets", "prophet", "lightgbm_plain")
CACHE_VERSION = 1  # bump when a peer's code changes

Bounds = dict[float, tuple[np.ndarray, np.ndarray]]


class Forecast:
    """One method's forecast of one fold: point (series, horizon) and optional bounds."""

    def __init__(self, point: np.ndarray, bounds: Bounds | None = None, seconds: float = 0.0) -> None:
        self.point = np.clip(np.asarray(point, dtype=np.float64), 0.0, None)
        self.bounds = bounds
        self.seconds = seconds


# Peers ---------------------------------------------------------------------------------------


def seasonal_naive(history: np.ndarray, dates: pd.DatetimeIndex) -> Forecast:
    return Forecast(baselines.seasonal_naive(history, HORIZON))


def moving_average_28(history: np.ndarray, dates: pd.DatetimeIndex) -> Forecast:
    return Forecast(baselines.moving_average(history, HORIZON, 28))


def autoets(history: np.ndarray, dates: pd.DatetimeIndex) -> Forecast:
    from peers import autoets as fit

    point, bounds, seconds = fit(history, dates, HORIZON)
    return Forecast(point, bounds, seconds)


def _prophet_rows(history: np.ndarray, dates: pd.DatetimeIndex, rows: list[int]) -> np.ndarray:
    from peers import prophet_block

    return prophet_block(history[rows], dates, HORIZON, [11 + row for row in rows])


def prophet(history: np.ndarray, dates: pd.DatetimeIndex, workers: int = 2) -> Forecast:
    from peers import split

    started = time.perf_counter()
    chunks = [list(range(start, history.shape[0], workers)) for start in range(workers)]
    block = np.zeros((history.shape[0], 5, HORIZON))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for rows, result in zip(
            chunks, pool.map(_prophet_rows, [history] * workers, [dates] * workers, chunks), strict=True
        ):
            block[rows] = result
    point, bounds = split(block)
    return Forecast(point, bounds, time.perf_counter() - started)


def lightgbm_plain(history: np.ndarray, dates: pd.DatetimeIndex) -> Forecast:
    """skforecast's global recursive forecaster over LightGBM with its default settings."""
    from lightgbm import LGBMRegressor
    from skforecast.recursive import ForecasterRecursiveMultiSeries

    started = time.perf_counter()
    names = [f"s{row:04d}" for row in range(history.shape[0])]
    frame = pd.DataFrame(history.T, index=dates, columns=names)
    frame.index.freq = "D"
    forecaster = ForecasterRecursiveMultiSeries(estimator=LGBMRegressor(random_state=7, verbose=-1, n_jobs=1), lags=28)
    forecaster.fit(series=frame, suppress_warnings=True)
    predicted = forecaster.predict(steps=HORIZON, suppress_warnings=True)
    wide = predicted.pivot(columns="level", values="pred")[names]
    return Forecast(wide.to_numpy().T, None, time.perf_counter() - started)


PEER_FUNCTIONS: dict[str, Callable[..., Forecast]] = {
    "seasonal_naive": seasonal_naive,
    "moving_average_28": moving_average_28,
    "autoets": autoets,
    "prophet": prophet,
    "lightgbm_plain": lightgbm_plain,
}


# The model -----------------------------------------------------------------------------------


def model_fold(panel: Panel, end: int, country: str | None) -> tuple[Forecast, Forecast, dict[str, str]]:
    """The model trained on the days before `end`, forecasting the fold: mean and median (both
    with the same intervals), and the method it chose per product."""
    from forecasting.holiday_calendar import HolidayCalendar

    started = time.perf_counter()
    history = Panel(
        panel.product_ids,
        panel.dates[:end],
        panel.values[:, :end],
        np.minimum(panel.first_sale, end).astype(np.int64),
        panel.groups,
    )
    holidays = HolidayCalendar.for_country(country) if country else None
    trained = train(history, holidays=holidays, horizon=HORIZON)
    frame = predict(trained, history, HORIZON)
    seconds = time.perf_counter() - started
    shape = (len(panel.product_ids), HORIZON)

    def matrix(column: str) -> np.ndarray:
        return frame[column].to_numpy(dtype=np.float64).reshape(shape)

    bounds = {
        nominal: (matrix(f"yhat_lower_{int(nominal * 100)}"), matrix(f"yhat_upper_{int(nominal * 100)}"))
        for nominal in INTERVALS
    }
    methods = dict(zip(frame["product_id"].to_numpy()[::HORIZON], frame["method"].to_numpy()[::HORIZON], strict=True))
    return (
        Forecast(matrix("yhat"), bounds, seconds),
        Forecast(matrix("yhat_median"), bounds, seconds),
        {str(k): str(v) for k, v in methods.items()},
    )


# Scoring -------------------------------------------------------------------------------------


def fold_sums(history: np.ndarray, actual: np.ndarray, forecast: Forecast) -> dict[str, Any]:
    """Per series sums of one fold (to pool over folds, series and data sets)."""
    error = forecast.point - actual
    diff = history[:, SEASON:] - history[:, :-SEASON]
    scale = np.abs(diff).mean(axis=1)
    scale2 = (diff**2).mean(axis=1)
    sums: dict[str, Any] = {
        "abs": np.abs(error).sum(axis=1),
        "sq": (error**2).sum(axis=1),
        "err": error.sum(axis=1),
        "actual": actual.sum(axis=1),
        "scale": scale * actual.shape[1],
        "scale2": scale2 * actual.shape[1],
        "days": np.full(actual.shape[0], actual.shape[1]),
    }
    for nominal in INTERVALS:
        if forecast.bounds is not None:
            lower, upper = forecast.bounds[nominal]
            inside = (actual >= lower - 1e-9) & (actual <= upper + 1e-9)
            sums[f"in_{int(nominal * 100)}"] = inside.sum(axis=1)
    return sums


def _add(parts: list[dict[str, Any]]) -> dict[str, Any]:
    keys = set.intersection(*(set(part) for part in parts))
    return {key: sum(part[key] for part in parts) for key in keys}


def figures(sums: dict[str, Any], seconds: float | None = None) -> dict[str, Any]:
    """Pooled scores of summed per-series parts."""
    defined = sums["scale"] > 0
    per_series = np.where(defined, sums["abs"] / np.where(defined, sums["scale"], 1.0), np.nan)
    result: dict[str, Any] = {
        "mase_pooled": _round(sums["abs"][defined].sum() / sums["scale"][defined].sum()),
        "mase_mean": _round(float(np.nanmean(per_series))),
        "wape": _round(sums["abs"].sum() / sums["actual"].sum()),
        "rmsse_pooled": _round(math.sqrt(sums["sq"][defined].sum() / sums["scale2"][defined].sum())),
        "bias": _round(sums["err"].sum() / sums["actual"].sum()),
        "coverage_80": None,
        "coverage_95": None,
    }
    for nominal in (80, 95):
        if f"in_{nominal}" in sums:
            result[f"coverage_{nominal}"] = _round(sums[f"in_{nominal}"].sum() / sums["days"].sum())
    if seconds is not None:
        result["seconds"] = round(seconds, 2)
    return result


def per_series_mase(sums: dict[str, Any]) -> np.ndarray:
    defined = sums["scale"] > 0
    return np.where(defined, sums["abs"] / np.where(defined, sums["scale"], 1.0), np.nan)


def _round(value: float) -> float | None:
    return None if not math.isfinite(value) else round(float(value), 4)


# Running -------------------------------------------------------------------------------------


def cache_path(cache: Path, digest: str, name: str, fold: int) -> Path:
    return cache / f"{digest[:16]}-{name}-v{CACHE_VERSION}-fold{fold + 1}.npz"


def cached_peer(cache: Path | None, digest: str, name: str, fold: int, compute: Callable[[], Forecast]) -> Forecast:
    path = cache_path(cache, digest, name, fold) if cache else None
    if path is not None and path.exists():
        stored = np.load(path)
        bounds = None
        if "lower_80" in stored:
            bounds = {n: (stored[f"lower_{int(n * 100)}"], stored[f"upper_{int(n * 100)}"]) for n in INTERVALS}
        return Forecast(stored["point"], bounds, float(stored["seconds"]))
    result = compute()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {"point": result.point, "seconds": np.array(result.seconds)}
        if result.bounds is not None:
            for nominal, (lower, upper) in result.bounds.items():
                arrays[f"lower_{int(nominal * 100)}"] = lower
                arrays[f"upper_{int(nominal * 100)}"] = upper
        np.savez(path, **arrays)
    return result


def run_set(path: Path, country: str | None, args: argparse.Namespace) -> dict[str, Any]:
    """Every method on every fold of one data set: the per-series sums and the scores."""
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    history = pd.read_csv(path, dtype={"product_id": str})
    panel = make_panel(history)
    days = panel.days
    origins = [days - (ORIGINS - fold) * HORIZON for fold in range(ORIGINS)]
    peers = [name for name in PEERS if not (name == "prophet" and args.no_prophet)]
    cache = None if args.no_cache else ROOT / ".orbit" / "bench-forecast-cache"
    sums: dict[str, list[dict[str, Any]]] = {}
    seconds: dict[str, list[float]] = {}
    chosen: list[dict[str, str]] = []
    for fold, end in enumerate(origins):
        train_values = panel.values[:, :end]
        actual = panel.values[:, end : end + HORIZON]
        forecasts: dict[str, Forecast] = {}
        for name in peers:
            function = PEER_FUNCTIONS[name]
            options = {"workers": args.workers} if name == "prophet" else {}
            forecasts[name] = cached_peer(
                cache,
                digest,
                name,
                fold,
                functools.partial(function, train_values, panel.dates[:end], **options),
            )
        mean, median, methods = model_fold(panel, end, country if not args.no_holidays else None)
        forecasts["model_mean"], forecasts["model_median"] = mean, median
        chosen.append(methods)
        for name, forecast in forecasts.items():
            sums.setdefault(name, []).append(fold_sums(train_values, actual, forecast))
            seconds.setdefault(name, []).append(forecast.seconds)
        print(
            f"{path.stem} fold {fold + 1}: "
            + ", ".join(f"{name} {figures(sums[name][-1])['mase_pooled']}" for name in forecasts),
            file=sys.stderr,
        )
    return {"panel": panel, "digest": digest, "sums": sums, "seconds": seconds, "chosen": chosen, "origins": origins}


def report(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Scores per data set and pooled, over folds 1–3, the holdout fold 4 and all four."""
    spans = {"folds_1_3": DECIDE, "holdout_fold_4": HOLDOUT, "all_folds": tuple(range(ORIGINS))}
    methods = list(next(iter(runs.values()))["sums"])
    peers = [name for name in methods if name in PEERS]
    result: dict[str, Any] = {"sets": {}, "pooled": {}}
    for span, folds in spans.items():
        pooled_parts: dict[str, list[dict[str, Any]]] = {name: [] for name in methods}
        for set_name, run in runs.items():
            entry = result["sets"].setdefault(set_name, {})
            scores = {}
            for name in methods:
                summed = _add([run["sums"][name][fold] for fold in folds])
                pooled_parts[name].append(summed)
                scores[name] = figures(summed, sum(run["seconds"][name][fold] for fold in folds))
            entry[span] = scores
            entry.setdefault("win_share", {})[span] = win_share(run, folds, peers, scores)
        # Data sets pooled: the series of every set side by side.
        result["pooled"][span] = {
            name: figures({key: np.concatenate([part[key] for part in parts]) for key in parts[0]})
            for name, parts in pooled_parts.items()
        }
    for set_name, run in runs.items():
        entry = result["sets"][set_name]
        entry["products"] = len(run["panel"].product_ids)
        entry["days"] = run["panel"].days
        entry["origins"] = [str(run["panel"].dates[end].date()) for end in run["origins"]]
        entry["sha256"] = run["digest"]
        last = run["chosen"][-1]
        entry["methods_chosen_at_fold_4"] = _count(last.values())
    result["targets"] = targets(result)
    return result


def win_share(run: dict[str, Any], folds: tuple[int, ...], peers: list[str], scores: dict[str, Any]) -> dict[str, Any]:
    """Share of products where the model's median has a MASE (over `folds`) at most the peer's."""
    model = per_series_mase(_add([run["sums"]["model_median"][fold] for fold in folds]))
    best = min(peers, key=lambda name: scores[name]["mase_pooled"])
    shares: dict[str, Any] = {"best_peer": best}
    for name in peers:
        peer = per_series_mase(_add([run["sums"][name][fold] for fold in folds]))
        defined = np.isfinite(model) & np.isfinite(peer)
        shares[name] = _round(float((model[defined] <= peer[defined] + 1e-12).mean()))
    shares["vs_best_peer"] = shares[best]
    each = np.vstack([per_series_mase(_add([run["sums"][name][fold] for fold in folds])) for name in peers])
    each_best = np.nanmin(each, axis=0)
    defined = np.isfinite(model) & np.isfinite(each_best)
    shares["vs_each_products_best_peer"] = _round(float((model[defined] <= each_best[defined] + 1e-12).mean()))
    return shares


def targets(result: dict[str, Any]) -> dict[str, Any]:
    """The issue's targets, checked on every set and span."""
    checks: dict[str, Any] = {}
    for set_name, entry in result["sets"].items():
        for span in ("folds_1_3", "holdout_fold_4"):
            scores = entry[span]
            peers = {name: value for name, value in scores.items() if name in PEERS}
            best = min(peers, key=lambda name: peers[name]["mase_pooled"])
            model = scores["model_median"]
            lead = 1 - model["mase_pooled"] / peers[best]["mase_pooled"]
            checks[f"{set_name} {span}"] = {
                "best_peer": best,
                "best_peer_mase": peers[best]["mase_pooled"],
                "model_median_mase": model["mase_pooled"],
                "lead": round(lead, 4),
                "beats_best_peer": lead > 0,
                "lead_3_percent": lead >= 0.03,
                "coverage_80_in_75_85": model["coverage_80"] is not None and 0.75 <= model["coverage_80"] <= 0.85,
                "coverage_95_in_90_97": model["coverage_95"] is not None and 0.90 <= model["coverage_95"] <= 0.97,
                "majority_of_products": entry["win_share"][span]["vs_best_peer"] > 0.5,
            }
    return checks


def _count(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("FORECAST_DATA_DIR", ROOT.parent / "shared" / "data" / "forecast")),
        help="directory of the data sets (FORECAST_DATA_DIR)",
    )
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated data set names")
    parser.add_argument("--no-prophet", action="store_true", help="skip Prophet (the slowest peer)")
    parser.add_argument("--no-holidays", action="store_true", help="the model without its country's holidays")
    parser.add_argument("--no-cache", action="store_true", help="recompute the peers' forecasts")
    parser.add_argument("--workers", type=int, default=2, help="processes for Prophet's fits")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    started = time.perf_counter()
    runs = {name: run_set(args.data_dir / f"{name}.csv", SETS.get(name), args) for name in args.sets.split(",") if name}
    result = {
        "benchmark": "forecast-real",
        "horizon_days": HORIZON,
        "origins": ORIGINS,
        "decide_on": "folds 1-3",
        "holdout": "fold 4",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load_average": os.getloadavg()},
        **report(runs),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
