"""The Basket rules tab as a user meets it: run on the demo shop, rules appear in product names,
hovering a point shows its rule, clicking it selects the row and explains it, filters, export."""

from __future__ import annotations

import json

import pyqtgraph as pg
import pytest
from helpers import DEMO_DIR, run_panel
from PySide6.QtCore import Qt

from bizops_basket import ANALYSIS
from bizops_basket.analysis import rule_text
from bizops_basket.panel import BasketPanel
from bizops_desktop.core.i18n import text


@pytest.fixture
def panel(open_panel):
    return open_panel(BasketPanel, ANALYSIS, show=True)


def _run(qtbot, panel, params):
    run_panel(qtbot, panel, "orders", params)


def test_run_click_a_point_selects_the_rule(qtbot, panel, tmp_path):
    truth = json.loads((DEMO_DIR / "truth.json").read_text(encoding="utf-8"))["pairs"]["items"]
    _run(qtbot, panel, {"min_support": 0.003, "min_confidence": 0.02, "min_lift": 0.0})
    rules = panel.result.tables["rules"]
    assert len(rules) > 8
    assert panel.table.model.rowCount() == len(rules)
    # the headline names the strongest (planted) pair, with its numbers
    first = truth[-1]  # the dog food pair has the highest planted lift
    assert all(name in panel.headline.text() for name in first["names"])
    head = panel.headline.text()
    assert head.startswith("<b>Customers who buy ") and "more often than average" in head
    assert panel.summary_label.text().startswith(f"{len(rules):,} rules from ")
    # product names in the table, strongest (planted) pair first
    top = panel.table.model.frame().iloc[0]
    assert set(top["antecedent_names"]) | set(top["consequent_names"]) == set(first["names"])
    # every rule is a point
    view = panel.plot.plot_view
    xs, ys = view.item(0).getData()
    assert len(xs) == len(rules)
    # the analysis' own scatter (the CLI's PNG), drawn through the shared renderer
    assert view.spec.to_dict()["layers"][0]["x"] == panel.result.plots["rules"].to_dict()["layers"][0]["x"]

    # pick a rule that is not the first row, hover and click its point in the plot
    panel.plot.plotItem.vb.autoRange()
    qtbot.wait(50)
    target = 5
    x, y = float(rules["support"].iat[target]), float(rules["confidence"].iat[target])
    vb = panel.plot.plotItem.vb
    scene_pt = vb.mapViewToScene(pg.Point(x, y))
    hit = panel.plot.hover.nearest(scene_pt)
    assert hit is not None
    rule_at_point = [
        i for i in range(len(rules)) if rules["support"].iat[i] == hit[1] and rules["confidence"].iat[i] == hit[2]
    ]
    assert rule_at_point and all(r != 0 for r in rule_at_point)
    texts = {rule_text(rules["antecedent_names"].iat[i], rules["consequent_names"].iat[i]) for i in rule_at_point}
    assert panel.plot.hover.describe(hit) in texts
    assert panel.selected_rule() is None  # the strongest pair's sentence is shown, no rule picked yet
    assert panel.why_label.text() == text(panel.result.tables["pairs"]["sentence"].iat[0])
    widget_pt = panel.plot.mapFromScene(scene_pt)
    qtbot.mouseClick(panel.plot.viewport(), Qt.MouseButton.LeftButton, pos=widget_pt)
    qtbot.waitUntil(lambda: panel.selected_rule() is not None, timeout=3000)
    chosen = panel.selected_rule()
    assert chosen in rule_at_point
    assert panel.tabs.currentWidget() is panel.table  # a point is a rule: its table is shown
    assert panel.table.selected_source_row() is not None
    assert panel.why_label.text() == text(rules["why"].iat[chosen])
    assert panel.why_label.text().startswith("Customers who buy ")
    mx, my = view.marker.getData()
    assert (mx[0], my[0]) == (rules["support"].iat[chosen], rules["confidence"].iat[chosen])
    assert view.selected is not None and view.last_click.layer == 0

    # filter by a product on the right side: only rules with it there, and the plot follows
    i = panel.product_combo.findData("P02")
    assert i > 0
    panel.product_combo.setCurrentIndex(i)
    panel.side_combo.setCurrentIndex(panel.side_combo.findData("right"))
    shown = panel.table.model.frame()
    expect = [k for k in range(len(rules)) if "P02" in rules["consequents"].iat[k]]
    assert sorted(shown.index) == expect and len(expect) >= 1
    assert len(view.item(0).getData()[0]) == len(expect)
    # the filter keeps each point's colour: lift is coloured on the scale of all rules
    assert view.spec.layers[0].value_range == [float(rules["lift"].min()), float(rules["lift"].max())]
    assert all(any("Paper coffee filters" in n for n in t) for t in shown["consequent_names"])

    # search box filters too
    panel.product_combo.setCurrentIndex(0)
    panel.table.search.setText("dog chew")
    qtbot.waitUntil(lambda: 0 < panel.table.model.rowCount() < len(rules), timeout=3000)
    assert all(
        "Dog chew" in " ".join(a + c)
        for a, c in zip(panel.table.model.frame()["antecedent_names"], panel.table.model.frame()["consequent_names"])
    )

    # exports through the shared helpers
    written = panel.export_tables_csv(tmp_path)
    assert {p.name for p in written} == {"pairs.csv", "bundles.csv", "itemsets.csv", "rules.csv"}
    assert panel.export_tables_excel(tmp_path / "basket.xlsx").exists()
    png = panel.export_plot_png("rules", tmp_path / "rules.png")
    assert png.stat().st_size > 1000


