"""The demo shop's planted campaign: a separate small order table (``campaign_orders.csv``) of a
shop whose customers are of four planted types, with a shop-wide promotion of known effect and a
coupon campaign sent to a list with a random holdout and a known lift. Kept apart from
orders.csv so that the other tabs' planted truths are untouched.

Every customer buys on each day with a Poisson chance (their type's rate, times the weekday
factor, times the promotion's and the campaign's multipliers while they run) and spends a Gamma
amount around their type's mean. The truths are expectations from these rates (exact, not
measured): what the promotion and the campaign add on average.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np

SEED = 20241104
START = _dt.date(2024, 1, 1)
DAYS = 366
TYPES = {  # type -> (customers, purchases per day, mean spend per purchase)
    "frequent_small": (300, 1 / 7, 15.0),
    "rare_big": (300, 1 / 60, 120.0),
    "regular_mid": (300, 1 / 20, 40.0),
    "one_off": (300, 0.0, 30.0),  # a single purchase somewhere in the year
}
AMOUNT_SHAPE = 4.0  # Gamma shape of one purchase's spend (cv 50%)
WEEKDAY = (0.9, 0.9, 0.95, 1.0, 1.05, 1.2, 1.0)  # Monday..Sunday
PROMO_START, PROMO_DAYS, PROMO_UPLIFT = _dt.date(2024, 6, 3), 14, 1.3
CAMPAIGN_START, CAMPAIGN_DAYS, CAMPAIGN_LIFT = _dt.date(2024, 11, 4), 28, 1.5
HOLDOUT_SHARE = 0.2
CONTACT_COST = 2.0  # per coupon sent

COLUMNS = ("order_id", "customer_id", "date", "amount", "campaign_group")
ZH_COLUMNS = {
    "order_id": "订单编号",
    "customer_id": "买家会员名",
    "date": "订单创建时间",
    "amount": "实付金额",
    "campaign_group": "营销分组",
}
ZH_GROUPS = {"contacted": "已触达", "holdout": "对照组", "": ""}
DATASET_ROLES = {"order_id": "order_id", "customer_id": "customer_id", "date": "date", "amount": "amount"}


def _generate() -> dict[str, Any]:
    rng = np.random.default_rng(SEED)
    kinds, rates, means = [], [], []
    for kind, (size, per_day, mean_spend) in TYPES.items():
        kinds += [kind] * size
        rates += [per_day] * size
        means += [mean_spend] * size
    kinds_a = np.array(kinds)
    rate = np.array(rates)
    mean = np.array(means)
    n = len(rate)
    ids = [f"K{i + 1:04d}" for i in range(n)]
    dates = np.array([START + _dt.timedelta(days=d) for d in range(DAYS)])
    dow = np.array([d.weekday() for d in dates])
    day_factor = np.array(WEEKDAY)[dow]
    promo = np.array([PROMO_START <= d < PROMO_START + _dt.timedelta(days=PROMO_DAYS) for d in dates])
    camp_on = np.array([CAMPAIGN_START <= d < CAMPAIGN_START + _dt.timedelta(days=CAMPAIGN_DAYS) for d in dates])
    camp_day0 = int(np.argmax(camp_on))

    # the campaign list: every customer who is not a one-off buyer, drawn before the campaign
    listed = np.flatnonzero(kinds_a != "one_off")
    hold = np.zeros(n, dtype=bool)
    hold[rng.choice(listed, size=int(round(HOLDOUT_SHARE * len(listed))), replace=False)] = True
    contacted = np.zeros(n, dtype=bool)
    contacted[listed] = True
    contacted &= ~hold

    lam = rate[:, None] * day_factor[None, :] * np.where(promo, PROMO_UPLIFT, 1.0)[None, :]
    lam = lam * np.where(contacted[:, None] & camp_on[None, :], CAMPAIGN_LIFT, 1.0)
    counts = rng.poisson(lam)
    one_off = np.flatnonzero(kinds_a == "one_off")
    counts[one_off, :] = 0
    counts[one_off, rng.integers(0, DAYS - 40, len(one_off))] = 1
    cust, day = np.nonzero(counts)
    reps = counts[cust, day]
    cust, day = np.repeat(cust, reps), np.repeat(day, reps)
    amount = np.round(rng.gamma(AMOUNT_SHAPE, mean[cust] / AMOUNT_SHAPE), 2).clip(0.5)
    order = np.lexsort((cust, day))
    cust, day, amount = cust[order], day[order], amount[order]

    # truths: expectations from the rates
    base = rate[:, None] * day_factor[None, :]
    promo_extra = float((base[:, promo] * (PROMO_UPLIFT - 1.0) * mean[:, None]).sum())
    lam28 = (base[:, camp_on]).sum(axis=1)
    spend_extra = lam28 * (CAMPAIGN_LIFT - 1.0) * mean
    conv_lift = (1 - np.exp(-CAMPAIGN_LIFT * lam28)) - (1 - np.exp(-lam28))
    return {
        "ids": ids,
        "kinds": kinds_a,
        "cust": cust,
        "day": day,
        "amount": amount,
        "dates": dates,
        "contacted": contacted,
        "hold": hold,
        "truth": {
            "description": (
                "campaign_orders.csv: a separate shop of 1,200 customers of four planted types; every "
                "customer buys per day with a Poisson rate (type rate x weekday factor x promotion and "
                "campaign multipliers) and spends a Gamma amount around the type's mean. Expected "
                "values from those rates, exact."
            ),
            "seed": SEED,
            "types": {k: {"customers": v[0], "purchases_per_day": v[1], "mean_spend": v[2]} for k, v in TYPES.items()},
            "customer_types": {ids[i]: str(kinds_a[i]) for i in range(n)},
            "promotion": {
                "start": PROMO_START.isoformat(),
                "days": PROMO_DAYS,
                "uplift": PROMO_UPLIFT,
                "expected_extra_sales": round(promo_extra, 2),
            },
            "campaign": {
                "start": CAMPAIGN_START.isoformat(),
                "days": CAMPAIGN_DAYS,
                "lift": CAMPAIGN_LIFT,
                "contacted": int(contacted.sum()),
                "holdout": int(hold.sum()),
                "contact_cost": CONTACT_COST,
                "group_column": "campaign_group",
                "expected_extra_spend_per_contacted": round(float(spend_extra[contacted].mean()), 4),
                "expected_extra_spend_total": round(float(spend_extra[contacted].sum()), 2),
                "expected_conversion_lift": round(float(conv_lift[contacted].mean()), 6),
                "campaign_day_index": camp_day0,
            },
        },
    }


def tables(lang: str = "en", price_factor: float = 1.0):
    """(campaign_orders frame, truth) of the English shop, or the Chinese one (Chinese headers and
    groups, money x ``price_factor``)."""
    import pandas as pd

    g = _generate()
    group = np.where(g["contacted"], "contacted", np.where(g["hold"], "holdout", ""))
    frame = pd.DataFrame(
        {
            "order_id": [f"Q{i + 1:06d}" for i in range(len(g["cust"]))],
            "customer_id": [g["ids"][c] for c in g["cust"]],
            "date": [g["dates"][d].isoformat() for d in g["day"]],
            "amount": [f"{v * price_factor:.2f}" for v in g["amount"]],
            "campaign_group": group[g["cust"]],
        }
    )
    truth = g["truth"]
    truth["counts"] = {"order_lines": int(len(frame)), "customers": len(g["ids"])}
    if lang == "zh_CN":
        frame["campaign_group"] = frame["campaign_group"].map(ZH_GROUPS)
        frame = frame.rename(columns=ZH_COLUMNS)
        f = price_factor
        truth["promotion"]["expected_extra_sales"] = round(truth["promotion"]["expected_extra_sales"] * f, 2)
        c = truth["campaign"]
        c["group_column"] = ZH_COLUMNS["campaign_group"]
        c["contact_cost"] = CONTACT_COST * f
        c["expected_extra_spend_per_contacted"] = round(c["expected_extra_spend_per_contacted"] * f, 4)
        c["expected_extra_spend_total"] = round(c["expected_extra_spend_total"] * f, 2)
        truth["money"] = {"currency": "CNY", "factor_to_english": f}
    return frame, truth


def roles(lang: str = "en") -> dict[str, str]:
    """The roles of campaign_orders in that shop's column names (the group column is found by
    its name, campaign_group / 营销分组)."""
    if lang == "zh_CN":
        return {r: ZH_COLUMNS[c] for r, c in DATASET_ROLES.items()}
    return dict(DATASET_ROLES)


def write(out_dir, lang: str = "en", price_factor: float = 1.0) -> dict[str, Any]:
    """Write campaign_orders.csv into ``out_dir`` (UTF-8; GBK in the Chinese shop, as its other
    tables) and return its truth."""
    from pathlib import Path

    frame, truth = tables(lang, price_factor)
    data = frame.to_csv(index=False, lineterminator="\n")
    (Path(out_dir) / "campaign_orders.csv").write_bytes(data.encode("gbk" if lang == "zh_CN" else "utf-8"))
    return truth
