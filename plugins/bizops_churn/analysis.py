"""Churn risk: fit a logistic-regression churn classifier on a customer table (yes/no label and
features) or on orders (per-customer features with a leakage-free inactivity label), evaluate it
by stratified cross-validation, and rank customers by churn probability with their top reasons.

Choices, for the record:
- every accuracy figure (AUC mean and sample sd over folds, pooled ROC curve, confusion matrix,
  precision/recall/F1, Brier, the cost threshold) comes from out-of-fold probabilities; the
  preprocessing is refitted inside each fold (one sklearn Pipeline);
- scores and reasons come from the final model fitted on every labelled customer. In orders mode
  the list ranks customers as they stand at the cutoff (features from every order up to it), so
  ``actual`` is absent there: their future is not known yet;
- reasons = the features with the largest positive coef * (x - average customer) on the model's
  scale (coef * x_std for numbers), so the list says why *this* customer scores high.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bizops_desktop.core.actions import HORIZON_DAYS, Action
from bizops_desktop.core.analysis import Result
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.display import Column
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.i18n import text
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.customers import FEATURES, LABEL, customer_features_from_dataset

from . import model as churn
from .i18n import M, Mn, _, _l, _n
from .words import Phrases, feature_titles, tick_label, wrap

MIN_ROWS = 10
TOP_ODDS = 10  # bars in the odds-ratio chart (more and their names collide)
ROC_POINTS = 400  # the ROC table/plot is thinned to about this many points
WEAK_AUC = 0.6  # below this the headline says the data cannot tell who will leave
ROUGH_AUC = 0.7  # below this the headline says the list is a rough guide only
YEAR = pd.Timedelta(days=365)
# Of the customers at risk who are contacted, the share a contact keeps (the save_rate default:
# retention offers are commonly reported to keep one in five to one in three of those reached).
DEFAULT_SAVE_RATE = 0.25
CONTACT_ACTIONS = 5  # "Contact ..." actions at most (the list holds the rest)
# Columns of a customer table that hold what each customer spent in the last year (the demo shops')
LAST_YEAR_SPEND = ("spend_last_year", "近一年消费金额")

PREDICTED = {"churn": _l("likely to leave"), "stay": _l("likely to stay")}
ACTUAL = {"churn": _l("left"), "stay": _l("stayed")}
GROUPS = {"active": _l("still active"), "lost": _l("already lost")}
METRIC_NAMES = {
    "auc": _l("AUC"),
    "auc_std": _l("AUC spread over the folds"),
    "accuracy": _l("Accuracy"),
    "precision": _l("Precision"),
    "recall": _l("Recall"),
    "f1": _l("F1"),
    "brier": _l("Brier score"),
    "n": _l("Customers learned from"),
    "churn_rate": _l("Churn rate"),
    "threshold": _l("Threshold"),
}


def _choose_source(ds: Dataset, source: str) -> str:
    if source == "customers":
        if not ds.has("label"):
            raise DataError(
                _("the customer-table mode needs a yes/no churn column marked as label"),
                where=ds.name,
                hint=_(
                    "Open Column roles and mark the churned column as label, or use source=orders with an orders table"
                ),
            )
        return "customers"
    if source == "orders":
        if not ds.has("customer_id", "date"):
            raise DataError(
                _("the orders mode needs columns marked as customer and date"),
                where=ds.name,
                hint=_("Open Column roles and pick the customer and date columns"),
            )
        return "orders"
    if ds.has("label"):
        return "customers"
    if ds.has("customer_id", "date"):
        return "orders"
    raise DataError(
        _(
            "Churn risk needs either a yes/no churn column (label) in a customer table, or "
            "orders with a customer and a date"
        ),
        where=ds.name,
        hint=_("Open Column roles and mark the label, or the customer and date columns"),
    )


def _customers_table(ds: Dataset, notes: list):
    """(ids, raw feature frame, label, feature titles, id column) from a customer table."""
    frame = ds.frame
    label_col = str(ds.col("label"))
    y = churn.parse_label(frame[label_col], label_col)
    features = [c for c in ds.cols("feature") if c in frame.columns and c != label_col]
    if features:
        # In a customer table a column guessed as amount/quantity/price (total_charges, say)
        # describes the customer like any other feature.
        extra = [
            str(ds.col(r))
            for r in ("amount", "quantity", "price")
            if ds.has(r) and ds.col(r) not in features and ds.col(r) != label_col
        ]
        if extra:
            features += extra
            notes.append(
                M(
                    "Also used as features: {columns:list} (marked as amount, quantity or price).",
                    columns=[str(c) for c in extra],
                )
            )
    else:
        skip = {label_col, ds.col("customer_id")}
        features = [c for c in frame.columns if c not in skip]
        notes.append(
            M(
                "No feature columns are marked, so every other column is used: {columns:list}.",
                columns=[str(c) for c in features],
            )
        )
    keep = y.notna()
    if not keep.all():
        left_out = int((~keep).sum())
        notes.append(
            Mn(
                "{n} customer without a churn value was left out.",
                "{n} customers without a churn value were left out.",
                left_out,
            )
        )
    cid = ds.col("customer_id") if ds.has("customer_id") else None
    ids = frame[cid] if cid else pd.Series(np.arange(1, len(frame) + 1), index=frame.index)
    return (
        ids[keep].reset_index(drop=True),
        frame.loc[keep, features].reset_index(drop=True),
        y[keep].to_numpy(dtype=int),
        feature_titles(features),
        "customer_id" if cid else "row",
    )


def _check_classes(y: np.ndarray, mode: str, label: str):
    n1 = int(y.sum())
    n0 = len(y) - n1
    if len(y) < MIN_ROWS:
        raise DataError(
            _n(
                "only {n} customer to learn from; a churn model needs at least {least:int}",
                "only {n} customers to learn from; a churn model needs at least {least:int}",
                len(y),
                least=MIN_ROWS,
            ),
            hint=_("Use a longer history or a bigger customer table"),
        )
    if n1 == 0 or n0 == 0:
        hint = (
            _("Use a different cutoff or churn_days so that some customers stop buying and some go on")
            if mode == "orders"
            else _("A model learns from the difference between the two groups; use a table that has both")
        )
        if n0 == 0:
            message = _n(
                "the {n} customer churned ({label}): there is only one class, so there is nothing to tell apart",
                "all {n} customers churned ({label}): there is only one class, so there is nothing to tell apart",
                len(y),
                label=label,
            )
        else:
            message = _n(
                "the {n} customer stayed ({label}): there is only one class, so there is nothing to tell apart",
                "all {n} customers stayed ({label}): there is only one class, so there is nothing to tell apart",
                len(y),
                label=label,
            )
        raise DataError(message, hint=hint)
    return n0, n1


def _thin(idx_len: int, keep: int) -> np.ndarray:
    if idx_len <= keep:
        return np.arange(idx_len)
    return np.unique(np.r_[np.linspace(0, idx_len - 1, keep).round().astype(int), idx_len - 1])


def _customer_names(ds: Dataset) -> dict[str, str]:
    """Customer id -> name, when the data has a column marked as the customers' names."""
    if not ds.has("customer_id", "customer_name"):
        return {}
    pairs = ds.frame[[ds.col("customer_id"), ds.col("customer_name")]].dropna().drop_duplicates(ds.col("customer_id"))
    return {str(k): str(v) for k, v in zip(pairs.iloc[:, 0], pairs.iloc[:, 1]) if str(v) != str(k)}


