"""Real shop-system exports open with no manual step (issue 13). The corpus in
tests/data/exports/ is one planted shop written in each platform's layout (make_exports.py;
truth.json holds what each file holds): every file opens with every role an analysis needs
guessed, basket rules count exactly the orders that were sales, the forecast runs, churn risk and
recommendations run where the export has a buyer id and refuse with the reason where it has none."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bizops_desktop import cli
from bizops_desktop.core.errors import DataError
from bizops_desktop.core.i18n import text, use_language
from bizops_desktop.core.importer import ImportOptions, load_dataset, preview
from bizops_desktop.core.importer.combine import combine_files, combine_frames
from bizops_desktop.core.importer.platforms import is_left_out_state, recognise
from bizops_desktop.core.roles import guess_roles, looks_masked
from bizops_desktop.core.views.baskets import baskets_from_dataset

EXPORTS = Path(__file__).parent / "data" / "exports"
TRUTH = json.loads((EXPORTS / "truth.json").read_text(encoding="utf-8"))
FILES = [n for n, t in TRUTH.items() if not n.startswith("combine:") and "buyer" in t]
TAOBAO = (EXPORTS / "taobao_items.csv", EXPORTS / "taobao_orders.csv")


@pytest.fixture(scope="module")
def registry():
    from bizops_desktop.core.plugins import load_registry

    return load_registry()


@pytest.fixture(scope="module")
def loaded():
    cache: dict[str, object] = {}

    def get(name):
        if name not in cache:
            cache[name] = load_dataset(EXPORTS / name)
        return cache[name]

    return get


def notes_text(ds) -> list[str]:
    return [text(n) for n in ds.notes]


@pytest.mark.parametrize("name", FILES)
def test_each_export_is_recognised_with_every_role_and_its_date(name, loaded):
    ds = loaded(name)
    truth = TRUTH[name]
    assert recognise(ds.frame.columns).id == truth["platform"]
    for role in ("order_id", "product_id", "date", "quantity" if "lazada" not in name else "amount"):
        assert ds.has(role), (name, role, ds.roles)
    assert ds.col("date") == truth["date"]
    assert notes_text(ds)[0].startswith("Looks like ") and f"{truth['date']} used as the date" in notes_text(ds)[0]
    if TRUTH[name]["buyer"]:
        assert ds.has("customer_id") and not looks_masked(ds.frame[ds.col("customer_id")])
    elif ds.has("customer_id"):  # the masked column, for the refusal to name
        assert looks_masked(ds.frame[ds.col("customer_id")])
    else:  # no buyer column at all (Amazon): the import says so
        assert any(n.startswith("This export has no buyer id") for n in notes_text(ds))


@pytest.mark.parametrize("name", FILES)
def test_basket_counts_exactly_the_orders_that_were_sales(name, loaded):
    b = baskets_from_dataset(loaded(name))
    assert b.n_orders == TRUTH[name]["orders"]


@pytest.mark.parametrize("name", FILES)
def test_forecast_runs_and_the_customer_analyses_run_or_refuse_with_the_reason(name, loaded, registry):
    ds = loaded(name)
    res = registry.analysis("forecast").execute(ds, {"horizon": 4})
    assert len(res.tables) and res.headline
    for analysis in ("churn", "recommender"):
        if TRUTH[name]["buyer"]:
            res = registry.analysis(analysis).execute(ds, {})
            assert res.headline
        else:
            with pytest.raises(DataError) as err:
                registry.analysis(analysis).execute(ds, {})
            line = str(err.value)
            assert "\n" not in line
            if ds.has("customer_id"):
                assert "no buyer id" in line and "masked" in line
                assert err.value.hint  # what to use instead
            else:
                assert "Customer" in line


def test_ids_stay_exact_text_never_through_a_float(loaded):
    dy = loaded("douyin.csv")
    assert dy.frame["主订单编号"].iloc[0] == "3400000000000000001"
    assert dy.frame["商品ID"].map(type).eq(str).all() and dy.frame["商品ID"].str.len().eq(19).all()
    tb = combine_files(TAOBAO)
    assert tb.frame["订单编号"].str.fullmatch(r"3\d{18}").all()  # ="3000000000000000123" unwrapped
    jd = loaded("jd.xlsx")
    assert jd.frame["订单号"].map(type).eq(str).all()


def test_line_totals_named_like_prices_and_order_totals_repeated_on_lines(loaded):
    amazon = loaded("amazon_all_orders.txt")
    assert amazon.col("amount") == "item-price" and not amazon.has("price")  # item-price is the line total
    jd = loaded("jd.xlsx")
    assert jd.col("price") == "京东价" and not jd.has("amount")  # 订单金额 is the order's total
    youzan = loaded("youzan.xlsx")
    assert youzan.col("amount") == "商品实际成交金额"
    # the price panel derives the unit price from line total / quantity where there is no price
    from bizops_desktop.core.views.prices import price_panel

    panel = price_panel(amazon.frame, product="sku", date="purchase-date", quantity="quantity", amount="item-price")
    assert set(panel.frame["price"].round(2)) <= {
        38.0,
        45.0,
        89.0,
        25.5,
        59.0,
        12.8,
        9.9,
        49.0,
        19.9,
        129.0,
        15.0,
        32.0,
    }


def test_shopify_order_fields_are_carried_down_to_every_line(loaded):
    ds = loaded("shopify_orders_export.csv")
    assert ds.frame["Email"].notna().all() and ds.frame["Paid at"].notna().all()
    per_order = ds.frame.groupby("Name")["Email"].nunique()
    assert per_order.eq(1).all()
    assert any("on every line of an order" in n for n in notes_text(ds))


def test_partial_refunds_reduce_the_line(loaded):
    wc = loaded("woocommerce_orders.csv")
    raw = pd.read_csv(EXPORTS / "woocommerce_orders.csv")
    raw = raw[raw["status"] == "completed"]
    assert (
        wc.frame["item_quantity"].sum()
        == raw["item_quantity"].sum() - TRUTH["woocommerce_orders.csv"]["refunded_units"]
    )
    assert wc.frame["item_total"].sum() == pytest.approx((raw["item_total"] - raw["item_refunded"]).sum())


def test_cancelled_orders_are_left_out_with_a_note_and_kept_on_request(loaded):
    ds = loaded("taobao_erp.xlsx")
    note = next(n for n in notes_text(ds) if n.startswith("Left out"))
    assert "80 lines of 43 cancelled" in note and "已取消" in note and "--keep-cancelled" in note
    kept = load_dataset(EXPORTS / "taobao_erp.xlsx", ImportOptions(keep_cancelled=True))
    assert len(kept.frame) == len(ds.frame) + 80
    assert (
        baskets_from_dataset(kept).n_orders == kept.frame["线上订单号"].nunique() > TRUTH["taobao_erp.xlsx"]["orders"]
    )
    assert any(n.startswith("Kept 80 lines") for n in notes_text(kept))
    with use_language("zh_CN"):
        zh = [text(n) for n in ds.notes]
    assert any("已取消" in n and "80" in n for n in zh) and not any(n.startswith("Left out") for n in zh)


def test_the_states_that_are_not_sales():
    for v in ("交易关闭", "已取消", "未付款", "等待买家付款", "退款成功", "Cancelled", "voided", "Refunded", "pending"):
        assert is_left_out_state(v), v
    for v in ("交易成功", "已签收", "无售后或售后取消", "退款关闭", "partially_refunded", "paid", "Shipped", "-"):
        assert not is_left_out_state(v), v


def test_masked_buyers_are_not_ids_and_a_single_value_is_not_a_customer():
    assert looks_masked(pd.Series(["张**", "李**", "王**"]))
    assert looks_masked(pd.Series(["138****1234", "139****0001"]))
    assert not looks_masked(pd.Series(["张三", "13812341234"]))
    frame = pd.DataFrame(
        {
            "订单号": ["A1", "A2", "A3", "A4"],
            "客户姓名": ["张**", "李**", "王**", "赵**"],
            "会员名": ["shop", "shop", "shop", "shop"],
            "商品": ["x", "y", "x", "z"],
        }
    )
    assert "customer_id" not in guess_roles(frame)


def test_the_taobao_two_files_combine_on_the_order_number_with_the_unmatched_lines_counted():
    truth = TRUTH["combine:taobao_orders.csv+taobao_items.csv"]
    for paths in (TAOBAO, TAOBAO[::-1]):  # either order
        ds = combine_files(paths)
        assert recognise(ds.frame.columns).id == "taobao_combined"
        assert ds.col("customer_id") == "买家会员名" and ds.col("date") == truth["date"]
        assert ds.col("product_id") == "商家编码" and ds.col("quantity") == "购买数量"
        assert baskets_from_dataset(ds).n_orders == truth["orders"]
        assert any("3 lines of taobao_items.csv found no order in taobao_orders.csv" in n for n in notes_text(ds))


def test_combine_guesses_the_key_on_invented_files():
    orders = pd.DataFrame({"Order ref": ["X1", "X2", "X3"], "Client": ["a", "b", "a"]})
    lines = pd.DataFrame({"ref no": ["X1", "X1", "X2", "X9"], "Article": ["p", "q", "p", "r"]})
    comb = combine_frames(orders, lines)
    assert (comb.lines_key, comb.orders_key) == ("ref no", "Order ref") and comb.swapped
    assert comb.unmatched == 1 and comb.orders_without_lines == 1 and len(comb.frame) == 3


def test_the_orders_report_alone_says_to_combine_it(loaded):
    ds = loaded("taobao_orders.csv")
    assert any("Data ▸ Combine" in n for n in notes_text(ds))
    assert not ds.has("product_id")


def test_the_preview_reads_an_export_as_the_import_does():
    r = preview(EXPORTS / "shopify_orders_export.csv", nrows=50)
    assert text(r.notes[0]).startswith("Looks like a Shopify orders export")


@pytest.mark.parametrize(
    "headers, want",
    [
        (  # a grocery chain's transaction log (The Complete Journey's columns)
            ["household_id", "store_id", "basket_id", "product_id", "quantity", "sales_value", "transaction_timestamp"],
            {"customer_id": "household_id", "order_id": "basket_id", "amount": "sales_value"},
        ),
        (  # a POS or ERP with its own words
            ["Receipt No", "Client", "Article code", "Item name", "Pieces", "Unit price", "Line value", "Sold on"],
            {"order_id": "Receipt No", "customer_id": "Client", "product_id": "Article code", "amount": "Line value"},
        ),
        (  # a marketplace's line-item prefixes
            [
                "Order Number",
                "Buyer Email",
                "Lineitem sku",
                "Lineitem name",
                "Lineitem qty",
                "Lineitem price",
                "Sold on",
            ],
            {
                "order_id": "Order Number",
                "product_id": "Lineitem sku",
                "quantity": "Lineitem qty",
                "price": "Lineitem price",
            },
        ),
    ],
)
def test_headers_not_in_the_vocabulary_still_get_sensible_guesses(headers, want, tmp_path):
    rows = []
    for i in range(40):
        row = []
        for h in headers:
            low = h.lower()
            if any(w in low for w in ("household", "client", "email")):
                row.append(f"C{i % 7}")
            elif any(w in low for w in ("basket", "receipt", "order")):
                row.append(f"R{i // 2}")
            elif "store" in low:
                row.append("S1")
            elif any(w in low for w in ("timestamp", "sold on")):
                row.append(f"2024-03-{1 + i % 28:02d} 10:00:00")
            elif any(w in low for w in ("quantity", "pieces", "qty")):
                row.append(str(1 + i % 3))
            elif any(w in low for w in ("price", "value")):
                row.append(f"{2.5 + i % 5:.2f}")
            elif "name" in low:
                row.append(f"Thing {i % 5}")
            else:
                row.append(f"P{i % 5}")
        rows.append(",".join(row))
    path = tmp_path / "invented.csv"
    path.write_text(",".join(headers) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    ds = load_dataset(path)
    for role, col in want.items():
        assert ds.col(role) == col, (role, ds.roles)
    assert ds.has("date")


def test_the_command_line_runs_on_an_export_and_refuses_where_it_must(tmp_path, capsys):
    out = tmp_path / "basket"
    assert (
        cli.main(["run", "basket", "--data", str(EXPORTS / "jd.xlsx"), "--out", str(out), "--no-plots", "--quiet"]) == 0
    )
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["orders"] == TRUTH["jd.xlsx"]["orders"]
    code = cli.main(["run", "churn", "--data", str(EXPORTS / "pinduoduo.csv"), "--out", str(tmp_path / "c"), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "no buyer id" in err[0]


def test_the_command_line_combines_two_files_and_says_how_many_lines_did_not_match(tmp_path, capsys):
    out = tmp_path / "tb"
    args = ["run", "basket", "--data", str(TAOBAO[1]), "--data", str(TAOBAO[0]), "--out", str(out)]
    assert cli.main(args + ["--no-plots", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "3 lines of taobao_items.csv found no order" in err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["orders"] == TRUTH["combine:taobao_orders.csv+taobao_items.csv"]["orders"]
    kept = tmp_path / "kept"
    assert cli.main(args[:-1] + [str(kept), "--no-plots", "--quiet", "--keep-cancelled"]) == 0
    assert json.loads((kept / "summary.json").read_text(encoding="utf-8"))["orders"] > summary["orders"]
