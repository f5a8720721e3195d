"""The one data importer: reads a shop's CSV/TSV/TXT or Excel export into a DataFrame, detecting
encoding, delimiter, header row, decimal comma and dates, and says in plain notes what it did.

pandas and the Excel readers are imported inside the functions, so importing this module (plugins
do, to describe an :class:`Importer`) keeps the command line quick to start.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import hashlib
import io
import re
import warnings
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from .errors import DataError, UsageError
from .progress import Progress

if TYPE_CHECKING:
    import pandas as pd

    from .dataset import Dataset

__all__ = [
    "ImportOptions", "ImportResult", "Importer", "builtin_importers", "importer_for", "sniff",
    "list_sheets", "preview", "read_table", "file_hash", "load_dataset", "parse_date_column",
    "TEXT_EXTENSIONS", "EXCEL_EXTENSIONS",
]

TEXT_EXTENSIONS = (".csv", ".tsv", ".txt", ".tab")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 1 << 20       # encoding/delimiter/header detection looks at the first MiB ...
TAIL_BYTES = 1 << 16         # ... and the last 64 KiB (a GBK name may first appear far down)
SNIFF_ROWS = 300
CHUNK_ROWS = 100_000         # about 0.1-0.2 s of parsing: Cancel is honoured well within a second
MAX_LISTED = 5               # how many bad rows/values a note names

ENCODING_NAMES = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8 (with BOM)", "gb18030": "GBK/GB18030 (Chinese)",
    "gbk": "GBK (Chinese)", "cp1252": "Windows-1252 (Western European)",
    "latin-1": "Latin-1 (ISO-8859-1)", "utf-16": "UTF-16",
}
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar", " ": "space"}
_DELIMITER_WORDS = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|",
                    "bar": "|", "space": " "}


# ---------------------------------------------------------------------------------------------
# Options and results
# ---------------------------------------------------------------------------------------------

@dataclass
class ImportOptions:
    """How to read a file. ``None`` means "detect". ``header_row`` is the 0-based line (text) or
    row (Excel) that holds the column names; -1 means the file has no header line. Stored in
    project files as JSON (``to_dict``/``from_dict``)."""

    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None
    decimal: str | None = None
    thousands: str | None = None
    sheet: str | int | None = None
    parse_dates: bool = True

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> "ImportOptions":
        """Build options from JSON-like data (a project file is untrusted: every value is checked;
        unknown keys are ignored so newer files still open)."""
        if d is None:
            return cls()
        if isinstance(d, ImportOptions):
            return cls(**d.to_dict())
        if not isinstance(d, Mapping):
            raise UsageError("import options must be a mapping of option names to values",
                             where="import options")
        known = {f.name for f in fields(cls)}
        opts = cls(**{k: v for k, v in d.items() if k in known})
        opts.validate()
        return opts

    def validate(self) -> "ImportOptions":
        """Check and normalise the values (``"tab"`` -> ``"\\t"``); raise UsageError on nonsense."""
        where = "import options"
        if self.encoding is not None:
            if not isinstance(self.encoding, str) or not self.encoding.strip():
                raise UsageError("the encoding must be a name such as utf-8 or gbk", where=where)
            try:
                codecs.lookup(self.encoding.strip())
            except LookupError:
                raise UsageError(f"unknown encoding {self.encoding!r}", where=where,
                                 hint="Use a name such as utf-8, gbk, gb18030, cp1252 or latin-1") from None
            self.encoding = self.encoding.strip()
        if self.delimiter is not None:
            d = self.delimiter
            if isinstance(d, str) and d.strip().lower() in _DELIMITER_WORDS:
                d = _DELIMITER_WORDS[d.strip().lower()]
            if not isinstance(d, str) or len(d) != 1 or d in "\r\n\"":
                raise UsageError(f"the delimiter must be one character, not {self.delimiter!r}", where=where,
                                 hint="Use , ; | or tab")
            self.delimiter = d
        if self.header_row is not None:
            if isinstance(self.header_row, bool) or not isinstance(self.header_row, int) or self.header_row < -1:
                raise UsageError(f"the header row must be a line number from 0 (or -1 for none), "
                                 f"not {self.header_row!r}", where=where)
        if self.decimal is not None and self.decimal not in (".", ","):
            raise UsageError(f"the decimal mark must be '.' or ',', not {self.decimal!r}", where=where)
        if self.thousands is not None and self.thousands != "":
            if not isinstance(self.thousands, str) or len(self.thousands) != 1:
                raise UsageError(f"the thousands separator must be one character, not {self.thousands!r}",
                                 where=where)
        if self.thousands == "":
            self.thousands = None
        if self.decimal is not None and self.thousands == self.decimal:
            raise UsageError("the decimal mark and the thousands separator must differ", where=where)
        if self.sheet is not None and (isinstance(self.sheet, bool) or not isinstance(self.sheet, (str, int))):
            raise UsageError(f"the sheet must be a name or a number, not {self.sheet!r}", where=where)
        if not isinstance(self.parse_dates, bool):
            raise UsageError("parse_dates must be true or false", where=where)
        return self


@dataclass
class ImportResult:
    frame: "pd.DataFrame"
    options: ImportOptions      # resolved: what was detected or used
    notes: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    # rows in the file below the header; exact after a full read and for Excel, counted from
    # line breaks in a text preview (a quoted cell spanning lines makes that count a little high)
    rows_total: int | None = None


ReadFunc = Callable[[Path, ImportOptions, Progress, "int | None"], ImportResult]


@dataclass
class Importer:
    """A file reader in the registry. Plugins add more through ``bizops_register_importers``."""

    id: str
    title: str
    extensions: tuple[str, ...]
    read: ReadFunc

    def handles(self, ext: str) -> bool:
        ext = ext.lower()
        return any(ext == (e.lower() if e.startswith(".") else "." + e.lower()) for e in self.extensions)


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------

def builtin_importers() -> list[Importer]:
    return [
        Importer("csv", "Text table (CSV, TSV, TXT)", TEXT_EXTENSIONS, _read_text),
        Importer("excel", "Excel workbook (XLSX, XLSM, XLS, XLSB, ODS)", EXCEL_EXTENSIONS, _read_excel),
    ]


def importer_for(path, extra: Sequence[Importer] = ()) -> Importer:
    """The importer for a file: by extension, then by what the content looks like. A workbook
    saved under a text name (or a text table under an odd name) is still read by the right one."""
    path = _existing_file(path)
    importers = builtin_importers() + list(extra or ())
    by_id = {imp.id: imp for imp in importers[:2]}
    kind, what = _content_kind(path)
    ext = path.suffix.lower()
    chosen = next((imp for imp in importers if imp.handles(ext)), None)
    if chosen is by_id["csv"] and kind == "excel":
        return by_id["excel"]
    if chosen is by_id["excel"] and kind == "text" and ext == ".xls":
        return by_id["csv"]    # many shop systems save tab-separated text under an .xls name
    if chosen is not None:
        return chosen
    if kind == "excel":
        return by_id["excel"]
    if kind == "text":
        return by_id["csv"]
    shown = f"'{ext}' files" if ext else "files without an extension"
    hint = "Save the data as CSV or Excel (.xlsx) and open that file"
    if what:
        raise DataError(f"this is {what}, not a table; {shown} cannot be read", where=path.name, hint=hint)
    raise DataError(f"{shown} cannot be read", where=path.name, hint=hint)


def sniff(path, options: ImportOptions | Mapping | None = None) -> ImportOptions:
    """Detect how to read the file from a sample (fast). Given options are kept as they are."""
    path = _existing_file(path)
    opts = ImportOptions.from_dict(options)
    imp = importer_for(path)
    if imp.id == "excel":
        return _excel_sniff(path, opts)
    return _text_sniff(path, opts).options


def list_sheets(path) -> list[str]:
    """Sheet names of a workbook; [] for a text file."""
    path = _existing_file(path)
    if importer_for(path).id != "excel":
        return []
    book = _open_workbook(path)
    try:
        return list(book.sheet_names)
    finally:
        _close(book)


def preview(path, options: ImportOptions | Mapping | None = None, nrows: int = 200,
            importers: Sequence[Importer] = ()) -> ImportResult:
    """The first ``nrows`` rows, read exactly as the full import would (for the import dialog)."""
    return _read(path, options, None, importers, max(1, int(nrows)))[0]


def read_table(path, options: ImportOptions | Mapping | None = None, progress: Progress | None = None,
               importers: Sequence[Importer] = ()) -> ImportResult:
    """Read the whole file. Reports progress by bytes read and stops at Cancel between chunks."""
    return _read(path, options, progress, importers, None)[0]


def load_dataset(path, options: ImportOptions | Mapping | None = None, progress: Progress | None = None,
                 name: str | None = None, importers: Sequence[Importer] = ()) -> "Dataset":
    """Read a file into a :class:`Dataset`: the table, guessed column roles, where it came from."""
    from .dataset import Dataset

    progress = progress or Progress()
    result, roles = _read(path, options, progress.sub(0.0, 0.95), importers, None)
    progress.report(0.95, "Checking the file...")
    p = Path(path)
    ds = Dataset(
        name=name or p.stem,
        frame=result.frame,
        roles=roles,
        source=str(p.resolve()),
        source_hash=file_hash(p),
        sheet=str(result.options.sheet) if result.sheets and result.options.sheet is not None else None,
        import_options=result.options.to_dict(),
        notes=list(result.notes),
    )
    progress.report(1.0, "Loaded")
    return ds


def file_hash(path) -> str:
    """sha256 (hex) of the file's bytes, read in blocks so a large file costs no memory."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def parse_date_column(series) -> tuple["pd.Series", int]:
    """Parse a column of dates in any common form (ISO with or without time, 2024/3/5,
    05.03.2024, 20240305, Excel serial numbers...). Returns the datetime column and how many
    non-empty values could not be read (those become NaT)."""
    parsed, bad, _ = _parse_dates(series)
    return parsed, bad


