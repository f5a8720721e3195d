"""Data ▸ Combine: two files of one export (Taobao's orders report and items report) joined on
the order number. The dialog guesses the key in each file, shows the first lines of the joined
table and how many lines found no order, and hands back the files and the key.

Nothing here reads or joins on the GUI thread: each file's first SAMPLE_ROWS lines are read, and
the key guessed and the sample joined, in the one job runner (progress and Cancel in the dialog);
a newer choice replaces a job still running. The whole files are read and joined after Combine,
in the runner too (MainWindow.combine_data)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bizops_desktop.core.i18n import _, _n, text

from .table_model import DataFrameTable

PREVIEW_ROWS = 200
SAMPLE_ROWS = 20_000  # lines of each file the preview reads: the key guess and the counts come from these


def _read_sample(path, progress):
    from bizops_desktop.core.importer import ImportOptions, preview

    return preview(path, ImportOptions(keep_cancelled=True), nrows=SAMPLE_ROWS, progress=progress)


def _join_sample(first, second, key, guess: bool, names, progress):
    """(key, Combined) for the two samples: the key guessed when asked (either file may hold the lines)."""
    from bizops_desktop.core.importer.combine import combine_frames, guess_key

    if guess:
        key = guess_key(first, second) or (lambda r: r and (r[1], r[0]))(guess_key(second, first)) or key
    progress.check()
    return key, combine_frames(first, second, key=key, names=names, progress=progress)


class CombineDialog(QDialog):
    def __init__(self, paths=(), parent=None, jobs=None):
        super().__init__(parent)
        self.setWindowTitle(_("Combine two files"))
        self.resize(860, 600)
        self.frames: list = [None, None]
        self.totals: list[int | None] = [None, None]  # lines below the header in each whole file
        self.combined = None
        host = getattr(parent, "host", None)
        self._own_jobs = jobs is None and host is None
        if jobs is None:
            from .jobs import JobRunner

            jobs = host.jobs if host is not None else JobRunner(self)
        self.jobs = jobs
        self._reads: list = [None, None]  # the job reading each file's sample
        self._join = None  # the job joining the samples
        lay = QVBoxLayout(self)
        intro = QLabel(
            _(
                "Some shop systems write one export in two files: Taobao's orders report (buyer, dates, state) "
                "and its items report (products, prices, quantities). Pick both; they are joined on the order number."
            ),
            self,
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.path_edits: list[QLineEdit] = []
        self.key_combos: list[QComboBox] = []
        for i, label in enumerate((_("First file:"), _("Second file:"))):
            row = QWidget(self)
            h = QHBoxLayout(row)
            h.setContentsMargins(0, 0, 0, 0)
            edit = QLineEdit(row)
            edit.setReadOnly(True)
            browse = QPushButton(_("Choose…"), row)
            browse.clicked.connect(lambda _checked=False, i=i: self._browse(i))
            key = QComboBox(row)
            key.setToolTip(_("The column that holds the order number in this file"))
            key.currentIndexChanged.connect(self._key_changed)
            h.addWidget(edit, 1)
            h.addWidget(browse)
            h.addWidget(QLabel(_("Order number:"), row))
            h.addWidget(key)
            form.addRow(label, row)
            self.path_edits.append(edit)
            self.key_combos.append(key)
        lay.addLayout(form)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        busy = QHBoxLayout()
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.stop_button = QPushButton(_("Cancel"), self)
        self.stop_button.setToolTip(_("Stop reading the files"))
        self.stop_button.clicked.connect(self.cancel_jobs)
        busy.addWidget(self.bar, 1)
        busy.addWidget(self.stop_button)
        lay.addLayout(busy)
        self.table = DataFrameTable(self, search=False)
        self.table.count_label.hide()
        lay.addWidget(self.table, 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Combine"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self._updating = False
        self._set_busy()
        for i, p in enumerate(list(paths)[:2]):
            self.set_path(i, p)
        self.refresh()

    # -- jobs --------------------------------------------------------------------------------
    def _running(self) -> list:
        return [j for j in (*self._reads, self._join) if j is not None and j.running]

    def _set_busy(self) -> None:
        running = self._running()
        self.bar.setVisible(bool(running))
        self.stop_button.setVisible(bool(running))
        if running:
            self.bar.setValue(int(1000 * min(j.fraction for j in running)))

    def cancel_jobs(self) -> None:
        """Stop reading and joining (the Cancel beside the progress bar, and closing the dialog)."""
        for job in self._running():
            job.cancel()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until no job of this dialog is running (tests)."""
        return all(j.wait(timeout) for j in self._running())

    def done(self, result: int) -> None:
        self.cancel_jobs()
        if self._own_jobs:
            self.jobs.shutdown()
        super().done(result)

    # -- files -------------------------------------------------------------------------------
    def _browse(self, i: int) -> None:
        from bizops_desktop.core.importer import file_dialog_filter

        path, _chosen = QFileDialog.getOpenFileName(self, _("Open data"), "", file_dialog_filter())
        if path:
            self.set_path(i, path)
            self.refresh()

    def set_path(self, i: int, path) -> None:
        """Read the file's first lines in the job runner; the key lists fill when they arrive."""
        self.path_edits[i].setText(str(path))
        self.frames[i] = None
        self.totals[i] = None
        self.combined = None
        if self._reads[i] is not None:
            self._reads[i].cancel()
        job = self.jobs.create(_("Reading {file}", file=Path(path).name), _read_sample, path)
        job.succeeded.connect(lambda result, i=i, job=job: self._sample_read(i, job, result))
        job.failed.connect(lambda msg, _details, job=job: self._job_failed(job, msg))
        job.cancelled.connect(lambda job=job: self._job_cancelled(job))
        job.progress.connect(lambda *_a: self._set_busy())
        job.ended.connect(self._set_busy)
        self._reads[i] = job
        self.jobs.start(job)
        self._set_busy()

    def _sample_read(self, i: int, job, result) -> None:
        if job is not self._reads[i]:
            return  # a newer file replaced this one
        self.frames[i] = result.frame
        self.totals[i] = result.rows_total
        combo = self.key_combos[i]
        self._updating = True
        combo.clear()
        for c in result.frame.columns:
            combo.addItem(str(c), str(c))
        self._updating = False
        self.refresh()

    def _job_failed(self, job, msg: str) -> None:
        if job in self._reads:
            self.frames[self._reads.index(job)] = None
        elif job is not self._join:
            return
        self.combined = None
        self.table.set_frame(None)
        self.summary.setText(msg)

    def _job_cancelled(self, job) -> None:
        if job in self._reads or job is self._join:
            self.summary.setText(_("Stopped. Choose the files again to read them."))

    def paths(self) -> list[Path]:
        return [Path(e.text()) for e in self.path_edits if e.text()]

    def key(self) -> tuple[str, str] | None:
        if any(c.currentData() is None for c in self.key_combos):
            return None
        return (self.key_combos[0].currentData(), self.key_combos[1].currentData())

    # -- preview -----------------------------------------------------------------------------
    def _key_changed(self, *_args) -> None:
        if not self._updating:
            self.refresh(guess=False)

    def refresh(self, guess: bool = True) -> None:
        """Join the two samples (guessing the key unless the user chose it) in the job runner."""
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        if any(f is None for f in self.frames):
            self.table.set_frame(None)
            if not self._running() and not self.summary.text():
                self.summary.setText(_("Pick the orders report and the items report."))
            return
        if self._join is not None:
            self._join.cancel()
        names = tuple(Path(e.text()).name for e in self.path_edits)
        a, b = self.frames
        job = self.jobs.create(
            _("Combining {files}", files=" + ".join(names)), _join_sample, a, b, self.key(), guess, names
        )
        job.succeeded.connect(lambda result, job=job: self._joined(job, guess, result))
        job.failed.connect(lambda msg, _details, job=job: self._job_failed(job, msg))
        job.cancelled.connect(lambda job=job: self._job_cancelled(job))
        job.ended.connect(self._set_busy)
        self._join = job
        self.jobs.start(job)
        self._set_busy()

    def _joined(self, job, guess: bool, result) -> None:
        if job is not self._join:
            return
        k, comb = result
        if guess and k:
            self._updating = True
            for combo, col in zip(self.key_combos, k):
                combo.setCurrentIndex(max(0, combo.findData(col)))
            self._updating = False
        names = tuple(Path(e.text()).name for e in self.path_edits)
        self.combined = comb
        lines_name, orders_name = (names[1], names[0]) if comb.swapped else names
        parts = [
            _n(
                "{n} line of {lines} matched an order of {orders}.",
                "{n} lines of {lines} matched an order of {orders}.",
                comb.lines - comb.unmatched,
                lines=lines_name,
                orders=orders_name,
            ),
            _n(
                "{n} line found no order and will be left out.",
                "{n} lines found no order and will be left out.",
                comb.unmatched,
            ),
        ]
        if comb.orders_without_lines:
            parts.append(
                _n(
                    "{n} order has no line.",
                    "{n} orders have no line.",
                    comb.orders_without_lines,
                )
            )
        if comb.notes:
            parts.insert(0, text(comb.notes[0]))
        if any(t is not None and t > len(f) for t, f in zip(self.totals, self.frames)):
            parts.append(
                _(
                    "These counts are for the first {n:int} lines of each file; the whole files are read and "
                    "joined when you press Combine.",
                    n=SAMPLE_ROWS,
                )
            )
        self.summary.setText(" ".join(str(p) for p in parts))
        self.table.set_frame(comb.frame.head(PREVIEW_ROWS))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        self._set_busy()
