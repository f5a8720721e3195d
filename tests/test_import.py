"""The importer: every format and encoding a shop export comes in, dates in each common form,
decimal commas, title lines, and each kind of bad input with its plain-words message.
Fixtures are written by the tests themselves (tmp_path), so every expected value is known."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core import importer as imp
from bizops_desktop.core.errors import Cancelled, DataError, UsageError
from bizops_desktop.core.i18n import text, use_language
from bizops_desktop.core.importer import (
    ENCODINGS,
    EXCEL_EXTENSIONS,
    TEXT_EXTENSIONS,
    Importer,
    ImportOptions,
    ImportResult,
    arrow_text,
    data_extensions,
    encoding_name,
    file_dialog_filter,
    file_hash,
    importer_for,
    list_sheets,
    load_dataset,
    parse_date_column,
    preview,
    read_table,
    sniff,
)
from bizops_desktop.core.importer import text as text_reader
from bizops_desktop.core.importer.excel import OpenpyxlBook, open_workbook
from bizops_desktop.core.importer.formats import OLE
from bizops_desktop.core.importer.notes import count_duplicates
from bizops_desktop.core.progress import Progress

CN_HEADER = ["订单号", "客户", "商品", "日期", "数量", "单价", "金额"]
CN_ROWS = [
    ["D1001", "张三", "绿茶", "2024-03-05", "2", "12.5", "25.0"],
    ["D1001", "张三", "茶杯", "2024-03-05", "1", "30", "30.0"],
    ["D1002", "李四", "咖啡豆", "2024-03-06", "3", "45.8", "137.4"],
    ["D1003", "王五", "绿茶", "2024-03-07", "-1", "12.5", "-12.5"],
    ["D1004", "赵六", "饼干", "2024-03-08", "4", "6.2", "24.8"],
]


def write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def cn_csv(tmp_path, encoding="gbk", name="orders.csv"):
    text = ",".join(CN_HEADER) + "\n" + "".join(",".join(r) + "\n" for r in CN_ROWS)
    return write(tmp_path / name, text, encoding)


def note_with(result, *words) -> str:
    notes = [text(n) for n in (result.notes if hasattr(result, "notes") else result)]
    hits = [n for n in notes if all(w in n for w in words)]
    assert hits, f"no note with {words} in {notes}"
    return hits[0]


# ---------------------------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, word", [("gbk", "GBK"), ("gb18030", "GBK"), ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8")]
)
def test_chinese_orders_in_each_encoding(tmp_path, encoding, word):
    r = read_table(cn_csv(tmp_path, encoding))
    f = r.frame
    assert list(f.columns) == CN_HEADER  # headers survive exactly (no BOM, no mojibake)
    assert f["客户"].tolist() == ["张三", "张三", "李四", "王五", "赵六"]
    assert f["商品"].tolist() == ["绿茶", "茶杯", "咖啡豆", "绿茶", "饼干"]
    assert f["日期"].tolist() == [
        pd.Timestamp(d) for d in ["2024-03-05", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08"]
    ]
    assert str(f["日期"].dtype) == "datetime64[ns]"
    assert f["数量"].dtype == np.int64 and f["数量"].tolist() == [2, 1, 3, -1, 4]
    assert f["单价"].dtype == np.float64 and f["单价"].tolist() == [12.5, 30.0, 45.8, 12.5, 6.2]
    assert f["金额"].sum() == pytest.approx(25 + 30 + 137.4 - 12.5 + 24.8)
    note_with(r, "Read as", word)
    assert r.options.delimiter == "," and r.options.header_row == 0
    assert r.rows_total == 5 and r.sheets == []


def test_gbk_chinese_roles_are_guessed(tmp_path):
    ds = load_dataset(cn_csv(tmp_path, "gbk"))
    assert ds.roles == {
        "order_id": ["订单号"],
        "customer_id": ["客户"],
        "product_id": ["商品"],
        "date": ["日期"],
        "quantity": ["数量"],
        "price": ["单价"],
        "amount": ["金额"],
    }
    assert ds.import_options["encoding"] == "gb18030"
    # the return on row 4 is kept and named
    note_with(ds.notes, "1 row has a negative quantity", "数量", "kept")
    assert len(ds.frame) == 5


def test_latin1_and_cp1252(tmp_path):
    text = "Kunde;Stadt;Betrag\nMüller;Köln;12,50\nCafé Noël;Genève;7,25\nJosé;Málaga;3,00\n"
    r = read_table(write(tmp_path / "de.csv", text, "cp1252"))
    assert r.frame["Kunde"].tolist() == ["Müller", "Café Noël", "José"]
    assert r.frame["Stadt"].tolist() == ["Köln", "Genève", "Málaga"]
    assert r.frame["Betrag"].tolist() == [12.5, 7.25, 3.0]
    assert r.options.encoding == "cp1252"
    note_with(r, "Windows-1252")
    # the same bytes are not taken for Chinese: Latin-1 letters pair with ASCII, not like GBK
    r2 = read_table(write(tmp_path / "l1.csv", "name,city\nMüller,Zürich\nJürgen,Köln\n", "latin-1"))
    assert r2.frame["name"].tolist() == ["Müller", "Jürgen"]
    assert r2.options.encoding in ("cp1252", "latin-1")


def test_utf16_unicode_text_export(tmp_path):
    # Excel's "Unicode text": UTF-16 with a BOM, tab separated
    text = "商品\t数量\n绿茶\t3\n咖啡\t5\n"
    r = read_table(write(tmp_path / "unicode.txt", text, "utf-16"))
    assert list(r.frame.columns) == ["商品", "数量"]
    assert r.frame["数量"].tolist() == [3, 5]
    assert r.options.delimiter == "\t"


def test_forced_wrong_encoding_says_what_to_do(tmp_path):
    path = cn_csv(tmp_path, "gbk")
    with pytest.raises(DataError) as e:
        read_table(path, ImportOptions(encoding="utf-8"))
    assert "orders.csv" in str(e.value) and "utf-8" in str(e.value) and "gb18030" in str(e.value)


def late_file(tmp_path, name, late: bytes, head: str = ""):
    # detection samples the first MiB and the last 64 KiB; the telling bytes sit in between
    rows = "".join(f"c{i},{i}\n" for i in range(150000))
    data = ("name,n\n" + head + rows).encode("utf-8") + late + "".join(f"d{i},{i}\n" for i in range(30000)).encode()
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_encoding_shown_only_after_the_sample(tmp_path):
    r = read_table(late_file(tmp_path, "late_gbk.csv", "张三,1\n".encode("gbk")))
    assert len(r.frame) == 180001 and r.frame["name"].iloc[150000] == "张三"
    assert r.options.encoding == "gb18030"
    assert text(r.notes[0]).startswith("Read as GBK")
    note_with(r, "later lines show it is GBK")
    r2 = read_table(late_file(tmp_path, "late_latin.csv", "Müller,1\n".encode("latin-1")))
    assert r2.frame["name"].iloc[150000] == "Müller" and r2.options.encoding == "cp1252"


def test_mixed_encodings_are_not_lost_silently(tmp_path):
    # UTF-8 Chinese at the top, a Latin-1 line further down: no single encoding reads both
    r = read_table(late_file(tmp_path, "mixed.csv", "Müller,1\n".encode("latin-1"), head="李四,0\n"))
    assert r.frame["name"].iloc[0] == "李四" and r.frame["name"].iloc[150001] == "M\ufffdller"
    note_with(r, "could not be read", "choose another encoding")


# ---------------------------------------------------------------------------------------------
# Delimiters, header row, decimal comma, numbers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_delimiters(tmp_path, delim):
    rows = [["order", "product", "qty"], ["1", "tea, green", "2"], ["2", "coffee", "3"], ["3", "mug", "1"]]
    text = "\n".join(delim.join(f'"{c}"' if delim in c else c for c in r) for r in rows) + "\n"
    r = read_table(write(tmp_path / "d.csv", text))
    assert r.options.delimiter == delim
    assert list(r.frame.columns) == ["order", "product", "qty"]
    assert r.frame["product"].tolist() == ["tea, green", "coffee", "mug"]
    assert r.frame["qty"].tolist() == [2, 3, 1]


def test_title_lines_above_the_header_are_skipped(tmp_path):
    text = (
        "店铺订单导出\n导出时间: 2024-03-10 08:00\n\n"
        "订单号,日期,金额\nA1,2024-03-01,10.5\nA2,2024-03-02,20\nA3,2024-03-03,30.25\n"
    )
    path = write(tmp_path / "shop.csv", text)
    assert sniff(path).header_row == 3
    r = read_table(path)
    assert list(r.frame.columns) == ["订单号", "日期", "金额"]
    assert r.frame["订单号"].tolist() == ["A1", "A2", "A3"]
    assert r.options.header_row == 3
    note_with(r, "Skipped 3 lines above the column names")
    # a header picked below the sampled rows of a large file still works
    big = write(
        tmp_path / "big.csv",
        "".join(f"note {i}\n" for i in range(400)) + "a;b\n" + "".join(f"{i};x{i}\n" for i in range(50)),
    )
    rb = read_table(big, ImportOptions(header_row=400, delimiter=";"))
    assert list(rb.frame.columns) == ["a", "b"] and rb.frame["a"].tolist() == list(range(50))
    # the user may pick the header line
    r2 = read_table(path, ImportOptions(header_row=4))
    assert list(r2.frame.columns) == ["A1", "2024-03-01", "10.5"]
    assert len(r2.frame) == 2


def test_file_without_a_header_line(tmp_path):
    r = read_table(write(tmp_path / "n.csv", "1,2.5,2024-01-01\n2,3.5,2024-01-02\n3,4.5,2024-01-03\n"))
    assert list(r.frame.columns) == ["column 1", "column 2", "column 3"]
    assert r.frame["column 1"].tolist() == [1, 2, 3] and len(r.frame) == 3
    assert r.options.header_row == -1
    note_with(r, "holds data, not column names")


def test_decimal_comma_european(tmp_path):
    text = "Artikel;Preis;Umsatz;Menge\nKaffee;12,5;1.234,56;3\nTee;3,99;12.000,00;10\nKekse;0,5;999,10;1\n"
    r = read_table(write(tmp_path / "eu.csv", text))
    f = r.frame
    assert r.options.delimiter == ";" and r.options.decimal == "," and r.options.thousands == "."
    assert f["Preis"].tolist() == [12.5, 3.99, 0.5]
    assert f["Umsatz"].tolist() == [1234.56, 12000.0, 999.1]
    assert f["Menge"].tolist() == [3, 10, 1]
    note_with(r, "decimal comma")


def test_decimal_comma_quoted_in_a_comma_file(tmp_path):
    text = 'item,price\n"a","1.234,56"\n"b","7,5"\n"c","0,25"\n'
    r = read_table(write(tmp_path / "q.csv", text))
    assert r.options.delimiter == "," and r.options.decimal == ","
    assert r.frame["price"].tolist() == [1234.56, 7.5, 0.25]


def test_dots_in_dates_are_not_thousands(tmp_path):
    # "." groups thousands in this file, yet 05.03.2024 stays a date, not the number 5032024
    text = "Datum;Betrag\n05.03.2024;1.234,56\n06.03.2024;2.000,00\n07.03.2024;5,00\n"
    r = read_table(write(tmp_path / "d.csv", text))
    assert r.frame["Datum"].tolist() == [pd.Timestamp(2024, 3, 5), pd.Timestamp(2024, 3, 6), pd.Timestamp(2024, 3, 7)]
    assert r.frame["Betrag"].tolist() == [1234.56, 2000.0, 5.0]


def test_currency_and_thousands_in_text_numbers(tmp_path):
    text = (
        "product,price,revenue\n"
        'tea,¥12.50,"¥1,234.50"\ncoffee,$3.00,"$12,000.00"\nmug,€7.25,€99.00\ncup,(2.00),"1,000"\n'
    )
    r = read_table(write(tmp_path / "c.csv", text))
    assert r.frame["price"].dtype == np.float64
    assert r.frame["price"].tolist() == [12.5, 3.0, 7.25, -2.0]
    assert r.frame["revenue"].tolist() == [1234.5, 12000.0, 99.0, 1000.0]


def test_percentages_and_time_zones(tmp_path):
    text = (
        "product,discount,created_at\n"
        "A,10%,2024-03-05T10:00:00Z\nB,12.5%,2024-03-06T11:00:00+08:00\nC,0%,2024-03-07T00:30:00+01:00\n"
    )
    r = read_table(write(tmp_path / "p.csv", text))
    assert r.frame["discount"].tolist() == [0.10, 0.125, 0.0]
    note_with(r, "percentages in column discount")
    # several UTC offsets in one column: all read as UTC
    assert r.frame["created_at"].tolist() == [
        pd.Timestamp(2024, 3, 5, 10),
        pd.Timestamp(2024, 3, 6, 3),
        pd.Timestamp(2024, 3, 6, 23, 30),
    ]


def test_space_separated_columns(tmp_path):
    r = read_table(write(tmp_path / "sp.txt", "a b c\n1 2 3\n4 5 6\n"))
    assert r.options.delimiter == " " and r.frame["c"].tolist() == [3, 6]


def test_mixed_types_in_a_numeric_column(tmp_path):
    lines = ["sku,quantity"] + [f"S{i},{i % 7 + 1}" for i in range(40)]
    lines[6] = "S5,n.a."  # file line 7
    lines[21] = "S20,two"  # file line 22
    r = read_table(write(tmp_path / "m.csv", "\n".join(lines) + "\n"))
    q = r.frame["quantity"]
    assert q.dtype == np.float64
    assert q.isna().sum() == 2 and np.isnan(q.iloc[5]) and np.isnan(q.iloc[20])
    assert q.iloc[0] == 1 and q.iloc[39] == 39 % 7 + 1
    n = note_with(r, "2 values in column quantity are not numbers")
    assert "lines 7, 22" in n and "'n.a.'" in n and "'two'" in n and "left empty" in n


def test_ids_stay_text(tmp_path):
    # leading zeros are kept; an id column of numbers with a few codes is not made numeric
    lines = ["customer_id,product_code,n"] + [f"{i:05d},{1000 + i},{i}" for i in range(30)] + ["00099,X-17,1"]
    r = read_table(write(tmp_path / "ids.csv", "\n".join(lines) + "\n"))
    assert r.frame["customer_id"].iloc[0] == "00000" and r.frame["customer_id"].iloc[30] == "00099"
    assert r.frame["product_code"].iloc[30] == "X-17" and r.frame["product_code"].iloc[0] == "1000"


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, expected",
    [
        (["2024-03-05", "2024-12-31", "2023-01-09"], ["2024-03-05", "2024-12-31", "2023-01-09"]),
        (
            ["2024-03-05 14:30:00", "2024-12-31 08:05:09", "2023-01-09 00:00:01"],
            ["2024-03-05 14:30:00", "2024-12-31 08:05:09", "2023-01-09 00:00:01"],
        ),
        (["2024/3/5", "2024/12/31", "2023/1/9"], ["2024-03-05", "2024-12-31", "2023-01-09"]),
        (
            ["2024/3/5 9:05", "2024/12/31 18:00", "2023/1/9 0:00"],
            ["2024-03-05 09:05", "2024-12-31 18:00", "2023-01-09"],
        ),
        (["05.03.2024", "31.12.2024", "09.01.2023"], ["2024-03-05", "2024-12-31", "2023-01-09"]),
        (["2024年3月5日", "2024年12月31日", "2023年1月9日"], ["2024-03-05", "2024-12-31", "2023-01-09"]),
        (["13/03/2024", "31/12/2024", "09/01/2023"], ["2024-03-13", "2024-12-31", "2023-01-09"]),  # day first
        (["03/13/2024", "12/31/2024", "01/09/2023"], ["2024-03-13", "2024-12-31", "2023-01-09"]),  # month first
        (["5-Mar-2024", "31-Dec-2024", "9-Jan-2023"], ["2024-03-05", "2024-12-31", "2023-01-09"]),
        (["Mar 5, 2024", "Dec 31, 2024", "Jan 9, 2023"], ["2024-03-05", "2024-12-31", "2023-01-09"]),
        (["2024-03", "2024-12", "2023-01"], ["2024-03-01", "2024-12-01", "2023-01-01"]),  # months
        (["2024年3月", "2024年12月", "2023年1月"], ["2024-03-01", "2024-12-01", "2023-01-01"]),
    ],
)
def test_date_forms_in_text(tmp_path, values, expected):
    text = "order,when,qty\n" + "".join(f'o{i},"{v}",1\n' for i, v in enumerate(values))
    r = read_table(write(tmp_path / "d.csv", text))
    assert r.frame["when"].tolist() == [pd.Timestamp(e) for e in expected]


def test_monthly_series_from_a_real_file(data_dir):
    # Box & Jenkins airline passengers: "1949-01" is a month
    r = read_table(data_dir / "airpassengers.csv")
    assert r.frame["Date"].iloc[0] == pd.Timestamp(1949, 1, 1) and r.frame["Date"].iloc[-1] == pd.Timestamp(1960, 12, 1)
    assert r.frame["Passengers"].iloc[0] == 112 and len(r.frame) == 144


def test_8_digit_dates_by_header_and_by_values(tmp_path):
    text = (
        "date,order_no,day_key,n\n20240305,20240305,20240101,45000\n20241231,20240306,20240102,45001\n"
        "20230109,20240307,20240103,45002\n"
    )
    r = read_table(write(tmp_path / "d.csv", text))
    f = r.frame
    assert f["date"].tolist() == [pd.Timestamp(2024, 3, 5), pd.Timestamp(2024, 12, 31), pd.Timestamp(2023, 1, 9)]
    # values that are all real calendar days become dates even without a date word ...
    assert str(f["day_key"].dtype) == "datetime64[ns]"
    # ... but not in an id column, and a count in the Excel-serial range stays a number
    assert f["order_no"].tolist() == [20240305, 20240306, 20240307]
    assert f["n"].tolist() == [45000, 45001, 45002] and f["n"].dtype == np.int64


def test_excel_serial_dates_in_csv(tmp_path):
    text = "order date,amount,visits,time on site\n45356,10,45356,45356\n45357.5,20,45357,45357\n45658,30,45658,45658\n"
    r = read_table(write(tmp_path / "s.csv", text))
    assert r.frame["time on site"].tolist() == [45356, 45357, 45658]  # seconds, not days
    assert r.frame["order date"].tolist() == [
        pd.Timestamp(2024, 3, 5),
        pd.Timestamp(2024, 3, 6, 12),
        pd.Timestamp(2025, 1, 1),
    ]
    assert r.frame["visits"].tolist() == [45356, 45357, 45658]
    note_with(r, "Excel day numbers")


def test_unparseable_dates_are_counted_with_rows(tmp_path):
    vals = ["2024-03-05"] * 20
    vals[3] = "soon"
    vals[10] = "2024-13-45"
    vals[15] = "unknown"
    text = "日期,n\n" + "".join(f"{v},{i}\n" for i, v in enumerate(vals))
    r = read_table(write(tmp_path / "d.csv", text))
    d = r.frame["日期"]
    assert str(d.dtype) == "datetime64[ns]" and d.isna().sum() == 3
    assert d.notna().sum() == 17
    n = note_with(r, "3 dates could not be read in column 日期")
    assert "lines 5, 12, 17" in n and "left empty" in n


def test_parse_dates_off_and_text_not_dates(tmp_path):
    path = write(tmp_path / "d.csv", "date,code\n2024-03-05,1.2.3\n2024-03-06,4.5.6\n")
    r = read_table(path, ImportOptions(parse_dates=False))
    assert r.frame["date"].tolist() == ["2024-03-05", "2024-03-06"]
    assert read_table(path).frame["code"].tolist() == ["1.2.3", "4.5.6"]


def test_parse_date_column_directly():
    s = pd.Series(["2024-03-05", "2024/3/6", "07.03.2024", None, "bad", "20240308"])
    parsed, bad = parse_date_column(s)
    assert parsed.tolist()[:3] == [pd.Timestamp(2024, 3, 5), pd.Timestamp(2024, 3, 6), pd.Timestamp(2024, 3, 7)]
    assert pd.isna(parsed.iloc[3]) and pd.isna(parsed.iloc[4]) and parsed.iloc[5] == pd.Timestamp(2024, 3, 8)
    assert bad == 1  # None is missing, not unparseable
    p2, b2 = parse_date_column(pd.Series([45356, 45357, np.nan]))
    assert p2.tolist()[:2] == [pd.Timestamp(2024, 3, 5), pd.Timestamp(2024, 3, 6)] and b2 == 0
    p3, b3 = parse_date_column(pd.Series([20240305, 20240230]))  # 30 February does not exist
    assert p3.iloc[0] == pd.Timestamp(2024, 3, 5) and pd.isna(p3.iloc[1]) and b3 == 1
    p4, b4 = parse_date_column(pd.Series([2023, 2024]))
    assert p4.tolist() == [pd.Timestamp(2023, 1, 1), pd.Timestamp(2024, 1, 1)] and b4 == 0
    already = pd.Series(pd.to_datetime(["2024-03-05 10:00+08:00", "2024-03-06 11:00+08:00"]))
    p5, b5 = parse_date_column(already)
    assert p5.tolist() == [pd.Timestamp(2024, 3, 5, 10), pd.Timestamp(2024, 3, 6, 11)] and b5 == 0


# ---------------------------------------------------------------------------------------------
# Notes on the data: returns and duplicates (kept)
# ---------------------------------------------------------------------------------------------


def test_negative_quantities_and_duplicates_are_noted_and_kept(tmp_path):
    rows = [f"O{i},P{i % 3},{(-1 if i in (2, 5) else 1) * (i % 4 + 1)}" for i in range(12)]
    rows += rows[:3]  # three exact duplicates
    r = read_table(write(tmp_path / "o.csv", "order_id,product_id,quantity\n" + "\n".join(rows) + "\n"))
    assert len(r.frame) == 15
    # rows O2 and O5 are returns, and O2 appears twice
    note_with(r, "3 rows have a negative quantity in column quantity", "returns")
    note_with(r, "3 rows are exact duplicates", "kept")


def test_duplicate_count_matches_pandas():
    # the early-stopping row key must count exactly what pandas' duplicated() counts
    rng = np.random.default_rng(3)
    for trial in range(5):
        n = 2000
        f = pd.DataFrame(
            {
                "order": rng.integers(0, 300, n).astype(str),
                "product": rng.choice(["tea", "茶", "coffee", None], n),
                "qty": rng.integers(-1, 3, n),
                "price": np.where(rng.random(n) < 0.1, np.nan, rng.choice([1.5, 2.0, 9.99], n)),
                "when": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 5, n), unit="D"),
            }
        )
        f = pd.concat([f, f.sample(50 * trial, random_state=trial)], ignore_index=True)
        assert count_duplicates(f) == int(f.duplicated().sum())
    unique = pd.DataFrame({"id": np.arange(1000), "x": 1})
    assert count_duplicates(unique) == 0


# ---------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------


def two_sheet_workbook(path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    ws.append(["Shop export"])
    ws.append([])
    ws.append(["订单号", "日期", "数量", "单价", "serial date"])
    ws.append(["A1", dt.datetime(2024, 3, 5), 2, 3.5, 45356])
    ws.append(["A2", dt.datetime(2024, 3, 6, 12, 30), 1, 4.0, 45357])
    ws.append(["A3", dt.date(2024, 3, 7), 5, 4.5, 45358])
    ws2 = wb.create_sheet("Customers")
    ws2.append(["customer", "churned", "spend"])
    for i in range(6):
        ws2.append([f"c{i}", "Yes" if i % 2 else "No", 10.0 * i])
    wb.save(path)
    return path


def test_xlsx_two_sheets(tmp_path):
    path = two_sheet_workbook(tmp_path / "shop.xlsx")
    assert list_sheets(path) == ["订单", "Customers"]
    r = read_table(path)
    assert r.sheets == ["订单", "Customers"] and r.options.sheet == "订单"
    assert r.options.header_row == 2
    f = r.frame
    assert list(f.columns) == ["订单号", "日期", "数量", "单价", "serial date"]
    assert f["日期"].tolist() == [pd.Timestamp(2024, 3, 5), pd.Timestamp(2024, 3, 6, 12, 30), pd.Timestamp(2024, 3, 7)]
    assert f["数量"].dtype == np.int64 and f["数量"].tolist() == [2, 1, 5]
    assert f["单价"].tolist() == [3.5, 4.0, 4.5]
    assert f["serial date"].tolist() == [pd.Timestamp(2024, 3, 5), pd.Timestamp(2024, 3, 6), pd.Timestamp(2024, 3, 7)]
    # the user picks the other sheet, by name or by index
    for sheet in ("Customers", 1):
        r2 = read_table(path, ImportOptions(sheet=sheet))
        assert r2.options.sheet == "Customers"
        assert list(r2.frame.columns) == ["customer", "churned", "spend"]
        assert r2.frame["spend"].tolist() == [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
    ds = load_dataset(path, {"sheet": "Customers"})
    assert ds.sheet == "Customers" and ds.roles["label"] == ["churned"]
    with pytest.raises(UsageError) as e:
        read_table(path, ImportOptions(sheet="Sheet9"))
    assert "Customers" in str(e.value) and "shop.xlsx" in str(e.value)


def test_xlsx_mixed_column_and_bad_dates(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["product", "quantity", "date"])
    for i in range(20):
        ws.append([f"p{i}", "lots" if i == 4 else i + 1, "?" if i == 7 else dt.date(2024, 1, i + 1)])
    wb.save(tmp_path / "m.xlsx")
    r = read_table(tmp_path / "m.xlsx")
    assert np.isnan(r.frame["quantity"].iloc[4]) and r.frame["quantity"].iloc[5] == 6
    assert "row 6" in note_with(r, "1 value in column quantity is not a number") and "'lots'" in note_with(r, "lots")
    assert pd.isna(r.frame["date"].iloc[7]) and r.frame["date"].iloc[8] == pd.Timestamp(2024, 1, 9)
    assert "row 9" in note_with(r, "1 date could not be read in column date")


def test_openpyxl_reads_what_calamine_refuses(tmp_path, monkeypatch):
    import python_calamine

    path = two_sheet_workbook(tmp_path / "shop.xlsx")
    expected = read_table(path, {"sheet": "Customers"}).frame

    def refuse(*_a, **_k):
        raise python_calamine.CalamineError("simulated: calamine cannot read this file")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", refuse)
    book = open_workbook(path)
    assert isinstance(book, OpenpyxlBook)
    book.close()
    assert list_sheets(path) == ["订单", "Customers"]
    pd.testing.assert_frame_equal(read_table(path, {"sheet": "Customers"}).frame, expected)
    first = read_table(path).frame
    assert first["日期"].tolist()[1] == pd.Timestamp(2024, 3, 6, 12, 30) and first["数量"].tolist() == [2, 1, 5]


def test_legacy_xls_matches_xlrd(data_dir):
    # a real Excel 97-2003 file (see tests/data/import/README.md), checked cell by cell
    # against xlrd, the reference reader for .xls
    import xlrd

    path = data_dir / "import" / "nowcast_spec.xls"
    sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
    ref = pd.DataFrame([sheet.row_values(i) for i in range(1, sheet.nrows)], columns=sheet.row_values(0))
    assert list_sheets(path) == ["spec"]
    r = read_table(path)
    assert list(r.frame.columns) == list(ref.columns)
    assert r.frame.shape == ref.shape == (5, 8)
    for c in ref.columns:
        if r.frame[c].dtype.kind in "if":
            assert r.frame[c].tolist() == ref[c].astype(float).tolist()
        else:
            assert r.frame[c].tolist() == ref[c].tolist()
    assert r.frame["Model"].dtype == np.int64


def test_workbook_named_csv_is_read_as_excel(tmp_path):
    path = two_sheet_workbook(tmp_path / "looks_like.csv")
    assert importer_for(path).id == "excel"
    r = read_table(path)
    assert r.frame["订单号"].tolist() == ["A1", "A2", "A3"]
    note_with(r, "holds an Excel workbook")


# ---------------------------------------------------------------------------------------------
# Bad input: a DataError that says what, where and what to do
# ---------------------------------------------------------------------------------------------


def raises_data_error(path, *words, options=None):
    with pytest.raises(DataError) as e:
        read_table(path, options)
    msg = str(e.value)
    assert e.value.where and path.name in msg, msg
    assert e.value.hint, msg  # what to do
    for w in words:
        assert w in msg, msg
    return msg


def test_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    raises_data_error(tmp_path / "empty.csv", "empty", "0 bytes")
    (tmp_path / "blank.csv").write_text("\n\n  \n")
    raises_data_error(tmp_path / "blank.csv", "no data")


def test_header_only_file(tmp_path):
    write(tmp_path / "h.csv", "order_id,date,amount\n")
    raises_data_error(tmp_path / "h.csv", "no data rows")
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["a", "b"])
    wb.save(tmp_path / "h.xlsx")
    raises_data_error(tmp_path / "h.xlsx", "no data rows")


def test_binary_files_named_csv(tmp_path):
    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    raises_data_error(png, "PNG image", "not a text table")
    noise = tmp_path / "noise.csv"
    noise.write_bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    raises_data_error(noise, "binary")


def test_password_protected_xlsx(tmp_path):
    # An encrypted .xlsx is an OLE container with an "EncryptedPackage" stream (MS-OFFCRYPTO);
    # this fake holds the signature and the stream name, which is what the importer checks.
    fake = tmp_path / "secret.xlsx"
    fake.write_bytes(OLE + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512)
    raises_data_error(fake, "password")
    with pytest.raises(DataError):
        list_sheets(fake)


def test_corrupt_xlsx(tmp_path):
    good = two_sheet_workbook(tmp_path / "good.xlsx").read_bytes()
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(good[: len(good) // 2])
    raises_data_error(bad, "damaged or incomplete")
    junk = tmp_path / "junk.xlsx"
    junk.write_text("this is not a workbook")
    raises_data_error(junk, "cannot be opened")


def test_wrong_delimiter_forced_gives_a_hint(tmp_path):
    path = cn_csv(tmp_path, "utf-8")
    r = read_table(path, ImportOptions(delimiter=";"))
    assert r.frame.shape[1] == 1
    n = note_with(r, "Only one column", "semicolon", "comma")
    assert "choose that delimiter" in n


def test_very_uneven_rows_are_read_as_a_list(tmp_path):
    # a basket file: one basket per line, items separated by commas, no header
    lines = ["a,b,c"] + [",".join(f"x{j}" for j in range(1 + (i * 7) % 9)) for i in range(40)]
    r = read_table(write(tmp_path / "uneven.csv", "\n".join(lines) + "\n"))
    assert r.frame.shape == (41, 9) and list(r.frame.columns[:2]) == ["column_1", "column_2"]
    assert r.frame.iloc[0].tolist()[:4] == ["a", "b", "c", None]
    assert r.frame.iloc[1].dropna().tolist() == ["x0"] and r.frame.iloc[2].dropna().tolist() == [
        f"x{j}" for j in range(8)
    ]
    assert r.options.header_row == -1
    note_with(r, "different numbers of cells", "from 1 to 9", "one row per line")


def test_rows_without_their_empty_trailing_cells_are_fine(tmp_path):
    # some exports stop a line at its last filled cell
    lines = ["order,product,qty,note,gift"] + [f"O{i},P{i},{i}" + (",late" if i % 3 == 0 else "") for i in range(30)]
    r = read_table(write(tmp_path / "short.csv", "\n".join(lines) + "\n"))
    assert r.frame.shape == (30, 5) and r.frame["note"].notna().sum() == 10 and r.frame["gift"].isna().all()


def test_header_line_chosen_too_high(tmp_path):
    path = write(tmp_path / "t.csv", "Report\na,b,c\n1,2,3\n4,5,6\n7,8,9\n1,1,1\n2,2,2\n")
    msg = raises_data_error(path, "line 1", "fewer columns", options=ImportOptions(header_row=0))
    assert "Pick the line that holds the column names" in msg


def test_a_few_long_rows_are_skipped_and_named(tmp_path):
    lines = ["a,b,c"] + [f"{i},{i},{i}" for i in range(300)]
    lines[50] = "1,2,3,4"
    r = read_table(write(tmp_path / "few.csv", "\n".join(lines) + "\n"))
    assert len(r.frame) == 299
    note_with(r, "Skipped 1 line with more columns than the header", "line 51")


def test_file_not_found_and_unsupported_type(tmp_path):
    with pytest.raises(DataError) as e:
        read_table(tmp_path / "nope.csv")
    assert "does not exist" in str(e.value) and "nope.csv" in str(e.value)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)))
    raises_data_error(pdf, "PDF document", "cannot be read")
    odd = tmp_path / "data.parquet"
    odd.write_bytes(b"PAR1\x00\x00\x15\x04" + bytes(range(200)))
    raises_data_error(odd, "'.parquet' files cannot be read")


def test_text_under_an_unknown_extension_is_read(tmp_path):
    path = write(tmp_path / "export.dat", "a;b\n1;2\n3;4\n")
    assert importer_for(path).id == "csv"
    assert read_table(path).frame["b"].tolist() == [2, 4]
    # shop systems often save tab-separated text under an .xls name
    xls = write(tmp_path / "taobao.xls", "订单号\t金额\nT1\t12.5\nT2\t7\n", "gbk")
    r = read_table(xls)
    assert r.frame["金额"].tolist() == [12.5, 7.0] and r.options.encoding == "gb18030"
    note_with(r, "holds plain text")
    html = write(tmp_path / "report.xls", "<html><body><table><tr><td>1</td></tr></table></body></html>")
    raises_data_error(html, "web page")


def test_bad_options_are_usage_errors(tmp_path):
    with pytest.raises(UsageError):
        ImportOptions(delimiter=";;").validate()
    with pytest.raises(UsageError):
        ImportOptions.from_dict({"encoding": "no-such-codec"})
    with pytest.raises(UsageError):
        ImportOptions.from_dict({"header_row": "2"})
    with pytest.raises(UsageError):
        ImportOptions.from_dict(["not", "a", "mapping"])
    assert ImportOptions.from_dict({"delimiter": "tab", "future_key": 1}).delimiter == "\t"


# ---------------------------------------------------------------------------------------------
# API: options round trip, preview, sniff, hash, registry, progress and cancel
# ---------------------------------------------------------------------------------------------


def test_options_round_trip_through_json(tmp_path):
    r = read_table(cn_csv(tmp_path, "gbk"))
    d = json.loads(json.dumps(r.options.to_dict()))
    assert ImportOptions.from_dict(d) == r.options
    # reading again with the resolved options gives the same table
    pd.testing.assert_frame_equal(read_table(tmp_path / "orders.csv", d).frame, r.frame)


def test_preview_and_sniff(tmp_path):
    lines = ["order_id,date,amount"] + [f"O{i},2024-01-{i % 28 + 1:02d},{i}.5" for i in range(1000)]
    path = write(tmp_path / "big.csv", "\n".join(lines) + "\n")
    p = preview(path, nrows=50)
    assert len(p.frame) == 50 and p.rows_total == 1000
    assert str(p.frame["date"].dtype) == "datetime64[ns]"
    s = sniff(path)
    assert (s.encoding, s.delimiter, s.header_row, s.decimal) == ("utf-8", ",", 0, ".")
    assert sniff(path, {"delimiter": ";"}).delimiter == ";"  # given options are kept


def test_file_hash_and_load_dataset(tmp_path):
    path = cn_csv(tmp_path, "gbk")
    assert file_hash(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    ds = load_dataset(path, name="订单")
    assert ds.name == "订单" and ds.source == str(path.resolve())
    assert ds.source_hash == file_hash(path) and ds.sheet is None
    assert ds.import_options["delimiter"] == "," and ds.notes and text(ds.notes[0]).startswith("Read as")


def test_plugin_importer_and_registry(tmp_path):
    def read_json(path, options, progress, nrows):
        frame = pd.DataFrame(json.loads(path.read_text()))
        return ImportResult(frame=frame.head(nrows) if nrows else frame, options=options, notes=["from JSON"])

    extra = Importer("json", "JSON records", ("json",), read_json)
    path = tmp_path / "orders.json"
    path.write_text(json.dumps([{"order_id": "a", "quantity": 2}, {"order_id": "b", "quantity": -1}]))
    assert importer_for(path, [extra]) is extra
    r = read_table(path, importers=[extra])
    assert r.frame["quantity"].tolist() == [2, -1]
    assert "from JSON" in [text(n) for n in r.notes]
    note_with(r, "negative quantity")
    assert [i.id for i in imp.builtin_importers()] == ["csv", "excel"]
    # a built-in keeps its extension: a plugin cannot take .csv over
    other = Importer("csv2", "Other CSV", (".csv",), read_json)
    assert importer_for(cn_csv(tmp_path), [other]).id == "csv"


def test_open_dialog_filter_and_extensions_come_from_the_registry():
    assert data_extensions() == TEXT_EXTENSIONS + EXCEL_EXTENSIONS
    assert file_dialog_filter() == (
        "Data files (*.csv *.tsv *.txt *.tab *.xlsx *.xlsm *.xls *.xlsb *.ods);;All files (*)"
    )
    # plugin importers (Registry.importers) add theirs, once each, however they spell them
    extra = [
        Importer("json", "JSON records", ("json", ".JSONL"), lambda *a: None),
        Importer("csv2", "Other CSV", (".csv",), lambda *a: None),
    ]
    assert data_extensions(extra) == TEXT_EXTENSIONS + EXCEL_EXTENSIONS + (".json", ".jsonl")
    assert file_dialog_filter(extra).endswith("*.ods *.json *.jsonl);;All files (*)")


def test_encoding_names_whatever_the_spelling():
    assert encoding_name("gb18030") == "GBK/GB18030 (Chinese)"
    assert encoding_name("EUC-KR") == encoding_name("euc_kr") == encoding_name("cp949") == "EUC-KR (Korean)"
    assert encoding_name("latin_1") == encoding_name("latin-1") == "Latin-1 (ISO-8859-1)"
    assert encoding_name("mac_roman") == "mac_roman"  # no name of its own: the codec's
    # every encoding offered in the import options is one Python reads
    for codec, _name in ENCODINGS:
        codecs.lookup(codec)


def test_progress_by_bytes_and_cancel(tmp_path, monkeypatch):
    monkeypatch.setattr(text_reader, "CHUNK_ROWS", 5000)
    monkeypatch.setattr(arrow_text, "BLOCK_BYTES", 64 << 10)
    # 1.6 MB: read 64 KiB at a time, so the byte position moves several times
    lines = ["order_id,date,quantity"] + [f"O{i},2024-02-{i % 28 + 1:02d},{i % 5}" for i in range(60000)]
    path = write(tmp_path / "p.csv", "\n".join(lines) + "\n")
    seen: list[tuple[float, str]] = []
    progress = Progress(lambda f, t: seen.append((f, t)), _min_interval=0.0)
    r = read_table(path, progress=progress)
    assert len(r.frame) == 60000
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    reading = [f for f, t in seen if t == "Reading rows..."]
    assert len(reading) >= 12 and len(set(reading)) >= 5 and 0 < reading[1] < reading[-1] <= 0.9

    # already cancelled: stops before reading
    p2 = Progress()
    p2.cancel()
    with pytest.raises(Cancelled):
        read_table(path, progress=p2)

    # cancelled while reading: stops at the next chunk
    calls = []

    def cb(f, t):
        calls.append(f)
        if len(calls) == 3:
            p3.cancel()

    p3 = Progress(cb, _min_interval=0.0)
    with pytest.raises(Cancelled):
        read_table(path, progress=p3)
    assert len(calls) < 8


def test_importing_the_module_does_not_load_pandas():
    # plugins import it to describe an Importer while the command line starts
    import subprocess
    import sys

    code = "import sys, bizops_desktop.core.importer; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------
# Excel's ways of keeping numbers as text; the notes in the reader's language
# ---------------------------------------------------------------------------------------------

CJK = __import__("re").compile(r"[\u4e00-\u9fff]")


def test_taobao_text_formula_wrapper_is_taken_off_order_numbers(tmp_path):
    lines = ['"订单编号","买家会员名","订单创建时间","实付金额"']
    for i in range(40):
        lines.append(f'="20022813895253385{i:02d}","buyer{i % 7}","2023-01-{1 + i % 28:02d} 07:16:26","12.50"')
    lines.append('="0012345678901234567","x","=""2023-02-01""","3.00"')
    r = read_table(write(tmp_path / "taobao.csv", "\n".join(lines) + "\n", "gbk"))
    ids = r.frame["订单编号"]
    assert ids.dtype == object and ids.str.fullmatch(r"\d{19}").all()
    assert ids.iloc[0] == "2002281389525338500" and ids.iloc[-1] == "0012345678901234567"  # zeros kept
    assert str(r.frame["订单创建时间"].dtype) == "datetime64[ns]" and r.frame["实付金额"].dtype == float
    note_with(r, "41 values in column 订单编号", 'Excel\'s ="…" text wrapper')


