"""The analysis-panel base every tab builds on: the form from Param descriptions, Run/Cancel,
progress, errors in words, the generic result view, export; and the roles dialog."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

from bizops_desktop.core.analysis import Analysis, Result
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import DataError
from bizops_desktop.core.params import Param
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.qt.host import Host
from bizops_desktop.qt.panel import AnalysisPanel
from bizops_desktop.qt.roles_dialog import RolesDialog

gate = threading.Event()


def _run(dataset, params, progress):
    df = dataset.frame
    if params["mode"] == "fail":
        raise DataError("column qty has words in it", where="orders.csv", hint="Fix row 3")
    if params["mode"] == "slow":
        while not gate.is_set():
            progress.report(0.5, "waiting")
            time.sleep(0.01)
    total = df[dataset.col("quantity")].sum() * params["factor"]
    table = pd.DataFrame({"product": ["a", "b"], "units": [total, params["top"]]})
    plot = PlotSpec("Units", "x", "units", [Layer("bar", [0, 1], table["units"], name="units")])
    return Result(
        tables={"units": table},
        metrics={"total": float(total)},
        plots={"units": plot},
        notes=["2 rows were returns and left out."],
    )


ANALYSIS = Analysis(
    id="toy",
    title="Toy",
    summary="sums quantities",
    params=(
        Param("factor", "float", 1.0, "multiply by", minimum=0),
        Param("top", "int", 3, "how many", minimum=1, maximum=10),
        Param("mode", "choice", "ok", "behaviour", choices=("ok", "fail", "slow")),
        Param("alpha", "float", None, "smoothing", optional=True, advanced=True),
    ),
    needs=(("quantity",),),
    run=_run,
)


@pytest.fixture
def host(qtbot):
    h = Host()
    h.add_dataset(Dataset("orders", pd.DataFrame({"qty": [1, 2, 3]}), {"quantity": "qty"}))
    yield h
    gate.set()
    h.jobs.shutdown(5000)
    gate.clear()


@pytest.fixture
def panel(qtbot, host):
    p = AnalysisPanel(ANALYSIS, host)
    qtbot.addWidget(p)
    return p


def run(qtbot, panel):
    with qtbot.waitSignal(panel.run_ended, timeout=10000) as b:
        panel.run_button.click()
    return b.args[0]


def test_form_mirrors_params_and_runs(qtbot, panel):
    assert panel.params() == {"factor": 1.0, "top": 3, "mode": "ok", "alpha": None}
    panel.form.editors["factor"].setText("2.5")
    panel.form.editors["top"].setValue(7)
    assert run(qtbot, panel) == "done"
    assert panel.result.metrics["total"] == 15.0
    assert panel.result_params["top"] == 7
    assert "returns" in panel.message.text()  # notes are shown in words
    assert panel.export_button.isEnabled()


def test_invalid_field_is_named_and_nothing_runs(qtbot, panel):
    panel.form.editors["factor"].setText("-1")
    assert panel.run_analysis() is None
    assert "Factor" in panel.message.text() and "at least 0" in panel.message.text()


def test_missing_role_is_said_before_running(qtbot, host, panel):
    host.add_dataset(Dataset("other", pd.DataFrame({"x": [1]}), {}))
    panel.select_dataset("other")
    assert "needs a column marked as Quantity" in panel.roles_label.text()
    assert panel.run_analysis() is None
    assert "Column roles" in panel.message.text()


def test_data_error_is_shown_in_the_tab(qtbot, panel):
    panel.form.editors["mode"].setCurrentText("fail")
    assert run(qtbot, panel) == "failed"
    assert panel.message.kind == "error"
    assert panel.message.text() == "orders.csv: column qty has words in it. Fix row 3."
    assert panel.run_button.isEnabled()


def test_cancel_keeps_the_previous_result(qtbot, panel):
    assert run(qtbot, panel) == "done"
    before = panel.result
    panel.form.editors["mode"].setCurrentText("slow")
    job = panel.run_analysis()
    qtbot.waitUntil(lambda: panel.status_label.text() == "waiting", timeout=5000)
    assert panel.cancel_button.isEnabled() and not panel.run_button.isEnabled()
    with qtbot.waitSignal(panel.run_ended, timeout=3000) as b:
        panel.cancel_button.click()
    assert b.args == ["cancelled"] and job.state == "cancelled"
    assert panel.result is before


def test_generic_view_and_export(qtbot, panel, tmp_path):
    assert run(qtbot, panel) == "done"
    files = panel.export_tables_csv(tmp_path)
    assert [f.name for f in files] == ["units.csv"]
    assert pd.read_csv(files[0])["units"].tolist() == [6.0, 3.0]
    xlsx = panel.export_tables_excel(tmp_path / "t.xlsx")
    assert pd.read_excel(xlsx, sheet_name="units")["product"].tolist() == ["a", "b"]
    png = panel.export_plot_png("units", tmp_path / "u.png")
    assert png.stat().st_size > 1000 and png.read_bytes()[:4] == b"\x89PNG"


def test_state_round_trip(qtbot, host, panel):
    panel.form.editors["top"].setValue(9)
    assert run(qtbot, panel) == "done"
    state = panel.state()
    other = AnalysisPanel(ANALYSIS, host)
    qtbot.addWidget(other)
    other.restore(state["params"], state["dataset"], state["result"])
    assert other.params()["top"] == 9 and other.result is state["result"]


def test_roles_dialog_guesses_and_keeps_one_column_per_role(qtbot):
    from bizops_desktop.core.plugins import load_registry

    df = pd.DataFrame(
        {
            "订单号": ["A", "A", "B"],
            "商品": ["x", "y", "x"],
            "数量": [1, 2, 1],
            "日期": pd.to_datetime(["2024-01-01"] * 3),
        }
    )
    from bizops_desktop.core.roles import guess_roles

    ds = Dataset("o", df, guess_roles(df))
    dlg = RolesDialog(ds, load_registry(entry_points=False).ordered())
    qtbot.addWidget(dlg)
    assert dlg.roles() == {"order_id": ["订单号"], "product_id": ["商品"], "date": ["日期"], "quantity": ["数量"]}
    assert "✓ Basket rules can run" in dlg.status.text()
    dlg.set_role("数量", "product_id")  # a role moves; the old column lets go
    assert dlg.roles()["product_id"] == ["数量"] and "quantity" not in dlg.roles()
    assert "Basket rules can run" in dlg.status.text()
    assert "✗ Recommendations needs a column marked as Customer (customer_id)<" in dlg.status.text()
    dlg.set_role("订单号", "customer_id")
    assert "✓ Recommendations can run" in dlg.status.text()


def test_table_model_shows_every_kind_of_cell(qtbot):
    from PySide6.QtCore import Qt

    from bizops_desktop.qt.table_model import DataFrameModel

    df = pd.DataFrame(
        {
            "when": pd.to_datetime(["2024-03-05 00:00", None, "2024-03-06 14:30"]),
            "n": pd.array([1, None, 3], dtype="Int64"),
            "x": [1.5, float("nan"), float("inf")],
            "ok": [True, False, True],
            "items": [["a", "b"], ["c"], []],
            "名称": ["咖啡", None, "茶"],
        }
    )
    m = DataFrameModel(df)
    cell = lambda r, c: m.data(m.index(r, c))  # noqa: E731
    assert [cell(0, c) for c in range(6)] == ["Mar 5, 2024", "1", "1.5", "yes", "a, b", "咖啡"]
    assert [cell(1, c) for c in range(6)] == ["", "", "", "no", "c", ""]
    assert cell(2, 0) == "Mar 6, 2024 14:30" and cell(2, 2) == "∞"
    assert m.data(m.index(0, 2), Qt.ItemDataRole.TextAlignmentRole) is not None  # numbers right-aligned
    assert m.data(m.index(0, 5), Qt.ItemDataRole.TextAlignmentRole) is None
    m.sort(2, Qt.SortOrder.DescendingOrder)
    assert [cell(r, 2) for r in range(3)] == ["∞", "1.5", ""]  # missing last
    m.set_filter("咖")
    assert m.rowCount() == 1 and cell(0, 5) == "咖啡"


# -- the generic view in words: headline, notes as messages, column titles and kinds, names -------
@pytest.fixture
def words(tmp_path):
    from bizops_desktop.core.i18n import Domain

    loc = tmp_path / "locale" / "zh_CN"
    loc.mkdir(parents=True)
    (loc / "main.po").write_text(
        """msgid ""
