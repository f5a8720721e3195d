"""Basket rules against known answers: mlxtend's apriori/fpgrowth/association_rules on the real
supermarket baskets and on generated baskets that drive every counting path, a textbook example,
the demo shop's planted pairs, cancel, and the too-low-support guard."""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mlxtend.frequent_patterns import apriori as mx_apriori
from mlxtend.frequent_patterns import association_rules as mx_rules
from mlxtend.frequent_patterns import fpgrowth as mx_fpgrowth

import bizops_basket.apriori as ap
from bizops_basket import ANALYSIS
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import Cancelled, DataError, UsageError
from bizops_desktop.core.export import write_table
from bizops_desktop.core.i18n import text
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.baskets import baskets_from_orders

DATA = Path(__file__).resolve().parent / "data"
METRICS = ["antecedent_support", "consequent_support", "support", "confidence", "lift", "leverage", "conviction"]
MX_NAMES = {m: m.replace("_", " ") if m.endswith("_support") else m for m in METRICS}


@pytest.fixture(scope="module")
def supermarket():
    df = pd.read_csv(DATA / "supermarket_baskets_long.csv")
    ds = Dataset("supermarket", df, roles={"order_id": "basket_id", "product_id": "item"})
    b = baskets_from_orders(df, "basket_id", "item")
    return ds, b, _onehot(b)


def _onehot(b) -> pd.DataFrame:
    x = np.zeros((b.n_orders, b.n_items), dtype=bool)
    x[b.order_of_entry(), b.indices] = True
    return pd.DataFrame(x, columns=list(b.item_ids))


def _our_itemsets(fi, b) -> dict:
    return {
        frozenset(b.item_ids[j] for j in row): int(c)
        for lv, cn in zip(fi.levels, fi.counts)
        for row, c in zip(lv.tolist(), cn.tolist())
    }


def _ref_itemsets(ref: pd.DataFrame, n: int) -> dict:
    out = {}
    for iset, s in zip(ref["itemsets"], ref["support"]):
        c = round(s * n)
        assert abs(c / n - s) < 1e-12
        out[frozenset(iset)] = c
    return out


def _keyed(frame: pd.DataFrame, a="antecedents", c="consequents") -> pd.DataFrame:
    """Rules indexed by (sorted antecedent, sorted consequent) so two tables line up."""
    key = [(tuple(sorted(x)), tuple(sorted(y))) for x, y in zip(frame[a], frame[c])]
    out = frame.copy()
    out.index = pd.MultiIndex.from_tuples(key) if key else pd.Index([])
    return out


def _rules_by_key(frame: pd.DataFrame, a="antecedents", c="consequents") -> dict:
    return {(frozenset(x), frozenset(y)): row for x, y, row in zip(frame[a], frame[c], frame.to_dict("records"))}


@pytest.mark.parametrize("min_support", [0.2, 0.15])
def test_supermarket_matches_mlxtend(supermarket, min_support):
    ds, b, onehot = supermarket
    n = b.n_orders
    res = ANALYSIS.execute(ds, {"min_support": min_support, "min_confidence": 0.3, "min_lift": 0.0, "max_len": 20})
    ours_sets = {frozenset(r): c for r, c in zip(res.tables["itemsets"]["itemset"], res.tables["itemsets"]["count"])}
    ref = mx_fpgrowth(onehot, min_support=min_support, use_colnames=True)
    ref_sets = _ref_itemsets(ref, n)
    assert len(ours_sets) > 500
    assert ours_sets == ref_sets  # same itemsets, same counts
    ref_ap = mx_apriori(onehot, min_support=min_support, use_colnames=True, low_memory=True)
    assert _ref_itemsets(ref_ap, n) == ours_sets

    rules = res.tables["rules"]
    mr = mx_rules(ref, num_itemsets=n, metric="confidence", min_threshold=0.3)
    ours_r = _keyed(rules, "antecedents", "consequents")
    ref_r = _keyed(mr, "antecedents", "consequents")
    assert len(ours_r) == len(rules) > 1000 and ours_r.index.is_unique
    assert set(ours_r.index) == set(ref_r.index)
    ref_r = ref_r.loc[ours_r.index]
    for m in METRICS:
        a, e = ours_r[m].to_numpy(float), ref_r[MX_NAMES[m]].to_numpy(float)
        assert np.array_equal(np.isinf(a), np.isinf(e)), m
        fin = ~np.isinf(e)
        assert np.max(np.abs(a[fin] - e[fin])) <= 1e-9, m
    assert np.array_equal(ours_r["count"].to_numpy(), np.round(ref_r["support"].to_numpy() * n).astype(int))
    assert res.metrics["orders"] == n == 4627 and res.metrics["items"] == 122
    assert res.metrics["frequent_itemsets"] == len(ref_sets) and res.metrics["rules"] == len(rules)
    # default min_lift 1.0 keeps exactly mlxtend's rules with lift >= 1
    res1 = ANALYSIS.execute(ds, {"min_support": min_support, "max_len": 20})
    assert set(_keyed(res1.tables["rules"]).index) == set(_keyed(mr[mr["lift"] >= 1.0]).index)


