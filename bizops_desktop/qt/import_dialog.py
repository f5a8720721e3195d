"""The import dialog: a preview of the first rows as they will be read, the sheet picker for a
workbook, and the reading options (encoding, delimiter, header line, decimal mark) that refresh
the preview. The full read happens afterwards in the job runner, with ``dialog.options()``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bizops_desktop.core import i18n
from bizops_desktop.core.errors import BizOpsError
from bizops_desktop.core.i18n import _, _n
from bizops_desktop.core.importer import (
    DELIMITER_NAMES,
    DELIMITERS,
    ENCODINGS,
    Importer,
    ImportOptions,
    ImportResult,
    encoding_name,
    importer_for,
    list_sheets,
    preview,
    sniff,
)

from .table_model import DataFrameTable

PREVIEW_ROWS = 200


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _capitalized(name: object) -> str:
    """ "Comma" for a combo entry (Chinese words have no capitals and stay as they are)."""
    text = str(name)
    return text[:1].upper() + text[1:]


def _sentence(note: object) -> str:
    """A note as one sentence with its full stop, in the reader's language ("。" ends Chinese)."""
    text = i18n.text(note).strip().rstrip(".。")
    return _("{sentence}.", sentence=text)


class ImportDialog(QDialog):
    """``ImportDialog(path)``; after ``exec()`` returns Accepted, ``options()`` gives the options
    the preview was read with (detected values filled in), ready for ``load_dataset``.

    Raises :class:`~bizops_desktop.core.errors.DataError` from the constructor when the file
    cannot be read whatever the options (missing, empty, not a table, password, damaged)."""

    def __init__(self, path, parent=None, importers: Sequence[Importer] = ()):
        super().__init__(parent)
        self.path = Path(path)
        self.importers = list(importers or ())
        self.importer = importer_for(self.path, self.importers)
        self.is_excel = self.importer.id == "excel"
        self.is_text = self.importer.id == "csv"
        self.sheets = list_sheets(self.path) if self.is_excel else []
        if self.is_excel or self.is_text:
            sniff(self.path)  # fails early for files no option can rescue
        self.preview_result: ImportResult | None = None
        self._updating = False

        self.setWindowTitle(_("Open data — {name}", name=self.path.name))
        self.resize(980, 640)
        lay = QVBoxLayout(self)
        intro = QLabel(
            _(
                "<b>{name}</b>: check that the columns and values look right. Change the options below if they do not.",
                name=_html(self.path.name),
            ),
            self,
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)

        form_box = QWidget(self)
        form = QFormLayout(form_box)
        form.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        form_box2 = QWidget(self)
        form2 = QFormLayout(form_box2)
        form2.setContentsMargins(0, 0, 0, 0)
        row.addWidget(form_box, 1)
        row.addWidget(form_box2, 1)

        self.sheet_combo = QComboBox(self)
        for name in self.sheets:
            self.sheet_combo.addItem(name, name)
        self.sheet_combo.setToolTip(_("The sheet of the workbook that holds the table"))
        self.encoding_combo = QComboBox(self)
        self.encoding_combo.addItem(_("Automatic"), None)
        for enc, name in ENCODINGS:
            self.encoding_combo.addItem(str(name), enc)
        self.encoding_combo.setToolTip(_("How the text is stored. Chinese exports from Excel are often GBK."))
        self.delimiter_combo = QComboBox(self)
        self.delimiter_combo.addItem(_("Automatic"), None)
        for d in DELIMITERS:
            self.delimiter_combo.addItem(
                _("{name} ({sign})", name=_capitalized(DELIMITER_NAMES[d]), sign="Tab" if d == chr(9) else d), d
            )
        self.header_spin = QSpinBox(self)
        self.header_spin.setRange(0, 10_000)
        self.header_spin.setSpecialValueText(_("Automatic"))
        self.header_spin.setToolTip(_("The line (row in Excel) that holds the column names"))
        self.no_header = QCheckBox(_("The first line is data (no column names)"), self)
        self.decimal_combo = QComboBox(self)
        self.decimal_combo.addItem(_("Automatic"), None)
        self.decimal_combo.addItem(_("Point (1,234.56)"), ".")
        self.decimal_combo.addItem(_("Comma (1.234,56)"), ",")
        self.dates_check = QCheckBox(_("Read dates"), self)
        self.dates_check.setChecked(True)
        self.keep_cancelled = QCheckBox(_("Keep cancelled and refunded orders"), self)
        self.keep_cancelled.setToolTip(
            _(
                "Cancelled, closed, refunded and unpaid orders (交易关闭, 已取消, Cancelled, Refunded…) are left out "
                "of the sales unless this is ticked"
            )
        )
        self.dates_check.setToolTip(
            _("Turn columns that hold dates into dates (ISO, 2024/3/5, 05.03.2024, 20240305, Excel day numbers)")
        )

        if self.is_excel:
            form.addRow(_("Sheet:"), self.sheet_combo)
        else:
            self.sheet_combo.hide()
        if self.is_text:
            form.addRow(_("Encoding:"), self.encoding_combo)
            form.addRow(_("Columns separated by:"), self.delimiter_combo)
        else:
            self.encoding_combo.hide()
            self.delimiter_combo.hide()
        form2.addRow(_("Column names on line:") if self.is_text else _("Column names on row:"), self.header_spin)
        form2.addRow("", self.no_header)
        if self.is_text:
            form2.addRow(_("Decimal mark:"), self.decimal_combo)
        else:
            self.decimal_combo.hide()
        form2.addRow("", self.dates_check)
        form2.addRow("", self.keep_cancelled)
        lay.addLayout(row)

        self.table = DataFrameTable(self, search=False)
        # Our own line below says "first 200 of about N rows"; the table's own count would
        # only know the preview (and without its search bar it sits on top of the header).
        self.table.count_label.hide()
        lay.addWidget(self.table, 1)
        self.rows_label = QLabel(self)
        self.rows_label.setStyleSheet("color: #666")
        lay.addWidget(self.rows_label)
        self.notes_label = QLabel(self)
        self.notes_label.setWordWrap(True)
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.notes_label)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.hide()
        lay.addWidget(self.error_label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Import"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

        # A spin box emits on every keystroke: wait until typing pauses before re-reading.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self.refresh)
        self.sheet_combo.currentIndexChanged.connect(self._sheet_changed)
        for combo in (self.encoding_combo, self.delimiter_combo, self.decimal_combo):
            combo.currentIndexChanged.connect(self._changed)
        self.header_spin.valueChanged.connect(lambda _v: None if self._updating else self._debounce.start())
        self.no_header.toggled.connect(self._changed)
        self.dates_check.toggled.connect(self._changed)
        self.keep_cancelled.toggled.connect(self._changed)
        self.refresh()

    # -- options ----------------------------------------------------------------------------
    def chosen_options(self) -> ImportOptions:
        """What the user set; ``None`` where it is left on Automatic."""
        header = None
        if self.no_header.isChecked():
            header = -1
        elif self.header_spin.value() > 0:
            header = self.header_spin.value() - 1
        return ImportOptions(
            encoding=self.encoding_combo.currentData() if self.is_text else None,
            delimiter=self.delimiter_combo.currentData() if self.is_text else None,
            header_row=header,
            decimal=self.decimal_combo.currentData() if self.is_text else None,
            sheet=self.sheet_combo.currentData() if self.is_excel else None,
            parse_dates=self.dates_check.isChecked(),
            keep_cancelled=self.keep_cancelled.isChecked(),
        )

    def options(self) -> ImportOptions:
        """The options the shown preview was read with (detected values filled in), so the full
        read gives the same table; the chosen options if no preview could be read."""
        if self.preview_result is not None:
            return ImportOptions.from_dict(self.preview_result.options.to_dict())
        return self.chosen_options()

    # -- preview ----------------------------------------------------------------------------
    def _changed(self, *_args) -> None:
        self.header_spin.setEnabled(not self.no_header.isChecked())
        self.refresh()

    def _sheet_changed(self, *_args) -> None:
        if self._updating:
            return
        # Another sheet has its own layout: find its header again.
        self._updating = True
        self.header_spin.setValue(0)
        self.no_header.setChecked(False)
        self._updating = False
        self.refresh()

    def refresh(self) -> None:
        if self._updating:
            return
        self._debounce.stop()
        opts = self.chosen_options()
        try:
            result = preview(self.path, opts, nrows=PREVIEW_ROWS, importers=self.importers)
        except BizOpsError as exc:
            self.preview_result = None
            self.table.set_frame(None)
            self.rows_label.setText("")
            self.notes_label.setText("")
            self.error_label.setText(exc.user_message())
            self.error_label.show()
            self.ok_button.setEnabled(False)
            return
        self.preview_result = result
        self.error_label.hide()
        self.ok_button.setEnabled(True)
        self.table.set_frame(result.frame)
        shown = len(result.frame)
        total = result.rows_total
        cols = result.frame.shape[1]
        if total is not None and total > shown:
            self.rows_label.setText(
                _n(
                    "Showing the first {shown:int} of about {n} rows, {cols:int} columns.",
                    "Showing the first {shown:int} of about {n} rows, {cols:int} columns.",
                    total,
                    shown=shown,
                    cols=cols,
                )
            )
        else:
            self.rows_label.setText(
                _n("{n} row, {cols:int} columns.", "{n} rows, {cols:int} columns.", shown, cols=cols)
            )
        self.notes_label.setText("\n".join(_("• {note}", note=_sentence(n)) for n in result.notes))
        self._show_detected(result.options)

    def _show_detected(self, resolved: ImportOptions) -> None:
        """Put what was detected into the 'Automatic' entries, so the user sees it."""

        def auto(combo: QComboBox, text: object) -> None:
            combo.setItemText(0, _("Automatic ({detected})", detected=text) if text else _("Automatic"))

        if self.is_text:
            auto(self.encoding_combo, encoding_name(resolved.encoding))
            d = resolved.delimiter
            auto(self.delimiter_combo, DELIMITER_NAMES.get(d, d) if d else None)
            auto(self.decimal_combo, {".": _("point"), ",": _("comma")}.get(resolved.decimal or ""))
        h = resolved.header_row
        self.header_spin.setSpecialValueText(
            _("Automatic ({detected})", detected=str(h + 1)) if h is not None and h >= 0 else _("Automatic (none)")
        )
        if self.is_excel and resolved.sheet is not None and resolved.sheet != self.sheet_combo.currentData():
            i = self.sheet_combo.findData(resolved.sheet)
            if i >= 0:
                self._updating = True
                self.sheet_combo.setCurrentIndex(i)
                self._updating = False
