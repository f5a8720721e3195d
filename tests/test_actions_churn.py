"""Churn risk's actions for this week and "how many to contact": the contact plan against a
brute-force search on small hand-made cases, the headline's figures against the scores table,
each action's money against its customer's at-stake cell, and the demo shops' planted drifters
(lost ones in the win-back group, still-fading ones first among the contacts)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bizops_churn import ANALYSIS
from bizops_churn.analysis import DEFAULT_SAVE_RATE, contact_plan
from bizops_desktop.core.actions import HORIZON_DAYS
from bizops_desktop.core.demo import load_demo, load_truth
from bizops_desktop.core.i18n import text


def test_contact_plan_is_the_best_set_by_brute_force():
    rng = np.random.default_rng(7)
    for _ in range(40):
        n = int(rng.integers(1, 9))
        stake = rng.uniform(0, 40, n)
        save, cost = float(rng.uniform(0.05, 0.6)), float(rng.uniform(0.5, 8))
        eligible = rng.random(n) < 0.8
        rows, at_stake, gain, costs = contact_plan(stake, save, cost, eligible)
        best = 0.0
        for k in range(n + 1):
            for sub in itertools.combinations(np.flatnonzero(eligible), k):
                best = max(best, float(sum(save * stake[i] - cost for i in sub)))
        assert gain == pytest.approx(best)
        assert at_stake == pytest.approx(stake[rows].sum()) and costs == pytest.approx(cost * len(rows))
        assert gain == pytest.approx(save * at_stake - costs)
        assert set(rows) <= set(np.flatnonzero(eligible))


def test_contact_plan_known_answer():
    # save 25%, cost 2: worth it above 8 of spend at stake: customers 0, 2 and 3
    rows, stake, gain, costs = contact_plan(np.array([40.0, 8.0, 12.0, 100.0, 1.0]), 0.25, 2.0)
    assert sorted(rows.tolist()) == [0, 2, 3]
    assert (stake, gain, costs) == (152.0, 0.25 * 152 - 6, 6.0)
    assert contact_plan(np.array([4.0, 1.0]), 0.25, 2.0)[0].size == 0  # nobody pays for a contact


def _orders(lang):
    return next(d for d in load_demo(lang=lang) if d.name == "orders")


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_demo_contact_and_win_back_actions(lang):
    res = ANALYSIS.execute(_orders(lang), {})
    scores = res.tables["scores"].set_index("customer_id")
    window = res.metrics["churn_days"]
    contacts = [a for a in res.actions if a.kind == "contact"]
    win_back = [a for a in res.actions if a.kind == "win_back"]
    assert 3 <= len(contacts) <= 5 and len(win_back) == 1
    for a in contacts:
        row = scores.loc[a.key["customer_id"]]
        assert a.table == "scores" and row["group"] == "active"
        assert row["churn_probability"] >= res.metrics["churn_rate"]
        # the money is the customer's at-stake cell (a churn window's spend) over 4 weeks
        assert a.money == pytest.approx(row["at_stake"] * HORIZON_DAYS / window)
        who = res.names.get(a.key["customer_id"], a.key["customer_id"])
        assert who in text(a.text, "en") and who in text(a.text, "zh_CN")
    # the contacts: the active customers more likely to leave than average, the most at stake first
    active = scores[scores["group"] == "active"]
    rising = active[active["churn_probability"] >= res.metrics["churn_rate"]]
    want = rising.sort_values("at_stake", ascending=False, kind="stable").index[: len(contacts)]
    assert [a.key["customer_id"] for a in contacts] == list(want)
    drifters = {d["customer_id"] for d in load_truth(lang)["churn"]["drifting_customers"]}
    # every drifter who stopped is in the lost group the win-back action is about
    lost = scores[scores["group"] == "lost"]
    stopped = [c for c in drifters if scores.loc[c, "days_since_last_order"] > window]
    assert stopped and set(stopped) <= set(lost.index)
    (w,) = win_back
    assert w.key == {"group": "lost"}
    assert text(w.text, "en") == f"Send a win-back offer to {len(lost)} lost customers"
    assert w.money == pytest.approx(lost["at_stake"].sum() * HORIZON_DAYS / window)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_demo_how_many_to_contact(lang):
    cost = 0.5 if lang == "en" else 3.5
    res = ANALYSIS.execute(_orders(lang), {"contact_cost": cost})
    m, scores = res.metrics, res.tables["scores"]
    assert m["save_rate"] == DEFAULT_SAVE_RATE
    active = scores[scores["group"] == "active"]
    worth = active[DEFAULT_SAVE_RATE * active["at_stake"] > cost]
    assert m["contacts"] == len(worth) > 0
    assert m["contacts_at_stake"] == pytest.approx(worth["at_stake"].sum())
    assert m["contacts_expected_return"] == pytest.approx(
        DEFAULT_SAVE_RATE * worth["at_stake"].sum() - cost * len(worth)
    )
    assert m["contacts_expected_return"] > 0
    en = text(res.headline, "en")
    assert en.startswith(f"Contact the {len(worth)} customers most at risk: ")
    assert "expected return" in en and "after" in en
    zh = text(res.headline, "zh_CN")
    assert str(len(worth)) in zh and "联系" in zh
    # the contact actions are among those worth contacting
    contacts = [a for a in res.actions if a.kind == "contact"]
    assert contacts and {a.key["customer_id"] for a in contacts} <= set(worth["customer_id"])
    # a contact too dear for anyone: nobody to contact, said so
    res = ANALYSIS.execute(_orders(lang), {"contact_cost": 1e6})
    assert res.metrics["contacts"] == 0
    assert text(res.headline, "en").startswith("No active customer is worth contacting")
    assert not [a for a in res.actions if a.kind == "contact"]


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_planted_fading_customers_lead_the_contacts(lang):
    res = ANALYSIS.execute(_orders(lang), {})
    fading = {f["customer_id"] for f in load_truth(lang)["churn"].get("fading_customers", [])}
    contacts = [a.key["customer_id"] for a in res.actions if a.kind == "contact"]
    assert fading and contacts and contacts[0] in fading
    assert sum(c in fading for c in contacts) >= 2
