"""The demo shop's stock sheet (``stock.csv``): one row per product, as a shop keeps it on the day
after its last order (stock on hand, on order with the expected arrival, supplier lead time, unit
cost, minimum order, pack size), for the Stock planning tab.

The truth is planted against the shop's own orders (the last 8 weeks' daily rate of each
product): the best seller has 2 days of stock left and a 10-day lead time (it is about to run out
and must be ordered now); one product holds 300 days of stock (overstocked); the product that sold
on the fewest days of the last year is named as the intermittent seller (it sells on fewer than
3 days in 4, so its average interval between sales is above the 1.32 cut-off); and one product is
named as sold for one season (the tab gives it the newsvendor quantity when told so). Every other
product holds 3-6 weeks of stock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SEED = 20240623
COLUMNS = {
    "en": (
        "product_id",
        "product_name",
        "on_hand",
        "on_order",
        "arrival_date",
        "lead_time_days",
        "unit_cost",
        "moq",
        "pack_size",
    ),
    "zh_CN": ("商家编码", "商品名称", "现有库存", "在途", "到货日期", "采购周期", "成本", "起订量", "箱规"),
}
ROLES = ("product_id", "product_name", "on_hand", "on_order", "arrival_date", "lead_time", "cost", "moq", "pack_size")
# the orders' columns in each shop: product id, name, date, quantity, unit price
ORDER_COLUMNS = {
    "en": ("product_id", "product_name", "date", "quantity", "unit_price"),
    "zh_CN": ("商家编码", "宝贝标题", "订单创建时间", "购买数量", "宝贝单价"),
}
RATE_DAYS = 56
RUN_OUT_DAYS_LEFT = 2.0
RUN_OUT_LEAD_TIME = 10
OVERSTOCK_DAYS = 300
COST_SHARE = 0.45  # unit cost as a share of the selling price


def roles(lang: str = "en") -> dict[str, str]:
    return dict(zip(ROLES, COLUMNS["zh_CN" if lang == "zh_CN" else "en"]))


def frame(orders, lang: str = "en") -> tuple[Any, dict[str, Any]]:
    """(the stock sheet, its truth) from the shop's orders frame."""
    import pandas as pd

    key = "zh_CN" if lang == "zh_CN" else "en"
    pid, pname, date, qty, price = ORDER_COLUMNS[key]
    o = pd.DataFrame(
        {
            "p": orders[pid].astype(str),
            "name": orders[pname].astype(str),
            "d": pd.to_datetime(orders[date]).dt.normalize(),
            "q": pd.to_numeric(orders[qty]),
            "price": pd.to_numeric(orders[price].astype(str).str.replace("¥", "", regex=False)),
        }
    )
    last = o["d"].max()
    today = last + pd.Timedelta(days=1)
    recent = o[o["d"] > last - pd.Timedelta(days=RATE_DAYS)]
    rate = recent.groupby("p")["q"].sum() / RATE_DAYS
    year = o[o["d"] > last - pd.Timedelta(days=365)]
    sell_days = year.groupby("p")["d"].nunique().reindex(rate.index, fill_value=0)
    names = o.groupby("p")["name"].last()
    prices = o.groupby("p")["price"].median()
    products = sorted(rate.index)
    rng = np.random.default_rng(SEED)

    run_out = str(rate.idxmax())
    intermittent = str(sell_days.idxmin())
    adi = 365 / max(int(sell_days[intermittent]), 1)
    assert adi > 1.32, adi
    by_rate = rate.sort_values()
    overstocked = str(by_rate.index[len(by_rate) // 2])  # a middling seller
    seasonal = str(by_rate.index[len(by_rate) // 2 + 3])
    rows = []
    for p in products:
        r = float(rate[p])
        lead = int(rng.choice([5, 7, 10, 14]))
        days = float(rng.uniform(21, 42))
        on_order, arrival = 0, ""
        if p == run_out:
            days, lead = RUN_OUT_DAYS_LEFT, RUN_OUT_LEAD_TIME
        elif p == overstocked:
            days = OVERSTOCK_DAYS
        elif rng.random() < 0.25:
            on_order = int(round(r * 14))
            arrival = (today + pd.Timedelta(days=int(rng.integers(2, lead + 1)))).date().isoformat()
        pack = int(rng.choice([1, 6, 12]))
        rows.append(
            {
                "p": p,
                "name": names[p],
                "on_hand": int(round(r * days)),
                "on_order": on_order,
                "arrival": arrival,
                "lead": lead,
                "cost": round(float(prices[p]) * COST_SHARE, 2),
                "moq": int(pack * rng.choice([1, 2])),
                "pack": pack,
            }
        )
    sheet = pd.DataFrame(rows)
    sheet.columns = list(COLUMNS[key])
    truth = {
        "description": (
            "The stock sheet stock.csv, as on the day after the last order. Daily rate: units of "
            f"the last {RATE_DAYS} days / {RATE_DAYS}. Planted: run_out has {RUN_OUT_DAYS_LEFT:g} days of "
            f"stock and a {RUN_OUT_LEAD_TIME}-day lead time (order now, at risk); overstocked holds "
            f"{OVERSTOCK_DAYS} days of stock; intermittent sold on the fewest days of the last year "
            "(ADI above 1.32); seasonal is the product to give the newsvendor quantity."
        ),
        "today": today.date().isoformat(),
        "run_out": run_out,
        "overstocked": overstocked,
        "intermittent": intermittent,
        "intermittent_adi": round(adi, 3),
        "seasonal": seasonal,
        "names": {k: str(names[k]) for k in (run_out, overstocked, intermittent, seasonal)},
        "daily_rate": {k: round(float(rate[k]), 4) for k in (run_out, overstocked, intermittent, seasonal)},
    }
    return sheet, truth


def write(out_dir, orders, lang: str = "en") -> dict[str, Any]:
    """``stock.csv`` (UTF-8) into the demo shop's folder; returns its truth (for truth.json)."""
    sheet, truth = frame(orders, lang)
    (Path(out_dir) / "stock.csv").write_bytes(sheet.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return truth
