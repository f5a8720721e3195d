"""The Arrow reader gives the table the pandas reader gives, on the same file: every column's
type, every value, the notes. The pandas reader is the reference (it is the one the quirk tests
were written against); each case also checks which reader read it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.errors import Cancelled
from bizops_desktop.core.i18n import text
from bizops_desktop.core.importer import arrow_text, load_dataset, preview, read_table
from bizops_desktop.core.importer import text as text_reader
from bizops_desktop.core.progress import Progress

DATA = Path(__file__).parent / "data"


@pytest.fixture
def readers(monkeypatch):
    """read(path) -> (arrow result, pandas result, whether Arrow read it)."""
    used: list[bool] = []
    real = text_reader.read_arrow

    def spy(*a, **k):
        try:
            out = real(*a, **k)
        except arrow_text.NotForArrow:
            used.append(False)
            raise
        used.append(True)
        return out

    monkeypatch.setattr(text_reader, "read_arrow", spy)

    def read(path, **kw):
        used.clear()
        fast = read_table(path, **kw)
        by_arrow = bool(used) and used[-1]
        monkeypatch.setattr(arrow_text, "ENABLED", False)
        try:
            slow = read_table(path, **kw)
        finally:
            monkeypatch.setattr(arrow_text, "ENABLED", True)
        return fast, slow, by_arrow

    return read


def same(fast, slow):
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=False, rtol=1e-12)
    assert [text(n) for n in fast.notes] == [text(n) for n in slow.notes]
    assert fast.options == slow.options
    assert fast.rows_total == slow.rows_total


CASES = {
    "plain orders": "order_id,customer_id,date,product,quantity,price\n"
    + "".join(f"O{i // 3},C{i % 7},2024-03-{i % 28 + 1:02d},P{i % 5},{i % 4 + 1},{1.5 + i % 3}\n" for i in range(300)),
    "blanks and NA words": (
        "order_id,qty,price,name,flag\n1,2,,tea,True\n2,,3.5,NA,False\n3,4,5.0,,\n4,1,n/a,null,True\n"
    ),
    "int column with a fraction far down": "id,qty\n" + "".join(f"A{i},{i % 9}\n" for i in range(400)) + "A400,2.5\n",
    "text far down a number column": "id,qty\n" + "".join(f"A{i},{i % 9}\n" for i in range(400)) + "A400,many\n",
    "long ids and leading zeros": "订单编号,会员,数量\n"
    + "".join(f"{3000000000000000000 + i},00{i % 9},{i % 3 + 1}\n" for i in range(50)),
    "19-digit id only far down": "order,qty\n" + "".join(f"{i},{1}\n" for i in range(400)) + "3000000000000000123,1\n",
    "dates with times and a bad one": "Order date,amount\n"
    + "".join(f"2024-01-{i % 28 + 1:02d} 10:{i % 60:02d}:00,{i}\n" for i in range(400))
    + "2024-02-30 10:00:00,5\n",
    "dates out of range": "day,x\n" + "".join(f"2024-01-{i % 28 + 1:02d},{i}\n" for i in range(400)) + "1500-01-01,1\n",
    "time zones": "created_at,x\n2024-01-01T10:00:00+08:00,1\n2024-01-02T11:00:00+08:00,2\n",
    "trailing delimiter": "a,b,c,\n1,x,2024-01-01,\n2,y,2024-01-02,\n",
    "empty header names": "a,,b,\n1,,2,\n3,,4,\n",
    "title lines and blank lines": "店铺订单报表\n导出时间 2024-03-05\n\n订单号,商品,数量\nA1,茶,2\nA2,杯,1\n",
    "quoted newlines and delimiters": 'id,note,qty\n1,"hello, world",2\n2,"line one\nline two",3\n3,"say ""hi""",4\n',
    "semicolon decimal comma": "produkt;preis;menge\nTee;1,50;2\nKaffee;12,25;1\nMilch;0,99;3\n",
    "tabs": "sku\tname\tqty\nA\tTea\t1\nB\tMug\t2\n",
    "no header": "1,2.5,2024-01-01\n2,3.5,2024-01-02\n3,4.5,2024-01-03\n",
    "currency text": "item,price\nA,¥1,234.50\nB,¥12.00\n",
    "excel wrapped ids": 'order,qty\n="3000000000000000123",1\n="3000000000000000124",2\n',
    "crlf": "a,b\r\n1,x\r\n2,y\r\n",
    "bom": "\ufeffid,qty\nA,1\nB,2\n",
    "booleans with a blank": "id,paid\n1,True\n2,\n3,False\n",
    "all empty column": "id,empty,qty\n1,,2\n2,,3\n",
    "percent": "item,share\nA,12.5%\nB,50%\n",
    "yyyymmdd numbers": "date,qty\n20240301,1\n20240302,2\n",
}


