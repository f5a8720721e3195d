"""The churn classifier itself: yes/no labels, feature clean-up, the scikit-learn pipeline
(impute, standardise / one-hot, logistic regression), cross-validation, threshold by cost,
per-customer reasons and coefficients in plain words. Pure: no Qt, no Dataset."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as pt

from bizops_desktop.core.engine import run_pieces
from bizops_desktop.core.errors import DataError
from bizops_desktop.core.i18n import format_int

from .i18n import M, Mn, _, _n
from .words import Phrases, as_dict, join_reasons, level_name

YES = {"yes", "y", "true", "t", "1", "1.0", "churned", "是"}
NO = {"no", "n", "false", "f", "0", "0.0", "stayed", "否"}
MAX_LEVELS = 50  # more distinct texts than this looks like an identifier, not a category
REASONS_PER_CUSTOMER = 3
MIN_REASON = 0.01  # log-odds; smaller pushes are not worth a line in a mailing list


# -- label ------------------------------------------------------------------------------------
def parse_label(values: pd.Series, column: str) -> pd.Series:
    """yes/no, 1/0, true/false (any case) -> 1.0/0.0; missing stays NaN. Anything else is a
    DataError that names the offending values."""
    if pt.is_bool_dtype(values):
        return values.astype(float)
    out = pd.Series(np.nan, index=values.index, dtype=float)
    present = values.notna()
    text = values[present].astype(str).str.strip().str.lower()
    is_yes = text.isin(YES)
    is_no = text.isin(NO)
    bad = text[~(is_yes | is_no)]
    if len(bad):
        counts = values[present][~(is_yes | is_no)].astype(str).str.strip().value_counts()
        shown = [
            _n("{value} ({n} row)", "{value} ({n} rows)", int(n), value=repr(v)) for v, n in counts.head(5).items()
        ]
        if len(counts) > 5:
            shown.append(_n("{n} more", "{n} more", len(counts) - 5))
        raise DataError(
            _(
                "the churn label column {column} holds values other than yes/no, 1/0 or true/false: {values:list}",
                column=repr(column),
                values=shown,
            ),
            where=column,
            hint=_("Mark a yes/no column as the label, or fix those values in the file"),
        )
    out[text.index[is_yes.to_numpy()]] = 1.0
    out[text.index[is_no.to_numpy()]] = 0.0
    return out


# -- features ---------------------------------------------------------------------------------
@dataclass
class Design:
    """How the raw feature columns enter the model. ``numeric`` are imputed with the median and
    standardised; ``categorical`` (text, and numbers with only two values) are imputed with the
    most frequent value and one-hot encoded against a reference level (the most frequent one)."""

    frame: pd.DataFrame  # cleaned raw features (numbers as float, categories as text)
    numeric: list[str]
    categorical: list[str]
    levels: dict[str, list[str]]  # every level of each categorical column, sorted
    reference: dict[str, str]  # the level each categorical column is compared against
    missing: dict[str, int]  # missing values filled in, per column
    notes: list[Any] = field(default_factory=list)
    words: dict[str, Any] = field(default_factory=dict)  # column -> its title (a message or the column's name)

    @property
    def columns(self) -> list[str]:
        """Names of the design-matrix columns in pipeline order."""
        out = list(self.numeric)
        for c in self.categorical:
            out += [f"{c} = {lv}" for lv in self.levels[c] if lv != self.reference[c]]
        return out

    @property
    def source(self) -> list[str]:
        """For each design column, the raw feature it comes from."""
        out = list(self.numeric)
        for c in self.categorical:
            out += [c for lv in self.levels[c] if lv != self.reference[c]]
        return out


def _level_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _left_out(why: str, columns: list[str]):
    """The note for feature columns dropped for reason ``why`` (a key of prepare_features' list)."""
    if why == "entirely empty":
        return M("Not used because they are empty: {columns:list}.", columns=columns)
    if why == "constant":
        return M("Not used because every customer has the same value: {columns:list}.", columns=columns)
    if why == "dates":
        return M("Not used because they hold dates: {columns:list}.", columns=columns)
    return M(
        "Not used because almost every customer has a different text there (like a name or an id): {columns:list}.",
        columns=columns,
    )


def prepare_features(frame: pd.DataFrame, columns: Sequence[str], words: dict[str, Any] | None = None) -> Design:
    """Sort feature columns into numeric and categorical, dropping (with a note) those that are
    empty, constant, dates or identifier-like text. A DataError when nothing usable is left."""
    notes: list[Any] = []
    cleaned: dict[str, pd.Series] = {}
    numeric: list[str] = []
    categorical: list[str] = []
    dropped: dict[str, list[str]] = {"entirely empty": [], "constant": [], "dates": [], "identifier-like text": []}
    n = len(frame)
    for c in columns:
        col = frame[c]
        if col.isna().all():
            dropped["entirely empty"].append(c)
            continue
        if pt.is_datetime64_any_dtype(col):
            dropped["dates"].append(c)
            continue
        if pt.is_bool_dtype(col):
            col = col.astype(float)
        if not pt.is_numeric_dtype(col):
            as_num = pd.to_numeric(col.astype("string").str.strip().str.replace(",", "", regex=False), errors="coerce")
            ok = as_num.notna().sum()
            if ok >= 0.95 * col.notna().sum() and as_num.nunique() > 2:
                unparsed = int(col.notna().sum() - ok)
                if unparsed:
                    notes.append(
                        Mn(
                            "{n} value of {column} is not a number and is treated as missing.",
                            "{n} values of {column} are not numbers and are treated as missing.",
                            unparsed,
                            column=str(c),
                        )
                    )
                col = as_num
        nunique = col.nunique(dropna=True)
        if nunique <= 1:
            dropped["constant"].append(c)
            continue
        if pt.is_numeric_dtype(col) and nunique > 2:
            cleaned[c] = col.astype(float)
            numeric.append(c)
            continue
        # Format each distinct value once (a column has few levels, many rows).
        text = col.map({v: _level_text(v) for v in col.dropna().unique()}).astype(object)
        if nunique > MAX_LEVELS or (nunique > 0.5 * n and n > 20):
            dropped["identifier-like text"].append(c)
            continue
        cleaned[c] = text
        categorical.append(c)
    for why, cols in dropped.items():
        if cols:
            notes.append(_left_out(why, [str(c) for c in cols]))
    if not cleaned:
        raise DataError(
            _(
                "no usable feature is left: every feature column is empty, the same for every "
                "customer, a date or identifier-like text"
            ),
            hint=_("Mark some columns that describe the customers (plan, spend, tenure...) as features"),
        )
    # Keep the caller's column order within each kind (the design matrix follows it).
    numeric = [c for c in columns if c in numeric]
    categorical = [c for c in columns if c in categorical]
    design_frame = pd.DataFrame({c: cleaned[c] for c in numeric + categorical}, index=frame.index)
    levels, reference = {}, {}
    for c in categorical:
        counts = design_frame[c].value_counts(dropna=True)
        levels[c] = sorted(counts.index.tolist())
        # Most frequent level is the reference (ties: first in sorted order) so odds ratios read
        # "compared with the typical customer".
        top = counts.max()
        reference[c] = sorted(v for v, k in counts.items() if k == top)[0]
    missing = {c: int(design_frame[c].isna().sum()) for c in design_frame.columns if design_frame[c].isna().any()}
    if missing:
        notes.append(
            M(
                "Missing values filled in (numbers with the median, categories with the most "
                "common value): {columns:list}.",
                columns=[f"{c} ({format_int(k)})" for c, k in missing.items()],
            )
        )
    w = {c: (words or {}).get(c, str(c)) for c in design_frame.columns}
    return Design(design_frame, numeric, categorical, levels, reference, missing, notes, w)


# -- model ------------------------------------------------------------------------------------
def make_classifier(penalty: str, C: float, class_weight: str, seed: int):
    """scikit-learn's LogisticRegression for the chosen penalty (1.8+ spelling: l1_ratio and
    C=inf instead of the deprecated ``penalty``). Newton-Cholesky gives the exact optimum for
    L2/none; L1 needs saga, which leaves the intercept unpenalised (liblinear would not)."""
    from sklearn.linear_model import LogisticRegression

    cw = "balanced" if class_weight == "balanced" else None
    if penalty == "l1":
        return LogisticRegression(
            C=C, l1_ratio=1.0, solver="saga", max_iter=5000, tol=1e-6, class_weight=cw, random_state=seed
        )
    c = np.inf if penalty == "none" else C
    return LogisticRegression(C=c, l1_ratio=0.0, solver="newton-cholesky", max_iter=500, tol=1e-8, class_weight=cw)


def pipeline_spec(design: Design, penalty: str, C: float, class_weight: str, seed: int) -> dict:
    """What the pipeline is built from, as plain data (lists, dicts, numbers): a CV fold on a
    worker process or a cluster gets this, not the Design (with its messages)."""
    return {
        "numeric": list(design.numeric),
        "categorical": list(design.categorical),
        "levels": {c: list(design.levels[c]) for c in design.categorical},
        "reference": {c: design.reference[c] for c in design.categorical},
        "impute_categorical": any(c in design.missing for c in design.categorical),
        "penalty": penalty,
        "C": float(C),
        "class_weight": class_weight,
        "seed": int(seed),
    }


def make_pipeline(design: Design, penalty: str, C: float, class_weight: str, seed: int):
    """Preprocessing + classifier as one Pipeline, so each CV fold fits its own imputation,
    scaling and model on its training part only."""
    return pipeline_from_spec(pipeline_spec(design, penalty, C, class_weight, seed))


def pipeline_from_spec(spec: dict):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    parts = []
    if spec["numeric"]:
        parts.append(
            (
                "num",
                Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]),
                spec["numeric"],
            )
        )
    if spec["categorical"]:
        cats = [spec["levels"][c] for c in spec["categorical"]]
        refs = [spec["reference"][c] for c in spec["categorical"]]
        steps = [("onehot", OneHotEncoder(categories=cats, drop=refs, handle_unknown="ignore", sparse_output=False))]
        if spec["impute_categorical"]:
            # Only when needed: imputing text columns is slow and a no-op without gaps.
            steps.insert(0, ("impute", SimpleImputer(strategy="most_frequent")))
        parts.append(("cat", Pipeline(steps), spec["categorical"]))
    pre = ColumnTransformer(parts, remainder="drop", verbose_feature_names_out=False)
    model = make_classifier(spec["penalty"], spec["C"], spec["class_weight"], spec["seed"])
    return Pipeline([("prepare", pre), ("model", model)])


