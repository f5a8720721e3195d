"""Role guessing from English and Chinese headers and from the data."""

from __future__ import annotations

import pandas as pd

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.analysis import Analysis
from bizops_desktop.core.roles import guess_roles


def test_english_order_export():
    df = pd.DataFrame({"Order ID": [1, 1, 2], "Customer": ["a", "a", "b"], "SKU": ["x", "y", "x"],
                       "Product Name": ["X", "Y", "X"], "Order Date": pd.to_datetime(["2024-01-01"] * 3),
                       "Qty": [1, 2, 1], "Unit Price": [9.5, 3.0, 9.5], "Line Total": [9.5, 6.0, 9.5]})
    assert guess_roles(df) == {"order_id": ["Order ID"], "customer_id": ["Customer"], "product_id": ["SKU"],
                               "product_name": ["Product Name"], "date": ["Order Date"], "quantity": ["Qty"],
                               "price": ["Unit Price"], "amount": ["Line Total"]}


def test_chinese_order_export():
    df = pd.DataFrame({"订单号": ["A1", "A1"], "客户": ["张三", "张三"], "商品": ["咖啡", "滤纸"],
                       "商品名称": ["咖啡豆", "滤纸"], "日期": pd.to_datetime(["2024-03-05"] * 2),
                       "数量": [1, 2], "单价": [58.0, 9.9], "金额": [58.0, 19.8], "评分": [5, 4]})
    assert guess_roles(df) == {"order_id": ["订单号"], "customer_id": ["客户"], "product_id": ["商品"],
                               "product_name": ["商品名称"], "date": ["日期"], "quantity": ["数量"],
                               "price": ["单价"], "amount": ["金额"], "rating": ["评分"]}


def test_data_vetoes_and_fills_in():
    # "price" in text is not a price; an unnamed datetime column is the date
    df = pd.DataFrame({"price": ["cheap", "dear"], "when": pd.to_datetime(["2024-01-01", "2024-01-02"]),
                       "qty": [1, 2]})
    roles = guess_roles(df)
    assert "price" not in roles
    assert roles["date"] == ["when"] and roles["quantity"] == ["qty"]


def test_customer_table_gets_label_and_features():
    df = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "Churn": ["Yes", "No", "No", "Yes"],
                       "tenure": [1, 20, 30, 2], "contract": ["m", "y", "y", "m"], "const": [1, 1, 1, 1]})
    roles = guess_roles(df)
    assert roles["label"] == ["Churn"] and roles["customer_id"] == ["customer_id"]
    assert roles["feature"] == ["tenure", "contract"]        # a constant column is no feature


def test_missing_roles_message_is_plain():
    a = Analysis(id="x", title="Basket rules", summary="", needs=(("order_id", "product_id"),))
    ds = Dataset("orders", pd.DataFrame({"o": [1]}), {"order_id": "o"})
    assert a.check(ds) == "Basket rules needs a column marked as Product (product_id)"


def test_words_inside_other_quantities_do_not_count():
    df = pd.DataFrame({"customer_id": ["a", "b"], "orders_last_year": [3, 4], "days_since_last_order": [10, 200],
                       "Order Date (UTC)": pd.to_datetime(["2024-01-01", "2024-01-02"]), "Sales Amount": [1.0, 2.0]})
    roles = guess_roles(df)
    assert "order_id" not in roles
    assert roles["date"] == ["Order Date (UTC)"] and roles["amount"] == ["Sales Amount"]
