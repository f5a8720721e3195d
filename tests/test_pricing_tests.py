"""Price-test planner: the sample size matches statsmodels' power functions, the reading of a
finished test recovers a planted effect, and Thompson sampling favours the most profitable price."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.power import TTestIndPower

from bizops_pricing import pricetest as pt


@pytest.mark.parametrize("effect", [0.2, 0.35, 0.5, 0.8, 1.3])
@pytest.mark.parametrize("alpha,target", [(0.05, 0.8), (0.1, 0.9), (0.01, 0.8)])
def test_sample_size_matches_statsmodels(effect, alpha, target):
    ref = TTestIndPower().solve_power(effect_size=effect, alpha=alpha, power=target, ratio=1.0)
    got = pt.sample_size(effect, alpha, target)
    assert got == pytest.approx(ref, rel=1e-6)
    assert pt.power(effect, got, alpha) == pytest.approx(
        TTestIndPower().power(effect_size=effect, nobs1=got, alpha=alpha, ratio=1.0), abs=1e-9
    )


def test_weeks_to_tell_ten_percent():
    # 40 units a week with a weekly sd of 8: a 10% change is d = 0.5
    weeks, d = pt.weeks_needed(40, 8, 0.10)
    assert d == pytest.approx(0.5)
    assert weeks == math.ceil(TTestIndPower().solve_power(effect_size=0.5, alpha=0.05, power=0.8))
    sched = pt.schedule(int(weeks), [10.0, 11.0])
    assert len(sched) == 2 * weeks and [s["price"] for s in sched[:4]] == [10.0, 11.0, 10.0, 11.0]


def test_reading_recovers_a_planted_elasticity():
    rng = np.random.default_rng(5)
    e, pa, pb, base = -2.0, 10.0, 11.0, 200.0
    a = rng.poisson(base, 40)
    b = rng.poisson(base * (pb / pa) ** e, 40)
    r = pt.read(a, b, pa, pb)
    assert r["clear"] and r["p_value"] < 0.001
    assert r["elasticity"] == pytest.approx(e, abs=0.25)


def test_thompson_prefers_the_best_price():
    prices = [8.0, 10.0, 12.0]
    # 12 weeks at each: 60/week at 8, 50 at 10, 30 at 12; cost 5: profits 180, 250, 210 a week
    chances = pt.thompson(prices, [720, 600, 360], [12, 12, 12], unit_cost=5.0)
    assert max(range(3), key=lambda i: chances[i]) == 1 and chances[1] > 0.95


def _planted_weeks(prices, weeks_each, base, e, now, seed=11):
    """Order lines of one product, one line a week, the prices set in turn (the last at ``now``):
    Poisson weekly units on a constant-elasticity demand curve."""
    import pandas as pd

    from bizops_desktop.core.dataset import Dataset

    rng = np.random.default_rng(seed)
    rows = []
    order = [p for p in prices if p != now] + [now]
    for w in range(weeks_each * len(prices)):
        p = order[w % len(order)]
        rows.append(
            {
                "date": pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=w, days=2),
                "product_id": "A",
                "unit_price": p,
                "quantity": int(rng.poisson(base * (p / now) ** e)),
            }
        )
    f = pd.DataFrame(rows)
    return Dataset(
        "planted",
        f[f["quantity"] > 0],
        roles={"date": "date", "product_id": "product_id", "price": "unit_price", "quantity": "quantity"},
    )


def test_thompson_schedule_in_the_tab_finds_the_planted_best_price():
    from bizops_desktop.core.i18n import text
    from bizops_pricing import ANALYSIS

    # elasticity -5, cost 8: profit per week is highest at 10 (the constant-elasticity optimum
    # 8 x 5 / 4), 7% above 11 and 18% above 9; eight weeks at each in the last half year
    now, cost, e, base = 10.0, 8.0, -5.0, 400.0
    ds = _planted_weeks([9.0, 10.0, 11.0], 8, base, e, now)
    planted = {p: (p - cost) * base * (p / now) ** e for p in (9.0, 10.0, 11.0)}
    best = max(planted, key=planted.__getitem__)
    r = ANALYSIS.execute(ds, {"mode": "price_test", "bandit": True, "bandit_weeks": 6, "unit_cost": cost})
    t = r.tables["bandit"].set_index("price")
    assert list(t.index) == [9.0, 10.0, 11.0]
    assert t["chance_best"].idxmax() == best and t.loc[best, "chance_best"] > 0.8
    assert t["chance_best"].sum() == pytest.approx(1.0)
    assert list(t["weeks_seen"]) == [8, 8, 8]
    # the next weeks: mostly the best price, each week by one posterior draw
    plan = r.tables["test_plan"]
    assert len(plan) == 6 and (plan["price"] == best).sum() >= 4
    assert t["weeks_planned"].sum() == 6
    assert "$10.00 is the most likely to earn the most" in text(r.headline)
    # a price never tried gets one pseudo-week earning today's profit: about an even chance against
    # today's price (not the certainty a flat prior on no weeks gives), and none for the worse 11
    r2 = ANALYSIS.execute(
        _planted_weeks([10.0, 11.0], 10, base, e, now),
        {"mode": "price_test", "bandit": True, "unit_cost": cost},
    )
    t2 = r2.tables["bandit"].set_index("price")
    assert t2.loc[9.0, "weeks_seen"] == 0 and 0.2 < t2.loc[9.0, "chance_best"] < 0.8
    assert t2.loc[11.0, "chance_best"] < 0.05