# ---------------------------------------------------------------------------------------------
# The shared read path
# ---------------------------------------------------------------------------------------------

def _read(path, options, progress, importers, nrows):
    from .roles import guess_roles

    path = _existing_file(path)
    opts = ImportOptions.from_dict(options).validate()
    progress = progress or Progress()
    imp = importer_for(path, importers)
    result = imp.read(path, opts, progress.sub(0.0, 0.97), nrows)
    notes = list(result.notes)
    if imp.id == "excel" and path.suffix.lower() in TEXT_EXTENSIONS:
        notes.insert(0, f"The file is named {path.suffix} but holds an Excel workbook; it was read as one")
    elif imp.id == "csv" and path.suffix.lower() in EXCEL_EXTENSIONS:
        notes.insert(0, f"The file is named {path.suffix} but holds plain text; it was read as a text table")
    progress.report(0.97, "Checking the data...")
    roles = guess_roles(result.frame)
    notes.extend(_quality_notes(result.frame, roles))
    if nrows is not None and len(result.frame) >= nrows and len(notes) > 1:
        notes.append(f"This preview reads the first {nrows:,} rows; counts above are for those rows only")
    result.notes = notes
    progress.report(1.0, "Read")
    return result, roles


def _existing_file(path) -> Path:
    if isinstance(path, (bytes, bytearray)):
        raise UsageError("the file name must be text", where=repr(path))
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError("the file does not exist", where=str(p),
                        hint="Check the name and folder, or pick the file again with Open data")
    if p.is_dir():
        raise DataError("this is a folder, not a file", where=str(p), hint="Pick a CSV or Excel file inside it")
    return p


_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"), (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"), (b"SQLite format 3\x00", "an SQLite database (a .bizops project?)"),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


def _content_kind(path: Path) -> tuple[str, str | None]:
    """('excel'|'text'|'binary'|'empty', what it looks like) from the first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if not head:
        return "empty", None
    if head.startswith(_OLE):
        return "excel", None
    if head.startswith(_ZIP):
        if b"xl/" in head or b"[Content_Types].xml" in head or b"opendocument.spreadsheet" in head:
            return "excel", None
        return "binary", "a ZIP archive"
    for sig, what in _SIGNATURES:
        if head.startswith(sig):
            return "binary", what
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text", None
    if _looks_binary(head):
        return "binary", None
    return "text", None


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


def _looks_binary(data: bytes) -> bool:
    if not data:
        return False
    if b"\x00" in data:
        return True
    controls = len(data) - len(data.translate(None, _CONTROL))
    return controls / len(data) > 0.01


# ---------------------------------------------------------------------------------------------
# Text files
# ---------------------------------------------------------------------------------------------

@dataclass
class _TextPlan:
    options: ImportOptions
    notes: list[str]
    header_names: list[str] | None   # names as they appear on the header line (None: no header)
    text_columns: list[str]          # columns to keep as text (leading zeros: 00123)
    longer_share: float              # share of sampled rows with more fields than the header
    width: int                       # expected number of columns
    widths: tuple[int, int]          # fewest / most columns seen in the sample
    sample_lines: int
    plain_ascii: bool                # the sampled bytes are all ASCII (any 8-bit encoding fits them)
    list_file: bool = False          # lines of different lengths whose cells recur: one list per line


def _read_sample(path: Path) -> tuple[bytes, bytes, bool]:
    """(head, tail, whole): head and tail cut at line breaks so no character is split."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
        whole = len(head) >= size
        tail = b""
        if not whole:
            fh.seek(max(size - TAIL_BYTES, len(head)))
            tail = fh.read()
    if not whole:
        cut = head.rfind(b"\n")
        head = head[: cut + 1] if cut > 0 else head
        nl = tail.find(b"\n")
        tail = tail[nl + 1:] if nl >= 0 else b""
    return head, tail, whole


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


_GB_PAIR = re.compile(rb"[\x81-\xfe][\x30-\xfe]")


def _looks_chinese(data: bytes) -> bool:
    """GBK text is mostly GB2312 characters, whose two bytes are both >= 0xA1. Latin-1 text that
    happens to decode as GBK pairs an accented letter with a plain ASCII letter instead."""
    pairs = _GB_PAIR.findall(data)
    if not pairs:
        return False
    gb2312 = sum(1 for p in pairs if p[1] >= 0xA1)
    return gb2312 / len(pairs) >= 0.6


