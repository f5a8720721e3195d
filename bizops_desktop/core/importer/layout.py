"""How a text table is laid out: which delimiter splits it, which line holds the column names
(title lines above it are skipped), which decimal mark its numbers use, and from that the plan
for reading the whole file. All of it is judged on a sample of the file's first lines."""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError
from ..i18n import M, Message, Mn, _
from .convert import CURRENCY, looks_like_date_text
from .encoding import detect_encoding, guess_encoding, read_sample
from .formats import DELIMITERS, content_kind, delimiter_words, encoding_words
from .options import ImportOptions

SNIFF_ROWS = 300


@dataclass
class TextPlan:
    options: ImportOptions
    notes: list
    header_names: list[str] | None  # names as they appear on the header line (None: no header)
    text_columns: list[str]  # columns to keep as text (leading zeros: 00123)
    longer_share: float  # share of sampled rows with more fields than the header
    width: int  # expected number of columns
    widths: tuple[int, int]  # fewest / most columns seen in the sample
    sample_lines: int
    plain_ascii: bool  # the sampled bytes are all ASCII (any 8-bit encoding fits them)
    list_file: bool = False  # lines of different lengths whose cells recur: one list per line
    # the header line's cells as written (unstripped) and the sampled data lines below it, cell by
    # cell: what the Arrow reader types its columns from (see arrow_text)
    header_cells: list[str] | None = None
    data_rows: list[list[str]] | None = None


def parse_rows(text: str, delimiter: str, limit: int = SNIFF_ROWS) -> list[tuple[int, list[str]]]:
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


def row_width(cells: Sequence[str]) -> int:
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


def is_numberlike(cell: str) -> bool:
    return bool(_NUMBERLIKE.match(cell))


