"""Recommendations at real size give the numbers of the plain dense computation: the sparse item
similarities equal the dense ones (cosine, BM25; the same values, ties at the k-th place to the
lower product), the sparse best-seller blend equals a stable sort of every customer's whole row,
"customers like this one" equals the 30 nearest by a stable sort of the dense cosines, and the
similarities computed in pieces on the batch engine (local worker processes, a Dask LocalCluster)
equal the ones computed in this process."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from bizops_desktop.core import engine
from bizops_desktop.core.progress import Progress
from bizops_recommender import blocks, knn
from bizops_recommender.knn import KNNConfig, fit
from bizops_recommender.timesplit import ALPHAS, Scorer, neighbour_share


def purchases(seed: int, n_users: int = 150, n_items: int = 60, p: float = 0.08) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    pop = 1 / np.arange(1, n_items + 1) ** 0.8  # a few best sellers, a long tail
    bought = rng.uniform(size=(n_users, n_items)) < np.minimum(1.0, p * n_items * pop / pop.sum() * 3)
    R = sp.csr_matrix(bought * rng.integers(1, 4, (n_users, n_items)), dtype=float)
    return R[np.diff(R.indptr) > 0]


def dense_similarities(R: sp.csr_matrix, cfg: KNNConfig) -> np.ndarray:
    """The reference: every pair of x rows, dense."""
    A = (R if cfg.method == "user" else R.T).toarray()
    B = (A != 0).astype(float)  # who bought: the shared customers behind the shrinkage
    if cfg.similarity == "bm25":
        A = knn._bm25_weighted(sp.csr_matrix(A)).toarray()
        S = A @ A.T
    else:
        norm = np.sqrt((A * A).sum(axis=1))
        inv = np.where(norm > 0, 1 / np.maximum(norm, 1e-300), 0.0)
        S = (A @ A.T) * inv[:, None] * inv[None, :]
    if cfg.shrinkage:
        n = B @ B.T
        S = S * n / (n + cfg.shrinkage)
    np.fill_diagonal(S, 0.0)
    return S


@pytest.mark.parametrize("similarity", ["cosine", "bm25"])
@pytest.mark.parametrize("method", ["item", "user"])
@pytest.mark.parametrize("shrinkage", [0.0, 10.0])
def test_sparse_neighbours_are_the_dense_top_k(similarity, method, shrinkage):
    R = purchases(1)
    cfg = KNNConfig(method=method, similarity=similarity, k=7, shrinkage=shrinkage, explicit=False)
    W = fit(R, cfg).neighbours.toarray()
    S = dense_similarities(R, cfg)
    for row in range(S.shape[0]):
        # the k largest positive similarities, ties to the lower column (a stable sort)
        order = np.argsort(-S[row], kind="stable")
        want = [c for c in order[:7] if S[row, c] > 0]
        assert np.flatnonzero(W[row]).tolist() == sorted(want)
        np.testing.assert_allclose(W[row, want], S[row, want], rtol=1e-12, atol=1e-15)


def dense_top(scorer: Scorer, users, n: int, alpha: float, exclude):
    """The reference blend: every product of each row scored, a stable sort in popularity order."""
    W = scorer.model.neighbours
    R = scorer.R
    cf = (W[users] @ R).toarray() if scorer.model.user_based else (R[users] @ W.T).toarray()
    cf = np.maximum(cf, 0.0)
    top = cf.max(axis=1, keepdims=True)
    np.divide(cf, top, out=cf, where=top > 0)
    cf = cf[:, scorer.order]
    pop_n = scorer.pop[scorer.order] / scorer.pop.max()
    s = (1.0 - alpha) * cf + alpha * pop_n[None, :]
    if alpha == 0.0:
        s[cf <= 0] = -np.inf
    if exclude is not None:
        s[exclude[users][:, scorer.order].toarray() != 0] = -np.inf
    idx = np.argsort(-s, axis=1, kind="stable")[:, :n]
    val = np.take_along_axis(s, idx, axis=1)
    return np.where(np.isfinite(val), scorer.order[idx], -1), val


@pytest.mark.parametrize("dense_share", [0.0, 2.0])  # every block ranked dense / every block sparse
@pytest.mark.parametrize("method", ["item", "user"])
def test_the_sparse_best_seller_blend_equals_sorting_every_row(monkeypatch, dense_share, method):
    from bizops_recommender import timesplit

    monkeypatch.setattr(timesplit, "DENSE_SHARE", dense_share)
    monkeypatch.setattr(timesplit, "SCORE_FLOPS", 2000)  # many small blocks
    R = purchases(2, n_users=120, n_items=50)
    scorer = Scorer.fit(R, KNNConfig(method=method, similarity="bm25", k=10, shrinkage=0.0, explicit=False))
    users = np.arange(0, R.shape[0], 2)
    for exclude in (R, None):
        got = scorer.top(users, 12, ALPHAS, exclude)
        for alpha in ALPHAS:
            items, vals = dense_top(scorer, users, 12, alpha, exclude)
            assert (got[alpha][0] == items).all(), alpha
            np.testing.assert_array_equal(got[alpha][1], vals)


def test_customers_like_this_one_are_the_30_nearest_by_a_stable_sort(monkeypatch):
    from bizops_recommender import timesplit

    R = purchases(3, n_users=200, n_items=40, p=0.15)
    B = (R.toarray() != 0).astype(float)
    rng = np.random.default_rng(0)
    ru = np.repeat(np.arange(R.shape[0]), 2)
    ri = rng.integers(0, R.shape[1], len(ru))
    norms = np.linalg.norm(B, axis=1)
    want = np.zeros(len(ru))
    for j, (u, i) in enumerate(zip(ru, ri)):
        sims = B @ B[u] / (norms * norms[u])
        sims[u] = -np.inf
        want[j] = B[np.argsort(-sims, kind="stable")[:30], i].mean()
    np.testing.assert_allclose(neighbour_share(R, ru, ri), want, atol=1e-12)
    monkeypatch.setattr(timesplit, "HEAD_SHARE", 10**9)  # every product counted sparse: same
    np.testing.assert_allclose(neighbour_share(R, ru, ri), want, atol=1e-12)


def pieces_input(seed: int = 4):
    R = purchases(seed, n_users=300, n_items=120)
    A = R.T.tocsr()
    V = knn._bm25_weighted(A)
    return V, V.T.tocsr()


def test_the_similarities_in_pieces_on_local_worker_processes_equal_this_process(monkeypatch):
    V, VT = pieces_input()
    here = blocks.similarities_in_pieces(V, VT, None, None, 1, 0.0, 10, True, Progress(), engine=False)
    texts: list[str] = []
    engine.set_engine("local")
    try:
        monkeypatch.setattr(blocks, "ENGINE_PIECES", 4)
        monkeypatch.setattr(knn, "FLOPS_PER_BLOCK", 1000)  # small input, still 4 pieces
        there = blocks.similarities_in_pieces(
            V, VT, None, None, 1, 0.0, 10, True, Progress(lambda f, t: texts.append(t)), engine=True
        )
    finally:
        engine.set_engine(None)
    a = sp.csr_matrix((here[2], (here[0], here[1])), shape=(V.shape[0],) * 2)
    b = sp.csr_matrix((there[2], (there[0], there[1])), shape=(V.shape[0],) * 2)
    assert a.nnz == b.nnz > 0 and abs(a - b).max() == 0.0
    assert any("worker processes" in t for t in texts)


def test_the_similarities_on_a_dask_local_cluster_equal_this_process(monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(knn, "FLOPS_PER_BLOCK", 1000)
    monkeypatch.setattr(knn, "ENGINE_ROWS", 50)  # a "big" catalogue: on the dask engine it goes to the cluster
    V, VT = pieces_input(5)
    here = blocks.similarities_in_pieces(V, VT, None, None, 1, 0.0, 10, True, Progress(), engine=False)
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None)
    try:
        engine.set_engine("dask", cluster.scheduler_address)
        texts: list[str] = []
        there = blocks.similarities_in_pieces(
            V, VT, None, None, 1, 0.0, 10, True, Progress(lambda f, t: texts.append(t))
        )
    finally:
        engine.set_engine(None)
        cluster.close()
    a = sp.csr_matrix((here[2], (here[0], here[1])), shape=(V.shape[0],) * 2)
    b = sp.csr_matrix((there[2], (there[0], there[1])), shape=(V.shape[0],) * 2)
    assert a.nnz == b.nnz > 0 and abs(a - b).max() == 0.0
    assert any("to the cluster" in t for t in texts)


def test_a_big_check_scores_a_sample_of_customers_and_says_so(monkeypatch):
    from bizops_desktop.core.dataset import Dataset
    from bizops_desktop.core.i18n import text
    from bizops_recommender import ANALYSIS, timesplit
    from bizops_recommender.planted import planted_log

    frame, _truth = planted_log(n_customers=500, n_products=80, n_groups=4, seed=1)
    ds = Dataset("orders", frame)
    for role, col in (("customer_id", "customer"), ("product_id", "product"), ("date", "date")):
        ds.set_role(role, col)
    whole = ANALYSIS.execute(ds, {"method": "item"}).metrics
    assert whole["evaluated_customers"] == whole["customers_with_new_purchases"] > 100
    monkeypatch.setattr(timesplit, "EVAL_CUSTOMERS", 100)
    res = ANALYSIS.execute(ds, {"method": "item"})
    m = res.metrics
    assert m["evaluated_customers"] == 100 and m["customers_with_new_purchases"] == whole["evaluated_customers"]
    assert any(text(n).startswith("The check scored a random sample of 100 of the") for n in res.notes)
    # the same sample every run
    assert ANALYSIS.execute(ds, {"method": "item"}).metrics["precision_at_10"] == m["precision_at_10"]
