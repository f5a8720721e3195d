"""Quality of the Recommendations tab against a best-seller list and the `implicit` package
(item-kNN with cosine and BM25 weighting, ALS), all scored the same way in the same run.

Data sets:
- the demo shop's orders (resources/demo_shop/orders.csv): a time split, the tab's own check:
  train on the purchases before the last fifth of the history, score the products each customer
  bought in the held-back weeks and had never bought before;
- a generated purchase log with a planted truth (plugins/bizops_recommender/planted.py, seed 0):
  3,000 customers, 400 products in 8 taste groups, 85% of the lines inside the customer's group
  with a Zipf popularity in each group, dated orders over a year; same time split;
- the real supermarket baskets (/work/shared/datasets/supermarket_baskets_long.csv, 4,627
  baskets, Debian weka 3.6.14, GPL-2+): the baskets carry neither customers nor dates, so no time
  split is possible; instead a seeded 30% of each basket's departments (baskets of 2 or more) is
  held back and scored ("what else goes in this basket").

Every method gets the same training matrix (times bought) and is asked for the top products the
customer has not bought; precision / recall / hit rate at k and at 10 over the customers with a
held-back purchase. k is the tab's own choice (a quarter of the products the typical checked
customer has not bought yet, at most 10): on the demo shop a top 10 holds nearly every unbought
product, whatever the method. Each method is compared with the best-seller list customer by
customer (hits at k): "+/-" counts customers with more / fewer hits, p is the one-sided sign
test that the method is better; "p>ours" the one-sided sign test that it beats ours. Tuning is
fair: ours picks its best-seller weight, implicit's kNN its K and ALS its factors,
regularisation and confidence scaling on the validation window (the weeks before the held-out
ones; supermarket: a fifth of the training cells), all by precision at k.

    python benchmarks/bench_recommender_quality.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
warnings.filterwarnings("ignore", module="implicit")

from bizops_recommender.knn import KNNConfig  # noqa: E402
from bizops_recommender.planted import planted_log  # noqa: E402
from bizops_recommender.timesplit import (  # noqa: E402
    ALPHAS,
    PurchaseLog,
    Scorer,
    choose_alpha,
    default_shrinkage,
    eval_cutoff,
    hits_at,
    holdout_days,
    matrix_of,
    new_purchases,
    purchase_log,
    score_split,
    scores_at,
    sign_test,
)

N = 10
SUPERMARKET = Path("/work/shared/datasets/supermarket_baskets_long.csv")


def cfg(similarity: str = "bm25") -> KNNConfig:
    """The tab's defaults for purchases: item-based, BM25 (no shrinkage), 40 neighbours."""
    return KNNConfig(
        method="item", similarity=similarity, k=40, shrinkage=default_shrinkage(similarity), explicit=False
    )


def ours_top(R, users, alpha, n=N, similarity="bm25"):
    s = Scorer.fit(R, cfg(similarity))
    return s.top(users, n, [alpha], R)[alpha][0]


def implicit_top(model, R, users, confidence=1.0, n=N):
    # ALS reads the cells as confidences: the usual 1 + c x count weighting (Hu, Koren, Volinsky)
    model.fit(R * confidence if confidence != 1.0 else R, show_progress=False)
    ids, _scores = model.recommend(users, R[users], N=n, filter_already_liked_items=True)
    ids = np.asarray(ids, dtype=np.int64)
    ids[ids < 0] = -1
    return ids


def implicit_grid(quick: bool):
    """label -> list of (setting words, factory, confidence) tried on the validation window."""
    from implicit.als import AlternatingLeastSquares
    from implicit.nearest_neighbours import BM25Recommender, CosineRecommender

    als = []
    for f in (16, 64) if not quick else (32,):
        for reg in (0.01, 0.1, 1.0) if not quick else (0.1,):
            for conf in (1.0, 5.0, 20.0, 50.0) if not quick else (5.0, 20.0):
                als.append(
                    (
                        f"{f} factors, reg. {reg:g}, conf. {conf:g}",
                        lambda f=f, reg=reg: AlternatingLeastSquares(
                            factors=f, iterations=5 if quick else 15, regularization=reg, random_state=0
                        ),
                        conf,
                    )
                )
    return {
        "implicit item-kNN cosine": [(f"K={k}", lambda k=k: CosineRecommender(K=k), 1.0) for k in (20, 40, 100)],
        "implicit item-kNN BM25": [(f"K={k}", lambda k=k: BM25Recommender(K=k), 1.0) for k in (20, 40, 100)],
        "implicit ALS": als,
    }


def precision(top, users, tu, ti, n_items, k):
    ((p, _r, _h),) = scores_at(top, users, tu, ti, n_items, [k])
    return p


def log_split(log: PurchaseLog, shape, name):
    """Time split of a purchase log: (name, R_train, tu, ti, R_validation_train, vu, vi, k)."""
    H = holdout_days(log)
    end = log.end
    test_from = end - np.timedelta64(H - 1, "D")
    val_from = test_from - np.timedelta64(H, "D")
    train, inner = log.day < test_from, log.day < val_from
    R = matrix_of(log, train, shape, "counts")
    tu, ti = new_purchases(R, log, ~train)
    R_in = matrix_of(log, inner, shape, "counts")
    vu, vi = new_purchases(R_in, log, train & ~inner)
    k = eval_cutoff(R, np.unique(tu), N)
    return f"{name} (time split, last {H // 7} weeks)", R, tu, ti, R_in, vu, vi, k


