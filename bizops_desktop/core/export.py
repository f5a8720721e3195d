"""The one export path: result tables to CSV/Excel (list cells as JSON arrays), metrics to
summary.json, plots to PNG (through the Qt renderer, imported only when a plot is written)."""

from __future__ import annotations

import itertools
import operator
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DataError
from .i18n import _
from .jsonable import dumps_strict, rounded

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .analysis import Result


def to_json(obj: Any, **kw) -> str:
    """JSON text for metrics/params: NaN -> null, inf -> "inf", numpy scalars to Python."""
    return dumps_strict(obj, **kw)


def table_for_export(frame: "pd.DataFrame") -> "pd.DataFrame":
    """A copy where list/tuple/set/dict cells are JSON text and infinite floats read 'inf'."""
    import numpy as np
    import pandas as pd

    out = frame.copy()
    for c in out.columns:
        col = out[c]
        if col.dtype == object:
            sample = col.dropna()
            if len(sample) and isinstance(sample.iloc[0], (list, tuple, set, frozenset, dict)):
                # floats in a list/dict cell to 6 significant digits, at most 8 decimals (no float
                # noise); a list of ids (an itemset) is plain JSON text already
                out[c] = pd.Series(json_cells(col.to_numpy(dtype=object)), index=col.index, dtype=object)
        elif pd.api.types.is_float_dtype(col) and np.isinf(col.to_numpy(dtype=float, na_value=np.nan)).any():
            out[c] = col.map(lambda v: "inf" if v == np.inf else ("-inf" if v == -np.inf else v))
    return out


def json_cells(values) -> "np.ndarray":
    """Each cell of an object column as its JSON text (what ``_json_cell`` writes), the lists of
    texts (itemsets, product lists: nearly every list cell) without Python per cell: each distinct
    text escaped once, the lists joined position by position over the whole column."""
    import itertools

    import numpy as np

    values = np.asarray(values, dtype=object)
    out = np.empty(len(values), dtype=object)
    kinds = np.fromiter((type(v) in (list, tuple) for v in values), dtype=bool, count=len(values))
    rows = np.flatnonzero(kinds)
    if len(rows):
        lists = values[rows]
        lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        flat = list(itertools.chain.from_iterable(lists))
        if set(map(type, flat)) <= {str}:
            import json

            distinct = dict.fromkeys(flat)
            escaped = {s: json.dumps(s, ensure_ascii=False) for s in distinct}
            flat_text = np.fromiter(map(escaped.__getitem__, flat), dtype=object, count=len(flat))
            starts = np.zeros(len(lists), dtype=np.int64)
            np.cumsum(lengths[:-1], out=starts[1:])
            text = np.full(len(lists), "[", dtype=object)
            for k in range(int(lengths.max(initial=0))):
                at = np.flatnonzero(lengths > k)
                piece = flat_text[starts[at] + k]
                text[at] = text[at] + (piece if k == 0 else ", " + piece)
            out[rows] = text + "]"
        else:
            kinds[:] = False  # lists holding numbers or other things: cell by cell
    for i in np.flatnonzero(~kinds):
        out[i] = _json_cell(values[i])
    return out


def _json_cell(v: Any) -> str:
    import json

    if v is None:
        return ""
    if isinstance(v, (list, tuple)) and all(type(x) is str for x in v):
        return json.dumps(list(v), ensure_ascii=False)
    return dumps_strict(rounded(v))


def _holds_messages(values) -> bool:
    """A column of sentences: its first filled cell is a message (or a message's saved form)."""
    from .i18n import LazyText, Message

    for v in values:
        if v is None or (isinstance(v, float) and v != v):
            continue
        return isinstance(v, (Message, LazyText)) or (isinstance(v, dict) and "msgid" in v)
    return False


_NO_VALUES: dict = {}  # a message cell without values (never written to)


