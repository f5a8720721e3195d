"""Stock planning formulas against published worked examples and reference libraries."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bizops_stock import demand as dm
from bizops_stock import policy as pol


def test_eoq_chopra_meindl_best_buy():
    """Chopra & Meindl, Supply Chain Management (Example "lot sizing for a single product", Best
    Buy computers): 1,000 units a month, $4,000 per order, $500 a unit, 20% a year to hold:
    EOQ = 980 units, about 12.2 orders a year."""
    q = pol.eoq(12_000, 4_000, 0.2 * 500)
    assert round(q) == 980
    assert 12_000 / q == pytest.approx(12.2, abs=0.05)


def test_safety_stock_normal_chopra_meindl():
    """Chopra & Meindl (Example "evaluating safety inventory given CSL"): weekly demand
    N(2,500, 500), a lead time of 2 weeks, CSL 90%: safety stock 906, reorder point 5,906. And with
    an uncertain lead time (Example "impact of lead time uncertainty"): daily demand N(2,500,
    500), lead time 7 days with sd 7 days, CSL 90%: sigma_L = 17,550, safety stock 22,491."""
    ss = pol.safety_stock_normal(0.90, 2_500, 500, 2)
    assert round(ss) == 906 and round(2 * 2_500 + ss) == 5_906
    ss2 = pol.safety_stock_normal(0.90, 2_500, 500, 7, 7)
    assert round(ss2) == pytest.approx(22_491, abs=2)


def test_newsvendor_cachon_terwiesch_oneill():
    """Cachon & Terwiesch, Matching Supply with Demand (O'Neill's Hammer 3/2 wetsuit): demand
    N(3,192, 1,181), price $180, cost $110, salvage $90: critical ratio 70/90 = 0.7778 and the
    order quantity 4,101 (the book reads z = 0.77 from its table; the exact z = 0.765 gives 4,095)."""
    assert pol.critical_ratio(180, 110, 90) == pytest.approx(70 / 90)
    q = pol.newsvendor_normal(3_192, 1_181, 180, 110, 90)
    assert q == pytest.approx(4_101, abs=7)
    # the empirical newsvendor on a large sample from the same distribution agrees
    sample = np.random.default_rng(3).normal(3_192, 1_181, 200_000)
    assert pol.newsvendor_empirical(sample, 180, 110, 90) == pytest.approx(q, rel=0.005)


def test_empirical_lead_time_demand_matches_scipy_poisson():
    """Safety stock from past forecast errors: lead-time demand Poisson(20), forecast 20; the 95%
    quantile of the empirical lead-time demand is scipy's Poisson quantile (28), so the safety stock
    is 8 units."""
    from scipy.stats import poisson

    errors = np.random.default_rng(5).poisson(20, 100_000) - 20.0
    assert dm.ltd_quantile(20, errors, 0.95) == poisson.ppf(0.95, 20) == 28
    assert pol.safety_stock_empirical(20, errors, 0.95) == 8
    assert dm.prob_exceeds(20, errors, 28) == pytest.approx(poisson.sf(28, 20), abs=0.005)


def test_order_rounding():
    assert pol.round_order(13, pack=6, moq=10) == 18
    assert pol.round_order(3, pack=6, moq=10) == 12
    assert pol.round_order(3.2) == 4
    assert pol.round_order(0, pack=6, moq=10) == 0


def test_croston_family_worked_example():
    """A worked example by hand (alpha 0.1, levels starting at the first value, as statsforecast
    does): demand 0,3,0,0,6,0,2 has sizes 3,6,2 and intervals 2,3,2. Smoothed size 3 -> 3.3 -> 3.17,
    smoothed interval 2 -> 2.1 -> 2.09: Croston 3.17/2.09 = 1.51675; SBA 0.95 x that = 1.44091.
    TSB: the sale indicator 0,1,0,0,1,0,1 smooths to 0.240049, times 3.17 = 0.760955."""
    y = np.array([0, 3, 0, 0, 6, 0, 2], float)
    assert dm.croston(y) == pytest.approx(3.17 / 2.09)
    assert dm.sba(y) == pytest.approx(0.95 * 3.17 / 2.09)
    assert dm.tsb(y, 0.1, 0.1) == pytest.approx(0.240049 * 3.17)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_croston_family_matches_statsforecast(seed):
    """The same series through statsforecast's CrostonClassic, CrostonOptimized, CrostonSBA, TSB."""
    sf = pytest.importorskip("statsforecast.models")
    rng = np.random.default_rng(seed)
    y = (rng.random(300) < 0.25) * rng.poisson(3, 300).astype(float)
    y[5] = 2.0  # at least one sale early

    def ref(model):
        return float(model.forecast(y=y, h=1)["mean"][0])

    assert dm.croston(y) == pytest.approx(ref(sf.CrostonClassic()), rel=1e-9)
    assert dm.sba(y) == pytest.approx(ref(sf.CrostonSBA()), rel=1e-9)
    assert dm.tsb(y, 0.2, 0.05) == pytest.approx(ref(sf.TSB(alpha_d=0.2, alpha_p=0.05)), rel=1e-9)
    # statsforecast optimises alpha in [0.1, 0.3] with L-BFGS-B, we with a bounded scalar search
    assert dm.croston(y, optimised=True) == pytest.approx(ref(sf.CrostonOptimized()), rel=1e-3)


def test_demand_classes_sbc_cutoffs():
    """Syntetos-Boylan-Croston: ADI 1.32 and CV² 0.49 cut-offs."""
    rng = np.random.default_rng(0)
    smooth = rng.poisson(20, 400).astype(float)
    erratic = rng.choice([1.0, 40.0], 400)
    intermittent = np.where(np.arange(400) % 3 == 0, 5.0, 0.0)
    lumpy = np.where(np.arange(400) % 3 == 0, rng.choice([1.0, 30.0], 400), 0.0)
    assert dm.classify(smooth)[0] == "smooth"
    assert dm.classify(erratic)[0] == "erratic"
    cls, adi, cv2 = dm.classify(intermittent)
    assert cls == "intermittent" and adi == pytest.approx(400 / 134) and cv2 == 0
    assert dm.classify(lumpy)[0] == "lumpy"


def test_stockout_runs_are_not_zero_demand():
    """A steady seller with a planted 12-day run of zeros (out of stock): those days are flagged,
    the ordinary quiet days are not; an intermittent seller's long gaps are never flagged."""
    y = np.random.default_rng(2).poisson(4, 300).astype(float)
    y[100:112] = 0
    flags = dm.stockout_days(y)
    assert flags[100:112].all()
    # beyond the run only the seller's own zero days that touch it (the run is one stretch of zeros)
    a, b = 100, 112
    while a > 0 and y[a - 1] == 0:
        a -= 1
    while b < len(y) and y[b] == 0:
        b += 1
    assert np.flatnonzero(flags).tolist() == list(range(a, b))
    sparse = np.where(np.arange(300) % 9 == 0, 3.0, 0.0)
    assert not dm.stockout_days(sparse).any()


def test_replay_meets_target_on_poisson_demand():
    """Planted truth: stationary Poisson(6) daily demand, lead time 7, weekly review: the replayed
    policy's cycle service level lands near the 95% target and the fill rate above it."""
    y = np.random.default_rng(11).poisson(6, 1500).astype(float)
    r = pol.replay(y, lead_time=7, review=7, csl=0.95, start=200)
    assert r.cycles > 100
    assert abs(r.cycle_service_level - 0.95) <= 0.03
    assert r.fill_rate > 0.97
    assert math.isfinite(r.avg_stock) and r.avg_stock > 0
