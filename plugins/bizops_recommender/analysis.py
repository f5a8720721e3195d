"""Recommendations (pure, no Qt): "customers like you also bought" per customer and "people who
bought this also bought" per product, by user- or item-based collaborative filtering
(see ``knn.py`` for the formulas and which means are used), with a k-fold evaluation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bizops_desktop.core.actions import Action
from bizops_desktop.core.analysis import Result
from bizops_desktop.core.display import Column
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.ratings import RatingMatrix, ratings_from_dataset

from .evaluate import CUTOFFS, evaluate
from .i18n import M, Mn, _, _l, _n
from .knn import Contributions, KNNConfig, fit, implicit_contributions, predict_pairs, recommend, shared_counts
from .params import PARAMS  # noqa: F401  (re-exported for the CLI and tests)
from .reorder import due_again
from .timesplit import (
    Scorer,
    choose_alpha_on_cells,
    default_shrinkage,
    evaluate_time_split,
    holdout_days,
    neighbour_share,
    popularity,
    purchase_log,
)


def _config(params: dict, rm: RatingMatrix) -> KNNConfig:
    sim = params["similarity"]
    if sim == "auto":
        if not rm.explicit:
            sim = "bm25"
        else:
            sim = "adjusted_cosine" if params["method"] == "item" else "pearson"
            if params["surprise_compatible"] and sim == "adjusted_cosine":
                sim = "pearson"
    cfg = KNNConfig(
        method=params["method"],
        similarity=sim,
        k=params["k"],
        min_support=params["min_support"],
        shrinkage=params["shrinkage"],
        positive_only=params["positive_only"],
        surprise_compatible=params["surprise_compatible"],
        explicit=rm.explicit,
    )
    cfg.check()
    return cfg


def _label(rm: RatingMatrix, item) -> str:
    name = rm.names.get(item)
    return name if name else str(item)


def _cell(message) -> dict:
    """A sentence cell of a table: the message as plain data (domain, English template, values),
    so that it is saved with the project and shown in the reader's language."""
    return {"domain": message.domain, "msgid": message.msgid, "values": message.values}


# The reason for a recommendation, by (user-based, ratings, how many neighbours are named).
REASONS = {
    (True, True, 1): _l("similar customer {a} rated it {ra}"),
    (True, True, 2): _l("similar customers {a} and {b} rated it {ra} and {rb}"),
    (True, False, 1): _l("bought by similar customer {a}"),
    (True, False, 2): _l("bought by similar customers {a} and {b}"),
    (False, True, 1): _l("similar to {a}, which they rated {ra}"),
    (False, True, 2): _l("similar to {a} and {b}, which they rated {ra} and {rb}"),
    (False, False, 1): _l("often bought with {a}, which they bought"),
    (False, False, 2): _l("often bought with {a} and {b}, which they bought"),
}


def because_texts(rm: RatingMatrix, user_based: bool, c: Contributions, n_pairs: int) -> list:
    """The one or two neighbours that pulled each recommendation up most, in words (a message per
    recommendation, see :func:`_cell`): similar customers by id, products by name."""
    order = np.lexsort((-c.weight, c.pair))
    pair, nb, val = c.pair[order], c.neighbour[order], c.value[order]
    counts = np.bincount(pair, minlength=n_pairs)
    start = np.cumsum(counts) - counts
    rank = np.arange(len(pair)) - start[pair]
    top = rank < 2
    picked: list[list[tuple[int, float]]] = [[] for _ in range(n_pairs)]
    for p, n, v in zip(pair[top].tolist(), nb[top].tolist(), val[top].tolist()):
        picked[p].append((n, v))
    own = _cell(M("from this customer's own average rating")) if rm.explicit else None
    out: list = []
    for got in picked:
        if not got:
            out.append(own)
            continue
        who = [str(rm.users[n]) if user_based else _label(rm, rm.items[n]) for n, _v in got]
        values: dict[str, Any] = {"a": who[0]}
        if len(got) > 1:
            values["b"] = who[1]
        if rm.explicit:
            values["ra"] = got[0][1]
            if len(got) > 1:
                values["rb"] = got[1][1]
        out.append(_cell(M(REASONS[(user_based, rm.explicit, len(got))].msgid, **values)))
    return out


