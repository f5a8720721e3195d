"""Basket rules answer first: one row per set of products bought together (not A→B and B→A),
both directions' confidence and the sentence beside the numbers, and a list of suggested bundles;
checked against the pairs planted in the English and the Chinese demo shop."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from bizops_basket import ANALYSIS
from bizops_basket.analysis import BUNDLE_MIN_LIFT, BUNDLE_MIN_ORDERS, PAIR_COLUMNS
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.demo import load_demo, load_truth
from bizops_desktop.core.display import title
from bizops_desktop.core.i18n import text, use_language

CJK = re.compile(r"[\u4e00-\u9fff]")
# wide thresholds (many chance pairs beside the planted ones) and the tab's defaults
PARAMS = [{"min_support": 0.003, "min_confidence": 0.02, "min_lift": 0.0}, {}]


def _orders(lang):
    return next(d for d in load_demo(lang=lang) if d.name == "orders")


@pytest.mark.parametrize("params", PARAMS, ids=["wide", "defaults"])
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_each_planted_pair_once_with_both_directions_and_as_a_bundle(lang, params):
    truth = load_truth(lang)["pairs"]["items"]
    res = ANALYSIS.execute(_orders(lang), params)
    pairs, bundles, rules = res.tables["pairs"], res.tables["bundles"], res.tables["rules"]
    assert list(pairs.columns) == PAIR_COLUMNS
    sets = [frozenset(a) | frozenset(b) for a, b in zip(pairs["a"], pairs["b"])]
    assert len(set(sets)) == len(sets)  # no set of products twice
    # every set that made a rule is a row; the rules list each pair twice
    assert set(sets) == {frozenset(a) | frozenset(c) for a, c in zip(rules["antecedents"], rules["consequents"])}
    assert pairs["lift"].is_monotonic_decreasing
    for p in truth:
        at = [k for k, s in enumerate(sets) if s == {p["antecedent"], p["consequent"]}]
        assert len(at) == 1, p
        row = pairs.iloc[at[0]]
        forward = list(row["a"]) == [p["antecedent"]]
        assert forward or list(row["a"]) == [p["consequent"]]
        ab, ba = (p["confidence"], p["confidence_reverse"]) if forward else (p["confidence_reverse"], p["confidence"])
        assert row["confidence_ab"] == pytest.approx(ab, abs=1e-6)
        assert row["confidence_ba"] == pytest.approx(ba, abs=1e-6)
        assert row["lift"] == pytest.approx(p["lift"], abs=1e-6)
        assert row["support"] == pytest.approx(p["support"], abs=1e-6)
        assert row["count"] == p["orders_with_both"]
        assert set(row["a_names"]) | set(row["b_names"]) == set(p["names"])
        # the sentence reads both directions, in the reader's language
        for reader in ("en", "zh_CN"):
            words = text(row["sentence"], reader)
            assert f"{row['confidence_ab']:.0%}" in words and f"{row['confidence_ba']:.0%}" in words
            assert all(n in words for n in p["names"])
        assert text(row["sentence"], "en").startswith("Customers who buy ")
        assert CJK.search(text(row["sentence"], "zh_CN").replace(p["names"][0], "").replace(p["names"][1], ""))
    # the planted pairs are the suggested bundles (nothing else in the demo goes together)
    got = {frozenset(i) for i in bundles["items"]}
    assert got == {frozenset({p["antecedent"], p["consequent"]}) for p in truth}
    assert (bundles["count"] >= BUNDLE_MIN_ORDERS).all() and (bundles["lift"] >= BUNDLE_MIN_LIFT).all()
    assert bundles["lift"].is_monotonic_decreasing and (bundles["size"] == 2).all()
    for names, reason, n in zip(bundles["names"], bundles["reason"], bundles["count"]):
        assert f"{n:,} orders had them together" in text(reason, "en")
        assert all(x in text(reason, "zh_CN") for x in names)
    assert res.metrics["pairs"] == len(pairs) and res.metrics["bundles"] == len(bundles) == 4
    # the bundle threshold is said in a note; the headline is still the strongest link
    assert any(f"at least {BUNDLE_MIN_ORDERS} orders" in text(n, "en") for n in res.notes)
    strongest = max(truth, key=lambda p: p["lift"])
    assert all(n in text(res.headline, "en") for n in strongest["names"])
    # titles for every column, in Chinese for the reader
    for name in ("pairs", "bundles"):
        assert set(res.tables[name].columns) <= set(res.columns[name])
        with use_language("zh_CN"):
            for c, spec in res.columns[name].items():
                assert spec.kind == "hidden" or CJK.search(title(c, spec)), (name, c)


def test_a_set_of_three_is_one_row_with_its_strongest_rule():
    # Tan, Steinbach & Kumar, table 6.1
    rows = pd.Series(
        [
            "Bread,Milk",
            "Bread,Diapers,Beer,Eggs",
            "Milk,Diapers,Beer,Cola",
            "Bread,Milk,Diapers,Beer",
            "Bread,Milk,Diapers,Cola",
        ],
        name="basket",
    )
    res = ANALYSIS.execute(
        Dataset("tbl", rows.to_frame()), {"min_support": 0.4, "min_confidence": 0.5, "min_lift": 0.0}
    )
    pairs, rules = res.tables["pairs"], res.tables["rules"]
    key = frozenset({"Milk", "Diapers", "Beer"})
    row = pairs[[frozenset(a) | frozenset(b) == key for a, b in zip(pairs["a"], pairs["b"])]]
    assert len(row) == 1
    row = row.iloc[0]
    same = rules[[frozenset(a) | frozenset(c) == key for a, c in zip(rules["antecedents"], rules["consequents"])]]
    lead = same.iloc[0]  # rules come strongest first
    assert list(row["a"]) == list(lead["antecedents"]) and list(row["b"]) == list(lead["consequents"])
    assert row["confidence_ab"] == pytest.approx(lead["confidence"])
    back = same[same["antecedents"].map(frozenset) == frozenset(lead["consequents"])]
    if len(back):  # the other way round is the reverse rule's confidence
        assert row["confidence_ba"] == pytest.approx(back["confidence"].iat[0])
    assert row["confidence_ba"] == pytest.approx(row["support"] / lead["consequent_support"])
    assert res.tables["bundles"].empty  # 2 orders are too few for a bundle
    assert any("No products go together strongly enough" in text(n, "en") for n in res.notes)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_tab_opens_on_the_pairs(qtbot, open_panel, lang):
    from helpers import run_panel

    from bizops_basket.panel import BasketPanel

    truth = load_truth(lang)["pairs"]["items"]
    with use_language(lang):
        panel = open_panel(BasketPanel, ANALYSIS, datasets=load_demo(lang=lang), show=True)
        run_panel(qtbot, panel, "orders", PARAMS[0])
        res = panel.result
        assert panel.tabs.currentWidget() is panel.pairs_table and panel.tabs.currentIndex() == 0
        model = panel.pairs_table.model
        assert model.rowCount() == len(res.tables["pairs"]) == len(res.tables["rules"]) // 2
        cols = list(model.frame().columns)
        assert cols[:4] == ["a_names", "b_names", "confidence_ab", "confidence_ba"]
        j = cols.index("sentence")
        first = model.data(model.index(0, j))
        assert first == text(res.tables["pairs"]["sentence"].iat[0])
        assert all(n in first for n in max(truth, key=lambda p: p["lift"])["names"])
        assert panel.why_label.text() == first  # and in full under the table
        assert model.data(model.index(0, cols.index("confidence_ab"))).endswith("%")
        assert not panel.pairs_table.view.isColumnHidden(j)
        assert all(panel.pairs_table.view.isColumnHidden(cols.index(c)) for c in ("a", "b"))
        # the bundles tab: the four planted pairs, each with its reason
        bm = panel.bundles_table.model
        assert bm.rowCount() == 4
        assert bm.data(bm.index(0, list(bm.frame().columns).index("reason")))
        panel.bundles_table.select_source_row(2)
        assert panel.why_label.text() == text(res.tables["bundles"]["reason"].iat[2])
        # a pair's sentence under the table when its row is picked
        panel.pairs_table.select_source_row(1)
        assert panel.why_label.text() == text(res.tables["pairs"]["sentence"].iat[1])
        # the product filter keeps the pairs with that product
        pid = truth[0]["antecedent"]
        panel.product_combo.setCurrentIndex(panel.product_combo.findData(pid))
        shown = panel.pairs_table.model.frame()
        assert len(shown) >= 1 and all(pid in list(a) + list(b) for a, b in zip(shown["a"], shown["b"]))
        headers = [panel.tabs.tabText(k) for k in range(panel.tabs.count())]
        if lang == "zh_CN":
            assert all(CJK.search(h) for h in headers)
            assert model.headerData(j, Qt.Orientation.Horizontal) == "白话说明"
        assert panel.tabs.widget(panel.tabs.count() - 1) is panel.table  # every rule, under Details
        assert np.isfinite(res.tables["pairs"]["lift"]).all()


def test_a_result_saved_before_the_pairs_table_shows_them_from_its_rules(qtbot, open_panel):
    from dataclasses import replace

    from bizops_basket.panel import BasketPanel

    res = ANALYSIS.execute(_orders("en"), PARAMS[0])
    old = replace(res, tables={k: v for k, v in res.tables.items() if k in ("rules", "itemsets")})
    panel = open_panel(BasketPanel, ANALYSIS, datasets=load_demo(lang="en"))
    panel.show_result(old)
    pd.testing.assert_frame_equal(
        panel.pairs_table.model.source_frame().reset_index(drop=True),
        res.tables["pairs"][list(panel.pairs_table.model.source_frame().columns)],
    )
    assert panel.bundles_table.model.rowCount() == len(res.tables["bundles"]) == 4
