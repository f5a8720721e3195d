"""Help ▸ Guide: each tab's short guide (what it answers, what data it needs, how to read the
result), written by the tab's own plugin as Markdown and shown inside the program, no network."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QListWidget, QTextBrowser, QVBoxLayout

from bizops_desktop.core import i18n
from bizops_desktop.core.analysis import Analysis
from bizops_desktop.core.i18n import _


def guide_markdown(analysis: Analysis) -> str:
    """The tab's guide in the current language, under the tab's title; a tab whose plugin wrote
    no guide shows its summary."""
    body = i18n.text(analysis.guide) if analysis.guide else i18n.text(analysis.summary)
    return "# " + i18n.text(analysis.title) + "\n\n" + body


class GuideDialog(QDialog):
    """A list of the tabs on the left, the chosen tab's guide on the right."""

    def __init__(self, analyses: Sequence[Analysis], current: str | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Guide"))
        self.analyses = list(analyses)
        self.list = QListWidget(self)
        for a in self.analyses:
            self.list.addItem(i18n.text(a.title))
        self.list.setMaximumWidth(220)
        self.browser = QTextBrowser(self)
        # Guides are plain text from plugins: a link in one is shown, never followed (no network).
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        buttons = QDialogButtonBox(self)
        buttons.addButton(_("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.list)
        row.addWidget(self.browser, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(buttons)
        self.list.currentRowChanged.connect(self._show_row)
        ids = [a.id for a in self.analyses]
        self.list.setCurrentRow(ids.index(current) if current in ids else 0)
        self.resize(820, 520)

    def current_id(self) -> str | None:
        row = self.list.currentRow()
        return self.analyses[row].id if 0 <= row < len(self.analyses) else None

    def show_analysis(self, analysis_id: str) -> None:
        self.list.setCurrentRow([a.id for a in self.analyses].index(analysis_id))

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self.analyses):
            self.browser.setMarkdown(guide_markdown(self.analyses[row]))
