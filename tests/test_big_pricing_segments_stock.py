"""Stock planning, pricing and customers & campaigns on a file bigger than memory (the threshold
forced to 0, the sample cut to 2,000 lines so that equality means the whole file was read): each
gives the tables, metrics, notes and names it gives on the same file in memory, with one note more
that says it used every line (core/views/reduced.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core import bigfile
from bizops_desktop.core.errors import Cancelled, DataError
from bizops_desktop.core.i18n import text
from bizops_desktop.core.importer import ImportOptions, load_dataset
from bizops_desktop.core.progress import Progress

pytest.importorskip("duckdb")

SAMPLE = 2_000


def write_orders(path, n=24_000, seed=11, numeric_customers=False):
    """Order lines over 420 days: 40 products (names that change once, a unit cost per line, on
    hand and lead time per line as a stock column), 500 customers with names, a category, a
    yes/no promotion mark and a campaign group written on some lines."""
    rng = np.random.default_rng(seed)
    order = np.sort(rng.integers(0, n // 3, n))
    product = rng.integers(0, 40, n)
    day = pd.Timestamp("2023-03-01") + pd.to_timedelta(order * 420 // (n // 3), unit="D")
    cust = order * 13 % 500
    base = 2.0 + product * 0.75
    price = np.round(base * rng.choice([0.8, 0.9, 1.0, 1.1], n), 2)
    qty = np.maximum(0, np.round(rng.poisson(3, n) * (base / price) ** 1.5)).astype(int)
    frame = pd.DataFrame(
        {
            "order_id": np.char.add("SO", order.astype(str)),
            "customer_id": cust + 1000 if numeric_customers else np.char.add("C", cust.astype(str)),
            "customer_name": np.char.add("Kunde ", cust.astype(str)),
            "order_date": day.strftime("%Y-%m-%d"),
            "product_id": np.char.add("P", product.astype(str)),
            "product_name": np.char.add(np.where(order < n // 6, "Item ", "Article "), product.astype(str)),
            "category": np.char.add("cat", (product % 5).astype(str)),
            "quantity": qty,
            "unit_price": price,
            "unit_cost": np.round(base * 0.6 + rng.normal(0, 0.05, n), 2),
            "on_hand": rng.integers(0, 200, n),
            "lead_time": rng.integers(3, 15, n),
            "promotion": rng.choice(["yes", "no"], n, p=[0.2, 0.8]),
            "campaign_group": np.where(rng.random(n) < 0.3, np.where(cust % 2 == 0, "contacted", "holdout"), ""),
        }
    )
    frame.loc[rng.random(n) < 0.01, "product_id"] = None
    frame.loc[rng.random(n) < 0.01, "unit_price"] = None
    frame.to_csv(path, index=False)
    return path


def open_pair(path, folder, roles=None):
    mp = pytest.MonkeyPatch()
    mp.setenv(bigfile.THRESHOLD_ENV, "0")
    mp.setenv(bigfile.CACHE_ENV, str(folder / "cache"))
    mp.setattr(bigfile, "SAMPLE_LINES", SAMPLE)
    try:
        big = bigfile.open_data(path)
    finally:
        mp.undo()
    small = load_dataset(path, ImportOptions(keep_cancelled=True))
    if roles is not None:
        big.roles = {k: list(v) for k, v in roles.items()}
        small.roles = {k: list(v) for k, v in roles.items()}
    return big, small


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bigshop")
    big, small = open_pair(write_orders(folder / "orders.csv"), folder)
    assert big.big is not None and big.big.lines == len(small.frame) and len(big.frame) == SAMPLE
    assert big.roles == small.roles
    return big, small


@pytest.fixture(scope="module")
def numeric_shop(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bignumeric")
    big, small = open_pair(write_orders(folder / "orders.csv", numeric_customers=True), folder)
    assert small.frame["customer_id"].dtype.kind == "i"
    return big, small


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from bizops_desktop.core.demo import load_demo

    folder = tmp_path_factory.mktemp("bigdemo")
    tables = {d.name: d for d in load_demo(lang="en")}
    return {name: open_pair(tables[name].source, folder, tables[name].roles) for name in ("orders", "campaign_orders")}


def same(a, b, where=""):
    """Equal, numbers to 1e-9 relative (sums added up in another order)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), where
        for k in a:
            same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, (float, np.floating)) and not isinstance(a, bool):
        assert (math.isnan(a) and math.isnan(b)) or b == pytest.approx(a, rel=1e-9, abs=1e-12), where
    else:
        assert a == b, where


