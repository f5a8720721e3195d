"""The Recommendations tab: pick a customer to see what they bought or rated next to what we
recommend and why; pick a product to see the products most similar to it; all recommendations in
one searchable table (exported with the tab's Export menu); under Details, the check on held-out
data (per fold or per N) against the yardstick (a best-seller list, or guessing the average)."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QHBoxLayout, QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.display import Column
from bizops_desktop.core.i18n import text
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.plots import make_plot, render_plot
from bizops_desktop.qt.table_model import DataFrameTable

from .analysis import headline
from .i18n import _, _l

# The customer's history, a frame this tab builds from the data (not a stored result table).
HISTORY_COLUMNS = {
    "product_id": Column(_l("Product"), "product"),
    "product_name": Column(_l("Product name"), "hidden"),
    "rating": Column(_l("Their rating (★)"), "num"),
    "times_bought": Column(_l("Times bought"), "int"),
    "units": Column(_l("Units bought"), "int"),
}


class _Choices(QAbstractListModel):
    """A picker's entries from two lists: the text shown and the id (item data; the tooltip)."""

    def __init__(self, ids: list, shown: list[str], parent=None):
        super().__init__(parent)
        self._ids, self._shown = ids, shown

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        r = index.row()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._shown[r]
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[r]
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(self._ids[r])
        return None


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
    label = QLabel(box)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("font-weight: bold")
    label.setText(title)
    lay.addWidget(label)
    lay.addWidget(table, 1)
    return box


def _page(tabs: QTabWidget) -> tuple[QWidget, QVBoxLayout]:
    page = QWidget(tabs)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 4, 0, 0)
    return page, layout


def _without_details(columns: dict[str, Column]) -> dict[str, Column]:
    """The column specs with statistics columns hidden (they stay in the full table and the export)."""
    return {c: (Column(s.title, "hidden") if s.details else s) for c, s in columns.items()}


