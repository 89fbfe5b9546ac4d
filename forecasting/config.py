"""The global model's and its backtest's settings (`ModelConfig`) and the names of the methods a
product can be served (`MODEL_NAME`, `COMBINATION`, …), shared by every module of the model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MODEL_NAME = "global_lgbm"
COMBINATION = "combination"
NEW_PRODUCT_METHOD = "recent_mean"
NO_SALES_METHOD = "no_sales"
LOG_LINK_OBJECTIVES = ("tweedie", "poisson", "gamma")

Progress = Callable[[str, float], None]
"""Called with a stage's name and the share of the work done (0–1)."""


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """Knobs of the global model and its backtest. The defaults are what the benchmark ran.

    `threads` is how many fits run at once, not LightGBM threads (each fit uses one): with 2,
    the final model is fitted while the backtest runs."""

    lags: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 14, 21, 28)
    rolling_means: tuple[int, ...] = (7, 28, 91)
    rolling_stds: tuple[int, ...] = (28,)
    ewm_alpha: float = 0.05
    ewm_window: int = 91
    more_ewm_alphas: tuple[float, ...] = ()
    weekday_weeks: tuple[int, ...] = ()
    weekday_alpha: float = 0.0
    ratios: tuple[tuple[str, str], ...] = ()
    calendar: tuple[str, ...] = ("day_of_week", "month")
    n_estimators: int = 50
    learning_rate: float = 0.24
    num_leaves: int = 31
    min_child_samples: int = 100
    max_bin: int = 63
    threads: int = 2
    backtest_folds: int = 4
    fold_days: int = 28
    min_training_days: int = 56
    selection_margin: float = 0.05
    # Per-product candidates besides the global model. Seasonal naive is scored but not
    # offered: on the tuning shop its backtest wins (mostly intermittent products whose last
    # week happened to score well) did not carry over to the next fold, by pooled MASE or WAPE.
    candidates: tuple[str, ...] = (
        "moving_average",
        "tsb",
        "exponential_smoothing",
        "weekly_ets",
        "weekday_profile",
        "weekday_profile_long",
        "profile_smoothing",
    )
    # Each product is served a combination of its `combine_top` candidates with the lowest
    # backtest MASE, weighted by 1 / MASE² (`combination`); 0: the global model unless a
    # candidate's MASE is lower by more than `selection_margin` (the earlier rule).
    combine_top: int = 5
    training_days: int | None = 400
    objective: str = "tweedie"
    tweedie_power: float = 1.5
    row_subsample: float = 0.8
    seed: int = 7
    holiday_features: tuple[str, ...] = ("holiday", "closed")
    # The trees learn demand relative to this window feature (`LevelOffsetRegressor`); None:
    # they learn the demand itself.
    offset_feature: str | None = "roll_ewm_91_alpha_0.05"
    offset_floor: float = 0.05
    relative_features: tuple[str, ...] = ()
    # Training rows weighted by age (`RecencyWeights`); None: every row weighs the same.
    half_life_days: float | None = None
    # With the products' groups in the history (`Panel.groups`), the trees see each row's group
    # as a categorical feature: products of a category share their weekly and yearly pattern
    # and their response to holidays, which one product's own history shows only noisily.
    group_feature: bool = True
    # The share of training rows with zero demand the trees see (each weighing 1 / share), in
    # training matrices of at least `zero_rows_from` rows: a speed measure for large tenants,
    # whose loss it leaves unbiased; a small tenant's fit is quick anyway, and its few rows
    # would make the sample's noise visible (a slow mover's mean off by half on 3,500 rows).
    zero_rows_kept: float = 0.33
    zero_rows_from: int = 100_000

    def __post_init__(self) -> None:
        if self.offset_feature is not None and self.objective not in LOG_LINK_OBJECTIVES:
            raise ValueError(f"a level offset needs a log-link objective ({', '.join(LOG_LINK_OBJECTIVES)})")

    @property
    def window_size(self) -> int:
        weekday = [7 * weeks for weeks in self.weekday_weeks]
        return max(*self.lags, *self.rolling_means, *self.rolling_stds, self.ewm_window, *weekday)
