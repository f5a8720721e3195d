"""Forecast's actions for this week: the products to restock on the demo shops (English and
Chinese): the planted best seller by revenue and the product whose planted price cut makes it sell
far more than in the last 4 weeks; each action's units and money recomputed from the forecast
table and the recent prices of the orders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.actions import HORIZON_DAYS
from bizops_desktop.core.demo import load_demo, load_truth
from bizops_desktop.core.i18n import text
from bizops_forecast import ANALYSIS
from bizops_forecast.analysis import four_weeks


def _orders(lang):
    return next(d for d in load_demo(lang=lang) if d.name == "orders")


def _planted(lang):
    """Per product: expected weekly revenue at its last planted price, and how many times its
    expected units rose with a price change in the last 4 weeks of the history."""
    t = load_truth(lang)
    end = pd.Timestamp(t["end"])
    revenue, rise = {}, {}
    for pid, v in t["demand"]["products"].items():
        ch = v["price_changes"]
        last = ch[-1]["price"]
        revenue[pid] = v["weekly_units_at_base_price"] * (last / v["base_price"]) ** v["elasticity"] * last
        recent = len(ch) > 1 and pd.Timestamp(ch[-1]["date"]) > end - pd.Timedelta(days=HORIZON_DAYS)
        rise[pid] = (last / ch[-2]["price"]) ** v["elasticity"] if recent else 1.0
    return revenue, rise


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_restock_the_planted_best_seller_and_the_price_cut(lang):
    ds = _orders(lang)
    res = ANALYSIS.execute(ds, {})
    acts = res.actions
    assert 1 <= len(acts) <= 5 and {a.kind for a in acts} == {"restock"}
    fc = res.tables["forecast"]
    f = ds.frame
    pid = f[ds.col("product_id")].astype(str)
    day = pd.to_datetime(f[ds.col("date")])
    last_period = pd.Timestamp(fc["date"].min()) - pd.Timedelta(days=1)
    for a in acts:
        assert a.table == "forecast"
        name = a.key["series"]
        ahead = four_weeks(fc.loc[fc["series"] == name, "forecast"].to_numpy(dtype=float), "D")
        assert ahead == pytest.approx(fc.loc[fc["series"] == name, "forecast"].mean() * HORIZON_DAYS)
        late = (pid == name) & (day >= last_period - pd.Timedelta(days=HORIZON_DAYS))
        price = f.loc[late, ds.col("amount")].sum() / f.loc[late, ds.col("quantity")].sum()
        assert a.money == pytest.approx(ahead * price)
        assert f"about {round(ahead)} units" in text(a.text, "en")
        product = res.names.get(name, name)
        assert product in text(a.text, "en") and product in text(a.text, "zh_CN")
    got = [a.key["series"] for a in acts]
    revenue, rise = _planted(lang)
    best = max(revenue, key=revenue.get)
    assert got[0] == best  # the most money first
    cut = max(rise, key=rise.get)
    assert rise[cut] > 1.5 and cut in got  # planted: a price cut at the end sells far more


def test_four_weeks_per_frequency():
    assert four_weeks([2.0] * 12, "D") == pytest.approx(56.0)
    assert four_weeks([10.0, 20.0, 30.0, 40.0, 1000.0], "W") == pytest.approx(100.0)
    assert four_weeks([300.0, 900.0], "M") == pytest.approx(300.0 * 28 / (365.25 / 12))
    assert four_weeks([], "D") is None
    assert np.isfinite(four_weeks([1.0], "W"))
