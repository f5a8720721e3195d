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