def test_cancel_from_the_panel(qtbot, panel):
    # 300 orders of 30 out of 40 products: at min_count 1 the itemsets are astronomically many,
    # so the run cannot finish before Cancel, however fast the machine
    import numpy as np
    import pandas as pd

    from bizops_desktop.core.dataset import Dataset

    rng = np.random.default_rng(1)
    rows = [(o, f"P{i:02d}") for o in range(300) for i in rng.choice(40, 30, replace=False)]
    frame = pd.DataFrame(rows, columns=["order", "product"])
    panel.host.add_dataset(Dataset("dense", frame, {"order_id": "order", "product_id": "product"}))
    panel.select_dataset("dense")
    panel.set_params({"min_count": 1, "max_len": 12, "max_itemsets": 10**9})
    job = panel.run_analysis()
    assert job is not None
    with qtbot.waitSignal(panel.run_ended, timeout=20000) as blocker:
        qtbot.waitUntil(lambda: "sets of" in panel.status_label.text() or not panel.running, timeout=10000)
        panel.cancel()
    assert blocker.args == ["cancelled"]
    assert "Cancelled" in panel.status_label.text()
    assert panel.run_button.isEnabled()


def test_saved_result_reopens_in_the_tab(qtbot, panel, tmp_path, open_panel):
    from bizops_desktop.core.project import AnalysisState, Project, load_project, save_project

    _run(qtbot, panel, {"min_support": 0.003, "min_confidence": 0.02, "min_lift": 0.0})
    state = panel.state()
    proj = Project(
        datasets={d.name: d for d in panel.host.datasets()},
        analyses={
            "basket": AnalysisState("basket", params=state["params"], dataset=state["dataset"], result=state["result"])
        },
    )
    save_project(proj, tmp_path / "shop.bizops")
    back = load_project(tmp_path / "shop.bizops").analyses["basket"]
    p2 = open_panel(BasketPanel, ANALYSIS, datasets=panel.host.datasets())
    p2.restore(back.params, back.dataset, back.result)
    rules = panel.result.tables["rules"]
    assert p2.table.model.rowCount() == len(rules)
    assert list(p2.table.model.frame()["antecedent_names"]) == list(panel.table.model.frame()["antecedent_names"])
    assert p2.product_combo.count() == panel.product_combo.count()
    assert p2.form.values()["min_support"] == 0.003
    assert p2.select_rule(2) and p2.why_label.text() == text(rules["why"].iat[2])
    assert p2.headline.text() == panel.headline.text()
