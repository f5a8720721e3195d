"""Reading an Excel workbook (XLSX, XLSM, XLS, XLSB, ODS) with calamine, openpyxl as the fallback
for .xlsx files calamine refuses: the sheet, its header row, typed cells, and plain-words errors
for a protected or damaged workbook."""

from __future__ import annotations

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
    import pandas as pd

    where = path.name
    sheets = list(book.sheet_names)
    opts = ImportOptions(**options.to_dict())
    notes: list = []
    name, _sheet = _pick_sheet(path, book, opts.sheet)
    progress.report(0.0, _("Reading rows..."))
    limit = None if nrows is None else nrows + SNIFF_ROWS
    rows, height = _sheet_rows(book, name, limit, progress)
    from .text import check_width

    check_width(max((len(r) for r in rows[:SNIFF_ROWS]), default=0), where)
    if opts.sheet is None and not any(row_width([_cell_text(v) for v in r]) for r in rows[:SNIFF_ROWS]):
        # The first sheet is empty (a cover sheet?): use the first one with data.
        for other in sheets:
            if other == name:
                continue
            orows, oheight = _sheet_rows(book, other, limit, progress)
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
    frame = pd.DataFrame(cols) if data else pd.DataFrame({j: pd.Series(dtype=object) for j in range(m)})
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
    text_cells = [[v for v in r if isinstance(v, str)] for r in data[:SNIFF_ROWS]]
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
