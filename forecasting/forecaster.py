"""skforecast's global forecaster, with the training matrix built for all series at once.

`ForecasterRecursiveMultiSeries.fit` builds the lags and window features of its training
matrix one series at a time, through pandas: about 1.5 ms a series whatever its length, so on a
thousand products building the matrix cost two thirds as much as fitting the trees on it.
This module's subclass computes them for every series in a few NumPy operations on the (series,
days) matrix, and hands each series' block to skforecast's own assembly, which then does the
rest exactly as before (the series' code, exogenous and calendar columns, the checks).

Invariant: the training matrix is the parent class's, value for value (the window features to
within floating-point rounding, ≤ 1e-12 relative), and prediction is untouched; when the batch
path does not apply (a series transformer, differencing, series of different lengths, window
features other than `LevelFeatures`), the parent's per-series path runs instead.

This module imports skforecast, so the model imports it only when it builds a forecaster
(`forecasting.global_model.build_forecaster`); a pickled forecaster names this class, so unpickling one
imports it too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from skforecast.recursive import ForecasterRecursiveMultiSeries as SkforecastMultiSeries

from forecasting.features import LevelFeatures

# Per series: its autoregressive columns, name, window feature names and target (what
# `_create_train_X_y_single_series` returns).
SeriesBlock = tuple[np.ndarray, Any, list[str] | None, np.ndarray]


class ForecasterRecursiveMultiSeries(SkforecastMultiSeries):  # type: ignore[misc]
    """skforecast's `ForecasterRecursiveMultiSeries` whose training lags and window features
    are computed for all series in one pass (see the module's docstring). It keeps the parent's
    name because skforecast chooses behaviour by the class's name (`type(self).__name__`)."""

    _blocks: dict[Any, SeriesBlock] | None = None

    def _assemble_train_X_y(self, series_dict: dict[Any, pd.Series], *args: Any, **kwargs: Any) -> Any:
        self._blocks = self._panel_blocks(series_dict)
        try:
            return super()._assemble_train_X_y(series_dict, *args, **kwargs)
        finally:
            self._blocks = None

    def _create_train_X_y_single_series(self, y: pd.Series) -> SeriesBlock:
        if self._blocks is not None and y.name in self._blocks:
            return self._blocks[y.name]
        result: SeriesBlock = super()._create_train_X_y_single_series(y)
        return result

    def _panel_blocks(self, series_dict: dict[Any, pd.Series]) -> dict[Any, SeriesBlock] | None:
        """Every series' block, or None when the batch path does not apply."""
        window_features = self.window_features or []
        if (
            not series_dict
            or self.lags is None
            or self.transformer_series is not None
            or self.differentiation is not None
            or not all(isinstance(feature, LevelFeatures) for feature in window_features)
        ):
            return None
        names = list(series_dict)
        if len({len(series_dict[name]) for name in names}) != 1 or any(
            series_dict[name].name != name for name in names
        ):
            return None
        values = np.stack([series_dict[name].to_numpy(dtype=np.float64) for name in names])
        window = self.window_size
        days = values.shape[1]
        columns = [values[:, window - lag : days - lag, None] for lag in self.lags]
        feature_names: list[str] | None = None
        if window_features:
            feature_names = []
            for feature in window_features:
                computed = feature.transform_panel(values)
                columns.append(computed[:, window - max(feature.window_sizes) :])
                feature_names.extend(feature.features_names)
        autoregressive = np.concatenate(columns, axis=2)
        return {
            name: (autoregressive[row], name, feature_names, values[row, window:]) for row, name in enumerate(names)
        }

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_blocks", None)
        return state