def render_messages(values, lang: str | None = None) -> "np.ndarray":
    """A column of message cells as text in ``lang``, exactly as ``i18n.text`` renders each one,
    without its work per cell: the cells sharing a template are filled together, each distinct
    value formatted once, the pieces joined over the whole column. A cell that is not a plain
    message, or a template that fails, is rendered alone (its English fallback and all)."""
    import numpy as np

    from . import i18n

    lang = lang or i18n.get_language()
    values = np.asarray(values, dtype=object)
    out = np.empty(len(values), dtype=object)
    groups: dict[tuple, list[int]] = {}
    alone: list[int] = []
    for i, v in enumerate(values):
        if type(v) is dict:
            key = (v.get("domain"), v.get("msgid"), v.get("plural"), v.get("n"))
            vals = v.get("values", {})
        elif type(v) is i18n.Message:
            key, vals = (v.domain, v.msgid, v.plural, v.n), v.values
        else:
            key, vals = None, None
        if key is not None and _plain_key(key) and type(vals) is dict:
            groups.setdefault(key, []).append(i)
        else:
            alone.append(i)
    # one group per template as translated: a plural message's rows of every count that reads
    # the same ("{n} orders" for 2, 3, 4...) are filled together, each with its own count
    templates: dict[tuple, tuple[list[int], list]] = {}
    for (dom, msgid, plural, n), rows in groups.items():
        tr = i18n.domain(dom).translations(lang)
        if plural is not None and n is None:
            alone.extend(rows)  # the count is in the values, row by row
            continue
        template = tr.ngettext(msgid, plural, n) if plural is not None else tr.gettext(msgid)
        same_rows, counts = templates.setdefault((template, plural is not None), ([], []))
        same_rows.extend(rows)
        counts.extend([n] * len(rows))
    for (template, is_plural), (rows, counts) in templates.items():
        at = np.asarray(rows, dtype=np.intp)
        try:
            out[at] = _fill(template, values[at], lang, counts if is_plural else None)
        except (KeyError, IndexError, ValueError, TypeError):
            alone.extend(rows)
    for i in alone:
        v = values[i]
        out[i] = None if v is None else i18n.text(v, lang)
    return out


def _plain_key(key: tuple) -> bool:
    """A message's (domain, msgid, plural, n) as our own messages have it (a stranger's file may not)."""
    return (
        type(key[0]) is str
        and type(key[1]) is str
        and bool(key[1])
        and (key[2] is None or type(key[2]) is str)
        and (key[3] is None or type(key[3]) is int)
    )


def _fill(template: str, cells, lang: str, counts: list | None) -> "np.ndarray":
    """``template`` filled with each cell's values (for a plural message, its count ``n`` first)."""
    import numpy as np

    from . import i18n

    cells = cells.tolist()
    if set(map(type, cells)) == {dict}:
        maps = list(map(dict.get, cells, itertools.repeat("values"), itertools.repeat(_NO_VALUES)))
    else:
        maps = [v.get("values", _NO_VALUES) if type(v) is dict else v.values for v in cells]
    out = np.full(len(cells), template, dtype=object)  # a message without values is its template
    full = None  # the cells with values: all of them, or these rows
    if counts is None:  # a plural message's cells all have their count ``n``
        has = np.fromiter(map(bool, maps), dtype=bool, count=len(maps))
        if not has.all():
            full = np.flatnonzero(has)
            if not len(full):
                return out
            maps = [maps[k] for k in full.tolist()]
    text = np.full(len(maps), "", dtype=object)
    fmt = i18n._Formatter(lang)
    for literal, name, spec in i18n._compile(template):
        if literal:
            text = text + literal
        if name is not None:
            if counts is not None and name == "n":  # the count, unless the values give their own
                field = [m["n"] if "n" in m else n for m, n in zip(maps, counts)]
            else:
                field = list(map(operator.itemgetter(name), maps))
            text = text + _field_texts(field, spec, fmt)
    if full is None:
        return text
    out[full] = text
    return out


