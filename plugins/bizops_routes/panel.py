"""The Delivery routes tab: the answer first (vans, km, when the last van is back, what cannot be
served), the stops and routes drawn as coloured lines, each van's stops, the stops not served with
the reason, the what-if comparison, and driver sheets as PDF (one page per van, in the window's
language), drawn by Qt from the sheets' HTML as the report is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout

from bizops_desktop.core import i18n
from bizops_desktop.core.analysis import Result
from bizops_desktop.core.errors import DataError
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.plots import make_plot, render_plot
from bizops_desktop.qt.table_model import DataFrameTable

from .analysis import STOP_COLUMNS, UNSERVED_COLUMNS, VAN_COLUMNS, WHATIF_COLUMNS
from .i18n import _
from .sheets import sheet_html, vans_of

MARGIN_MM = 12.0


def _fonts(lang: str) -> list[str]:
    """The report's fonts (a Chinese-capable one embedded), or the machine's default."""
    try:
        from bizops_desktop.qt.report import report_fonts
    except ImportError:  # the report export not there: Qt's default family
        from PySide6.QtGui import QFont

        return [QFont().defaultFamily()]
    return report_fonts(lang)


def write_driver_sheets(result: Result, folder: str | Path, lang: str | None = None) -> list[Path]:
    """``folder/van_<n>_driver_sheet.pdf`` for each van (A4, fonts embedded); not a widget, so
    a worker may call it. Uses the same QTextDocument-on-QPdfWriter path as the report."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument

    from bizops_desktop.qt.plots import ensure_app

    ensure_app()
    lang = lang or i18n.get_language()
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    fonts = _fonts(lang)
    paths = []
    for van in vans_of(result):
        path = out / f"van_{van}_driver_sheet.pdf"
        doc = QTextDocument()
        base = QFont()
        base.setFamilies(fonts)
        base.setPointSizeF(10.0)
        doc.setDefaultFont(base)
        doc.setHtml(sheet_html(result, van, lang, fonts=", ".join(f"'{f}'" for f in fonts)))
        writer = QPdfWriter(str(path))
        with i18n.use_language(lang):
            writer.setTitle(_("Van {n} — driver sheet", n=van))
        writer.setCreator("BizOps Desktop")
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                QPageLayout.Unit.Millimeter,
            )
        )
        writer.setResolution(300)
        doc.print_(writer)
        del writer
        if not path.is_file() or path.stat().st_size == 0:
            raise DataError(_("the driver sheet could not be written"), where=str(path))
        paths.append(path)
    return paths


class RoutesPanel(AnalysisPanel):
    def build_results(self, layout: QVBoxLayout) -> None:
        self.add_headline(layout)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setStyleSheet("font-size: 14px; font-weight: 600; padding: 2px 0 4px 0")
        row = QHBoxLayout()
        self.sheets_button = QPushButton(_("Driver sheets (PDF)…"), self.results)
        self.sheets_button.setObjectName("driver_sheets")
        self.sheets_button.setToolTip(_("One PDF page per van, to print for the drivers"))
        self.sheets_button.setEnabled(False)
        self.sheets_button.clicked.connect(self._sheets_dialog)
        row.addWidget(self.sheets_button)
        row.addWidget(QLabel(_("Van:"), self.results))
        self.van_combo = QComboBox(self.results)
        self.van_combo.setObjectName("van_filter")
        self.van_combo.currentIndexChanged.connect(self._show_van)
        row.addWidget(self.van_combo)
        row.addStretch(1)
        layout.addLayout(row)
        self.tabs = QTabWidget(self.results)
        self.map_plot = make_plot(parent=self.tabs)
        self.register_plot("map", self.map_plot)
        self.tabs.addTab(self.map_plot, _("Map"))
        self.stops_table = DataFrameTable(self.tabs)
        self.stops_table.setObjectName("routes")
        self.tabs.addTab(self.stops_table, _("Stops in order"))
        self.vans_table = DataFrameTable(self.tabs)
        self.vans_table.setObjectName("vans")
        self.tabs.addTab(self.vans_table, _("Each van"))
        self.unserved_table = DataFrameTable(self.tabs)
        self.unserved_table.setObjectName("unserved")
        self.tabs.addTab(self.unserved_table, _("Not served"))
        self.whatif_table = DataFrameTable(self.tabs)
        self.whatif_table.setObjectName("whatif")
        self.tabs.addTab(self.whatif_table, _("What if"))
        layout.addWidget(self.tabs, 1)

    def show_result(self, result: Result) -> None:
        self.headline.setText(i18n.text(result.headline))
        if "map" in result.plots:
            render_plot(result.plots["map"], self.map_plot)
        self.vans_table.set_frame(result.tables.get("vans"), VAN_COLUMNS)
        self.unserved_table.set_frame(result.tables.get("unserved"), UNSERVED_COLUMNS)
        self.whatif_table.set_frame(result.tables.get("whatif"), WHATIF_COLUMNS)
        self.tabs.setTabText(3, _("Not served ({n})", n=len(result.tables.get("unserved", []))))
        self.van_combo.blockSignals(True)
        self.van_combo.clear()
        self.van_combo.addItem(_("all vans"), 0)
        for v in vans_of(result):
            self.van_combo.addItem(_("Van {n}", n=v), v)
        self.van_combo.blockSignals(False)
        self.sheets_button.setEnabled(bool(vans_of(result)))
        self._show_van()

    def _show_van(self) -> None:
        if self.result is None:
            return
        van = self.van_combo.currentData() or 0
        frame = self.result.tables.get(f"van_{van}") if van else self.result.tables.get("routes")
        self.stops_table.set_frame(frame, STOP_COLUMNS)

    def clear_result(self) -> None:
        self.headline.setText("")
        for t in (self.stops_table, self.vans_table, self.unserved_table, self.whatif_table):
            t.set_frame(None)
        self.van_combo.clear()
        self.sheets_button.setEnabled(False)

    def export_driver_sheets(self, folder: str | Path) -> list[Path]:
        if self.result is None:
            return []
        return write_driver_sheets(self.result, folder)

    def _sheets_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Save the driver sheets in"))
        if folder:
            self._export_guard(self.export_driver_sheets, folder)
