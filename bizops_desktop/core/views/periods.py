"""Frequencies and periods: guess D/W/M from dates, floor dates to period starts, build the full
range of periods (so gaps can be filled with zero)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..i18n import _

FREQS = ("D", "W", "M")
FREQ_WORDS = {"D": "daily", "W": "weekly", "M": "monthly"}
# Seasonal period that goes with each frequency (weekly for daily data, yearly otherwise).
SEASON_LENGTH = {"D": 7, "W": 52, "M": 12}


def normalise_freq(freq: str | None) -> str | None:
    """'auto'/None -> None; 'day', 'D', 'weekly', 'W-MON', 'MS', 'month' -> 'D'/'W'/'M'."""
    if freq is None:
        return None
    f = str(freq).strip().upper()
    if f in ("", "AUTO"):
        return None
    if f in ("D", "DAY", "DAILY", "B"):
        return "D"
    if f in ("W", "WEEK", "WEEKLY") or f.startswith("W-"):
        return "W"
    if f in ("M", "MS", "ME", "MONTH", "MONTHLY"):
        return "M"
    raise UsageError(
        _("unknown frequency {value}", value=repr(freq)), hint=_("use D (daily), W (weekly), M (monthly) or auto")
    )


def guess_freq(dates) -> str:
    """The natural frequency of a set of dates: the median gap between distinct dates
    (<= 2 days: D, <= 10 days: W, else M). Data with many orders a day is daily."""
    d = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates).dropna().unique())).sort_values()
    if len(d) < 2:
        return "D"
    gaps = np.diff(d.asi8) / 86_400e9
    med = float(np.median(gaps))
    if med <= 2:
        return "D"
    if med <= 10:
        return "W"
    return "M"


def period_start(dates, freq: str) -> pd.DatetimeIndex:
    """Floor each date to the start of its period: the day, the Monday of its week, the first
    of its month."""
    d = pd.DatetimeIndex(pd.to_datetime(dates)).normalize()
    if freq == "D":
        return d
    if freq == "W":
        return d - pd.to_timedelta(d.dayofweek, unit="D")
    if freq == "M":
        return d - pd.to_timedelta(d.day - 1, unit="D")
    raise UsageError(_("unknown frequency {value}", value=repr(freq)))


def period_range(start, end, freq: str) -> pd.DatetimeIndex:
    """Every period start from the period of ``start`` to the period of ``end``."""
    s = period_start([start], freq)[0]
    e = period_start([end], freq)[0]
    pd_freq = {"D": "D", "W": "W-MON", "M": "MS"}[freq]
    return pd.date_range(s, e, freq=pd_freq)


def pandas_freq(freq: str) -> str:
    """Our D/W/M as the pandas alias for period starts."""
    return {"D": "D", "W": "W-MON", "M": "MS"}[freq]
