"""A parameter that names another open table (Param kind "dataset"): the core resolves a name to
the open table, a path to a file, nothing to the first other table with the roles asked for; the
form lists the open tables; the CLI takes a table name (--demo/--project) or a file; the Stock
planning tab uses the table picked (its stock numbers are the ones in the result)."""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.analysis import Analysis, Result
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import DataError
from bizops_desktop.core.params import Param, resolve_params, resolve_tables

SHEET = Param("stock_sheet", "dataset", None, roles=("on_hand",))
COSTS = Param("cost_sheet", "dataset", None)


def table(name, roles, frame=None):
    frame = frame if frame is not None else pd.DataFrame({c: [1] for r, c in roles.items()})
    return Dataset(name, frame, roles={r: [c] for r, c in roles.items()})


ORDERS = table("orders", {"product_id": "p", "date": "d", "quantity": "q"})
STOCK = table("my stock", {"product_id": "p", "on_hand": "oh"})
COST = table("costs", {"product_id": "p", "cost": "c"})


def test_a_name_is_the_open_table_of_that_name():
    got = resolve_tables(
        [SHEET, COSTS], {"stock_sheet": "my stock", "cost_sheet": "costs"}, ORDERS, [ORDERS, STOCK, COST]
    )
    assert got["stock_sheet"] is STOCK and got["cost_sheet"] is COST
    # a mapping of open tables works the same
    got = resolve_tables([SHEET], {"stock_sheet": "my stock"}, ORDERS, {"my stock": STOCK})
    assert got["stock_sheet"] is STOCK


def test_no_name_takes_another_table_with_the_roles_or_none():
    got = resolve_tables([SHEET, COSTS], {"stock_sheet": None, "cost_sheet": None}, ORDERS, [ORDERS, COST, STOCK])
    assert got["stock_sheet"] is STOCK  # the only one with stock on hand
    assert got["cost_sheet"] is None  # no roles asked: nothing is guessed
    # the table the analysis runs on is never its own "other table"
    both = table("orders", {"product_id": "p", "on_hand": "oh"})
    assert resolve_tables([SHEET], {"stock_sheet": None}, both, [both])["stock_sheet"] is None


def test_a_path_is_read_as_a_file(tmp_path):
    path = tmp_path / "库存表.csv"
    path.write_text("商家编码,现有库存\nA1,12\nA2,0\n", encoding="utf-8")
    got = resolve_tables([SHEET], {"stock_sheet": str(path)}, ORDERS, [ORDERS], files=True)["stock_sheet"]
    assert got.name == "库存表" and got.has("on_hand") and got.frame[got.col("on_hand")].tolist() == [12, 0]


def test_a_path_saved_in_a_project_is_never_read(tmp_path):
    """Only a name typed on the command line may be a file: a project file (a stranger's, maybe)
    naming /etc/passwd or the user's documents gets the plain 'no such table' message."""
    from bizops_desktop.core.errors import DataError

    path = tmp_path / "secret.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError, match="no open table"):
        resolve_tables([SHEET], {"stock_sheet": str(path)}, ORDERS, [ORDERS])


def test_an_unknown_name_is_a_data_error_naming_the_open_tables():
    with pytest.raises(DataError) as e:
        resolve_tables([SHEET], {"stock_sheet": "stok"}, ORDERS, [ORDERS, STOCK])
    assert "stok" in e.value.message and "stock_sheet" in e.value.where and "my stock" in e.value.hint


def test_values_from_every_face():
    assert resolve_params([SHEET], {"stock_sheet": "  my stock "})["stock_sheet"] == "my stock"
    assert resolve_params([SHEET], {"stock_sheet": "auto"}, from_text=True)["stock_sheet"] is None
    assert resolve_params([SHEET], {"stock_sheet": ""})["stock_sheet"] is None
    assert resolve_params([SHEET], {"stock_sheet": STOCK})["stock_sheet"] is STOCK
    assert "table or file" in SHEET.describe() and "auto" in SHEET.describe()


def test_execute_hands_the_table_to_run_and_the_saved_params_keep_the_name():
    seen = {}

    def run(ds, params, progress):
        seen.update(params)
        return Result()

    a = Analysis("t", "T", "", params=(SHEET,), run=run)
    given = {"stock_sheet": "my stock"}
    a.execute(ORDERS, given, tables=[ORDERS, STOCK])
    assert seen["stock_sheet"] is STOCK and given == {"stock_sheet": "my stock"}
    json.dumps(a.resolve(given))  # what the project file keeps is plain JSON


