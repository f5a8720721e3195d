"""Pricing tab, no Qt: regression against statsmodels (Carseats) and NIST's certified Longley
values, elasticity against demand planted in generated orders, and the bad cases."""

from __future__ import annotations

import math
import threading

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import Cancelled, DataError, UsageError
from bizops_desktop.core.i18n import text
from bizops_desktop.core.progress import Progress
from bizops_pricing import ANALYSIS
from bizops_pricing.elasticity import optimal_price, whatif
from bizops_pricing.regression import ols


def _regression(frame, target, features, **params):
    ds = Dataset("t", frame, roles={"target": target, "feature": features})
    return ANALYSIS.execute(ds, {"mode": "regression", **params}, Progress())


# --- regression: reference library and certified values ---------------------------------------
def test_carseats_matches_statsmodels_formula_ols(data_dir):
    import statsmodels.formula.api as smf

    d = pd.read_csv(data_dir / "carseats.csv")
    res = _regression(d, "Sales", [c for c in d.columns if c != "Sales"])
    ref = smf.ols(
        "Sales ~ CompPrice + Income + Advertising + Population + Price + ShelveLoc + Age + Education + Urban + US", d
    ).fit()
    coef = res.tables["coefficients"].set_index("term")
    # our "ShelveLoc=Good" is patsy's "ShelveLoc[T.Good]": same reference level (Bad, first sorted)
    names = {t: (t.replace("=", "[T.") + "]" if "=" in t else t) for t in coef.index}
    assert sorted(names.values()) == sorted(ref.params.index)
    for t, r in names.items():
        assert coef.loc[t, "estimate"] == pytest.approx(ref.params[r], abs=1e-8), t
        assert coef.loc[t, "std_error"] == pytest.approx(ref.bse[r], abs=1e-8), t
        assert coef.loc[t, "p_value"] == pytest.approx(ref.pvalues[r], rel=1e-6, abs=1e-12), t
        assert coef.loc[t, "ci_low"] == pytest.approx(ref.conf_int().loc[r, 0], abs=1e-8), t
    assert coef.loc["Price", "estimate"] == pytest.approx(-0.0954, abs=5e-5)
    assert coef.loc["ShelveLoc=Good", "estimate"] == pytest.approx(4.85, abs=5e-3)
    m = res.metrics
    for ours, theirs in (("r2", ref.rsquared), ("adj_r2", ref.rsquared_adj), ("aic", ref.aic), ("bic", ref.bic)):
        assert m[ours] == pytest.approx(theirs, rel=1e-10), ours
    assert m["n"] == 400 and m["f_pvalue"] == pytest.approx(ref.f_pvalue, rel=1e-6)
    assert "each extra 1 of Price lowers Sales by 0.095, very likely not chance." in text(coef.loc["Price", "meaning"])
    assert "ShelveLoc Good instead of Bad raises Sales by 4.85" in text(coef.loc["ShelveLoc=Good", "meaning"])
    assert any("compared with 'Bad'" in text(n) for n in res.notes)
    assert set(m) >= {"durbin_watson", "jarque_bera_p", "breusch_pagan_p"}
    assert list(coef.reset_index().columns[:7]) == [
        "term",
        "estimate",
        "std_error",
        "t",
        "p_value",
        "ci_low",
        "ci_high",
    ]


LONGLEY_B = [
    -3482258.63459582,
    15.0618722713733,
    -0.0358191792925910,
    -2.02022980381683,
    -1.03322686717359,
    -0.0511041056535807,
    1829.15146461355,
]
LONGLEY_SE = [
    890420.383607373,
    84.9149257747669,
    0.0334910077722432,
    0.488399681651699,
    0.214274163161675,
    0.226073200069370,
    455.478499142212,
]


def _digits(ours, cert):
    """Log relative error: the number of correct significant digits."""
    ours, cert = np.asarray(ours, float), np.asarray(cert, float)
    with np.errstate(divide="ignore"):
        return -np.log10(np.abs(ours - cert) / np.abs(cert))


def test_longley_certified_values(data_dir):
    d = pd.read_csv(data_dir / "longley.csv")
    res = _regression(d, "TOTEMP", ["GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"])
    coef = res.tables["coefficients"]
    assert _digits(coef["estimate"], LONGLEY_B).min() >= 9
    assert _digits(coef["std_error"], LONGLEY_SE).min() >= 9
    assert _digits(res.metrics["sigma"], 304.854073561965) >= 9
    assert _digits(res.metrics["r2"], 0.995479004577296) >= 9
    assert _digits(res.metrics["f"], 330.285339234588) >= 9


