"""Demand for stock planning: the Syntetos-Boylan-Croston demand classes, the Croston family
(Croston, SBA, TSB) for products that do not sell every day, stock-out days, and the distribution
of demand over a lead time from the errors of rolling forecasts. Plain numpy; no Qt, no pandas.

The Croston-family formulas follow statsforecast's (CrostonClassic, CrostonOptimized, CrostonSBA,
TSB), so the tests can compare them on the same series: simple exponential smoothing of the
non-zero demand sizes and of the intervals between them, the level starting at the first value.
"""

from __future__ import annotations

import math

import numpy as np

# Syntetos, Boylan & Croston (2005): average demand interval and squared coefficient of variation
# of the non-zero demand sizes; the cut-offs that separate the four classes.
ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
CLASSES = ("smooth", "erratic", "intermittent", "lumpy")
CROSTON_ALPHA = 0.1  # statsforecast's fixed smoothing constant for CrostonClassic and SBA
SBA_FACTOR = 0.95  # Syntetos & Boylan's bias correction 1 - alpha/2 for alpha = 0.1
# A run of zero days is a stock-out, not zero demand, when a seller this steady would go so many
# days without a sale less often than this (zero days independent, at the product's own rate).
STOCKOUT_RUN_P = 0.001


def classify(y: np.ndarray) -> tuple[str, float, float]:
    """(class, ADI, CV²) of a demand series (missing days, NaN, left out)."""
    y = np.asarray(y, float)
    y = y[np.isfinite(y)]
    nz = y[y > 0]
    if len(nz) == 0:
        return "lumpy", math.inf, math.nan
    adi = len(y) / len(nz)
    cv2 = float(np.var(nz) / np.mean(nz) ** 2) if len(nz) > 1 else 0.0
    if adi < ADI_CUTOFF:
        return ("smooth" if cv2 < CV2_CUTOFF else "erratic"), adi, cv2
    return ("intermittent" if cv2 < CV2_CUTOFF else "lumpy"), adi, cv2


def ses_forecast(x: np.ndarray, alpha: float) -> tuple[float, float]:
    """(next value, mean squared one-step error) of simple exponential smoothing with the level
    starting at the first value (statsforecast's ``_ses_fcst_mse``)."""
    x = np.asarray(x, float)
    if len(x) == 0:
        return 0.0, 0.0
    level = x[0]
    sse = 0.0
    for v in x[1:]:
        sse += (v - level) ** 2
        level = alpha * v + (1 - alpha) * level
    return float(level), float(sse / len(x))


def _optimised_ses(x: np.ndarray, low: float = 0.1, high: float = 0.3) -> float:
    from scipy.optimize import minimize_scalar

    if len(x) < 2:
        return ses_forecast(x, low)[0]
    best = minimize_scalar(lambda a: ses_forecast(x, a)[1], bounds=(low, high), method="bounded")
    return ses_forecast(x, float(best.x))[0]


def _sizes_intervals(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, float)
    idx = np.flatnonzero(y != 0)
    return y[idx], np.diff(idx + 1, prepend=0).astype(float)


def croston(y: np.ndarray, alpha: float = CROSTON_ALPHA, *, optimised: bool = False) -> float:
    """Croston's demand per period: smoothed size over smoothed interval."""
    sizes, gaps = _sizes_intervals(y)
    if len(sizes) == 0:
        return 0.0
    if optimised:
        size, gap = _optimised_ses(sizes), _optimised_ses(gaps)
    else:
        size, gap = ses_forecast(sizes, alpha)[0], ses_forecast(gaps, alpha)[0]
    return float(size / gap) if gap != 0 else float(size)


def sba(y: np.ndarray) -> float:
    """Syntetos-Boylan approximation: Croston (alpha 0.1) times 0.95, which removes its bias."""
    return SBA_FACTOR * croston(y, CROSTON_ALPHA)


