"""Reading a text table (CSV, TSV, TXT) as its layout plan says: in chunks, with progress by
bytes read and Cancel between chunks; a list file (one basket per line) row by row."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

from ..errors import DataError, first_line
from ..i18n import M, Message, Mn, _, _n
from ..progress import Progress
from .arrow_text import NotForArrow, read_arrow
from .convert import convert_columns, tidy_columns
from .encoding import SAMPLE_BYTES, encoding_near
from .formats import encoding_words
from .layout import text_plan
from .notes import list_nums
from .options import ImportOptions, ImportResult

CHUNK_ROWS = 100_000  # about 0.1-0.2 s of parsing: Cancel is honoured well within a second


def read_text(path: Path, options: ImportOptions, progress: Progress, nrows: int | None) -> ImportResult:
    import pandas as pd

    where = path.name
    plan = text_plan(path, options)
    opts = plan.options
    # text_plan resolves what "detect" (None) left open
    assert opts.encoding is not None and opts.delimiter is not None and opts.header_row is not None
    notes = list(plan.notes)
    check_width(max(plan.width, plan.widths[1]), where)
    if options.header_row is not None and options.header_row >= 0 and plan.longer_share > 0.1:
        raise DataError(
            _(
                "line {line}, chosen for the column names, has fewer columns ({n}) than the lines below it",
                line=opts.header_row + 1,
                n=plan.width,
            ),
            where=where,
            hint=_("Pick the line that holds the column names, or leave it on automatic"),
        )
    if plan.list_file or (plan.width > 1 and plan.sample_lines >= 5 and plan.longer_share > 0.1):
        # Lines of very different lengths: a list file (one basket per line, "bread,milk,eggs"),
        # not a table. Read every cell as text, one row per line, so nothing is lost.
        return _read_ragged(path, opts, notes, progress, nrows)
    size = max(path.stat().st_size, 1)
    kw: dict[str, Any] = dict(
        sep=opts.delimiter,
        encoding=opts.encoding,
        quotechar='"',
        decimal=opts.decimal,
        skip_blank_lines=True,
        on_bad_lines="warn",
        engine="c",
    )
    if opts.encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
        kw["encoding"] = "utf-8-sig"  # harmless without a BOM, strips one that is there
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
                progress.report(0.0, _("Reading rows..."))
                with pd.read_csv(fh, chunksize=CHUNK_ROWS, encoding_errors=encoding_errors, **kw) as reader:
                    for chunk in reader:
                        chunks.append(chunk)
                        progress.report(0.85 * min(fh.tell() / size, 1.0), _("Reading rows..."))
            caught = [str(w.message) for w in wlist if issubclass(w.category, pd.errors.ParserWarning)]
        return chunks, caught

    replaced = False
    switched = None
    alt_guessed = False
    bad_lines: list[str] = []
    frame = None
    known = None
    try:
        frame, known = read_arrow(path, plan, opts, progress, nrows)
    except NotForArrow:
        pass  # the pandas reader below says what is wrong with the file, or reads what Arrow would not
    except MemoryError:
        raise DataError(
            _("the file is too large for this computer's memory"),
            where=where,
            hint=_("Split it into smaller files (for example one per year)"),
        ) from None
    if frame is None:
        try:
            try:
                chunks, bad_lines = run()
            except UnicodeDecodeError as exc:
                if options.encoding is not None:
                    raise DataError(
                        _(
                            "the text cannot be read as {encoding} ({problem})",
                            encoding=opts.encoding,
                            problem=_short_decode(exc),
                        ),
                        where=where,
                        hint=_("Choose another encoding in the import options (for Chinese exports try gbk)"),
                    ) from None
                # The sample was plain ASCII, so it could not tell: judge by the bytes that failed.
                alt, alt_guessed = (encoding_near(exc) if plan.plain_ascii else None) or (None, False)
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
            raise DataError(
                _("the file holds no table"),
                where=where,
                hint=_("Export the data from your shop system again and open the new file"),
            ) from None
        except (pd.errors.ParserError, SystemError, OverflowError, ValueError) as exc:
            # pandas' C parser also raises SystemError on some broken bytes after very wide lines
            raise DataError(
                _("the file could not be read as a table ({error})", error=first_line(exc, with_type=False)),
                where=where,
                hint=_('Check the delimiter in the import options; an unclosed quote " can also cause this'),
            ) from None
        except MemoryError:
            raise DataError(
                _("the file is too large for this computer's memory"),
                where=where,
                hint=_("Split it into smaller files (for example one per year)"),
            ) from None

        frame = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
        del chunks
    if switched:
        name = encoding_words(switched)
        if isinstance(notes[0], Message) and "encoding" in notes[0].values:  # the "Read as ..." summary
            notes[0].values["encoding"] = name
        if alt_guessed:
            notes.append(
                M(
                    "The first part of the file is plain ASCII; the later lines show it is {encoding} (a "
                    "guess from their bytes; if names look wrong, choose the encoding in the import "
                    "options)",
                    encoding=name,
                )
            )
        else:
            notes.append(
                M("The first part of the file is plain ASCII; the later lines show it is {encoding}", encoding=name)
            )
    if replaced:
        notes.append(
            M(
                "Some characters could not be read as {encoding} and show as �; if text looks wrong, "
                "choose another encoding in the import options",
                encoding=encoding_words(opts.encoding),
            )
        )
    if bad_lines:
        nums = [int(m.group(1)) for m in (re.search(r"line (\d+)", t) for t in bad_lines) if m]
        total_rows = len(frame) + len(nums)
        if len(nums) > max(10, 0.01 * total_rows):
            raise DataError(
                _n(
                    "{n} line has more columns than the header (line {lines})",
                    "{n} lines have more columns than the header (lines {lines})",
                    len(nums),
                    lines=list_nums(nums),
                ),
                where=where,
                hint=_(
                    "Check the delimiter in the import options, or save the file again as CSV "
                    "from a spreadsheet program"
                ),
            )
        notes.append(
            Mn(
                "Skipped {n} line with more columns than the header (line {lines}); fix it in the file if it matters",
                "Skipped {n} lines with more columns than the header (lines {lines}); fix them in the "
                "file if they matter",
                len(nums),
                lines=list_nums(nums),
            )
        )

    frame = tidy_columns(frame, opts.header_row < 0, notes)
    if len(frame) == 0:
        raise DataError(
            _("the file has column names but no data rows"),
            where=where,
            hint=_("Export the data again with the rows included"),
        )
    first_row = (opts.header_row + 2) if opts.header_row >= 0 else 1
    progress.report(0.87, _("Reading dates and numbers..."))
    notes.extend(convert_columns(frame, opts, progress.sub(0.87, 1.0), first_row, "line"))
    rows_total = len(frame) if nrows is None or len(frame) < nrows else _count_lines(path, opts.header_row)
    progress.report(1.0, _("Read"))
    return ImportResult(frame=frame, options=opts, notes=notes, sheets=[], rows_total=rows_total, text_codes=known)


# More columns than any shop export has: a file that is not a table (or a wrong delimiter). Past
# this the parser's time and memory grow with columns × rows for nothing (40,000 took 97 s).
MAX_COLUMNS = 5000


def check_width(n: int, where: str) -> None:
    if n > MAX_COLUMNS:
        raise DataError(
            _("the file has {n:int} columns; at most {max:int} can be read", n=n, max=MAX_COLUMNS),
            where=where,
            hint=_("Check the delimiter in the import options; is this really a table?"),
        )


def _read_ragged(path: Path, opts: ImportOptions, notes: list, progress: Progress, nrows: int | None) -> ImportResult:
    """A file whose lines have different numbers of cells: each line becomes a row of text cells
    ``column_1..column_N`` (N the longest line), blanks after its last cell, no header line."""
    import csv

    import pandas as pd

    assert opts.encoding is not None and opts.delimiter is not None  # resolved by text_plan
    encoding = "utf-8-sig" if opts.encoding.replace("_", "-").lower() in ("utf-8", "utf8") else opts.encoding
    size = max(path.stat().st_size, 1)
    rows: list[list[str | None]] = []
    with (
        open(path, "rb") as raw,
        open(raw.fileno(), encoding=encoding, errors="replace", newline="", closefd=False) as fh,
    ):
        reader = csv.reader(fh, delimiter=opts.delimiter, quotechar='"')
        i = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # "field larger than field limit": an unclosed quote swallowed the file
                raise DataError(
                    _("line {line} cannot be read ({error})", line=reader.line_num, error=exc),
                    where=path.name,
                    hint=_('An unclosed quote " usually causes this; fix that line or export the file again'),
                ) from None
            i += 1
            if len(row) > MAX_COLUMNS:
                check_width(len(row), path.name)
            cells = [c.strip() for c in row]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                rows.append([c or None for c in cells])
            if nrows is not None and len(rows) >= nrows:
                break
            if i % 20000 == 0:
                progress.report(0.9 * min(raw.tell() / size, 1.0), _("Reading lines..."))
    if not rows:
        raise DataError(
            _("the file has no data rows"), where=path.name, hint=_("Export the data again with the rows included")
        )
    width = max(len(r) for r in rows)
    frame = pd.DataFrame(
        [r + [None] * (width - len(r)) for r in rows], columns=[f"column_{i + 1}" for i in range(width)], dtype=object
    )
    lo = min(len(r) for r in rows)
    opts.header_row = -1
    notes.append(
        M(
            "The lines have different numbers of cells (from {low} to {high}), so the file was read as a "
            "list: one row per line, every cell as text, no column names. A file with one basket per line "
            "works like this in Basket rules; for a table, check the delimiter in the import options",
            low=lo,
            high=width,
        )
    )
    progress.report(1.0, _("Read"))
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


def _short_decode(exc: UnicodeDecodeError) -> str:
    return _(
        "byte {byte} at position {at} is not valid", byte=repr(exc.object[exc.start : exc.start + 1]), at=str(exc.start)
    )