def fit_quietly(pipe, X, y):
    """Fit, turning "did not converge" into a flag instead of console noise (the run notes it).

    BLAS is held to one thread: these matrices are small, and a multi-threaded BLAS on a busy
    machine was measured 5-10x slower than one thread (threads fighting over the cores)."""
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    with warnings.catch_warnings(record=True) as caught, threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.filterwarnings("ignore", message=r".*Found\s+unknown\s+categories")
        pipe.fit(X, y)
    return any(issubclass(w.category, ConvergenceWarning) for w in caught)


@dataclass
class CVResult:
    oof: np.ndarray  # out-of-fold churn probability per row
    fold_auc: list[float]
    folds: int
    not_converged: int


def cv_fold(X_train: pd.DataFrame, y_train: np.ndarray, X_test: pd.DataFrame, y_test: np.ndarray, spec: dict):
    """One cross-validation fold: the whole pipeline fitted on the training part, the test part
    scored. A piece of core/engine.run_pieces (plain frames and arrays in, plain numbers out), so
    it runs the same here, in a worker process or on a cluster. Returns (test probabilities,
    AUC, did-not-converge)."""
    from sklearn.metrics import roc_auc_score

    pipe = pipeline_from_spec(spec)
    bad = fit_quietly(pipe, X_train, y_train)
    p = pipe.predict_proba(X_test)[:, 1]
    return p, float(roc_auc_score(y_test, p)), bool(bad)