def tsb(y: np.ndarray, alpha_d: float = 0.1, alpha_p: float = 0.1) -> float:
    """Teunter-Syntetos-Babai: smoothed probability of a sale in a period (updated every period,
    so a product that stopped selling fades) times the smoothed size of a sale."""
    y = np.asarray(y, float)
    if not (y != 0).any():
        return 0.0
    p = ses_forecast((y != 0).astype(float), alpha_p)[0]
    d = ses_forecast(y[y != 0], alpha_d)[0]
    return float(p * d)


# ------------------------------------------------------------------- rolling rate estimates
def rolling_rates(y: np.ndarray, method: str, alpha: float = 0.1, factors: np.ndarray | None = None) -> np.ndarray:
    """The demand-per-day estimate known at the start of each day (``out[t]`` uses days before t),
    in one pass: SES of the daily demand ("ses"), or TSB ("tsb"). Missing days (NaN, stock-outs)
    leave the estimate as it was. ``out[0]`` is NaN (nothing known yet).

    With ``factors`` (the weekday x time-of-year factor of each day, 1 = an average day) the
    estimate is of a plain day: each day's demand is divided by its factor first, so a Saturday
    or a December day does not move the level as if demand had changed; multiply back with
    :func:`horizon_factors` for the demand expected over coming days."""
    y = np.asarray(y, float)
    n = len(y)
    if factors is not None:
        f = np.asarray(factors, float)[:n]
        y = y / np.where(f > 0, f, 1.0)
    out = np.full(n + 1, np.nan)
    level = prob = size = math.nan
    for t in range(n):
        out[t] = level if method == "ses" else (prob * size if math.isfinite(size) else math.nan)
        v = y[t]
        if not math.isfinite(v):
            continue
        if method == "ses":
            level = v if not math.isfinite(level) else alpha * v + (1 - alpha) * level
        else:
            hit = 1.0 if v > 0 else 0.0
            prob = hit if not math.isfinite(prob) else alpha * hit + (1 - alpha) * prob
            if v > 0:
                size = v if not math.isfinite(size) else alpha * v + (1 - alpha) * size
            elif not math.isfinite(size):
                size = 0.0
    out[n] = level if method == "ses" else (prob * size if math.isfinite(size) else math.nan)
    return out


def window_sums(y: np.ndarray, h: int) -> np.ndarray:
    """``out[t]`` = demand over days t..t+h-1 (NaN when a day is missing or past the end)."""
    y = np.asarray(y, float)
    n = len(y)
    out = np.full(n, np.nan)
    if h <= 0 or n < h:
        return out
    ok = np.isfinite(y)
    c = np.concatenate([[0.0], np.cumsum(np.where(ok, y, 0.0))])
    bad = np.concatenate([[0], np.cumsum(~ok)])
    s = c[h:] - c[:-h]
    nb = bad[h:] - bad[:-h]
    out[: n - h + 1] = np.where(nb == 0, s, np.nan)
    return out


def horizon_factors(factors: np.ndarray | None, n: int, h: int) -> np.ndarray:
    """``out[t]`` = how many plain days of demand the ``h`` days from day t hold: the sum of the
    day factors over t..t+h-1 (``h`` itself without factors), for t = 0..n (past the factors'
    end the last days count as plain days)."""
    if factors is None:
        return np.full(n + 1, float(h))
    f = np.ones(n + h + 1)
    given = np.asarray(factors, float)[: n + h + 1]
    f[: len(given)] = np.where(np.isfinite(given) & (given > 0), given, 1.0)
    c = np.concatenate([[0.0], np.cumsum(f)])
    return c[h : h + n + 1] - c[: n + 1]


