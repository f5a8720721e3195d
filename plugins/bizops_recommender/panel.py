"""The Recommendations tab: pick a customer to see what they bought or rated next to what we
recommend and why; pick a product to see the products most similar to it; all recommendations in
one searchable table (exported with the tab's Export menu); the evaluation plot per fold or per N."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QCompleter, QHBoxLayout, QLabel, QSplitter, QTabWidget,
                               QVBoxLayout, QWidget)

from bizops_desktop.core.analysis import Result
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.plots import make_plot, render_plot
from bizops_desktop.qt.table_model import DataFrameTable


def _picker(parent: QWidget, name: str) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.setMinimumWidth(260)
    # thousands of customers: type to find one
    combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
    combo.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    return combo


def _picker_row(page: QWidget, layout: QVBoxLayout, label: str, name: str) -> QComboBox:
    """A "Label: [searchable picker]" line at the top of a page."""
    row = QHBoxLayout()
    row.addWidget(QLabel(label, page))
    combo = _picker(page, name)
    row.addWidget(combo)
    row.addStretch(1)
    layout.addLayout(row)
    return combo


def _titled(parent: QWidget, title: str, table: QWidget) -> QWidget:
    box = QWidget(parent)
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    label = QLabel(f"<b>{title}</b>", box)
    lay.addWidget(label)
    lay.addWidget(table, 1)
    return box


class RecommenderPanel(AnalysisPanel):
    def build_results(self, layout: QVBoxLayout) -> None:
        self.add_headline(layout)
        self.tabs = QTabWidget(self.results)
        layout.addWidget(self.tabs, 1)

        # -- one customer: history next to recommendations ------------------------------------
        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 4, 0, 0)
        self.customer_combo = _picker_row(page, pl, "Customer:", "customer_combo")
        self.customer_combo.currentTextChanged.connect(self._show_customer)
        split = QSplitter(Qt.Orientation.Horizontal, page)
        self.history_table = DataFrameTable(split, search=False)
        self.history_table.setObjectName("history_table")
        self.customer_recs_table = DataFrameTable(split, search=False)
        self.customer_recs_table.setObjectName("customer_recs_table")
        split.addWidget(_titled(split, "Bought or rated", self.history_table))
        split.addWidget(_titled(split, "Recommended, and why", self.customer_recs_table))
        split.setStretchFactor(1, 2)
        pl.addWidget(split, 1)
        self.tabs.addTab(page, "Customer")

        # -- one product: similar products --------------------------------------------------------
        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 4, 0, 0)
        self.product_combo = _picker_row(page, pl, "Product:", "product_combo")
        self.product_combo.currentIndexChanged.connect(self._show_product)
        self.similar_table = DataFrameTable(page, search=False)
        self.similar_table.setObjectName("similar_table")
        pl.addWidget(self.similar_table, 1)
        self.tabs.addTab(page, "Similar products")

        # -- everything -----------------------------------------------------------------------------
        self.all_table = DataFrameTable(self.tabs, placeholder="Filter by customer, product, reason…")
        self.all_table.setObjectName("all_table")
        self.tabs.addTab(self.all_table, "All recommendations")

        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 4, 0, 0)
        self.eval_plot = make_plot()
        self.register_plot("evaluation", self.eval_plot)
        pl.addWidget(self.eval_plot, 3)
        self.eval_table = DataFrameTable(page, search=False)
        self.eval_table.setObjectName("eval_table")
        pl.addWidget(self.eval_table, 2)
        self.tabs.addTab(page, "Evaluation")

        self._recs = pd.DataFrame()
        self._similar = pd.DataFrame()
        self._history: pd.DataFrame | None = None

    # -- results ---------------------------------------------------------------------------------
    def show_result(self, result: Result) -> None:
        self._recs = result.tables.get("recommendations", pd.DataFrame())
        self._similar = result.tables.get("similar_items", pd.DataFrame())
        self._history = self._history_frame(result)
        m = result.metrics
        what = "ratings" if m.get("data") == "ratings" else "purchases"
        text = (f"{m.get('customers_with_recommendations', 0):,} of {m.get('customers', 0):,} customers got "
                f"recommendations from {m.get('cells', 0):,} {what} "
                f"({m.get('method')}-based, {str(m.get('similarity', '')).replace('_', ' ')}, k = {m.get('k')}).")
        if "rmse" in m:
            text += (f" Held-out ratings were predicted to within {m['rmse']:.2f} stars (RMSE; "
                     f"{m['rmse_global_mean']:.2f} when always guessing the average).")
        else:
            keys = [k for k in m if k.startswith("hit_rate_at_")]
            if keys:
                n = keys[0].rsplit("_", 1)[1]
                text += (f" In the check on held-out purchases, {m[keys[0]]:.0%} of customers bought one of "
                         f"their top {n}.")
        self.headline.setText(text)

        self.all_table.set_frame(self._recs)
        ev = result.tables.get("evaluation")
        self.eval_table.set_frame(ev if ev is not None else pd.DataFrame())
        spec = result.plots.get("evaluation")
        if spec is not None:
            render_plot(spec, self.eval_plot)
        else:
            self.eval_plot.plot_view.clear()

        keep = self.customer_combo.currentText()
        customers = [str(c) for c in pd.unique(self._recs["customer_id"])] if len(self._recs) else []
        self.customer_combo.blockSignals(True)
        self.customer_combo.clear()
        self.customer_combo.addItems(customers)
        self.customer_combo.blockSignals(False)
        if keep in customers:
            self.customer_combo.setCurrentText(keep)
        self._show_customer(self.customer_combo.currentText())

        self.product_combo.blockSignals(True)
        self.product_combo.clear()
        if len(self._similar):
            firsts = self._similar.drop_duplicates("product_id")
            names = firsts["product_name"] if "product_name" in firsts else firsts["product_id"]
            for pid, name in zip(firsts["product_id"], names):
                label = f"{pid} — {name}" if str(name) != str(pid) and name else str(pid)
                self.product_combo.addItem(label, pid)
        self.product_combo.blockSignals(False)
        self._show_product()

    def clear_result(self) -> None:
        self._recs = pd.DataFrame()
        self._similar = pd.DataFrame()
        self._history = None
        self.headline.setText("")
        for t in (self.all_table, self.eval_table, self.history_table, self.customer_recs_table,
                  self.similar_table):
            t.set_frame(pd.DataFrame())
        self.eval_plot.plot_view.clear()
        self.customer_combo.clear()
        self.product_combo.clear()

    # -- pickers ---------------------------------------------------------------------------------
    def _history_frame(self, result: Result) -> pd.DataFrame | None:
        """What each customer bought or rated, from the data the result was computed on (the data
        may be gone after a project is reopened; then the history stays empty)."""
        ds = self.host.dataset(self.result_dataset) if self.result_dataset else None
        if ds is None:
            ds = self.current_dataset()
        if ds is None or not ds.has("customer_id", "product_id"):
            return None
        f = ds.frame
        c, p = ds.col("customer_id"), ds.col("product_id")
        name = ds.col("product_name") if ds.has("product_name") else None
        keys = [c, p] + ([name] if name else [])
        if result.metrics.get("data") == "ratings" and ds.has("rating"):
            hist = f.groupby(keys, sort=False, dropna=True)[ds.col("rating")].mean().rename("rating").reset_index()
            hist = hist.sort_values([c, "rating"], ascending=[True, False], kind="stable")
        else:
            hist = f.groupby(keys, sort=False, dropna=True).size().rename("times_bought").reset_index()
            if ds.has("quantity"):
                q = pd.to_numeric(f[ds.col("quantity")], errors="coerce")
                units = q.groupby([f[k] for k in keys], sort=False, dropna=True).sum().rename("units").reset_index()
                hist = hist.merge(units, on=keys, how="left")
            hist = hist.sort_values([c, "times_bought"], ascending=[True, False], kind="stable")
        hist = hist.rename(columns={c: "customer_id", p: "product_id"})
        if name:
            hist = hist.rename(columns={name: "product_name"})
        hist["customer_id"] = hist["customer_id"].astype(str)
        return hist

    def _show_customer(self, customer: str) -> None:
        if not len(self._recs) or not customer:
            self.customer_recs_table.set_frame(pd.DataFrame())
            self.history_table.set_frame(pd.DataFrame())
            return
        recs = self._recs[self._recs["customer_id"].astype(str) == customer]
        self.customer_recs_table.set_frame(recs.drop(columns=["customer_id"]).reset_index(drop=True))
        if self._history is not None:
            h = self._history[self._history["customer_id"] == customer]
            self.history_table.set_frame(h.drop(columns=["customer_id"]).reset_index(drop=True))
        else:
            self.history_table.set_frame(pd.DataFrame())

    def _show_product(self, *_args) -> None:
        pid = self.product_combo.currentData()
        if pid is None or not len(self._similar):
            self.similar_table.set_frame(pd.DataFrame())
            return
        rows = self._similar[self._similar["product_id"] == pid]
        self.similar_table.set_frame(rows.drop(columns=[c for c in ("product_id", "product_name") if c in rows])
                                     .reset_index(drop=True))

    def show_customer(self, customer: str) -> None:
        self.customer_combo.setCurrentText(str(customer))

    def show_product(self, product) -> None:
        i = self.product_combo.findData(product)
        if i >= 0:
            self.product_combo.setCurrentIndex(i)
