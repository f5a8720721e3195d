"""The Forecast tab: pick the total or a product (type to search), see its history, fitted values,
forecast and interval bands with the backtest window shaded, compare every method's backtest
error, read the forecast table. Everything drawn comes from the Result; nothing is recomputed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QCompleter, QHBoxLayout, QLabel, QSplitter, QTabWidget,
                               QVBoxLayout)

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.plotspec import dates_to_seconds
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.plots import make_plot
from bizops_desktop.qt.table_model import DataFrameTable
from bizops_forecast.analysis import short_name

BASELINE_COLOR = "#9e9e9e"
MODEL_COLOR = "#1f77b4"
CHOSEN_COLOR = "#d62728"


def _arr(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in (values or [])], dtype=float)


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
        # -- the forecast plot, items created once and updated with setData ------------------
        self.plot = make_plot("Forecast", "period", "units", date_axis=True)
        self.window_region = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(44, 160, 44, 30),
                                                 pen=pg.mkPen(None))
        self.window_region.setZValue(-10)
        self.plot.addItem(self.window_region, ignoreBounds=True)
        self.backtest_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#2ca02c", style=Qt.PenStyle.DashLine),
                                             label="backtest", labelOpts={"position": 0.95, "color": "#2ca02c"})
        self.plot.addItem(self.backtest_line, ignoreBounds=True)
        # Two band slots, outer (widest level) and inner; show_result maps the levels onto them.
        self.bands = {}
        self._band_labels = []
        for key, alpha in (("95", 0.15), ("80", 0.3)):
            lo = pg.PlotDataItem([], [], pen=pg.mkPen(None))
            hi = pg.PlotDataItem([], [], pen=pg.mkPen(None))
            c = QColor("#ff7f0e")
            c.setAlphaF(alpha)
            fill = pg.FillBetweenItem(lo, hi, brush=pg.mkBrush(c))
            self.plot.addItem(fill)
            legend = self.plot.plotItem.legend
            legend.addItem(pg.BarGraphItem(x=[0], height=[0], width=0, brush=c), f"{key}% interval")
            self._band_labels.append(legend.items[-1][1])
            self.bands[key] = (lo, hi, fill)
        self._band_levels = ["95", "80"]
        self.history_curve = self.plot.plot([], [], pen=pg.mkPen("#1f77b4", width=2), name="sales")
        self.fitted_curve = self.plot.plot([], [], pen=pg.mkPen("#7f7f7f", width=1.5, style=Qt.PenStyle.DashLine),
                                           name="fitted", connect="finite")
        self.forecast_curve = self.plot.plot([], [], pen=pg.mkPen("#d62728", width=2.5), name="forecast")
        self.register_plot("forecast", self.plot)
        split.addWidget(self.plot)

        # -- the method comparison --------------------------------------------------------------
        self.methods_plot = make_plot("Backtest error by method (lower is better)", "", "MASE")
        self.methods_plot.plotItem.legend.setVisible(False)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.methods_plot.addItem(self.bars)
        self.register_plot("methods", self.methods_plot)

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
        levels = sorted(self._extra.get("levels", ["80", "95"]), key=float, reverse=True)[:2]
        self._band_levels = levels + [None] * (2 - len(levels))
        for label, lv in zip(self._band_labels, self._band_levels):
            label.setText(f"{lv}% interval" if lv else "")
        value = self._extra.get("value", "sales")
        self.plot.setLabel("left", value)
        self._series_changed()

    def clear_result(self) -> None:
        self._extra = {}
        self._forecast = pd.DataFrame()
        self.series_combo.clear()
        for curve in (self.history_curve, self.fitted_curve, self.forecast_curve):
            curve.setData([], [])
        for lo, hi, _ in self.bands.values():
            lo.setData([], [])
            hi.setData([], [])
        self.bars.setOpts(x=[], height=[])
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
        dates = pd.to_datetime(self._extra.get("dates", []))
        future = pd.to_datetime(self._extra.get("future", []))
        x = np.asarray(dates_to_seconds(dates), float)
        xf = np.asarray(dates_to_seconds(future), float) if len(future) else np.zeros(0)
        y = _arr(e["values"])
        fitted = _arr(e.get("fitted"))
        self.history_curve.setData(x, y)
        self.fitted_curve.setData(x[:len(fitted)], fitted)
        self.fitted_curve.opts["name"] = f"fitted ({e['method']})"
        # The forecast and its bands start at the last observed period, so they continue the data.
        if len(xf):
            xb = np.r_[x[-1], xf]
            self.forecast_curve.setData(xb, np.r_[y[-1], _arr(e["forecast"])])
            for slot, (lo, hi, fill) in zip(self._band_levels, self.bands.values()):
                key = slot
                if key in (e.get("lower") or {}):
                    lo.setData(xb, np.r_[y[-1], _arr(e["lower"][key])])
                    hi.setData(xb, np.r_[y[-1], _arr(e["upper"][key])])
                    fill.setVisible(True)
                else:
                    lo.setData([], [])
                    hi.setData([], [])
                    fill.setVisible(False)
        else:
            self.forecast_curve.setData([], [])
            for lo, hi, _ in self.bands.values():
                lo.setData([], [])
                hi.setData([], [])
        bs = e.get("backtest_start", -1)
        has_window = bs is not None and 0 <= bs < len(x)
        self.window_region.setVisible(has_window)
        self.backtest_line.setVisible(has_window)
        if has_window:
            self.window_region.setRegion((x[bs], x[-1]))
            self.backtest_line.setValue(x[bs])
        self.plot.setTitle(f"Forecast: {e.get('label', name)} ({e['method']})", color="#222", size="11pt")
        hover = self.plot.hover
        hover.clear()
        hover.add(x, y, [f"{d:%Y-%m-%d}: {v:,.4g} sold" for d, v in zip(dates, y)], "sales")
        if len(xf):
            labels = []
            outer = self._band_levels[0]
            lo95 = (e.get("lower") or {}).get(outer)
            hi95 = (e.get("upper") or {}).get(outer)
            for k, (d, v) in enumerate(zip(future, e["forecast"])):
                text = f"{d:%Y-%m-%d}: forecast {v:,.4g}"
                if lo95 is not None and lo95[k] is not None:
                    text += f" ({outer}%: {lo95[k]:,.4g} to {hi95[k]:,.4g})"
                labels.append(text)
            hover.add(xf, _arr(e["forecast"]), labels, "forecast")
        self.plot.enableAutoRange()

        self._draw_methods(e)
        if not self._forecast.empty:
            self.forecast_table.set_frame(self._forecast[self._forecast["series"] == name].reset_index(drop=True))
        else:
            self.forecast_table.set_frame(self._forecast)
        seas = "; ".join(f"{s['season']} pattern {'found' if s['found'] else 'weak'} "
                         f"(strength {s['strength']:.2f}, peak {s['peak']})" for s in e.get("seasonality") or [])
        self.headline.setText(f"<b>{e.get('label', name)}</b>: {e.get('reason', '')}"
                              + (f"<br><span style='color:#555'>{seas}</span>" if seas else ""))

    def _draw_methods(self, e: dict) -> None:
        bt = e.get("backtest") or {}
        meths = list(bt)
        key = "mase" if meths and all(bt[m].get("mase") is not None for m in meths) else "mae"
        vals = np.array([np.nan if bt[m].get(key) is None else bt[m][key] for m in meths], float)
        brushes = [pg.mkBrush(CHOSEN_COLOR if m == e["method"] else
                              BASELINE_COLOR if m in ("naive", "seasonal_naive") else MODEL_COLOR) for m in meths]
        xs = np.arange(len(meths), dtype=float)
        self.bars.setOpts(x=xs, height=np.nan_to_num(vals), width=0.7, brushes=brushes)
        self.methods_plot.getAxis("bottom").setTicks([[(float(i), short_name(m)) for i, m in enumerate(meths)]])
        self.methods_plot.setLabel("left", key.upper())
        hover = self.methods_plot.hover
        hover.clear()
        hover.add(xs, vals, [f"{m}: {key.upper()} {v:.3g}" + (" (chosen)" if m == e["method"] else "")
                             for m, v in zip(meths, vals)], key)
        self.methods_plot.enableAutoRange()
        self.method_values = dict(zip(meths, vals.tolist()))
