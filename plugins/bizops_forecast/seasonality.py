"""Which repeating patterns a sales series has (day of week, month of year), in the owner's words:
how strong, and when sales peak and dip."""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd

from .methods import seasonal_strength

# A season counts as found from this strength on (0..1). Hyndman's auto.arima differences
# seasonally from 0.64; a pattern worth planning stock around shows well before that.
SEASON_FOUND = 0.3
WEEKDAYS = tuple(calendar.day_name)          # Monday first, as pandas' dayofweek
MONTHS = tuple(calendar.month_name[1:])


def _row(kind: str, m: int, values: np.ndarray, labels: list[str], unit: str) -> dict | None:
    s, prof = seasonal_strength(values, m)
    if not np.isfinite(s):
        return None
    hi, lo = int(np.argmax(prof)), int(np.argmin(prof))
    return {"season": kind, "period": m, "unit": unit, "strength": round(float(s), 4),
            "found": bool(s >= SEASON_FOUND), "labels": labels, "profile": [float(v) for v in prof],
            "peak": labels[hi], "low": labels[lo]}


def describe(values: pd.Series, freq: str) -> list[dict]:
    """Weekly pattern (daily data, by weekday) and yearly pattern (by month: from the mean sales
    per day of each calendar month for daily data, so a partly covered month counts fairly; from
    monthly sums for monthly data; by week of the year for weekly data)."""
    idx = pd.DatetimeIndex(values.index)
    y = values.to_numpy(dtype=float)
    out: list[dict] = []
    if len(y) == 0 or np.ptp(y) == 0:
        return out
    if freq == "D":
        if len(y) >= 14:
            first = int(idx[0].dayofweek)
            # Profile position i is weekday (first + i) % 7; rotate so Monday comes first.
            r = _row("weekly", 7, y, [WEEKDAYS[(first + i) % 7] for i in range(7)], "day")
            if r:
                shift = (-first) % 7
                r["labels"] = list(WEEKDAYS)
                r["profile"] = list(np.roll(r["profile"], -shift))
                out.append(r)
        per_day = values.groupby(idx.to_period("M")).mean()
        if len(per_day) >= 24:
            start = int(per_day.index[0].month) - 1
            r = _row("yearly", 12, per_day.to_numpy(float), [MONTHS[(start + i) % 12] for i in range(12)],
                     "month")
            if r:
                r["labels"] = list(MONTHS)
                r["profile"] = list(np.roll(r["profile"], start))
                out.append(r)
    elif freq == "W":
        if len(y) >= 104:
            r = _row("yearly", 52, y, [f"week of {d:%d %b}" for d in idx[:52]], "week")
            if r:
                out.append(r)
    elif freq == "M":
        if len(y) >= 24:
            start = int(idx[0].month) - 1
            r = _row("yearly", 12, y, [MONTHS[(start + i) % 12] for i in range(12)], "month")
            if r:
                r["labels"] = list(MONTHS)
                r["profile"] = list(np.roll(r["profile"], start))
                out.append(r)
    return out


def sentence(row: dict) -> str:
    word = "found" if row["found"] else "weak or absent"
    return (f"{row['season'].capitalize()} pattern {word} (strength {row['strength']:.2f} on a 0-1 scale): "
            f"sales are highest on {row['peak']} and lowest on {row['low']}."
            if row["unit"] == "day" else
            f"{row['season'].capitalize()} pattern {word} (strength {row['strength']:.2f} on a 0-1 scale): "
            f"sales are highest in {row['peak']} and lowest in {row['low']}.")
