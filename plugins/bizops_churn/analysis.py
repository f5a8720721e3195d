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

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.customers import (FEATURE_WORDS, FEATURES, LABEL,
                                                 customer_features_from_dataset)

from . import model as M

MIN_ROWS = 10
TOP_ODDS = 10              # bars in the odds-ratio chart (more and their names collide)
ROC_POINTS = 400           # the ROC table/plot is thinned to about this many points


def _choose_source(ds: Dataset, source: str) -> str:
    if source == "customers":
        if not ds.has("label"):
            raise DataError("the customer-table mode needs a yes/no churn column marked as label",
                            where=ds.name, hint="Open Column roles and mark the churned column as label, "
                                                "or use source=orders with an orders table")
        return "customers"
    if source == "orders":
        if not ds.has("customer_id", "date"):
            raise DataError("the orders mode needs columns marked as customer and date", where=ds.name,
                            hint="Open Column roles and pick the customer and date columns")
        return "orders"
    if ds.has("label"):
        return "customers"
    if ds.has("customer_id", "date"):
        return "orders"
    raise DataError("Churn risk needs either a yes/no churn column (label) in a customer table, or "
                    "orders with a customer and a date", where=ds.name,
                    hint="Open Column roles and mark the label, or the customer and date columns")


def _customers_table(ds: Dataset, notes: list[str]):
    """(ids, raw feature frame, label, feature words, id column title) from a customer table."""
    frame = ds.frame
    label_col = ds.col("label")
    y = M.parse_label(frame[label_col], label_col)
    features = [c for c in ds.cols("feature") if c in frame.columns and c != label_col]
    if features:
        # In a customer table a column guessed as amount/quantity/price (total_charges, say)
        # describes the customer like any other feature.
        extra = [ds.col(r) for r in ("amount", "quantity", "price")
                 if ds.has(r) and ds.col(r) not in features and ds.col(r) != label_col]
        if extra:
            features += extra
            notes.append("Also used as features: " + ", ".join(map(str, extra))
                         + " (marked as amount, quantity or price).")
    else:
        skip = {label_col, ds.col("customer_id")}
        features = [c for c in frame.columns if c not in skip]
        notes.append("No feature columns are marked, so every other column is used: "
                     + ", ".join(map(str, features)) + ".")
    keep = y.notna()
    if not keep.all():
        notes.append(f"{int((~keep).sum()):,} customers without a churn value were left out.")
    cid = ds.col("customer_id") if ds.has("customer_id") else None
    ids = frame[cid] if cid else pd.Series(np.arange(1, len(frame) + 1), index=frame.index)
    return (ids[keep].reset_index(drop=True), frame.loc[keep, features].reset_index(drop=True),
            y[keep].to_numpy(dtype=int), {}, "customer_id" if cid else "row")


def _check_classes(y: np.ndarray, mode: str, label: str):
    n1 = int(y.sum())
    n0 = len(y) - n1
    if len(y) < MIN_ROWS:
        raise DataError(f"only {len(y)} customers to learn from; a churn model needs at least {MIN_ROWS}",
                        hint="Use a longer history or a bigger customer table")
    if n1 == 0 or n0 == 0:
        which = "churned" if n0 == 0 else "stayed"
        hint = ("Use a different cutoff or churn_days so that some customers stop buying and some go on"
                if mode == "orders" else "A model learns from the difference between the two groups; "
                                         "use a table that has both")
        raise DataError(f"all {len(y):,} customers {which} ({label}): there is only one class, so there is "
                        "nothing to tell apart", hint=hint)
    return n0, n1


def _thin(idx_len: int, keep: int) -> np.ndarray:
    if idx_len <= keep:
        return np.arange(idx_len)
    return np.unique(np.r_[np.linspace(0, idx_len - 1, keep).round().astype(int), idx_len - 1])


