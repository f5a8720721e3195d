"""Price tests, for products whose price hardly changed: how many weeks at each of two prices
tell a given difference in weekly units (two-sample t-test, the same power function as
statsmodels' TTestIndPower), a week-by-week schedule, the reading of a finished test from the
orders (Welch's t-test and the elasticity between the two prices), and, for shops that change
prices often, a Thompson-sampling pick among allowed prices. Pure, no Qt.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats


def power(effect: float, n1: float, alpha: float = 0.05, ratio: float = 1.0) -> float:
    """Power of the two-sided two-sample t-test with n1 and ratio * n1 observations at
    standardised effect ``effect`` (Cohen's d), from the noncentral t distribution."""
    n2 = ratio * n1
    df = n1 + n2 - 2
    if df <= 0:
        return float("nan")
    crit = stats.t.isf(alpha / 2, df)
    nc = effect * math.sqrt(n1 * n2 / (n1 + n2))
    return float(stats.nct.sf(crit, df, nc) + stats.nct.cdf(-crit, df, nc))


def sample_size(effect: float, alpha: float = 0.05, target: float = 0.8, ratio: float = 1.0) -> float:
    """Observations in the first group (continuous; round up to plan) for the wanted power."""
    if not effect or not math.isfinite(effect):
        return float("inf")
    e = abs(effect)
    # at least 2 per group: with df near 0 the noncentral t's tails make any power look reachable
    lo = 2.0

    def gap(n):
        return power(e, n, alpha, ratio) - target

    hi = 4.0
    while gap(hi) < 0:
        hi *= 2
        if hi > 1e9:
            return float("inf")
    if gap(lo) >= 0:
        return lo
    return float(optimize.brentq(gap, lo, hi, xtol=1e-12, rtol=1e-14, maxiter=500))


def weeks_needed(mean_units: float, sd_units: float, detect: float = 0.10, alpha: float = 0.05, target: float = 0.8):
    """Weeks at each price to tell a ``detect`` (share) change in mean weekly units: (weeks per
    price, effect size)."""
    if not (sd_units > 0 and mean_units > 0):
        return float("inf"), float("nan")
    d = detect * mean_units / sd_units
    n = sample_size(d, alpha, target)
    return float(math.ceil(n - 1e-9)), d


def schedule(weeks_per_price: int, prices: list[float]) -> list[dict]:
    """Alternate the prices week by week (ABAB...): a season or a slow trend then falls on both
    prices alike, which one block each would not give."""
    out = []
    for i in range(int(weeks_per_price) * len(prices)):
        out.append({"week": i + 1, "price": float(prices[i % len(prices)])})
    return out


def read(units_a, units_b, price_a: float, price_b: float, alpha: float = 0.05) -> dict:
    """The result of a finished test: mean units at each price, Welch's t-test p-value, the
    change in units and the arc elasticity log(units_b / units_a) / log(price_b / price_a)."""
    a, b = np.asarray(units_a, float), np.asarray(units_b, float)
    out = {"weeks_a": int(len(a)), "weeks_b": int(len(b)), "mean_a": float(np.mean(a)) if len(a) else float("nan")}
    out["mean_b"] = float(np.mean(b)) if len(b) else float("nan")
    if len(a) < 2 or len(b) < 2:
        out.update(p_value=float("nan"), change=float("nan"), elasticity=float("nan"), clear=False)
        return out
    t = stats.ttest_ind(b, a, equal_var=False)
    change = out["mean_b"] / out["mean_a"] - 1 if out["mean_a"] > 0 else float("nan")
    el = (
        math.log(out["mean_b"] / out["mean_a"]) / math.log(price_b / price_a)
        if out["mean_a"] > 0 and out["mean_b"] > 0 and price_a != price_b
        else float("nan")
    )
    out.update(p_value=float(t.pvalue), change=change, elasticity=el, clear=bool(t.pvalue < alpha))
    return out


def thompson(
    prices,
    units_seen,
    weeks_seen,
    unit_cost: float = 0.0,
    draws: int = 4000,
    seed: int = 0,
    prior_units=0.0,
    prior_weeks=0.0,
) -> list[float]:
    """For each allowed price, the chance it earns the most profit per week, under Poisson weekly
    demand with a Gamma(1 + prior_units + units, prior_weeks + weeks) posterior on its rate (flat
    prior by default; ``prior_weeks`` pseudo-weeks with ``prior_units`` units in all (numbers, or
    one each per price) keep a price never tried from looking infinitely good): Thompson sampling
    sets next week's price with these chances."""
    rng = np.random.default_rng(seed)
    p = np.asarray(prices, float)
    shape = 1.0 + prior_units + np.asarray(units_seen, float)
    rate = np.maximum(prior_weeks + np.asarray(weeks_seen, float), 1e-9)
    lam = rng.gamma(shape[None, :], 1.0 / rate[None, :], size=(draws, len(p)))
    best = np.argmax(lam * (p - unit_cost)[None, :], axis=1)
    return (np.bincount(best, minlength=len(p)) / draws).tolist()


def thompson_schedule(
    prices, units_seen, weeks_seen, weeks: int, unit_cost: float = 0.0, seed: int = 0, **prior
) -> list[int]:
    """The next ``weeks`` prices by Thompson sampling (as indexes into ``prices``): each week the
    price that is best under one draw from the posterior (one sample of :func:`thompson`), so
    each price is set about as often as its chance of being the best."""
    out = []
    for w in range(int(weeks)):
        one = thompson(prices, units_seen, weeks_seen, unit_cost, draws=1, seed=seed + w, **prior)
        out.append(int(np.argmax(one)))
    return out
