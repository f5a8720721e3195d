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


def count_duplicates(frame) -> int:
    """How many rows repeat an earlier row exactly (what ``frame.duplicated().sum()`` gives).
    Builds the row key column by column, most varied first, and stops as soon as the key is
    unique: an orders table is usually unique after order id and product, so the remaining
    columns need not be hashed at all."""
    import numpy as np
    import pandas as pd

    n = len(frame)
    if n < 2 or frame.shape[1] == 0:
        return 0
    try:
        varied = sorted(frame.columns, key=lambda c: -evenly(frame[c]).nunique(dropna=False))
        key = None
        distinct = 0
        for c in varied:
            codes, uniques = pd.factorize(frame[c], use_na_sentinel=False)
            codes = codes.astype(np.int64)
            if key is None:
                key, distinct = codes, len(uniques)
            else:
                # both factors are below n, so the product fits in int64 for any table in memory
                key, kuniq = pd.factorize(key * len(uniques) + codes)
                key = key.astype(np.int64)
                distinct = len(kuniq)
            if distinct == n:
                return 0
        return n - distinct
    except TypeError:  # unhashable cells (lists) from a plugin importer: compare as text
        return int(frame.astype(str).duplicated().sum())


def quality_notes(frame, roles: Mapping[str, list[str]]) -> list[Any]:
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
        dup = count_duplicates(frame)
        if dup:
            notes.append(
                Mn(
                    "{n} row is an exact duplicate of an earlier row (kept); check the export if that is unexpected",
                    "{n} rows are exact duplicates of an earlier row (kept); check the export if that is unexpected",
                    dup,
                )
            )
    return notes
