"""The Stock planning tab: the answer first (what to order this week), the projected stock of a
chosen product (type to search) with its reorder point and safety stock, the order proposal, the
overstock list and the replay of the policy. Everything drawn comes from the Result through the
analysis' own plot function (the same picture the CLI writes); nothing is recomputed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QTabWidget, QVBoxLayout

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.i18n import text
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.plots import make_plot
from bizops_desktop.qt.table_model import DataFrameTable
from bizops_stock.analysis import stock_plot
from bizops_stock.i18n import _


class StockPanel(AnalysisPanel):
    def build_results(self, layout: QVBoxLayout) -> None:
        self.add_headline(layout)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setStyleSheet("font-size: 14px; font-weight: 600; padding: 2px 0 2px 0")
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Projected stock of:"), self.results))
        self.product_combo = QComboBox(self.results)
        self.product_combo.setObjectName("product_picker")
        self.product_combo.setEditable(True)
        self.product_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.product_combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.product_combo.completer().setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.product_combo.currentIndexChanged.connect(self._product_changed)
        row.addWidget(self.product_combo, 1)
        layout.addLayout(row)

        split = QSplitter(Qt.Orientation.Vertical, self.results)
        self.plot = make_plot(_("Projected stock"), _("Date"), _("Units in stock"), date_axis=True)
        self.register_plot("stock", self.plot)
        split.addWidget(self.plot)
        tabs = QTabWidget(split)
        tabs.setObjectName("result_tabs")
        self.orders_table = DataFrameTable(tabs, placeholder=_("Search the products…"))
        self.orders_table.setObjectName("orders_table")
        self.overstock_table = DataFrameTable(tabs, placeholder=_("Search the overstock…"))
        self.replay_table = DataFrameTable(tabs, placeholder=_("Search the replay…"))
        tabs.addTab(self.orders_table, _("Order proposal"))
        tabs.addTab(self.overstock_table, _("Overstock"))
        tabs.addTab(self.replay_table, _("Replay of the last half year"))
        self.tabs = tabs
        split.addWidget(tabs)
        split.setSizes([360, 340])
        layout.addWidget(split, 1)
        self._result: Result | None = None

    def show_result(self, result: Result) -> None:
        self._result = result
        names = dict(result.names)
        self.headline.setText(text(result.headline))
        for table, key in (
            (self.orders_table, "orders"),
            (self.overstock_table, "overstock"),
            (self.replay_table, "replay"),
        ):
            table.set_frame(result.tables.get(key), result.columns.get(key), names)
        self.product_combo.blockSignals(True)
        self.product_combo.clear()
        orders = result.tables.get("orders")
        if orders is not None:
            for p in orders["product"]:
                self.product_combo.addItem(names.get(str(p), str(p)), str(p))
        self.product_combo.setCurrentIndex(0 if self.product_combo.count() else -1)
        self.product_combo.blockSignals(False)
        self._product_changed()

    def clear_result(self) -> None:
        self._result = None
        self.product_combo.clear()
        self.plot.plot_view.clear()
        for table in (self.orders_table, self.overstock_table, self.replay_table):
            table.set_frame(None)
        self.headline.setText("")

    def _product_changed(self, *_args) -> None:
        p = self.product_combo.currentData()
        if self._result is None or p is None or p not in (self._result.extra.get("products") or {}):
            return
        self.plot.plot_view.render(stock_plot(self._result.extra, p, self._result.names))
