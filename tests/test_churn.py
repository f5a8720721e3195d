"""Churn risk: accuracy on IBM Telco against the published reference, coefficients and
out-of-fold probabilities against scikit-learn on an independently built design matrix, the
cost threshold against brute force, per-customer reasons on planted data, bad inputs."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from bizops_churn import ANALYSIS
from bizops_churn import model as M
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import Cancelled, DataError, UsageError
from bizops_desktop.core.i18n import format_number, text
from bizops_desktop.core.progress import Progress

TELCO_NUMERIC = ["tenure", "monthly_charges", "total_charges"]  # the columns with > 2 values


def _notes(result) -> list[str]:
    """The notes as the user reads them (they are messages, rendered in the current language)."""
    return [text(n) for n in result.notes]


def _texts(column: pd.Series) -> pd.Series:
    """A column of sentence cells (messages) as text."""
    return column.map(text)


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """The reference fits below are small; one BLAS thread keeps them quick on a busy machine."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(scope="module")
def telco(request):
    from pathlib import Path

    return pd.read_csv(Path(__file__).parent / "data" / "telco_churn.csv")


@pytest.fixture(scope="module")
def telco_result(telco):
    return ANALYSIS.execute(Dataset("telco", telco, roles={"label": "churn"}), {})


def test_telco_auc_meets_the_published_reference(telco_result):
    m = telco_result.metrics
    # Published: 0.842 +- 0.012 for logistic regression, all columns, 10-fold stratified CV.
    assert m["auc"] >= 0.84
    assert 0.0 < m["auc_std"] < 0.04
    assert m["cv_folds"] == 10 and m["n"] == 7043 and m["churned"] == 1869
    assert m["churn_rate"] == pytest.approx(1869 / 7043)
    assert len(m["auc_folds"]) == 10
    assert any("total_charges (11)" in n for n in _notes(telco_result))  # imputation counted


def _reference_design(telco: pd.DataFrame):
    """The design matrix built by hand: numbers median-filled and z-scored (population sd),
    every other column one-hot against its most frequent value."""
    X = telco.drop(columns="churn")
    num = X[TELCO_NUMERIC].fillna(X[TELCO_NUMERIC].median())
    num = (num - num.mean()) / num.std(ddof=0)
    parts = [num]
    for c in X.columns:
        if c in TELCO_NUMERIC:
            continue
        s = X[c].astype(str)
        ref = s.value_counts().idxmax()
        d = pd.get_dummies(s, dtype=float).drop(columns=ref)
        d.columns = [f"{c} = {lv}" for lv in d.columns]
        parts.append(d)
    return pd.concat(parts, axis=1), (telco["churn"] == "Yes").astype(int).to_numpy()


def test_coefficients_equal_scikit_learn_on_the_same_design_matrix(telco, telco_result):
    Xd, y = _reference_design(telco)
    # Newton's method to a tight tolerance: the reference optimum itself is exact to ~1e-9
    ref = LogisticRegression(C=1.0, solver="newton-cholesky", max_iter=10_000, tol=1e-10).fit(Xd.to_numpy(), y)
    ours = telco_result.tables["coefficients"].set_index("feature")
    assert sorted(ours.index) == sorted(Xd.columns)
    got = ours.loc[list(Xd.columns), "coefficient"].to_numpy()
    np.testing.assert_allclose(got, ref.coef_.ravel(), atol=1e-5)  # measured: 8.6e-7
    np.testing.assert_allclose(ours.loc[list(Xd.columns), "odds_ratio"], np.exp(ref.coef_.ravel()), rtol=1e-5)
    assert telco_result.metrics["intercept"] == pytest.approx(ref.intercept_[0], abs=1e-5)
    # Plain words, per one standard deviation for numbers, reading "N x as likely" with N >= 1.
    words = _texts(ours["words"]).to_dict()
    assert "one standard deviation less tenure" in words["tenure"]
    or_m2m = 1 / ours.loc["contract = Two year", "odds_ratio"]
    factor = format_number(round(or_m2m, 2), "en")
    assert f"contract = Month-to-month are {factor}x as likely to churn" in words["contract = Two year"]
    assert text(ours.loc["contract = Two year", "compared_with"]) == "vs contract = Month-to-month"


