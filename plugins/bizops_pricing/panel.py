"""The Pricing tab: coefficient/elasticity tables in plain words, actual-vs-predicted and
log-log plots, and a what-if slider that recomputes units, revenue and profit from the stored
fit on every move (no rerun)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QSlider,
                               QSplitter, QTabWidget, QVBoxLayout)

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.plots import make_plot, render_plot
from bizops_desktop.qt.table_model import DataFrameTable

from .elasticity import whatif

# params that only mean something in one mode: hidden in the form in the other
REGRESSION_ONLY = ("log_target", "log_features")
ELASTICITY_ONLY = ("controls", "freq", "pooled", "group", "unit_cost", "cost_column", "product",
                   "price_change", "new_price", "min_price_points")
SLIDER_RANGE = 50   # the slider moves the price from -50% to +50% of the current price


def _money(v: float) -> str:
    return "—" if v is None or not np.isfinite(v) else f"{v:,.2f}"


def _count(v: float) -> str:
    return "—" if v is None or not np.isfinite(v) else f"{v:,.1f}"


def demand_plot(state: dict, per: str) -> PlotSpec:
    """One product's demand over the slider's reach (expected units and their prediction band),
    the periods seen and the current price; the last layer is the what-if price, which the
    slider replaces with :func:`whatif_marker`."""
    p0 = state["current_price"]
    xs = np.linspace(p0 * (1 - SLIDER_RANGE / 100), p0 * (1 + SLIDER_RANGE / 100), 60)
    pts = [whatif(state, x) for x in xs]
    now = whatif(state, p0)
    return PlotSpec(
        title=f"Demand for {state['product']} (elasticity {state['elasticity']:.2f})",
        x_label="price", y_label=f"units per {per}",
        layers=[Layer("band", xs, [p["units_low"] for p in pts], y2=[p["units_high"] for p in pts],
                      color="#1f77b4", alpha=0.18),
                Layer("line", xs, [p["units"] for p in pts], name="expected units", color="#1f77b4",
                      labels=[f"price {x:,.2f}: {p['units']:,.1f} units per {per}" for x, p in zip(xs, pts)]),
                Layer("scatter", state.get("seen_price") or [], state.get("seen_units") or [], name="periods seen",
                      color="#787878", alpha=0.43, size=5),
                Layer("scatter", [p0], [now["units"]], name="current price", color="#7f7f7f", size=10,
                      labels=[f"current price {p0:,.2f}: {now['units']:,.1f} units per {per}"]),
                whatif_marker(state, p0, per)])


def whatif_marker(state: dict, price: float, per: str) -> Layer:
    units = whatif(state, price)["units"]
    return Layer("scatter", [price], [units], name="what-if price", color="#d62728", size=12,
                 labels=[f"what-if price {price:,.2f}: {units:,.1f} units per {per}"])


class PricingPanel(AnalysisPanel):
    def build_results(self, layout: QVBoxLayout) -> None:
        self.add_headline(layout)
        # tables and plots above, the what-if below; the user may drag the divider
        self.split = QSplitter(Qt.Orientation.Vertical, self.results)
        layout.addWidget(self.split, 1)
        self.tabs = QTabWidget(self.split)
        self.split.addWidget(self.tabs)

        self.main_table = DataFrameTable(self.tabs)
        self.main_table.setObjectName("main_table")
        self.tabs.addTab(self.main_table, "Coefficients")
        self.prices_table = DataFrameTable(self.tabs)
        self.tabs.addTab(self.prices_table, "Prices")
        self.fit_plot = make_plot()
        self.register_plot("actual_vs_predicted", self.fit_plot)
        self.tabs.addTab(self.fit_plot, "Actual vs predicted")
        self.second_plot = make_plot()
        self.register_plot("loglog", self.second_plot)
        self.tabs.addTab(self.second_plot, "Log price vs log units")

        # -- what-if ------------------------------------------------------------------------
        self.whatif_box = QGroupBox("What if the price changes?", self.results)
        wl = QHBoxLayout(self.whatif_box)
        left = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(QLabel("Product:"))
        self.product_combo = QComboBox(self.whatif_box)
        self.product_combo.setObjectName("whatif_product")
        self.product_combo.currentIndexChanged.connect(self._product_changed)
        top.addWidget(self.product_combo, 1)
        left.addLayout(top)
        self.slider = QSlider(Qt.Orientation.Horizontal, self.whatif_box)
        self.slider.setObjectName("whatif_slider")
        self.slider.setRange(-SLIDER_RANGE, SLIDER_RANGE)
        self.slider.setTickInterval(10)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.valueChanged.connect(self._update_whatif)
        left.addWidget(self.slider)
        form = QFormLayout()
        self.price_label = QLabel(self.whatif_box)
        self.units_label = QLabel(self.whatif_box)
        self.revenue_label = QLabel(self.whatif_box)
        self.profit_label = QLabel(self.whatif_box)
        self.range_label = QLabel(self.whatif_box)
        self.range_label.setWordWrap(True)
        for name, lab in (("price", self.price_label), ("units", self.units_label),
                          ("revenue", self.revenue_label), ("profit", self.profit_label)):
            lab.setObjectName(f"whatif_{name}")
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Price:", self.price_label)
        form.addRow("Units:", self.units_label)
        form.addRow("Revenue:", self.revenue_label)
        form.addRow("Profit:", self.profit_label)
        left.addLayout(form)
        left.addWidget(self.range_label)
        wl.addLayout(left, 1)
        self.curve_plot = make_plot("Demand at each price", "price", "units per period")
        self.curve_plot.setMinimumHeight(180)
        self.register_plot("whatif", self.curve_plot)
        self._demand: PlotSpec | None = None
        wl.addWidget(self.curve_plot, 1)
        self.split.addWidget(self.whatif_box)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.whatif_box.setVisible(False)
        self.states: dict[str, dict] = {}
        self.last_whatif: dict | None = None

        mode_editor = self.form.editors.get("mode")
        if mode_editor is not None:
            mode_editor.currentIndexChanged.connect(self._mode_changed)
        self._mode_changed()

    # -- form ----------------------------------------------------------------------------------
    def _mode_changed(self, *_):
        ed = self.form.editors.get("mode")
        mode = ed.currentData() if ed is not None else "auto"
        for names, hide_in in ((REGRESSION_ONLY, "elasticity"), (ELASTICITY_ONLY, "regression")):
            self.form.set_rows_visible(names, mode != hide_in)

    # -- results -------------------------------------------------------------------------------
    def clear_result(self) -> None:
        self.headline.setText("")
        self.main_table.set_frame(None)
        self.prices_table.set_frame(None)
        self.fit_plot.plot_view.clear()
        self.second_plot.plot_view.clear()
        self.curve_plot.plot_view.clear()
        self._demand = None
        self.states = {}
        self.whatif_box.setVisible(False)

    def show_result(self, result: Result) -> None:
        mode = result.extra.get("mode") or result.metrics.get("mode")
        if mode == "regression":
            self._show_regression(result)
        else:
            self._show_elasticity(result)

    def _show_regression(self, result: Result) -> None:
        m = result.metrics
        coef = result.tables["coefficients"]
        self.headline.setText(
            f"<b>{m.get('target')}</b>: the features explain {100 * m['r2']:.0f}% of its ups and downs "
            f"(R² {m['r2']:.3f}, adjusted {m['adj_r2']:.3f}, {m['n']:,} rows, "
            f"F-test p = {m['f_pvalue']:.2g}).")
        # the sentence goes last: the last column stretches over the free width
        shown = coef[["term", "estimate", "std_error", "p_value", "ci_low", "ci_high", "t", "meaning"]]
        self.main_table.set_frame(shown)
        self.tabs.setTabText(0, "Coefficients")
        self.prices_table.set_frame(result.tables.get("residuals"))
        self.tabs.setTabText(1, "Residuals")
        render_plot(result.plots["actual_vs_predicted"], self.fit_plot)
        render_plot(result.plots["residuals"], self.second_plot)
        self.tabs.setTabText(3, "Residuals plot")
        self.register_plot("residuals", self.second_plot)
        self._plots.pop("loglog", None)
        self._plots.pop("whatif", None)
        self.states = {}
        self.whatif_box.setVisible(False)

    def _show_elasticity(self, result: Result) -> None:
        m = result.metrics
        table = result.tables["elasticity"]
        fitted = table[table["elasticity"].notna()]
        text = (f"{m['fitted']} of {m['groups']} elasticities estimated "
                f"(per {m.get('fit_by', 'product')}).")
        if len(fitted):
            e = fitted["elasticity"].median()
            text += f" Typical elasticity {e:.2f}: 1% higher price, about {abs(e):.1f}% fewer units."
        if m.get("not_enough_variation"):
            text += f" {m['not_enough_variation']} flagged: not enough price variation."
        self.headline.setText(text)
        cols = [c for c in ("group", "elasticity", "ci_low", "ci_high", "std_error", "n_points", "n_periods",
                            "r2", "unit_cost", "optimal_price", "suggested_price", "min_price", "max_price",
                            "note") if c in table.columns]
        self.main_table.set_frame(table[cols])
        self.tabs.setTabText(0, "Elasticity")
        self.prices_table.set_frame(result.tables.get("prices"))
        self.tabs.setTabText(1, "Prices")
        render_plot(result.plots["actual_vs_predicted"], self.fit_plot)
        render_plot(result.plots["loglog"], self.second_plot)
        self.tabs.setTabText(3, "Log price vs log units")
        self.register_plot("loglog", self.second_plot)
        self.register_plot("whatif", self.curve_plot)
        self._plots.pop("residuals", None)
        self.states = dict(result.extra.get("fits") or {})
        self.whatif_box.setVisible(bool(self.states))
        chosen = (self.result_params or {}).get("product")
        self.product_combo.blockSignals(True)
        self.product_combo.clear()
        for key in self.states:
            self.product_combo.addItem(key, key)
        i = self.product_combo.findData(str(chosen)) if chosen is not None else 0
        self.product_combo.setCurrentIndex(max(i, 0))
        self.product_combo.blockSignals(False)
        change = (self.result_params or {}).get("price_change") or 0
        self._product_changed(slider=int(round(max(-SLIDER_RANGE, min(SLIDER_RANGE, change)))))

    # -- what-if ---------------------------------------------------------------------------------
    def current_state(self) -> dict | None:
        return self.states.get(self.product_combo.currentData())

    def _product_changed(self, *_, slider: int = 0) -> None:
        s = self.current_state()
        if s is None:
            return
        # the demand curve is drawn once per product; the slider moves only the what-if point
        self._demand = demand_plot(s, self._per())
        render_plot(self._demand, self.curve_plot)
        self.slider.blockSignals(True)
        self.slider.setValue(slider)
        self.slider.blockSignals(False)
        self._update_whatif()

    def whatif_price(self) -> float | None:
        s = self.current_state()
        return None if s is None else s["current_price"] * (1 + self.slider.value() / 100)

    def _update_whatif(self, *_) -> None:
        s = self.current_state()
        if s is None:
            return
        p = self.whatif_price()
        now, new = whatif(s, s["current_price"]), whatif(s, p)
        self.last_whatif = new
        pct = self.slider.value()
        per = self._per()
        self.price_label.setText(f"{_money(p)} ({pct:+d}% vs current {_money(s['current_price'])})")
        self.units_label.setText(f"{_count(new['units'])} per {per} (range {_count(new['units_low'])} to "
                                 f"{_count(new['units_high'])}; now {_count(now['units'])})")
        self.revenue_label.setText(f"{_money(new['revenue'])} (range {_money(new['revenue_low'])} to "
                                   f"{_money(new['revenue_high'])}; now {_money(now['revenue'])})")
        if s.get("unit_cost") is None:
            self.profit_label.setText("give a unit cost to see profit")
        else:
            self.profit_label.setText(f"{_money(new['profit'])} (range {_money(new['profit_low'])} to "
                                      f"{_money(new['profit_high'])}; now {_money(now['profit'])})")
        if new["outside_range"]:
            self.range_label.setText(f"<span style='color:#b71c1c'>This price is outside the prices seen "
                                     f"({_money(s['min_price'])} to {_money(s['max_price'])}): the numbers "
                                     "are a guess.</span>")
        else:
            self.range_label.setText(f"<span style='color:#555'>Prices seen: {_money(s['min_price'])} to "
                                     f"{_money(s['max_price'])}. Ranges are 95% prediction intervals for one "
                                     f"{per}.</span>".replace("95%", f"{100 * s.get('level', 0.95):.0f}%"))
        if self._demand is not None:
            spec = replace(self._demand, layers=[*self._demand.layers[:-1], whatif_marker(s, p, per)])
            render_plot(spec, self.curve_plot, reset_zoom=False)

    def _per(self) -> str:
        freq = (self.result.extra if self.result else {}).get("freq")
        return {"D": "day", "W": "week", "M": "month"}.get(freq, "period")