def forecast_errors(
    y: np.ndarray,
    rates: np.ndarray,
    h: int,
    *,
    warmup: int = 28,
    until: int | None = None,
    factors: np.ndarray | None = None,
    relative: bool = False,
) -> np.ndarray:
    """Actual demand over ``h`` days minus the rolling forecast (rate known that day times h, or
    times the days' factors with ``factors``), at every origin after ``warmup`` days whose window
    ends before day ``until`` (default: the end). ``relative``: that difference as a share of the
    forecast (origins with a forecast of zero left out), for demand whose spread grows with its
    level (a December day's error is bigger than a July day's)."""
    y = np.asarray(y, float)
    n = len(y) if until is None else int(until)
    sums = window_sums(y[:n], h)
    origins = np.arange(warmup, max(warmup, n - h + 1))
    if len(origins) == 0:
        return np.array([])
    pred = rates[origins] * horizon_factors(factors, len(y), h)[origins]
    e = sums[origins] - pred
    if relative:
        e = np.where(pred > 0, e / np.where(pred > 0, pred, 1.0), np.nan)
    return e[np.isfinite(e)]


def ltd_quantile(point: float, errors: np.ndarray, q: float, relative: bool = False) -> float:
    """Demand over the lead time at probability ``q``: the forecast plus the ``q`` quantile of the
    errors that forecast made before (the empirical lead-time demand); never below zero.
    ``relative``: the errors are shares of the forecast (:func:`forecast_errors`)."""
    if len(errors) == 0:
        return math.nan
    e = float(np.quantile(errors, q, method="higher"))
    return max(0.0, point * (1.0 + e) if relative else point + e)


def prob_exceeds(point: float, errors: np.ndarray, stock: float, relative: bool = False) -> float:
    """P(demand over the horizon > stock) from the same empirical distribution."""
    if len(errors) == 0:
        return math.nan
    return float(np.mean((point * (1.0 + errors) if relative else point + errors) > stock))


# ---------------------------------------------------------------------- stock-out days
def stockout_days(y: np.ndarray) -> np.ndarray:
    """Days that sold zero because the product was (most likely) out of stock: inside a run of
    zero days that a seller this steady would see less often than :data:`STOCKOUT_RUN_P` (zero
    days taken as independent, with the product's share of zero days outside such runs)."""
    y = np.asarray(y, float)
    zero = y == 0
    flags = np.zeros(len(y), bool)
    if len(y) == 0 or zero.all() or not zero.any():
        return flags
    p0 = float(zero.mean())
    if p0 >= 0.5:  # an intermittent seller: a long quiet spell is its nature, not a stock-out
        return flags
    longest = int(math.ceil(math.log(STOCKOUT_RUN_P) / math.log(p0))) if p0 > 0 else 1
    # runs of zeros
    edges = np.diff(np.concatenate([[0], zero.astype(int), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    for a, b in zip(starts, ends):
        if b - a >= max(longest, 3):
            flags[a:b] = True
    return flags


# --------------------------------------------------------------------------- seasonal sellers
# A product sold for one season: most of a year's units (SEASON_SHARE) fall within a few
# consecutive calendar months (at most SEASON_MONTHS), and it sold enough that the share means
# something (SEASON_MIN_UNITS). A shop-wide December peak (x1.5) leaves about a quarter of the
# year's units in any four months' window, far from four fifths.
SEASON_SHARE = 0.8
SEASON_MONTHS = 4
SEASON_MIN_UNITS = 20


def season_months(monthly: np.ndarray) -> tuple[int, int] | None:
    """(first, last) calendar month (0 = January; ``last`` may be before ``first`` when the season
    runs over the new year) of the shortest run of consecutive months that holds SEASON_SHARE of a
    year's units, ``monthly`` being the units of each calendar month over the last twelve months;
    None when it takes more than SEASON_MONTHS months (not a one-season product)."""
    m = np.asarray(monthly, float)
    total = float(np.nansum(m))
    if len(m) != 12 or total < SEASON_MIN_UNITS:
        return None
    twice = np.concatenate([m, m])
    for length in range(1, SEASON_MONTHS + 1):
        sums = np.array([twice[s : s + length].sum() for s in range(12)])
        best = int(np.argmax(sums))
        if sums[best] >= SEASON_SHARE * total:
            return best, (best + length - 1) % 12
    return None
