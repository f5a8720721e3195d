"""The Pricing tab's plans as a user meets them, in English and in Chinese: the markdown plan (its
headline, week rows, plot and action), coupons by segment, the price test (its length, and the
Thompson-sampling prices to try), elasticity per group from a table without dates; only each
mode's own settings in the form; and each result saved in a project and reopened unchanged."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from helpers import DATA, run_panel
from PySide6.QtCore import Qt

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.i18n import text, use_language
from bizops_pricing import ANALYSIS, MODE_PARAMS
from bizops_pricing.panel import PricingPanel

CJK = re.compile(r"[\u4e00-\u9fff]")
MARKDOWN = {"mode": "markdown", "stock": 120, "weeks_left": 10}


@pytest.fixture
def panel(open_panel):
    return open_panel(PricingPanel, ANALYSIS)


def headers(table) -> list[str]:
    m = table.model
    return [m.headerData(j, Qt.Orientation.Horizontal) for j in range(m.columnCount())]


def cells(table, column: int) -> list[str]:
    m = table.model
    return [m.data(m.index(i, column)) for i in range(m.rowCount())]


def tab_titles(panel) -> list[str]:
    return [panel.tabs.tabText(i) for i in range(panel.tabs.count()) if panel.tabs.isTabVisible(i)]


def english_left(s: str, kept=()) -> list[str]:
    for w in kept:
        s = s.replace(w, "")
    return re.findall(r"[A-Za-z]{3,}", s)


def test_markdown_plan_in_the_tab(qtbot, panel):
    run_panel(qtbot, panel, "markdown_sales", MARKDOWN)
    r = panel.result
    head = panel.headline.text()
    assert head.startswith("Markdown plan for Wool scarf: $39.00 from week 1, ")
    assert "of 120 units left after 10 weeks" in head
    assert panel.main_table.model.rowCount() == 10
    assert headers(panel.main_table)[:3] == ["Week no.", "Price", "Discount"]
    assert "Stock left" in headers(panel.main_table)
    plan = r.tables["markdown"]
    assert (
        cells(panel.main_table, 1)[0] == "$39.00" and cells(panel.main_table, 1)[-1] == f"${plan['price'].iloc[-1]:.2f}"
    )
    assert tab_titles(panel) == ["Markdown plan", "Prices", "Plan by week", "Details"]
    # the plot: the price as a share of today's (a step) and the expected stock left
    view = panel.fit_plot.plot_view
    xs, ys = view.item("price").getData()
    assert list(ys) == pytest.approx(list(plan["price"] / 39.0))
    _xs, left = view.item("expected stock left").getData()
    assert list(left) == pytest.approx(list(plan["stock_left"] / 120))
    assert r.actions[0].kind == "markdown" and text(r.actions[0].text) == "Sell Wool scarf at $39.00 this week"
    assert "Re-plan each week" in panel.details_label.text()
    # the form: the markdown settings, not the price rules or the price test's
    assert panel.form.editors["stock"].isVisibleTo(panel) and panel.form.editors["ladder"].isVisibleTo(panel)
    assert not panel.form.editors["min_margin"].isVisibleTo(panel)
    assert not panel.form.editors["test_start"].isVisibleTo(panel)

    with use_language("zh_CN"):
        panel.set_result(r, "markdown_sales", panel.result_params)
        head = panel.headline.text()
        assert head.startswith("Wool scarf的降价计划：第 1 周起 ¥39.00、第 5 周起 ¥35.10"), head
        assert "$" not in head and "week" not in head
        assert not english_left(head, ["Wool scarf"]), head
        assert CJK.search(head)
        hs = headers(panel.main_table)
        assert all(CJK.search(h) for h in hs), hs
        assert all(CJK.search(t) for t in tab_titles(panel)[:-1]), tab_titles(panel)  # Details: named when built
        assert not english_left(panel.details_label.text(), ["Poisson", "Forecast"]), panel.details_label.text()
        assert CJK.search(text(r.actions[0].text))


def test_segment_coupons_in_the_tab(qtbot, panel):
    run_panel(qtbot, panel, "price_segments", {"mode": "segments"})
    r = panel.result
    head = panel.headline.text()
    assert head.startswith("Coupon for the new segment: 30% off should earn about $")
    assert cells(panel.main_table, 0) == ["new", "lapsed", "regular"]
    assert headers(panel.main_table)[:3] == ["Segment", "Coupon", "Extra profit in 4 weeks"]
    assert cells(panel.main_table, 1)[0] == "30%" and cells(panel.main_table, 1)[2] in ("", "—", None)
    assert tab_titles(panel) == ["Coupons by segment", "Prices", "Details"]
    assert [text(a.text) for a in r.actions][:2] == [
        "Offer the new segment a 30% coupon",
        "Offer the lapsed segment a 25% coupon",
    ]
    assert "Article 24" in panel.details_label.text()
    assert panel.form.editors["segment_table"].isVisibleTo(panel)
    assert not panel.form.editors["stock"].isVisibleTo(panel)

    with use_language("zh_CN"):
        panel.set_result(r, "price_segments", panel.result_params)
        head = panel.headline.text()
        assert head.startswith("给new客群发券：优惠 30% 预计未来 4 周多赚约 ¥"), head
        assert not english_left(head, ["new"]), head
        assert all(CJK.search(h) for h in headers(panel.main_table)), headers(panel.main_table)
        assert "大数据杀熟" in panel.details_label.text()
        assert tab_titles(panel)[0] == "按客群发券"


def test_price_test_and_prices_to_try_in_the_tab(qtbot, panel):
    run_panel(qtbot, panel, "orders", {"mode": "price_test"})
    r = panel.result
    assert panel.headline.text().startswith("A price test of Rolled oats 1kg would take too long: ")
    # no 400-week schedule: how long a bigger difference would take instead
    assert tab_titles(panel) == ["Test length", "Details"]
    assert headers(panel.main_table) == ["Difference to tell", "Weeks at each price"]
    assert cells(panel.main_table, 0)[:2] == ["10%", "20%"]
    assert int(cells(panel.main_table, 1)[0].replace(",", "")) == r.metrics["weeks_per_price"]
    assert panel.form.editors["detect"].isVisibleTo(panel) and not panel.form.editors["ladder"].isVisibleTo(panel)

    run_panel(qtbot, panel, "orders", {"mode": "price_test", "bandit": True, "bandit_weeks": 5})
    r = panel.result
    assert panel.headline.text().startswith("Prices to try for Rolled oats 1kg: ")
    assert tab_titles(panel) == ["Prices to try", "Test plan", "Details"]
    assert panel.main_table.model.rowCount() == 3 and panel.prices_table.model.rowCount() == 5
    assert headers(panel.main_table)[:2] == ["Price", "Chance it is the best"]
    shares = [float(s.rstrip("%")) for s in cells(panel.main_table, 1)]
    assert sum(shares) == pytest.approx(100, abs=1.5)

    with use_language("zh_CN"):
        panel.set_result(r, "orders", panel.result_params)
        head = panel.headline.text()
        assert not english_left(head, ["Rolled oats"]), head
        assert all(CJK.search(h) for h in headers(panel.main_table)), headers(panel.main_table)
        assert all(CJK.search(t) for t in tab_titles(panel)[:-1])


def test_elasticity_per_group_without_dates_in_the_tab(qtbot, open_panel):
    cigar = pd.read_csv(DATA / "cigar.csv")
    ds = Dataset("cigar", cigar, roles={"quantity": "sales", "price": "price"})
    panel = open_panel(PricingPanel, ANALYSIS, datasets=[ds])
    run_panel(qtbot, panel, "cigar", {"mode": "elasticity", "group": "state"})
    r = panel.result
    assert panel.main_table.model.rowCount() == cigar["state"].nunique() == 46
    t = r.tables["elasticity"]
    top = t.iloc[0]
    assert panel.headline.text() == text(r.headline) and panel.headline.text()
    assert cells(panel.main_table, 0)[0] == str(top["group"])
    # each row one period: the notes say rows, and the what-if offers the fitted groups
    assert any("46 of 46 fitted" in text(n) for n in r.notes)
    assert tab_titles(panel)[:2] == ["Price sensitivity", "Prices"]
    with use_language("zh_CN"):
        panel.set_result(r, "cigar", panel.result_params)
        assert CJK.search(panel.headline.text())
        assert all(CJK.search(h) for h in headers(panel.main_table)[1:]), headers(panel.main_table)


@pytest.mark.parametrize(
    "dataset,params",
    [
        ("markdown_sales", MARKDOWN),
        ("price_segments", {"mode": "segments"}),
        ("orders", {"mode": "price_test", "detect": 50}),
        ("orders", {"mode": "price_test", "bandit": True}),
    ],
)
def test_each_plan_reopens_from_the_project_as_it_was(qtbot, panel, tmp_path, dataset, params):
    from bizops_desktop.core.project import AnalysisState, Project, load_project, save_project

    run_panel(qtbot, panel, dataset, params)
    shown = (panel.headline.text(), tab_titles(panel), headers(panel.main_table), cells(panel.main_table, 1))
    second = cells(panel.prices_table, 0)
    r = panel.result
    ds = panel.host.dataset(dataset)
    save_project(
        Project(
            datasets={dataset: ds},
            analyses={"pricing": AnalysisState("pricing", params=panel.result_params, dataset=dataset, result=r)},
        ),
        tmp_path / "p.bizops",
    )
    back = load_project(tmp_path / "p.bizops").analyses["pricing"]
    panel.clear_result()
    panel.restore(back.params, back.dataset, back.result)
    assert (panel.headline.text(), tab_titles(panel), headers(panel.main_table), cells(panel.main_table, 1)) == shown
    assert cells(panel.prices_table, 0) == second
    for name, frame in r.tables.items():
        pd.testing.assert_frame_equal(back.result.tables[name], frame, check_dtype=False)
    assert [text(a.text) for a in back.result.actions] == [text(a.text) for a in r.actions]
    with use_language("zh_CN"):  # saved in English, read in Chinese
        assert CJK.search(text(back.result.headline))


def test_every_mode_lists_only_settings_that_exist():
    names = {p.name for p in ANALYSIS.params}
    for mode, listed in MODE_PARAMS.items():
        assert set(listed) <= names, mode
    assert set(MODE_PARAMS) == set(next(p for p in ANALYSIS.params if p.name == "mode").choices)
