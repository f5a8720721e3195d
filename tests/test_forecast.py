"""The Forecast analysis end to end: the airline model through the analysis, the demo shop's
planted weekly and yearly seasonality, forecasts that beat seasonal naive out of sample, the
exported files, and Cancel with several series in worker processes."""

import json
import threading
import time

import numpy as np
import pandas as pd
import pytest

import bizops_forecast
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import Cancelled, UsageError
from bizops_desktop.core.export import write_result
from bizops_desktop.core.i18n import text
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.series import series_view
from bizops_forecast.engine import forecast_series
from bizops_forecast.parallel import run_many

A = bizops_forecast.ANALYSIS


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    # As the app runs these models (bizops_forecast.parallel does the same around its work).
    from bizops_forecast.parallel import _one_blas_thread as limit

    with limit():
        yield


@pytest.fixture(scope="module")
def demo():
    from bizops_desktop.core.demo import load_demo, load_truth

    orders = next(d for d in load_demo() if d.name.startswith("orders"))
    return orders, load_truth()


@pytest.fixture(scope="module")
def demo_result(demo):
    orders, _ = demo
    return A.execute(orders, {"top_products": 2, "horizon": 14})


def test_airline_model_through_the_analysis(data_dir, tmp_path):
    df = pd.read_csv(data_dir / "airpassengers.csv")
    ds = Dataset("air", df, roles={"date": "Date", "target": "Passengers"})
    r = A.execute(
        ds, {"method": "sarima", "order": "0,1,1", "seasonal_order": "0,1,1,12", "log": "true"}, from_text=True
    )
    models = r.tables["models"]
    assert len(models) == 1 and models.loc[0, "method"] == "sarima"
    coef = models.loc[0, "parameters"]["coefficients"]  # a dict cell: the export writes it as JSON
    assert abs(coef["ma.L1"] + 0.4018) < 5e-4 and abs(coef["ma.S.L12"] + 0.5569) < 5e-4
    assert round(models.loc[0, "aic"], 1) == -483.4 and round(models.loc[0, "loglik"], 1) == 244.7
    fc = r.tables["forecast"]
    assert list(fc.columns) == ["series", "date", "forecast", "lower_80", "upper_80", "lower_95", "upper_95", "method"]
    assert len(fc) == 12 and fc["date"].iloc[0] == "1961-01-01"
    assert (fc["lower_95"] < fc["lower_80"]).all() and (fc["upper_80"] < fc["upper_95"]).all()
    w = (fc["upper_95"] - fc["lower_95"]).to_numpy()
    assert w[-1] > w[0]
    bt = r.tables["backtest"]
    assert set(bt["method"]) == {"sarima", "naive", "seasonal_naive"}  # baselines always computed
    assert list(bt.columns[:7]) == ["series", "method", "mae", "rmse", "mape", "smape", "mase"]
    files = {p.name for p in write_result(r, tmp_path)}
    assert {"forecast.csv", "backtest.csv", "models.csv", "summary.json"} <= files
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["main_series"]["method"] == "sarima"
    json.dumps(r.extra)  # JSON-able for the project file
    assert set(r.plots) == {"forecast", "methods"}


def test_bad_seasonal_order_is_a_usage_error(data_dir):
    df = pd.read_csv(data_dir / "shampoo_sales.csv")
    ds = Dataset("s", df, roles={"date": "Time", "target": "Sales"})
    with pytest.raises(UsageError, match="season length m"):
        A.execute(ds, {"method": "sarima", "seasonal_order": [0, 1, 1, 1]})


def test_demo_weekly_and_yearly_seasonality_found(demo, demo_result):
    _, truth = demo
    seas = {s["season"]: s for s in demo_result.extra["series"]["Total"]["seasonality"]}
    assert seas["weekly"]["found"] and seas["yearly"]["found"]
    weekly_truth = [truth["seasonality"]["weekly_factors"][d] for d in seas["weekly"]["labels"]]
    yearly_truth = [truth["seasonality"]["yearly_factor_by_month"][str(i + 1)] for i in range(12)]
    assert np.corrcoef(seas["weekly"]["profile"], weekly_truth)[0, 1] > 0.95
    assert np.corrcoef(seas["yearly"]["profile"], yearly_truth)[0, 1] > 0.9
    assert seas["weekly"]["peak"] in ("Saturday", "Sunday") and seas["weekly"]["low"] == "Monday"
    assert seas["yearly"]["peak"] == "December"
    assert any("Weekly pattern found" in text(n) for n in demo_result.notes)


