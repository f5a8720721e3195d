"""Product sheets (core/sheets.py): a stock or cost sheet is recognised when it is opened (the
import note names how many products and the column that links it to the orders) and linked to the
orders by product id (the products found in the orders, and those not). Known answers: the demo
shops' stock sheets (40 products, 商家编码 / product_id), and sheets with planted extra products."""

from __future__ import annotations

import pandas as pd
import pytest

from bizops_desktop.core import i18n
from bizops_desktop.core.demo import demo_dir, load_demo
from bizops_desktop.core.importer import load_dataset
from bizops_desktop.core.sheets import kind, link, link_note


@pytest.mark.parametrize(("lang", "column"), [("en", "product_id"), ("zh_CN", "商家编码")])
def test_the_demo_stock_sheet_says_so_when_opened(lang, column):
    ds = load_dataset(demo_dir(lang) / "stock.csv")
    first = i18n.text(ds.notes[0], "en")
    assert first == f"Looks like a stock sheet: 40 products, linked to orders by {column}"
    assert i18n.text(ds.notes[0], "zh_CN").startswith("看起来是库存表：40 个商品")
    orders = load_dataset(demo_dir(lang) / "orders.csv")
    assert not any("sheet" in i18n.text(n, "en") for n in orders.notes)


def test_chinese_and_english_headers_of_a_stock_and_a_cost_sheet(tmp_path):
    zh = tmp_path / "库存表.csv"
    zh.write_bytes("商家编码,商品名称,进价,库存,在途,采购周期\nA1,甲,1.5,3,0,7\nA2,乙,2,4,2,10\n".encode("gbk"))
    assert (
        i18n.text(load_dataset(zh).notes[0], "en")
        == "Looks like a stock sheet: 2 products, linked to orders by 商家编码"
    )
    en = tmp_path / "costs.csv"
    en.write_text("SKU,Cost\nA1,1.5\nA2,2\nA3,0.7\n", encoding="utf-8")
    assert i18n.text(load_dataset(en).notes[0], "en") == "Looks like a cost sheet: 3 products, linked to orders by SKU"


def test_order_lines_with_a_stock_column_are_not_a_sheet():
    f = pd.DataFrame({"order": ["1", "1", "2"], "sku": ["A", "B", "A"], "qty": [1, 2, 1], "on hand": [5, 6, 5]})
    roles = {"order_id": ["order"], "product_id": ["sku"], "quantity": ["qty"], "on_hand": ["on hand"]}
    assert kind(f, roles) is None
    # a product named on many rows is not one row per product
    assert kind(f[["sku", "on hand"]], {"product_id": ["sku"], "on_hand": ["on hand"]}) is None


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_linked_to_the_orders_by_product_id(lang):
    tables = {d.name: d for d in load_demo(lang=lang)}
    stock, orders = tables["stock"], tables["orders"]
    got = link(stock, orders)
    assert len(got.found) == 40 and got.missing == []
    # two products the orders never had: found 40, not found exactly those two
    extra = stock.frame.iloc[:2].copy()
    extra[stock.col("product_id")] = ["ZZ1", "ZZ2"]
    bigger = type(stock)("my sheet", pd.concat([stock.frame, extra], ignore_index=True), roles=stock.roles)
    got = link(bigger, orders)
    assert len(got.found) == 40 and got.missing == ["ZZ1", "ZZ2"]
    words = i18n.text(link_note(bigger, orders), "en")
    assert f"by {stock.col('product_id')}: 40 of its 42 products are in the orders; not: ZZ1 and ZZ2" in words
