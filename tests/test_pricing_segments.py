"""Coupons by customer segment and the markdown plan on the demo shop's planted tables
(price_segments.csv, markdown_sales.csv; truth.json under pricing_plans)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from helpers import DEMO_DIR

from bizops_desktop.core.demo import load_demo
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.i18n import text
from bizops_pricing import ANALYSIS
from bizops_pricing import markdown as md


@pytest.fixture(scope="module")
def demo():
    return {d.name: d for d in load_demo(lang="en")}


@pytest.fixture(scope="module")
def truth():
    return json.loads((DEMO_DIR / "truth.json").read_text(encoding="utf-8"))["pricing_plans"]


def test_segment_coupon_recovers_the_planted_responsive_segment(demo, truth):
    r = ANALYSIS.execute(demo["price_segments"], {"mode": "segments", "segment": "segment"})
    t = r.tables["segments"].set_index("segment")
    planted = truth["segments"]["elasticity"]
    for seg, e in planted.items():
        assert t.loc[seg, "ci_low"] <= e <= t.loc[seg, "ci_high"], seg
    first = r.actions[0]
    assert first.kind == "price" and first.key["segment"] == truth["segments"]["most_responsive"]
    assert first.money > 0
    assert truth["segments"]["most_responsive"] in text(r.headline)
    assert np.isnan(t.loc["regular", "coupon"])  # the least responsive get no coupon
    assert any("Article 24" in text(n) for n in r.notes)
    assert "第二十四条" in text(r.notes[-1], "zh_CN") and "大数据杀熟" in text(r.notes[-1], "zh_CN")


def test_markdown_plan_on_the_planted_scarf_sells_out_near_the_deadline(demo, truth):
    mk = truth["markdown"]
    r = ANALYSIS.execute(
        demo["markdown_sales"], {"mode": "markdown", "stock": mk["stock"], "weeks_left": mk["weeks_left"]}
    )
    plan = r.tables["markdown"]
    assert len(plan) == mk["weeks_left"]
    assert list(plan["price"]) == sorted(plan["price"], reverse=True)
    assert r.actions and r.actions[0].kind == "markdown" and r.actions[0].money > 0
    # replay the plan's policy against the planted (true) demand
    ladder = md.ladder_prices(mk["price"], [0, 10, 20, 30, 40, 50])
    est = md.demand_rates(r.metrics["base_units"], mk["price"], r.metrics["elasticity"], ladder, weeks=mk["weeks_left"])
    policy = md.plan(ladder, est, mk["stock"]).policy
    true = md.demand_rates(mk["base_units_per_week"], mk["price"], mk["elasticity"], ladder, weeks=mk["weeks_left"])
    sim = md.simulate(policy, ladder, true, mk["stock"], runs=2000, seed=3)
    assert sim["left"] < 0.1 * mk["stock"]
    assert sim["sold_out_week"] >= mk["weeks_left"] - 3
    assert "Wool scarf" in text(r.headline)


def test_price_test_plan_on_the_demo(demo):
    r = ANALYSIS.execute(demo["orders"], {"mode": "price_test", "detect": 50})
    assert 2 <= r.metrics["weeks_per_price"] <= 26
    assert len(r.tables["test_plan"]) == 2 * r.metrics["weeks_per_price"]
    # a test too long to run: no schedule, but how long a bigger difference would take
    long = ANALYSIS.execute(demo["orders"], {"mode": "price_test", "detect": 10})
    assert long.metrics["weeks_per_price"] > 26 and "test_plan" not in long.tables
    sizes = long.tables["test_sizes"].set_index("detect")["weeks"]
    assert sizes[0.1] == long.metrics["weeks_per_price"]
    assert sizes[0.5] == r.metrics["weeks_per_price"]  # the same sales: the same length for 50%
    assert list(sizes) == sorted(sizes, reverse=True)


def test_segments_from_a_customers_table(demo, truth):
    """The Customers & campaigns tab's customers (id and segment) as another open table: each order
    line gets its customer's segment, and the planted responsive segment is found as with the column."""
    from bizops_desktop.core.dataset import Dataset

    orders = demo["price_segments"]
    f = orders.frame
    customers = f[["customer_id", "segment"]].drop_duplicates("customer_id")
    table = Dataset("customers_export", customers.reset_index(drop=True), roles={"customer_id": "customer_id"})
    lines = Dataset("lines", f.drop(columns=["segment"]), roles=orders.roles)
    r = ANALYSIS.execute(lines, {"mode": "segments", "segment_table": "customers_export"}, tables=[lines, table])
    assert r.actions[0].key["segment"] == truth["segments"]["most_responsive"]
    t = r.tables["segments"].set_index("segment")
    for seg, e in truth["segments"]["elasticity"].items():
        assert t.loc[seg, "ci_low"] <= e <= t.loc[seg, "ci_high"], seg
    direct = ANALYSIS.execute(orders, {"mode": "segments", "segment": "segment"})
    pd.testing.assert_frame_equal(
        r.tables["segments"][["segment", "elasticity"]], direct.tables["segments"][["segment", "elasticity"]]
    )
    assert any("customers_export" in text(n) and f"{len(f):,} of {len(f):,}" in text(n) for n in r.notes)
    # a table without a segment column is a one-line error naming the table
    bad = Dataset("no_segments", customers[["customer_id"]], roles={"customer_id": "customer_id"})
    with pytest.raises(DataError, match="no_segments") as e:
        ANALYSIS.execute(lines, {"mode": "segments", "segment_table": "no_segments"}, tables=[lines, bad])
    assert e.value.where == "segment_table"


def test_a_bad_test_start_date_is_a_one_line_error(demo):
    with pytest.raises(UsageError, match="'2024-13-45' is not a date") as e:
        ANALYSIS.execute(demo["orders"], {"mode": "price_test", "test_start": "2024-13-45"})
    assert e.value.where == "test_start" and "2024-09-02" in e.value.hint
    with pytest.raises(DataError, match="no sales of") as e:
        ANALYSIS.execute(demo["orders"], {"mode": "price_test", "test_start": "2099-01-05"})
    assert e.value.where == "test_start"