# ------------------------------------------------------------------------------------- the form
def test_the_form_lists_the_open_tables_and_keeps_the_choice(qtbot):
    from bizops_desktop.qt.form import ParamForm

    form = ParamForm([SHEET, COSTS])
    qtbot.addWidget(form)
    combo = form.editors["stock_sheet"]
    assert combo.count() == 1 and form.values() == {"stock_sheet": None, "cost_sheet": None}
    form.set_datasets(["orders", "my stock", "costs"])
    assert [combo.itemText(i) for i in range(1, combo.count())] == ["orders", "my stock", "costs"]
    form.set_values({"stock_sheet": "my stock", "cost_sheet": "costs"})
    assert form.values() == {"stock_sheet": "my stock", "cost_sheet": "costs"}
    form.set_datasets(["costs", "my stock"])  # tables opened or closed: the choice stays
    assert form.values()["stock_sheet"] == "my stock"
    form.set_datasets(["costs"])  # the table closed: back to automatic
    assert form.values()["stock_sheet"] is None and form.values()["cost_sheet"] == "costs"
    form.set_values({"stock_sheet": "saved sheet"})  # a project saved with a table not open yet
    assert form.values()["stock_sheet"] == "saved sheet"


# ------------------------------------------------------------------- the Stock tab, CLI, window
def small_shop(seed=7, days=300):
    """Five products selling every day at known rates, and a stock sheet for them."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    rows = []
    for k, rate in enumerate((3.0, 5.0, 8.0, 2.0, 4.0)):
        q = rng.poisson(rate, days)
        rows += [{"product_id": f"A{k}", "date": d.date().isoformat(), "quantity": int(n), "price": 10.0}
                 for d, n in zip(dates, q) if n > 0]  # fmt: skip
    orders = pd.DataFrame(rows)
    sheet = pd.DataFrame({"product_id": [f"A{k}" for k in range(5)], "on_hand": [10, 200, 30, 400, 5],
                          "lead_time": [7] * 5, "unit_cost": [4.0] * 5})  # fmt: skip
    return orders, sheet


def test_cli_reads_the_stock_sheet_from_a_file_or_a_table(tmp_path, capsys):
    from bizops_desktop.cli import main

    orders, sheet = small_shop()
    orders.to_csv(tmp_path / "orders.csv", index=False)
    sheet.to_csv(tmp_path / "levels.csv", index=False)
    out = tmp_path / "out"
    args = ["run", "stock", "--data", str(tmp_path / "orders.csv"), "--set", "forecast_method=ses", "--out", str(out)]
    assert main([*args, "--set", f"stock_sheet={tmp_path / 'levels.csv'}"]) == 0
    got = pd.read_csv(out / "orders.csv", dtype={"product": str}).set_index("product")["on_hand"]
    assert got.to_dict() == dict(zip(sheet["product_id"], sheet["on_hand"].astype(float)))
    # a name that is neither an open table nor a file: exit 1, one line naming the parameter
    assert main([*args, "--set", "stock_sheet=nowhere"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nowhere" in err[0] and "stock_sheet" in err[0]


def test_cli_demo_takes_the_stock_table_by_name(tmp_path, capsys):
    from bizops_desktop.cli import main
    from bizops_desktop.core.demo import demo_dir

    args = ["run", "stock", "--demo", "--dataset", "orders", "--set", "forecast_method=ses", "--out", str(tmp_path)]
    assert main([*args, "--set", "stock_sheet=stock"]) == 0
    sheet = pd.read_csv(demo_dir() / "stock.csv", dtype={"product_id": str}).set_index("product_id")
    got = pd.read_csv(tmp_path / "orders.csv", dtype={"product": str}).set_index("product")["on_hand"]
    assert (got == sheet["on_hand"].reindex(got.index)).all()
    # a table without stock on hand is refused in one line naming it
    assert main([*args, "--set", "stock_sheet=reviews"]) == 1
    assert "reviews" in capsys.readouterr().err


def test_the_stock_tab_uses_the_table_picked(qtbot, open_panel, demo_datasets):
    """The demo shop with a second stock sheet whose stock is three times the first: the tab
    picks either from the form's list, and the order proposal shows that sheet's stock."""
    from helpers import run_panel

    from bizops_stock import ANALYSIS
    from bizops_stock.panel import StockPanel

    stock = next(d for d in demo_datasets if d.name == "stock")
    tripled = copy.copy(stock)
    tripled.name = "stock after delivery"
    tripled.frame = stock.frame.copy()
    tripled.frame[stock.col("on_hand")] = stock.frame[stock.col("on_hand")] * 3
    panel = open_panel(StockPanel, ANALYSIS, datasets=[*demo_datasets, tripled])
    combo = panel.form.editors["stock_sheet"]
    names = [combo.itemText(i) for i in range(combo.count())]
    assert "stock" in names and "stock after delivery" in names
    expected = stock.frame.set_index(stock.col("product_id"))[stock.col("on_hand")]
    for pick, factor in (("stock after delivery", 3), ("stock", 1)):
        combo.setCurrentIndex(combo.findData(pick))
        run_panel(qtbot, panel, "orders", {"forecast_method": "ses", "stock_sheet": pick})
        got = panel._result.tables["orders"].set_index("product")["on_hand"]
        assert (got == expected.reindex(got.index) * factor).all(), pick
        assert pick in str(panel._result.notes[0])