def similar_items_table(rm: RatingMatrix, W, top_n: int, cosine_of_buyers: bool = False) -> pd.DataFrame:
    """Each product's ``top_n`` neighbours in ``W``, best first. ``cosine_of_buyers``: for a model
    whose links are not on a 0..1 scale (BM25), the similarity shown, and the order among the
    model's neighbours, is the cosine of the two products' sets of buyers (1: the same customers)."""
    W = W.tocsr()
    rows = np.repeat(np.arange(W.shape[0]), np.diff(W.indptr))
    cols, sims = W.indices, W.data
    keep = sims != 0
    rows, cols, sims = rows[keep], cols[keep], sims[keep]
    # How many customers rated/bought both: a similarity from two shared customers is weak.
    B = rm.matrix.T.tocsr()
    B.data = np.ones_like(B.data)

    def shared_of(rows, cols):
        return shared_counts(B, rows, cols).astype(np.int64)

    if cosine_of_buyers:
        shared = shared_of(rows, cols)
        buyers = np.diff(B.indptr).astype(float)
        sims = shared / np.sqrt(np.maximum(buyers[rows] * buyers[cols], 1.0))
    order = np.lexsort((cols, -sims, rows))
    rows, cols, sims = rows[order], cols[order], sims[order]
    counts = np.bincount(rows, minlength=W.shape[0])
    start = np.cumsum(counts) - counts
    rank = np.arange(len(rows)) - start[rows] + 1
    top = rank <= top_n
    rows, cols, sims, rank = rows[top], cols[top], sims[top], rank[top]
    shared = shared[order][top] if cosine_of_buyers else shared_of(rows, cols)
    frame = pd.DataFrame(
        {
            "product_id": rm.items[rows],
            "rank": rank,
            "similar_product_id": rm.items[cols],
            "similarity": sims,
            "shared_customers": shared,
        }
    )
    if rm.names:
        frame.insert(1, "product_name", [rm.names.get(x, "") for x in frame["product_id"].tolist()])
        frame.insert(4, "similar_product_name", [rm.names.get(x, "") for x in frame["similar_product_id"].tolist()])
    return frame


