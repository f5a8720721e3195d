"""Stock policies: economic order quantity, newsvendor quantity, safety stock (normal and
empirical lead-time demand), order rounding to pack size and minimum order, and a replay of a
periodic-review policy over past demand (achieved cycle service level, fill rate, stock held).
Plain numpy/scipy; no Qt, no pandas."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import demand as dm


def eoq(annual_demand: float, order_cost: float, holding_cost: float) -> float:
    """Economic order quantity sqrt(2DS/H) (Harris 1913): D units a year, S per order, H per unit
    and year held."""
    if annual_demand <= 0 or order_cost <= 0 or holding_cost <= 0:
        return 0.0
    return math.sqrt(2.0 * annual_demand * order_cost / holding_cost)


def critical_ratio(price: float, cost: float, salvage: float = 0.0) -> float:
    """The newsvendor's critical ratio Cu/(Cu+Co): underage cost = price - cost (a sale lost),
    overage cost = cost - salvage (a unit left over)."""
    under, over = price - cost, cost - salvage
    if under <= 0:
        return 0.0
    if over <= 0:
        return 1.0
    return under / (under + over)


def newsvendor_normal(mean: float, sd: float, price: float, cost: float, salvage: float = 0.0) -> float:
    """The quantity that maximises expected profit for normally distributed demand."""
    from scipy.stats import norm

    cr = critical_ratio(price, cost, salvage)
    if cr <= 0:
        return 0.0
    if cr >= 1:
        return math.inf
    return max(0.0, mean + float(norm.ppf(cr)) * sd)


def newsvendor_empirical(samples: np.ndarray, price: float, cost: float, salvage: float = 0.0) -> float:
    """The same from a sample of demand (the critical-ratio quantile of the empirical distribution)."""
    cr = critical_ratio(price, cost, salvage)
    if len(samples) == 0:
        return math.nan
    return max(0.0, float(np.quantile(np.asarray(samples, float), min(max(cr, 0.0), 1.0), method="higher")))


def safety_stock_normal(
    csl: float, mean_demand: float, sd_demand: float, lead_time: float, sd_lead_time: float = 0.0
) -> float:
    """Safety stock for a cycle service level with normal demand per period (mean, sd) and a lead
    time of ``lead_time`` periods (sd ``sd_lead_time``): z * sqrt(L sd_D² + D² sd_L²)."""
    from scipy.stats import norm

    sigma = math.sqrt(lead_time * sd_demand**2 + mean_demand**2 * sd_lead_time**2)
    return float(norm.ppf(csl)) * sigma


def safety_stock_empirical(point: float, errors: np.ndarray, csl: float) -> float:
    """Safety stock from the lead-time demand forecast errors seen before: the ``csl`` quantile of
    (forecast + error) above the forecast."""
    q = dm.ltd_quantile(point, errors, csl)
    return q - point if math.isfinite(q) else math.nan


def round_order(qty: float, pack: float | None = None, moq: float | None = None) -> float:
    """An order quantity the supplier accepts: at least the minimum order, in whole packs (up)."""
    if not (qty > 0):
        return 0.0
    q = max(float(qty), float(moq or 0))
    if pack and pack > 0:
        q = math.ceil(q / pack - 1e-9) * pack
    return float(math.ceil(q - 1e-9))


# ------------------------------------------------------------------------------- replay
@dataclass
class Replay:
    cycles: int
    cycles_ok: int
    demand: float
    served: float
    avg_stock: float
    orders: int

    @property
    def cycle_service_level(self) -> float:
        return self.cycles_ok / self.cycles if self.cycles else math.nan

    @property
    def fill_rate(self) -> float:
        return self.served / self.demand if self.demand > 0 else math.nan


def replay(
    y: np.ndarray,
    *,
    lead_time: int,
    review: int,
    csl: float,
    method: str = "ses",
    start: int | None = None,
    warmup: int = 56,
    pack: float | None = None,
    moq: float | None = None,
    lot: float = 0.0,
    factors: np.ndarray | None = None,
    relative: bool = False,
) -> Replay:
    """Run the (R, s, S) policy over past daily demand ``y`` as if the shop had followed it from day
    ``start`` (default: the second half): every ``review`` days, if stock on hand plus on order
    is below s = the ``csl`` quantile of demand over lead time + review (the rolling forecast known
    that day plus the errors it made before that day), order up to s (at least ``lot`` units, e.g.
    the EOQ, then whole packs and the minimum order); orders arrive ``lead_time`` days later;
    demand not met is lost. A cycle runs from one order's arrival to the next; it is met when no
    demand in it went unserved.

    ``factors``: each day's weekday x time-of-year factor (index 0 = day 0 of ``y``, at least
    ``len(y) + lead_time + review`` of them, as estimated from what was known when the replay
    starts): the forecast is then of a plain day times the factors of the days ahead.
    ``relative``: the forecast errors are taken as shares of the forecast (see
    :func:`demand.forecast_errors`).

    Only what was known on each day is used (no look-ahead)."""
    y = np.asarray(y, float)
    y = np.where(np.isfinite(y), y, 0.0)
    n = len(y)
    start = n // 2 if start is None else start
    h = lead_time + review
    rates = dm.rolling_rates(y, method, factors=factors)
    ahead = dm.horizon_factors(factors, n, h)
    sums = dm.window_sums(y, h)
    on_hand = None
    pipeline: list[tuple[int, float]] = []  # (arrival day, units)
    cycles = cycles_ok = orders = 0
    in_cycle = False
    cycle_short = False
    dem = served = stock_sum = 0.0
    for t in range(start, n):
        rate = rates[t] if math.isfinite(rates[t]) else 0.0
        if on_hand is None:
            on_hand = rate * ahead[t]  # start with the forecast cover
        arrived = sum(q for d, q in pipeline if d == t)
        if arrived:
            pipeline = [(d, q) for d, q in pipeline if d != t]
            on_hand += arrived
            if in_cycle:
                cycles += 1
                cycles_ok += 0 if cycle_short else 1
            in_cycle, cycle_short = True, False
        if (t - start) % review == 0:
            origins_end = t - h + 1  # windows that ended before today
            if origins_end > warmup:
                pred = rates[warmup:origins_end] * ahead[warmup:origins_end]
                errs = sums[warmup:origins_end] - pred
                if relative:
                    errs = np.where(pred > 0, errs / np.where(pred > 0, pred, 1.0), np.nan)
            else:
                errs = np.array([])
            errs = errs[np.isfinite(errs)]
            point = rate * ahead[t]
            s = dm.ltd_quantile(point, errs, csl, relative) if len(errs) >= 8 else point * 1.5
            position = on_hand + sum(q for _d, q in pipeline)
            if position < s:
                q = round_order(max(s - position, lot), pack, moq)
                if q > 0:
                    pipeline.append((t + lead_time, q))
                    orders += 1
        want = y[t]
        got = min(want, on_hand)
        on_hand -= got
        dem += want
        served += got
        if want > got + 1e-9:
            cycle_short = True
        stock_sum += on_hand
    return Replay(cycles, cycles_ok, dem, served, stock_sum / max(n - start, 1), orders)
