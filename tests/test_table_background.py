"""The one table model on a big frame: a filter or a sort runs in the job runner, the GUI thread
only installs the rows; a newer request wins over an older one; a small frame stays immediate."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt

from bizops_desktop.core.display import Column
from bizops_desktop.core.i18n import M
from bizops_desktop.qt.table_model import BACKGROUND_ROWS, DataFrameModel, DataFrameTable


def _big(n: int = BACKGROUND_ROWS * 4) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "product": [f"P{i % 997:03d}" for i in range(n)],
            "units": rng.integers(0, 1000, n),
            "why": [M("bought by {share:percent} of {n:int}", share=(i % 7) / 7, n=i % 13) for i in range(n)],
        }
    )


def test_a_big_filter_runs_off_the_gui_thread_and_shows_the_same_rows(qtbot):
    frame = _big()
    model = DataFrameModel()
    model.set_frame(frame, {"product": Column("Product", "product")}, names={"P042": "Green tea"})
    busy = []
    model.busy_changed.connect(busy.append)
    t0 = time.perf_counter()
    model.set_filter("green tea")
    returned_after = time.perf_counter() - t0
    assert model.busy and model.rowCount() == len(frame)  # the old rows stay until the new ones are ready
    with qtbot.waitSignal(model.rows_changed, timeout=60000):
        pass
    assert not model.busy and busy == [True, False]
    expected = np.flatnonzero(frame["product"].to_numpy() == "P042")
    assert [model.source_row(r) for r in range(model.rowCount())] == expected.tolist()
    # the sentences are searched as they read
    model.set_filter("of 12")
    assert model.wait()
    assert model.rowCount() == int((np.arange(len(frame)) % 13 == 12).sum())
    assert returned_after < 5.0  # generous: the point is that the work is elsewhere, not a speed


def test_a_newer_filter_wins_over_one_still_running(qtbot):
    frame = _big()
    model = DataFrameModel()
    model.set_frame(frame)
    model.set_filter("P001")
    model.set_filter("P002")
    assert model.wait()
    qtbot.wait(50)  # a late result of the first filter, if any, would arrive now
    shown = {frame["product"].iloc[model.source_row(r)] for r in range(model.rowCount())}
    assert shown == {"P002"}


def test_a_big_sort_runs_in_the_background_and_a_new_frame_cancels_it(qtbot):
    frame = _big()
    model = DataFrameModel()
    model.set_frame(frame)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert model.wait()
    units = [frame["units"].iloc[model.source_row(r)] for r in range(100)]
    assert units == sorted(units, reverse=True)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    small = pd.DataFrame({"product": ["a", "b"], "units": [2, 1]})
    model.set_frame(small)  # replaces the frame while the sort runs: the sort's rows never show
    assert model.wait()
    qtbot.wait(50)
    assert model.rowCount() == 2 and model.source_frame() is small


def test_a_small_frame_filters_at_once():
    model = DataFrameModel()
    model.set_frame(pd.DataFrame({"x": ["tea", "mug", "tea pot"]}))
    model.set_filter("tea")
    assert not model.busy and model.rowCount() == 2


def test_the_table_says_it_is_searching(qtbot):
    table = DataFrameTable()
    qtbot.addWidget(table)
    table.set_frame(_big())
    table.model.set_filter("P003")
    assert "Searching" in table.count_label.text()
    assert table.model.wait()
    assert "rows" in table.count_label.text()