def run(dataset, params: dict[str, Any], progress: Progress) -> Result:
    rm = ratings_from_dataset(dataset, source=params["source"], weighting=params["weighting"])
    n_users, n_items = rm.shape
    if n_users < 2 or n_items < 2:
        raise DataError(
            _(
                "recommendations need at least 2 customers and 2 products; the data has {customers} and {products}",
                customers=_n("{n} customer", "{n} customers", n_users),
                products=_n("{n} product", "{n} products", n_items),
            ),
            where=dataset.name,
            hint=_("Check the customer and product columns"),
        )
    cfg = _config(params, rm)
    notes: list[Any] = list(rm.notes)
    if params["surprise_compatible"] and not rm.explicit:
        notes.append(M("Surprise-compatible mode applies to ratings only; it was ignored for purchases."))
    folds = params["eval_folds"]
    if folds == 1:
        raise UsageError(
            _("evaluation needs at least 2 folds"),
            where="eval_folds",
            hint=_("use 0 to skip the evaluation, or 2 or more"),
        )
    top_n = params["top_n"]
    ends = (0.3, 0.5, 0.6) if folds else (0.6, 0.85, 1.0)

    exclude = rm.matrix if params["exclude_purchased"] else None
    pp = progress.sub(ends[0], ends[1])
    log = None if rm.explicit else purchase_log(dataset, rm)
    split = split_dates = None
    if rm.explicit:
        model = fit(rm.matrix, cfg, progress.sub(0.0, ends[0]), scale=rm.rating_scale, first_row=rm.first_row)
        ru, ri, rs = recommend(model, rm.matrix, top_n, exclude=exclude, progress=pp)
        pp.report(0.9, _("Predictions: reasons"))
        _unused, contrib = predict_pairs(model, ru, ri, contributions=True)
        share = None
    else:
        if cfg.shrinkage is None:
            cfg.shrinkage = default_shrinkage(cfg.similarity)
        scorer = Scorer.fit(rm.matrix, cfg, progress.sub(0.0, 0.4 * ends[0]))
        model = scorer.model
        check = progress.sub(0.4 * ends[0], ends[0])
        holdout = holdout_days(log, params["holdout_weeks"]) if log is not None else 0
        if folds and log is not None and (log.end - log.start).astype(int) + 1 >= 2 * holdout + 7:
            cut = sorted({c for c in CUTOFFS if c <= max(top_n, 20)} | {top_n})
            split, split_dates = evaluate_time_split(
                log, rm.shape, cfg, rm.weighting, top_n, cut, holdout, check, prefix=_("Evaluation, later weeks: ")
            )
            alpha = split.final_alpha
        else:
            if folds and log is not None:
                notes.append(
                    M("The data covers too few weeks to check on later weeks; purchases held back at random instead.")
                )
            alpha = choose_alpha_on_cells(rm.matrix, cfg, top_n, params["seed"])
        pp.report(0.0, _("Predictions: customers {first:int}-{last:int} of {n:int}", first=1, last=n_users, n=n_users))
        items, vals = scorer.top(np.arange(n_users), top_n, [alpha], exclude, pp.sub(0.0, 0.9))[alpha]
        ok = items >= 0
        ru = np.broadcast_to(np.arange(n_users)[:, None], items.shape)[ok].astype(np.int64)
        ri, rs = items[ok].astype(np.int64), vals[ok]
        pp.report(0.9, _("Predictions: reasons"))
        contrib = implicit_contributions(model, rm.matrix, ru, ri)
        share = neighbour_share(rm.matrix, ru, ri)
        metrics_extra = {"popularity_weight": float(alpha), "shrinkage": float(cfg.shrinkage)}
    because = because_texts(rm, model.user_based, contrib, len(ru))
    if not rm.explicit:
        pop = popularity(rm.matrix)
        for k, b in enumerate(because):
            if b is None:  # no neighbour behind it: the popularity prior put it there
                because[k] = _cell(
                    M("one of the best sellers: bought by {share:percent} of all customers", share=float(pop[ri[k]]))
                )
    counts = np.bincount(ru, minlength=n_users)
    rank = np.arange(len(ru)) - (np.cumsum(counts) - counts)[ru] + 1
    recs = pd.DataFrame({"customer_id": rm.users[ru], "rank": rank, "product_id": rm.items[ri]})
    if rm.names:
        recs["product_name"] = [rm.names.get(x, "") for x in recs["product_id"].tolist()]
    if share is not None:
        recs["share"] = share
    recs["score"] = rs
    recs["because"] = because

    sp_ = progress.sub(ends[1], ends[2])
    sp_.report(0.0, _("Neighbours: similar products"))
    if cfg.method == "item":
        W_items = model.neighbours
    else:
        item_cfg = KNNConfig(**{**cfg.__dict__, "method": "item"})
        W_items = fit(rm.matrix, item_cfg, sp_, scale=rm.rating_scale, keep=max(top_n, 1)).neighbours
    similar = similar_items_table(rm, W_items, top_n, cosine_of_buyers=cfg.similarity == "bm25")

    if rm.explicit:
        assert rm.rating_scale is not None  # explicit ratings always come with their scale
        lo, hi = rm.rating_scale
        notes.append(
            M(
                "The predicted rating is the number of stars the customer would probably give "
                "the product ({low} to {high}).",
                low=float(lo),
                high=float(hi),
            )
        )
    else:
        notes.append(score_note(cfg.method, rm.weighting))
    tables = {"recommendations": recs, "similar_items": similar}
    metrics: dict[str, Any] = {
        "data": "ratings" if rm.explicit else "purchases",
        "weighting": rm.weighting,
        "customers": n_users,
        "products": n_items,
        "cells": rm.nnz,
        "density": rm.nnz / float(n_users * n_items),
        "method": cfg.method,
        "similarity": cfg.similarity,
        "k": cfg.k,
        "surprise_compatible": cfg.surprise,
        "customers_with_recommendations": int((counts > 0).sum()),
        "products_recommended": int(len(np.unique(ri))),
    }
    if not rm.explicit:
        metrics.update(metrics_extra)
    plots = {}
    extra: dict[str, Any] = {"explicit": rm.explicit}
    if split is not None:
        assert split_dates is not None
        evaluation = time_split_table(split, top_n)
        tables["evaluation"] = evaluation
        for name, val in zip(evaluation["metric"], evaluation["value"]):
            metrics[name.replace("@", "_at_")] = float(val)
        metrics.update(
            {
                "evaluation": "time_split",
                "eval_k": split.k,
                "test_start": split_dates["test_start"],
                "test_end": split_dates["test_end"],
                "train_end": split_dates["train_end"],
                "holdout_days": split_dates["holdout_days"],
                "evaluated_customers": split.users,
                "customers_with_new_purchases": split.sampled_from or split.users,
                "new_purchases_held_out": split.pairs,
                "popularity_weight_evaluated": split.alpha,
            }
        )
        curve = {
            "n": split.cutoffs,
            "precision": [v[0] for v in split.ours],
            "recall": [v[1] for v in split.ours],
            "hit_rate": [v[2] for v in split.ours],
        }
        plots["evaluation"] = evaluation_plot(evaluation, curve, False, top_n)
        extra["curve"] = curve
        notes.append(
            M(
                "Checked on time: trained on the purchases up to {train_end:date}, then scored on the "
                "{n:int} new products that {customers:int} customers bought from {start:date} to {end:date} "
                "(products they had never bought before). The weight of the best-seller list in the score "
                "({weight:percent}) was chosen on the weeks just before, inside the training data.",
                train_end=split_dates["train_end"],
                n=split.pairs,
                customers=split.users,
                start=split_dates["test_start"],
                end=split_dates["test_end"],
                weight=split.alpha,
            )
        )
        if split.sampled_from:
            notes.append(
                M(
                    "The check scored a random sample of {n:int} of the {all:int} customers who bought new "
                    "products in those weeks (the same sample every run), so that it stays quick on a shop "
                    "this size.",
                    n=split.users,
                    all=split.sampled_from,
                )
            )
        notes.append(
            M(
                "The comparison with the best sellers is made on each customer's top {k:int}, a quarter of the "
                "{free:num} products the typical checked customer had not bought yet (a list holding nearly all "
                "of them finds the same purchases whatever the method), and customer by customer: "
                "better or worse only when a sign test says so (p below 5%).",
                k=split.k,
                free=split.unbought,
            )
        )
    elif folds:
        ev = evaluate(rm, cfg, folds, params["seed"], top_n, progress.sub(ends[2], 1.0))
        evaluation = pd.DataFrame(ev.rows, columns=["metric", "fold", "value"])
        tables["evaluation"] = evaluation
        means = evaluation[evaluation["fold"] == "mean"]
        for name, val in zip(means["metric"], means["value"]):
            metrics[name.replace("@", "_at_")] = float(val)
        plots["evaluation"] = evaluation_plot(evaluation, ev.curve, rm.explicit, top_n)
        extra["curve"] = ev.curve
        if rm.explicit:
            notes.append(
                M(
                    "Check in {folds:int} rounds on ratings held back: predicted ratings are off by "
                    "{rmse:.2f} stars (RMSE) against {base:.2f} for always guessing the average rating.",
                    folds=folds,
                    rmse=metrics["rmse"],
                    base=metrics["rmse_global_mean"],
                )
            )
        else:
            notes.append(
                M(
                    "Check in {folds:int} rounds on purchases held back: {hit:percent} of customers bought "
                    "at least one of their top {n:int} suggestions.",
                    folds=folds,
                    hit=metrics[f"hit_rate_at_{top_n}"],
                    n=top_n,
                )
            )
    else:
        notes.append(M("The check on data held back was skipped (Evaluation folds = 0)."))
    actions: list[Action] = []
    if log is not None:
        due = due_table(rm, log)
        tables["due_again"] = due
        metrics["due_again"] = int(len(due))
        actions.extend(due_actions(due, log.money))
    actions.extend(cross_sell_actions(recs, log, rm))
    progress.report(1.0, _("Done"))
    names = {str(k): str(v) for k, v in rm.names.items() if v}
    return Result(
        tables=tables,
        metrics=metrics,
        plots=plots,
        notes=notes,
        extra=extra,
        headline=headline(metrics, top_n),
        columns=columns(
            rm.explicit,
            top_n,
            rm.rating_scale,
            money=bool(log is not None and log.money),
            eval_k=metrics.get("eval_k"),
        ),
        names=names,
        actions=actions,
    )


