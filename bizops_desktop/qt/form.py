"""A parameter form built from an analysis's Param list: the same descriptions the CLI parses."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLineEdit, QSpinBox, QToolButton, QVBoxLayout, QWidget

from bizops_desktop.core.errors import UsageError
from bizops_desktop.core.i18n import _
from bizops_desktop.core.params import Param


def _text(p: Param, v: Any) -> str:
    if v is None:
        return ""
    if p.kind == "list":
        return ", ".join(str(x) for x in v)
    if p.kind == "float":
        return f"{float(v):g}"
    return str(v)


class ParamForm(QWidget):
    changed = Signal()

    def __init__(self, params, parent=None):
        super().__init__(parent)
        self.params = list(params)
        self.editors: dict[str, QWidget] = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        main = QFormLayout()
        main.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        lay.addLayout(main)
        adv_params = [p for p in self.params if p.advanced]
        adv_form = None
        if adv_params:
            # a fold-out, not a checkable group box: folded, it takes one line and no frame
            self.advanced_toggle = QToolButton(self)
            self.advanced_toggle.setText(_("More options"))
            self.advanced_toggle.setCheckable(True)
            self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
            self.advanced_toggle.setAutoRaise(True)
            inner = QWidget(self)
            adv_form = QFormLayout(inner)
            adv_form.setContentsMargins(12, 0, 0, 0)
            adv_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            inner.setVisible(False)
            self.advanced_panel = inner

            def fold(on: bool) -> None:
                inner.setVisible(on)
                self.advanced_toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

            self.advanced_toggle.toggled.connect(fold)
            lay.addWidget(self.advanced_toggle)
            lay.addWidget(inner)
        for p in self.params:
            ed = self._editor(p)
            ed.setToolTip(p.help_text)
            ed.setObjectName(f"param_{p.name}")
            self.editors[p.name] = ed
            (adv_form if p.advanced else main).addRow(p.title, ed)
        self.set_values({p.name: p.default for p in self.params})

    def _editor(self, p: Param) -> QWidget:
        if p.kind == "dataset":  # another open table: its name, filled in by set_datasets
            w = QComboBox(self)
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(12)
            # TRANSLATORS: the first entry of a list of open tables: no table chosen; with roles,
            # the program takes an open table that has them (a stock sheet, a cost sheet)
            w.addItem(_("automatic") if p.roles else _("none"), None)
            w.currentIndexChanged.connect(self.changed)
            return w
        if p.kind == "bool":
            w = QCheckBox(self)
            w.toggled.connect(self.changed)
            return w
        if p.kind == "choice":
            w = QComboBox(self)
            # as wide as the form allows, not as its longest choice ("Clear limited stock by a
            # deadline (markdown plan)" pushed the whole form out of its pane); the list shows all
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(12)
            if p.optional:
                w.addItem(_("auto"), None)
            for c in p.choices:
                w.addItem(p.choice_label(c), c)
            w.currentIndexChanged.connect(self.changed)
            return w
        if p.kind == "int" and not p.optional:
            w = QSpinBox(self)
            w.setRange(
                int(p.minimum) if p.minimum is not None else -(10**9),
                int(p.maximum) if p.maximum is not None else 10**9,
            )
            w.valueChanged.connect(self.changed)
            return w
        w = QLineEdit(self)
        if p.optional:
            w.setPlaceholderText(_("auto"))
        elif p.kind == "list":
            w.setPlaceholderText(_("values separated by commas"))
        elif p.kind == "date":
            # TRANSLATORS: the form a date is typed in: the year, month and day as digits
            w.setPlaceholderText(_("YYYY-MM-DD"))
        w.textChanged.connect(self.changed)
        return w

    def set_datasets(self, names) -> None:
        """The open tables a parameter of kind ``dataset`` can name (the host's, in its order);
        each such field keeps its choice while that table stays open."""
        names = [str(n) for n in names]
        for p in self.params:
            if p.kind != "dataset":
                continue
            w = self.editors[p.name]
            assert isinstance(w, QComboBox)
            current = w.currentData()
            w.blockSignals(True)
            try:
                while w.count() > 1:
                    w.removeItem(1)
                for n in names:
                    w.addItem(n, n)
                i = w.findData(current) if current is not None else 0
                w.setCurrentIndex(i if i >= 0 else 0)
            finally:
                w.blockSignals(False)
            if w.currentData() != current:
                self.changed.emit()

    def set_rows_visible(self, names, visible: bool) -> None:
        """Show or hide fields with their labels (e.g. options that only apply to one mode)."""
        layouts = self.findChildren(QFormLayout)
        for n in names:
            w = self.editors.get(n)
            if w is None:
                continue
            home = [lay for lay in layouts if lay.indexOf(w) >= 0]
            if home:
                home[0].setRowVisible(w, visible)
            else:
                w.setVisible(visible)

    def values(self) -> dict[str, Any]:
        """Checked values; raises UsageError naming the field at fault."""
        out = {}
        for p in self.params:
            w = self.editors[p.name]
            if isinstance(w, QCheckBox):
                v = w.isChecked()
            elif isinstance(w, QComboBox):
                v = w.currentData()
            elif isinstance(w, QSpinBox):
                v = w.value()
            else:
                text = w.text()
                if p.kind == "list":  # a Chinese input method types full-width separators
                    text = text.replace("，", ",").replace("；", ";").replace("、", ",")
                if text.strip() == "" and p.optional:
                    v = None
                else:
                    try:
                        v = p.parse(text)
                    except UsageError as exc:
                        raise UsageError(
                            _("the field “{field}” is not valid: {problem}", field=p.title, problem=exc.message),
                            hint=p.help_text or None,
                        ) from None
                out[p.name] = v
                continue
            out[p.name] = p.validate(v)
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        for p in self.params:
            if p.name not in values:
                continue
            v = values[p.name]
            w = self.editors[p.name]
            w.blockSignals(True)
            try:
                if isinstance(w, QCheckBox):
                    w.setChecked(bool(v))
                elif isinstance(w, QComboBox):
                    i = w.findData(v)
                    if i < 0 and p.kind == "dataset" and v:  # saved with a table not open (yet)
                        w.addItem(str(v), str(v))
                        i = w.count() - 1
                    w.setCurrentIndex(i if i >= 0 else 0)
                elif isinstance(w, QSpinBox):
                    if v is not None:
                        w.setValue(int(v))
                else:
                    w.setText(_text(p, v))
            finally:
                w.blockSignals(False)
        self.changed.emit()
