"""Per-customer features from an orders table (recency, frequency, spend, tenure, average order
value, spending trend), with an optional leakage-free label "inactive for N days at the cutoff".

Time is cut in two at the *observation end* = cutoff - N days. Features use only orders on or
before the observation end; the label is "no order in the N days after it", i.e. in the window
(cutoff - N days, cutoff]. Changing anything inside that window changes the label and never a
feature. Without N the observation end is the cutoff itself and there is no label (used to
score customers as they stand today).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api import types as pt

from .. import chunked
from ..errors import DataError, UsageError
from ..i18n import LazyText, M, Mn, _, _l, _n, format_list
from ..importer.convert import read_dates

if TYPE_CHECKING:
    from ..dataset import Dataset

FEATURES: tuple[str, ...] = (
    "recency_days",
    "frequency",
    "monetary",
    "tenure_days",
    "avg_order_value",
    "spend_trend",
)
# The shop owner's words for each feature (used in reasons and coefficient sentences).
FEATURE_WORDS: dict[str, LazyText] = {
    "recency_days": _l("days since the last order"),
    "frequency": _l("number of orders"),
    "monetary": _l("total spend"),
    "tenure_days": _l("days since the first order"),
    "avg_order_value": _l("average order value"),
    "spend_trend": _l("spending trend"),
}
LABEL = "churned"


@dataclass
class CustomerFeatures:
    """``frame``: one row per customer: ``customer_id``, the FEATURES and, with a label,
    ``churned`` (1 = no order in the label window). ``notes`` say what was dropped or assumed."""

    frame: pd.DataFrame
    cutoff: pd.Timestamp
    observation_end: pd.Timestamp
    churn_days: int | None
    spend_unit: str  # "money", "units" or "order lines"
    notes: list = field(default_factory=list)  # Messages
    counts: dict[str, Any] = field(default_factory=dict)


def _as_days(values: pd.Series, column: str) -> pd.Series:
    """Order dates as midnight timestamps. The importer parses dates; this only copes with a
    frame that skipped it (read as the importer would), and says so when it cannot."""
    if pt.is_datetime64_any_dtype(values):
        d = values
    else:
        d = read_dates(values)
        bad = int(d.isna().sum() - values.isna().sum())
        if bad > 0.5 * max(1, values.notna().sum()):
            if pt.is_numeric_dtype(values):
                raise DataError(
                    _("the date column {name} holds numbers, not dates", name=repr(column)),
                    where=column,
                    hint=_("Mark the column that holds order dates as date"),
                )
            raise DataError(
                _("most values of {name} are not dates", name=repr(column)),
                where=column,
                hint=_("Mark the column that holds order dates as date"),
            )
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_localize(None)
    return d.dt.normalize()


def _parse_cutoff(cutoff) -> pd.Timestamp | None:
    if cutoff is None or (isinstance(cutoff, str) and cutoff.strip().lower() in ("", "auto")):
        return None
    try:
        return pd.Timestamp(cutoff).normalize()
    except (TypeError, ValueError):
        raise UsageError(
            _(
                "parameter {name} got {value} but needs {want}",
                name="cutoff",
                value=repr(cutoff),
                want=_("a date as YYYY-MM-DD"),
            )
        ) from None


# The notes that count order lines (the out-of-core view counts them on the lines itself and
# recognises these by their message id).
LINE_NOTES = {
    "missing": lambda n, **kw: Mn(
        "{n} order line without a customer or a date was left out.",
        "{n} order lines without a customer or a date were left out.",
        n,
        **kw,
    ),
    "no_spend": lambda n, **kw: Mn(
        "{n} order line without a usable amount counts as spend 0.",
        "{n} order lines without a usable amount count as spend 0.",
        n,
        **kw,
    ),
    "negative": lambda n, **kw: Mn(
        "{n} order line has negative spend (a return); it is netted against the customer's spend.",
        "{n} order lines have negative spend (returns); they are netted against the customer's spend.",
        n,
        **kw,
    ),
    "after_cutoff": lambda n, **kw: Mn(
        "{n} order line after the cutoff {cutoff:date} was ignored.",
        "{n} order lines after the cutoff {cutoff:date} were ignored.",
        n,
        **kw,
    ),
}


# What follows is shared with the out-of-core view (views/outofcore.py), which computes the same
# per-customer sums in SQL: the checks, the time line and its notes, the trend and the label notes.


def check_churn_days(churn_days) -> None:
    if churn_days is not None and int(churn_days) < 1:
        raise UsageError(
            _(
                "parameter {name} got {value} but needs {want}",
                name="churn_days",
                value=repr(churn_days),
                want=_("at least {x}", x="1"),
            )
        )


def timeline(first_day, last_day, cutoff, churn_days, lines_after, notes: list) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(cutoff, observation end) for order days from ``first_day`` to ``last_day`` (midnight
    Timestamps), with their notes added to ``notes``; ``lines_after(cut)`` counts the order
    lines after the cutoff (they are ignored, and said)."""
    cut = _parse_cutoff(cutoff)
    if cut is None:
        cut = last_day
    if cut < first_day:
        raise UsageError(
            _(
                "parameter cutoff {cutoff:date} is before the first order ({first:date})",
                cutoff=cut.date(),
                first=first_day.date(),
            ),
            hint=_("Pick a cutoff inside the order history"),
        )
    if cut > last_day:
        notes.append(
            M(
                "The cutoff {cutoff:date} is after the last order in the data ({last:date}); customers may "
                "look inactive only because the data ends early.",
                cutoff=cut.date(),
                last=last_day.date(),
            )
        )
    after = lines_after(cut)
    if after:
        notes.append(LINE_NOTES["after_cutoff"](int(after), cutoff=cut.date()))

    obs_end = cut - pd.Timedelta(days=int(churn_days)) if churn_days else cut
    if obs_end < first_day:
        raise DataError(
            _n(
                "a churn window of {n} day before the cutoff {cutoff:date} leaves no order history (the "
                "first order is on {first:date})",
                "a churn window of {n} days before the cutoff {cutoff:date} leaves no order history "
                "(the first order is on {first:date})",
                int(churn_days or 0),
                cutoff=cut.date(),
                first=first_day.date(),
            ),
            hint=_("Use a smaller churn_days or a later cutoff"),
        )
    return cut, obs_end


