"""The main window as a user meets it: tabs from plugins, loading data in the background, running
an analysis, saving and reopening a project, drag and drop, faults shown in words."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent

from bizops_desktop.core.analysis import Analysis, Result
from bizops_desktop.core.plugins import hookimpl, load_registry
from bizops_desktop.qt.main_window import MainWindow
from bizops_desktop.qt.panel import AnalysisPanel


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings):
    w = MainWindow(settings=settings, interactive=False)
    qtbot.addWidget(w)
    yield w
    w.host.jobs.shutdown(5000)


@pytest.fixture
def orders_csv(tmp_path) -> Path:
    rows = []
    for o in range(80):
        items = ["coffee", "filter"] if o % 2 == 0 else ["tea", "mug"] if o % 5 == 0 else ["tea"]
        for it in items:
            rows.append(
                {
                    "order_id": f"O{o:03d}",
                    "customer_id": f"C{o % 17}",
                    "date": f"2024-{1 + o % 12:02d}-{1 + o % 28:02d}",
                    "product_id": it,
                    "quantity": 1 + o % 3,
                    "unit_price": 4.5,
                }
            )
    p = tmp_path / "orders.csv"
    pd.DataFrame(rows).to_csv(p, index=False)
    return p


def load(qtbot, window, path):
    with qtbot.waitSignal(window.dataset_loaded, timeout=20000) as blocker:
        window.open_data(path, ask=False)
    return blocker.args[0]


def test_window_has_a_tab_per_analysis_and_the_data_panel(window):
    titles = [window.tabs.tabText(i).replace("&&", "&") for i in range(window.tabs.count())]  # "&&": a plain &
    # the Overview first, then one tab per analysis (a stock-planning tab joins them when installed)
    assert titles[0] == "This week"
    assert titles[1:] == [str(a.title) for a in window.registry.ordered()]
    shown = [t for t in titles if t in ("Recommendations", "Basket rules", "Forecast", "Pricing", "Churn risk")]
    assert shown == ["Recommendations", "Basket rules", "Forecast", "Pricing", "Churn risk"]  # in this order
    for aid in window.registry.analyses:
        assert window.panel(aid) is not None
    assert window.problems == []
    assert not window.banner.isVisible()
    assert "Open a CSV or Excel export" in window.datasets_panel.info.text()


def test_open_data_runs_in_the_background_and_shows_a_preview(qtbot, window, orders_csv):
    ds = load(qtbot, window, orders_csv)
    assert ds.name == "orders"
    assert window.datasets_panel.list.count() == 1
    assert window.datasets_panel.preview.model.rowCount() == len(ds.frame) > 80
    # each role in words, with the column that holds it
    assert (
        "Order number (order_id), Customer (customer_id), Product (product_id), Date (date), "
        "Quantity (quantity), Unit price (unit_price)"
    ) in window.datasets_panel.info.text()
    # a second file of the same name gets its own name; nothing is replaced
    ds2 = load(qtbot, window, orders_csv)
    assert ds2.name == "orders (2)" and window.datasets_panel.list.count() == 2


def test_failed_import_is_a_message_and_loses_nothing(qtbot, window, orders_csv, tmp_path):
    load(qtbot, window, orders_csv)
    bad = tmp_path / "broken.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    with qtbot.waitSignal(window.failed, timeout=20000) as blocker:
        window.open_data(bad, ask=False)
    assert "broken.csv" in blocker.args[0]
    assert window.banner.isVisibleTo(window) and "broken.csv" in window.banner.text()
    assert [d.name for d in window.host.datasets()] == ["orders"]


def test_run_an_analysis_save_and_reopen_the_project(qtbot, window, orders_csv, tmp_path, settings):
    load(qtbot, window, orders_csv)
    panel: AnalysisPanel = window.panel("basket")
    window.tabs.setCurrentWidget(panel)
    panel.set_params({"min_support": 0.1})
    with qtbot.waitSignal(panel.run_ended, timeout=30000) as blocker:
        panel.run_button.click()
    assert blocker.args == ["done"], panel.message.text()
    rules = panel.result.tables["rules"]
    assert len(rules) > 0
    path = tmp_path / "shop.bizops"
    with qtbot.waitSignal(window.saved, timeout=30000):
        window.save_to(path)
    assert path.exists() and not window.dirty
    assert window.recent_projects()[0] == str(path.resolve())

    other = MainWindow(settings=settings, interactive=False)
    qtbot.addWidget(other)
    with qtbot.waitSignal(other.project_loaded, timeout=30000):
        other.open_project(path)
    assert [d.name for d in other.host.datasets()] == ["orders"]
    pd.testing.assert_frame_equal(other.host.dataset("orders").frame, window.host.dataset("orders").frame)
    reopened = other.panel("basket")
    assert reopened.result is not None  # shown at once, not recomputed
    pd.testing.assert_frame_equal(reopened.result.tables["rules"], rules)
    assert reopened.params()["min_support"] == 0.1
    other.host.jobs.shutdown(5000)


def test_drop_a_file_on_the_window(qtbot, window, orders_csv):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(orders_csv))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    with qtbot.waitSignal(window.dataset_loaded, timeout=20000):
        window.dropEvent(event)
    assert window.datasets_panel.list.count() == 1


def test_bad_project_file_is_a_message(qtbot, window, tmp_path):
    p = tmp_path / "notours.bizops"
    p.write_text("just text")
    with qtbot.waitSignal(window.failed, timeout=20000) as blocker:
        window.open_project(p)
    assert "notours.bizops" in blocker.args[0]


def _throwaway(panel_factory=None, run=None):
    class Plugin:
        @hookimpl
        def bizops_register_analyses(self):
            return [
                Analysis(
                    id="throwaway",
                    title="Throwaway",
                    summary="test",
                    run=run or (lambda d, p, g: Result()),
                    panel=panel_factory,
                    order=999,
                )
            ]

    return Plugin()


def test_a_tab_that_cannot_be_built_is_reported_and_the_rest_works(qtbot, settings):
    def broken_panel(analysis, host):
        raise RuntimeError("no widgets today")

    reg = load_registry(entry_points=False, extra=[_throwaway(broken_panel)])
    w = MainWindow(registry=reg, settings=settings, interactive=False)
    qtbot.addWidget(w)
    slot = w._slots["throwaway"]
    assert w.tabs.count() == len(w._slots) + 1  # the analyses and the Overview
    w.tabs.setCurrentWidget(slot)
    assert w.panel("throwaway") is None
    label = slot.layout().itemAt(0).widget()
    assert "could not be shown" in label.text()
    assert any("no widgets today" in p for p in w.problems)
    assert w.panel("basket") is not None
    w.host.jobs.shutdown()


def test_plugin_problems_show_in_a_banner(qtbot, settings):
    class Bad:
        @hookimpl
        def bizops_register_analyses(self):
            raise ValueError("bad plugin")

    reg = load_registry(entry_points=False, extra=[Bad()])
    w = MainWindow(registry=reg, settings=settings, interactive=False)
    qtbot.addWidget(w)
    w.show()
    assert w.banner.isVisible() and "bad plugin" in w.banner.text()
    assert w.tabs.count() == len(w._slots) + 1 and "basket" in w._slots
    w.host.jobs.shutdown()


def test_closing_with_a_job_running_cancels_it(qtbot, settings, orders_csv):
    started = threading.Event()

    def slow(dataset, params, progress):
        started.set()
        while True:
            progress.check()
            time.sleep(0.01)

    reg = load_registry(entry_points=False, extra=[_throwaway(run=slow)])
    w = MainWindow(registry=reg, settings=settings, interactive=False)
    qtbot.addWidget(w)
    w.show()
    load(qtbot, w, orders_csv)
    panel = w.panel("throwaway")
    job = panel.run_analysis()
    assert job is not None and started.wait(5)
    assert w.host.jobs.jobs() == [job] and w.jobs_status.isVisibleTo(w)
    t0 = time.monotonic()
    w.close()
    assert job.wait(2) and time.monotonic() - t0 < 3
    assert job.state == "cancelled"


def test_geometry_persists(qtbot, settings):
    w = MainWindow(settings=settings, interactive=False)
    qtbot.addWidget(w)
    w.show()
    w.resize(701, 611)
    qtbot.waitUntil(lambda: w.width() == 701)
    w.close()
    w2 = MainWindow(settings=settings, interactive=False)
    qtbot.addWidget(w2)
    assert (w2.width(), w2.height()) == (701, 611)


def test_changed_source_is_offered_for_reload(qtbot, window, orders_csv, tmp_path, settings):
    load(qtbot, window, orders_csv)
    path = tmp_path / "p.bizops"
    with qtbot.waitSignal(window.saved, timeout=30000):
        window.save_to(path)
    df = pd.read_csv(orders_csv)
    df.loc[len(df)] = ["O999", "C1", "2024-05-05", "cake", 4, 2.0]
    df.to_csv(orders_csv, index=False)
    other = MainWindow(settings=settings, interactive=False)
    qtbot.addWidget(other)
    with qtbot.waitSignal(other.project_loaded, timeout=30000):
        other.open_project(path)
    assert "has changed since it was imported" in other.banner.text()
    old_roles = dict(other.host.dataset("orders").roles)
    with qtbot.waitSignal(other.host.datasets_changed, timeout=30000):
        other.reload_dataset("orders")
    ds = other.host.dataset("orders")
    assert len(ds.frame) == len(df) and ds.roles == old_roles
    other.host.jobs.shutdown(5000)


def test_failed_save_is_a_message_and_keeps_everything(qtbot, window, orders_csv, tmp_path):
    load(qtbot, window, orders_csv)
    good = tmp_path / "good.bizops"
    with qtbot.waitSignal(window.saved, timeout=30000):
        window.save_to(good)
    before = good.read_bytes()
    window.dirty = True
    target = tmp_path / "no_such_folder" / "shop.bizops"
    with qtbot.waitSignal(window.failed, timeout=30000) as blocker:
        window.save_to(target)
    assert "no_such_folder" in blocker.args[0] and "Traceback" not in blocker.args[0]
    assert window.dirty and window.project_path == good  # still the old project
    assert [d.name for d in window.host.datasets()] == ["orders"]
    assert good.read_bytes() == before and not target.exists()


def test_open_dialog_and_drop_accept_what_plugin_importers_read(qtbot, settings, monkeypatch):
    import types

    from PySide6.QtWidgets import QFileDialog

    from bizops_desktop.core.importer import Importer
    from bizops_desktop.core.plugins import hookimpl

    def importers():
        return [Importer("parquet", "Parquet", (".parquet",), lambda path, options, progress, nrows: None)]

    plugin = types.SimpleNamespace(__name__="pq_plugin", bizops_register_importers=hookimpl(importers))
    reg = load_registry(entry_points=False, extra=[plugin])
    w = MainWindow(registry=reg, settings=settings, interactive=False)
    qtbot.addWidget(w)
    assert w.accepts_file("shop.parquet") and w.accepts_file("orders.CSV") and w.accepts_file("p.bizops")
    assert not w.accepts_file("notes.docx")
    seen = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: (seen.append(a[3]), ("", ""))[1])
    w.open_data_dialog()
    assert "*.parquet" in seen[0] and "*.csv" in seen[0] and "*.xlsx" in seen[0]