def test_out_of_fold_probabilities_match_a_hand_built_sklearn_pipeline(telco, telco_result):
    X = telco.drop(columns="churn").copy()
    cats = [c for c in X.columns if c not in TELCO_NUMERIC]
    for c in cats:
        X[c] = X[c].astype(str)
    refs = [X[c].value_counts().idxmax() for c in cats]
    pre = ColumnTransformer(
        [
            ("n", Pipeline([("i", SimpleImputer(strategy="median")), ("s", StandardScaler())]), TELCO_NUMERIC),
            ("c", OneHotEncoder(drop=refs, sparse_output=False), cats),
        ]
    )
    pipe = Pipeline([("p", pre), ("m", LogisticRegression(C=1.0, max_iter=10_000, tol=1e-8))])
    y = (telco["churn"] == "Yes").astype(int).to_numpy()
    oof = cross_val_predict(pipe, X, y, cv=StratifiedKFold(10, shuffle=True, random_state=0), method="predict_proba")[
        :, 1
    ]
    ours = np.array(telco_result.extra["oof_probability"])
    np.testing.assert_allclose(ours, oof, atol=1e-4)
    assert telco_result.metrics["auc_pooled"] == pytest.approx(roc_auc_score(y, oof), abs=1e-4)
    # Confusion matrix and rates at the threshold, recomputed here.
    pred = ours >= 0.5
    tp, fp = int((pred & (y == 1)).sum()), int((pred & (y == 0)).sum())
    assert telco_result.metrics["confusion"]["tp"] == tp and telco_result.metrics["confusion"]["fp"] == fp
    assert telco_result.metrics["precision"] == pytest.approx(tp / (tp + fp))
    assert telco_result.metrics["brier"] == pytest.approx(np.mean((ours - y) ** 2), abs=1e-5)


def test_scores_tables_and_plots(telco_result):
    s = telco_result.tables["scores"]
    assert list(s.columns) == ["row", "churn_probability", "rank", "predicted", "actual", "top_reasons"]
    assert len(s) == 7043 and s["rank"].tolist() == list(range(1, 7044))
    assert s["churn_probability"].is_monotonic_decreasing
    assert (s["predicted"] == np.where(s["churn_probability"] >= 0.5, "churn", "stay")).all()
    # The riskiest customers: churned far more often than the 27% base rate.
    assert (s["actual"].head(500) == "churn").mean() > 0.6
    assert "tenure is low" in text(s["top_reasons"].iloc[0])
    roc = telco_result.tables["roc"]
    assert roc["fpr"].is_monotonic_increasing and roc["tpr"].is_monotonic_increasing
    assert roc["threshold"].max() <= 1.0
    assert set(telco_result.plots) == {"roc", "odds_ratios"}
    bars = [ly for ly in telco_result.plots["odds_ratios"].layers if ly.kind == "bar"]
    assert sum(len(b.x) for b in bars) == 10
    coef = telco_result.tables["coefficients"].head(10)
    shown = {lab.split(": odds ratio")[0] for b in bars for lab in b.labels}
    feature_words = telco_result.columns["coefficients"]["feature"].values
    # the ten strongest, by |log odds|, in words ("contract: Two year")
    assert shown == {text(feature_words[f]) for f in coef["feature"]}
    assert "contract: Two year" in {text(w) for w in feature_words.values()}
    assert {text(b.name) for b in bars} == {"raises churn", "lowers churn"}