def _spend_in_last_year(ds: Dataset, now: pd.DataFrame, cutoff: pd.Timestamp) -> pd.Series:
    """Each customer's spend in the year up to the cutoff (their total to date minus their total
    a year before it), indexed by customer id."""
    total = now.set_index("customer_id")["monetary"]
    try:
        before = customer_features_from_dataset(ds, cutoff=cutoff - YEAR).frame.set_index("customer_id")["monetary"]
    except (DataError, UsageError):  # the history is shorter than a year: all of it is in the year
        return total
    return total - before.reindex(total.index).fillna(0.0)


def _spend_per_period(spend_year: pd.Series, current: pd.DataFrame, days: int) -> np.ndarray:
    """Each customer's spend per ``days``-day period at their pace of the last year: the year's
    spend over the days they were a customer in it (their tenure when shorter than a year, at least
    one period, so a brand-new customer is not extrapolated from a single day). In the order of
    ``current``."""
    spent = spend_year.reindex(current["customer_id"]).fillna(0.0).to_numpy(dtype=float)
    span = np.clip(current["tenure_days"].to_numpy(dtype=float), days, YEAR.days)
    return spent / span * days


def _rank_active_first(scores: pd.DataFrame) -> np.ndarray:
    """Rank 1 is the active customer most likely to leave; the already-lost ones follow, by risk."""
    order = np.lexsort((-scores["churn_probability"].to_numpy(), (scores["group"] == "lost").to_numpy()))
    rank = np.empty(len(scores), dtype=int)
    rank[order] = np.arange(1, len(scores) + 1)
    return rank


