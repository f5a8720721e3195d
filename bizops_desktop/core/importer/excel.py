"""Reading an Excel workbook (XLSX, XLSM, XLS, XLSB, ODS) with calamine, openpyxl as the fallback
for .xlsx files calamine refuses: the sheet, its header row, typed cells, and plain-words errors
for a protected or damaged workbook.

Two readers give the same table: fastexcel (:class:`FastSheets`: calamine's parser in Rust
handing over typed Arrow columns; 100,000 order lines in about a quarter of the time of
pandas.read_excel) for every sheet whose columns each hold one kind of value, and calamine's rows
cell by cell (the reference, tests/test_excel_fast.py compares the two) for a sheet with a column
of numbers and words, or when fastexcel is not installed."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from ..errors import BizOpsError, Cancelled, DataError, UsageError, first_line
from ..i18n import M, Mn, _
from ..progress import Progress
from .convert import convert_columns, maybe_int, tidy_columns
from .formats import OLE
from .layout import SNIFF_ROWS, find_header, resolve_decimal, row_width
from .options import ImportOptions, ImportResult

_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def _is_encrypted_ooxml(path: Path) -> bool:
    """A password-protected .xlsx is an OLE file holding an 'EncryptedPackage' stream."""
    with open(path, "rb") as fh:
        if fh.read(8) != OLE:
            return False
        fh.seek(0)
        prev = b""
        for block in iter(lambda: fh.read(1 << 20), b""):
            if _ENCRYPTED in prev[-len(_ENCRYPTED) :] + block:
                return True
            prev = block
    return False


def _protected_error(path: Path) -> DataError:
    return DataError(
        _("the workbook is protected with a password"),
        where=path.name,
        hint=_(
            "Open it in Excel, remove the password (File > Info > Protect Workbook) and save it, "
            "or save the sheet as CSV"
        ),
    )


# Never turned into "damaged file": the user's own stop, the program's exit, a plain message already.
_PASS_THROUGH = (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError, Cancelled, BizOpsError)


def _damaged_error(path: Path, detail: str) -> DataError:
    return DataError(
        _("the workbook cannot be opened; it seems damaged or incomplete ({error})", error=detail),
        where=path.name,
        hint=_("Open it in Excel and save it again, or export the sheet as CSV"),
    )


def open_workbook(path: Path):
    import python_calamine as pc

    if path.stat().st_size == 0:
        raise DataError(
            _("the file is empty (0 bytes)"),
            where=path.name,
            hint=_("Export the data from your shop system again and open the new file"),
        )
    if _is_encrypted_ooxml(path):
        raise _protected_error(path)
    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise _protected_error(path) from None
    except _PASS_THROUGH:
        raise
    except BaseException as exc:  # zip, xml, format errors, and a Rust panic (a BaseException) for broken files
        return OpenpyxlBook.open(path, exc)


class OpenpyxlBook:
    """The openpyxl fallback for .xlsx/.xlsm that calamine refuses, with calamine's interface."""

    def __init__(self, wb):
        self.wb = wb
        self.sheet_names = list(wb.sheetnames)

    @classmethod
    def open(cls, path: Path, first_error: BaseException):
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise _damaged_error(path, first_line(first_error, with_type=False)) from None
        try:
            import openpyxl

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wb = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
        except Exception:
            raise _damaged_error(path, first_line(first_error, with_type=False)) from None
        return cls(wb)

    def close(self) -> None:
        self.wb.close()  # a read-only openpyxl book keeps its file open until closed

    def rows(self, name: str, limit: int | None):
        ws = self.wb[name]
        out = []
        for row in ws.iter_rows(values_only=True):
            out.append(["" if v is None else v for v in row])
            if limit is not None and len(out) >= limit:
                break
        return out, ws.max_row


def close_book(book) -> None:
    try:
        book.close()
    except Exception:  # closing twice, or a reader without close: nothing to release
        pass


class NotFast(Exception):
    """This sheet is read cell by cell instead (see :class:`FastSheets`)."""


