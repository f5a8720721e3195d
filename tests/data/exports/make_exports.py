"""Write the export corpus: one planted shop (buyers, products, orders over 13 months, some of them
cancelled, closed, refunded or unpaid) written in each platform's own layout, encoding and file
type, plus truth.json with what each file holds (the orders that are sales, whether it has a
buyer id). Deterministic (fixed seed):

    .venv/bin/python tests/data/exports/make_exports.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20240305
START = pd.Timestamp("2023-01-01")
DAYS = 400

PRODUCTS = [
    ("TEA-001", "绿茶 250g", 38.0),
    ("TEA-002", "红茶 200g", 45.0),
    ("CUP-010", "保温杯 500ml", 89.0),
    ("CUP-011", "玻璃茶杯", 25.5),
    ("BAG-020", "帆布包", 59.0),
    ("NTB-030", "笔记本 A5", 12.8),
    ("PEN-031", "中性笔 10支", 9.9),
    ("UMB-040", "折叠雨伞", 49.0),
    ("TWL-050", "纯棉毛巾", 19.9),
    ("LMP-060", "台灯", 129.0),
    ("USB-070", "数据线 1m", 15.0),
    ("MUG-080", "咖啡马克杯", 32.0),
]
EN_NAMES = {
    "TEA-001": "Green tea 250g",
    "TEA-002": "Black tea 200g",
    "CUP-010": "Vacuum flask 500ml",
    "CUP-011": "Glass tea cup",
    "BAG-020": "Canvas tote",
    "NTB-030": "Notebook A5",
    "PEN-031": "Gel pens (10)",
    "UMB-040": "Folding umbrella",
    "TWL-050": "Cotton towel",
    "LMP-060": "Desk lamp",
    "USB-070": "USB cable 1m",
    "MUG-080": "Coffee mug",
}
SURNAMES = "张王李赵刘陈杨黄周吴"


def planted_shop() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(orders, lines). Each buyer is active in a window of their own, so some stop buying
    (churn has both kinds); states: sale, cancelled, closed, refunded, unpaid."""
    rng = np.random.default_rng(SEED)
    n_buyers = 60
    starts = rng.integers(0, 200, n_buyers)
    ends = np.minimum(DAYS - 1, starts + rng.integers(60, 400, n_buyers))
    rows = []
    oid = 0
    for b in range(n_buyers):
        n = int(rng.integers(2, 7))
        for d in np.sort(rng.integers(starts[b], ends[b] + 1, n)):
            oid += 1
            state = rng.choice(["sale", "cancelled", "closed", "refunded", "unpaid"], p=[0.82, 0.05, 0.05, 0.04, 0.04])
            t = START + pd.Timedelta(days=int(d), minutes=int(rng.integers(8 * 60, 23 * 60)))
            rows.append((oid, b, t, state))
    orders = pd.DataFrame(rows, columns=["order", "buyer", "created", "state"]).sort_values("created", kind="stable")
    orders["order"] = np.arange(1, len(orders) + 1)  # numbered in time order, as shops do
    orders = orders.reset_index(drop=True)
    orders["paid"] = orders["created"] + pd.to_timedelta(rng.integers(1, 40, len(orders)), unit="min")
    orders.loc[orders["state"].isin(["unpaid", "cancelled"]), "paid"] = pd.NaT
    lines = []
    for o in orders.itertuples():
        k = int(rng.integers(1, 4))
        for p in rng.choice(len(PRODUCTS), k, replace=False):
            lines.append((o.order, int(p), int(rng.integers(1, 4))))
    lines_df = pd.DataFrame(lines, columns=["order", "product", "qty"])
    lines_df["sku"] = [PRODUCTS[p][0] for p in lines_df["product"]]
    lines_df["name"] = [PRODUCTS[p][1] for p in lines_df["product"]]
    lines_df["en_name"] = [EN_NAMES[s] for s in lines_df["sku"]]
    lines_df["price"] = [PRODUCTS[p][2] for p in lines_df["product"]]
    lines_df["total"] = (lines_df["price"] * lines_df["qty"]).round(2)
    # a few sold lines later refunded in part (one unit of a line of 2 or more)
    cand = lines_df.index[(lines_df["qty"] >= 2) & lines_df["order"].map(orders.set_index("order")["state"]).eq("sale")]
    lines_df["refund_qty"] = 0
    lines_df.loc[cand[::17], "refund_qty"] = 1
    m = lines_df.merge(orders, on="order")
    return orders, m


