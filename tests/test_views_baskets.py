"""The baskets view on tiny hand-made tables whose baskets are known by heart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import DataError
from bizops_desktop.core.i18n import text as shown
from bizops_desktop.core.views.baskets import (
    baskets_from_dataset,
    baskets_from_lists,
    baskets_from_orders,
    find_basket_column,
)


def _lines():
    # order 10: milk, bread (bread twice); order 7: beer, nappies; order 3: milk, returned beer;
    # a line without an order number
    return pd.DataFrame(
        {
            "order": [10, 10, 10, 7, 7, 3, 3, None],
            "sku": ["B", "M", "B", "R", "N", "M", "R", "M"],
            "name": ["bread", "milk", "bread", "beer", "nappies", "milk", "beer", "milk"],
            "qty": [1, 2, 1, 6, 1, 1, -1, 1],
        }
    )


def test_orders_to_baskets_exact():
    b = baskets_from_orders(_lines(), "order", "sku", name_col="name")
    assert b.n_orders == 3 and b.n_items == 4
    assert list(b.item_ids) == ["B", "M", "N", "R"]  # codes in sorted id order
    assert list(b.order_ids) == [10, 7, 3]  # first-seen order
    assert [b.basket(i) for i in range(3)] == [["B", "M"], ["N", "R"], ["M", "R"]]
    assert b.item_names == ["bread", "milk", "nappies", "beer"]
    assert list(b.lengths()) == [2, 2, 2]
    assert list(b.item_counts()) == [1, 2, 1, 2]
    assert b.indices.dtype == np.int32 and b.indptr[-1] == len(b.indices) == 6
    assert any("counted once" in n for n in map(shown, b.notes))
    assert any("without an order number" in n for n in map(shown, b.notes))


def test_non_positive_quantity_lines_are_left_out():
    b = baskets_from_orders(_lines(), "order", "sku", quantity_col="qty")
    assert [b.basket(i) for i in range(3)] == [["B", "M"], ["N", "R"], ["M"]]
    assert any("negative" in n for n in map(shown, b.notes))


def test_bitsets_match_the_baskets():
    b = baskets_from_orders(_lines(), "order", "sku")
    bits = b.bitsets()
    assert bits.shape == (4, 1) and bits.dtype == np.uint64
    # B in order 0; M in orders 0 and 2; N, R in order 1 and R in 2
    assert bits[:, 0].tolist() == [0b001, 0b101, 0b010, 0b110]
    assert np.bitwise_count(bits[1] & bits[3]).sum() == 1  # milk and beer together once
    # more than 64 orders spill into a second word
    many = pd.DataFrame({"o": np.repeat(np.arange(70), 1), "p": ["x"] * 70})
    bb = baskets_from_orders(many, "o", "p").bitsets()
    assert bb.shape == (1, 2) and int(np.bitwise_count(bb).sum()) == 70


def test_one_basket_per_row():
    s = pd.Series(["bread, milk", "beer,nappies , bread", "", None, "milk,milk"], name="basket")
    b = baskets_from_lists(s)
    assert b.n_orders == 3
    assert list(b.item_ids) == ["beer", "bread", "milk", "nappies"]
    assert [b.basket(i) for i in range(3)] == [["bread", "milk"], ["beer", "bread", "nappies"], ["milk"]]
    assert list(b.order_ids) == [1, 2, 5]  # row numbers from 1
    assert any("empty rows" in n for n in map(shown, b.notes))
    assert baskets_from_lists(pd.Series(["a;b", "b;c"])).basket(1) == ["b", "c"]


def test_dataset_picks_the_right_input():
    ds = Dataset(
        "lines", _lines(), roles={"order_id": "order", "product_id": "sku", "product_name": "name", "quantity": "qty"}
    )
    b = baskets_from_dataset(ds)
    assert b.item_names is not None and b.n_orders == 3 and b.basket(2) == ["M"]
    rows = Dataset("rows", pd.DataFrame({"id": [1, 2], "items": ["a,b", "b,c,d"]}))
    assert find_basket_column(rows.frame) == "items"
    assert baskets_from_dataset(rows).basket(1) == ["b", "c", "d"]
    with pytest.raises(DataError, match="neither order lines"):
        baskets_from_dataset(Dataset("x", pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})))


def test_all_lines_unusable_is_a_clear_error():
    df = pd.DataFrame({"o": [None, None], "p": ["a", "b"]})
    with pytest.raises(DataError, match="no order line"):
        baskets_from_orders(df, "o", "p")


def test_ragged_basket_file_read_without_header():
    # "bread,milk / beer,nappies,bread / milk" read with no header: items in cells, blanks after
    frame = pd.DataFrame(
        {
            "column 1": ["bread", "beer", "milk", None],
            "column 2": ["milk", "nappies", None, None],
            "column 3": [None, "bread ", None, None],
        }
    )
    ds = Dataset("ragged", frame)
    b = baskets_from_dataset(ds)
    assert [b.basket(i) for i in range(b.n_orders)] == [["bread", "milk"], ["beer", "bread", "nappies"], ["milk"]]
    assert list(b.order_ids) == [1, 2, 3]
    # a customer-like table with a gap in the middle of a row is not taken for baskets
    gap = pd.DataFrame({"a": ["x", "y"], "b": [None, "z"], "c": ["w", None]})
    with pytest.raises(DataError, match="neither order lines"):
        baskets_from_dataset(Dataset("gap", gap))


def test_order_column_beside_a_list_column():
    frame = pd.DataFrame({"basket": ["A17", "A18"], "items": ["tea, milk", "milk,sugar,tea"]})
    ds = Dataset("lists", frame, roles={"order_id": "basket", "product_id": "items"})
    b = baskets_from_dataset(ds)
    assert list(b.order_ids) == ["A17", "A18"]
    assert [b.basket(i) for i in range(2)] == [["milk", "tea"], ["milk", "sugar", "tea"]]


def test_basket_notes_read_in_chinese():
    from bizops_desktop.core.i18n import use_language

    frame = pd.DataFrame({"o": [1, 1, 1, 2, None], "p": ["a", "a", "b", "b", "c"], "q": [1, 1, 2, -1, 1]})
    b = baskets_from_orders(frame, "o", "p", quantity_col="q")
    with use_language("zh_CN"):
        text = " ".join(map(shown, b.notes))
    assert "只算一次" in text and "退货" in text and "没有订单号或商品" in text, text