def test_planted_log_log_regression():
    rng = np.random.default_rng(3)
    n = 300
    price = rng.uniform(5, 20, n)
    ads = rng.uniform(0, 10, n)
    units = np.exp(4.0 - 1.7 * np.log(price) + 0.05 * ads + rng.normal(0, 0.2, n))
    d = pd.DataFrame({"units": units, "price": price, "ads": ads})
    d.loc[0, "units"] = 0.0
    d.loc[1, "price"] = -1.0
    res = _regression(d, "units", ["price", "ads"], log_target=True, log_features=["price"])
    c = res.tables["coefficients"].set_index("term")
    assert c.loc["log(price)", "ci_low"] < -1.7 < c.loc["log(price)", "ci_high"]
    assert c.loc["ads", "ci_low"] < 0.05 < c.loc["ads", "ci_high"]
    assert res.metrics["n"] == n - 2
    assert any("1 row dropped because units was zero or negative" in text(s) for s in res.notes)
    assert any("1 row dropped because price was zero or negative" in text(s) for s in res.notes)
    assert "1% more price lowers units by about 1.68%" in text(c.loc["log(price)", "meaning"])


# --- bad cases ---------------------------------------------------------------------------------
def _small(n=30, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"y": rng.normal(size=n), "a": rng.normal(size=n), "b": rng.normal(size=n)})


def test_constant_column_is_named():
    d = _small().assign(c=7.0)
    with pytest.raises(DataError, match=r"column 'c' has the same value \(7\) in every row"):
        _regression(d, "y", ["a", "c"])
    with pytest.raises(DataError, match="same value"):
        _regression(_small().assign(k="x"), "y", ["a", "k"])


def test_text_in_a_number_column_is_named():
    d = _small(40).astype({"a": object})
    d.loc[5, "a"] = "N/A"
    with pytest.raises(DataError, match=r"column 'a' holds numbers but 1 cell is text \(e.g. 'N/A'\)"):
        _regression(d, "y", ["a", "b"])


def test_collinear_features_are_named():
    d = _small().assign(total=lambda f: f["a"] + 2 * f["b"])
    with pytest.raises(DataError) as err:
        _regression(d, "y", ["a", "b", "total"])
    msg = str(err.value)
    assert "the same information twice" in msg and all(f"'{c}'" in msg for c in ("a", "b", "total"))


def test_fewer_rows_than_parameters():
    with pytest.raises(DataError, match="3 numbers to estimate but only 3 usable rows"):
        _regression(_small(3), "y", ["a", "b"])


def test_regression_usage_errors():
    d = _small()
    with pytest.raises(UsageError, match="not features"):
        _regression(d, "y", ["a"], log_features=["b"])
    ds = Dataset("t", d, roles={"feature": ["a"]})
    with pytest.raises(DataError, match="Target"):
        ANALYSIS.execute(ds, {"mode": "regression"}, Progress())


def test_ols_is_not_the_normal_equations():
    # columns 1e-8 apart relative: X'X loses them, QR keeps them
    rng = np.random.default_rng(1)
    a = rng.normal(size=50)
    b = a + 1e-6 * rng.normal(size=50)
    y = 1 + 2 * a - 1 * b + 1e-9 * rng.normal(size=50)
    fit = ols(y, np.column_stack([a, b]), ["a", "b"])
    assert fit.params[1:] == pytest.approx([2, -1], rel=1e-3)


# --- elasticity on generated orders with planted demand ---------------------------------------
TRUTH = {"P1": -2.5, "P2": -1.6, "P3": -0.5, "P4": -3.0, "P5": -2.0, "P6": -1.2}


