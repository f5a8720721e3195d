"""The Overview ("This week"): every tab's actions in one list ranked by money at stake, Run all in
the job runner, stale marks, and Open that shows the action's row in its tab."""

from __future__ import annotations

import threading

import pandas as pd
import pytest
from PySide6.QtCore import QSettings

from bizops_desktop.core import i18n
from bizops_desktop.core.actions import Action
from bizops_desktop.core.analysis import Analysis, Result
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import Cancelled
from bizops_desktop.core.i18n import M
from bizops_desktop.core.overview import Entry, actions_table, run_all
from bizops_desktop.core.plugins import hookimpl, load_registry
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.project import Project, load_project, save_project
from bizops_desktop.qt.main_window import MainWindow


def _result(*actions: Action, table: pd.DataFrame | None = None) -> Result:
    r = Result(actions=list(actions))
    if table is not None:
        r.tables["items"] = table
    return r


def _act(kind: str, what: str, money: float | None, **key) -> Action:
    return Action(kind, M("Do {what}", what=what), M("because {what}", what=what), money, "items", key)


def test_actions_from_every_tab_are_ranked_by_money_and_say_where_they_come_from():
    entries = [
        Entry("a", "Tab A", _result(_act("bundle", "a1", 50.0), _act("other", "a2", None))),
        Entry("b", "Tab B", _result(_act("contact", "b1", 300.0), _act("price", "b2", 120.5)), stale=True),
        Entry("c", "Tab C", None),  # not run yet
    ]
    frame, columns, headline = actions_table(entries)
    assert [i18n.text(v) for v in frame["action"]] == ["Do b1", "Do b2", "Do a1", "Do a2"]
    assert frame["rank"].tolist() == [1, 2, 3, 4]
    assert frame["tab"].tolist() == ["b", "b", "a", "a"]
    assert frame["status"].tolist() == ["stale", "stale", "current", "current"]
    assert columns["money"].kind == "money" and columns["tab"].values["b"] == "Tab B"
    text = i18n.text(headline)
    assert "4 things to do" in text and i18n.format_money(470, decimals=0) in text  # 300 + 120.5 + 50
    assert "1 tab's result is older than its data" in text
    with i18n.use_language("zh_CN"):
        assert "4" in i18n.text(headline) and "本周" in i18n.text(headline)


def test_the_headline_asks_for_a_run_when_nothing_ran():
    frame, _c, headline = actions_table([Entry("a", "A", None)])
    assert frame.empty and "Run all" in i18n.text(headline)
    _f, _c, headline = actions_table([Entry("a", "A", Result())])
    assert "No action stands out" in i18n.text(headline)


def test_actions_are_saved_in_the_project_and_read_back(tmp_path):
    from bizops_desktop.core.project import AnalysisState

    ds = Dataset("orders", pd.DataFrame({"x": [1, 2]}))
    r = _result(_act("bundle", "tea and mug", 12.345, product_id="P1"))
    project = Project(datasets={"orders": ds}, analyses={"basket": AnalysisState("basket", result=r)})
    save_project(project, tmp_path / "p.bizops")
    back = load_project(tmp_path / "p.bizops").analyses["basket"].result
    (a,) = back.actions
    assert (a.kind, a.money, a.table, dict(a.key)) == ("bundle", 12.35, "items", {"product_id": "P1"})
    assert i18n.text(a.text) == "Do tea and mug" and i18n.text(a.why) == "because tea and mug"


def test_a_damaged_action_in_a_project_file_is_dropped_not_a_crash():
    r = Result()
    r.set_display_state({"actions": [{"kind": "rm -rf", "text": {"msgid": "x {a}", "domain": "nope"}}, 7, {"no": 1}]})
    assert len(r.actions) == 1 and r.actions[0].kind == "other"


def _analysis(aid: str, run, needs=(("order_id",),)) -> Analysis:
    return Analysis(id=aid, title=f"Tab {aid}", summary="test", run=run, needs=needs)


def test_run_all_runs_each_analysis_on_the_data_it_fits_and_reports_who_could_not():
    orders = Dataset("orders", pd.DataFrame({"order_id": ["1", "2"]}), roles={"order_id": ["order_id"]})
    other = Dataset("reviews", pd.DataFrame({"r": [1]}))
    seen = {}

    def ok(ds, params, progress):
        seen["ok"] = (ds.name, params)
        return _result(_act("other", "x", 1.0))

    def broken(ds, params, progress):
        raise ZeroDivisionError("a plugin bug")

    from bizops_desktop.core.params import Param

    a_ok = _analysis("ok", ok)
    a_ok.params = [Param("k", "int", 3, "k")]
    out = run_all(
        [a_ok, _analysis("broken", broken), _analysis("needs_rating", ok, needs=(("rating",),))],
        [other, orders],
        saved={"ok": ({"k": 5, "gone": 1}, None)},
    )
    assert [o.analysis for o in out] == ["ok", "broken", "needs_rating"]
    assert seen["ok"] == ("orders", {"k": 5}) and out[0].result is not None and out[0].problem is None
    assert out[1].result is None and "a plugin bug" in out[1].problem
    assert out[2].result is None and "columns it needs" in out[2].problem


