"""How to read a file (``ImportOptions``, stored in project files as JSON) and what reading it gave
(``ImportResult``: the table, the options as resolved, the notes)."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..i18n import _
from .formats import DELIMITER_WORDS

if TYPE_CHECKING:
    import pandas as pd


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
    # cancelled, closed, refunded and unpaid orders are left out of the sales unless this is set
    keep_cancelled: bool = False

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
            raise UsageError(_("import options must be a mapping of option names to values"), where=_("import options"))
        known = {f.name for f in fields(cls)}
        opts = cls(**{k: v for k, v in d.items() if k in known})
        opts.validate()
        return opts

    def validate(self) -> "ImportOptions":
        """Check and normalise the values (``"tab"`` -> ``"\\t"``); raise UsageError on nonsense."""
        where = _("import options")
        if self.encoding is not None:
            if not isinstance(self.encoding, str) or not self.encoding.strip():
                raise UsageError(_("the encoding must be a name such as utf-8 or gbk"), where=where)
            try:
                codecs.lookup(self.encoding.strip())
            except LookupError:
                raise UsageError(
                    _("unknown encoding {name}", name=repr(self.encoding)),
                    where=where,
                    hint=_("Use a name such as utf-8, gbk, gb18030, cp1252 or latin-1"),
                ) from None
            self.encoding = self.encoding.strip()
        if self.delimiter is not None:
            d = self.delimiter
            if isinstance(d, str) and d.strip().lower() in DELIMITER_WORDS:
                d = DELIMITER_WORDS[d.strip().lower()]
            if not isinstance(d, str) or len(d) != 1 or d in '\r\n"':
                raise UsageError(
                    _("the delimiter must be one character, not {value}", value=repr(self.delimiter)),
                    where=where,
                    hint=_("Use , ; | or tab"),
                )
            self.delimiter = d
        if self.header_row is not None:
            if isinstance(self.header_row, bool) or not isinstance(self.header_row, int) or self.header_row < -1:
                raise UsageError(
                    _(
                        "the header row must be a line number from 0 (or -1 for none), not {value}",
                        value=repr(self.header_row),
                    ),
                    where=where,
                )
        if self.decimal is not None and self.decimal not in (".", ","):
            raise UsageError(
                _("the decimal mark must be '.' or ',', not {value}", value=repr(self.decimal)), where=where
            )
        if self.thousands is not None and self.thousands != "":
            if not isinstance(self.thousands, str) or len(self.thousands) != 1:
                raise UsageError(
                    _("the thousands separator must be one character, not {value}", value=repr(self.thousands)),
                    where=where,
                )
        if self.thousands == "":
            self.thousands = None
        if self.decimal is not None and self.thousands == self.decimal:
            raise UsageError(_("the decimal mark and the thousands separator must differ"), where=where)
        if self.sheet is not None and (isinstance(self.sheet, bool) or not isinstance(self.sheet, (str, int))):
            raise UsageError(
                _("the sheet must be a name or a number, not {value}", value=repr(self.sheet)), where=where
            )
        if not isinstance(self.parse_dates, bool):
            raise UsageError(_("parse_dates must be true or false"), where=where)
        if not isinstance(self.keep_cancelled, bool):
            raise UsageError(_("keep_cancelled must be true or false"), where=where)
        return self


@dataclass
class ImportResult:
    frame: "pd.DataFrame"
    options: ImportOptions  # resolved: what was detected or used
    # what reading did, in words: Messages (rendered in the reader's language with i18n.text) or text
    notes: list[Any] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    # rows in the file below the header; exact after a full read and for Excel, counted from
    # line breaks in a text preview (a quoted cell spanning lines makes that count a little high)
    rows_total: int | None = None
    # the reader's group numbers of its text columns (notes.KnownCodes), for the duplicate count;
    # dropped once the import has used them
    text_codes: Any = field(default=None, repr=False, compare=False)
