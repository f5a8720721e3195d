"""Recommendations: similarity and prediction formulas against a hand-computed example, against
scikit-surprise's KNNWithMeans on the same data, and the planted truths of the demo shop."""

from __future__ import annotations

import math
import re
import threading

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import Cancelled, DataError, UsageError
from bizops_desktop.core.i18n import text
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.ratings import build_ratings
from bizops_recommender import ANALYSIS, knn
from bizops_recommender.knn import KNNConfig, fit, predict_pairs

# The hand example (- = not rated).       user means: u1 3, u2 3, u3 3, u4 10/3
#        i1 i2 i3 i4
#   u1:   5  3  -  1
#   u2:   4  -  4  1
#   u3:   2  1  5  4
#   u4:   -  3  2  5
HAND = {
    ("u1", "i1"): 5,
    ("u1", "i2"): 3,
    ("u1", "i4"): 1,
    ("u2", "i1"): 4,
    ("u2", "i3"): 4,
    ("u2", "i4"): 1,
    ("u3", "i1"): 2,
    ("u3", "i2"): 1,
    ("u3", "i3"): 5,
    ("u3", "i4"): 4,
    ("u4", "i2"): 3,
    ("u4", "i3"): 2,
    ("u4", "i4"): 5,
}


def reasons(recs: pd.DataFrame) -> pd.Series:
    """The "because" cells (messages) as the reader sees them, in the test's language (English)."""
    return recs["because"].map(text)


def hand_matrix():
    frame = pd.DataFrame([(u, i, r) for (u, i), r in HAND.items()], columns=["u", "i", "r"])
    return build_ratings(frame, "u", "i", "r", explicit=True)


def sim_of(model, rm, a, b):
    index = rm.user_index() if model.user_based else rm.item_index()
    return model.full[index[a], index[b]]


@pytest.mark.parametrize(
    "similarity, surprise, pair, expected",
    [
        # co-rated i1, i4; centred on overall means 3 and 3: (2,-2).(1,-2) / (sqrt 8 sqrt 5)
        ("pearson", False, ("u1", "u2"), 6 / math.sqrt(40)),
        # co-rated i1, i2, i4: (2,0,-2).(-1,-2,1) / (sqrt 8 sqrt 6)
        ("pearson", False, ("u1", "u3"), -4 / math.sqrt(48)),
        # u4 (mean 10/3) and u1 over i2, i4: (-1/3, 5/3).(0, -2) / (sqrt(26)/3 * 2)
        ("pearson", False, ("u4", "u1"), -5 / math.sqrt(26)),
        # Surprise: centred on co-rated means, u1 (5,3,1) -> 3, u3 (2,1,4) -> 7/3:
        # (2,0,-2).(-1/3,-4/3,5/3) = -4; norms sqrt 8 and sqrt(42)/3
        ("pearson", True, ("u1", "u3"), -12 / math.sqrt(336)),
        # cosine over co-rated i1, i2, i4: (5,3,1).(2,1,4) / (sqrt 35 sqrt 21)
        ("cosine", False, ("u1", "u3"), 17 / math.sqrt(735)),
        ("cosine", True, ("u1", "u3"), 17 / math.sqrt(735)),
    ],
)
def test_user_similarities_match_the_hand_computation(similarity, surprise, pair, expected):
    rm = hand_matrix()
    model = fit(rm.matrix, KNNConfig("user", similarity, surprise_compatible=surprise))
    assert sim_of(model, rm, *pair) == pytest.approx(expected, abs=1e-12)
    assert sim_of(model, rm, pair[1], pair[0]) == pytest.approx(expected, abs=1e-12)