def test_threshold_by_cost_is_the_best_of_all_cuts():
    rng = np.random.default_rng(1)
    for _ in range(20):
        p = rng.choice(np.linspace(0, 1, 30), size=200)  # ties on purpose
        y = (rng.random(200) < p).astype(int)
        cost, value = rng.uniform(1, 20), rng.uniform(10, 100)
        t, ev = M.threshold_by_cost(p, y, cost, value)
        brute = max([0.0] + [float(((value * y - cost) * (p >= c)).sum()) for c in np.unique(p)])
        assert ev == pytest.approx(brute)
        assert float(((value * y - cost) * (p >= t)).sum()) == pytest.approx(ev) or ev == 0.0


def test_cost_threshold_in_a_run_sits_near_break_even(telco):
    ds = Dataset("telco", telco, roles={"label": "churn"})
    r = ANALYSIS.execute(ds, {"contact_cost": 10, "customer_value": 50, "cv_folds": 3})
    m = r.metrics
    assert m["threshold_source"] == "cost" and m["break_even_probability"] == pytest.approx(0.2)
    # Probabilities of logistic regression are nearly calibrated, so the best cut is near cost/value.
    assert 0.1 < m["threshold"] < 0.35 and m["expected_value"] > 0
    with pytest.raises(UsageError, match="both contact_cost and customer_value"):
        ANALYSIS.execute(ds, {"customer_value": 50})
    # a contact cost alone says how many to contact (tests/test_actions_churn.py); the threshold stays
    assert ANALYSIS.execute(ds, {"contact_cost": 10, "cv_folds": 3}).metrics["threshold_source"] == "user"


def _planted(n=400, seed=3):
    rng = np.random.default_rng(seed)
    f = pd.DataFrame(
        {
            "customer": [f"c{i:03d}" for i in range(n)],
            "complaints": rng.poisson(1.0, n).astype(float),
            "plan": rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2]),
            "noise": rng.normal(size=n),
        }
    )
    logit = -1.5 + 1.2 * (f["complaints"] - 1) + np.where(f["plan"] == "basic", 1.5, 0.0)
    f["left"] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return f


def test_reasons_name_the_planted_drivers():
    f = _planted()
    r = ANALYSIS.execute(Dataset("p", f, roles={"label": "left", "customer_id": "customer"}), {})
    s = r.tables["scores"]
    assert s.columns[0] == "customer_id"
    top = s.head(20).merge(f[["customer", "plan"]], left_on="customer_id", right_on="customer")
    why = _texts(top["top_reasons"])
    assert why.str.contains("complaints is high").all()
    # The plan is a reason exactly for the basic-plan customers among them (it raises their odds).
    basic = top["plan"] == "basic"
    assert basic.sum() >= 10
    assert (why.str.contains("plan: basic") == basic).all()
    coef = r.tables["coefficients"].set_index("feature")
    assert coef.index[0] in ("complaints", "plan = pro", "plan = plus")
    assert abs(coef.loc["noise", "coefficient"]) < abs(coef.loc["complaints", "coefficient"]) / 3
    # A low-risk customer's reasons never list something that lowers their risk.
    low = text(s.iloc[-1]["top_reasons"])
    assert "complaints is high" not in low and "plan: basic" not in low


def test_l1_and_balanced_and_none_run(telco):
    ds = Dataset("telco", telco.head(1500), roles={"label": "churn"})
    l1 = ANALYSIS.execute(ds, {"penalty": "l1", "C": 0.01, "cv_folds": 3})
    assert (l1.tables["coefficients"]["coefficient"] == 0).sum() > 5  # L1 zeroes some out
    bal = ANALYSIS.execute(ds, {"class_weight": "balanced", "cv_folds": 3})
    plain = ANALYSIS.execute(ds, {"cv_folds": 3})
    assert bal.metrics["recall"] > plain.metrics["recall"]
    f = _planted()
    none = ANALYSIS.execute(Dataset("p", f, roles={"label": "left"}), {"penalty": "none", "cv_folds": 3})
    ref = LogisticRegression(C=np.inf, max_iter=10_000, tol=1e-10)
    comp = (f["complaints"] - f["complaints"].mean()) / f["complaints"].std(ddof=0)
    noise = (f["noise"] - f["noise"].mean()) / f["noise"].std(ddof=0)
    X = np.column_stack([comp, noise, f["plan"] == "plus", f["plan"] == "pro"]).astype(float)
    ref.fit(X, (f["left"] == "yes").astype(int))
    got = (
        none.tables["coefficients"]
        .set_index("feature")
        .loc[["complaints", "noise", "plan = plus", "plan = pro"], "coefficient"]
    )
    np.testing.assert_allclose(got, ref.coef_.ravel(), atol=1e-4)
    assert not any("exact combinations" in n for n in _notes(none))
    # Telco repeats internet_service = No as "No internet service" in six service columns, and
    # phone_service = 0 as multiple_lines = "No phone service": 7 redundant columns, said when unpenalised.
    dup = ANALYSIS.execute(ds, {"penalty": "none", "cv_folds": 3})
    assert any("exact combinations of others (7 too many" in n for n in _notes(dup))


