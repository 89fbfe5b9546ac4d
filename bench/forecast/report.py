"""How the forecasting benchmark (`run.py`) reports: the compared methods' labels, Prophet's
time per product and the speed ratios against the run, and the rule, fixed before the first
runs, that decides whether a method beats the others."""

from __future__ import annotations

from typing import Any

import folds as fold_scores
import numpy as np

MODEL = "global model alone"
REFITTED = "global model refitted at each origin"
SERVED = "served (model + per-product fallback)"
AUTOETS = "statsforecast AutoETS"
PROPHET = "Prophet (one model per product)"
AUTOETS_RECALIBRATED = "statsforecast AutoETS, recalibrated"
PROPHET_RECALIBRATED = "Prophet, recalibrated"
TRUTH = "true expected demand (not a forecast)"
OURS = (MODEL, REFITTED, SERVED)
POINT_METRICS = ("mase", "mase_pooled", "wape", "rmsse_pooled")


def prophet_figures(
    products: int, seconds: list[float], cpu: list[float], same_seconds: list[float], same_cpu: list[float]
) -> dict[str, Any]:
    """Prophet's time per product, fitting and forecasting and doing the run's work."""
    per_product = float(np.median(seconds))
    return {
        "timing_sample_products": len(seconds),
        "seconds_per_product_median": round(per_product, 3),
        "seconds_per_product_mean": round(float(np.mean(seconds)), 3),
        "estimated_seconds_for_all_products": round(per_product * products, 1),
        "cpu_seconds_per_product_median": round(float(np.median(cpu)), 3),
        "same_work_seconds_per_product_median": round(float(np.median(same_seconds)), 3),
        "same_work_cpu_seconds_per_product_median": round(float(np.median(same_cpu)), 3),
    }


def speed_ratios(full_run: dict[str, Any], prophet: dict[str, Any]) -> dict[str, Any]:
    run_wall, run_cpu = full_run["seconds_per_product"], full_run["cpu_seconds_per_product"]
    return {
        # Prophet's fit + one 30-day forecast per product against our whole run per product
        # (which also loads, backtests every method, calibrates intervals and stores).
        "fit_and_forecast": round(prophet["seconds_per_product_median"] / run_wall, 1),
        "fit_and_forecast_by_cpu_time": round(prophet["cpu_seconds_per_product_median"] / run_cpu, 1),
        # Prophet doing the run's work per product (backtest fit + final fit, both forecasting
        # with 80/95 % intervals; not loading or storing) against our whole run per product.
        "same_work": round(prophet["same_work_seconds_per_product_median"] / run_wall, 1),
        "same_work_by_cpu_time": round(prophet["same_work_cpu_seconds_per_product_median"] / run_cpu, 1),
        "target": 20,
    }


def beats(
    rows: dict[str, dict[str, Any]],
    contender: str,
    *,
    coverage: bool = True,
    metrics: tuple[str, ...] = POINT_METRICS,
    not_peers: tuple[str, ...] = (*OURS, TRUTH, AUTOETS_RECALIBRATED, PROPHET_RECALIBRATED),
) -> dict[str, Any]:
    """Per metric, whether `contender` beats every peer in `rows` (the model's other forms —
    alone, refitted at each origin, served — and the truth are not peers), and the peers that
    it does not beat. By default the rule fixed before the first runs: the mean forecasts'
    scores, against the peers as they come."""
    others = {label: row for label, row in rows.items() if label not in not_peers}
    mine = rows[contender]
    result: dict[str, Any] = {}
    for metric in metrics:
        losing = [label for label, row in others.items() if row[metric] is not None and not mine[metric] < row[metric]]
        result[metric] = {"beats_every_peer": not losing, "not_beaten": losing}
    if coverage:
        for metric, nominal in (("coverage_80", 0.80), ("coverage_95", 0.95)):
            if mine[metric] is None:
                continue
            gap = abs(mine[metric] - nominal)
            losing = [
                label for label, row in others.items() if row[metric] is not None and abs(row[metric] - nominal) < gap
            ]
            result[metric] = {"no_farther_from_nominal_than_every_peer": not losing, "closer": losing}
    return result


def beats_median(rows: dict[str, dict[str, Any]], contender: str, *, coverage: bool = True) -> dict[str, Any]:
    """The same rule on the median forecasts (mean MASE, pooled MASE and WAPE of each method's
    median), against every peer as it comes (AutoETS's and Prophet's median is their mean) and
    recalibrated by the run's machinery, whose intervals count for coverage too."""
    return beats(rows, contender, coverage=coverage, metrics=fold_scores.MEDIAN_KEYS, not_peers=(*OURS, TRUTH))


def verdict(accuracy: dict[str, Any], held_out: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The accuracy target, decided before the figures: "beats" = strictly lower pooled MASE
    (Σ/Σ), mean MASE and WAPE than every peer (RMSSE reported too), and coverage no farther
    from nominal at 80 % and at 95 %; the model alone over all four folds, what is served
    over the folds it exists on; the last fold alone for comparison with earlier versions."""
    return {
        "model_alone_all_folds": beats(accuracy["pooled_all_folds"], MODEL),
        "model_alone_folds_2_to_last": beats(accuracy["pooled_folds_2_to_last"], MODEL),
        "served_folds_2_to_last": beats(accuracy["pooled_folds_2_to_last"], SERVED),
        "model_alone_last_fold": beats(held_out, MODEL),
        "served_last_fold": beats(held_out, SERVED),
        # Each method's median scored by MASE and WAPE (the point forecast absolute errors call
        # for), where every method has one: folds 2 to the last.
        "median_model_alone_folds_2_to_last": beats_median(accuracy["pooled_folds_2_to_last"], MODEL),
        "median_served_folds_2_to_last": beats_median(accuracy["pooled_folds_2_to_last"], SERVED),
        "median_model_refitted_folds_2_to_last": beats_median(accuracy["pooled_folds_2_to_last"], REFITTED),
        "median_model_alone_per_fold": {
            name: beats_median(rows, MODEL, coverage=False)
            for name, rows in accuracy["per_fold"].items()
            if rows[MODEL]["mase_median"] is not None
        },
        "model_alone_per_fold": {
            name: beats(rows, MODEL, coverage=False) for name, rows in accuracy["per_fold"].items()
        },
        # The same rule for the model refitted at each origin, as AutoETS and Prophet are.
        "model_refitted_all_folds": beats(accuracy["pooled_all_folds"], REFITTED),
        "model_refitted_folds_2_to_last": beats(accuracy["pooled_folds_2_to_last"], REFITTED),
        "model_refitted_per_fold": {
            name: beats(rows, REFITTED, coverage=False) for name, rows in accuracy["per_fold"].items()
        },
    }
