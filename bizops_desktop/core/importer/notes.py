"""The notes an import leaves for the user: how rows and values are named in them, and the
checks worth knowing before an analysis (returns, duplicated rows). Nothing is removed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..i18n import Message, Mn

MAX_LISTED = 5  # how many bad rows/values a note names


def evenly(series, n: int = 2000):
    """About ``n`` values spread evenly over a column: what a check or a conversion looks at."""
    step = max(1, len(series) // n)
    return series.iloc[::step]


def rows_note(mask, first_row: int, unit: str) -> Message:
    """Where in the file: "lines 3, 8, 12" (a text file, ``unit="line"``) or "row 4" (a sheet)."""
    import numpy as np

    idx = np.flatnonzero(np.asarray(mask))
    nums = list_nums([int(i) + first_row for i in idx[: MAX_LISTED + 1]])
    if unit == "row":
        return Mn("row {rows}", "rows {rows}", len(idx), rows=nums)
    return Mn("line {rows}", "lines {rows}", len(idx), rows=nums)


def list_nums(nums: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in nums[:MAX_LISTED])
    return shown + (", ..." if len(nums) > MAX_LISTED else "")


def bad_dates_note(col, bad: int, mask, first_row: int, unit: str) -> Message:
    return Mn(
        "{n} date could not be read in column {col} ({rows}); left empty",
        "{n} dates could not be read in column {col} ({rows}); left empty",
        bad,
        col=str(col),
        rows=rows_note(mask, first_row, unit),
    )


class KnownCodes:
    """The group number of each cell of some columns, as their reader found them (Arrow's
    dictionary encoding of a text column), so the duplicate count need not hash those columns
    again. A column is known by the array of values it was built on: a column converted, filtered
    or copied since holds another array, is not found, and is hashed as before."""

    def __init__(self) -> None:
        self._by_array: dict[int, tuple[Any, Any, int]] = {}

    def add(self, values, codes, n_codes: int) -> None:
        self._by_array[id(values)] = (values, codes, n_codes)

    def get(self, series) -> tuple[Any, int] | None:
        """(codes, number of codes) of a column still holding exactly the values given to ``add``."""
        if not self._by_array:
            return None
        v = series.to_numpy()
        base = v if v.base is None else v.base
        hit = self._by_array.get(id(base))
        if hit is None or hit[0] is not base:
            return None
        # the whole array, as it was: not a slice, a reversed or a strided view of it
        if v.shape != base.shape or v.strides != base.strides or v.ctypes.data != base.ctypes.data:
            return None
        return hit[1], hit[2]


def count_duplicates(frame, known: KnownCodes | None = None) -> int:
    """How many rows repeat an earlier row exactly (what ``frame.duplicated().sum()`` gives).

    Builds the row key column by column and after each column drops the rows whose key is already
    unique (they cannot repeat anything): an orders table is usually unique after the order id and
    one line-level column, so the other columns are hashed for a few rows, or not at all. The next
    column is the one that splits the rows still in play the most on a sample of them, a number
    column before a text one when they split alike (hashing text costs several times more).
    Columns whose group numbers the reader already found (``known``) are not hashed at all."""
    import numpy as np

    n = len(frame)
    if n < 2 or frame.shape[1] == 0:
        return 0
    try:
        left = list(frame.columns)
        rows = None  # positions of the rows still in play (None: all of them)
        key = None  # dense group number of each row in play
        in_play = 0
        while left:
            c = _next_column(frame, left, rows, key)
            left.remove(c)
            hint = known.get(frame[c]) if known is not None else None
            if hint is not None:
                codes = (hint[0] if rows is None else hint[0][rows]).astype(np.int64)
                n_uniques = hint[1]
            else:
                codes, n_uniques = _factorize(frame[c] if rows is None else frame[c].take(rows))
            # both factors are below n, so the product fits in int64 for any table in memory
            if key is None:
                key, sizes = codes, np.bincount(codes)
            else:
                key, sizes = _dense(key * n_uniques + codes)
            repeated = sizes[key] > 1
            if not repeated.any():
                return 0
            in_play = len(key) - len(sizes)  # rows beyond the first of their group: the duplicates so far
            if repeated.mean() < 0.9:
                rows = np.flatnonzero(repeated) if rows is None else rows[repeated]
                key = key[repeated]
        return int(in_play)
    except (TypeError, ValueError):  # unhashable cells (lists) from a plugin importer: compare as text
        return int(frame.astype(str).duplicated().sum())


def _factorize(col) -> tuple:
    """(codes as int64, number of distinct values), missing values one value of their own. Text in
    runs (an order number on each of its order's lines) is hashed once per run: equal neighbours
    are found by comparing them, which costs a fraction of hashing every cell."""
    import numpy as np
    import pandas as pd
    from pandas.api import types as pt

    values = col.to_numpy()
    if pt.is_object_dtype(values.dtype) and len(values) > 1000:
        new_run = np.empty(len(values), dtype=bool)
        new_run[0] = True
        np.not_equal(values[1:], values[:-1], out=new_run[1:])
        runs = int(np.count_nonzero(new_run))
        if runs < 0.7 * len(values):
            head_codes, uniques = pd.factorize(values[new_run], use_na_sentinel=False)
            return head_codes.astype(np.int64)[np.cumsum(new_run) - 1], len(uniques)
    codes, uniques = pd.factorize(col, use_na_sentinel=False)
    return codes.astype(np.int64), len(uniques)


def _dense(values):
    """(group number 0..k-1 of each value, size of each group). A stable sort, which runs in about
    linear time on an export written order by order (the key then nearly ascends)."""
    import numpy as np

    order = np.argsort(values, kind="stable")
    ordered = values[order]
    start = np.empty(len(ordered), dtype=bool)
    start[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=start[1:])
    group = np.empty(len(values), dtype=np.int64)
    group[order] = np.cumsum(start) - 1
    bounds = np.flatnonzero(start)
    return group, np.diff(np.append(bounds, len(ordered)))


def _next_column(frame, left: list, rows, key):
    """The column of ``left`` that splits the rows in play into the most groups on a sample: spread
    over the file for the first column; the first 5,000 rows in play after it, so that an order's
    lines are seen together, and then a number before text on a near tie (text costs several
    times more to hash)."""
    import numpy as np
    import pandas as pd
    from pandas.api import types as pt

    if len(left) == 1:
        return left[0]
    if key is None:
        return max(left, key=lambda c: evenly(frame[c]).nunique(dropna=False))
    pick = (rows[:5000] if rows is not None else np.arange(min(len(key), 5000))).astype(np.int64)
    k = key[:5000]
    scores = {}
    for c in left:
        codes = pd.factorize(frame[c].take(pick), use_na_sentinel=False)[0].astype(np.int64)
        scores[c] = len(np.unique(k * (codes.max() + 1) + codes)) if len(codes) else 0
    best = max(scores.values())
    near = [c for c in left if scores[c] >= 0.98 * best]
    cheap = [c for c in near if not pt.is_object_dtype(frame[c]) and not pt.is_string_dtype(frame[c])]
    return (cheap or near)[0]


def quality_notes(frame, roles: Mapping[str, list[str]], known: KnownCodes | None = None) -> list[Any]:
    """Things worth knowing before an analysis: returns, duplicated rows. Nothing is removed."""
    from pandas.api import types as pt

    notes: list[Any] = []
    qty_cols = roles.get("quantity")
    qty = qty_cols[0] if qty_cols else None
    if qty is not None and qty in frame.columns and pt.is_numeric_dtype(frame[qty]):
        neg = int((frame[qty] < 0).sum())
        if neg:
            notes.append(
                Mn(
                    "{n} row has a negative quantity in column {col} (returns?); kept",
                    "{n} rows have a negative quantity in column {col} (returns?); kept",
                    neg,
                    col=str(qty),
                )
            )
    if len(frame) > 1:
        dup = count_duplicates(frame, known)
        if dup:
            notes.append(
                Mn(
                    "{n} row is an exact duplicate of an earlier row (kept); check the export if that is unexpected",
                    "{n} rows are exact duplicates of an earlier row (kept); check the export if that is unexpected",
                    dup,
                )
            )
    return notes
