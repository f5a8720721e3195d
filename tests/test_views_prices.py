"""The price/quantity panel view, on order lines whose weekly numbers are worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.i18n import text as shown
from bizops_desktop.core.views.prices import flag_values, price_panel


def _orders():
    # 2024-01-01 is a Monday. Week 1 of A: 2 at 10 and 3 at 5 (on promotion) -> 5 units,
    # revenue 35, price 7.0, promo share 3/5. Week 2 of A: one return of 1 at 10 and 4 at 10
    # -> 3 units, revenue 30, price 10. B sells 1 at 20 in week 1; one B line has no price.
    return pd.DataFrame(
        {
            "sku": ["A", "A", "A", "A", "B", "B", None],
            "day": ["2024-01-01", "2024-01-07", "2024-01-08", "2024-01-10", "2024-01-03", "2024-01-04", "2024-01-02"],
            "qty": [2, 3, -1, 4, 1, 2, 1],
            "unit": [10.0, 5.0, 10.0, 10.0, 20.0, np.nan, 3.0],
            "promo": ["no", "yes", "no", "no", "no", "no", "no"],
            "ad": [1.0, 3.0, 0.0, 0.0, 2.0, 2.0, 0.0],
        }
    )


def test_weekly_panel_known_answer():
    pp = price_panel(
        _orders(), product="sku", date="day", quantity="qty", price="unit", promotion="promo", extra=["ad"], freq="W"
    )
    f = pp.frame
    assert pp.freq == "W"
    assert list(f.columns) == ["product", "period", "price", "units", "revenue", "lines", "promo_share", "ad"]
    a1 = f[(f["product"] == "A") & (f["period"] == pd.Timestamp("2024-01-01"))].iloc[0]
    assert (a1["units"], a1["revenue"], a1["price"], a1["lines"]) == (5, 35.0, 7.0, 2)
    assert a1["promo_share"] == pytest.approx(0.6)
    assert a1["ad"] == pytest.approx((2 * 1.0 + 3 * 3.0) / 5)  # unit-weighted mean
    a2 = f[(f["product"] == "A") & (f["period"] == pd.Timestamp("2024-01-08"))].iloc[0]
    assert (a2["units"], a2["revenue"], a2["price"], a2["lines"]) == (3, 30.0, 10.0, 2)
    b1 = f[f["product"] == "B"].iloc[0]
    assert (b1["units"], b1["price"], b1["lines"]) == (1, 20.0, 1)
    assert len(f) == 3
    assert any("2 of 7 order lines dropped" in n for n in map(shown, pp.notes))


def test_price_from_amount_and_monthly():
    o = _orders().dropna(subset=["unit"])
    o = o.assign(total=o["qty"] * o["unit"]).drop(columns=["unit"])
    pp = price_panel(o, product="sku", date="day", quantity="qty", amount="total", freq="M")
    f = pp.frame
    a = f[f["product"] == "A"].iloc[0]
    assert a["period"] == pd.Timestamp("2024-01-01")
    assert (a["units"], a["revenue"], a["lines"]) == (8, 65.0, 4)
    assert a["price"] == pytest.approx(65 / 8)
    assert "promo_share" not in f.columns
    assert any("line total / quantity" in n for n in map(shown, pp.notes))


def test_freq_is_guessed_when_not_given():
    o = pd.DataFrame({"p": ["A"] * 30, "d": pd.date_range("2024-01-01", periods=30, freq="D"), "q": 1, "u": 2.0})
    assert price_panel(o, product="p", date="d", quantity="q", price="u").freq == "D"


def test_flag_values():
    assert flag_values(pd.Series(["Yes", "no", None, "1", "TRUE"])).tolist() == [1.0, 0.0, 0.0, 1.0, 1.0]
    assert flag_values(pd.Series([0, 15, 0])).tolist() == [0.0, 1.0, 0.0]  # a discount amount
    with pytest.raises(DataError, match="yes/no"):
        flag_values(pd.Series(["red", "blue"]), "colour")


def test_bad_input():
    o = _orders()
    with pytest.raises(UsageError, match="unit price or a line total"):
        price_panel(o, product="sku", date="day", quantity="qty")
    with pytest.raises(DataError, match="'nope' is not in the table"):
        price_panel(o, product="sku", date="day", quantity="qty", price="nope")
    with pytest.raises(DataError, match="no order line"):
        price_panel(o.assign(day="not a date"), product="sku", date="day", quantity="qty", price="unit")


def test_dates_are_read_as_the_importer_reads_them():
    # Excel day numbers and YYYYMMDD numbers in a frame built by hand: the importer's parser
    o = _orders().dropna(subset=["sku", "unit"])
    serial = o.assign(day=(pd.to_datetime(o["day"]) - pd.Timestamp("1899-12-30")).dt.days)
    ymd = o.assign(day=pd.to_datetime(o["day"]).dt.strftime("%Y%m%d").astype(int))
    want = price_panel(o, product="sku", date="day", quantity="qty", price="unit", freq="W").frame
    for frame in (serial, ymd):
        got = price_panel(frame, product="sku", date="day", quantity="qty", price="unit", freq="W").frame
        pd.testing.assert_frame_equal(got, want)