def _generated(seed=3, n_orders=1500, n_items=60, long_orders=4, long_len=45):
    """Zipf-ish short baskets plus a few very long ones (the vertical counting path)."""
    rng = np.random.default_rng(seed)
    w = 1.0 / np.arange(1, n_items + 1) ** 0.8
    w /= w.sum()
    o, i = [], []
    for k in range(n_orders):
        size = min(1 + rng.poisson(3), n_items)
        its = rng.choice(n_items, size=size, replace=False, p=w)
        o += [k] * size
        i += its.tolist()
    for k in range(long_orders):
        its = rng.choice(n_items, size=long_len, replace=False)
        o += [n_orders + k] * long_len
        i += its.tolist()
    return pd.DataFrame({"order": o, "product": i})


@pytest.mark.parametrize("mode", ["default", "small_chunks_sparse_pairs", "no_int_codes"])
def test_every_counting_path_matches_fpgrowth(monkeypatch, mode):
    df = _generated()
    b = baskets_from_orders(df, "order", "product")
    if mode == "small_chunks_sparse_pairs":
        monkeypatch.setattr(ap, "CHUNK_CODES", 97)  # splits even one order's subsets
        monkeypatch.setattr(ap, "DENSE_PAIR_CELLS", 10)  # pairs through the sparse table
    elif mode == "no_int_codes":
        monkeypatch.setattr(ap, "_fits", lambda base, k: False)  # byte lookups, all vertical
    min_count = 6
    fi = ap.frequent_itemsets(b, min_count, max_len=5)
    ref = mx_fpgrowth(_onehot(b), min_support=min_count / b.n_orders - 1e-12, use_colnames=True, max_len=5)
    ours = _our_itemsets(fi, b)
    assert max(len(s) for s in ours) >= 4  # long orders make deep itemsets
    assert ours == _ref_itemsets(ref, b.n_orders)


def test_long_orders_use_the_vertical_path():
    b = baskets_from_orders(_generated(long_len=60), "order", "product")
    calls = {"bitset_rows": 0}
    real = np.bitwise_count

    def spy(x, *a, **k):
        calls["bitset_rows"] += x.shape[0]
        return real(x, *a, **k)

    np_mod = ap.np
    try:
        np_mod.bitwise_count = spy
        fi = ap.frequent_itemsets(b, 6, max_len=4)
    finally:
        np_mod.bitwise_count = real
    assert calls["bitset_rows"] > 0
    ref = mx_fpgrowth(_onehot(b), min_support=6 / b.n_orders - 1e-12, use_colnames=True, max_len=4)
    assert _our_itemsets(fi, b) == _ref_itemsets(ref, b.n_orders)


