"""The window's language: switched in place without losing anything loaded or computed, kept
for the next start, the system's at the first start; and Qt's own dialogs in it too."""

from __future__ import annotations

import re
import threading
import time

import pandas as pd
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QSettings
from PySide6.QtWidgets import QPushButton

from bizops_desktop.core import i18n
from bizops_desktop.core.analysis import Analysis, Result
from bizops_desktop.core.plugins import hookimpl, load_registry
from bizops_desktop.qt.app import make_app
from bizops_desktop.qt.language import SETTINGS_KEY, apply_language, saved_language
from bizops_desktop.qt.main_window import MainWindow
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.table_model import DataFrameTable

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def english_afterwards():
    """Whatever a test does to the language, the tests after it read English again."""
    locale = QLocale()
    yield
    apply_language("en")
    QLocale.setDefault(locale)


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _window(qtbot, settings, registry=None) -> MainWindow:
    w = MainWindow(registry=registry, settings=settings, interactive=False)
    qtbot.addWidget(w)
    return w


def _wait(qtbot, job, timeout=60000):
    qtbot.waitUntil(lambda: job.delivered, timeout=timeout)


def _menu_titles(w: MainWindow) -> list[str]:
    return [a.text() for a in w.menuBar().actions()]


def _tables(panel) -> list[DataFrameTable]:
    return panel.findChildren(DataFrameTable)


def _flush_deletes() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_switching_to_chinese_keeps_data_settings_and_results_and_back(qtbot, settings):
    w = _window(qtbot, settings)
    w.show()
    _wait(qtbot, w.open_demo())
    datasets = {d.name: d for d in w.host.datasets()}
    panel = w.panel("basket")
    w.tabs.setCurrentWidget(panel.parentWidget())
    panel.set_params({"min_support": 0.003, "min_confidence": 0.02, "min_lift": 0.0})
    with qtbot.waitSignal(panel.run_ended, timeout=60000) as ended:
        panel.run_button.click()
    assert ended.args == ["done"], panel.message.text()
    qtbot.waitUntil(lambda: not w.host.jobs.jobs(), timeout=5000)  # the job's last signal delivered
    result, params = panel.result, panel.params()
    rows = {id(t): t.model.rowCount() for t in _tables(panel)}
    shown_rows = sorted(n for n in rows.values() if n)
    assert w.dirty
    started = []
    w.host.jobs.job_started.connect(started.append)

    assert _menu_titles(w)[:2] == ["&File", "&Data"]
    assert w.switch_language("zh_CN")
    assert i18n.get_language() == "zh_CN"
    assert saved_language(settings) == "zh_CN"
    # menus, tab titles, buttons in Chinese
    assert _menu_titles(w) == ["文件(&F)", "数据(&D)", "语言 Language(&L)", "帮助(&H)"]
    assert [a.text() for a in w.language_menu.actions()] == ["English", "简体中文"]
    assert w.language_actions["zh_CN"].isChecked() and not w.language_actions["en"].isChecked()
    titles = [w.tabs.tabText(i) for i in range(w.tabs.count())]
    assert titles == ["本周要做的事"] + [i18n.text(a.title, "zh_CN") for a in w.registry.ordered()]
    assert CJK.search(w.tabs.tabText(w.tabs.indexOf(w._slots["basket"])))
    assert w.data_dock.windowTitle() == "数据"
    new = w.panel("basket")
    assert new is not panel and isinstance(new, AnalysisPanel)
    assert w.current_panel() is new
    assert (new.run_button.text(), new.cancel_button.text(), new.export_button.text()) == ("运行", "取消", "导出")
    assert w.datasets_panel.roles_button.text() == "列的含义…"
    assert "未命名" in w.windowTitle() and "•" in w.windowTitle()
    # the same result shown again, nothing loaded or computed again
    assert started == []
    assert new.result is result and new.params() == params
    assert sorted(n for n in (t.model.rowCount() for t in _tables(new)) if n) == shown_rows
    assert {d.name: d for d in w.host.datasets()} == datasets
    assert all(w.host.dataset(n) is d for n, d in datasets.items())
    assert w.datasets_panel.list.count() == len(datasets)
    assert "行" in w.datasets_panel.info.text()
    assert w.dirty  # still unsaved: the switch saved nothing
    _flush_deletes()
    assert w._slots["basket"].findChildren(AnalysisPanel) == [new]  # the old panel is gone

    assert w.switch_language("en")
    assert _menu_titles(w) == ["&File", "&Data", "&Language", "&Help"]
    back = w.panel("basket")
    assert back.run_button.text() == "Run" and back.result is result
    assert w.tabs.tabText(w.tabs.indexOf(w._slots["basket"])) == "Basket rules"
    assert started == [] and w.dirty
    assert saved_language(settings) == "en"
    w.host.jobs.job_started.disconnect(started.append)


def test_a_saved_project_keeps_its_path_and_clean_state_through_a_switch(qtbot, settings, tmp_path):
    w = _window(qtbot, settings)
    _wait(qtbot, w.open_demo())
    path = tmp_path / "shop.bizops"
    _wait(qtbot, w.save_to(path))
    assert not w.dirty
    assert w.switch_language("zh_CN")
    assert w.project_path == path and not w.dirty
    assert w.windowTitle() == "shop.bizops — BizOps Desktop"
    # the tabs built later (not shown before the switch) still open with the project's datasets
    forecast = w.panel("forecast")
    assert forecast is not None and forecast.dataset_combo.count() == len(w.host.datasets())
    assert not w.dirty


