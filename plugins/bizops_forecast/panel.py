"""The Forecast tab: pick the total or a product (type to search), read how much it will sell in
the coming periods and how far to trust that, see its history, fitted values, forecast and likely
ranges with the backtest window shaded, read the forecast table; the method comparison, the
backtest figures and the fitted models are under Details. Everything drawn comes from the Result
through the analysis' own plot functions (the same pictures the CLI writes); nothing is recomputed."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.i18n import text
from bizops_desktop.core.plotspec import PlotSpec
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.plots import make_plot
from bizops_desktop.qt.table_model import DataFrameTable
from bizops_forecast.analysis import series_plots
from bizops_forecast.i18n import _
from bizops_forecast.words import method_name


def _label(parent, style: str = "") -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # product names are data, never markup
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    return label


class ForecastPanel(AnalysisPanel):
    def build_results(self, layout: QVBoxLayout) -> None:
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Forecast for:"), self.results))
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
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setStyleSheet("font-size: 14px; font-weight: 600; padding: 2px 0 2px 0")
        self.why_label = _label(self.results)
        self.why_label.setObjectName("why")
        layout.addWidget(self.why_label)
        self.season_label = _label(self.results, "color: #555")
        self.season_label.setObjectName("seasonality")
        layout.addWidget(self.season_label)

        split = QSplitter(Qt.Orientation.Vertical, self.results)
        self.plot = make_plot(_("Forecast"), _("Date"), "", date_axis=True)
        self.register_plot("forecast", self.plot)
        # Until there is a forecast the plot is replaced by a plain hint: an empty date axis
        # reads "1970" and 0-1, which looks like data.
        self.plot_stack = QStackedWidget(split)
        self.plot_hint = QLabel(_("Run the forecast to see past sales and the coming periods here."), self.plot_stack)
        self.plot_hint.setObjectName("plot_hint")
        self.plot_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.plot_hint.setWordWrap(True)
        self.plot_hint.setStyleSheet("color: #777; font-size: 13px")
        self.plot_stack.addWidget(self.plot_hint)
        self.plot_stack.addWidget(self.plot)
        split.addWidget(self.plot_stack)
        self.shown_plots: dict[str, PlotSpec] = {}

        tabs = QTabWidget(split)
        tabs.setObjectName("result_tabs")
        self.forecast_table = DataFrameTable(tabs, placeholder=_("Search the forecasts…"))
        self.forecast_table.setObjectName("forecast_table")
        self.methods_plot = make_plot(_("Backtest error by method (lower is better)"), _("Method"), "")
        self.register_plot("methods", self.methods_plot)
        tabs.addTab(self.forecast_table, _("Forecast table"))
        tabs.addTab(self.methods_plot, _("Method comparison"))

        # Details: the figures behind the choice, for whoever wants to check it
        details = QWidget(tabs)
        details.setObjectName("details")
        dl = QVBoxLayout(details)
        dl.setContentsMargins(4, 4, 4, 4)
        self.details_label = _label(details)
        self.details_label.setObjectName("details_text")
        dl.addWidget(self.details_label)
        inner = QTabWidget(details)
        inner.setObjectName("details_tabs")
        self.backtest_table = DataFrameTable(inner, placeholder=_("Search the backtest…"))
        self.models_table = DataFrameTable(inner, placeholder=_("Search the models…"))
        inner.addTab(self.backtest_table, _("Backtest (all series)"))
        inner.addTab(self.models_table, _("Models"))
        dl.addWidget(inner, 1)
        tabs.addTab(details, _("Details"))
        self.tabs = tabs
        self.details_tabs = inner
        split.addWidget(tabs)
        split.setSizes([420, 300])
        layout.addWidget(split, 1)
        self._extra: dict = {}
        self._forecast = pd.DataFrame()
        self._result: Result | None = None

    # -- result ------------------------------------------------------------------------------
    def show_result(self, result: Result) -> None:
        self._result = result
        self._extra = result.extra or {}
        self._forecast = result.tables.get("forecast", pd.DataFrame())
        names = self._names()
        self.backtest_table.set_frame(result.tables.get("backtest"), result.columns.get("backtest"), names)
        self.models_table.set_frame(result.tables.get("models"), result.columns.get("models"), names)
        series = self._extra.get("series", {})
        self.series_combo.blockSignals(True)
        self.series_combo.clear()
        for name in self._extra.get("order", []):
            self.series_combo.addItem(text(series[name].get("label", name)), name)
        self.series_combo.setCurrentIndex(0 if self.series_combo.count() else -1)
        self.series_combo.blockSignals(False)
        if not self.series_combo.count():
            self.headline.setText(text(result.headline))
        self._series_changed()

    def clear_result(self) -> None:
        self._extra = {}
        self._forecast = pd.DataFrame()
        self._result = None
        self.series_combo.clear()
        self.plot.plot_view.clear()
        self.plot_stack.setCurrentWidget(self.plot_hint)
        self.methods_plot.plot_view.clear()
        self.shown_plots = {}
        self.forecast_table.set_frame(None)
        self.backtest_table.set_frame(None)
        self.models_table.set_frame(None)
        for label in (self.headline, self.why_label, self.season_label, self.details_label):
            label.setText("")

    def select_series(self, name: str) -> bool:
        i = self.series_combo.findData(name)
        if i < 0:
            return False
        self.series_combo.setCurrentIndex(i)
        return True

    def current_series(self) -> str | None:
        return self.series_combo.currentData()

    def _series_changed(self, *_args):
        name = self.current_series()
        e = (self._extra.get("series") or {}).get(name) if name else None
        if e is None:
            return
        self.shown_plots = series_plots(self._extra, name)
        self.plot.plot_view.render(self.shown_plots["forecast"])
        self.plot_stack.setCurrentWidget(self.plot)
        self.methods_plot.plot_view.render(self.shown_plots["methods"])
        columns = self._result.columns.get("forecast") if self._result is not None else None
        names = self._names()
        if not self._forecast.empty:
            self.forecast_table.set_frame(
                self._forecast[self._forecast["series"] == name].reset_index(drop=True), columns, names
            )
        else:
            self.forecast_table.set_frame(self._forecast, columns, names)
        first = (self._extra.get("order") or [None])[0]
        headline = e.get("headline") or (self._result.headline if self._result is not None and name == first else None)
        self.headline.setText(text(headline))
        self.why_label.setText(text(e.get("reason")))
        self.season_label.setText("\n".join(text(s) for s in e.get("seasonality_words") or []))
        self.details_label.setText(self._details(e))

    def _names(self) -> dict:
        """The result's product names, with the total named in the reader's language (the
        result keeps names as text, written in the language of the run)."""
        names = dict(self._result.names) if self._result is not None else {}
        series = self._extra.get("series") or {}
        for name in (self._extra.get("order") or [])[:1]:
            if series.get(name, {}).get("display") is not None:
                names[name] = text(series[name]["display"])
        return names

    def _details(self, e: dict) -> str:
        """The statistics behind the choice of method for one series, as lines of text."""
        freq, m = self._extra.get("freq", ""), self._extra.get("season_length")
        lines = []
        if e.get("reason_details"):
            lines.append(text(e["reason_details"]))
        for meth, why in (e.get("skipped") or {}).items():
            lines.append(_("{method} was left out: {why}", method=method_name(meth, freq, m), why=text(why)))
        lines.append(_("MAPE skips periods with zero actual sales (a percentage of zero is undefined)."))
        lines.append(
            _(
                "The likely ranges start at the first forecast period and widen further ahead; for a "
                "log model they are exp() of the log-scale range and the forecast is the median."
            )
        )
        return "\n".join(lines)