msgstr ""
"Language: zh_CN\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

msgid "{product} sells best: {share:percent} of orders"
msgstr "{product}卖得最好：占订单的{share:percent}"

msgid "{n} row was left out"
msgid_plural "{n} rows were left out"
msgstr[0] "有 {n} 行未计入"

msgid "Share of orders"
msgstr "订单占比"

msgid "Product"
msgstr "商品"

msgid "Standard error"
msgstr "标准误"
""",
        encoding="utf-8",
    )
    return Domain("test_panel_words", localedir=tmp_path / "locale")


def _worded_analysis(d):
    from bizops_desktop.core.display import Column

    def run(dataset, params, progress):
        table = pd.DataFrame({"product": ["P1", "P2"], "share": [0.0384123, 0.5], "se": [0.0123456789, 0.02]})
        return Result(
            tables={"top": table},
            headline=d.message("{product} sells best: {share:percent} of orders", product="Coffee beans", share=0.5),
            notes=[d.nmessage("{n} row was left out", "{n} rows were left out", 2)],
            columns={
                "top": {
                    "product": Column(d.lazy("Product"), "product"),
                    "share": Column(d.lazy("Share of orders"), "percent"),
                    "se": Column(d.lazy("Standard error"), "num", details=True),
                }
            },
            names={"P1": "Tea", "P2": "Coffee beans"},
        )

    return Analysis(id="worded", title="Worded", summary="says it in words", needs=(("quantity",),), run=run)


def test_generic_view_shows_the_answer_in_words_and_statistics_under_details(qtbot, host, words, tmp_path):
    from PySide6.QtCore import Qt

    from bizops_desktop.core.i18n import use_language

    p = AnalysisPanel(_worded_analysis(words), host)
    qtbot.addWidget(p)
    assert run(qtbot, p) == "done"
    assert p.headline.text() == "Coffee beans sells best: 50% of orders" and p.headline.isVisibleTo(p)
    assert p.message.text() == "• 2 rows were left out"
    table = p._generic_widgets[("table", "top")]
    m = table.model
    assert [m.headerData(j, Qt.Orientation.Horizontal) for j in range(3)] == [
        "Product",
        "Share of orders",
        "Standard error",
    ]
    assert [m.data(m.index(0, j)) for j in range(2)] == ["Tea", "3.8%"]  # names, shares as percent
    assert "P1" in m.data(m.index(0, 0), Qt.ItemDataRole.ToolTipRole)  # the id behind the name
    # the statistics column waits under Details
    assert p.details_check.isVisibleTo(p) and table.view.isColumnHidden(2)
    p.details_check.setChecked(True)
    assert not table.view.isColumnHidden(2)
    # exports through the one export path: stable ids, numbers rounded to their meaning
    out = pd.read_csv(p.export_tables_csv(tmp_path)[0])
    assert list(out.columns) == ["product", "share", "se"]
    assert out["product"].tolist() == ["P1", "P2"] and out["share"].tolist() == [0.0384, 0.5]
    assert out["se"].tolist() == [0.0123, 0.02]
    xlsx = pd.read_excel(p.export_tables_excel(tmp_path / "t.xlsx"), sheet_name="top")
    assert xlsx["share"].tolist() == [0.0384, 0.5]
    # the same result read in Chinese (a project saved in English, reopened in Chinese)
    with use_language("zh_CN"):
        p.set_result(p.result, "orders", p.result_params)
        assert p.headline.text() == "Coffee beans卖得最好：占订单的50%"
        assert p.message.text() == "• 有 2 行未计入"
        assert m.headerData(1, Qt.Orientation.Horizontal) == "订单占比"
    p.set_result(None)
    assert not p.headline.isVisibleTo(p) and p._generic_tabs.count() == 0


def test_generic_export_menu_names_plots_by_their_title(qtbot, panel):
    assert run(qtbot, panel) == "done"
    panel._fill_export_menu()
    texts = [a.text() for a in panel.export_menu.actions()]
    assert texts == ["Tables to CSV files…", "Tables to an Excel workbook…", "Plot “Units” to PNG…"]


def test_form_and_roles_dialog_in_chinese(qtbot, host):
    from bizops_desktop.core.i18n import use_language
    from bizops_desktop.core.roles import guess_roles

    with use_language("zh_CN"):
        p = AnalysisPanel(ANALYSIS, host)
        qtbot.addWidget(p)
        assert p.form.advanced_toggle.text() == "更多选项"
        assert p.form.editors["alpha"].placeholderText() == "自动"
        assert (p.run_button.text(), p.cancel_button.text(), p.export_button.text()) == ("运行", "取消", "导出")
        assert p.roles_label.text().startswith("<span style='color:#2e7d32'>使用：")
        df = pd.DataFrame({"订单号": ["A", "B"], "数量": [1, 2]})
        dlg = RolesDialog(Dataset("o", df, guess_roles(df)), [ANALYSIS])
        qtbot.addWidget(dlg)
        assert dlg.windowTitle() == "列的含义 — o"
        assert [dlg.table.horizontalHeaderItem(j).text() for j in range(4)] == ["列", "类型", "示例", "含义"]
        assert [dlg.table.item(i, 1).text() for i in range(2)] == ["文本", "整数"]
        assert "✓ “Toy”可以运行" in dlg.status.text()


def test_a_list_typed_with_chinese_punctuation_is_read(qtbot):
    from bizops_desktop.qt.form import ParamForm

    form = ParamForm([Param("levels", "list", [80, 95], "levels", item="float")])
    qtbot.addWidget(form)
    form.editors["levels"].setText("50，80、95")
    assert form.values() == {"levels": [50.0, 80.0, 95.0]}


def test_search_finds_sentence_cells_by_the_words_shown(qtbot):
    from bizops_desktop.core.i18n import M, use_language
    from bizops_desktop.qt.table_model import DataFrameModel

    df = pd.DataFrame({"why": [M("Search…").to_dict(), None], "params": [{"alpha": 0.24310264996089523}, {}]})
    with use_language("zh_CN"):
        m = DataFrameModel(df)
        m.set_filter("搜索")
        assert m.rowCount() == 1
        assert m.data(m.index(0, 1)) == '{"alpha": 0.243103}'  # settings as rounded JSON
    with use_language("en"):
        m.set_filter("search")
        assert m.rowCount() == 1


def test_long_digit_ids_show_as_written(qtbot):
    from bizops_desktop.qt.table_model import DataFrameModel

    m = DataFrameModel(pd.DataFrame({"订单编号": [2002281389525338520], "件数": [1234567]}))
    assert m.data(m.index(0, 0)) == "2002281389525338520"  # an order number, not 2,002,281,…
    assert m.data(m.index(0, 1)) == "1,234,567"  # a count keeps its separators