# Local worker processes pay for their start (fresh interpreters importing scikit-learn, then
# each fold's data pickled over) only on big tables, counted as folds x customers x model
# columns, L1 3x (saga measured 2.5x slower than newton-cholesky on 5,000 customers).
# benchmarks/bench_engine.py on a busy 2-core machine, processes / here: 2.04 at 2.6M cells
# (20,000 customers), 1.30 at 13M, 0.59 at 39M.
PROCESS_CELLS = 20_000_000


def cv_in_processes(n: int, p: int, folds: int, penalty: str) -> bool:
    """Whether the folds go to local worker processes (the dask engine takes them anyway)."""
    return folds * n * max(p, 1) * (3 if penalty == "l1" else 1) >= PROCESS_CELLS


def cross_validate(
    design: Design, y: np.ndarray, *, folds: int, penalty: str, C: float, class_weight: str, seed: int, progress
) -> CVResult:
    """Stratified k-fold with a fixed seed; the whole pipeline is refitted inside each fold. The
    folds run through core/engine.run_pieces: here for a small table, else in local worker
    processes or on the Dask cluster, with the same numbers."""
    from sklearn.model_selection import StratifiedKFold

    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    spec = pipeline_spec(design, penalty, C, class_weight, seed)
    X = design.frame
    splits = list(skf.split(np.zeros(len(y)), y))
    pieces = [(X.iloc[tr], y[tr], X.iloc[te], y[te], spec) for tr, te in splits]
    got = run_pieces(
        cv_fold,
        pieces,
        progress,
        processes=cv_in_processes(len(y), len(design.columns), folds, penalty),
        preload=("bizops_churn.model", "sklearn.linear_model", "sklearn.compose", "sklearn.preprocessing"),
        status=lambda i, k, n: _("Cross-validation: fold {k:int} of {folds:int}", k=k, folds=n),
        finished=_("Cross-validation done"),
    )
    oof = np.full(len(y), np.nan)
    for (_tr, te), (p, _auc, _bad) in zip(splits, got):
        oof[te] = p
    return CVResult(oof, [auc for _p, auc, _bad in got], folds, sum(bad for _p, _auc, bad in got))