def _detect_encoding(head: bytes, tail: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(head, "utf-8") and _decodes(tail, "utf-8"):
        return "utf-8"
    if _decodes(head, "gb18030") and _decodes(tail, "gb18030") and _looks_chinese(head + tail):
        return "gb18030"
    if _decodes(head, "cp1252") and _decodes(tail, "cp1252"):
        return "cp1252"
    return "latin-1"


def _parse_rows(text: str, delimiter: str, limit: int = SNIFF_ROWS) -> list[tuple[int, list[str]]]:
    """(0-based first line, cells) for the first rows of ``text``, quotes respected."""
    out: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    start = 0
    try:
        for cells in reader:
            out.append((start, cells))
            start = reader.line_num
            if len(out) >= limit:
                break
    except csv.Error:
        pass  # an unterminated quote in the sample: judge what was read so far
    return out


def _width(cells: Sequence[str]) -> int:
    """Number of cells up to the last non-empty one (a trailing delimiter adds no column)."""
    n = len(cells)
    while n and not str(cells[n - 1]).strip():
        n -= 1
    return n


def _mode(values: Iterable[int]) -> int:
    counts: dict[int, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    if not counts:
        return 0
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]


_NUMBERLIKE = re.compile(r"^\s*[-+(]?\s*[¥￥$€£]?\s*[-+]?\d[\d.,\s]*%?\)?\s*$")


def _is_numberlike(cell: str) -> bool:
    return bool(_NUMBERLIKE.match(cell))


def _find_header(rows: list[list[str]], widths: list[int]) -> tuple[int, int, float]:
    """(index of the header row, its number of columns, consistency) for parsed rows. Title
    lines above the header (a report name, an export date) are narrower than the table and are
    skipped. Consistency scores the rows below the header: 1 for as many fields as the header,
    1/2 for fewer (an export that leaves out empty trailing cells), 0 for more."""
    nonblank = [i for i, w in enumerate(widths) if w > 0]
    if not nonblank:
        return 0, 0, 0.0
    # Judge the width from the lower part of the sample, below any title lines.
    body = nonblank[len(nonblank) // 4:] if len(nonblank) >= 8 else nonblank[len(nonblank) // 2:]
    m = _mode(widths[i] for i in body)
    if sum(1 for i in body if widths[i] == m) < 0.5 * len(body):
        # No common width (cells left out at the ends of lines, or a ragged file): the lower
        # quartile still tells a one-cell title line from the table.
        m = sorted(widths[i] for i in body)[len(body) // 4]
    header = nonblank[0]
    for i in nonblank:
        filled = sum(1 for c in rows[i][:m] if str(c).strip())
        if widths[i] >= m and filled >= max(1, (m + 1) // 2):
            header = i
            break
    equal, shorter, _longer = _fit_shares(rows, widths, header)
    return header, widths[header], equal + 0.5 * shorter


def _fit_shares(rows: list[list[str]], widths: list[int], header: int) -> tuple[float, float, float]:
    """Shares of the non-blank rows below ``header`` with as many fields as it, fewer, more.
    Empty trailing cells do not count as fields."""
    below = [i for i, w in enumerate(widths) if w > 0 and i > header]
    if not below:
        return 1.0, 0.0, 0.0
    fields, width = len(rows[header]), widths[header]
    equal = sum(1 for i in below if len(rows[i]) == fields or widths[i] == width)
    longer = sum(1 for i in below if widths[i] > max(width, 0) and len(rows[i]) > fields)
    n = len(below)
    return equal / n, (n - equal - longer) / n, longer / n


def _detect_delimiter(text: str) -> str:
    scores = _delimiter_scores(text)
    best = max(DELIMITERS, key=lambda d: scores[d])
    if scores[best][1] <= 1:
        # Nothing splits the lines: maybe columns separated by single spaces. Tried last,
        # because product names hold spaces too.
        space = _delimiter_scores(text, (" ",))[" "]
        if space[1] > 1 and space[0] >= 0.95:
            return " "
    return best


def _delimiter_scores(text: str, candidates: Iterable[str] = DELIMITERS) -> dict[str, tuple]:
    """How well each delimiter splits the sample into a table (higher is better)."""
    out = {}
    for d in candidates:
        parsed = _parse_rows(text, d)
        rows = [cells for _, cells in parsed]
        widths = [_width(c) for c in rows]
        header, m, consistency = _find_header(rows, widths)
        if m <= 1:
            score = (0.0, 0, 0)
        else:
            head_numeric = all(_is_numberlike(c) for c in rows[header][:m] if c.strip()) if rows else False
            # A wrong delimiter tends to give ragged rows, a late header or a header of numbers.
            score = (round(consistency - 0.02 * min(header, 10) - (0.3 if head_numeric else 0.0), 2), m,
                     -DELIMITERS.index(d) if d in DELIMITERS else -len(DELIMITERS))
        out[d] = score
    return out


_EU_GROUPED = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+,\d+$")
_EU_DECIMAL = re.compile(r"^[-+]?\d+,(\d{1,2}|\d{4,})$")
_US_GROUPED = re.compile(r"^[-+]?\d{1,3}(,\d{3})+\.\d+$")
_US_DECIMAL = re.compile(r"^[-+]?\d+\.(\d{1,2}|\d{4,})$")
_CURRENCY = re.compile(r"[¥￥$€£\s\u00a0]|RMB|CNY|USD|EUR|GBP|元")


def _detect_decimal(rows: list[list[str]]) -> tuple[str, str | None, int]:
    """(decimal mark, thousands separator or None, evidence) from data cells."""
    eu = us = eu_group = us_group = 0
    for cells in rows:
        for c in cells:
            c = _CURRENCY.sub("", c)
            if not c or not c[-1].isdigit():
                continue
            if _EU_GROUPED.match(c):
                eu += 1
                eu_group += 1
            elif _EU_DECIMAL.match(c):
                eu += 1
            elif _US_GROUPED.match(c):
                us += 1
                us_group += 1
            elif _US_DECIMAL.match(c):
                us += 1
    if eu > us:
        return ",", "." if eu_group else None, eu
    return ".", "," if us_group else None, us


def _resolve_decimal(opts: ImportOptions, rows: list[list[str]]) -> None:
    """Fill in the decimal mark and thousands separator the user left on auto."""
    dec, thou, _ = _detect_decimal(rows)
    if opts.decimal is None:
        opts.decimal = dec
    if opts.thousands is None:
        if opts.decimal == dec:
            opts.thousands = thou
        else:  # the user chose the other mark: its usual partner groups thousands
            opts.thousands = "." if opts.decimal == "," else None


def _decode_sample(head: bytes, tail: bytes, encoding: str, where: str) -> tuple[str, str]:
    enc = "utf-8-sig" if encoding.replace("_", "-").lower() in ("utf-8", "utf8") and head.startswith(codecs.BOM_UTF8) else encoding
    try:
        return head.decode(enc), tail.decode(enc) if tail else ""
    except UnicodeDecodeError as exc:
        guess = _detect_encoding(head, tail)
        raise DataError(f"the text cannot be read as {encoding} (byte {exc.start} of the sample is not valid)",
                        where=where, hint=f"Choose the encoding {guess} in the import options") from None


def _text_sniff(path: Path, opts: ImportOptions) -> _TextPlan:
    where = path.name
    if path.stat().st_size == 0:
        raise DataError("the file is empty (0 bytes)", where=where,
                        hint="Export the data from your shop system again and open the new file")
    kind, what = _content_kind(path)
    if kind == "binary":
        raise DataError(f"this is {what or 'a binary file'}, not a text table", where=where,
                        hint="Open the CSV or Excel export of your data instead")
    head, tail, whole = _read_sample(path)
    notes: list[str] = []
    opts = ImportOptions(**opts.to_dict())
    detected_enc = opts.encoding is None
    if detected_enc:
        opts.encoding = _detect_encoding(head, tail)
    text, _ = _decode_sample(head, tail, opts.encoding, where)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise DataError("the file holds no data (only blank lines)", where=where,
                        hint="Export the data from your shop system again and open the new file")
    if re.match(r"\s*<(!doctype\s+html|html|table|\?xml)", text[:2000], re.I):
        raise DataError("this is a web page or XML file, not a table of text", where=where,
                        hint="Open it in Excel and save it as .xlsx or CSV, then open that file")

    forced_delim = opts.delimiter is not None
    if not forced_delim:
        opts.delimiter = _detect_delimiter(text)
    parsed = _parse_rows(text, opts.delimiter)
    starts = [s for s, _ in parsed]
    rows = [cells for _, cells in parsed]
    widths = [_width(c) for c in rows]
    header_idx, m, consistency = _find_header(rows, widths)
    if opts.header_row is not None and opts.header_row >= 0:
        forced = bisect.bisect_left([s for s, _ in parsed], opts.header_row)
        if forced < len(rows):
            header_idx, m = forced, widths[forced]
    _, _, longer_share = _fit_shares(rows, widths, header_idx)
    list_file = opts.header_row is None and _looks_like_list_file(rows, widths, header_idx, m)
    nonblank_widths = [w for w in widths[header_idx:] if w > 0]
    widths_range = (min(nonblank_widths), max(nonblank_widths)) if nonblank_widths else (0, 0)

    if opts.header_row is None:
        opts.header_row = starts[header_idx] if rows else 0
        first = rows[header_idx][:m] if rows else []
        if first and all(_is_numberlike(c) or _looks_like_date_text(c) for c in first if c.strip()):
            # The first line is data (numbers or dates), so there is no header line.
            opts.header_row = -1 if header_idx == 0 else starts[header_idx]
            if opts.header_row == -1:
                notes.append("The first line holds data, not column names; the columns are named "
                             "column 1, column 2, ...")
    header_names = None
    data_rows = rows
    if opts.header_row >= 0:
        h = bisect.bisect_left(starts, opts.header_row)
        if h >= len(rows) and len(rows) >= SNIFF_ROWS:
            # A header chosen below the sampled rows: look at the lines from there on.
            below = _parse_rows("\n".join(text.split("\n")[opts.header_row:]), opts.delimiter)
            rows, h = [c for _, c in below], 0
        if h >= len(rows):
            raise DataError(f"there is no line {opts.header_row + 1} to use as the column names", where=where,
                            hint="Pick an earlier line for the column names")
        header_names = [c.strip() for c in rows[h]]
        data_rows = rows[h + 1:]

    _resolve_decimal(opts, data_rows[:SNIFF_ROWS])

    # IDs such as 00123 lose their leading zeros as numbers: keep those columns as text.
    text_columns: list[str] = []
    if header_names:
        seen = set()
        dup = {n for n in header_names if n in seen or seen.add(n)}
        for j, name in enumerate(header_names):
            if not name or name in dup:
                continue
            vals = [r[j].strip() for r in data_rows if len(r) > j and r[j].strip()]
            if any(len(v) > 1 and v[0] == "0" and v.isdigit() for v in vals):
                text_columns.append(name)

    enc_name = ENCODING_NAMES.get(opts.encoding.lower(), opts.encoding)
    hdr = "no header line" if opts.header_row < 0 else f"column names on line {opts.header_row + 1}"
    summary = (f"Read as {enc_name} text{' (detected)' if detected_enc else ''}, columns separated by "
               f"{DELIMITER_NAMES.get(opts.delimiter, repr(opts.delimiter))}, {hdr}")
    notes.insert(0, summary)
    if opts.header_row > 0:
        notes.append(f"Skipped {opts.header_row} line{'s' if opts.header_row != 1 else ''} above the column names")
    if opts.decimal == ",":
        notes.append("Numbers use a decimal comma (1.234,56 is read as 1234.56)")

    if forced_delim:
        scores = _delimiter_scores(text, set(DELIMITERS) | {opts.delimiter})
        other = max(DELIMITERS, key=lambda d: scores[d])
        if other != opts.delimiter and scores[other][1] > 1 and scores[other] > scores[opts.delimiter]:
            chosen, better = (DELIMITER_NAMES.get(x, repr(x)) for x in (opts.delimiter, other))
            first = (f"Only one column was found with the delimiter {chosen}" if m <= 1
                     else f"The delimiter {chosen} splits the lines unevenly")
            notes.append(f"{first}; the file seems to use {better}: choose that delimiter to split the columns")
    return _TextPlan(opts, notes, header_names, text_columns, longer_share, m, widths_range, len(rows),
                     head.isascii() and tail.isascii(), list_file)


def _looks_like_list_file(rows: list[list[str]], widths: list[int], header: int, m: int) -> bool:
    """One basket per line ("bread,milk" / "tea" / "bread,eggs,beer"): most lines are not as wide
    as the would-be header, and the header's cells turn up as values in other lines, which the
    names of a real table's columns do not."""
    body = [i for i, w in enumerate(widths) if w > 0 and i != header]
    if len(body) < 5 or m < 2:
        return False
    same = sum(1 for i in body if widths[i] == m) / len(body)
    head = {c.strip() for c in rows[header] if c.strip()}
    values = {c.strip() for i in body for c in rows[i] if c.strip()}
    return same < 0.6 and len(head & values) >= max(1, len(head) // 2)


def _read_text(path: Path, options: ImportOptions, progress: Progress, nrows: int | None) -> ImportResult:
    import pandas as pd

    where = path.name
    plan = _text_sniff(path, options)
    opts = plan.options
    notes = list(plan.notes)
    if options.header_row is not None and options.header_row >= 0 and plan.longer_share > 0.1:
        raise DataError(f"line {opts.header_row + 1}, chosen for the column names, has fewer columns "
                        f"({plan.width}) than the lines below it", where=where,
                        hint="Pick the line that holds the column names, or leave it on automatic")
    if plan.list_file or (plan.width > 1 and plan.sample_lines >= 5 and plan.longer_share > 0.1):
        # Lines of very different lengths: a list file (one basket per line, "bread,milk,eggs"),
        # not a table. Read every cell as text, one row per line, so nothing is lost.
        return _read_ragged(path, opts, notes, progress, nrows)
    size = max(path.stat().st_size, 1)
    kw: dict[str, Any] = dict(
        sep=opts.delimiter, encoding=opts.encoding, quotechar='"', decimal=opts.decimal,
        skip_blank_lines=True, on_bad_lines="warn", engine="c",
    )
    if opts.encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
        kw["encoding"] = "utf-8-sig"   # harmless without a BOM, strips one that is there
    if opts.header_row >= 0:
        kw.update(skiprows=opts.header_row, header=0)
    else:
        kw.update(header=None)
    if plan.text_columns:
        kw["dtype"] = {c: str for c in plan.text_columns}
    # Thousands separators are removed later, per column: pandas would also read 05.03.2024 as a
    # number when told that "." groups thousands.

    def run(encoding_errors: str = "strict"):
        chunks = []
        caught: list[str] = []
        with open(path, "rb") as fh, warnings.catch_warnings(record=True) as wlist:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            if nrows is not None:
                chunks.append(pd.read_csv(fh, nrows=nrows, encoding_errors=encoding_errors, **kw))
            else:
                progress.report(0.0, "Reading rows...")
                with pd.read_csv(fh, chunksize=CHUNK_ROWS, encoding_errors=encoding_errors, **kw) as reader:
                    for chunk in reader:
                        chunks.append(chunk)
                        progress.report(0.85 * min(fh.tell() / size, 1.0), "Reading rows...")
            caught = [str(w.message) for w in wlist if issubclass(w.category, pd.errors.ParserWarning)]
        return chunks, caught

    replaced = False
    switched = None
    try:
        try:
            chunks, bad_lines = run()
        except UnicodeDecodeError as exc:
            if options.encoding is not None:
                raise DataError(f"the text cannot be read as {opts.encoding} ({_short_decode(exc)})", where=where,
                                hint="Choose another encoding in the import options (for Chinese exports try gbk)") from None
            # The sample was plain ASCII, so it could not tell: judge by the bytes that failed.
            alt = _encoding_near(exc) if plan.plain_ascii else None
            if alt and alt != opts.encoding:
                try:
                    kw["encoding"] = alt
                    chunks, bad_lines = run()
                    switched, opts.encoding = alt, alt
                except UnicodeDecodeError:
                    kw["encoding"] = opts.encoding
            if switched is None:
                chunks, bad_lines = run("replace")
                replaced = True
    except DataError:
        raise
    except pd.errors.EmptyDataError:
        raise DataError("the file holds no table", where=where,
                        hint="Export the data from your shop system again and open the new file") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"the file could not be read as a table ({_first_line(exc)})", where=where,
                        hint="Check the delimiter in the import options; an unclosed quote \" can also cause this") from None
    except MemoryError:
        raise DataError("the file is too large for this computer's memory", where=where,
                        hint="Split it into smaller files (for example one per year)") from None

    frame = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
    del chunks
    if switched:
        notes[0] = notes[0].replace(notes[0].split(" text", 1)[0],
                                    f"Read as {ENCODING_NAMES.get(switched, switched)}", 1)
        notes.append(f"The first part of the file is plain ASCII; the later lines show it is "
                     f"{ENCODING_NAMES.get(switched, switched)}")
    if replaced:
        notes.append(f"Some characters could not be read as {ENCODING_NAMES.get(opts.encoding, opts.encoding)} "
                     f"and show as �; if text looks wrong, choose another encoding in the import options")
    if bad_lines:
        nums = [int(m.group(1)) for m in (re.search(r"line (\d+)", t) for t in bad_lines) if m]
        total_rows = len(frame) + len(nums)
        if len(nums) > max(10, 0.01 * total_rows):
            raise DataError(f"{len(nums)} lines have more columns than the header "
                            f"(lines {_list_nums(nums)})", where=where,
                            hint="Check the delimiter in the import options, or save the file again as CSV "
                                 "from a spreadsheet program")
        notes.append(f"Skipped {len(nums)} line{'s' if len(nums) != 1 else ''} with more columns than the header "
                     f"(line{'s' if len(nums) != 1 else ''} {_list_nums(nums)}); fix them in the file if they matter")

    frame = _tidy_columns(frame, opts.header_row < 0, notes)
    if len(frame) == 0:
        raise DataError("the file has column names but no data rows", where=where,
                        hint="Export the data again with the rows included")
    first_line = (opts.header_row + 2) if opts.header_row >= 0 else 1
    progress.report(0.87, "Reading dates and numbers...")
    notes.extend(_convert_columns(frame, opts, progress.sub(0.87, 1.0), first_line, "line"))
    rows_total = len(frame) if nrows is None or len(frame) < nrows else _count_lines(path, opts.header_row)
    progress.report(1.0, "Read")
    return ImportResult(frame=frame, options=opts, notes=notes, sheets=[], rows_total=rows_total)


def _read_ragged(path: Path, opts: ImportOptions, notes: list[str], progress: Progress,
                 nrows: int | None) -> ImportResult:
    """A file whose lines have different numbers of cells: each line becomes a row of text cells
    ``column_1..column_N`` (N the longest line), blanks after its last cell, no header line."""
    import csv

    import pandas as pd

    encoding = "utf-8-sig" if opts.encoding.replace("_", "-").lower() in ("utf-8", "utf8") else opts.encoding
    size = max(path.stat().st_size, 1)
    rows: list[list[str | None]] = []
    with open(path, "rb") as raw, open(raw.fileno(), encoding=encoding, errors="replace", newline="",
                                       closefd=False) as fh:
        for i, row in enumerate(csv.reader(fh, delimiter=opts.delimiter, quotechar='"')):
            cells = [c.strip() for c in row]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                rows.append([c or None for c in cells])
            if nrows is not None and len(rows) >= nrows:
                break
            if i % 20000 == 0:
                progress.report(0.9 * min(raw.tell() / size, 1.0), "Reading lines...")
    if not rows:
        raise DataError("the file has no data rows", where=path.name, hint="Export the data again with the rows included")
    width = max(len(r) for r in rows)
    frame = pd.DataFrame([r + [None] * (width - len(r)) for r in rows],
                         columns=[f"column_{i + 1}" for i in range(width)], dtype=object)
    lo = min(len(r) for r in rows)
    opts.header_row = -1
    notes.append(f"The lines have different numbers of cells (from {lo} to {width}), so the file was read as "
                 f"a list: one row per line, every cell as text, no column names. A file with one basket per "
                 f"line works like this in Basket rules; for a table, check the delimiter in the import options")
    progress.report(1.0, "Read")
    return ImportResult(frame=frame, options=opts, notes=notes, sheets=[], rows_total=len(frame))


def _count_lines(path: Path, header_row: int) -> int:
    """Data lines below the header: counted for files up to 256 MB (a fraction of a second),
    estimated from the first MiB for larger ones so the preview stays quick."""
    n = 0
    last = b""
    size = path.stat().st_size
    if size > 256 << 20:
        with open(path, "rb") as fh:
            head = fh.read(SAMPLE_BYTES)
        return max(0, round(size / max(len(head), 1) * head.count(b"\n")) - (header_row + 1))
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            n += block.count(b"\n")
            last = block[-1:]
    if last and last != b"\n":
        n += 1
    return max(0, n - (header_row + 1 if header_row >= 0 else 0))


def _encoding_near(exc: UnicodeDecodeError) -> str | None:
    """The encoding the bytes around a decoding error suggest, from whole lines near it."""
    data = exc.object
    if not isinstance(data, (bytes, bytearray)):
        return None
    lo = max(0, exc.start - 4096)
    hi = min(len(data), exc.start + 16384)
    window = bytes(data[lo:hi])
    if lo:
        window = window[window.find(b"\n") + 1:]
    if hi < len(data) and b"\n" in window:
        window = window[: window.rfind(b"\n") + 1]
    return _detect_encoding(window, b"")


def _short_decode(exc: UnicodeDecodeError) -> str:
    return f"byte {exc.object[exc.start:exc.start + 1]!r} at position {exc.start} is not valid"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _list_nums(nums: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in nums[:MAX_LISTED])
    return shown + (", ..." if len(nums) > MAX_LISTED else "")


def _tidy_columns(frame, no_header: bool, notes: list[str]):
    """Name columns the user can read: strip stray spaces, name unnamed ones, drop a trailing
    empty column that a delimiter at the end of every line creates."""
    names = []
    drop = []
    for j, c in enumerate(frame.columns):
        if no_header:
            names.append(f"column {j + 1}")
            continue
        name = str(c).strip() if not isinstance(c, str) else c.strip()
        if not name or re.fullmatch(r"Unnamed: \d+", name):
            if frame.iloc[:, j].isna().all():
                drop.append(j)
            name = f"column {j + 1}"
        names.append(name)
    # Two columns with one name would make roles ambiguous: number the repeats.
    seen: dict[str, int] = {}
    for j, n in enumerate(names):
        if n in seen:
            seen[n] += 1
            names[j] = f"{n} ({seen[n]})"
        else:
            seen[n] = 1
    frame.columns = names
    if drop:
        dropped = [names[j] for j in drop]
        frame = frame.drop(columns=dropped)
        notes.append(f"Dropped {len(drop)} empty column{'s' if len(drop) != 1 else ''} without a name")
    return frame


# ---------------------------------------------------------------------------------------------
# Column types: dates and numbers
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+|[^\x00-\x7f]+")
_DATE_WORDS = {"date", "time", "datetime", "timestamp", "day", "datum", "fecha", "created",
               "createdat", "updated", "dt", "ts", "week", "month", "period", "zeit"}
# Stricter for plain numbers read as Excel day numbers: "time on site" in seconds is no date.
_SERIAL_WORDS = {"date", "datetime", "timestamp", "day", "datum", "fecha", "created", "createdat", "dt"}
_DATE_CJK = ("日期", "时间", "時間", "月份", "下单", "付款时间", "创建")
_ID_WORDS = {"id", "no", "nr", "num", "number", "code", "sku", "order", "customer", "client", "user",
             "product", "item", "name", "phone", "tel", "mobile", "zip", "postcode", "postal", "ean",
             "upc", "isbn", "invoice", "receipt", "account", "member", "article", "barcode", "ref"}
_ID_CJK = ("号", "编", "码", "客户", "用户", "会员", "商品", "产品", "名", "电话", "手机", "邮编", "买家", "宝贝")


def _tokens(name: object) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(str(name))]


def _header_is_date(name: object) -> bool:
    text = str(name)
    if any(w in text for w in _DATE_CJK):
        return True
    toks = _tokens(text)
    return any(t in _DATE_WORDS or (t.endswith("date") and len(t) > 4) for t in toks)


def _header_is_serial_date(name: object) -> bool:
    text = str(name)
    if "日期" in text:
        return True
    return any(t in _SERIAL_WORDS or (t.endswith("date") and len(t) > 4) for t in _tokens(text))


def _header_is_id(name: object) -> bool:
    text = str(name)
    if any(w in text for w in _ID_CJK):
        return True
    return any(t in _ID_WORDS for t in _tokens(text))


_DATE_PREFILTER = re.compile(
    r"^\s*(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{8}(\D|$)"
    r"|\d{4}[-/.年]\d{1,2}月?\s*$"                               # a month: 2024-03, 2024年3月
    r"|\d{1,2}[- ][A-Za-z]{3,9}[- ,]+\d{2,4}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4})")   # 5-Mar-2024, Mar 5, 2024


def _looks_like_date_text(value: str) -> bool:
    return bool(_DATE_PREFILTER.match(value))


_TIME_SUFFIXES = ("", " %H:%M:%S", " %H:%M", "T%H:%M:%S")
_DATE_BASES = ("%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y.%m.%d", "%d-%m-%Y", "%m-%d-%Y",
               "%Y%m%d", "%Y年%m月%d日", "%d.%m.%y", "%d/%m/%y", "%m/%d/%y",
               "%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%b %d, %Y", "%B %d, %Y", "%d %B %Y")
_MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%Y.%m", "%Y年%m月")
_DATE_FORMATS = ("ISO8601",) + tuple(b + s for b in _DATE_BASES for s in _TIME_SUFFIXES) + _MONTH_FORMATS


def _to_datetime(values, fmt: str):
    import pandas as pd

    from pandas.api import types as pt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = pd.to_datetime(values, format=fmt, errors="coerce")
            if not pt.is_datetime64_any_dtype(out):
                raise ValueError("mixed time zones")
        except (ValueError, TypeError, OverflowError):
            # Mixed UTC offsets: read them all as UTC.
            try:
                out = pd.to_datetime(values, format=fmt, errors="coerce", utc=True)
            except (ValueError, TypeError, OverflowError):
                return pd.Series(pd.NaT, index=getattr(values, "index", None), dtype="datetime64[ns]")
    if getattr(out.dtype, "tz", None) is not None:
        # One zone: keep the shop's wall-clock time. Several: UTC (already converted).
        out = out.dt.tz_localize(None) if hasattr(out, "dt") else out.tz_localize(None)
    return out


def _twin_format(fmt: str) -> str | None:
    """The month/day swapped format of a day/month one (and back); None for unambiguous ones."""
    if fmt.startswith(("%d/", "%d-", "%m/", "%m-")):
        return fmt.replace("%d", "%X").replace("%m", "%d").replace("%X", "%m")
    return None


def _parse_dates(series) -> tuple["pd.Series", int, str | None]:
    """(parsed, unparseable count, a note about how they were read or None)."""
    import numpy as np
    import pandas as pd
    from pandas.api import types as pt

    s = series
    if pt.is_datetime64_any_dtype(s):
        if getattr(s.dtype, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        return s, 0, None
    notna = s.notna()
    if pt.is_bool_dtype(s):
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]"), int(notna.sum()), None
    if pt.is_numeric_dtype(s):
        vals = pd.to_numeric(s, errors="coerce")
        v = vals[notna]
        integral = bool(len(v)) and bool((v == np.floor(v)).all())
        if integral and len(v) and v.between(10000101, 99991231).mean() >= 0.5:
            parsed = pd.to_datetime(vals.astype("Int64").astype(str), format="%Y%m%d", errors="coerce")
            how = "as YYYYMMDD numbers"
        elif integral and len(v) and v.between(1000, 2200).all():
            parsed = pd.to_datetime(vals.astype("Int64").astype(str), format="%Y", errors="coerce")
            how = "as years (1 January of each)"
        else:
            ok = vals.where((vals >= 1) & (vals < 2958466))
            parsed = pd.to_datetime(ok, unit="D", origin="1899-12-30", errors="coerce")
            how = "as Excel day numbers"
        parsed.index = s.index
        parsed = parsed.astype("datetime64[ns]")
        return parsed, int((notna & parsed.isna()).sum()), how
    # Text: work on the distinct values (an orders file has few distinct dates per many rows).
    codes, uniques = pd.factorize(s)
    uniq = pd.Series([str(u).strip() for u in uniques], dtype=object)
    if len(uniq) == 0:
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]"), 0, None
    step = max(1, len(uniq) // 500)
    sample = uniq.iloc[::step]
    rates = []
    for fmt in _DATE_FORMATS:
        r = _to_datetime(sample, fmt).notna().mean()
        if r > 0:
            rates.append((r, fmt))
        if r == 1.0:
            # Every value fits: stop looking, except to learn whether day/month is ambiguous.
            twin = _twin_format(fmt)
            if twin and twin not in [f for _, f in rates]:
                rt = _to_datetime(sample, twin).notna().mean()
                if rt > 0:
                    rates.append((rt, twin))
            break
    how = None
    parsed_u = pd.Series(pd.NaT, index=uniq.index, dtype="datetime64[ns]")
    if rates:
        best_rate = max(r for r, _ in rates)
        order = [f for r, f in rates if r == best_rate] + [f for r, f in sorted(rates, key=lambda t: -t[0]) if r != best_rate]
        best = order[0]
        parsed_u = _to_datetime(uniq, best).astype("datetime64[ns]")
        for fmt in order[1:]:
            left = parsed_u.isna()
            if not left.any():
                break
            parsed_u[left] = _to_datetime(uniq[left], fmt).astype("datetime64[ns]")
        day_first = best.startswith(("%d/", "%d-"))
        month_first = best.startswith(("%m/", "%m-"))
        if day_first or month_first:
            twin = _twin_format(best)
            twin_rate = next((r for r, f in rates if f == twin), 0)
            if twin_rate == best_rate:
                how = ("as day/month/year (the values also fit month/day/year; check a few)" if day_first
                       else "as month/day/year (the values also fit day/month/year; check a few)")
    result = pd.Series(np.asarray(parsed_u, dtype="datetime64[ns]")[codes], index=s.index)
    result[codes < 0] = pd.NaT
    return result, int((notna & result.isna()).sum()), how


def _rows_note(mask, first_row: int, unit: str) -> str:
    import numpy as np

    idx = np.flatnonzero(np.asarray(mask))
    nums = [int(i) + first_row for i in idx[:MAX_LISTED]]
    more = ", ..." if len(idx) > MAX_LISTED else ""
    return f"{unit}{'s' if len(idx) != 1 else ''} " + ", ".join(map(str, nums)) + more


def _parse_numbers(series, decimal: str, thousands: str | None, percent: bool = False):
    """Read text numbers such as "¥1,234.50", "1.234,56 €", "(12.00)" -> float (NaN where not);
    with ``percent``, "12.5%" -> 0.125."""
    import pandas as pd

    s = series.astype("string").str.strip()
    s = s.str.replace(_CURRENCY, "", regex=True)
    if percent:
        s = s.str.replace(r"%$", "", regex=True)
    s = s.str.replace(r"^\((.*)\)$", r"-\1", regex=True)      # accounting negatives
    s = s.str.replace(r"^(.*\d)-$", r"-\1", regex=True)       # trailing minus (some ERP exports)
    if decimal == ",":
        grouped = s.str.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+(,\d+)?")
        s = s.where(~grouped.fillna(False), s.str.replace(".", "", regex=False))
        s = s.str.replace(",", ".", regex=False)
    else:
        sep = thousands if thousands and thousands != "." else ","
        grouped = s.str.fullmatch(r"[-+]?\d{1,3}(" + re.escape(sep) + r"\d{3})+(\.\d+)?")
        s = s.where(~grouped.fillna(False), s.str.replace(sep, "", regex=False))
    out = pd.to_numeric(s, errors="coerce").astype("float64")
    return out / 100.0 if percent else out


def _evenly(series, n: int = 2000):
    step = max(1, len(series) // n)
    return series.iloc[::step]


def _convert_columns(frame, opts: ImportOptions, progress: Progress, first_row: int, unit: str) -> list[str]:
    """Turn text that holds dates or numbers into real dates and numbers, in place. Returns notes.

    A column that is mostly numbers (at least 80%) with a few words in it becomes a number
    column: the cells that are not numbers are left empty, and a note names the column, how many
    cells, their first line numbers and their values, so nothing is dropped silently. (Keeping
    the original text beside the numbers would give every analysis two columns to choose from.)
    Columns named like identifiers (order, customer, product, SKU, 编号...) always stay text."""
    import numpy as np
    from pandas.api import types as pt

    notes: list[str] = []
    ncols = len(frame.columns)
    for j, col in enumerate(list(frame.columns)):
        progress.report(j / max(ncols, 1), "Reading dates and numbers...")
        s = frame[col]
        date_header = _header_is_date(col)
        id_header = _header_is_id(col)

        if pt.is_numeric_dtype(s) and not pt.is_bool_dtype(s):
            if not opts.parse_dates or not (date_header or (pt.is_integer_dtype(s) and not id_header)):
                continue
            notna = s.notna()
            n_values = int(notna.sum())
            v = s[notna]
            if n_values == 0:
                continue
            integral = pt.is_integer_dtype(s) or bool((v == np.floor(v)).all())
            if integral and v.between(19000101, 21001231).all():
                parsed, bad, _ = _parse_dates(s)
                # Without a date header, every value must be a real calendar date.
                if bad == 0 or (date_header and bad <= 0.1 * n_values):
                    frame[col] = parsed
                    notes.append(f"Read column {col} as dates written as numbers (YYYYMMDD)")
                    if bad:
                        notes.append(_bad_dates_note(col, bad, parsed.isna() & notna, first_row, unit))
            elif _header_is_serial_date(col) and v.between(20000, 80000).mean() >= 0.9:
                parsed, bad, _ = _parse_dates(s)
                frame[col] = parsed
                notes.append(f"Read column {col} as dates written as Excel day numbers")
                if bad:
                    notes.append(_bad_dates_note(col, bad, parsed.isna() & notna, first_row, unit))
            continue

        if not (pt.is_object_dtype(s) or pt.is_string_dtype(s)):
            continue
        # Decide on an evenly spread sample; look at the whole column only to convert it.
        sample = _evenly(s).dropna()
        if len(sample) < 50:
            sample = _evenly(s.dropna())
            if sample.empty:
                continue
        str_sample = sample.astype(str).str.strip()

        # Dates: a date-like header, or most values shaped like dates.
        if opts.parse_dates:
            shaped = str_sample.str.match(_DATE_PREFILTER).mean()
            is_python_dates = sample.map(lambda x: hasattr(x, "year") and hasattr(x, "month")).mean()
            if is_python_dates >= 0.5 or (date_header and shaped >= 0.5) or (shaped >= 0.9 and not id_header):
                notna = s.notna()
                n_values = int(notna.sum())
                parsed, bad, how = _parse_dates(s)
                if n_values and (n_values - bad) / n_values >= (0.5 if date_header else 0.9):
                    frame[col] = parsed
                    if how:
                        notes.append(f"Read the dates in column {col} {how}")
                    if bad:
                        notes.append(_bad_dates_note(col, bad, parsed.isna() & notna, first_row, unit))
                    continue

        # Numbers kept as text by the reader: currency signs, thousands separators, a few words.
        if id_header:
            continue
        decimal = opts.decimal or "."
        percent = bool(str_sample.str.endswith("%").mean() >= 0.8)
        num_sample = _parse_numbers(sample, decimal, opts.thousands, percent)
        rate = float(num_sample.notna().mean()) if len(sample) else 0.0
        if rate < 0.8:
            continue
        nums = _parse_numbers(s, decimal, opts.thousands, percent)
        notna = s.notna()
        n_values = int(notna.sum())
        bad_mask = notna & nums.isna()
        bad = int(bad_mask.sum())
        if bad and bad > 0.2 * n_values:
            continue
        frame[col] = nums if percent else _maybe_int(nums)
        if percent:
            notes.append(f"Read the percentages in column {col} as fractions (12.5% is 0.125)")
        if bad:
            bad_vals = s[bad_mask]
            shown = []
            for v in bad_vals.unique()[:MAX_LISTED]:
                shown.append(repr(str(v)))
            notes.append(f"{bad} value{'s' if bad != 1 else ''} in column {col} {'are' if bad != 1 else 'is'} "
                         f"not a number and {'were' if bad != 1 else 'was'} left empty "
                         f"({_rows_note(bad_mask, first_row, unit)}: {', '.join(shown)})")
    progress.report(1.0)
    return notes


def _maybe_int(nums):
    import numpy as np

    v = nums.to_numpy()
    if len(v) and not np.isnan(v).any() and np.all(v == np.floor(v)) and np.abs(v).max() < 2**53:
        return nums.astype("int64")
    return nums


def _bad_dates_note(col, bad: int, mask, first_row: int, unit: str) -> str:
    return (f"{bad} date{'s' if bad != 1 else ''} could not be read in column {col} "
            f"({_rows_note(mask, first_row, unit)}); left empty")


def _count_duplicates(frame) -> int:
    """How many rows repeat an earlier row exactly (what ``frame.duplicated().sum()`` gives).
    Builds the row key column by column, most varied first, and stops as soon as the key is
    unique: an orders table is usually unique after order id and product, so the remaining
    columns need not be hashed at all."""
    import numpy as np
    import pandas as pd

    n = len(frame)
    if n < 2 or frame.shape[1] == 0:
        return 0
    try:
        varied = sorted(frame.columns, key=lambda c: -_evenly(frame[c]).nunique(dropna=False))
        key = None
        distinct = 0
        for c in varied:
            codes, uniques = pd.factorize(frame[c], use_na_sentinel=False)
            codes = codes.astype(np.int64)
            if key is None:
                key, distinct = codes, len(uniques)
            else:
                # both factors are below n, so the product fits in int64 for any table in memory
                key, kuniq = pd.factorize(key * len(uniques) + codes)
                key = key.astype(np.int64)
                distinct = len(kuniq)
            if distinct == n:
                return 0
        return n - distinct
    except TypeError:  # unhashable cells (lists) from a plugin importer: compare as text
        return int(frame.astype(str).duplicated().sum())


def _quality_notes(frame, roles: Mapping[str, list[str]]) -> list[str]:
    """Things worth knowing before an analysis: returns, duplicated rows. Nothing is removed."""
    from pandas.api import types as pt

    notes = []
    qty = (roles.get("quantity") or [None])[0]
    if qty is not None and qty in frame.columns and pt.is_numeric_dtype(frame[qty]):
        neg = int((frame[qty] < 0).sum())
        if neg:
            notes.append(f"{neg} row{'s have' if neg != 1 else ' has'} a negative quantity in column {qty} "
                         f"(returns?); kept")
    if len(frame) > 1:
        dup = _count_duplicates(frame)
        if dup:
            notes.append(f"{dup} row{'s are exact duplicates' if dup != 1 else ' is an exact duplicate'} "
                         f"of an earlier row (kept); check the export if that is unexpected")
    return notes


# ---------------------------------------------------------------------------------------------
# Excel workbooks
# ---------------------------------------------------------------------------------------------

_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def _is_encrypted_ooxml(path: Path) -> bool:
    """A password-protected .xlsx is an OLE file holding an 'EncryptedPackage' stream."""
    with open(path, "rb") as fh:
        if fh.read(8) != _OLE:
            return False
        fh.seek(0)
        prev = b""
        for block in iter(lambda: fh.read(1 << 20), b""):
            if _ENCRYPTED in prev[-len(_ENCRYPTED):] + block:
                return True
            prev = block
    return False


def _protected_error(path: Path) -> DataError:
    return DataError("the workbook is protected with a password", where=path.name,
                     hint="Open it in Excel, remove the password (File > Info > Protect Workbook) and save it, "
                          "or save the sheet as CSV")


def _damaged_error(path: Path, detail: str) -> DataError:
    return DataError(f"the workbook cannot be opened; it seems damaged or incomplete ({detail})",
                     where=path.name,
                     hint="Open it in Excel and save it again, or export the sheet as CSV")


def _open_workbook(path: Path):
    import python_calamine as pc

    if path.stat().st_size == 0:
        raise DataError("the file is empty (0 bytes)", where=path.name,
                        hint="Export the data from your shop system again and open the new file")
    if _is_encrypted_ooxml(path):
        raise _protected_error(path)
    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise _protected_error(path) from None
    except Exception as exc:  # calamine raises several types (zip, xml, format) for broken files
        return _OpenpyxlBook.open(path, exc)


class _OpenpyxlBook:
    """The openpyxl fallback for .xlsx/.xlsm that calamine refuses, with calamine's interface."""

    def __init__(self, wb):
        self.wb = wb
        self.sheet_names = list(wb.sheetnames)

    @classmethod
    def open(cls, path: Path, first_error: BaseException):
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise _damaged_error(path, _first_line(first_error)) from None
        try:
            import openpyxl

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wb = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
        except Exception:
            raise _damaged_error(path, _first_line(first_error)) from None
        return cls(wb)

    def close(self) -> None:
        self.wb.close()   # a read-only openpyxl book keeps its file open until closed

    def rows(self, name: str, limit: int | None):
        ws = self.wb[name]
        out = []
        for row in ws.iter_rows(values_only=True):
            out.append(["" if v is None else v for v in row])
            if limit is not None and len(out) >= limit:
                break
        return out, ws.max_row


def _close(book) -> None:
    try:
        book.close()
    except Exception:  # closing twice, or a reader without close: nothing to release
        pass


def _sheet_rows(book, name: str, limit: int | None, progress: Progress) -> tuple[list[list], int]:
    """All (or the first ``limit``) rows of a sheet as lists, from row 1, and the sheet height."""
    if isinstance(book, _OpenpyxlBook):
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
            progress.report(0.7 * min(n / max(height, 1), 1.0), "Reading rows...")
    return out, height


def _pick_sheet(path: Path, book, sheet) -> tuple[str, str | None]:
    names = list(book.sheet_names)
    if not names:
        raise DataError("the workbook has no sheets", where=path.name, hint="Open it in Excel and check it")
    listing = ", ".join(repr(n) for n in names)
    if sheet is None:
        return names[0], None
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise UsageError(f"there is no sheet number {sheet + 1}", where=path.name,
                             hint=f"The workbook has the sheets {listing}")
        return names[sheet], None
    if sheet in names:
        return sheet, None
    low = {n.strip().lower(): n for n in names}
    if sheet.strip().lower() in low:
        return low[sheet.strip().lower()], None
    if sheet.strip().isdigit() and 1 <= int(sheet) <= len(names):
        return names[int(sheet) - 1], None
    raise UsageError(f"there is no sheet called {sheet!r}", where=path.name, hint=f"The workbook has the sheets {listing}")


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return str(v).strip()


def _excel_layout(rows: list[list], opts: ImportOptions, where: str) -> tuple[int, int]:
    """(header row, width) of a sheet's rows."""
    texts = [[_cell_text(v) for v in r] for r in rows[:SNIFF_ROWS]]
    widths = [_width(r) for r in texts]
    header, m, _ = _find_header(texts, widths)
    if opts.header_row is not None:
        header = opts.header_row
        if header >= 0:
            m = max(m, widths[header] if header < len(widths) else 0)
    return header, m


def _excel_sniff(path: Path, opts: ImportOptions) -> ImportOptions:
    book = _open_workbook(path)
    try:
        name, _ = _pick_sheet(path, book, opts.sheet)
        rows, _ = _sheet_rows(book, name, SNIFF_ROWS, Progress())
    finally:
        _close(book)
    out = ImportOptions(**opts.to_dict())
    out.sheet = name
    if out.header_row is None:
        out.header_row, _ = _excel_layout(rows, opts, path.name)
    return out


def _read_excel(path: Path, options: ImportOptions, progress: Progress, nrows: int | None) -> ImportResult:
    book = _open_workbook(path)
    try:
        return _read_book(path, book, options, progress, nrows)
    finally:
        _close(book)


def _read_book(path: Path, book, options: ImportOptions, progress: Progress, nrows: int | None) -> ImportResult:
    import pandas as pd

    where = path.name
    sheets = list(book.sheet_names)
    opts = ImportOptions(**options.to_dict())
    notes: list[str] = []
    name, _ = _pick_sheet(path, book, opts.sheet)
    progress.report(0.0, "Reading rows...")
    limit = None if nrows is None else nrows + SNIFF_ROWS
    rows, height = _sheet_rows(book, name, limit, progress)
    if opts.sheet is None and not any(_width([_cell_text(v) for v in r]) for r in rows[:SNIFF_ROWS]):
        # The first sheet is empty (a cover sheet?): use the first one with data.
        for other in sheets:
            if other == name:
                continue
            orows, oheight = _sheet_rows(book, other, limit, progress)
            if any(_width([_cell_text(v) for v in r]) for r in orows[:SNIFF_ROWS]):
                notes.append(f"Sheet {name!r} is empty; read sheet {other!r} instead")
                name, rows, height = other, orows, oheight
                break
    opts.sheet = name
    header, m = _excel_layout(rows, opts, where)
    if m == 0:
        raise DataError(f"sheet {name!r} is empty", where=where,
                        hint="Pick the sheet that holds the data" if len(sheets) > 1 else "Check the workbook in Excel")
    opts.header_row = header
    if header >= 0:
        header_cells = list(rows[header]) + [""] * max(0, m - len(rows[header]))
        names = [_cell_text(v) for v in header_cells[:m]]
        body = rows[header + 1:]
    else:
        names = [""] * m
        body = rows
    if nrows is not None:
        body = body[:nrows]
    # Trailing blank rows (formatting reaching below the data) are not data.
    while body and not any(_cell_text(v) for v in body[-1]):
        body.pop()
    data = [(list(r[:m]) + [""] * (m - len(r))) if len(r) < m else list(r[:m]) for r in body]
    progress.report(0.75, "Reading dates and numbers...")
    cols = {}
    for j in range(m):
        progress.check()
        cols[j] = _excel_column([r[j] for r in data])
    frame = pd.DataFrame(cols) if data else pd.DataFrame({j: pd.Series(dtype=object) for j in range(m)})
    frame.columns = names
    frame = _tidy_columns(frame, header < 0, notes)
    if len(frame) == 0:
        raise DataError(f"sheet {name!r} has column names but no data rows", where=where,
                        hint="Pick the sheet that holds the data" if len(sheets) > 1 else "Add the rows and save again")
    opts.encoding = None
    opts.delimiter = None
    # Numbers typed as text in a European Excel ("1.234,56") follow the same rules as in CSV.
    text_cells = [[v for v in r if isinstance(v, str)] for r in data[:SNIFF_ROWS]]
    _resolve_decimal(opts, text_cells)
    notes.insert(0, f"Read sheet {name!r} of {len(sheets)}" + (f", column names on row {header + 1}" if header >= 0 else ", no header row"))
    if header > 0:
        notes.append(f"Skipped {header} row{'s' if header != 1 else ''} above the column names")
    notes.extend(_convert_columns(frame, opts, progress.sub(0.8, 1.0), header + 2 if header >= 0 else 1, "row"))
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
        return _maybe_int(s)
    if kinds == {"date"}:
        return pd.to_datetime(pd.Series(vals, dtype=object), errors="coerce").astype("datetime64[ns]")
    if kinds == {"bool"} and len(present) == len(vals):
        return pd.Series(vals, dtype=bool)
    # Text, or a mix: keep the cells as they are; _convert_columns reads numbers/dates in text.
    out = [v.strip() if isinstance(v, str) else (v if v is None or isinstance(v, (int, float, _dt.date, _dt.datetime)) else str(v))
           for v in vals]
    return pd.Series(out, dtype=object)
