"""The user x item matrix shared by recommendations (and anything else that needs "who rated or
bought what"): explicit ratings, or implicit weights from purchase counts or quantities.

Explicit: one cell per (customer, product); a customer who rated a product more than once gets the
mean of their ratings (a note says how many). Implicit: a cell holds how many order lines
(``counts``), units (``quantity``), 1 (``binary``) or log(1 + order lines) (``log``).
Rows and columns are numbered in order of first appearance in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from .. import chunked
from ..errors import DataError, UsageError
from ..i18n import Mn, _

if TYPE_CHECKING:
    from ..dataset import Dataset

WEIGHTINGS = ("counts", "quantity", "binary", "log")


@dataclass
class RatingMatrix:
    """``matrix`` is CSR (users x items, float64) with only the observed cells stored (an explicit
    rating equal to zero is still stored). ``users``/``items`` are the original labels."""

    matrix: sp.csr_matrix
    users: np.ndarray
    items: np.ndarray
    explicit: bool
    weighting: str  # "rating" for explicit data, else one of WEIGHTINGS
    names: dict[Any, str] = field(default_factory=dict)  # product label -> product name
    rating_scale: tuple[float, float] | None = None  # (lowest, highest) explicit rating
    notes: list = field(default_factory=list)  # Messages
    # Same structure as ``matrix``; each cell holds the input row where it first appears. Ties
    # between equally similar neighbours are broken by it, as Surprise does (file order).
    first_row: sp.csr_matrix | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    @property
    def nnz(self) -> int:
        return int(self.matrix.nnz)

    def user_index(self) -> dict:
        return {u: k for k, u in enumerate(self.users.tolist())}

    def item_index(self) -> dict:
        return {i: k for k, i in enumerate(self.items.tolist())}

    def name_of(self, item) -> str:
        return self.names.get(item, "")

    def triplets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(user index, item index, value) of every stored cell, row by row."""
        m = self.matrix
        rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
        return rows, m.indices.copy(), m.data.copy()


def _key_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each line's key as a code in first-seen order (-1 where it is missing or only spaces) and
    the distinct keys. Read once, in pieces; a blank key is told from its distinct value, not by
    stripping every line."""
    codes, uniques = chunked.factorize(values, sort=False)
    blank = chunked.blank_texts(uniques)
    if blank.any():
        codes = np.where(np.append(blank, True)[codes], -1, codes)
    return codes, uniques


def _renumber(codes: np.ndarray, uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The codes of the lines kept, numbered again in the order they are first seen among them
    (what factorizing the kept lines alone gives), and their distinct keys."""
    new, old = chunked.factorize(codes, sort=False)
    return new, uniques[old.astype(np.intp)]


def check_weighting(weighting: str, explicit: bool, value_col: str | None) -> None:
    """An implicit weighting must be one of WEIGHTINGS, and "quantity" needs a quantity column
    (in memory and out of core alike)."""
    if not explicit and weighting not in WEIGHTINGS:
        raise UsageError(
            _("unknown implicit weighting {value}", value=repr(weighting)),
            where="weighting",
            hint=_("use one of {choices}", choices=", ".join(WEIGHTINGS)),
        )
    if not explicit and weighting == "quantity" and value_col is None:
        raise UsageError(
            _("weighting by quantity needs a column marked as Quantity (quantity)"),
            where="weighting",
            hint=_("Mark the quantity column, or use counts"),
        )