def run(dataset: Dataset, params: dict[str, Any], progress: Progress | None = None) -> Result:
    from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

    progress = progress or Progress()
    notes: list[Any] = []
    metrics: dict[str, Any] = {}
    mode = _choose_source(dataset, params.get("source", "auto"))
    churn_days = int(params.get("churn_days", 90))
    penalty, C = params.get("penalty", "l2"), float(params.get("C", 1.0))
    class_weight, seed = params.get("class_weight", "none"), int(params.get("seed", 0))
    cost, value = params.get("contact_cost"), params.get("customer_value")
    if value is not None and cost is None:
        # a contact cost alone is fine: it says how many to contact; the threshold needs both
        raise UsageError(
            _("choosing the threshold by cost needs both contact_cost and customer_value"),
            hint=_("Give both, or neither to use the threshold parameter"),
        )
    if cost is not None and value is not None and (cost <= 0 or value <= 0):
        raise UsageError(_("contact_cost and customer_value must both be more than 0"))
    save_rate = float(params.get("save_rate", DEFAULT_SAVE_RATE))
    progress.report(0.0, _("Preparing customers"))

    current = None
    spend_unit = "money"
    money_columns: list[str] = []
    if mode == "customers":
        ids, raw, y, words, id_title = _customers_table(dataset, notes)
        label_desc = _("column {column}", column=dataset.col("label"))
        if dataset.has("amount"):
            money_columns.append(str(dataset.col("amount")))
    else:
        feats = customer_features_from_dataset(dataset, cutoff=params.get("cutoff"), churn_days=churn_days)
        notes += feats.notes
        f = feats.frame
        ids, raw, y = f["customer_id"], f[list(FEATURES)], f[LABEL].to_numpy(dtype=int)
        spend_unit = feats.spend_unit
        words = feature_titles(FEATURES, spend_unit)
        id_title = "customer_id"
        label_desc = _n(
            "no order in the {n} day to {cutoff:date}",
            "no order in the {n} days to {cutoff:date}",
            churn_days,
            cutoff=str(feats.cutoff.date()),
        )
        metrics.update(
            cutoff=str(feats.cutoff.date()), observation_end=str(feats.observation_end.date()), churn_days=churn_days
        )
        # Today's customers, scored by the final model: features from every order up to the cutoff.
        now = customer_features_from_dataset(dataset, cutoff=feats.cutoff, churn_days=None)
        current = now.frame
    n0, n1 = _check_classes(y, mode, label_desc)

    design = churn.prepare_features(raw, list(raw.columns), words)
    notes += design.notes
    p = len(design.columns)
    if p >= len(y):
        raise DataError(
            _(
                "far more features than customers: {p:int} model columns (after turning categories "
                "into yes/no columns) but only {n:int} customers",
                p=p,
                n=len(y),
            ),
            hint=_(
                "Use fewer feature columns (or ones with fewer categories), or more customers; "
                "a rule of thumb is at least 10 customers per model column"
            ),
        )
    if len(y) < 10 * p:
        notes.append(
            M(
                "Only {n:int} customers for {p:int} model columns (fewer than 10 per column): "
                "the coefficients are rough; a stronger penalty (smaller C) may help.",
                n=len(y),
                p=p,
            )
        )

    folds = int(params.get("cv_folds", 10))
    minority = min(n0, n1)
    if minority < 2:
        raise DataError(
            _n(
                "only {n} customer in the smaller class; cross-validation needs at least 2",
                "only {n} customers in the smaller class; cross-validation needs at least 2",
                minority,
            ),
            hint=_("Use more customers or a different churn window"),
        )
    if minority < folds:
        notes.append(
            M(
                "Cross-validation uses {used:int} folds instead of {asked:int}: the smaller class has "
                "only {used:int} customers.",
                used=minority,
                asked=folds,
            )
        )
        folds = minority

    cv = churn.cross_validate(
        design,
        y,
        folds=folds,
        penalty=penalty,
        C=C,
        class_weight=class_weight,
        seed=seed,
        progress=progress.sub(0.05, 0.85),
    )
    oof = cv.oof

    # Threshold: by cost when both money figures are given, else the user's.
    if cost is not None and value is not None:  # both or neither (checked above)
        threshold, ev = churn.threshold_by_cost(oof, y, float(cost), float(value))
        metrics.update(
            threshold_source="cost",
            expected_value=ev,
            contact_cost=float(cost),
            customer_value=float(value),
            break_even_probability=float(cost) / float(value),
        )
        notes.append(
            M(
                "The threshold {threshold:.1%} was chosen by cost: contacting every customer whose "
                "chance of leaving is at least that earns the most on the cross-validated scores, "
                "{value:money} (the value of the leavers reached minus the cost of every contact).",
                threshold=threshold,
                value=ev,
            )
        )
    else:
        threshold = float(params.get("threshold", 0.5))
        metrics["threshold_source"] = "user"
    cm = churn.confusion(oof, y, threshold)
    r = churn.rates(cm)

    progress.report(0.86, _("Fitting the final model on all customers"))
    pipe = churn.make_pipeline(design, penalty, C, class_weight, seed)
    not_conv = churn.fit_quietly(pipe, design.frame, y) + cv.not_converged
    if not_conv:
        notes.append(
            M(
                "The solver did not fully converge in some fits; results may be slightly off "
                "(try a smaller C or the l2 penalty)."
            )
        )
    prep, clf = pipe.named_steps["prepare"], pipe.named_steps["model"]
    coef = clf.coef_.ravel()
    scale = {}
    raw_mean = {}
    if design.numeric:
        sc = prep.named_transformers_["num"].named_steps["scale"]
        scale = dict(zip(design.numeric, sc.scale_.tolist()))
        raw_mean = dict(zip(design.numeric, sc.mean_.tolist()))
    coefficients = churn.coefficient_table(design, coef, scale)

    # Scores: the final model's probability. In orders mode for today's customers (features
    # up to the cutoff: whether they churn is not known yet); in customer-table mode for each row.
    progress.report(0.93, _("Scoring customers"))
    Z_train = prep.transform(design.frame)
    z_mean = Z_train.mean(axis=0)
    if penalty == "none" and p:
        rank = np.linalg.matrix_rank(np.column_stack([np.ones(len(Z_train)), Z_train - z_mean]))
        if rank < p + 1:
            notes.append(
                M(
                    "Some model columns are exact combinations of others ({extra:int} too many, "
                    "e.g. the same 'no service' answer in several columns): without a penalty their "
                    "coefficients are not unique, so read them with care; the l2 penalty fixes this.",
                    extra=p + 1 - rank,
                )
            )
    if current is not None:
        score_ids = current["customer_id"]
        score_raw = current[list(FEATURES)]
        actual = None
    else:
        score_ids, score_raw, actual = ids, design.frame, y
    X_score = score_raw[design.frame.columns]
    prob = pipe.predict_proba(X_score)[:, 1]
    Z = prep.transform(X_score)
    phrases = Phrases(design.words, spend_unit, money=money_columns)
    why = churn.reasons(design, X_score.reset_index(drop=True), np.asarray(Z), coef, z_mean, raw_mean, phrases)
    scores = pd.DataFrame({id_title: np.asarray(score_ids), "churn_probability": prob})
    scores["rank"] = scores["churn_probability"].rank(ascending=False, method="first").astype(int)
    scores["predicted"] = np.where(prob >= threshold, "churn", "stay")
    if actual is not None:
        scores["actual"] = np.where(actual == 1, "churn", "stay")
    scores["top_reasons"] = why
    spend_year = None
    if current is not None:
        # Lets the owner tell "about to leave" from "already gone" when filtering the list.
        recency = current["recency_days"].to_numpy().astype(int)
        scores["days_since_last_order"] = recency
        # Already gone by the tool's own definition (no order in the churn window at the
        # cutoff): a win-back list of its own, after the customers who can still be kept.
        scores["group"] = np.where(recency > churn_days, "lost", "active")
        if spend_unit in ("money", "units"):
            spend_year = _spend_in_last_year(dataset, current, feats.cutoff)
            pace = _spend_per_period(spend_year, current, churn_days)
            scores["at_stake"] = pace * prob
        scores["rank"] = _rank_active_first(scores)
    scores = scores.sort_values("rank", kind="mergesort").reset_index(drop=True)
    if "at_stake" in scores.columns:
        notes.append(
            M(
                "At stake: what a customer would spend in the next {days:int} days (the churn window) at "
                "their pace of the year to {cutoff:date} (of their time with the shop, when shorter), "
                "times their chance of leaving.",
                days=churn_days,
                cutoff=metrics["cutoff"],
            )
            if spend_unit == "money"
            else M(
                "At stake: the items a customer would buy in the next {days:int} days (the churn window) at "
                "their pace of the year to {cutoff:date} (of their time with the shop, when shorter), "
                "times their chance of leaving.",
                days=churn_days,
                cutoff=metrics["cutoff"],
            )
        )
    if current is not None:
        notes.append(
            Mn(
                "The list ranks the {n} customer as they stand at the cutoff (features from every "
                "order up to {cutoff:date}), using the model trained on the window ending "
                "{end:date}; whether they leave is not known yet.",
                "The list ranks all {n} customers as they stand at the cutoff (features from every "
                "order up to {cutoff:date}), using the model trained on the window ending "
                "{end:date}; whether they leave is not known yet.",
                len(scores),
                cutoff=metrics["cutoff"],
                end=metrics["observation_end"],
            )
        )

    # Evaluation figures (all from the out-of-fold probabilities).
    auc_pooled = float(roc_auc_score(y, oof))
    fpr, tpr, thr = roc_curve(y, oof)
    thr = np.minimum(thr, 1.0)  # sklearn starts at +inf ("nobody"); 1.0 says the same in a table
    keep = _thin(len(fpr), ROC_POINTS)
    roc = pd.DataFrame({"fpr": fpr[keep], "tpr": tpr[keep], "threshold": thr[keep]})
    metrics.update(
        auc=float(np.mean(cv.fold_auc)),
        auc_std=float(np.std(cv.fold_auc, ddof=1)) if folds > 1 else 0.0,
        auc_pooled=auc_pooled,
        auc_folds=cv.fold_auc,
        accuracy=r["accuracy"],
        precision=r["precision"],
        recall=r["recall"],
        f1=r["f1"],
        brier=float(brier_score_loss(y, oof)),
        n=int(len(y)),
        churned=int(n1),
        churn_rate=float(n1 / len(y)),
        threshold=float(threshold),
        confusion=cm,
        cv_folds=folds,
        seed=seed,
        source=mode,
        penalty=penalty,
        C=C,
        class_weight=class_weight,
        features=list(design.frame.columns),
        model_columns=p,
        intercept=float(clf.intercept_[0]),
        scored=int(len(scores)),
        predicted_churn=int((prob >= threshold).sum()),
    )
    notes.append(
        M(
            "Checked on customers the model had not seen: it ranks a customer who left above one who "
            "stayed {share:percent} of the time; {churned:int} of the {n:int} customers ({rate:percent}) "
            "left. (Cross-validated ROC AUC {auc:.3f} ± {sd:.3f}, {folds:int}-fold, stratified, seed "
            "{seed:int}.)",
            share=metrics["auc"],
            folds=folds,
            seed=seed,
            auc=metrics["auc"],
            sd=metrics["auc_std"],
            n=len(y),
            churned=n1,
            rate=metrics["churn_rate"],
        )
    )
    metrics_table = pd.DataFrame(_metric_rows(metrics, r, threshold, len(y)), columns=["metric", "value", "meaning"])

    names = _customer_names(dataset) if id_title == "customer_id" else {}
    at_risk, amount_column = None, None
    if "at_stake" in scores.columns:
        flagged = (scores["group"] == "active") & (scores["churn_probability"] >= threshold)
        at_risk = float(scores.loc[flagged, "at_stake"].sum())
    elif current is None:
        # a customer table: what the flagged customers spend, from the amount column or a
        # "spend in the last year" one
        spend_columns = [
            c for c in money_columns + [c for c in LAST_YEAR_SPEND if c in raw.columns] if c in score_raw.columns
        ]
        if spend_columns:
            amount_column = spend_columns[0]
            amounts = pd.to_numeric(score_raw[amount_column], errors="coerce").to_numpy(dtype=float)
            at_risk = float(np.nansum(amounts[prob >= threshold]))
    plan = None
    if cost is not None and "at_stake" in scores.columns and spend_unit == "money":
        active = scores["group"].to_numpy() == "active"
        chosen, stake, gain, costs = contact_plan(
            scores["at_stake"].to_numpy(dtype=float), save_rate, float(cost), active
        )
        plan = {"rows": chosen, "stake": stake, "return": gain, "costs": costs}
        metrics.update(
            save_rate=save_rate,
            contact_cost=float(cost),
            contacts=int(len(chosen)),
            contacts_at_stake=stake,
            contacts_expected_return=gain,
            contacts_cost=costs,
        )
        notes.append(
            M(
                "How many to contact: each active customer is worth contacting when the share a contact "
                "keeps ({save:percent}) times their spend at stake is more than the cost of a contact "
                "({cost:money}); the most at stake first, as many as add to the expected return.",
                save=save_rate,
                cost=float(cost),
            )
        )
    headline = _headline(
        scores,
        id_title,
        threshold,
        metrics,
        mode,
        at_risk,
        spend_unit,
        names,
        design.words.get(amount_column, amount_column) if amount_column else None,
        plan,
    )
    actions = churn_actions(scores, id_title, threshold, metrics, spend_unit, names, plan)

    titles = churn.design_titles(design)
    plots = {
        "roc": roc_plot(roc, r["fpr"], r["recall"], threshold, metrics["auc"]),
        "odds_ratios": odds_plot(coefficients, titles=titles, ticks=_ticks(design, spend_unit)),
    }
    extra = {
        # The panel's threshold slider recomputes the confusion matrix from these, without a rerun.
        "oof_probability": [float(v) for v in oof],  # full precision: a cut may fall between two
        "oof_actual": [int(v) for v in y],
        "threshold": float(threshold),
    }
    progress.report(1.0, _("Done"))
    return Result(
        tables={"scores": scores, "coefficients": coefficients, "roc": roc, "metrics": metrics_table},
        metrics=metrics,
        plots=plots,
        notes=notes,
        extra=extra,
        headline=headline,
        columns=_columns(scores, titles, spend_unit),
        names=names,
        actions=actions,
    )


