"""Markdown plan: the prices, week by week until a deadline, that earn the most from a limited
stock, from a ladder of allowed prices. Exact dynamic programming over (week, units left, last
price) with Poisson weekly demand whose mean follows the product's demand curve and season:

    V_t(s, j') = max_{j allowed after j'} E[ (p_j - c) min(D, s) + V_{t+1}(s - min(D, s), j) ],
    D ~ Poisson(lambda_t(p_j)),  V_T(s, j) = salvage * s

Markdown only (the usual rule for clearance) means a price, once lowered, is not raised again:
j >= j' on a ladder sorted from dearest to cheapest. The plan adapts: each week's price depends
on what is left, so re-planning with the latest stock is running it again. Pure, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass
class MarkdownPlan:
    value: float  # expected revenue (or profit) to the deadline, salvage included
    policy: np.ndarray  # (weeks, stock + 1, prices): price index to set
    weeks: list[dict]  # per week: most likely price, its share, expected units, stock left, sold-out chance
    expected_left: float  # expected units left at the deadline
    sold_out: float  # chance of selling out by the deadline


def _outcomes(lam: float, stock: int) -> np.ndarray:
    """P(D = k) for k < K and P(D >= K) at K, with K large enough to hold all but 1e-15 of the
    mass (or the whole stock): selling min(D, s) never needs more."""
    kmax = int(min(stock, max(20, lam + 12 * np.sqrt(lam) + 20)))
    k = np.arange(kmax + 1)
    pmf = stats.poisson.pmf(k, lam)
    pmf[-1] = stats.poisson.sf(kmax - 1, lam)
    return pmf


def _expect(v_next: np.ndarray, lam: float, net: float) -> np.ndarray:
    """E[net * min(D, s) + v_next[s - min(D, s)]] for every s = 0..S."""
    S = len(v_next) - 1
    s = np.arange(S + 1)
    pmf = _outcomes(lam, S)
    out = np.zeros(S + 1)
    for k, w in enumerate(pmf):
        if w == 0.0:
            continue
        sold = np.minimum(k, s)
        out += w * (net * sold + v_next[s - sold])
    if len(pmf) - 1 < S:
        # the lumped tail at K stands for D >= K: for s > K it undercounts sales by at most the
        # 1e-15 of mass beyond; exact for s <= K
        pass
    return out


def plan(
    prices,
    rates,
    stock: int,
    *,
    unit_cost: float = 0.0,
    salvage: float = 0.0,
    markdown_only: bool = True,
    start: int = 0,
) -> MarkdownPlan:
    """``prices``: the ladder, dearest first. ``rates[t][j]``: mean units in week t at price j.
    ``start``: the ladder step in force now (markdown only: no dearer price after it)."""
    p = np.asarray(prices, float)
    lam = np.asarray(rates, float)
    T, J = lam.shape
    if J != len(p) or T < 1 or stock < 0:
        raise ValueError("rates must be weeks x prices and stock at least 0")
    S = int(stock)
    net = p - unit_cost
    V = np.repeat((salvage * np.arange(S + 1))[:, None], J, axis=1)  # after the deadline
    policy = np.zeros((T, S + 1, J), dtype=int)
    for t in range(T - 1, -1, -1):
        Q = np.column_stack([_expect(V[:, j], lam[t, j], net[j]) for j in range(J)])  # (S+1, J)
        newV = np.empty_like(V)
        for jp in range(J):
            allowed = range(jp, J) if markdown_only else range(J)
            cols = list(allowed)
            sub = Q[:, cols]
            best = np.argmax(sub, axis=1)
            policy[t, :, jp] = np.asarray(cols)[best]
            newV[:, jp] = sub[np.arange(S + 1), best]
        V = newV
    value = float(V[S, start])
    weeks, left, out = _forward(policy, lam, S, start, p)
    return MarkdownPlan(value=value, policy=policy, weeks=weeks, expected_left=left, sold_out=out)


def _forward(policy, lam, S, start, prices):
    """The distribution of (units left, last price) week by week under the policy: what the
    plan is expected to do (most likely price each week and how sure), exactly, no simulation."""
    T, _, J = policy.shape
    dist = np.zeros((S + 1, J))
    dist[S, start] = 1.0
    weeks = []
    s_idx = np.arange(S + 1)
    for t in range(T):
        new = np.zeros_like(dist)
        price_mass = np.zeros(J)
        units = 0.0
        for s in range(S + 1):
            for jp in range(J):
                w = dist[s, jp]
                if w < 1e-15:
                    continue
                j = policy[t, s, jp]
                if s > 0:
                    price_mass[j] += w
                pmf = _outcomes(lam[t, j], s) if s > 0 else np.array([1.0])
                sold = np.minimum(np.arange(len(pmf)), s)
                units += w * float(pmf @ sold)
                np.add.at(new[:, j], s - sold, w * pmf)
        dist = new
        on_sale = price_mass.sum()
        j_most = int(np.argmax(price_mass)) if on_sale > 0 else int(policy[t, 0, 0])
        left_dist = dist.sum(axis=1)
        weeks.append(
            {
                "week": t + 1,
                "price": float(prices[j_most]),
                "price_share": float(price_mass[j_most] / on_sale) if on_sale > 0 else 1.0,
                "units": units,
                "stock_left": float(left_dist @ s_idx),
                "sold_out": float(left_dist[0]),
            }
        )
    left_dist = dist.sum(axis=1)
    return weeks, float(left_dist @ s_idx), float(left_dist[0])


def simulate(policy, prices, true_rates, stock: int, start: int = 0, runs: int = 2000, seed: int = 0) -> dict:
    """Run the policy against demand drawn from ``true_rates``: mean units left, mean revenue, and
    the mean week the stock ran out (weeks + 1 when it did not)."""
    rng = np.random.default_rng(seed)
    T = policy.shape[0]
    lam = np.asarray(true_rates, float)
    left, revenue, out_week = np.zeros(runs), np.zeros(runs), np.full(runs, T + 1.0)
    for r in range(runs):
        s, jp = stock, start
        for t in range(T):
            if s == 0:
                break
            j = policy[t, s, jp]
            sold = min(int(rng.poisson(lam[t, j])), s)
            revenue[r] += sold * prices[j]
            s -= sold
            jp = j
            if s == 0:
                out_week[r] = t + 1
        left[r] = s
    return {"left": float(left.mean()), "revenue": float(revenue.mean()), "sold_out_week": float(out_week.mean())}


def ladder_prices(now: float, steps) -> list[float]:
    """Discounts in percent (e.g. 0, 10, 20, 30, 50) as prices, dearest first, to the cent."""
    ds = sorted({float(d) for d in steps})
    return [round(now * (1 - d / 100.0), 2) for d in ds]


def demand_rates(base_units: float, now: float, elasticity: float, prices, season=None, weeks: int = 1) -> np.ndarray:
    """Mean weekly units at each ladder price: base * season_t * (p / now)^e."""
    f = np.ones(weeks) if season is None else np.asarray(season, float)[:weeks]
    p = np.asarray(prices, float)
    return base_units * f[:, None] * (p[None, :] / now) ** elasticity


def season_factors(log_units_adj, weeks_ahead: int, m: int = 52):
    """Multiplicative factors for the coming weeks from the product's price-adjusted log units
    (log units - e log price), using the Forecast tab's seasonal profile (None: too short a
    history or no clear season)."""
    from bizops_forecast.methods import seasonal_strength
    from bizops_forecast.seasonality import SEASON_FOUND

    z = np.asarray(log_units_adj, float)
    strength, prof = seasonal_strength(z, m)
    if not np.isfinite(strength) or strength < SEASON_FOUND:
        return None, strength
    n = len(z)
    pos = (n + np.arange(weeks_ahead)) % m
    return np.exp(prof[pos]), strength
