"""Recommendations (pure, no Qt): "customers like you also bought" per customer and "people who
bought this also bought" per product, by user- or item-based collaborative filtering
(see ``knn.py`` for the formulas and which means are used), with a k-fold evaluation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.ratings import RatingMatrix, ratings_from_dataset

from .evaluate import evaluate
from .knn import Contributions, KNNConfig, fit, implicit_contributions, predict_pairs, recommend
from .params import PARAMS, TABLES  # noqa: F401  (re-exported for the CLI and tests)


def _config(params: dict, rm: RatingMatrix) -> KNNConfig:
    sim = params["similarity"]
    if sim == "auto":
        if not rm.explicit:
            sim = "cosine"
        else:
            sim = "adjusted_cosine" if params["method"] == "item" else "pearson"
            if params["surprise_compatible"] and sim == "adjusted_cosine":
                sim = "pearson"
    cfg = KNNConfig(method=params["method"], similarity=sim, k=params["k"],
                    min_support=params["min_support"], shrinkage=params["shrinkage"],
                    positive_only=params["positive_only"],
                    surprise_compatible=params["surprise_compatible"], explicit=rm.explicit)
    cfg.check()
    return cfg


def _label(rm: RatingMatrix, item) -> str:
    name = rm.names.get(item)
    return name if name else str(item)


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if abs(x - round(x)) > 1e-9 else str(int(round(x)))


def because_texts(rm: RatingMatrix, user_based: bool, c: Contributions, n_pairs: int) -> list[str]:
    """The one or two neighbours that pulled each recommendation up most, in words."""
    order = np.lexsort((-c.weight, c.pair))
    pair, nb, val = c.pair[order], c.neighbour[order], c.value[order]
    counts = np.bincount(pair, minlength=n_pairs)
    start = np.cumsum(counts) - counts
    rank = np.arange(len(pair)) - start[pair]
    top = rank < 2
    picked: list[list[tuple[int, float]]] = [[] for _ in range(n_pairs)]
    for p, n, v in zip(pair[top].tolist(), nb[top].tolist(), val[top].tolist()):
        picked[p].append((n, v))
    out = []
    for p in range(n_pairs):
        got = picked[p]
        if not got:
            out.append("from the customer's own average rating" if rm.explicit else "")
            continue
        if user_based:
            who = [str(rm.users[n]) for n, _ in got]
            if rm.explicit:
                parts = [f"{w} (rated it {_num(v)})" for w, (_, v) in zip(who, got)]
                out.append("similar customers " + " and ".join(parts))
            else:
                out.append("bought by similar customers " + " and ".join(who))
        else:
            what = [_label(rm, rm.items[n]) for n, _ in got]
            if rm.explicit:
                parts = [f"{w} (you rated {_num(v)})" for w, (_, v) in zip(what, got)]
                out.append("like " + " and ".join(parts))
            else:
                out.append("often bought with " + " and ".join(what) + ", which you bought")
    return out


def similar_items_table(rm: RatingMatrix, W, top_n: int) -> pd.DataFrame:
    W = W.tocsr()
    rows = np.repeat(np.arange(W.shape[0]), np.diff(W.indptr))
    cols, sims = W.indices, W.data
    keep = sims != 0
    rows, cols, sims = rows[keep], cols[keep], sims[keep]
    order = np.lexsort((cols, -sims, rows))
    rows, cols, sims = rows[order], cols[order], sims[order]
    counts = np.bincount(rows, minlength=W.shape[0])
    start = np.cumsum(counts) - counts
    rank = np.arange(len(rows)) - start[rows] + 1
    top = rank <= top_n
    rows, cols, sims, rank = rows[top], cols[top], sims[top], rank[top]
    # How many customers rated/bought both: a similarity from two shared customers is weak.
    B = rm.matrix.T.tocsr()
    B.data = np.ones_like(B.data)
    shared = np.zeros(len(rows), dtype=np.int64)
    for a in range(0, len(rows), 20000):  # in chunks: rows of best sellers are long
        r, c = rows[a:a + 20000], cols[a:a + 20000]
        shared[a:a + 20000] = np.asarray(B[r].multiply(B[c]).sum(axis=1)).ravel()
    frame = pd.DataFrame({"product_id": rm.items[rows], "rank": rank, "similar_product_id": rm.items[cols],
                          "similarity": sims, "shared_customers": shared})
    if rm.names:
        frame.insert(1, "product_name", [rm.names.get(x, "") for x in frame["product_id"].tolist()])
        frame.insert(4, "similar_product_name", [rm.names.get(x, "") for x in frame["similar_product_id"].tolist()])
    return frame


def run(dataset, params: dict[str, Any], progress: Progress) -> Result:
    rm = ratings_from_dataset(dataset, source=params["source"], weighting=params["weighting"])
    n_users, n_items = rm.shape
    if n_users < 2 or n_items < 2:
        raise DataError(f"recommendations need at least 2 customers and 2 products; the data has "
                        f"{n_users} customer(s) and {n_items} product(s)", where=dataset.name,
                        hint="Check the customer and product columns")
    cfg = _config(params, rm)
    notes = list(rm.notes)
    if params["surprise_compatible"] and not rm.explicit:
        notes.append("Surprise-compatible mode applies to ratings only; it was ignored for purchases.")
    folds = params["eval_folds"]
    if folds == 1:
        raise UsageError("evaluation needs at least 2 folds", where="eval_folds",
                         hint="use 0 to skip the evaluation, or 2 or more")
    top_n = params["top_n"]
    ends = (0.3, 0.5, 0.6) if folds else (0.6, 0.85, 1.0)

    model = fit(rm.matrix, cfg, progress.sub(0.0, ends[0]), scale=rm.rating_scale, first_row=rm.first_row)
    exclude = rm.matrix if params["exclude_purchased"] else None
    pp = progress.sub(ends[0], ends[1])
    ru, ri, rs = recommend(model, rm.matrix, top_n, exclude=exclude, progress=pp)
    pp.report(0.9, "Predictions: reasons")
    if rm.explicit:
        _, contrib = predict_pairs(model, ru, ri, contributions=True)
    else:
        contrib = implicit_contributions(model, rm.matrix, ru, ri)
    because = because_texts(rm, model.user_based, contrib, len(ru))
    counts = np.bincount(ru, minlength=n_users)
    rank = np.arange(len(ru)) - (np.cumsum(counts) - counts)[ru] + 1
    recs = pd.DataFrame({"customer_id": rm.users[ru], "rank": rank, "product_id": rm.items[ri]})
    if rm.names:
        recs["product_name"] = [rm.names.get(x, "") for x in recs["product_id"].tolist()]
    recs["score"] = rs
    recs["because"] = because

    sp_ = progress.sub(ends[1], ends[2])
    sp_.report(0.0, "Neighbours: similar products")
    if cfg.method == "item":
        W_items = model.neighbours
    else:
        item_cfg = KNNConfig(**{**cfg.__dict__, "method": "item"})
        W_items = fit(rm.matrix, item_cfg, sp_, scale=rm.rating_scale, keep=max(top_n, 1)).neighbours
    similar = similar_items_table(rm, W_items, top_n)

    if rm.explicit:
        lo, hi = rm.rating_scale
        notes.append(f"Score is the predicted rating ({_num(lo)} to {_num(hi)}).")
    else:
        weight = {"counts": "how often", "quantity": "how many units", "binary": "whether",
                  "log": "(on a log scale) how often"}[rm.weighting]
        if cfg.method == "user":
            text = f"the similarity of each similar customer times {weight} they bought the product"
        else:
            text = f"the product's similarity to each product the customer bought, times {weight} they bought it"
        notes.append(f"Score adds up {text}; higher is a stronger match (it is not a probability).")
    tables = {"recommendations": recs, "similar_items": similar}
    metrics: dict[str, Any] = {
        "data": "ratings" if rm.explicit else "purchases",
        "weighting": rm.weighting, "customers": n_users, "products": n_items, "cells": rm.nnz,
        "density": rm.nnz / float(n_users * n_items),
        "method": cfg.method, "similarity": cfg.similarity, "k": cfg.k,
        "surprise_compatible": cfg.surprise,
        "customers_with_recommendations": int((counts > 0).sum()),
        "products_recommended": int(len(np.unique(ri))),
    }
    plots = {}
    extra: dict[str, Any] = {"explicit": rm.explicit}
    if folds:
        ev = evaluate(rm, cfg, folds, params["seed"], top_n, progress.sub(ends[2], 1.0))
        evaluation = pd.DataFrame(ev.rows, columns=["metric", "fold", "value"])
        tables["evaluation"] = evaluation
        means = evaluation[evaluation["fold"] == "mean"]
        for name, val in zip(means["metric"], means["value"]):
            metrics[name.replace("@", "_at_")] = float(val)
        plots["evaluation"] = evaluation_plot(evaluation, ev.curve, rm.explicit)
        extra["curve"] = ev.curve
        if rm.explicit:
            notes.append(f"{folds}-fold check: predicted ratings are off by {metrics['rmse']:.3f} (RMSE) "
                         f"against {metrics['rmse_global_mean']:.3f} for always guessing the average.")
        else:
            notes.append(f"{folds}-fold check: {100 * metrics[f'hit_rate_at_{top_n}']:.0f}% of customers "
                         f"bought at least one of their top {top_n} held-out recommendations.")
    else:
        notes.append("Evaluation skipped (eval_folds = 0).")
    progress.report(1.0, "Done")
    return Result(tables=tables, metrics=metrics, plots=plots, notes=notes, extra=extra)


def evaluation_plot(evaluation: pd.DataFrame, curve: dict, explicit: bool) -> PlotSpec:
    if explicit:
        per = evaluation[evaluation["fold"] != "mean"]
        layers = []
        for metric, color in (("rmse", "#1f77b4"), ("mae", "#ff7f0e"), ("rmse_global_mean", "#999999")):
            sub = per[per["metric"] == metric]
            x = sub["fold"].astype(int).tolist()
            label = {"rmse": "RMSE", "mae": "MAE", "rmse_global_mean": "RMSE of the average"}[metric]
            layers.append(Layer("line", x=x, y=sub["value"].tolist(), name=label, color=color,
                                dashed=metric.endswith("mean")))
            layers.append(Layer("scatter", x=x, y=sub["value"].tolist(), color=color))
        folds = sorted({int(f) for f in per["fold"]})
        return PlotSpec("Prediction error per fold", x_label="fold", y_label="error (rating points)",
                        layers=layers, x_ticks=[[f, str(f)] for f in folds])
    return PlotSpec("Precision and recall of the top N", x_label="N (recommendations shown)",
                    y_label="share", layers=[
                        Layer("line", x=curve["n"], y=curve["precision"], name="precision@N", color="#1f77b4"),
                        Layer("scatter", x=curve["n"], y=curve["precision"], color="#1f77b4"),
                        Layer("line", x=curve["n"], y=curve["recall"], name="recall@N", color="#2ca02c"),
                        Layer("scatter", x=curve["n"], y=curve["recall"], color="#2ca02c"),
                        Layer("line", x=curve["n"], y=curve["hit_rate"], name="hit rate@N", color="#d62728")])
