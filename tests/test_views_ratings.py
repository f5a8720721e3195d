"""The shared user x item matrix view, on tables small enough to check every cell by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.i18n import text as shown
from bizops_desktop.core.views.ratings import build_ratings, ratings_from_dataset


def cell(rm, user, item):
    return rm.matrix[rm.user_index()[user], rm.item_index()[item]]


def test_explicit_ratings_duplicates_are_averaged_and_blanks_dropped():
    frame = pd.DataFrame(
        {
            "cust": ["a", "b", "a", None, "c", "a"],
            "prod": ["x", "x", "y", "x", "y", "x"],
            "stars": [4, 2, 0, 5, "bad", 5],
            "name": ["Ex", "Ex", "Why", "Ex", "Why", "Ex"],
        }
    )
    rm = build_ratings(frame, "cust", "prod", "stars", explicit=True, name_col="name")
    assert rm.explicit and rm.weighting == "rating"
    # users/items numbered by first appearance; "c" has only an unusable rating
    assert rm.users.tolist() == ["a", "b"]
    assert rm.items.tolist() == ["x", "y"]
    assert cell(rm, "a", "x") == pytest.approx(4.5)  # (4 + 5) / 2
    assert cell(rm, "b", "x") == 2.0
    # a rating of 0 is a stored cell, not a missing one
    assert rm.nnz == 3 and cell(rm, "a", "y") == 0.0
    assert rm.rating_scale == (0.0, 5.0)
    assert rm.names == {"x": "Ex", "y": "Why"}
    text = " ".join(map(shown, rm.notes))
    assert "1 row without a customer or product was left out" in text
    assert "1 row without a rating" in text
    assert "1 customer/product pair was rated more than once" in text
    # first input row of each cell (row labels after cleaning: a-x first at 0, b-x at 1, a-y at 2)
    u, i, _ = rm.triplets()
    first = dict(zip(zip(rm.users[u], rm.items[i]), rm.first_row.data))
    assert first == {("a", "x"): 0, ("b", "x"): 1, ("a", "y"): 2}


def test_numbering_follows_the_lines_kept_and_blank_keys_are_dropped():
    # "z" and "q" first appear on lines that are left out (a zero quantity, a blank product of only
    # spaces): they are numbered by their first line that is kept, after "b" and "y"
    frame = pd.DataFrame(
        {
            "cust": ["z", "b", " ", "z", "a", "b"],
            "prod": ["q", "y", "y", "q", "  ", "x"],
            "qty": [0, 1, 1, 2, 1, 3],
        }
    )
    rm = build_ratings(frame, "cust", "prod", "qty", explicit=False, weighting="quantity")
    assert rm.users.tolist() == ["b", "z"]
    assert rm.items.tolist() == ["y", "q", "x"]
    assert cell(rm, "z", "q") == 2.0 and cell(rm, "b", "x") == 3.0 and rm.nnz == 3
    text = " ".join(map(shown, rm.notes))
    assert "2 rows without a customer or product were left out" in text
    assert "1 row without a positive quantity" in text
    # first kept line of each cell, numbered among the kept lines: b-y 0, z-q 1, b-x 2
    u, i, _ = rm.triplets()
    assert dict(zip(zip(rm.users[u], rm.items[i]), rm.first_row.data)) == {("b", "y"): 0, ("z", "q"): 1, ("b", "x"): 2}


@pytest.mark.parametrize(
    "weighting, expected",
    [
        ("counts", {("a", "x"): 2, ("a", "y"): 1, ("b", "x"): 1}),
        ("quantity", {("a", "x"): 5, ("a", "y"): 1, ("b", "x"): 2}),
        ("binary", {("a", "x"): 1, ("a", "y"): 1, ("b", "x"): 1}),
        ("log", {("a", "x"): np.log(3), ("a", "y"): np.log(2), ("b", "x"): np.log(2)}),
    ],
)
def test_implicit_weights(weighting, expected):
    frame = pd.DataFrame({"c": ["a", "a", "b", "a", "b"], "p": ["x", "x", "x", "y", "y"], "q": [2, 3, 2, 1, -1]})
    rm = build_ratings(frame, "c", "p", "q", explicit=False, weighting=weighting)
    got = {(u, i): cell(rm, u, i) for (u, i) in expected}
    assert got == pytest.approx(expected)
    if weighting == "quantity":
        # the return line (quantity -1) is left out, so b-y is not a cell at all
        assert rm.nnz == 3 and "positive quantity" in " ".join(map(shown, rm.notes))
    else:
        assert rm.nnz == 4 and cell(rm, "b", "y") > 0


def test_dataset_picks_explicit_or_implicit_and_explains_problems():
    frame = pd.DataFrame({"c": ["a", "b"], "p": ["x", "y"], "r": [5, 3], "q": [1, 2]})
    ds = Dataset("t", frame, {"customer_id": "c", "product_id": "p", "rating": "r", "quantity": "q"})
    assert ratings_from_dataset(ds).explicit
    implicit = ratings_from_dataset(ds, source="orders", weighting="quantity")
    assert not implicit.explicit and implicit.matrix.sum() == 3
    no_rating = Dataset("t", frame, {"customer_id": "c", "product_id": "p"})
    with pytest.raises(DataError, match="no column marked as Rating"):
        ratings_from_dataset(no_rating, source="ratings")
    with pytest.raises(UsageError, match="Quantity"):
        ratings_from_dataset(no_rating, weighting="quantity")
    with pytest.raises(DataError, match="customer column and a product column"):
        ratings_from_dataset(Dataset("t", frame, {"customer_id": "c"}))
    empty = Dataset("t", frame.assign(c=None), {"customer_id": "c", "product_id": "p"})
    with pytest.raises(DataError, match="no usable rows"):
        ratings_from_dataset(empty)