def test_no_switch_while_a_job_runs(qtbot, settings, tmp_path):
    started, gate = threading.Event(), threading.Event()

    def slow(dataset, params, progress):
        started.set()
        while not gate.is_set():
            progress.check()
            time.sleep(0.01)
        return Result()

    class Plugin:
        @hookimpl
        def bizops_register_analyses(self):
            return [Analysis(id="slow", title="Slow", summary="waits", run=slow, order=999)]

    w = _window(qtbot, settings, load_registry(entry_points=False, extra=[Plugin()]))
    w.show()
    csv = tmp_path / "o.csv"
    pd.DataFrame({"order_id": [1, 2], "product_id": ["a", "b"]}).to_csv(csv, index=False)
    with qtbot.waitSignal(w.dataset_loaded, timeout=20000):
        w.open_data(csv, ask=False)
    panel = w.panel("slow")
    job = panel.run_analysis()
    try:
        assert job is not None and started.wait(5)
        assert not w.switch_language("zh_CN")
        assert i18n.get_language() == "en" and saved_language(settings) is None
        assert "running work has finished" in w.banner.text()
        assert w.language_actions["en"].isChecked() and not w.language_actions["zh_CN"].isChecked()
        assert w.panel("slow") is panel and panel.running  # nothing was torn down
    finally:
        gate.set()
        job.wait(5)
        qtbot.waitUntil(lambda: job.delivered, timeout=5000)
    w.host.jobs.shutdown(5000)


def test_the_saved_language_is_used_at_the_next_start(qtbot, settings, monkeypatch):
    monkeypatch.delenv(i18n.LANG_ENV, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    w = _window(qtbot, settings)
    w.language_actions["zh_CN"].trigger()
    assert i18n.get_language() == "zh_CN"
    w.close()
    apply_language("en")  # as if the program had ended; a new start reads the setting
    make_app(settings)
    assert i18n.get_language() == "zh_CN"
    again = _window(qtbot, settings)
    assert _menu_titles(again)[0] == "文件(&F)"
    assert again.language_actions["zh_CN"].isChecked()


def test_a_first_start_follows_the_system_language(qtbot, settings, monkeypatch):
    monkeypatch.delenv(i18n.LANG_ENV, raising=False)
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert settings.value(SETTINGS_KEY) is None
    make_app(settings)
    assert i18n.get_language() == "zh_CN"
    assert settings.value(SETTINGS_KEY) is None  # following the system is not a choice made
    w = _window(qtbot, settings)
    assert _menu_titles(w)[0] == "文件(&F)"
    # Qt's own texts (standard buttons of dialogs) come in Chinese too
    from PySide6.QtWidgets import QDialogButtonBox

    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    texts = [b.text() for b in box.findChildren(QPushButton)]
    assert any(CJK.search(t) for t in texts), texts
    assert QLocale().language() == QLocale.Language.Chinese

    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    settings.remove(SETTINGS_KEY)
    make_app(settings)
    assert i18n.get_language() == "en"


def test_bizops_lang_overrides_the_saved_choice(qtbot, settings, monkeypatch):
    settings.setValue(SETTINGS_KEY, "zh_CN")
    monkeypatch.setenv(i18n.LANG_ENV, "en")
    make_app(settings)
    assert i18n.get_language() == "en"
    monkeypatch.delenv(i18n.LANG_ENV)
    make_app(settings)
    assert i18n.get_language() == "zh_CN"


def test_date_axes_name_the_months_in_the_language(qtbot):
    from datetime import datetime, timezone

    from pyqtgraph.graphicsItems.DateAxisItem import MONTH_SPACING, YEAR_MONTH_ZOOM_LEVEL

    from bizops_desktop.qt.plots import make_plot

    w = make_plot(date_axis=True)
    qtbot.addWidget(w)
    axis = w.getAxis("bottom")
    axis.zoomLevel = YEAR_MONTH_ZOOM_LEVEL
    mid_january = datetime(2024, 1, 15, tzinfo=timezone.utc).timestamp()
    assert axis.tickStrings([mid_january], 1, MONTH_SPACING) == ["Jan"]
    with i18n.use_language("zh_CN"):
        assert axis.tickStrings([mid_january], 1, MONTH_SPACING) == ["1月"]


def test_a_missing_chinese_font_is_said_in_both_languages(qtbot, monkeypatch):
    from PySide6.QtGui import QFontDatabase

    from bizops_desktop.core.i18n import use_language
    from bizops_desktop.qt.language import font_warning

    with use_language("zh_CN"):
        monkeypatch.setattr(QFontDatabase, "families", lambda *a: ["Noto Sans CJK SC"])
        assert font_warning() is None
        monkeypatch.setattr(QFontDatabase, "families", lambda *a: [])
        text = font_warning()
    assert "fonts-noto-cjk" in text and "No Chinese font" in text and "中文字体" in text
    with use_language("en"):
        assert font_warning() is None  # English needs no Chinese font