def assert_same_result(got, want, analysis):
    assert set(got.tables) == set(want.tables)
    for k, w in want.tables.items():
        g = got.tables[k]
        if "customer_id" in w.columns:  # sorted by spend: equal spends (added up in another order) may swap
            g, w = (t.sort_values("customer_id", kind="mergesort") for t in (g, w))
        pd.testing.assert_frame_equal(
            g.reset_index(drop=True), w.reset_index(drop=True), check_dtype=False, rtol=1e-9, obj=k
        )
    same(got.metrics, want.metrics, "metrics")
    assert got.names == want.names
    notes = [text(n) for n in got.notes]
    assert notes[:-1] == [text(n) for n in want.notes]
    assert "every line of the file" in notes[-1]
    assert analysis.id in bigfile.WHOLE_FILE_READY


def run_both(analysis, pair, params):
    big, small = pair
    return analysis.execute(big, params, Progress()), analysis.execute(small, params, Progress())


# --------------------------------------------------------------------------------------- stock
@pytest.mark.parametrize("params", [{"forecast_method": "ses"}])
def test_stock_with_the_orders_table_as_its_own_stock_sheet(shop, params):
    from bizops_stock import ANALYSIS

    got, want = run_both(ANALYSIS, shop, params)
    assert "the orders table itself" in text(want.notes[0])
    assert len(want.tables["orders"]) == 40
    assert_same_result(got, want, ANALYSIS)


def test_stock_on_the_demo_shop_with_its_stock_sheet_beside(demo):
    from bizops_stock import ANALYSIS

    got, want = run_both(ANALYSIS, demo["orders"], {"forecast_method": "ses"})
    assert_same_result(got, want, ANALYSIS)


def test_stock_sheet_beside_is_linked_by_every_id_of_the_file(tmp_path):
    """A stock sheet beside the orders is linked to the orders by all their product ids, those of
    a product whose lines have no quantity too (it is in the orders, though not planned)."""
    from bizops_stock import ANALYSIS

    orders = pd.read_csv(write_orders(tmp_path / "full.csv", n=9_000)).drop(columns=["on_hand", "lead_time"])
    orders.loc[orders.index[::97], ["product_id", "quantity"]] = ["PX", None]
    orders.to_csv(tmp_path / "orders.csv", index=False)
    ids = [f"P{i}" for i in range(42)] + ["PX"]
    pd.DataFrame({"product_id": ids, "on_hand": range(len(ids)), "lead_time": 7}).to_csv(
        tmp_path / "stock.csv", index=False
    )
    got, want = run_both(ANALYSIS, open_pair(tmp_path / "orders.csv", tmp_path), {"forecast_method": "ses"})
    linked = text(want.notes[1])
    assert "41 of its 43 products" in linked and "PX" not in linked
    assert_same_result(got, want, ANALYSIS)


def test_the_stock_frame_is_one_row_per_day_and_product(shop):
    from bizops_desktop.core.views.reduced import stock_dataset

    big, small = shop
    reduced = stock_dataset(big)
    f = small.frame
    ok = f["product_id"].notna() & f["order_date"].notna()
    assert reduced.frame["order_date"].notna().sum() == len(f[ok].groupby(["order_date", "product_id"]))
    assert len(reduced.frame) < 0.6 * len(f)
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        stock_dataset(big, progress)


