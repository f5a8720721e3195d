"""The import dialog: preview of a two-sheet workbook, switching sheet, editing text options,
errors shown in the dialog with Import disabled, and the options handed back on accept."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from bizops_desktop.core.errors import DataError
from bizops_desktop.core.importer import ImportOptions, read_table
from bizops_desktop.qt.import_dialog import ImportDialog


def workbook(path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append(["订单号", "日期", "数量"])
    for i in range(5):
        ws.append([f"A{i}", dt.date(2024, 3, i + 1), i + 1])
    ws2 = wb.create_sheet("Customers")
    ws2.append(["Customer list"])
    ws2.append(["customer", "churned"])
    ws2.append(["c1", "Yes"])
    ws2.append(["c2", "No"])
    wb.save(path)
    return path


def shown_columns(dlg) -> list[str]:
    m = dlg.table.model
    return [m.headerData(i, Qt.Orientation.Horizontal) for i in range(m.columnCount())]


def test_two_sheets_switch_and_accept(qtbot, tmp_path):
    path = workbook(tmp_path / "shop.xlsx")
    dlg = ImportDialog(path)
    qtbot.addWidget(dlg)
    assert [dlg.sheet_combo.itemText(i) for i in range(dlg.sheet_combo.count())] == ["Orders", "Customers"]
    assert dlg.sheet_combo.isVisibleTo(dlg) and not dlg.encoding_combo.isVisibleTo(dlg)
    assert shown_columns(dlg) == ["订单号", "日期", "数量"]
    assert dlg.table.model.rowCount() == 5
    assert dlg.table.model.data(dlg.table.model.index(1, 1)) == "Mar 2, 2024"  # dates read for people, by locale
    assert dlg.ok_button.isEnabled()

    dlg.sheet_combo.setCurrentIndex(1)  # the user picks the other sheet
    assert shown_columns(dlg) == ["customer", "churned"]
    assert dlg.table.model.rowCount() == 2
    assert "row 2" in dlg.notes_label.text()  # the title row above was skipped, in words
    assert dlg.header_spin.specialValueText() == "Automatic (2)"

    dlg.accept()
    assert dlg.result() == QDialog.DialogCode.Accepted
    opts = dlg.options()
    assert isinstance(opts, ImportOptions) and opts.sheet == "Customers" and opts.header_row == 1
    full = read_table(path, opts)
    assert full.frame["customer"].tolist() == ["c1", "c2"]


def test_text_options_refresh_the_preview(qtbot, tmp_path):
    path = tmp_path / "eu.csv"
    path.write_bytes("Titel\nArtikel;Preis\nKaffee;12,5\nTee;3,99\n".encode("cp1252"))
    dlg = ImportDialog(path)
    qtbot.addWidget(dlg)
    assert not dlg.sheet_combo.isVisibleTo(dlg) and dlg.encoding_combo.isVisibleTo(dlg)
    assert shown_columns(dlg) == ["Artikel", "Preis"]
    assert dlg.delimiter_combo.itemText(0) == "Automatic (semicolon)"
    assert dlg.decimal_combo.itemText(0) == "Automatic (comma)"
    assert dlg.table.model.source_frame()["Preis"].tolist() == [12.5, 3.99]
    assert "decimal comma" in dlg.notes_label.text()

    # the user forces the comma: the notes say which delimiter the file seems to use
    dlg.delimiter_combo.setCurrentIndex(dlg.delimiter_combo.findData(","))
    assert "seems to use semicolon" in dlg.notes_label.text()
    dlg.delimiter_combo.setCurrentIndex(dlg.delimiter_combo.findData("\t"))
    assert dlg.table.model.columnCount() == 1 and "Only one column" in dlg.notes_label.text()
    dlg.delimiter_combo.setCurrentIndex(0)
    # a header line typed by the user (debounced, so wait for the refresh)
    dlg.header_spin.setValue(3)
    qtbot.waitUntil(lambda: shown_columns(dlg) == ["Kaffee", "12,5"], timeout=3000)
    # "no header": the columns get plain names
    dlg.header_spin.setValue(0)
    dlg.no_header.setChecked(True)
    assert shown_columns(dlg)[0] == "column 1"
    assert dlg.options().header_row == -1


def test_error_in_the_dialog_disables_import(qtbot, tmp_path):
    path = tmp_path / "cn.csv"
    path.write_bytes("商品,数量\n绿茶,3\n咖啡,5\n".encode("gbk"))
    dlg = ImportDialog(path)
    qtbot.addWidget(dlg)
    assert shown_columns(dlg) == ["商品", "数量"]
    assert "GBK" in dlg.encoding_combo.itemText(0)
    dlg.encoding_combo.setCurrentIndex(dlg.encoding_combo.findData("utf-8"))
    assert not dlg.ok_button.isEnabled()
    assert "cn.csv" in dlg.error_label.text() and "gb18030" in dlg.error_label.text()
    dlg.encoding_combo.setCurrentIndex(0)
    assert dlg.ok_button.isEnabled() and dlg.error_label.isHidden()


def test_unreadable_files_fail_before_the_dialog_opens(qtbot, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match="empty"):
        ImportDialog(empty)
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le"))
    with pytest.raises(DataError, match="password"):
        ImportDialog(locked)


def test_large_file_preview_says_how_much_is_shown(qtbot, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,quantity\n" + "".join(f"O{i},{1 if i % 50 else -1}\n" for i in range(500)))
    dlg = ImportDialog(path)
    qtbot.addWidget(dlg)
    assert dlg.table.model.rowCount() == 200
    assert dlg.rows_label.text() == "Showing the first 200 of about 500 rows, 2 columns."
    notes = dlg.notes_label.text()
    assert "4 rows have a negative quantity" in notes and "first 200 rows" in notes


def test_the_dialog_in_chinese_on_the_chinese_demo_orders(qtbot):
    import re

    from bizops_desktop.core import demo
    from bizops_desktop.core.i18n import use_language

    with use_language("zh_CN"):
        dlg = ImportDialog(demo.demo_dir(demo.ZH) / "orders.csv")
        qtbot.addWidget(dlg)
        texts = [
            dlg.windowTitle(),
            dlg.rows_label.text(),
            dlg.notes_label.text(),
            dlg.ok_button.text(),
            dlg.no_header.text(),
            dlg.dates_check.text(),
            dlg.encoding_combo.itemText(0),
            dlg.delimiter_combo.itemText(0),
            dlg.header_spin.specialValueText(),
        ]
    assert texts[0] == "打开数据 — orders.csv" and texts[3] == "导入"
    assert texts[1] == "显示前 200 行（共约 31,042 行），12 列。"
    assert texts[6] == "自动（GBK/GB18030（简体中文））" and texts[7] == "自动（逗号）" and texts[8] == "自动（1）"
    # every note in Chinese, each a sentence; the order numbers shown bare
    notes = texts[2].splitlines()
    assert len(notes) == 4 and all(n.startswith("• ") and n.endswith("。") for n in notes), notes
    assert not re.search(r"\b(Read|column|values?|rows?|preview|used)\b", texts[2]), texts[2]
    assert any("订单创建时间" in n and "订单付款时间" in n for n in notes)  # which of the two times is the date
    m = dlg.table.model
    assert re.fullmatch(r"\d{19}", str(m.data(m.index(0, 0))))
