"""The demo shop's planted pricing plans, in two tables of their own so that orders.csv and every
other tab's planted truth stay as they were:

- ``price_segments.csv``: a year of order lines of four products bought by customers of three
  segments; each week each product's price is drawn from a few steps around its list price, and
  each segment's weekly units follow its own constant elasticity (new customers react much more
  to price than regulars). Truth: each segment's elasticity.
- ``markdown_sales.csv``: 40 weeks of a winter scarf's sales with price changes, elasticity -2.5;
  the truth gives its stock and weeks left for the markdown plan, and its true weekly demand.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SEED = 20240918
START = _dt.date(2024, 1, 1)
WEEKS = 52
SEGMENTS = {"new": -3.2, "regular": -1.3, "lapsed": -1.8}  # segment -> planted elasticity
SEGMENT_SCALE = {"new": 1.0, "regular": 1.6, "lapsed": 0.7}
PRODUCTS: dict[
    str, tuple[str, float, float, float]
] = {  # id -> (name, list price, cost, units a week per segment at list price)
    "S01": ("Ceramic_mug", 12.0, 4.5, 14.0),
    "S02": ("Tea_towel_set", 9.0, 3.0, 10.0),
    "S03": ("Scented_candle", 16.0, 6.0, 8.0),
    "S04": ("Linen_napkins", 14.0, 5.0, 7.0),
}
STEPS = (0.85, 0.9, 1.0, 1.0, 1.1)
SCARF: dict[str, Any] = {
    "id": "W01",
    "name": "Wool_scarf",
    "price": 39.0,
    "cost": 14.0,
    "base": 9.0,
    "elasticity": -2.5,
}
SCARF_WEEKS, SCARF_STOCK, SCARF_WEEKS_LEFT = 40, 120, 10
ZH_COLUMNS = {
    "order_id": "订单编号",
    "customer_id": "买家会员名",
    "segment": "客户分群",
    "date": "订单创建时间",
    "product_id": "商品编码",
    "product_name": "商品名称",
    "unit_price": "单价",
    "quantity": "数量",
    "unit_cost": "成本",
}
ZH_SEGMENTS = {"new": "新客", "regular": "老客", "lapsed": "流失客"}
ZH_NAMES = {"S01": "陶瓷马克杯", "S02": "茶巾套装", "S03": "香薰蜡烛", "S04": "亚麻餐巾", "W01": "羊毛围巾"}
ROLES = {
    "order_id": "order_id",
    "customer_id": "customer_id",
    "date": "date",
    "product_id": "product_id",
    "product_name": "product_name",
    "price": "unit_price",
    "quantity": "quantity",
    "cost": "unit_cost",
}


def _segments(price_factor: float) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(SEED)
    rows = []
    order = 0
    for w in range(WEEKS):
        week = START + _dt.timedelta(weeks=w)
        for pid, (_name, list_price, cost, base) in PRODUCTS.items():
            price = round(list_price * float(rng.choice(STEPS)) * price_factor, 2)
            rel = price / (list_price * price_factor)
            for seg, e in SEGMENTS.items():
                units = int(rng.poisson(base * SEGMENT_SCALE[seg] * rel**e))
                while units > 0:
                    q = min(units, int(rng.integers(1, 4)))
                    units -= q
                    order += 1
                    day = week + _dt.timedelta(days=int(rng.integers(0, 7)))
                    cust = f"{seg[0].upper()}{int(rng.integers(1, 200)):03d}"
                    rows.append(
                        (f"PS{order:06d}", cust, seg, day.isoformat(), pid, price, q, round(cost * price_factor, 2))
                    )
    f = pd.DataFrame(
        rows,
        columns=["order_id", "customer_id", "segment", "date", "product_id", "unit_price", "quantity", "unit_cost"],
    )
    # names kept as data (underscores for spaces), shown with spaces
    f.insert(5, "product_name", f["product_id"].map({k: v[0].replace("_", " ") for k, v in PRODUCTS.items()}))
    truth = {"elasticity": dict(SEGMENTS), "most_responsive": min(SEGMENTS, key=SEGMENTS.__getitem__)}
    return f, truth


def _markdown(price_factor: float) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(SEED + 1)
    rows = []
    p0 = SCARF["price"] * price_factor
    for w in range(SCARF_WEEKS):
        price = round(p0 * float(rng.choice(STEPS)), 2)
        units = int(rng.poisson(SCARF["base"] * (price / p0) ** SCARF["elasticity"]))
        day = START + _dt.timedelta(weeks=w, days=2)
        if units:
            rows.append(
                (
                    f"MS{w + 1:05d}",
                    "",
                    "",
                    day.isoformat(),
                    SCARF["id"],
                    price,
                    units,
                    round(SCARF["cost"] * price_factor, 2),
                )
            )
    # the last week at the list price, so today's price is the list price
    rows.append(
        (
            f"MS{SCARF_WEEKS + 1:05d}",
            "",
            "",
            (START + _dt.timedelta(weeks=SCARF_WEEKS, days=2)).isoformat(),
            SCARF["id"],
            round(p0, 2),
            int(SCARF["base"]),
            round(SCARF["cost"] * price_factor, 2),
        )
    )
    f = pd.DataFrame(
        rows,
        columns=["order_id", "customer_id", "segment", "date", "product_id", "unit_price", "quantity", "unit_cost"],
    )
    f = f.drop(columns=["customer_id", "segment"])
    f.insert(3, "product_name", str(SCARF["name"]).replace("_", " "))
    truth = {
        "product": SCARF["id"],
        "elasticity": SCARF["elasticity"],
        "base_units_per_week": SCARF["base"],
        "price": round(p0, 2),
        "stock": SCARF_STOCK,
        "weeks_left": SCARF_WEEKS_LEFT,
    }
    return f, truth


def roles(lang: str = "en", table: str = "price_segments") -> dict[str, str]:
    out = {r: c for r, c in ROLES.items() if table == "price_segments" or r != "customer_id"}
    if lang == "zh_CN":
        return {r: ZH_COLUMNS[c] for r, c in out.items()}
    return out


def write(out_dir, lang: str = "en", price_factor: float = 1.0) -> dict[str, Any]:
    """Write price_segments.csv and markdown_sales.csv (GBK and Chinese headers in the Chinese
    shop) and return their truth."""
    seg, seg_truth = _segments(price_factor)
    mk, mk_truth = _markdown(price_factor)
    if lang == "zh_CN":
        seg = seg.assign(segment=seg["segment"].map(ZH_SEGMENTS), product_name=seg["product_id"].map(ZH_NAMES))
        mk = mk.assign(product_name=mk["product_id"].map(ZH_NAMES))
        seg_truth = {
            "elasticity": {ZH_SEGMENTS[k]: v for k, v in seg_truth["elasticity"].items()},
            "most_responsive": ZH_SEGMENTS[seg_truth["most_responsive"]],
        }
        seg, mk = seg.rename(columns=ZH_COLUMNS), mk.rename(columns=ZH_COLUMNS)
    enc = "gbk" if lang == "zh_CN" else "utf-8"
    out = Path(out_dir)
    (out / "price_segments.csv").write_bytes(seg.to_csv(index=False, lineterminator="\n").encode(enc))
    (out / "markdown_sales.csv").write_bytes(mk.to_csv(index=False, lineterminator="\n").encode(enc))
    return {"segments": seg_truth, "markdown": mk_truth}
