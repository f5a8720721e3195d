"""Batch work on a Dask cluster goes through the same code path as the local worker processes
(core/engine.run_pieces) and gives the same numbers: a forecast batch and the full forecast
analysis, churn's cross-validation (AUC per fold, out-of-fold scores, coefficients) and pricing's
per-product elasticity fits, on one LocalCluster started by the test, against this process and
local worker processes; small batches stay in this process; Cancel stops a cluster batch; a wrong
engine or a silent scheduler is a plain message."""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core import engine
from bizops_desktop.core.errors import Cancelled, UsageError
from bizops_desktop.core.progress import Progress

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    # A worker process, as a real cluster's are: it imports the plugins by name and every piece
    # and result crosses a socket. One process with two threads: two pieces at a time, one
    # interpreter to start (starting and warming a worker is most of this file's time).
    lc = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None)
    try:
        yield lc
    finally:
        lc.close()


@pytest.fixture
def on_cluster(cluster):
    engine.set_engine("dask", cluster.scheduler_address)
    try:
        yield cluster
    finally:
        engine.set_engine(None)


def _series(n: int, seed: int = 3) -> list[tuple[str, list[float]]]:
    rng = np.random.default_rng(seed)
    t = np.arange(84)
    return [(f"P{i:02d}", (40 + 8 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 2, 84) + i).tolist()) for i in range(n)]


def test_a_forecast_batch_on_the_cluster_equals_the_local_one(on_cluster):
    from bizops_forecast.parallel import run_many

    items = _series(10)
    cfg = {"method": "ets", "horizon": 7, "m": 7}
    texts: list[str] = []
    remote = run_many(items, cfg, Progress(lambda f, t: texts.append(t)), in_process_below=1)
    engine.set_engine("local")
    local = run_many(items, cfg, in_process_below=1, workers=2)
    assert list(remote) == [name for name, _v in items] == list(local)
    for name in remote:
        assert remote[name]["forecast"] == pytest.approx(local[name]["forecast"], rel=1e-9)
        assert remote[name]["method"] == local[name]["method"]
    assert any("to the cluster" in t for t in texts)


def test_the_forecast_analysis_on_the_cluster_gives_the_local_numbers(on_cluster):
    from bizops_desktop.core.dataset import Dataset
    from bizops_desktop.core.plugins import load_registry

    rows = []
    for name, values in _series(6):
        for d, v in enumerate(values):
            rows.append({"date": pd.Timestamp("2025-01-01") + pd.Timedelta(days=d), "product_id": name, "qty": v})
    ds = Dataset(
        "sales", pd.DataFrame(rows), roles={"date": ["date"], "product_id": ["product_id"], "quantity": ["qty"]}
    )
    analysis = load_registry().analyses["forecast"]
    params = {"top_products": 6, "horizon": 7}  # 6: local worker processes, not this process
    remote = analysis.execute(ds, params).tables["forecast"]
    engine.set_engine("local")
    local = analysis.execute(ds, params).tables["forecast"]
    pd.testing.assert_frame_equal(remote.reset_index(drop=True), local.reset_index(drop=True), rtol=1e-9)


def test_cancel_stops_a_cluster_batch(on_cluster):
    # The one loop every batch (forecast, folds, fits) goes through: 40 pieces of 0.3 s on 2 workers
    pieces = [(0.3,)] * 40
    cancel, first = threading.Event(), threading.Event()
    got: list[int] = []
    stamps = {}

    def on_result(i, _res):
        got.append(i)
        first.set()

    def canceller():
        first.wait(timeout=60)
        stamps["cancel"] = time.monotonic()
        cancel.set()

    th = threading.Thread(target=canceller)
    th.start()
    try:
        with pytest.raises(Cancelled):
            engine.run_pieces(time.sleep, pieces, Progress(cancel_event=cancel), on_result=on_result)
        stamps["returned"] = time.monotonic()
    finally:
        cancel.set()
        first.set()
        th.join()
    assert 1 <= len(got) < len(pieces) // 2
    assert stamps["returned"] - stamps["cancel"] < 2.0


