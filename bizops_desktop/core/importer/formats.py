"""Which files the importer reads: the one list of file extensions, text encodings and delimiters
with the names people read, the importer registry, and telling a workbook from text by its bytes.
Pure strings and bytes: the file dialog's filter is built here too, without Qt."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from ..errors import DataError, UsageError

if TYPE_CHECKING:
    from ..progress import Progress
    from .options import ImportOptions, ImportResult

TEXT_EXTENSIONS = (".csv", ".tsv", ".txt", ".tab")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

# The encodings offered in the import options, in the order shown, with the names people read.
ENCODINGS: tuple[tuple[str, str], ...] = (
    ("utf-8", "UTF-8"),
    ("gb18030", "GBK/GB18030 (Chinese)"),
    ("gbk", "GBK (Chinese)"),
    ("big5", "Big5 (Traditional Chinese)"),
    ("euc_kr", "EUC-KR (Korean)"),
    ("shift_jis", "Shift-JIS (Japanese)"),
    ("cp1252", "Windows-1252 (Western European)"),
    ("cp1251", "Windows-1251 (Cyrillic)"),
    ("latin-1", "Latin-1 (ISO-8859-1)"),
    ("utf-16", "UTF-16"),
)
# ... and the names of those that detection may pick without the list offering them.
ENCODING_NAMES: dict[str, str] = dict(ENCODINGS) | {
    "utf-8-sig": "UTF-8 (with BOM)",
    "cp950": "Big5 (Traditional Chinese)",
    "big5hkscs": "Big5-HKSCS (Traditional Chinese, Hong Kong)",
    "cp949": "EUC-KR (Korean)",
    "cp932": "Shift-JIS (Japanese)",
    "euc_jp": "EUC-JP (Japanese)",
    "cp1250": "Windows-1250 (Central European)",
    "koi8-r": "KOI8-R (Russian)",
    "iso8859-1": "Latin-1 (ISO-8859-1)",
}

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar", " ": "space"}
DELIMITER_WORDS = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|",
                   "bar": "|", "space": " "}


def encoding_name(encoding: str | None) -> str | None:
    """The name people read for a codec name, whichever spelling it has ("EUC-KR", "euc_kr")."""
    if not encoding:
        return encoding
    key = encoding.strip().lower()
    if key in ENCODING_NAMES:
        return ENCODING_NAMES[key]
    try:
        canonical = codecs.lookup(key).name
    except LookupError:
        return encoding
    return ENCODING_NAMES.get(canonical, encoding)


# ---------------------------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------------------------

ReadFunc = Callable[[Path, "ImportOptions", "Progress", "int | None"], "ImportResult"]


@dataclass
class Importer:
    """A file reader in the registry. Plugins add more through ``bizops_register_importers``."""

    id: str
    title: str
    extensions: tuple[str, ...]
    read: ReadFunc

    def handles(self, ext: str) -> bool:
        ext = ext.lower()
        return any(ext == suffix for suffix in self.suffixes())

    def suffixes(self) -> tuple[str, ...]:
        """The extensions as ".csv" (a plugin may write "csv" or ".CSV")."""
        return tuple(e.lower() if e.startswith(".") else "." + e.lower() for e in self.extensions)


def builtin_importers() -> list[Importer]:
    from .excel import read_excel
    from .text import read_text

    return [
        Importer("csv", "Text table (CSV, TSV, TXT)", TEXT_EXTENSIONS, read_text),
        Importer("excel", "Excel workbook (XLSX, XLSM, XLS, XLSB, ODS)", EXCEL_EXTENSIONS, read_excel),
    ]


def data_extensions(importers: Sequence[Importer] = ()) -> tuple[str, ...]:
    """Every file extension that can be opened as data: the built-in ones, then those of the
    plugin importers (``Registry.importers``), each once, as ".csv"."""
    out: list[str] = []
    for imp in builtin_importers() + list(importers or ()):
        out.extend(s for s in imp.suffixes() if s not in out)
    return tuple(out)


def file_dialog_filter(importers: Sequence[Importer] = ()) -> str:
    """The Open data dialog's filter in Qt's form: ``"Data files (*.csv *.tsv ...);;All files (*)"``."""
    return "Data files (" + " ".join("*" + s for s in data_extensions(importers)) + ");;All files (*)"


def importer_for(path, extra: Sequence[Importer] = ()) -> Importer:
    """The importer for a file: by extension, then by what the content looks like. A workbook
    saved under a text name (or a text table under an odd name) is still read by the right one."""
    path = existing_file(path)
    importers = builtin_importers() + list(extra or ())
    by_id = {imp.id: imp for imp in importers[:2]}
    kind, what = content_kind(path)
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


# ---------------------------------------------------------------------------------------------
# The file itself: there, a file, and what its first bytes say it is
# ---------------------------------------------------------------------------------------------

def existing_file(path) -> Path:
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
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


def content_kind(path: Path) -> tuple[str, str | None]:
    """('excel'|'text'|'binary'|'empty', what it looks like) from the first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if not head:
        return "empty", None
    if head.startswith(OLE):
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