def test_item_adjusted_cosine_matches_the_hand_computation():
    rm = hand_matrix()
    model = fit(rm.matrix, KNNConfig("item", "adjusted_cosine"))
    # users u1, u2, u3 rated i1 and i4; centred on the user means (3, 3, 3):
    # i1 (2, 1, -1), i4 (-2, -2, 1): -7 / (sqrt 6 * 3)
    assert sim_of(model, rm, "i1", "i4") == pytest.approx(-7 / (3 * math.sqrt(6)), abs=1e-12)
    # i2 and i3 share u3 (1, 5 -> -2, 2) and u4 (3, 2 -> -1/3, -4/3 around 10/3):
    # (-2)(2) + (-1/3)(-4/3) = -4 + 4/9 = -32/9 over sqrt(4 + 1/9) sqrt(4 + 16/9) = sqrt(37 * 52) / 9
    assert sim_of(model, rm, "i2", "i3") == pytest.approx(-32 / math.sqrt(37 * 52), abs=1e-12)
    strict = fit(rm.matrix, KNNConfig("item", "adjusted_cosine", min_support=3))
    assert sim_of(strict, rm, "i2", "i3") == 0.0  # support 2 < 3
    assert sim_of(strict, rm, "i1", "i4") != 0.0  # support 3
    shrunk = fit(rm.matrix, KNNConfig("item", "adjusted_cosine", shrinkage=3))
    assert sim_of(shrunk, rm, "i1", "i4") == pytest.approx(-7 / (3 * math.sqrt(6)) * 3 / (3 + 3))


def reference_prediction(user, item, *, user_based, positive_only, k, sims):
    """The issue's formulas written out in plain Python over the HAND dict."""
    users = sorted({u for u, _ in HAND})
    items = sorted({i for _, i in HAND})
    mean = {u: np.mean([r for (v, _), r in HAND.items() if v == u]) for u in users}
    if user_based:
        cands = [(sims[(user, v)], HAND[(v, item)] - mean[v]) for v in users if v != user and (v, item) in HAND]
    else:
        cands = [(sims[(item, j)], HAND[(user, j)] - mean[user]) for j in items if j != item and (user, j) in HAND]
    cands = [c for c in cands if (c[0] > 0 if positive_only else c[0] != 0)]
    cands = sorted(cands, key=lambda c: -c[0])[:k]
    den = sum(abs(s) for s, _ in cands)
    return mean[user] + (sum(s * d for s, d in cands) / den if den else 0.0)


@pytest.mark.parametrize("user_based", [True, False])
@pytest.mark.parametrize("positive_only, k", [(True, 40), (False, 40), (False, 2)])
def test_default_predictions_follow_the_issue_formulas(user_based, positive_only, k):
    rm = hand_matrix()
    method, sim = ("user", "pearson") if user_based else ("item", "adjusted_cosine")
    model = fit(rm.matrix, KNNConfig(method, sim, k=k, positive_only=positive_only), scale=(1, 5))
    side = rm.users if user_based else rm.items
    sims = {(a, b): sim_of(model, rm, a, b) for a in side for b in side}
    missing = [(u, i) for u in rm.users for i in rm.items if (u, i) not in HAND]
    ui, ii = rm.user_index(), rm.item_index()
    got = predict_pairs(model, [ui[u] for u, _ in missing], [ii[i] for _, i in missing])
    want = [
        np.clip(reference_prediction(u, i, user_based=user_based, positive_only=positive_only, k=k, sims=sims), 1, 5)
        for u, i in missing
    ]
    assert got == pytest.approx(want, abs=1e-12)
    if user_based and positive_only:
        # every neighbour of u4 that rated i1 is negatively similar: the prediction is u4's mean
        assert got[missing.index(("u4", "i1"))] == pytest.approx(10 / 3)


def small_explicit(seed=3, n_users=40, n_items=25, n=420):
    rng = np.random.default_rng(seed)
    taste = rng.normal(size=(n_users, 2))
    kind = rng.normal(size=(n_items, 2))
    u = rng.integers(0, n_users, 3 * n)
    i = rng.integers(0, n_items, 3 * n)
    frame = pd.DataFrame({"u": u, "i": i}).drop_duplicates().head(n)
    raw = 3 + (taste[frame.u] * kind[frame.i]).sum(axis=1) + rng.normal(0, 0.7, len(frame))
    frame["r"] = np.clip(np.round(raw), 1, 5)
    frame["u"] = "u" + frame["u"].astype(str)
    frame["i"] = "i" + frame["i"].astype(str)
    return frame.reset_index(drop=True)