def _customers(n: int = 400, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(
        {
            "tenure": rng.integers(1, 60, n).astype(float),
            "spend": rng.gamma(2.0, 30.0, n),
            "tickets": rng.poisson(1.5, n).astype(float),
            "plan": rng.choice(["basic", "plus", "pro"], n),
        }
    )
    d.loc[rng.choice(n, 20, replace=False), "spend"] = np.nan  # imputed inside each fold
    logit = -0.04 * d["tenure"] + 0.5 * d["tickets"] + 0.6 * (d["plan"] == "basic") - 0.5
    d["churn"] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return d


def _churn_numbers(ds, params):
    from bizops_churn import ANALYSIS

    r = ANALYSIS.execute(ds, params)
    return r.metrics["auc_folds"], r.tables["coefficients"][["feature", "coefficient"]], r.tables["scores"]


def test_churn_cross_validation_on_the_cluster_gives_the_local_numbers(on_cluster):
    # Against this process, where a table this small runs its folds (local worker processes go
    # through the same loop as the forecast above; benchmarks/bench_engine.py checks their folds
    # equal too, without paying here for two fresh interpreters importing scikit-learn).
    from bizops_desktop.core.dataset import Dataset

    ds = Dataset("customers", _customers(), roles={"label": "churn"})
    params = {"cv_folds": 5}
    remote = _churn_numbers(ds, params)
    engine.set_engine("local")
    here = _churn_numbers(ds, params)
    assert remote[0] == pytest.approx(here[0], rel=1e-12, abs=0)
    pd.testing.assert_frame_equal(remote[1], here[1], rtol=1e-12)
    pd.testing.assert_frame_equal(remote[2], here[2], rtol=1e-12)
    assert len(remote[0]) == 5 and all(0.5 < a < 1 for a in remote[0])


def _price_orders(products: int = 7, weeks: int = 60, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(products):
        p0, e = float(rng.uniform(10, 40)), -0.5 - 0.4 * k
        for w in range(weeks):
            price = round(p0 * rng.choice([0.8, 0.9, 1.0, 1.2]), 2)
            units = max(int(round(50 * (price / p0) ** e * np.exp(rng.normal(0, 0.15)))), 1)
            rows.append((f"o{k}-{w}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=7 * w), f"SKU{k}", units, price))
    return pd.DataFrame(rows, columns=["order", "date", "sku", "qty", "price"])


def test_pricing_fits_on_the_cluster_give_the_local_numbers(on_cluster, monkeypatch):
    from bizops_desktop.core.dataset import Dataset
    from bizops_pricing import ANALYSIS
    from bizops_pricing import elasticity as el

    roles = {"order_id": "order", "date": "date", "product_id": "sku", "quantity": "qty", "price": "price"}
    ds = Dataset("orders", _price_orders(), roles=roles)
    monkeypatch.setattr(el, "GROUPS_PER_PIECE", 2)  # 7 products: 4 pieces, the last one short
    remote = ANALYSIS.execute(ds, {}).tables["elasticity"]
    engine.set_engine("local")
    here = ANALYSIS.execute(ds, {}).tables["elasticity"]
    monkeypatch.setattr(el, "PROCESS_ROWS", 0)
    procs = ANALYSIS.execute(ds, {}).tables["elasticity"]
    for other in (here, procs):
        pd.testing.assert_frame_equal(remote, other, rtol=1e-12)
    assert list(remote["group"]) == list(here["group"]) and len(remote) == 7
    truth = {f"SKU{k}": -0.5 - 0.4 * k for k in range(7)}
    for g, e, se in remote[["group", "elasticity", "std_error"]].itertuples(index=False):
        assert abs(e - truth[g]) < 4 * se


def test_small_batches_stay_in_this_process(monkeypatch):
    # The demo-sized tables never pay for starting worker processes (tests stay fast).
    from bizops_churn import ANALYSIS as CHURN
    from bizops_desktop.core.dataset import Dataset
    from bizops_pricing import ANALYSIS as PRICING

    def no_pool(*_a, **_k):
        raise AssertionError("a small batch started worker processes")

    engine.set_engine("local")
    monkeypatch.setattr(engine, "executor", no_pool)
    try:
        assert len(CHURN.execute(Dataset("c", _customers(), roles={"label": "churn"}), {}).metrics["auc_folds"]) == 10
        roles = {"order_id": "order", "date": "date", "product_id": "sku", "quantity": "qty", "price": "price"}
        assert len(PRICING.execute(Dataset("o", _price_orders(), roles=roles), {}).tables["elasticity"]) == 7
    finally:
        engine.set_engine(None)


def test_engine_settings_are_checked_in_words(monkeypatch):
    engine.set_engine(None)
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", 1.0)  # distributed retries until the timeout
    with pytest.raises(UsageError, match="unknown engine"):
        engine.set_engine("spark")
    with pytest.raises(UsageError, match="scheduler"):
        engine.set_engine("dask")
    monkeypatch.setenv(engine.ENGINE_ENV, "dask")
    monkeypatch.setenv(engine.SCHEDULER_ENV, "tcp://127.0.0.1:1")
    assert engine.get_engine() == ("dask", "tcp://127.0.0.1:1")
    with pytest.raises(UsageError, match="does not answer"):
        with engine.executor(2):
            pass


def test_the_cli_takes_the_engine(tmp_path, cluster, capsys):
    from bizops_desktop.cli import main

    try:
        code = main(
            ["run", "forecast", "--demo", "--out", str(tmp_path), "--no-plots", "--quiet", "--set", "top_products=6"]
            + ["--engine", "dask", "--scheduler", cluster.scheduler_address]
        )
    finally:
        engine.set_engine(None)
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "forecast.csv").is_file()
    try:
        assert main(["run", "forecast", "--demo", "--out", str(tmp_path), "--engine", "dask"]) == 2
    finally:
        engine.set_engine(None)
    assert "scheduler" in capsys.readouterr().err


def test_the_window_keeps_the_scheduler_in_its_settings(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from bizops_desktop.qt.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, interactive=False)
    qtbot.addWidget(w)
    try:
        assert engine.get_engine()[0] == "local"
        w.set_scheduler(" tcp://10.0.0.5:8786 ")
        assert engine.get_engine() == ("dask", "tcp://10.0.0.5:8786")
        again = MainWindow(settings=settings, interactive=False)  # the next start
        qtbot.addWidget(again)
        assert engine.get_engine() == ("dask", "tcp://10.0.0.5:8786")
        again.set_scheduler("")
        assert engine.get_engine()[0] == "local"
        again.host.jobs.shutdown(5000)
    finally:
        engine.set_engine(None)
        w.host.jobs.shutdown(5000)
