"""The Pricing tab as a user meets it: run on the demo orders, move the what-if slider and read
units, revenue and profit; switch to regression on weekly sales; export."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers import DEMO_DIR, run_panel

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.i18n import format_money, text
from bizops_pricing import ANALYSIS
from bizops_pricing.panel import PricingPanel, units_text


@pytest.fixture
def panel(open_panel):
    truth = json.loads((DEMO_DIR / "truth.json").read_text(encoding="utf-8"))
    o = pd.read_csv(DEMO_DIR / "orders.csv", parse_dates=["date"])
    o["unit_cost"] = o["product_id"].map({p: v["unit_cost"] for p, v in truth["demand"]["products"].items()})
    orders = Dataset(
        "orders",
        o,
        roles={
            "order_id": "order_id",
            "date": "date",
            "product_id": "product_id",
            "quantity": "quantity",
            "price": "unit_price",
            "amount": "amount",
        },
    )
    w = pd.read_csv(DEMO_DIR / "weekly_sales.csv")
    weekly = Dataset("weekly_sales", w, roles={"target": "units", "feature": ["price", "advertising", "promotion"]})
    return open_panel(PricingPanel, ANALYSIS, datasets=[orders, weekly])


_run = run_panel


def test_whatif_slider_updates_units_revenue_profit(qtbot, panel):
    _run(
        qtbot,
        panel,
        "orders",
        {
            "mode": "elasticity",
            "controls": ["promotion", "season"],
            "cost_column": "unit_cost",
            "product": "P03",
            "price_change": 10,
        },
    )
    assert panel.whatif_box.isVisibleTo(panel)
    assert panel.main_table.model.rowCount() == 40
    # with unit costs the headline is the price change that earns the most, in money
    assert panel.headline.text().startswith("Biggest gain: ") and "more profit per week" in panel.headline.text()
    assert any("40 of 40 fitted" in text(n) for n in panel.result.notes)
    assert panel.product_combo.currentData() == "P03"
    assert panel.slider.value() == 10
    # the slider starts where the run's price_change put it: same numbers as the whatif table
    row = panel.result.tables["whatif"].iloc[0]
    assert f"{units_text(row['units'])} per week" in panel.units_label.text()
    assert panel.profit_label.text().startswith(format_money(row["profit"]))

    s = panel.states["P03"]
    e, cost, p0 = s["elasticity"], s["unit_cost"], s["current_price"]
    units_now = panel.last_whatif["units"] / 1.1**e  # constant elasticity: units scale as price^e
    panel.slider.setValue(-20)  # user drags to 20% cheaper
    p = p0 * 0.8
    units = units_now * 0.8**e
    assert panel.last_whatif["units"] == pytest.approx(units, rel=1e-9)
    assert panel.price_label.text().startswith(f"{format_money(p)} (20% below the current {format_money(p0)})")
    assert panel.units_label.text().startswith(f"{units_text(units)} per week")
    assert panel.revenue_label.text().startswith(format_money(units * p))
    assert panel.profit_label.text().startswith(format_money(units * (p - cost)))
    outside = p < s["min_price"]
    assert ("outside the prices seen" in panel.range_label.text()) == outside
    # the demand curve marker moved with it
    view = panel.curve_plot.plot_view
    xs, ys = view.item("what-if price").getData()
    assert xs[0] == pytest.approx(p) and ys[0] == pytest.approx(units)

    panel.product_combo.setCurrentIndex(panel.product_combo.findData("P01"))
    assert panel.slider.value() == 0
    assert panel.price_label.text() == f"{format_money(panel.states['P01']['current_price'])} (the current price)"


def test_regression_mode_and_export(qtbot, panel, tmp_path):
    panel.form.editors["mode"].setCurrentIndex(panel.form.editors["mode"].findData("regression"))
    assert not panel.form.editors["controls"].isVisibleTo(panel)
    assert panel.form.editors["log_target"].isVisibleTo(panel)
    _run(qtbot, panel, "weekly_sales", {"mode": "regression"})
    assert not panel.whatif_box.isVisibleTo(panel)
    frame = panel.main_table.frame()
    price = frame[frame["term"] == "price"].iloc[0]
    assert text(price["meaning"]).startswith("each extra 1 of price lowers units by")
    assert panel.headline.text().startswith("What drives units: price, advertising, and promotion explain")
    assert "R² " in panel.details_label.text() and "F-test p" in panel.details_label.text()
    files = panel.export_tables_csv(tmp_path)
    assert {f.name for f in files} == {"coefficients.csv", "residuals.csv"}
    out = pd.read_csv(tmp_path / "coefficients.csv")
    assert list(out.columns[:7]) == ["term", "estimate", "std_error", "t", "p_value", "ci_low", "ci_high"]
    png = panel.export_plot_png("actual_vs_predicted", tmp_path / "avp.png")
    assert png.stat().st_size > 1000


def test_bad_case_message_in_the_tab(qtbot, panel):
    panel.host.add_dataset(
        Dataset("flat", pd.DataFrame({"y": [1.0, 2, 3, 4, 5], "a": [1.0] * 5}), roles={"target": "y", "feature": ["a"]})
    )
    panel.select_dataset("flat")
    panel.set_params({"mode": "regression"})
    with qtbot.waitSignal(panel.run_ended, timeout=20000) as blocker:
        panel.run_analysis()
    assert blocker.args == ["failed"]
    assert "column 'a' has the same value (1) in every row used" in panel.message.text()


def test_saved_result_redraws_after_project_round_trip(qtbot, panel, tmp_path):
    from bizops_desktop.core.progress import Progress
    from bizops_desktop.core.project import AnalysisState, Project, load_project, save_project

    ds = panel.host.dataset("orders")
    params = ANALYSIS.resolve({"controls": ["promotion"], "unit_cost": 3.0, "product": "P10", "price_change": 5})
    result = ANALYSIS.execute(ds, params, Progress())
    save_project(
        Project(
            datasets={"orders": ds},
            analyses={"pricing": AnalysisState("pricing", params=params, dataset="orders", result=result)},
        ),
        tmp_path / "p.bizops",
    )
    back = load_project(tmp_path / "p.bizops").analyses["pricing"]
    panel.restore(back.params, back.dataset, back.result)
    assert panel.product_combo.currentData() == "P10" and panel.slider.value() == 5
    row = result.tables["whatif"].iloc[0]
    assert panel.units_label.text().startswith(f"{units_text(row['units'])} per week")
    pd.testing.assert_frame_equal(back.result.tables["elasticity"], result.tables["elasticity"])