# -- threshold and metrics ---------------------------------------------------------------------
def threshold_by_cost(
    prob: np.ndarray, y: np.ndarray, contact_cost: float, customer_value: float
) -> tuple[float, float]:
    """The threshold that maximises the expected value of a retention campaign on these
    (out-of-fold) probabilities: contacting everyone with probability >= t gives
    EV(t) = sum over contacted of (customer_value * actual - contact_cost), i.e. each contacted
    churner is kept (worth customer_value) and every contact costs contact_cost.
    Returns (threshold, EV); the threshold lies halfway between the last score contacted and the
    next lower one. Contacting nobody (EV 0) is a candidate too: threshold 1.0 then means "no one
    is worth a contact" unless a probability is exactly 1."""
    order = np.argsort(-prob, kind="mergesort")
    p = prob[order]
    gain = customer_value * y[order] - contact_cost
    ev = np.cumsum(gain)
    # Only cut between distinct probabilities: customers with equal scores go together.
    last_of_run = np.r_[p[1:] != p[:-1], True]
    ev_cut = ev[last_of_run]
    t_cut = p[last_of_run]
    if len(ev_cut) == 0 or ev_cut.max() <= 0:
        return 1.0, 0.0
    i = int(np.argmax(ev_cut))
    # Cut halfway to the next lower score, so the threshold is not itself someone's score.
    below = t_cut[i + 1] if i + 1 < len(t_cut) else 0.0
    return float((t_cut[i] + below) / 2), float(ev_cut[i])


def confusion(prob: np.ndarray, y: np.ndarray, threshold: float) -> dict[str, int]:
    pred = prob >= threshold
    actual = y == 1
    return {
        "tn": int((~pred & ~actual).sum()),
        "fp": int((pred & ~actual).sum()),
        "fn": int((~pred & actual).sum()),
        "tp": int((pred & actual).sum()),
    }


def rates(cm: dict[str, int]) -> dict[str, float]:
    """accuracy, precision, recall, F1, fpr from a confusion matrix (0 where undefined)."""
    tn, fp, fn, tp = cm["tn"], cm["fp"], cm["fn"], cm["tp"]
    n = tn + fp + fn + tp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "accuracy": (tp + tn) / n if n else 0.0,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "fpr": fp / (fp + tn) if fp + tn else 0.0,
    }


# -- explanations -------------------------------------------------------------------------------
def _factor(odds_ratio: float) -> float:
    """An odds ratio as the "N times as likely" of a sentence: 12, 2.5, 1.07, 0.043."""
    if odds_ratio >= 10:
        return float(round(odds_ratio))
    if odds_ratio >= 0.1:
        return float(round(odds_ratio, 2))
    return float(f"{odds_ratio:.2g}")


def design_titles(design: Design) -> dict[str, Any]:
    """Each design column in words: the feature's title, or "contract: Two year" for a category."""
    out: dict[str, Any] = {}
    for name, src in zip(design.columns, design.source):
        w = design.words.get(src, src)
        out[name] = w if src in design.numeric else level_name(w, name[len(src) + 3 :])
    return out


