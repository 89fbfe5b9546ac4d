"""The forecasting benchmark's fold-by-fold scoring (bench/forecast/folds.py) on a hand-made
backtest: the last fold reproduces the run's own held-out scoring, and nothing scored on a fold
is chosen or calibrated with that fold's actuals."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from forecasting import baselines
from forecasting.evaluation import score, seasonal_scale
from forecasting.model import MODEL_NAME, Backtest


def _load_folds() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bench" / "forecast" / "folds.py"
    spec = importlib.util.spec_from_file_location("bench_forecast_folds", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


folds = _load_folds()

STEPS, FOLDS, DAYS, SERIES = 7, 4, 120, 30


def _backtest(actual_override: dict[int, float] | None = None) -> Backtest:
    rng = np.random.default_rng(4)
    levels = rng.uniform(0.2, 6.0, size=(SERIES, 1))
    history = rng.poisson(np.repeat(levels, DAYS, axis=1)).astype(float)
    origin = DAYS - FOLDS * STEPS
    forecasts: dict[str, np.ndarray] = {MODEL_NAME: np.repeat(levels, FOLDS * STEPS, axis=1) * 0.9}
    per_fold = [
        {name: function(history[:, : origin + k * STEPS], STEPS) for name, function in baselines.BASELINES.items()}
        for k in range(FOLDS)
    ]
    for name in baselines.BASELINES:
        forecasts[name] = np.concatenate([fold[name] for fold in per_fold], axis=1)
    actual = history[:, origin:].copy()
    for column, value in (actual_override or {}).items():
        actual[:, column] = value
    return Backtest(
        origin=origin,
        steps=STEPS,
        actual=actual,
        scale=seasonal_scale(history[:, :origin]),
        established=np.ones(SERIES, dtype=bool),
        intermittent=baselines.is_intermittent(history[:, :origin]),
        forecasts=forecasts,
        history=history,
        allowed=("moving_average", "tsb"),
    )


def test_fold_geometry() -> None:
    backtest = _backtest()
    assert folds.columns(backtest, 2) == slice(14, 21)
    assert folds.origin(backtest, 0) == backtest.origin and folds.origin(backtest, 3) == backtest.origin + 21
    assert [folds.calibration_days(backtest, fold) for fold in range(FOLDS)] == [0, 7, 14, 14]


def test_last_fold_reproduces_the_runs_held_out_scoring() -> None:
    backtest = _backtest()
    last, cut = FOLDS - 1, (FOLDS - 1) * STEPS
    for name, forecast in backtest.forecasts.items():
        expected = backtest.score_last_fold(forecast[:, cut:], forecast).pooled
        method = folds.backtest_method(backtest, name)
        row = folds.score_fold(backtest, last, method)
        assert {key: row[key] for key in expected} == expected
    chosen, served_last, served_all = backtest.selected_last_fold(0.05)
    mine, forecast, earlier = folds.served(backtest, last, 0.05)
    assert mine == chosen and np.array_equal(forecast, served_last) and np.array_equal(earlier, served_all[:, :cut])
    expected = backtest.score_last_fold(served_last, served_all).pooled
    row = folds.score_fold(backtest, last, folds.served_method(backtest, 0.05))
    assert {key: row[key] for key in expected} == expected


def test_choice_and_intervals_of_a_fold_ignore_its_actuals() -> None:
    plain = _backtest()
    # Every actual from fold 2 on replaced: the choice for fold 2 and the intervals of fold 2
    # must not move (only the scores do).
    changed = _backtest({column: 50.0 for column in range(2 * STEPS, FOLDS * STEPS)})
    assert folds.served(plain, 2, 0.05)[0] == folds.served(changed, 2, 0.05)[0]
    for name in plain.forecasts:
        a, b = folds.backtest_method(plain, name), folds.backtest_method(changed, name)
        assert a.bounds[0] is None
        assert all(
            np.array_equal(a.bounds[2][level][side], b.bounds[2][level][side])
            for level in (0.8, 0.95)
            for side in (0, 1)
        )  # type: ignore[index]
    with pytest.raises(ValueError):
        folds.served(plain, 0, 0.05)
    assert sorted(folds.served_method(plain, 0.05).forecasts) == [1, 2, 3]


def test_pooled_scores_are_the_scores_of_the_concatenated_folds() -> None:
    backtest = _backtest()
    method = folds.backtest_method(backtest, "moving_average")
    row = folds.score_pooled(backtest, range(FOLDS), method)
    forecast = backtest.forecasts["moving_average"]
    expected = score(backtest.actual, forecast, backtest.scale, established=backtest.established).pooled
    for key in ("mase", "mase_pooled", "wape", "bias"):
        assert row[key] == expected[key]
    # Coverage over folds 2-4 only, each fold with its own calibration.
    inside = [
        (backtest.actual[:, folds.columns(backtest, fold)] >= method.bounds[fold][0.8][0] - 1e-9)
        & (backtest.actual[:, folds.columns(backtest, fold)] <= method.bounds[fold][0.8][1] + 1e-9)
        for fold in range(1, FOLDS)
    ]
    assert row["coverage_80"] == pytest.approx(float(np.concatenate(inside, axis=1).mean()), abs=1e-4)
    assert row["rmsse_pooled"] == folds.rmsse(backtest, backtest.actual, forecast)
    with pytest.raises(ValueError):
        folds.score_pooled(backtest, [0, 2], method)