def find_header(rows: list[list[str]], widths: list[int]) -> tuple[int, int, float]:
    """(index of the header row, its number of columns, consistency) for parsed rows. Title
    lines above the header (a report name, an export date) are narrower than the table and are
    skipped. Consistency scores the rows below the header: 1 for as many fields as the header,
    1/2 for fewer (an export that leaves out empty trailing cells), 0 for more."""
    nonblank = [i for i, w in enumerate(widths) if w > 0]
    if not nonblank:
        return 0, 0, 0.0
    # Judge the width from the lower part of the sample, below any title lines.
    body = nonblank[len(nonblank) // 4 :] if len(nonblank) >= 8 else nonblank[len(nonblank) // 2 :]
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
    equal, shorter, _longer = fit_shares(rows, widths, header)
    return header, widths[header], equal + 0.5 * shorter


def fit_shares(rows: list[list[str]], widths: list[int], header: int) -> tuple[float, float, float]:
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


def detect_delimiter(text: str) -> str:
    scores = delimiter_scores(text)
    best = max(DELIMITERS, key=lambda d: scores[d])
    if scores[best][1] <= 1:
        # Nothing splits the lines: maybe columns separated by single spaces. Tried last,
        # because product names hold spaces too.
        space = delimiter_scores(text, (" ",))[" "]
        if space[1] > 1 and space[0] >= 0.95:
            return " "
    return best


def delimiter_scores(text: str, candidates: Iterable[str] = DELIMITERS) -> dict[str, tuple]:
    """How well each delimiter splits the sample into a table (higher is better)."""
    out = {}
    for d in candidates:
        parsed = parse_rows(text, d)
        rows = [cells for _, cells in parsed]
        widths = [row_width(c) for c in rows]
        header, m, consistency = find_header(rows, widths)
        if m <= 1:
            score = (0.0, 0, 0)
        else:
            head_numeric = all(is_numberlike(c) for c in rows[header][:m] if c.strip()) if rows else False
            # A wrong delimiter tends to give ragged rows, a late header or a header of numbers.
            score = (
                round(consistency - 0.02 * min(header, 10) - (0.3 if head_numeric else 0.0), 2),
                m,
                -DELIMITERS.index(d) if d in DELIMITERS else -len(DELIMITERS),
            )
        out[d] = score
    return out


_EU_GROUPED = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+,\d+$")
_EU_DECIMAL = re.compile(r"^[-+]?\d+,(\d{1,2}|\d{4,})$")
_US_GROUPED = re.compile(r"^[-+]?\d{1,3}(,\d{3})+\.\d+$")
_US_DECIMAL = re.compile(r"^[-+]?\d+\.(\d{1,2}|\d{4,})$")


def detect_decimal(rows: list[list[str]]) -> tuple[str, str | None, int]:
    """(decimal mark, thousands separator or None, evidence) from data cells."""
    eu = us = eu_group = us_group = 0
    for cells in rows:
        for c in cells:
            c = CURRENCY.sub("", c)
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


def resolve_decimal(opts: ImportOptions, rows: list[list[str]]) -> None:
    """Fill in the decimal mark and thousands separator the user left on auto."""
    dec, thou, _evidence = detect_decimal(rows)
    if opts.decimal is None:
        opts.decimal = dec
    if opts.thousands is None:
        if opts.decimal == dec:
            opts.thousands = thou
        else:  # the user chose the other mark: its usual partner groups thousands
            opts.thousands = "." if opts.decimal == "," else None


def decode_sample(head: bytes, tail: bytes, encoding: str, where: str) -> tuple[str, str]:
    enc = (
        "utf-8-sig"
        if encoding.replace("_", "-").lower() in ("utf-8", "utf8") and head.startswith(codecs.BOM_UTF8)
        else encoding
    )
    try:
        return head.decode(enc), tail.decode(enc) if tail else ""
    except UnicodeDecodeError as exc:
        guess = detect_encoding(head, tail)
        raise DataError(
            _(
                "the text cannot be read as {encoding} (byte {at} of the sample is not valid)",
                encoding=encoding,
                at=str(exc.start),
            ),
            where=where,
            hint=_("Choose the encoding {encoding} in the import options", encoding=guess),
        ) from None


def text_plan(path: Path, opts: ImportOptions) -> TextPlan:
    where = path.name
    if path.stat().st_size == 0:
        raise DataError(
            _("the file is empty (0 bytes)"),
            where=where,
            hint=_("Export the data from your shop system again and open the new file"),
        )
    kind, what = content_kind(path)
    if kind == "binary":
        raise DataError(
            _("this is {what}, not a text table", what=what) if what else _("this is a binary file, not a text table"),
            where=where,
            hint=_("Open the CSV or Excel export of your data instead"),
        )
    head, tail, whole = read_sample(path)
    notes: list = []
    opts = ImportOptions(**opts.to_dict())
    detected_enc = opts.encoding is None
    guessed = False
    if opts.encoding is None:
        opts.encoding, guessed = guess_encoding(head, tail)
    text, _tail = decode_sample(head, tail, opts.encoding, where)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise DataError(
            _("the file holds no data (only blank lines)"),
            where=where,
            hint=_("Export the data from your shop system again and open the new file"),
        )
    if re.match(r"\s*<(!doctype\s+html|html|table|\?xml)", text[:2000], re.I):
        raise DataError(
            _("this is a web page or XML file, not a table of text"),
            where=where,
            hint=_("Open it in Excel and save it as .xlsx or CSV, then open that file"),
        )

    forced_delim = opts.delimiter is not None
    if opts.delimiter is None:
        opts.delimiter = detect_delimiter(text)
    parsed = parse_rows(text, opts.delimiter)
    starts = [s for s, _ in parsed]
    rows = [cells for _, cells in parsed]
    widths = [row_width(c) for c in rows]
    header_idx, m, consistency = find_header(rows, widths)
    if opts.header_row is not None and opts.header_row >= 0:
        forced = bisect.bisect_left([s for s, _ in parsed], opts.header_row)
        if forced < len(rows):
            header_idx, m = forced, widths[forced]
    _equal, _shorter, longer_share = fit_shares(rows, widths, header_idx)
    list_file = opts.header_row is None and looks_like_list_file(rows, widths, header_idx, m)
    nonblank_widths = [w for w in widths[header_idx:] if w > 0]
    widths_range = (min(nonblank_widths), max(nonblank_widths)) if nonblank_widths else (0, 0)

    if opts.header_row is None:
        opts.header_row = starts[header_idx] if rows else 0
        first = rows[header_idx][:m] if rows else []
        if first and all(is_numberlike(c) or looks_like_date_text(c) for c in first if c.strip()):
            # The first line is data (numbers or dates), so there is no header line.
            opts.header_row = -1 if header_idx == 0 else starts[header_idx]
            if opts.header_row == -1:
                # the generated names are data (stable in every language: a script's --role uses them)
                notes.append(
                    M(
                        "The first line holds data, not column names; the columns are named {first}, {second}, ...",
                        first="column 1",
                        second="column 2",
                    )
                )
    header_names = None
    header_cells = None
    data_rows = rows
    if opts.header_row >= 0:
        h = bisect.bisect_left(starts, opts.header_row)
        if h >= len(rows) and len(rows) >= SNIFF_ROWS:
            # A header chosen below the sampled rows: look at the lines from there on.
            below = parse_rows("\n".join(text.split("\n")[opts.header_row :]), opts.delimiter)
            rows, h = [c for _, c in below], 0
        if h >= len(rows):
            raise DataError(
                _("there is no line {line} to use as the column names", line=opts.header_row + 1),
                where=where,
                hint=_("Pick an earlier line for the column names"),
            )
        header_cells = list(rows[h])
        header_names = [c.strip() for c in header_cells]
        data_rows = rows[h + 1 :]

    resolve_decimal(opts, data_rows[:SNIFF_ROWS])

    # IDs such as 00123 lose their leading zeros as numbers: keep those columns as text.
    text_columns: list[str] = []
    if header_names:
        dup = {n for n, k in Counter(header_names).items() if k > 1}
        for j, name in enumerate(header_names):
            if not name or name in dup:
                continue
            vals = [r[j].strip() for r in data_rows if len(r) > j and r[j].strip()]
            # 18-19 digit order numbers (Taobao, Douyin) stay exact text too, never a number that a
            # blank cell would turn into a float
            if any((len(v) > 1 and v[0] == "0" or len(v) >= 16) and v.isdigit() for v in vals):
                text_columns.append(name)

    enc_name = encoding_words(opts.encoding)
    notes.insert(
        0,
        read_as_note(
            enc_name,
            "guessed" if guessed else "detected" if detected_enc else "chosen",
            delimiter_words(opts.delimiter),
            opts.header_row,
        ),
    )
    if guessed:
        notes.insert(1, guess_note(enc_name))
    if opts.header_row > 0:
        notes.append(
            Mn("Skipped {n} line above the column names", "Skipped {n} lines above the column names", opts.header_row)
        )
    if opts.decimal == ",":
        notes.append(M("Numbers use a decimal comma (1.234,56 is read as 1234.56)"))

    if forced_delim:
        scores = delimiter_scores(text, set(DELIMITERS) | {opts.delimiter})
        other = max(DELIMITERS, key=lambda d: scores[d])
        if other != opts.delimiter and scores[other][1] > 1 and scores[other] > scores[opts.delimiter]:
            chosen, better = (delimiter_words(x) for x in (opts.delimiter, other))
            if m <= 1:
                notes.append(
                    M(
                        "Only one column was found with the delimiter {chosen}; the file seems to use "
                        "{better}: choose that delimiter to split the columns",
                        chosen=chosen,
                        better=better,
                    )
                )
            else:
                notes.append(
                    M(
                        "The delimiter {chosen} splits the lines unevenly; the file seems to use {better}: "
                        "choose that delimiter to split the columns",
                        chosen=chosen,
                        better=better,
                    )
                )
    return TextPlan(
        opts,
        notes,
        header_names,
        text_columns,
        longer_share,
        m,
        widths_range,
        len(rows),
        head.isascii() and tail.isascii(),
        list_file,
        header_cells,
        data_rows,
    )


def looks_like_list_file(rows: list[list[str]], widths: list[int], header: int, m: int) -> bool:
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


def guess_note(name) -> Message:
    return M(
        "The file does not say how its text is stored; {encoding} is a guess from its bytes. If names "
        "look wrong, choose the encoding in the import options",
        encoding=name,
    )


def read_as_note(encoding, how: str, delimiter, header_row: int) -> Message:
    """The first note of a text import: "Read as UTF-8 text (detected), columns separated by comma,
    column names on line 1". ``how``: detected | guessed | chosen (by the user)."""
    header = M("no header line") if header_row < 0 else M("column names on line {line}", line=header_row + 1)
    if how == "detected":
        return M(
            "Read as {encoding} text (detected), columns separated by {delimiter}, {header}",
            encoding=encoding,
            delimiter=delimiter,
            header=header,
        )
    if how == "guessed":
        return M(
            "Read as {encoding} text (guessed), columns separated by {delimiter}, {header}",
            encoding=encoding,
            delimiter=delimiter,
            header=header,
        )
    return M(
        "Read as {encoding} text, columns separated by {delimiter}, {header}",
        encoding=encoding,
        delimiter=delimiter,
        header=header,
    )
