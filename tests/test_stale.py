"""Stale results are visible: a tab whose dataset was replaced or whose column roles changed
since its result was computed says so and offers to run again; other tabs do not; a new run,
a reopened project with the same data and a language switch keep the right answer; a form
error does not leave the previous "Done" line standing."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import run_panel
from PySide6.QtCore import QSettings

from bizops_desktop.core.analysis import Analysis, Result
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.params import Param
from bizops_desktop.qt.host import Host
from bizops_desktop.qt.main_window import MainWindow
from bizops_desktop.qt.panel import AnalysisPanel

STALE_EN = "The data has changed since this result was computed. Run again to update it."


def _sum(dataset, params, progress):
    total = float(dataset.frame[dataset.col("quantity")].sum() * params["factor"])
    return Result(tables={"units": pd.DataFrame({"units": [total]})}, metrics={"total": total})


TOY = Analysis(
    id="toy",
    title="Toy",
    summary="sums quantities",
    params=(Param("factor", "float", 1.0, "multiply by", minimum=0),),
    needs=(("quantity",),),
    run=_sum,
)


@pytest.fixture
def host(qtbot):
    h = Host()
    h.add_dataset(Dataset("orders", pd.DataFrame({"qty": [1, 2, 3], "n": [5, 5, 5]}), {"quantity": "qty"}))
    h.add_dataset(Dataset("other", pd.DataFrame({"qty": [10]}), {"quantity": "qty"}))
    yield h
    h.jobs.shutdown(5000)


def toy_panel(qtbot, host, dataset="orders"):
    p = AnalysisPanel(TOY, host)
    qtbot.addWidget(p)
    p.select_dataset(dataset)
    return p


def shows_stale(panel) -> bool:
    return panel.stale_message.isVisibleTo(panel) and panel.stale_message.text() == STALE_EN


def test_roles_change_makes_only_the_tab_on_that_dataset_stale(qtbot, host):
    a, b = toy_panel(qtbot, host, "orders"), toy_panel(qtbot, host, "other")
    run_panel(qtbot, a)
    run_panel(qtbot, b)
    assert not a.is_stale() and not shows_stale(a) and not shows_stale(b)
    with qtbot.waitSignal(a.stale_changed) as changed:
        host.dataset("orders").set_role("quantity", "n")
        host.roles_changed("orders")
    assert changed.args == [True]
    assert a.is_stale() and shows_stale(a)
    assert a.status_label.text() == ""  # no "Done" next to "the data has changed"
    assert a.stale_message.action_button.text() == "Run again" and a.stale_message.action_button.isEnabled()
    assert not b.is_stale() and not shows_stale(b)
    assert a.result.metrics["total"] == 6.0  # the old result is still shown, marked as old
    # "Run again" runs it on the changed data; the message goes away
    with qtbot.waitSignal(a.run_ended, timeout=10000) as ended:
        a.stale_message.action_button.click()
    assert ended.args == ["done"]
    assert a.result.metrics["total"] == 15.0
    assert not a.is_stale() and not shows_stale(a)


def test_replaced_dataset_makes_its_tab_stale_and_a_new_one_does_not(qtbot, host):
    a, b = toy_panel(qtbot, host, "orders"), toy_panel(qtbot, host, "other")
    run_panel(qtbot, a)
    run_panel(qtbot, b)
    host.add_dataset(Dataset("new", pd.DataFrame({"qty": [7]}), {"quantity": "qty"}))  # added: nobody's input
    assert not a.is_stale() and not b.is_stale()
    same = host.dataset("orders")
    host.add_dataset(Dataset("orders", same.frame.copy(), dict(same.roles)))  # replaced (e.g. reloaded)
    assert a.is_stale() and shows_stale(a)
    assert not b.is_stale()
    host.remove_dataset("orders")  # nothing left to run it on again: not called stale
    assert not a.is_stale() and not shows_stale(a)


def test_data_changed_during_the_run_gives_a_stale_result(qtbot, host):
    a = toy_panel(qtbot, host)
    with qtbot.waitSignal(a.run_ended, timeout=10000):
        assert a.run_analysis() is not None
        assert not a.stale_message.action_button.isEnabled() or not shows_stale(a)
        host.dataset("orders").set_role("quantity", "n")
        host.roles_changed("orders")
    assert a.is_stale() and shows_stale(a)  # the input was taken when the run started


def test_a_form_error_clears_the_done_line(qtbot, host):
    a = toy_panel(qtbot, host)
    run_panel(qtbot, a)
    assert a.status_label.text().startswith("Done")
    a.form.editors["factor"].setText("-1")
    assert a.run_analysis() is None
    assert a.status_label.text() == ""
    assert a.message.kind == "warning" and "at least 0" in a.message.text()


# -- in the window, on the demo shop ------------------------------------------------------------


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, interactive=False)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.dataset_loaded, timeout=30000):
        w.open_demo()
    qtbot.waitUntil(lambda: w.host.dataset("weekly_sales") is not None, timeout=30000)
    yield w
    w.host.jobs.shutdown(5000)


def drop_role(window, name: str, role: str) -> None:
    ds = window.host.dataset(name)
    ds.roles = {r: c for r, c in ds.roles.items() if r != role}
    window.host.roles_changed(name)


def test_demo_tabs_on_the_changed_dataset_say_so(qtbot, window):
    basket, rec = window.panel("basket"), window.panel("recommender")
    run_panel(qtbot, basket, dataset="orders")
    run_panel(qtbot, rec, dataset="reviews")
    assert window.stale_tabs() == []
    drop_role(window, "reviews", "product_name")
    assert window.stale_tabs() == ["recommender"]
    assert shows_stale(rec) and not shows_stale(basket)
    i = window.tabs.indexOf(window._slots["recommender"])
    assert not window.tabs.tabIcon(i).isNull() and window.tabs.tabToolTip(i) == STALE_EN
    assert window.tabs.tabIcon(window.tabs.indexOf(window._slots["basket"])).isNull()
    run_panel(qtbot, rec)
    assert window.stale_tabs() == [] and not shows_stale(rec)
    assert window.tabs.tabIcon(i).isNull() and window.tabs.tabToolTip(i) == ""


def test_reopened_project_with_the_same_data_is_not_stale(qtbot, window, tmp_path):
    run_panel(qtbot, window.panel("basket"), dataset="orders")
    run_panel(qtbot, window.panel("recommender"), dataset="reviews")
    path = tmp_path / "shop.bizops"
    with qtbot.waitSignal(window.saved, timeout=30000):
        window.save_to(path)
    with qtbot.waitSignal(window.project_loaded, timeout=30000):
        window.open_project(path)
    assert window.stale_tabs() == []
    assert not shows_stale(window.panel("basket"))
    # a tab not built yet (its saved state waits) still notices a change made before it is shown
    window._rebuild()
    with qtbot.waitSignal(window.project_loaded, timeout=30000):
        window.open_project(path)
    assert "recommender" not in window.panels
    drop_role(window, "reviews", "product_name")
    assert window.stale_tabs() == ["recommender"]
    assert shows_stale(window.panel("recommender"))
    assert not window.panel("basket").is_stale()


def test_stale_survives_a_language_switch_and_reads_chinese(qtbot, window):
    rec = window.panel("recommender")
    run_panel(qtbot, rec, dataset="reviews")
    run_panel(qtbot, window.panel("basket"), dataset="orders")
    drop_role(window, "reviews", "product_name")
    qtbot.waitUntil(lambda: not window.host.jobs.jobs(), timeout=5000)  # the jobs' last signals delivered
    assert window.switch_language("zh_CN")
    assert window.stale_tabs() == ["recommender"]
    rec = window.panel("recommender")
    assert rec.is_stale()
    assert rec.stale_message.text() == "这个结果算出来之后数据已经变了。请重新运行，更新结果。"
    assert rec.stale_message.action_button.text() == "重新运行"
    assert not window.panel("basket").is_stale()
