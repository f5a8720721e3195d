"""Pricing takes each product's unit cost from another open table (the shop's stock or cost sheet),
picked automatically when one has product and cost columns: the demo's stock sheet costs are the
costs its suggestions use."""

from __future__ import annotations

import pandas as pd

from bizops_desktop.core.demo import load_demo
from bizops_desktop.core.plugins import load_registry


def test_the_stock_sheets_unit_costs_drive_the_price_suggestions():
    datasets = load_demo(lang="en")
    orders = next(d for d in datasets if d.name == "orders")
    stock = next(d for d in datasets if d.name == "stock")
    analysis = load_registry().analyses["pricing"]
    without = analysis.execute(orders, {"mode": "elasticity"})
    assert without.actions == []  # no cost anywhere: no profit to promise
    result = analysis.execute(orders, {"mode": "elasticity"}, tables=datasets)
    prices = result.tables["prices"].set_index("product")
    sheet = stock.frame.set_index("product_id")["unit_cost"].astype(float)
    common = prices.index.intersection(sheet.index)
    assert len(common) >= 30
    pd.testing.assert_series_equal(
        prices.loc[common, "unit_cost"].astype(float), sheet.loc[common], check_names=False, rtol=1e-9
    )
    assert result.actions and all(a.kind == "price" for a in result.actions)
    # named by hand, and the typed cost sheet still wins for the products it names
    first = str(common[0])
    typed = analysis.execute(
        orders, {"mode": "elasticity", "cost_table": "stock", "costs": [f"{first}=0.5"]}, tables=datasets
    )
    assert float(typed.tables["prices"].set_index("product").loc[first, "unit_cost"]) == 0.5
