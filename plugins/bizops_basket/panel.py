"""The Basket rules tab: the strongest link first, in the shop's words; rules in product names
(search, filter by product on either side), support-vs-confidence scatter coloured by lift
(hover shows the rule, click selects it), the selected rule in plain words, the product sets
bought together, and the statistics folded away under Details."""

from __future__ import annotations

import html
from dataclasses import replace

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.i18n import text
from bizops_desktop.core.plotspec import PlotSpec
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.plots import make_plot
from bizops_desktop.qt.table_model import DataFrameTable

from .analysis import (
    BUNDLE_TITLES,
    ITEMSET_TITLES,
    PAIR_TITLES,
    bundles_table,
    headline,
    pairs_table,
    rule_columns,
    rule_text,
)
from .i18n import _, _l, _n


def shown_rules_plot(plot: PlotSpec | None, shown) -> PlotSpec | None:
    """The analysis' rules scatter cut to the rules the table shows (positions in the result's
    rules table), coloured on the scale of all rules so a filter does not recolour them."""
    if plot is None or not plot.layers:
        return plot
    return replace(plot, layers=[plot.layers[0].subset(shown), *plot.layers[1:]])


SIDES = (
    (_l("either side"), "any"),
    (_l("the “if” side (the order has)"), "left"),
    (_l("the “then” side (it also has)"), "right"),
)

# The rules as the tab shows them: names to read, the ids behind them kept (hidden) for the
# search box; shop columns first, statistics (details) after.
SHOWN_RULE_COLUMNS = [
    "antecedent_names",
    "consequent_names",
    "confidence",
    "lift",
    "count",
    "support",
    "antecedent_support",
    "consequent_support",
    "leverage",
    "conviction",
    "antecedents",
    "consequents",
]
SHOWN_SET_COLUMNS = ["itemset_names", "size", "count", "support", "itemset"]
# one row per set of products, the sentence beside the numbers; the suggested bundles with their reason
SHOWN_PAIR_COLUMNS = [
    "a_names",
    "b_names",
    "confidence_ab",
    "confidence_ba",
    "lift",
    "count",
    "sentence",
    "support",
    "a",
    "b",
]
SHOWN_BUNDLE_COLUMNS = ["names", "reason", "count", "lift", "size", "items"]


def _shown_specs() -> tuple[dict, dict]:
    """Column specs of the tab's tables: the analysis' own titles and kinds, the product lists
    shown as their names (the id lists beside them, hidden)."""
    sets = dict(ITEMSET_TITLES)
    sets["itemset_names"] = replace(ITEMSET_TITLES["itemset"], kind="text")
    sets["itemset"] = replace(ITEMSET_TITLES["itemset"], kind="hidden")
    return rule_columns(has_names=True), sets