def run(dataset: Dataset, params: dict[str, Any], progress: Progress | None = None) -> Result:
    from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

    progress = progress or Progress()
    notes: list[str] = []
    metrics: dict[str, Any] = {}
    mode = _choose_source(dataset, params.get("source", "auto"))
    churn_days = int(params.get("churn_days", 90))
    penalty, C = params.get("penalty", "l2"), float(params.get("C", 1.0))
    class_weight, seed = params.get("class_weight", "none"), int(params.get("seed", 0))
    cost, value = params.get("contact_cost"), params.get("customer_value")
    if (cost is None) != (value is None):
        raise UsageError("choosing the threshold by cost needs both contact_cost and customer_value",
                         hint="Give both, or neither to use the threshold parameter")
    if cost is not None and (cost <= 0 or value <= 0):
        raise UsageError("contact_cost and customer_value must both be more than 0")
    progress.report(0.0, "Preparing customers")

    current = None
    if mode == "customers":
        ids, raw, y, words, id_title = _customers_table(dataset, notes)
        label_desc = f"column {dataset.col('label')}"
    else:
        feats = customer_features_from_dataset(dataset, cutoff=params.get("cutoff"), churn_days=churn_days)
        notes += feats.notes
        f = feats.frame
        ids, raw, y = f["customer_id"], f[list(FEATURES)], f[LABEL].to_numpy(dtype=int)
        words = dict(FEATURE_WORDS)
        words["monetary"] = {"money": "total spend", "units": "units bought",
                             "order lines": "order lines"}[feats.spend_unit]
        id_title = "customer_id"
        label_desc = f"no order in the {churn_days} days to {feats.cutoff.date()}"
        metrics.update(cutoff=str(feats.cutoff.date()), observation_end=str(feats.observation_end.date()),
                       churn_days=churn_days)
        # Today's customers, scored by the final model: features from every order up to the cutoff.
        now = customer_features_from_dataset(dataset, cutoff=feats.cutoff, churn_days=None)
        current = now.frame
    n0, n1 = _check_classes(y, mode, label_desc)

    design = M.prepare_features(raw, list(raw.columns), words)
    notes += design.notes
    p = len(design.columns)
    if p >= len(y):
        raise DataError(f"far more features than customers: {p} model columns (after turning categories "
                        f"into yes/no columns) but only {len(y)} customers",
                        hint="Use fewer feature columns (or ones with fewer categories), or more customers; "
                             "a rule of thumb is at least 10 customers per model column")
    if len(y) < 10 * p:
        notes.append(f"Only {len(y)} customers for {p} model columns (fewer than 10 per column): "
                     "the coefficients are rough; a stronger penalty (smaller C) may help.")

    folds = int(params.get("cv_folds", 10))
    minority = min(n0, n1)
    if minority < 2:
        raise DataError(f"only {minority} customer in the smaller class; cross-validation needs at least 2",
                        hint="Use more customers or a different churn window")
    if minority < folds:
        notes.append(f"Cross-validation uses {minority} folds instead of {folds}: the smaller class has "
                     f"only {minority} customers.")
        folds = minority

    cv = M.cross_validate(design, y, folds=folds, penalty=penalty, C=C, class_weight=class_weight,
                          seed=seed, progress=progress.sub(0.05, 0.85))
    oof = cv.oof

    # Threshold: by cost when both money figures are given, else the user's.
    if cost is not None:
        threshold, ev = M.threshold_by_cost(oof, y, float(cost), float(value))
        metrics.update(threshold_source="cost", expected_value=ev, contact_cost=float(cost),
                       customer_value=float(value), break_even_probability=float(cost) / float(value))
        notes.append(f"Threshold {threshold:.3f} chosen by cost: contacting everyone at or above it gives "
                     f"the most expected value on the cross-validated scores ({ev:,.2f} = customer_value x "
                     f"churners contacted - contact_cost x customers contacted).")
    else:
        threshold = float(params.get("threshold", 0.5))
        metrics["threshold_source"] = "user"
    cm = M.confusion(oof, y, threshold)
    r = M.rates(cm)

    progress.report(0.86, "Fitting the final model on all customers")
    pipe = M.make_pipeline(design, penalty, C, class_weight, seed)
    not_conv = M.fit_quietly(pipe, design.frame, y) + cv.not_converged
    if not_conv:
        notes.append("The solver did not fully converge in some fits; results may be slightly off "
                      "(try a smaller C or the l2 penalty).")
    prep, clf = pipe.named_steps["prepare"], pipe.named_steps["model"]
    coef = clf.coef_.ravel()
    scale = {}
    raw_mean = {}
    if design.numeric:
        sc = prep.named_transformers_["num"].named_steps["scale"]
        scale = dict(zip(design.numeric, sc.scale_.tolist()))
        raw_mean = dict(zip(design.numeric, sc.mean_.tolist()))
    coefficients = M.coefficient_table(design, coef, scale)

    # Scores: the final model's probability. In orders mode for today's customers (features
    # up to the cutoff: whether they churn is not known yet); in customer-table mode for each row.
    progress.report(0.93, "Scoring customers")
    Z_train = prep.transform(design.frame)
    z_mean = Z_train.mean(axis=0)
    if penalty == "none" and p:
        rank = np.linalg.matrix_rank(np.column_stack([np.ones(len(Z_train)), Z_train - z_mean]))
        if rank < p + 1:
            notes.append(f"Some model columns are exact combinations of others ({p + 1 - rank} too many, "
                         "e.g. the same 'no service' answer in several columns): without a penalty their "
                         "coefficients are not unique, so read them with care; the l2 penalty fixes this.")
    if current is not None:
        score_ids = current["customer_id"]
        score_raw = current[list(FEATURES)]
        actual = None
    else:
        score_ids, score_raw, actual = ids, design.frame, y
    X_score = score_raw[design.frame.columns]
    prob = pipe.predict_proba(X_score)[:, 1]
    Z = prep.transform(X_score)
    why = M.reasons(design, X_score.reset_index(drop=True), np.asarray(Z), coef, z_mean, raw_mean)
    scores = pd.DataFrame({id_title: np.asarray(score_ids), "churn_probability": prob})
    scores["rank"] = scores["churn_probability"].rank(ascending=False, method="first").astype(int)
    scores["predicted"] = np.where(prob >= threshold, "churn", "stay")
    if actual is not None:
        scores["actual"] = np.where(actual == 1, "churn", "stay")
    scores["top_reasons"] = why
    if current is not None:
        # Lets the owner tell "about to leave" from "already gone" when filtering the list.
        scores["days_since_last_order"] = current["recency_days"].to_numpy().astype(int)
    scores = scores.sort_values("rank", kind="mergesort").reset_index(drop=True)
    if current is not None:
        notes.append(f"The scores rank all {len(scores):,} customers as they stand at the cutoff "
                     f"(features from every order up to {metrics['cutoff']}), using the model trained on "
                     f"the window ending {metrics['observation_end']}; whether they churn is not known yet.")

    # Evaluation figures (all from the out-of-fold probabilities).
    auc_pooled = float(roc_auc_score(y, oof))
    fpr, tpr, thr = roc_curve(y, oof)
    thr = np.minimum(thr, 1.0)   # sklearn starts at +inf ("nobody"); 1.0 says the same in a table
    keep = _thin(len(fpr), ROC_POINTS)
    roc = pd.DataFrame({"fpr": fpr[keep], "tpr": tpr[keep], "threshold": thr[keep]})
    metrics.update(
        auc=float(np.mean(cv.fold_auc)), auc_std=float(np.std(cv.fold_auc, ddof=1)) if folds > 1 else 0.0,
        auc_pooled=auc_pooled, auc_folds=cv.fold_auc, accuracy=r["accuracy"], precision=r["precision"],
        recall=r["recall"], f1=r["f1"], brier=float(brier_score_loss(y, oof)), n=int(len(y)),
        churned=int(n1), churn_rate=float(n1 / len(y)), threshold=float(threshold), confusion=cm,
        cv_folds=folds, seed=seed, source=mode, penalty=penalty, C=C, class_weight=class_weight,
        features=list(design.frame.columns), model_columns=p, intercept=float(clf.intercept_[0]),
        scored=int(len(scores)), predicted_churn=int((prob >= threshold).sum()),
    )
    notes.append(f"Cross-validated ({folds}-fold, stratified, seed {seed}) ROC AUC "
                 f"{metrics['auc']:.3f} ± {metrics['auc_std']:.3f} on {len(y):,} customers "
                 f"({n1:,} churned, {metrics['churn_rate']:.0%}).")
    metric_rows = [
        ("auc", metrics["auc"], "ROC AUC, mean over the cross-validation folds (0.5 = guessing, 1 = perfect)"),
        ("auc_std", metrics["auc_std"], "standard deviation of the AUC over the folds"),
        ("accuracy", r["accuracy"], "share of customers predicted right at the threshold"),
        ("precision", r["precision"], "of those predicted to churn, the share that did"),
        ("recall", r["recall"], "of those who churned, the share predicted"),
        ("f1", r["f1"], "harmonic mean of precision and recall"),
        ("brier", metrics["brier"], "mean squared error of the probabilities (lower is better)"),
        ("n", len(y), "customers the model learned from"),
        ("churn_rate", metrics["churn_rate"], "share of them who churned"),
        ("threshold", threshold, "probability at or above which a customer is predicted to churn"),
    ]
    metrics_table = pd.DataFrame(metric_rows, columns=["metric", "value", "meaning"])

    plots = {"roc": roc_plot(roc, r["fpr"], r["recall"], threshold, metrics["auc"]),
             "odds_ratios": odds_plot(coefficients)}
    extra = {
        # The panel's threshold slider recomputes the confusion matrix from these, without a rerun.
        "oof_probability": [float(v) for v in oof],   # full precision: a cut may fall between two
        "oof_actual": [int(v) for v in y],
        "threshold": float(threshold),
    }
    progress.report(1.0, "Done")
    return Result(tables={"scores": scores, "coefficients": coefficients, "roc": roc,
                          "metrics": metrics_table},
                  metrics=metrics, plots=plots, notes=notes, extra=extra)


