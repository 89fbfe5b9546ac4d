"""`LevelFeatures` computes exactly what skforecast's `RollingFeatures` computes, faster."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from skforecast.preprocessing import RollingFeatures

from forecasting.features import LevelFeatures


def reference() -> RollingFeatures:
    return RollingFeatures(
        stats=["mean", "mean", "mean", "std", "ewm"],
        window_sizes=[7, 28, 91, 28, 91],
        kwargs_stats={"ewm": {"alpha": 0.05}},
    )


def test_batch_features_match_skforecast_rolling_features() -> None:
    rng = np.random.default_rng(5)
    series = pd.Series(
        rng.poisson(0.7, 400).astype(float) * rng.gamma(2, 1, 400),
        index=pd.date_range("2025-01-01", periods=400, freq="D"),
    )
    mine, theirs = LevelFeatures().transform_batch(series), reference().transform_batch(series)
    assert mine.index.equals(theirs.index) and len(mine) == 400 - 91
    assert np.allclose(mine.to_numpy(), theirs.to_numpy(), rtol=1e-9, atol=1e-9)


def test_window_features_match_the_batch_row_of_the_next_day() -> None:
    rng = np.random.default_rng(8)
    values = rng.poisson(2.0, (200, 4)).astype(float)
    features = LevelFeatures()
    batch = features.transform_batch(pd.Series(values[:, 2], index=pd.RangeIndex(200)))
    # The row for day 150 is computed from days 59…149 only.
    assert np.allclose(features.transform(values[:150])[2], batch.loc[150].to_numpy())
    assert np.allclose(features.transform(values[:150, 2]), batch.loc[150].to_numpy())
    assert np.allclose(features.transform(values[:150]), reference().transform(values[:150]))


def test_bad_windows_are_refused() -> None:
    with pytest.raises(ValueError):
        LevelFeatures(ewm_alpha=0)
    with pytest.raises(ValueError):
        LevelFeatures(stds=(1,))


RICHER = dict(
    more_ewm_alphas=(0.1, 0.3),
    weekday_weeks=(4, 8),
    weekday_alpha=0.2,
    ratios=(("weekday_mean_8w", "roll_mean_28"), ("roll_mean_7", "roll_mean_28")),
)


def test_weighted_means_same_weekday_means_and_ratios() -> None:
    rng = np.random.default_rng(3)
    values = rng.poisson(1.5, 200).astype(float)
    values[100:130] = 0.0  # a month without sales: the ratios of an empty window read 1
    features = LevelFeatures(**RICHER)
    batch = features.transform_batch(pd.Series(values, index=pd.RangeIndex(200)))
    assert list(batch.columns) == features.features_names and len(batch) == 200 - 91
    row = batch.loc[150]
    before = values[:150]
    weeks = before[::-1][6::7]  # 7, 14, 21, … days before day 150
    decay = 0.8 ** np.arange(8)
    assert row["weekday_mean_4w"] == pytest.approx((weeks[:4] * decay[:4]).sum() / decay[:4].sum())
    assert row["weekday_mean_8w"] == pytest.approx((weeks[:8] * decay).sum() / decay.sum())
    ewm = 0.9 ** np.arange(91)
    assert row["roll_ewm_91_alpha_0.1"] == pytest.approx((before[::-1][:91] * ewm).sum() / ewm.sum())
    assert row["roll_mean_7_over_roll_mean_28"] == pytest.approx(before[-7:].mean() / before[-28:].mean())
    assert batch.loc[130, "roll_mean_7_over_roll_mean_28"] == 1.0
    # The recursive path (`transform`) gives exactly the batch row, for one or many series.
    assert np.allclose(features.transform(before), row.to_numpy())
    many = np.column_stack([values, values * 2])[:150]
    assert np.allclose(features.transform(many)[1], features.transform(before * 2))


def test_ratios_of_unknown_features_are_refused() -> None:
    with pytest.raises(ValueError):
        LevelFeatures(ratios=(("weekday_mean_8w", "roll_mean_28"),))
