"""Forecast methods against known answers: the airline model as published by R and SAS, the
moving-average and SES formulas by hand, interval widths against statsmodels' ETS model."""

import math

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.i18n import text
from bizops_forecast import methods as M
from bizops_forecast.engine import Config, forecast_series, make_folds, metrics


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    # As the app runs these models (bizops_forecast.parallel): BLAS threads on tiny matrices
    # only slow each other down on a busy 2-core machine.
    from bizops_forecast.parallel import _one_blas_thread as limit

    with limit():
        yield


@pytest.fixture(scope="module")
def log_air(request):
    from pathlib import Path

    path = Path(__file__).resolve().parent / "data" / "airpassengers.csv"
    return np.log(pd.read_csv(path)["Passengers"].to_numpy(float))


@pytest.fixture(scope="module")
def shampoo():
    from pathlib import Path

    path = Path(__file__).resolve().parent / "data" / "shampoo_sales.csv"
    return pd.read_csv(path)["Sales"].to_numpy(float)


def test_airline_model_reproduces_published_figures(log_air):
    # R: arima(log(AirPassengers), c(0,1,1), seasonal=c(0,1,1)): ma1 -0.4018, sma1 -0.5569,
    # log likelihood 244.7, aic -483.4 (also SAS's airline example).
    f = M.arima(log_air, (0, 1, 1), (0, 1, 1, 12))
    coef = f.params["coefficients"]
    assert round(coef["ma.L1"], 3) == -0.402 and abs(coef["ma.L1"] - (-0.4018)) < 5e-4
    assert round(coef["ma.S.L12"], 3) == -0.557 and abs(coef["ma.S.L12"] - (-0.5569)) < 5e-4
    assert round(f.ic["loglik"], 1) == 244.7
    assert round(f.ic["aic"], 1) == -483.4
    assert f.ic["nobs"] == 131  # likelihood of the differenced series, as R computes it
    # First forecast (January 1961) on the passenger scale: R's forecast gives 450.4.
    mean, sd = f.forecast(12)
    assert abs(math.exp(mean[0]) - 450.4) < 1.0
    assert np.all(np.diff(sd) > 0)


def test_stepwise_order_search_is_no_worse_than_the_airline_model(log_air):
    best, tried = M.select_order(log_air, 12)
    assert best.params["order"][1] == 1 and best.params["seasonal_order"][1] == 1  # same d, D: AICs comparable
    assert best.ic["aic"] <= -483.39 + 1e-6
    assert 4 <= len(tried) <= 94


def test_moving_average_matches_hand_computation():
    y = np.array([3.0, 5.0, 4.0, 8.0, 6.0, 7.0, 9.0])
    f = M.moving_average(y, 3)
    assert np.isnan(f.fitted[:3]).all()
    assert f.fitted[3] == pytest.approx((3 + 5 + 4) / 3)
    assert f.fitted[6] == pytest.approx((8 + 6 + 7) / 3)
    mean, sd = f.forecast(4)
    assert mean.tolist() == pytest.approx([(6 + 7 + 9) / 3] * 4)
    resid = y[3:] - np.array([4, 17 / 3, 6, 7])
    sigma = math.sqrt(np.mean(resid**2))
    a = 2 / (3 + 1)
    assert sd.tolist() == pytest.approx([sigma * math.sqrt(1 + j * a * a) for j in range(4)])


def test_ses_matches_hand_recursion(shampoo):
    f = M.exponential_smoothing(shampoo, alpha=0.3)
    assert f.params["alpha"] == pytest.approx(0.3)
    # y_hat(t+1) = alpha y(t) + (1 - alpha) y_hat(t), starting from the fitted initial level
    yhat = [f.fitted[0]]
    for v in shampoo[:-1]:
        yhat.append(0.3 * v + 0.7 * yhat[-1])
    assert np.allclose(f.fitted, yhat)
    mean, _ = f.forecast(3)
    assert mean == pytest.approx([0.3 * shampoo[-1] + 0.7 * yhat[-1]] * 3)


def test_holt_winters_interval_growth_matches_statsmodels_ets():
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    rng = np.random.default_rng(3)
    t = np.arange(60)
    y = 50 + 0.5 * t + 8 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 2, 60)
    f = M.exponential_smoothing(y, trend="add", seasonal="add", m=12)
    p = f.params
    _, sd = f.forecast(30)
    ets = ETSModel(pd.Series(y), error="add", trend="add", seasonal="add", seasonal_periods=12)
    # Same smoothing: statsmodels' Holt-Winters beta is per unit of alpha (beta* = beta / alpha).
    res = ets.smooth([p["alpha"], p["alpha"] * p["beta"], p["gamma"], 50, 0.5] + [0.0] * 12)
    pi = res.get_prediction(start=60, end=89).summary_frame(alpha=0.05)
    width = (pi["pi_upper"] - pi["pi_lower"]).to_numpy()
    assert np.allclose(sd / sd[0], width / width[0], rtol=1e-6)


