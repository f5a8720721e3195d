"""The Customers & campaigns tab: segments with their share of revenue and what to do, every
customer with scores and lifetime value, month-over-month moves, the groups the data finds, the
campaign list with its holdout (exported for a coupon, SMS or WeChat campaign), and the
measured campaign and promotion."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.export import write_table
from bizops_desktop.core.i18n import text
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.plots import make_plot, render_plot
from bizops_desktop.qt.table_model import DataFrameTable

from .i18n import _

HEADLINE_STYLE = "font-size: 14px; font-weight: 600; padding: 2px 0 4px 0"
SENTENCE_COLUMNS = {"segments": ("action", 260), "clusters": ("description", 380)}  # table -> (column, px)


class SegmentsPanel(AnalysisPanel):
    def build_results(self, layout: QVBoxLayout) -> None:
        self.add_headline(layout)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setStyleSheet(HEADLINE_STYLE)
        self.tabs = QTabWidget(self.results)
        layout.addWidget(self.tabs, 1)
        self._result: Result | None = None
        self.tables: dict[str, DataFrameTable] = {}
        self.plots: dict[str, object] = {}
        self.pages: dict[str, QWidget] = {}

        def table(name: str, parent: QWidget) -> DataFrameTable:
            t = DataFrameTable(parent)
            t.setObjectName(name)
            self.tables[name] = t
            return t

        def plot(name: str) -> object:
            p = make_plot()
            self.register_plot(name, p)
            self.plots[name] = p
            return p

        # segments: table with the plot beside it
        split = QSplitter(Qt.Orientation.Vertical, self.tabs)
        split.addWidget(table("segments", split))
        split.addWidget(plot("segments"))
        split.setStretchFactor(0, 1)  # the table's rows (up to 9 segments) as tall as the plot
        split.setStretchFactor(1, 1)
        self._add_page("segments", split, _("Segments"))
        self._add_page("customers", table("customers", self.tabs), _("All customers"))
        self._add_page("migration", table("migration", self.tabs), _("Moves since last month"))
        self._add_page("clusters", table("clusters", self.tabs), _("Groups"))

        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 4, 0, 0)
        row = QHBoxLayout()
        self.list_label = QLabel(page)
        self.list_label.setObjectName("list_label")
        self.list_label.setWordWrap(True)
        self.export_list_button = QPushButton(_("Export list…"), page)
        self.export_list_button.setToolTip(
            _("Save the campaign list with its groups as CSV or Excel, for a coupon, SMS or WeChat campaign")
        )
        self.export_list_button.clicked.connect(self._export_list_dialog)
        row.addWidget(self.list_label, 1)
        row.addWidget(self.export_list_button)
        pl.addLayout(row)
        pl.addWidget(table("campaign_list", page), 1)
        self._add_page("campaign_list", page, _("Campaign list"))

        split = QSplitter(Qt.Orientation.Vertical, self.tabs)
        split.addWidget(plot("campaign"))
        split.addWidget(table("campaign", split))
        self._add_page("campaign", split, _("Campaign"))
        split = QSplitter(Qt.Orientation.Vertical, self.tabs)
        split.addWidget(plot("promotion"))
        split.addWidget(table("promotion", split))
        self._add_page("promotion", split, _("Promotion"))
        self.notes_label = QLabel(self.tabs)
        self.notes_label.setObjectName("notes_label")
        self.notes_label.setWordWrap(True)
        self.notes_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._add_page("notes", self.notes_label, _("How it was worked out"))

    def _add_page(self, key: str, widget: QWidget, title: str) -> None:
        self.pages[key] = widget
        self.tabs.addTab(widget, title)

    def show_result(self, result: Result) -> None:
        self._result = result
        self.headline.setText(text(result.headline))
        for name, t in self.tables.items():
            frame = result.tables.get(name)
            if frame is not None:
                t.set_frame(frame, result.columns.get(name), result.names)
                for j in range(t.model.columnCount()):  # statistics stay in the export, not on screen
                    spec = t.model.column_spec(j)
                    if spec is not None and spec.details:
                        t.view.setColumnHidden(j, True)
                self._wrap_sentences(t, frame, name)
        for name, p in self.plots.items():
            spec = result.plots.get(name)
            if spec is not None:
                render_plot(spec, p)
        for key, page in self.pages.items():
            shown = key == "notes" or key in result.tables
            self.tabs.setTabVisible(self.tabs.indexOf(page), shown)
        lst = result.tables.get("campaign_list")
        self.export_list_button.setEnabled(lst is not None and len(lst) > 0)
        info = result.metrics.get("campaign_list") or {}
        if info:
            self.list_label.setText(
                _(
                    "{n:int} customers on the list, {h:int} of them held out at random (seed {seed:int}); "
                    "the list is kept in the project to measure the campaign later.",
                    n=info.get("customers", 0),
                    h=info.get("holdout", 0),
                    seed=info.get("seed", 0),
                )
            )
        self.notes_label.setText("\n\n".join(text(n) for n in result.notes))

    def _wrap_sentences(self, t: DataFrameTable, frame, name: str) -> None:
        """The sentence column (what to do, a group in words) wraps in a fixed width instead of
        ending in "…", so the advice reads whole and the numbers beside it stay in view."""
        col = SENTENCE_COLUMNS.get(name)
        if col is None or col[0] not in frame.columns:
            return
        t.view.setWordWrap(True)
        t.view.setColumnWidth(int(frame.columns.get_loc(col[0])), col[1])
        t.view.resizeRowsToContents()

    def clear_result(self) -> None:
        self._result = None
        self.headline.setText("")
        self.export_list_button.setEnabled(False)

    def export_list(self, path: str | Path) -> Path:
        """Write the campaign list (both groups, with the group column) to CSV or Excel."""
        r = self._result
        assert r is not None
        return write_table(
            self.tables["campaign_list"].frame(), path, columns=r.columns.get("campaign_list"), names=r.names
        )

    def _export_list_dialog(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export campaign list"), "campaign_list.xlsx", _("Excel (*.xlsx);;CSV (*.csv)")
        )
        if path:
            self._export_guard(self.export_list, path)
