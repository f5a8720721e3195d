"""Help ▸ Guide: every built-in tab has a short guide in English and Chinese, with the three
headings, and the dialog opens from the menu on the current tab's guide."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QSettings

from bizops_desktop.core.analysis import Analysis
from bizops_desktop.core.i18n import use_language
from bizops_desktop.core.plugins import load_registry
from bizops_desktop.qt.guide import GuideDialog, guide_markdown
from bizops_desktop.qt.main_window import MainWindow

HEADINGS = ("## What it answers", "## What data it needs", "## How to read the result")
BUILT_INS = ("recommender", "basket", "forecast", "pricing", "churn")
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_RUN = re.compile(r"[A-Za-z]+(?:[ ,'-]+[A-Za-z]+){2,}")  # three English words in a row


def built_ins() -> list[Analysis]:
    registry = load_registry()
    return [registry.analyses[aid] for aid in BUILT_INS]


@pytest.mark.parametrize("aid", BUILT_INS)
def test_every_built_in_tab_has_a_guide_with_the_three_headings_in_both_languages(aid):
    a = load_registry().analyses[aid]
    assert a.guide is not None
    with use_language("en"):
        en = str(a.guide)
    with use_language("zh_CN"):
        zh = str(a.guide)
    en_heads = [line for line in en.splitlines() if line.startswith("## ")]
    assert en_heads == list(HEADINGS)
    # The translation keeps the Markdown: three headings in the same place, no English heading.
    zh_heads = [line for line in zh.splitlines() if line.startswith("## ")]
    assert zh_heads == ["## 它回答什么", "## 需要什么数据", "## 怎么看结果"]
    assert zh.count("\n\n") == en.count("\n\n")
    for para in zh.split("\n\n"):
        assert CJK.search(para), para
    assert not ENGLISH_RUN.search(zh), ENGLISH_RUN.search(zh).group(0)
    assert 300 < len(en) < 1500  # a short guide, not a manual


def test_a_tab_without_a_guide_shows_its_summary():
    a = Analysis(id="x", title="Stock check", summary="which products run out first")
    md = guide_markdown(a)
    assert "Stock check" in md and "which products run out first" in md


@pytest.fixture
def window(qtbot, tmp_path):
    w = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), interactive=False)
    qtbot.addWidget(w)
    yield w
    w.host.jobs.shutdown(5000)


def test_help_guide_opens_on_the_current_tab_and_the_list_switches_guides(window, qtbot):
    ids = ["overview"] + [a.id for a in window.registry.ordered()]  # the Overview's guide first
    window.tabs.setCurrentWidget(window._slots["churn"])
    window.act_guide.trigger()
    dialog = window.guide_dialog
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    assert dialog.current_id() == "churn"
    assert dialog.list.currentItem().text() == "Churn risk"
    shown = dialog.browser.toPlainText()
    assert "What it answers" in shown and "Win back" in shown
    assert dialog.browser.openLinks() is False and dialog.browser.openExternalLinks() is False
    dialog.list.setCurrentRow(ids.index("basket"))
    assert dialog.current_id() == "basket"
    shown = dialog.browser.toPlainText()
    assert "Bought together" in shown and "Win back" not in shown
    dialog.list.setCurrentRow(0)
    assert dialog.current_id() == "overview" and "At stake" in dialog.browser.toPlainText()


def test_the_guide_opens_on_the_overview_from_the_overview(window, qtbot):
    window.tabs.setCurrentWidget(window.overview_slot)
    window.act_guide.trigger()
    qtbot.addWidget(window.guide_dialog)
    assert window.guide_dialog.current_id() == "overview"
    assert window.guide_dialog.list.currentItem().text() == "This week"


def test_the_guide_dialog_reads_in_chinese(qtbot):
    with use_language("zh_CN"):
        dialog = GuideDialog(built_ins(), "pricing")
        qtbot.addWidget(dialog)
        assert dialog.windowTitle() == "使用指南"
        assert dialog.list.count() == len(BUILT_INS)
        assert all(CJK.search(dialog.list.item(i).text()) for i in range(dialog.list.count()))
        shown = dialog.browser.toPlainText()
    assert "怎么看结果" in shown and "弹性" in shown
    assert not ENGLISH_RUN.search(shown)