def roc_plot(roc: pd.DataFrame, fpr_at: float, tpr_at: float, threshold: float, auc: float) -> PlotSpec:
    return PlotSpec(
        title=f"ROC curve (cross-validated AUC {auc:.3f})",
        x_label="false alarms: share of staying customers flagged",
        y_label="churners caught: share of churners flagged",
        layers=[
            Layer("line", x=[0, 1], y=[0, 1], name="guessing", color="#999999", dashed=True),
            Layer("line", x=roc["fpr"], y=roc["tpr"], name="model", color="#1f77b4", width=2),
            threshold_marker(fpr_at, tpr_at, threshold),
        ])


def threshold_marker(fpr_at: float, tpr_at: float, threshold: float) -> Layer:
    """The point of the ROC curve at the threshold (the tab moves it with its slider)."""
    return Layer("scatter", x=[fpr_at], y=[tpr_at], name=f"threshold {threshold:.2f}", color="#d62728",
                 size=10, labels=[f"threshold {threshold:.2f}: {tpr_at:.0%} caught, {fpr_at:.0%} false alarms"])


def odds_plot(coefficients: pd.DataFrame, top: int = TOP_ODDS) -> PlotSpec:
    t = coefficients[coefficients["coefficient"] != 0].head(top)
    t = t.sort_values("coefficient", kind="mergesort").reset_index(drop=True)
    x = np.arange(len(t), dtype=float)
    up = (t["coefficient"] > 0).to_numpy()
    layers = []
    for mask, name, col in ((up, "raises churn", "#d62728"), (~up, "lowers churn", "#1f77b4")):
        if mask.any():
            sub = t[mask]
            layers.append(Layer("bar", x=x[mask], y=sub["coefficient"], name=name, color=col, width=0.7,
                                labels=[f"{f}: odds ratio {o:.2f}" for f, o in zip(sub["feature"], sub["odds_ratio"])]))
    layers.append(Layer("hline", x=[], y=[0.0], color="#999999"))
    return PlotSpec(
        title="Strongest effects on churn (numbers per one standard deviation, "
              "categories against the most common one)",
        x_label="",
        y_label="log odds ratio (0 = no effect, +0.69 = 2x as likely, -0.69 = half)",
        layers=layers,
        x_ticks=[[float(i), _wrap(f)] for i, f in zip(x, t["feature"])],
    )


def _wrap(name: str, width: int = 12) -> str:
    """Tick label on a few short lines ("contract =" / "Two year") so neighbours do not collide."""
    words, lines, cur = str(name).replace("_", " ").split(" "), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    lines.append(cur)
    return "\n".join(line if len(line) <= width + 4 else line[:width + 3] + "…" for line in lines[:3])