def test_textbook_example():
    # Tan, Steinbach & Kumar, Introduction to Data Mining, table 6.1:
    # {Milk, Diapers} -> {Beer} has support 0.4 and confidence 0.67.
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
    ds = Dataset("tbl", rows.to_frame())
    res = ANALYSIS.execute(ds, {"min_support": 0.4, "min_confidence": 0.5, "min_lift": 0.0})
    rules = _rules_by_key(res.tables["rules"])
    r = rules[(frozenset({"Milk", "Diapers"}), frozenset({"Beer"}))]
    assert r["support"] == pytest.approx(0.4) and r["confidence"] == pytest.approx(2 / 3)
    assert r["lift"] == pytest.approx((2 / 3) / 0.6) and r["count"] == 2
    beer = rules[(frozenset({"Beer"}), frozenset({"Diapers"}))]
    assert beer["confidence"] == 1.0 and math.isinf(beer["conviction"])
    assert "Customers who buy Beer also buy Diapers in 100% of their orders, 1.2× more often" in text(beer["why"])
    assert res.metrics["orders"] == 5 and res.metrics["items"] == 6
    sets = res.tables["itemsets"]
    assert sets.loc[sets["itemset"].map(frozenset) == frozenset({"Diapers", "Beer"}), "count"].item() == 3


def test_one_basket_per_row_equals_order_lines(supermarket):
    ds, b, _ = supermarket
    per_row = pd.DataFrame({"items": [",".join(str(x) for x in b.basket(i)) for i in range(b.n_orders)]})
    res_rows = ANALYSIS.execute(Dataset("rows", per_row), {"min_support": 0.15})
    res_lines = ANALYSIS.execute(ds, {"min_support": 0.15})
    pd.testing.assert_frame_equal(res_rows.tables["itemsets"], res_lines.tables["itemsets"])
    pd.testing.assert_frame_equal(res_rows.tables["rules"], res_lines.tables["rules"])
    assert len(res_rows.tables["rules"]) > 100


def test_export_writes_json_arrays_and_inf(tmp_path):
    # a: 3 orders, b: 3, c: 1; c -> a has confidence 1, so conviction is infinite
    rows = pd.Series(["a,b", "a,b", "a,c", "b"], name="basket")
    res = ANALYSIS.execute(Dataset("t", rows.to_frame()), {"min_support": 0.25, "min_confidence": 0.5, "min_lift": 0.0})
    write_table(res.tables["itemsets"], tmp_path / "itemsets.csv")
    write_table(res.tables["rules"], tmp_path / "rules.csv")
    back = pd.read_csv(tmp_path / "itemsets.csv", encoding="utf-8-sig")
    assert list(back.columns) == ["itemset", "size", "count", "support"]
    assert json.loads(back.loc[back["size"] == 2, "itemset"].iloc[0]) == ["a", "b"]
    rb = pd.read_csv(tmp_path / "rules.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(rb.columns) == [
        "antecedents",
        "consequents",
        "antecedent_support",
        "consequent_support",
        "support",
        "confidence",
        "lift",
        "leverage",
        "conviction",
        "count",
        "why",
    ]
    assert all(isinstance(json.loads(v), list) for v in rb["antecedents"])
    cone = rb[(rb["antecedents"] == '["c"]') & (rb["consequents"] == '["a"]')]
    assert len(cone) == 1 and cone["confidence"].item() == 1.0
    raw = (tmp_path / "rules.csv").read_text(encoding="utf-8-sig").splitlines()
    line = next(x for x in raw if x.startswith('"[""c""]","[""a""]"'))
    assert line.split(",")[8] == "inf"  # conviction written as the word inf
    assert res.plots["rules"].layers[0].kind == "scatter"


def test_names_filters_and_max_rules(supermarket, monkeypatch):
    ds, _, _ = supermarket
    df = ds.frame.assign(name=ds.frame["item"].str.upper())
    named = Dataset("named", df, roles={"order_id": "basket_id", "product_id": "item", "product_name": "name"})
    full = ANALYSIS.execute(named, {"min_support": 0.15}).tables["rules"]
    assert list(full.columns[:4]) == ["antecedents", "consequents", "antecedent_names", "consequent_names"]
    assert full["antecedent_names"].iloc[0] == [x.upper() for x in full["antecedents"].iloc[0]]
    assert full["lift"].is_monotonic_decreasing
    monkeypatch.setattr(ap, "CHUNK_CODES", 50)  # rules arrive in many blocks, trimmed on the way
    top = ANALYSIS.execute(named, {"min_support": 0.15, "max_rules": 7})
    pd.testing.assert_frame_equal(top.tables["rules"], full.head(7))
    assert any(f"{len(full):,} rules passed" in text(n) for n in top.notes)
    monkeypatch.undo()
    # the filter takes an id or a name; the result is exactly the matching subset
    only = ANALYSIS.execute(named, {"min_support": 0.15, "consequent": "BREAD AND CAKE"}).tables["rules"]
    expect = full[full["consequents"].map(lambda c: "bread and cake" in c)].reset_index(drop=True)
    assert len(expect) > 10
    pd.testing.assert_frame_equal(only, expect)
    left = ANALYSIS.execute(named, {"min_support": 0.15, "antecedent": "milk-cream"}).tables["rules"]
    expect = full[full["antecedents"].map(lambda c: "milk-cream" in c)].reset_index(drop=True)
    pd.testing.assert_frame_equal(left, expect)
    with pytest.raises(UsageError, match="not in the data"):
        ANALYSIS.execute(named, {"antecedent": "caviar"})