def _field_texts(values: list, spec: str, fmt) -> "np.ndarray":
    """``str(fmt.format_field(v, spec))`` for each value: each distinct number, text or list of
    texts formatted once (found by pandas' factorize, not a Python lookup per cell)."""
    import numpy as np
    import pandas as pd

    from . import i18n

    kinds = set(map(type, values))
    keys = None
    if kinds == {float}:
        # by bit pattern: 0.0 and -0.0 are equal but may read differently
        bits = np.asarray(values, dtype=float).view(np.uint64)
        codes, distinct_bits = pd.factorize(bits)
        floats = distinct_bits.view(float)
        if spec == "percent":
            return _percent_texts(floats, fmt)[codes]
        if spec == "money":
            return _money_texts(floats, fmt)[codes]
        texts = (str(fmt.format_field(v, spec)) for v in floats.tolist())
        return np.fromiter(texts, dtype=object, count=len(floats))[codes]
    elif len(kinds) == 1 and kinds <= {str, int}:  # one kind only: True == 1
        keys = np.fromiter(values, dtype=object, count=len(values))
    elif spec == "list" and kinds <= {list, tuple}:
        if set(map(type, itertools.chain.from_iterable(values))) <= {str}:  # formatted as tuples
            keys = np.fromiter(map(tuple, values), dtype=object, count=len(values))
    elif (
        kinds == {dict}
        and not spec
        and all(map(operator.contains, values, itertools.repeat("msgid")))
        and all(map(operator.contains, values, itertools.repeat("domain")))
    ):
        # messages inside messages (reasons joined by "; "): rendered a column at a time as well
        return render_messages(np.fromiter(values, dtype=object, count=len(values)), fmt.lang)
    if keys is not None:
        codes, distinct = pd.factorize(keys, use_na_sentinel=False)
        if isinstance(distinct, np.ndarray) and distinct.dtype.kind == "f":
            distinct = distinct.tolist()
        texts = (str(fmt.format_field(v, spec)) for v in distinct)
        return np.fromiter(texts, dtype=object, count=len(distinct))[codes]
    texts = (str(fmt.format_field(i18n._from_plain(v) if isinstance(v, dict) else v, spec)) for v in values)
    return np.fromiter(texts, dtype=object, count=len(values))


def _percent_texts(values: "np.ndarray", fmt) -> "np.ndarray":
    """``str(fmt.format_field(v, "percent"))`` for each float of ``values``, the shares of the usual
    kind (positive, finite, not a tiny "<0.01%" and far from a rounding tie) computed over the whole
    array, the others (and every value in a language whose digits or signs are not the plain ASCII
    ones) by ``format_percent`` itself. ``i18n.format_percent`` rounds the shortest decimal text
    of the float (Python's ``repr``) half to even, to 0 decimals from 10%, 1 from 0.1%, else 2,
    never to "100%" below 1; near a tie the float product could round the other way, so those go
    to it too (tests/test_csv_fast.py compares the two on every boundary)."""
    import numpy as np

    from . import i18n

    out = np.empty(len(values), dtype=object)
    ok = np.isfinite(values) & (values >= 0.00005) & (values < 1e9)
    if i18n._fast_decimal(0.5, fmt.lang, "#,##0.0%") is None:
        ok[:] = False
    f = np.where(ok, values, 1.0)
    decimals = np.where(f >= 0.1, 0, np.where(f >= 0.001, 1, 2))
    hundred = (decimals == 0) & (f < 1) & (np.rint(f * 100) >= 100)
    decimals = np.where(hundred, np.where(np.rint(f * 1000) < 1000, 1, 2), decimals)
    scaled = f * np.power(10.0, decimals + 2)
    low = np.floor(scaled)
    ok &= np.abs(scaled - low - 0.5) > 1e-9 * np.maximum(scaled, 1.0)  # far from a tie
    q = np.where(scaled - low > 0.5, low + 1, low).astype(np.int64)
    for i in np.flatnonzero(ok).tolist():
        d = int(decimals[i])
        if d:
            whole, frac = divmod(int(q[i]), 10**d)
            out[i] = f"{whole:,}.{frac:0{d}d}%"
        else:
            out[i] = f"{int(q[i]):,}%"
    for i in np.flatnonzero(~ok).tolist():
        out[i] = str(fmt.format_field(float(values[i]), "percent"))
    return out