def contact_plan(
    at_stake: np.ndarray, save_rate: float, cost: float, eligible: np.ndarray | None = None
) -> tuple[np.ndarray, float, float, float]:
    """Whom to contact for the most expected return: (rows chosen, their spend at stake, expected
    return after costs, the cost of the contacts). ``at_stake`` is each customer's expected loss
    (spend over the window times the chance of leaving), so contacting one returns ``save_rate *
    at_stake - cost``; ranked by that, the best prefix of the ranking (the cumulative sum's
    maximum, none when no one pays) is the answer. ``eligible``: who may be contacted."""
    stake = np.nan_to_num(np.asarray(at_stake, dtype=float))
    rows = np.arange(len(stake)) if eligible is None else np.flatnonzero(eligible)
    gain = save_rate * stake[rows] - cost
    order = np.argsort(-gain, kind="stable")
    total = np.concatenate([[0.0], np.cumsum(gain[order])])
    k = int(np.argmax(total))  # the first maximum: no contact that adds nothing
    chosen = rows[order[:k]]
    return chosen, float(stake[chosen].sum()), float(total[k]), float(cost * k)


def churn_actions(
    scores: pd.DataFrame,
    id_col: str,
    threshold: float,
    metrics: dict,
    spend_unit: str,
    names: dict[str, str],
    plan: dict | None,
) -> list[Action]:
    """This week's actions: contact the active customers at rising risk (those whose chance of
    leaving is above the shop's churn rate, or, with a contact cost, those worth contacting), the
    most spend at stake first, and one win-back offer to the already-lost group. Money over HORIZON_DAYS: the
    at-stake cell (a churn window's spend times the chance of leaving) scaled to 4 weeks."""
    if metrics["auc"] < WEAK_AUC:
        return []  # the data cannot tell who will leave: no one to single out
    has_groups = "group" in scores.columns
    window = int(metrics.get("churn_days") or 0)
    money_per_cell = HORIZON_DAYS / window if window and spend_unit == "money" else None
    p = scores["churn_probability"].to_numpy(dtype=float)
    if plan is not None:  # those worth contacting (all active)
        ok = np.zeros(len(scores), dtype=bool)
        ok[plan["rows"]] = True
    else:  # more likely to leave than the shop's average customer (or flagged by the threshold)
        ok = p >= (min(threshold, metrics["churn_rate"]) if has_groups else threshold)
        if has_groups:
            ok &= scores["group"].to_numpy() == "active"
    at = np.flatnonzero(ok)  # in the list's order (by chance of leaving)
    if "at_stake" in scores.columns:  # the most money at stake first, as the Overview ranks them
        at = at[np.argsort(-np.nan_to_num(scores["at_stake"].to_numpy(dtype=float)[at]), kind="stable")]
    out = []
    for i in at[:CONTACT_ACTIONS]:
        row = scores.iloc[i]
        who = str(row[id_col])
        stake = float(row["at_stake"]) if "at_stake" in scores.columns else None
        values = {"chance": float(row["churn_probability"])}
        if "days_since_last_order" in scores.columns and stake is not None and money_per_cell is not None:
            why = Mn(
                "{chance:percent} chance of leaving, last order {n:int} day ago; {stake:money} of their spend "
                "in the next {window:int} days is at stake",
                "{chance:percent} chance of leaving, last order {n:int} days ago; {stake:money} of their spend "
                "in the next {window:int} days is at stake",
                int(row["days_since_last_order"]),
                stake=stake,
                window=window,
                **values,
            )
        elif "days_since_last_order" in scores.columns:
            why = Mn(
                "{chance:percent} chance of leaving, last order {n:int} day ago",
                "{chance:percent} chance of leaving, last order {n:int} days ago",
                int(row["days_since_last_order"]),
                **values,
            )
        else:
            why = M("{chance:percent} chance of leaving", **values)
        out.append(
            Action(
                kind="contact",
                text=M("Contact {customer} before they stop buying", customer=names.get(who, who)),
                why=why,
                money=stake * money_per_cell if stake is not None and money_per_cell is not None else None,
                table="scores",
                key={id_col: who},
            )
        )
    if has_groups:
        lost = scores["group"].to_numpy() == "lost"
        n = int(lost.sum())
        if n:
            spend = float(np.nansum(scores.loc[lost, "at_stake"])) if "at_stake" in scores.columns else None
            out.append(
                Action(
                    kind="win_back",
                    text=Mn(
                        "Send a win-back offer to {n} lost customer",
                        "Send a win-back offer to {n} lost customers",
                        n,
                    ),
                    why=Mn(
                        "no order in the last {days:int} day: already gone by the churn window, not a prediction",
                        "no order in the last {days:int} days: already gone by the churn window, not a prediction",
                        window,
                        days=window,
                    ),
                    money=spend * money_per_cell if spend is not None and money_per_cell is not None else None,
                    table="scores",
                    key={"group": "lost"},
                )
            )
    return out


