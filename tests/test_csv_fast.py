"""core.export.csv_bytes writes what pandas' ``to_csv(index=False, encoding="utf-8-sig")`` writes, to the
byte, on every kind of column a result table holds (the reference: pandas itself on the same frame)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.export import csv_bytes, write_table


def pandas_bytes(frame: pd.DataFrame, tmp_path) -> bytes:
    p = tmp_path / "ref.csv"
    frame.to_csv(p, index=False, encoding="utf-8-sig")
    return p.read_bytes()


TRICKY_TEXT = [
    "plain",
    "",
    "with, comma",
    'with "quotes"',
    "line\nbreak",
    "carriage\rreturn",
    "windows\r\nline",
    'quote"and,comma\nand line',
    " lead and trail ",
    "中文，逗号",
    "tab\there",
    "'single'",
    '"',
    ",",
    "x" * 300,
    "semi;colon",
    "\\back\\slash",
]


def frames():
    rng = np.random.default_rng(3)
    n = 400
    floats = rng.normal(size=n) * 10.0 ** rng.integers(-8, 9, n)
    floats[::17] = np.nan
    floats[1::23] = np.inf
    floats[2::29] = -np.inf
    floats[3::31] = 0.0
    floats[4::37] = -0.0
    floats[5::41] = 1e16
    floats[6::43] = 1e-5
    yield "floats", pd.DataFrame({"a": floats, "b": np.round(floats, 4), "c": floats.astype(np.float32)})
    yield (
        "ints",
        pd.DataFrame(
            {
                "i": rng.integers(-(10**12), 10**12, n),
                "u": rng.integers(0, 2**63, n, dtype=np.uint64),
                "small": rng.integers(0, 5, n).astype(np.int8),
                "flag": rng.uniform(size=n) < 0.5,
            }
        ),
    )
    text = np.asarray([TRICKY_TEXT[k] for k in rng.integers(0, len(TRICKY_TEXT), n)], dtype=object)
    with_missing = text.copy()
    with_missing[::7] = None
    with_missing[1::11] = np.nan
    with_missing[2::13] = pd.NA
    yield "text", pd.DataFrame({"t": text, "m": with_missing, "n": np.arange(n)})
    mixed = np.asarray([1, 1.0, True, "1", None, 2.5, np.float64(0.1), np.int64(3), "a,b", [1, 2]] * 40, dtype=object)
    yield "mixed", pd.DataFrame({"x": mixed, "y": mixed[::-1].copy()})
    yield (
        "json lists",
        pd.DataFrame({"itemset": ['["cat000"]', '["cat000", "cat031"]'] * 50, "support": np.linspace(0, 1, 100)}),
    )
    yield "empty", pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=object)})
    yield "header", pd.DataFrame({"with, comma": [1, 2], 'q"uote': ["a", "b"], "中文": [0.5, np.nan], "": [1, 1]})
    yield "all missing", pd.DataFrame({"a": [None, None], "b": [np.nan, np.nan]})
    yield (
        "dates",
        pd.DataFrame({"d": pd.to_datetime(["2024-01-02", None]), "v": [1.5, 2.5], "s": pd.array(["a", None])}),
    )


@pytest.mark.parametrize("name,frame", list(frames()), ids=[n for n, _ in frames()])
def test_same_bytes_as_pandas(name, frame, tmp_path):
    want = pandas_bytes(frame, tmp_path)
    got = csv_bytes(frame)
    if got is None:  # not handled here: write_table lets pandas write it
        assert name in ("dates", "one column")
        got = write_table(frame, tmp_path / "ours.csv").read_bytes()
    assert got == want


def test_one_column_and_surrogates_left_to_pandas(tmp_path):
    assert csv_bytes(pd.DataFrame({"a": ["", "x"]})) is None  # a lone empty field reads ""
    assert csv_bytes(pd.DataFrame({"a": ["\udc80", "x"], "b": [1, 2]})) is None
    frame = pd.DataFrame({"a": ["", None, "y,z"]})
    assert write_table(frame, tmp_path / "one.csv").read_bytes() == pandas_bytes(frame, tmp_path)


def test_big_rules_like_table(tmp_path):
    """A rules table as the basket analysis writes it: JSON list cells, 4-decimal shares, counts, sentences."""
    rng = np.random.default_rng(5)
    n = 20_000
    items = [f"cat{k:03d}" for k in range(300)]
    ante = ['["' + '", "'.join(sorted(rng.choice(items, rng.integers(1, 4), replace=False))) + '"]' for _ in range(n)]
    frame = pd.DataFrame(
        {
            "antecedents": ante,
            "support": np.round(rng.uniform(0, 0.2, n), 4),
            "lift": np.round(rng.lognormal(0, 0.3, n), 4),
            "count": rng.integers(1, 10_000, n),
            "why": [f"Customers who buy {a} also buy, in {k}% of orders" for k, a in enumerate(ante)],
        }
    )
    assert csv_bytes(frame) == pandas_bytes(frame, tmp_path)


def _share_values() -> np.ndarray:
    """Shares of every size, each rounding boundary of format_percent and its neighbours, ties."""
    rng = np.random.default_rng(8)
    edges = [0.1, 0.001, 0.00005, 1.0, 0.995, 0.9995, 0.99995, 0.999995, 10.0, 1234.5678]
    ties = [0.125, 0.135, 0.0125, 0.0135, 0.00125, 0.00135, 0.145, 0.155, 0.5, 0.0005, 0.00015, 0.99985]
    near = [np.nextafter(x, d) for x in edges + ties for d in (0.0, 2.0)]
    grid = np.round(np.arange(0, 1.00001, 0.00005), 5)  # every 4-decimal share and the halves between
    return np.concatenate(
        [
            edges,
            ties,
            near,
            grid,
            rng.uniform(0, 1, 3000),
            10.0 ** rng.uniform(-7, 3, 3000),
            [0.0, -0.0, -0.25, np.nan, np.inf, -np.inf, 4e-5, 1e-9, 2e9, -0.0, 0.0],  # -0.0 after 0.0 and before
        ]
    ).astype(float)


@pytest.mark.parametrize("lang", ["en", "zh_CN", "de"])
def test_percent_texts_as_format_percent(lang):
    from bizops_desktop.core import i18n
    from bizops_desktop.core.export import _percent_texts

    values = _share_values()
    fmt = i18n._Formatter(lang)
    got = _percent_texts(values, fmt)
    want = [i18n.format_percent(float(v), lang) for v in values]
    bad = [(float(v), g, w) for v, g, w in zip(values, got, want) if g != w]
    assert bad == []


@pytest.mark.parametrize("lang,currency", [("en", None), ("zh_CN", None), ("en", "EUR"), ("en", "JPY"), ("de", None)])
def test_money_texts_as_format_money(lang, currency):
    from bizops_desktop.core import i18n
    from bizops_desktop.core.export import _money_texts

    rng = np.random.default_rng(9)
    values = np.concatenate(
        [
            [0.0, 0.005, 0.015, 0.025, 0.125, 0.135, 1.005, 2.675, 999.995, 1234567.25, 999999.995, 1e14, 5e15],
            np.round(rng.uniform(0, 500, 2000), 2),
            rng.uniform(0, 1e7, 2000),
            np.round(rng.uniform(0, 100, 500), 3),
            [-1.5, np.nan, np.inf, -0.0, 0.0, -0.0],  # -0.0 after 0.0 and before
        ]
    ).astype(float)
    saved = i18n._currency
    i18n.set_currency(currency)
    try:
        got = _money_texts(values, i18n._Formatter(lang))
        want = [i18n.format_money(float(v), lang) for v in values]
    finally:
        i18n._currency = saved
    bad = [(float(v), g, w) for v, g, w in zip(values, got, want) if g != w]
    assert bad == []