def _money_texts(values: "np.ndarray", fmt) -> "np.ndarray":
    """``str(fmt.format_field(v, "money"))`` for each float of ``values``: Babel's currency format
    is the currency's sign around the amount rounded half to even to cents (of the shortest
    decimal text of the float, as Babel takes it) and grouped by thousands. That sign (before or
    after, with or without a space) is read from Babel's own text for 1234567.25, and the amounts
    of the usual kind (zero or positive, below 10^15) are written by Python's decimal formatting,
    several times quicker than Babel's per-call pattern work; the others, and every currency or
    language where the probe does not read "1,234,567.25" (other digits, signs, grouping or
    precision), by ``format_money`` itself. tests/test_csv_fast.py compares the two."""
    import decimal

    import numpy as np

    out = np.empty(len(values), dtype=object)
    probe = str(fmt.format_field(1234567.25, "money"))
    before, number, after = probe.partition("1,234,567.25")
    small = str(fmt.format_field(0.125, "money"))  # rounds half to even: 0.12
    ok = np.isfinite(values) & ~np.signbit(values) & (values < 1e15)
    if not number or small != before + "0.12" + after:
        ok[:] = False
    cent, even = decimal.Decimal("0.01"), decimal.ROUND_HALF_EVEN
    for i in np.flatnonzero(ok).tolist():
        amount = decimal.Decimal(str(float(values[i]))).quantize(cent, rounding=even)
        out[i] = f"{before}{amount:,f}{after}"
    for i in np.flatnonzero(~ok).tolist():
        out[i] = str(fmt.format_field(float(values[i]), "money"))
    return out


