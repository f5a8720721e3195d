"""The Churn risk tab: the ranked at-risk list with reasons (filterable, exportable for a
mailing), the ROC curve with a threshold slider that redraws the confusion matrix live from the
stored cross-validated probabilities (no rerun), and the strongest odds ratios."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QPushButton, QSlider, QTabWidget, QVBoxLayout,
                               QWidget)

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.export import write_table
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.plots import make_plot, render_plot
from bizops_desktop.qt.table_model import DataFrameTable

from . import model as M
from .analysis import threshold_marker

ORDERS_ONLY = ("churn_days", "cutoff")
STEPS = 1000          # slider resolution: thresholds in steps of 0.001
TABLE_DELAY_MS = 150  # the list is refiltered once the slider rests, not on every pixel


class ChurnPanel(AnalysisPanel):
    def build_results(self, layout: QVBoxLayout) -> None:
        self.add_headline(layout)
        self.tabs = QTabWidget(self.results)
        layout.addWidget(self.tabs, 1)

        # -- at-risk list ---------------------------------------------------------------------
        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 4, 0, 0)
        row = QHBoxLayout()
        self.only_flagged = QCheckBox("Only customers at or above the threshold", page)
        self.only_flagged.setObjectName("only_flagged")
        self.only_flagged.toggled.connect(self._refresh_table)
        self.export_list_button = QPushButton("Export list…", page)
        self.export_list_button.setToolTip("Save the rows shown (filtered and sorted) as CSV or Excel")
        self.export_list_button.clicked.connect(self._export_list_dialog)
        self.export_list_button.setEnabled(False)
        row.addWidget(self.only_flagged)
        row.addStretch(1)
        row.addWidget(self.export_list_button)
        pl.addLayout(row)
        self.scores_table = DataFrameTable(page, placeholder="Filter by customer, reason…")
        self.scores_table.setObjectName("scores_table")
        pl.addWidget(self.scores_table, 1)
        self.tabs.addTab(page, "Customers at risk")

        # -- ROC and threshold ------------------------------------------------------------------
        page = QWidget(self.tabs)
        hl = QHBoxLayout(page)
        self.roc_plot = make_plot("ROC curve (cross-validated)",
                                  "false alarms: share of staying customers flagged",
                                  "churners caught: share of churners flagged")
        self.register_plot("roc", self.roc_plot)
        if self.roc_plot.plotItem.legend is not None:
            self.roc_plot.plotItem.legend.setOffset((-10, -10))   # bottom right: the curve lives top left
        self._roc_spec = None
        hl.addWidget(self.roc_plot, 3)

        side = QVBoxLayout()
        box = QGroupBox("Threshold", page)
        bl = QVBoxLayout(box)
        self.threshold_label = QLabel(box)
        self.threshold_label.setObjectName("threshold_label")
        self.slider = QSlider(Qt.Orientation.Horizontal, box)
        self.slider.setObjectName("threshold_slider")
        self.slider.setRange(0, STEPS)
        self.slider.setSingleStep(5)
        self.slider.setPageStep(50)
        self.slider.valueChanged.connect(self._slider_moved)
        bl.addWidget(self.threshold_label)
        bl.addWidget(self.slider)
        side.addWidget(box)

        box = QGroupBox("Confusion matrix (cross-validated customers)", page)
        grid = QGridLayout(box)
        grid.addWidget(QLabel("<b>predicted churn</b>", box), 0, 1)
        grid.addWidget(QLabel("<b>predicted stay</b>", box), 0, 2)
        grid.addWidget(QLabel("<b>churned</b>", box), 1, 0)
        grid.addWidget(QLabel("<b>stayed</b>", box), 2, 0)
        self.cm_labels: dict[str, QLabel] = {}
        for key, r, c in (("tp", 1, 1), ("fn", 1, 2), ("fp", 2, 1), ("tn", 2, 2)):
            lab = QLabel("—", box)
            lab.setObjectName(f"cm_{key}")
            lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lab.setStyleSheet("font-size: 14pt; padding: 4px;")
            self.cm_labels[key] = lab
            grid.addWidget(lab, r, c)
        side.addWidget(box)
        form = QFormLayout()
        self.rate_labels: dict[str, QLabel] = {}
        for key, title in (("precision", "Precision:"), ("recall", "Recall (churners caught):"),
                           ("accuracy", "Accuracy:"), ("f1", "F1:"), ("value", "Expected value:")):
            lab = QLabel("—", page)
            lab.setObjectName(f"rate_{key}")
            self.rate_labels[key] = lab
            form.addRow(title, lab)
        side.addLayout(form)
        side.addStretch(1)
        hl.addLayout(side, 2)
        self.tabs.addTab(page, "ROC and threshold")

        # -- odds ratios, coefficients, metrics --------------------------------------------------
        self.odds_plot = make_plot()
        self.register_plot("odds_ratios", self.odds_plot)
        self.tabs.addTab(self.odds_plot, "Strongest effects")
        self.coef_table = DataFrameTable(self.tabs)
        self.tabs.addTab(self.coef_table, "Coefficients")
        self.metrics_table = DataFrameTable(self.tabs, search=False)
        self.tabs.addTab(self.metrics_table, "Accuracy")

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TABLE_DELAY_MS)
        self._timer.timeout.connect(self._refresh_table)
        self.threshold: float | None = None
        self._oof = np.zeros(0)
        self._actual = np.zeros(0, dtype=int)
        self._scores: pd.DataFrame | None = None
        self._money: tuple[float, float] | None = None
        self.last_confusion: dict[str, int] | None = None

        # form.changed also fires after set_params (which blocks the editors' own signals).
        self.form.changed.connect(self._source_changed)
        self._source_changed()

    # -- form ------------------------------------------------------------------------------------
    def _source_changed(self, *_):
        ed = self.form.editors.get("source")
        customers = ed is not None and ed.currentData() == "customers"
        self.form.set_rows_visible(ORDERS_ONLY, not customers)

    # -- results ---------------------------------------------------------------------------------
    def clear_result(self) -> None:
        self._timer.stop()
        self.headline.setText("")
        for t in (self.scores_table, self.coef_table, self.metrics_table):
            t.set_frame(None)
        self._roc_spec = None
        self.roc_plot.plot_view.clear()
        self.odds_plot.plot_view.clear()
        self._oof, self._actual, self._scores, self.threshold = np.zeros(0), np.zeros(0, dtype=int), None, None
        self.export_list_button.setEnabled(False)

    def show_result(self, result: Result) -> None:
        m = result.metrics
        self._oof = np.asarray(result.extra.get("oof_probability") or [], dtype=float)
        self._actual = np.asarray(result.extra.get("oof_actual") or [], dtype=int)
        self._scores = result.tables["scores"]
        cost, value = m.get("contact_cost"), m.get("customer_value")
        self._money = (float(cost), float(value)) if cost is not None and value is not None else None

        text = (f"Cross-validated ROC AUC <b>{m['auc']:.3f}</b> ± {m['auc_std']:.3f} "
                f"({m['cv_folds']}-fold) on {m['n']:,} customers, {m['churn_rate']:.0%} of them churned.")
        if m.get("source") == "orders":
            text += (f" Learned from orders up to {m['observation_end']} (churned = no order in the "
                     f"{m['churn_days']} days to {m['cutoff']}); the list ranks every customer as of {m['cutoff']}.")
        self.headline.setText(text)
        # The analysis' ROC plot; the panel adds what hover says at each point (not stored in the
        # project: one text per customer) and moves the threshold marker with the slider.
        spec = result.plots["roc"]
        roc = result.tables["roc"]
        layers = list(spec.layers)
        layers[1] = replace(layers[1], labels=[f"threshold {t:.3f}: {y:.0%} caught, {x:.0%} false alarms"
                                               for x, y, t in zip(roc["fpr"], roc["tpr"], roc["threshold"])])
        self._roc_spec = replace(spec, layers=layers)
        render_plot(self._roc_spec, self.roc_plot)
        render_plot(result.plots["odds_ratios"], self.odds_plot)
        self.coef_table.set_frame(result.tables["coefficients"])
        self.metrics_table.set_frame(result.tables["metrics"])
        self.export_list_button.setEnabled(True)
        self.set_threshold(float(result.extra.get("threshold", m.get("threshold", 0.5))), from_result=True)
        self._timer.stop()
        self._refresh_table()

    # -- threshold ---------------------------------------------------------------------------------
    def set_threshold(self, t: float, *, from_result: bool = False) -> None:
        """Move the threshold (exact value; the slider shows it to the nearest 0.001)."""
        self.threshold = min(max(float(t), 0.0), 1.0)
        self.slider.blockSignals(True)
        self.slider.setValue(int(round(self.threshold * STEPS)))
        self.slider.blockSignals(False)
        self._update_threshold_views()
        if not from_result:
            self._timer.start()

    def _slider_moved(self, v: int) -> None:
        self.threshold = v / STEPS
        self._update_threshold_views()
        ed = self.form.editors.get("threshold")
        if ed is not None and hasattr(ed, "setText"):
            ed.setText(f"{self.threshold:g}")   # a rerun (and the saved project) keeps the new value
        self._timer.start()

    def _update_threshold_views(self) -> None:
        t = self.threshold if self.threshold is not None else 0.5
        flagged = ""
        if self._scores is not None:
            k = int((self._scores["churn_probability"] >= t).sum())
            flagged = f" — {k:,} of {len(self._scores):,} customers in the list flagged"
        self.threshold_label.setText(f"Flag customers with churn probability ≥ <b>{t:.3f}</b>{flagged}")
        if not len(self._oof):
            return
        cm = M.confusion(self._oof, self._actual, t)
        r = M.rates(cm)
        self.last_confusion = cm
        for key, lab in self.cm_labels.items():
            lab.setText(f"{cm[key]:,}")
        for key in ("precision", "recall", "accuracy", "f1"):
            self.rate_labels[key].setText(f"{r[key]:.1%}" if key != "f1" else f"{r[key]:.3f}")
        if self._money is not None:
            cost, value = self._money
            contacted = self._oof >= t
            ev = float((value * self._actual[contacted] - cost).sum())
            self.rate_labels["value"].setText(f"{ev:,.2f} (contacting {int(contacted.sum()):,} at "
                                              f"{cost:g} each, keeping churners worth {value:g})")
        else:
            self.rate_labels["value"].setText("give contact_cost and customer_value to see it")
        if self._roc_spec is not None:
            marker = threshold_marker(r["fpr"], r["recall"], t)
            render_plot(replace(self._roc_spec, layers=[*self._roc_spec.layers[:-1], marker]), self.roc_plot,
                        reset_zoom=False)

    # -- the list ----------------------------------------------------------------------------------
    def shown_scores(self) -> pd.DataFrame | None:
        """The list at the current threshold: predicted recomputed, optionally only flagged rows."""
        if self._scores is None:
            return None
        t = self.threshold if self.threshold is not None else 0.5
        s = self._scores.copy()
        s["predicted"] = np.where(s["churn_probability"] >= t, "churn", "stay")
        if self.only_flagged.isChecked():
            s = s[s["churn_probability"] >= t]
        return s

    def _refresh_table(self, *_):
        self.scores_table.set_frame(self.shown_scores())

    def export_list(self, path: str | Path) -> Path:
        """Write the rows as shown (threshold, filter box and sort applied) to CSV or Excel."""
        return write_table(self.scores_table.frame(), path)

    def _export_list_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export customers at risk", "customers_at_risk.xlsx",
                                              "Excel (*.xlsx);;CSV (*.csv)")
        if path:
            self._export_guard(self.export_list, path)

    def closeEvent(self, event) -> None:
        self._timer.stop()
        super().closeEvent(event)

