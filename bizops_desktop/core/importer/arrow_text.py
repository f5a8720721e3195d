"""The fast way through a text table: pyarrow's CSV reader, told each column's type by the layout
sample (text stays text, ids never pass through a number), streamed in blocks for progress and
Cancel. It gives the frame the pandas reader gives on the same file (tests compare the two on
every file of the corpus); a file it cannot read that way (ragged lines, repeated column names,
bytes that are not the encoding) raises :class:`NotForArrow` and the pandas reader takes it, with
all its ways of saying what is wrong.

Why: the pandas C reader guesses every column's type on every chunk and makes a Python string of
every cell, then the date parser reads the dates again; Arrow parses into typed columns in C++,
dates included, and only text becomes Python strings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import _
from ..progress import Progress
from ..roles import header_says_date, header_says_id
from .layout import TextPlan
from .notes import KnownCodes
from .options import ImportOptions

if TYPE_CHECKING:
    import pandas as pd

BLOCK_BYTES = 4 << 20  # about 45,000 order lines: a Cancel is seen within a few hundredths of a second
ENABLED = True  # tests switch it off to read the same file through the pandas reader
MAX_RETRIES = 12  # a column whose type the sample got wrong is read again with a wider type


class NotForArrow(Exception):
    """This file goes through the pandas reader instead."""


# the cells pandas reads as missing, so that both readers agree on what is empty
NA_VALUES = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)
_NA = frozenset(NA_VALUES)
_INT = re.compile(r"^\s*-?\d{1,18}\s*$")
_DIGITS = re.compile(r"^\s*-?\d+\s*$")
_TRUE = ("True", "TRUE", "true")
_FALSE = ("False", "FALSE", "false")
# ISO dates with an optional time and no zone, years pandas' nanoseconds can hold: Arrow parses
# them in C++ exactly as the date parser's ISO8601 format would
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?$")


def _float_re(decimal: str) -> re.Pattern:
    d = re.escape(decimal)
    return re.compile(r"^\s*[-+]?(\d+" + d + r"?\d*|" + d + r"\d+)([eE][-+]?\d+)?\s*$")


def column_kinds(plan: TextPlan, opts: ImportOptions) -> list[str]:
    """For each column: "int", "float", "bool", "date" or "text", from the sampled lines. A kind
    the rest of the file contradicts is widened on the retry (see ``_widen``)."""
    cells = plan.header_cells
    n = len(cells) if cells is not None else max((len(r) for r in plan.data_rows or []), default=0)
    floats = _float_re(opts.decimal or ".")
    kinds = []
    for j in range(n):
        name = cells[j].strip() if cells is not None else ""
        values = [r[j] for r in plan.data_rows or [] if len(r) > j and r[j] not in _NA]
        if not values or name in plan.text_columns:
            kinds.append("text")
        elif all(_INT.match(v) for v in values):
            kinds.append("int")
        elif all(floats.match(v) for v in values):
            kinds.append("float")
        elif all(v in _TRUE or v in _FALSE for v in values):
            kinds.append("bool")
        elif (
            opts.parse_dates
            and (header_says_date(name) or not header_says_id(name))
            and all(_ISO.match(v) and 1700 <= int(v[:4]) < 2200 for v in values)
        ):
            kinds.append("date")
        else:
            kinds.append("text")
    return kinds


def _arrow_type(kind: str):
    import pyarrow as pa

    return {
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "date": pa.timestamp("ns"),
        "text": pa.string(),
    }[kind]


# Arrow's "In CSV column #3: Row #120: CSV conversion error to int64: invalid value 'x'"
_CONVERSION = re.compile(r"column #(\d+):.*?error to (\S+): invalid value '(.*)'", re.S)


def _widen(kinds: list[str], message: str, decimal: str) -> bool:
    """Widen the kind of the column an Arrow conversion error names, as pandas would have read it:
    an int with a fraction is a float; anything else, or a number too long for int64 (an id), text."""
    m = _CONVERSION.search(message)
    if not m:
        return False
    j = int(m.group(1))
    if j >= len(kinds) or kinds[j] == "text":
        return False
    value = m.group(3)
    if kinds[j] == "int" and _float_re(decimal).match(value) and not _DIGITS.match(value):
        kinds[j] = "float"
    else:
        kinds[j] = "text"
    return True


def read_arrow(
    path: Path, plan: TextPlan, opts: ImportOptions, progress: Progress, nrows: int | None
) -> "tuple[pd.DataFrame, KnownCodes]":
    """The table as the pandas reader would give it (before names are tidied and text converted)
    and the group numbers of its text columns, or NotForArrow."""
    if not ENABLED:
        raise NotForArrow()
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency; a trimmed install still reads
        raise NotForArrow() from None
    assert opts.encoding is not None and opts.delimiter is not None and opts.header_row is not None
    cells = plan.header_cells
    if opts.header_row >= 0:
        if cells is None:
            raise NotForArrow()
        named = [c.strip() for c in cells]
        if len(set(named)) != len(named) and any(named.count(c) > 1 for c in named if c):
            raise NotForArrow()  # pandas numbers repeated names its own way (a, a.1)
    kinds = column_kinds(plan, opts)
    encoding = opts.encoding.replace("_", "-").lower()
    if encoding in ("utf-8", "utf8", "utf-8-sig"):
        encoding = "utf8"  # Arrow skips a byte-order mark itself
    size = max(path.stat().st_size, 1)
    for _attempt in range(MAX_RETRIES):
        try:
            return _read_once(path, plan, opts, kinds, encoding, size, progress, nrows, pa, pacsv)
        except pa.ArrowInvalid as exc:
            if not _widen(kinds, str(exc), opts.decimal or "."):
                raise NotForArrow() from None
        except (pa.ArrowException, UnicodeError, LookupError, ValueError, OSError):
            raise NotForArrow() from None
    raise NotForArrow()


def _read_once(path, plan, opts, kinds, encoding, size, progress, nrows, pa, pacsv):
    cells = plan.header_cells
    if opts.header_row >= 0:
        names = [c for c in cells]
        read_options = pacsv.ReadOptions(
            use_threads=False, block_size=BLOCK_BYTES, skip_rows=opts.header_row, encoding=encoding
        )
    else:
        names = [f"f{j}" for j in range(len(kinds))]
        read_options = pacsv.ReadOptions(
            use_threads=False, block_size=BLOCK_BYTES, autogenerate_column_names=True, encoding=encoding
        )
    # columns with the same (empty) name must share a type: text, unless all agree
    types: dict[str, Any] = {}
    for name, kind in zip(names, kinds):
        t = _arrow_type(kind)
        types[name] = t if name not in types or types[name] == t else pa.string()
    convert = pacsv.ConvertOptions(
        column_types=types,
        null_values=list(NA_VALUES),
        strings_can_be_null=True,
        true_values=list(_TRUE),
        false_values=list(_FALSE),
        decimal_point=opts.decimal or ".",
    )
    parse = pacsv.ParseOptions(delimiter=opts.delimiter, quote_char='"', double_quote=True, newlines_in_values=True)
    batches = []
    rows = 0
    # Arrow reads ahead of what it has parsed, so the file position says little: the progress is
    # the lines parsed times the bytes a line takes in the first MiB
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    per_line = len(head) / max(head.count(b"\n"), 1)
    with pa.OSFile(str(path)) as fh:
        reader = pacsv.open_csv(fh, read_options=read_options, parse_options=parse, convert_options=convert)
        schema = reader.schema
        if schema.names != names[: len(schema.names)] or len(schema.names) != len(names):
            # Arrow found another header line than the layout sample did: let pandas read it
            raise NotForArrow()
        if nrows is None:
            progress.report(0.0, _("Reading rows..."))
        for batch in reader:
            batches.append(batch)
            rows += batch.num_rows
            if nrows is not None and rows >= nrows:
                break
            done = rows * per_line / size if nrows is None else max(rows / nrows, rows * per_line / size)
            progress.report(0.8 * min(done, 1.0))
    table = pa.Table.from_batches(batches, schema=schema)
    if nrows is not None:
        table = table.slice(0, nrows)
    return _to_pandas(table, names, kinds, opts, progress.sub(0.8, 0.85))


def _to_pandas(table, names, kinds, opts, progress: Progress) -> "tuple[pd.DataFrame, KnownCodes]":
    """Column by column and block by block, so the GUI thread gets the interpreter between the
    pieces (a whole text column of millions of cells made into Python strings at once would hold it
    for a good part of a second); missing text as NaN and all-empty columns as float, as pandas has them.
    Also gives the group numbers of the text columns (see :class:`KnownCodes`)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    out: dict[Any, Any] = {}
    known = KnownCodes()
    n = table.num_rows
    for j in range(len(names)):
        progress.report(j / max(len(names), 1))
        col = table.column(j)
        kind = kinds[j]
        if col.null_count == n and n > 0:
            arr = np.full(n, np.nan)
        elif kind in ("int", "float"):
            arr = col.to_numpy()  # int64, or float64 with NaN where a cell is empty (as pandas)
        elif kind == "date":
            arr = col.to_numpy().astype("datetime64[ns]", copy=False)
        elif kind == "bool" and not col.null_count:
            arr = col.to_numpy()
        elif pa.types.is_string(col.type) and n > 0:
            arr, codes, n_codes = text_values(col, n)
            known.add(arr, codes, n_codes)
        else:
            # Arrow's own conversion, block by block: one Python string per distinct value of a block
            parts = [c.to_pandas().to_numpy() for c in col.chunks]
            arr = np.concatenate(parts) if len(parts) > 1 else (parts[0] if parts else np.empty(0, dtype=object))
            if arr.dtype != object:
                arr = arr.astype(object)
            if col.null_count:
                arr[col.is_null().to_numpy(zero_copy_only=False)] = np.nan
        if not arr.flags.writeable:
            # Arrow hands numbers over without a copy, in read-only memory: a table the user (or a
            # plugin) edits in place must own its values, as the pandas reader's do
            arr = arr.copy()
        out[j] = arr
    frame = pd.DataFrame(out, copy=False)
    if opts.header_row >= 0:
        frame.columns = [c if c.strip() else f"Unnamed: {j}" for j, c in enumerate(names)]
    else:
        frame.columns = list(range(len(names)))
    progress.report(1.0)
    return frame, known