class FastSheets:
    """A workbook read through fastexcel: calamine's parser in Rust handing each column over as an
    Arrow array, so no Python object is made per cell except one per distinct text. Column types
    are judged on every row ("strict"): a column that mixes numbers and words (or a type without
    a mapping here) raises :class:`NotFast`, and the cell-by-cell reader keeps its exact rules."""

    def __init__(self, reader):
        self.reader = reader
        self._typed: dict[str, tuple | None] = {}
        self._mixed_below_first_row: set[str] = set()  # the rows below row 1 mix kinds in a column

    @classmethod
    def open(cls, path: Path, book) -> "FastSheets | None":
        if isinstance(book, OpenpyxlBook):
            return None
        try:
            import fastexcel
        except ImportError:  # a trimmed install: the calamine rows still read every workbook
            return None
        try:
            return cls(fastexcel.read_excel(str(path)))
        except _PASS_THROUGH:
            raise
        except BaseException:  # what fastexcel cannot open, calamine's reader says why (or reads it)
            return None

    def _load(self, name: str, **kw):
        try:
            sheet = self.reader.load_sheet(name, **kw)
            return sheet, sheet.to_arrow()
        except _PASS_THROUGH:
            raise
        except BaseException:  # a column of numbers and words ("strict"), or what fastexcel refuses
            raise NotFast() from None

    def _typed_below_first_row(self, name: str):
        """(sheet, table, header cells) of the sheet read once, typed, with its first row as the
        column names: the usual layout, where that one read is all the import needs. None when
        its names are not the cells as written (fastexcel names empty and repeated ones itself)."""
        if name not in self._typed:
            got = None
            try:
                sheet, table = self._load(name, header_row=0, **_TYPED)
                names = list(table.schema.names)
                if names and not any(_renamed(n, names) for n in names):
                    got = (sheet, table, names)
            except NotFast:
                self._mixed_below_first_row.add(name)
            self._typed[name] = got
        return self._typed[name]

    def sample(self, name: str) -> tuple[list[list], int]:
        """The first SNIFF_ROWS rows as cells ("" where empty), from row 1 of the sheet, and the
        sheet's height: what the header search needs."""
        typed = self._typed_below_first_row(name)
        if typed is not None:
            sheet, table, names = typed
            head = table.slice(0, SNIFF_ROWS - 1)
            cols = [_sample_cells(head.column(j)) for j in range(head.num_columns)]
            rows = [list(names)] + [[c[i] for c in cols] for i in range(head.num_rows)]
            return rows, int(sheet.total_height) + 1
        sheet, table = self._load(
            name, header_row=None, skip_rows=0, n_rows=SNIFF_ROWS, dtypes="string", dtype_coercion="coerce"
        )
        cols = [[_as_calamine(v) for v in table.column(j).to_pylist()] for j in range(table.num_columns)]
        return [[c[i] for c in cols] for i in range(table.num_rows)], int(sheet.total_height)

    def columns(self, name: str, header: int, m: int, nrows: int | None, progress: Progress):
        """({j: the typed column j} of the data rows below the header, the first rows' text
        cells for the decimal mark), as the cell-by-cell reader gives them."""
        progress.check()
        if header == 0 and name in self._mixed_below_first_row:
            raise NotFast()  # the same rows, read the same way, mix kinds: no second try
        typed = self._typed_below_first_row(name) if header == 0 else None
        if typed is not None and typed[1].num_columns >= m:
            table = typed[1].select(list(range(m)))
            if nrows is not None:
                table = table.slice(0, nrows)
        else:
            _sheet, table = self._load(
                name,
                header_row=None,
                skip_rows=header + 1 if header >= 0 else 0,
                n_rows=nrows,
                use_columns=list(range(m)),
                **_TYPED,
            )
        if table.num_columns != m:
            raise NotFast()
        out = {}
        text_cells: list[list[str]] = [[] for _ in range(min(table.num_rows, SNIFF_ROWS))]
        for j in range(m):
            progress.report(j / max(m, 1))
            out[j], texts = _arrow_cells(table.column(j))
            for i, v in enumerate(texts):
                if isinstance(v, str):
                    text_cells[i].append(v)
        progress.report(1.0)
        return out, text_cells


_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$")


def _as_calamine(v):
    """A cell of fastexcel's all-text sample as calamine's rows give it: "" where empty, a day
    without a time as the day, a boolean as True/False."""
    if v is None:
        return ""
    day = _MIDNIGHT.match(v)
    if day:
        return day.group(1)
    return {"true": "True", "false": "False"}.get(v, v)


