"""Which files the importer reads: the one list of file extensions, text encodings and delimiters
with the names people read, the importer registry, and telling a workbook from text by its bytes.
Pure strings and bytes: the file dialog's filter is built here too, without Qt."""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DataError, UsageError
from ..i18n import LazyText, Message, _, _l

if TYPE_CHECKING:
    from ..progress import Progress
    from .options import ImportOptions, ImportResult

TEXT_EXTENSIONS = (".csv", ".tsv", ".txt", ".tab")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

# The encodings offered in the import options, in the order shown, with the names people read
# (lazy texts: ``str(name)`` in the current language).
ENCODINGS: tuple[tuple[str, LazyText | str], ...] = (
    ("utf-8", "UTF-8"),
    ("gb18030", _l("GBK/GB18030 (Chinese)")),
    ("gbk", _l("GBK (Chinese)")),
    ("big5", _l("Big5 (Traditional Chinese)")),
    ("euc_kr", _l("EUC-KR (Korean)")),
    ("shift_jis", _l("Shift-JIS (Japanese)")),
    ("cp1252", _l("Windows-1252 (Western European)")),
    ("cp1251", _l("Windows-1251 (Cyrillic)")),
    ("latin-1", "Latin-1 (ISO-8859-1)"),
    ("utf-16", "UTF-16"),
)
# ... and the names of those that detection may pick without the list offering them.
ENCODING_NAMES: dict[str, LazyText | str] = dict(ENCODINGS) | {
    "utf-8-sig": _l("UTF-8 (with BOM)"),
    "cp950": _l("Big5 (Traditional Chinese)"),
    "big5hkscs": _l("Big5-HKSCS (Traditional Chinese, Hong Kong)"),
    "cp949": _l("EUC-KR (Korean)"),
    "cp932": _l("Shift-JIS (Japanese)"),
    "euc_jp": _l("EUC-JP (Japanese)"),
    "cp1250": _l("Windows-1250 (Central European)"),
    "koi8-r": _l("KOI8-R (Russian)"),
    "iso8859-1": "Latin-1 (ISO-8859-1)",
}

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES: dict[str, LazyText] = {
    ",": _l("comma"),
    ";": _l("semicolon"),
    "\t": _l("tab"),
    "|": _l("vertical bar"),
    " ": _l("space"),
}
DELIMITER_WORDS = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|", "bar": "|", "space": " "}


def _known_name(encoding: str) -> LazyText | str:
    key = encoding.strip().lower()
    if key in ENCODING_NAMES:
        return ENCODING_NAMES[key]
    try:
        canonical = codecs.lookup(key).name
    except LookupError:
        return encoding
    return ENCODING_NAMES.get(canonical, encoding)


def encoding_name(encoding: str | None) -> str | None:
    """The name people read for a codec name, whichever spelling it has ("EUC-KR", "euc_kr"), in
    the current language."""
    if not encoding:
        return encoding
    return str(_known_name(encoding))


def as_message(name: LazyText | str) -> Message | str:
    """A lazy name as a message to keep in a note (rendered in the reader's language when shown)."""
    return Message(name.domain, name.msgid) if isinstance(name, LazyText) else name


def encoding_words(encoding: str | None) -> Message | str:
    """An encoding's name for a note: rendered in the language of whoever reads the note."""
    return as_message(_known_name(encoding)) if encoding else str(encoding)


def delimiter_words(delimiter: str | None) -> Message | str:
    """A delimiter's name for a note ("comma"), or the character itself in quotes."""
    name = DELIMITER_NAMES.get(delimiter) if delimiter is not None else None
    return as_message(name) if name is not None else repr(delimiter)


# ---------------------------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------------------------

ReadFunc = Callable[[Path, "ImportOptions", "Progress", "int | None"], "ImportResult"]


