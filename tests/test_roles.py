"""Role guessing from English and Chinese headers and from the data."""

from __future__ import annotations

import pandas as pd

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.analysis import Analysis
from bizops_desktop.core.roles import (DAY_WORDS, ID_ROLES, NUMBER_ROLES, SYNONYMS, guess_roles, header_says_date,
                                       header_says_day, header_says_id)


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


# ---------------------------------------------------------------------------------------------
# One header vocabulary: the importer's date and identifier checks read the role words
# ---------------------------------------------------------------------------------------------

def test_the_importer_reads_the_role_vocabulary():
    for word in SYNONYMS["date"]:
        assert header_says_date(word), word
    assert set(DAY_WORDS) <= set(SYNONYMS["date"])
    for word in DAY_WORDS:
        assert header_says_day(word), word
    for role in ID_ROLES:
        for word in SYNONYMS[role]:
            assert header_says_id(word), (role, word)
    for role in NUMBER_ROLES:
        for word in SYNONYMS[role]:
            assert not header_says_id(word), (role, word)
    # word by word, as before: camel case, snake case, Chinese inside a longer header
    assert header_says_date("OrderDate") and header_says_date("ship_date") and header_says_date("订单创建时间")
    assert header_says_day("InvoiceDate") and not header_says_day("time_on_site") and not header_says_day("month")
    assert header_says_id("InvoiceNo") and header_says_id("customer id (hashed)") and header_says_id("手机号码")
    assert not header_says_id("qty") and not header_says_id("单价")


def test_the_last_word_decides_between_identifier_and_number():
    # These used to be identifiers to the importer (so "¥1,200.00" stayed text) while the role
    # guesser called them amounts or prices: the drift this vocabulary removes.
    for header in ("Order total", "Item price", "Product price", "商品金额", "买家实际支付金额", "宝贝总数量",
                   "Transaction amount", "Basket value", "订单总额"):
        assert not header_says_id(header), header
    for header in ("Order no", "Review ID", "商品编号", "订单号", "Basket", "Transaction", "顾客", "订单状态"):
        assert header_says_id(header), header


def test_drift_fixed_amounts_named_after_an_order_or_product_are_numbers(tmp_path):
    from bizops_desktop.core.importer import load_dataset

    lines = ["order_id,Order total,商品金额,qty"] + [f'A{i},"{i},234.50","¥{i}.50",1' for i in range(1, 40)]
    path = tmp_path / "totals.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = load_dataset(path)
    assert ds.frame["Order total"].tolist()[:2] == [1234.5, 2234.5]
    assert ds.frame["商品金额"].tolist()[:2] == [1.5, 2.5]
    assert ds.roles["amount"] == ["Order total"]
    assert "product_id" not in ds.roles          # "商品金额" was taken for the product when it stayed text


def test_drift_fixed_role_words_are_identifiers_to_the_importer(tmp_path):
    from bizops_desktop.core.importer import load_dataset

    # Transaction numbers that start with a date, customer numbers with leading zeros: the role
    # guesser knew "transaction" and "顾客" as identifiers, the importer read dates and numbers.
    lines = ["Transaction,顾客,数量"] + [f"{20240301 + i % 9},{i:05d},1" for i in range(30)]
    path = tmp_path / "ids.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = load_dataset(path)
    assert ds.frame["Transaction"].tolist()[:2] == [20240301, 20240302]
    assert ds.frame["顾客"].tolist()[:2] == ["00000", "00001"]
    assert ds.roles["order_id"] == ["Transaction"] and ds.roles["customer_id"] == ["顾客"]


def test_drift_fixed_date_words_of_the_importer_name_the_date_role():
    # "Datum" was a date to the importer, not to the role guesser: the first datetime column won.
    when = pd.to_datetime(["2024-01-01", "2024-01-02"])
    df = pd.DataFrame({"Geliefert": when, "Datum": when, "Menge": [1, 2]})
    assert guess_roles(df)["date"] == ["Datum"]


def test_drift_fixed_the_guesser_reads_the_last_word_too():
    df = pd.DataFrame({"Review ID": [101, 102], "商品金额": [9.5, 3.0], "stars": [5, 4], "商品": ["茶", "杯"]})
    roles = guess_roles(df)
    assert roles["rating"] == ["stars"] and roles["amount"] == ["商品金额"] and roles["product_id"] == ["商品"]
