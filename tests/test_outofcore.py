"""Views out of core: DuckDB computes from the file the baskets and the sales series that the
in-memory views compute from the imported table; on the same file they must be the same (the
in-memory views are the reference). Column names from the file never reach SQL unquoted."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.errors import Cancelled, UsageError
from bizops_desktop.core.i18n import text
from bizops_desktop.core.importer import load_dataset
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.baskets import baskets_from_dataset
from bizops_desktop.core.views.outofcore import baskets_out_of_core, ident, open_big_csv, series_out_of_core
from bizops_desktop.core.views.series import series_view

pytest.importorskip("duckdb")

QTY = 'qty"; DROP TABLE lines; --'  # a header that would break SQL pasted in as written


def write_orders(path: Path, n: int = 40_000, seed: int = 3) -> Path:
    rng = np.random.default_rng(seed)
    order = np.sort(rng.integers(0, n // 3, n))
    product = rng.integers(0, 120, n)
    frame = pd.DataFrame(
        {
            "order_id": np.char.add("SO", order.astype(str)).astype(object),
            "customer_id": np.char.add("C", rng.integers(0, 900, n).astype(str)),
            "order_date": (
                pd.Timestamp("2024-01-01") + pd.to_timedelta(order * (400 * 24 * 60) // (n // 3), unit="min")
            ).strftime("%Y-%m-%d %H:%M:%S"),
            "product_id": np.char.add("P", product.astype(str)).astype(object),
            "product_name": np.char.add("商品 ", product.astype(str)),
            QTY: rng.integers(-1, 5, n),
            "unit_price": np.round(rng.uniform(1, 80, n), 2),
        }
    )
    frame.loc[rng.random(n) < 0.01, "product_id"] = None  # lines without a product
    frame = pd.concat([frame, frame.iloc[100:160]]).sort_values("order_id", kind="stable")  # repeated lines
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    path = write_orders(tmp_path_factory.mktemp("big") / "orders.csv")
    ds = load_dataset(path)
    ds.set_role("quantity", [QTY])  # the odd header is no known word: marked by hand, as a user would
    return path, ds


def test_roles_are_guessed_as_the_importer_guesses_them(shop):
    path, ds = shop
    big = open_big_csv(path)
    assert big.columns == list(ds.frame.columns)
    for role in ("order_id", "product_id", "date", "product_name", "customer_id"):
        assert big.col(role) == ds.col(role), role


def test_baskets_out_of_core_are_the_in_memory_baskets(shop):
    path, ds = shop
    want = baskets_from_dataset(ds)
    got = baskets_out_of_core(open_big_csv(path, ds.roles))

    def by_order(b):
        return {
            str(o): frozenset(str(b.item_ids[j]) for j in b.indices[b.indptr[i] : b.indptr[i + 1]])
            for i, o in enumerate(b.order_ids)
        }

    assert len(got.order_ids) == len(want.order_ids) > 10_000
    assert by_order(got) == by_order(want)
    # the same arrays: orders numbered as first seen, products in sorted order
    assert got.order_ids.tolist() == want.order_ids.tolist() and got.item_ids.tolist() == want.item_ids.tolist()
    np.testing.assert_array_equal(got.indptr, want.indptr)
    np.testing.assert_array_equal(got.indices, want.indices)
    assert got.indptr.dtype == want.indptr.dtype and got.indices.dtype == want.indices.dtype
    assert list(map(str, got.item_ids)) == list(map(str, want.item_ids))
    assert got.item_names == want.item_names
    assert [text(n) for n in got.notes] == [text(n) for n in want.notes]
    assert any("repeated line" in text(n) for n in got.notes)


@pytest.mark.parametrize("freq, top", [("W", None), ("M", 20)])
def test_sales_series_out_of_core_are_the_in_memory_series(shop, freq, top):
    path, ds = shop
    want = series_view(ds, freq=freq, top=top)
    got = series_out_of_core(open_big_csv(path, ds.roles), freq=freq, top=top)
    pd.testing.assert_frame_equal(got.values, want.values, check_freq=False)
    assert got.labels == want.labels
    assert [text(n) for n in got.notes] == [text(n) for n in want.notes]
    assert got.freq == want.freq and got.value_name == want.value_name


def test_names_are_checked_and_quoted():
    cols = ["a", 'b"c']
    assert ident('b"c', cols) == '"b""c"'
    with pytest.raises(UsageError):
        ident('a" OR 1=1 --', cols)


def test_a_role_naming_no_column_of_the_file_is_refused(shop):
    path, ds = shop
    big = open_big_csv(path, {**ds.roles, "product_id": ["product_id; DROP TABLE lines"]})
    with pytest.raises(UsageError, match="not in the table"):
        baskets_out_of_core(big)


def test_cancel_stops_the_query(shop):
    path, ds = shop
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        baskets_out_of_core(open_big_csv(path, ds.roles), progress)
