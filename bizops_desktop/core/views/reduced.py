"""Reduced frames computed out of core, for the analyses that read more of the orders table than
one of the shared views (stock planning, pricing, customers & campaigns). DuckDB adds up the big
file's Parquet copy (core/bigfile.py) into a frame small enough for pandas, chosen so that the
analysis's own in-memory code, run on it, gives the figures it gives on the whole table:

- stock: one row per day and product (units and line totals summed), each product's name and
  median unit price over its lines carried on its rows, and one row per product id holding what
  a stock-on-hand column says last for it (the sheet the orders table can itself be);
- customers & campaigns: one row per customer, day, category and discount mark (spend summed),
  with the products each customer bought up to a date, and the campaign group counted on the
  lines;
- pricing: each product's most common name and median unit cost over its lines (the price panel
  itself is views.outofcore.price_panel).

Medians are taken over the lines (a value with its count of lines, the middle found by counting),
as pandas takes them. Column names are quoted by ``outofcore.ident`` (they must be the file's);
values go in as parameters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..progress import Progress
from .outofcore import _connect, _integer_ids, _run, ident, line_spend, number_columns, table_of

if TYPE_CHECKING:
    import pandas as pd

    from ..dataset import Dataset

_NUM = "TRY_CAST({} AS DOUBLE)"
_DAY = "CAST(TRY_CAST({} AS TIMESTAMP) AS DATE)"
_SRC = "read_parquet(?, file_row_number = true)"


def _num(col: str, columns: list[str]) -> str:
    return _NUM.format(ident(col, columns))


def _day(col: str, columns: list[str]) -> str:
    return _DAY.format(ident(col, columns))


def _as_days(values) -> "pd.Series":
    import pandas as pd

    return pd.to_datetime(pd.Series(values)).astype("datetime64[ns]")


def ids_like(ds: "Dataset", column: str, values) -> Any:
    """Ids read as text from the Parquet copy, as the importer reads them: numbers (of the dtype of
    the Dataset's first lines) where it reads the column as numbers and every id is an integer
    written plainly, else the text (objects)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    values = np.asarray(values, dtype=object)
    if column in number_columns(ds) and len(values) and not pd.isna(values).any():
        ints = _integer_ids(pa.array([str(v) for v in values], pa.string()))
        if ints is not None:
            return pd.Series(ints).astype(ds.frame[column].dtype).to_numpy()
    return values


def weighted_median(keys, values, counts) -> "pd.Series":
    """Per key, the median of ``values`` each repeated ``counts`` times (as pandas' median of the
    lines: the middle value, or the mean of the two middle ones); keys without a value left out."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"k": keys, "v": np.asarray(values, dtype=float), "n": np.asarray(counts, dtype=np.int64)})
    frame = frame[frame["v"].notna()]
    if frame.empty:
        return pd.Series(dtype=float)
    frame = frame.sort_values(["k", "v"], kind="mergesort")
    out = {}
    for k, g in frame.groupby("k", sort=False):
        v, n = g["v"].to_numpy(), g["n"].to_numpy()
        total = int(n.sum())
        ends = np.cumsum(n)
        lo = v[np.searchsorted(ends, (total - 1) // 2 + 1)]
        hi = v[np.searchsorted(ends, total // 2 + 1)]
        out[k] = float(np.mean([lo, hi])) if lo != hi else float(lo)
    return pd.Series(out, dtype=float)


# --------------------------------------------------------------------------------------- stock
SHEET_ROLES = ("on_hand", "on_order", "lead_time", "cost", "moq", "pack_size", "review_period")


def stock_dataset(ds: "Dataset", progress: Progress | None = None) -> "Dataset":
    """The frame stock planning reads, from a big Dataset: one row per day and product with a
    quantity (units and line totals summed, the product's name on its last line that has one and
    its median unit price carried along), and one row per product id without a date (every id of
    the file), holding the last value of each stock-sheet column for it (on hand, on order, lead
    time...) when the orders table has a stock-on-hand column. A Dataset of the same columns and
    roles."""
    import numpy as np
    import pandas as pd

    from ..dataset import Dataset

    progress = progress or Progress()
    big = table_of(ds)
    cols = big.columns
    date_c, prod_c, qty_c = big.col("date"), big.col("product_id"), big.col("quantity")
    if date_c is None or prod_c is None or qty_c is None:
        return ds  # the in-memory code says what is missing
    name_c, price_c, amount_c = big.col("product_name"), big.col("price"), big.col("amount")
    p = ident(prod_c, cols)
    name = ident(name_c, cols) if name_c is not None else "NULL"
    price = _num(price_c, cols) if price_c is not None else "NULL"
    amount = _num(amount_c, cols) if amount_c is not None and price_c is None else "NULL"
    has_sheet = big.col("on_hand") is not None
    sheet = [(r, c) for r in SHEET_ROLES if has_sheet and (c := big.col(r)) is not None]
    arrival_c = big.col("arrival_date") if big.col("on_hand") is not None else None
    sheet_sql = "".join(f', {_num(c, cols)} AS "s_{r}"' for r, c in sheet)
    if arrival_c is not None:
        sheet_sql += f", TRY_CAST({ident(arrival_c, cols)} AS TIMESTAMP) AS s_arrival"
    with _connect() as con:
        _run(
            con,
            f"CREATE TEMP TABLE raw AS SELECT file_row_number AS r, {p} AS p, {_day(date_c, cols)} AS d, "
            f"{_num(qty_c, cols)} AS q, {name} AS n, {price} AS u, {amount} AS a{sheet_sql} FROM {_SRC}",
            [str(big.path)],
            progress,
            0.0,
            0.7,
        )
        con.execute("CREATE TEMP VIEW ok AS SELECT * FROM raw WHERE p IS NOT NULL AND d IS NOT NULL AND q IS NOT NULL")
        days = _run(
            con, "SELECT d, p, sum(q) AS q, sum(a) AS a FROM ok GROUP BY d, p ORDER BY d, p", [], progress, 0.7, 0.85
        ).df()
        per = con.execute("SELECT p, arg_max(n, r) FILTER (WHERE n IS NOT NULL) AS n FROM ok GROUP BY p").df()
        prices = None
        if price_c is not None:
            prices = con.execute("SELECT p, u, count(*) AS k FROM ok WHERE u IS NOT NULL GROUP BY p, u").df()
        # every product id of the file once (those with no usable line too: a stock sheet is
        # linked to the orders by all their ids), with the stock-sheet columns' last values
        if not sheet and arrival_c is None:
            ids = con.execute("SELECT DISTINCT p FROM raw WHERE p IS NOT NULL ORDER BY p").df()
        else:
            last = ", ".join(
                [f'arg_max("s_{r}", r) FILTER (WHERE "s_{r}" IS NOT NULL) AS "s_{r}"' for r, _c in sheet]
                + (["arg_max(s_arrival, r) FILTER (WHERE s_arrival IS NOT NULL) AS s_arrival"] if arrival_c else [])
            )
            ids = con.execute(
                f"WITH k AS (SELECT trim(p) AS key, {last} FROM raw WHERE p IS NOT NULL GROUP BY key), "
                "ps AS (SELECT DISTINCT p FROM raw WHERE p IS NOT NULL) "
                "SELECT ps.p, k.* EXCLUDE (key) FROM ps JOIN k ON trim(ps.p) = k.key ORDER BY ps.p"
            ).df()
    progress.report(0.9)
    names = dict(zip(per["p"], per["n"])) if name_c is not None else {}
    frame = pd.DataFrame(
        {
            date_c: _as_days(days["d"]),
            prod_c: days["p"].astype(object),
            qty_c: days["q"].astype(float),
        }
    )
    if name_c is not None:
        frame[name_c] = frame[prod_c].map(names).astype(object)
    if price_c is not None and prices is not None:
        med = weighted_median(prices["p"].to_numpy(dtype=object), prices["u"], prices["k"])
        frame[price_c] = frame[prod_c].map(med).astype(float)
    elif amount_c is not None:
        frame[amount_c] = days["a"].astype(float)
    if len(ids):
        rows = pd.DataFrame({date_c: pd.Series(pd.NaT, index=ids.index, dtype="datetime64[ns]")})
        rows[prod_c] = ids["p"].astype(object)
        rows[qty_c] = np.nan
        for r, c in sheet:
            rows[c] = ids[f"s_{r}"].astype(float)
        if arrival_c is not None:
            rows[arrival_c] = _as_days(ids["s_arrival"])
        frame = pd.concat([frame, rows], ignore_index=True)
    roles = {r: [c for c in cs if c in frame.columns] for r, cs in big.roles.items()}
    out = Dataset(
        name=ds.name,
        frame=frame,
        roles={r: cs for r, cs in roles.items() if cs},
        source=ds.source,
        source_hash=ds.source_hash,
        import_options=dict(ds.import_options),
    )
    progress.report(1.0)
    return out


# ----------------------------------------------------------------------------- customers & campaigns
def customer_day_lines(
    ds: "Dataset", category: str | None, discount: str | None, progress: Progress | None = None
) -> "pd.DataFrame":
    """Every line of a big Dataset added up per customer, day, category and discount mark (as
    written): customer_id, day, spend (the line's spend as the customer features view reads it,
    a missing one as 0, summed), category and discount (the raw values, when their columns are
    given) — the lines without a customer or a date too, so that a column's values are all seen."""
    import pandas as pd

    progress = progress or Progress()
    big = table_of(ds)
    cols = big.columns
    cust_c, date_c = big.col("customer_id"), big.col("date")
    assert cust_c is not None and date_c is not None
    spend = line_spend(big)[0]
    marks = "".join(
        f", {ident(c, cols)} AS {name}" for c, name in ((category, "category"), (discount, "discount")) if c is not None
    )
    with _connect() as con:
        frame = _run(
            con,
            f"SELECT {ident(cust_c, cols)} AS customer_id, {_day(date_c, cols)} AS day, "
            f"sum(coalesce({spend}, 0.0)) AS spend{marks} FROM read_parquet(?) GROUP BY ALL",
            [str(big.path)],
            progress,
            0.0,
            1.0,
        ).df()
    frame["day"] = _as_days(frame["day"])
    frame["spend"] = frame["spend"].astype(float)
    known = frame["customer_id"].notna().to_numpy()
    if known.all():
        frame["customer_id"] = ids_like(ds, cust_c, frame["customer_id"])
    else:
        frame["customer_id"] = frame["customer_id"].astype(object)
        frame.loc[known, "customer_id"] = pd.Series(
            ids_like(ds, cust_c, frame.loc[known, "customer_id"]), index=frame.index[known], dtype=object
        )
    return frame


def products_per_customer(ds: "Dataset", upto) -> "pd.Series":
    """customer -> how many distinct products they bought up to and including the day ``upto``
    (lines with a customer, a date and a product)."""
    import pandas as pd

    big = table_of(ds)
    cols = big.columns
    c, p = ident(str(big.col("customer_id")), cols), ident(str(big.col("product_id")), cols)
    day = _day(str(big.col("date")), cols)
    with _connect() as con:
        got = con.execute(
            f"SELECT {c} AS c, count(DISTINCT {p}) AS k FROM read_parquet(?) "
            f"WHERE {c} IS NOT NULL AND {p} IS NOT NULL AND {day} IS NOT NULL AND {day} <= CAST(? AS DATE) "
            "GROUP BY ALL",
            [str(big.path), pd.Timestamp(upto).date()],
        ).df()
    return pd.Series(got["k"].to_numpy(dtype=float), index=ids_like(ds, str(big.col("customer_id")), got["c"]))


def first_group(ds: "Dataset", column: str, contacted: Iterable[str], holdout: Iterable[str]) -> "pd.Series":
    """customer -> "contacted" / "holdout": the word on the customer's first line (in file order)
    whose ``column`` holds one of the words (trimmed, lower case)."""
    import pandas as pd

    big = table_of(ds)
    cols = big.columns
    c, g = ident(str(big.col("customer_id")), cols), ident(column, cols)
    with _connect() as con:
        got = con.execute(
            "WITH w AS (SELECT file_row_number AS r, "
            f"{c} AS c, CASE WHEN list_contains(?, lower(trim({g}))) THEN 'contacted' "
            f"WHEN list_contains(?, lower(trim({g}))) THEN 'holdout' END AS g FROM {_SRC}) "
            "SELECT c, arg_min(g, r) AS g, min(r) AS r FROM w WHERE g IS NOT NULL GROUP BY c ORDER BY r",
            [sorted(contacted), sorted(holdout), str(big.path)],
        ).df()
    index = pd.Index(ids_like(ds, str(big.col("customer_id")), got["c"]), name="c")
    out = pd.Series(got["g"].to_numpy(dtype=object), index=index)
    out.name = "g"
    return out


# ------------------------------------------------------------------------------------------ pricing
def common_names(ds: "Dataset", id_col: str, name_col: str) -> dict[str, str]:
    """id -> the name most of its lines carry (a tie: the pair seen first in the file)."""
    big = table_of(ds)
    cols = big.columns
    i, n = ident(id_col, cols), ident(name_col, cols)
    with _connect() as con:
        rows = con.execute(
            "SELECT i, n FROM (SELECT i, n, row_number() OVER (PARTITION BY i ORDER BY k DESC, r) AS rank FROM "
            f"(SELECT {i} AS i, {n} AS n, count(*) AS k, min(file_row_number) AS r FROM {_SRC} "
            f"WHERE {i} IS NOT NULL AND {n} IS NOT NULL GROUP BY 1, 2)) WHERE rank = 1",
            [str(big.path)],
        ).fetchall()
    return {str(k): str(v) for k, v in rows}


def median_per_key(
    ds: "Dataset", value_col: str, key_col: str | None, progress: Progress | None = None, *, nonnegative: bool = True
) -> Any:
    """The median of ``value_col`` (as a number; values below zero left out when ``nonnegative``)
    per value of ``key_col`` over every line; without a key, the median of the whole column (a
    float)."""
    import numpy as np

    big = table_of(ds)
    cols = big.columns
    v = _num(value_col, cols)
    k = ident(key_col, cols) if key_col is not None else "NULL"
    with _connect() as con:
        got = _run(
            con,
            f"SELECT {k} AS k, {v} AS v, count(*) AS n FROM read_parquet(?) "
            f"WHERE {v} {'>= 0' if nonnegative else 'IS NOT NULL'} GROUP BY ALL",
            [str(big.path)],
            progress or Progress(),
            0.0,
            1.0,
        ).df()
    if key_col is None:
        med = weighted_median(np.zeros(len(got)), got["v"], got["n"])
        return float(med.iloc[0]) if len(med) else float("nan")
    got = got[got["k"].notna()]
    return weighted_median(got["k"].to_numpy(dtype=object), got["v"], got["n"])