def time_split_table(split, top_n: int) -> pd.DataFrame:
    """The check on later weeks as the evaluation table: one row per measure, for these
    suggestions, the best-seller list and the neighbours alone (fold "later"), at the top k the
    comparison is made at and at the top N shown; then the customer-by-customer comparison with
    the best sellers at k (shares of the checked customers, and the sign test's p-values)."""
    rows = []
    for n in sorted({split.k, top_n}):
        j = split.cutoffs.index(n)
        for key, vals in (
            ("", split.ours),
            ("_best_sellers", split.best_sellers),
            ("_neighbours_only", split.neighbours_only),
        ):
            p, r, h = vals[j]
            rows += [
                (f"precision@{n}{key}", "later", p),
                (f"recall@{n}{key}", "later", r),
                (f"hit_rate@{n}{key}", "later", h),
            ]
    rows.append(("coverage", "later", split.coverage))
    pr = split.paired
    if pr is not None:
        users = max(split.users, 1)
        rows += [
            ("customers_more_hits", "later", pr.better / users),
            ("customers_fewer_hits", "later", pr.worse / users),
            ("p_better", "later", pr.p_better),
            ("p_worse", "later", pr.p_worse),
        ]
    return pd.DataFrame(rows, columns=["metric", "fold", "value"])


def due_table(rm: RatingMatrix, log) -> pd.DataFrame:
    """The "due to buy again" table with ids, names and the message a shop would send."""
    d = due_again(log)
    out = pd.DataFrame(
        {
            "customer_id": rm.users[d["u"].to_numpy(np.int64)] if len(d) else [],
            "product_id": rm.items[d["i"].to_numpy(np.int64)] if len(d) else [],
        }
    )
    if rm.names:
        out["product_name"] = [rm.names.get(x, "") for x in out["product_id"].tolist()]
    out["purchases"] = d["purchases"].to_numpy(np.int64)
    out["interval_days"] = d["interval_days"].to_numpy(float)
    out["last_purchase"] = [str(x)[:10] for x in d["last_purchase"].tolist()]
    out["due_date"] = [str(x)[:10] for x in d["due_date"].tolist()]
    out["days_overdue"] = d["days_overdue"].to_numpy(np.int64)
    out["spend_28_days"] = d["spend_28_days"].to_numpy(float)
    out["message"] = [
        _cell(
            M(
                "Hello {customer}, you usually reorder {product} about every {days:int} days and the last "
                "one was on {last:date}. Shall we send you a new one?",
                customer=str(c),
                product=_label(rm, p),
                days=int(round(i)),
                last=lp,
            )
        )
        for c, p, i, lp in zip(out["customer_id"], out["product_id"], out["interval_days"], out["last_purchase"])
    ]
    return out


ACTIONS_REMIND = 3
ACTIONS_CROSS_SELL = 2


def due_actions(due: pd.DataFrame, money: bool) -> list[Action]:
    """The most valuable overdue regulars as reminders; money = their usual spend on the product
    over the next 28 days (when the data has money)."""
    out = []
    for _k, row in due.head(ACTIONS_REMIND).iterrows():
        name = row.get("product_name") or str(row["product_id"])
        out.append(
            Action(
                kind="remind",
                text=M(
                    "Remind {customer} to reorder {product}: due {date:date}",
                    customer=str(row["customer_id"]),
                    product=name,
                    date=row["due_date"],
                ),
                why=M(
                    "buys it every {days:int} days ({n:int} times so far); {late:int} days overdue",
                    days=int(round(row["interval_days"])),
                    n=int(row["purchases"]),
                    late=int(row["days_overdue"]),
                ),
                money=float(row["spend_28_days"]) if money else None,
                table="due_again",
                key={"customer_id": str(row["customer_id"]), "product_id": str(row["product_id"])},
            )
        )
    return out


