"""Data ▸ Combine: two files of one export (Taobao's orders report and items report) joined on
the order number. The dialog guesses the key in each file, shows the first lines of the joined
table and how many lines found no order, and hands back the files and the key."""

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
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bizops_desktop.core.i18n import _, _n, text

from .table_model import DataFrameTable

PREVIEW_ROWS = 200


class CombineDialog(QDialog):
    def __init__(self, paths=(), parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Combine two files"))
        self.resize(860, 600)
        self.frames: list = [None, None]
        self.combined = None
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
        for i, p in enumerate(list(paths)[:2]):
            self.set_path(i, p)
        self.refresh()

    # -- files -------------------------------------------------------------------------------
    def _browse(self, i: int) -> None:
        from bizops_desktop.core.importer import file_dialog_filter

        path, _chosen = QFileDialog.getOpenFileName(self, _("Open data"), "", file_dialog_filter())
        if path:
            self.set_path(i, path)
            self.refresh()

    def set_path(self, i: int, path) -> None:
        from bizops_desktop.core.importer import ImportOptions, read_table

        self.path_edits[i].setText(str(path))
        try:
            self.frames[i] = read_table(path, ImportOptions(keep_cancelled=True)).frame
        except Exception as exc:  # a file that cannot be read: say so, keep the dialog
            from .jobs import describe_error

            self.frames[i] = None
            self.summary.setText(describe_error(exc)[0])
            return
        combo = self.key_combos[i]
        self._updating = True
        combo.clear()
        for c in self.frames[i].columns:
            combo.addItem(str(c), str(c))
        self._updating = False

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
        from bizops_desktop.core.importer.combine import combine_frames, guess_key

        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        if any(f is None for f in self.frames):
            self.table.set_frame(None)
            if not self.summary.text():
                self.summary.setText(_("Pick the orders report and the items report."))
            return
        a, b = self.frames
        if guess:
            k = guess_key(a, b) or (lambda r: r and (r[1], r[0]))(guess_key(b, a))
            if k:
                self._updating = True
                for combo, col in zip(self.key_combos, k):
                    combo.setCurrentIndex(max(0, combo.findData(col)))
                self._updating = False
        names = tuple(Path(e.text()).name for e in self.path_edits)
        try:
            comb = combine_frames(a, b, key=self.key(), names=names)
        except Exception as exc:
            from .jobs import describe_error

            self.combined = None
            self.table.set_frame(None)
            self.summary.setText(describe_error(exc)[0])
            return
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
        self.summary.setText(" ".join(str(p) for p in parts))
        self.table.set_frame(comb.frame.head(PREVIEW_ROWS))
        ok.setEnabled(True)