def _orders(seed=7, weeks=104, flat=("FLAT",)):
    """Weekly price changes, units = 60 (p/p0)^e x lognormal noise x (1.5 on promotion weeks),
    written as order lines (several per week) so the view has to average them back."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2023-01-02")
    for prod, e in list(TRUTH.items()) + [(f, -2.0) for f in flat]:
        p0 = float(rng.uniform(10, 40))
        for w in range(weeks):
            promo = rng.random() < 0.2
            level = 1.0 if prod in flat else rng.choice([0.8, 0.9, 1.0, 1.1, 1.25])
            price = round(p0 * level * (0.9 if promo else 1.0), 2)
            mu = 60 * (price / p0) ** e * (1.5 if promo else 1.0) * math.exp(rng.normal(0, 0.15))
            units = max(int(round(mu)), 1)
            split = rng.multinomial(units, [0.5, 0.3, 0.2])
            for k, q in enumerate(split):
                if q:
                    rows.append(
                        (
                            f"{prod}-{w}-{k}",
                            start + pd.Timedelta(days=7 * w + k),
                            prod,
                            int(q),
                            price,
                            "yes" if promo else "no",
                        )
                    )
    return pd.DataFrame(rows, columns=["order", "date", "sku", "qty", "price", "promotion"])


def _ds(frame):
    return Dataset(
        "orders",
        frame,
        roles={"order_id": "order", "date": "date", "product_id": "sku", "quantity": "qty", "price": "price"},
    )


def test_planted_elasticities_recovered_with_promotion_control():
    res = ANALYSIS.execute(_ds(_orders()), {"controls": ["promotion"], "unit_cost": 8.0}, Progress())
    t = res.tables["elasticity"].set_index("group")
    # A 95% interval misses the truth 1 time in 20 (over 20 seeds of this generator, 97.5% of
    # 120 intervals covered, mean error -0.001): here P1 is the miss, so ask for 5 of 6 inside
    # and all 6 within 3 standard errors.
    inside = [p for p, e in TRUTH.items() if t.loc[p, "ci_low"] < e < t.loc[p, "ci_high"]]
    assert len(inside) >= 5, inside
    for prod, e in TRUTH.items():
        row = t.loc[prod]
        assert abs(row["elasticity"] - e) < 3 * row["std_error"], prod
        assert row["n_points"] >= 5 and row["n_periods"] == 104
    flat = t.loc["FLAT"]
    assert np.isnan(flat["elasticity"]) and "not enough price changes to tell" in text(flat["note"])
    # profit-maximising price: cost x e / (1 + e) for elastic products, capped when inelastic
    for prod in ("P1", "P2", "P4", "P5", "P6"):
        e = t.loc[prod, "elasticity"]
        assert t.loc[prod, "optimal_price"] == pytest.approx(8.0 * e / (1 + e), rel=1e-12)
    assert np.isnan(t.loc["P3", "optimal_price"])
    assert t.loc["P3", "suggested_price"] == t.loc["P3", "max_price"]
    assert "a higher price raises revenue" in text(t.loc["P3", "note"])
    assert "a higher price also raises profit" in text(t.loc["P3", "note"])
    assert set(res.extra["fits"]) == set(TRUTH)


def test_leaving_out_the_promotion_control_biases_the_estimate():
    # promotions cut the price and lift demand at once: without the control the fitted curve is steeper
    plain = ANALYSIS.execute(_ds(_orders()), {}, Progress()).tables["elasticity"].set_index("group")
    ctrl = (
        ANALYSIS.execute(_ds(_orders()), {"controls": ["promotion"]}, Progress())
        .tables["elasticity"]
        .set_index("group")
    )
    steeper = sum(plain.loc[p, "elasticity"] < ctrl.loc[p, "elasticity"] for p in TRUTH)
    assert steeper == len(TRUTH)


def test_pooled_fit_with_fixed_effects():
    orders = _orders()
    orders = orders[orders["sku"].isin(["P1", "P5", "FLAT"])]  # -2.5 and -2.0 (and -2.0 flat)
    res = ANALYSIS.execute(_ds(orders), {"pooled": True, "controls": ["promotion"]}, Progress())
    t = res.tables["elasticity"]
    assert len(t) == 1 and -2.5 < t["elasticity"].iloc[0] < -2.0
    assert set(res.tables["prices"]["product"]) == {"P1", "P5", "FLAT"}


def test_group_column():
    orders = _orders()
    orders["family"] = orders["sku"].map(lambda s: "steep" if s in ("P1", "P4") else "other")
    res = ANALYSIS.execute(_ds(orders), {"group": "family", "controls": ["promotion"]}, Progress())
    t = res.tables["elasticity"].set_index("group")
    assert t.loc["steep", "ci_low"] < -2.5 and t.loc["steep", "ci_high"] > -3.0
    assert t.loc["steep", "products"] == 2


def test_zero_and_negative_units_dropped_with_count():
    orders = _orders()
    # a week whose only line of P1 is a return -> negative units that week
    w = orders["sku"] == "P2"
    orders.loc[w.idxmax(), "price"] = 0.0
    ret = pd.DataFrame([("R", pd.Timestamp("2030-01-07"), "P1", -2, 10.0, "no")], columns=orders.columns)
    res = ANALYSIS.execute(_ds(pd.concat([orders, ret], ignore_index=True)), {}, Progress())
    assert any("1 of" in text(n) and "zero or negative units or price have no logarithm" in text(n) for n in res.notes)


def test_whatif_table_and_function():
    res = ANALYSIS.execute(
        _ds(_orders()), {"controls": ["promotion"], "unit_cost": 8.0, "product": "P1", "price_change": 10}, Progress()
    )
    w = res.tables["whatif"].iloc[0]
    s = res.extra["fits"]["P1"]
    assert w["new_price"] == pytest.approx(s["current_price"] * 1.1)
    # units follow the constant-elasticity curve exactly, with the smearing factor
    assert w["units"] / w["units_now"] == pytest.approx(1.1 ** s["elasticity"], rel=1e-12)
    assert w["units_low"] < w["units"] < w["units_high"]
    assert w["profit"] == pytest.approx(w["units"] * (w["new_price"] - 8.0), rel=1e-12)
    assert w["revenue"] == pytest.approx(w["units"] * w["new_price"], rel=1e-12)
    # what-if at a price with no promotion: close to the planted demand at average promotion share
    far = whatif(s, s["max_price"] * 2)
    assert far["outside_range"] and not whatif(s, s["max_price"])["outside_range"]
    assert 0.0 < s["smearing"] - 1 < 0.05  # lognormal noise sd 0.15: exp(0.15^2/2) - 1 ~ 0.011
    with pytest.raises(UsageError, match="no elasticity"):
        ANALYSIS.execute(_ds(_orders()), {"product": "FLAT"}, Progress())


def test_optimal_price_rules():
    p, s, note = optimal_price(-3.0, 10.0, 5.0, 20.0)
    assert p == pytest.approx(15.0) and s == p and note is None
    p, s, note = optimal_price(-3.0, 10.0, 5.0, 12.0)
    assert p == pytest.approx(15.0) and s == 12.0 and "outside the prices seen" in text(note)
    p, s, note = optimal_price(-0.7, 10.0, 5.0, 12.0)
    assert math.isnan(p) and s == 12.0 and "capped at the highest observed price" in text(note)
    p, s, note = optimal_price(0.3, 10.0, 5.0, 12.0)
    assert math.isnan(p) and math.isnan(s) and "no price is suggested" in text(note)
    assert "unit cost" in text(optimal_price(-2.0, None, 5.0, 12.0)[2])


def test_cost_column_overrides_unit_cost():
    orders = _orders()
    orders["cost"] = np.where(orders["sku"] == "P1", 12.0, np.nan)
    res = ANALYSIS.execute(_ds(orders), {"unit_cost": 8.0, "cost_column": "cost"}, Progress())
    pr = res.tables["prices"].set_index("product")
    assert pr.loc["P1", "unit_cost"] == 12.0 and pr.loc["P2", "unit_cost"] == 8.0


def test_elasticity_needs_roles_and_known_columns():
    d = _orders()
    with pytest.raises(DataError, match="quantity"):
        ANALYSIS.execute(
            Dataset("o", d, roles={"date": "date", "product_id": "sku", "price": "price"}),
            {"mode": "elasticity"},
            Progress(),
        )
    with pytest.raises(UsageError, match="control 'nope'"):
        ANALYSIS.execute(_ds(d), {"controls": ["nope"]}, Progress())


def test_season_control_runs():
    res = ANALYSIS.execute(_ds(_orders()), {"controls": ["promotion", "season"]}, Progress())
    t = res.tables["elasticity"].set_index("group")
    inside = sum(t.loc[p, "ci_low"] < e < t.loc[p, "ci_high"] for p, e in TRUTH.items())
    assert inside >= 5
    assert any("season (month dummies)" in text(n) for n in res.notes)


def test_cancel_is_honoured():
    ev = threading.Event()
    ev.set()
    with pytest.raises(Cancelled):
        ANALYSIS.execute(_ds(_orders(weeks=20)), {}, Progress(cancel_event=ev))


def test_params_from_cli_text():
    vals = ANALYSIS.resolve(
        {"mode": "elasticity", "controls": "promotion,season", "pooled": "yes", "unit_cost": "4.5", "freq": "M"},
        from_text=True,
    )
    assert vals["controls"] == ["promotion", "season"] and vals["pooled"] is True and vals["unit_cost"] == 4.5


def test_demeaned_fixed_effects_equal_the_dummy_columns(monkeypatch):
    # many products are fitted by demeaning within product; few with 0/1 columns. Same numbers.
    import bizops_pricing.elasticity as el

    ds = _ds(_orders())
    params = {"pooled": True, "controls": ["promotion", "season"], "unit_cost": 8.0}
    dummies = ANALYSIS.execute(ds, params, Progress())
    monkeypatch.setattr(el, "MAX_DUMMIES", 0)
    demeaned = ANALYSIS.execute(ds, params, Progress())
    a, b = dummies.tables["elasticity"].iloc[0], demeaned.tables["elasticity"].iloc[0]
    for col in ("elasticity", "std_error", "ci_low", "ci_high", "r2"):
        assert b[col] == pytest.approx(a[col], rel=1e-9, abs=1e-12), col
    for prod, s in dummies.extra["fits"].items():
        t = demeaned.extra["fits"][prod]
        for key in ("alpha", "elasticity", "v_aa", "v_ae", "v_ee", "sigma2", "df_resid", "smearing"):
            assert t[key] == pytest.approx(s[key], rel=1e-8, abs=1e-12), (prod, key)


def test_sparse_sales_are_flagged():
    orders = _orders()
    # P2 sells only every third week: weeks without sales have no price and drop out
    week = (orders["date"] - orders["date"].min()).dt.days // 7
    orders = orders[(orders["sku"] != "P2") | (week % 3 == 0)]
    res = ANALYSIS.execute(_ds(orders), {}, Progress())
    pr = res.tables["prices"].set_index("product")
    assert "sold in only 35 of 103 weeks" in text(pr.loc["P2", "note"])
    assert "sold in only" not in text(pr.loc["P1", "note"])
    assert "sold in only 35 of 103 weeks" in text(res.tables["elasticity"].set_index("group").loc["P2", "note"])


def test_command_line_writes_the_documented_files(tmp_path, capsys, data_dir):
    import json

    from bizops_desktop.cli import main

    out = tmp_path / "reg"
    rc = main(
        [
            "run",
            "pricing",
            "--data",
            str(data_dir / "carseats.csv"),
            "--role",
            "target=Sales",
            "--role",
            "feature=Price,Advertising,ShelveLoc",
            "--set",
            "mode=regression",
            "--out",
            str(out),
        ]
    )
    assert rc == 0, capsys.readouterr().err
    coef = pd.read_csv(out / "coefficients.csv")
    assert list(coef.columns[:7]) == ["term", "estimate", "std_error", "t", "p_value", "ci_low", "ci_high"]
    assert set(coef["term"]) == {"Intercept", "Price", "Advertising", "ShelveLoc=Good", "ShelveLoc=Medium"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {"r2", "adj_r2", "aic", "bic", "n", "f_pvalue"} <= set(summary)

    orders = tmp_path / "orders.csv"
    _orders(weeks=40).to_csv(orders, index=False)
    out = tmp_path / "el"
    rc = main(
        [
            "run",
            "pricing",
            "--data",
            str(orders),
            "--set",
            "controls=promotion",
            "--set",
            "unit_cost=8",
            "--out",
            str(out),
        ]
    )
    assert rc == 0, capsys.readouterr().err
    el = pd.read_csv(out / "elasticity.csv")
    assert list(el.columns[:8]) == [
        "group",
        "elasticity",
        "std_error",
        "ci_low",
        "ci_high",
        "n_points",
        "n_periods",
        "r2",
    ]
    assert {"optimal_price", "note"} <= set(el.columns) and len(el) == 7
    rc = main(["run", "pricing", "--data", str(orders), "--set", "mode=regression", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert rc == 1 and "Target" in err and "Traceback" not in err


def test_the_cost_column_gives_each_product_the_median_of_its_lines():
    orders = _orders()
    orders["cost"] = np.where(orders["sku"] == "P1", 12.0, 5.0)
    orders.loc[orders.index[orders["sku"] == "P1"][0], "cost"] = 900.0  # one mistyped line
    ds = _ds(orders)
    ds.set_role("cost", "cost")
    res = ANALYSIS.execute(ds, {"unit_cost": 8.0}, Progress())
    pr = res.tables["prices"].set_index("product")
    assert pr.loc["P1", "unit_cost"] == 12.0 and pr.loc["P2", "unit_cost"] == 5.0
    e = pr.loc["P1", "elasticity"]  # planted -2.5
    assert pr.loc["P1", "optimal_price"] == pytest.approx(12.0 * e / (1 + e), rel=1e-12)


@pytest.mark.parametrize(
    "header", ["成本", "进价", "采购价", "成本价", "单位成本", "cost", "Unit cost", "unit_cost", "COGS"]
)
def test_the_role_guesser_finds_cost_headers(header):
    from bizops_desktop.core.roles import guess_roles

    frame = pd.DataFrame(
        {"订单号": ["A1", "A2"], "商品": ["P1", "P2"], "数量": [1, 2], "单价": [9.9, 19.9], header: [4.0, 8.0]}
    )
    roles = guess_roles(frame)
    assert roles["cost"] == [header] and roles["price"] == ["单价"]