def test_wrapped_values_stay_text_and_wrapped_dates_are_still_dates(tmp_path):
    lines = ["code,day,qty"] + [f'="{i:03d}",="2024-03-{1 + i % 28:02d}",{i}' for i in range(30)]
    r = read_table(write(tmp_path / "w.csv", "\n".join(lines) + "\n"))
    assert r.frame["code"].tolist()[:3] == ["000", "001", "002"]  # text, never numbers
    assert str(r.frame["day"].dtype) == "datetime64[ns]"
    assert r.frame["qty"].dtype.kind == "i"


def test_leading_apostrophe_of_id_like_text_is_removed(tmp_path):
    lines = ["SKU,barcode,name,qty"] + [f"'0{i:03d},'69{i:011d},'Ninety {i},{i}" for i in range(20)]
    r = read_table(write(tmp_path / "a.csv", "\n".join(lines) + "\n"))
    assert r.frame["SKU"].iloc[1] == "0001" and r.frame["barcode"].iloc[0] == "6900000000000"
    assert r.frame["name"].iloc[0] == "'Ninety 0"  # words keep what they were written with
    note_with(r, "apostrophe", "20 values in column SKU")


def test_import_notes_and_errors_read_in_chinese(tmp_path):
    from bizops_desktop.core import demo

    ds = load_dataset(demo.demo_dir(demo.ZH) / "orders.csv")  # read in English (the tests' language)
    assert text(ds.notes[0]).startswith("Read as GBK/GB18030 (Chinese) text (detected), columns separated by comma")
    with use_language("zh_CN"):
        shown = [text(n) for n in ds.notes]
        assert shown[0] == "已按GBK/GB18030（简体中文）编码读取（自动识别），用逗号分列，列名在第 1 行"
        assert all(CJK.search(t) for t in shown), shown
        assert not any(__import__("re").search(r"\b(Read|column|line|values?|text)\b", t) for t in shown), shown
        with pytest.raises(DataError) as e:
            read_table(tmp_path / "nothere.csv")
        assert "文件不存在" in str(e.value) and str(e.value).endswith("。")
        bad = write(tmp_path / "neg.csv", "order,product,quantity\n1,a,-2\n2,b,3\n2,b,3\n")
        shown = [text(n) for n in read_table(bad).notes]
        assert any("退货" in t for t in shown) and any("完全相同" in t for t in shown), shown


def test_notes_saved_in_a_project_read_in_the_language_of_whoever_opens_it(tmp_path):
    from bizops_desktop.core.project import Project, load_project, save_project

    p = write(tmp_path / "o.csv", "order,product,quantity\n1,a,-2\n2,b,3\n2,b,3\n")
    ds = load_dataset(p)
    english = [text(n) for n in ds.notes]
    save_project(Project(datasets={"o": ds}), tmp_path / "p.bizops")
    back = load_project(tmp_path / "p.bizops").datasets["o"]
    assert [text(n, "en") for n in back.notes] == english
    chinese = [text(n, "zh_CN") for n in back.notes]
    assert all(CJK.search(t) for t in chinese) and chinese != english
