"""Customer lifetime value: the BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005) and
the Gamma-Gamma model of spend per purchase (Fader & Hardie 2013), fitted by maximum likelihood
with scipy; expected purchases and spend over a horizon and the chance each customer is still a
customer ("alive").

Input per customer (the models' sufficient statistics, time in any unit, the tab uses weeks):
``x`` repeat purchases (purchase days after the first), ``t_x`` time from the first to the last
purchase, ``T`` time from the first purchase to the end of the calibration period; for
Gamma-Gamma ``m_x`` the average value of the repeat purchases (customers with x > 0 only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

BGNBD_PARAMS = ("r", "alpha", "a", "b")
GG_PARAMS = ("p", "q", "gamma")


@dataclass
class Fit:
    params: dict[str, float]
    log_likelihood: float
    n: int
    converged: bool


def summary_from_lines(
    customer: pd.Series, day: pd.Series, spend: pd.Series, end: pd.Timestamp, unit_days: float = 7.0
) -> pd.DataFrame:
    """Per-customer ``x, t_x, T, m_x`` from order lines (several lines or orders on one day are one
    purchase, as lifetimes and BTYD count them), up to and including ``end``; time in units of
    ``unit_days``. m_x is the average value of the repeat purchase days (the first excluded), NaN
    when x = 0. Indexed by customer id."""
    work = pd.DataFrame({"c": customer.to_numpy(), "d": pd.to_datetime(day).to_numpy(), "s": spend.to_numpy()})
    work = work[work["d"] <= end]
    daily = work.groupby(["c", "d"], sort=True)["s"].sum().reset_index()
    g = daily.groupby("c", sort=True)
    first, last = g["d"].min(), g["d"].max()
    n_days = g["d"].size()
    total = g["s"].sum()
    first_spend = daily.drop_duplicates("c", keep="first").set_index("c")["s"]
    x = (n_days - 1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        m_x = ((total - first_spend.reindex(total.index)) / x).where(x > 0)
    return pd.DataFrame(
        {
            "x": x,
            "t_x": (last - first).dt.days.astype(float) / unit_days,
            "T": (end - first).dt.days.astype(float) / unit_days,
            "m_x": m_x.astype(float),
        }
    )


def _collapse(*cols: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Unique rows and their counts (customers with the same history share one likelihood term)."""
    stacked = np.column_stack(cols)
    uniq, counts = np.unique(stacked, axis=0, return_counts=True)
    return [uniq[:, j] for j in range(uniq.shape[1])], counts.astype(float)


def bgnbd_loglik(params, x, t_x, T) -> np.ndarray:
    """Each customer's log-likelihood under BG/NBD (FHL 2005, eq. 6)."""
    r, alpha, a, b = params
    x = np.asarray(x, dtype=float)
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x), 0)
    return a1 + a2 + np.where(repeat, np.logaddexp(a3, a4), a3)


def _fit(neg_ll, start: np.ndarray) -> tuple[np.ndarray, float, bool]:
    """Minimise over log-parameters: Nelder-Mead to get close, then BFGS to polish."""
    first = optimize.minimize(neg_ll, np.log(start), method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-8})
    best = optimize.minimize(neg_ll, first.x, method="BFGS", options={"gtol": 1e-7})
    if not np.isfinite(best.fun) or best.fun > first.fun:
        best = first
    return np.exp(best.x), float(best.fun), bool(best.success or first.success)


def fit_bgnbd(x, t_x, T, start=(1.0, 1.0, 1.0, 1.0)) -> Fit:
    """Maximum-likelihood BG/NBD parameters r, alpha, a, b."""
    (xu, tu, Tu), w = _collapse(np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float))
    scale = max(float(np.mean(T)), 1e-9)  # fit on T scaled to ~1 (alpha scales with the time unit)

    def neg_ll(logp):
        p = np.exp(np.clip(logp, -30, 30))
        ll = bgnbd_loglik(p, xu, tu / scale, Tu / scale)
        v = -float(np.sum(w * ll))
        return v if np.isfinite(v) else 1e300

    est, nll, ok = _fit(neg_ll, np.asarray(start, float))
    r, alpha, a, b = est
    alpha *= scale
    ll = float(np.sum(w * bgnbd_loglik((r, alpha, a, b), xu, tu, Tu)))
    return Fit(dict(zip(BGNBD_PARAMS, map(float, (r, alpha, a, b)))), ll, int(len(np.asarray(x))), ok)