def test_demo_model_beats_seasonal_naive_on_the_backtest(demo_result):
    bt = demo_result.tables["backtest"]
    tot = bt[bt["series"] == "Total"].set_index("method")
    chosen = tot.index[tot["chosen"]][0]
    assert chosen not in ("naive", "seasonal_naive")
    assert tot.loc[chosen, "mae"] < tot.loc["seasonal_naive", "mae"]
    assert demo_result.metrics["frequency"] == "D" and demo_result.metrics["season_length"] == 7


def test_demo_auto_beats_seasonal_naive_out_of_sample(demo):
    # Honest check of the whole procedure: at each origin auto chooses a method from the data
    # before it, and its next 14 days are compared with seasonal naive's on data it never saw.
    orders, _ = demo
    y = series_view(orders, freq="D").series("Total")
    ours, snaive = [], []
    for o in (len(y) - 42, len(y) - 28, len(y) - 14):
        r = forecast_series("Total", y[:o].tolist(), {"method": "auto", "horizon": 14, "m": 7})
        actual = y[o : o + 14]
        sn = np.array([y[o - 7 + (j % 7)] for j in range(14)])
        ours.append(np.mean(np.abs(np.array(r["forecast"]) - actual)))
        snaive.append(np.mean(np.abs(sn - actual)))
    assert np.mean(ours) < 0.95 * np.mean(snaive)


def test_cancel_mid_run_with_worker_processes():
    rng = np.random.default_rng(7)
    t = np.arange(120)
    items = [(f"S{i}", (50 + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 3, 120)).tolist()) for i in range(12)]
    # A full seasonal order search per series: slow enough that Cancel lands while workers are busy.
    cfg = {"method": "sarima", "horizon": 6, "m": 12}
    cancel = threading.Event()
    first = threading.Event()
    got = []
    stamps = {}

    def on_result(res):
        got.append(res["name"])
        first.set()

    def canceller():
        first.wait(timeout=120)
        time.sleep(0.2)
        stamps["cancel"] = time.monotonic()
        cancel.set()

    th = threading.Thread(target=canceller)
    th.start()
    try:
        with pytest.raises(Cancelled):
            run_many(items, cfg, Progress(cancel_event=cancel), workers=2, in_process_below=1, on_result=on_result)
        stamps["returned"] = time.monotonic()
    finally:
        cancel.set()
        first.set()
        th.join()
    assert "error" not in got
    assert 1 <= len(got) < len(items)
    assert stamps["returned"] - stamps["cancel"] < 3.0


def test_workers_do_not_import_qt(qtbot):
    # This test process has Qt loaded (pytest-qt); the workers start from a fresh interpreter.
    import concurrent.futures as cf
    import sys

    from bizops_forecast import parallel

    assert "PySide6" in sys.modules
    ex = cf.ProcessPoolExecutor(max_workers=1, mp_context=parallel._context(), initializer=parallel._init_worker)
    try:
        assert ex.submit(parallel.loaded_qt_modules).result(timeout=120) == []
    finally:
        ex.shutdown(wait=True)


def test_small_jobs_run_in_process_and_keep_input_order():
    series = {f"s{i}": (np.arange(30.0) % 6 + i).tolist() for i in range(3)}
    seen = []
    out = run_many(
        series.items(), {"method": "naive", "horizon": 3, "m": 6}, Progress(lambda f, text: seen.append(text))
    )
    assert list(out) == ["s0", "s1", "s2"]
    assert any("Forecasting s1 (2 of 3)" in s for s in seen)


def test_result_round_trips_through_a_project_file(data_dir, tmp_path):
    from bizops_desktop.core.project import AnalysisState, Project, load_project, save_project

    df = pd.read_csv(data_dir / "shampoo_sales.csv")
    ds = Dataset("shampoo", df, roles={"date": "Time", "target": "Sales"})
    params = A.resolve({"method": "ses", "horizon": 6})
    r = A.execute(ds, params)
    proj = Project(
        datasets={"shampoo": ds},
        analyses={"forecast": AnalysisState("forecast", "bizops_forecast", 1, params, "shampoo", r)},
    )
    save_project(proj, tmp_path / "p.bizops")
    back = load_project(tmp_path / "p.bizops").analyses["forecast"]
    assert back.params == params
    assert back.result.extra == r.extra
    pd.testing.assert_frame_equal(back.result.tables["forecast"], r.tables["forecast"], check_dtype=False)
    assert back.result.plots["forecast"].to_dict() == r.plots["forecast"].to_dict()
