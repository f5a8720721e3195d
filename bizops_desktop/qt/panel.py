"""The base of every analysis tab: data picker, parameter form, Run/Cancel with progress, a
plain-words message area, export; subclasses add their plots and tables.

Subclass contract (see plugins/*/panel.py):
- ``build_results(layout)``: create plots and tables once (use ``make_plot``, ``DataFrameTable``);
  call ``register_plot(name, widget)`` for each plot that can be exported as PNG.
- ``show_result(result)``: update them from a Result: tables with ``set_frame``, plots by
  rendering PlotSpecs (the Result's, or from the analysis module's pure plot functions) with
  ``render_plot(spec, widget)`` / ``widget.plot_view.render(spec)``, which updates the items in
  place and gives hover, click-to-select (``plot_view.point_clicked``) and zoom.
- ``clear_result()``: optional, when the result is dropped.
A result remembers what it was computed from (the dataset's revision and roles, see Host); when
that changes the tab says so and offers to run again (``is_stale``).
Everything computed comes from ``analysis.execute`` run in the job runner; the panel only draws.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bizops_desktop.core import i18n
from bizops_desktop.core.analysis import Analysis, Result
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import BizOpsError, UsageError
from bizops_desktop.core.export import safe_filename, write_tables_csv, write_tables_excel
from bizops_desktop.core.i18n import _, _l, _n
from bizops_desktop.core.roles import ROLE_TITLES

from .form import ParamForm
from .host import Host
from .jobs import Job
from .plots import export_widget_png

# TRANSLATORS: a file-dialog filter: keep the part in ASCII brackets, (*.xlsx), exactly as it is.
EXCEL_FILTER = _l("Excel workbook (*.xlsx)")
# TRANSLATORS: a file-dialog filter: keep the part in ASCII brackets, (*.png), exactly as it is.
PNG_FILTER = _l("PNG image (*.png)")


def coloured(text: Any, colour: str) -> str:
    """Plain ``text`` (escaped here) in a colour, for a rich-text label."""
    return f"<span style='color:{colour}'>{escape(i18n.text(text))}</span>"


def join_names(items: Iterable[Any]) -> str:
    """Names (columns, roles) one after the other as the language separates them in a list
    (", " in English, "、" in Chinese), without the "and" of a sentence."""
    from babel import Locale

    middle = Locale.parse(i18n.get_language()).list_patterns["standard"]["middle"]
    items = [i18n.text(i) for i in items]
    return reduce(lambda a, b: middle.format(a, b), items) if items else ""


def role_title(role: str) -> str:
    """A column role in words (``price`` -> "Unit price")."""
    return i18n.text(ROLE_TITLES.get(role, role))


class MessageBox(QFrame):
    """Errors and notes in words, with the technical details folded away."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # a message is words, never markup
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QToolButton(self)
        self.details_button.setText(_("Technical details"))
        self.details_button.setCheckable(True)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setVisible(False)
        self.details.setMaximumHeight(160)
        self.details_button.toggled.connect(self.details.setVisible)
        self.action_button = QPushButton(self)  # what to do about the message, when there is one
        self.action_button.setVisible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.label)
        lay.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.details)
        self.clear()

    def clear(self) -> None:
        self.kind = ""
        self.label.setText("")
        self.details.setPlainText("")
        self.details_button.setVisible(False)
        self.details_button.setChecked(False)
        self.action_button.setVisible(False)
        self.setVisible(False)

    def show_message(self, text: Any, kind: str = "info", details: str = "", action: Any = "") -> None:
        """``text``: words (a str, or a message rendered now in the current language);
        ``action``: the label of the button under it (connect ``action_button.clicked``)."""
        text = i18n.text(text)
        self.kind = kind
        colours = {"error": ("#fdecea", "#b71c1c"), "warning": ("#fff8e1", "#8a6d00"), "info": ("#eef5fb", "#1f4e79")}
        bg, fg = colours.get(kind, colours["info"])
        self.setStyleSheet(f"MessageBox {{ background: {bg}; border-radius: 4px; }} QLabel {{ color: {fg}; }}")
        self.label.setText(text)
        self.details.setPlainText(details)
        self.details_button.setVisible(bool(details))
        self.action_button.setText(i18n.text(action))
        self.action_button.setVisible(bool(action))
        self.setVisible(bool(text))

    def text(self) -> str:
        return self.label.text()


