"""The one table model: a QAbstractTableModel over a DataFrame (sorting and filtering done by
pandas on the frame, so a million rows stay quick), and a small widget with a search box."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bizops_desktop.core.display import Column, cell_text, title
from bizops_desktop.core.i18n import _, _n


def format_cell(v: Any, spec: Column | None = None, names: Mapping[str, str] | None = None) -> str:
    """A cell as a person reads it, in the current language (see core/display.py)."""
    if isinstance(v, np.datetime64):
        v = pd.Timestamp(v)
    elif isinstance(v, np.timedelta64):
        v = pd.Timedelta(v)
    return cell_text(v, spec, names)


def _cells(col: pd.Series) -> np.ndarray:
    """A column's values for display: numpy's own array, or objects for pandas' extension types
    (nullable integers stay integers, not floats)."""
    if pd.api.types.is_extension_array_dtype(col.dtype) and not isinstance(col.dtype, pd.DatetimeTZDtype):
        return col.to_numpy(dtype=object, na_value=None)
    return col.to_numpy()


# A filter or sort over more rows than this runs on a worker thread (the window stays fluid; the
# rows shown change when it is done); below it, at once, as a user types.
BACKGROUND_ROWS = 50_000


class DataFrameModel(QAbstractTableModel):
    """Read-only view of a DataFrame. ``set_frame`` swaps the data (with the result's column specs
    and product/customer names, if any); ``set_filter`` keeps the rows where any shown column
    contains the text (case-insensitive); header click sorts. On a big frame the filter and the
    sort run in the job runner: ``busy_changed(True)`` while they do, ``rows_changed`` when the
    new rows are shown; a newer request replaces an older one still running."""

    busy_changed = Signal(bool)
    rows_changed = Signal()

    def __init__(self, frame: pd.DataFrame | None = None, parent=None, max_rows: int | None = None):
        super().__init__(parent)
        self._generation = 0
        self._jobs = None  # made on the first background filter
        self._pending = None
        self._source = pd.DataFrame()
        self._view = self._source
        self._filter = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self.max_rows = max_rows
        self._positions = np.arange(0)
        self._arrays: list[np.ndarray] = []
        self._right: list[bool] = []
        self._specs: list[Column | None] = []
        self._names: Mapping[str, str] = {}
        self._text_cache: dict = {}
        if frame is not None:
            self.set_frame(frame)

    # -- data -------------------------------------------------------------------------------
    def set_frame(
        self,
        frame: pd.DataFrame | None,
        columns: Mapping[str, Column] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        self._supersede()
        self.beginResetModel()
        self._source = frame if frame is not None else pd.DataFrame()
        columns = columns or {}
        self._specs = [columns.get(c) for c in self._source.columns]
        self._names = names or {}
        self._text_cache: dict = {}
        # Column arrays and alignment looked up once: data() runs for every visible cell.
        self._arrays = [_cells(self._source.iloc[:, j]) for j in range(self._source.shape[1])]
        self._right = [
            pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in self._source.dtypes
        ]
        # a new frame opens unfiltered and unsorted (its own order), at once: nothing to compute
        self._positions = np.arange(len(self._source))
        self._view = self._source
        if self._filter or self._sort is not None:
            self.endResetModel()
            self._request(reset=True)
            return
        self.endResetModel()
        self.rows_changed.emit()

    @property
    def busy(self) -> bool:
        return self._pending is not None

    def frame(self) -> pd.DataFrame:
        """The rows as shown (filtered and sorted)."""
        return self._view

    def source_frame(self) -> pd.DataFrame:
        return self._source

    def column_spec(self, section: int) -> Column | None:
        return self._specs[section] if 0 <= section < len(self._specs) else None

    def source_row(self, row: int) -> int:
        """Position in the source frame of a shown row."""
        return int(self._positions[row])

    def shown_row(self, source_position: int) -> int | None:
        hits = np.nonzero(self._positions == source_position)[0]
        return int(hits[0]) if len(hits) else None

    def set_filter(self, text: str) -> None:
        self._filter = text.strip().lower()
        self._request(reset=True)

    # -- computing the rows shown: on this thread for a small frame, else in the job runner ------
    def _request(self, reset: bool) -> None:
        self._supersede()
        if len(self._source) < BACKGROUND_ROWS:
            self._install(self._compute(), reset)
            return
        from .jobs import JobRunner

        if self._jobs is None:
            self._jobs = JobRunner(self, max_threads=1)
        generation = self._generation
        snapshot = self._snapshot()
        job = self._jobs.create(_("Filtering the table"), lambda _progress: _positions(snapshot))
        job.succeeded.connect(lambda positions, g=generation: self._deliver(positions, g, reset))
        job.ended.connect(lambda g=generation: self._ended(g))
        self._pending = job
        self.busy_changed.emit(True)
        self._jobs.start(job)

    def _supersede(self) -> None:
        """Whatever filter or sort is still running, its rows are no longer wanted."""
        self._generation += 1
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
            self.busy_changed.emit(False)

    def _deliver(self, positions: np.ndarray, generation: int, reset: bool) -> None:
        if generation == self._generation:
            if self._pending is not None:  # done: not busy any more when the new rows show
                self._pending = None
                self.busy_changed.emit(False)
            self._install(positions, reset)

    def _ended(self, generation: int) -> None:
        if generation == self._generation and self._pending is not None:
            self._pending = None
            self.busy_changed.emit(False)

    def _install(self, positions: np.ndarray, reset: bool) -> None:
        if reset:
            self.beginResetModel()
        else:
            self.layoutAboutToBeChanged.emit()
        self._positions = positions
        self._view = self._source.iloc[positions]
        if reset:
            self.endResetModel()
        else:
            self.layoutChanged.emit()
        self.rows_changed.emit()

    def wait(self, timeout: float = 30.0) -> bool:
        """Until a background filter or sort is shown (tests, exports of what is shown)."""
        import time

        from PySide6.QtCore import QCoreApplication

        deadline = time.monotonic() + timeout
        while self._pending is not None and time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.005)
        return self._pending is None

    def _compute(self) -> np.ndarray:
        return _positions(self._snapshot())

    def _snapshot(self) -> "_Request":
        """What a filter or sort reads, taken on the GUI thread: a worker never looks at the
        model itself, which a new frame may replace meanwhile."""
        return _Request(self._source, list(self._specs), self._names, self._filter, self._sort, self._text_cache)

    # -- Qt model API -----------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        if parent.isValid():
            return 0
        n = len(self._positions)
        return min(n, self.max_rows) if self.max_rows else n

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._source.shape[1]

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            j = index.column()
            v = self._arrays[j][self._positions[index.row()]]
            spec = self._specs[j] if j < len(self._specs) else None
            if role == Qt.ItemDataRole.ToolTipRole and spec is not None and spec.kind in ("product", "customer"):
                return f"{format_cell(v, spec, self._names)} ({v})"  # the id behind the name
            return format_cell(v, spec, self._names)
        if role == Qt.ItemDataRole.TextAlignmentRole and self._right[index.column()]:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < self._source.shape[1]:
                name = str(self._source.columns[section])
                spec = self.column_spec(section)
                if role == Qt.ItemDataRole.ToolTipRole:  # the stable id scripts and exports use
                    helptext = cell_text(spec.help, None) if spec is not None and spec.help is not None else ""
                    return "\n".join(t for t in (helptext, name) if t)
                return title(name, spec)
            return None
        return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order) if column >= 0 else None
        self._request(reset=False)


class _Request(NamedTuple):
    source: pd.DataFrame
    specs: list
    names: Mapping[str, str]
    filter: str
    sort: tuple | None
    text_cache: dict  # the frame's own: rendered sentence columns, per language


def _positions(req: _Request) -> np.ndarray:
    """The source positions of the rows to show, filtered and sorted. Reads only ``req`` (the
    frame is never changed in place), so it may run on a worker thread."""
    src = req.source
    positions = np.arange(len(src))
    if req.filter and len(src):
        mask = np.zeros(len(src), dtype=bool)
        for j, c in enumerate(src.columns):
            col = src.iloc[:, j]
            spec = req.specs[j] if j < len(req.specs) else None
            if pd.api.types.is_datetime64_any_dtype(col):
                text = col.dt.strftime("%Y-%m-%d")
            elif col.dtype == object and len(col) and isinstance(col.iloc[0], (list, tuple, dict)):
                text = _shown_text(req, c, col, spec)  # lists, sentences: what the reader sees
            else:
                text = col.astype(str)
            if spec is not None and spec.kind in ("product", "customer") and req.names:
                # the name a person sees is searched too, not only the id behind it
                names = col.astype(str).map(req.names).fillna("")
                mask |= names.str.lower().str.contains(req.filter, regex=False, na=False).to_numpy()
            mask |= text.str.lower().str.contains(req.filter, regex=False, na=False).to_numpy()
        positions = positions[mask]
    if req.sort is not None and len(positions):
        col_i, order = req.sort
        if 0 <= col_i < src.shape[1]:
            col = src.iloc[positions, col_i].reset_index(drop=True)
            if col.dtype == object:
                col = col.map(lambda v: format_cell(v) if isinstance(v, (list, tuple, set)) else v)
            asc = order == Qt.SortOrder.AscendingOrder
            try:
                idx = col.sort_values(kind="stable", ascending=asc, na_position="last").index.to_numpy()
            except TypeError:  # mixed types: compare as text
                idx = col.astype(str).sort_values(kind="stable", ascending=asc).index.to_numpy()
            positions = positions[idx]
    return positions


def _shown_text(req: _Request, name, col: pd.Series, spec: Column | None) -> pd.Series:
    """A column of lists or sentences as the text shown, rendered once per distinct value and
    kept until the frame or the language changes (a search types many letters)."""
    from bizops_desktop.core.i18n import get_language, jsonable_key

    key = (name, get_language())
    cached = req.text_cache.get(key)
    if cached is None:
        seen: dict[str, str] = {}

        def shown(v):
            k = jsonable_key(v) if isinstance(v, (dict, list, tuple)) else repr(v)
            if k not in seen:
                seen[k] = format_cell(v, spec, req.names)
            return seen[k]

        cached = col.map(shown)
        req.text_cache[key] = cached
    return cached


class DataFrameTable(QWidget):
    """A searchable, sortable table over a DataFrame. ``row_selected`` gives the position of the
    selected row in the source frame."""

    row_selected = Signal(int)

    def __init__(
        self, parent=None, *, search: bool = True, max_rows: int | None = None, placeholder: str | None = None
    ):
        super().__init__(parent)
        self.model = DataFrameModel(parent=self, max_rows=max_rows)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        # no sort until the user clicks a header: the file's own order first
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setResizeContentsPrecision(200)  # size columns from 200 rows, not all
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(str(placeholder) if placeholder else _("Search…"))
        self.search.setClearButtonEnabled(True)
        # filter after a pause in typing: on a million rows each filter pass takes a moment
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(lambda: self.model.set_filter(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.count_label = QLabel(self)
        self.count_label.setStyleSheet("color: #666")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        if search:
            lay.addLayout(top)
        else:
            self.search.hide()
            self.count_label.hide()
        lay.addWidget(self.view, 1)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.model.modelReset.connect(self._update_count)
        self.model.layoutChanged.connect(self._update_count)
        self.model.busy_changed.connect(self._busy)

    def set_frame(
        self,
        frame: pd.DataFrame | None,
        columns: Mapping[str, Column] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        self.model.set_frame(frame, columns, names)
        for j in range(self.model.columnCount()):
            spec = self.model.column_spec(j)
            self.view.setColumnHidden(j, spec is not None and spec.kind == "hidden")
        self.fit_columns()

    def fit_columns(self, sample: int = 60, widest: int = 320) -> None:
        """Each column as wide as its title and its first ``sample`` shown cells (at most
        ``widest``; a long cell shows whole in its tooltip). Qt's resizeColumnsToContents asks the
        model for every role of 200 rows a column: a third of a second on a wide table, for a
        width the first rows tell as well."""
        view, model = self.view, self.model
        fm = view.fontMetrics()
        header_fm = view.horizontalHeader().fontMetrics()
        rows = min(model.rowCount(), sample)
        display = Qt.ItemDataRole.DisplayRole
        for j in range(model.columnCount()):
            if view.isColumnHidden(j):
                continue
            title_text = str(model.headerData(j, Qt.Orientation.Horizontal, display) or "")
            width = header_fm.horizontalAdvance(title_text) + 24  # room for the sort arrow
            for i in range(rows):
                text = model.data(model.index(i, j), display)
                if text:
                    width = max(width, fm.horizontalAdvance(str(text)) + 14)
                    if width >= widest:
                        break
            view.setColumnWidth(j, min(width, widest))

    def frame(self) -> pd.DataFrame:
        return self.model.frame()

    def _busy(self, busy: bool) -> None:
        if busy:
            self.count_label.setText(_("Searching…"))
        else:
            self._update_count()

    def _update_count(self) -> None:
        n_all = len(self.model.source_frame())
        n = len(self.model.frame())
        self.count_label.setText(
            _n("{n} row", "{n} rows", n)
            if n == n_all
            else _n("{shown:int} of {n} row", "{shown:int} of {n} rows", n_all, shown=n)
        )

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.row_selected.emit(self.model.source_row(current.row()))

    def select_source_row(self, position: int) -> bool:
        row = self.model.shown_row(position)
        if row is None:
            return False
        self.view.selectRow(row)
        self.view.scrollTo(self.model.index(row, 0))
        return True

    def selected_source_row(self) -> int | None:
        idx = self.view.selectionModel().currentIndex()
        return self.model.source_row(idx.row()) if idx.isValid() else None