def no_order_number_note():
    return M("No order number is marked: each day a customer bought counts as one order.")


def spend_trend(later: pd.Series, earlier: pd.Series, tenure: pd.Series) -> pd.Series:
    """(later - earlier) / (|later| + |earlier|) per customer (0 without spend or history);
    ``tenure`` gives the customers (its index) and their days of history."""
    denom = later.abs() + earlier.abs()
    trend = ((later - earlier) / denom.where(denom > 0)).fillna(0.0).reindex(tenure.index)
    return trend.where(tenure > 0, 0.0)


def label_notes(newcomers: int, obs_end: pd.Timestamp, cut: pd.Timestamp, churn_days: int) -> list:
    notes: list = []
    if newcomers:
        notes.append(
            Mn(
                "{n} customer whose first order falls in the churn window ({start:date} to "
                "{end:date}) was left out: they have no history before it.",
                "{n} customers whose first order falls in the churn window ({start:date} to "
                "{end:date}) were left out: they have no history before it.",
                int(newcomers),
                start=(obs_end + pd.Timedelta(days=1)).date(),
                end=cut.date(),
            )
        )
    notes.append(
        Mn(
            "Features use orders up to {end:date}; a customer counts as churned when they have no "
            "order in the {n} day after that (to {cutoff:date}).",
            "Features use orders up to {end:date}; a customer counts as churned when they have no "
            "order in the {n} days after that (to {cutoff:date}).",
            int(churn_days),
            end=obs_end.date(),
            cutoff=cut.date(),
        )
    )
    return notes


