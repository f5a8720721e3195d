"""Baskets (items per order): the compact order x item structure that basket rules and other
item-set analyses start from, built from an orders table or from a one-basket-per-row table.

A :class:`Baskets` is a CSR layout: order ``i`` holds the item codes
``indices[indptr[i]:indptr[i+1]]`` (sorted, each item at most once). Item code ``j`` is the product
``item_ids[j]`` (original values, so ids stay ints or strings) with ``item_names[j]`` when known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import chunked
from ..errors import DataError
from ..i18n import Mn, _

if TYPE_CHECKING:
    from ..dataset import Dataset

__all__ = [
    "Baskets",
    "baskets_from_orders",
    "baskets_from_lists",
    "baskets_from_wide",
    "baskets_from_dataset",
    "find_basket_column",
    "is_wide_basket_table",
    "BASKET_SEPARATORS",
]

BASKET_SEPARATORS = (",", ";", "|", "，", "、", "；")


@dataclass
class Baskets:
    order_ids: np.ndarray  # (n_orders,) the order labels, in first-seen order
    item_ids: np.ndarray  # (n_items,) product ids; item code j is item_ids[j]
    indptr: np.ndarray  # (n_orders + 1,) int64
    indices: np.ndarray  # (nnz,) int32 item codes, sorted and unique within an order
    item_names: list | None = None  # product name per item code, when a name column was given
    notes: list = field(default_factory=list)  # Messages: what was dropped or counted once

    @property
    def n_orders(self) -> int:
        return int(len(self.indptr) - 1)

    @property
    def n_items(self) -> int:
        return int(len(self.item_ids))

    def lengths(self) -> np.ndarray:
        """Items per order."""
        return np.diff(self.indptr)

    def item_counts(self) -> np.ndarray:
        """In how many orders each item appears."""
        return np.bincount(self.indices, minlength=self.n_items)

    def order_of_entry(self) -> np.ndarray:
        """The order index of every entry of ``indices`` (the CSR row index expanded)."""
        return np.repeat(np.arange(self.n_orders, dtype=np.int64), self.lengths())

    def basket(self, i: int) -> list:
        """The product ids in order ``i`` (for display and tests)."""
        return [self.item_ids[j] for j in self.indices[self.indptr[i] : self.indptr[i + 1]]]

    def name_of(self, code: int) -> str:
        if self.item_names is not None:
            name = self.item_names[code]
            if name is not None and str(name) != "":
                return str(name)
        return str(self.item_ids[code])

    def bitsets(self, items: np.ndarray | None = None) -> np.ndarray:
        """Vertical layout: one row of uint64 words per item (bit ``i`` set when order ``i`` has
        it). ``items`` limits the rows to those item codes, in that order."""
        n_words = (self.n_orders + 63) // 64
        if items is None:
            items = np.arange(self.n_items)
        items = np.asarray(items, dtype=np.int64)
        row_of = np.full(self.n_items, -1, dtype=np.int64)
        row_of[items] = np.arange(len(items))
        rows = row_of[self.indices]
        keep = rows >= 0
        orders = self.order_of_entry()[keep]
        rows = rows[keep]
        out = np.zeros((len(items), n_words), dtype=np.uint64)
        # An order holds an item once, so OR-ing single bits never sees two hits on one bit
        # from one (item, order); np.bitwise_or.at handles several orders sharing a word.
        np.bitwise_or.at(out, (rows, orders >> 6), np.left_shift(np.uint64(1), (orders & 63).astype(np.uint64)))
        return out


def _from_pairs(
    order_codes: np.ndarray,
    item_codes: np.ndarray,
    order_ids: np.ndarray,
    item_ids: np.ndarray,
    item_names: list | None,
    notes: list,
) -> Baskets:
    """CSR from (order code, item code) pairs, dropping repeats of an item within an order."""
    n_items = len(item_ids)
    key = order_codes.astype(np.int64) * max(n_items, 1) + item_codes.astype(np.int64)
    key = chunked.unique(key)
    dup = len(order_codes) - len(key)
    if dup:
        notes.append(
            Mn(
                "{n} repeated line of the same product in the same order was counted once (a basket "
                "says whether a product was bought, not how many).",
                "{n} repeated lines of the same product in the same order were counted once (a basket "
                "says whether a product was bought, not how many).",
                dup,
            )
        )
    rows = key // max(n_items, 1)
    cols = (key % max(n_items, 1)).astype(np.int32)
    counts = np.bincount(rows, minlength=len(order_ids))
    indptr = np.zeros(len(order_ids) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Baskets(
        order_ids=order_ids, item_ids=item_ids, indptr=indptr, indices=cols, item_names=item_names, notes=notes
    )


def _sorted_codes(values: "pd.Series"):
    """Codes 0..n-1 for the distinct values, numbered in sorted order when they sort."""
    try:
        codes, uniques = chunked.factorize(values, sort=True)
    except TypeError:  # mixed types that do not sort (e.g. 3 and "A"): first-seen order
        codes, uniques = chunked.factorize(values, sort=False)
    return codes, uniques


def line_notes(missing: int, not_positive: int) -> list:
    """The notes of the order lines a baskets view leaves out (in memory and out of core alike):
    lines without an order number or product, and lines whose quantity is not positive."""
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
    return notes


def baskets_from_orders(
    frame: "pd.DataFrame",
    order_col: str,
    product_col: str,
    name_col: str | None = None,
    quantity_col: str | None = None,
) -> Baskets:
    """One basket per order from order lines (one row per order and product).

    Lines without an order or product are dropped; with ``quantity_col``, lines whose quantity is
    zero or negative (returns, cancellations) are dropped too. Each drop is said in ``notes``.
    """
    notes: list = []
    for c in (order_col, product_col, name_col, quantity_col):
        if c is not None and c not in frame.columns:
            raise DataError(_("column {name} is not in the table", name=repr(c)), hint=_("Check the column roles"))
    orders = frame[order_col]
    products = frame[product_col]
    # every line's product as a code, numbered in sorted order, read once (in pieces); a blank
    # product is told from its distinct value, not by stripping every line
    sortable = True
    try:
        pcodes, puniques = chunked.factorize(products, sort=True)
    except TypeError:  # mixed types that do not sort (e.g. 3 and "A"): first-seen order, below
        sortable = False
        pcodes, puniques = chunked.factorize(products, sort=False)
    blank = chunked.blank_texts(puniques)
    keep = orders.notna().to_numpy() & (pcodes >= 0) & ~np.append(blank, True)[pcodes]
    missing = int((~keep).sum())
    not_positive = 0
    if quantity_col is not None:
        q = pd.to_numeric(frame[quantity_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = keep & ~(q > 0)
        not_positive = int(bad.sum())
        keep &= ~bad
    notes += line_notes(missing, not_positive)
    if not keep.any():
        raise DataError(
            _("no order line has both an order number and a product"),
            where=product_col,
            hint=_("Check that the right columns are marked as Order number and Product"),
        )
    sub_orders = orders[keep]
    ocodes, ouniques = chunked.factorize(sub_orders, sort=False)
    if sortable:  # the products still present, renumbered in the same (sorted) order
        used = np.bincount(pcodes[keep], minlength=len(puniques)) > 0
        icodes = (np.cumsum(used) - 1)[pcodes[keep]]
        iuniques = puniques[used]
    else:
        icodes, iuniques = chunked.factorize(products[keep], sort=False)
    item_names: list[str | None] | None = None
    if name_col is not None:
        names = frame[name_col][keep]
        first = pd.Series(names.to_numpy(), index=icodes)
        first = first[first.notna()]
        first = first[~first.index.duplicated(keep="first")]
        item_names = [None] * len(iuniques)
        for code, name in first.items():
            item_names[int(code)] = str(name)
    return _from_pairs(ocodes, icodes, _as_id_array(ouniques), _as_id_array(iuniques), item_names, notes)


def _as_id_array(uniques) -> np.ndarray:
    arr = np.asarray(uniques)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
        return arr.astype(np.int64)  # ids read as floats because of a blank somewhere
    return arr.astype(object)


def baskets_from_lists(values: "pd.Series", sep: str | None = None, order_ids: "pd.Series | None" = None) -> Baskets:
    """One basket per row from a text column of separated items ("bread, milk, eggs").

    ``sep`` is guessed from the data when not given (comma, semicolon, bar, Chinese comma).
    Items are stripped of spaces; empty rows are dropped (said in ``notes``). Baskets are
    numbered by row (from 1) unless ``order_ids`` (one per row, same index) names them."""
    notes: list = []
    text = values.astype("string").fillna("")
    if sep is None:
        sep = guess_separator(text)
    # Split on the separator; the exploded frame is (row, item) pairs.
    parts = text.str.split(sep, regex=False).explode()
    parts = parts.astype("string").str.strip()
    parts = parts[parts.notna() & parts.ne("")]
    if parts.empty:
        raise DataError(
            _("no items found in the basket column"),
            where=str(values.name),
            hint=_("Each row should list the items of one basket separated by commas"),
        )
    rows = parts.index.to_numpy()
    row_codes, row_uniques = pd.factorize(rows, sort=True)
    empty = len(values) - len(row_uniques)
    if empty:
        notes.append(Mn("{n} empty row was left out.", "{n} empty rows were left out.", empty))
    icodes, iuniques = _sorted_codes(parts.to_numpy(dtype=object))
    if order_ids is None:
        labels = np.asarray(row_uniques) + 1  # basket number = row number, counted from 1
    else:
        labels = _as_id_array(order_ids.to_numpy()[np.asarray(row_uniques)])
    return _from_pairs(row_codes, icodes, labels, np.asarray(iuniques, dtype=object), None, notes)


def _is_text(col: "pd.Series") -> bool:
    return col.dtype == object or str(col.dtype).startswith("string")


def _filled_cells(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(stripped text of every cell, mask of the non-blank ones)."""
    text = frame.astype("string").apply(lambda c: c.str.strip())
    filled = text.notna().to_numpy() & text.ne("").fillna(False).to_numpy(dtype=bool)
    return text.to_numpy(dtype=object, na_value=None), filled