def safe_filename(name: Any, fallback: str = "table") -> str:
    """A table or plot name (which may come from a stranger's project file) as one plain file
    name: no folder parts, no reserved characters, not empty, not too long."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFC", str(name))
    text = re.sub(r'[\x00-\x1f\x7f<>:"/\\|?*]+', "_", text).strip(" ._")
    if text.upper().split(".")[0] in {
        "CON",
        "PRN",
        "AUX",
        "NUL",
        *(f"COM{i}" for i in range(10)),
        *(f"LPT{i}" for i in range(10)),
    }:
        text = "_" + text
    return text[:100] or fallback


def _for_people(frame: "pd.DataFrame", columns=None, titles: bool = False, names=None) -> "pd.DataFrame":
    import pandas as pd

    from .display import export_frame

    sentences = [
        k
        for k in range(frame.shape[1])
        if frame.dtypes.iloc[k].kind == "O" and _holds_messages(frame.iloc[:, k].to_numpy())
    ]
    if sentences:  # rendered here a whole column at a time (export_frame would do it cell by cell)
        frame = frame.copy(deep=False)
        for k in sentences:
            text = render_messages(frame.iloc[:, k].to_numpy(dtype=object))
            frame.isetitem(k, pd.Series(text, index=frame.index, dtype=object))
    return table_for_export(export_frame(frame, columns, titles=titles, names=names))


def write_table(
    frame: "pd.DataFrame", path: str | os.PathLike, *, columns=None, titles: bool = False, names=None
) -> Path:
    """Write one table as CSV (UTF-8 with BOM so Excel shows Chinese text) or .xlsx by suffix.
    Numbers are rounded to their meaning (``columns``: the result's column specs); ``titles``
    writes the column titles in the current language instead of the stable ids."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    t = _for_people(frame, columns, titles, names)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        t.to_excel(path, index=False, engine="openpyxl")
    else:
        data = csv_bytes(t)
        if data is None:  # pandas' own writer
            t.to_csv(path, index=False, encoding="utf-8-sig")
        else:
            with open(path, "wb") as f:
                f.write(data)
    return path


def csv_bytes(frame: "pd.DataFrame") -> bytes | None:
    """``frame.to_csv(index=False, encoding="utf-8-sig")``'s bytes, the same to the byte, a column
    at a time: each distinct number converted once (as pandas converts it), the texts quoted as
    the csv module quotes them and the rows joined by Arrow over the whole table, instead of
    pandas' writer converting every float and the csv module walking every cell (5x quicker on
    65,000 rules). None where this does not apply (fewer than two columns, a column index that is
    not flat, text that UTF-8 cannot hold, a column of dates or an extension type): the caller
    then lets pandas write it."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    ncols = frame.shape[1]
    if ncols < 2 or isinstance(frame.columns, pd.MultiIndex):
        return None  # a lone empty field is written as "" (csv's rule for an empty record)
    header = frame.iloc[:0].to_csv(index=False)  # pandas' own header line, and its line ending
    if not len(frame):
        return _bom_utf8(header)
    columns = []
    try:
        for k in range(ncols):
            fields = _csv_fields(frame.iloc[:, k])
            if fields is None:
                return None
            columns.append(fields)
        text = pa.large_string()
        rows = pc.binary_join_element_wise(*columns, pa.scalar(",", type=text))
        rows = pc.binary_join_element_wise(rows, pa.scalar(os.linesep, type=text), pa.scalar("", type=text))
    except (pa.ArrowException, UnicodeError):  # lone surrogates and the like: pandas says what is wrong
        return None
    head = _bom_utf8(header)
    if head is None:
        return None
    _validity, offsets, data = rows.buffers()
    at = np.frombuffer(offsets, dtype=np.int64)[rows.offset : rows.offset + len(rows) + 1]
    return head + data.to_pybytes()[int(at[0]) : int(at[-1])]


def _bom_utf8(text: str) -> bytes | None:
    try:
        return ("\ufeff" + text).encode("utf-8")
    except UnicodeEncodeError:  # pandas raises its own error for it
        return None


def _csv_field(text: str) -> str:
    """One text as the csv module writes it as a field of a row (pandas' dialect)."""
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator=os.linesep).writerow([text, ""])  # not a lone field: "" stays empty
    return buf.getvalue()[: -1 - len(os.linesep)]


def _csv_fields(col: "pd.Series"):
    """One column as the csv module writes its cells, an Arrow array of field texts: pandas'
    conversion (``get_values_for_csv``: floats as numpy's ``astype(str)``, missing values as "",
    other cells as ``str()``), numbers each distinct value once, then csv's QUOTE_MINIMAL quoting
    (a field with a comma, a quote or a line break in quotes, its quotes doubled). None for a
    column this does not cover."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.large_string()
    dtype = col.dtype
    values = col.to_numpy()
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
        if dtype.kind == "f":  # by bit pattern: 0.0 and -0.0 stay apart; every NaN reads ""
            codes, distinct = pd.factorize(values.view(f"u{values.itemsize}"))
            floats = distinct.view(dtype)
            texts = floats.astype(str).astype(object)
            texts[np.isnan(floats)] = ""
        else:
            codes, distinct = pd.factorize(values)
            texts = np.asarray([str(v) for v in distinct.tolist()], dtype=object)
        return pa.array(texts, type=text).take(pa.array(codes))
    if not (isinstance(dtype, np.dtype) and dtype.kind == "O"):
        return None  # dates, categories, extension arrays: pandas writes the table
    missing = pd.isna(values)
    cells = np.where(missing, "", values) if missing.any() else values
    if not set(map(type, cells.tolist())) <= {str}:
        cells = np.asarray(["" if m else str(v) for v, m in zip(values.tolist(), missing.tolist())], dtype=object)
    arr = pa.array(cells, type=text)
    if pc.any(pc.match_substring(arr, "\r")).as_py():  # rare: each cell as the csv module writes it
        return pa.array([_csv_field(t) for t in cells.tolist()], type=text)
    quote = pa.scalar('"', type=text)
    quoted = pc.binary_join_element_wise(quote, pc.replace_substring(arr, '"', '""'), quote, pa.scalar("", type=text))
    return pc.if_else(pc.match_substring_regex(arr, '[,"\n]'), quoted, arr)


def sheet_name(name: Any, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    import re

    base = re.sub(r"[\[\]:*?/\\\x00-\x1f]+", "_", str(name)).strip("'")[:31] or "table"
    out, i = base, 2
    while out.lower() in taken:
        suffix = f" ({i})"
        out, i = base[: 31 - len(suffix)] + suffix, i + 1
    taken.add(out.lower())
    return out


def write_tables_excel(
    tables: "dict[str, pd.DataFrame]", path: str | os.PathLike, *, columns=None, titles: bool = False, names=None
) -> Path:
    """Several tables into one workbook, a sheet each."""
    import pandas as pd

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, frame in tables.items():
            _for_people(frame, (columns or {}).get(name), titles, names).to_excel(
                xw, sheet_name=sheet_name(name, taken), index=False
            )
    return path


class FileNames:
    """File names in one folder from names a result (or a stranger's project) gives: each made
    safe, and two that come out the same (``a:b`` and ``a_b``) kept apart as ``a_b``, ``a_b_2``."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.used: set[str] = set()

    def __call__(self, name: Any, suffix: str) -> Path:
        base = safe_filename(name)
        stem, i = base, 2
        while (stem + suffix).lower() in self.used:
            stem, i = f"{base}_{i}", i + 1
        self.used.add((stem + suffix).lower())
        return self.folder / (stem + suffix)


def write_tables_csv(
    result: "Result", folder: str | os.PathLike, *, titles: bool = False, names: FileNames | None = None
) -> list[Path]:
    """Each result table as ``folder/<table>.csv`` (the window's Export and the CLI alike)."""
    target = names if names is not None else FileNames(folder)
    return [
        write_table(frame, target(name, ".csv"), columns=result.columns.get(name), titles=titles, names=result.names)
        for name, frame in result.tables.items()
    ]


def write_result(
    result: "Result",
    out_dir: str | os.PathLike,
    *,
    plot_writer=None,
    extra_metrics: dict | None = None,
    titles: bool = False,
    timings: dict[str, float] | None = None,
    cpu_timings: dict[str, float] | None = None,
) -> list[Path]:
    """``DIR/<table>.csv`` for each table, ``DIR/summary.json``, and ``DIR/<plot>.png`` through
    ``plot_writer(spec, path)`` (the Qt renderer; core stays Qt-free, so the caller passes it).
    File names come from the result's names, made safe: nothing is written outside ``DIR``."""
    from .i18n import text

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise DataError(
            _("this is a file, not a folder"), where=str(out), hint=_("Give --out a folder (it is made if missing)")
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DataError(
            _("the folder cannot be made ({error})", error=e.strerror or e),
            where=str(out)[:300],
            hint=_("Choose a folder you may write to"),
        ) from None
    import time

    clock, cpu = time.perf_counter(), time.process_time()
    target = FileNames(out)
    written = write_tables_csv(result, out, titles=titles, names=target)
    summary = dict(result.metrics)
    if result.headline is not None:
        summary.setdefault("headline", text(result.headline))
    if result.notes:
        summary.setdefault("notes", [text(n) for n in result.notes])
    if extra_metrics:
        summary.update(extra_metrics)
    p = out / "summary.json"
    p.write_text(to_json(summary, indent=2) + "\n", encoding="utf-8")
    written.append(p)
    if timings is not None:  # where a CLI run's time goes (--timings), wall clock and CPU
        timings["tables"] = time.perf_counter() - clock
    if cpu_timings is not None:
        cpu_timings["tables"] = time.process_time() - cpu
    clock, cpu = time.perf_counter(), time.process_time()
    if plot_writer is not None:
        for name, spec in result.plots.items():
            written.append(plot_writer(spec, target(name, ".png")))
    if timings is not None:
        timings["plots"] = time.perf_counter() - clock
    if cpu_timings is not None:
        cpu_timings["plots"] = time.process_time() - cpu
    return written
