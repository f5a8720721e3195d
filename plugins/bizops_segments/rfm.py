"""RFM scores and segment names: recency and money scored 1-5 by quintile, frequency by fixed
order-count bins (most shops' customers bought once, so quantiles of frequency break on ties),
named in the two schemes shop owners know: the English grid of R and F scores (Champions ...
Lost) and the Chinese 8-class scheme (重要价值 ... 一般挽留: R, F and M each above or below the
customers' average).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Frequency score from the number of orders: 1 -> 1, 2 -> 2, 3-4 -> 3, 5-9 -> 4, 10+ -> 5
FREQUENCY_BINS: tuple[int, ...] = (1, 2, 3, 5, 10)  # lower edge of each score's order count

# The English grid: (recency score, frequency score) -> segment
NAMED: tuple[str, ...] = (
    "champions",
    "loyal",
    "potential_loyalists",
    "new",
    "need_attention",
    "at_risk",
    "cant_lose",
    "hibernating",
    "lost",
)
CN8: tuple[str, ...] = (
    "important_value",  # 重要价值: recent, frequent, big spender
    "important_keep",  # 重要保持: not recent, frequent, big spender
    "important_develop",  # 重要发展: recent, infrequent, big spender
    "important_retain",  # 重要挽留: not recent, infrequent, big spender
    "general_value",  # 一般价值: recent, frequent, small spender
    "general_keep",  # 一般保持
    "general_develop",  # 一般发展
    "general_retain",  # 一般挽留
)


def named_segment(r: int, f: int) -> str:
    """The English segment of one (R, F) score pair (each 1-5)."""
    if r >= 4:
        return "champions" if f >= 4 else ("potential_loyalists" if f >= 2 else "new")
    if r == 3:
        return "loyal" if f >= 4 else "need_attention"
    if f == 5:
        return "cant_lose"
    if f >= 3:
        return "at_risk"
    return "hibernating" if r == 2 else "lost"


def frequency_score(frequency) -> np.ndarray:
    f = np.asarray(frequency, dtype=float)
    return np.searchsorted(np.asarray(FREQUENCY_BINS, float), f, side="right").clip(1, 5)


def quintile_score(values, higher_is_better: bool = True) -> np.ndarray:
    """1-5 by the customer's percentile rank; tied values share a score (average rank)."""
    s = pd.Series(np.asarray(values, dtype=float))
    if len(s) == 0:
        return np.zeros(0, dtype=int)
    pct = s.rank(method="average", pct=True, ascending=higher_is_better).to_numpy()
    return np.ceil(pct * 5).clip(1, 5).astype(int)


def score(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with recency_days, frequency, monetary -> the same with r_score, f_score,
    m_score, rfm (e.g. "545"), segment (English grid) and segment_cn8 (the 8-class scheme)."""
    out = frame.copy()
    r = quintile_score(out["recency_days"], higher_is_better=False)
    f = frequency_score(out["frequency"])
    m = quintile_score(out["monetary"], higher_is_better=True)
    out["r_score"], out["f_score"], out["m_score"] = r, f, m
    out["rfm"] = [f"{a}{b}{c}" for a, b, c in zip(r, f, m)]
    out["segment"] = [named_segment(int(a), int(b)) for a, b in zip(r, f)]
    out["segment_cn8"] = cn8_segment(out["recency_days"], out["frequency"], out["monetary"])
    return out


def cn8_segment(recency_days, frequency, monetary) -> list[str]:
    """The 8-class scheme: each of R, F, M high or low against the customers' average value
    (recency high = fewer days since the last order than average)."""
    rec = np.asarray(recency_days, float)
    fr = np.asarray(frequency, float)
    mo = np.asarray(monetary, float)
    if len(rec) == 0:
        return []
    r_hi = rec < rec.mean()
    f_hi = fr > fr.mean()
    m_hi = mo > mo.mean()
    names = {
        (True, True, True): "important_value",
        (False, True, True): "important_keep",
        (True, False, True): "important_develop",
        (False, False, True): "important_retain",
        (True, True, False): "general_value",
        (False, True, False): "general_keep",
        (True, False, False): "general_develop",
        (False, False, False): "general_retain",
    }
    return [names[(bool(a), bool(b), bool(c))] for a, b, c in zip(r_hi, f_hi, m_hi)]