def is_wide_basket_table(frame: pd.DataFrame) -> bool:
    """A ragged basket file read without a header: every column text, each row's items filling
    its first cells and blanks after them, with at least one row shorter than the widest."""
    if frame.shape[1] < 2 or len(frame) == 0 or not all(_is_text(frame[c]) for c in frame.columns):
        return False
    _text, filled = _filled_cells(frame)
    n_filled = filled.sum(axis=1)
    prefix = np.arange(frame.shape[1])[None, :] < n_filled[:, None]
    return bool(np.array_equal(filled, prefix) and (n_filled < frame.shape[1]).any())


def baskets_from_wide(frame: pd.DataFrame) -> Baskets:
    """One basket per row from a table whose cells are the items (blank cells ignored)."""
    text, filled = _filled_cells(frame)
    rows, cols = np.nonzero(filled)
    if not len(rows):
        raise DataError(_("no items found in the table"), hint=_("Each row should list the items of one basket"))
    notes: list = []
    row_codes, row_uniques = pd.factorize(rows, sort=True)
    empty = len(frame) - len(row_uniques)
    if empty:
        notes.append(Mn("{n} empty row was left out.", "{n} empty rows were left out.", empty))
    icodes, iuniques = _sorted_codes(text[rows, cols])
    return _from_pairs(row_codes, icodes, np.asarray(row_uniques) + 1, np.asarray(iuniques, dtype=object), None, notes)


