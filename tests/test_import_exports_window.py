"""Shop-system exports through the window: File ▸ Open data on an export (the import dialog's
switch for cancelled orders), Data ▸ Combine for Taobao's two reports (the dialog's key guess,
joined preview and unmatched count), and the roles dialog on headers outside the vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import DataError
from bizops_desktop.core.plugins import load_registry
from bizops_desktop.core.views.baskets import baskets_from_dataset
from bizops_desktop.qt.combine_dialog import CombineDialog
from bizops_desktop.qt.import_dialog import ImportDialog
from bizops_desktop.qt.main_window import MainWindow
from bizops_desktop.qt.roles_dialog import RolesDialog

EXPORTS = Path(__file__).parent / "data" / "exports"
TRUTH = json.loads((EXPORTS / "truth.json").read_text(encoding="utf-8"))
TAOBAO = (EXPORTS / "taobao_orders.csv", EXPORTS / "taobao_items.csv")


@pytest.fixture
def window(qtbot, tmp_path):
    w = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), interactive=False)
    qtbot.addWidget(w)
    yield w
    w.host.jobs.shutdown(5000)


def test_an_export_opened_in_the_window_is_ready_for_every_tab(qtbot, window):
    with qtbot.waitSignal(window.dataset_loaded, timeout=30000) as blocker:
        window.open_data(EXPORTS / "youzan.xlsx", ask=False)
    ds = blocker.args[0]
    assert {"order_id", "customer_id", "product_id", "date", "quantity"} <= set(ds.roles)
    assert baskets_from_dataset(ds).n_orders == TRUTH["youzan.xlsx"]["orders"]
    assert "有赞" in window.datasets_panel.info.text() or "Youzan" in str(ds.notes[0])


def test_a_masked_export_in_the_window_refuses_churn_with_the_reason(qtbot, window):
    with qtbot.waitSignal(window.dataset_loaded, timeout=30000) as blocker:
        window.open_data(EXPORTS / "douyin.csv", ask=False)
    ds = blocker.args[0]
    with pytest.raises(DataError, match="no buyer id"):
        load_registry().analysis("churn").execute(ds, {})


def test_the_import_dialog_keeps_cancelled_orders_when_asked(qtbot):
    dlg = ImportDialog(EXPORTS / "jd.xlsx")
    qtbot.addWidget(dlg)
    left_out = dlg.preview_result.frame
    assert not dlg.options().keep_cancelled
    dlg.keep_cancelled.setChecked(True)
    qtbot.waitUntil(lambda: len(dlg.preview_result.frame) > len(left_out), timeout=10000)
    assert dlg.options().keep_cancelled
    assert set(dlg.preview_result.frame["订单状态"]) > set(left_out["订单状态"])


def test_the_combine_dialog_guesses_the_key_and_counts_the_lines_without_an_order(qtbot):
    dlg = CombineDialog(TAOBAO)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.combined is not None, timeout=30000)
    assert dlg.key() == ("订单编号", "订单编号")
    assert "3 lines found no order" in dlg.summary.text()
    assert dlg.table.model.rowCount() > 0
    assert dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert dlg.paths() == list(TAOBAO)


def test_data_combine_in_the_window_loads_one_table(qtbot, window):
    with qtbot.waitSignal(window.dataset_loaded, timeout=30000) as blocker:
        window.combine_data(TAOBAO, ask=False)
    ds = blocker.args[0]
    assert ds.name == "taobao_items + taobao_orders"
    assert baskets_from_dataset(ds).n_orders == TRUTH["combine:taobao_orders.csv+taobao_items.csv"]["orders"]
    assert ds.col("customer_id") == "买家会员名"


@pytest.mark.parametrize(
    "frame, want",
    [
        (
            pd.DataFrame(
                {
                    "Beleg-Nr": ["B1", "B1", "B2", "B3"],
                    "household_key": ["H1", "H1", "H2", "H1"],
                    "Item sku": ["a", "b", "a", "c"],
                    "Pieces": [1, 2, 1, 1],
                    "sales_value": [2.0, 3.0, 2.0, 1.5],
                    "Sold on": pd.to_datetime(["2024-03-01", "2024-03-01", "2024-03-02", "2024-03-03"]),
                }
            ),
            {"household_key": "customer_id", "Item sku": "product_id", "Pieces": "quantity", "sales_value": "amount"},
        ),
        (
            pd.DataFrame(
                {
                    "Receipt": ["R1", "R2", "R2", "R3"],
                    "Lineitem name": ["Tea", "Mug", "Tea", "Tea"],
                    "Lineitem qty": [1, 1, 2, 1],
                    "Each": [3.5, 8.0, 3.5, 3.5],
                    "Buyer Email": ["a@x", "b@x", "b@x", "a@x"],
                }
            ),
            {
                "Receipt": "order_id",
                "Lineitem name": "product_name",
                "Lineitem qty": "quantity",
                "Buyer Email": "customer_id",
            },
        ),
    ],
)
def test_the_roles_dialog_on_headers_outside_the_vocabulary_shows_sensible_guesses(qtbot, frame, want):
    from bizops_desktop.core.importer.platforms import guess_export_roles

    ds = Dataset("invented", frame, roles=guess_export_roles(frame))
    dlg = RolesDialog(ds, load_registry().ordered())
    qtbot.addWidget(dlg)
    for col, role in want.items():
        assert dlg.combos[col].currentData() == role, (col, dlg.roles())
