"""Held-out evaluation of the neighbourhood recommender: k-fold over the cells of the user x item
matrix with a fixed seed. Explicit ratings: RMSE and MAE (and the same for always predicting the
training mean, as a yardstick). Implicit purchases: precision@N, recall@N, hit rate, coverage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.ratings import RatingMatrix

from .i18n import _
from .knn import KNNConfig, fit, predict_pairs, recommend

CUTOFFS = (1, 2, 3, 5, 10, 15, 20)


def fold_of_cells(n_cells: int, folds: int, seed: int) -> np.ndarray:
    """Fold number (0..folds-1) of each stored cell: a seeded shuffle dealt out round-robin, so
    fold sizes differ by at most one."""
    if folds < 2:
        raise UsageError(
            _("evaluation needs at least 2 folds"),
            where="eval_folds",
            hint=_("use 0 to skip the evaluation, or 2 or more"),
        )
    if n_cells < folds:
        raise DataError(
            _("only {cells:int} ratings or purchases for {folds:int} folds", cells=n_cells, folds=folds),
            where="eval_folds",
            hint=_("use fewer folds, or 0 to skip the evaluation"),
        )
    perm = np.random.default_rng(seed).permutation(n_cells)
    fold = np.empty(n_cells, dtype=np.int64)
    fold[perm] = np.arange(n_cells) % folds
    return fold


def _matrix(u, i, v, shape) -> sp.csr_matrix:
    m = sp.csr_matrix((v, (u, i)), shape=shape)
    m.sort_indices()
    return m


@dataclass
class Evaluation:
    rows: list  # (metric, fold, value); fold is "1".."F" or "mean"
    curve: dict  # implicit: {"n": [...], "precision": [...], "recall": [...]}
    paired: Any = None  # implicit: timesplit.Paired, ours against the best sellers per customer


def evaluate(
    rm: RatingMatrix,
    cfg: KNNConfig,
    folds: int,
    seed: int,
    top_n: int,
    progress: Progress | None = None,
    fold: np.ndarray | None = None,
) -> Evaluation:
    progress = progress or Progress()
    u, i, v = rm.triplets()
    first = rm.first_row.data if rm.first_row is not None else None
    fold = fold_of_cells(len(v), folds, seed) if fold is None else fold
    folds = int(fold.max()) + 1
    rows: list = []
    per: dict[str, list] = {}
    cut = sorted({c for c in CUTOFFS if c <= max(top_n, 20)} | {top_n})
    curves: dict[str, list] = {"precision": [], "recall": [], "hit_rate": []}
    # hits in the top N per customer, summed over the rounds: ours and the best-seller list's
    ours_hits = np.zeros(rm.shape[0])
    base_hits = np.zeros(rm.shape[0])
    seen = np.zeros(rm.shape[0], dtype=bool)
    for f in range(folds):
        stage = progress.sub(f / folds, (f + 1) / folds)
        prefix = _("Evaluation, fold {fold:int} of {folds:int}: ", fold=f + 1, folds=folds)
        stage.report(0.0, prefix + _("held-out predictions"))
        tr = fold != f
        te = ~tr
        R = _matrix(u[tr], i[tr], v[tr], rm.shape)
        F = _matrix(u[tr], i[tr], first[tr], rm.shape) if first is not None else None
        model = fit(R, cfg, stage.sub(0.0, 0.6), scale=rm.rating_scale, first_row=F, prefix=prefix)
        if rm.explicit:
            assert rm.rating_scale is not None  # explicit ratings always come with their scale
            pred = stage.sub(0.6, 1.0)
            pred.report(0.0, prefix + _("Predictions of held-out ratings"))
            est = predict_pairs(model, u[te], i[te], progress=pred)
            err = est - v[te]
            base = np.clip(np.full(te.sum(), model.global_mean), *rm.rating_scale) - v[te]
            vals = {
                "rmse": float(np.sqrt(np.mean(err**2))),
                "mae": float(np.mean(np.abs(err))),
                "rmse_global_mean": float(np.sqrt(np.mean(base**2))),
                "mae_global_mean": float(np.mean(np.abs(base))),
            }
        else:
            vals, curve, (users, h, hb) = _implicit_fold(
                model, R, u[te], i[te], cut, top_n, stage.sub(0.6, 1.0), prefix
            )
            ours_hits[users] += h
            base_hits[users] += hb
            seen[users] = True
            for key in curves:
                curves[key].append(curve[key])
        for name, val in vals.items():
            rows.append((name, str(f + 1), val))
            per.setdefault(name, []).append(val)
    for name, fold_values in per.items():
        rows.append((name, "mean", float(np.mean(fold_values))))
    curve = {}
    paired = None
    if not rm.explicit:
        from .timesplit import sign_test

        curve = {"n": cut, **{k: np.mean(np.array(vs), axis=0).tolist() for k, vs in curves.items()}}
        checked = seen  # every customer with a held-out purchase in some round
        paired = sign_test(ours_hits[checked], base_hits[checked], top_n)
        n = max(int(checked.sum()), 1)
        rows += [
            ("customers_more_hits", "mean", paired.better / n),
            ("customers_fewer_hits", "mean", paired.worse / n),
            ("p_better", "mean", paired.p_better),
            ("p_worse", "mean", paired.p_worse),
        ]
    return Evaluation(rows, curve, paired)


def _implicit_fold(model, R, tu, ti, cut, top_n, progress, prefix=""):
    n_users, n_items = R.shape
    trained = np.diff(R.indptr) > 0
    keep = trained[tu]
    tu, ti = tu[keep], ti[keep]
    users = np.unique(tu)
    nmax = max(cut)
    ru, ri, _ = recommend(model, R, nmax, exclude=R, users=users, progress=progress, prefix=prefix)
    # rank of each recommendation within its user's list (recommend returns them in order)
    counts = np.bincount(ru, minlength=n_users)
    start = np.cumsum(counts) - counts
    rank = np.arange(len(ru)) - start[ru]
    hit = np.isin(ru * n_items + ri, tu * n_items + ti)
    n_test = np.bincount(tu, minlength=n_users)[users].astype(float)
    prec, rec, hr = [], [], []
    for n in cut:
        h = np.bincount(ru[hit & (rank < n)], minlength=n_users)[users]
        prec.append(float(np.mean(h / n)) if len(users) else 0.0)
        rec.append(float(np.mean(h / n_test)) if len(users) else 0.0)
        hr.append(float(np.mean(h > 0)) if len(users) else 0.0)
    j = cut.index(top_n)
    pop_hits = _best_seller_hits(R, users, tu, ti, top_n)
    vals = {
        f"precision@{top_n}": prec[j],
        f"recall@{top_n}": rec[j],
        f"hit_rate@{top_n}": hr[j],
        "coverage": float(len(np.unique(ri[rank < top_n])) / max(n_items, 1)),
        f"precision@{top_n}_best_sellers": float(np.mean(pop_hits / top_n)) if len(users) else 0.0,
    }
    h = np.bincount(ru[hit & (rank < top_n)], minlength=n_users)[users]
    return vals, {"precision": prec, "recall": rec, "hit_rate": hr}, (users, h, pop_hits)


def _best_seller_hits(R, users, tu, ti, n):
    """Hits in the top n of the yardstick "recommend the best sellers the customer has not bought"
    (best seller = bought by the most customers in the training part; ties by position). Sparse:
    a customer's first n + (products bought) best sellers hold the n not bought yet."""
    n_users, n_items = R.shape
    B = R.tocsr().copy()
    B.data = np.ones_like(B.data)
    B.eliminate_zeros()
    pop = np.asarray(B.sum(axis=0)).ravel()
    ranked = np.argsort(-pop, kind="stable")
    pos_of = np.empty(n_items, dtype=np.int64)
    pos_of[ranked] = np.arange(n_items)
    users = np.asarray(users, dtype=np.int64)
    Bu = B[users]
    bought = np.diff(Bu.indptr).astype(np.int64)
    m = np.minimum(n + bought, n_items)
    rows = np.repeat(np.arange(len(users), dtype=np.int64), m)
    pos = np.arange(int(m.sum()), dtype=np.int64) - np.repeat(np.cumsum(m) - m, m)
    items = ranked[pos]
    owned = np.sort(np.repeat(np.arange(len(users), dtype=np.int64), bought) * n_items + Bu.indices)
    key = rows * n_items + items
    if len(owned):
        at = np.minimum(np.searchsorted(owned, key), len(owned) - 1)
        free = owned[at] != key
        rows, items, key = rows[free], items[free], key[free]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    pick = rank < n
    rows, key = rows[pick], key[pick]
    # held-out pairs of the listed users, as keys over the block's rows
    where = np.full(n_users, -1, dtype=np.int64)
    where[users] = np.arange(len(users))
    tr = where[np.asarray(tu, dtype=np.int64)]
    held = np.unique(tr[tr >= 0] * n_items + np.asarray(ti, dtype=np.int64)[tr >= 0])
    hits = np.zeros(len(users))
    if len(held):
        at = np.minimum(np.searchsorted(held, key), len(held) - 1)
        np.add.at(hits, rows[held[at] == key], 1.0)
    return hits
