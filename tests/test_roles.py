"""Role guessing from English and Chinese headers and from the data."""

from __future__ import annotations

import re

import pandas as pd

from bizops_desktop.core.analysis import Analysis
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.roles import (
    DAY_WORDS,
    ID_ROLES,
    NUMBER_ROLES,
    SYNONYMS,
    guess_roles,
    header_says_date,
    header_says_day,
    header_says_id,
)


def test_english_order_export():
    df = pd.DataFrame(
        {
            "Order ID": [1, 1, 2],
            "Customer": ["a", "a", "b"],
            "SKU": ["x", "y", "x"],
            "Product Name": ["X", "Y", "X"],
            "Order Date": pd.to_datetime(["2024-01-01"] * 3),
            "Qty": [1, 2, 1],
            "Unit Price": [9.5, 3.0, 9.5],
            "Line Total": [9.5, 6.0, 9.5],
        }
    )
    assert guess_roles(df) == {
        "order_id": ["Order ID"],
        "customer_id": ["Customer"],
        "product_id": ["SKU"],
        "product_name": ["Product Name"],
        "date": ["Order Date"],
        "quantity": ["Qty"],
        "price": ["Unit Price"],
        "amount": ["Line Total"],
    }


def test_chinese_order_export():
    df = pd.DataFrame(
        {
            "订单号": ["A1", "A1"],
            "客户": ["张三", "张三"],
            "商品": ["咖啡", "滤纸"],
            "商品名称": ["咖啡豆", "滤纸"],
            "日期": pd.to_datetime(["2024-03-05"] * 2),
            "数量": [1, 2],
            "单价": [58.0, 9.9],
            "金额": [58.0, 19.8],
            "评分": [5, 4],
        }
    )
    assert guess_roles(df) == {
        "order_id": ["订单号"],
        "customer_id": ["客户"],
        "product_id": ["商品"],
        "product_name": ["商品名称"],
        "date": ["日期"],
        "quantity": ["数量"],
        "price": ["单价"],
        "amount": ["金额"],
        "rating": ["评分"],
    }


def test_data_vetoes_and_fills_in():
    # "price" in text is not a price; an unnamed datetime column is the date
    df = pd.DataFrame({"price": ["cheap", "dear"], "when": pd.to_datetime(["2024-01-01", "2024-01-02"]), "qty": [1, 2]})
    roles = guess_roles(df)
    assert "price" not in roles
    assert roles["date"] == ["when"] and roles["quantity"] == ["qty"]


def test_customer_table_gets_label_and_features():
    df = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "Churn": ["Yes", "No", "No", "Yes"],
            "tenure": [1, 20, 30, 2],
            "contract": ["m", "y", "y", "m"],
            "const": [1, 1, 1, 1],
        }
    )
    roles = guess_roles(df)
    assert roles["label"] == ["Churn"] and roles["customer_id"] == ["customer_id"]
    assert roles["feature"] == ["tenure", "contract"]  # a constant column is no feature


def test_missing_roles_message_is_plain():
    a = Analysis(id="x", title="Basket rules", summary="", needs=(("order_id", "product_id"),))
    ds = Dataset("orders", pd.DataFrame({"o": [1]}), {"order_id": "o"})
    assert a.check(ds) == "Basket rules needs a column marked as Product (product_id)"


def test_words_inside_other_quantities_do_not_count():
    df = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "orders_last_year": [3, 4],
            "days_since_last_order": [10, 200],
            "Order Date (UTC)": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "Sales Amount": [1.0, 2.0],
        }
    )
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
    for header in (
        "Order total",
        "Item price",
        "Product price",
        "商品金额",
        "买家实际支付金额",
        "宝贝总数量",
        "Transaction amount",
        "Basket value",
        "订单总额",
    ):
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
    assert "product_id" not in ds.roles  # "商品金额" was taken for the product when it stayed text


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


# ---------------------------------------------------------------------------------------------
# Chinese shop exports (Taobao's order report, the demo shop's files)
# ---------------------------------------------------------------------------------------------


