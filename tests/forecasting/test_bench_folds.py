"""The forecasting benchmark's fold-by-fold scoring (bench/forecast/folds.py) on a hand-made
backtest: the last fold reproduces the run's own held-out scoring, and nothing scored on a fold
is chosen or calibrated with that fold's actuals."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from forecasting import baselines
from forecasting.evaluation import demand_profiles, score, seasonal_scale
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
        profiles=demand_profiles(history[:, :origin]),
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


def test_refitted_model_is_trained_at_each_origin_on_the_days_before_it() -> None:
    from forecasting.model import ModelConfig, Panel, make_panel, predict, train

    rng = np.random.default_rng(8)
    days, products = 260, 8
    week = np.array([0.6, 0.7, 0.8, 0.9, 1.3, 1.8, 0.9])
    levels = rng.uniform(2, 10, size=(products, 1))
    values = rng.poisson(levels * np.tile(week, days // 7 + 1)[:days]).astype(float)
    values[-1, :240] = 0.0  # a product first sold inside the backtest (after the first origin)
    dates = pd.date_range("2025-01-06", periods=days, freq="D")
    frame = pd.DataFrame(
        [
            (f"p{row}", dates[day], values[row, day])
            for row in range(products)
            for day in range(days)
            if values[row, day]
        ],
        columns=["product_id", "date", "quantity"],
    )
    panel = make_panel(frame)
    config = ModelConfig(
        n_estimators=20, learning_rate=0.2, min_child_samples=20, backtest_folds=2, fold_days=14, threads=1
    )
    backtest = train(panel, config=config).evaluation.backtest
    assert backtest is not None and backtest.folds == 2

    refitted = folds.refitted_model(backtest, panel, config)
    assert sorted(refitted.forecasts) == [0, 1]
    for fold in (0, 1):
        forecast = refitted.forecasts[fold]
        assert forecast.shape == (products, backtest.steps) and np.isfinite(forecast).all() and (forecast >= 0).all()
        low, high = refitted.bounds[fold][0.8]  # type: ignore[index]
        assert (low <= forecast + 1e-9).all() and (forecast <= high + 1e-9).all()
    # Fold 0 is the model trained on the days before the first origin, every product on it.
    history = folds.truncated(panel, backtest.origin)
    assert history.days == backtest.origin and history.first_sale[-1] == backtest.origin  # not sold yet
    alone = train(history, config=config)
    alone.methods = {}
    expected = predict(alone, history, backtest.steps)["yhat"].to_numpy().reshape(products, backtest.steps)
    assert np.allclose(refitted.forecasts[0], expected)
    # A fold's forecast never reads that fold's actuals (or any later day).
    changed = Panel(panel.product_ids, panel.dates, panel.values.copy(), panel.first_sale)
    changed.values[:, folds.origin(backtest, 1) :] = 40.0
    other = dataclasses.replace(backtest, history=changed.values)
    again = folds.refitted_model(other, changed, config)
    assert np.allclose(again.forecasts[1], refitted.forecasts[1]) and np.allclose(
        again.forecasts[0], refitted.forecasts[0]
    )
    with pytest.raises(ValueError):
        folds.refitted_model(backtest, changed, config)
