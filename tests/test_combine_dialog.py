"""Data ▸ Combine on big files: the dialog reads a bounded sample of each file and joins it in the
job runner (the GUI thread keeps ticking), its counts are the planted ones, Cancel stops a read,
and the whole files are joined after Combine with every planted unmatched line counted."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QDialogButtonBox

from bizops_desktop.core.i18n import text
from bizops_desktop.core.importer import arrow_text
from bizops_desktop.qt import combine_dialog
from bizops_desktop.qt.combine_dialog import SAMPLE_ROWS, CombineDialog
from bizops_desktop.qt.main_window import MainWindow

N_ORDERS = 60_000
EARLY_UNMATCHED = 7  # lines among the first SAMPLE_ROWS whose order is not in the orders file
LATE_UNMATCHED = 30  # more of them further down


def write_pair(folder: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(11)
    orders = pd.DataFrame(
        {
            "订单编号": [f"{3000000000000000000 + i}" for i in range(N_ORDERS)],
            "买家会员名": [f"买家{i % 5000}" for i in range(N_ORDERS)],
            "订单状态": "交易成功",
            "订单创建时间": (
                pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300 * 24, N_ORDERS), unit="h")
            ).strftime("%Y-%m-%d %H:%M:%S"),
        }
    )
    per = rng.integers(1, 5, N_ORDERS)
    order_of_line = np.repeat(np.arange(N_ORDERS), per)
    ids = np.array([f"{3000000000000000000 + i}" for i in order_of_line], dtype=object)
    early = rng.choice(np.arange(10, SAMPLE_ROWS - 10), EARLY_UNMATCHED, replace=False)
    late = rng.choice(np.arange(SAMPLE_ROWS + 10, len(ids)), LATE_UNMATCHED, replace=False)
    ids[early] = [f"{4000000000000000000 + i}" for i in range(EARLY_UNMATCHED)]
    ids[late] = [f"{5000000000000000000 + i}" for i in range(LATE_UNMATCHED)]
    items = pd.DataFrame(
        {
            "订单编号": ids,
            "商品编码": [f"SKU{k}" for k in rng.integers(0, 300, len(ids))],
            "购买数量": rng.integers(1, 4, len(ids)),
            "价格": np.round(rng.uniform(5, 99, len(ids)), 2),
        }
    )
    a, b = folder / "订单报表.csv", folder / "宝贝报表.csv"
    orders.to_csv(a, index=False, encoding="gbk")
    items.to_csv(b, index=False, encoding="gbk")
    return a, b


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    return write_pair(tmp_path_factory.mktemp("combine"))


def ticking():
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    return timer, gaps


def test_the_dialog_reads_and_joins_off_the_gui_thread(qtbot, pair):
    CombineDialog().reject()  # the modules it needs are imported, as in the running window
    # the idle baseline of this machine now: the longest gap between 10 ms ticks with nothing to do
    # (a shared machine under load stretches every gap; the stall allowed below includes it)
    timer, idle_gaps = ticking()
    qtbot.wait(500)
    timer.stop()
    idle = max(idle_gaps)
    dlg = CombineDialog(pair)
    qtbot.addWidget(dlg)
    # nothing was read on the GUI thread: the dialog is up and the reads are jobs
    assert dlg.frames == [None, None] and len(dlg._running()) == 2
    assert dlg.bar.isVisibleTo(dlg) and dlg.stop_button.isVisibleTo(dlg)
    # the GUI thread keeps ticking while the files are read and joined: its longest stall is a
    # small part of the time the preview takes (were the reads on the GUI thread, it would be all of
    # it), beyond the idle baseline
    timer, gaps = ticking()
    t0 = time.perf_counter()
    qtbot.waitUntil(lambda: dlg.combined is not None, timeout=60000)
    took = time.perf_counter() - t0
    timer.stop()
    longest = max(gaps)
    print(
        f"combine dialog: preview after {took:.2f} s, longest stall {longest * 1000:.0f} ms, idle {idle * 1000:.0f} ms"
    )
    assert longest < took / 3 + idle
    dlg.reject()


def test_the_preview_is_a_bounded_sample_with_the_planted_counts(qtbot, pair):
    dlg = CombineDialog(pair)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.combined is not None, timeout=60000)
    # a bounded sample of each file, the planted counts in it, and the key guessed
    assert [len(f) for f in dlg.frames] == [SAMPLE_ROWS, SAMPLE_ROWS]
    assert dlg.key() == ("订单编号", "订单编号")
    summary = dlg.summary.text()
    assert f"{EARLY_UNMATCHED} lines found no order" in summary
    assert "first 20,000 lines" in summary
    assert dlg.table.model.rowCount() == combine_dialog.PREVIEW_ROWS
    assert dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert not dlg._running() and not dlg.bar.isVisibleTo(dlg)
    dlg.reject()


def test_cancel_stops_reading_the_files(qtbot, pair, monkeypatch):
    # read the whole files, in small blocks, so that the read is still going when Cancel comes
    monkeypatch.setattr(combine_dialog, "SAMPLE_ROWS", 10**9)
    monkeypatch.setattr(arrow_text, "BLOCK_BYTES", 64 << 10)
    dlg = CombineDialog(pair)
    qtbot.addWidget(dlg)
    jobs = list(dlg._reads)
    qtbot.waitUntil(lambda: any(j.fraction > 0.05 for j in jobs), timeout=30000)
    dlg.stop_button.click()
    assert dlg.wait(30)
    qtbot.waitUntil(lambda: all(j.delivered for j in jobs), timeout=30000)
    assert [j.state for j in jobs] == ["cancelled", "cancelled"]
    assert dlg.frames == [None, None] and dlg.combined is None
    assert not dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert "Stopped" in dlg.summary.text()
    dlg.reject()


def test_the_window_joins_the_whole_files_after_combine(qtbot, pair, tmp_path):
    w = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), interactive=False)
    qtbot.addWidget(w)
    try:
        with qtbot.waitSignal(w.dataset_loaded, timeout=60000) as blocker:
            job = w.combine_data(pair, ("订单编号", "订单编号"), ask=False)
            assert job in w.host.jobs.jobs()
        ds = blocker.args[0]
        notes = " ".join(text(n) for n in ds.notes)
        assert f"{EARLY_UNMATCHED + LATE_UNMATCHED} lines of 宝贝报表.csv found no order" in notes
        # every order that kept a line (pandas on the same files: an order whose only line was
        # replaced by an unknown number has none)
        items = pd.read_csv(pair[1], encoding="gbk", dtype=str)["订单编号"]
        orders = pd.read_csv(pair[0], encoding="gbk", dtype=str)["订单编号"]
        assert ds.frame["订单编号"].nunique() == items[items.isin(set(orders))].nunique()
    finally:
        w.host.jobs.shutdown(5000)
