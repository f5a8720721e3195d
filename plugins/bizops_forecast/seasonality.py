"""Which repeating patterns a sales series has (day of week, month of year), in the owner's words:
how strong, and when sales peak and dip. The rows keep English weekday and month names (and a
week's first day as an ISO date) as stable ids; sentences show them in the reader's language."""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd

from .i18n import M, calendar_name
from .methods import seasonal_strength

# A season counts as found from this strength on (0..1). Hyndman's auto.arima differences
# seasonally from 0.64; a pattern worth planning stock around shows well before that.
SEASON_FOUND = 0.3
WEEKDAYS = tuple(calendar.day_name)  # Monday first, as pandas' dayofweek
MONTHS = tuple(calendar.month_name[1:])


def _row(kind: str, m: int, values: np.ndarray, labels: list[str], unit: str) -> dict | None:
    s, prof = seasonal_strength(values, m)
    if not np.isfinite(s):
        return None
    hi, lo = int(np.argmax(prof)), int(np.argmin(prof))
    return {
        "season": kind,
        "period": m,
        "unit": unit,
        "strength": round(float(s), 4),
        "found": bool(s >= SEASON_FOUND),
        "labels": labels,
        "profile": [float(v) for v in prof],
        "peak": labels[hi],
        "low": labels[lo],
    }


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
            r = _row("yearly", 12, per_day.to_numpy(float), [MONTHS[(start + i) % 12] for i in range(12)], "month")
            if r:
                r["labels"] = list(MONTHS)
                r["profile"] = list(np.roll(r["profile"], start))
                out.append(r)
    elif freq == "W":
        if len(y) >= 104:
            r = _row("yearly", 52, y, [d.date().isoformat() for d in idx[:52]], "week")
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


def sentence(row: dict):
    """The pattern in words (a Message): when sales are highest and lowest, then how strong the
    pattern is on the 0-1 scale (the figure for those who want it)."""
    values = {
        "peak": calendar_name(row["peak"]),
        "low": calendar_name(row["low"]),
        "strength": round(float(row["strength"]), 2),
    }
    weekly = row["season"] == "weekly"
    if row["found"]:
        if weekly:
            return M(
                "Weekly pattern found: sales are highest on {peak} and lowest on {low} (strength {strength} "
                "on a 0-1 scale).",
                **values,
            )
        if row["unit"] == "week":
            return M(
                "Yearly pattern found: sales are highest in the week of {peak} and lowest in the week of "
                "{low} (strength {strength} on a 0-1 scale).",
                **values,
            )
        return M(
            "Yearly pattern found: sales are highest in {peak} and lowest in {low} (strength {strength} "
            "on a 0-1 scale).",
            **values,
        )
    if weekly:
        return M(
            "No clear weekly pattern: {peak} sells a little more and {low} a little less (strength "
            "{strength} on a 0-1 scale).",
            **values,
        )
    if row["unit"] == "week":
        return M(
            "No clear yearly pattern: the week of {peak} sells a little more and the week of {low} a little "
            "less (strength {strength} on a 0-1 scale).",
            **values,
        )
    return M(
        "No clear yearly pattern: {peak} sells a little more and {low} a little less (strength {strength} "
        "on a 0-1 scale).",
        **values,
    )
