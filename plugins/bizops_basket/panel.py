"""The Basket rules tab: rules in product names (search, filter by product on either side),
support-vs-confidence scatter coloured by lift (hover shows the rule, click selects it), and the
selected rule in plain words."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.plotspec import PlotSpec
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.plots import make_plot
from bizops_desktop.qt.table_model import DataFrameTable

from .analysis import join_names, rule_text


def shown_rules_plot(plot: PlotSpec | None, shown) -> PlotSpec | None:
    """The analysis' rules scatter cut to the rules the table shows (positions in the result's
    rules table), coloured on the scale of all rules so a filter does not recolour them."""
    if plot is None or not plot.layers:
        return plot
    return replace(plot, layers=[plot.layers[0].subset(shown), *plot.layers[1:]])


SIDES = (("either side", "any"), ("the left side (if the order has)", "left"),
         ("the right side (then it also has)", "right"))


class BasketPanel(AnalysisPanel):
    def build_results(self, layout: QVBoxLayout) -> None:
        self.add_headline(layout)

        filt = QHBoxLayout()
        filt.addWidget(QLabel("Product:", self.results))
        self.product_combo = QComboBox(self.results)
        self.product_combo.setObjectName("product_filter")
        self.product_combo.setMinimumContentsLength(24)
        self.product_combo.currentIndexChanged.connect(self._refilter)
        filt.addWidget(self.product_combo, 1)
        filt.addWidget(QLabel("on", self.results))
        self.side_combo = QComboBox(self.results)
        self.side_combo.setObjectName("side_filter")
        for text, key in SIDES:
            self.side_combo.addItem(text, key)
        self.side_combo.currentIndexChanged.connect(self._refilter)
        filt.addWidget(self.side_combo)
        layout.addLayout(filt)

        split = QSplitter(Qt.Orientation.Vertical, self.results)
        self.table = DataFrameTable(split, placeholder="Search rules (product names, ids)…")
        self.table.setObjectName("rules_table")
        self.table.row_selected.connect(self._row_selected)
        self.table.model.modelReset.connect(self._redraw_points)
        self.table.model.layoutChanged.connect(self._redraw_points)
        split.addWidget(self.table)

        self.plot = make_plot("Basket rules", "Support (share of orders)",
                              "Confidence (share of orders with the left side)")
        self.plot.plot_view.point_clicked.connect(self._point_clicked)
        self.register_plot("rules", self.plot)
        self.lift_label = QLabel(self.results)
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
        self._labels: list[str] = []
        self._selected: int | None = None
        self._plot_spec: PlotSpec | None = None
        self._shown = np.zeros(0, dtype=int)   # the rule shown at each point of the plot
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
        self._display = pd.DataFrame({
            "If the order has": [join_names(a) for a in self._a_names],
            "then it also has": [join_names(c) for c in self._c_names],
            "support": rules.get("support", pd.Series(dtype=float)).to_numpy(),
            "confidence": rules.get("confidence", pd.Series(dtype=float)).to_numpy(),
            "lift": rules.get("lift", pd.Series(dtype=float)).to_numpy(),
            "leverage": rules.get("leverage", pd.Series(dtype=float)).to_numpy(),
            "conviction": rules.get("conviction", pd.Series(dtype=float)).to_numpy(),
            "orders": rules.get("count", pd.Series(dtype=float)).to_numpy(),
        })
        lift = self._display["lift"].to_numpy(dtype=float)
        self._plot_spec = result.plots.get("rules")
        self._reset_zoom = True

        # products seen in the rules, by name, for the side filter
        products: dict[str, str] = {}
        for ids, names in zip(self._a_ids + self._c_ids, self._a_names + self._c_names):
            for i, n in zip(ids, names):
                products.setdefault(i, n)
        self.product_combo.blockSignals(True)
        self.product_combo.clear()
        self.product_combo.addItem("all products", None)
        for pid, name in sorted(products.items(), key=lambda kv: kv[1].casefold()):
            self.product_combo.addItem(name if name == pid else f"{name} ({pid})", pid)
        self.product_combo.blockSignals(False)

        m = result.metrics
        self.headline.setText(
            f"<b>{m.get('rules', 0):,} rules</b> from {m.get('frequent_itemsets', 0):,} frequent product sets "
            f"in {m.get('orders', 0):,} orders ({m.get('items', 0):,} products). "
            "Lift above 1 means the products sell together more often than chance.")
        if len(lift):
            self.lift_label.setText(f"Colour = lift, from {np.nanmin(lift):.2f} (dark) to "
                                    f"{np.nanmax(lift):.2f} (yellow). "
                                    "Hover a point to see its rule; click it to select the row.")
        else:
            self.lift_label.setText("")
        self._selected = None
        self._refilter()

    def clear_result(self) -> None:
        self.rules = pd.DataFrame()
        self._display = pd.DataFrame()
        self.table.set_frame(None)
        self._plot_spec = None
        self.plot.plot_view.clear()
        self.headline.setText("")
        self.why_label.setText("")

    # -- filtering -------------------------------------------------------------------------
    def _refilter(self) -> None:
        if self._display.empty and self.rules.empty:
            self.table.set_frame(self._display)
            return
        pid = self.product_combo.currentData()
        side = self.side_combo.currentData()
        keep = np.ones(len(self._display), dtype=bool)
        if pid is not None:
            left = np.array([pid in ids for ids in self._a_ids], dtype=bool)
            right = np.array([pid in ids for ids in self._c_ids], dtype=bool)
            keep = left if side == "left" else right if side == "right" else (left | right)
        # the frame's index is the rule's row in the result: kept through filters and sorts
        self.table.set_frame(self._display[keep])
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
            self.why_label.setText(self.rules["why"].iloc[self._selected]
                                   if "why" in self.rules.columns else self._labels[self._selected])
        self._update_marker()

    def _update_marker(self) -> None:
        at = np.flatnonzero(self._shown == self._selected) if self._selected is not None else []
        if len(at):
            self.plot.plot_view.select_point(0, int(at[0]))
        else:
            self.plot.plot_view.clear_selection()

    def _point_clicked(self, _layer: str, index: int) -> None:
        if 0 <= index < len(self._shown):
            self.select_rule(int(self._shown[index]))

    def selected_rule(self) -> int | None:
        return self._selected