def coefficient_table(design: Design, coef: np.ndarray, scale: dict[str, float]) -> pd.DataFrame:
    """One row per design column: coefficient (log odds), odds ratio and a sentence. Numeric
    coefficients are per one standard deviation (``scale``), categories against the reference.
    ``compared_with`` and ``words`` hold messages (as their dicts: rendered in the reader's language)."""
    rows = []
    for name, src, b in zip(design.columns, design.source, coef):
        odds = float(np.exp(b))
        w = design.words.get(src, src)
        if src in design.numeric:
            sd = scale.get(src, float("nan"))
            kind = M("per 1 standard deviation")
            if b == 0:
                text = M("{feature} makes no difference to churn in this model (coefficient 0).", feature=w)
            elif b > 0:
                text = M(
                    "Customers with one standard deviation more {feature} (+{sd}) are {factor}x as "
                    "likely to churn (odds ratio, other features equal).",
                    feature=w,
                    sd=float(sd),
                    factor=_factor(odds),
                )
            else:
                # Said the other way round so the factor reads as "N times as likely", N > 1.
                text = M(
                    "Customers with one standard deviation less {feature} (-{sd}) are {factor}x as "
                    "likely to churn (odds ratio, other features equal).",
                    feature=w,
                    sd=float(sd),
                    factor=_factor(1 / odds),
                )
        else:
            level = name[len(src) + 3 :]
            ref = design.reference[src]
            sd = float("nan")
            kind = M("vs {feature} = {level}", feature=w, level=ref)
            if b == 0:
                text = M(
                    "{feature} = {level} makes no difference to churn compared with {reference} (coefficient 0).",
                    feature=w,
                    level=level,
                    reference=ref,
                )
            elif b > 0:
                text = M(
                    "Customers with {feature} = {level} are {factor}x as likely to churn as those with "
                    "{feature} = {reference} (odds ratio, other features equal).",
                    feature=w,
                    level=level,
                    reference=ref,
                    factor=_factor(odds),
                )
            else:
                text = M(
                    "Customers with {feature} = {reference} are {factor}x as likely to churn as those "
                    "with {feature} = {level} (odds ratio, other features equal).",
                    feature=w,
                    level=level,
                    reference=ref,
                    factor=_factor(1 / odds),
                )
        rows.append(
            {
                "feature": name,
                "coefficient": float(b),
                "odds_ratio": odds,
                "compared_with": kind.to_dict(),
                "std_dev": sd,
                "words": text.to_dict(),
            }
        )
    t = pd.DataFrame(rows, columns=["feature", "coefficient", "odds_ratio", "compared_with", "std_dev", "words"])
    return t.reindex(t["coefficient"].abs().sort_values(ascending=False, kind="mergesort").index).reset_index(drop=True)


def reasons(
    design: Design,
    raw: pd.DataFrame,
    Z: np.ndarray,
    coef: np.ndarray,
    z_mean: np.ndarray,
    raw_mean: dict[str, float],
    phrases: Phrases | None = None,
) -> list[dict]:
    """For each customer the features that push their churn odds up most, in words: one message
    per customer (as its dict), e.g. "no order for 120 days (average customer: 31); spent 40% less
    in the later half of their time with the shop than in the earlier half".

    Contribution of a feature = sum over its design columns of coef * (z - mean z over the
    training customers): for a standardised number that is coef * x_std; for a category it is
    measured against the average customer, so the reference level can be a reason too."""
    phrases = phrases or Phrases(design.words)
    contrib = (Z - z_mean) * coef
    src = np.asarray(design.source)
    feats = list(design.numeric) + list(design.categorical)
    per = np.column_stack([contrib[:, src == f].sum(axis=1) for f in feats])
    top = np.argsort(-per, axis=1, kind="mergesort")[:, :REASONS_PER_CUSTOMER]
    out: list[dict] = []
    raw_values = {f: raw[f].to_numpy() for f in feats}
    for i in range(len(per)):
        parts = []
        for j in top[i]:
            if per[i, j] < MIN_REASON:
                break
            f = feats[j]
            v = raw_values[f][i]
            if f in design.numeric:
                parts.append(phrases.number(f, v, raw_mean[f]))
            else:
                parts.append(phrases.category(f, v))
        out.append(as_dict(join_reasons(parts)))
    return out
