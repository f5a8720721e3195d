"""The Churn risk tab: the ranked at-risk list with reasons (filterable, exportable for a
mailing), whom to contact: a threshold slider that redraws the confusion matrix and the ROC
marker live from the stored cross-validated probabilities (no rerun); and under Details the
strongest odds ratios, the coefficients and the accuracy figures."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.export import write_table
from bizops_desktop.core.i18n import format_int, format_number, format_percent, text
from bizops_desktop.core.plotspec import PlotSpec
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.plots import make_plot, render_plot
from bizops_desktop.qt.table_model import DataFrameTable

from . import model as churn
from .analysis import threshold_marker
from .i18n import _, _n

ORDERS_ONLY = ("churn_days", "cutoff")
STEPS = 1000  # slider resolution: thresholds in steps of 0.001
TABLE_DELAY_MS = 150  # the list is refiltered once the slider rests, not on every pixel
HEADLINE_STYLE = "font-size: 14px; font-weight: 600; padding: 2px 0 4px 0"
SIDE_WIDTH = 380  # the threshold column beside the ROC plot


class ChurnPanel(AnalysisPanel):
    def build_results(self, layout: QVBoxLayout) -> None:
        self.add_headline(layout)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setStyleSheet(HEADLINE_STYLE)
        self.tabs = QTabWidget(self.results)
        layout.addWidget(self.tabs, 1)

        # -- at-risk list ---------------------------------------------------------------------
        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 4, 0, 0)
        row = QHBoxLayout()
        self.only_flagged = QCheckBox(_("Only customers at or above the threshold"), page)
        self.only_flagged.setObjectName("only_flagged")
        self.only_flagged.toggled.connect(self._refresh_table)
        self.export_list_button = QPushButton(_("Export list…"), page)
        self.export_list_button.setToolTip(
            _("Save the rows shown (filtered and sorted) as CSV or Excel, e.g. for a mailing")
        )
        self.export_list_button.clicked.connect(self._export_list_dialog)
        self.export_list_button.setEnabled(False)
        row.addWidget(self.only_flagged)
        row.addStretch(1)
        row.addWidget(self.export_list_button)
        pl.addLayout(row)
        self.scores_table = DataFrameTable(page, placeholder=_("Filter by customer, reason…"))
        self.scores_table.setObjectName("scores_table")
        pl.addWidget(self.scores_table, 1)
        self.tabs.addTab(page, _("Customers at risk"))

        # -- win back: customers already gone by the churn window (orders only) ---------------
        self.winback_table = DataFrameTable(self.tabs, placeholder=_("Filter by customer, reason…"))
        self.winback_table.setObjectName("winback_table")
        self.winback_table.setToolTip(
            _("Customers with no order for the whole churn window: already lost, for a win-back campaign")
        )
        self.tabs.addTab(self.winback_table, _("Win back"))

        # -- whom to contact: the threshold ------------------------------------------------------
        page = QWidget(self.tabs)
        hl = QHBoxLayout(page)
        self.roc_plot = make_plot(
            _("Leavers caught vs false alarms (cross-validated)"),
            _("false alarms: share of staying customers flagged"),
            _("leavers caught: share of leaving customers flagged"),
        )
        self.register_plot("roc", self.roc_plot)
        if self.roc_plot.plotItem.legend is not None:
            self.roc_plot.plotItem.legend.setOffset((-10, -10))  # bottom right: the curve lives top left
        self._roc_spec: PlotSpec | None = None
        hl.addWidget(self.roc_plot, 3)

        side_widget = QWidget(page)
        side_widget.setMaximumWidth(SIDE_WIDTH)
        side = QVBoxLayout(side_widget)
        side.setContentsMargins(0, 0, 0, 0)
        box = QGroupBox(_("Threshold"), page)
        bl = QVBoxLayout(box)
        self.threshold_label = QLabel(box)
        self.threshold_label.setObjectName("threshold_label")
        self.threshold_label.setWordWrap(True)
        self.slider = QSlider(Qt.Orientation.Horizontal, box)
        self.slider.setObjectName("threshold_slider")
        self.slider.setRange(0, STEPS)
        self.slider.setSingleStep(5)
        self.slider.setPageStep(50)
        self.slider.valueChanged.connect(self._slider_moved)
        bl.addWidget(self.threshold_label)
        bl.addWidget(self.slider)
        side.addWidget(box)

        box = QGroupBox(_("Flags on customers the model did not see"), page)
        grid = QGridLayout(box)
        for text_, r, c in ((_("flagged"), 0, 1), (_("not flagged"), 0, 2), (_("left"), 1, 0), (_("stayed"), 2, 0)):
            head = QLabel(text_, box)
            head.setStyleSheet("font-weight: bold;")
            grid.addWidget(head, r, c)
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
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.rate_labels: dict[str, QLabel] = {}
        for key, title in (
            ("precision", _("Flagged who left (precision):")),
            ("recall", _("Leavers flagged (recall):")),
            ("accuracy", _("Predicted right (accuracy):")),
            ("f1", _("F1:")),
            ("value", _("Expected value of the contacts:")),
        ):
            lab = QLabel("—", page)
            lab.setObjectName(f"rate_{key}")
            lab.setWordWrap(True)
            self.rate_labels[key] = lab
            if key == "value":  # a sentence: the whole width, under its title
                form.addRow(QLabel(title, page))
                form.addRow(lab)
            else:
                form.addRow(title, lab)
        side.addLayout(form)
        side.addStretch(1)
        hl.addWidget(side_widget, 2)
        self.tabs.addTab(page, _("Whom to contact"))

        # -- details: odds ratios, coefficients, accuracy ------------------------------------------
        page = QWidget(self.tabs)
        dl = QVBoxLayout(page)
        dl.setContentsMargins(0, 4, 0, 0)
        self.details_label = QLabel(page)
        self.details_label.setObjectName("details_label")
        self.details_label.setWordWrap(True)
        self.details_label.setTextFormat(Qt.TextFormat.PlainText)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dl.addWidget(self.details_label)
        self.details_tabs = QTabWidget(page)
        dl.addWidget(self.details_tabs, 1)
        self.odds_plot = make_plot()
        self.register_plot("odds_ratios", self.odds_plot)
        self.details_tabs.addTab(self.odds_plot, _("Strongest effects"))
        self.coef_table = DataFrameTable(self.details_tabs)
        self.details_tabs.addTab(self.coef_table, _("Coefficients"))
        self.metrics_table = DataFrameTable(self.details_tabs, search=False)
        self.details_tabs.addTab(self.metrics_table, _("Accuracy"))
        self.tabs.addTab(page, _("Details"))

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TABLE_DELAY_MS)
        self._timer.timeout.connect(self._refresh_table)
        self.threshold: float | None = None
        self._oof = np.zeros(0)
        self._actual = np.zeros(0, dtype=int)
        self._scores: pd.DataFrame | None = None
        self._columns: dict = {}
        self._names: dict[str, str] = {}
        self._money: tuple[float, float] | None = None
        self.last_confusion: dict[str, int] | None = None

        # form.changed also fires after set_params (which blocks the editors' own signals).
        self.form.changed.connect(self._source_changed)
        self._source_changed()

    # -- form ------------------------------------------------------------------------------------
    def _source_changed(self, *_args):
        ed = self.form.editors.get("source")
        customers = ed is not None and ed.currentData() == "customers"
        self.form.set_rows_visible(ORDERS_ONLY, not customers)

    # -- results ---------------------------------------------------------------------------------
    def clear_result(self) -> None:
        self._timer.stop()
        self.headline.setText("")
        self.details_label.setText("")
        for t in (self.scores_table, self.winback_table, self.coef_table, self.metrics_table):
            t.set_frame(None)
        self._roc_spec = None
        self.roc_plot.plot_view.clear()
        self.odds_plot.plot_view.clear()
        self._oof, self._actual, self._scores, self.threshold = np.zeros(0), np.zeros(0, dtype=int), None, None
        self.export_list_button.setEnabled(False)

    def details_text(self, m: dict) -> str:
        """The accuracy in one or two sentences (the Details tab's first lines)."""
        lines = [
            _(
                "Cross-validated ROC AUC {auc:.3f} ± {sd:.3f} ({folds:int}-fold) on {n:int} customers, "
                "{rate:percent} of them churned.",
                auc=m["auc"],
                sd=m["auc_std"],
                folds=m["cv_folds"],
                n=m["n"],
                rate=m["churn_rate"],
            )
        ]
        if m.get("source") == "orders":
            lines.append(
                _(
                    "Learned from orders up to {end:date} (churned = no order in the {days:int} days to "
                    "{cutoff:date}); the list ranks every customer as of {cutoff:date}.",
                    end=m["observation_end"],
                    days=m["churn_days"],
                    cutoff=m["cutoff"],
                )
            )
        return "\n".join(lines)

    def show_result(self, result: Result) -> None:
        m = result.metrics
        self._oof = np.asarray(result.extra.get("oof_probability") or [], dtype=float)
        self._actual = np.asarray(result.extra.get("oof_actual") or [], dtype=int)
        self._columns = result.columns
        self._names = result.names
        self._scores = result.tables["scores"]
        cost, value = m.get("contact_cost"), m.get("customer_value")
        self._money = (float(cost), float(value)) if cost is not None and value is not None else None

        details = self.details_text(m)
        self.headline.setText(text(result.headline) or details)
        self.details_label.setText(details)
        # The analysis' ROC plot; the panel adds what hover says at each point (not stored in the
        # project: one text per customer) and moves the threshold marker with the slider.
        spec = result.plots["roc"]
        roc = result.tables["roc"]
        layers = list(spec.layers)
        layers[1] = replace(
            layers[1],
            labels=[
                _(
                    "threshold {threshold:percent}: {caught:percent} of leavers caught, {alarms:percent} false alarms",
                    threshold=float(t),
                    caught=float(y),
                    alarms=float(x),
                )
                for x, y, t in zip(roc["fpr"], roc["tpr"], roc["threshold"])
            ],
        )
        self._roc_spec = replace(spec, layers=layers)
        render_plot(self._roc_spec, self.roc_plot)
        render_plot(result.plots["odds_ratios"], self.odds_plot)
        self.coef_table.set_frame(result.tables["coefficients"], result.columns.get("coefficients"), result.names)
        self.metrics_table.set_frame(result.tables["metrics"], result.columns.get("metrics"))
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
            ed.setText(f"{self.threshold:g}")  # a rerun (and the saved project) keeps the new value
        self._timer.start()

    def _update_threshold_views(self) -> None:
        t = self.threshold if self.threshold is not None else 0.5
        shown_t = format_percent(t, decimals=1)
        if self._scores is not None:
            k = int((self._scores["churn_probability"] >= t).sum())
            self.threshold_label.setText(
                _n(
                    "Flag customers whose chance of leaving is {threshold} or more: {k:int} of the {n} customer "
                    "in the list",
                    "Flag customers whose chance of leaving is {threshold} or more: {k:int} of the {n} customers "
                    "in the list",
                    len(self._scores),
                    threshold=shown_t,
                    k=k,
                )
            )
        else:
            self.threshold_label.setText(
                _("Flag customers whose chance of leaving is {threshold} or more", threshold=shown_t)
            )
        if not len(self._oof):
            return
        cm = churn.confusion(self._oof, self._actual, t)
        r = churn.rates(cm)
        self.last_confusion = cm
        for key, lab in self.cm_labels.items():
            lab.setText(format_int(cm[key]))
        for key in ("precision", "recall", "accuracy"):
            self.rate_labels[key].setText(format_percent(r[key], decimals=1))
        self.rate_labels["f1"].setText(format_number(r["f1"], pattern="0.000"))
        if self._money is not None:
            cost, value = self._money
            contacted = self._oof >= t
            ev = float((value * self._actual[contacted] - cost).sum())
            self.rate_labels["value"].setText(
                _n(
                    "{value:money} (contacting {n} customer at {cost:money} each, each leaver kept worth "
                    "{worth:money})",
                    "{value:money} (contacting {n} customers at {cost:money} each, each leaver kept worth "
                    "{worth:money})",
                    int(contacted.sum()),
                    value=ev,
                    cost=cost,
                    worth=value,
                )
            )
        else:
            self.rate_labels["value"].setText(
                _("give the cost of a contact and the value of keeping a customer to see it")
            )
        if self._roc_spec is not None:
            marker = threshold_marker(r["fpr"], r["recall"], t)
            render_plot(
                replace(self._roc_spec, layers=[*self._roc_spec.layers[:-1], marker]), self.roc_plot, reset_zoom=False
            )

    # -- the list ----------------------------------------------------------------------------------
    def shown_scores(self) -> pd.DataFrame | None:
        """The list at the current threshold: predicted recomputed, optionally only flagged rows.
        (The table model renders the reasons, and its search finds them as they read.)"""
        if self._scores is None:
            return None
        t = self.threshold if self.threshold is not None else 0.5
        s = self._scores.copy()
        s["predicted"] = np.where(s["churn_probability"] >= t, "churn", "stay")
        if self.only_flagged.isChecked():
            s = s[s["churn_probability"] >= t]
        if "top_reasons" in s.columns:
            # the reasons last: the widest column takes the room left (the stored table keeps its order)
            s = s[[c for c in s.columns if c != "top_reasons"] + ["top_reasons"]]
        return s

    def _refresh_table(self, *_args):
        shown = self.shown_scores()
        self.scores_table.set_frame(shown, self._columns.get("scores"), self._names)
        lost = None
        if shown is not None and "group" in shown.columns:
            lost = shown[shown["group"] == "lost"]
        self.winback_table.set_frame(lost, self._columns.get("scores"), self._names)
        self.tabs.setTabVisible(self.tabs.indexOf(self.winback_table), lost is not None)

    def export_list(self, path: str | Path) -> Path:
        """Write the rows as shown (threshold, filter box and sort applied) to CSV or Excel."""
        return write_table(self.scores_table.frame(), path, columns=self._columns.get("scores"), names=self._names)

    def _export_list_dialog(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export customers at risk"), "customers_at_risk.xlsx", _("Excel (*.xlsx);;CSV (*.csv)")
        )
        if path:
            self._export_guard(self.export_list, path)

    def closeEvent(self, event) -> None:
        self._timer.stop()
        super().closeEvent(event)
