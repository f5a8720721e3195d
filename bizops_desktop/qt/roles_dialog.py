"""The column-roles dialog: one row per column with its type, a few sample values and a role;
below, which analyses can run with these roles and what each still misses."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.i18n import _
from bizops_desktop.core.importer.platforms import guess_export_roles, recognise
from bizops_desktop.core.roles import MULTI_ROLES, ROLES

from .panel import coloured, role_title
from .table_model import format_cell

NONE = "—"


class RolesDialog(QDialog):
    def __init__(self, dataset: Dataset, analyses=(), parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Column roles — {dataset}", dataset=dataset.name))
        self.dataset = dataset
        self.analyses = list(analyses)
        self.resize(760, 560)
        lay = QVBoxLayout(self)
        intro = QLabel(
            _(
                "Tell BizOps what each column holds. The guesses come from the column names "
                "(English or Chinese) and the data; fix any that are wrong."
            ),
            self,
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        platform = recognise(dataset.frame.columns)
        self.platform_label = QLabel(
            _("Looks like {platform}; its columns are marked as that system writes them.", platform=platform.name())
            if platform is not None
            else "",
            self,
        )
        self.platform_label.setVisible(platform is not None)
        lay.addWidget(self.platform_label)
        cols = list(dataset.frame.columns)
        self.table = QTableWidget(len(cols), 4, self)
        self.table.setHorizontalHeaderLabels([_("Column"), _("Type"), _("Examples"), _("Role")])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.combos: dict[str, QComboBox] = {}
        for i, c in enumerate(cols):
            col = dataset.frame[c]
            self.table.setItem(i, 0, QTableWidgetItem(str(c)))
            self.table.setItem(i, 1, QTableWidgetItem(_kind(col)))
            sample = ", ".join(format_cell(v) for v in col.head(5000).dropna().unique()[:4])  # cheap on big tables
            self.table.setItem(i, 2, QTableWidgetItem(sample))
            for j in range(3):
                self.table.item(i, j).setFlags(Qt.ItemFlag.ItemIsEnabled)
            combo = QComboBox(self.table)
            combo.addItem(NONE, None)
            for r in ROLES:
                combo.addItem(_("{role} ({role_id})", role=role_title(r), role_id=r), r)
            combo.currentIndexChanged.connect(lambda _i, c=c: self._changed(c))
            self.table.setCellWidget(i, 3, combo)
            self.combos[str(c)] = combo
        self.table.resizeColumnsToContents()
        lay.addWidget(self.table, 1)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        guess = QPushButton(_("Guess again"), self)
        guess.clicked.connect(lambda: self.set_roles(guess_export_roles(dataset.frame)))
        buttons.addButton(guess, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.set_roles(dataset.roles)

    def set_roles(self, roles: dict[str, list[str]]) -> None:
        by_col = {}
        for role, cols in roles.items():
            for c in cols:
                by_col[str(c)] = role
        for c, combo in self.combos.items():
            combo.blockSignals(True)
            i = combo.findData(by_col.get(c))
            combo.setCurrentIndex(i if i >= 0 else 0)
            combo.blockSignals(False)
        self._update_status()

    def roles(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for c, combo in self.combos.items():
            r = combo.currentData()
            if r:
                out.setdefault(r, []).append(c)
        return {r: out[r] for r in ROLES if r in out}

    def set_role(self, column: str, role: str | None) -> None:
        combo = self.combos[column]
        combo.setCurrentIndex(max(combo.findData(role), 0))

    def _changed(self, column: str) -> None:
        role = self.combos[column].currentData()
        if role and role not in MULTI_ROLES:
            # one column per role: the column that had it before lets go
            for c, combo in self.combos.items():
                if c != column and combo.currentData() == role:
                    combo.blockSignals(True)
                    combo.setCurrentIndex(0)
                    combo.blockSignals(False)
        self._update_status()

    def _update_status(self) -> None:
        trial = Dataset(self.dataset.name, self.dataset.frame, self.roles())
        lines = []
        for a in self.analyses:
            problem = a.check(trial)
            if problem:
                lines.append(coloured(_("✗ {problem}", problem=problem), "#8a6d00"))
            else:
                lines.append(coloured(_("✓ {analysis} can run", analysis=a.title), "#2e7d32"))
        self.status.setText("<br>".join(lines))


def _kind(col) -> str:
    from pandas.api import types as pt

    if pt.is_bool_dtype(col):
        return _("yes/no")
    if pt.is_datetime64_any_dtype(col):
        return _("date")
    if pt.is_integer_dtype(col):
        return _("whole number")
    if pt.is_float_dtype(col):
        return _("number")
    return _("text")
