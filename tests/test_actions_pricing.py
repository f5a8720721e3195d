"""Pricing's actions for this week: on the demo shops (English and Chinese, per-product costs
from truth.json) the suggested price changes move each product's price the way its planted demand
curve says earns more, their money is the Prices table's profit change over 4 weeks, and a product
whose price never changed (or without a cost) gets no price action."""

from __future__ import annotations

import numpy as np
import pytest

from bizops_desktop.core.actions import HORIZON_DAYS
from bizops_desktop.core.demo import load_demo, load_truth
from bizops_desktop.core.i18n import text
from bizops_pricing import ANALYSIS


def _orders(lang, costs=True):
    o = next(d for d in load_demo(lang=lang) if d.name == "orders")
    if costs:
        t = load_truth(lang)["demand"]["products"]
        o.frame["cost"] = o.frame[o.col("product_id")].astype(str).map({k: v["unit_cost"] for k, v in t.items()})
    return o


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_price_actions_follow_the_planted_demand(lang):
    truth = load_truth(lang)["demand"]["products"]
    res = ANALYSIS.execute(_orders(lang), {"mode": "elasticity", "cost_column": "cost"})
    prices = res.tables["prices"].set_index("product")
    acts = res.actions
    assert 3 <= len(acts) <= 5 and {a.kind for a in acts} == {"price"}
    assert [a.money for a in acts] == sorted((a.money for a in acts), reverse=True)
    for a in acts:
        pid = a.key["product"]
        row, plan = prices.loc[pid], truth[pid]
        assert a.table == "prices"
        # money: the table's profit change per week, over the next 4 weeks
        assert a.money == pytest.approx(row["profit_change"] * HORIZON_DAYS / 7)
        assert row["profit_change_low"] > 0  # fairly sure
        now, new = row["current_price"], row["suggested_price"]
        assert abs(new / now - 1) >= 0.01
        # the planted truth: inelastic demand (|e| < 1) earns more at a higher price; elastic
        # demand moves toward its planted profit-maximising price
        if plan["elasticity"] > -1:
            assert new > now
        else:
            assert np.sign(new - now) == np.sign(plan["optimal_price"] - now)
            assert abs(new - plan["optimal_price"]) < abs(now - plan["optimal_price"])
        words = text(a.text, "en")
        assert words.startswith("Raise the price of " if new > now else "Lower the price of ")
        assert res.names.get(pid, pid) in words and res.names.get(pid, pid) in text(a.text, "zh_CN")
        assert "价" in text(a.text, "zh_CN")


def test_no_price_action_without_price_changes_or_costs():
    o = _orders("en")
    f = o.frame = o.frame.copy()  # an imported table is read-only (Arrow's buffers): edit a copy
    fixed = f["product_id"] == "P15"  # the best gain above, its price now held still
    f.loc[fixed, "unit_price"] = 5.39
    f.loc[fixed, "amount"] = f.loc[fixed, "quantity"] * 5.39
    res = ANALYSIS.execute(o, {"mode": "elasticity", "cost_column": "cost"})
    assert res.actions and "P15" not in {a.key["product"] for a in res.actions}
    assert np.isnan(res.tables["prices"].set_index("product").loc["P15", "suggested_price"])
    # without a cost nothing can be sure about profit: no price to change
    assert ANALYSIS.execute(_orders("en", costs=False), {"mode": "elasticity"}).actions == []
