"""Per-customer features view: a hand-worked example with known answers, and the leakage check
(orders inside the label window never move a feature)."""

from __future__ import annotations

import pandas as pd
import pytest

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.i18n import text as shown
from bizops_desktop.core.views.customers import FEATURES, customer_features, customer_features_from_dataset

# cutoff 2024-04-30, churn_days 30 -> observation end 2024-03-31, label window Apr 1..Apr 30.
ROWS = [
    # order, customer, date, amount
    ("o1", "A", "2024-01-01", 10.0),
    ("o1", "A", "2024-01-01", 5.0),  # second line of the same order
    ("o2", "A", "2024-03-01", 30.0),
    ("o3", "A", "2024-04-10", 100.0),  # in the label window: A stays
    ("o4", "B", "2024-02-10", 50.0),  # B never comes back: churned
    ("o5", "C", "2024-04-05", 70.0),  # C's first order is in the window: left out
    ("o6", "D", "2024-03-31", 20.0),  # on the observation end itself: a feature, not the label
    ("o7", "D", "2024-05-05", 99.0),  # after the cutoff: ignored, so D churned
    ("o8", "E", "2024-01-01", 10.0),
    ("o9", "E", "2024-02-15", 10.0),  # exactly mid-history (45 of 90 days)
    ("o10", "E", "2024-04-30", 40.0),  # on the cutoff day: inside the window, E stays
]

# Worked by hand (2024 is a leap year: Jan 1 -> Mar 31 is 90 days).
EXPECTED = {
    #     recency freq monetary tenure  aov    trend  churned
    "A": (30.0, 2.0, 45.0, 90.0, 22.5, (30 - 15) / 45, 0),
    "B": (50.0, 1.0, 50.0, 50.0, 50.0, -1.0, 1),
    "D": (0.0, 1.0, 20.0, 0.0, 20.0, 0.0, 1),
    "E": (45.0, 2.0, 20.0, 90.0, 10.0, (5 - 15) / 20, 0),
}


def orders(rows=ROWS) -> pd.DataFrame:
    f = pd.DataFrame(rows, columns=["order", "customer", "date", "amount"])
    f["date"] = pd.to_datetime(f["date"])
    return f


def features(frame, **kw):
    kw.setdefault("cutoff", "2024-04-30")
    kw.setdefault("churn_days", 30)
    return customer_features(frame, customer="customer", date="date", amount="amount", order_id="order", **kw)


def test_hand_example_known_answer():
    res = features(orders())
    got = res.frame.set_index("customer_id")
    assert list(got.index) == ["A", "B", "D", "E"]
    assert str(res.observation_end.date()) == "2024-03-31"
    for cust, exp in EXPECTED.items():
        row = got.loc[cust]
        assert tuple(row[list(FEATURES)]) == pytest.approx(exp[:6]), cust
        assert row["churned"] == exp[6], cust
    text = " ".join(map(shown, res.notes))
    assert "1 customer whose first order falls in the churn window" in text
    assert "1 order line after the cutoff Apr 30, 2024 was ignored" in text


def test_no_leakage_orders_in_the_label_window_change_no_feature():
    base = features(orders()).frame.set_index("customer_id")
    rows = [r for r in ROWS if r[0] != "o3"]  # A's window order removed
    rows = [(o, c, d, 1000.0 if o == "o10" else a) for o, c, d, a in rows]  # E's window order changed
    rows += [
        ("o11", "B", "2024-04-15", 500.0),  # B comes back in the window
        ("o12", "A", "2024-04-30", 1.0),
    ]  # and A too, on the cutoff day
    moved = features(orders(rows)).frame.set_index("customer_id")
    pd.testing.assert_frame_equal(base[list(FEATURES)], moved[list(FEATURES)])
    # ...while the labels do follow the window.
    assert base["churned"].to_dict() == {"A": 0, "B": 1, "D": 1, "E": 0}
    assert moved["churned"].to_dict() == {"A": 0, "B": 0, "D": 1, "E": 0}
    rows2 = [r for r in ROWS if r[0] not in ("o3", "o10")]
    gone = features(orders(rows2)).frame.set_index("customer_id")
    pd.testing.assert_frame_equal(base[list(FEATURES)], gone[list(FEATURES)])
    assert gone["churned"].to_dict() == {"A": 1, "B": 1, "D": 1, "E": 1}


def test_without_label_features_are_taken_at_the_cutoff():
    res = features(orders(), churn_days=None)
    got = res.frame.set_index("customer_id")
    assert "churned" not in got.columns
    assert list(got.index) == ["A", "B", "C", "D", "E"]
    # A: last order Apr 10 (20 days before Apr 30), 3 orders, 145 spent, first order 120 days back.
    assert tuple(got.loc["A", ["recency_days", "frequency", "monetary", "tenure_days"]]) == (20, 3, 145, 120)


def test_order_days_stand_in_for_order_numbers_and_quantity_times_price():
    f = orders()
    f["qty"] = 2
    f["unit"] = f["amount"] / 2
    res = customer_features(
        f, customer="customer", date="date", quantity="qty", price="unit", cutoff="2024-04-30", churn_days=30
    )
    got = res.frame.set_index("customer_id")
    assert got.loc["A", "frequency"] == 2  # two lines on Jan 1 are one order day
    assert got.loc["A", "monetary"] == pytest.approx(45.0)
    assert any("quantity x unit price" in n for n in map(shown, res.notes))
    assert any("each day a customer bought counts as one order" in n for n in map(shown, res.notes))


def test_yyyymmdd_numbers_and_dataset_roles():
    f = orders()
    f["date"] = f["date"].dt.strftime("%Y%m%d").astype(int)
    ds = Dataset("o", f, roles={"customer_id": "customer", "date": "date", "amount": "amount", "order_id": "order"})
    res = customer_features_from_dataset(ds, cutoff="2024-04-30", churn_days=30)
    got = res.frame.set_index("customer_id")
    assert tuple(got.loc["E", list(FEATURES)]) == pytest.approx(EXPECTED["E"][:6])


def test_bad_requests_get_plain_messages():
    with pytest.raises(DataError, match="leaves no order history"):
        features(orders(), churn_days=400)
    with pytest.raises(UsageError, match="before the first order"):
        features(orders(), cutoff="2020-01-01")
    with pytest.raises(DataError, match=r"need columns marked as Date \(date\)"):
        customer_features_from_dataset(Dataset("o", orders(), roles={"customer_id": "customer"}))
    bad = orders()
    bad["date"] = "not a date"
    with pytest.raises(DataError, match="not dates"):
        features(bad)


def test_excel_day_numbers_are_dates_and_other_numbers_are_not():
    f = orders()
    base = features(f)
    f["date"] = (f["date"] - pd.Timestamp("1899-12-30")).dt.days  # as the importer would read them
    pd.testing.assert_frame_equal(features(f).frame, base.frame)
    f["date"] = range(len(f))
    with pytest.raises(DataError, match="holds numbers, not dates"):
        features(f)
