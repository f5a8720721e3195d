"""Quality of the Recommendations tab against a best-seller list and the `implicit` package
(item-kNN with cosine and BM25 weighting, ALS), all scored the same way in the same run.

Data sets:
- the demo shop's orders (resources/demo_shop/orders.csv): a time split, the tab's own check:
  train on the purchases before the last fifth of the history, score the products each customer
  bought in the held-back weeks and had never bought before;
- the real supermarket baskets (/work/shared/datasets/supermarket_baskets_long.csv, 4,627
  baskets, Debian weka 3.6.14, GPL-2+): the baskets carry neither customers nor dates, so no time
  split is possible; instead a seeded 30% of each basket's departments (baskets of 2 or more) is
  held back and scored ("what else goes in this basket").
The CDNOW log has customers and dates but no products, so it cannot rank products.

Every method gets the same training matrix (times bought) and is asked for the top 10 products
the customer has not bought; precision@10 / recall@10 / hit rate@10 over the customers with a
held-back purchase.

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
from bizops_recommender.timesplit import (  # noqa: E402
    ALPHAS,
    DEFAULT_SHRINKAGE,
    Scorer,
    choose_alpha,
    choose_alpha_on_cells,
    holdout_days,
    matrix_of,
    new_purchases,
    purchase_log,
    score_split,
    scores_at,
)

N = 10
SUPERMARKET = Path("/work/shared/datasets/supermarket_baskets_long.csv")


def cfg() -> KNNConfig:
    return KNNConfig(method="item", similarity="cosine", k=40, shrinkage=DEFAULT_SHRINKAGE, explicit=False)


def ours_top(R, users, alpha):
    s = Scorer.fit(R, cfg())
    return s.top(users, N, [alpha], R)[alpha][0]


def best_sellers_top(R, users):
    return ours_top(R, users, 1.0)


def implicit_top(model, R, users, confidence=1.0):
    # ALS reads the cells as confidences: the usual 1 + c x count weighting (Hu, Koren, Volinsky)
    model.fit(R * confidence if confidence != 1.0 else R, show_progress=False)
    ids, _scores = model.recommend(users, R[users], N=N, filter_already_liked_items=True)
    ids = np.asarray(ids, dtype=np.int64)
    ids[ids < 0] = -1
    return ids


def implicit_models(quick: bool):
    from implicit.als import AlternatingLeastSquares
    from implicit.nearest_neighbours import BM25Recommender, CosineRecommender

    return {
        "implicit item-kNN cosine (K=40)": lambda: CosineRecommender(K=40),
        "implicit item-kNN BM25 (K=40)": lambda: BM25Recommender(K=40),
        "implicit ALS (64 factors, 15 it., conf. 20)": lambda: AlternatingLeastSquares(
            factors=64, iterations=5 if quick else 15, regularization=0.05, random_state=0
        ),
    }


def demo_split():
    from bizops_desktop.core.demo import load_demo
    from bizops_desktop.core.views.ratings import ratings_from_dataset

    ds = {d.name: d for d in load_demo(lang="en")}["orders"]
    rm = ratings_from_dataset(ds, source="orders", weighting="counts")
    log = purchase_log(ds, rm)
    H = holdout_days(log)
    end = log.end
    test_from = end - np.timedelta64(H - 1, "D")
    val_from = test_from - np.timedelta64(H, "D")
    train, inner = log.day < test_from, log.day < val_from
    R = matrix_of(log, train, rm.shape, "counts")
    tu, ti = new_purchases(R, log, ~train)
    R_in = matrix_of(log, inner, rm.shape, "counts")
    vu, vi = new_purchases(R_in, log, train & ~inner)
    alpha = choose_alpha(score_split(R_in, vu, vi, cfg(), N, ALPHAS).at)
    return f"demo shop (time split, last {H // 7} weeks)", R, tu, ti, alpha


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
    alpha = choose_alpha_on_cells(R, cfg(), N, seed + 1)
    return "supermarket baskets (30% of each basket held back)", R, u[held][known], i[held][known], alpha


def run(quick: bool) -> None:
    sets = [demo_split()]
    if SUPERMARKET.is_file():
        sets.append(supermarket_split())
    for name, R, tu, ti, alpha in sets:
        users = np.unique(tu)
        print(
            f"\n{name}: {R.shape[0]} customers x {R.shape[1]} products, {len(users)} customers with "
            f"{len(tu)} held-back purchases; best-seller weight chosen inside the training: {alpha:.2f}"
        )
        print(f"  {'method':44s} {'precision@10':>12s} {'recall@10':>10s} {'hit rate@10':>11s} {'seconds':>8s}")
        rows = []
        t = time.perf_counter()
        top = ours_top(R, users, alpha)
        rows.append(("ours (item-kNN, shrinkage, best-seller prior)", top, time.perf_counter() - t))
        t = time.perf_counter()
        rows.append(("best-seller list", best_sellers_top(R, users), time.perf_counter() - t))
        t = time.perf_counter()
        rows.append(("ours, neighbours only (weight 0)", ours_top(R, users, 0.0), time.perf_counter() - t))
        for label, make in implicit_models(quick).items():
            t = time.perf_counter()
            conf = 20.0 if "ALS" in label else 1.0
            top = implicit_top(make(), R.astype(np.float32).tocsr(), users, conf)
            rows.append((label, top, time.perf_counter() - t))
        for label, top, secs in rows:
            ((p, r, h),) = scores_at(top, users, tu, ti, R.shape[1], [N])
            print(f"  {label:44s} {p:12.4f} {r:10.4f} {h:11.4f} {secs:8.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer ALS iterations")
    run(ap.parse_args().quick)


if __name__ == "__main__":
    main()