class RecommenderPanel(AnalysisPanel):
    def build_results(self, layout: QVBoxLayout) -> None:
        self.add_headline(layout)
        self.tabs = QTabWidget(self.results)
        layout.addWidget(self.tabs, 1)

        # -- one customer: history next to recommendations ------------------------------------
        page, pl = _page(self.tabs)
        self.customer_combo = _picker_row(page, pl, _("Customer:"), "customer_combo")
        self.customer_combo.currentTextChanged.connect(self._show_customer)
        # the answer on top, full width (the reasons are long); what they bought underneath
        split = QSplitter(Qt.Orientation.Vertical, page)
        self.customer_recs_table = DataFrameTable(split, search=False)
        self.customer_recs_table.setObjectName("customer_recs_table")
        self.history_table = DataFrameTable(split, search=False)
        self.history_table.setObjectName("history_table")
        split.addWidget(_titled(split, _("Suggested, and why"), self.customer_recs_table))
        split.addWidget(_titled(split, _("Bought or rated"), self.history_table))
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        pl.addWidget(split, 1)
        self.tabs.addTab(page, _("Customer"))

        # -- one product: similar products --------------------------------------------------------
        page, pl = _page(self.tabs)
        self.product_combo = _picker_row(page, pl, _("Product:"), "product_combo")
        self.product_combo.currentIndexChanged.connect(self._show_product)
        self.similar_table = DataFrameTable(page, search=False)
        self.similar_table.setObjectName("similar_table")
        pl.addWidget(self.similar_table, 1)
        self.tabs.addTab(page, _("Similar products"))

        # -- everything -----------------------------------------------------------------------------
        self.all_table = DataFrameTable(self.tabs, placeholder=_("Filter by customer, product, reason…"))
        self.all_table.setObjectName("all_table")
        self.tabs.addTab(self.all_table, _("All suggestions"))

        # -- details: the check on held-out data --------------------------------------------------
        page, pl = _page(self.tabs)
        self.eval_about = QLabel(page)
        self.eval_about.setObjectName("eval_about")
        self.eval_about.setWordWrap(True)
        self.eval_about.setStyleSheet("color: #555")
        pl.addWidget(self.eval_about)
        self.eval_plot = make_plot()
        self.register_plot("evaluation", self.eval_plot)
        pl.addWidget(self.eval_plot, 3)
        self.eval_table = DataFrameTable(page, search=False)
        self.eval_table.setObjectName("eval_table")
        pl.addWidget(self.eval_table, 2)
        self.tabs.addTab(page, _("Details"))

        self._recs = pd.DataFrame()
        self._similar = pd.DataFrame()
        self._history: pd.DataFrame | None = None
        self._history_from: Result | None = None
        self._columns: dict[str, dict[str, Column]] = {}
        self._names: dict[str, str] = {}

    # -- results ---------------------------------------------------------------------------------
    def show_result(self, result: Result) -> None:
        self._recs = result.tables.get("recommendations", pd.DataFrame())
        self._similar = result.tables.get("similar_items", pd.DataFrame())
        self._history = None  # made for one customer at a time (see _history_frame): not 1M lines here
        self._history_from = result
        self._columns = result.columns
        self._names = result.names
        # a result saved before tabs had headlines gets one from its metrics
        self.headline.setText(text(result.headline if result.headline is not None else headline(result.metrics)))

        self.all_table.set_frame(self._recs, result.columns.get("recommendations"), result.names)
        ev = result.tables.get("evaluation")
        self.eval_table.set_frame(
            ev if ev is not None else pd.DataFrame(), result.columns.get("evaluation"), result.names
        )
        if ev is None:
            self.eval_about.setText(_("The check on held-out data was not run (Evaluation folds = 0)."))
        elif result.metrics.get("data") == "ratings":
            self.eval_about.setText(
                _(
                    "How the check works: part of the ratings is held back, the rest predicts "
                    "them, and the error is compared with always guessing the average "
                    "rating; this is repeated so that every rating is held back once."
                )
            )
        else:
            self.eval_about.setText(
                _(
                    "How the check works: part of the purchases is held back, suggestions are "
                    "made from the rest, and we count how many of them the customers did "
                    "buy, next to a list of best sellers; this is repeated so that every "
                    "purchase is held back once."
                )
            )
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
        ids: list = []
        shown: list[str] = []
        if len(self._similar):
            firsts = self._similar.drop_duplicates("product_id")
            names = firsts["product_name"] if "product_name" in firsts else firsts["product_id"]
            ids = firsts["product_id"].tolist()
            # the product by its name, its id in the tooltip (the id when it has no name)
            shown = [str(n) if n and str(n) != "nan" else str(p) for p, n in zip(ids, names.tolist())]
        # a list model read row by row as the list shows (tens of thousands of products: no item
        # per product made on the window's thread)
        self.product_combo.setModel(_Choices(ids, shown, self.product_combo))
        self.product_combo.blockSignals(False)
        self._show_product()

    def clear_result(self) -> None:
        self._recs = pd.DataFrame()
        self._similar = pd.DataFrame()
        self._history = None
        self._history_from = None
        self.headline.setText("")
        self.eval_about.setText("")
        for t in (self.all_table, self.eval_table, self.history_table, self.customer_recs_table, self.similar_table):
            t.set_frame(pd.DataFrame())
        self.eval_plot.plot_view.clear()
        self.customer_combo.clear()
        self.product_combo.setModel(_Choices([], [], self.product_combo))

    # -- pickers ---------------------------------------------------------------------------------
    def _history_frame(self, result: Result, customer: str) -> pd.DataFrame | None:
        """What ``customer`` bought or rated, from the data the result was computed on (the data
        may be gone after a project is reopened; then the history stays empty). Only that
        customer's lines are grouped: the window's thread never groups a whole big order log."""
        ds = self.host.dataset(self.result_dataset) if self.result_dataset else None
        if ds is None:
            ds = self.current_dataset()
        if ds is None or not ds.has("customer_id", "product_id"):
            return None
        f = ds.frame
        c, p = ds.col("customer_id"), ds.col("product_id")
        ids = f[c]
        mine = (ids == customer) if ids.dtype == object else None
        if mine is None or not mine.any():  # numbers, or ids of mixed types: compared as text
            mine = ids.astype(str) == customer
        f = f[mine]
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

    def _history_names(self) -> dict[str, str]:
        """Product names for the history: the result's, and the data's for products it never
        recommended (a product bought by everyone may be in no list)."""
        h = self._history
        if h is None or "product_name" not in h:
            return self._names
        names = dict(zip(h["product_id"].astype(str), h["product_name"].astype(str)))
        names.update(self._names)
        return names

    def _show_customer(self, customer: str) -> None:
        if not len(self._recs) or not customer:
            self.customer_recs_table.set_frame(pd.DataFrame())
            self.history_table.set_frame(pd.DataFrame())
            return
        recs = self._recs[self._recs["customer_id"].astype(str) == customer]
        self.customer_recs_table.set_frame(
            recs.drop(columns=["customer_id"]).reset_index(drop=True),
            _without_details(self._columns.get("recommendations", {})),
            self._names,
        )
        self._history = self._history_frame(self._history_from, customer) if self._history_from else None
        if self._history is not None:
            h = self._history
            self.history_table.set_frame(
                h.drop(columns=["customer_id"]).reset_index(drop=True), HISTORY_COLUMNS, self._history_names()
            )
        else:
            self.history_table.set_frame(pd.DataFrame())

    def _show_product(self, *_args) -> None:
        pid = self.product_combo.currentData()
        if pid is None or not len(self._similar):
            self.similar_table.set_frame(pd.DataFrame())
            return
        rows = self._similar[self._similar["product_id"] == pid]
        self.similar_table.set_frame(
            rows.drop(columns=[c for c in ("product_id", "product_name") if c in rows]).reset_index(drop=True),
            _without_details(self._columns.get("similar_items", {})),
            self._names,
        )

    def show_customer(self, customer: str) -> None:
        self.customer_combo.setCurrentText(str(customer))

    def show_product(self, product) -> None:
        i = self.product_combo.findData(product)
        if i >= 0:
            self.product_combo.setCurrentIndex(i)