def test_cancel_in_the_counting_loop(supermarket):
    ds, b, _ = supermarket
    seen = []
    progress = Progress(callback=lambda f, t: seen.append(t))

    def cancel_when_counting_triples(fraction, text):
        seen.append(text)
        if text == "Counting sets of 3 products":
            progress.cancel()

    progress._callback = cancel_when_counting_triples
    with pytest.raises(Cancelled):
        ANALYSIS.execute(ds, {"min_support": 0.05, "max_len": 6}, progress)
    assert seen[-1] == "Counting sets of 3 products"
    # a cancel from another thread while a long level is being counted
    ev = threading.Event()
    p2 = Progress(cancel_event=ev)
    timer = threading.Timer(0.05, ev.set)
    timer.start()
    try:
        with pytest.raises(Cancelled):
            ap.frequent_itemsets(b, 2, max_len=8, max_itemsets=10**9, progress=p2)
    finally:
        timer.cancel()
        timer.join()


@pytest.mark.timeout(60)
def test_too_low_support_is_a_clear_message_not_a_hang(supermarket):
    ds, _, _ = supermarket
    with pytest.raises(DataError) as err:
        ANALYSIS.execute(ds, {"min_count": 1, "max_len": 20})
    message = str(err.value)
    assert "Raise Minimum support (min_support)" in message and "(max_len)" in message
    assert "limit of 500,000" in message
    assert message.startswith("Minimum support (min_support): this search finds too many sets of products")
    with pytest.raises(DataError, match="limit of 1,000"):
        ANALYSIS.execute(ds, {"min_support": 0.05, "max_itemsets": 1000})


@pytest.mark.timeout(60)
def test_a_few_huge_orders_hit_the_guard_not_the_memory():
    # three orders holding 1,500 of 2,000 products each (a wholesaler, a data glitch) among
    # normal small orders: any two of them share about a thousand products, so every pair,
    # triple... of those is "frequent" at min_count 2: billions of itemsets.
    rng = np.random.default_rng(5)
    o, i = [], []
    for k in range(3):
        its = rng.choice(2000, size=1500, replace=False)
        o += [k] * len(its)
        i += its.tolist()
    for k in range(3, 3000):
        its = rng.choice(2000, size=3, replace=False)
        o += [k] * 3
        i += its.tolist()
    ds = Dataset("huge", pd.DataFrame({"order": o, "product": i}), roles={"order_id": "order", "product_id": "product"})
    with pytest.raises(DataError, match="too many sets of products bought together.*with up to 2 products"):
        ANALYSIS.execute(ds, {"min_count": 2})
    # the same data with a sensible threshold runs, and the long orders are pointed out
    res = ANALYSIS.execute(ds, {"min_count": 4})
    assert any("more than 100 different products" in text(n) for n in res.notes)
    assert res.metrics["orders"] == 3000


def test_neither_input_is_a_plain_message():
    ds = Dataset("customers", pd.DataFrame({"customer": [1, 2], "age": [30, 40]}))
    with pytest.raises(DataError, match="Order number.*Product.*one basket per row"):
        ANALYSIS.execute(ds, {})