# -- bad cases -------------------------------------------------------------------------------
def test_only_one_class_is_a_clear_error(telco):
    ds = Dataset("t", telco[telco["churn"] == "No"], roles={"label": "churn"})
    with pytest.raises(DataError, match="only one class"):
        ANALYSIS.execute(ds, {})


def test_label_with_other_values_names_them():
    f = _planted()
    f.loc[:4, "left"] = "maybe"
    f.loc[5, "left"] = "unknown"
    with pytest.raises(DataError) as e:
        ANALYSIS.execute(Dataset("p", f, roles={"label": "left"}), {})
    msg = str(e.value)
    assert "'maybe' (5 rows)" in msg and "'unknown' (1 row)" in msg and "left" in msg
    ok = _planted()
    ok["left"] = ok["left"].map({"yes": "TRUE", "no": "False"})
    assert ANALYSIS.execute(Dataset("p", ok, roles={"label": "left"}), {"cv_folds": 3}).metrics["n"] == 400


def test_constant_or_empty_features_are_dropped_with_a_note():
    f = _planted()
    f["country"] = "NL"
    f["fax"] = np.nan
    r = ANALYSIS.execute(Dataset("p", f, roles={"label": "left", "customer_id": "customer"}), {"cv_folds": 3})
    assert "country" not in r.metrics["features"] and "fax" not in r.metrics["features"]
    assert any("Not used because every customer has the same value: country" in n for n in _notes(r))
    assert any("Not used because they are empty: fax" in n for n in _notes(r))
    g = f[["customer", "left", "country", "fax"]]
    with pytest.raises(DataError, match="no usable feature"):
        ANALYSIS.execute(Dataset("p", g, roles={"label": "left", "customer_id": "customer"}), {})


def test_far_more_features_than_rows():
    rng = np.random.default_rng(0)
    f = pd.DataFrame(rng.normal(size=(12, 30)), columns=[f"x{i}" for i in range(30)])
    f["churn"] = ["yes", "no"] * 6
    with pytest.raises(DataError, match="far more features than customers: 30 model columns .* only 12"):
        ANALYSIS.execute(Dataset("w", f, roles={"label": "churn"}), {})


def test_missing_roles_and_cancel(telco):
    orders = pd.DataFrame({"c": ["a", "b"], "d": pd.to_datetime(["2024-01-01", "2024-02-01"])})
    with pytest.raises(DataError, match="needs a yes/no churn column marked as label"):
        ANALYSIS.execute(Dataset("t", orders, roles={"customer_id": "c", "date": "d"}), {"source": "customers"})
    with pytest.raises(DataError, match="Churn risk needs"):
        ANALYSIS.execute(Dataset("t", telco, roles={"feature": ["tenure"]}), {})
    seen = []

    def cb(fraction, text):
        seen.append(text)
        if "fold 3" in text:
            ev.set()

    ev = threading.Event()
    with pytest.raises(Cancelled):
        ANALYSIS.execute(Dataset("t", telco, roles={"label": "churn"}), {}, Progress(cb, ev))
    assert not any("fold 5" in t for t in seen)