def guess_separator(text: "pd.Series") -> str:
    sample = text.head(2000)
    best, best_n = ",", -1
    for s in BASKET_SEPARATORS:
        n = int(sample.str.contains(s, regex=False).sum())
        if n > best_n:
            best, best_n = s, n
    return best


def find_basket_column(frame: "pd.DataFrame") -> str | None:
    """The column of a one-basket-per-row table: the only column, or the one text column whose
    cells mostly hold several separated items. None when there is no such column."""
    text_cols = [c for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype).startswith("string")]
    if len(frame.columns) == 1 and text_cols:
        return text_cols[0]
    best, best_share = None, 0.0
    for c in text_cols:
        col = frame[c].dropna().astype(str).head(2000)
        if col.empty:
            continue
        sep = guess_separator(col.astype("string"))
        share = float(col.str.contains(sep, regex=False).mean())
        if share > best_share:
            best, best_share = c, share
    return best if best_share >= 0.5 else None


def _looks_like_lists(frame: "pd.DataFrame", order_col: str, product_col: str) -> bool:
    """An order column beside a column of separated items, one row per order."""
    prod = frame[product_col]
    if not _is_text(prod) or not frame[order_col].dropna().is_unique:
        return False
    sample = prod.dropna().astype("string").head(2000)
    if sample.empty:
        return False
    return float(sample.str.contains(guess_separator(sample), regex=False).mean()) >= 0.5


def baskets_from_dataset(ds: "Dataset") -> Baskets:
    """Baskets from whatever the dataset offers: order lines (order_id + product_id roles, with
    product_name and quantity when mapped), a one-basket-per-row text column (optionally beside
    an order column), or a ragged basket file read without a header (items in cells)."""
    if getattr(ds, "big", None) is not None:  # a file bigger than memory: computed out of core
        from . import outofcore

        return outofcore.baskets_from_dataset(ds)
    order_col, product_col = ds.col("order_id"), ds.col("product_id")
    if order_col is not None and product_col is not None and ds.has("order_id", "product_id"):
        if _looks_like_lists(ds.frame, order_col, product_col):
            return baskets_from_lists(ds.frame[product_col], order_ids=ds.frame[order_col])
        return baskets_from_orders(
            ds.frame,
            order_col,
            product_col,
            name_col=ds.col("product_name") if ds.has("product_name") else None,
            quantity_col=ds.col("quantity") if ds.has("quantity") else None,
        )
    col = find_basket_column(ds.frame)
    if col is not None:
        return baskets_from_lists(ds.frame[col])
    if is_wide_basket_table(ds.frame):
        return baskets_from_wide(ds.frame)
    raise DataError(
        _(
            "the table has neither order lines (an Order number and a Product column) nor one basket per row (a "
            "text column listing each basket's items separated by commas)"
        ),
        where=ds.name,
        hint=_(
            "Open Column roles and mark the Order number (order_id) and Product (product_id) columns, or open "
            "a file with one basket per row"
        ),
    )