def _renamed(name: str, names: list[str]) -> bool:
    """Whether fastexcel may have named this column itself: an empty or non-text header cell
    (__UNNAMED__3), or a repeated one (the second "a" becomes "a_1")."""
    if name.startswith("__UNNAMED__"):
        return True
    base, sep, tail = name.rpartition("_")
    return bool(sep) and tail.isdigit() and base in names


_TYPED = dict(
    schema_sample_rows=None,  # judge every row, as the cell-by-cell reader does
    dtype_coercion="strict",
    whitespace_as_null=True,
    skip_whitespace_tail_rows=True,  # formatting reaching below the data is not data
)


def _sample_cells(arr) -> list:
    """A few typed cells as calamine's rows have them, for the header search ("" where empty)."""
    import datetime as _dt

    out: list = []
    for v in arr.to_pylist():
        if v is None:
            out.append("")
        elif isinstance(v, _dt.datetime) and v.time() == _dt.time(0):
            out.append(v.date())  # calamine gives a day without a time as a date
        else:
            out.append(v)
    return out


# datetime64[ns] holds 1677-09-22 .. 2262-04-11; a cell outside is no date to pandas (as to_datetime)
_NS_LOW, _NS_HIGH = "1677-09-22", "2262-04-11"


def _arrow_cells(arr):
    """One fastexcel column -> (the values the cell-by-cell reader gives: float/int numbers,
    datetime64[ns], bool, text stripped with None where empty; the first SNIFF_ROWS of them)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrow_text import text_values

    n = len(arr)
    t = arr.type
    if pa.types.is_null(t) or arr.null_count == n:
        values = np.full(n, None, dtype=object)
        return pd.Series(values, dtype=object), []
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        nums = pd.Series(arr.to_numpy(zero_copy_only=False).astype("float64"), dtype="float64")
        return maybe_int(nums), []
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        if pa.types.is_timestamp(t) and t.tz is not None:
            raise NotFast()
        v = np.array(arr.cast(pa.timestamp("ms")).to_numpy(zero_copy_only=False), dtype="datetime64[ms]")
        v[(v < np.datetime64(_NS_LOW)) | (v > np.datetime64(_NS_HIGH))] = np.datetime64("NaT")
        return pd.Series(v.astype("datetime64[ns]"), dtype="datetime64[ns]"), []
    if pa.types.is_boolean(t):
        if arr.null_count == 0:
            return pd.Series(arr.to_numpy(zero_copy_only=False), dtype=bool), []
        return pd.Series(np.array(arr.to_pylist(), dtype=object), dtype=object), []
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        trimmed = pc.utf8_trim_whitespace(arr)
        trimmed = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, trimmed.type), trimmed)
        values, _codes, _n = text_values(pa.chunked_array([trimmed]), n, missing=None)
        return pd.Series(values, dtype=object), list(values[:SNIFF_ROWS])
    raise NotFast()  # durations, times of day and the like: the cell-by-cell reader's rules


def _sheet_rows(book, name: str, limit: int | None, progress: Progress) -> tuple[list[list], int]:
    """All (or the first ``limit``) rows of a sheet as lists, from row 1, and the sheet height."""
    if isinstance(book, OpenpyxlBook):
        return book.rows(name, limit)
    sheet = book.get_sheet_by_name(name)
    end = getattr(sheet, "end", None)
    height = int(end[0]) + 1 if end else int(sheet.total_height or sheet.height or 0)
    out = []
    # iter_rows starts at row 1 of the sheet (so row numbers match what the user sees) and at
    # the first used column (empty columns on the left are not part of the table anyway).
    for row in sheet.iter_rows():
        out.append(row)
        n = len(out)
        if limit is not None and n >= limit:
            break
        if n % 20000 == 0:
            progress.report(0.7 * min(n / max(height, 1), 1.0), _("Reading rows..."))
    return out, height


def _pick_sheet(path: Path, book, sheet) -> tuple[str, str | None]:
    names = list(book.sheet_names)
    if not names:
        raise DataError(_("the workbook has no sheets"), where=path.name, hint=_("Open it in Excel and check it"))
    listing = ", ".join(repr(n) for n in names)
    if sheet is None:
        return names[0], None
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise UsageError(
                _("there is no sheet number {number}", number=sheet + 1),
                where=path.name,
                hint=_("The workbook has the sheets {names}", names=listing),
            )
        return names[sheet], None
    if sheet in names:
        return sheet, None
    low = {n.strip().lower(): n for n in names}
    if sheet.strip().lower() in low:
        return low[sheet.strip().lower()], None
    if sheet.strip().isdigit() and 1 <= int(sheet) <= len(names):
        return names[int(sheet) - 1], None
    raise UsageError(
        _("there is no sheet called {name}", name=repr(sheet)),
        where=path.name,
        hint=_("The workbook has the sheets {names}", names=listing),
    )


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return str(v).strip()


def _excel_layout(rows: list[list], opts: ImportOptions, where: str) -> tuple[int, int]:
    """(header row, width) of a sheet's rows."""
    texts = [[_cell_text(v) for v in r] for r in rows[:SNIFF_ROWS]]
    widths = [row_width(r) for r in texts]
    header, m, _fit = find_header(texts, widths)
    if opts.header_row is not None:
        header = opts.header_row
        if header >= 0:
            m = max(m, widths[header] if header < len(widths) else 0)
    return header, m


