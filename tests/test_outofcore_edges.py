"""The out-of-core baskets and customer features on the awkward lines of a real export (blank and
missing cells, zero, negative and unreadable numbers, repeated lines, ids of mixed kinds, a
cutoff inside the data, customers new in the churn window): the same arrays, frames and notes as
the in-memory views on the same file (the in-memory views are the reference)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core import bigfile
from bizops_desktop.core.errors import DataError
from bizops_desktop.core.i18n import text
from bizops_desktop.core.importer import ImportOptions, load_dataset
from bizops_desktop.core.views.baskets import baskets_from_dataset
from bizops_desktop.core.views.customers import customer_features_from_dataset

pytest.importorskip("duckdb")


def open_both(path, tmp_path):
    """(the file opened out of core, the file imported in memory)."""
    mp = pytest.MonkeyPatch()
    mp.setenv(bigfile.THRESHOLD_ENV, "0")
    mp.setenv(bigfile.CACHE_ENV, str(tmp_path / "cache"))
    try:
        big = bigfile.open_data(path)
    finally:
        mp.undo()
    small = load_dataset(path, ImportOptions(keep_cancelled=True))
    assert big.big is not None and small.big is None
    return big, small


def awkward_orders(path, n=3_000, seed=11):
    """Order lines with every kind of awkward cell, spread over the file."""
    rng = np.random.default_rng(seed)
    order = np.sort(rng.integers(0, n // 3, n))
    product = rng.integers(0, 40, n)
    # ids of mixed kinds: some products and customers are plain numbers, others codes
    pid = np.where(product % 3 == 0, product.astype(str), np.char.add("P-", product.astype(str))).astype(object)
    frac = order / (n // 3)
    cust = np.where((frac > 0.55) & (frac < 0.7), 150 + order % 30, order * 7 % 150)  # some new mid-way
    cid = np.where(cust % 4 == 0, cust.astype(str), np.char.add("C", cust.astype(str))).astype(object)
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(order * 300 // (n // 3), unit="D")
    frame = pd.DataFrame(
        {
            "order_id": np.char.add("SO", order.astype(str)).astype(object),
            "customer_id": cid,
            "order_date": day.strftime("%Y-%m-%d").astype(object),
            "product_id": pid,
            "product_name": np.char.add("商品 ", product.astype(str)).astype(object),
            "quantity": rng.integers(-1, 4, n).astype(object),  # zero and negative quantities
            "amount": np.round(rng.uniform(-5, 80, n), 2).astype(object),  # some returns (negative)
        }
    )
    pick = rng.random((6, n)) < 0.02
    frame.loc[pick[0], "product_id"] = None  # no product
    frame.loc[pick[1], "order_id"] = None  # no order number
    frame.loc[pick[2], "quantity"] = "n/a"  # an unreadable quantity
    frame.loc[pick[3], "product_name"] = None  # a product's name missing on some lines
    frame.loc[pick[4], "amount"] = None  # no amount
    frame.loc[pick[5], "customer_id"] = None  # no customer
    frame.loc[rng.random(n) < 0.01, "order_date"] = None  # no date
    frame = pd.concat([frame, frame.iloc[200:260]]).sort_values("order_id", kind="stable")  # repeated lines
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def awkward(tmp_path_factory):
    folder = tmp_path_factory.mktemp("awkward")
    return open_both(awkward_orders(folder / "orders.csv"), folder)


def test_baskets_on_awkward_lines_are_the_same_arrays(awkward):
    big, small = awkward
    got, want = baskets_from_dataset(big), baskets_from_dataset(small)
    assert [text(n) for n in got.notes] == [text(n) for n in want.notes]
    assert len(got.notes) == 3  # lines left out twice, repeats counted once
    assert list(map(str, got.order_ids)) == list(map(str, want.order_ids))
    assert list(map(str, got.item_ids)) == list(map(str, want.item_ids))
    np.testing.assert_array_equal(got.indptr, want.indptr)
    np.testing.assert_array_equal(got.indices, want.indices)
    assert got.item_names == want.item_names


def _same_features(got, want):
    g = got.frame.assign(customer_id=got.frame["customer_id"].astype(str))
    w = want.frame.assign(customer_id=want.frame["customer_id"].astype(str))
    g = g.sort_values("customer_id").reset_index(drop=True)
    w = w.sort_values("customer_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(g, w, check_dtype=False)
    assert (got.cutoff, got.observation_end, got.spend_unit) == (want.cutoff, want.observation_end, want.spend_unit)
    assert got.counts == want.counts
    assert [text(n) for n in got.notes] == [text(n) for n in want.notes]


@pytest.mark.parametrize(
    "cutoff, churn_days",
    [(None, None), (None, 45), ("2024-08-01", None), ("2024-08-01", 60), ("2025-03-01", 30)],
)
def test_customer_features_on_awkward_lines(awkward, cutoff, churn_days):
    big, small = awkward
    got = customer_features_from_dataset(big, cutoff=cutoff, churn_days=churn_days)
    want = customer_features_from_dataset(small, cutoff=cutoff, churn_days=churn_days)
    _same_features(got, want)
    said = " ".join(text(n) for n in got.notes)
    assert "without a customer or a date" in said and "usable amount" in said and "negative spend" in said
    if cutoff == "2024-08-01":
        assert "after the cutoff" in said
    if churn_days == 60:
        assert got.counts["new_in_window"] > 0  # customers first seen in the window, left out as in memory


@pytest.mark.parametrize("drop", ["order_id", "amount"])
def test_customer_features_without_an_order_number_or_an_amount(awkward, drop):
    big, small = awkward
    for ds in (big, small):
        ds.set_role(drop, [])
    try:
        got = customer_features_from_dataset(big, churn_days=30)
        want = customer_features_from_dataset(small, churn_days=30)
    finally:
        for ds in (big, small):
            ds.set_role(drop, [drop])
    _same_features(got, want)


def test_a_big_file_without_a_customer_role_says_so(awkward):
    big, small = awkward
    for ds in (big, small):
        ds.set_role("customer_id", [])
    try:
        with pytest.raises(DataError) as got:
            customer_features_from_dataset(big)
        with pytest.raises(DataError) as want:
            customer_features_from_dataset(small)
    finally:
        for ds in (big, small):
            ds.set_role("customer_id", ["customer_id"])
    assert str(got.value) == str(want.value)


def test_ids_that_are_numbers_stay_numbers_in_their_order(tmp_path):
    """Order, product and customer numbers (as many shop systems write them) are numbers in
    memory, products and customers sorted as numbers (9 before 10): the same out of core."""
    rng = np.random.default_rng(2)
    n = 2_000
    order = np.sort(rng.integers(0, 700, n)) + 9_990  # crosses 9,999 -> 10,000
    frame = pd.DataFrame(
        {
            "order_id": order,
            "customer_id": order * 13 % 97 + 5,
            "order_date": (pd.Timestamp("2024-01-01") + pd.to_timedelta(order - 9_990, unit="D")).strftime("%Y-%m-%d"),
            "product_id": rng.integers(1, 30, n) * 7,
            "quantity": rng.integers(0, 3, n),
        }
    )
    frame["order_id"] = frame["order_id"].astype("Int64")
    frame.loc[5, "order_id"] = None  # a blank order number: the column is read as floats in memory
    frame.to_csv(tmp_path / "numbers.csv", index=False)
    big, small = open_both(tmp_path / "numbers.csv", tmp_path)
    got, want = baskets_from_dataset(big), baskets_from_dataset(small)
    assert want.order_ids.dtype == want.item_ids.dtype == np.int64
    np.testing.assert_array_equal(got.order_ids, want.order_ids)
    np.testing.assert_array_equal(got.item_ids, want.item_ids)
    assert got.order_ids.dtype == got.item_ids.dtype == np.int64
    np.testing.assert_array_equal(got.indptr, want.indptr)
    np.testing.assert_array_equal(got.indices, want.indices)
    assert [text(m) for m in got.notes] == [text(m) for m in want.notes]
    cg, cw = customer_features_from_dataset(big, churn_days=30), customer_features_from_dataset(small, churn_days=30)
    pd.testing.assert_frame_equal(cg.frame, cw.frame)
    assert [text(m) for m in cg.notes] == [text(m) for m in cw.notes]