def _ticks(design, spend_unit: str) -> dict[str, Any]:
    """Each design column's label under its bar: the feature's short title, with the category."""
    return {
        name: tick_label(src, spend_unit)
        if src in design.numeric
        else tick_label(src, spend_unit, name[len(src) + 3 :])
        for name, src in zip(design.columns, design.source)
    }


def _metric_rows(metrics: dict, r: dict, threshold: float, n: int) -> list[tuple]:
    """(metric, value, meaning): the meaning says the value in words, so the tab shows 83%
    where a share is meant."""
    return [
        (
            "auc",
            metrics["auc"],
            M(
                "a customer who left is ranked above one who stayed {value:percent} of the "
                "time (ROC AUC, mean over the cross-validation folds; 50% = guessing, "
                "100% = perfect)",
                value=metrics["auc"],
            ).to_dict(),
        ),
        (
            "auc_std",
            metrics["auc_std"],
            M(
                "the AUC varies by {value:.3f} between the folds (standard deviation)", value=metrics["auc_std"]
            ).to_dict(),
        ),
        (
            "accuracy",
            r["accuracy"],
            M("{value:percent} of the customers are predicted right at the threshold", value=r["accuracy"]).to_dict(),
        ),
        (
            "precision",
            r["precision"],
            M("of the customers flagged, {value:percent} left", value=r["precision"]).to_dict(),
        ),
        (
            "recall",
            r["recall"],
            M("of the customers who left, {value:percent} were flagged", value=r["recall"]).to_dict(),
        ),
        ("f1", r["f1"], M("{value:.3f}: the harmonic mean of precision and recall", value=r["f1"]).to_dict()),
        (
            "brier",
            metrics["brier"],
            M(
                "{value:.3f}: the mean squared error of the chances of leaving (lower is better)",
                value=metrics["brier"],
            ).to_dict(),
        ),
        ("n", n, Mn("{n} customer the model learned from", "{n} customers the model learned from", n).to_dict()),
        ("churn_rate", metrics["churn_rate"], M("{value:percent} of them left", value=metrics["churn_rate"]).to_dict()),
        (
            "threshold",
            threshold,
            M("customers whose chance of leaving is {value:.1%} or more are flagged", value=threshold).to_dict(),
        ),
    ]