def demo_split():
    from bizops_desktop.core.demo import load_demo
    from bizops_desktop.core.views.ratings import ratings_from_dataset

    ds = {d.name: d for d in load_demo(lang="en")}["orders"]
    rm = ratings_from_dataset(ds, source="orders", weighting="counts")
    return log_split(purchase_log(ds, rm), rm.shape, "demo shop")


def planted_split(quick: bool):
    frame, _truth = planted_log(n_customers=1500 if quick else 3000, seed=0)
    u, _users = pd.factorize(frame["customer"])
    i, items = pd.factorize(frame["product"])
    day = frame["date"].to_numpy().astype("datetime64[D]")
    log = PurchaseLog(u, i, day, frame["price"].to_numpy(float), np.ones(len(u)), True)
    return log_split(log, (len(_users), len(items)), "planted taste groups")


def supermarket_split(seed=0):
    f = pd.read_csv(SUPERMARKET)
    u, users = pd.factorize(f["basket_id"])
    i, items = pd.factorize(f["item"])
    key = np.unique(u.astype(np.int64) * len(items) + i)
    u, i = key // len(items), key % len(items)
    size = np.bincount(u)
    held = (np.random.default_rng(seed).uniform(size=len(u)) < 0.3) & (size[u] >= 2)
    R = sp.csr_matrix((np.ones((~held).sum()), (u[~held], i[~held])), shape=(len(users), len(items)))
    R.sort_indices()
    known = np.diff(R.indptr)[u[held]] > 0
    tu, ti = u[held][known], i[held][known]
    # validation: a seeded fifth of the training cells held back
    rows = np.repeat(np.arange(R.shape[0]), np.diff(R.indptr))
    vh = np.random.default_rng(seed + 1).uniform(size=R.nnz) < 0.2
    R_in = sp.csr_matrix((R.data[~vh], (rows[~vh], R.indices[~vh])), shape=R.shape)
    k = eval_cutoff(R, np.unique(tu), N)
    return "supermarket baskets (30% of each basket held back)", R, tu, ti, R_in, rows[vh], R.indices[vh], k


def run(quick: bool) -> None:
    sets = [demo_split(), planted_split(quick)]
    if SUPERMARKET.is_file():
        sets.append(supermarket_split())
    for name, R, tu, ti, R_in, vu, vi, k in sets:
        users = np.unique(tu)
        vusers = np.unique(vu)
        n_items = R.shape[1]
        alpha = choose_alpha(score_split(R_in, vu, vi, cfg(), k, ALPHAS, [k]).at)
        print(
            f"\n{name}: {R.shape[0]} customers x {n_items} products, {len(users)} customers with "
            f"{len(tu)} held-back purchases; scored at k = {k} (and 10); best-seller weight chosen on the "
            f"validation window: {alpha:.2f}"
        )
        print(
            f"  {'method':52s} {'prec@k':>7s} {'rec@k':>7s} {'hit@k':>7s} {'prec@10':>7s} {'hit@10':>7s}"
            f" {'+/- vs best sellers':>19s} {'p':>8s} {'p>ours':>9s} {'s':>6s}"
        )
        rows = []
        t = time.perf_counter()
        rows.append((f"ours (item-kNN BM25, best-seller weight {alpha:.2f})", ours_top(R, users, alpha)))
        rows[-1] += (time.perf_counter() - t,)
        t = time.perf_counter()
        base = ours_top(R, users, 1.0)
        rows.append(("best-seller list", base, time.perf_counter() - t))
        t = time.perf_counter()
        rows.append(("ours, neighbours only (weight 0)", ours_top(R, users, 0.0), time.perf_counter() - t))
        t = time.perf_counter()
        a_cos = choose_alpha(score_split(R_in, vu, vi, cfg("cosine"), k, ALPHAS, [k]).at)
        top = ours_top(R, users, a_cos, similarity="cosine")
        rows.append((f"ours with cosine, shrinkage 10 (before; weight {a_cos:.2f})", top, time.perf_counter() - t))
        Rf, Rin_f = R.astype(np.float32).tocsr(), R_in.astype(np.float32).tocsr()
        for label, grid in implicit_grid(quick).items():
            t = time.perf_counter()
            best = max(
                grid,
                key=lambda g: precision(implicit_top(g[1](), Rin_f, vusers, g[2], k), vusers, vu, vi, n_items, k),
            )
            top = implicit_top(best[1](), Rf, users, best[2])
            rows.append((f"{label} ({best[0]})", top, time.perf_counter() - t))
        base_hits = hits_at(base[:, :k], users, tu, ti, n_items).sum(axis=1)
        ours_hits = hits_at(rows[0][1][:, :k], users, tu, ti, n_items).sum(axis=1)
        for label, top, secs in rows:
            (pk, rk, hk), (p10, _r10, h10) = scores_at(top, users, tu, ti, n_items, [k, N])
            hits = hits_at(top[:, :k], users, tu, ti, n_items).sum(axis=1)
            pr = sign_test(hits, base_hits, k)
            vs = f"+{pr.better} / -{pr.worse}"
            # ours against this method, customer by customer: p that ours is worse than it
            po = sign_test(hits, ours_hits, k).p_better if label != rows[0][0] else float("nan")
            print(
                f"  {label:52s} {pk:7.4f} {rk:7.4f} {hk:7.4f} {p10:7.4f} {h10:7.4f} {vs:>19s} {pr.p_better:8.2g}"
                f" {po:9.2g} {secs:6.1f}"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer ALS iterations")
    run(ap.parse_args().quick)


if __name__ == "__main__":
    main()