def excel_sniff(path: Path, opts: ImportOptions) -> ImportOptions:
    book = open_workbook(path)
    try:
        name, _sheet = _pick_sheet(path, book, opts.sheet)
        rows, _height = _sheet_rows(book, name, SNIFF_ROWS, Progress())
    except _PASS_THROUGH:
        raise
    except BaseException as exc:  # see read_excel
        raise _damaged_error(path, first_line(exc, with_type=False)) from None
    finally:
        close_book(book)
    out = ImportOptions(**opts.to_dict())
    out.sheet = name
    if out.header_row is None:
        out.header_row, _width = _excel_layout(rows, opts, path.name)
    return out


def read_excel(path: Path, options: ImportOptions, progress: Progress, nrows: int | None) -> ImportResult:
    book = open_workbook(path)
    try:
        return _read_book(path, book, options, progress, nrows)
    except _PASS_THROUGH:
        raise
    except BaseException as exc:  # a damaged sheet part, a bad number, a corrupt deflate stream, a Rust panic
        raise _damaged_error(path, first_line(exc, with_type=False)) from None
    finally:
        close_book(book)


def _read_book(path: Path, book, options: ImportOptions, progress: Progress, nrows: int | None) -> ImportResult:
    """The sheet through fastexcel (typed columns straight from the file, as Arrow arrays), or,
    when it cannot give them (a column holding numbers and words, a cell type it does not map,
    fastexcel missing), cell by cell through calamine's rows as before."""
    fast = FastSheets.open(path, book)
    if fast is not None:
        try:
            return _read_sheet(path, book, options, progress, nrows, fast)
        except NotFast:
            pass
    return _read_sheet(path, book, options, progress, nrows, None)


