"""The pieces-at-a-time helpers give exactly what the single pandas call gives."""

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core import chunked


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch):
    monkeypatch.setattr(chunked, "PIECE", 7)  # many pieces on a small input


def _cases():
    rng = np.random.default_rng(3)
    words = np.array(["b", "a", "苹果", "香蕉", "Zeta", "zeta", "ä", "a b", "", " "], dtype=object)
    text = words[rng.integers(0, len(words), 200)].copy()
    text[rng.integers(0, 200, 15)] = None
    text[rng.integers(0, 200, 5)] = np.nan
    mixed = np.array([3, "A", 1.5, "b", 3, None, 2, "A"] * 20, dtype=object)
    ints_as_objects = np.array([5, 3, 3, 10, 1, 5] * 30, dtype=object)
    return {"text": pd.Series(text), "mixed": pd.Series(mixed), "ints": pd.Series(ints_as_objects)}


@pytest.mark.parametrize("name", ["text", "mixed", "ints"])
@pytest.mark.parametrize("sort", [False, True])
def test_factorize_equals_pandas(name, sort):
    values = _cases()[name]
    try:
        want_codes, want_uniques = pd.factorize(values, sort=sort)
    except TypeError:
        with pytest.raises(TypeError):
            chunked.factorize(values, sort=sort)
        return
    codes, uniques = chunked.factorize(values, sort=sort)
    np.testing.assert_array_equal(codes, want_codes)
    assert list(uniques) == list(want_uniques)


def test_factorize_index_and_category():
    values = _cases()["text"]
    for v in (pd.Index(values), values.astype("category"), values.astype("string")):
        codes, uniques = chunked.factorize(v, sort=False)
        want_codes, want_uniques = pd.factorize(values, sort=False)
        np.testing.assert_array_equal(codes, want_codes)
        assert list(uniques) == list(want_uniques)


def test_nonblank():
    values = _cases()["text"]
    want = (values.notna() & values.astype(str).str.strip().ne("")).to_numpy()
    np.testing.assert_array_equal(chunked.nonblank(values), want)
    nums = pd.Series([1.0, np.nan, 3.0] * 10)
    np.testing.assert_array_equal(chunked.nonblank(nums), nums.notna().to_numpy())


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "datetime64[D]", "bool"])
def test_unique_equals_numpy(dtype):
    rng = np.random.default_rng(8)
    a = rng.integers(0, 40, 300).astype(dtype)
    for flags in [(False, False, False), (True, False, False), (False, True, False), (True, True, True)]:
        want = np.unique(a, return_index=flags[0], return_inverse=flags[1], return_counts=flags[2])
        got = chunked.unique(a, return_index=flags[0], return_inverse=flags[1], return_counts=flags[2])
        for w, g in zip(want if isinstance(want, tuple) else (want,), got if isinstance(got, tuple) else (got,)):
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("name", ["text", "ints"])
def test_group_indices_and_sums_equal_pandas(name):
    values = _cases()[name]
    weights = pd.Series(np.arange(len(values), dtype=float) % 5)
    want = weights.groupby(values, sort=False).indices
    got = chunked.group_indices(values)
    assert list(got) == list(want) or set(got) == set(want)
    for k in want:
        np.testing.assert_array_equal(got[k], want[k])
    want_sums = weights.groupby(values, sort=False).sum()
    got_sums = chunked.group_sums(values, weights)
    assert list(got_sums.index) == list(want_sums.index)
    np.testing.assert_allclose(got_sums.to_numpy(), want_sums.to_numpy())
