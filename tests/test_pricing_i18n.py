"""The Pricing tab in the shop's words and in Chinese: headlines that answer with product names and
money, every shown table described for people, statistics under Details, and a result saved in
English that reads in Chinese when reopened."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core import demo
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import UsageError
from bizops_desktop.core.i18n import text, use_language
from bizops_desktop.core.progress import Progress
from bizops_pricing import ANALYSIS
from bizops_pricing.analysis import product_names

CJK = re.compile(r"[\u4e00-\u9fff]")
# statistics' own names, kept as written in Chinese texts too
KEPT = {"Duan", "Durbin", "Watson", "Jarque", "Bera", "Breusch", "Pagan", "AIC", "BIC", "log"}


def _english_words(s: str, data_words) -> list[str]:
    for w in sorted(data_words, key=len, reverse=True):
        s = s.replace(w, "")
    return [w for w in re.findall(r"[A-Za-z]{3,}", s) if w not in KEPT]


@pytest.fixture(scope="module")
def zh_shop():
    shop = {d.name: d for d in demo.load_demo(lang=demo.ZH)}
    truth = demo.load_truth(demo.ZH)
    o = shop["orders"]
    costs = {p: v["unit_cost"] for p, v in truth["demand"]["products"].items()}
    frame = o.frame.assign(单位成本=o.frame[o.col("product_id")].map(costs))
    shop["orders_with_cost"] = Dataset("orders", frame, roles=o.roles)
    return shop


@pytest.fixture(scope="module")
def zh_elasticity(zh_shop):
    with use_language("zh_CN"):
        return ANALYSIS.execute(zh_shop["orders"], {}, Progress())


def test_chinese_shop_headline_names_the_best_seller_in_chinese(zh_shop, zh_elasticity):
    r = zh_elasticity
    top = str(r.tables["elasticity"]["group"].iloc[0])
    name = r.names[top]
    o = zh_shop["orders"].frame
    assert name in set(o[zh_shop["orders"].col("product_name")])  # the 宝贝标题, not the 商家编码
    with use_language("zh_CN"):
        head = text(r.headline)
        notes = [text(n) for n in r.notes]
    assert head.startswith(name) and top not in head
    assert "顾客对价格" in head and "弹性" in head and "涨价10%" in head
    data = set(r.names.values()) | set(map(str, o.columns))
    for t in [head, *notes]:
        assert CJK.search(t), t
        assert _english_words(t, data) == [], t


def test_headline_reads_the_elasticity_in_plain_words():
    # constant elasticity -2.5: 10% dearer sells 1.1^-2.5 - 1 = -21% units, 10% cheaper +30%
    res = ANALYSIS.execute(_planted({"A1": -2.5}), {}, Progress())
    head = text(res.headline)
    assert head.startswith("Oat drink 1l, your best seller: customers react strongly to price (elasticity -2.5")
    assert "a 10% higher price sells about 21% fewer units, a 10% cut about 30% more" in head
    assert res.names == {"A1": "Oat drink 1l"}
    reading = text(res.tables["elasticity"]["reading"].iloc[0])
    assert reading == "strong: 10% dearer, about 21% fewer units"


def test_headline_with_costs_gives_the_price_and_the_money():
    res = ANALYSIS.execute(_planted({"A1": -2.5}), {"unit_cost": 1.0}, Progress())
    head = text(res.headline)
    # cost 1, e about -2.5: the most profitable price is about 1 x 2.5 / 1.5 = 1.67, inside the prices
    # seen; the last week's price is 2.40
    assert re.fullmatch(
        r"Biggest gain: Oat drink 1l at \$1\.6\d instead of \$2\.40 should earn about \$\d+ "
        r"more profit per week; fairly sure: more profit across the whole range of the estimate "
        r"\(\$\d+\.\d\d to \$\d+\.\d\d more per week\)",
        head,
    ), head
    with use_language("zh_CN"):
        zh = text(res.headline)
    assert zh.startswith("最大增利机会：Oat drink 1l从¥2.40调到¥1.6") and "每周预计多赚约¥" in zh
    assert "；比较有把握：在估计范围内都能多赚（每周多赚¥" in zh


def test_headline_says_so_when_the_prices_are_already_right():
    # cost 1.44, e -2.5: the most profitable price is 1.44 x 2.5 / 1.5 = 2.40, the current price
    res = ANALYSIS.execute(_planted({"A1": -2.5}), {"unit_cost": 1.44}, Progress())
    assert text(res.headline) == "Oat drink 1l: the current price $2.40 is about right for profit"
    res = ANALYSIS.execute(_planted({"A1": -2.5, "B2": -2.0}), {"unit_cost": 1.44}, Progress())
    with use_language("zh_CN"):
        assert text(res.headline) == "当前定价已接近利润最高的水平：任何调价都多赚不到1%"


def test_headline_is_honest_when_prices_hardly_changed():
    res = ANALYSIS.execute(_planted({"A1": -2.0, "B2": -1.5}, flat=True), {}, Progress())
    head = text(res.headline)
    assert head.startswith("Not enough price changes to tell how customers react: none of the 2 products")
    assert np.isnan(res.tables["elasticity"]["elasticity"]).all()
    with use_language("zh_CN"):
        assert text(res.headline).startswith("价格变动太少")
        assert "价格变动太少，无法判断" in text(res.tables["elasticity"]["note"].iloc[0])


def test_every_shown_table_has_plain_column_titles_and_statistics_under_details(zh_shop):
    with use_language("zh_CN"):
        r = ANALYSIS.execute(zh_shop["orders_with_cost"], {"cost_column": "单位成本", "price_change": 5}, Progress())
        reg = ANALYSIS.execute(zh_shop["weekly_sales"], {"mode": "regression"}, Progress())
    for res in (r, reg):
        for name, frame in res.tables.items():
            specs = res.columns[name]
            assert set(frame.columns) <= set(specs), (name, set(frame.columns) - set(specs))
            with use_language("zh_CN"):
                for c, spec in specs.items():
                    if spec.kind != "hidden":
                        assert CJK.search(text(spec.title)) or text(spec.title) in ("R²", "t"), (name, c)
    el = r.columns["elasticity"]
    assert {c for c, s in el.items() if s.details} == {
        "std_error",
        "ci_low",
        "ci_high",
        "n_periods",
        "r2",
        "profit_change_low",
        "profit_change_high",
    }
    assert el["group"].kind == "product" and el["suggested_price"].kind == "money" and el["r2"].kind == "percent"
    with use_language("zh_CN"):
        assert text(el["ci_low"].title) == "低估计（95%）"
    co = reg.columns["coefficients"]
    assert {c for c, s in co.items() if s.details} == {"std_error", "t", "p_value", "ci_low", "ci_high"}
    with use_language("en"):
        assert text(co["ci_high"].title) == "High estimate (95%)"
        assert text(reg.headline).startswith("What drives 销量: 价格, 广告费, and 促销 explain 84% of its ups")
    # the stored tables keep their ids and numbers; sentence cells are messages
    assert list(reg.tables["coefficients"].columns[:7]) == [
        "term",
        "estimate",
        "std_error",
        "t",
        "p_value",
        "ci_low",
        "ci_high",
    ]
    with use_language("zh_CN"):
        meaning = text(reg.tables["coefficients"].set_index("term").loc["价格", "meaning"])
    assert meaning.startswith("价格每增加1，销量减少")


def test_a_result_saved_in_english_reads_in_chinese_after_loading(tmp_path, zh_shop):
    from bizops_desktop.core.project import AnalysisState, Project, load_project, save_project

    ds = zh_shop["orders_with_cost"]
    params = ANALYSIS.resolve({"cost_column": "单位成本", "controls": ["是否参与活动"]})
    with use_language("en"):
        result = ANALYSIS.execute(ds, params, Progress())
        english = text(result.headline)
    save_project(
        Project(
            datasets={"orders": ds},
            analyses={"pricing": AnalysisState("pricing", params=params, dataset="orders", result=result)},
        ),
        tmp_path / "p.bizops",
    )
    back = load_project(tmp_path / "p.bizops").analyses["pricing"].result
    with use_language("zh_CN"):
        head = text(back.headline)
        notes = [text(n) for n in back.notes]
        note_cells = [text(v) for v in back.tables["prices"]["note"] if v is not None]
        title = text(back.columns["prices"]["suggested_price"].title)
        plot = back.plots["loglog"].localized("zh_CN")
    assert english.startswith("Biggest gain: ") and head.startswith("最大增利机会：")
    assert all(CJK.search(n) for n in notes) and any("保持不变：是否参与活动" in n for n in notes)
    assert title == "建议售价" and plot.x_label == "平均价格（对数）"
    assert all(CJK.search(c) for c in note_cells)
    assert back.names == result.names
    pd.testing.assert_frame_equal(
        back.tables["elasticity"].drop(columns=["note", "reading"]),
        result.tables["elasticity"].drop(columns=["note", "reading"]),
    )


def test_chinese_tab_shows_plain_tables_and_a_details_tab(qtbot, open_panel, zh_shop):
    from helpers import run_panel
    from PySide6.QtCore import Qt

    from bizops_pricing.panel import DETAILS_TAB, PricingPanel

    with use_language("zh_CN"):
        panel = open_panel(PricingPanel, ANALYSIS, datasets=[zh_shop["orders"]])
        run_panel(qtbot, panel, "orders", {"mode": "elasticity"})
        headers = [
            panel.main_table.model.headerData(i, Qt.Orientation.Horizontal)
            for i in range(panel.main_table.model.columnCount())
        ]
        details = [
            panel.details_table.model.headerData(i, Qt.Orientation.Horizontal)
            for i in range(panel.details_table.model.columnCount())
        ]
        combo = panel.product_combo.currentText()
        assert panel.tabs.tabText(DETAILS_TAB) == "详细信息"
        assert CJK.search(panel.headline.text()) and CJK.search(panel.units_label.text())
        assert panel.profit_label.text() == "填写单件成本即可看到利润"
    assert headers[:3] == ["商品", "价格弹性", "对价格的反应"]
    assert "标准误" not in headers and "单件成本" not in headers  # no cost given: no empty cost columns
    assert {"标准误", "低估计（95%）", "高估计（95%）", "R²"} <= set(details)
    assert combo == panel.result.names[panel.product_combo.currentData()]


# -- helpers ---------------------------------------------------------------------------------------
def _planted(elasticities: dict, *, weeks: int = 80, flat: bool = False, seed: int = 3) -> Dataset:
    """Weekly order lines of products with constant-elasticity demand (price steps of 10%)."""
    rng = np.random.default_rng(seed)
    names = {"A1": "Oat drink 1l", "B2": "Rye bread 500g"}
    rows = []
    for pid, e in elasticities.items():
        for w in range(weeks):
            price = 2.0 if flat else 2.0 * (0.8, 0.9, 1.0, 1.1, 1.2)[w % 5]
            units = max(1, int(round(40 * (price / 2.0) ** e * np.exp(rng.normal(0, 0.05)))))
            rows.append(
                (f"O{pid}{w}", pd.Timestamp("2030-01-07") + pd.Timedelta(weeks=w), pid, names[pid], units, price)
            )
    f = pd.DataFrame(rows, columns=["order", "date", "sku", "title", "qty", "price"])
    return Dataset(
        "o",
        f,
        roles={
            "order_id": "order",
            "date": "date",
            "product_id": "sku",
            "product_name": "title",
            "quantity": "qty",
            "price": "price",
        },
    )


def test_a_cost_sheet_typed_in_chinese_with_full_width_marks(zh_shop):
    ds = zh_shop["orders"]
    names = product_names(ds)
    first, second = sorted(names)[:2]
    sheet = f"{names[first]}：5.5，{second}=3"  # 全角冒号、全角逗号
    params = ANALYSIS.resolve({"mode": "elasticity", "costs": sheet})
    with use_language("zh_CN"):
        res = ANALYSIS.execute(ds, params, Progress())
        with pytest.raises(UsageError) as err:
            ANALYSIS.execute(ds, {"mode": "elasticity", "costs": ["没有这个商品=2"]}, Progress())
    pr = res.tables["prices"].set_index("product")
    assert pr.loc[first, "unit_cost"] == 5.5 and pr.loc[second, "unit_cost"] == 3.0
    assert pr.drop(index=[first, second])["unit_cost"].isna().all()
    assert "成本表" in str(err.value)
