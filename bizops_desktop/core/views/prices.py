"""The price/quantity panel: order lines -> one row per product and period with the
quantity-weighted average price, units, revenue, order lines and (optionally) promotion share.

Pricing fits demand curves on this panel; it is kept here so any analysis that needs "what did
each product sell, and at what price, in each week" reads the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import chunked
from ..errors import DataError, UsageError
from ..i18n import M, Mn, _
from ..importer.convert import read_dates
from .periods import guess_freq, normalise_freq, period_start

_YES = {"1", "1.0", "true", "yes", "y", "t", "on", "是", "promo", "promotion"}
_NO = {"0", "0.0", "false", "no", "n", "f", "off", "否", "", "none", "nan"}


@dataclass
class PricePanel:
    """``frame`` columns: product, period, price, units, revenue, lines, [promo_share],
    [each extra column's unit-weighted mean]. ``freq`` is D/W/M; ``notes`` say what was dropped."""

    frame: pd.DataFrame
    freq: str
    notes: list = field(default_factory=list)  # Messages


def flag_values(col: pd.Series, name: str = "promotion") -> pd.Series:
    """A yes/no or 0/1 (or 0..1 share) column as floats 0..1; NaN where unreadable."""
    if pd.api.types.is_bool_dtype(col):
        return col.astype(float)
    if pd.api.types.is_numeric_dtype(col):
        v = pd.to_numeric(col, errors="coerce").astype(float)
        bad = (v < 0) | (v > 1)
        if bad.any():
            # a discount amount or percentage rather than a flag: "on promotion" means > 0
            return (v > 0).astype(float).where(v.notna())
        return v
    # str() turns missing values into "nan"/"none", which count as "not on promotion"
    # each distinct value read once (a column of millions holds a handful of words)
    codes, uniques = chunked.factorize(col, sort=False)
    text = pd.Series([*uniques.tolist(), None], dtype=object).astype(str).str.strip().str.lower()
    word = np.full(len(text), np.nan)
    word[text.isin(_YES).to_numpy()] = 1.0
    word[text.isin(_NO).to_numpy()] = 0.0
    out = pd.Series(word[codes], index=col.index, dtype=float)  # a missing value's -1: "none"
    if out.isna().all() and len(out):
        raise DataError(
            _("column {name} does not look like a yes/no promotion flag", name=repr(name)),
            where=name,
            hint=_("use a column of yes/no, 1/0 or true/false values"),
        )
    return out


def _dates(col: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(col):
        return col
    # the importer parses dates already; this covers frames built by hand, read the same way
    return read_dates(col)


def dropped_lines_note(dropped: int, n: int) -> object:
    """The note for order lines left out of the panel (in memory and out of core alike)."""
    return Mn(
        "{dropped} of {n} order line dropped: missing product, date, quantity or price.",
        "{dropped} of {n} order lines dropped: missing product, date, quantity or price.",
        n,
        dropped=dropped,
    )


def price_panel(
    frame: pd.DataFrame,
    *,
    product: str,
    date: str,
    quantity: str,
    price: str | None = None,
    amount: str | None = None,
    promotion: str | None = None,
    extra: Sequence[str] = (),
    freq: str | None = None,
) -> PricePanel:
    """Build the product x period panel from order lines.

    The price of a product in a period is revenue / units, i.e. the quantity-weighted mean of the
    line prices, so one big order at a discount weighs as much as its units. ``price`` (unit
    price) is used when given; otherwise the unit price is ``amount / quantity``.
    ``promo_share`` is the share of the period's units sold on promotion. ``extra`` columns
    (numeric or yes/no) are averaged the same way, weighted by units.
    Only periods in which a product sold appear (a period with no sales has no observed price).
    Lines with a missing product, date, quantity or price are dropped and counted in ``notes``;
    returns (negative quantities) stay in and reduce the period's units.
    """
    from ..bigfile import source_of

    if (big := source_of(frame)) is not None:  # a big file's sample: the panel is computed out of core
        from . import outofcore

        cols_ = {"product": product, "date": date, "quantity": quantity, "price": price, "amount": amount}
        return outofcore.price_panel(big, **cols_, promotion=promotion, extra=extra, freq=freq)  # type: ignore[arg-type]
    cols = {"product": product, "date": date, "quantity": quantity}
    if price is None and amount is None:
        raise UsageError(
            _("the price panel needs a unit price or a line total column"),
            hint=_("mark a column as Unit price (price) or Line total (amount)"),
        )
    for role, c in (
        list(cols.items())
        + [("price", price), ("amount", amount), ("promotion", promotion)]
        + [("extra", e) for e in extra]
    ):
        if c is not None and c not in frame.columns:
            raise DataError(
                _("column {name} is not in the table", name=repr(c)),
                where=role,
                hint=_("pick one of: {names}", names=", ".join(map(str, frame.columns[:20]))),
            )
    notes: list = []
    n0 = len(frame)
    if n0 == 0:
        raise DataError(_("the table has no rows"), hint=_("open a file with order lines"))
    d = pd.DataFrame(
        {
            "product": frame[product],
            "date": _dates(frame[date]),
            "quantity": pd.to_numeric(frame[quantity], errors="coerce").astype(float),
        }
    )
    if price is not None:
        d["unit_price"] = pd.to_numeric(frame[price], errors="coerce").astype(float)
    else:
        q = d["quantity"].to_numpy()
        a = pd.to_numeric(frame[amount], errors="coerce").to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            d["unit_price"] = np.where(q != 0, a / q, np.nan)
        notes.append(
            M(
                "Unit price worked out as line total / quantity ({amount} / {quantity}).",
                amount=str(amount),
                quantity=str(quantity),
            )
        )
    if promotion is not None:
        d["promo"] = flag_values(frame[promotion], promotion)
    for i, e in enumerate(extra):
        col = frame[e]
        d[f"_x{i}"] = (
            pd.to_numeric(col, errors="coerce").astype(float)
            if pd.api.types.is_numeric_dtype(col)
            else flag_values(col, e)
        )

    # products as codes numbered in sorted order (grouping on numbers, not on text); ids back below
    product_col = d["product"]
    try:
        product_codes, product_ids = chunked.factorize(product_col, sort=True)
    except TypeError:  # ids of mixed kinds that do not sort together: first-seen order
        product_codes, product_ids = chunked.factorize(product_col, sort=False)
    d["product"] = product_codes
    keep = (product_codes >= 0) & d["date"].notna() & d["quantity"].notna() & d["unit_price"].notna()
    dropped = int((~keep).sum())
    if dropped:
        notes.append(dropped_lines_note(dropped, n0))
    d = d[keep]
    if d.empty:
        raise DataError(
            _("no order line has a product, a date, a quantity and a price together"),
            hint=_("check the column roles and that the date column holds dates"),
        )

    f = normalise_freq(freq) or guess_freq(d["date"])
    d = d.assign(period=period_start(d["date"], f), revenue=d["quantity"] * d["unit_price"])
    value_cols = ["quantity", "revenue"]
    if promotion is not None:
        d["promo_units"] = d["quantity"] * d["promo"].fillna(0.0)
        value_cols.append("promo_units")
    for i in range(len(extra)):
        d[f"_xw{i}"] = d["quantity"] * d[f"_x{i}"]
        value_cols.append(f"_xw{i}")
    g = d.groupby(["product", "period"], sort=True, observed=True)
    out = g[value_cols].sum()
    out["lines"] = g.size()
    out = out.reset_index().rename(columns={"quantity": "units"})
    units = out["units"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out.insert(2, "price", np.where(units > 0, out["revenue"].to_numpy() / units, np.nan))
        if promotion is not None:
            out["promo_share"] = np.where(units > 0, out.pop("promo_units").to_numpy() / units, np.nan)
        for i, e in enumerate(extra):
            out[e] = np.where(units > 0, out.pop(f"_xw{i}").to_numpy() / units, np.nan)
    out["lines"] = out["lines"].astype(int)
    ids = product_ids[out["product"].to_numpy()]
    out["product"] = pd.Series(ids, dtype=product_col.dtype if product_col.dtype.kind in "iufb" else object)
    out = out[
        ["product", "period", "price", "units", "revenue", "lines"]
        + (["promo_share"] if promotion is not None else [])
        + list(extra)
    ]
    return PricePanel(frame=out, freq=f, notes=notes)