class AnalysisPanel(QWidget):
    result_changed = Signal(object)  # Result | None
    run_started = Signal()
    run_ended = Signal(str)  # done | failed | cancelled
    stale_changed = Signal(bool)  # the result no longer matches its data (or matches again)

    form_width = 320

    def __init__(self, analysis: Analysis, host: Host, parent=None):
        super().__init__(parent)
        self.analysis = analysis
        self.host = host
        self.result: Result | None = None
        self.result_dataset: str | None = None
        self.result_params: dict[str, Any] | None = None
        self.result_input: tuple | None = None  # Host.input_of the result's dataset when it ran
        self._stale = False
        self.job: Job | None = None
        self._plots: dict[str, QWidget] = {}

        # -- left column: data, form, run ----------------------------------------------------
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(6, 6, 6, 6)
        heading = f"<b>{escape(i18n.text(analysis.title))}</b><br>{coloured(analysis.summary, '#555')}"
        title = QLabel(heading, left)
        title.setWordWrap(True)
        ll.addWidget(title)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Data:"), left))
        self.dataset_combo = QComboBox(left)
        self.dataset_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.dataset_combo.setMinimumContentsLength(12)
        self.dataset_combo.setObjectName("dataset_combo")
        self.dataset_combo.currentIndexChanged.connect(self._update_roles_status)
        row.addWidget(self.dataset_combo, 1)
        ll.addLayout(row)
        self.roles_label = QLabel(left)
        self.roles_label.setWordWrap(True)
        self.roles_button = QPushButton(_("Column roles…"), left)
        self.roles_button.clicked.connect(self._edit_roles)
        ll.addWidget(self.roles_label)
        ll.addWidget(self.roles_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.form = ParamForm(analysis.params, left)
        ll.addWidget(self.form)
        self.extra_controls(ll)
        buttons = QHBoxLayout()
        self.run_button = QPushButton(_("Run"), left)
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run_analysis)
        self.cancel_button = QPushButton(_("Cancel"), left)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.export_button = QToolButton(left)
        self.export_button.setText(_("Export"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_menu = QMenu(self.export_button)
        self.export_menu.aboutToShow.connect(self._fill_export_menu)
        self.export_button.setMenu(self.export_menu)
        self.export_button.setEnabled(False)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.export_button)
        ll.addLayout(buttons)
        self.progress_bar = QProgressBar(left)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setVisible(False)
        self.status_label = QLabel(left)
        self.status_label.setStyleSheet("color: #555")
        self.status_label.setWordWrap(True)
        ll.addWidget(self.progress_bar)
        ll.addWidget(self.status_label)
        self.stale_message = MessageBox(left)
        self.stale_message.setObjectName("stale_message")
        self.stale_message.action_button.clicked.connect(self.run_analysis)
        ll.addWidget(self.stale_message)
        self.message = MessageBox(left)
        ll.addWidget(self.message)
        ll.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(self.form_width)
        scroll.setMaximumWidth(self.form_width + 120)

        # -- right: the results ---------------------------------------------------------------
        self.results = QWidget(self)
        rl = QVBoxLayout(self.results)
        rl.setContentsMargins(4, 4, 4, 4)
        self.build_results(rl)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(scroll)
        split.addWidget(self.results)
        split.setStretchFactor(1, 1)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)

        host.datasets_changed.connect(self.refresh_datasets)
        self.refresh_datasets()

    # -- for subclasses ----------------------------------------------------------------------
    def build_results(self, layout: QVBoxLayout) -> None:
        """Create the result widgets once. The default shows the result's headline, then each
        plot and table in a tab; statistics columns (``Column.details``) show under "Details"."""
        from PySide6.QtWidgets import QTabWidget

        self.add_headline(layout)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setStyleSheet("font-size: 14px; font-weight: 600; padding: 2px 0 4px 0")
        self.headline.setVisible(False)
        self.details_check = QCheckBox(_("Details: show the statistics columns"), self.results)
        self.details_check.setToolTip(
            _(
                "Standard errors, test statistics and other figures for checking "
                "the method; the other columns answer the question."
            )
        )
        self.details_check.setVisible(False)
        self.details_check.toggled.connect(self._show_details)
        layout.addWidget(self.details_check)
        self._generic_tabs = QTabWidget(self.results)
        self._generic_widgets: dict[tuple[str, str], QWidget] = {}
        layout.addWidget(self._generic_tabs)

    def show_result(self, result: Result) -> None:
        from .plots import make_plot, render_plot
        from .table_model import DataFrameTable

        headline = i18n.text(result.headline)
        self.headline.setText(headline)
        self.headline.setVisible(bool(headline))
        tabs, old = self._generic_tabs, self._generic_widgets
        tabs.clear()
        # a rerun with the same plots and tables updates the same widgets
        new: dict[tuple[str, str], QWidget] = {}
        for name, spec in result.plots.items():
            pw = old.pop(("plot", name), None)
            pw = render_plot(spec, pw if pw is not None else make_plot(parent=tabs))
            self.register_plot(name, pw)
            tabs.addTab(pw, i18n.text(spec.title) or name)
            new[("plot", name)] = pw
        any_details = False
        for name, frame in result.tables.items():
            t = old.pop(("table", name), None)
            t = t if t is not None else DataFrameTable(tabs)
            t.set_frame(frame, result.columns.get(name), result.names)
            any_details |= any(c.details for c in (result.columns.get(name) or {}).values())
            tabs.addTab(t, name)
            new[("table", name)] = t
        for (kind, name), w in old.items():
            if kind == "plot":
                self._plots.pop(name, None)
            w.deleteLater()
        self._generic_widgets = new
        self.details_check.setVisible(any_details)
        self._show_details(self.details_check.isChecked())

    def _show_details(self, on: bool) -> None:
        """Show or hide the generic view's statistics columns."""
        for (kind, _name), t in self._generic_widgets.items():
            if kind != "table":
                continue
            for j in range(t.model.columnCount()):
                spec = t.model.column_spec(j)
                if spec is not None and spec.details:
                    t.view.setColumnHidden(j, not on)

    def clear_result(self) -> None:
        if hasattr(self, "_generic_tabs"):
            self.headline.setText("")
            self.headline.setVisible(False)
            self.details_check.setVisible(False)
            self._generic_tabs.clear()
            for (kind, name), w in self._generic_widgets.items():
                if kind == "plot":
                    self._plots.pop(name, None)
                w.deleteLater()
            self._generic_widgets = {}

    def show_item(self, table: str, key: dict[str, str]) -> bool:
        """Bring forward the row an action is about (the Overview's Open): in the table widget
        showing ``table`` (its objectName, or the first table whose frame has the key's columns),
        the first row whose key columns hold the key's values. False when there is none. A panel
        with its own way of showing an item (a product picker) overrides this."""
        from .table_model import DataFrameTable

        if not key:
            return False
        widgets = self.results.findChildren(DataFrameTable)
        widgets.sort(key=lambda t: t.objectName() != table)  # the named table first
        for t in widgets:
            frame = t.model.source_frame()
            if frame is None or not len(frame) or not all(c in frame.columns for c in key):
                continue
            hit = None
            for c, v in key.items():
                match = _key_text(frame[c]).to_numpy() == str(v)
                hit = match if hit is None else hit & match
            positions = hit.nonzero()[0] if hit is not None else []
            if not len(positions):
                continue
            t.search.clear()  # a filter typed earlier must not hide the row
            if t.model._filter:
                t.model.set_filter("")
                t.model.wait()
            _bring_forward(t)
            return t.select_source_row(int(positions[0]))
        return False

    def extra_controls(self, layout: QVBoxLayout) -> None:
        """Add controls under the form (e.g. a product filter)."""

    def add_headline(self, layout: QVBoxLayout) -> QLabel:
        """The one-sentence summary of a result above a tab's plots and tables (``self.headline``)."""
        self.headline = QLabel(self.results)
        self.headline.setObjectName("headline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.headline)
        return self.headline

    def register_plot(self, name: str, widget: QWidget) -> None:
        self._plots[name] = widget

    # -- data --------------------------------------------------------------------------------
    def refresh_datasets(self) -> None:
        current = self.dataset_combo.currentText()
        datasets = self.host.datasets()
        self.dataset_combo.blockSignals(True)
        self.dataset_combo.clear()
        for ds in datasets:
            self.dataset_combo.addItem(ds.name)
        # keep the choice; else the first dataset this analysis can use
        names = [d.name for d in datasets]
        if current in names:
            self.dataset_combo.setCurrentIndex(names.index(current))
        else:
            ok = [i for i, d in enumerate(datasets) if self.analysis.check(d) is None]
            self.dataset_combo.setCurrentIndex(ok[0] if ok else (0 if datasets else -1))
        self.dataset_combo.blockSignals(False)
        self.form.set_datasets(names)  # for parameters that name another table (a stock sheet)
        self._update_roles_status()
        self._update_stale()

    def select_dataset(self, name: str) -> None:
        i = self.dataset_combo.findText(name)
        if i >= 0:
            self.dataset_combo.setCurrentIndex(i)

    def current_dataset(self) -> Dataset | None:
        return self.host.dataset(self.dataset_combo.currentText())

    def is_stale(self) -> bool:
        """Whether the result shown was computed from data that has changed since: its dataset
        replaced or its column roles changed. A result whose dataset is gone is not called stale
        (there is nothing to run it on again)."""
        if self.result is None or self.result_input is None:
            return False
        now = self.host.input_of(self.result_dataset)
        return now is not None and now != self.result_input

    def _update_stale(self) -> None:
        stale = self.is_stale()
        if stale:
            self.stale_message.show_message(
                _("The data has changed since this result was computed. Run again to update it."),
                "warning",
                action=_("Run again"),
            )
            self.stale_message.action_button.setEnabled(self.job is None)
            if not self._stale and self.job is None:
                self.status_label.setText("")  # "Done" was about the result before the data changed
        else:
            self.stale_message.clear()
        if stale != self._stale:
            self._stale = stale
            self.stale_changed.emit(stale)

    def _update_roles_status(self) -> None:
        ds = self.current_dataset()
        if ds is None:
            self.roles_label.setText(
                coloured(_("No data yet: use File ▸ Open data or drop a CSV/Excel file on the window."), "#8a6d00")
            )
            self.roles_button.setVisible(False)
            return
        self.roles_button.setVisible(True)
        problem = self.analysis.check(ds)
        if problem:
            self.roles_label.setText(coloured(_("{problem}.", problem=problem), "#b71c1c"))
        else:

            def show(r: str) -> str:
                cols = ds.cols(r)
                if len(cols) > 3:
                    return _n(
                        "{role} = {columns} and {n} more",
                        "{role} = {columns} and {n} more",
                        len(cols) - 3,
                        role=role_title(r),
                        columns=join_names(cols[:3]),
                    )
                return _("{role} = {columns}", role=role_title(r), columns=join_names(cols))

            used = []
            for option in self.analysis.needs:
                if all(ds.has(r) for r in option):
                    used = [show(r) for r in option]
                    break
            used += [show(r) for r in self.analysis.optional_roles if ds.has(r)]
            text = _("Uses: {roles}", roles=join_names(used)) if used else _n("{n} row", "{n} rows", len(ds.frame))
            self.roles_label.setText(coloured(text, "#2e7d32"))

    def _edit_roles(self) -> None:
        ds = self.current_dataset()
        if ds is not None:
            self.host.edit_roles(ds.name)

    # -- params ------------------------------------------------------------------------------
    def params(self) -> dict[str, Any]:
        return self.form.values()

    def set_params(self, values: dict[str, Any]) -> None:
        self.form.set_values(self.analysis.resolve(values, ignore_unknown=True))

    # -- running -----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.job is not None

    def run_analysis(self) -> Job | None:
        if self.job is not None:
            return None
        self.message.clear()
        self.status_label.setText("")  # a "Done" line from the previous run must not stand next to an error
        ds = self.current_dataset()
        if ds is None:
            self.message.show_message(_("Open a data file first (File ▸ Open data), then press Run."), "warning")
            return None
        problem = self.analysis.check(ds)
        if problem:
            self.message.show_message(_("{problem}. Use Column roles… to pick the column.", problem=problem), "warning")
            return None
        try:
            params = self.params()
        except BizOpsError as exc:
            self.message.show_message(exc.user_message(), "warning")
            return None
        title = _("{analysis} on {dataset}", analysis=self.analysis.title, dataset=ds.name)
        used = self.host.input_of(ds.name)  # taken now: roles changed during the run make it stale
        job = self.host.jobs.create(title, self.analysis.execute, ds, params, tables=self.host.datasets())
        job.progress.connect(self._on_progress)
        # each handler checks that the job is still this tab's: a result arriving after the tab was
        # restored from a project (or after a newer run) must not overwrite what is shown
        job.succeeded.connect(
            lambda result, n=ds.name, p=params, u=used, j=job: self._on_result(result, n, p, u, job=j)
        )
        job.failed.connect(lambda message, details, j=job: self._on_failed(message, details, job=j))
        job.cancelled.connect(lambda j=job: self._on_cancelled(job=j))
        self.job = job
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress_bar.setValue(0)
        self.progress_bar.setVisible(True)
        self.status_label.setText(_("Starting…"))
        self.stale_message.action_button.setEnabled(False)
        self.run_started.emit()
        self.host.jobs.start(job)
        return job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status_label.setText(_("Cancelling…"))
            self.cancel_button.setEnabled(False)

    def _on_progress(self, fraction: float, text: str) -> None:
        self.progress_bar.setValue(int(fraction * 1000))
        if text:
            self.status_label.setText(text)

    def _finish(self, state: str) -> None:
        self.job = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress_bar.setVisible(False)
        self.stale_message.action_button.setEnabled(True)
        self.run_ended.emit(state)

    def _superseded(self, job: Job | None) -> bool:
        return job is not None and job is not self.job

    def _on_result(
        self, result: Result, dataset_name: str, params: dict, used: tuple | None = None, job: Job | None = None
    ) -> None:
        if self._superseded(job):
            return
        self._finish("done")
        self.set_result(result, dataset_name, params, used)
        secs = result.metrics.get("seconds")
        if not isinstance(secs, (int, float)):
            done = _("Done.")
        elif secs < 0.1:
            done = _("Done in less than 0.1 s.")
        else:
            done = _("Done in {seconds:.1f} s.", seconds=secs)
        self.status_label.setText(done)

    def _on_failed(self, message: str, details: str, job: Job | None = None) -> None:
        if self._superseded(job):
            return
        self._finish("failed")
        self.status_label.setText("")
        self.message.show_message(message, "error", details)

    def _on_cancelled(self, job: Job | None = None) -> None:
        if self._superseded(job):
            return
        self._finish("cancelled")
        self.status_label.setText(_("Cancelled. The previous result, if any, is still shown."))

    def set_result(
        self,
        result: Result | None,
        dataset_name: str | None = None,
        params: dict | None = None,
        used: tuple | None = None,
    ) -> None:
        """``used``: ``Host.input_of`` the dataset when the run started. Without it (a result
        restored from a project) the result was computed from the data as it is now, unless the
        host remembers this very result (the tab built again in another language)."""
        self.result = result
        self.result_dataset = dataset_name
        self.result_params = params
        if result is None:
            self.result_input = None
        else:
            if used is None:
                used = self.host.remembered_input(self.analysis.id, result)
            self.result_input = used if used is not None else self.host.input_of(dataset_name)
            self.host.remember_input(self.analysis.id, result, self.result_input)
        self.export_button.setEnabled(result is not None)
        if result is None:
            self.clear_result()
            self.message.clear()
        else:
            self.show_result(result)
            if result.notes:
                self.message.show_message("\n".join("• " + i18n.text(n) for n in result.notes), "info")
            else:
                self.message.clear()
        self._update_stale()
        self.result_changed.emit(result)

    # -- saving in the project -----------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        try:
            params = self.params()
        except UsageError:
            params = self.result_params or self.analysis.defaults()
        return {
            "params": params,
            "dataset": self.result_dataset or self.dataset_combo.currentText() or None,
            "result": self.result,
        }

    def restore(self, params: dict | None, dataset: str | None, result: Result | None) -> None:
        if self.job is not None:  # a run started before the project was opened: its result is not wanted
            self.job.cancel()
            self._finish("cancelled")
        if params:
            try:
                self.set_params(params)
            except UsageError:
                pass  # params saved by another version: keep the defaults
        if dataset:
            self.select_dataset(dataset)
        self.set_result(result, dataset, params)

    # -- export ----------------------------------------------------------------------------------
    def _fill_export_menu(self) -> None:
        m = self.export_menu
        m.clear()
        if self.result is None:
            return
        m.addAction(_("Tables to CSV files…"), self._export_csv_dialog)
        m.addAction(_("Tables to an Excel workbook…"), self._export_excel_dialog)
        for name in self._plots:
            spec = self.result.plots.get(name)
            shown = (i18n.text(spec.title) if spec is not None else "") or name
            m.addAction(_("Plot “{plot}” to PNG…", plot=shown), lambda n=name: self._export_png_dialog(n))

    # Tables are written through the one export path (core/export.py): stable column ids, numbers
    # rounded to their meaning by the result's column specs, products by name where they are ids.
    def export_tables_csv(self, folder: str | Path) -> list[Path]:
        if self.result is None:
            return []
        return write_tables_csv(self.result, folder)

    def export_tables_excel(self, path: str | Path) -> Path | None:
        if self.result is None:
            return None
        return write_tables_excel(self.result.tables, path, columns=self.result.columns, names=self.result.names)

    def export_plot_png(self, name: str, path: str | Path) -> Path:
        return export_widget_png(self._plots[name], path)

    def _export_guard(self, fn, *args) -> None:
        try:
            out = fn(*args)
        except (OSError, BizOpsError) as exc:
            msg = (
                exc.user_message()
                if isinstance(exc, BizOpsError)
                else _(
                    "The file could not be written ({reason}). Pick another folder or close the file in Excel.",
                    reason=exc.strerror or exc,
                )
            )
            self.message.show_message(msg, "error")
        else:
            if isinstance(out, list):
                if not out:
                    return
                out = Path(out[0]).parent
            self.status_label.setText(_("Exported to {path}.", path=str(out)))

    def _export_csv_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Export tables to folder"))
        if folder:
            self._export_guard(self.export_tables_csv, folder)

    def _export_excel_dialog(self) -> None:
        path, _chosen = QFileDialog.getSaveFileName(
            self, _("Export tables"), f"{self.analysis.id}.xlsx", str(EXCEL_FILTER)
        )
        if path:
            self._export_guard(self.export_tables_excel, path)

    def _export_png_dialog(self, name: str) -> None:
        path, _chosen = QFileDialog.getSaveFileName(
            self, _("Export plot"), f"{safe_filename(name)}.png", str(PNG_FILTER)
        )
        if path:
            self._export_guard(self.export_plot_png, name, path)


def _key_text(col):
    """A key column as the text an action's key holds: a list cell (an itemset) as its JSON
    array of ids, as the CSV export writes it; anything else as text."""
    import json

    first = col.iloc[0] if len(col) else None
    if col.dtype == object and (isinstance(first, (list, tuple)) or getattr(first, "ndim", 0) == 1):
        return col.map(lambda v: json.dumps([str(x) for x in list(v)], ensure_ascii=False))
    return col.astype(str)


def _bring_forward(widget: QWidget) -> None:
    """Make every tab page that holds ``widget`` the current page of its tab widget."""
    from PySide6.QtWidgets import QStackedWidget, QTabWidget

    child: QWidget | None = widget
    while child is not None:
        parent = child.parentWidget()
        if isinstance(parent, QStackedWidget) and isinstance(parent.parentWidget(), QTabWidget):
            parent.parentWidget().setCurrentWidget(child)
        child = parent