def customer_features(
    orders: pd.DataFrame,
    *,
    customer: str,
    date: str,
    amount: str | None = None,
    quantity: str | None = None,
    price: str | None = None,
    order_id: str | None = None,
    cutoff=None,
    churn_days: int | None = None,
) -> CustomerFeatures:
    """Per-customer features at the observation end and, when ``churn_days`` is given, the label.

    - recency_days: days from the customer's last order to the observation end.
    - frequency: number of orders (distinct order numbers, or distinct order days without them).
    - monetary: total spend (amount, else quantity x price; else units or order lines, noted).
    - tenure_days: days from the first order to the observation end.
    - avg_order_value: monetary / frequency.
    - spend_trend: (spend in the later half of the customer's own history - spend in the earlier
      half) / (|later| + |earlier|), the history running from the first order to the observation
      end; -1 = all spend early (fading), +1 = all late, 0 = steady or no history yet
      (tenure 0). An order exactly at the midpoint counts half to each side.
    - churned (label): 1 when the customer has no order in (observation end, cutoff].

    Customers whose first order falls after the observation end are left out (they have no
    history to learn from); orders after the cutoff are ignored. Both are counted in ``notes``.
    """
    for role, col in (
        ("customer_id", customer),
        ("date", date),
        ("amount", amount),
        ("quantity", quantity),
        ("price", price),
        ("order_id", order_id),
    ):
        if col is not None and col not in orders.columns:
            raise DataError(
                _("column {name} (marked as {role}) is not in the table", name=repr(col), role=role),
                where=col,
                hint=_("Open Column roles and pick the right column"),
            )
    check_churn_days(churn_days)
    notes: list = []
    counts: dict[str, Any] = {}

    days = _as_days(orders[date], date)
    cust = orders[customer]
    if amount is not None:
        spend = pd.to_numeric(orders[amount], errors="coerce")
        spend_unit = "money"
    elif quantity is not None and price is not None:
        spend = pd.to_numeric(orders[quantity], errors="coerce") * pd.to_numeric(orders[price], errors="coerce")
        spend_unit = "money"
        notes.append(M("Spend per order line is quantity x unit price (no line-total column is marked)."))
    elif quantity is not None:
        spend = pd.to_numeric(orders[quantity], errors="coerce")
        spend_unit = "units"
        notes.append(M("No amount or unit price is marked, so spend is counted in units bought."))
    else:
        spend = pd.Series(1.0, index=orders.index)
        spend_unit = "order lines"
        notes.append(M("No amount, quantity or price is marked, so spend is counted in order lines."))

    # customers and orders as codes (customers numbered in sorted order, as grouping by the ids
    # would sort them), so that the grouping below works on numbers; ids are put back at the end
    try:
        cust_codes, cust_ids = chunked.factorize(cust, sort=True)
    except TypeError:  # ids of mixed kinds that do not sort together: first-seen order
        cust_codes, cust_ids = chunked.factorize(cust, sort=False)
    work = pd.DataFrame({"customer_id": cust_codes, "day": days, "spend": spend}, index=orders.index)
    if order_id is not None:
        work["order"] = chunked.factorize(orders[order_id], sort=False)[0]
        work.loc[work["order"] < 0, "order"] = np.nan  # a blank order number stays blank
    missing = (work["customer_id"] < 0) | work["day"].isna()
    if missing.any():
        notes.append(LINE_NOTES["missing"](int(missing.sum())))
    work = work[~missing]
    bad_spend = work["spend"].isna()
    if bad_spend.any():
        notes.append(LINE_NOTES["no_spend"](int(bad_spend.sum())))
        work.loc[bad_spend, "spend"] = 0.0
    if (work["spend"] < 0).any():
        notes.append(LINE_NOTES["negative"](int((work["spend"] < 0).sum())))
    if work.empty:
        raise DataError(
            _("there are no order lines with both a customer and a date"),
            hint=_("Check the columns marked as customer and date"),
        )

    cut, obs_end = timeline(
        work["day"].min(), work["day"].max(), cutoff, churn_days, lambda cut: int((work["day"] > cut).sum()), notes
    )
    after = work["day"] > cut
    if after.any():
        work = work[~after]

    hist = work[work["day"] <= obs_end]
    if hist.empty:
        raise DataError(
            _("no orders on or before the observation end {end:date}", end=obs_end.date()),
            hint=_("Use a smaller churn_days or a later cutoff"),
        )
    g = hist.groupby("customer_id", sort=True)
    first = g["day"].min()
    last = g["day"].max()
    monetary = g["spend"].sum()
    if order_id is not None:
        frequency = g["order"].nunique()
    else:
        frequency = g["day"].nunique()
        notes.append(no_order_number_note())
    frequency = frequency.clip(lower=1)

    tenure = (obs_end - first).dt.days.astype(float)
    # Position of each line in its customer's history, in days from the first order.
    t = (hist["day"] - hist["customer_id"].map(first)).dt.days.to_numpy(dtype=float)
    half = hist["customer_id"].map(tenure).to_numpy(dtype=float) / 2.0
    s = hist["spend"].to_numpy(dtype=float)
    later_w = np.where(t > half, 1.0, np.where(t == half, 0.5, 0.0))
    later = pd.Series(s * later_w, index=hist.index).groupby(hist["customer_id"]).sum()
    earlier = pd.Series(s * (1.0 - later_w), index=hist.index).groupby(hist["customer_id"]).sum()
    trend = spend_trend(later, earlier, tenure)

    frame = pd.DataFrame(
        {
            "customer_id": first.index,  # codes here; the ids are put back below
            "recency_days": (obs_end - last).dt.days.astype(float).to_numpy(),
            "frequency": frequency.astype(float).to_numpy(),
            "monetary": monetary.astype(float).to_numpy(),
            "tenure_days": tenure.to_numpy(),
            "avg_order_value": (monetary / frequency).astype(float).to_numpy(),
            "spend_trend": trend.astype(float).to_numpy(),
        }
    )

    counts["customers"] = int(len(frame))
    if churn_days:
        window = work[work["day"] > obs_end]
        active = set(window["customer_id"].unique())
        frame[LABEL] = (~frame["customer_id"].isin(active)).astype(int)
        newcomers = len(active - set(frame["customer_id"]))
        counts["new_in_window"] = int(newcomers)
        notes += label_notes(int(newcomers), obs_end, cut, int(churn_days))
    frame["customer_id"] = _ids_of(cust_ids, frame["customer_id"].to_numpy(), cust)
    return CustomerFeatures(
        frame=frame.reset_index(drop=True),
        cutoff=cut,
        observation_end=obs_end,
        churn_days=int(churn_days) if churn_days else None,
        spend_unit=spend_unit,
        notes=notes,
        counts=counts,
    )


