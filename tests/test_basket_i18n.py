"""Basket rules in the reader's language: the headline, notes, "why" sentences, column titles,
plot texts and errors read in Chinese on the Chinese demo shop; a result saved in English reads
in Chinese when reopened; the headline is honest when no products really go together."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

import bizops_basket.analysis as basket_analysis
from bizops_basket import ANALYSIS
from bizops_basket.analysis import headline, why_sentence
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.demo import load_demo
from bizops_desktop.core.display import cell_text, title
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.i18n import text, use_language

CJK = re.compile(r"[\u4e00-\u9fff]")
WORDS = re.compile(r"[A-Za-z]{2,}")
SHOWN = {"min_support": 0.003, "min_confidence": 0.02, "min_lift": 0.0}


@pytest.fixture(scope="module")
def zh_orders() -> Dataset:
    return next(d for d in load_demo(lang="zh_CN") if d.name == "orders")


@pytest.fixture(scope="module")
def zh_result(zh_orders):
    return ANALYSIS.execute(zh_orders, SHOWN)


def _without_names(s: str, names) -> str:
    for n in sorted(names, key=len, reverse=True):  # product names are data: they may hold "kg", "ml"
        s = s.replace(n, "")
    return s


def _chinese(s: str, names=()) -> bool:
    rest = _without_names(s, names)
    return bool(CJK.search(rest)) and not WORDS.search(rest)


def test_headline_notes_and_sentences_read_in_chinese(zh_result):
    res = zh_result
    names = set(res.names.values())
    rules = res.tables["rules"]
    top_a, top_c = rules["antecedent_names"].iat[0], rules["consequent_names"].iat[0]
    with use_language("zh_CN"):
        head = text(res.headline)
        assert _chinese(head, names), head
        # the strongest link by name and numbers: who buys what, how often, how many times average
        assert all(n in head for n in top_a + top_c)
        assert f"{rules['confidence'].iat[0]:.0%}" in head and "倍" in head
        assert res.notes and all(_chinese(text(n), names) for n in res.notes), [text(n) for n in res.notes]
        for why in rules["why"].head(20):
            assert _chinese(text(why), names), text(why)
        plot = res.plots["rules"].localized()
        assert all(_chinese(t) for t in (plot.title, plot.x_label, plot.y_label, plot.layers[0].name))
    with use_language("en"):
        assert text(res.headline).startswith("Customers who buy ")


def test_columns_cover_the_tables_with_titles_and_kinds(zh_result):
    res = zh_result
    for name, frame in res.tables.items():
        assert set(frame.columns) <= set(res.columns[name]), name
    rules = res.columns["rules"]
    kinds = {c: spec.kind for c, spec in rules.items()}
    assert kinds["support"] == kinds["confidence"] == "percent"
    assert kinds["lift"] == "num" and kinds["count"] == "int"
    # the sides by name; the ids behind them kept for scripts
    assert kinds["antecedent_names"] == kinds["consequent_names"] == "text"
    assert kinds["antecedents"] == kinds["consequents"] == "hidden"
    assert {c for c, spec in rules.items() if spec.details} == {
        "antecedent_support",
        "consequent_support",
        "leverage",
        "conviction",
    }
    assert res.columns["itemsets"]["itemset"].kind == "product"
    assert res.columns["itemsets"]["support"].kind == "percent"
    # products by name: every product of the tables has its name
    ids = {str(i) for s in res.tables["itemsets"]["itemset"] for i in s}
    assert ids <= set(res.names) and all(CJK.search(res.names[i]) for i in ids)
    with use_language("zh_CN"):
        for name, cols in res.columns.items():
            for c, spec in cols.items():
                assert _chinese(title(c, spec)) or spec.kind == "hidden", (name, c, title(c, spec))
        assert cell_text(0.0384, rules["confidence"]) == "3.8%"
        assert title("lift", rules["lift"]) == "是平均的几倍（提升度）"
    # a basket file without product names: the id lists are the names people read
    rows = pd.DataFrame({"basket": ["tea,milk", "tea,milk", "tea", "milk,bread"]})
    plain = ANALYSIS.execute(Dataset("baskets", rows), {"min_support": 0.25, "min_confidence": 0.0})
    assert set(plain.tables["rules"].columns) <= set(plain.columns["rules"])
    assert plain.columns["rules"]["antecedents"].kind == "text" and plain.names == {}
    # the stored tables keep their ids and plain numbers
    assert list(res.tables["itemsets"].columns) == basket_analysis.ITEMSET_COLUMNS
    assert res.tables["rules"]["confidence"].dtype == float


def test_a_result_saved_in_english_reads_in_chinese_after_loading(tmp_path, monkeypatch):
    from bizops_desktop.core.project import AnalysisState, Project, load_project, save_project

    orders = next(d for d in load_demo() if d.name == "orders")
    with use_language("en"):
        res = ANALYSIS.execute(orders, SHOWN)
        english = text(res.headline)
    save_project(
        Project(analyses={"basket": AnalysisState("basket", plugin="bizops_basket", params=SHOWN, result=res)}),
        tmp_path / "shop.bizops",
    )

    def no_recompute(*_a, **_k):
        raise AssertionError("the saved result must be shown without running the analysis again")

    monkeypatch.setattr(basket_analysis, "run", no_recompute)
    back = load_project(tmp_path / "shop.bizops").analyses["basket"].result
    names = set(back.names.values()) | {n for ns in back.tables["rules"]["antecedent_names"] for n in ns}
    with use_language("zh_CN"):
        head = text(back.headline)
        assert head != english and _chinese(head, names) and "Dry dog food 4kg" in head
        assert all(_chinese(text(n), names) for n in back.notes)
        assert _chinese(text(back.tables["rules"]["why"].iat[0]), names)
        assert _chinese(title("confidence", back.columns["rules"]["confidence"]))
        assert _chinese(back.plots["rules"].localized().title)
    assert back.names == res.names
    with use_language("en"):
        assert text(back.headline) == english


def test_the_headline_says_so_when_there_is_no_real_link():
    # every product bought independently of the others: all lifts are close to 1
    rng = np.random.default_rng(4)
    rows = [(o, p) for o in range(4000) for p in ("tea", "soap", "rice", "salt") if rng.random() < 0.5]
    ds = Dataset(
        "independent",
        pd.DataFrame(rows, columns=["order", "product"]),
        roles={"order_id": "order", "product_id": "product"},
    )
    res = ANALYSIS.execute(ds, {"min_support": 0.05, "min_confidence": 0.0, "min_lift": 0.0, "max_len": 2})
    top = float(res.tables["rules"]["lift"].iat[0])
    assert 0.95 <= top < 1.05
    with use_language("en"):
        assert text(res.headline).startswith("No real link between products")
    with use_language("zh_CN"):
        assert text(res.headline).startswith("商品之间没有明显关联")
    below = text(headline(["a"], ["b"], 0.2, 0.6, 50, 1000), "en")
    assert below.startswith("No real link") and "less often than on average" in below
    few = text(headline(["a"], ["b"], 0.9, 12.0, 3, 1000), "en")
    assert "only 3 orders had both, too few to be sure" in few
    one = text(headline(["a"], ["b"], 0.9, 12.0, 1, 1000), "en")
    assert "only 1 order had both" in one
    none = text(headline(None, None, 0.0, float("nan"), 0, 1000), "zh_CN")
    assert none.startswith("在这1,000笔订单中，没有商品")


def test_why_sentences_in_chinese_at_every_lift():
    def zh(*args):
        return text(why_sentence(*args), "zh_CN")

    assert zh(["咖啡豆"], ["滤纸"], 0.84, 15.04) == "买了咖啡豆的顾客，有84%的订单也买了滤纸，是平均水平的15倍。"
    assert "没有明显关联" in zh(["A"], ["B"], 0.5, 1.01)
    assert zh(["A", "B", "C"], ["D"], 0.1, 0.5).startswith("买了A、B和C的顾客")
    assert "1/2" in zh(["A"], ["B"], 0.1, 0.5)
    # the table keeps each sentence in its saved form, as the project file and exports read it
    m = why_sentence(["A", "B"], ["C"], np.float64(0.25), np.float64(3.04))
    assert basket_analysis._cell(m) == m.to_dict()


def test_errors_and_hints_read_in_chinese(zh_orders):
    with use_language("zh_CN"):
        with pytest.raises(UsageError) as err:
            ANALYSIS.execute(zh_orders, {"antecedent": "鱼子酱"})
        assert "数据中没有商品“鱼子酱”" in str(err.value) and "请填写" in str(err.value)
        with pytest.raises(DataError) as err:
            ANALYSIS.execute(zh_orders, {"min_support": 0.001, "max_itemsets": 10})
        msg = str(err.value)
        assert "商品组合太多" in msg and "上限10" in msg and "最低支持度" in msg


def test_the_tab_in_chinese(qtbot, open_panel):
    from helpers import run_panel

    from bizops_basket.panel import BasketPanel

    zh = [d for d in load_demo(lang="zh_CN")]
    with use_language("zh_CN"):
        panel = open_panel(BasketPanel, ANALYSIS, datasets=zh, show=True)
        run_panel(qtbot, panel, "orders", SHOWN)
        res = panel.result
        names = set(res.names.values())
        assert _chinese(panel.headline.text(), names)
        assert _chinese(panel.summary_label.text()) and _chinese(panel.lift_label.text())
        model = panel.table.model
        headers = {
            model.frame().columns[j]: model.headerData(j, Qt.Orientation.Horizontal) for j in range(model.columnCount())
        }
        assert headers["antecedent_names"] == "订单里有" and headers["consequent_names"] == "也会买"
        assert headers["confidence"] == "也买了的比例（置信度）"
        # shares as percent, the product lists by name
        j = list(model.frame().columns).index("confidence")
        assert model.data(model.index(0, j)).endswith("%")
        j = list(model.frame().columns).index("antecedent_names")
        assert model.data(model.index(0, j)) in names
        # statistics only under Details
        details = [j for j in range(model.columnCount()) if model.column_spec(j).details]
        assert len(details) == 4 and all(panel.table.view.isColumnHidden(j) for j in details)
        panel.details_check.setChecked(True)
        assert not any(panel.table.view.isColumnHidden(j) for j in details)
        panel.product_combo.setCurrentIndex(1)  # a filter keeps the details shown
        assert not any(panel.table.view.isColumnHidden(j) for j in details)
        panel.details_check.setChecked(False)
        assert all(panel.table.view.isColumnHidden(j) for j in details)
        # ids stay behind the names, hidden
        hidden = [model.frame().columns[j] for j in range(model.columnCount()) if panel.table.view.isColumnHidden(j)]
        assert {"antecedents", "consequents"} <= set(hidden)
        # the selected rule explained in Chinese
        panel.product_combo.setCurrentIndex(0)
        assert panel.select_rule(0)
        assert _chinese(panel.why_label.text(), names)
        # the product sets tab, by name
        panel.tabs.setCurrentWidget(panel.sets_table)
        sets = panel.sets_table.model
        assert sets.rowCount() == len(res.tables["itemsets"])
        assert sets.headerData(0, Qt.Orientation.Horizontal) == "商品"
        assert sets.data(sets.index(0, 0)) in names
        assert _chinese(panel.tabs.tabText(1)) and _chinese(panel.details_check.text())