@pytest.mark.parametrize("name", list(CASES))
def test_arrow_reads_as_pandas_does(tmp_path, readers, name):
    path = tmp_path / "f.csv"
    path.write_text(CASES[name], encoding="utf-8")
    fast, slow, _by_arrow = readers(path)
    same(fast, slow)


def test_arrow_reads_the_common_files(tmp_path, readers):
    # the everyday cases go through Arrow, not only through the fallback
    for name in (
        "plain orders",
        "int column with a fraction far down",
        "text far down a number column",
        "dates with times and a bad one",
        "trailing delimiter",
        "quoted newlines and delimiters",
        "semicolon decimal comma",
        "bom",
        "long ids and leading zeros",
        "title lines and blank lines",
    ):
        path = tmp_path / "f.csv"
        path.write_text(CASES[name], encoding="utf-8")
        _fast, _slow, by_arrow = readers(path)
        assert by_arrow, name


def test_ragged_lines_go_to_pandas_with_its_note(tmp_path, readers):
    rows = "".join(f"{i},x\n" for i in range(400))
    path = tmp_path / "f.csv"
    path.write_text("id,name\n" + rows + "400,x,extra\n", encoding="utf-8")
    fast, slow, by_arrow = readers(path)
    assert not by_arrow
    same(fast, slow)
    assert "more columns than the header" in " ".join(text(n) for n in fast.notes)


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (DATA / "exports").iterdir() if p.suffix in (".csv", ".txt"))
    + sorted(p for p in DATA.glob("*.csv")),
    ids=lambda p: p.name,
)
def test_corpus_files_read_alike(readers, path):
    fast, slow, by_arrow = readers(path)
    same(fast, slow)


def test_gbk_export_reads_alike(tmp_path, readers):
    text_ = "订单编号,买家会员名,宝贝标题,购买数量,实付金额,订单创建时间\n" + "".join(
        f'="{2002281389525338520 + i}",买家{i % 9},保温杯 {i % 4},{i % 3 + 1},{10 + i % 7}.50,'
        f"2024-03-0{i % 9 + 1} 10:00:00\n"
        for i in range(300)
    )
    path = tmp_path / "taobao.csv"
    path.write_bytes(text_.encode("gbk"))
    fast, slow, by_arrow = readers(path)
    assert by_arrow
    same(fast, slow)
    assert fast.frame["订单编号"].iloc[0] == "2002281389525338520"


def random_table(rng, n):
    cols = {
        "order_id": [f"O{i // 3}" for i in range(n)],
        "qty": rng.integers(-2, 9, n).astype(object),
        "price": np.round(rng.uniform(0, 99, n), 2).astype(object),
        "date": [f"2024-{m:02d}-{d:02d}" for m, d in zip(rng.integers(1, 13, n), rng.integers(1, 29, n))],
        "name": rng.choice(["茶", "tea, green", 'say "hi"', "NA", "", "杯子"], n),
        "code": rng.choice(["007", "12", "x1", "3000000000000000123"], n),
    }
    frame = pd.DataFrame(cols)
    # blanks, stray text and fractions in random places
    for c in ("qty", "price", "date", "name"):
        holes = rng.random(n) < 0.05
        frame.loc[holes, c] = ""
    if rng.random() < 0.5:
        frame.loc[rng.integers(0, n), "qty"] = "2.5"
    if rng.random() < 0.5:
        frame.loc[rng.integers(0, n), "price"] = "ask"
    if rng.random() < 0.5:
        frame.loc[rng.integers(0, n), "date"] = "soon"
    return frame