class BasketPanel(AnalysisPanel):
    def build_results(self, layout: QVBoxLayout) -> None:
        self.add_headline(layout)
        self.summary_label = QLabel(self.results)
        self.summary_label.setObjectName("summary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet("color: #555")
        layout.addWidget(self.summary_label)

        filt = QHBoxLayout()
        filt.addWidget(QLabel(_("Product:"), self.results))
        self.product_combo = QComboBox(self.results)
        self.product_combo.setObjectName("product_filter")
        self.product_combo.setMinimumContentsLength(24)
        self.product_combo.currentIndexChanged.connect(self._refilter)
        filt.addWidget(self.product_combo, 1)
        filt.addWidget(QLabel(_("on"), self.results))
        self.side_combo = QComboBox(self.results)
        self.side_combo.setObjectName("side_filter")
        for words, key in SIDES:
            self.side_combo.addItem(str(words), key)
        self.side_combo.currentIndexChanged.connect(self._refilter)
        filt.addWidget(self.side_combo)
        self.details_check = QCheckBox(_("Details (statistics)"), self.results)
        self.details_check.setObjectName("details")
        self.details_check.setToolTip(
            _("Show the statistics behind each rule: the share of orders with each side, leverage and conviction")
        )
        self.details_check.toggled.connect(self._show_details)
        filt.addWidget(self.details_check)
        layout.addLayout(filt)

        split = QSplitter(Qt.Orientation.Vertical, self.results)
        self.tabs = QTabWidget(split)
        # what the tab answers first: which products go together (once per set), and what to bundle
        self.pairs_table = DataFrameTable(self.tabs, placeholder=_("Search products bought together…"))
        self.pairs_table.setObjectName("pairs_table")
        self.pairs_table.row_selected.connect(self._pair_selected)
        self.tabs.addTab(self.pairs_table, _("Bought together"))
        self.bundles_table = DataFrameTable(self.tabs, placeholder=_("Search suggested bundles…"))
        self.bundles_table.setObjectName("bundles_table")
        self.bundles_table.row_selected.connect(self._bundle_selected)
        self.tabs.addTab(self.bundles_table, _("Suggested bundles"))
        self.table = DataFrameTable(self.tabs, placeholder=_("Search rules (product names, ids)…"))
        self.table.setObjectName("rules_table")
        self.table.row_selected.connect(self._row_selected)
        self.table.model.modelReset.connect(self._redraw_points)
        self.table.model.layoutChanged.connect(self._redraw_points)
        self.sets_table = DataFrameTable(self.tabs, placeholder=_("Search product sets…"))
        self.sets_table.setObjectName("itemsets_table")
        self.tabs.addTab(self.sets_table, _("Popular products and sets"))
        # every rule, both directions, with its statistics: for a closer look
        self.tabs.addTab(self.table, _("Details: every rule"))
        self.tabs.currentChanged.connect(lambda _i: self._fill_sets())
        split.addWidget(self.tabs)

        self.plot = make_plot(_("Basket rules"), _("Share of all orders (support)"), _("Also bought (confidence)"))
        self.plot.plot_view.point_clicked.connect(self._point_clicked)
        self.register_plot("rules", self.plot)
        self.lift_label = QLabel(self.results)
        self.lift_label.setWordWrap(True)
        self.lift_label.setStyleSheet("color: #555")
        box = QWidget(split)
        bl = QVBoxLayout(box)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.plot, 1)
        bl.addWidget(self.lift_label)
        split.addWidget(box)
        split.setSizes([300, 300])
        layout.addWidget(split, 1)

        self.why_label = QLabel(self.results)
        self.why_label.setObjectName("why")
        self.why_label.setWordWrap(True)
        self.why_label.setStyleSheet("font-size: 12pt; padding: 4px;")
        self.why_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.why_label)

        self.rules = pd.DataFrame()
        self._display = pd.DataFrame()
        self._itemsets = pd.DataFrame()
        self._pairs = pd.DataFrame()
        self._names: dict[str, str] = {}
        self._sets_shown = True
        self._labels: list[str] = []
        self._selected: int | None = None
        self._plot_spec: PlotSpec | None = None
        self._shown = np.zeros(0, dtype=int)  # the rule shown at each point of the plot
        self._reset_zoom = True

    # -- result ------------------------------------------------------------------------------
    def show_result(self, result: Result) -> None:
        rules = result.tables.get("rules", pd.DataFrame())
        self.rules = rules.reset_index(drop=True)
        has_names = "antecedent_names" in rules.columns
        a_names = rules["antecedent_names"] if has_names else rules.get("antecedents", pd.Series(dtype=object))
        c_names = rules["consequent_names"] if has_names else rules.get("consequents", pd.Series(dtype=object))
        self._a_names = [list(map(str, x)) for x in a_names]
        self._c_names = [list(map(str, x)) for x in c_names]
        self._a_ids = [list(map(str, x)) for x in rules.get("antecedents", [])]
        self._c_ids = [list(map(str, x)) for x in rules.get("consequents", [])]
        self._labels = [rule_text(a, c) for a, c in zip(self._a_names, self._c_names)]

        def col(name: str) -> np.ndarray:
            return rules.get(name, pd.Series(np.full(len(rules), np.nan))).to_numpy()

        shown = {
            "antecedent_names": pd.Series(self._a_names, dtype=object),
            "consequent_names": pd.Series(self._c_names, dtype=object),
            "antecedents": pd.Series(self._a_ids, dtype=object),
            "consequents": pd.Series(self._c_ids, dtype=object),
        }
        shown.update({c: col(c) for c in SHOWN_RULE_COLUMNS if c not in shown})
        self._display = pd.DataFrame(shown, columns=SHOWN_RULE_COLUMNS, index=pd.RangeIndex(len(rules)))
        lift = self._display["lift"].to_numpy(dtype=float)
        self._plot_spec = result.plots.get("rules")
        self._reset_zoom = True

        # the product sets, shown by name when the tab is opened (up to half a million of them)
        self._itemsets = result.tables.get("itemsets", pd.DataFrame())
        self._names = dict(result.names)
        if not self._names:  # a result saved before names were kept: take them from the rules
            for ids, names in zip(self._a_ids + self._c_ids, self._a_names + self._c_names):
                self._names.update(zip(ids, names))
        self._sets_shown = False
        self._fill_sets()
        # a result saved before these tables existed: the same tables, from its rules
        pairs = result.tables.get("pairs")
        if pairs is None:
            pairs = pairs_table(rules)
        bundles = result.tables.get("bundles")
        if bundles is None:
            bundles = bundles_table(pairs)
        self._pairs = self._shown_frame(pairs, SHOWN_PAIR_COLUMNS)
        bundles = self._shown_frame(bundles, SHOWN_BUNDLE_COLUMNS)
        self.bundles_table.set_frame(bundles, BUNDLE_TITLES)
        self.tabs.setCurrentWidget(self.pairs_table)

        # products seen in the rules, by name, for the side filter
        products: dict[str, str] = {}
        for ids, names in zip(self._a_ids + self._c_ids, self._a_names + self._c_names):
            for i, n in zip(ids, names):
                products.setdefault(i, n)
        self.product_combo.blockSignals(True)
        self.product_combo.clear()
        self.product_combo.addItem(_("all products"), None)
        for pid, name in sorted(products.items(), key=lambda kv: kv[1].casefold()):
            self.product_combo.addItem(name if name == pid else _("{name} ({id})", name=name, id=pid), pid)
        self.product_combo.blockSignals(False)

        m = result.metrics
        top = result.headline
        if top is None:  # a result saved before the tab had a headline: the same words, from its table
            top = (
                headline(
                    self._a_names[0],
                    self._c_names[0],
                    float(self._display["confidence"].iat[0]),
                    float(lift[0]),
                    int(self._display["count"].iat[0]),
                    int(m.get("orders", 0)),
                )
                if len(rules)
                else headline(None, None, 0.0, float("nan"), 0, int(m.get("orders", 0)))
            )
        self.headline.setText(f"<b>{html.escape(text(top))}</b>")
        n_rules = int(m.get("rules", len(rules)))
        # sets of two or more products: the single products among the frequent itemsets are not "together"
        sizes = self._itemsets.get("size")
        n_sets = int((sizes >= 2).sum()) if sizes is not None else int(m.get("frequent_itemsets", 0))
        self.summary_label.setText(
            _(
                "{rules} from {sets} in {orders} ({products}). Lift above 1 means the products sell together "
                "more often than chance.",
                rules=_n("{n} rule", "{n} rules", n_rules),
                sets=_n("{n} set of products bought together", "{n} sets of products bought together", n_sets),
                orders=_n("{n} order", "{n} orders", int(m.get("orders", 0))),
                products=_n("{n} product", "{n} products", int(m.get("items", 0))),
            )
        )
        if len(lift) and np.isfinite(lift).any():
            self.lift_label.setText(
                _(
                    "Colour = lift (× more often), from {low} (dark) to {high} (yellow). "
                    "Hover over a point to see its rule; click it to select the row.",
                    low=float(np.nanmin(lift)),
                    high=float(np.nanmax(lift)),
                )
            )
        else:
            self.lift_label.setText("")
        self._selected = None
        self.why_label.setText("")
        self._refilter()
        # the strongest pair's sentence in full under the table (the column shows it cut at this width)
        if self.pairs_table.model.rowCount():
            self.pairs_table.select_source_row(0)

    def clear_result(self) -> None:
        self.rules = pd.DataFrame()
        self._display = pd.DataFrame()
        self._itemsets = pd.DataFrame()
        self._pairs = pd.DataFrame()
        self.table.set_frame(None)
        self.pairs_table.set_frame(None)
        self.bundles_table.set_frame(None)
        self.sets_table.set_frame(None)
        self._plot_spec = None
        self.plot.plot_view.clear()
        self.headline.setText("")
        self.summary_label.setText("")
        self.why_label.setText("")

    # -- tables ----------------------------------------------------------------------------
    @staticmethod
    def _shown_frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        """A result table in the tab's column order."""
        return frame.reset_index(drop=True)[[c for c in columns if c in frame.columns]]

    def _fill_sets(self) -> None:
        """The product sets by name, built when their tab is first shown."""
        if self._sets_shown or self.tabs.currentWidget() is not self.sets_table:
            return
        self._sets_shown = True
        sets = self._itemsets
        names = self._names
        shown = pd.DataFrame(
            {
                "itemset_names": pd.Series(
                    [[names.get(str(i), str(i)) for i in s] for s in sets.get("itemset", [])], dtype=object
                ),
                "itemset": pd.Series([list(s) for s in sets.get("itemset", [])], dtype=object),
            }
        )
        for c in ("size", "count", "support"):
            shown[c] = sets[c].to_numpy() if c in sets.columns else np.zeros(len(shown))
        self.sets_table.set_frame(shown[SHOWN_SET_COLUMNS], _shown_specs()[1])

    def _show_details(self, _on: bool = False) -> None:
        """Statistics columns (details) shown only when asked for."""
        on = self.details_check.isChecked()
        model = self.table.model
        for j in range(model.columnCount()):
            spec = model.column_spec(j)
            if spec is not None and spec.details:
                self.table.view.setColumnHidden(j, not on)

    # -- filtering -------------------------------------------------------------------------
    def _refilter(self) -> None:
        pid = self.product_combo.currentData()
        side = self.side_combo.currentData()
        pairs = self._pairs
        if pid is not None and len(pairs):
            left = np.array([pid in map(str, ids) for ids in pairs["a"]], dtype=bool)
            right = np.array([pid in map(str, ids) for ids in pairs["b"]], dtype=bool)
            # a set has no "if" side of its own: the product filter looks at either side
            pairs = pairs[left | right]
        self.pairs_table.set_frame(pairs, PAIR_TITLES)
        if self._display.empty and self.rules.empty:
            self.table.set_frame(self._display)
            return
        keep = np.ones(len(self._display), dtype=bool)
        if pid is not None:
            left = np.array([pid in ids for ids in self._a_ids], dtype=bool)
            right = np.array([pid in ids for ids in self._c_ids], dtype=bool)
            keep = left if side == "left" else right if side == "right" else (left | right)
        # the frame's index is the rule's row in the result: kept through filters and sorts
        self.table.set_frame(self._display[keep], _shown_specs()[0])
        self._show_details()
        if self._selected is not None:
            self.select_rule(self._selected)

    def _shown_rules(self) -> np.ndarray:
        return self.table.model.frame().index.to_numpy()

    def _redraw_points(self) -> None:
        self._shown = self._shown_rules() if len(self._display) else np.zeros(0, dtype=int)
        spec = shown_rules_plot(self._plot_spec, self._shown)
        if spec is None:
            self.plot.plot_view.clear()
        else:
            # a new result opens on all its points; a filter or sort keeps the user's zoom
            self.plot.plot_view.render(spec, reset_zoom=self._reset_zoom)
            self._reset_zoom = False
        self._update_marker()

    # -- selection -------------------------------------------------------------------------
    def select_rule(self, rule: int) -> bool:
        """Select rule ``rule`` (its row in the result's rules table) in the table."""
        src = self.table.model.source_frame()
        pos = np.flatnonzero(src.index.to_numpy() == rule)
        return bool(len(pos)) and self.table.select_source_row(int(pos[0]))

    def _row_selected(self, source_pos: int) -> None:
        frame = self.table.model.source_frame()
        if 0 <= source_pos < len(frame):
            self._selected = int(frame.index[source_pos])
            # a sentence saved as a message reads in today's language; an older project's as it was
            self.why_label.setText(
                text(self.rules["why"].iloc[self._selected])
                if "why" in self.rules.columns
                else self._labels[self._selected]
            )
        self._update_marker()

    def _update_marker(self) -> None:
        at = np.flatnonzero(self._shown == self._selected) if self._selected is not None else []
        if len(at):
            self.plot.plot_view.select_point(0, int(at[0]))
        else:
            self.plot.plot_view.clear_selection()

    def _point_clicked(self, _layer: str, index: int) -> None:
        if 0 <= index < len(self._shown):
            # a point is a rule: show it in the rules table
            self.tabs.setCurrentWidget(self.table)
            self.select_rule(int(self._shown[index]))

    def _pair_selected(self, source_pos: int) -> None:
        self._explain(self.pairs_table, source_pos, "sentence")

    def _bundle_selected(self, source_pos: int) -> None:
        self._explain(self.bundles_table, source_pos, "reason")

    def _explain(self, table: DataFrameTable, source_pos: int, column: str) -> None:
        """The picked row's sentence in full under the table (the cell may be cut at this width)."""
        frame = table.model.source_frame()
        if 0 <= source_pos < len(frame) and column in frame.columns:
            self.why_label.setText(text(frame[column].iloc[source_pos]))

    def selected_rule(self) -> int | None:
        return self._selected
