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
from collections.abc import Mapping
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
        rows = con.execute(f"DESCRIBE SELECT * FROM {_SOURCE}", _source_params(big)).fetchall()
    big.columns = [str(r[0]) for r in rows]
    if roles is None:
        sample = preview(path, ImportOptions(keep_cancelled=True), nrows=5000).frame
        roles = guess_export_roles(sample)
    big.roles = {r: [str(c) for c in cols] for r, cols in roles.items()}
    return big


# ---------------------------------------------------------------------------------------------
# SQL pieces

_SOURCE = "read_csv(?, delim = ?, quote = '\"', header = true, skip = ?, encoding = ?, all_varchar = true)"


def _source_params(big: BigCsv) -> list[Any]:
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
        return con.execute(sql, params)
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


def baskets_out_of_core(big: BigCsv, progress: Progress | None = None) -> "Baskets":
    """The baskets of ``baskets_from_orders`` (order × product, repeats counted once, lines
    without an order or product and with a quantity not above zero left out), computed by DuckDB.
    Orders are numbered in sorted order of their numbers (the in-memory view numbers them as first
    seen: the same baskets, in another order); products in sorted order, as there."""
    import numpy as np

    from .baskets import Baskets

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
    q = ident(q_col, big.columns) if q_col is not None else None
    name = ident(n_col, big.columns) if n_col is not None else "NULL"
    has_line = f"{o} IS NOT NULL AND {p} IS NOT NULL AND trim({p}) <> ''"
    positive = f"TRY_CAST({q} AS DOUBLE) > 0" if q is not None else "true"
    params = _source_params(big)
    with _connect() as con:
        # one pass over the file; what is left out is counted from the table it leaves
        _run(
            con,
            f"CREATE TEMP TABLE raw AS SELECT {o} AS o, {p} AS p, {name} AS n, ({has_line}) AS has_line, "
            f"({positive}) AS positive FROM {_SOURCE}",
            params,
            progress,
            0.0,
            0.6,
        )
        counts = con.execute(
            "SELECT count(*) FILTER (WHERE NOT has_line), count(*) FILTER (WHERE has_line AND NOT positive) FROM raw"
        ).fetchone()
        missing, not_positive = int(counts[0]), int(counts[1] or 0)
        con.execute("CREATE TEMP VIEW lines AS SELECT o, p, n FROM raw WHERE has_line AND positive")
        # numbers for the distinct orders and products (sorting those, not the lines), then each
        # line's pair of numbers by hash joins
        con.execute(
            "CREATE TEMP TABLE oc AS SELECT o, row_number() OVER (ORDER BY o) - 1 AS code "
            "FROM (SELECT DISTINCT o FROM lines)"
        )
        con.execute(
            "CREATE TEMP TABLE pc AS SELECT p, first(n) FILTER (WHERE n IS NOT NULL) AS n, "
            "row_number() OVER (ORDER BY p) - 1 AS code FROM lines GROUP BY p"
        )
        progress.report(0.7)
        orders = con.execute("SELECT o FROM oc ORDER BY code").fetchnumpy()["o"]
        items = con.execute("SELECT p, n FROM pc ORDER BY code").fetchnumpy()
        codes = _run(
            con,
            "SELECT oc.code AS o_code, pc.code AS p_code, count(*) AS k FROM lines "
            "JOIN oc USING (o) JOIN pc USING (p) GROUP BY ALL",
            [],
            progress,
            0.75,
            0.95,
        ).fetchnumpy()
    notes: list = []
    if missing:
        notes.append(
            Mn(
                "{n} line without an order number or product was left out.",
                "{n} lines without an order number or product were left out.",
                missing,
            )
        )
    if not_positive:
        notes.append(
            Mn(
                "{n} line with a zero, negative or missing quantity (returns, cancellations) was left out.",
                "{n} lines with a zero, negative or missing quantity (returns, cancellations) were left out.",
                not_positive,
            )
        )
    if len(orders) == 0:
        raise DataError(
            _("no order line has both an order number and a product"),
            where=product_col,
            hint=_("Check that the right columns are marked as Order number and Product"),
        )
    # each (order, product) pair comes once with its count of lines: a CSR straight from them,
    # sorted by order then product, repeats of a product in an order counted once (said as there)
    oc = np.asarray(codes["o_code"], dtype=np.int64)
    pc = np.asarray(codes["p_code"], dtype=np.int64)
    k = np.asarray(codes["k"], dtype=np.int64)
    order = np.lexsort((pc, oc))
    oc, pc = oc[order], pc[order]
    repeated = int(k.sum() - len(k))
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
    indptr = np.zeros(len(orders) + 1, dtype=np.int64)
    np.cumsum(np.bincount(oc, minlength=len(orders)), out=indptr[1:])
    names = None
    if n_col is not None:
        names = [None if v is None else str(v) for v in np.asarray(items["n"], dtype=object)]
    out = Baskets(
        order_ids=np.asarray(orders, dtype=object),
        item_ids=np.asarray(items["p"], dtype=object),
        indptr=indptr,
        indices=pc.astype(np.int32),
        item_names=names,
        notes=notes,
    )
    progress.report(1.0)
    return out


# ---------------------------------------------------------------------------------------------
# sales series

_TRUNC = {"D": "day", "W": "week", "M": "month"}


def series_out_of_core(
    big: BigCsv, freq: str = "W", top: int | None = None, progress: Progress | None = None
) -> "SalesSeries":
    """The sales series of ``series_view`` (quantity, else line total, per period and product,
    Total first; a last period the data ends inside is dropped), summed by DuckDB per period and
    product; the frame handed on has one row per period and product."""
    import pandas as pd

    from .series import _FORECASTING_NOTES, VALUE_ROLES, build_series

    progress = progress or Progress()
    if freq not in _TRUNC:
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
    trunc = _TRUNC[freq]
    params = _source_params(big)
    with _connect() as con:
        _run(
            con,
            f"CREATE TEMP TABLE rows AS SELECT TRY_CAST({d} AS TIMESTAMP) AS d, {d} IS NOT NULL AS has_d, "
            f"TRY_CAST({v} AS DOUBLE) AS v, {s} AS s, {n} AS n FROM {_SOURCE}",
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
        total = con.execute("SELECT count(*) FILTER (WHERE has_d) FROM rows").fetchone()[0]
        if total and unread > 0.5 * total:
            raise DataError(
                _(
                    "the dates in column {col} are not written as 2024-03-05, so they cannot be read out of core yet",
                    col=date_col,
                ),
                where=big.path.name,
                hint=_("Open the file with File ▸ Open data instead"),
            )
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
        notes.append(
            Mn(
                "{n} row without a readable date in column '{col}' was left out.",
                "{n} rows without a readable date in column '{col}' were left out.",
                int(bad_date),
                col=str(date_col),
            )
        )
    if bad_value:
        notes.append(
            Mn(
                "{n} row without a number in column '{col}' was left out.",
                "{n} rows without a number in column '{col}' were left out.",
                int(bad_value),
                col=str(value_col),
            )
        )
    if sums.empty:
        raise DataError(
            _("no row has both a date in {date} and a number in {value}", date=repr(date_col), value=repr(value_col)),
            where=big.path.name,
            hint=_("Check that the date and value columns are the right ones"),
        )
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
        name_col="n" if n_col is not None else None,
        drop_partial_last=False,
        where=big.path.name,
    )
    out.value_name = value_col
    out.notes = notes + out.notes
    out.notes.insert(0, _FORECASTING_NOTES[value_role](str(value_col)))
    progress.report(1.0)
    return out
