"""The owner's price rules: a suggested price moved into the range the rules allow (floor and
ceiling, minimum margin, largest change per step, never more than x% above a competitor) and onto
an allowed ending (.99, .9, ¥x9), choosing among the allowed prices the one that earns the most
on the product's demand curve. Pure arithmetic, no Qt.

Constant-elasticity profit (p/now)^e (p - cost) has a single peak for e < -1 and rises for
-1 <= e < 0, so inside an interval the best price is the suggestion clipped to it; an ending
then leaves a handful of candidates, compared on the same curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bizops_desktop.core.i18n import Message

from .i18n import M

ENDINGS = ("none", "99", "9", "x9")


@dataclass(frozen=True)
class Rules:
    min_margin: float | None = None  # share of the price, 0.25 = 25%
    max_step: float | None = None  # largest change per step, share of today's price
    ending: str = "none"
    floor: float | None = None
    ceiling: float | None = None
    competitor_cap: float | None = None  # share above the competitor's price, 0.05 = 5%

    @property
    def active(self) -> bool:
        return (
            any(v is not None for v in (self.min_margin, self.max_step, self.floor, self.ceiling, self.competitor_cap))
            or self.ending != "none"
        )

    @classmethod
    def from_params(cls, params) -> "Rules":
        def share(name):
            v = params.get(name)
            return None if v is None else float(v) / 100.0

        ending = str(params.get("price_ending") or "none")
        return cls(
            min_margin=share("min_margin"),
            max_step=share("max_step"),
            ending=ending if ending in ENDINGS else "none",
            floor=params.get("price_floor"),
            ceiling=params.get("price_ceiling"),
            competitor_cap=share("competitor_cap"),
        )


def profit_ratio(p: float, now: float, e: float, cost: float) -> float:
    """Profit at ``p`` per unit sold today at ``now`` (constant elasticity ``e``)."""
    return (p / now) ** e * (p - cost)


def ending_candidates(low: float, high: float, ending: str) -> list[float]:
    """Prices with the ending between low and high (inclusive, to the cent)."""
    if ending == "none":
        return []
    if ending == "x9":  # whole money ending in 9: 9, 19, 29 ...
        step, first = 10.0, 9.0
    elif ending == "9":  # x.90
        step, first = 1.0, 0.9
    else:  # x.99
        step, first = 1.0, 0.99
    k0 = max(0, math.floor((low - first) / step))
    out = []
    k = k0
    while True:
        p = round(first + k * step, 2)
        if p > high + 1e-9:
            break
        if p >= low - 1e-9 and p > 0:
            out.append(p)
        k += 1
        if len(out) > 2000:
            break
    return out


def bounds(now: float, cost: float | None, competitor: float | None, rules: Rules) -> tuple[float, float, dict]:
    """(lowest, highest) allowed price and which rule sets each end ('floor', 'margin', 'step',
    'ceiling', 'competitor')."""
    lo, hi = 0.0, math.inf
    why: dict[str, str] = {}

    def raise_lo(v, name):
        nonlocal lo
        if v is not None and v > lo:
            lo, why["low"] = float(v), name

    def cut_hi(v, name):
        nonlocal hi
        if v is not None and v < hi:
            hi, why["high"] = float(v), name

    raise_lo(rules.floor, "floor")
    if rules.min_margin is not None and cost is not None and rules.min_margin < 1:
        raise_lo(cost / (1 - rules.min_margin), "margin")
    if rules.max_step is not None:
        raise_lo(now * (1 - rules.max_step), "step")
        cut_hi(now * (1 + rules.max_step), "step")
    cut_hi(rules.ceiling, "ceiling")
    if rules.competitor_cap is not None and competitor is not None and competitor > 0:
        cut_hi(competitor * (1 + rules.competitor_cap), "competitor")
    return lo, hi, why


RULE_WORDS = {
    "floor": lambda v: M("the price floor {price:money}", price=v),
    "ceiling": lambda v: M("the price ceiling {price:money}", price=v),
    "margin": lambda v: M("the minimum margin (at least {price:money})", price=v),
    "step": lambda v: M("the largest change per step ({price:money})", price=v),
    "competitor": lambda v: M("the cap above the competitor's price ({price:money})", price=v),
}


def plan(
    wanted: float, now: float, e: float, cost: float | None, competitor: float | None, rules: Rules
) -> tuple[float, Message | None]:
    """The price to set: ``wanted`` (the suggestion) within the rules and on the ending, the
    most profitable of the allowed prices on the demand curve; and the rule that moved it, in
    words (None when none did)."""
    lo, hi, why = bounds(now, cost, competitor, rules)
    if lo > hi + 1e-9:
        return now, M(
            "the rules leave no price ({low} needs at least {lo:money}, {high} at most {hi:money}); the "
            "price stays as it is",
            low=RULE_WORDS[why["low"]](lo),
            high=RULE_WORDS[why["high"]](hi),
            lo=lo,
            hi=hi,
        )
    p = min(max(wanted, lo), hi)
    moved = None
    if p > wanted + 1e-9:
        moved = RULE_WORDS[why["low"]](lo)
    elif p < wanted - 1e-9:
        moved = RULE_WORDS[why["high"]](hi)
    c = cost if cost is not None else 0.0
    if rules.ending != "none":
        cands = ending_candidates(lo, hi if math.isfinite(hi) else max(p, now) * 2 + 10, rules.ending)
        # the few around p are enough: profit has one peak
        near = sorted(cands, key=lambda q: abs(q - p))[:4]
        if near:
            p = max(near, key=lambda q: profit_ratio(q, now, e, c) if cost is not None else -abs(q - p))
        else:
            return _cents_within(p, lo, hi), M(
                "no price with the ending you chose fits the rules; {price:money} keeps the rules", price=p
            )
    p = _cents_within(p, lo, hi)
    if moved is None:
        return p, None
    return p, M("kept by {rule}", rule=moved)


RULE_NAMES = {
    "floor": lambda: M("the price floor"),
    "ceiling": lambda: M("the price ceiling"),
    "margin": lambda: M("the minimum margin"),
    "step": lambda: M("the largest change per step"),
    "competitor": lambda: M("the cap above the competitor's price"),
}


def holding_rule(
    wanted: float, got: float, now: float, cost: float | None, competitor: float | None, rules: Rules
) -> str | None:
    """Which rule (a key of RULE_NAMES) stopped the price at ``got`` short of ``wanted``, if one
    did (within a cent: the rules' edges are rounded to cents)."""
    lo, hi, why = bounds(now, cost, competitor, rules)
    if lo > hi + 1e-9:
        return why.get("low")
    if wanted > got + 0.005 and math.isfinite(hi) and abs(got - hi) <= 0.011:
        return why.get("high")
    if wanted < got - 0.005 and abs(got - lo) <= 0.011:
        return why.get("low")
    return None


def _cents_within(p: float, lo: float, hi: float) -> float:
    """``p`` to the cent, without the rounding stepping over a rule's edge."""
    q = round(p, 2)
    low, high = math.ceil(lo * 100 - 1e-6) / 100, math.floor(hi * 100 + 1e-6) / 100 if math.isfinite(hi) else q
    return q if low > high else min(max(q, low), high)


def too_uncertain(e: float, ci_low: float, ci_high: float) -> Message | None:
    """A plain warning when the elasticity's range is wider than the elasticity itself."""
    if not (math.isfinite(e) and math.isfinite(ci_low) and math.isfinite(ci_high)):
        return None
    if ci_high - ci_low > abs(e):
        return M(
            "too uncertain to act on: the elasticity could be anywhere from {low:num} to {high:num}; try "
            "a price test first",
            low=ci_low,
            high=ci_high,
        )
    return None