def test_params_from_the_command_line():
    vals = ANALYSIS.resolve(
        {"min_support": "0.002", "min_count": "auto", "antecedent": "none", "max_rules": "50"}, from_text=True
    )
    assert vals["min_support"] == 0.002 and vals["min_count"] is None and vals["max_rules"] == 50
    assert ANALYSIS.resolve({"max_rules": "auto"}, from_text=True)["max_rules"] is None
    assert vals["max_len"] == 4 and vals["min_confidence"] == 0.3 and vals["min_lift"] == 1.0
    with pytest.raises(UsageError):
        ANALYSIS.resolve({"min_support": "0"}, from_text=True)


def test_min_count_matches_the_float_threshold():
    for n in (7, 4627, 20000):
        for s in (0.001, 0.002, 0.1, 0.15, 0.3, 1 / 3):
            c = ap.min_count_for(s, n)
            assert c / n >= s and (c == 1 or (c - 1) / n < s)


def test_demo_planted_pairs_are_the_top_rules_by_lift():
    from helpers import DEMO_DIR

    from bizops_desktop.core.demo import load_demo

    truth = json.loads((DEMO_DIR / "truth.json").read_text(encoding="utf-8"))["pairs"]["items"]
    orders = next(d for d in load_demo() if d.name == "orders")
    res = ANALYSIS.execute(orders, {"min_support": 0.002, "min_confidence": 0.01, "min_lift": 0.0, "max_len": 2})
    rules = res.tables["rules"]
    n_top = 2 * len(truth)  # each pair in both directions
    assert len(rules) > 5 * n_top
    top = rules.head(n_top)
    got = {(a[0], c[0]) for a, c in zip(top["antecedents"], top["consequents"])}
    want = {(p["antecedent"], p["consequent"]) for p in truth} | {(p["consequent"], p["antecedent"]) for p in truth}
    assert got == want
    assert rules["lift"].iat[n_top] < 0.5 * min(p["lift"] for p in truth)  # a clear gap below them
    for p in truth:
        row = top[
            (top["antecedents"].map(tuple) == (p["antecedent"],))
            & (top["consequents"].map(tuple) == (p["consequent"],))
        ]
        assert row["count"].item() == p["orders_with_both"]
        assert row["support"].item() == pytest.approx(p["support"], abs=1e-6)
        assert row["confidence"].item() == pytest.approx(p["confidence"], abs=1e-6)
        assert row["lift"].item() == pytest.approx(p["lift"], abs=1e-6)
        assert list(row["antecedent_names"].item()) + list(row["consequent_names"].item()) == p["names"]
    # with the tab's defaults the planted pairs are all there is to see
    default = ANALYSIS.execute(orders, {}).tables["rules"]
    assert {(a[0], c[0]) for a, c in zip(default["antecedents"], default["consequents"])} == want


def test_one_basket_per_row_file_through_the_importer(tmp_path):
    from bizops_desktop.core.importer import load_dataset

    f = tmp_path / "baskets.csv"
    f.write_text('items\n"bread,milk"\n"beer,nappies,bread"\n"milk,bread"\n"beer,nappies"\n', encoding="utf-8")
    ds = load_dataset(f)
    res = ANALYSIS.execute(ds, {"min_support": 0.5, "min_confidence": 0.5})
    rules = _rules_by_key(res.tables["rules"])
    # beer and nappies: 2 of 4 baskets each, always together -> confidence 1, lift 2
    r = rules[(frozenset({"beer"}), frozenset({"nappies"}))]
    assert r["count"] == 2 and r["confidence"] == 1.0 and r["lift"] == 2.0 and math.isinf(r["conviction"])
    assert res.metrics["orders"] == 4 and res.metrics["items"] == 4


def test_why_sentence_reads_right_at_every_lift():
    from bizops_basket.analysis import why_sentence

    def why(*args):
        return text(why_sentence(*args))

    assert (
        why(["A"], ["B"], 0.42, 3.1)
        == "Customers who buy A also buy B in 42% of their orders, 3.1× more often than average."
    )
    assert "about as often as on average (no real link)" in why(["A"], ["B"], 0.65, 1.001)
    assert "2× less often than average" in why(["A", "C"], ["B"], 0.1, 0.5)
    assert why(["A", "C"], ["B"], 0.1, 0.5).startswith("Customers who buy A and C also buy B")
