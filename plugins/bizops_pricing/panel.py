"""The Pricing tab: coefficient/elasticity tables in plain words (statistics under Details),
actual-vs-predicted and log-log plots, and a what-if slider that recomputes units, revenue and
profit from the stored fit on every move (no rerun)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.i18n import format_money, format_number, text
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.plots import make_plot, render_plot
from bizops_desktop.qt.table_model import DataFrameTable

from . import MODE_PARAMS
from .elasticity import whatif
from .i18n import M, _, _n, period_word
from .regression import p_words

# the plans: (first table, second table) and the first tab's title
# the plans: the tables they may have, in the order shown (the first two present), and their tabs' titles
PLAN_TABLES = {
    "markdown": ("markdown", "prices"),
    "segments": ("segments", "prices"),
    "price_test": ("bandit", "test_sizes", "test_plan", "test_result"),
}
TABLE_TITLES = {
    "markdown": M("Markdown plan"),
    "segments": M("Coupons by segment"),
    "prices": M("Prices"),
    "bandit": M("Prices to try"),
    "test_sizes": M("Test length"),
    "test_plan": M("Test plan"),
    "test_result": M("Test result"),
}
PLOT_TAB, SECOND_PLOT_TAB = 2, 3
SLIDER_RANGE = 50  # the slider moves the price from -50% to +50% of the current price
DETAILS_TAB = 4

# the columns each table shows first (plain words): with a unit cost, the answer (the suggested
# price and what it changes) before the elasticity behind it; the statistics go to the Details tab
ELASTICITY_COLUMNS = (
    "group",
    "suggested_price",
    "profit_change",
    "units_change",
    "revenue_change",
    "elasticity",
    "reading",
    "sureness",
    "optimal_price",
    "unit_cost",
    "min_price",
    "max_price",
    "n_points",
    "products",
    "note",
)
ELASTICITY_DETAILS = (
    "group",
    "elasticity",
    "std_error",
    "ci_low",
    "ci_high",
    "r2",
    "n_points",
    "n_periods",
    "products",
)
PRICES_COLUMNS = (
    "product",
    "current_price",
    "suggested_price",
    "profit_change",
    "units_change",
    "revenue_change",
    "sureness",
    "optimal_price",
    "unit_cost",
    "elasticity",
    "min_price",
    "max_price",
    "group",
    "note",
)
# the sentence goes last: the last column stretches over the free width
COEFFICIENT_COLUMNS = ("term", "estimate", "significance", "meaning")
COEFFICIENT_DETAILS = ("term", "estimate", "std_error", "p_value", "ci_low", "ci_high", "t", "significance")


def units_text(v: float) -> str:
    """Units per period as a person reads them: whole units from 10 up, one decimal below."""
    if v is None or not np.isfinite(v):
        return "—"
    return format_number(round(v) if abs(v) >= 10 else round(v, 1))


def _money(v: float) -> str:
    return "—" if v is None or not np.isfinite(v) else format_money(v)


def _coloured(words: str, colour: str) -> str:
    return f"<span style='color:{colour}'>{words}</span>"


# shown only when they hold something (no unit cost given: no profit-maximising price)
SHOWN_WHEN_FILLED = (
    "unit_cost",
    "optimal_price",
    "suggested_price",
    "units_change",
    "revenue_change",
    "profit_change",
    "sureness",
)


def _columns(frame, order, specs, *, details: bool):
    """The columns of ``order`` that ``frame`` has, without hidden ones and without cost columns
    that are empty; without the statistics unless ``details``."""
    out = []
    for c in order:
        spec = specs.get(c)
        if c not in frame.columns or (spec is not None and spec.kind == "hidden"):
            continue
        if c in SHOWN_WHEN_FILLED and frame[c].isna().all():
            continue
        if spec is not None and spec.details and not details:
            continue
        out.append(c)
    return out


def demand_plot(state: dict, per: str, name: str | None = None) -> PlotSpec:
    """One product's demand over the slider's reach (expected units and their prediction band),
    the periods seen and the current price; the last layer is the what-if price, which the
    slider replaces with :func:`whatif_marker`."""
    p0 = state["current_price"]
    xs = np.linspace(p0 * (1 - SLIDER_RANGE / 100), p0 * (1 + SLIDER_RANGE / 100), 60)
    pts = [whatif(state, x) for x in xs]
    now = whatif(state, p0)
    name = name or str(state["product"])
    return PlotSpec(
        title=M("Demand for {product} (elasticity {e})", product=name, e=state["elasticity"]),
        x_label=M("price"),
        y_label=M("units per {period}", period=per),
        layers=[
            Layer(
                "band",
                xs,
                [p["units_low"] for p in pts],
                y2=[p["units_high"] for p in pts],
                color="#1f77b4",
                alpha=0.18,
            ),
            Layer(
                "line",
                xs,
                [p["units"] for p in pts],
                name=M("expected units"),
                color="#1f77b4",
                labels=[
                    _(
                        "price {price:money}: {units} units per {period}",
                        price=x,
                        units=units_text(p["units"]),
                        period=per,
                    )
                    for x, p in zip(xs, pts)
                ],
            ),
            Layer(
                "scatter",
                state.get("seen_price") or [],
                state.get("seen_units") or [],
                name=M("periods seen"),
                color="#787878",
                alpha=0.43,
                size=5,
            ),
            Layer(
                "scatter",
                [p0],
                [now["units"]],
                name=M("current price"),
                color="#7f7f7f",
                size=10,
                labels=[
                    _(
                        "current price {price:money}: {units} units per {period}",
                        price=p0,
                        units=units_text(now["units"]),
                        period=per,
                    )
                ],
            ),
            whatif_marker(state, p0, per),
        ],
    )


def whatif_marker(state: dict, price: float, per: str) -> Layer:
    units = whatif(state, price)["units"]
    return Layer(
        "scatter",
        [price],
        [units],
        name=M("what-if price"),
        color="#d62728",
        size=12,
        labels=[
            _(
                "what-if price {price:money}: {units} units per {period}",
                price=price,
                units=units_text(units),
                period=per,
            )
        ],
    )


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
        self.tabs.addTab(self.main_table, _("Price sensitivity"))
        self.prices_table = DataFrameTable(self.tabs)
        self.tabs.addTab(self.prices_table, _("Prices"))
        self.fit_plot = make_plot()
        self.register_plot("actual_vs_predicted", self.fit_plot)
        self.tabs.addTab(self.fit_plot, _("Actual vs predicted"))
        self.second_plot = make_plot()
        self.register_plot("loglog", self.second_plot)
        self.tabs.addTab(self.second_plot, _("Price and units"))
        # statistics (standard errors, intervals, p-values, R²) for those who want them
        self.details = QWidget(self.tabs)
        dl = QVBoxLayout(self.details)
        dl.setContentsMargins(0, 4, 0, 0)
        self.details_label = QLabel(self.details)
        self.details_label.setObjectName("details_summary")
        self.details_label.setWordWrap(True)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dl.addWidget(self.details_label)
        self.details_table = DataFrameTable(self.details)
        self.details_table.setObjectName("details_table")
        dl.addWidget(self.details_table, 1)
        self.tabs.addTab(self.details, _("Details"))

        # -- what-if ------------------------------------------------------------------------
        self.whatif_box = QGroupBox(_("What if the price changes?"), self.results)
        wl = QHBoxLayout(self.whatif_box)
        left = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Product:")))
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
        self.slider.setToolTip(
            _(
                "Drag to try a price from {low:percent} cheaper to {high:percent} dearer",
                low=SLIDER_RANGE / 100,
                high=SLIDER_RANGE / 100,
            )
        )
        self.slider.valueChanged.connect(self._update_whatif)
        left.addWidget(self.slider)
        form = QFormLayout()
        self.price_label = QLabel(self.whatif_box)
        self.units_label = QLabel(self.whatif_box)
        self.revenue_label = QLabel(self.whatif_box)
        self.profit_label = QLabel(self.whatif_box)
        self.range_label = QLabel(self.whatif_box)
        self.range_label.setWordWrap(True)
        for name, lab in (
            ("price", self.price_label),
            ("units", self.units_label),
            ("revenue", self.revenue_label),
            ("profit", self.profit_label),
        ):
            lab.setObjectName(f"whatif_{name}")
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(_("Price:"), self.price_label)
        form.addRow(_("Units:"), self.units_label)
        form.addRow(_("Revenue:"), self.revenue_label)
        form.addRow(_("Profit:"), self.profit_label)
        left.addLayout(form)
        left.addWidget(self.range_label)
        wl.addLayout(left, 1)
        self.curve_plot = make_plot(_("Demand at each price"), _("price"), _("units per period"))
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

        # form.changed also follows set_params (a project opened, a run from the command line),
        # which sets the mode with its editor's signals blocked
        self._shown_mode: str | None = None
        self.form.changed.connect(self._mode_changed)
        self._mode_changed()

    # -- form ----------------------------------------------------------------------------------
    def _mode_changed(self, *_args):
        ed = self.form.editors.get("mode")
        mode = ed.currentData() if ed is not None else "auto"
        if mode == self._shown_mode:
            return
        self._shown_mode = mode
        # until Param.shown_when does it in the form: each mode's own settings only (MODE_PARAMS)
        shown = set(MODE_PARAMS.get(mode, ()))
        every = {n for names in MODE_PARAMS.values() for n in names}
        self.form.set_rows_visible(sorted(every & shown), True)
        self.form.set_rows_visible(sorted(every - shown), False)

    # -- results -------------------------------------------------------------------------------
    def clear_result(self) -> None:
        self.headline.setText("")
        self.main_table.set_frame(None)
        self.prices_table.set_frame(None)
        self.details_table.set_frame(None)
        self.details_label.setText("")
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
        elif mode in PLAN_TABLES:
            self._show_plan(result, mode)
        else:
            self._show_elasticity(result)

    def _show_plan(self, result: Result, mode: str) -> None:
        """A markdown plan, segment coupons or a price test: the answer first, its table, and the
        prices it rests on; no what-if (the plan is the answer)."""
        self.headline.setText(text(result.headline) if result.headline is not None else "")
        present = [t for t in PLAN_TABLES[mode] if t in result.tables]
        first = present[0] if present else None
        second = present[1] if len(present) > 1 else None
        for i, (widget, name) in enumerate(((self.main_table, first), (self.prices_table, second))):
            order = PRICES_COLUMNS if name == "prices" else tuple(result.columns.get(name or "") or ())
            self._set_table(widget, result, name or "", order)
            self.tabs.setTabVisible(i, name is not None)
            if name is not None:
                self.tabs.setTabText(i, text(TABLE_TITLES[name]))
        self.details_table.set_frame(None)
        self.details_label.setText("\n\n".join(text(n) for n in result.notes))
        self.fit_plot.plot_view.clear()
        self.second_plot.plot_view.clear()
        for name in ("actual_vs_predicted", "loglog", "residuals", "whatif"):
            self._plots.pop(name, None)
        plot = result.plots.get("markdown")
        if plot is not None:  # the plan week by week
            self.register_plot("markdown", self.fit_plot)
            render_plot(plot, self.fit_plot)
            self.tabs.setTabText(PLOT_TAB, _("Plan by week"))
        self.tabs.setTabVisible(PLOT_TAB, plot is not None)
        self.tabs.setTabVisible(SECOND_PLOT_TAB, False)
        self.tabs.setCurrentIndex(0 if first is not None else DETAILS_TAB)
        self.states = {}
        self.whatif_box.setVisible(False)

    def _all_tabs_visible(self) -> None:
        for i in range(self.tabs.count()):
            self.tabs.setTabVisible(i, True)
        self._plots.pop("markdown", None)
        self.register_plot("actual_vs_predicted", self.fit_plot)

    def _set_table(self, widget: DataFrameTable, result: Result, name: str, order, *, details: bool = False) -> None:
        frame = result.tables.get(name)
        if frame is None:
            widget.set_frame(None)
            return
        specs = result.columns.get(name) or {}
        cols = _columns(frame, order, specs, details=details) if specs else list(frame.columns)
        widget.set_frame(frame[cols], specs, result.names)

    def _level(self) -> float:
        return float((self.result_params or {}).get("confidence") or 0.95)

    def _show_regression(self, result: Result) -> None:
        m = result.metrics
        self._all_tabs_visible()
        if result.headline is not None:
            self.headline.setText(text(result.headline))
        else:  # a result saved before tabs had headlines
            self.headline.setText(
                _(
                    "The features explain {share:percent} of the ups and downs of {target}",
                    share=m["r2"],
                    target=m.get("target"),
                )
            )
        self._set_table(self.main_table, result, "coefficients", COEFFICIENT_COLUMNS)
        self.tabs.setTabText(0, _("Effects"))
        self._set_table(self.prices_table, result, "residuals", ("row", "actual", "predicted", "residual"))
        self.tabs.setTabText(1, _("Errors of the fit"))
        render_plot(result.plots["actual_vs_predicted"], self.fit_plot)
        render_plot(result.plots["residuals"], self.second_plot)
        self.tabs.setTabText(3, _("Errors plot"))
        self._set_table(self.details_table, result, "coefficients", COEFFICIENT_DETAILS, details=True)
        self.details_label.setText(
            _n(
                "R² {r2:percent} (adjusted {adj:percent}) from {n} row; F-test {f_p}; AIC {aic}, BIC {bic}; typical "
                "error {sigma}. Checks of the errors: Durbin-Watson {dw} (ideal 2), Jarque-Bera {jb}, "
                "Breusch-Pagan {bp}.",
                "R² {r2:percent} (adjusted {adj:percent}) from {n} rows; F-test {f_p}; AIC {aic}, BIC {bic}; typical "
                "error {sigma}. Checks of the errors: Durbin-Watson {dw} (ideal 2), Jarque-Bera {jb}, "
                "Breusch-Pagan {bp}.",
                int(m.get("n") or 0),
                r2=m.get("r2"),
                adj=m.get("adj_r2"),
                f_p=p_words(_num(m.get("f_pvalue"))),
                aic=m.get("aic"),
                bic=m.get("bic"),
                sigma=m.get("sigma"),
                dw=m.get("durbin_watson"),
                jb=p_words(_num(m.get("jarque_bera_p"))),
                bp=p_words(_num(m.get("breusch_pagan_p"))),
            )
        )
        self.register_plot("residuals", self.second_plot)
        self._plots.pop("loglog", None)
        self._plots.pop("whatif", None)
        self.states = {}
        self.whatif_box.setVisible(False)

    def _show_elasticity(self, result: Result) -> None:
        m = result.metrics
        self._all_tabs_visible()
        if result.headline is not None:
            self.headline.setText(text(result.headline))
        else:  # a result saved before tabs had headlines
            self.headline.setText(
                _n(
                    "{fitted:int} of {n} elasticity estimated",
                    "{fitted:int} of {n} elasticities estimated",
                    int(m.get("groups") or 0),
                    fitted=m.get("fitted") or 0,
                )
            )
        self._set_table(self.main_table, result, "elasticity", ELASTICITY_COLUMNS)
        self.tabs.setTabText(0, _("Price sensitivity"))
        self._set_table(self.prices_table, result, "prices", PRICES_COLUMNS)
        self.tabs.setTabText(1, _("Prices"))
        render_plot(result.plots["actual_vs_predicted"], self.fit_plot)
        render_plot(result.plots["loglog"], self.second_plot)
        self.tabs.setTabText(3, _("Price and units"))
        self._set_table(self.details_table, result, "elasticity", ELASTICITY_DETAILS, details=True)
        self.details_label.setText(
            _(
                "Each row fits log(units) = a + e × log(price) on the average price of each {period} (least squares); "
                "e is the price elasticity, with its standard error and a {level:percent} confidence interval (low and "
                "high estimate). R² is the share of the ups and downs of units the fit explains.",
                period=self._per(),
                level=self._level(),
            )
        )
        self.register_plot("loglog", self.second_plot)
        self.register_plot("whatif", self.curve_plot)
        self._plots.pop("residuals", None)
        self.states = dict(result.extra.get("fits") or {})
        self.whatif_box.setVisible(bool(self.states))
        chosen = (self.result_params or {}).get("product")
        self.product_combo.blockSignals(True)
        self.product_combo.clear()
        for key in self.states:
            self.product_combo.addItem(result.names.get(key, key), key)
            self.product_combo.setItemData(self.product_combo.count() - 1, key, Qt.ItemDataRole.ToolTipRole)
        i = self.product_combo.findData(str(chosen)) if chosen is not None else 0
        self.product_combo.setCurrentIndex(max(i, 0))
        self.product_combo.blockSignals(False)
        change = (self.result_params or {}).get("price_change") or 0
        self._product_changed(slider=int(round(max(-SLIDER_RANGE, min(SLIDER_RANGE, change)))))

    # -- what-if ---------------------------------------------------------------------------------
    def current_state(self) -> dict | None:
        return self.states.get(self.product_combo.currentData())

    def _product_changed(self, *_args, slider: int = 0) -> None:
        s = self.current_state()
        if s is None:
            return
        # the demand curve is drawn once per product; the slider moves only the what-if point
        self._demand = demand_plot(s, self._per(), self.product_combo.currentText())
        render_plot(self._demand, self.curve_plot)
        self.slider.blockSignals(True)
        self.slider.setValue(slider)
        self.slider.blockSignals(False)
        self._update_whatif()

    def whatif_price(self) -> float | None:
        s = self.current_state()
        return None if s is None else s["current_price"] * (1 + self.slider.value() / 100)

    def _update_whatif(self, *_args) -> None:
        s = self.current_state()
        if s is None:
            return
        p = self.whatif_price()
        now, new = whatif(s, s["current_price"]), whatif(s, p)
        self.last_whatif = new
        pct = self.slider.value()
        per = self._per()
        if pct > 0:
            self.price_label.setText(
                _(
                    "{price} ({change:percent} above the current {now})",
                    price=_money(p),
                    change=pct / 100,
                    now=_money(s["current_price"]),
                )
            )
        elif pct < 0:
            self.price_label.setText(
                _(
                    "{price} ({change:percent} below the current {now})",
                    price=_money(p),
                    change=-pct / 100,
                    now=_money(s["current_price"]),
                )
            )
        else:
            self.price_label.setText(_("{price} (the current price)", price=_money(p)))
        self.units_label.setText(
            _(
                "{units} per {period} (likely {low} to {high}; now {now})",
                units=units_text(new["units"]),
                period=per,
                low=units_text(new["units_low"]),
                high=units_text(new["units_high"]),
                now=units_text(now["units"]),
            )
        )
        self.revenue_label.setText(
            _(
                "{value} (likely {low} to {high}; now {now})",
                value=_money(new["revenue"]),
                low=_money(new["revenue_low"]),
                high=_money(new["revenue_high"]),
                now=_money(now["revenue"]),
            )
        )
        if s.get("unit_cost") is None:
            self.profit_label.setText(_("enter a unit cost to see the profit"))
        else:
            self.profit_label.setText(
                _(
                    "{value} (likely {low} to {high}; now {now})",
                    value=_money(new["profit"]),
                    low=_money(new["profit_low"]),
                    high=_money(new["profit_high"]),
                    now=_money(now["profit"]),
                )
            )
        seen = dict(low=_money(s["min_price"]), high=_money(s["max_price"]))
        if new["outside_range"]:
            self.range_label.setText(
                _coloured(
                    _("This price is outside the prices seen ({low} to {high}): the numbers are a guess.", **seen),
                    "#b71c1c",
                )
            )
        else:
            self.range_label.setText(
                _coloured(
                    _(
                        "Prices seen: {low} to {high}. “Likely” is the range one {period}'s "
                        "sales fall in with {level:percent} probability.",
                        **seen,
                        period=per,
                        level=s.get("level", 0.95),
                    ),
                    "#555",
                )
            )
        if self._demand is not None:
            spec = replace(self._demand, layers=[*self._demand.layers[:-1], whatif_marker(s, p, per)])
            render_plot(spec, self.curve_plot, reset_zoom=False)

    def _per(self) -> str:
        freq = (self.result.extra if self.result else {}).get("freq")
        return text(period_word(freq))


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")
