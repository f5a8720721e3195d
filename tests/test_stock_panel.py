"""The Stock planning tab as a user meets it: run on the demo orders (with the stock sheet beside
them), read the headline, the order proposal led by the planted product about to run out, and
the projected-stock plot of the product picked."""

from __future__ import annotations

import pytest
from helpers import run_panel

from bizops_desktop.core.demo import load_truth
from bizops_desktop.core.i18n import text
from bizops_stock import ANALYSIS
from bizops_stock.panel import StockPanel


@pytest.fixture
def panel(open_panel):
    return open_panel(StockPanel, ANALYSIS)


def test_the_tab_shows_the_orders_to_place(qtbot, panel):
    truth = load_truth("en")["stock"]
    run_panel(qtbot, panel, "orders", {"forecast_method": "ses"})
    assert panel.headline.text().startswith("Order ")
    model = panel.orders_table.model
    assert model.rowCount() == 40
    first = panel.product_combo.itemData(0)
    assert first == truth["run_out"]
    spec_title = text(panel._result.plots["stock"].title)
    assert truth["names"][truth["run_out"]] in spec_title
    panel.product_combo.setCurrentIndex(1)
    assert panel.product_combo.currentData() != first