def _p(fit_or_params) -> tuple[float, ...]:
    p = fit_or_params.params if isinstance(fit_or_params, Fit) else fit_or_params
    return tuple(float(p[k]) for k in (BGNBD_PARAMS if "r" in p else GG_PARAMS))


def _denominator(params, x, t_x, T) -> np.ndarray:
    r, alpha, a, b = params
    x = np.asarray(x, float)
    repeat = x > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_ratio = (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        term = np.where(repeat, a / np.where(repeat, b + x - 1, 1.0) * np.exp(np.minimum(log_ratio, 700)), 0.0)
    return 1.0 + term


def probability_alive(fit, x, t_x, T) -> np.ndarray:
    """P(still a customer at T | history) (FHL 2005, eq. 7 with the tech note's x = 0 case)."""
    return 1.0 / _denominator(_p(fit), x, t_x, T)


def expected_purchases(fit, t, x, t_x, T) -> np.ndarray:
    """E[purchases in (T, T + t] | x, t_x, T] (FHL 2005, eq. 10)."""
    r, alpha, a, b = _p(fit)
    x = np.asarray(x, float)
    T = np.asarray(T, float)
    z = t / (alpha + T + t)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    head = (a + b + x - 1) / (a - 1)
    body = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp
    return head * body / _denominator((r, alpha, a, b), x, t_x, T)


def expected_purchases_new(fit, t) -> np.ndarray:
    """E[X(t)]: purchases of a customer in the first t after the first purchase (FHL 2005, eq. 9)."""
    r, alpha, a, b = _p(fit)
    t = np.asarray(t, float)
    hyp = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
    return (a + b - 1) / (a - 1) * (1.0 - (alpha / (alpha + t)) ** r * hyp)


def gg_loglik(params, x, m_x) -> np.ndarray:
    """Each repeat customer's log-likelihood of their average spend (Fader & Hardie 2013, eq. 5)."""
    p, q, g = params
    px = p * x
    return (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(g)
        + (px - 1) * np.log(m_x)
        + px * np.log(x)
        - (px + q) * np.log(g + m_x * x)
    )


def fit_gamma_gamma(x, m_x, start=(1.0, 1.0, 1.0)) -> Fit:
    """Maximum-likelihood Gamma-Gamma parameters p, q, gamma from repeat customers (x > 0, m_x > 0)."""
    x = np.asarray(x, float)
    m_x = np.asarray(m_x, float)
    keep = (x > 0) & np.isfinite(m_x) & (m_x > 0)
    (xu, mu), w = _collapse(x[keep], m_x[keep])
    scale = float(np.mean(mu)) if len(mu) else 1.0

    def neg_ll(logp):
        p = np.exp(np.clip(logp, -30, 30))
        v = -float(np.sum(w * gg_loglik(p, xu, mu / scale)))
        return v if np.isfinite(v) else 1e300

    est, _nll, ok = _fit(neg_ll, np.asarray(start, float))
    p, q, g = est
    g *= scale
    ll = float(np.sum(w * gg_loglik((p, q, g), xu, mu)))
    return Fit(dict(zip(GG_PARAMS, map(float, (p, q, g)))), ll, int(keep.sum()), ok)


def expected_spend_per_purchase(fit, x, m_x) -> np.ndarray:
    """E[spend per purchase | x, m_x] (Fader & Hardie 2013, eq. 4); the population mean
    p gamma / (q - 1) for customers without a repeat purchase."""
    p, q, g = _p(fit)
    x = np.asarray(x, float)
    m = np.nan_to_num(np.asarray(m_x, float), nan=0.0)
    population = p * g / (q - 1) if q > 1 else np.nan
    w = (q - 1) / (p * x + q - 1)
    return np.where(x > 0, w * population + (1 - w) * m, population)