@pytest.mark.parametrize("user_based", [True, False])
@pytest.mark.parametrize("name", ["pearson", "cosine"])
@pytest.mark.parametrize("k", [40, 3])
def test_surprise_compatible_mode_matches_knnwithmeans(user_based, name, k):
    from surprise import Dataset as SDataset
    from surprise import KNNWithMeans, Reader

    frame = small_explicit()
    test_rows = np.random.default_rng(9).random(len(frame)) < 0.2
    train, test = frame[~test_rows], frame[test_rows]
    algo = KNNWithMeans(
        k=k, min_k=1, verbose=False, sim_options={"name": name, "user_based": user_based, "min_support": 1}
    )
    algo.fit(SDataset.load_from_df(train[["u", "i", "r"]], Reader(rating_scale=(1, 5))).build_full_trainset())
    theirs = np.array([algo.predict(u, i).est for u, i in zip(test.u, test.i)])

    rm = build_ratings(train, "u", "i", "r", explicit=True)
    cfg = KNNConfig("user" if user_based else "item", name, k=k, surprise_compatible=True)
    model = fit(rm.matrix, cfg, scale=(1, 5), first_row=rm.first_row)
    ui, ii = rm.user_index(), rm.item_index()
    # unknown users/items (only in the test part) get index -1: Surprise's global-mean fallback
    ours = predict_pairs(model, [ui.get(u, -1) for u in test.u], [ii.get(i, -1) for i in test.i])
    assert len(test) > 60
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


def test_blocks_and_neighbour_pool_give_the_same_predictions(monkeypatch):
    frame = small_explicit(seed=5)
    rm = build_ratings(frame, "u", "i", "r", explicit=True)
    users, items = np.meshgrid(np.arange(rm.shape[0]), np.arange(rm.shape[1]))
    users, items = users.ravel(), items.ravel()
    for method, sim, surprise in [("user", "pearson", True), ("item", "adjusted_cosine", False)]:
        cfg = KNNConfig(method, sim, k=5, surprise_compatible=surprise)
        whole = predict_pairs(fit(rm.matrix, cfg, scale=(1, 5)), users, items)
        with monkeypatch.context() as m:
            # rows in blocks of 3, the sparse products per block, and a neighbour pool instead
            # of the full matrix (the pool, max(5k, 200), holds every row here)
            m.setattr(knn, "BLOCK_CELLS", 3 * 40)
            m.setattr(knn, "FULL_LIMIT", 1)
            m.setattr(knn, "DENSE_LIMIT", 1)
            model = fit(rm.matrix, cfg, scale=(1, 5))
            assert not isinstance(model.full, np.ndarray)
            blocked = predict_pairs(model, users, items, chunk_cells=64)
        np.testing.assert_allclose(blocked, whole, atol=1e-12)


def test_implicit_similarities_match_reference_formulas():
    from sklearn.metrics.pairwise import cosine_similarity

    rng = np.random.default_rng(2)
    X = (rng.random((12, 7)) < 0.5) * rng.integers(1, 4, (12, 7))
    X[0, :] = 1  # one customer bought everything, so every pair of products shares someone
    u, i = np.nonzero(X)
    frame = pd.DataFrame({"c": u, "p": i, "q": X[u, i]})
    rm = build_ratings(frame, "c", "p", "q", explicit=False, weighting="quantity")
    dense = np.zeros(rm.shape)
    dense[rm.matrix.nonzero()] = rm.matrix.data
    Xi = dense.T  # items x customers
    n = Xi.shape[0]
    adj = (dense - dense.mean(axis=1, keepdims=True)).T  # products over customers, centred on customer means
    refs = {"cosine": cosine_similarity(Xi), "pearson": np.corrcoef(Xi), "adjusted_cosine": cosine_similarity(adj)}
    for sim, ref in refs.items():
        model = fit(rm.matrix, KNNConfig("item", sim, k=n, positive_only=False, explicit=False))
        got = model.neighbours.toarray()
        np.fill_diagonal(ref, 0.0)
        np.testing.assert_allclose(got, ref, atol=1e-10, err_msg=sim)


def orders_with_tastes(seed=4, n_customers=150, n_products=60, lines=6000):
    """Each customer buys mostly inside one of 4 product groups: CF must beat best sellers."""
    rng = np.random.default_rng(seed)
    group = np.arange(n_products) % 4
    taste = rng.integers(0, 4, n_customers)
    pop = 1 / np.arange(1, n_products + 1) ** 0.7
    cust = rng.integers(0, n_customers, lines)
    prod = rng.choice(n_products, lines, p=pop / pop.sum())
    inside = rng.random(lines) < 0.8
    for g in range(4):
        members = np.flatnonzero(group == g)
        sel = np.flatnonzero(inside & (taste[cust] == g))
        prod[sel] = rng.choice(members, len(sel), p=pop[members] / pop[members].sum())
    return pd.DataFrame({"customer": cust, "product": prod})


