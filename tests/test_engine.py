"""Batch work on a Dask cluster goes through the same code path as the local worker processes and
gives the same numbers: a forecast batch and the full forecast analysis on a LocalCluster started
by the test; Cancel stops a cluster batch; a wrong engine or a silent scheduler is a plain message."""

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
    # processes, as a real cluster's workers are: they import the plugin by name like the local pool
    lc = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
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
    for name, values in _series(8):
        for d, v in enumerate(values):
            rows.append({"date": pd.Timestamp("2025-01-01") + pd.Timedelta(days=d), "product_id": name, "qty": v})
    ds = Dataset(
        "sales", pd.DataFrame(rows), roles={"date": ["date"], "product_id": ["product_id"], "quantity": ["qty"]}
    )
    analysis = load_registry().analyses["forecast"]
    params = {"top_products": 8, "horizon": 7}
    remote = analysis.execute(ds, params).tables["forecast"]
    engine.set_engine("local")
    local = analysis.execute(ds, params).tables["forecast"]
    pd.testing.assert_frame_equal(remote.reset_index(drop=True), local.reset_index(drop=True), rtol=1e-9)


def test_cancel_stops_a_cluster_batch(on_cluster):
    from bizops_forecast.parallel import run_many

    items = _series(16)
    cfg = {"method": "sarima", "horizon": 7, "m": 7}  # a full order search: slow enough to cancel mid-way
    cancel, first = threading.Event(), threading.Event()
    got: list[str] = []
    stamps = {}

    def on_result(res):
        got.append(res["name"])
        first.set()

    def canceller():
        first.wait(timeout=120)
        stamps["cancel"] = time.monotonic()
        cancel.set()

    th = threading.Thread(target=canceller)
    th.start()
    try:
        with pytest.raises(Cancelled):
            run_many(items, cfg, Progress(cancel_event=cancel), in_process_below=1, on_result=on_result)
        stamps["returned"] = time.monotonic()
    finally:
        cancel.set()
        first.set()
        th.join()
    assert 1 <= len(got) < len(items)
    assert stamps["returned"] - stamps["cancel"] < 5.0


def test_engine_settings_are_checked_in_words(monkeypatch):
    engine.set_engine(None)
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