def test_taobao_words_for_the_product_code_the_order_time_and_the_buyer():
    when = pd.to_datetime(["2024-03-05 10:00", "2024-03-05 10:00"])
    paid = pd.to_datetime(["2024-03-05 10:02", "2024-03-05 10:02"])
    # the moment of the order, not of the payment, whichever column comes first
    times = {"订单创建时间": when, "订单付款时间": paid}
    for first, second in (("订单付款时间", "订单创建时间"), ("订单创建时间", "订单付款时间")):
        df = pd.DataFrame(
            {
                "订单编号": ["1", "1"],
                "买家会员名": ["a", "a"],
                first: times[first],
                second: times[second],
                "商家编码": ["KF1", "KF2"],
                "宝贝标题": ["咖啡", "滤纸"],
                "购买数量": [1, 2],
            }
        )
        roles = guess_roles(df)
        assert roles["date"] == ["订单创建时间"] and roles["product_id"] == ["商家编码"], roles
        assert roles["product_name"] == ["宝贝标题"] and roles["customer_id"] == ["买家会员名"]
    for word in ("商品编码", "货号", "SKU编码"):
        assert guess_roles(pd.DataFrame({"订单号": ["1"], word: ["X"]}))["product_id"] == [word]
    one = pd.DataFrame({"单号": ["1"], "下单时间": when[:1], "付款时间": paid[:1]})
    assert guess_roles(one)["date"] == ["下单时间"]


def test_a_count_or_a_kind_of_customer_is_not_the_order_or_the_customer():
    df = pd.DataFrame(
        {
            "客户类型": ["个人", "企业", "个人", "个人"],
            "买家会员名": ["a", "b", "c", "d"],
            "近一年订单数": [3, 1, 0, 7],
            "订单状态": ["交易成功"] * 4,
            "是否流失": ["否", "是", "是", "否"],
        }
    )
    roles = guess_roles(df)
    assert roles["customer_id"] == ["买家会员名"] and "order_id" not in roles
    assert "近一年订单数" in roles["feature"] and "客户类型" in roles["feature"]
    assert not header_says_id("近一年订单数") and not header_says_id("订单数")


def test_money_in_a_customer_table_describes_the_customer():
    # a year's spend per customer is a feature of the customer, not the total of an order line
    df = pd.DataFrame(
        {"买家会员名": ["a", "b", "c"], "近一年消费金额": [120.5, 88.0, 0.0], "是否流失": ["否", "是", "是"]}
    )
    roles = guess_roles(df)
    assert "amount" not in roles and roles["feature"] == ["近一年消费金额"]
    # in an orders table the same word is the amount
    orders = pd.DataFrame({"订单编号": ["1", "2"], "实付金额": [12.0, 8.5], "是否流失": ["否", "是"]})
    assert guess_roles(orders)["amount"] == ["实付金额"]


def test_the_chinese_demo_files_get_the_roles_the_demo_sets():
    """Opened as any user's file (no roles given), the Chinese demo shop's exports get the roles
    load_demo sets for them by hand."""
    from bizops_desktop.core import demo
    from bizops_desktop.core.importer import load_dataset

    folder = demo.demo_dir(demo.ZH)
    want = {
        k: {r: (c if isinstance(c, list) else [c]) for r, c in roles.items()}
        for k, roles in demo.dataset_roles(demo.ZH).items()
    }
    for name in ("orders", "reviews"):
        assert load_dataset(folder / f"{name}.csv").roles == want[name], name
    customers = load_dataset(folder / "customers.csv").roles
    assert customers["customer_id"] == want["customers"]["customer_id"]
    assert customers["label"] == want["customers"]["label"]
    assert customers["feature"] == want["customers"]["feature"]
    assert "amount" not in customers and "order_id" not in customers
    weekly = load_dataset(folder / "weekly_sales.csv").roles
    assert weekly["product_id"] == ["商家编码"] and weekly["date"] == ["周"]


def test_the_missing_role_message_in_chinese_lists_the_alternatives():
    from bizops_desktop.core.i18n import use_language

    a = Analysis(
        id="x", title="Basket rules", summary="", needs=(("order_id", "product_id"), ("order_id", "product_name"))
    )
    ds = Dataset("orders", pd.DataFrame({"o": [1]}), {"order_id": "o"})
    with use_language("en"):
        assert a.check(ds) == (
            "Basket rules needs a column marked as Product (product_id) (it works from any "
            "of: Order number + Product or Order number + Product name)"
        )
    with use_language("zh_CN"):
        text = a.check(ds)
        assert "product_id" in text and "或" in text and "商品" in text
        assert not re.search(r"\b(needs|marked|works|or)\b", text), text


def test_role_titles_follow_the_language():
    from bizops_desktop.core.i18n import text, use_language
    from bizops_desktop.core.roles import ROLE_TITLES, ROLES

    assert set(ROLE_TITLES) == set(ROLES)
    with use_language("en"):
        assert str(ROLE_TITLES["order_id"]) == "Order number" and text(ROLE_TITLES["amount"]) == "Line total"
    with use_language("zh_CN"):
        titles = [str(ROLE_TITLES[r]) for r in ROLES]
        assert titles[:3] == ["订单号", "顾客", "商品"]
        assert all(re.search(r"[\u4e00-\u9fff]", t) for t in titles), titles