def test_implicit_evaluation_beats_best_sellers_and_reports_per_fold():
    frame = orders_with_tastes()
    ds = Dataset("orders", frame, {"customer_id": "customer", "product_id": "product"})
    res = ANALYSIS.execute(ds, {"method": "item", "weighting": "binary", "eval_folds": 3})
    ev = res.tables["evaluation"]
    assert set(ev["fold"]) == {"1", "2", "3", "mean"}
    m = res.metrics
    assert m["precision_at_10"] > 1.3 * m["precision_at_10_best_sellers"]
    # customer by customer over the rounds: ours finds more for far more customers (sign test)
    assert m["customers_more_hits"] > 3 * m["customers_fewer_hits"] and m["p_better"] < 1e-6
    assert 0 < m["recall_at_10"] <= 1 and 0 < m["hit_rate_at_10"] <= 1 and 0 < m["coverage"] <= 1
    # the mean row is the mean of the fold rows
    p = ev[ev["metric"] == "precision@10"]
    assert p[p.fold == "mean"]["value"].iloc[0] == pytest.approx(p[p.fold != "mean"]["value"].mean())
    plot = res.plots["evaluation"]
    assert plot.layers[0].x == [1, 2, 3, 5, 10, 15, 20]
    # recommendations never repeat a product the customer already bought
    recs = res.tables["recommendations"]
    bought = set(zip(frame["customer"], frame["product"]))
    assert not any((c, p) in bought for c, p in zip(recs["customer_id"], recs["product_id"]))
    assert recs.groupby("customer_id")["rank"].max().max() == 10
    assert reasons(recs).str.startswith("often bought with").all()


def test_without_tastes_the_folds_check_does_not_claim_a_win():
    """Planted truth: no tastes at all (every line drawn from the same shop-wide Zipf popularity),
    so nothing beats the best-seller list; the sign test over customers says so."""
    rng = np.random.default_rng(11)
    pop = 1 / np.arange(1, 61) ** 0.8
    frame = pd.DataFrame({"customer": rng.integers(0, 300, 6000), "product": rng.choice(60, 6000, p=pop / pop.sum())})
    ds = Dataset("orders", frame, {"customer_id": "customer", "product_id": "product"})
    res = ANALYSIS.execute(ds, {"method": "item", "weighting": "binary", "eval_folds": 3})
    m = res.metrics
    assert not (m["customers_more_hits"] > m["customers_fewer_hits"] and m["p_better"] < 0.05)
    assert not text(res.headline).startswith("These suggestions beat")


def test_bad_requests_get_plain_errors():
    frame = small_explicit()
    ds = Dataset("r", frame, {"customer_id": "u", "product_id": "i", "rating": "r"})
    with pytest.raises(UsageError, match="Surprise-compatible mode knows only"):
        ANALYSIS.execute(ds, {"surprise_compatible": True, "similarity": "adjusted_cosine"})
    with pytest.raises(UsageError, match="at least 2 folds"):
        ANALYSIS.execute(ds, {"eval_folds": 1})
    with pytest.raises(DataError, match="Customer"):
        ANALYSIS.execute(Dataset("r", frame, {"product_id": "i"}))
    one = Dataset("r", frame.assign(i="same"), {"customer_id": "u", "product_id": "i", "rating": "r"})
    with pytest.raises(DataError, match="at least 2 customers and 2 products"):
        ANALYSIS.execute(one)


def test_cancel_stops_the_run():
    frame = small_explicit()
    ds = Dataset("r", frame, {"customer_id": "u", "product_id": "i", "rating": "r"})
    event = threading.Event()
    seen = []

    def on_progress(fraction, text):
        seen.append(text)
        if fraction > 0.3:
            event.set()

    with pytest.raises(Cancelled):
        ANALYSIS.execute(ds, {}, Progress(on_progress, event))
    assert any(t.startswith("Similarities") for t in seen)
    assert any(t.startswith(("Predictions", "Evaluation")) for t in seen)