def _columns(scores: pd.DataFrame, titles: dict[str, Any], spend_unit: str = "money") -> dict[str, dict[str, Column]]:
    """How each table reads for people (the stored tables keep their ids and plain numbers)."""
    score_cols = {
        "customer_id": Column(_l("Customer"), "customer"),
        "row": Column(_l("Row"), "int"),
        "churn_probability": Column(_l("Chance of leaving"), "percent"),
        "rank": Column(_l("Rank"), "int"),
        "predicted": Column(_l("Prediction"), "code", values=PREDICTED),
        "actual": Column(_l("What happened"), "code", values=ACTUAL),
        "top_reasons": Column(_l("Why"), "text"),
        "days_since_last_order": Column(_l("Days since last order"), "int"),
        "group": Column(_l("Group"), "code", values=GROUPS),
        "at_stake": Column(_l("At stake"), "money") if spend_unit == "money" else Column(_l("Items at stake"), "num"),
    }
    return {
        "scores": {c: spec for c, spec in score_cols.items() if c in scores.columns},
        "coefficients": {
            "feature": Column(_l("Feature"), "code", values=titles),
            "coefficient": Column(_l("Log odds (coefficient)"), "num", details=True),
            "odds_ratio": Column(_l("Odds ratio"), "num", details=True),
            "compared_with": Column(_l("Compared with"), "text"),
            "std_dev": Column(_l("One standard deviation"), "num", details=True),
            "words": Column(_l("In words"), "text"),
        },
        "roc": {
            "fpr": Column(_l("False alarms (share of staying customers flagged)"), "percent"),
            "tpr": Column(_l("Leavers caught (share of leaving customers flagged)"), "percent"),
            "threshold": Column(_l("Threshold (chance of leaving)"), "percent"),
        },
        "metrics": {
            "metric": Column(_l("Measure"), "code", values=METRIC_NAMES),
            "value": Column(_l("Value"), "hidden"),
            "meaning": Column(_l("What it says"), "text"),
        },
    }


