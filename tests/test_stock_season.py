"""Seasonal sellers and the shop's weekday/time-of-year pattern in Stock planning.

A generated shop (English and Chinese headers, read through the importer) with two planted
one-season products: a winter gift tin sold from mid-October to December (in season on the
planning day: the newsvendor quantity for what is left of the season, until 31 December) and a
sunscreen sold May to August (out of season: nothing to order yet, order by its start less the
lead time); four steady sellers with the same December peak on every product must not be taken
as seasonal. On the demo shops: the weekday and month factors recover the planted ones, no
product is seasonal by its sales (every product sells every week), and the replay of the last
half year gets within 2 points of the 95% target."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.demo import load_demo, load_truth
from bizops_desktop.core.i18n import text
from bizops_desktop.core.importer import load_dataset
from bizops_desktop.core.progress import Progress
from bizops_stock import ANALYSIS
from bizops_stock import analysis as an

TODAY = pd.Timestamp("2024-11-11")
HEADERS = {
    "en": ("product_id", "product_name", "date", "quantity", "unit_price"),
    "zh_CN": ("商家编码", "宝贝标题", "订单创建时间", "购买数量", "宝贝单价"),
}
SHEET = {
    "en": ("product_id", "on_hand", "lead_time", "unit_cost"),
    "zh_CN": ("商家编码", "现有库存", "采购周期", "成本"),
}
GIFT, SUN = "S1", "S2"
LEAD = 14


def shop(rng):
    days = pd.date_range(TODAY - pd.Timedelta(days=730), TODAY - pd.Timedelta(days=1), freq="D")
    peak = np.where(days.month >= 11, 1.5, 1.0)  # every product: a November-December peak
    rates = {"A1": 6.0, "A2": 3.0, "A3": 9.0, "A4": 4.0}
    cols = {p: rng.poisson(r * peak) for p, r in rates.items()}
    gift_on = (days.month >= 11) | ((days.month == 10) & (days.day >= 15))
    cols[GIFT] = rng.poisson(np.where(gift_on, 8.0, 0.0))
    cols[SUN] = rng.poisson(np.where((days.month >= 5) & (days.month <= 8), 5.0, 0.02))
    return days, cols


@pytest.fixture(scope="module", params=["en", "zh_CN"])
def seasonal_shop(request, tmp_path_factory):
    lang = request.param
    pid, pname, date, qty, price = HEADERS[lang]
    days, cols = shop(np.random.default_rng(11))
    rows = [
        {pid: p, pname: f"{p} name", date: d.strftime("%Y-%m-%d"), qty: int(n), price: 20.0}
        for p, units in cols.items()
        for d, n in zip(days, units)
        if n > 0
    ]
    folder = tmp_path_factory.mktemp(f"season_{lang}")
    pd.DataFrame(rows).to_csv(folder / "orders.csv", index=False)
    products = list(cols)
    sheet = pd.DataFrame(dict(zip(SHEET[lang], (products, [30] * 6, [LEAD] * 6, [8.0] * 6))))
    sheet.to_csv(folder / "sheet.csv", index=False)
    orders, stock = load_dataset(folder / "orders.csv"), load_dataset(folder / "sheet.csv")
    assert orders.has("product_id", "date", "quantity") and stock.has("on_hand", "lead_time")
    r = ANALYSIS.execute(orders, {"forecast_method": "ses"}, Progress(), tables=[orders, stock])
    return r, cols, days


def test_the_planted_seasonal_products_are_found_without_being_listed(seasonal_shop):
    r, _cols, _days = seasonal_shop
    plan = r.tables["orders"].set_index("product")
    assert set(plan.index[plan["policy"] == "newsvendor"]) == {GIFT, SUN}
    assert plan.loc[GIFT, "season_end"] == "2024-12-31"
    assert plan.loc[SUN, "season_end"] == "2025-08-31"
    assert not plan.drop(index=[GIFT, SUN])["season_end"].notna().any()


def test_in_season_the_newsvendor_covers_what_is_left_of_the_season(seasonal_shop):
    r, cols, days = seasonal_shop
    gift = r.tables["orders"].set_index("product").loc[GIFT]
    # last year's units from this day to the season's end, the demand the quantity is for
    ly = pd.Series(cols[GIFT], index=days)
    left = float(ly[(ly.index >= TODAY - pd.Timedelta(days=365)) & (ly.index <= "2023-12-31")].sum())
    # price 20, cost 8, left-over worth 30% of the cost: critical ratio 12/(12+5.6) = 0.68
    assert left * 0.97 < gift["order_up_to"] < left * 1.15
    assert gift["order_by"] == TODAY.date().isoformat() and gift["order_qty"] >= gift["order_up_to"] - 30
    why = text(gift["why"])
    assert "Dec 31, 2024" in why and "one season" in why


def test_out_of_season_nothing_is_ordered_until_the_season_nears(seasonal_shop):
    r, _cols, _days = seasonal_shop
    sun = r.tables["orders"].set_index("product").loc[SUN]
    assert sun["order_qty"] == 0
    assert sun["order_by"] == (pd.Timestamp("2025-05-01") - pd.Timedelta(days=LEAD)).date().isoformat()
    assert SUN not in set(r.tables["replay"]["product"])  # one-season products are not replayed


# ------------------------------------------------------------------------------- demo shops
@pytest.fixture(scope="module", params=["en", "zh_CN"])
def demo(request):
    lang = request.param
    tables = load_demo(lang=lang)
    orders = next(d for d in tables if d.name == "orders")
    return lang, tables, orders


def test_the_demo_shops_weekday_and_month_factors_are_the_planted_ones(demo):
    lang, _tables, orders = demo
    truth = load_truth(lang)["seasonality"]
    _table, _names, _prices, total = an.daily_demand(orders)
    days = pd.date_range("2025-01-01", "2025-12-31", freq="D")
    f = pd.Series(an.day_factors(total, total.index[-1] + pd.Timedelta(days=1), days), index=days)
    weekday = f.groupby(f.index.dayofweek).mean() / f.mean()
    planted = np.array(list(truth["weekly_factors"].values()))
    assert np.abs(weekday.to_numpy() - planted / planted.mean()).max() < 0.05
    month = f.groupby(f.index.month).mean() / f.mean()
    planted_m = np.array([truth["yearly_factor_by_month"][str(m)] for m in range(1, 13)])
    # months meet smoothly (interpolated between mid-month values), so December reads a little
    # lower than its planted month's mean; the November-December peak is the planted one
    assert np.abs(month.to_numpy() - planted_m / planted_m.mean()).max() < 0.13
    peak = month.loc[[11, 12]].mean() / month.drop(index=[11, 12]).mean()
    assert peak == pytest.approx(truth["nov_dec_vs_rest_ratio"], rel=0.1)


def test_no_demo_product_is_seasonal_by_its_sales_and_the_replay_nears_the_target(demo):
    _lang, tables, orders = demo
    r = ANALYSIS.execute(orders, {"forecast_method": "ses"}, Progress(), tables=tables)
    plan = r.tables["orders"]
    assert (plan["policy"] != "newsvendor").all()  # every demo product sells every week
    replay = r.metrics["replay"]
    assert replay["products"] == 40 and replay["cycle_service_level"] >= 0.95 - 0.02


def test_a_season_is_not_guessed_for_a_product_younger_than_a_year():
    days = pd.date_range("2024-09-01", "2024-12-31", freq="D")
    units = pd.Series(np.r_[np.zeros(len(days) - 61), np.full(61, 5.0)], index=days)
    full = units.reindex(pd.date_range("2024-01-01", "2024-12-31"), fill_value=0.0)
    assert an.find_season(full, days[len(days) - 61], pd.Timestamp("2025-01-01")) is None
    assert an.find_season(full, pd.Timestamp("2023-01-01"), pd.Timestamp("2025-01-01")) is not None
