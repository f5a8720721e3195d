"""Basket rules' actions for this week: the planted pairs of the demo shops (English and
Chinese) come out as "offer as a bundle", by name, and each action's money follows from its
row of the pairs table and the stated take-up assumption."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from bizops_basket import ANALYSIS
from bizops_basket.analysis import BUNDLE_TAKE_UP, history_days, item_prices
from bizops_desktop.core.actions import HORIZON_DAYS
from bizops_desktop.core.demo import load_demo, load_truth
from bizops_desktop.core.i18n import text


def _orders(lang):
    return next(d for d in load_demo(lang=lang) if d.name == "orders")


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_planted_pairs_are_the_bundles_to_offer(lang):
    truth = load_truth(lang)["pairs"]["items"]
    ds = _orders(lang)
    res = ANALYSIS.execute(ds, {})
    acts = res.actions
    assert 3 <= len(acts) <= 5
    assert {a.kind for a in acts} == {"bundle"}
    planted = {frozenset((p["antecedent"], p["consequent"])): p for p in truth}
    pairs = res.tables["pairs"]
    got = set()
    for a in acts:
        assert a.table == "pairs"
        ids = json.loads(a.key["a"]) + json.loads(a.key["b"])
        got.add(frozenset(ids))
        p = planted[frozenset(ids)]
        # by name, in the reader's language, imperative
        for reader in ("en", "zh_CN"):
            words = text(a.text, reader)
            assert all(n in words for n in p["names"]), words
        assert text(a.text, "en").startswith("Offer ")
        # the money, recomputed from the row the action points at and the raw orders
        row = pairs[
            [
                list(x) == json.loads(a.key["a"]) and list(y) == json.loads(a.key["b"])
                for x, y in zip(pairs["a"], pairs["b"])
            ]
        ]
        assert len(row) == 1
        row = row.iloc[0]
        assert row["count"] == p["orders_with_both"]
        f = ds.frame
        cols = ds.roles
        pid = f[cols["product_id"][0]].astype(str)
        price = {x: f.loc[pid == x, cols["amount"][0]].sum() / f.loc[pid == x, cols["quantity"][0]].sum() for x in ids}
        dates = pd.to_datetime(f[cols["date"][0]])
        days = (dates.max().normalize() - dates.min().normalize()).days + 1
        n_a = p["orders_with_antecedent"] if list(row["a"]) == [p["antecedent"]] else p["orders_with_consequent"]
        n_b = p["orders_with_antecedent"] + p["orders_with_consequent"] - n_a
        both = p["orders_with_both"]
        (ia,), (ib,) = row["a"], row["b"]
        want = BUNDLE_TAKE_UP * ((n_a - both) * price[ib] + (n_b - both) * price[ia]) * HORIZON_DAYS / days
        assert a.money == pytest.approx(want, rel=1e-9)
        assert a.money > 0
        assert history_days(ds) == days and item_prices(ds)[ia] == pytest.approx(price[ia])
    assert got == set(planted)  # the four planted pairs, each once


def test_without_prices_or_dates_the_bundle_has_no_sum():
    lines = []
    for k in range(60):
        lines += [(f"O{k}", "A"), (f"O{k}", "B")] if k % 2 == 0 else [(f"O{k}", "C"), (f"O{k}", "D")]
    from bizops_desktop.core.dataset import Dataset

    ds = Dataset(
        "o", pd.DataFrame(lines, columns=["order", "product"]), roles={"order_id": "order", "product_id": "product"}
    )
    res = ANALYSIS.execute(ds, {})
    assert {frozenset(json.loads(a.key["a"]) + json.loads(a.key["b"])) for a in res.actions} == {
        frozenset("AB"),
        frozenset("CD"),
    }
    assert all(a.money is None for a in res.actions)