def test_run_all_stops_at_cancel():
    orders = Dataset("orders", pd.DataFrame({"order_id": ["1"]}), roles={"order_id": ["order_id"]})
    p = Progress()

    def cancel_then_check(ds, params, progress):
        p.cancel()
        progress.check()
        return Result()

    with pytest.raises(Cancelled):
        run_all([_analysis("a", cancel_then_check), _analysis("b", cancel_then_check)], [orders], progress=p)


# -- the window ----------------------------------------------------------------------------------
def _plugin(gate: threading.Event | None = None):
    def run(ds, params, progress):
        if gate is not None:
            gate.wait(10)
        frame = pd.DataFrame({"product_id": ["P1", "P2", "P3"], "units": [3, 2, 1]})
        return _result(
            _act("restock", "P2", 80.0, product_id="P2"), _act("bundle", "P3", 20.0, product_id="P3"), table=frame
        )

    def run_b(ds, params, progress):
        return _result(_act("contact", "C9", 150.0))

    class Plugin:
        @hookimpl
        def bizops_register_analyses(self):
            return [
                Analysis(id="alpha", title="Alpha", summary="t", run=run, needs=(("order_id",),), order=1),
                Analysis(id="beta", title="Beta", summary="t", run=run_b, needs=(("order_id",),), order=2),
            ]

    return Plugin()


@pytest.fixture
def window(qtbot, tmp_path):
    def make(gate=None):
        reg = load_registry(entry_points=False, builtins=False, extra=[_plugin(gate)])
        w = MainWindow(
            registry=reg, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), interactive=False
        )
        qtbot.addWidget(w)
        made.append(w)
        return w

    made: list = []
    yield make
    for w in made:
        w.host.jobs.shutdown(5000)


def _orders():
    return Dataset("orders", pd.DataFrame({"order_id": ["1", "2"]}), roles={"order_id": ["order_id"]})


def test_the_overview_is_the_first_tab_and_run_all_fills_every_tab(qtbot, window):
    w = window()
    assert w.tabs.tabText(0) == "This week" and w.tabs.currentIndex() == 0
    ov = w.overview
    assert "Run all" in ov.headline.text()
    w.host.add_dataset(_orders())
    w.panel("beta")  # one tab built, the other not: both get their result
    with qtbot.waitSignal(ov.run_ended, timeout=20000) as blocker:
        assert ov.run_all() is not None
    assert blocker.args == ["done"]
    shown = ov.table.frame()
    assert [i18n.text(v) for v in shown["action"]] == ["Do C9", "Do P2", "Do P3"]
    assert "3 things to do" in ov.headline.text() and i18n.format_money(250, decimals=0) in ov.headline.text()
    assert w.panels["beta"].result is not None and w._pending_state["alpha"].result is not None
    assert w.dirty
    # Open on the second line: the Alpha tab, on the row of product P2
    ov.table.select_source_row(1)
    ov._open_selected()
    panel = w.panels["alpha"]
    assert w.tabs.currentWidget() is w._slots["alpha"]
    table = next(t for t in panel._generic_widgets.values() if hasattr(t, "selected_source_row"))
    assert table.selected_source_row() == 1 and panel._generic_tabs.currentWidget() is table
    # new data: the results are marked as older than the data
    w.host.add_dataset(_orders())
    assert set(ov.table.frame()["status"]) == {"stale"}
    assert "older than their data" in ov.headline.text()


def test_run_all_keeps_the_window_responsive_and_can_be_cancelled(qtbot, window):
    gate = threading.Event()
    w = window(gate)
    w.host.add_dataset(_orders())
    ov = w.overview
    job = ov.run_all()
    assert job is not None and ov.cancel_button.isEnabled() and not ov.run_button.isEnabled()
    assert ov.run_all() is None  # one run at a time
    with qtbot.waitSignal(ov.run_ended, timeout=20000) as blocker:
        ov.cancel()
        gate.set()
    assert blocker.args == ["cancelled"]
    assert "Cancelled" in ov.status_label.text() and ov.run_button.isEnabled()
    assert "alpha" not in w._pending_state and w.panels.get("alpha") is None


def test_the_overview_speaks_chinese(qtbot, window):
    with i18n.use_language("zh_CN"):
        w = window()
        assert w.tabs.tabText(0) == "本周要做的事"
        assert "全部运行" in w.overview.run_button.text()


def test_the_sentences_share_the_width_at_both_window_sizes(qtbot, window):
    w = window()
    w.host.add_dataset(_orders())
    with qtbot.waitSignal(w.overview.run_ended, timeout=20000):
        w.overview.run_all()
    view = w.overview.table.view
    names = list(w.overview.table.model.source_frame().columns)
    for size in ((1360, 840), (1920, 1080)):
        w.resize(*size)
        w.show()
        qtbot.wait(50)
        w.overview._fit_columns()
        widths = {n: view.columnWidth(j) for j, n in enumerate(names)}
        total = sum(widths.values())
        assert total <= view.viewport().width() + 2  # nothing pushed out of sight
        assert widths["action"] + widths["why"] >= 0.6 * view.viewport().width()  # the sentences get the room
