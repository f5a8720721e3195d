"""The demo shops' planted campaign (bizops_desktop/core/demo_campaign.py, campaign_orders.csv):
the evaluation recovers the coupon campaign's known lift against its holdout and the shop-wide
promotion's known effect within their intervals, and the customer groups recover the four
planted customer types."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from bizops_desktop.core.demo import load_demo, load_truth
from bizops_desktop.core.i18n import text
from bizops_segments import ANALYSIS
from bizops_segments import campaign as camp


@pytest.fixture(scope="module", params=["en", "zh_CN"])
def evaluated(request):
    lang = request.param
    ds = next(d for d in load_demo(lang=lang) if d.name == "campaign_orders")
    t = load_truth(lang)["campaign"]
    c, p = t["campaign"], t["promotion"]
    params = {
        "campaign_start": c["start"],
        "campaign_days": c["days"],
        "contact_cost": c["contact_cost"],
        "promotion_start": p["start"],
        "promotion_days": p["days"],
    }
    return ANALYSIS.execute(ds, params), t, lang


def test_campaign_lift_is_recovered_within_its_interval(evaluated):
    r, t, _lang = evaluated
    c, m = t["campaign"], r.metrics["campaign"]
    assert (m["contacted"], m["holdout"]) == (c["contacted"], c["holdout"])  # the group column was found
    s = m["spend_per_customer"]
    assert s["low"] < c["expected_extra_spend_per_contacted"] < s["high"]
    assert s["low"] > 0  # and it is told apart from no effect
    lift = m["conversion_lift"]
    assert lift["low"] < c["expected_conversion_lift"] < lift["high"]
    did = m["diff_in_diff_weekly"]
    assert did["low"] < c["expected_extra_spend_per_contacted"] / (c["days"] / 7) < did["high"]
    e = m["extra_spend"]
    assert e["low"] < c["expected_extra_spend_total"] < e["high"]
    assert m["cost"] == pytest.approx(c["contact_cost"] * c["contacted"])
    assert "extra spend" in text(r.headline, "en") and "contacted customers" in text(r.headline, "en")
    assert r.actions[0].table == "campaign" and r.actions[0].money > 0


def test_promotion_effect_is_recovered_within_its_interval(evaluated):
    r, t, _lang = evaluated
    p, m = t["promotion"], r.metrics["promotion"]["effect"]
    assert m["low"] < p["expected_extra_sales"] < m["high"]
    assert m["low"] > 0
    assert "plot" not in r.tables and "promotion" in r.plots


def test_groups_recover_the_planted_customer_types(evaluated):
    r, t, _lang = evaluated
    cu = r.tables["customers"]
    planted = cu["customer_id"].map(t["customer_types"])
    ari = adjusted_rand_score(planted, cu["cluster"])
    # Bound: the four types differ by design (purchase rate 1/7, 1/20, 1/60 a day, or a single
    # purchase; mean spend 15, 40, 120, 30), but a rare-big buyer who happened to buy once in the
    # year looks like a one-off buyer (e^{-6} of them, ~1%), and a few regular/rare ones overlap on
    # orders: 0.9 allows about 5% of the customers in the wrong group. Measured: 0.99.
    assert ari > 0.9
    assert r.metrics["clusters"] in (4, 5)  # BIC: 4 in the English shop, 5 in the Chinese one (a split type)


def test_power_and_holdout_size_agree():
    # with the holdout the power function says is enough, the power reaches the target
    n0 = camp.holdout_for_power(2000, 0.10, 0.05, power=0.8)
    assert n0 is not None
    assert camp.power_two_proportions(0.10, 0.05, 2000 - n0, n0) >= 0.8
    assert camp.power_two_proportions(0.10, 0.05, 2000 - n0 + 1, n0 - 1) < 0.8
    # the textbook case: 10% -> 15% with 686 per group has 80% power (Fleiss, normal approximation)
    assert camp.power_two_proportions(0.10, 0.05, 686, 686) == pytest.approx(0.80, abs=0.01)


def test_a_list_with_a_holdout_is_the_same_list_again(evaluated):
    ds = next(d for d in load_demo() if d.name == "campaign_orders")
    p = {"list_segments": ["champions", "loyal"], "holdout_share": 0.25, "clusters": False, "seed": 7}
    a = ANALYSIS.execute(ds, p).tables["campaign_list"]
    b = ANALYSIS.execute(ds, p).tables["campaign_list"]
    assert a.equals(b)
    assert (a["group"] == "holdout").mean() == pytest.approx(0.25, abs=0.01)
    assert np.isin(a["segment"], ["champions", "loyal"]).all()