def _headline(
    scores: pd.DataFrame,
    id_col: str,
    threshold: float,
    metrics: dict,
    mode: str,
    at_risk: float | None,
    spend_unit: str,
    names: dict[str, str],
    amount_column: Any,
    plan: dict | None = None,
):
    """The tab's first line: how many customers are likely to leave and what they spend, or that
    the data cannot tell. In orders mode about the still-active customers (the already-lost ones
    counted in a sentence of their own). ``at_risk``: what is at stake with the flagged active
    customers (orders), or their ``amount_column`` (its title) added up (customer table)."""
    auc = metrics["auc"]
    if auc < WEAK_AUC:
        return M(
            "The data cannot tell who will leave: the model ranks a customer who left above one who "
            "stayed only {auc:percent} of the time, hardly better than a coin toss (50%). Treat the "
            "list as a guess.",
            auc=auc,
        )
    lost = 0
    if "group" in scores.columns:
        lost = int((scores["group"] == "lost").sum())
        scores = scores[scores["group"] == "active"]
    n, total = int((scores["churn_probability"] >= threshold).sum()), len(scores)
    if plan is not None and total and len(plan["rows"]):
        line = Mn(
            "Contact the {n} customer most at risk: {stake:money0} of spend in the next {days:int} days is at "
            "stake, expected return {gain:money0} after {cost:money0} of contact costs.",
            "Contact the {n} customers most at risk: {stake:money0} of spend in the next {days:int} days is at "
            "stake, expected return {gain:money0} after {cost:money0} of contact costs.",
            len(plan["rows"]),
            stake=plan["stake"],
            days=metrics["churn_days"],
            gain=plan["return"],
            cost=plan["costs"],
        )
    elif plan is not None and total:
        line = M(
            "No active customer is worth contacting at {cost:money} a contact: keeping {save:percent} of "
            "them would not pay for the contacts.",
            cost=metrics["contact_cost"],
            save=metrics["save_rate"],
        )
    elif n == 0 and total and lost:
        top = scores.iloc[0]
        who = str(top[id_col])
        line = M(
            "No active customer's chance of leaving reaches {threshold:percent}; the highest is {customer}'s, at "
            "{chance:percent}.",
            threshold=threshold,
            customer=names.get(who, who),
            chance=float(top["churn_probability"]),
        )
    elif n == 0 and total:
        top = scores.iloc[0]
        who = str(top[id_col])
        line = M(
            "No customer's chance of leaving reaches {threshold:percent}; the highest is {customer}'s, at "
            "{chance:percent}.",
            threshold=threshold,
            customer=names.get(who, who),
            chance=float(top["churn_probability"]),
        )
    elif mode == "orders" and not total:
        line = M("No customer is still active: every one has gone without an order for the churn window.")
    elif mode == "orders" and at_risk is not None and spend_unit == "money":
        line = Mn(
            "{n} active customer is likely to stop buying (chance of leaving {threshold:percent} or more); "
            "{stake:money0} of their spend in the next {days:int} days is at stake.",
            "{n} active customers are likely to stop buying (chance of leaving {threshold:percent} or more); "
            "{stake:money0} of their spend in the next {days:int} days is at stake.",
            n,
            threshold=threshold,
            stake=at_risk,
            days=metrics["churn_days"],
        )
    elif mode == "orders" and at_risk is not None:
        line = Mn(
            "{n} active customer is likely to stop buying (chance of leaving {threshold:percent} or more); "
            "{units:int} items they would buy in the next {days:int} days are at stake.",
            "{n} active customers are likely to stop buying (chance of leaving {threshold:percent} or more); "
            "{units:int} items they would buy in the next {days:int} days are at stake.",
            n,
            threshold=threshold,
            units=at_risk,
            days=metrics["churn_days"],
        )
    elif mode == "orders":
        line = Mn(
            "{n} of {total:int} active customers is likely to stop buying (chance of leaving {threshold:percent} "
            "or more).",
            "{n} of {total:int} active customers are likely to stop buying (chance of leaving {threshold:percent} "
            "or more).",
            n,
            total=total,
            threshold=threshold,
        )
    elif at_risk is not None and amount_column is not None:
        line = Mn(
            "{n} of {total:int} customers is likely to leave (chance of leaving {threshold:percent} or "
            "more); their {column} adds up to {amount:money0}.",
            "{n} of {total:int} customers are likely to leave (chance of leaving {threshold:percent} or "
            "more); together their {column} adds up to {amount:money0}.",
            n,
            total=total,
            threshold=threshold,
            column=amount_column,
            amount=at_risk,
        )
    else:
        line = Mn(
            "{n} of {total:int} customers is likely to leave (chance of leaving {threshold:percent} or more).",
            "{n} of {total:int} customers are likely to leave (chance of leaving {threshold:percent} or more).",
            n,
            total=total,
            threshold=threshold,
        )
    if lost:
        line = M(
            "{line} {lost}",
            line=line,
            lost=Mn(
                "{n} more customer is already lost (no order in the last {days:int} days): see Win back.",
                "{n} more customers are already lost (no order in the last {days:int} days): see Win back.",
                lost,
                days=metrics["churn_days"],
            ),
        )
    if auc < ROUGH_AUC:
        return M(
            "{line} {caveat}",
            line=line,
            caveat=M(
                "The list is only a rough guide: the model ranks a customer who left above one who "
                "stayed {auc:percent} of the time (50% would be a coin toss).",
                auc=auc,
            ),
        )
    return line


