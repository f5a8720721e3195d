"""A generated purchase log with a planted truth, where collaborative filtering has something to
find (pure, no Qt): customers in taste groups buy mostly inside their group, with a Zipf
popularity inside each group, in dated orders over a year. Used by the tests and the quality
benchmark; the planted groups are the known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd


def planted_log(
    n_customers: int = 3000,
    n_products: int = 400,
    n_groups: int = 8,
    orders_per_customer: float = 6.0,
    lines_per_order: float = 3.0,
    inside: float = 0.85,
    zipf: float = 1.0,
    days: int = 365,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict]:
    """Order lines (customer, product, date, quantity, price) and the truth: each customer's and
    each product's taste group. A line is inside the customer's group with probability ``inside``
    (then drawn by the group's Zipf popularity), else from the whole shop (by the same ranks, so
    every group's first products are the shop's best sellers)."""
    rng = np.random.default_rng(seed)
    group_of_product = np.arange(n_products) % n_groups
    rank_in_group = np.arange(n_products) // n_groups
    weight = 1.0 / (1.0 + rank_in_group) ** zipf
    group_of_customer = rng.integers(0, n_groups, n_customers)
    members = [np.flatnonzero(group_of_product == g) for g in range(n_groups)]
    p_group = [weight[m] / weight[m].sum() for m in members]
    p_all = weight / weight.sum()
    price = np.round(rng.uniform(5, 60, n_products), 2)
    n_orders = 1 + rng.poisson(orders_per_customer - 1, n_customers)
    cust = np.repeat(np.arange(n_customers), n_orders)
    day = rng.integers(0, days, len(cust))
    size = 1 + rng.poisson(lines_per_order - 1, len(cust))
    line_cust = np.repeat(cust, size)
    line_day = np.repeat(day, size)
    order_id = np.repeat(np.arange(len(cust)), size)
    prod = rng.choice(n_products, len(line_cust), p=p_all)
    own = rng.random(len(line_cust)) < inside
    for g in range(n_groups):
        sel = np.flatnonzero(own & (group_of_customer[line_cust] == g))
        prod[sel] = rng.choice(members[g], len(sel), p=p_group[g])
    start = np.datetime64("2025-01-01")
    frame = pd.DataFrame(
        {
            "order_id": [f"O{k:06d}" for k in order_id.tolist()],
            "customer": [f"C{k:04d}" for k in line_cust.tolist()],
            "product": [f"P{k:03d}" for k in prod.tolist()],
            "date": (start + line_day.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "quantity": 1,
            "price": price[prod],
        }
    ).drop_duplicates(["order_id", "product"])
    frame = frame.sort_values(["date", "order_id"], kind="mergesort").reset_index(drop=True)
    truth = {
        "customer_group": {f"C{k:04d}": int(g) for k, g in enumerate(group_of_customer.tolist())},
        "product_group": {f"P{k:03d}": int(g) for k, g in enumerate(group_of_product.tolist())},
        "inside": inside,
    }
    return frame, truth