@pytest.mark.parametrize(
    "method", ["naive", "seasonal_naive", "moving_average", "ses", "holt", "holt_winters", "arima", "sarima"]
)
def test_every_method_has_intervals_that_start_at_the_end_and_widen(shampoo, method):
    # Fixed ARIMA orders here: the order search has its own test above.
    order = {"arima": [1, 1, 1], "sarima": [0, 1, 1]}.get(method)
    r = forecast_series("shampoo", shampoo.tolist() * 2, {"method": method, "horizon": 24, "m": 12, "order": order})
    assert r["method"] == method
    lo80, hi80 = np.array(r["lower"]["80"]), np.array(r["upper"]["80"])
    lo95, hi95 = np.array(r["lower"]["95"]), np.array(r["upper"]["95"])
    fc = np.array(r["forecast"])
    assert len(fc) == 24
    assert np.all(lo95 <= lo80 + 1e-9) and np.all(lo80 <= fc + 1e-9) and np.all(fc <= hi80 + 1e-9)
    assert np.all(hi80 <= hi95 + 1e-9) and hi95[0] > lo95[0]
    # On the model scale (before clipping at zero) the spread starts above zero at the first
    # forecast period and grows with the horizon (seasonal naive: one step per season).
    sd = np.array(r["sd"])
    assert sd[0] > 0 and np.all(np.diff(sd) >= -1e-9) and sd[-1] > sd[0]


def test_naive_interval_is_sigma_sqrt_h():
    y = np.array([10.0, 12, 11, 15, 14, 18])
    f = M.naive(y)
    sigma = math.sqrt(np.mean(np.diff(y) ** 2))
    mean, sd = f.forecast(4)
    assert mean.tolist() == [18] * 4
    assert sd == pytest.approx(sigma * np.sqrt([1, 2, 3, 4]))


def test_metrics_by_hand():
    m = metrics(np.array([0.0, 10, 20]), np.array([1.0, 12, 15]), scale=2.0)
    assert m["mae"] == pytest.approx((1 + 2 + 5) / 3)
    assert m["rmse"] == pytest.approx(math.sqrt((1 + 4 + 25) / 3))
    assert m["mape"] == pytest.approx((20 + 25) / 2)  # the zero actual is skipped
    assert m["mape_skipped"] == 1
    assert m["smape"] == pytest.approx((200 * 1 / 1 + 200 * 2 / 22 + 200 * 5 / 35) / 3)
    assert m["mase"] == pytest.approx(8 / 3 / 2)


def test_same_folds_for_every_method(shampoo):
    r = forecast_series("s", shampoo.tolist(), {"method": "auto", "horizon": 6, "m": 12})
    points = {k: v["n"] for k, v in r["backtest"].items()}
    assert len(set(points.values())) == 1 and len(points) >= 5
    folds = make_folds(36, Config(horizon=6, m=12))
    assert r["backtest_start"] == folds.start and len(folds.origins) == 4
    assert "lowest backtest error" in text(r["reason_details"])
    assert "forecast the last 6 periods best" in text(r["reason"])


# --------------------------------------------------------------------------- edge cases
def test_series_shorter_than_two_seasons_falls_back_with_a_note():
    y = (np.arange(18) + 10.0).tolist()
    r = forecast_series("short", y, {"method": "holt_winters", "horizon": 6, "m": 12})
    assert r["method"] == "holt"
    assert any("two full seasons" in text(n) for n in r["notes"])
    r = forecast_series("short", y, {"method": "auto", "horizon": 6, "m": 12})
    assert r["method"] not in M.SEASONAL and len(r["forecast"]) == 6


def test_all_zeros_forecasts_zero_with_a_note():
    r = forecast_series("zeros", [0.0] * 30, {"method": "auto", "horizon": 5, "m": 12, "log": True})
    assert r["forecast"] == [0.0] * 5 and r["upper"]["95"] == [0.0] * 5
    assert any("same value" in text(n) for n in r["notes"])


def test_single_spike_gives_finite_non_negative_forecast():
    y = [0.0] * 40
    y[25] = 100.0
    r = forecast_series("spike", y, {"method": "auto", "horizon": 8, "m": 12})
    fc = np.array(r["forecast"])
    assert np.all(np.isfinite(fc)) and np.all(fc >= 0) and fc.max() < 100
    assert all(v >= 0 for v in r["lower"]["95"])


def test_log_with_negative_values_is_skipped_and_zeros_use_log1p():
    y = [5.0, 7, -20, 6, 8, -15, 4, 7, 10, -6, 8, 9]
    r = forecast_series("returns", y, {"method": "ses", "horizon": 3, "m": 12, "log": True})
    assert "transform" not in r["params"]
    assert any("negative values" in text(n) for n in r["notes"])
    assert min(r["lower"]["95"]) < 0  # negatives in the history: no clipping at zero
    r = forecast_series("gaps", [0.0, 3, 4, 0, 5, 6, 2, 0, 7, 5], {"method": "ses", "horizon": 3, "m": 12, "log": True})
    assert r["params"]["transform"] == "log1p" and any("log(1 + sales)" in text(n) for n in r["notes"])


def test_horizon_zero_still_backtests():
    r = forecast_series("h0", list(np.arange(30.0) % 7 + 5), {"method": "auto", "horizon": 0, "m": 7})
    assert r["forecast"] == [] and r["lower"]["80"] == []
    assert r["backtest"] and any("periods ahead is 0" in text(n) for n in r["notes"])


def test_one_period_only():
    r = forecast_series("one", [4.0], {"method": "auto", "horizon": 3, "m": 12})
    assert r["forecast"] == [4.0] * 3 and r["lower"]["95"] == [None] * 3