def cross_sell_actions(recs: pd.DataFrame, log, rm: RatingMatrix) -> list[Action]:
    """At most two first suggestions bought by most of the customers like the one they are for;
    money = that share x the usual spend of one purchase of the product (when the data has money)."""
    if "share" not in recs.columns or recs.empty:
        return []
    first = recs[(recs["rank"] == 1) & (recs["share"] >= 0.3)]
    if first.empty:
        return []
    per_buy = None
    if log is not None and log.money:
        per_buy = pd.Series(log.spend).groupby(log.item).median()
    index = rm.item_index()
    value = first["product_id"].map(lambda p: float(per_buy.get(index[p], 0.0)) if per_buy is not None else 0.0)
    first = first.assign(_money=first["share"] * value).sort_values(
        ["_money", "share"], ascending=False, kind="mergesort"
    )
    out = []
    for _k, row in first.head(ACTIONS_CROSS_SELL).iterrows():
        out.append(
            Action(
                kind="cross_sell",
                text=M(
                    "Suggest {product} to {customer}",
                    product=_label(rm, row["product_id"]),
                    customer=str(row["customer_id"]),
                ),
                why=M("bought by {share:percent} of customers like them", share=float(row["share"])),
                money=float(row["_money"]) if per_buy is not None else None,
                table="recommendations",
                key={"customer_id": str(row["customer_id"]), "product_id": str(row["product_id"])},
            )
        )
    return out


# -- words for people ------------------------------------------------------------------------------
# "Better" means at least this many times the yardstick's hits (or this share less error): a few
# percent either way on held-out data is noise, not a difference a shop would notice.
CLEARLY_BETTER = 1.1


def score_note(method: str, weighting: str):
    """What the match score of purchase data adds up, in words."""
    weight = {
        "counts": M("how often they bought it"),
        "quantity": M("how many units they bought"),
        "binary": M("1 if they bought it"),
        "log": M("the log of how often they bought it"),
    }[weighting]
    if method == "user":
        return M(
            "The match score adds up the similarity of each similar customer who bought the product, "
            "times {weight}; higher is a stronger match (it is not a probability).",
            weight=weight,
        )
    return M(
        "The match score adds up the product's similarity to each product the customer bought, "
        "times {weight}; higher is a stronger match (it is not a probability).",
        weight=weight,
    )


def headline(metrics: dict[str, Any], top_n: int | None = None):
    """The tab's first line: how many customers got suggestions and, from the check on held-out
    data, whether they beat the obvious yardstick (a best-seller list; for ratings, guessing the
    average rating), said plainly when they do not."""
    m = metrics
    customers, cells = int(m.get("customers_with_recommendations", 0)), int(m.get("cells", 0))
    if m.get("data") == "ratings":
        mae, base = m.get("mae"), m.get("mae_global_mean")
        if mae is None or base is None:
            return Mn(
                "Suggestions for {n:int} customer from {cells:int} ratings; set Evaluation folds above 0 "
                "to check how close the predicted ratings come.",
                "Suggestions for {n:int} customers from {cells:int} ratings; set Evaluation folds above 0 "
                "to check how close the predicted ratings come.",
                customers,
                cells=cells,
            )
        if mae * CLEARLY_BETTER <= base:
            return M(
                "The suggestions follow each customer's taste: on ratings held back, predicted ratings "
                "were off by {mae:.2f} stars on average, against {base:.2f} for guessing the average "
                "rating every time.",
                mae=mae,
                base=base,
            )
        return M(
            "These suggestions are no better than guessing the average rating on this data: on "
            "ratings held back, predicted ratings were off by {mae:.2f} stars on average, against "
            "{base:.2f} for guessing the average every time.",
            mae=mae,
            base=base,
        )
    n = top_n
    if n is None:
        keys = [k for k in m if k.startswith("precision_at_") and not k.endswith("_best_sellers")]
        n = int(keys[0].rsplit("_", 1)[1]) if keys else None
    cf = m.get(f"precision_at_{n}") if n is not None else None
    base = m.get(f"precision_at_{n}_best_sellers") if n is not None else None
    if cf is None or base is None:
        return Mn(
            "Suggestions for {n:int} customer from what they bought ({cells:int} customer–product pairs); "
            "set Evaluation folds above 0 to check whether they beat a best-seller list.",
            "Suggestions for {n:int} customers from what they bought ({cells:int} customer–product pairs); "
            "set Evaluation folds above 0 to check whether they beat a best-seller list.",
            customers,
            cells=cells,
        )
    if m.get("evaluation") == "time_split" and "p_better" in m:
        return _time_split_headline(m)
    if "p_better" in m and n is not None:
        return _folds_headline(m, n, cf, base)
    # results saved before the sign test: the old margin
    better = cf >= CLEARLY_BETTER * base and cf > 0
    worse = cf * CLEARLY_BETTER <= base
    if better:
        if base > 0:
            return M(
                "These suggestions beat a best-seller list: on purchases held back, {cf:percent} of each "
                "customer's top {n:int} were products they bought, against {base:percent} for the best "
                "sellers they had not bought yet ({ratio:.1f}× as many).",
                cf=cf,
                base=base,
                n=n,
                ratio=cf / base,
            )
        return M(
            "These suggestions beat a best-seller list: on purchases held back, {cf:percent} of each "
            "customer's top {n:int} were products they bought, against none for the best sellers.",
            cf=cf,
            n=n,
        )
    if worse:
        return M(
            "These suggestions do worse than a best-seller list on this data: on purchases held back, "
            "{cf:percent} of each customer's top {n:int} were products they bought, against "
            "{base:percent} for the best sellers they had not bought yet.",
            cf=cf,
            base=base,
            n=n,
        )
    return M(
        "These suggestions are no better than a best-seller list on this data: on purchases held back, "
        "{cf:percent} of each customer's top {n:int} were products they bought, against {base:percent} "
        "for the best sellers they had not bought yet.",
        cf=cf,
        base=base,
        n=n,
    )


