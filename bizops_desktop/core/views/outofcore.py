"""Views computed out of core: a CSV too big for memory stays a file, and DuckDB (an embedded SQL
engine that reads CSV itself and spills to disk) computes from it the small frame an analysis
needs: the baskets (one set of products per order) and the sales series (sums per period and
product). Each gives what the in-memory view gives on the same file (tests compare them).

Safety: the file's column names come from DuckDB's own reading of its header and a role's column
must be one of them; a name is then quoted as an SQL identifier (its double quotes doubled), and
the path and reading options go in as query parameters, so nothing from a file or a project is
ever pasted into SQL as written.

What this first slice reads: UTF-8 (or latin-1 / UTF-16) text with ISO dates (2024-03-05, with or
without a time), as shop systems export; numbers as plain decimals. Other files go through the
importer, in memory."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Cancelled, DataError, UsageError
from ..i18n import M, Mn, _
from ..progress import Progress

if TYPE_CHECKING:
    from .baskets import Baskets
    from .series import SalesSeries

MEMORY_LIMIT = "4GB"  # DuckDB spills to its temporary folder beyond this
_ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8",
    "ascii": "utf-8",
    "latin-1": "latin-1",
    "iso-8859-1": "latin-1",
    "utf-16": "utf-16",
}


@dataclass
class BigCsv:
    """A CSV file read where it lies: its path, how to read it, its columns and their roles."""

    path: Path
    delimiter: str
    encoding: str
    skip: int  # lines above the column names
    columns: list[str]
    roles: dict[str, list[str]] = field(default_factory=dict)
    parquet: bool = False  # ``path`` is the Parquet copy a big Dataset keeps (core/bigfile.py)

    def col(self, role: str) -> str | None:
        cols = self.roles.get(role) or []
        return cols[0] if cols else None


def open_big_csv(path, roles: Mapping[str, list[str]] | None = None) -> BigCsv:
    """How to read the file (the importer's detection, on its first MiB) and its columns; the
    roles guessed as the importer guesses them, from its first lines, unless given."""
    from ..importer import ImportOptions, preview, sniff
    from ..importer.platforms import guess_export_roles

    path = Path(path)
    opts = sniff(path, ImportOptions())
    where = path.name
    if opts.delimiter is None or opts.header_row is None or opts.header_row < 0:
        raise DataError(
            _("a file read out of core needs a line with the column names"),
            where=where,
            hint=_("Open it with File ▸ Open data instead"),
        )
    enc = _ENCODINGS.get((opts.encoding or "utf-8").replace("_", "-").lower())
    if enc is None:
        raise DataError(
            _("a file read out of core must be UTF-8 text, not {encoding}", encoding=str(opts.encoding)),
            where=where,
            hint=_("Save the file again as UTF-8 (CSV UTF-8 in Excel), or open it with File ▸ Open data"),
        )
    big = BigCsv(path=path, delimiter=opts.delimiter, encoding=enc, skip=opts.header_row, columns=[])
    with _connect() as con:
        rows = con.execute(f"DESCRIBE SELECT * FROM {_source_sql(big)}", _source_params(big)).fetchall()
    big.columns = [str(r[0]) for r in rows]
    if roles is None:
        sample = preview(path, ImportOptions(keep_cancelled=True), nrows=5000).frame
        roles = guess_export_roles(sample)
    big.roles = {r: [str(c) for c in cols] for r, cols in roles.items()}
    return big


# ---------------------------------------------------------------------------------------------
# SQL pieces

_SOURCE = "read_csv(?, delim = ?, quote = '\"', header = true, skip = ?, encoding = ?, all_varchar = true)"
_PARQUET = "read_parquet(?)"


def _source_sql(big: BigCsv) -> str:
    return _PARQUET if big.parquet else _SOURCE


def _source_params(big: BigCsv) -> list[Any]:
    if big.parquet:
        return [str(big.path)]
    return [str(big.path), big.delimiter, big.skip, big.encoding]


def ident(name: str, columns: list[str]) -> str:
    """``name`` as a quoted SQL identifier, once it is known to be one of the file's columns."""
    if name not in columns:
        raise UsageError(_("column {name} is not in the table", name=repr(name)), hint=_("Check the column roles"))
    return '"' + name.replace('"', '""') + '"'


class _connect:
    """A DuckDB connection in memory that spills to a temporary folder, closed on leaving."""

    def __enter__(self):
        import duckdb

        self._tmp = tempfile.TemporaryDirectory(prefix="bizops-duckdb-")
        self.con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": self._tmp.name})
        return self.con

    def __exit__(self, *exc):
        self.con.close()
        self._tmp.cleanup()
        return False


def _run(con, sql: str, params: list, progress: Progress, start: float, end: float):
    """Run one query, reporting DuckDB's own progress and interrupting it at Cancel."""
    return _watched(con, lambda: con.execute(sql, params), progress, start, end)


def _arrow(con, sql: str, params: list | dict, progress: Progress, start: float, end: float):
    """One query's whole answer as an Arrow table (columns of numbers stay arrays, never Python
    objects), watched as ``_run`` watches."""
    return _watched(con, lambda: con.sql(sql, params=params).to_arrow_table(), progress, start, end)


def _watched(con, work, progress: Progress, start: float, end: float):
    """``work()`` (a query on ``con``), reporting DuckDB's own progress and interrupting it at Cancel."""
    import duckdb

    progress.check()
    done = threading.Event()
    stopped = threading.Event()

    def watch():
        while not done.wait(0.1):
            try:
                p = con.query_progress()
                progress.report(start + (end - start) * max(0.0, min(p, 100.0)) / 100.0)
            except Cancelled:
                stopped.set()
                con.interrupt()
                return
            except Exception:  # noqa: BLE001 - progress is a courtesy; the query goes on
                pass

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        return work()
    except duckdb.InterruptException:
        raise Cancelled() from None
    except duckdb.Error as exc:
        if stopped.is_set():
            raise Cancelled() from None
        raise DataError(
            _("the file could not be read as a table ({error})", error=str(exc).splitlines()[0]),
            where=progress_where(con),
            hint=_('Check the delimiter in the import options; an unclosed quote " can also cause this'),
        ) from None
    finally:
        done.set()
        watcher.join()
        if stopped.is_set():
            raise Cancelled()


def progress_where(_con) -> str:
    return _("the big file")


# ---------------------------------------------------------------------------------------------
# baskets


def _numbered_lines(big: BigCsv) -> tuple[str, list[Any]]:
    """The file's lines with ``file_row_number``, each line's place in the file (from 0), as SQL
    and its parameters (a Parquet copy keeps the file's order; a CSV is read in order)."""
    if big.parquet:
        return "read_parquet(?, file_row_number = true)", [str(big.path)]
    return f"(SELECT row_number() OVER () - 1 AS file_row_number, * FROM {_SOURCE})", _source_params(big)


def _integer_ids(values) -> "Any":
    """``values`` (Arrow text) as an int64 numpy array when every one is an integer written plainly
    (as the importer reads a column of such ids: "0012" stays text), else None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        ints = pc.cast(values, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if len(values) and not pc.all(pc.equal(pc.cast(ints, pa.string()), values)).as_py():
        return None
    return ints.to_numpy()


def number_columns(ds) -> set[str]:
    """The columns the importer read as numbers in a big Dataset's first lines (its frame): ids in
    them are numbers in memory, so the views out of core give them as numbers too."""
    from pandas.api import types as pt

    return {str(c) for c in ds.frame.columns if pt.is_numeric_dtype(ds.frame[c]) and not pt.is_bool_dtype(ds.frame[c])}


def baskets_out_of_core(big: BigCsv, progress: Progress | None = None, number_ids: Collection[str] = ()) -> "Baskets":
    """The baskets of ``baskets_from_orders`` (order × product, repeats counted once, lines
    without an order or product and with a quantity not above zero left out), computed by DuckDB,
    the same arrays as there: orders numbered as first seen in the file, products in sorted order.

    Two passes over the file, each an aggregation DuckDB spills to disk when it must: one per
    product (a few thousand groups: its lines kept and left out, its first name), then one per
    order, the sorted list of its product codes, handed over as an Arrow list column, which is
    the CSR layout itself (offsets = ``indptr``, values = ``indices``). No Python object is made
    per line; one is made per order, for its id (none when the ids are numbers: ``number_ids``
    names the columns the importer reads as numbers, whose ids come back as int64 as in memory)."""
    import numpy as np
    import pyarrow as pa

    from .baskets import Baskets, line_notes

    progress = progress or Progress()
    order_col, product_col = big.col("order_id"), big.col("product_id")
    if order_col is None or product_col is None:
        raise DataError(
            _("basket rules need an order number and a product"),
            where=big.path.name,
            hint=_("Mark the order number and product columns in Column roles"),
        )
    o, p = ident(order_col, big.columns), ident(product_col, big.columns)
    q_col, n_col = big.col("quantity"), big.col("product_name")
    positive = f"TRY_CAST(l.{ident(q_col, big.columns)} AS DOUBLE) > 0" if q_col is not None else "true"
    kept = f"l.{o} IS NOT NULL AND {positive}"
    name = ident(n_col, big.columns) if n_col is not None else None
    first_name = (
        f", arg_min(l.{name}, l.file_row_number) FILTER (WHERE {kept} AND l.{name} IS NOT NULL) AS n"
        if name is not None
        else ""
    )
    lines, params = _numbered_lines(big)
    with _connect() as con:
        per_product = _arrow(
            con,
            f"SELECT l.{p} AS p, count(*) AS lines, count(*) FILTER (WHERE l.{o} IS NULL) AS no_order, "
            f"count(*) FILTER (WHERE {kept}) AS kept{first_name} FROM {lines} AS l GROUP BY l.{p}",
            params,
            progress,
            0.0,
            0.3,
        )
        # blanks told as the in-memory view tells them (Python's strip), on the distinct products
        ids = per_product.column("p").to_pylist()
        n_lines, no_order, n_kept = (per_product.column(c).to_numpy() for c in ("lines", "no_order", "kept"))
        blank = np.fromiter((v is None or not v.strip() for v in ids), bool, len(ids))
        missing = int(n_lines[blank].sum() + no_order[~blank].sum())
        not_positive = int((n_lines - no_order - n_kept)[~blank].sum())
        used = np.flatnonzero(~blank & (n_kept > 0))
        item_ids = np.asarray([ids[i] for i in used], dtype=object)
        as_numbers = _integer_ids(pa.array(item_ids.tolist(), pa.string())) if product_col in number_ids else None
        order = np.argsort(item_ids if as_numbers is None else as_numbers, kind="stable")
        used = used[order]
        notes = line_notes(missing, not_positive)
        if len(used) == 0:
            raise DataError(
                _("no order line has both an order number and a product"),
                where=product_col,
                hint=_("Check that the right columns are marked as Order number and Product"),
            )
        item_ids = item_ids[order] if as_numbers is None else as_numbers[order]
        names = None
        if name is not None:
            all_names = per_product.column("n").to_pylist()
            names = [None if all_names[i] is None else str(all_names[i]) for i in used]
        codes = pa.table(
            {"product_": pa.array([ids[i] for i in used], pa.string()), "code_": np.arange(len(used), dtype=np.int32)}
        )
        con.register("bizops_codes", codes)
        per_order = _arrow(
            con,
            f"SELECT l.{o} AS o, list_sort(list_distinct(list(c.code_)), 'ASC') AS items "
            f"FROM {lines} AS l JOIN bizops_codes AS c ON l.{p} = c.product_ "
            f"WHERE {kept} GROUP BY l.{o} ORDER BY min(l.file_row_number)",
            params,
            progress,
            0.3,
            0.95,
        )
    items = per_order.column("items").combine_chunks()
    offsets = items.offsets.to_numpy()
    indptr = (offsets - offsets[0]).astype(np.int64)
    indices = items.flatten().to_numpy().astype(np.int32, copy=False)
    repeated = int(n_kept[used].sum()) - len(indices)
    if repeated:
        notes.append(
            Mn(
                "{n} repeated line of the same product in the same order was counted once (a basket "
                "says whether a product was bought, not how many).",
                "{n} repeated lines of the same product in the same order were counted once (a basket "
                "says whether a product was bought, not how many).",
                repeated,
            )
        )
    order_ids = _integer_ids(per_order.column("o")) if order_col in number_ids else None
    if order_ids is None:
        order_ids = per_order.column("o").to_numpy()
    out = Baskets(
        order_ids=order_ids,
        item_ids=item_ids,
        indptr=indptr,
        indices=indices,
        item_names=names,
        notes=notes,
    )
    progress.report(1.0)
    return out


# ---------------------------------------------------------------------------------------------
# sales series

_TRUNC = {"D": "day", "W": "week", "M": "month"}


def series_out_of_core(
    big: BigCsv,
    freq: str | None = "W",
    top: int | None = None,
    progress: Progress | None = None,
    total: bool = True,
) -> "SalesSeries":
    """The sales series of ``series_view`` (quantity, else line total, per period and product,
    Total first; a last period the data ends inside is dropped), summed by DuckDB per period and
    product; the frame handed on has one row per period and product."""
    import pandas as pd

    from .series import _FORECASTING_NOTES, VALUE_ROLES, build_series, no_date_note, no_number_note

    progress = progress or Progress()
    guessed = freq is None
    if freq is not None and freq not in _TRUNC:
        raise UsageError(_("unknown frequency {value}", value=repr(freq)))
    date_col = big.col("date")
    if date_col is None:
        raise DataError(
            _("a sales forecast needs a date column"),
            where=big.path.name,
            hint=_("Open Column roles and mark the column holding the order date as Date"),
        )
    value_role = next((r for r in VALUE_ROLES if big.col(r) is not None), None)
    if value_role is None:
        raise DataError(
            _(
                "a sales forecast needs a column with the number sold (quantity), the line total "
                "(amount) or the series value (target)"
            ),
            where=big.path.name,
            hint=_("Open Column roles and mark the column to forecast as Quantity, Line total or Target"),
        )
    value_col = big.col(value_role)
    assert value_col is not None
    d, v = ident(date_col, big.columns), ident(value_col, big.columns)
    s_col, n_col = big.col("product_id"), big.col("product_name")
    s = ident(s_col, big.columns) if s_col is not None else "NULL"
    n = ident(n_col, big.columns) if n_col is not None else "NULL"
    params = _source_params(big)
    with _connect() as con:
        _run(
            con,
            f"CREATE TEMP TABLE rows AS SELECT TRY_CAST({d} AS TIMESTAMP) AS d, {d} IS NOT NULL AS has_d, "
            f"TRY_CAST({v} AS DOUBLE) AS v, {s} AS s, {n} AS n FROM {_source_sql(big)}",
            params,
            progress,
            0.0,
            0.6,
        )
        bad_date, bad_value, unread, last = _run(
            con,
            "SELECT count(*) FILTER (WHERE d IS NULL), count(*) FILTER (WHERE d IS NOT NULL AND v IS NULL), "
            "count(*) FILTER (WHERE d IS NULL AND has_d), max(d) FROM rows",
            [],
            progress,
            0.6,
            0.7,
        ).fetchone()
        dated = con.execute("SELECT count(*) FILTER (WHERE has_d) FROM rows").fetchone()[0]
        if dated and unread > 0.5 * dated:
            raise DataError(
                _(
                    "the dates in column {col} are not written as 2024-03-05, so they cannot be read out of core yet",
                    col=date_col,
                ),
                where=big.path.name,
                hint=_("Open the file with File ▸ Open data instead"),
            )
        if freq is None:  # as periods.guess_freq: the median gap between distinct dates
            gap = con.execute(
                "SELECT median(epoch(d) - epoch(prev)) / 86400 FROM (SELECT d, lag(d) OVER (ORDER BY d) AS prev "
                "FROM (SELECT DISTINCT d FROM rows WHERE d IS NOT NULL AND v IS NOT NULL))"
            ).fetchone()[0]
            freq = "D" if gap is None or gap <= 2 else "W" if gap <= 10 else "M"
        trunc = _TRUNC[freq]
        sums = _run(
            con,
            f"SELECT date_trunc('{trunc}', d) AS period, coalesce(s, '(none)') AS s, sum(v) AS v, "
            "any_value(CASE WHEN s IS NULL THEN NULL ELSE n END) AS n "
            "FROM rows WHERE d IS NOT NULL AND v IS NOT NULL GROUP BY ALL",
            [],
            progress,
            0.7,
            0.95,
        ).df()
    notes: list = []
    if bad_date:
        notes.append(no_date_note(int(bad_date), date_col))
    if bad_value:
        notes.append(no_number_note(int(bad_value), value_col))
    if sums.empty:
        raise DataError(
            _("no row has both a date in {date} and a number in {value}", date=repr(date_col), value=repr(value_col)),
            where=big.path.name,
            hint=_("Check that the date and value columns are the right ones"),
        )
    if guessed:
        from .series import _GUESSED_FREQ_NOTES

        notes.append(_GUESSED_FREQ_NOTES[freq]())
    sums["period"] = pd.to_datetime(sums["period"]).astype("datetime64[ns]")
    from .series import _period_end

    last_period = sums["period"].max()
    last_day = pd.Timestamp(last).normalize()
    if freq != "D" and sums["period"].nunique() > 1 and last_day < _period_end(last_period, freq):
        sums = sums[sums["period"] < last_period]
        notes.append(
            M(
                "The last period ({start:date}) was dropped: the data ends on {end:date}, before that "
                "period is over, so its sales are incomplete.",
                start=last_period.date(),
                end=last_day.date(),
            )
        )
    out = build_series(
        sums,
        "period",
        "v",
        "s" if s_col is not None else None,
        freq=freq,
        top=top,
        total=total,
        name_col="n" if n_col is not None else None,
        drop_partial_last=False,
        where=big.path.name,
    )
    out.value_name = value_col
    out.notes = notes + out.notes
    out.notes.insert(0, _FORECASTING_NOTES[value_role](str(value_col)))
    progress.report(1.0)
    return out


# ---------------------------------------------------------------------------------------------
# a big Dataset's Parquet copy (core/bigfile.py) and the views' out-of-core entry points

PARQUET_LAYOUT = "1"  # every column as text, in file order; part of the copy's cache key


def csv_to_parquet(big: BigCsv, target: Path, progress: Progress | None = None) -> int:
    """Write the CSV's lines to ``target`` as Parquet (columns as text, file order kept), through
    a temporary name in the same folder so a cancelled or failed conversion leaves nothing behind.
    ``target`` is a path of ours (a cache folder and a hex name): it is the one value written into
    the SQL, its quotes doubled; the source file goes in as a parameter. Returns the line count."""
    import os

    progress = progress or Progress()
    target = Path(target)
    part = target.with_name(target.name + ".part")
    literal = "'" + str(part).replace("'", "''") + "'"
    try:
        with _connect() as con:
            cur = _run(
                con,
                f"COPY (SELECT * FROM {_source_sql(big)}) TO {literal} (FORMAT parquet, COMPRESSION zstd)",
                _source_params(big),
                progress,
                0.0,
                1.0,
            )
            row = cur.fetchone()
        os.replace(part, target)
    finally:
        if part.exists():
            part.unlink()
    return int(row[0]) if row else 0


def table_of(ds) -> BigCsv:
    """The out-of-core table of a big Dataset, with the Dataset's current roles (roles of columns
    the file lacks are left out, as ``Dataset.has`` leaves them out in memory)."""
    big = ds.big
    columns = list(big.columns)
    roles = {r: [c for c in cols if c in columns] for r, cols in ds.roles.items()}
    return BigCsv(
        path=Path(big.parquet),
        delimiter=",",
        encoding="utf-8",
        skip=0,
        columns=columns,
        roles={r: cols for r, cols in roles.items() if cols},
        parquet=True,
    )


def _not_orders(ds) -> DataError:
    return DataError(
        _("a file read out of core needs order lines: an Order number and a Product column"),
        where=ds.name,
        hint=_("Mark the order number and product columns in Column roles"),
    )


def baskets_from_dataset(ds, progress: Progress | None = None) -> "Baskets":
    """views.baskets.baskets_from_dataset for a big Dataset (order lines only)."""
    big = table_of(ds)
    if big.col("order_id") is None or big.col("product_id") is None:
        raise _not_orders(ds)
    return baskets_out_of_core(big, progress, number_columns(ds))


def series_view(ds, *, freq: str | None = None, top: int | None = None, total: bool = True) -> "SalesSeries":
    """views.series.series_view for a big Dataset."""
    from .periods import normalise_freq

    f = normalise_freq(freq) if freq is not None else None
    return series_out_of_core(table_of(ds), freq=f, top=top, total=total)


def ratings_from_dataset(ds, *, source: str = "auto", weighting: str = "counts"):
    """views.ratings.ratings_from_dataset for a big Dataset: DuckDB adds up each customer × product
    pair (lines, and quantity or rating sums) and numbers customers and products in order of first
    appearance in the file, as the in-memory matrix does. ``first_row`` (the first line of each
    pair, used by the time-split evaluation) is left out."""
    import numpy as np
    import scipy.sparse as sp

    from .ratings import RatingMatrix, check_weighting

    big = table_of(ds)
    user_c, item_c = big.col("customer_id"), big.col("product_id")
    if user_c is None or item_c is None:
        raise DataError(
            _("recommendations need a customer column and a product column"),
            where=ds.name,
            hint=_("Mark them as Customer (customer_id) and Product (product_id) in Column roles"),
        )
    if source not in ("auto", "ratings", "orders"):
        raise UsageError(_("unknown source {value}", value=repr(source)), hint=_("use auto, ratings or orders"))
    rating_c = big.col("rating")
    if source == "ratings" and rating_c is None:
        raise DataError(
            _("the data has no column marked as Rating (rating)"),
            where=ds.name,
            hint=_("Mark the rating column, or use the orders (implicit) source"),
        )
    explicit = rating_c is not None and source != "orders"
    value_c = rating_c if explicit else big.col("quantity")
    check_weighting(weighting, explicit, value_c)
    u, i = ident(user_c, big.columns), ident(item_c, big.columns)
    name_c = big.col("product_name")
    n = ident(name_c, big.columns) if name_c is not None else "NULL"
    uses_value = value_c is not None and (explicit or weighting == "quantity")
    v = f"TRY_CAST({ident(value_c, big.columns)} AS DOUBLE)" if uses_value and value_c is not None else "1.0"
    bad = "v IS NULL OR NOT isfinite(v)" + ("" if explicit else " OR v <= 0") if uses_value else "false"
    notes: list = []
    with _connect() as con:
        _run(
            con,
            f"CREATE TEMP TABLE raw AS SELECT file_row_number AS r, {u} AS u, {i} AS i, {v} AS v, {n} AS n, "
            f"({u} IS NULL OR {i} IS NULL OR trim({u}) = '' OR trim({i}) = '') AS no_key "
            "FROM read_parquet(?, file_row_number = true)",
            [str(big.path)],
            Progress(),
            0.0,
            0.6,
        )
        no_key, n_bad = con.execute(
            f"SELECT count(*) FILTER (WHERE no_key), count(*) FILTER (WHERE NOT no_key AND ({bad})) FROM raw"
        ).fetchone()
        con.execute(f"CREATE TEMP VIEW ok AS SELECT * FROM raw WHERE NOT no_key AND NOT ({bad})")
        con.execute(
            "CREATE TEMP TABLE uc AS SELECT u, row_number() OVER (ORDER BY min(r)) - 1 AS code FROM ok GROUP BY u"
        )
        con.execute(
            "CREATE TEMP TABLE ic AS SELECT i, arg_min(n, CASE WHEN n IS NULL THEN NULL ELSE r END) AS n, "
            "row_number() OVER (ORDER BY min(r)) - 1 AS code FROM ok GROUP BY i"
        )
        users = con.execute("SELECT u FROM uc ORDER BY code").fetchnumpy()["u"]
        items = con.execute("SELECT i, n FROM ic ORDER BY code").fetchnumpy()
        cells = con.execute(
            "SELECT uc.code AS uu, ic.code AS ii, count(*) AS k, sum(ok.v) AS s FROM ok "
            "JOIN uc USING (u) JOIN ic USING (i) GROUP BY ALL ORDER BY uu, ii"
        ).fetchnumpy()
        scale = con.execute("SELECT min(v), max(v) FROM ok").fetchone() if explicit else None
    if no_key:
        notes.append(
            Mn(
                "{n} row without a customer or product was left out.",
                "{n} rows without a customer or product were left out.",
                int(no_key),
            )
        )
    if n_bad and value_c is not None:
        if explicit:
            msg = Mn(
                "{n} row without a rating in column '{col}' was left out.",
                "{n} rows without a rating in column '{col}' were left out.",
                int(n_bad),
                col=str(value_c),
            )
        else:
            msg = Mn(
                "{n} row without a positive quantity in column '{col}' was left out.",
                "{n} rows without a positive quantity in column '{col}' were left out.",
                int(n_bad),
                col=str(value_c),
            )
        notes.append(msg)
    if len(users) == 0:
        raise DataError(
            _("no usable rows: every row lacks a customer, a product or a value"),
            where=ds.name,
            hint=_("Check the column roles and the file's contents"),
        )
    rows = np.asarray(cells["uu"], dtype=np.int64)
    cols = np.asarray(cells["ii"], dtype=np.int64)
    counts = np.asarray(cells["k"], dtype=np.float64)
    sums = np.asarray(cells["s"], dtype=np.float64)
    if explicit:
        data = sums / counts
        dup = int((counts > 1).sum())
        if dup:
            notes.append(
                Mn(
                    "{n} customer/product pair was rated more than once; its ratings were averaged.",
                    "{n} customer/product pairs were rated more than once; their ratings were averaged.",
                    dup,
                )
            )
        used = "rating"
    else:
        choices = {"quantity": sums, "counts": counts, "binary": np.ones(len(counts))}
        data = choices[weighting] if weighting in choices else np.log1p(counts)
        used = weighting
    indptr = np.zeros(len(users) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(users)), out=indptr[1:])
    mat = sp.csr_matrix((data, cols, indptr), shape=(len(users), len(items["i"])))
    item_ids = np.asarray(items["i"], dtype=object)
    names = {}
    if name_c is not None:
        names = {
            k: str(v) for k, v in zip(item_ids.tolist(), np.asarray(items["n"], dtype=object).tolist()) if v is not None
        }
    return RatingMatrix(
        mat,
        np.asarray(users, dtype=object),
        item_ids,
        explicit,
        used,
        names,
        (float(scale[0]), float(scale[1])) if scale is not None else None,
        notes,
        None,
    )


def line_spend(big: BigCsv) -> tuple[str, str, Any]:
    """A line's spend as SQL over the big table, as the customer features view reads it: the line
    total, else quantity x unit price, else the quantity, else 1 a line; with its unit and the note
    that says which (None for the line total)."""
    amount_c, qty_c, price_c = big.col("amount"), big.col("quantity"), big.col("price")
    if amount_c is not None:
        return f"TRY_CAST({ident(amount_c, big.columns)} AS DOUBLE)", "money", None
    if qty_c is not None and price_c is not None:
        spend = f"TRY_CAST({ident(qty_c, big.columns)} AS DOUBLE) * TRY_CAST({ident(price_c, big.columns)} AS DOUBLE)"
        return spend, "money", M("Spend per order line is quantity x unit price (no line-total column is marked).")
    if qty_c is not None:
        spend = f"TRY_CAST({ident(qty_c, big.columns)} AS DOUBLE)"
        return spend, "units", M("No amount or unit price is marked, so spend is counted in units bought.")
    return "1.0", "order lines", M("No amount, quantity or price is marked, so spend is counted in order lines.")


def customer_features_from_dataset(ds, *, cutoff=None, churn_days: int | None = None):
    """views.customers.customer_features_from_dataset for a big Dataset, computed by DuckDB down to
    one row per customer: the lines are summed per customer and day (a table DuckDB keeps, and
    spills when it must), and from those sums the first and last order day, the spend, the
    spend in the later and the earlier half of each customer's history and whether they bought
    in the churn window; the number of distinct orders per customer is a second aggregation over
    the lines. Only the per-customer rows come back to Python, where views.customers' own
    functions (time line, trend, notes) make the same features, notes and label as in memory."""
    import numpy as np
    import pandas as pd

    from . import customers as cf

    big = table_of(ds)
    cust_c, date_c = big.col("customer_id"), big.col("date")
    if cust_c is None or date_c is None:
        raise cf.no_customer_or_date(ds, cust_c, date_c)
    from .buyers import require_buyer_ids

    require_buyer_ids(ds)
    cf.check_churn_days(churn_days)
    order_c = big.col("order_id")
    spend, unit, unit_note = line_spend(big)
    c, d = ident(cust_c, big.columns), ident(date_c, big.columns)
    day = f"CAST(TRY_CAST({d} AS TIMESTAMP) AS DATE)"
    ok = "c IS NOT NULL AND day IS NOT NULL"
    progress = Progress()
    with _connect() as con:
        _run(
            con,
            f"CREATE TEMP TABLE cd AS SELECT c, day, sum(coalesce(s, 0)) AS s, count(*) AS n, "
            "count(*) FILTER (WHERE s IS NULL) AS no_spend, count(*) FILTER (WHERE s < 0) AS negative "
            f"FROM (SELECT {c} AS c, {day} AS day, {spend} AS s FROM read_parquet(?)) GROUP BY ALL",
            [str(big.path)],
            progress,
            0.0,
            0.5,
        )
        missing, no_spend, negative, first_day, last_day = con.execute(
            f"SELECT sum(n) FILTER (WHERE NOT ({ok})), sum(no_spend) FILTER (WHERE {ok}), "
            f"sum(negative) FILTER (WHERE {ok}), min(day) FILTER (WHERE {ok}), max(day) FILTER (WHERE {ok}) FROM cd"
        ).fetchone()
        if first_day is None:
            raise DataError(
                _("there are no order lines with both a customer and a date"),
                hint=_("Check the columns marked as customer and date"),
            )
        notes: list = [] if unit_note is None else [unit_note]
        for key, count in (("missing", missing), ("no_spend", no_spend), ("negative", negative)):
            if count:
                notes.append(cf.LINE_NOTES[key](int(count)))

        def lines_after(cut) -> int:
            row = con.execute(f"SELECT sum(n) FROM cd WHERE {ok} AND day > ?", [cut.date()]).fetchone()
            return int(row[0] or 0)

        cut, obs_end = cf.timeline(
            pd.Timestamp(first_day), pd.Timestamp(last_day), cutoff, churn_days, lines_after, notes
        )
        end, cut_day = obs_end.date(), cut.date()
        # per customer: its history up to the observation end, and whether it bought in the window
        con.execute(
            "CREATE TEMP TABLE pc AS SELECT c, min(day) FILTER (WHERE day <= $end) AS first, "
            "max(day) FILTER (WHERE day <= $end) AS last, sum(s) FILTER (WHERE day <= $end) AS monetary, "
            "count(*) FILTER (WHERE day <= $end) AS days, count(*) FILTER (WHERE day > $end AND day <= $cut) > 0 "
            f"AS active FROM cd WHERE {ok} GROUP BY c",
            {"end": end, "cut": cut_day},
        )
        halves = (
            "SELECT cd.c, sum(CASE WHEN 2 * (cd.day - pc.first) > $end - pc.first THEN cd.s "
            "WHEN 2 * (cd.day - pc.first) = $end - pc.first THEN 0.5 * cd.s ELSE 0 END) AS later, "
            "sum(CASE WHEN 2 * (cd.day - pc.first) < $end - pc.first THEN cd.s "
            "WHEN 2 * (cd.day - pc.first) = $end - pc.first THEN 0.5 * cd.s ELSE 0 END) AS earlier "
            "FROM cd JOIN pc USING (c) WHERE cd.day <= $end GROUP BY cd.c"
        )
        if order_c is not None:
            o = ident(order_c, big.columns)
            orders = (
                f"SELECT c, count(DISTINCT o) AS orders FROM (SELECT {c} AS c, {day} AS day, {o} AS o "
                f"FROM read_parquet($path)) WHERE {ok} AND o IS NOT NULL AND day <= $end GROUP BY c"
            )
        else:
            orders = "SELECT c, days AS orders FROM pc"
        rows = _arrow(
            con,
            f"WITH h AS ({halves}), k AS ({orders}) SELECT pc.c, pc.first, pc.last, pc.monetary, "
            "coalesce(k.orders, 0) AS orders, h.later, h.earlier, pc.active FROM pc JOIN h USING (c) "
            "LEFT JOIN k USING (c) WHERE pc.days > 0 ORDER BY pc.c",
            {"end": end, **({"path": str(big.path)} if order_c is not None else {})},
            progress,
            0.5,
            1.0,
        )
        newcomers = int(
            con.execute("SELECT count(*) FROM pc WHERE days = 0 AND active").fetchone()[0] if churn_days else 0
        )
    if order_c is None:
        notes.append(cf.no_order_number_note())
    col = {name: rows.column(name).to_numpy() for name in rows.column_names}
    ids = col["c"].astype(object)
    if cust_c in number_columns(ds):  # numbers in memory: numbers here, in their order
        as_numbers = _integer_ids(rows.column("c"))
        if as_numbers is not None:
            order = np.argsort(as_numbers, kind="stable")
            col = {k: v[order] for k, v in col.items()}
            ids = pd.Series(as_numbers[order]).astype(ds.frame[cust_c].dtype).to_numpy()
    obs = np.datetime64(end, "D")
    first = col["first"].astype("datetime64[D]")
    tenure = pd.Series((obs - first).astype(np.int64).astype(float))
    frequency = pd.Series(col["orders"].astype(float)).clip(lower=1)
    monetary = pd.Series(col["monetary"].astype(float))
    trend = cf.spend_trend(pd.Series(col["later"].astype(float)), pd.Series(col["earlier"].astype(float)), tenure)
    frame = pd.DataFrame(
        {
            "customer_id": ids,
            "recency_days": (obs - col["last"].astype("datetime64[D]")).astype(np.int64).astype(float),
            "frequency": frequency.to_numpy(),
            "monetary": monetary.to_numpy(),
            "tenure_days": tenure.to_numpy(),
            "avg_order_value": (monetary / frequency).astype(float).to_numpy(),
            "spend_trend": trend.astype(float).to_numpy(),
        }
    )
    counts = {"customers": int(len(frame))}
    if churn_days:
        frame[cf.LABEL] = (~col["active"].astype(bool)).astype(int)
        counts["new_in_window"] = newcomers
        notes += cf.label_notes(newcomers, obs_end, cut, int(churn_days))
    return cf.CustomerFeatures(
        frame=frame,
        cutoff=cut,
        observation_end=obs_end,
        churn_days=int(churn_days) if churn_days else None,
        spend_unit=unit,
        notes=notes,
        counts=counts,
    )


def price_panel(
    big_source,
    *,
    product: str,
    date: str,
    quantity: str,
    price: str | None = None,
    amount: str | None = None,
    promotion: str | None = None,
    extra=(),
    freq: str | None = None,
):
    """views.prices.price_panel for a big table (its BigSource): units, revenue (quantity × unit
    price, or the line total), order lines and their average price per product and period, summed
    by DuckDB. A promotion flag or extra columns are not read out of core yet (a plain error)."""
    import numpy as np
    import pandas as pd

    from .prices import PricePanel, dropped_lines_note

    if price is None and amount is None:
        raise UsageError(
            _("the price panel needs a unit price or a line total column"),
            hint=_("mark a column as Unit price (price) or Line total (amount)"),
        )
    if promotion is not None or list(extra):
        raise UsageError(
            _("a promotion flag or extra columns cannot be read from a file this big yet"),
            hint=_("Leave the promotion and extra columns out, or open a smaller extract of the file"),
        )
    columns = list(big_source.columns)
    p, d, q = (ident(c, columns) for c in (product, date, quantity))
    qv = f"TRY_CAST({q} AS DOUBLE)"
    if price is not None:
        unit = f"TRY_CAST({ident(price, columns)} AS DOUBLE)"
    else:
        unit = f"CASE WHEN {qv} <> 0 THEN TRY_CAST({ident(amount, columns)} AS DOUBLE) / {qv} END"  # type: ignore[arg-type]
    notes: list = []
    if price is None:
        notes.append(
            M(
                "Unit price worked out as line total / quantity ({amount} / {quantity}).",
                amount=str(amount),
                quantity=str(quantity),
            )
        )
    with _connect() as con:
        _run(
            con,
            f"CREATE TEMP TABLE raw AS SELECT {p} AS p, TRY_CAST({d} AS TIMESTAMP) AS d, {qv} AS q, "
            f"{unit} AS u FROM read_parquet(?)",
            [str(big_source.parquet)],
            Progress(),
            0.0,
            0.6,
        )
        n0, dropped = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE p IS NULL OR d IS NULL OR q IS NULL OR u IS NULL "
            "OR NOT isfinite(u)) FROM raw"
        ).fetchone()
        con.execute(
            "CREATE TEMP VIEW ok AS SELECT * FROM raw WHERE p IS NOT NULL AND d IS NOT NULL AND q IS NOT NULL "
            "AND u IS NOT NULL AND isfinite(u)"
        )
        if n0 == 0:
            raise DataError(_("the table has no rows"), hint=_("open a file with order lines"))
        if freq is None:
            gap = con.execute(
                "SELECT median(epoch(d) - epoch(prev)) / 86400 FROM (SELECT d, lag(d) OVER (ORDER BY d) AS prev "
                "FROM (SELECT DISTINCT d FROM ok))"
            ).fetchone()[0]
            f = "D" if gap is None or gap <= 2 else "W" if gap <= 10 else "M"
        else:
            from .periods import normalise_freq

            f = normalise_freq(freq) or "W"
        out = con.execute(
            f"SELECT p AS product, date_trunc('{_TRUNC[f]}', d) AS period, sum(q) AS units, sum(q * u) AS revenue, "
            "count(*) AS lines FROM ok GROUP BY ALL ORDER BY product, period"
        ).df()
    if dropped:
        notes.append(dropped_lines_note(int(dropped), int(n0)))
    if out.empty:
        raise DataError(
            _("no order line has a product, a date, a quantity and a price together"),
            hint=_("check the column roles and that the date column holds dates"),
        )
    out["period"] = pd.to_datetime(out["period"]).astype("datetime64[ns]")
    units = out["units"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out.insert(2, "price", np.where(units > 0, out["revenue"].to_numpy() / units, np.nan))
    out["lines"] = out["lines"].astype(int)
    out["product"] = out["product"].astype(object)
    return PricePanel(frame=out[["product", "period", "price", "units", "revenue", "lines"]], freq=f, notes=notes)