def _read_sheet(
    path: Path, book, options: ImportOptions, progress: Progress, nrows: int | None, fast: FastSheets | None
) -> ImportResult:
    import pandas as pd

    where = path.name
    sheets = list(book.sheet_names)
    opts = ImportOptions(**options.to_dict())
    notes: list = []
    name, _sheet = _pick_sheet(path, book, opts.sheet)
    progress.report(0.0, _("Reading rows..."))
    limit = None if nrows is None else nrows + SNIFF_ROWS

    def sample(sheet: str):
        return fast.sample(sheet) if fast is not None else _sheet_rows(book, sheet, limit, progress)

    rows, height = sample(name)
    from .text import check_width

    check_width(max((len(r) for r in rows[:SNIFF_ROWS]), default=0), where)
    if opts.sheet is None and not any(row_width([_cell_text(v) for v in r]) for r in rows[:SNIFF_ROWS]):
        # The first sheet is empty (a cover sheet?): use the first one with data.
        for other in sheets:
            if other == name:
                continue
            orows, oheight = sample(other)
            if any(row_width([_cell_text(v) for v in r]) for r in orows[:SNIFF_ROWS]):
                notes.append(
                    M("Sheet {empty} is empty; read sheet {other} instead", empty=repr(name), other=repr(other))
                )
                name, rows, height = other, orows, oheight
                break
    opts.sheet = name
    header, m = _excel_layout(rows, opts, where)
    if m == 0:
        raise DataError(
            _("sheet {name} is empty", name=repr(name)),
            where=where,
            hint=_("Pick the sheet that holds the data") if len(sheets) > 1 else _("Check the workbook in Excel"),
        )
    opts.header_row = header
    if header >= 0:
        header_cells = list(rows[header]) + [""] * max(0, m - len(rows[header]))
        names = [_cell_text(v) for v in header_cells[:m]]
        body = rows[header + 1 :]
    else:
        names = [""] * m
        body = rows
    if fast is not None:
        progress.report(0.1, _("Reading rows..."))
        cols, text_cells = fast.columns(name, header, m, nrows, progress.sub(0.1, 0.8))
        n_data = len(cols[0]) if cols else 0
    else:
        if nrows is not None:
            body = body[:nrows]
        # Trailing blank rows (formatting reaching below the data) are not data.
        while body and not any(_cell_text(v) for v in body[-1]):
            body.pop()
        data = [(list(r[:m]) + [""] * (m - len(r))) if len(r) < m else list(r[:m]) for r in body]
        progress.report(0.75, _("Reading dates and numbers..."))
        cols = {}
        for j in range(m):
            progress.check()
            cols[j] = _excel_column([r[j] for r in data])
        n_data = len(data)
        text_cells = [[v for v in r if isinstance(v, str)] for r in data[:SNIFF_ROWS]]
    frame = pd.DataFrame(cols, copy=False) if n_data else pd.DataFrame({j: pd.Series(dtype=object) for j in range(m)})
    frame.columns = names
    frame = tidy_columns(frame, header < 0, notes)
    if len(frame) == 0:
        raise DataError(
            _("sheet {name} has column names but no data rows", name=repr(name)),
            where=where,
            hint=_("Pick the sheet that holds the data") if len(sheets) > 1 else _("Add the rows and save again"),
        )
    opts.encoding = None
    opts.delimiter = None
    # Numbers typed as text in a European Excel ("1.234,56") follow the same rules as in CSV.
    resolve_decimal(opts, text_cells)
    if header >= 0:
        notes.insert(
            0,
            Mn(
                "Read sheet {name} of {n}, column names on row {row}",
                "Read sheet {name} of {n}, column names on row {row}",
                len(sheets),
                name=repr(name),
                row=header + 1,
            ),
        )
    else:
        notes.insert(
            0,
            Mn(
                "Read sheet {name} of {n}, no header row",
                "Read sheet {name} of {n}, no header row",
                len(sheets),
                name=repr(name),
            ),
        )
    if header > 0:
        notes.append(Mn("Skipped {n} row above the column names", "Skipped {n} rows above the column names", header))
    notes.extend(convert_columns(frame, opts, progress.sub(0.8, 1.0), header + 2 if header >= 0 else 1, "row"))
    rows_total = max(0, height - header - 1) if nrows is not None else len(frame)
    return ImportResult(frame=frame, options=opts, notes=notes, sheets=sheets, rows_total=rows_total)


def _excel_column(values: list):
    """One column of cell values -> a typed Series: numbers, dates, booleans or text."""
    import datetime as _dt

    import numpy as np
    import pandas as pd

    vals = [None if (v is None or (isinstance(v, str) and not v.strip())) else v for v in values]
    present = [v for v in vals if v is not None]
    if not present:
        return pd.Series(vals, dtype=object)
    kinds = set()
    for v in present:
        if isinstance(v, bool):
            kinds.add("bool")
        elif isinstance(v, (int, float)):
            kinds.add("num")
        elif isinstance(v, (_dt.datetime, _dt.date)):
            kinds.add("date")
        elif isinstance(v, str):
            kinds.add("str")
        else:
            kinds.add("other")
    if kinds == {"num"}:
        s = pd.Series([np.nan if v is None else float(v) for v in vals], dtype="float64")
        return maybe_int(s)
    if kinds == {"date"}:
        return pd.to_datetime(pd.Series(vals, dtype=object), errors="coerce").astype("datetime64[ns]")
    if kinds == {"bool"} and len(present) == len(vals):
        return pd.Series(vals, dtype=bool)
    # Text, or a mix: keep the cells as they are; _convert_columns reads numbers/dates in text.
    out = [
        v.strip()
        if isinstance(v, str)
        else (v if v is None or isinstance(v, (int, float, _dt.date, _dt.datetime)) else str(v))
        for v in vals
    ]
    return pd.Series(out, dtype=object)
