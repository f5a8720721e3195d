"""Recommendations: similarity and prediction formulas against a hand-computed example, against
scikit-surprise's KNNWithMeans on the same data, and the planted truths of the demo shop."""

from __future__ import annotations

import math
import threading

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import Cancelled, DataError, UsageError
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.ratings import build_ratings
from bizops_recommender import ANALYSIS
from bizops_recommender import knn
from bizops_recommender.knn import KNNConfig, fit, predict_pairs

# The hand example (- = not rated).       user means: u1 3, u2 3, u3 3, u4 10/3
#        i1 i2 i3 i4
#   u1:   5  3  -  1
#   u2:   4  -  4  1
#   u3:   2  1  5  4
#   u4:   -  3  2  5
HAND = {("u1", "i1"): 5, ("u1", "i2"): 3, ("u1", "i4"): 1,
        ("u2", "i1"): 4, ("u2", "i3"): 4, ("u2", "i4"): 1,
        ("u3", "i1"): 2, ("u3", "i2"): 1, ("u3", "i3"): 5, ("u3", "i4"): 4,
        ("u4", "i2"): 3, ("u4", "i3"): 2, ("u4", "i4"): 5}


def hand_matrix():
    frame = pd.DataFrame([(u, i, r) for (u, i), r in HAND.items()], columns=["u", "i", "r"])
    return build_ratings(frame, "u", "i", "r", explicit=True)


def sim_of(model, rm, a, b):
    index = rm.user_index() if model.user_based else rm.item_index()
    return model.full[index[a], index[b]]


@pytest.mark.parametrize("similarity, surprise, pair, expected", [
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
])
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
    assert sim_of(strict, rm, "i2", "i3") == 0.0          # support 2 < 3
    assert sim_of(strict, rm, "i1", "i4") != 0.0          # support 3
    shrunk = fit(rm.matrix, KNNConfig("item", "adjusted_cosine", shrinkage=3))
    assert sim_of(shrunk, rm, "i1", "i4") == pytest.approx(-7 / (3 * math.sqrt(6)) * 3 / (3 + 3))


def reference_prediction(user, item, *, user_based, positive_only, k, sims):
    """The issue's formulas written out in plain Python over the HAND dict."""
    users = sorted({u for u, _ in HAND})
    items = sorted({i for _, i in HAND})
    mean = {u: np.mean([r for (v, _), r in HAND.items() if v == u]) for u in users}
    if user_based:
        cands = [(sims[(user, v)], HAND[(v, item)] - mean[v]) for v in users
                 if v != user and (v, item) in HAND]
    else:
        cands = [(sims[(item, j)], HAND[(user, j)] - mean[user]) for j in items
                 if j != item and (user, j) in HAND]
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
    want = [np.clip(reference_prediction(u, i, user_based=user_based, positive_only=positive_only,
                                         k=k, sims=sims), 1, 5) for u, i in missing]
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
    algo = KNNWithMeans(k=k, min_k=1, verbose=False,
                        sim_options={"name": name, "user_based": user_based, "min_support": 1})
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
    adj = (dense - dense.mean(axis=1, keepdims=True)).T   # products over customers, centred on customer means
    refs = {"cosine": cosine_similarity(Xi), "pearson": np.corrcoef(Xi),
            "adjusted_cosine": cosine_similarity(adj)}
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
    assert recs["because"].str.startswith("often bought with").all()


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
    word = "similar customers" if method == "user" else "like "
    assert recs["because"].str.contains(word).mean() > 0.9