def _ids_of(ids: np.ndarray, codes: np.ndarray, original: "pd.Series") -> "pd.Series":
    """The customer ids of ``codes``, in the column's own type (numbers stay numbers)."""
    values = ids[codes]
    if original.dtype != object and not str(original.dtype).startswith("string"):
        return pd.Series(values, dtype=original.dtype)
    return pd.Series(values, dtype=object)


def no_customer_or_date(ds, customer: str | None, date: str | None) -> DataError:
    from ..roles import role_with_id

    missing = [r for r, col in (("customer_id", customer), ("date", date)) if col is None]
    return DataError(
        _(
            "per-customer features need columns marked as {roles}",
            roles=format_list([role_with_id(r) for r in missing]),
        ),
        where=ds.name,
        hint=_("Open Column roles and pick the customer and date columns"),
    )


def customer_features_from_dataset(ds: "Dataset", *, cutoff=None, churn_days: int | None = None) -> CustomerFeatures:
    """The same from a Dataset's roles (customer_id and date needed; amount, quantity, price,
    order_id used when marked)."""
    if getattr(ds, "big", None) is not None:  # a file bigger than memory: computed out of core
        from . import outofcore

        return outofcore.customer_features_from_dataset(ds, cutoff=cutoff, churn_days=churn_days)
    customer = ds.col("customer_id") if ds.has("customer_id") else None
    date = ds.col("date") if ds.has("date") else None
    if customer is None or date is None:
        raise no_customer_or_date(ds, customer, date)

    from .buyers import require_buyer_ids

    require_buyer_ids(ds)

    def c(role):
        return ds.col(role) if ds.has(role) else None

    return customer_features(
        ds.frame,
        customer=customer,
        date=date,
        amount=c("amount"),
        quantity=c("quantity"),
        price=c("price"),
        order_id=c("order_id"),
        cutoff=cutoff,
        churn_days=churn_days,
    )