@pytest.mark.parametrize("seed", range(8))
def test_random_tables_read_alike(tmp_path, readers, seed):
    rng = np.random.default_rng(seed)
    frame = random_table(rng, int(rng.integers(5, 2000)))
    path = tmp_path / "r.csv"
    frame.to_csv(path, index=False, sep=[",", ";", "\t"][seed % 3])
    fast, slow, _ = readers(path)
    same(fast, slow)


def test_preview_reads_the_first_rows_as_the_import_does(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(CASES["plain orders"], encoding="utf-8")
    head = preview(path, nrows=50)
    full = read_table(path)
    assert len(head.frame) == 50 and head.rows_total == 300
    pd.testing.assert_frame_equal(head.frame, full.frame.head(50))


def big_orders(path: Path, n: int) -> Path:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "order_id": np.char.add("O", (np.arange(n) // 3).astype(str)),
            "customer_id": np.char.add("C", rng.integers(1, 999, n).astype(str)),
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
            "product_id": np.char.add("P", rng.integers(1, 50, n).astype(str)),
            "quantity": rng.integers(1, 5, n),
            "price": np.round(rng.uniform(1, 50, n), 2),
        }
    )
    frame.to_csv(path, index=False)
    return path


def test_big_file_cancelled_mid_import_leaves_nothing(tmp_path, monkeypatch):
    """Cancel pressed while the rows are read: load_dataset ends with Cancelled at the next
    block, having read only part of the file; no Dataset comes back."""
    monkeypatch.setattr(arrow_text, "BLOCK_BYTES", 256 << 10)
    path = big_orders(tmp_path / "big.csv", 200_000)
    seen: list[float] = []

    def cb(f, _t):
        seen.append(f)
        if f > 0.2:
            progress.cancel()

    progress = Progress(cb, _min_interval=0.0)
    result = None
    with pytest.raises(Cancelled):
        result = load_dataset(path, progress=progress)
    assert result is None
    assert 0.2 < max(seen) < 0.6  # stopped while reading, well before the end
    # the same file, not cancelled, loads whole
    ds = load_dataset(path)
    assert len(ds.frame) == 200_000 and str(ds.frame["date"].dtype) == "datetime64[ns]"


@pytest.mark.parametrize("seed", range(4))
def test_duplicate_count_on_orders_written_order_by_order(seed):
    """The count takes shortcuts on an export written order by order (runs of one order number,
    rows dropped once unique); it must still count exactly what pandas' duplicated() counts."""
    from bizops_desktop.core.importer.notes import count_duplicates

    rng = np.random.default_rng(seed)
    n = 30_000
    order = np.sort(rng.integers(0, 6000, n))
    f = pd.DataFrame(
        {
            "order": np.char.add("O", order.astype(str)).astype(object),
            "product": rng.choice(["tea", "茶", None, "mug"], n),
            "qty": rng.integers(1, 3, n),
            "price": np.where(rng.random(n) < 0.05, np.nan, rng.choice([1.5, 2.0], n)),
        }
    )
    f.loc[rng.random(n) < 0.01, "order"] = np.nan
    if seed % 2:
        f = f.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # lines of an order scattered
    assert count_duplicates(f) == int(f.duplicated().sum()) > 0


def test_an_imported_table_can_be_edited_in_place(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(CASES["plain orders"], encoding="utf-8")
    f = load_dataset(path).frame
    f.loc[f["product"] == "P1", "price"] = 9.5
    f.loc[0, "quantity"] = 7
    f.loc[0, "date"] = pd.Timestamp("2024-05-01")
    assert (f.loc[f["product"] == "P1", "price"] == 9.5).all() and f.loc[0, "quantity"] == 7