# -- the demo shop ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo():
    from bizops_desktop.core.demo import load_demo, load_truth

    return {d.name: d for d in load_demo()}, load_truth()


def test_demo_planted_pairs_are_each_others_most_similar_products(demo):
    datasets, truth = demo
    res = ANALYSIS.execute(datasets["orders"], {"method": "item", "eval_folds": 0})
    sim = res.tables["similar_items"]
    top = sim[sim["rank"] == 1].set_index("product_id")["similar_product_id"]
    pairs = [(p["antecedent"], p["consequent"]) for p in truth["pairs"]["items"]]
    assert len(pairs) >= 3
    for a, b in pairs:
        assert top[a] == b and top[b] == a
    assert "product_name" in res.tables["recommendations"]


@pytest.mark.parametrize("method", ["user", "item"])
def test_demo_reviews_cf_beats_the_global_mean(demo, method):
    datasets, _ = demo
    res = ANALYSIS.execute(datasets["reviews"], {"method": method})
    m = res.metrics
    assert m["data"] == "ratings"
    assert m["rmse"] < 0.8 * m["rmse_global_mean"]
    assert m["mae"] < 0.8 * m["mae_global_mean"]
    recs = res.tables["recommendations"]
    assert recs["score"].between(1, 5).all()
    word = "similar customer" if method == "user" else "similar to "
    assert reasons(recs).str.contains(word).mean() > 0.9


# -- words for people: Chinese, names, an honest headline -------------------------------------------
CJK = re.compile(r"[\u4e00-\u9fff]")


def _leftover_english(rendered: str, data_words) -> list[str]:
    """Latin words left in a Chinese text once product names and customer ids (data) are taken out;
    the usual statistics abbreviations stay in Chinese text too."""
    for w in sorted(data_words, key=len, reverse=True):
        rendered = rendered.replace(w, " ")
    allowed = {"RMSE", "MAE", "Surprise"}
    return [w for w in re.findall(r"[A-Za-z]{2,}", rendered) if w not in allowed]


@pytest.fixture(scope="module")
def demo_zh():
    from bizops_desktop.core.demo import load_demo

    return {d.name: d for d in load_demo(lang="zh_CN")}


@pytest.mark.parametrize(
    "dataset, params",
    [
        ("orders", {"method": "item", "eval_folds": 3}),
        ("orders", {"method": "user", "eval_folds": 0}),
        ("reviews", {"method": "item", "eval_folds": 3}),
        ("reviews", {"method": "user", "eval_folds": 2}),
    ],
)
def test_the_chinese_shop_reads_in_chinese(demo_zh, dataset, params):
    from bizops_desktop.core.display import cell_text, title
    from bizops_desktop.core.i18n import use_language

    with use_language("zh_CN"):
        res = ANALYSIS.execute(demo_zh[dataset], params)
        recs = res.tables["recommendations"]
        ds = demo_zh[dataset]
        data_words = set(res.names.values()) | set(res.names) | set(map(str, ds.frame[ds.col("customer_id")]))
        for t in [res.headline, *res.notes]:
            rendered = text(t)
            assert CJK.search(rendered), rendered
            assert _leftover_english(rendered, data_words) == [], rendered
        # every column of every table has a title (and a kind) in Chinese
        for name, frame in res.tables.items():
            cols = res.columns[name]
            assert set(frame.columns) <= set(cols), (name, set(frame.columns) - set(cols))
            for c in frame.columns:
                assert CJK.search(title(c, cols[c])), (name, c)
        # products by name, reasons in Chinese
        cells = [cell_text(v, res.columns["recommendations"]["because"]) for v in recs["because"].head(50)]
        assert all(CJK.search(c) and not _leftover_english(c, data_words) for c in cells), cells[:3]
        shown = cell_text(recs["product_id"].iloc[0], res.columns["recommendations"]["product_id"], res.names)
        assert shown == recs["product_name"].iloc[0]
        sim = res.tables["similar_items"]
        spec = res.columns["similar_items"]["similar_product_id"]
        assert cell_text(sim["similar_product_id"].iloc[0], spec, res.names) == sim["similar_product_name"].iloc[0]
        for spec in res.plots.values():
            drawn = spec.localized()
            assert CJK.search(drawn.title) and CJK.search(drawn.x_label) and CJK.search(drawn.y_label)
            assert all(CJK.search(ly.name) for ly in drawn.layers if ly.name)
        if params["eval_folds"]:
            metric = res.columns["evaluation"]["metric"]
            for code in res.tables["evaluation"]["metric"].unique():
                assert CJK.search(cell_text(code, metric)), code