SLICE_CELLS = 1 << 18  # Python objects made (or copied) at a time: a few milliseconds of the interpreter each


def text_values(col, n: int, missing: Any = float("nan")):
    """(object array of the column's strings, ``missing`` where empty; group number of each cell;
    number of groups). Arrow finds the distinct values (in C++, without holding the interpreter);
    only those become Python strings, and each cell is a reference to its value's one string.
    Text in runs (an order number on each of its order's lines) is hashed once per run."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    new_run = _run_starts(col, n)
    runs = int(np.count_nonzero(new_run)) if new_run is not None else n
    heads = pc.filter(col, pa.array(new_run)) if new_run is not None and runs < 0.7 * n else col
    if not isinstance(heads, pa.ChunkedArray):
        heads = pa.chunked_array([heads], type=col.type)
    encoded = pc.dictionary_encode(heads)  # one dictionary for all blocks: the indices agree
    dictionary = encoded.chunk(encoded.num_chunks - 1).dictionary if encoded.num_chunks else pa.array([], col.type)
    m = len(dictionary)
    uniques = np.empty(m + 1, dtype=object)
    for a in range(0, m, SLICE_CELLS):
        b = min(a + SLICE_CELLS, m)
        uniques[a:b] = dictionary.slice(a, b - a).to_numpy(zero_copy_only=False)
    uniques[m] = missing  # the empty cells' own group, as pandas' factorize counts NaN
    codes = np.empty(len(heads), dtype=np.int32)
    at = 0
    for chunk in encoded.chunks:
        k = len(chunk)
        codes[at : at + k] = chunk.indices.fill_null(m).to_numpy()
        at += k
    if heads is not col:
        codes = codes[np.cumsum(new_run) - 1]  # each line takes its run's code
    values = np.empty(n, dtype=object)
    for a in range(0, n, SLICE_CELLS):
        np.take(uniques, codes[a : a + SLICE_CELLS], out=values[a : a + SLICE_CELLS])
    return values, codes, m + 1


def _run_starts(col, n: int):
    """Where a cell differs from the one above it (True at the first cell and at an empty one),
    compared in C++; None for a short column or one whose first cells show no runs."""
    import numpy as np
    import pyarrow.compute as pc

    if n < 1000:
        return None
    head = col.slice(0, 2001)
    repeats = pc.sum(pc.equal(head.slice(1), head.slice(0, len(head) - 1))).as_py() or 0
    if repeats < 0.3 * (len(head) - 1):
        return None  # the first 2,000 cells rarely repeat the one above: not written in runs
    same = pc.fill_null(pc.equal(col.slice(1), col.slice(0, n - 1)), False)
    out = np.empty(n, dtype=bool)
    out[0] = True
    at = 1
    for chunk in getattr(same, "chunks", [same]):
        k = len(chunk)
        np.logical_not(chunk.to_numpy(zero_copy_only=False), out=out[at : at + k])
        at += k
    return out
