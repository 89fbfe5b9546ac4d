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