def build_ratings(
    frame: pd.DataFrame,
    user_col: str,
    item_col: str,
    value_col: str | None = None,
    *,
    explicit: bool,
    weighting: str = "counts",
    name_col: str | None = None,
    where: str = "data",
) -> RatingMatrix:
    """Build the matrix from a long table. ``value_col`` is the rating (explicit) or the quantity
    (implicit, used by ``weighting="quantity"``)."""
    notes: list = []
    for c in (user_col, item_col, value_col, name_col):
        if c is not None and c not in frame.columns:
            raise DataError(
                _("column {name} is not in the table", name=repr(c)), where=where, hint=_("Check the column roles")
            )
    check_weighting(weighting, explicit, value_col)
    ucode, users = _key_codes(frame[user_col])
    icode, items = _key_codes(frame[item_col])
    keep = (ucode >= 0) & (icode >= 0)
    dropped = int((~keep).sum())
    if dropped:
        notes.append(
            Mn(
                "{n} row without a customer or product was left out.",
                "{n} rows without a customer or product were left out.",
                dropped,
            )
        )
    if value_col is not None and (explicit or weighting == "quantity"):
        values = pd.to_numeric(frame[value_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = keep & ~np.isfinite(values)
        if not explicit:
            bad |= keep & ~(values > 0)
        n_bad = int(bad.sum())
        if n_bad:
            if explicit:
                notes.append(
                    Mn(
                        "{n} row without a rating in column '{col}' was left out.",
                        "{n} rows without a rating in column '{col}' were left out.",
                        n_bad,
                        col=str(value_col),
                    )
                )
            else:
                notes.append(
                    Mn(
                        "{n} row without a positive quantity in column '{col}' was left out.",
                        "{n} rows without a positive quantity in column '{col}' were left out.",
                        n_bad,
                        col=str(value_col),
                    )
                )
        keep &= ~bad
        vals = values[keep]
    else:
        vals = np.ones(int(keep.sum()))
    if not keep.any():
        raise DataError(
            _("no usable rows: every row lacks a customer, a product or a value"),
            where=where,
            hint=_("Check the column roles and the file's contents"),
        )
    ucode, users = _renumber(ucode[keep], users)
    icode, items = _renumber(icode[keep], items)
    n_u, n_i = len(users), len(items)
    vals = vals.astype(np.float64, copy=False)
    key = ucode.astype(np.int64) * n_i + icode
    uniq, first, inv, counts = chunked.unique(key, return_index=True, return_inverse=True, return_counts=True)
    # numpy's stub says bincount gives intp; with weights it gives float64
    sums: npt.NDArray[np.float64] = np.bincount(inv, weights=vals, minlength=len(uniq))  # type: ignore[assignment]

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
        weighting_used = "rating"
        scale = (float(vals.min()), float(vals.max()))
    else:
        if weighting == "quantity":
            data = sums
        elif weighting == "counts":
            data = counts.astype(np.float64)
        elif weighting == "binary":
            data = np.ones(len(uniq))
        else:  # log
            data = np.log1p(counts.astype(np.float64))
        weighting_used = weighting
        scale = None
    rows = (uniq // n_i).astype(np.int64)
    cols_ = (uniq % n_i).astype(np.int64)
    # Built from its parts so that an explicit rating of 0 stays a stored cell.
    order = np.lexsort((cols_, rows))
    indptr = np.zeros(n_u + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    indptr = np.cumsum(indptr)
    mat = sp.csr_matrix((data[order], cols_[order], indptr), shape=(n_u, n_i))
    first_row = sp.csr_matrix((first[order].astype(np.float64), cols_[order], indptr), shape=(n_u, n_i))

    names: dict[Any, str] = {}
    if name_col is not None:
        # each product's name on its first line that has one (codes, not a hash of the text)
        name_values = frame[name_col].to_numpy(dtype=object)[keep]
        named = ~pd.isna(name_values)
        named_codes, at = chunked.unique(icode[named], return_index=True)
        first_names = name_values[named][at]
        item_list = items.tolist()
        names = {item_list[c]: str(n) for c, n in zip(named_codes.tolist(), first_names.tolist())}
    return RatingMatrix(
        mat,
        np.asarray(users, dtype=object),
        np.asarray(items, dtype=object),
        explicit,
        weighting_used,
        names,
        scale,
        notes,
        first_row,
    )


def ratings_from_dataset(ds: "Dataset", *, source: str = "auto", weighting: str = "counts") -> RatingMatrix:
    """Pick explicit ratings when the data has a rating column (unless ``source="orders"``), else
    implicit purchases. ``source``: auto | ratings | orders."""
    if getattr(ds, "big", None) is not None:  # a file bigger than memory: computed out of core
        from . import outofcore

        return outofcore.ratings_from_dataset(ds, source=source, weighting=weighting)
    user, item = ds.col("customer_id"), ds.col("product_id")
    if user is None or item is None or not ds.has("customer_id", "product_id"):
        raise DataError(
            _("recommendations need a customer column and a product column"),
            where=ds.name,
            hint=_("Mark them as Customer (customer_id) and Product (product_id) in Column roles"),
        )
    from .buyers import require_buyer_ids

    require_buyer_ids(ds)
    name = ds.col("product_name") if ds.has("product_name") else None
    if source not in ("auto", "ratings", "orders"):
        raise UsageError(_("unknown source {value}", value=repr(source)), hint=_("use auto, ratings or orders"))
    has_rating = ds.has("rating")
    if source == "ratings" and not has_rating:
        raise DataError(
            _("the data has no column marked as Rating (rating)"),
            where=ds.name,
            hint=_("Mark the rating column, or use the orders (implicit) source"),
        )
    if has_rating and source != "orders":
        return build_ratings(ds.frame, user, item, ds.col("rating"), explicit=True, name_col=name, where=ds.name)
    qty = ds.col("quantity") if ds.has("quantity") else None
    return build_ratings(ds.frame, user, item, qty, explicit=False, weighting=weighting, name_col=name, where=ds.name)