def split_verdict(m: dict[str, Any]) -> str:
    """The verdict against the best-seller list ("better", "worse" or "same"), from the check on
    held-out purchases: a paired sign test over the checked customers' hits, at the 5% level."""
    from .timesplit import SIGNIFICANCE

    more, fewer = m.get("customers_more_hits", 0.0), m.get("customers_fewer_hits", 0.0)
    if more > fewer and m["p_better"] < SIGNIFICANCE:
        return "better"
    if fewer > more and m.get("p_worse", 1.0) < SIGNIFICANCE:
        return "worse"
    return "same"


def _folds_headline(m: dict[str, Any], n: int, cf: float, base: float):
    """The headline from the check in rounds on purchases held back at random (no dates):
    "better" or "worse" only when the sign test over customers says so."""
    values = {
        "cf": cf,
        "base": base,
        "n": n,
        "more": float(m.get("customers_more_hits", 0.0)),
        "fewer": float(m.get("customers_fewer_hits", 0.0)),
    }
    verdict = split_verdict(m)
    if verdict == "better":
        return M(
            "These suggestions beat a best-seller list: on purchases held back, {cf:percent} of each customer's "
            "top {n:int} were products they bought, against {base:percent} for the best sellers they had not "
            "bought yet; ours found more for {more:percent} of the customers and fewer for {fewer:percent} "
            "(sign test, p = {p:.2g}).",
            p=float(m["p_better"]),
            **values,
        )
    if verdict == "worse":
        return M(
            "These suggestions do worse than a best-seller list on this data: on purchases held back, "
            "{cf:percent} of each customer's top {n:int} were products they bought, against {base:percent} for "
            "the best sellers they had not bought yet; ours found fewer for {fewer:percent} of the customers and "
            "more for {more:percent} (sign test, p = {p:.2g}). Offer the best sellers instead.",
            p=float(m.get("p_worse", 1.0)),
            **values,
        )
    return M(
        "These suggestions are no better than a best-seller list on this data: on purchases held back, "
        "{cf:percent} of each customer's top {n:int} were products they bought, against {base:percent} for the "
        "best sellers they had not bought yet; ours found more for {more:percent} of the customers and fewer "
        "for {fewer:percent}, a difference chance explains (sign test, p = {p:.2g}).",
        p=float(min(m["p_better"], m.get("p_worse", 1.0))),
        **values,
    )