def buyer_name(b: int) -> str:
    return f"{SURNAMES[b % 10]}{'小大明华'[b % 4]}{b}"


def masked_name(b: int) -> str:
    return f"{SURNAMES[b % 10]}**"


def masked_phone(b: int) -> str:
    return f"1{38 + b % 10}****{1000 + b * 37 % 9000:04d}"


def cn_time(t) -> str:
    return "" if pd.isna(t) else pd.Timestamp(t).strftime("%Y-%m-%d %H:%M:%S")


def kept_orders(lines: pd.DataFrame, keep_mask) -> int:
    return int(lines.loc[np.asarray(keep_mask), "order"].nunique())


def write_all() -> dict:
    orders, lines = planted_shop()
    truth: dict[str, dict] = {}
    sale = lines["state"].eq("sale").to_numpy()
    big = 3000000000000000000  # Taobao/Douyin order numbers have 19 digits

    # --- Taobao/Tmall: 订单报表 + 宝贝报表 (GBK CSV, ="…" order numbers) -------------------------
    tb_state = {
        "sale": "交易成功",
        "cancelled": "交易关闭",
        "closed": "交易关闭",
        "refunded": "交易关闭",
        "unpaid": "等待买家付款",
    }
    per_order = lines.groupby("order").agg(qty=("qty", "sum"), total=("total", "sum"), kinds=("sku", "size"))
    titles = lines.groupby("order")["name"].agg("，".join)
    o = orders.set_index("order")
    tb_orders = pd.DataFrame(
        {
            "订单编号": [f'="{big + i}"' for i in o.index],
            "买家会员名": [buyer_name(b) for b in o["buyer"]],
            "买家支付宝账号": [f"{b:03d}***@163.com" for b in o["buyer"]],
            "买家应付货款": per_order["total"].map("{:.2f}".format).to_numpy(),
            "买家应付邮费": "0.00",
            "总金额": per_order["total"].map("{:.2f}".format).to_numpy(),
            "买家实际支付金额": [
                "0.00" if s in ("unpaid", "cancelled") else f"{t:.2f}" for s, t in zip(o["state"], per_order["total"])
            ],
            "订单状态": [tb_state[s] for s in o["state"]],
            "买家留言": "",
            "收货人姓名": [masked_name(b) for b in o["buyer"]],
            "收货地址": "浙江省 杭州市 西湖区 ***",
            "联系手机": [masked_phone(b) for b in o["buyer"]],
            "订单创建时间": [cn_time(t) for t in o["created"]],
            "订单付款时间": [cn_time(t) for t in o["paid"]],
            "宝贝标题": titles.to_numpy(),
            "宝贝种类": per_order["kinds"].to_numpy(),
            "物流单号": "",
            "宝贝总数量": per_order["qty"].to_numpy(),
            "店铺名称": "小茶馆",
        }
    )
    tb_orders.to_csv(HERE / "taobao_orders.csv", index=False, encoding="gbk")
    # the items report also holds 3 lines of an order outside the orders report's dates
    extra = pd.DataFrame(
        {
            "order": [999999] * 3,
            "name": [PRODUCTS[i][1] for i in (0, 2, 4)],
            "price": [PRODUCTS[i][2] for i in (0, 2, 4)],
            "qty": [1, 1, 2],
            "sku": [PRODUCTS[i][0] for i in (0, 2, 4)],
            "state": ["sale"] * 3,
        }
    )
    it = pd.concat([lines[["order", "name", "price", "qty", "sku", "state"]], extra], ignore_index=True)
    tb_items = pd.DataFrame(
        {
            "订单编号": [f'="{big + i}"' for i in it["order"]],
            "标题": it["name"],
            "价格": it["price"].map("{:.2f}".format),
            "购买数量": it["qty"],
            "外部系统编号": it["sku"],
            "商品属性": "颜色分类：默认",
            "套餐信息": "",
            "备注": "",
            "订单状态": [tb_state[s] for s in it["state"]],
            "商家编码": it["sku"],
        }
    )
    tb_items.to_csv(HERE / "taobao_items.csv", index=False, encoding="gbk")
    truth["taobao_orders.csv"] = {"platform": "taobao_orders", "orders": int(orders["state"].eq("sale").sum())}
    truth["taobao_items.csv"] = {"platform": "taobao_items"}
    truth["combine:taobao_orders.csv+taobao_items.csv"] = {
        "platform": "taobao_items",
        "orders": kept_orders(lines, sale),
        "unmatched_lines": 3,
        "buyer": True,
        "date": "订单付款时间",
    }

    # --- Taobao via an ERP (聚水潭): one row per line, XLSX, quantities with 件, ¥ prices --------
    erp_state = {"sale": "已完成", "cancelled": "已取消", "closed": "已取消", "refunded": "已取消", "unpaid": "待付款"}
    order_total = lines.groupby("order")["total"].transform("sum")
    erp = pd.DataFrame(
        {
            "内部订单号": lines["order"] + 50000,
            "线上订单号": [str(big + i) for i in lines["order"]],
            "店铺名称": "小茶馆天猫店",
            "买家账号": [buyer_name(b) for b in lines["buyer"]],
            "订单状态": [erp_state[s] for s in lines["state"]],
            "下单时间": [cn_time(t) for t in lines["created"]],
            "付款时间": [cn_time(t) for t in lines["paid"]],
            "发货时间": "",
            "商品编码": lines["sku"],
            "商品名称": lines["name"],
            "颜色规格": "默认",
            "数量": [f"{q}件" for q in lines["qty"]],
            "单价": [f"¥{p:.2f}" for p in lines["price"]],
            "成交金额": lines["total"],
            "应付金额": order_total,
            "收货人": [masked_name(b) for b in lines["buyer"]],
            "手机": [masked_phone(b) for b in lines["buyer"]],
        }
    )
    erp.to_excel(HERE / "taobao_erp.xlsx", index=False, sheet_name="订单明细")
    truth["taobao_erp.xlsx"] = {
        "platform": "taobao_erp",
        "orders": kept_orders(lines, sale),
        "buyer": True,
        "date": "付款时间",
    }

    # --- JD 京东商家 (XLSX): 订单金额 is the order total on every line; 客户姓名 masked ------------
    jd_state = {
        "sale": "完成",
        "cancelled": "已取消",
        "closed": "(删除)锁定",
        "refunded": "已取消",
        "unpaid": "等待付款",
    }
    jd = pd.DataFrame(
        {
            "订单号": [str(280000000000 + i) for i in lines["order"]],
            "商品ID": [str(100012345000 + p) for p in lines["product"]],
            "商品名称": lines["name"],
            "订购数量": lines["qty"],
            "支付方式": "在线支付",
            "下单时间": [cn_time(t) for t in lines["created"]],
            "京东价": lines["price"],
            "订单金额": order_total,
            "结算金额": order_total,
            "应付金额": order_total,
            "订单状态": [jd_state[s] for s in lines["state"]],
            "订单类型": "普通订单",
            "下单帐号": [f"jd_{b * 7919 % 100000:05d}" for b in lines["buyer"]],
            "客户姓名": [masked_name(b) for b in lines["buyer"]],
            "客户地址": "北京 朝阳区 ***",
            "联系电话": [masked_phone(b) for b in lines["buyer"]],
            "订单备注": "",
            "付款确认时间": [cn_time(t) for t in lines["paid"]],
        }
    )
    jd.to_excel(HERE / "jd.xlsx", index=False)
    truth["jd.xlsx"] = {"platform": "jd", "orders": kept_orders(lines, sale), "buyer": True, "date": "付款确认时间"}

    # --- Pinduoduo (UTF-8 CSV with BOM): one SKU per order, masked buyers --------------------
    pdd_state = {
        "sale": "已签收",
        "cancelled": "已取消",
        "closed": "已取消",
        "refunded": "已签收",
        "unpaid": "待支付",
    }
    pdd = pd.DataFrame(
        {
            "商品": lines["name"],
            "订单号": [f"{t:%y%m%d}-{100000000000000 + i}" for i, t in zip(lines.index, lines["created"])],
            "订单状态": [pdd_state[s] for s in lines["state"]],
            "商品总价(元)": lines["total"],
            "店铺优惠折扣(元)": 0,
            "平台优惠折扣(元)": 0,
            "邮费(元)": 0,
            "用户实付金额(元)": lines["total"],
            "商家实收金额(元)": lines["total"],
            "商品数量(件)": lines["qty"],
            "收货人": [masked_name(b) for b in lines["buyer"]],
            "手机": [masked_phone(b) for b in lines["buyer"]],
            "支付时间": [cn_time(t) for t in lines["paid"]],
            "拼单成功时间": [cn_time(t) for t in lines["paid"]],
            "商品id": [str(345678900 + p) for p in lines["product"]],
            "商品规格": "默认",
            "样式ID": [str(1234567000 + p) for p in lines["product"]],
            "商家编码-SKU维度": lines["sku"],
            "售后状态": ["退款成功" if s == "refunded" else "无售后或售后取消" for s in lines["state"]],
        }
    )
    pdd.to_csv(HERE / "pinduoduo.csv", index=False, encoding="utf-8-sig")
    truth["pinduoduo.csv"] = {
        "platform": "pinduoduo",
        "orders": int(sale.sum()),  # one line per order
        "buyer": False,
        "date": "支付时间",
    }

    # --- Douyin 抖店 (UTF-8 CSV): 19-digit order numbers written as plain digits ---------------
    dy_state = {"sale": "已完成", "cancelled": "已关闭", "closed": "已关闭", "refunded": "已完成", "unpaid": "待支付"}
    dy = pd.DataFrame(
        {
            "主订单编号": [str(big + 4 * 10**17 + i) for i in lines["order"]],
            "子订单编号": [str(big + 5 * 10**17 + i) for i in lines.index],
            "选购商品": lines["name"],
            "商品规格": "默认",
            "商品数量": lines["qty"],
            "商品ID": [str(3600000000000000000 + p) for p in lines["product"]],
            "商家编码": lines["sku"],
            "商品单价": lines["price"],
            "订单应付金额": lines["total"],
            "运费": 0,
            "订单提交时间": [cn_time(t) for t in lines["created"]],
            "支付完成时间": [cn_time(t) for t in lines["paid"]],
            "订单状态": [dy_state[s] for s in lines["state"]],
            "售后状态": ["退款成功" if s == "refunded" else "-" for s in lines["state"]],
            "收件人": [masked_name(b) for b in lines["buyer"]],
            "收件人手机号": [masked_phone(b) for b in lines["buyer"]],
            "省": "广东省",
            "市": "深圳市",
        }
    )
    dy.to_csv(HERE / "douyin.csv", index=False, encoding="utf-8")
    truth["douyin.csv"] = {
        "platform": "douyin",
        "orders": kept_orders(lines, sale),
        "buyer": False,
        "date": "支付完成时间",
    }

    # --- Youzan 有赞 (XLSX): 订单实付金额 repeated per line; the buyer's phone is the id --------
    yz_state = {
        "sale": "交易成功",
        "cancelled": "交易关闭",
        "closed": "交易关闭",
        "refunded": "交易关闭",
        "unpaid": "待付款",
    }
    yz = pd.DataFrame(
        {
            "订单号": [f"E2023{i:015d}" for i in lines["order"]],
            "订单状态": [yz_state[s] for s in lines["state"]],
            "订单创建时间": [cn_time(t) for t in lines["created"]],
            "买家付款时间": [cn_time(t) for t in lines["paid"]],
            "商品名称": lines["name"],
            "商品规格": "默认",
            "商品编码": lines["sku"],
            "规格编码": lines["sku"] + "-01",
            "商品单价": lines["price"],
            "商品数量": lines["qty"],
            "商品实际成交金额": lines["total"],
            "订单实付金额": order_total,
            "买家": [buyer_name(b) for b in lines["buyer"]],
            "买家手机号": [f"1{38 + b % 10}{10000000 + b * 7331:08d}" for b in lines["buyer"]],
            "粉丝昵称": [buyer_name(b) for b in lines["buyer"]],
            "收货人/提货人": [masked_name(b) for b in lines["buyer"]],
        }
    )
    yz.to_excel(HERE / "youzan.xlsx", index=False)
    truth["youzan.xlsx"] = {
        "platform": "youzan",
        "orders": kept_orders(lines, sale),
        "buyer": True,
        "date": "买家付款时间",
    }

    # --- Shopify (UTF-8 CSV): order-level fields on the first line of an order only ----------
    fin = {"sale": "paid", "cancelled": "voided", "closed": "voided", "refunded": "refunded", "unpaid": "pending"}
    first = ~lines["order"].duplicated()
    en_time = [pd.Timestamp(t).strftime("%Y-%m-%d %H:%M:%S +0800") if pd.notna(t) else "" for t in lines["paid"]]
    sp = pd.DataFrame(
        {
            "Name": [f"#{1000 + i}" for i in lines["order"]],
            "Email": [f"buyer{b}@example.com" for b in lines["buyer"]],
            "Financial Status": [fin[s] for s in lines["state"]],
            "Paid at": en_time,
            "Fulfillment Status": ["fulfilled" if s == "sale" else "unfulfilled" for s in lines["state"]],
            "Currency": "USD",
            "Subtotal": order_total,
            "Shipping": 0,
            "Taxes": 0,
            "Total": order_total,
            "Created at": [pd.Timestamp(t).strftime("%Y-%m-%d %H:%M:%S +0800") for t in lines["created"]],
            "Lineitem quantity": lines["qty"],
            "Lineitem name": lines["en_name"],
            "Lineitem price": lines["price"],
            "Lineitem sku": lines["sku"],
            "Billing Name": [f"Buyer {b}" for b in lines["buyer"]],
            "Cancelled at": [
                pd.Timestamp(t).strftime("%Y-%m-%d %H:%M:%S +0800") if s in ("cancelled", "closed") else ""
                for t, s in zip(lines["created"], lines["state"])
            ],
            "Payment Method": "Shopify Payments",
            "Refunded Amount": [t if s == "refunded" else 0 for t, s in zip(order_total, lines["state"])],
            "Id": [5000000000000 + i for i in lines["order"]],
        }
    )
    for c in (
        "Email",
        "Financial Status",
        "Paid at",
        "Fulfillment Status",
        "Currency",
        "Subtotal",
        "Shipping",
        "Taxes",
        "Total",
        "Created at",
        "Billing Name",
        "Cancelled at",
        "Payment Method",
        "Refunded Amount",
    ):
        sp[c] = sp[c].astype(object).where(first.to_numpy(), "")
    sp.to_csv(HERE / "shopify_orders_export.csv", index=False, encoding="utf-8")
    truth["shopify_orders_export.csv"] = {
        "platform": "shopify",
        "orders": kept_orders(lines, sale),
        "buyer": True,
        "date": "Paid at",
    }

    # --- WooCommerce (Customer/Order CSV Export, one row per item) ---------------------------
    wc_state = {
        "sale": "completed",
        "cancelled": "cancelled",
        "closed": "failed",
        "refunded": "refunded",
        "unpaid": "pending",
    }
    wc = pd.DataFrame(
        {
            "order_id": lines["order"] + 4000,
            "order_number": lines["order"] + 4000,
            "order_date": [pd.Timestamp(t).strftime("%Y-%m-%d %H:%M:%S") for t in lines["created"]],
            "status": [wc_state[s] for s in lines["state"]],
            "shipping_total": 5,
            "tax_total": 0,
            "discount_total": 0,
            "order_total": order_total + 5,
            "refunded_total": 0,
            "order_currency": "EUR",
            "payment_method": "stripe",
            "customer_id": [b + 100 if b % 5 else 0 for b in lines["buyer"]],  # 0: guest checkout
            "billing_first_name": [f"Buyer{b}" for b in lines["buyer"]],
            "billing_email": [f"buyer{b}@example.org" for b in lines["buyer"]],
            "item_id": lines.index + 1,
            "item_name": lines["en_name"],
            "item_sku": lines["sku"],
            "item_quantity": lines["qty"],
            "item_subtotal": lines["total"],
            "item_total": lines["total"],
            "item_refunded": (lines["refund_qty"] * lines["price"]).round(2),
            "item_refunded_qty": -lines["refund_qty"],
        }
    )
    wc.to_csv(HERE / "woocommerce_orders.csv", index=False, encoding="utf-8")
    truth["woocommerce_orders.csv"] = {
        "platform": "woocommerce",
        "orders": kept_orders(lines, sale),
        "buyer": True,
        "date": "order_date",
        "refunded_units": int(lines["refund_qty"][sale].sum()),
    }

    # --- Amazon All Orders report (tab-separated .txt): item-price is the line total ---------
    az_state = {
        "sale": "Shipped",
        "cancelled": "Cancelled",
        "closed": "Cancelled",
        "refunded": "Cancelled",
        "unpaid": "Pending",
    }
    az = pd.DataFrame(
        {
            "amazon-order-id": [f"11{i % 10}-{1000000 + i * 7:07d}-{2000000 + i * 13:07d}" for i in lines["order"]],
            "merchant-order-id": "",
            "purchase-date": [pd.Timestamp(t).strftime("%Y-%m-%dT%H:%M:%S+00:00") for t in lines["created"]],
            "last-updated-date": [pd.Timestamp(t).strftime("%Y-%m-%dT%H:%M:%S+00:00") for t in lines["created"]],
            "order-status": [az_state[s] for s in lines["state"]],
            "fulfillment-channel": "Amazon",
            "sales-channel": "Amazon.com",
            "order-channel": "",
            "ship-service-level": "Standard",
            "product-name": lines["en_name"],
            "sku": lines["sku"],
            "asin": [f"B0{p:08d}" for p in lines["product"]],
            "item-status": ["Cancelled" if s != "sale" else "Shipped" for s in lines["state"]],
            "quantity": lines["qty"],
            "currency": "USD",
            "item-price": lines["total"],
            "item-tax": 0,
            "shipping-price": "",
            "ship-city": "SEATTLE",
            "ship-country": "US",
        }
    )
    az.to_csv(HERE / "amazon_all_orders.txt", index=False, sep="\t", encoding="utf-8")
    truth["amazon_all_orders.txt"] = {
        "platform": "amazon",
        "orders": kept_orders(lines, sale),
        "buyer": False,
        "date": "purchase-date",
    }

    # --- eBay Seller Hub orders report (CSV): $ money, Mar-05-24 dates, no status column -------
    ebay_lines = lines[sale]  # eBay lists orders that were paid
    eb = pd.DataFrame(
        {
            "Sales Record Number": ebay_lines["order"] + 300,
            "Order Number": [f"{10 + i % 89:02d}-{10000 + i:05d}-{20000 + i * 3:05d}" for i in ebay_lines["order"]],
            "Buyer Username": [f"ebuyer_{b}" for b in ebay_lines["buyer"]],
            "Buyer Name": [f"Buyer {b}" for b in ebay_lines["buyer"]],
            "Buyer Email": [f"ebuyer{b}@example.net" for b in ebay_lines["buyer"]],
            "Item Number": [str(180000000000 + p) for p in ebay_lines["product"]],
            "Item Title": ebay_lines["en_name"],
            "Custom Label": ebay_lines["sku"],
            "Quantity": ebay_lines["qty"],
            "Sold For": [f"${p:,.2f}" for p in ebay_lines["price"]],
            "Shipping And Handling": "$0.00",
            "Total Price": [f"${t:,.2f}" for t in order_total[sale]],
            "Payment Method": "PayPal",
            "Sale Date": [pd.Timestamp(t).strftime("%b-%d-%y") for t in ebay_lines["created"]],
            "Paid On Date": [pd.Timestamp(t).strftime("%b-%d-%y") for t in ebay_lines["paid"]],
            "Tracking Number": "",
        }
    )
    eb.to_csv(HERE / "ebay_orders.csv", index=False, encoding="utf-8")
    truth["ebay_orders.csv"] = {
        "platform": "ebay",
        "orders": int(ebay_lines["order"].nunique()),
        "buyer": True,
        "date": "Paid On Date",
    }

    # --- Etsy sold order items (CSV): MM/DD/YY dates ------------------------------------------
    et_lines = lines[sale]
    et = pd.DataFrame(
        {
            "Sale Date": [pd.Timestamp(t).strftime("%m/%d/%y") for t in et_lines["created"]],
            "Item Name": et_lines["en_name"],
            "Buyer": [f"etsybuyer{b}" for b in et_lines["buyer"]],
            "Quantity": et_lines["qty"],
            "Price": et_lines["price"],
            "Coupon Code": "",
            "Discount Amount": 0,
            "Order Shipping": 4.5,
            "Order Sales Tax": 0,
            "Item Total": et_lines["total"],
            "Currency": "USD",
            "Transaction ID": [str(3000000000 + i) for i in et_lines.index],
            "Listing ID": [str(1500000000 + p) for p in et_lines["product"]],
            "Date Paid": [pd.Timestamp(t).strftime("%m/%d/%y") for t in et_lines["paid"]],
            "Date Shipped": "",
            "Ship Name": [f"Buyer {b}" for b in et_lines["buyer"]],
            "Order ID": [str(2900000000 + i) for i in et_lines["order"]],
            "Variations": "",
            "Order Type": "online",
            "SKU": et_lines["sku"],
        }
    )
    et.to_csv(HERE / "EtsySoldOrderItems2024.csv", index=False, encoding="utf-8")
    truth["EtsySoldOrderItems2024.csv"] = {
        "platform": "etsy",
        "orders": int(et_lines["order"].nunique()),
        "buyer": True,
        "date": "Date Paid",
    }

    # --- Shopee (XLSX) ----------------------------------------------------------------------
    sh_state = {
        "sale": "Completed",
        "cancelled": "Cancelled",
        "closed": "Cancelled",
        "refunded": "Completed",
        "unpaid": "Unpaid",
    }
    sh = pd.DataFrame(
        {
            "Order ID": [f"2301{i:02d}{700000 + i:06d}ABC" for i in lines["order"] % 100],
            "Order Status": [sh_state[s] for s in lines["state"]],
            "Return / Refund Status": ["Refund Accepted" if s == "refunded" else "" for s in lines["state"]],
            "Order Creation Date": [pd.Timestamp(t).strftime("%Y-%m-%d %H:%M") for t in lines["created"]],
            "Order Paid Time": [
                pd.Timestamp(t).strftime("%Y-%m-%d %H:%M") if pd.notna(t) else "" for t in lines["paid"]
            ],
            "Parent SKU Reference No.": lines["sku"].str[:3],
            "Product Name": lines["en_name"],
            "SKU Reference No.": lines["sku"],
            "Variation Name": "",
            "Original Price": lines["price"],
            "Deal Price": lines["price"],
            "Quantity": lines["qty"],
            "Product Subtotal": lines["total"],
            "Grand Total": order_total,
            "Username (Buyer)": [f"shopee_user{b}" for b in lines["buyer"]],
            "Receiver Name": [f"B****{b}" for b in lines["buyer"]],
            "Phone Number": [f"******{b:04d}" for b in lines["buyer"]],
        }
    )
    # Shopee's ids are per order: make them unique per order as the platform does
    sh["Order ID"] = [f"23{i:010d}SHP" for i in lines["order"]]
    sh.to_excel(HERE / "shopee_orders.xlsx", index=False, sheet_name="orders")
    truth["shopee_orders.xlsx"] = {
        "platform": "shopee",
        "orders": kept_orders(lines, sale),
        "buyer": True,
        "date": "Order Paid Time",
    }

    # --- Lazada (XLSX): one row per unit ----------------------------------------------------
    lz_state = {
        "sale": "delivered",
        "cancelled": "canceled",
        "closed": "canceled",
        "refunded": "returned",
        "unpaid": "pending",
    }
    lz_lines = lines.loc[lines.index.repeat(lines["qty"])].reset_index(drop=True)
    lz = pd.DataFrame(
        {
            "orderItemId": [str(400000000000 + i) for i in lz_lines.index],
            "orderType": "Normal",
            "sellerSkuId": lz_lines["sku"],
            "lazadaSku": [f"{1000 + p}_MY-{2000 + p}" for p in lz_lines["product"]],
            "createTime": [pd.Timestamp(t).strftime("%d %b %Y %H:%M") for t in lz_lines["created"]],
            "orderNumber": [str(600000000000000 + i) for i in lz_lines["order"]],
            "customerName": [f"B*** {b}" for b in lz_lines["buyer"]],
            "customerEmail": [f"lz{b}@example.com" for b in lz_lines["buyer"]],
            "paidPrice": lz_lines["price"],
            "unitPrice": lz_lines["price"],
            "itemName": lz_lines["en_name"],
            "status": [lz_state[s] for s in lz_lines["state"]],
            "refundAmount": 0,
        }
    )
    lz.to_excel(HERE / "lazada_orders.xlsx", index=False)
    truth["lazada_orders.xlsx"] = {
        "platform": "lazada",
        "orders": kept_orders(lines, sale),
        "buyer": True,
        "date": "createTime",
    }

    (HERE / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return truth


if __name__ == "__main__":
    for name, t in write_all().items():
        print(name, t)
