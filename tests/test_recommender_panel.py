"""The Recommendations tab as a user meets it: run on the demo orders, pick a customer to see
their history next to their recommendations, pick a product to see its partner first, export."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import run_panel

from bizops_desktop.core.i18n import text
from bizops_recommender import ANALYSIS
from bizops_recommender.panel import RecommenderPanel


@pytest.fixture
def panel(open_panel):
    return open_panel(RecommenderPanel, ANALYSIS)


_run = run_panel


def test_customer_history_recommendations_similar_products_and_export(qtbot, panel, tmp_path):
    from bizops_desktop.core.demo import load_truth

    seen = _run(qtbot, panel, "orders", {"method": "item", "eval_folds": 3})
    # progress per stage, in order: similarities, neighbours, the check on later weeks (dated
    # orders: a time split, not folds), predictions
    stages = ["Similarities", "Neighbours", "Evaluation", "Predictions"]
    firsts = [next(k for k, t in enumerate(seen) if t.startswith(s)) for s in stages]
    assert firsts == sorted(firsts), seen[:20]
    assert any(t.startswith("Evaluation, later weeks: Similarities") for t in seen)
    assert panel.status_label.text() == "Done."
    r = panel.result
    # the headline compares the suggestions with a best-seller list, honestly
    assert "a best-seller list" in panel.headline.text()

    # the customer picker: C0001's purchases on the left, their 10 recommendations on the right
    panel.show_customer("C0001")
    hist = panel.history_table.frame()
    orders = panel.host.dataset("orders").frame
    mine = orders[orders["customer_id"] == "C0001"]
    assert set(hist["product_id"]) == set(mine["product_id"])
    assert hist["times_bought"].sum() == len(mine)
    recs = panel.customer_recs_table.frame()
    assert recs["rank"].tolist() == list(range(1, len(recs) + 1)) and 0 < len(recs) <= 10
    assert not set(recs["product_id"]) & set(mine["product_id"])  # nothing already bought
    assert recs["because"].map(text).str.startswith("often bought with").all()

    # the product picker: the planted partner comes first
    pair = load_truth()["pairs"]["items"][0]
    panel.show_product(pair["antecedent"])
    sim = panel.similar_table.frame()
    assert sim["similar_product_id"].iloc[0] == pair["consequent"]
    assert sim["similarity"].is_monotonic_decreasing

    # the evaluation plot shows precision@N against N
    items = panel.eval_plot.plotItem.listDataItems()
    xs = [list(i.getData()[0]) for i in items if i.getData()[0] is not None and len(i.getData()[0])]
    assert [1, 2, 3, 5, 10, 15, 20] in [[int(v) for v in x] for x in xs]
    assert panel.eval_table.model.rowCount() == len(r.tables["evaluation"])

    # export: every recommendation, to CSV and Excel through the tab's one export path
    out = panel.export_tables_csv(tmp_path)
    back = pd.read_csv(tmp_path / "recommendations.csv", encoding="utf-8-sig")
    assert len(back) == len(r.tables["recommendations"]) and {p.name for p in out} >= {
        "recommendations.csv",
        "similar_items.csv",
        "evaluation.csv",
    }
    xlsx = panel.export_tables_excel(tmp_path / "recs.xlsx")
    assert pd.read_excel(xlsx, sheet_name="recommendations").shape[0] == len(back)


def test_reviews_run_shows_ratings_and_cancel_keeps_the_tab_usable(qtbot, panel):
    _run(qtbot, panel, "reviews", {"method": "user", "eval_folds": 2})
    assert "stars on average" in panel.headline.text() and "guessing the average rating" in panel.headline.text()
    first = panel.customer_combo.itemText(0)
    panel.show_customer(first)
    assert "rating" in panel.history_table.frame().columns
    assert panel.customer_recs_table.frame()["because"].map(text).str.contains("similar customers").any()
    # per-fold RMSE/MAE plot
    assert panel.eval_plot.plotItem.listDataItems()

    panel.set_params({"method": "user", "eval_folds": 20})
    with qtbot.waitSignal(panel.run_ended, timeout=60000) as blocker:
        panel.run_analysis()
        panel.cancel()
    assert blocker.args == ["cancelled"]
    assert panel.run_button.isEnabled()


def test_result_saved_in_a_project_comes_back_in_the_tab(qtbot, tmp_path, open_panel, demo_datasets):
    from bizops_desktop.core.project import AnalysisState, Project, load_project, save_project

    datasets = {d.name: d for d in demo_datasets}
    params = ANALYSIS.resolve({"method": "user", "eval_folds": 2})
    result = ANALYSIS.execute(datasets["reviews"], params)
    path = tmp_path / "shop.bizops"
    save_project(
        Project(
            datasets=datasets,
            analyses={"recommender": AnalysisState("recommender", params=params, dataset="reviews", result=result)},
        ),
        path,
    )
    back = load_project(path)
    state = back.analyses["recommender"]

    p = open_panel(RecommenderPanel, ANALYSIS, datasets=list(back.datasets.values()))
    p.restore(state.params, state.dataset, state.result)
    assert p.form.values()["method"] == "user"
    pd.testing.assert_frame_equal(
        p.all_table.model.source_frame().reset_index(drop=True),
        result.tables["recommendations"].reset_index(drop=True),
        check_dtype=False,
    )
    p.show_customer("C0002")
    assert len(p.customer_recs_table.frame()) == 10
    assert set(p.history_table.frame()["product_id"]) == set(
        datasets["reviews"].frame.query("customer_id == 'C0002'")["product_id"]
    )


def test_the_tab_reads_in_chinese_with_products_by_name(qtbot, open_panel):
    import re

    from PySide6.QtCore import Qt

    from bizops_desktop.core.demo import load_demo
    from bizops_desktop.core.i18n import use_language

    cjk = re.compile(r"[\u4e00-\u9fff]")
    with use_language("zh_CN"):
        p = open_panel(RecommenderPanel, ANALYSIS, datasets=load_demo(lang="zh_CN"))
        _run(qtbot, p, "orders", {"method": "item", "eval_folds": 2})
        assert [p.tabs.tabText(i) for i in range(p.tabs.count())] == ["顾客", "相似商品", "全部推荐", "详细数据"]
        assert "热销榜" in p.headline.text()
        assert cjk.search(p.message.text()) and cjk.search(p.eval_about.text())
        # products by name in the picker, the id in its tooltip
        names = p.result.names
        pid = p.product_combo.itemData(0)
        assert p.product_combo.itemText(0) == names[str(pid)]
        assert p.product_combo.itemData(0, Qt.ItemDataRole.ToolTipRole) == str(pid)
        p.show_customer(p.customer_combo.itemText(0))
        for table in (p.history_table, p.customer_recs_table, p.similar_table, p.all_table, p.eval_table):
            m = table.model
            shown = [j for j in range(m.columnCount()) if not table.view.isColumnHidden(j)]
            titles = [m.headerData(j, Qt.Orientation.Horizontal) for j in shown]
            assert titles and all(cjk.search(t) for t in titles), titles
        m = p.customer_recs_table.model
        cols = list(m.source_frame().columns)
        assert m.data(m.index(0, cols.index("product_id"))) in set(names.values())
        assert m.data(m.index(0, cols.index("because"))).startswith("常和")
        # the match score of purchases is a statistic: hidden here, in the full table and the export
        assert p.customer_recs_table.view.isColumnHidden(cols.index("score"))
        assert not p.all_table.view.isColumnHidden(list(p.all_table.model.source_frame().columns).index("score"))
