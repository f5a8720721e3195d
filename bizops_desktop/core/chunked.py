"""Long pandas calls on text columns, done in pieces, so that a worker thread lets the window draw.

An analysis runs on a worker thread of the same process as the window, and both need Python's
global lock (the GIL). A single C call that holds it for a second (``pd.factorize`` on 2 million
product codes, ``.str.strip()`` on a text column, sorting a million strings) freezes the window
for that second, whatever the job runner does. The interpreter hands the lock over between
Python steps, so each helper here does the same work as the one big call in pieces of ``PIECE``
rows and gives the identical result; numbers and short columns go through the single call.

    codes, uniques = factorize(frame["product"], sort=True)   # == pd.factorize(..., sort=True)
    keep = nonblank(frame["product"])                          # text that is not empty or spaces
    keys, first = unique(order_codes * n_items + item_codes, return_index=True)   # == np.unique

numpy's own sorts let go of the lock, but ``np.unique`` (a hash table since numpy 2.3) does not:
on 2 million integer keys it held it for most of a second. ``unique`` gives np.unique's answer
from a stable argsort.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

PIECE = 100_000  # rows per piece: ~10-30 ms of pandas work on text, a fraction of a frame


def pieces(n: int, size: int = PIECE) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def _is_text(values: Any) -> bool:
    dtype = getattr(values, "dtype", None)
    return str(dtype) in ("object", "category") or str(dtype).startswith("string")


def _values(values: Any) -> np.ndarray:
    if isinstance(values, pd.Series | pd.Index):
        if str(values.dtype) == "category":
            return values.astype(object).to_numpy()
        return values.to_numpy(dtype=object) if _is_text(values) else values.to_numpy()
    return np.asarray(values)


def factorize(values: Any, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values, sort=sort)`` for a Series, Index or array: codes (-1 for a missing
    value) and the distinct values, numbered in first-seen order or, with ``sort``, in sorted
    order. Raises TypeError like pandas when ``sort`` meets values that do not sort together."""
    if len(values) <= PIECE or not _is_text(values):
        codes, uniques = pd.factorize(values, sort=sort)
        return np.asarray(codes), np.asarray(uniques)
    arr = _values(values)
    code_of: dict[Any, int] = {}
    parts: list[np.ndarray] = []
    for sl in pieces(len(arr)):
        c, u = pd.factorize(arr[sl], sort=False)
        # the piece's own numbers → the running numbering (a Python loop over this piece's
        # distinct values: bytecode, so the window gets its turns), -1 stays -1
        mapping = np.fromiter((code_of.setdefault(v, len(code_of)) for v in u), dtype=np.intp, count=len(u))
        parts.append(np.append(mapping, -1)[c])
    codes = np.concatenate(parts) if parts else np.empty(0, dtype=np.intp)
    uniques = np.empty(len(code_of), dtype=object)
    uniques[:] = list(code_of)
    if sort and len(uniques):
        rank = _ranks(uniques)
        order = np.empty(len(rank), dtype=np.intp)
        order[rank] = np.arange(len(rank))
        codes = np.append(rank, -1)[codes]
        uniques = uniques[order]
    return codes, uniques


def _ranks(uniques: np.ndarray) -> np.ndarray:
    """Each distinct value's place in sorted order, as pandas sorts them. Strings sort in Arrow,
    which lets go of the lock (UTF-8 byte order is code-point order, as Python compares str);
    anything else (numbers stored as objects, dates, a mix) goes through pandas' own sort of the
    distinct values, raising TypeError where pandas does."""
    if all(type(v) is str for v in uniques):
        import pyarrow as pa
        import pyarrow.compute as pc

        chunks = [pa.array(uniques[sl], type=pa.large_string()) for sl in pieces(len(uniques))]
        order = np.asarray(pc.sort_indices(pa.chunked_array(chunks, type=pa.large_string())), dtype=np.intp)
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        return rank
    return np.asarray(pd.factorize(uniques, sort=True)[0], dtype=np.intp)


def nonblank(values: "pd.Series") -> np.ndarray:
    """True where a text value is present and not only spaces (numbers and dates: where present)."""
    if not _is_text(values):
        return values.notna().to_numpy()
    return map_pieces(values, lambda s: (s.notna() & s.astype(str).str.strip().ne("")).to_numpy(dtype=bool))


def blank_texts(uniques: Any) -> np.ndarray:
    """For distinct values (factorize's uniques): True where a value is text of only spaces, the
    blank a key column may hold besides a missing cell (told once per distinct value, not per line)."""
    return np.fromiter((isinstance(u, str) and not u.strip() for u in uniques.tolist()), bool, len(uniques))


def map_pieces(values: "pd.Series", fn: Callable[["pd.Series"], np.ndarray]) -> np.ndarray:
    """``fn(values)`` for an element-wise ``fn`` returning an array, computed piece by piece."""
    if len(values) <= PIECE:
        return np.asarray(fn(values))
    return np.concatenate([np.asarray(fn(values.iloc[sl])) for sl in pieces(len(values))])


def unique(values: Any, return_index: bool = False, return_inverse: bool = False, return_counts: bool = False) -> Any:
    """``np.unique(values, return_index=..., return_inverse=..., return_counts=...)`` of a 1-D
    array, the same arrays, computed by sorting (which lets the window draw). Integers, booleans
    and dates take the sort; anything else (floats with NaN, objects) goes to np.unique."""
    a = np.asarray(values).ravel()
    if len(a) <= PIECE or a.dtype.kind not in "biuMm":
        flags = {"return_index": return_index, "return_inverse": return_inverse, "return_counts": return_counts}
        return np.unique(a, **flags)  # type: ignore[call-overload]
    if return_index or return_inverse:
        order = np.argsort(a, kind="stable")  # stable: the first of equal keys is its first line
        s = a[order]
    else:
        order, s = None, np.sort(a)
    flag = np.empty(len(s), dtype=bool)
    flag[0] = True
    np.not_equal(s[1:], s[:-1], out=flag[1:])
    out: list[np.ndarray] = [s[flag]]
    if return_index:
        assert order is not None
        out.append(order[flag])
    if return_inverse:
        assert order is not None
        inverse = np.empty(len(a), dtype=np.intp)
        inverse[order] = np.cumsum(flag) - 1
        out.append(inverse)
    if return_counts:
        starts = np.flatnonzero(flag)
        out.append(np.diff(np.append(starts, len(s))))
    return out[0] if len(out) == 1 else tuple(out)


def group_indices(values: Any) -> dict:
    """``pd.Series(values).groupby(values, sort=False).indices``: each distinct value (missing
    ones left out) with the positions of its rows, in increasing order, keyed in first-seen order."""
    codes, uniques = factorize(values, sort=False)
    order = np.argsort(codes, kind="stable")  # -1 (missing) first, then each code's rows in order
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    bounds = int((codes < 0).sum()) + np.concatenate([[0], np.cumsum(counts)])
    return {u: order[bounds[k] : bounds[k + 1]] for k, u in enumerate(uniques.tolist())}


def group_sums(values: Any, weights: Any) -> "pd.Series":
    """``pd.Series(weights).groupby(values, sort=False).sum()`` of numbers: the sum per distinct
    value (missing ones left out), indexed by the values in first-seen order."""
    codes, uniques = factorize(values, sort=False)
    w = np.asarray(weights, dtype=float)
    keep = codes >= 0
    sums = np.bincount(codes[keep], weights=w[keep], minlength=len(uniques))
    return pd.Series(sums, index=pd.Index(uniques.tolist(), dtype=object if uniques.dtype == object else None))