def _time_split_headline(m: dict[str, Any]):
    """The headline from the check on later weeks: these suggestions against the best sellers the
    customer had not bought, on the new products customers bought in the held-out weeks, at the
    top k the data allows, "better" only when a sign test over customers says so."""
    k = int(m.get("eval_k", 10))
    users = int(m.get("evaluated_customers", 0))
    values = {
        "weeks": int(m.get("holdout_days", 7)) // 7,
        "start": m.get("test_start"),
        "end": m.get("test_end"),
        "n": k,
        "cf": float(m.get(f"precision_at_{k}", 0.0)),
        "base": float(m.get(f"precision_at_{k}_best_sellers", 0.0)),
        "more": int(round(m.get("customers_more_hits", 0.0) * users)),
        "fewer": int(round(m.get("customers_fewer_hits", 0.0) * users)),
    }
    verdict = split_verdict(m)
    if verdict == "better":
        return M(
            "These suggestions beat a best-seller list: in the last {weeks:int} weeks ({start:date} to "
            "{end:date}), held back from the training, {cf:percent} of each customer's top {n:int} were new "
            "products they went on to buy, against {base:percent} for the best sellers they had not bought "
            "yet; ours found more for {more:int} customers and fewer for {fewer:int} (sign test, p = {p:.2g}).",
            p=float(m["p_better"]),
            **values,
        )
    if verdict == "worse":
        return M(
            "These suggestions do worse than a best-seller list on this data: in the last {weeks:int} weeks "
            "({start:date} to {end:date}), held back from the training, {cf:percent} of each customer's top "
            "{n:int} were new products they went on to buy, against {base:percent} for the best sellers they "
            "had not bought yet; ours found fewer for {fewer:int} customers and more for {more:int} (sign "
            "test, p = {p:.2g}). Offer the best sellers instead.",
            p=float(m["p_worse"]),
            **values,
        )
    if values["more"] == 0 and values["fewer"] == 0:  # the blend chose the best sellers themselves
        return M(
            "These suggestions are simply a best-seller list on this data: in the last {weeks:int} weeks "
            "({start:date} to {end:date}), held back from the training, what similar customers bought did not "
            "find more of the new products customers went on to buy ({cf:percent} of each top {n:int}) than "
            "the best sellers they had not bought yet, so the tab suggests those.",
            **values,
        )
    return M(
        "These suggestions are no better than a best-seller list on this data: in the last {weeks:int} weeks "
        "({start:date} to {end:date}), held back from the training, {cf:percent} of each customer's top "
        "{n:int} were new products they went on to buy, against {base:percent} for the best sellers they had "
        "not bought yet; ours found more for {more:int} customers and fewer for {fewer:int}, a difference "
        "chance explains (sign test, p = {p:.2g}). Offering the best sellers does as well here.",
        p=float(min(m["p_better"], m.get("p_worse", 1.0))),
        **values,
    )


def metric_words(top_n: int, eval_k: int | None = None) -> dict[str, Any]:
    """The evaluation table's metric codes in words (short: they are a table's cells), for the top
    N shown and the top k the check compares at."""
    words: dict[str, Any] = {
        "customers_more_hits": _l("Customers for whom ours found more than the best sellers"),
        "customers_fewer_hits": _l("Customers for whom ours found fewer than the best sellers"),
        "p_better": _l("Chance of a lead this large if ours were no better (sign test p)"),
        "p_worse": _l("Chance of a lag this large if ours were no worse (sign test p)"),
    }
    for n in sorted({top_n, eval_k or top_n}):
        words.update(_cutoff_words(n))
    return words


def _cutoff_words(n: int) -> dict[str, Any]:
    return {
        "rmse": _l("Typical error, stars (RMSE)"),
        "mae": _l("Average error, stars (MAE)"),
        "rmse_global_mean": _l("Guessing the average: typical error (RMSE)"),
        "mae_global_mean": _l("Guessing the average: average error (MAE)"),
        f"precision@{n}": M("Top {n:int} suggestions bought (precision@{n:int})", n=n),
        f"recall@{n}": M("Held-back purchases in the top {n:int} (recall@{n:int})", n=n),
        f"hit_rate@{n}": M("Customers with a hit in the top {n:int} (hit rate@{n:int})", n=n),
        "coverage": _l("Products suggested to anyone (coverage)"),
        f"precision@{n}_best_sellers": M("Best-seller list: top {n:int} bought (precision@{n:int})", n=n),
        f"recall@{n}_best_sellers": M("Best-seller list: later purchases in the top {n:int} (recall@{n:int})", n=n),
        f"hit_rate@{n}_best_sellers": M(
            "Best-seller list: customers with a hit in the top {n:int} (hit rate@{n:int})", n=n
        ),
        f"precision@{n}_neighbours_only": M(
            "Neighbours alone, without the best sellers: top {n:int} bought (precision@{n:int})", n=n
        ),
        f"recall@{n}_neighbours_only": M("Neighbours alone: later purchases in the top {n:int} (recall@{n:int})", n=n),
        f"hit_rate@{n}_neighbours_only": M(
            "Neighbours alone: customers with a hit in the top {n:int} (hit rate@{n:int})", n=n
        ),
    }


