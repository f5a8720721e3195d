"""The Overview tab ("This week" / 本周要做的事), first in the tab bar: every tab's recommended
actions ranked by the money at stake (core/overview.py builds the table), a Run all button that
runs every analysis in the job runner, and a way to open the tab on the item an action is about.

The panel asks the window for what it shows through a small interface (``source``): the tabs'
current results (``overview_entries()``), what each would run with (``run_all_inputs()``), and
where to put the results of a run-all (``apply_outcomes(outcomes)``); it never reaches into the
analysis panels itself."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from bizops_desktop.core import i18n
from bizops_desktop.core.i18n import _
from bizops_desktop.core.overview import Entry, Outcome, actions_table, run_all

from .jobs import Job, JobRunner
from .panel import MessageBox
from .table_model import DataFrameTable


class OverviewSource(Protocol):
    def overview_entries(self) -> list[Entry]: ...
    def run_all_inputs(self) -> tuple[list, list, dict]: ...
    def apply_outcomes(self, outcomes: list[Outcome]) -> None: ...


class OverviewPanel(QWidget):
    # analysis id, table name, key (column -> value): the window opens the tab on that row
    open_item = Signal(str, str, dict)
    run_ended = Signal(str)  # done | failed | cancelled

    def __init__(self, source: OverviewSource, jobs: JobRunner, parent=None):
        super().__init__(parent)
        self.source = source
        self.jobs = jobs
        self.job: Job | None = None
        self.entries: list[Entry] = []
        self._rows: list[Any] = []  # (entry, action) per table row, in the table's source order

        self.headline = QLabel(self)
        self.headline.setObjectName("headline")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.headline.setStyleSheet("font-size: 15px; font-weight: 600; padding: 4px 0 2px 0")
        hint = QLabel(
            _(
                "What each tab recommends doing now, the most money first. Double-click a line (or press Open) "
                "to see it in its tab."
            ),
            self,
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555")
        self.run_button = QPushButton(_("Run all analyses"), self)
        self.run_button.setToolTip(_("Runs every tab on its data with its settings (the defaults where none are set)."))
        self.run_button.clicked.connect(self.run_all)
        self.cancel_button = QPushButton(_("Cancel"), self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.open_button = QPushButton(_("Open"), self)
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open_selected)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setVisible(False)
        self.status_label = QLabel(self)
        self.status_label.setStyleSheet("color: #555")
        self.status_label.setWordWrap(True)
        self.message = MessageBox(self)
        self.table = DataFrameTable(self, placeholder=_("Search the actions…"))
        self.table.setObjectName("overview_table")
        self.table.view.setWordWrap(True)
        self.table.view.verticalHeader().setVisible(False)  # the rank column numbers the lines
        # the two sentences share the width (_fit_columns), not the last column
        self.table.view.horizontalHeader().setStretchLastSection(False)
        self.table.view.doubleClicked.connect(lambda _i: self._open_selected())
        self.table.row_selected.connect(lambda _r: self.open_button.setEnabled(True))

        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress_bar, 1)
        buttons.addStretch(0)
        buttons.addWidget(self.open_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addWidget(self.headline)
        lay.addWidget(hint)
        lay.addLayout(buttons)
        lay.addWidget(self.status_label)
        lay.addWidget(self.message)
        lay.addWidget(self.table, 1)
        self.refresh()

    # -- showing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the tabs' actions as they are now (after a run, a project opened, data changed)."""
        from bizops_desktop.core.overview import gathered

        self.entries = self.source.overview_entries()
        frame, columns, headline = actions_table(self.entries)
        self._rows = gathered(self.entries)
        self.headline.setText(i18n.text(headline))
        self.table.set_frame(frame, columns)
        self.open_button.setEnabled(False)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """The two sentences share the room the other columns leave (so nothing is cut off at
        the window's opening size); their rows grow to show the whole sentence."""
        view = self.table.view
        names = list(self.table.model.source_frame().columns)
        if "action" not in names or "why" not in names:
            return
        others = sum(view.columnWidth(j) for j, n in enumerate(names) if n not in ("action", "why"))
        room = max(view.viewport().width() - others - 4, 300)
        view.setColumnWidth(names.index("action"), int(room * 0.45))
        view.setColumnWidth(names.index("why"), room - int(room * 0.45))
        view.resizeRowsToContents()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def _open_selected(self) -> None:
        pos = self.table.selected_source_row()
        if pos is None or not 0 <= pos < len(self._rows):
            return
        entry, action = self._rows[pos]
        self.open_item.emit(entry.analysis, action.table, dict(action.key))

    # -- running ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.job is not None

    def run_all(self) -> Job | None:
        if self.job is not None:
            return None
        self.message.clear()
        analyses, datasets, saved = self.source.run_all_inputs()
        if not datasets:
            self.message.show_message(_("Open a data file first (File ▸ Open data), then press Run all."), "warning")
            return None
        job = self.jobs.create(_("Running every analysis"), run_all, analyses, datasets, saved)
        job.progress.connect(self._on_progress)
        job.succeeded.connect(lambda outcomes, j=job: self._on_done(outcomes, j))
        job.failed.connect(lambda message, details, j=job: self._on_failed(message, details, j))
        job.cancelled.connect(lambda j=job: self._on_cancelled(j))
        self.job = job
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress_bar.setValue(0)
        self.progress_bar.setVisible(True)
        self.status_label.setText(_("Starting…"))
        self.jobs.start(job)
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

    def _finish(self, job: Job, state: str) -> bool:
        if job is not self.job:
            return False
        self.job = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress_bar.setVisible(False)
        self.run_ended.emit(state)
        return True

    def _on_done(self, outcomes: list[Outcome], job: Job) -> None:
        if not self._finish(job, "done"):
            return
        self.source.apply_outcomes(outcomes)
        problems = [o for o in outcomes if o.problem]
        titles = {e.analysis: e.title for e in self.source.overview_entries()}
        ran = len(outcomes) - len(problems)
        self.status_label.setText(i18n._n("Done: {n:int} analysis ran.", "Done: {n:int} analyses ran.", ran))
        if problems:
            lines = [
                _("{tab}: {problem}", tab=i18n.text(titles.get(o.analysis, o.analysis)), problem=o.problem)
                for o in problems
            ]
            self.message.show_message(
                _("These tabs could not run:") + "\n" + "\n".join("• " + line for line in lines), "warning"
            )
        self.refresh()

    def _on_failed(self, message: str, details: str, job: Job) -> None:
        if self._finish(job, "failed"):
            self.status_label.setText("")
            self.message.show_message(message, "error", details)

    def _on_cancelled(self, job: Job) -> None:
        if self._finish(job, "cancelled"):
            self.status_label.setText(_("Cancelled. The results already shown are kept."))
