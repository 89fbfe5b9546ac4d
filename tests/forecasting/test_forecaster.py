"""The global forecaster builds the same training matrix as skforecast's, all series at once."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
from lightgbm import LGBMRegressor
from skforecast.preprocessing import CalendarFeatures
from skforecast.recursive import ForecasterRecursiveMultiSeries as SkforecastMultiSeries
from sklearn.preprocessing import StandardScaler

from forecasting.features import LevelFeatures
from forecasting.forecaster import ForecasterRecursiveMultiSeries

RICH_FEATURES = dict(weekday_weeks=(4,), weekday_alpha=0.1, ratios=(("roll_mean_7", "roll_mean_28"),))


def series_frame(products: int = 40, days: int = 260) -> pd.DataFrame:
    rng = np.random.default_rng(17)
    rates = rng.gamma(0.6, 2.0, products)
    weekly = 1 + 0.4 * np.sin(2 * np.pi * np.arange(days) / 7)
    values = rng.poisson(rates[:, None] * weekly[None, :]).astype(float)
    values[3] = 0.0  # a product that never sold
    return pd.DataFrame(
        values.T,
        index=pd.date_range("2025-03-01", periods=days, freq="D"),
        columns=[f"p{i:02d}" for i in range(products)],
    )


def exog_for(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"holiday": (frame.index.day == 1).astype(float)}, index=frame.index)


def build(cls: type, **options: object) -> object:
    forecaster = cls(
        estimator=LGBMRegressor(n_estimators=5, verbose=-1, n_jobs=1),
        lags=[1, 2, 7, 14],
        window_features=options.pop("window_features", LevelFeatures(**RICH_FEATURES)),  # type: ignore[arg-type]
        calendar_features=CalendarFeatures(features=["day_of_week", "month"], encoding=None),
        **options,
    )
    forecaster._probabilistic_mode = False
    return forecaster


def training_matrices(cls: type, frame: pd.DataFrame, **options: object) -> tuple[pd.DataFrame, pd.Series]:
    forecaster = build(cls, **options)
    forecaster.fit(series=frame, exog=exog_for(frame), suppress_warnings=True)  # type: ignore[attr-defined]
    return forecaster.create_train_X_y(series=frame, exog=exog_for(frame), suppress_warnings=True)  # type: ignore[attr-defined,no-any-return]


def test_training_matrix_equals_skforecasts() -> None:
    frame = series_frame()
    for encoding in ("ordinal", None):
        mine_X, mine_y = training_matrices(ForecasterRecursiveMultiSeries, frame, encoding=encoding)
        their_X, their_y = training_matrices(SkforecastMultiSeries, frame, encoding=encoding)
        assert list(mine_X.columns) == list(their_X.columns)
        assert mine_X.index.equals(their_X.index) and mine_y.equals(their_y)
        assert np.allclose(mine_X.to_numpy(), their_X.to_numpy(), rtol=1e-12, atol=1e-12)
        assert len(mine_X) == 40 * (260 - 91)  # every series, after the longest window (91 days)


def test_fitted_forecasters_predict_alike_and_pickle() -> None:
    frame = series_frame()
    mine, theirs = (
        build(ForecasterRecursiveMultiSeries, encoding="ordinal"),
        build(SkforecastMultiSeries, encoding="ordinal"),
    )
    for forecaster in (mine, theirs):
        forecaster.fit(series=frame.iloc[:-14], exog=exog_for(frame.iloc[:-14]), suppress_warnings=True)  # type: ignore[attr-defined]
    future = exog_for(frame.iloc[-14:])
    mine_prediction = mine.predict(steps=14, exog=future, suppress_warnings=True)  # type: ignore[attr-defined]
    their_prediction = theirs.predict(steps=14, exog=future, suppress_warnings=True)  # type: ignore[attr-defined]
    assert np.allclose(mine_prediction["pred"].to_numpy(), their_prediction["pred"].to_numpy(), rtol=1e-9)
    restored = pickle.loads(pickle.dumps(mine))
    assert type(restored) is ForecasterRecursiveMultiSeries and restored._blocks is None
    again = restored.predict(steps=14, exog=future, suppress_warnings=True)
    assert np.array_equal(again["pred"].to_numpy(), mine_prediction["pred"].to_numpy())


def test_falls_back_to_skforecasts_path_where_the_batch_does_not_apply() -> None:
    """A series transformer, or window features the batch path does not know: skforecast's own
    per-series path runs, and the matrices still agree."""
    frame = series_frame(products=12, days=120)
    scaled = dict(encoding="ordinal", transformer_series=StandardScaler())
    assert build(ForecasterRecursiveMultiSeries, **dict(scaled))._panel_blocks({}) is None  # type: ignore[attr-defined]
    mine_X, _ = training_matrices(ForecasterRecursiveMultiSeries, frame, **dict(scaled))
    their_X, _ = training_matrices(SkforecastMultiSeries, frame, **dict(scaled))
    assert np.allclose(mine_X.to_numpy(), their_X.to_numpy(), rtol=1e-12, atol=1e-12)

    from skforecast.preprocessing import RollingFeatures

    rolling = dict(encoding="ordinal", window_features=RollingFeatures(stats=["mean"], window_sizes=[7]))
    forecaster = build(ForecasterRecursiveMultiSeries, **dict(rolling))
    blocks = forecaster._panel_blocks({name: frame[name] for name in frame.columns})  # type: ignore[attr-defined]
    assert blocks is None
    mine_X, _ = training_matrices(ForecasterRecursiveMultiSeries, frame, **dict(rolling))
    their_X, _ = training_matrices(SkforecastMultiSeries, frame, **dict(rolling))
    assert np.allclose(mine_X.to_numpy(), their_X.to_numpy(), rtol=1e-12, atol=1e-12)


def test_panel_features_equal_each_series_features() -> None:
    rng = np.random.default_rng(4)
    values = rng.poisson(1.2, (150, 300)).astype(float)  # more series than one block of the batch
    features = LevelFeatures(**RICH_FEATURES)  # type: ignore[arg-type]
    panel = features.transform_panel(values)
    index = pd.date_range("2025-01-01", periods=300, freq="D")
    for row in (0, 63, 64, 149):
        single = features.transform_batch(pd.Series(values[row], index=index))
        assert np.allclose(panel[row], single.to_numpy(), rtol=1e-12, atol=1e-12)