def roc_plot(roc: pd.DataFrame, fpr_at: float, tpr_at: float, threshold: float, auc: float) -> PlotSpec:
    return PlotSpec(
        title=M("Leavers caught vs false alarms (cross-validated)"),
        x_label=M("false alarms: share of staying customers flagged"),
        y_label=M("leavers caught: share of leaving customers flagged"),
        x_format="percent",
        y_format="percent",
        layers=[
            Layer("line", x=[0, 1], y=[0, 1], name=M("guessing"), color="#999999", dashed=True),
            Layer("line", x=roc["fpr"], y=roc["tpr"], name=M("model"), color="#1f77b4", width=2),
            threshold_marker(fpr_at, tpr_at, threshold),
        ],
    )


def threshold_marker(fpr_at: float, tpr_at: float, threshold: float) -> Layer:
    """The point of the ROC curve at the threshold (the tab moves it with its slider)."""
    return Layer(
        "scatter",
        x=[fpr_at],
        y=[tpr_at],
        name=M("threshold {threshold:percent}", threshold=threshold),
        color="#d62728",
        size=10,
        labels=[
            _(
                "threshold {threshold:percent}: {caught:percent} of leavers caught, {alarms:percent} false alarms",
                threshold=threshold,
                caught=tpr_at,
                alarms=fpr_at,
            )
        ],
    )


def odds_plot(
    coefficients: pd.DataFrame,
    top: int = TOP_ODDS,
    titles: dict[str, Any] | None = None,
    ticks: dict[str, Any] | None = None,
) -> PlotSpec:
    """The strongest effects as bars of log odds; ``titles``: design column -> its words,
    ``ticks``: the same on short lines."""
    titles = titles or {}
    ticks = ticks or {}
    t = coefficients[coefficients["coefficient"] != 0].head(top)
    t = t.sort_values("coefficient", kind="mergesort").reset_index(drop=True)
    x = np.arange(len(t), dtype=float)
    up = (t["coefficient"] > 0).to_numpy()
    layers = []
    for mask, name, col in ((up, M("raises churn"), "#d62728"), (~up, M("lowers churn"), "#1f77b4")):
        if mask.any():
            sub = t[mask]
            layers.append(
                Layer(
                    "bar",
                    x=x[mask],
                    y=sub["coefficient"],
                    name=name,
                    color=col,
                    width=0.7,
                    labels=[
                        _("{feature}: odds ratio {ratio:.2f}", feature=text(titles.get(f, f)), ratio=float(o))
                        for f, o in zip(sub["feature"], sub["odds_ratio"])
                    ],
                )
            )
    layers.append(Layer("hline", x=[], y=[0.0], color="#999999"))
    return PlotSpec(
        title=M(
            "Strongest effects on churn (numbers per one standard deviation, categories against the most common one)"
        ),
        x_label="",
        y_label=M("log odds ratio (0 = no effect, +0.69 = twice as likely, -0.69 = half as likely)"),
        layers=layers,
        x_ticks=[[float(i), ticks.get(f, wrap(f))] for i, f in zip(x, t["feature"])],
    )