# ---------------------------------------------------------------------------- customers & campaigns
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"list_segments": ["champions", "loyal"], "holdout_share": 0.25, "seed": 7, "clusters": False},
        {"campaign_start": "2024-02-01", "campaign_days": 28, "promotion_start": "2024-03-04"},
    ],
)
def test_segments(shop, params):
    from bizops_segments import ANALYSIS

    got, want = run_both(ANALYSIS, shop, params)
    assert len(want.tables["customers"]) > 400
    assert_same_result(got, want, ANALYSIS)


def test_segments_with_customer_numbers(numeric_shop):
    from bizops_segments import ANALYSIS

    params = {"list_segments": ["champions"], "campaign_start": "2024-02-01", "holdout_share": 0.3}
    got, want = run_both(ANALYSIS, numeric_shop, params)
    assert want.tables["customers"]["customer_id"].dtype.kind == "i"
    assert_same_result(got, want, ANALYSIS)


def test_segments_on_the_demo_shop(demo):
    from bizops_desktop.core.demo import load_truth
    from bizops_segments import ANALYSIS

    got, want = run_both(ANALYSIS, demo["orders"], {})
    assert_same_result(got, want, ANALYSIS)
    c, p = load_truth("en")["campaign"]["campaign"], load_truth("en")["campaign"]["promotion"]
    params = {
        "campaign_start": c["start"],
        "campaign_days": c["days"],
        "contact_cost": c["contact_cost"],
        "promotion_start": p["start"],
        "promotion_days": p["days"],
    }
    got, want = run_both(ANALYSIS, demo["campaign_orders"], params)
    m = want.metrics["campaign"]
    assert (m["contacted"], m["holdout"]) == (c["contacted"], c["holdout"])
    assert_same_result(got, want, ANALYSIS)


# ------------------------------------------------------------------------------------------ pricing
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"pooled": True, "controls": ["season"]},
        {"cost_column": "unit_cost", "freq": "M"},
        {"mode": "markdown", "stock": 400, "weeks_left": 8, "objective": "profit", "cost_column": "unit_cost"},
        {"mode": "price_test"},
        {"mode": "price_test", "product": "P7"},
    ],
)
def test_pricing(shop, params):
    from bizops_pricing import ANALYSIS

    got, want = run_both(ANALYSIS, shop, params)
    assert_same_result(got, want, ANALYSIS)


@pytest.mark.parametrize("params", [{}, {"mode": "markdown", "stock": 300, "weeks_left": 12}, {"mode": "price_test"}])
def test_pricing_on_the_demo_shop(demo, params):
    from bizops_pricing import ANALYSIS

    got, want = run_both(ANALYSIS, demo["orders"], params)
    assert_same_result(got, want, ANALYSIS)


@pytest.mark.parametrize(
    "params", [{"mode": "regression"}, {"controls": ["promotion"]}, {"group": "category"}, {"mode": "segments"}]
)
def test_pricing_says_in_one_line_what_cannot_run_on_a_big_file(shop, params):
    from bizops_pricing import ANALYSIS

    big, _small = shop
    with pytest.raises(DataError, match="cannot run on a file this big yet"):
        ANALYSIS.execute(big, params, Progress())


def test_medians_are_over_the_lines():
    from bizops_desktop.core.views.reduced import weighted_median

    keys = ["a", "a", "a", "b", "b", "c"]
    got = weighted_median(keys, [1.0, 2.0, 10.0, 3.0, 4.0, np.nan], [2, 1, 1, 1, 1, 5])
    lines = pd.Series([1.0, 1.0, 2.0, 10.0, 3.0, 4.0], index=["a"] * 4 + ["b"] * 2)
    pd.testing.assert_series_equal(got, lines.groupby(level=0).median(), check_names=False)
