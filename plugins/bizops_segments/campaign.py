"""Did a campaign work: the statistics, without words.

- A/B: contacted group vs a random holdout kept out of the campaign, on conversion (bought at
  least once in the window; difference of two proportions, Wald interval, pooled z test) and on
  spend per customer in the window (difference of means, Welch interval and t test); the power of
  that conversion test; the holdout size needed for a given lift and power.
- Difference in differences: each customer's weekly spend after the start minus before, contacted
  against holdout (Welch on the per-customer changes), which removes what the two groups differed
  by before.
- Interrupted time series for a shop-wide promotion without a holdout: a segmented regression on
  the days before the start (level, trend, day of week), projected over the promotion as the
  counterfactual; effect = actual minus counterfactual summed, with the prediction interval of
  that sum (parameter uncertainty and day noise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass
class Estimate:
    value: float
    low: float
    high: float
    p_value: float

    def as_dict(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high, "p_value": self.p_value}


def _z(alpha: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2))


def two_proportions(x1: int, n1: int, x0: int, n0: int, alpha: float = 0.05) -> Estimate:
    """p1 - p0 with a Wald interval and the pooled two-sided z test."""
    p1, p0 = x1 / n1, x0 / n0
    se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    pooled = (x1 + x0) / (n1 + n0)
    se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    p = float(2 * stats.norm.sf(abs(p1 - p0) / se0)) if se0 > 0 else 1.0
    z = _z(alpha)
    return Estimate(float(p1 - p0), float(p1 - p0 - z * se), float(p1 - p0 + z * se), p)


def mean_difference(a, b, alpha: float = 0.05) -> Estimate:
    """mean(a) - mean(b), Welch interval and t test."""
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = np.sqrt(va + vb)
    d = float(a.mean() - b.mean())
    if se == 0:
        return Estimate(d, d, d, 1.0 if d == 0 else 0.0)
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    t = float(stats.t.ppf(1 - alpha / 2, dof))
    p = float(2 * stats.t.sf(abs(d) / se, dof))
    return Estimate(d, d - t * se, d + t * se, p)


def power_two_proportions(p0: float, lift: float, n1: int, n0: int, alpha: float = 0.05) -> float:
    """Chance that the two-sided z test at ``alpha`` finds a true conversion lift of ``lift``
    (absolute: 0.05 = five points) with n1 contacted and n0 held out."""
    p1 = min(max(p0 + lift, 0.0), 1.0)
    if n1 < 1 or n0 < 1:
        return 0.0
    se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    if se == 0:
        return 1.0 if lift else 0.0
    return float(stats.norm.cdf(abs(p1 - p0) / se - _z(alpha)))


def holdout_for_power(n_total: int, p0: float, lift: float, power: float = 0.8, alpha: float = 0.05) -> int | None:
    """The smallest holdout out of ``n_total`` customers for which the test has ``power`` to find
    ``lift``; None when even an even split cannot (power is highest at about half and half)."""
    best = None
    for n0 in range(2, n_total // 2 + 1):
        if power_two_proportions(p0, lift, n_total - n0, n0, alpha) >= power:
            best = n0
            break
    return best


def diff_in_diff(change_contacted, change_holdout, alpha: float = 0.05) -> Estimate:
    """Per-customer (after - before) weekly spend: mean change of the contacted minus the
    holdout's (the difference in differences), Welch interval."""
    return mean_difference(change_contacted, change_holdout, alpha)


@dataclass
class SeriesEffect:
    effect: Estimate  # summed over the window
    frame: pd.DataFrame  # day, actual, expected, low, high (the window and the days before it)
    expected_total: float
    actual_total: float
    pre_days: int
    r2: float


def _design(days: np.ndarray, t0: pd.Timestamp) -> np.ndarray:
    d = pd.DatetimeIndex(days)
    trend = ((d - t0).days.to_numpy(dtype=float)) / 7.0
    dow = np.zeros((len(d), 6))
    for k in range(6):
        dow[:, k] = (d.dayofweek == k + 1).astype(float)  # Monday is the baseline
    return np.column_stack([np.ones(len(d)), trend, dow])


def interrupted_time_series(
    daily: pd.Series, start: pd.Timestamp, days: int, pre_days: int = 182, alpha: float = 0.05
) -> SeriesEffect:
    """``daily``: sales per calendar day (missing days count 0). Fit on the ``pre_days`` days
    before ``start``, project over ``days`` days from ``start``."""
    import statsmodels.api as sm

    start = pd.Timestamp(start).normalize()
    daily = daily.copy()
    daily.index = pd.DatetimeIndex(daily.index).normalize()
    daily = daily.groupby(level=0).sum()
    lo = max(daily.index.min(), start - pd.Timedelta(days=pre_days))
    end = start + pd.Timedelta(days=days - 1)
    full = daily.reindex(pd.date_range(lo, max(end, daily.index.max()), freq="D"), fill_value=0.0)
    pre = full[(full.index >= lo) & (full.index < start)]
    post = full[(full.index >= start) & (full.index <= end)]
    X = _design(pre.index.to_numpy(), start)
    fit = sm.OLS(pre.to_numpy(dtype=float), X).fit()
    Xf = _design(post.index.to_numpy(), start)
    yhat = Xf @ fit.params
    ones = np.ones(len(Xf))
    cov = np.asarray(fit.cov_params())
    var_sum = float(ones @ Xf @ cov @ Xf.T @ ones + len(Xf) * fit.scale)
    dof = float(fit.df_resid)
    t = float(stats.t.ppf(1 - alpha / 2, dof))
    actual_total, expected_total = float(post.sum()), float(yhat.sum())
    eff = actual_total - expected_total
    se = np.sqrt(var_sum)
    p = float(2 * stats.t.sf(abs(eff) / se, dof)) if se > 0 else 0.0
    # per-day band for the plot (each day's own prediction interval)
    day_se = np.sqrt(np.einsum("ij,jk,ik->i", Xf, cov, Xf) + fit.scale)
    shown_pre = pre.iloc[-min(len(pre), 8 * 7) :]
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "day": shown_pre.index,
                    "actual": shown_pre.to_numpy(float),
                    "expected": np.asarray(fit.fittedvalues)[-len(shown_pre) :],
                    "low": np.nan,
                    "high": np.nan,
                }
            ),
            pd.DataFrame(
                {
                    "day": post.index,
                    "actual": post.to_numpy(float),
                    "expected": yhat,
                    "low": yhat - t * day_se,
                    "high": yhat + t * day_se,
                }
            ),
        ],
        ignore_index=True,
    )
    return SeriesEffect(
        Estimate(eff, eff - t * se, eff + t * se, p), frame, expected_total, actual_total, len(pre), float(fit.rsquared)
    )
