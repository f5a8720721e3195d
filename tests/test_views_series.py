"""The sales-series view: sums per period, zero-filled gaps, duplicate dates summed, top products,
partial last period, ready time series; checked against sums worked out by hand."""

import pandas as pd
import pytest

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import DataError
from bizops_desktop.core.i18n import text as shown
from bizops_desktop.core.views.series import TOTAL, build_series, series_view


def _orders():
    return pd.DataFrame(
        {
            "date": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-01",
                    "2024-01-03",
                    "2024-01-03",
                    "2024-01-10",
                    "2024-01-31",
                    "2024-03-05",
                    "2024-03-31",
                ]
            ),
            "product": ["A", "B", "A", "A", "B", "A", "B", "A"],
            "qty": [1, 2, 3, 4, 5, 6, 7, 8],
        }
    )


def test_daily_sums_duplicates_and_fills_gaps_with_zero():
    s = build_series(_orders(), "date", "qty", "product", freq="D")
    assert s.freq == "D"
    v = s.values
    assert v.index[0] == pd.Timestamp("2024-01-01") and v.index[-1] == pd.Timestamp("2024-03-31")
    assert len(v) == 91  # 31 + 29 (leap year) + 31 days
    assert v.loc["2024-01-01", TOTAL] == 3 and v.loc["2024-01-03", "A"] == 7
    assert v.loc["2024-01-02", TOTAL] == 0 and v.loc["2024-02-15", "B"] == 0
    assert v[TOTAL].sum() == 36
    assert list(v.columns) == [TOTAL, "A", "B"]  # total first, then by sales


def test_weekly_and_monthly_by_hand():
    w = build_series(_orders(), "date", "qty", "product", freq="W").values
    # Weeks start on Monday: 2024-01-01 is a Monday.
    assert w.loc["2024-01-01", TOTAL] == 1 + 2 + 3 + 4
    assert w.loc["2024-01-08", "B"] == 5
    assert w.loc["2024-01-15", TOTAL] == 0
    m = build_series(_orders(), "date", "qty", "product", freq="M").values
    assert m[TOTAL].tolist() == [21, 0, 15]  # March ends on the 31st: complete, kept
    assert m["A"].tolist() == [14, 0, 8]


def test_partial_last_period_is_dropped_with_a_note():
    df = _orders().iloc[:-1]  # data now ends on 5 March
    s = build_series(df, "date", "qty", "product", freq="M")
    assert s.values[TOTAL].tolist() == [21, 0]
    assert any("dropped" in n and "Mar 5, 2024" in n for n in map(shown, s.notes))


def test_top_products_keeps_total_over_all():
    s = build_series(_orders(), "date", "qty", "product", freq="M", top=1)
    assert s.names == [TOTAL, "A"]
    assert s.values[TOTAL].sum() == 36 and s.values["A"].sum() == 22
    assert any("best-selling" in n for n in map(shown, s.notes))


def test_ready_monthly_series_from_text_dates(data_dir):
    df = pd.read_csv(data_dir / "airpassengers.csv")
    ds = Dataset("air", df, roles={"date": "Date", "target": "Passengers"})
    s = series_view(ds)
    assert s.freq == "M" and s.names == [TOTAL] and len(s.values) == 144
    assert s.values[TOTAL].iloc[0] == 112 and s.values[TOTAL].iloc[-1] == 432


def test_bad_input_gets_plain_errors():
    df = pd.DataFrame({"d": ["x", "y"], "q": [1, 2]})
    with pytest.raises(DataError, match="no row has both a date"):
        build_series(df, "d", "q")
    with pytest.raises(DataError, match="needs a date column"):
        series_view(Dataset("t", df, roles={"quantity": "q"}))
    with pytest.raises(DataError, match="not in the table"):
        build_series(df, "d", "nope")


def test_dates_in_text_are_read_as_the_importer_reads_them(tmp_path):
    # A frame that skipped the importer: day-first dates (format="mixed" read 05.03.2024 as 3 May)
    # and Chinese ones. The view reads them with the importer's parser, so both agree.
    from bizops_desktop.core.importer import read_table

    text = ["05.03.2024", "05.03.2024", "13.03.2024", "2024年3月20日"]
    df = pd.DataFrame({"date": text, "qty": [1, 2, 3, 4]})
    v = build_series(df, "date", "qty", freq="D").values
    assert v.index[0] == pd.Timestamp("2024-03-05") and v.loc["2024-03-05", TOTAL] == 3
    assert v.loc["2024-03-20", TOTAL] == 4 and v[TOTAL].sum() == 10
    path = tmp_path / "d.csv"
    df.iloc[:3].to_csv(path, index=False)
    imported = read_table(path).frame
    assert imported["date"].tolist() == [pd.Timestamp("2024-03-05")] * 2 + [pd.Timestamp("2024-03-13")]


def test_notes_read_in_chinese_with_chinese_dates():
    from bizops_desktop.core.i18n import use_language

    frame = _orders().iloc[:-1]  # ends before March is over
    s = build_series(frame, "date", "qty", "product", freq=None)
    with use_language("zh_CN"):
        notes = [shown(n) for n in s.notes]
    assert notes and all("年" in t or "汇总" in t for t in notes), notes
    assert not any(__import__("re").search(r"[A-Za-z]{3,}", t) for t in notes), notes
