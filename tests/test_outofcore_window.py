"""The window opens a file bigger than memory (the threshold forced to 0) out of core: the data
panel shows its first lines and says so; a conversion cancelled mid-way leaves no copy behind."""

from __future__ import annotations

import pytest

from bizops_desktop.core import bigfile
from bizops_desktop.core.errors import Cancelled
from bizops_desktop.core.progress import Progress

pytest.importorskip("duckdb")


@pytest.fixture
def big_csv(tmp_path, monkeypatch):
    from tests.test_outofcore_dataset import write_orders

    monkeypatch.setenv(bigfile.THRESHOLD_ENV, "0")
    monkeypatch.setenv(bigfile.CACHE_ENV, str(tmp_path / "cache"))
    return write_orders(tmp_path / "orders.csv", n=6_000)


def test_the_window_shows_the_sample_and_says_so(qtbot, tmp_path, big_csv):
    from PySide6.QtCore import QSettings

    from bizops_desktop.qt.main_window import MainWindow

    w = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), interactive=False)
    qtbot.addWidget(w)
    try:
        with qtbot.waitSignal(w.dataset_loaded, timeout=30000) as blocker:
            w.open_data(big_csv, ask=False)
        ds = blocker.args[0]
        assert ds.big is not None and ds.big.lines == 6_000
        info = w.datasets_panel.info.text()
        assert "showing the first 6,000 of 6,000 lines; analyses use the whole file" in info
        assert "opened out of core" in info
    finally:
        w.host.jobs.shutdown(5000)


def test_a_cancelled_conversion_leaves_no_copy(big_csv):
    p = Progress()
    p.cancel()
    with pytest.raises(Cancelled):
        bigfile.open_data(big_csv, progress=p)
    assert not any(bigfile.cache_dir().iterdir())


def test_a_conversion_cancelled_while_duckdb_runs_leaves_no_copy(big_csv, monkeypatch):
    from bizops_desktop.core.views import outofcore

    calls = []

    def cancel_soon(fraction, text):
        calls.append(fraction)
        if fraction > 0.15:  # past the hashing: inside the conversion
            p.cancel()

    p = Progress(cancel_soon, _min_interval=0.0)
    real = outofcore._run

    def slow_run(con, sql, params, progress, start, end):
        progress.report(start + 0.01)
        progress.check()
        return real(con, sql, params, progress, start, end)

    monkeypatch.setattr(outofcore, "_run", slow_run)
    with pytest.raises(Cancelled):
        bigfile.open_data(big_csv, progress=p)
    assert not any(bigfile.cache_dir().iterdir())
