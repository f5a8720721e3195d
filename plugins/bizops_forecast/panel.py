"""The Forecast tab: pick the total or a product (type to search), see its history, fitted values,
forecast and interval bands with the backtest window shaded, compare every method's backtest
error, read the forecast table. Everything drawn comes from the Result through the analysis' own
plot functions (the same pictures the CLI writes); nothing is recomputed."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QCompleter, QHBoxLayout, QLabel, QSplitter, QTabWidget,
                               QVBoxLayout)

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.plotspec import PlotSpec
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.plots import make_plot
from bizops_desktop.qt.table_model import DataFrameTable
from bizops_forecast.analysis import series_plots


class ForecastPanel(AnalysisPanel):
    def build_results(self, layout: QVBoxLayout) -> None:
        row = QHBoxLayout()
        row.addWidget(QLabel("Series:", self.results))
        self.series_combo = QComboBox(self.results)
        self.series_combo.setObjectName("series_picker")
        self.series_combo.setEditable(True)
        self.series_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.series_combo.setMinimumContentsLength(28)
        completer = self.series_combo.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.series_combo.currentIndexChanged.connect(self._series_changed)
        row.addWidget(self.series_combo, 1)
        layout.addLayout(row)

        self.add_headline(layout)

        split = QSplitter(Qt.Orientation.Vertical, self.results)
        self.plot = make_plot("Forecast", "period", "units", date_axis=True)
        self.register_plot("forecast", self.plot)
        split.addWidget(self.plot)
        self.methods_plot = make_plot("Backtest error by method (lower is better)", "", "MASE")
        self.register_plot("methods", self.methods_plot)
        self.shown_plots: dict[str, PlotSpec] = {}

        tabs = QTabWidget(split)
        tabs.setObjectName("result_tabs")
        self.forecast_table = DataFrameTable(tabs, placeholder="Search the forecasts…")
        self.forecast_table.setObjectName("forecast_table")
        self.backtest_table = DataFrameTable(tabs, placeholder="Search the backtest…")
        self.models_table = DataFrameTable(tabs, placeholder="Search the models…")
        tabs.addTab(self.methods_plot, "Method comparison")
        tabs.addTab(self.forecast_table, "Forecast table")
        tabs.addTab(self.backtest_table, "Backtest (all series)")
        tabs.addTab(self.models_table, "Models")
        self.tabs = tabs
        split.addWidget(tabs)
        split.setSizes([420, 300])
        layout.addWidget(split, 1)
        self._extra: dict = {}
        self._forecast = pd.DataFrame()

    # -- result ------------------------------------------------------------------------------
    def show_result(self, result: Result) -> None:
        self._extra = result.extra or {}
        self._forecast = result.tables.get("forecast", pd.DataFrame())
        self.backtest_table.set_frame(result.tables.get("backtest"))
        self.models_table.set_frame(result.tables.get("models"))
        series = self._extra.get("series", {})
        self.series_combo.blockSignals(True)
        self.series_combo.clear()
        for name in self._extra.get("order", []):
            self.series_combo.addItem(series[name].get("label", name), name)
        self.series_combo.setCurrentIndex(0 if self.series_combo.count() else -1)
        self.series_combo.blockSignals(False)
        self._series_changed()

    def clear_result(self) -> None:
        self._extra = {}
        self._forecast = pd.DataFrame()
        self.series_combo.clear()
        self.plot.plot_view.clear()
        self.methods_plot.plot_view.clear()
        self.shown_plots = {}
        self.forecast_table.set_frame(None)
        self.backtest_table.set_frame(None)
        self.models_table.set_frame(None)
        self.headline.setText("")

    def select_series(self, name: str) -> bool:
        i = self.series_combo.findData(name)
        if i < 0:
            return False
        self.series_combo.setCurrentIndex(i)
        return True

    def current_series(self) -> str | None:
        return self.series_combo.currentData()

    def _series_changed(self, *_):
        name = self.current_series()
        e = (self._extra.get("series") or {}).get(name) if name else None
        if e is None:
            return
        self.shown_plots = series_plots(self._extra, name)
        self.plot.plot_view.render(self.shown_plots["forecast"])
        self.methods_plot.plot_view.render(self.shown_plots["methods"])
        if not self._forecast.empty:
            self.forecast_table.set_frame(self._forecast[self._forecast["series"] == name].reset_index(drop=True))
        else:
            self.forecast_table.set_frame(self._forecast)
        seas = "; ".join(f"{s['season']} pattern {'found' if s['found'] else 'weak'} "
                         f"(strength {s['strength']:.2f}, peak {s['peak']})" for s in e.get("seasonality") or [])
        self.headline.setText(f"<b>{e.get('label', name)}</b>: {e.get('reason', '')}"
                              + (f"<br><span style='color:#555'>{seas}</span>" if seas else ""))