def test_the_form_reads_in_chinese():
    from bizops_desktop.core.i18n import use_language

    with use_language("zh_CN"):
        assert str(ANALYSIS.title) == "商品推荐" and CJK.search(str(ANALYSIS.summary))
        for p in ANALYSIS.params:
            assert CJK.search(p.title) and CJK.search(p.help_text), p.name
            for c in p.choices:
                assert CJK.search(p.choice_label(c)), (p.name, c)
        assert ANALYSIS.param("similarity").choice_label("pearson") == "皮尔逊相关"
    with use_language("en"):
        sim = ANALYSIS.param("similarity")
        assert [sim.choice_label(c) for c in sim.choices] == [
            "Automatic",
            "Pearson correlation",
            "Cosine",
            "Adjusted cosine",
            "BM25 (purchases)",
        ]


def test_the_headline_compares_with_a_best_seller_list_honestly(demo):
    from bizops_recommender.analysis import headline

    # planted tastes: collaborative filtering clearly beats the best sellers, and says by how much
    ds = Dataset("orders", orders_with_tastes(), {"customer_id": "customer", "product_id": "product"})
    res = ANALYSIS.execute(ds, {"method": "item", "weighting": "binary", "eval_folds": 3})
    line = text(res.headline)
    assert line.startswith("These suggestions beat a best-seller list") and "sign test, p = " in line, line
    # the demo shop's orders: the best sellers are as good; the tab says so plainly
    datasets, _ = demo
    res = ANALYSIS.execute(datasets["orders"], {"method": "item", "eval_folds": 3})
    line = text(res.headline)
    assert line.startswith(
        (
            "These suggestions are no better than a best-seller list on this data",
            "These suggestions are simply a best-seller list",
        )
    ), line
    # worse than the yardstick, and no check at all: said as such
    worse = headline({"data": "purchases", "precision_at_10": 0.1, "precision_at_10_best_sellers": 0.3}, 10)
    assert text(worse).startswith("These suggestions do worse than a best-seller list")
    none = headline({"data": "purchases", "customers_with_recommendations": 1, "cells": 3}, 10)
    assert text(none).startswith("Suggestions for 1 customer from") and "Evaluation folds" in text(none)
    flat = headline({"data": "ratings", "mae": 0.95, "mae_global_mean": 1.0})
    assert text(flat).startswith("These suggestions are no better than guessing the average rating")


def test_a_project_saved_in_english_reads_in_chinese_without_recomputing(demo, tmp_path, monkeypatch):
    from bizops_desktop.core.display import cell_text, title
    from bizops_desktop.core.i18n import use_language
    from bizops_desktop.core.project import AnalysisState, Project, load_project, save_project
    from bizops_recommender import analysis

    datasets, _ = demo
    params = ANALYSIS.resolve({"method": "user", "eval_folds": 2})
    with use_language("en"):
        result = ANALYSIS.execute(datasets["orders"], params)
        english = [text(n) for n in result.notes]
    save_project(
        Project(
            datasets={"orders": datasets["orders"]},
            analyses={"recommender": AnalysisState("recommender", params=params, dataset="orders", result=result)},
        ),
        tmp_path / "shop.bizops",
    )
    monkeypatch.setattr(analysis, "run", None)  # nothing is computed again
    back = load_project(tmp_path / "shop.bizops").analyses["recommender"].result
    with use_language("en"):
        assert [text(n) for n in back.notes] == english
    with use_language("zh_CN"):
        assert text(back.headline).startswith("在这份数据上") or text(back.headline).startswith("这些推荐")
        assert all(CJK.search(text(n)) for n in back.notes)
        recs = back.tables["recommendations"]
        spec = back.columns["recommendations"]
        assert title("because", spec["because"]) == "推荐理由"
        assert cell_text(recs["because"].iloc[0], spec["because"]).startswith("相似顾客")
        assert cell_text(recs["product_id"].iloc[0], spec["product_id"], back.names) == recs["product_name"].iloc[0]
        assert CJK.search(back.plots["evaluation"].localized().title)
