"""The public contract `forecasting.model.forecast(history, horizon)` and the training pipeline,
without the server: accuracy on known seasonality, intervals, and every awkward history."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from forecasting import baselines, model
from forecasting.model import PUBLIC_COLUMNS, ModelConfig, TrainedModel, forecast, make_panel, predict, train

FAST = ModelConfig(n_estimators=60, learning_rate=0.1, min_child_samples=20)


def weekly_history(products: int = 12, days: int = 365, seed: int = 3) -> pd.DataFrame:
    """Poisson counts with a strong, known weekly pattern and a per-product level."""
    rng = np.random.default_rng(seed)
    start = date(2025, 1, 6)
    week = np.array([0.6, 0.7, 0.8, 0.9, 1.3, 1.8, 0.9])
    rows = []
    for index in range(products):
        level = rng.uniform(3, 15)
        for day in range(days):
            quantity = rng.poisson(level * week[day % 7])
            if quantity:
                rows.append((f"p{index:02d}", start + timedelta(days=day), quantity))
    return pd.DataFrame(rows, columns=["product_id", "date", "quantity"])


@pytest.fixture(scope="module")
def seasonal() -> pd.DataFrame:
    return weekly_history()


@pytest.fixture(scope="module")
def trained(seasonal: pd.DataFrame) -> TrainedModel:
    return train(seasonal, config=FAST)


def test_model_beats_seasonal_naive_on_weekly_seasonality(trained: TrainedModel) -> None:
    pooled = trained.evaluation.pooled
    assert trained.evaluation.folds == 4
    # Seasonal naive repeats last week's noise; the model learns the pattern and the level.
    assert pooled[model.MODEL_NAME]["mase"] < 0.8 * pooled["seasonal_naive"]["mase"]
    assert pooled[model.MODEL_NAME]["wape"] < 0.8 * pooled["seasonal_naive"]["wape"]
    assert pooled[model.MODEL_NAME]["mase"] < pooled["moving_average"]["mase"]
    # Every product is served its combination, and on this panel the model is part of each.
    assert set(trained.methods.values()) == {model.COMBINATION}
    assert all(model.MODEL_NAME in weights for weights in trained.weights.values())
    assert all(abs(sum(weights.values()) - 1) < 1e-3 for weights in trained.weights.values())
    assert pooled[model.COMBINATION]["mase"] < pooled["seasonal_naive"]["mase"]


def test_intervals_cover_what_they_claim_on_held_out_folds(trained: TrainedModel) -> None:
    pooled = trained.evaluation.pooled[model.MODEL_NAME]
    assert 0.70 <= pooled["coverage_80"] <= 0.90
    assert 0.88 <= pooled["coverage_95"] <= 0.99


def test_the_public_contract(seasonal: pd.DataFrame) -> None:
    result = forecast(seasonal, 14)
    assert list(result.columns) == PUBLIC_COLUMNS
    assert len(result) == 12 * 14
    last = pd.Timestamp(seasonal["date"].max())
    assert result["date"].min() == last + pd.Timedelta(days=1)
    assert result["date"].max() == last + pd.Timedelta(days=14)
    assert (result["yhat"] >= 0).all()
    assert (result["yhat_lower"] <= result["yhat"]).all() and (result["yhat"] <= result["yhat_upper"]).all()
    assert (result["yhat_lower"] >= 0).all()
    # Fridays and Saturdays sell more than Mondays, as in the history.
    by_weekday = result.assign(weekday=result["date"].dt.weekday).groupby("weekday")["yhat"].mean()
    assert by_weekday[5] > 1.5 * by_weekday[0]
    wide = forecast(seasonal, 7, interval=0.95)
    narrow = result[result["date"] <= last + pd.Timedelta(days=7)].reset_index(drop=True)
    assert (wide["yhat_upper"].to_numpy() >= narrow["yhat_upper"].to_numpy() - 1e-9).all()


def test_bad_arguments_are_refused() -> None:
    history = pd.DataFrame({"product_id": ["a"], "date": [date(2026, 1, 1)], "quantity": [1]})
    with pytest.raises(ValueError):
        forecast(history, 0)
    with pytest.raises(ValueError):
        forecast(history, 7, interval=0.5)
    with pytest.raises(ValueError):
        forecast(history.drop(columns="quantity"), 7)


def test_empty_history_gives_an_empty_frame() -> None:
    result = forecast(pd.DataFrame(columns=["product_id", "date", "quantity"]), 7)
    assert list(result.columns) == PUBLIC_COLUMNS and result.empty


def test_a_few_days_of_history() -> None:
    history = pd.DataFrame(
        {"product_id": ["a", "a", "b"], "date": ["2026-03-01", "2026-03-03", "2026-03-02"], "quantity": [4, 2, 1]}
    )
    result = forecast(history, 10)
    assert len(result) == 20
    assert (result["yhat"] > 0).all() and np.isfinite(result[["yhat", "yhat_lower", "yhat_upper"]]).all().all()
    assert result.loc[result["product_id"] == "a", "yhat"].iloc[0] == pytest.approx(2.0)


def test_all_zero_series_new_products_and_returns(seasonal: pd.DataFrame) -> None:
    end = pd.Timestamp(seasonal["date"].max()).date()
    extra = pd.DataFrame(
        [
            ("never-sold", end - timedelta(days=200), 0),
            ("never-sold", end, 0),
            ("just-launched", end - timedelta(days=4), 6),
            ("just-launched", end - timedelta(days=2), 5),
            ("just-launched", end, 7),
            ("returned", end - timedelta(days=3), -3),  # more returned than sold that day
            ("returned", end - timedelta(days=100), 2),
        ],
        columns=["product_id", "date", "quantity"],
    )
    history = pd.concat([seasonal, extra, extra.iloc[[2]]], ignore_index=True)  # a duplicated row is summed
    full = predict(train(history, config=FAST), make_panel(history), 7)
    by_product = full.groupby("product_id")
    never = by_product.get_group("never-sold")
    assert (never["yhat"] == 0).all() and (never["yhat_upper_95"] == 0).all()
    assert set(never["method"]) == {model.NO_SALES_METHOD}
    launched = by_product.get_group("just-launched")
    assert set(launched["method"]) == {model.NEW_PRODUCT_METHOD}
    assert launched["yhat"].iloc[0] == pytest.approx((12 + 5 + 7) / 5)
    returned = by_product.get_group("returned")
    assert (returned["yhat"] >= 0).all() and (returned["yhat_lower_95"] >= 0).all()
    assert (full["yhat_lower_95"] <= full["yhat_lower_80"] + 1e-9).all()
    assert (full["yhat_upper_80"] <= full["yhat_upper_95"] + 1e-9).all()


def test_an_intermittent_product_may_fall_back_to_a_baseline() -> None:
    rng = np.random.default_rng(11)
    start = date(2025, 1, 1)
    rows = [("steady", start + timedelta(days=d), int(rng.poisson(5))) for d in range(300)]
    rows += [("rare", start + timedelta(days=int(d)), 1) for d in rng.choice(300, size=12, replace=False)]
    trained = train(pd.DataFrame(rows, columns=["product_id", "date", "quantity"]), config=FAST)
    scores = trained.evaluation.per_product
    assert set(scores.loc[scores["product_id"] == "rare", "method"]) == {
        model.MODEL_NAME,
        model.COMBINATION,
        *baselines.BASELINES,
    }
    assert set(scores.loc[scores["product_id"] == "steady", "method"]) == {
        model.MODEL_NAME,
        model.COMBINATION,
        *(name for name in baselines.BASELINES if name != "tsb"),  # TSB: intermittent products only
    }
    assert trained.methods["rare"] == model.COMBINATION
    rare = scores[scores["product_id"] == "rare"].set_index("method")
    weights = trained.weights["rare"]
    # Twelve scattered sales in 300 days: the combination holds the candidates with the lowest
    # backtest MASE, the lower the MASE the larger the weight; seasonal naive is never offered.
    assert len(weights) == FAST.combine_top and "seasonal_naive" not in weights
    ranked = rare.loc[list(weights), "mase"].sort_values()
    assert [weights[name] for name in ranked.index] == sorted(weights.values(), reverse=True)
    outside = rare.drop(index=[*weights, model.COMBINATION, "seasonal_naive"])["mase"]
    assert outside.min() >= ranked.max()
    # The stored rows say which methods make it up, and with what weight.
    selected = rare[rare["selected"]]
    assert set(selected.index) == {*weights, model.COMBINATION}
    assert selected.loc[model.COMBINATION, "weight"] == 1.0
    assert {name: selected.loc[name, "weight"] for name in weights} == weights


def test_artifacts_record_versions_and_a_version_change_means_retraining(trained: TrainedModel, seasonal) -> None:
    blob = trained.dumps()
    loaded = TrainedModel.loads(blob)
    assert loaded is not None and loaded.versions["skforecast"] == model.library_versions()["skforecast"]
    assert loaded.evaluation.backtest is None and trained.evaluation.backtest is not None
    again = predict(loaded, make_panel(seasonal), 7)
    assert np.allclose(again["yhat"], predict(trained, make_panel(seasonal), 7)["yhat"])

    import pickle

    header = pickle.loads(blob)
    header["versions"] = {**header["versions"], "skforecast": "0.0.1"}
    assert TrainedModel.loads(pickle.dumps(header)) is None
    assert TrainedModel.loads(b"not a pickle") is None


def test_a_model_predicts_products_it_was_not_trained_on(trained: TrainedModel, seasonal: pd.DataFrame) -> None:
    stranger = seasonal[seasonal["product_id"] == "p00"].assign(product_id="stranger")
    full = predict(trained, make_panel(pd.concat([seasonal, stranger])), 7)
    rows = full[full["product_id"] == "stranger"]
    assert set(rows["method"]) == {model.NEW_PRODUCT_METHOD} and (rows["yhat"] > 0).all()
    assert set(full.loc[full["product_id"] == "p00", "method"]) == {model.COMBINATION}


def test_fitting_the_final_model_alongside_the_backtest_changes_nothing(seasonal: pd.DataFrame) -> None:
    panel = make_panel(seasonal)
    together = train(panel, config=replace(FAST, threads=2))
    one_after_the_other = train(panel, config=replace(FAST, threads=1))
    assert together.evaluation.pooled == one_after_the_other.evaluation.pooled
    assert together.methods == one_after_the_other.methods
    assert np.array_equal(predict(together, panel, 14)["yhat"], predict(one_after_the_other, panel, 14)["yhat"])


def test_the_forecast_made_while_training_is_the_one_predict_would_make(seasonal: pd.DataFrame) -> None:
    """`train(…, horizon=)` forecasts with the final model as soon as it is fitted; `predict`
    uses that forecast for the same history (any horizon up to it) and no other."""
    panel = make_panel(seasonal)
    ahead = train(panel, config=replace(FAST, threads=2), horizon=14)
    assert ahead.model_forecast is not None and ahead.model_forecast[1].shape == (len(panel.product_ids), 14)
    plain = replace(ahead, model_forecast=None)
    for horizon in (14, 5):
        assert predict(ahead, panel, horizon).equals(predict(plain, panel, horizon))
    # A longer horizon, or another history, is forecast anew.
    assert predict(ahead, panel, 20).equals(predict(plain, panel, 20))
    changed = seasonal.assign(quantity=seasonal["quantity"] * 2)
    assert predict(ahead, make_panel(changed), 7).equals(predict(plain, make_panel(changed), 7))
    assert not predict(ahead, make_panel(changed), 7).equals(predict(ahead, panel, 7))
    restored = TrainedModel.loads(ahead.dumps())
    assert restored is not None and predict(restored, panel, 14).equals(predict(plain, panel, 14))


def test_the_median_sits_inside_the_interval_and_below_the_mean_of_a_slow_mover(seasonal: pd.DataFrame) -> None:
    rng = np.random.default_rng(5)
    start = pd.Timestamp(seasonal["date"].min()).date()
    slow = pd.DataFrame(
        [("slow", start + timedelta(days=day), 1) for day in range(365) if rng.random() < 0.25],
        columns=["product_id", "date", "quantity"],
    )
    history = pd.concat([seasonal, slow], ignore_index=True)
    result = forecast(history, 14)
    assert ((result["yhat_lower"] <= result["yhat_median"]) & (result["yhat_median"] <= result["yhat_upper"])).all()
    rows = result[result["product_id"] == "slow"]
    # A quarter of its days sell one unit: the mean is about 0.25, the median day sells nothing.
    assert rows["yhat"].mean() == pytest.approx(0.25, abs=0.12)
    assert (rows["yhat_median"] < 0.1).all()
    busy = result[result["product_id"] == "p00"]
    assert (busy["yhat_median"] > 0).all()
