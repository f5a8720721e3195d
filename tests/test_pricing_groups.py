"""Elasticity from any price-quantity table: without a date each row is one period of its group;
per group, pooled with group levels, with competitor prices (cross-price elasticities) and
promotion-like controls. Reference: statsmodels' OLS on the same rows, on two public tables
without a date column: Baltagi's cigarette panel (plm's Cigar, 46 states) and ISLR's Carseats."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from helpers import DATA

from bizops_desktop.cli import main
from bizops_desktop.core.dataset import Dataset
from bizops_pricing import ANALYSIS

TOL = 1e-6


@pytest.fixture(scope="module")
def cigar():
    return pd.read_csv(DATA / "cigar.csv")


def _run(frame, roles, **params):
    return ANALYSIS.execute(Dataset("t", frame, roles=roles), {"mode": "elasticity", **params})


def test_cigar_per_state_equals_statsmodels(cigar):
    # own price, the lowest price in the neighbouring states (cross price) and income held fixed
    r = _run(
        cigar,
        {"quantity": "sales", "price": "price"},
        group="state",
        cross_prices=["pimin"],
        controls=["ndi"],
    )
    t = r.tables["elasticity"].set_index("group")
    assert len(t) == cigar["state"].nunique() == 46
    for state, g in cigar.groupby("state"):
        ref = smf.ols("np.log(sales) ~ np.log(price) + np.log(pimin) + ndi", g).fit()
        row = t.loc[state]
        assert row["elasticity"] == pytest.approx(ref.params["np.log(price)"], abs=TOL)
        assert row["std_error"] == pytest.approx(ref.bse["np.log(price)"], abs=TOL)
        assert row["cross_pimin"] == pytest.approx(ref.params["np.log(pimin)"], abs=TOL)
        lo, hi = ref.conf_int().loc["np.log(price)"]
        assert row["ci_low"] == pytest.approx(lo, abs=TOL) and row["ci_high"] == pytest.approx(hi, abs=TOL)
        assert row["r2"] == pytest.approx(ref.rsquared, abs=TOL)
        assert row["n_periods"] == len(g)
    assert r.metrics["fit_by"] == "state"
    assert r.columns["elasticity"]["cross_pimin"].kind == "num"


def test_cigar_pooled_with_state_levels_equals_statsmodels(cigar):
    r = _run(cigar, {"quantity": "sales", "price": "price"}, group="state", pooled=True, cross_prices=["pimin"])
    ref = smf.ols("np.log(sales) ~ np.log(price) + np.log(pimin) + C(state)", cigar).fit()
    row = r.tables["elasticity"].iloc[0]
    assert row["elasticity"] == pytest.approx(ref.params["np.log(price)"], abs=TOL)
    assert row["std_error"] == pytest.approx(ref.bse["np.log(price)"], abs=TOL)
    assert row["cross_pimin"] == pytest.approx(ref.params["np.log(pimin)"], abs=TOL)
    assert row["r2"] == pytest.approx(ref.rsquared, abs=TOL)


def test_whole_table_without_group_is_one_fit(cigar):
    r = _run(cigar, {"quantity": "sales", "price": "price"})
    ref = smf.ols("np.log(sales) ~ np.log(price)", cigar).fit()
    t = r.tables["elasticity"]
    assert len(t) == 1
    assert t["elasticity"].iloc[0] == pytest.approx(ref.params["np.log(price)"], abs=TOL)


def test_carseats_per_shelf_location_with_competitor_price_and_advertising():
    cs = pd.read_csv(DATA / "carseats.csv")
    r = _run(
        cs,
        {"quantity": "Sales", "price": "Price"},
        group="ShelveLoc",
        cross_prices=["CompPrice"],
        controls=["Advertising"],
    )
    t = r.tables["elasticity"].set_index("group")
    kept = cs[cs["Sales"] > 0]  # log(0) has no value: the zero-sales stores are left out, with a note
    assert len(kept) < len(cs)
    assert any("left out" in n.render() for n in r.notes if hasattr(n, "render"))
    for loc, g in kept.groupby("ShelveLoc"):
        ref = smf.ols("np.log(Sales) ~ np.log(Price) + np.log(CompPrice) + Advertising", g).fit()
        assert t.loc[loc, "elasticity"] == pytest.approx(ref.params["np.log(Price)"], abs=TOL)
        assert t.loc[loc, "cross_CompPrice"] == pytest.approx(ref.params["np.log(CompPrice)"], abs=TOL)
        assert t.loc[loc, "std_error"] == pytest.approx(ref.bse["np.log(Price)"], abs=TOL)


def test_season_needs_a_date(cigar):
    from bizops_desktop.core.errors import UsageError

    with pytest.raises(UsageError) as err:
        _run(cigar, {"quantity": "sales", "price": "price"}, group="state", controls=["season"])
    assert err.value.where == "controls"


def test_cli_accepts_a_table_without_dates(tmp_path, capsys, cigar):
    out = tmp_path / "res"
    rc = main(
        [
            "run",
            "pricing",
            "--data",
            str(DATA / "cigar.csv"),
            "--role",
            "quantity=sales",
            "--role",
            "price=price",
            "--set",
            "mode=elasticity",
            "--set",
            "group=state",
            "--set",
            "cross_prices=pimin",
            "--out",
            str(out),
        ]
    )
    _out, err = capsys.readouterr()
    assert rc == 0, err
    table = pd.read_csv(out / "elasticity.csv")
    g = cigar[cigar["state"] == 1]
    ref = smf.ols("np.log(sales) ~ np.log(price) + np.log(pimin)", g).fit()
    got = table.set_index("group").loc[1, "elasticity"]
    # the CSV rounds numbers to their meaning; the fit itself is checked to 1e-6 above
    assert got == pytest.approx(ref.params["np.log(price)"], abs=1e-3)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["freq"] == "R"
    assert np.isfinite(table["cross_pimin"]).all()