def columns(
    explicit: bool, top_n: int, scale=None, money: bool = True, eval_k: int | None = None
) -> dict[str, dict[str, Column]]:
    """How the tables read for people (titles in the reader's language, kinds); the stored tables
    keep their column ids and plain numbers."""
    if explicit:
        lo, hi = scale if scale is not None else (1, 5)
        score = Column(
            _l("Predicted rating (★)"),
            "num",
            help=M(
                "The stars this customer would probably give the product ({low} to {high})",
                low=float(lo),
                high=float(hi),
            ),
        )
    else:
        score = Column(
            _l("Match score"),
            "num",
            details=True,
            help=_l("Higher is a stronger match; it adds up similarities and is not a probability"),
        )
    return {
        "recommendations": {
            # customers have no names apart from their ids (a shop's export names buyers by nickname)
            "customer_id": Column(_l("Customer"), "text"),
            "rank": Column(_l("Rank"), "int"),
            "product_id": Column(_l("Suggested product"), "product"),
            "product_name": Column(_l("Name of the suggested product"), "hidden"),
            "share": Column(
                _l("Bought by customers like this one"),
                "percent",
                help=_l(
                    "of the 30 customers whose purchases are most like this customer's, "
                    "the share who bought the product"
                ),
            ),
            "score": score,
            "because": Column(_l("Why"), "text"),
        },
        "due_again": {
            "customer_id": Column(_l("Customer"), "text"),
            "product_id": Column(_l("Product"), "product"),
            "product_name": Column(_l("Name of the product"), "hidden"),
            "purchases": Column(_l("Times bought"), "int", help=_l("on different days")),
            "interval_days": Column(_l("Usually every (days)"), "num", help=_l("the median gap between purchases")),
            "last_purchase": Column(_l("Last bought"), "date"),
            "due_date": Column(_l("Was due"), "date", help=_l("last purchase + the usual gap")),
            "days_overdue": Column(_l("Days overdue"), "int"),
            "spend_28_days": Column(
                _l("Usual spend on it in 28 days"),
                "money" if money else "num",
                help=_l("what they usually spend on this product over 4 weeks (units when the data has no prices)"),
            ),
            "message": Column(_l("Message to send"), "text"),
        },
        "similar_items": {
            "product_id": Column(_l("Product"), "product"),
            "product_name": Column(_l("Name of the product"), "hidden"),
            "rank": Column(_l("Rank"), "int"),
            "similar_product_id": Column(_l("Similar product"), "product"),
            "similar_product_name": Column(_l("Name of the similar product"), "hidden"),
            "similarity": Column(
                _l("Similarity"), "num", help=_l("1: bought (or rated alike) by the same customers; 0: no connection")
            ),
            "shared_customers": Column(_l("Customers who bought both"), "int")
            if not explicit
            else Column(_l("Customers who rated both"), "int"),
        },
        "evaluation": {
            "metric": Column(
                _l("Measure"),
                "code",
                values=metric_words(top_n, eval_k),
                help=_l(
                    "precision: share of the suggestions that were bought; recall: share of the "
                    "held-back purchases that were suggested; hit rate: share of customers with "
                    "at least one suggestion bought; coverage: share of all products suggested"
                ),
            ),
            "fold": Column(
                _l("Round of the check"),
                "code",
                values={"mean": _l("Average of all rounds"), "later": _l("Later weeks, held back")},
            ),
            "value": Column(_l("Error (stars)"), "num") if explicit else Column(_l("Share"), "percent"),
        },
    }


def evaluation_plot(evaluation: pd.DataFrame, curve: dict, explicit: bool, top_n: int | None = None) -> PlotSpec:
    if explicit:
        per = evaluation[evaluation["fold"] != "mean"]
        layers = []
        words = {
            "rmse": _l("Typical error (RMSE)"),
            "mae": _l("Average error (MAE)"),
            "rmse_global_mean": _l("Guessing the average rating (RMSE)"),
        }
        for metric, color in (("rmse", "#1f77b4"), ("mae", "#ff7f0e"), ("rmse_global_mean", "#999999")):
            sub = per[per["metric"] == metric]
            x = sub["fold"].astype(int).tolist()
            layers.append(
                Layer(
                    "line",
                    x=x,
                    y=sub["value"].tolist(),
                    name=words[metric],
                    color=color,
                    dashed=metric.endswith("mean"),
                )
            )
            layers.append(Layer("scatter", x=x, y=sub["value"].tolist(), color=color))
        folds = sorted({int(f) for f in per["fold"]})
        return PlotSpec(
            _l("How far predicted ratings are off, per round of the check"),
            x_label=_l("Round of the check"),
            y_label=_l("Error (stars)"),
            layers=layers,
            x_ticks=[[f, str(f)] for f in folds],
        )
    # drawn in per cent: "52%" reads at a glance where "0.52" does not
    pct = {k: [100.0 * v for v in curve[k]] for k in ("precision", "recall", "hit_rate")}
    layers = [
        Layer(
            "line",
            x=curve["n"],
            y=pct["precision"],
            name=_l("Suggestions that were bought (precision@N)"),
            color="#1f77b4",
        ),
        Layer("scatter", x=curve["n"], y=pct["precision"], color="#1f77b4"),
        Layer("line", x=curve["n"], y=pct["recall"], name=_l("Held-back purchases found (recall@N)"), color="#2ca02c"),
        Layer("scatter", x=curve["n"], y=pct["recall"], color="#2ca02c"),
        Layer(
            "line",
            x=curve["n"],
            y=pct["hit_rate"],
            name=_l("Customers with at least one bought (hit rate@N)"),
            color="#d62728",
        ),
    ]
    key = f"precision@{top_n}_best_sellers"
    base = evaluation[(evaluation["metric"] == key) & (evaluation["fold"] == "mean")]["value"]
    if top_n is not None and len(base):
        layers.append(
            Layer(
                "scatter",
                x=[top_n],
                y=[100.0 * float(base.iloc[0])],
                color="#7f7f7f",
                size=11,
                name=_l("Best-seller list (precision@N)"),
            )
        )
    return PlotSpec(
        _l("How often the top N suggestions were right, on purchases held back"),
        x_label=_l("Suggestions per customer (N)"),
        y_label=_l("Per cent"),
        layers=layers,
    )