@dataclass
class Importer:
    """A file reader in the registry. Plugins add more through ``bizops_register_importers``."""

    id: str
    title: LazyText | str
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
        Importer("csv", _l("Text table (CSV, TSV, TXT)"), TEXT_EXTENSIONS, read_text),
        Importer("excel", _l("Excel workbook (XLSX, XLSM, XLS, XLSB, ODS)"), EXCEL_EXTENSIONS, read_excel),
    ]


def data_extensions(importers: Sequence[Importer] = ()) -> tuple[str, ...]:
    """Every file extension that can be opened as data: the built-in ones, then those of the
    plugin importers (``Registry.importers``), each once, as ".csv"."""
    out: list[str] = []
    for imp in builtin_importers() + list(importers or ()):
        out.extend(s for s in imp.suffixes() if s not in out)
    return tuple(out)


def file_dialog_filter(importers: Sequence[Importer] = ()) -> str:
    """The Open data dialog's filter in Qt's form: ``"Data files (*.csv *.tsv ...);;All files (*)"``,
    the names in the current language."""
    patterns = " ".join("*" + s for s in data_extensions(importers))
    return _("Data files ({patterns})", patterns=patterns) + ";;" + _("All files ({patterns})", patterns="*")


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
        return by_id["csv"]  # many shop systems save tab-separated text under an .xls name
    if chosen is not None:
        return chosen
    if kind == "excel":
        return by_id["excel"]
    if kind == "text":
        return by_id["csv"]
    hint = _("Save the data as CSV or Excel (.xlsx) and open that file")
    if what and ext:
        raise DataError(
            _("this is {what}, not a table; {ext} files cannot be read", what=what, ext=repr(ext)),
            where=path.name,
            hint=hint,
        )
    if what:
        raise DataError(
            _("this is {what}, not a table; files without an extension cannot be read", what=what),
            where=path.name,
            hint=hint,
        )
    if ext:
        raise DataError(_("{ext} files cannot be read", ext=repr(ext)), where=path.name, hint=hint)
    raise DataError(_("files without an extension cannot be read"), where=path.name, hint=hint)


# ---------------------------------------------------------------------------------------------
# The file itself: there, a file, and what its first bytes say it is
# ---------------------------------------------------------------------------------------------


def existing_file(path) -> Path:
    if isinstance(path, (bytes, bytearray)):
        raise UsageError(_("the file name must be text"), where=repr(path))
    import stat

    p = Path(path).expanduser()
    try:
        st = p.stat()
    except FileNotFoundError:
        raise DataError(
            _("the file does not exist"),
            where=str(p),
            hint=_("Check the name and folder, or pick the file again with Open data"),
        ) from None
    except (OSError, ValueError) as e:  # a name too long, a NUL in it, a folder we may not enter...
        raise DataError(
            _("the file cannot be reached ({error})", error=getattr(e, "strerror", None) or e),
            where=str(p)[:300],
            hint=_("Check the name and folder"),
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise DataError(_("this is a folder, not a file"), where=str(p), hint=_("Pick a CSV or Excel file inside it"))
    if not stat.S_ISREG(st.st_mode):  # a pipe or a device would block the reader forever
        raise DataError(
            _("this is not a regular file (a pipe or a device)"), where=str(p), hint=_("Save the data to a file first")
        )
    if not os.access(p, os.R_OK):
        raise DataError(
            _("you may not read this file"), where=str(p), hint=_("Check its permissions, or copy it somewhere you own")
        )
    return p


_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", _l("a PNG image")),
    (b"\xff\xd8\xff", _l("a JPEG image")),
    (b"GIF8", _l("a GIF image")),
    (b"%PDF", _l("a PDF document")),
    (b"\x1f\x8b", _l("a gzip archive")),
    (b"7z\xbc\xaf\x27\x1c", _l("a 7-Zip archive")),
    (b"Rar!", _l("a RAR archive")),
    (b"SQLite format 3\x00", _l("an SQLite database (a .bizops project?)")),
)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


def content_kind(path: Path) -> tuple[str, LazyText | None]:
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
        return "binary", _l("a ZIP archive")
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
