"""Markdown planner: the dynamic programme's value equals a brute force over every policy (every
price for every week and every stock left) on small cases, a case solved by hand, and on a
planted product it sells the stock out near the deadline in simulation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from bizops_pricing import markdown as md


def policy_value(decide, prices, lam, stock, salvage, cost, markdown_only):
    """Exact expected value of a policy decide(t, s, last) -> j, by enumerating every demand
    outcome (no truncation: D >= s lumped, which min(D, s) makes exact)."""
    T = lam.shape[0]

    def v(t, s, last):
        if t == T:
            return salvage * s
        j = decide(t, s, last)
        if markdown_only and j < last:
            return -math.inf
        total = 0.0
        for k in range(s + 1):
            pk = stats.poisson.pmf(k, lam[t, j]) if k < s else stats.poisson.sf(s - 1, lam[t, j])
            total += pk * ((prices[j] - cost) * k + v(t + 1, s - k, j))
        return total

    return v(0, stock, 0)


def brute_force(prices, lam, stock, salvage=0.0, cost=0.0, markdown_only=True):
    """The best of all deterministic policies: a price for every (week, units left, last price)
    state that can occur; enumerated outright."""
    T, J = lam.shape
    states = [(t, s, last) for t in range(T) for s in range(stock + 1) for last in range(J)]
    states = [st for st in states if st[0] > 0 or (st[1] == stock and st[2] == 0)]
    best = -math.inf
    for choice in itertools.product(range(J), repeat=len(states)):
        table = dict(zip(states, choice))
        val = policy_value(
            lambda t, s, last, table=table: table[(t, s, last)], prices, lam, stock, salvage, cost, markdown_only
        )
        best = max(best, val)
    return best


@pytest.mark.parametrize(
    "prices,lam,stock,salvage,markdown_only",
    [
        ([10.0, 7.0], [[0.8, 1.6], [0.5, 1.2]], 2, 0.0, True),
        ([10.0, 7.0], [[0.8, 1.6], [0.5, 1.2]], 2, 0.0, False),
        ([9.0, 6.0], [[1.5, 2.5], [0.3, 0.9]], 2, 1.0, True),
        ([12.0, 8.0], [[0.4, 1.1], [1.0, 2.0]], 1, 2.0, False),
    ],
)
def test_dp_equals_brute_force_over_all_policies(prices, lam, stock, salvage, markdown_only):
    lam = np.array(lam)
    got = md.plan(prices, lam, stock, salvage=salvage, markdown_only=markdown_only)
    assert got.value == pytest.approx(brute_force(prices, lam, stock, salvage, 0.0, markdown_only), abs=1e-9)
    # and the policy it returns is worth what it says
    dp_policy = lambda t, s, last: int(got.policy[t, s, last])  # noqa: E731
    assert policy_value(dp_policy, prices, lam, stock, salvage, 0.0, markdown_only) == pytest.approx(
        got.value, abs=1e-9
    )


def test_three_prices_three_weeks_against_brute_force_of_sequences_with_enough_stock():
    # with stock that cannot run out, the best plan sells each week at its best revenue price:
    # the best fixed sequence, found by trying all 27
    prices = np.array([10.0, 8.0, 5.0])
    lam = np.array([[1.0, 1.5, 3.0], [1.0, 1.1, 1.4], [0.5, 1.0, 2.5]])
    stock = 60
    got = md.plan(prices, lam, stock, markdown_only=False)
    best_seq = max(
        sum(prices[j] * lam[t, j] for t, j in enumerate(seq)) for seq in itertools.product(range(3), repeat=3)
    )
    assert got.value == pytest.approx(best_seq, rel=1e-9)


def test_hand_solved_single_unit():
    # one unit, one week: sell at p_j with chance 1 - exp(-lambda_j); best of 10 x (1 - e^-1) and 6 x (1 - e^-3)
    got = md.plan([10.0, 6.0], [[1.0, 3.0]], 1)
    assert got.value == pytest.approx(max(10 * (1 - math.exp(-1)), 6 * (1 - math.exp(-3))))
    assert got.weeks[0]["price"] == 10.0  # 6.32 against 5.70


def test_forward_pass_matches_simulation():
    prices = md.ladder_prices(20.0, [0, 10, 20, 30, 50])
    rates = md.demand_rates(8.0, 20.0, -2.5, prices, weeks=8)
    got = md.plan(prices, rates, 60)
    sim = md.simulate(got.policy, prices, rates, 60, runs=4000, seed=1)
    assert sim["left"] == pytest.approx(got.expected_left, abs=0.3)
    assert sim["revenue"] == pytest.approx(got.value, rel=0.02)


def test_planted_product_sells_out_near_the_deadline():
    # a winter line: 120 units left, 10 weeks to go, 9 a week at full price, elasticity -2.8,
    # demand fading as the season ends; nothing is worth keeping after the deadline
    now = 49.0
    season = np.linspace(1.0, 0.6, 10)
    prices = md.ladder_prices(now, [0, 10, 20, 30, 40, 50])
    rates = md.demand_rates(9.0, now, -2.8, prices, season=season, weeks=10)
    got = md.plan(prices, rates, 120)
    sim = md.simulate(got.policy, prices, rates, 120, runs=3000, seed=2)
    assert sim["left"] < 0.05 * 120  # sells (nearly) everything
    assert sim["sold_out_week"] >= 8  # ... and not long before the deadline
    full_price_only = md.simulate(np.zeros_like(got.policy), prices, rates, 120, runs=3000, seed=2)
    assert full_price_only["left"] > 30  # full price all the way would leave plenty
    assert sim["revenue"] > full_price_only["revenue"]
    steps = [w["price"] for w in got.weeks]
    assert steps == sorted(steps, reverse=True)  # markdown only: the price never goes back up
