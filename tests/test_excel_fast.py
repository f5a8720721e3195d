"""The fast workbook reader (fastexcel: typed Arrow columns) gives the table the cell-by-cell
reader gives on the same workbook: every column's type, every value, the notes, the options. The
cell-by-cell reader is the reference (the Excel quirk tests were written against it); each case
also checks which reader read it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from bizops_desktop.core.i18n import text
from bizops_desktop.core.importer import excel, preview, read_table

pytest.importorskip("fastexcel")


@pytest.fixture
def readers(monkeypatch):
    """read(path) -> (fast result, cell-by-cell result, whether the fast reader gave the columns)."""
    used: list[bool] = []
    real = excel.FastSheets.columns

    def spy(self, *a, **k):
        try:
            out = real(self, *a, **k)
        except excel.NotFast:
            used.append(False)
            raise
        used.append(True)
        return out

    monkeypatch.setattr(excel.FastSheets, "columns", spy)

    def read(path, fn=read_table, **kw):
        used.clear()
        fast = fn(path, **kw)
        by_fast = bool(used) and used[-1]
        with monkeypatch.context() as m:
            m.setattr(excel.FastSheets, "open", classmethod(lambda cls, *_a: None))
            slow = fn(path, **kw)
        return fast, slow, by_fast

    return read


def same(fast, slow):
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
    assert [text(n) for n in fast.notes] == [text(n) for n in slow.notes]
    assert fast.options == slow.options
    assert fast.rows_total == slow.rows_total
    assert fast.sheets == slow.sheets


def book(path, *sheets):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


ORDERS = [["order_id", "date", "product", "quantity", "price", "paid"]] + [
    [f"O{i // 3}", dt.datetime(2024, 3, 1 + i % 28, 10 if i % 2 else 0, 30 if i % 2 else 0), f" P{i % 7} ", i % 4 + 1]
    + [1.5 + i % 3, i % 5 != 0]
    for i in range(400)
]

FAST_CASES = {
    "orders": [("orders", ORDERS)],
    "title rows above the header": [
        ("报表", [["店铺订单报表"], [], ["订单号", "数量", "金额"]] + [[f"A{i}", i, i * 2.5] for i in range(50)])
    ],
    "blanks, spaces and booleans with a gap": [
        (
            "s",
            [["name", "qty", "flag", "note"]]
            + [["  ", None, None, "x"], ["tea", 2, True, "   "], ["mug", 3.5, False, "y"]],
        )
    ],
    "dates out of pandas' range": [("s", [["day", "x"], [dt.datetime(2024, 1, 1), 1], [dt.datetime(3000, 1, 1), 2]])],
    "trailing blank rows": [("s", [["a", "b"], ["x", 1], ["y", 2], [None, None], ["  ", None]])],
    "repeated, numeric and date headers": [
        ("s", [["a", "a", 2024, 1.5, dt.datetime(2024, 1, 1), True], [1, 2, 3, 4, 5, 6]])
    ],
    "empty first sheet": [("cover", []), ("data", [["sku", "qty"], ["A", 1], ["B", 2]])],
}

SLOW_CASES = {
    "a word in a number column": [
        ("s", [["product", "quantity"]] + [[f"p{i}", "lots" if i == 4 else i + 1] for i in range(20)])
    ],
    "a word in a date column": [
        ("s", [["date", "x"]] + [["?" if i == 3 else dt.date(2024, 1, i + 1), i] for i in range(20)])
    ],
}


@pytest.mark.parametrize("name", list(FAST_CASES))
def test_fast_reader_reads_as_the_cell_reader_does(tmp_path, readers, name):
    path = book(tmp_path / "w.xlsx", *FAST_CASES[name])
    fast, slow, by_fast = readers(path)
    same(fast, slow)
    assert by_fast, name
    fast, slow, by_fast = readers(path, fn=preview, nrows=2)
    same(fast, slow)


@pytest.mark.parametrize("name", list(SLOW_CASES))
def test_mixed_columns_go_to_the_cell_reader(tmp_path, readers, name):
    path = book(tmp_path / "w.xlsx", *SLOW_CASES[name])
    fast, slow, by_fast = readers(path)
    same(fast, slow)
    assert not by_fast, name


def test_fast_reader_values(tmp_path, readers):
    # known answers, not only agreement: types and values as written
    path = book(tmp_path / "w.xlsx", *FAST_CASES["orders"])
    f = readers(path)[0].frame
    assert f["quantity"].dtype == "int64" and f["quantity"].tolist()[:5] == [1, 2, 3, 4, 1]
    assert f["price"].tolist()[:3] == [1.5, 2.5, 3.5]
    assert f["product"].tolist()[:2] == ["P0", "P1"]  # stripped
    assert f["date"].tolist()[:2] == [pd.Timestamp(2024, 3, 1), pd.Timestamp(2024, 3, 2, 10, 30)]
    assert f["paid"].dtype == bool and f["paid"].tolist()[:6] == [False, True, True, True, True, False]
    g = readers(book(tmp_path / "d.xlsx", *FAST_CASES["dates out of pandas' range"]))[0].frame
    assert g["day"].iloc[0] == pd.Timestamp(2024, 1, 1) and pd.isna(g["day"].iloc[1])
