"""Due to buy again (pure, no Qt): customers past their usual re-purchase interval for a product
they buy regularly, with the day they were due, how overdue they are and the message to send.

A product is bought regularly by a customer when they bought it on at least ``MIN_PURCHASES``
different days and the gaps between those days are steady: the spread of the gaps (their
coefficient of variation, over the last ``MAX_GAPS`` gaps) is at most ``MAX_CV``. Due = last
purchase + the median gap. Listed: customers past due by more than a grace of a quarter of the
interval (at least 3 days), and by at most ``MAX_INTERVALS_LATE`` intervals (later than that they
have moved on from the product; that is a win-back, not a reminder).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bizops_desktop.core.actions import HORIZON_DAYS

from .timesplit import PurchaseLog

MIN_PURCHASES = 5
MAX_GAPS = 8
MAX_CV = 0.25
GRACE_SHARE = 0.25
MIN_GRACE_DAYS = 3
MAX_INTERVALS_LATE = 2.5


def due_again(log: PurchaseLog, as_of: np.datetime64 | None = None) -> pd.DataFrame:
    """One row per overdue (customer index, product index), most money first: purchases, interval
    (days), last purchase, due date, days overdue, usual spend per purchase and per 28 days."""
    as_of = log.end if as_of is None else as_of
    frame = pd.DataFrame({"u": log.user, "i": log.item, "day": log.day, "spend": log.spend})
    frame = frame[frame["day"] <= as_of]
    # one purchase per customer, product and day
    per_day = frame.groupby(["u", "i", "day"], sort=True)["spend"].sum().reset_index()
    counts = per_day.groupby(["u", "i"])["day"].transform("size")
    per_day = per_day[counts >= MIN_PURCHASES]
    cols = [
        "u",
        "i",
        "purchases",
        "interval_days",
        "regularity",
        "last_purchase",
        "due_date",
        "days_overdue",
        "spend_per_purchase",
        "spend_28_days",
    ]
    if per_day.empty:
        return pd.DataFrame(columns=cols)
    days = per_day["day"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    key = per_day["u"].to_numpy(np.int64) * (int(log.item.max()) + 1) + per_day["i"].to_numpy(np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(key)) + 1]
    ends = np.r_[starts[1:], len(key)]
    spend = per_day["spend"].to_numpy(float)
    end_day = int(np.asarray(as_of, dtype="datetime64[D]").astype(np.int64))
    out = []
    for a, b in zip(starts.tolist(), ends.tolist()):
        gaps = np.diff(days[a:b])[-MAX_GAPS:]
        mean = gaps.mean()
        if mean <= 0:
            continue
        cv = float(gaps.std() / mean)
        if cv > MAX_CV:
            continue
        interval = float(np.median(gaps))
        last = int(days[b - 1])
        due = last + int(round(interval))
        late = end_day - due
        grace = max(MIN_GRACE_DAYS, GRACE_SHARE * interval)
        if late <= grace or late > MAX_INTERVALS_LATE * interval:
            continue
        per = float(np.median(spend[a:b][-(MAX_GAPS + 1) :]))
        out.append(
            (
                int(per_day["u"].iat[a]),
                int(per_day["i"].iat[a]),
                b - a,
                interval,
                cv,
                np.datetime64(last, "D"),
                np.datetime64(due, "D"),
                late,
                per,
                per * HORIZON_DAYS / interval,
            )
        )
    res = pd.DataFrame(out, columns=cols)
    return res.sort_values(["spend_28_days", "days_overdue"], ascending=[False, False], kind="mergesort").reset_index(
        drop=True
    )
