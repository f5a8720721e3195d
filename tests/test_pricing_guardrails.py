"""The owner's price rules: the planned price is the most profitable allowed price (checked by
brute force over every cent, or every price with the chosen ending, on the demand curve), and on
the demo shop every suggested price keeps the rules."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from test_pricing_demo import orders, orders_dataset, truth  # noqa: F401  (the demo shop's fixtures)

from bizops_pricing import ANALYSIS
from bizops_pricing import guardrails as g


def brute(now, e, cost, comp, rules):
    lo, hi, _why = g.bounds(now, cost, comp, rules)
    hi = min(hi, now * 3)
    if rules.ending == "none":
        grid = np.round(np.arange(math.ceil(lo * 100), math.floor(hi * 100) + 1) / 100, 2)
    else:
        grid = np.array(g.ending_candidates(lo, hi, rules.ending))
    grid = grid[(grid >= lo - 1e-9) & (grid <= hi + 1e-9)]
    vals = [g.profit_ratio(p, now, e, cost) for p in grid]
    return float(grid[int(np.argmax(vals))])


@pytest.mark.parametrize("seed", range(40))
def test_plan_is_the_best_allowed_price(seed):
    rng = np.random.default_rng(seed)
    now = float(np.round(rng.uniform(3, 60), 2))
    cost = float(np.round(now * rng.uniform(0.3, 0.8), 2))
    e = float(rng.uniform(-4, -1.1))
    comp = float(np.round(now * rng.uniform(0.8, 1.3), 2))
    rules = g.Rules(
        min_margin=float(rng.choice([0.0, 0.2, 0.35])),
        max_step=float(rng.choice([0.05, 0.10, 0.3])),
        ending=str(rng.choice(["none", "99", "9", "x9"] if now > 15 else ["none", "99", "9"])),
        competitor_cap=float(rng.choice([0.0, 0.05])) if seed % 2 else None,
    )
    lo, hi, _ = g.bounds(now, cost, comp, rules)
    if lo > hi or (rules.ending != "none" and not g.ending_candidates(lo, hi, rules.ending)):
        pytest.skip("no allowed price in this draw")
    best = cost * e / (1 + e)
    got, _why = g.plan(best, now, e, cost, comp, rules)
    ref = brute(now, e, cost, comp, rules)
    # the unrounded optimum is within a cent of the best cent
    tol = 0.011 if rules.ending == "none" else 1e-9
    assert abs(got - ref) <= tol, (got, ref, lo, hi)
    assert lo - 1e-9 <= got <= hi + 1e-9


def test_conflicting_rules_keep_the_price():
    rules = g.Rules(min_margin=0.5, competitor_cap=0.0)
    price, why = g.plan(12.0, 10.0, -2.0, 8.0, 9.0, rules)  # margin needs >= 16, competitor <= 9
    assert price == 10.0 and "no price" in why.render()


def test_endings():
    assert g.ending_candidates(3.0, 6.0, "99") == [3.99, 4.99, 5.99]
    assert g.ending_candidates(3.0, 5.0, "9") == [3.9, 4.9]
    assert g.ending_candidates(10, 45, "x9") == [19.0, 29.0, 39.0]


@pytest.fixture(scope="module")
def demo_rules_result(orders):  # noqa: F811
    params = {"mode": "elasticity", "cost_column": "unit_cost", "max_step": 5, "price_ending": "99", "min_margin": 20}
    return ANALYSIS.execute(orders_dataset(orders), params)


def test_demo_prices_keep_the_rules(demo_rules_result, orders):  # noqa: F811
    prices = demo_rules_result.tables["prices"]
    ok = prices["suggested_price"].notna()
    assert ok.sum() >= 3
    p = prices[ok]
    step = (p["suggested_price"] / p["current_price"] - 1).abs()
    assert (step <= 0.05 + 1e-9).all()
    cents = np.round(p["suggested_price"] * 100).astype(int) % 100
    rules = g.Rules.from_params({"max_step": 5, "price_ending": "99", "min_margin": 20})
    fits = [
        bool(g.ending_candidates(*g.bounds(n, c, None, rules)[:2], "99"))
        for n, c in zip(p["current_price"], p["unit_cost"])
    ]
    assert any(fits)
    assert (cents[np.array(fits)] == 99).all()
    margin = 1 - p["unit_cost"] / p["suggested_price"]
    # where the margin needs a bigger step than 5%, the rules conflict and the price stays
    kept = np.isclose(p["suggested_price"], p["current_price"])
    assert ((margin >= 0.2 - 1e-9) | kept).all()
    assert all(pd.notna(a.money) for a in demo_rules_result.actions)


def test_the_headline_names_the_rule_that_held_the_price(orders):  # noqa: F811
    """With a 5% largest change per step the best gain stops at 5% below today's price: the
    headline says the rule held it (it used to say "the edge of the prices seen")."""
    from bizops_desktop.core.i18n import text

    ds = orders_dataset(orders.drop(columns=["unit_cost"]))
    free = ANALYSIS.execute(ds, {"mode": "elasticity", "unit_cost": 1.0})
    held = ANALYSIS.execute(ds, {"mode": "elasticity", "unit_cost": 1.0, "max_step": 5})
    assert "(the edge of the prices seen)" in text(free.headline)  # no rule: the range of prices seen
    head = text(held.headline)
    assert "(as far as the largest change per step allows)" in head and "edge of the prices" not in head
    name = head.split("Biggest gain: ")[1].split(" at ")[0]
    key = next((k for k, v in held.names.items() if v == name), name)
    s = held.extra["fits"][key]
    assert s["planned_rule"] == "step"
    assert s["planned_price"] == pytest.approx(math.ceil(s["current_price"] * 0.95 * 100 - 1e-6) / 100)
    assert "（每次最大调幅允许的极限）" in text(held.headline, "zh_CN")
    # the rule's key is kept in the stored fit, so a reopened project words it the same way
    assert (
        g.holding_rule(
            s["current_price"] * 0.5, s["planned_price"], s["current_price"], 1.0, None, g.Rules(max_step=0.05)
        )
        == "step"
    )
