"""The built-in demo shop: a seeded generator of two years of orders, reviews, a customer table and
a weekly sales table, with truths planted on purpose (truth.json) that the analyses must recover.

Run ``python -m bizops_desktop.core.demo --out DIR`` to regenerate; the committed copy lives in
resources/demo_shop/ and ``load_demo()`` opens it through the one importer.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .dataset import Dataset
    from .progress import Progress

SEED = 20240601
# Whole weeks, Monday to Sunday, so weekly panels and weekly forecasts have no partial first or
# last week (a 1-day first week would be a large outlier in a log-log price fit).
START = _dt.date(2023, 1, 2)
END = _dt.date(2024, 12, 29)
FILES = (
    "orders.csv",
    "reviews.csv",
    "customers.csv",
    "weekly_sales.csv",
    "truth.json",
    "deliveries.csv",
    "campaign_orders.csv",
    "stock.csv",
    "price_segments.csv",
    "markdown_sales.csv",
)

N_CUSTOMERS = 400
CHURN_DAYS = 90
PROMO_UPLIFT = 1.5
DAILY_NOISE_SD = 0.25  # sd of the log of the multiplicative day noise on expected units
QTY_PROBS = (0.30, 0.25, 0.17, 0.12, 0.09, 0.07)  # quantity 1..6 per order line
ORDER_SIZE_PROBS = (0.50, 0.25, 0.13, 0.08, 0.04)  # target lines per order 1..5
PAIR_BUNDLE_PROB = 0.92  # chance that a line of a pair product is put in one order with its partner
PRICE_PLAN_TOLERANCE = 0.01  # |slope of the other log demand factors on log price| allowed
VOLUME_SCALE = 0.45  # weekly units at base price are scaled by this (file size vs precision)

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKLY_RAW = (0.75, 0.92, 0.95, 0.98, 1.05, 1.35, 1.35)
# Yearly shape: value at the middle of each month, linearly interpolated in between (periodic).
_MONTH_ANCHORS = (0.95, 0.90, 0.95, 1.00, 0.95, 0.85, 0.78, 0.80, 0.95, 1.05, 1.45, 1.70)

CATEGORY_GROUP = {  # product taste group used by the reviews
    "Coffee": 0,
    "Tea": 0,
    "Baking": 1,
    "Breakfast": 1,
    "Pantry": 2,
    "Snacks": 2,
    "Household": 3,
    "Pet": 3,
}
PRODUCT_GROUP_NAMES = ("hot drinks", "baking and breakfast", "pantry and snacks", "household and pet")

# id, name, category, base price
PRODUCTS: tuple[tuple[str, str, str, float], ...] = (
    ("P01", "Arabica coffee beans 1kg", "Coffee", 16.90),
    ("P02", "Paper coffee filters size 4 (100 pcs)", "Coffee", 2.99),
    ("P03", "Espresso ground coffee 500g", "Coffee", 7.49),
    ("P04", "Decaf coffee beans 500g", "Coffee", 8.99),
    ("P05", "Coffee capsules (30 pcs)", "Coffee", 9.99),
    ("P06", "Green tea sencha 100g", "Tea", 5.49),
    ("P07", "Earl Grey tea bags (50 pcs)", "Tea", 3.99),
    ("P08", "Chamomile tea bags (20 pcs)", "Tea", 2.49),
    ("P09", "Rooibos tea 100g", "Tea", 4.29),
    ("P10", "Chai spice tea 100g", "Tea", 4.99),
    ("P11", "Wheat flour type 550 1kg", "Baking", 1.49),
    ("P12", "Dried yeast sachets (7 pcs)", "Baking", 1.19),
    ("P13", "Cane sugar 1kg", "Baking", 2.29),
    ("P14", "Baking chocolate 70% 200g", "Baking", 2.99),
    ("P15", "Vanilla extract 50ml", "Baking", 5.99),
    ("P16", "Rolled oats 1kg", "Breakfast", 2.49),
    ("P17", "Crunchy granola 750g", "Breakfast", 4.99),
    ("P18", "Wildflower honey 500g", "Breakfast", 6.99),
    ("P19", "Strawberry jam 450g", "Breakfast", 3.29),
    ("P20", "Peanut butter 350g", "Breakfast", 3.49),
    ("P21", "Spaghetti 500g", "Pantry", 1.69),
    ("P22", "Tomato pasta sauce 400g", "Pantry", 2.79),
    ("P23", "Basmati rice 1kg", "Pantry", 3.49),
    ("P24", "Extra virgin olive oil 750ml", "Pantry", 8.99),
    ("P25", "Red lentils 500g", "Pantry", 2.19),
    ("P26", "Salted almonds 200g", "Snacks", 3.99),
    ("P27", "Dark chocolate bar 100g", "Snacks", 1.99),
    ("P28", "Potato crisps sea salt 150g", "Snacks", 1.79),
    ("P29", "Rice cakes 130g", "Snacks", 1.49),
    ("P30", "Trail mix 250g", "Snacks", 4.49),
    ("P31", "Dishwasher tablets (40 pcs)", "Household", 9.99),
    ("P32", "Dishwasher rinse aid 500ml", "Household", 3.49),
    ("P33", "Laundry detergent 2l", "Household", 11.99),
    ("P34", "Kitchen paper towels (4 rolls)", "Household", 3.99),
    ("P35", "Washing-up liquid 500ml", "Household", 1.99),
    ("P36", "Dry dog food 4kg", "Pet", 17.99),
    ("P37", "Dog chew sticks (10 pcs)", "Pet", 4.49),
    ("P38", "Cat litter 10l", "Pet", 6.99),
    ("P39", "Wet cat food pouches (12 pcs)", "Pet", 7.49),
    ("P40", "Bird seed mix 1kg", "Pet", 3.99),
)
# Planted co-purchase pairs (first item, add-on) with their elasticities and weekly units at base price.
PAIRS = (
    (("P01", -1.8, 24.0), ("P02", -1.5, 22.0)),
    (("P21", -1.2, 26.0), ("P22", -1.4, 24.0)),
    (("P31", -0.8, 22.0), ("P32", -0.6, 20.0)),
    (("P36", -2.2, 20.0), ("P37", -2.0, 21.0)),
)
PRICE_MULTIPLIERS = (0.75, 0.80, 0.85, 0.90, 0.95, 1.05, 1.10, 1.15, 1.20, 1.25, 1.30)

CITIES = ("Berlin", "Hamburg", "Munich", "Cologne", "Frankfurt", "Stuttgart", "Leipzig", "Dresden")
SEGMENTS = ("Private", "Private", "Private", "Small business", "Student")

# Taste: weight of a customer for an order by product group (liked / opposite group / others 1).
REVIEW_AFFINITY = 1.3  # rating shift for a liked (+) or disliked (-) product group
REVIEW_NOISE_SD = 0.6
N_REVIEWS = 6500

WEEKLY_SALES_PRODUCTS = ("P03", "P05", "P17", "P24", "P33", "P39")
WEEKLY_SALES_COEF = {"const": 120.0, "price": -4.0, "advertising": 0.05, "promotion": 15.0}
WEEKLY_SALES_NOISE_SD = 6.0


# ------------------------------------------------------------------------------------------------
# seasonality
def weekly_factors() -> np.ndarray:
    w = np.asarray(_WEEKLY_RAW, dtype=float)
    return w / w.mean()


def yearly_factor(dates: np.ndarray) -> np.ndarray:
    """Smooth yearly multiplier for each date (numpy datetime64[D]), mean 1 over a year."""
    doy = _day_of_year(dates)
    return _yearly_raw(doy) / _yearly_mean()


def _day_of_year(dates: np.ndarray) -> np.ndarray:
    years = dates.astype("datetime64[Y]")
    return (dates - years.astype("datetime64[D]")).astype(int).astype(float)  # 0-based


def _yearly_raw(doy: np.ndarray) -> np.ndarray:
    mids = np.array([15.0 + 30.4375 * m for m in range(12)])
    xs = np.concatenate([[mids[-1] - 365.25], mids, [mids[0] + 365.25]])
    ys = np.concatenate([[_MONTH_ANCHORS[-1]], _MONTH_ANCHORS, [_MONTH_ANCHORS[0]]])
    return np.interp(doy, xs, ys)


def _yearly_mean() -> float:
    return float(_yearly_raw(np.arange(365, dtype=float)).mean())


# ------------------------------------------------------------------------------------------------
# the generator
def _dates() -> np.ndarray:
    return np.arange(np.datetime64(START.isoformat()), np.datetime64(END.isoformat()) + 1)


def _iso(d) -> str:
    return str(np.datetime64(d, "D"))


def _product_plan(rng: np.random.Generator, n_weeks: int, week_log_season: np.ndarray) -> list[dict[str, Any]]:
    """Elasticity, base volume, cost, price schedule (per week) and promotion weeks per product."""
    pair_info = {}
    partner = {}
    for a, b in PAIRS:
        pair_info[a[0]] = a
        pair_info[b[0]] = b
        partner[b[0]] = a[0]
    others = [p[0] for p in PRODUCTS if p[0] not in pair_info]
    # A stratified spread of elasticities from -3.0 to -0.4, shuffled over the other products.
    grid = np.linspace(-3.0, -0.4, len(others))
    grid = grid + rng.uniform(-0.04, 0.04, len(grid))
    rng.shuffle(grid)
    elast = {pid: round(float(np.clip(g, -3.0, -0.4)), 2) for pid, g in zip(others, grid)}
    volume = {pid: round(float(VOLUME_SCALE * np.exp(rng.uniform(np.log(9.0), np.log(34.0)))), 1) for pid in others}
    for pid, (_, e, v) in pair_info.items():
        elast[pid] = e
        volume[pid] = round(VOLUME_SCALE * v, 1)

    plans = {}
    for pid, _name, _cat, _base in PRODUCTS:
        if pid in partner:
            continue  # priced together with its partner below
        k = int(rng.integers(3, 6))  # other levels besides the base price: 4-6 levels in all
        while True:
            mults = sorted(set([1.0] + list(rng.choice(PRICE_MULTIPLIERS, size=k, replace=False))))
            if min(mults) <= 0.9 and max(mults) >= 1.1:
                break
        promo = np.zeros(n_weeks, dtype=bool)
        promo[rng.choice(np.arange(2, n_weeks - 1), size=6, replace=False)] = True
        other = week_log_season + np.where(promo, np.log(PROMO_UPLIFT), 0.0)
        # A balanced price test plan: redraw the schedule until log price is almost uncorrelated
        # with the log of everything else that moves demand (season, promotions). Otherwise a
        # price spell that happens to fall in the Christmas peak biases a simple log-log fit.
        for _ in range(5000):
            weekly_mult, changes = _price_schedule(rng, mults, n_weeks)
            lp = np.log(weekly_mult)
            v = lp.var()
            if v > 0 and abs(np.cov(lp, other, bias=True)[0, 1] / v) < PRICE_PLAN_TOLERANCE:
                break
        else:  # pragma: no cover - the generator is deterministic; this guards edits to it
            raise RuntimeError(f"no balanced price plan found for {pid}")
        plans[pid] = {"mults": mults, "weekly_mult": weekly_mult, "changes": changes, "promo": promo}
    for follower, leader in partner.items():
        plans[follower] = plans[leader]  # partners are repriced and promoted together

    out = []
    for pid, name, cat, base in PRODUCTS:
        e = elast[pid]
        plan = plans[pid]
        if e < -1:
            # cost so that the profit-maximising price c*e/(1+e) lies near the base price
            cost = base * (1 + e) / e * float(rng.uniform(0.85, 1.15))
        else:
            cost = base * float(rng.uniform(0.40, 0.70))
        cost = round(cost, 2)
        prices_by_week = np.round(base * plan["weekly_mult"], 2)
        out.append(
            {
                "product_id": pid,
                "product_name": name,
                "category": cat,
                "base_price": base,
                "elasticity": e,
                "unit_cost": cost,
                "weekly_units_at_base": volume[pid],
                "weekly_price": prices_by_week,
                "promo_weeks": plan["promo"],
                "levels": sorted({float(v) for v in prices_by_week}),
                "changes": plan["changes"],
            }
        )
    return out


def _price_schedule(rng: np.random.Generator, mults: list[float], n_weeks: int):
    """Price multiplier per week: spells of 3-8 weeks, the first at the base price."""
    weekly_mult = np.empty(n_weeks)
    changes = []  # (week index, multiplier)
    w = 0
    prev = None
    while w < n_weeks:
        length = int(rng.integers(3, 9))
        choices = [m for m in mults if m != prev]
        m = float(choices[int(rng.integers(len(choices)))]) if w > 0 else 1.0
        weekly_mult[w : w + length] = m
        changes.append((w, m))
        prev = m
        w += length
    return weekly_mult, changes


def _split_units(units: int, qty_seq: np.ndarray) -> list[int]:
    """Split a product-day's units into order lines using a pre-drawn quantity sequence."""
    lines = []
    i = 0
    while units > 0:
        q = int(min(qty_seq[i], units))
        lines.append(q)
        units -= q
        i += 1
    return lines


def _generate(progress: "Progress | None" = None) -> dict[str, Any]:
    rng = np.random.default_rng(SEED)
    dates = _dates()
    n_days = len(dates)
    n_weeks = n_days // 7
    week_of_day = np.arange(n_days) // 7
    dow = np.arange(n_days) % 7  # START is a Monday
    wf = weekly_factors()
    season = wf[dow] * yearly_factor(dates)

    week_log_season = np.log(season.reshape(n_weeks, 7).sum(axis=1))
    products = _product_plan(rng, n_weeks, week_log_season)
    pids = [p["product_id"] for p in products]
    pindex = {pid: i for i, pid in enumerate(pids)}
    n_prod = len(products)

    # --- demand: expected units per product-day, then a noisy but unbiased integer series ------
    mu = np.empty((n_prod, n_days))
    price = np.empty((n_prod, n_days))
    promo = np.zeros((n_prod, n_days), dtype=bool)
    for i, p in enumerate(products):
        pr = p["weekly_price"][week_of_day]
        pm = p["promo_weeks"][week_of_day]
        price[i] = pr
        promo[i] = pm
        a_daily = p["weekly_units_at_base"] / 7.0
        mu[i] = a_daily * (pr / p["base_price"]) ** p["elasticity"] * season * np.where(pm, PROMO_UPLIFT, 1.0)
    # Multiplicative day noise with mean 1 (so expected units stay exactly mu), and dithered
    # rounding of the cumulative sum: integer units whose weekly totals are within 1 of the
    # noisy expectation. Plain Poisson counts would bias a log-log fit at a few units a week.
    z = rng.standard_normal((n_prod, n_days))
    offs = rng.uniform(0, 1, n_prod)
    partner_of = {}
    for a, b in PAIRS:
        ia, ib = pindex[a[0]], pindex[b[0]]
        partner_of[ib] = ia
        z[ib] = z[ia]  # pair partners move together day by day
        offs[ib] = offs[ia]
    noise = np.exp(DAILY_NOISE_SD * z - DAILY_NOISE_SD**2 / 2)
    cum = np.cumsum(mu * noise, axis=1)
    floors = np.floor(cum + offs[:, None]).astype(int)
    units = np.diff(np.concatenate([np.floor(offs)[:, None].astype(int), floors], axis=1), axis=1)

    # --- customers ---------------------------------------------------------------------------
    cust_ids = [f"C{i + 1:04d}" for i in range(N_CUSTOMERS)]
    weight = 1.2 + rng.lognormal(-0.7, 0.8, N_CUSTOMERS)
    taste = rng.integers(0, 4, N_CUSTOMERS)
    n_drift = N_CUSTOMERS // 10
    drift_idx = np.sort(rng.choice(N_CUSTOMERS, size=n_drift, replace=False))
    is_drift = np.zeros(N_CUSTOMERS, dtype=bool)
    is_drift[drift_idx] = True
    # signup: most before the data starts; a quarter join during the data (steady ones within the
    # first 15 months, drifters within the first 5 so that they have a history before they fade;
    # without late drifters, a long tenure alone would look like a churn risk)
    start_ord = np.datetime64(START.isoformat())
    signup = start_ord - rng.integers(30, 4 * 365, N_CUSTOMERS)
    late = rng.uniform(size=N_CUSTOMERS) < 0.25
    late_days = np.where(is_drift, rng.integers(0, 150, N_CUSTOMERS), rng.integers(0, 450, N_CUSTOMERS))
    signup[late] = start_ord + late_days[late]
    active_from = np.maximum(signup, start_ord)
    stop_day = np.full(N_CUSTOMERS, n_days + 10_000)
    decay_start = np.full(N_CUSTOMERS, n_days + 10_000)
    for c in drift_idx:
        stop = n_days - int(rng.integers(120, 241))
        stop_day[c] = stop
        decay_start[c] = stop - int(rng.integers(90, 181))
    day_idx = np.arange(n_days)
    # activity multiplier per customer and day: 0 before signup, 1 when steady, fading for drifters
    act = (dates[None, :] >= active_from[:, None]).astype(float)
    frac = (day_idx[None, :] - decay_start[:, None]) / np.maximum(stop_day - decay_start, 1)[:, None]
    fade = np.clip(1.0 - frac, 0.0, 1.0) ** 1.5
    act *= fade
    pref = np.ones((N_CUSTOMERS, 4))
    for c in range(N_CUSTOMERS):
        pref[c, taste[c]] = 1.6
        pref[c, (taste[c] + 2) % 4] = 0.5

    prod_group = np.array([CATEGORY_GROUP[p["category"]] for p in products])

    # --- order lines: split units into lines, bundle pair partners, pack into orders ----------
    qty_vals = np.arange(1, len(QTY_PROBS) + 1)
    size_vals = np.arange(1, 6)
    rows = []  # (order_no, customer index, day, product index, qty)
    order_no = 0
    for d in range(n_days):
        if progress is not None and d % 30 == 0:
            progress.report(0.1 + 0.7 * d / n_days, "Generating orders")
        pieces = []  # each piece: list of (product index, qty) that must share one order
        day_units = units[:, d]
        # pair partners share their quantity draws so equal units give matching lines
        need = day_units.copy()
        for ib, ia in partner_of.items():
            need[ia] = max(need[ia], need[ib])
        qty_seq = {}
        for i in range(n_prod):
            src = partner_of.get(i, i)
            if day_units[i] > 0 and src not in qty_seq:
                qty_seq[src] = rng.choice(qty_vals, size=int(need[src]), p=QTY_PROBS)
        lines_of = {}
        for i in range(n_prod):
            if day_units[i] > 0:
                src = partner_of.get(i, i)
                lines_of[i] = _split_units(int(day_units[i]), qty_seq[src])
        for a, b in PAIRS:
            ia, ib = pindex[a[0]], pindex[b[0]]
            la, lb = lines_of.pop(ia, []), lines_of.pop(ib, [])
            m = min(len(la), len(lb))
            bundle = rng.uniform(size=m) < PAIR_BUNDLE_PROB
            for j in range(m):
                if bundle[j]:
                    pieces.append([(ia, la[j]), (ib, lb[j])])
                else:
                    pieces.append([(ia, la[j])])
                    pieces.append([(ib, lb[j])])
            pieces.extend([(ia, q)] for q in la[m:])
            pieces.extend([(ib, q)] for q in lb[m:])
        for i, ls in lines_of.items():
            pieces.extend([(i, q)] for q in ls)
        if not pieces:
            continue
        order_ = rng.permutation(len(pieces))
        queue = [pieces[k] for k in order_]
        orders = []
        while queue:
            target = int(rng.choice(size_vals, p=ORDER_SIZE_PROBS))
            cur: list = []
            seen: set = set()
            rest = []
            for piece in queue:
                ps = {pi for pi, _ in piece}
                if len(cur) < target and len(cur) + len(piece) <= 5 and not (ps & seen):
                    cur.extend(piece)
                    seen |= ps
                else:
                    rest.append(piece)
            orders.append(cur)
            queue = rest
        # customers: chance proportional to weight x activity x taste for the order's first item
        base_w = weight * act[:, d]
        for lines in orders:
            g = prod_group[lines[0][0]]
            w = base_w * pref[:, g]
            c = int(rng.choice(N_CUSTOMERS, p=w / w.sum()))
            order_no += 1
            for pi, q in lines:
                rows.append((order_no, c, d, pi, q))

    rows_arr = np.array(rows, dtype=np.int64)
    # planted afterwards, by handing existing orders to other customers: every customer draw
    # above (and so every other planted truth) stays as it was
    plant_rng = np.random.default_rng(SEED + 7)
    fading = _choose_fading(plant_rng, weight, is_drift, signup)
    regulars = _plant_regulars(plant_rng, rows_arr, pids, is_drift, fading, signup, n_days, weight)
    fade_start = _plant_fading(plant_rng, rows_arr, fading, is_drift, [r["customer"] for r in regulars], signup, n_days)
    return {
        "dates": dates,
        "products": products,
        "pids": pids,
        "price": price,
        "promo": promo,
        "rows": rows_arr,
        "cust_ids": cust_ids,
        "taste": taste,
        "is_drift": is_drift,
        "signup": signup,
        "stop_day": stop_day,
        "decay_start": decay_start,
        "prod_group": prod_group,
        "fading": fading,
        "fade_start": fade_start,
        "regulars": regulars,
    }


N_FADING = 10  # steady heavy buyers whose rate is still falling at the end (reachable, at risk)
N_REGULARS = 8  # regular buyers of one product who stopped buying it (due to buy again)
REGULAR_PRODUCTS = ("P01", "P16", "P31", "P33", "P36", "P38", "P39", "P05")  # consumables


def _choose_fading(rng, weight, is_drift, signup) -> list[int]:
    """Heavy buyers from before the data (not drifters) who will be fading at the end."""
    start = np.datetime64(START.isoformat())
    ok = ~is_drift & (signup <= start) & (weight >= np.quantile(weight, 0.6))
    return [int(c) for c in np.sort(rng.choice(np.flatnonzero(ok), size=N_FADING, replace=False))]


def _recipient(rng, special, signup, day_date) -> int:
    """A steady customer who had signed up by that day, to hand an order to."""
    ok = np.flatnonzero(~special & (signup <= day_date))
    return int(rng.choice(ok))


def _plant_fading(rng, rows, fading, is_drift, regulars, signup, n_days) -> dict[int, int]:
    """Customers still fading at the end: from 86-90 days before the end (after the snapshot
    date), each of their orders is kept with chance (1 - t)^1.5, t going from 0 to 1 between the
    fade start and 60-150 days after the end; their last order before the last 60-75 days is kept
    and none after it (so their last order is still within the churn window while the gap grows);
    the others go to steady customers. Edits ``rows``; returns the fade start day per customer."""
    dates0 = np.datetime64(START.isoformat())
    special = is_drift.copy()
    special[fading] = True
    special[regulars] = True
    order_no, cust, day = rows[:, 0], rows[:, 1], rows[:, 2]
    out = {}
    for c in fading:
        ds = n_days - int(rng.integers(86, 91))  # after the snapshot date: churn at the snapshot is as before
        stop = n_days + int(rng.integers(60, 151))
        quiet = int(rng.integers(60, 76))  # no order in the last 60-75 days or more: a gap opening up
        out[c] = ds
        mine = np.unique(order_no[(cust == c) & (day > ds)])
        # the last order before the quiet days stays (and none after it): still within the window
        before_quiet = mine[[int(day[order_no == o][0]) <= n_days - 1 - quiet for o in mine.tolist()]]
        if not len(before_quiet):  # none in the fading days: hand them a steady customer's order there
            pick = np.flatnonzero((day > ds) & (day <= n_days - 1 - quiet) & ~special[cust])
            o = int(order_no[pick[-1]])
            rows[order_no == o, 1] = c
            mine = np.unique(order_no[(cust == c) & (day > ds)])
            before_quiet = np.array([o])
        last_kept = int(before_quiet[-1])
        for o in mine.tolist():
            sel = order_no == o
            d = int(day[sel][0])
            keep = (1.0 - (d - ds) / (stop - ds)) ** 1.5 if o < last_kept else 0.0
            if o == last_kept:
                keep = 1.0
            if rng.uniform() >= keep:
                rows[sel, 1] = _recipient(rng, special, signup, dates0 + np.timedelta64(d, "D"))
    return out


def _plant_regulars(rng, rows, pids, is_drift, fading, signup, n_days, weight) -> list[dict[str, Any]]:
    """Regular buyers who stopped: each buys one consumable every ``interval`` days (+-2) from an
    early day until a last purchase that leaves them 0.5-2 intervals past due at the end (they keep
    buying other things). Done by handing them existing orders with that product on the planned
    days (nearest within 3 days), so units per product and day, and so every demand truth, stay as
    they were; their other orders of that product go to other steady customers. Edits ``rows``."""
    start = np.datetime64(START.isoformat())
    n_c = len(is_drift)
    special = is_drift.copy()
    special[fading] = True
    ok = ~special & (signup <= start) & (weight >= np.quantile(weight, 0.3))
    chosen = rng.choice(np.flatnonzero(ok), size=N_REGULARS, replace=False)
    special[chosen] = True
    order_no, cust, day, prod = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    first = np.r_[0, np.flatnonzero(np.diff(order_no)) + 1]
    bounds = np.r_[first, len(rows)]
    pos_of = {int(order_no[f]): (int(f), int(bounds[k + 1])) for k, f in enumerate(first)}
    out = []
    taken: set[int] = set()
    for c, pid in zip(chosen.tolist(), REGULAR_PRODUCTS):
        p = pids.index(pid)
        interval = int(rng.integers(14, 36))
        overdue = int(round(interval * rng.uniform(0.5, 2.0))) + 3
        last_planned = n_days - 1 - overdue - interval
        t = int(rng.integers(30, 120))
        planned = []
        while t <= last_planned:
            planned.append(t + int(rng.integers(-2, 3)))
            t += interval
        lines = np.flatnonzero(prod == p)
        got_days, got = [], set()
        for want in planned:
            near = lines[np.abs(day[lines] - want) <= 3]
            near = near[~special[cust[near]] | (cust[near] == c)]
            near = near[[int(order_no[i]) not in taken for i in near]] if len(near) else near
            if not len(near):
                continue
            best = near[np.argmin(np.abs(day[near] - want))]
            o = int(order_no[best])
            a, b = pos_of[o]
            rows[a:b, 1] = c
            taken.add(o)
            got.add(o)
            got_days.append(int(day[best]))
        # the customer's other orders of this product go to other steady customers
        for i in lines[(cust[lines] == c)]:
            o = int(order_no[i])
            if o not in got:
                a, b = pos_of[o]
                rows[a:b, 1] = _recipient(rng, special, signup, start + np.timedelta64(int(day[i]), "D"))
        got_days.sort()
        last = got_days[-1]
        out.append(
            {
                "customer": int(c),
                "product": pid,
                "interval_days": interval,
                "purchases": len(got_days),
                "first_purchase_day": got_days[0],
                "last_purchase_day": last,
                "due_day": last + interval,
            }
        )
    assert n_c == len(weight)
    return out


# ------------------------------------------------------------------------------------------------
# the tables
def _orders_frame(g: dict[str, Any]):
    import pandas as pd

    rows = g["rows"]
    products = g["products"]
    dates = g["dates"]
    order_no, cust, day, prod, qty = rows.T
    unit_price = g["price"][prod, day]
    amount = np.round(qty * unit_price, 2)
    frame = pd.DataFrame(
        {
            "order_id": [f"O{n:06d}" for n in order_no],
            "customer_id": [g["cust_ids"][c] for c in cust],
            "date": [_iso(dates[d]) for d in day],
            "product_id": [g["pids"][p] for p in prod],
            "product_name": [products[p]["product_name"] for p in prod],
            "category": [products[p]["category"] for p in prod],
            "quantity": qty,
            "unit_price": [f"{v:.2f}" for v in unit_price],
            "amount": [f"{v:.2f}" for v in amount],
            "promotion": g["promo"][prod, day].astype(int),
        }
    )
    return frame.sort_values(["order_id", "product_id"], kind="mergesort").reset_index(drop=True)


def _reviews_frame(g: dict[str, Any]):
    import pandas as pd

    rng = np.random.default_rng(SEED + 1)
    rows = g["rows"]
    pairs = np.unique(rows[:, 1] * 1000 + rows[:, 3])
    pick = np.sort(rng.choice(pairs, size=min(N_REVIEWS, len(pairs)), replace=False))
    cust = pick // 1000
    prod = pick % 1000
    n_c, n_p = len(g["cust_ids"]), len(g["pids"])
    user_bias = rng.normal(0, 0.35, n_c)
    item_bias = rng.normal(0, 0.3, n_p)
    aff = _affinity()
    raw = (
        3.3
        + user_bias[cust]
        + item_bias[prod]
        + aff[g["taste"][cust], g["prod_group"][prod]]
        + rng.normal(0, REVIEW_NOISE_SD, len(pick))
    )
    rating = np.clip(np.rint(raw), 1, 5).astype(int)
    frame = pd.DataFrame(
        {
            "customer_id": [g["cust_ids"][c] for c in cust],
            "product_id": [g["pids"][p] for p in prod],
            "product_name": [g["products"][p]["product_name"] for p in prod],
            "rating": rating,
        }
    )
    g["review_user_bias"] = user_bias
    g["review_item_bias"] = item_bias
    return frame


def _affinity() -> np.ndarray:
    """Rating shift for customer taste group (row) x product group (column): each group likes
    one product group and dislikes the opposite one."""
    a = np.zeros((4, 4))
    for t in range(4):
        a[t, t] = REVIEW_AFFINITY
        a[t, (t + 2) % 4] = -REVIEW_AFFINITY
    return a


def _customers_frame(g: dict[str, Any]):
    import pandas as pd

    rng = np.random.default_rng(SEED + 2)
    rows = g["rows"]
    dates = g["dates"]
    n_days = len(dates)
    # observation end = cutoff - churn_days: features use orders on or before it, the label the
    # churn_days after it (the same cut as views.customers.customer_features)
    obs = n_days - 1 - CHURN_DAYS
    cust, day = rows[:, 1], rows[:, 2]
    amount = np.round(rows[:, 4] * g["price"][rows[:, 3], day], 2)
    n_c = len(g["cust_ids"])
    # one order counts once
    first_line = np.r_[True, rows[1:, 0] != rows[:-1, 0]]
    before = day <= obs
    last_year = before & (day > obs - 365)
    orders_ly = np.bincount(cust[last_year & first_line], minlength=n_c)
    spend_ly = np.bincount(cust[last_year], weights=amount[last_year], minlength=n_c)
    last_day = np.full(n_c, -1)
    np.maximum.at(last_day, cust[before], day[before])
    after = np.zeros(n_c, dtype=bool)
    after[cust[day > obs]] = True
    churned = ~after
    city = rng.choice(len(CITIES), n_c)
    seg = rng.choice(len(SEGMENTS), n_c)
    news = rng.uniform(size=n_c) < 0.45
    days_since = np.where(last_day >= 0, obs - last_day, -1)
    frame = pd.DataFrame(
        {
            "customer_id": g["cust_ids"],
            "city": [CITIES[i] for i in city],
            "segment": [SEGMENTS[i] for i in seg],
            "signup_date": [_iso(s) for s in g["signup"]],
            "newsletter": np.where(news, "yes", "no"),
            "orders_last_year": orders_ly,
            "spend_last_year": [f"{v:.2f}" for v in spend_ly],
            "days_since_last_order": days_since,
            "churned": np.where(churned, "Yes", "No"),
        }
    )
    g["churned"] = churned
    g["snapshot_day"] = obs
    return frame


def _weekly_sales_frame(g: dict[str, Any]):
    """A separate synthetic regression data set with a known linear truth."""
    import pandas as pd

    rng = np.random.default_rng(SEED + 3)
    weeks = g["dates"][::7]
    base = {p["product_id"]: p["base_price"] for p in g["products"]}
    out = []
    coef = WEEKLY_SALES_COEF
    for pid in WEEKLY_SALES_PRODUCTS:
        n = len(weeks)
        pr = np.round(base[pid] * rng.uniform(0.75, 1.25, n), 2)
        ad = np.round(rng.uniform(0, 500, n) * (rng.uniform(size=n) < 0.8), 0)
        promo = (rng.uniform(size=n) < 0.15).astype(int)
        y = (
            coef["const"]
            + coef["price"] * pr
            + coef["advertising"] * ad
            + coef["promotion"] * promo
            + rng.normal(0, WEEKLY_SALES_NOISE_SD, n)
        )
        y = np.maximum(np.rint(y), 0).astype(int)
        for k in range(n):
            out.append((_iso(weeks[k]), pid, int(y[k]), f"{pr[k]:.2f}", f"{ad[k]:.0f}", int(promo[k])))
    frame = pd.DataFrame(out, columns=["week", "product_id", "units", "price", "advertising", "promotion"])
    return frame.sort_values(["week", "product_id"], kind="mergesort").reset_index(drop=True)


def _truth(g: dict[str, Any], orders, reviews, customers, weekly) -> dict[str, Any]:
    dates = g["dates"]
    n_days = len(dates)
    cust_ids = g["cust_ids"]
    n_orders = int(orders["order_id"].nunique())
    # pair statistics measured on the generated orders (support over orders)
    baskets = orders.groupby("order_id")["product_id"].apply(frozenset)
    pair_truth = []
    for a, b in PAIRS:
        ha = baskets.map(lambda s, x=a[0]: x in s)
        hb = baskets.map(lambda s, x=b[0]: x in s)
        na, nb, nab = int(ha.sum()), int(hb.sum()), int((ha & hb).sum())
        pair_truth.append(
            {
                "antecedent": a[0],
                "consequent": b[0],
                "names": [_name(g, a[0]), _name(g, b[0])],
                "support": round(nab / n_orders, 6),
                "confidence": round(nab / na, 6),
                "confidence_reverse": round(nab / nb, 6),
                "lift": round(nab * n_orders / (na * nb), 6),
                "orders_with_both": nab,
                "orders_with_antecedent": na,
                "orders_with_consequent": nb,
            }
        )
    products = {}
    week_starts = dates[::7]
    for p in g["products"]:
        e = p["elasticity"]
        changes = [{"date": _iso(week_starts[w]), "price": float(p["weekly_price"][w])} for w, _ in p["changes"]]
        promo_weeks = [_iso(week_starts[w]) for w in np.flatnonzero(p["promo_weeks"])]
        products[p["product_id"]] = {
            "name": p["product_name"],
            "category": p["category"],
            "base_price": p["base_price"],
            "unit_cost": p["unit_cost"],
            "elasticity": e,
            "optimal_price": round(p["unit_cost"] * e / (1 + e), 4) if e < -1 else None,
            "weekly_units_at_base_price": p["weekly_units_at_base"],
            "price_levels": p["levels"],
            "price_changes": changes,
            "promotion_weeks": promo_weeks,
            "review_group": int(CATEGORY_GROUP[p["category"]]),
        }
    wf = weekly_factors()
    month_of_day = dates.astype("datetime64[M]").astype(int) % 12
    yf = yearly_factor(dates)
    monthly = {str(m + 1): round(float(yf[month_of_day == m].mean()), 4) for m in range(12)}
    nd = np.isin(month_of_day, [10, 11])
    drifters = []
    for c in np.flatnonzero(g["is_drift"]):
        drifters.append(
            {
                "customer_id": cust_ids[c],
                "fade_start": _iso(dates[g["decay_start"][c]]),
                "stop_date": _iso(dates[min(g["stop_day"][c], n_days - 1)]),
            }
        )
    churned_ids = [cust_ids[c] for c in np.flatnonzero(g["churned"])]
    last_order = orders.groupby("customer_id")["date"].max()
    fading = [
        {
            "customer_id": cust_ids[c],
            "fade_start": _iso(dates[g["fade_start"][c]]),
            "last_order": str(last_order[cust_ids[c]]),
            "still_active": bool((np.datetime64(last_order[cust_ids[c]]) - dates[-1]).astype(int) > -CHURN_DAYS),
        }
        for c in g["fading"]
    ]
    regulars = [
        {
            "customer_id": cust_ids[r["customer"]],
            "product_id": r["product"],
            "product_name": _name(g, r["product"]),
            "interval_days": r["interval_days"],
            "purchases": r["purchases"],
            "first_purchase": _iso(dates[r["first_purchase_day"]]),
            "last_purchase": _iso(dates[r["last_purchase_day"]]),
            "due_date": _iso(dates[0] + np.timedelta64(r["due_day"], "D")),
            "days_overdue_at_end": int(n_days - 1 - r["due_day"]),
        }
        for r in g["regulars"]
    ]
    drift_ids = {d["customer_id"] for d in drifters}
    coef = WEEKLY_SALES_COEF
    return {
        "description": "Planted truths of the BizOps demo shop (generated by bizops_desktop.core.demo with a "
        "fixed seed). Values are exact unless marked measured.",
        "seed": SEED,
        "start": START.isoformat(),
        "end": END.isoformat(),
        "counts": {
            "order_lines": int(len(orders)),
            "orders": n_orders,
            "customers": len(cust_ids),
            "products": len(products),
            "reviews": int(len(reviews)),
            "weekly_sales_rows": int(len(weekly)),
        },
        "pairs": {
            "description": "Strong co-purchase pairs: the add-on item is put in the same order as the first "
            "item; both still follow their own demand model. Statistics measured on orders.csv "
            "(support over orders). All other products are packed into orders at random.",
            "items": pair_truth,
        },
        "demand": {
            "description": "Expected daily units of product p = A_p * (unit_price/base_price)^elasticity * "
            "weekly_factor[weekday] * yearly_factor(day) * (promotion_uplift if promotion). "
            "A_p = weekly_units_at_base_price/7. Day noise: multiplicative lognormal with mean 1 "
            "(log sd given); integer units by dithered rounding of the running total, so weekly "
            "units are within 1 of the noisy expectation. Prices change only on Mondays and are "
            "constant within a week: fit log(weekly units) on log(weekly price) per product "
            "(every product sells every week). A daily fit is biased toward 0 because days "
            "without a sale are missing from the orders. Every product, pair products "
            "included, follows this model. Price schedules are a balanced test plan: log "
            "price is nearly uncorrelated with season and promotions (see price_plan_tolerance).",
            "recommended_freq": "W",
            "price_plan_tolerance": PRICE_PLAN_TOLERANCE,
            "day_noise_log_sd": DAILY_NOISE_SD,
            "promotion_uplift": PROMO_UPLIFT,
            "promotion_note": "promotion = 1 on every line of a promoted product in a promoted week (Monday to "
            "Sunday); the price is not changed by a promotion. Pair partners are promoted "
            "and repriced together.",
            "products": products,
        },
        "seasonality": {
            "description": "Multiplicative factors on expected units of every product (so on total sales).",
            "weekly_factors": {WEEKDAY_NAMES[i]: round(float(wf[i]), 6) for i in range(7)},
            "weekend_vs_weekday_ratio": round(float(wf[5:].mean() / wf[:5].mean()), 6),
            "yearly_factor_by_month": monthly,
            "nov_dec_vs_rest_ratio": round(float(yf[nd].mean() / yf[~nd].mean()), 6),
            "yearly_shape": "linear interpolation between mid-month anchors, periodic",
        },
        "churn": {
            "description": "About 10% of customers drift away: their buying rate fades from fade_start to zero "
            "at stop_date (120-240 days before the end). The rest buy at a steady individual "
            "rate (weights differ: light and heavy buyers). With churn_days=90 and cutoff=end, "
            "every drifter has no order in the label window.",
            "churn_days": CHURN_DAYS,
            "snapshot_date": _iso(dates[g["snapshot_day"]]),
            "drifting_customers": drifters,
            "customers_csv": "customers.csv describes each customer using only orders on or before "
            "snapshot_date (= end - churn_days, the observation end of the churn view): "
            "orders_last_year/spend_last_year over the 365 days up to it, "
            "days_since_last_order at it. churned = Yes when the customer has no order "
            "after snapshot_date up to end (the label window): the drifters plus a few "
            "steady customers without an order by chance (listed as churned_not_drifting, "
            "the label noise).",
            "churned_customers": churned_ids,
            "churned_not_drifting": sorted(set(churned_ids) - drift_ids),
            "fading_description": "fading_customers: steady heavy buyers (not among the drifting "
            "customers) from fade_start on keep each order with chance (1 - t)^1.5, t reaching 1 "
            "60-150 days after the end, none after their last order before the last 60-75 days (the "
            "other orders go to steady customers): at the end they are still active (still_active: last order within "
            "churn_days of the end) while their rate falls and a gap opens. Scored at the end, they "
            "are the reachable customers at rising risk.",
            "fading_customers": fading,
        },
        "recommender": {
            "description": "overdue_regulars: customers who bought one consumable regularly, every "
            "interval_days (+-2 days planned, the order taken within 3 days of plan), and stopped "
            "after last_purchase while still buying other products: due_date = last_purchase + "
            "interval_days is 0.5-2 intervals (plus 3 days) before the end. Their orders are "
            "existing orders handed to them (from steady customers), so units per product and day "
            "are unchanged.",
            "overdue_regulars": regulars,
        },
        "reviews": {
            "description": "rating = clip(round(3.3 + user_bias + item_bias + affinity[taste_group, "
            "product_group] + noise), 1, 5); reviews sampled from (customer, product) pairs "
            "that occur in orders.csv. affinity: +1.3 for the liked group, -1.3 for the "
            "opposite group, 0 otherwise. Taste also tilts which orders a customer places.",
            "affinity": _affinity().tolist(),
            "product_group_names": list(PRODUCT_GROUP_NAMES),
            "product_groups": {pid: int(CATEGORY_GROUP[p["category"]]) for pid, p in zip(g["pids"], g["products"])},
            "customer_groups": {cust_ids[i]: int(g["taste"][i]) for i in range(len(cust_ids))},
            "noise_sd": REVIEW_NOISE_SD,
            "user_bias_sd": 0.35,
            "item_bias_sd": 0.3,
        },
        "weekly_sales": {
            "description": "A separate synthetic regression data set (not derived from orders.csv): units = "
            "const + price*price + advertising*advertising + promotion*promotion + N(0, noise_sd), "
            "rounded to whole units. Prices vary around each product's base price from orders.csv; "
            "everything else is independent of the shop's orders.",
            "coefficients": dict(coef),
            "noise_sd": WEEKLY_SALES_NOISE_SD,
        },
    }


def _name(g, pid):
    return g["products"][g["pids"].index(pid)]["product_name"]


# ------------------------------------------------------------------------------------------------
# the Chinese shop: the very same generated shop, written as a Taobao/Tmall seller's exports are
# (Chinese names, yuan, buyer nicknames, the 订单报表 layout, GBK). Everything is derived from the
# English tables, so every planted truth carries over; its own random draws (nicknames, order
# numbers, times of day) use their own seeds and never touch the English shop's.
ZH = "zh_CN"
ZH_PRICE_FACTOR = 7  # yuan per unit of the English shop's money; every English price has
# whole cents, so 7x is exact to the 分 and no price needs rounding
ZH_ENCODING = "gbk"  # what Taobao's seller centre writes (strict GBK: a character outside
# it fails the generator instead of turning into '?')
ZH_ORDER_STATUS = "交易成功"

ZH_CATEGORIES = {
    "Coffee": "咖啡",
    "Tea": "茶叶",
    "Baking": "烘焙原料",
    "Breakfast": "早餐食品",
    "Pantry": "粮油米面",
    "Snacks": "休闲零食",
    "Household": "家居清洁",
    "Pet": "宠物用品",
}
# English id -> (商家编码, 宝贝标题)
ZH_PRODUCTS: dict[str, tuple[str, str]] = {
    "P01": ("KF101", "阿拉比卡咖啡豆 1kg"),
    "P02": ("KF102", "4号咖啡滤纸（100张）"),
    "P03": ("KF103", "意式浓缩咖啡粉 500g"),
    "P04": ("KF104", "低因咖啡豆 500g"),
    "P05": ("KF105", "咖啡胶囊（30粒）"),
    "P06": ("CY201", "日式煎茶绿茶 100g"),
    "P07": ("CY202", "伯爵红茶茶包（50包）"),
    "P08": ("CY203", "洋甘菊花茶茶包（20包）"),
    "P09": ("CY204", "南非博士茶 100g"),
    "P10": ("CY205", "印度香料奶茶红茶 100g"),
    "P11": ("HB301", "高筋面粉 1kg"),
    "P12": ("HB302", "高活性干酵母（7小袋）"),
    "P13": ("HB303", "原蔗糖 1kg"),
    "P14": ("HB304", "70%烘焙黑巧克力 200g"),
    "P15": ("HB305", "香草精 50ml"),
    "P16": ("ZC401", "纯燕麦片 1kg"),
    "P17": ("ZC402", "烤燕麦脆谷物 750g"),
    "P18": ("ZC403", "百花蜂蜜 500g"),
    "P19": ("ZC404", "草莓果酱 450g"),
    "P20": ("ZC405", "花生酱 350g"),
    "P21": ("LY501", "意大利直面 500g"),
    "P22": ("LY502", "番茄意面酱 400g"),
    "P23": ("LY503", "巴斯马蒂香米 1kg"),
    "P24": ("LY504", "特级初榨橄榄油 750ml"),
    "P25": ("LY505", "红扁豆 500g"),
    "P26": ("LS601", "盐焗巴旦木 200g"),
    "P27": ("LS602", "黑巧克力排块 100g"),
    "P28": ("LS603", "海盐味薯片 150g"),
    "P29": ("LS604", "原味米饼 130g"),
    "P30": ("LS605", "混合坚果果干 250g"),
    "P31": ("JQ701", "洗碗机专用洗碗块（40粒）"),
    "P32": ("JQ702", "洗碗机光亮剂 500ml"),
    "P33": ("JQ703", "浓缩洗衣液 2L"),
    "P34": ("JQ704", "厨房用纸（4卷）"),
    "P35": ("JQ705", "洗洁精 500ml"),
    "P36": ("CW801", "成犬全价狗粮 4kg"),
    "P37": ("CW802", "狗狗磨牙棒（10支）"),
    "P38": ("CW803", "猫砂 10L"),
    "P39": ("CW804", "猫咪湿粮妙鲜包（12包）"),
    "P40": ("CW805", "鹦鹉鸟粮混合谷物 1kg"),
}
ZH_CITIES = dict(zip(CITIES, ("上海", "北京", "杭州", "广州", "深圳", "成都", "南京", "武汉")))
ZH_SEGMENTS = {"Private": "个人", "Small business": "企业", "Student": "学生"}
ZH_YES_NO = {"yes": "是", "no": "否", "Yes": "是", "No": "否"}

# English column -> Chinese column, per table (the Chinese file's column order is this order,
# with the export's extra columns, which the English shop has no counterpart for, in between).
ZH_COLUMNS: dict[str, dict[str, str]] = {
    "orders": {
        "order_id": "订单编号",
        "customer_id": "买家会员名",
        "date": "订单创建时间",
        "product_name": "宝贝标题",
        "product_id": "商家编码",
        "category": "类目",
        "quantity": "购买数量",
        "unit_price": "宝贝单价",
        "amount": "实付金额",
        "promotion": "是否参与活动",
    },
    "reviews": {"customer_id": "买家会员名", "product_id": "商家编码", "product_name": "宝贝标题", "rating": "评分"},
    "customers": {
        "customer_id": "买家会员名",
        "city": "城市",
        "segment": "客户类型",
        "signup_date": "注册日期",
        "newsletter": "订阅短信",
        "orders_last_year": "近一年订单数",
        "spend_last_year": "近一年消费金额",
        "days_since_last_order": "距上次下单天数",
        "churned": "是否流失",
    },
    "weekly_sales": {
        "week": "周",
        "product_id": "商家编码",
        "units": "销量",
        "price": "价格",
        "advertising": "广告费",
        "promotion": "促销",
    },
}
ZH_ORDER_COLUMNS = (
    "订单编号",
    "买家会员名",
    "订单创建时间",
    "订单付款时间",
    "宝贝标题",
    "商家编码",
    "类目",
    "购买数量",
    "宝贝单价",
    "实付金额",
    "订单状态",
    "是否参与活动",
)
ZH_REVIEW_COLUMNS = ("买家会员名", "商家编码", "宝贝标题", "评分", "评价")

# Online orders by hour of day (Beijing time): a lunch bump and a late-evening peak.
_ZH_HOUR_WEIGHTS = (3, 2, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 10, 9, 8, 8, 8, 9, 10, 12, 14, 15, 13, 8)

_NICK_SURNAMES = (
    "林王李张陈刘杨赵黄周吴徐孙胡朱高何郭马罗梁宋郑谢韩唐冯董萧程"
    "曹袁邓许沈曾彭苏卢蒋蔡丁魏叶潘杜夏钟汪田任姜范方石姚谭廖"
)
_NICK_WORDS = (
    "草莓",
    "橙子",
    "柚子",
    "布丁",
    "奶茶",
    "咖啡",
    "饼干",
    "糖果",
    "云朵",
    "星星",
    "月亮",
    "小熊",
    "兔兔",
    "猫咪",
    "鱼儿",
    "豆豆",
    "桃子",
    "西瓜",
    "芒果",
    "柠檬",
    "樱桃",
    "薄荷",
    "抹茶",
    "栗子",
    "团子",
    "麻薯",
    "汤圆",
    "饭团",
    "橘子",
    "可乐",
)
_NICK_ADJ = ("爱吃", "快乐的", "安静的", "温柔的", "开心的", "慢吞吞的", "会飞的", "睡不醒的", "勇敢的", "甜甜的")
_NICK_LATIN = (
    "sunny",
    "momo",
    "lucky",
    "coco",
    "kiki",
    "lele",
    "doudou",
    "yoyo",
    "xiaoyu",
    "tiantian",
    "nana",
    "bobo",
    "mia",
    "leo",
    "amy",
    "jack",
    "linda",
    "kevin",
)
_NICK_TAIL = ("家", "小屋", "的店", "妈妈", "酱", "君", "哥", "姐")


def _zh_nicknames(n: int) -> list[str]:
    """``n`` distinct Taobao-style buyer nicknames (买家会员名), the same on every run."""
    rng = np.random.default_rng(SEED + 5)
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        style = int(rng.choice(5, p=(0.3, 0.15, 0.2, 0.15, 0.2)))
        sur = _NICK_SURNAMES[int(rng.integers(len(_NICK_SURNAMES)))]
        word = _NICK_WORDS[int(rng.integers(len(_NICK_WORDS)))]
        if style == 0:  # the default name Taobao gives a new account: tb + digits
            name = f"tb{int(rng.integers(10**6, 10**10))}"
        elif style == 1:  # tb_小林2019
            name = f"tb_{'小阿老大'[int(rng.integers(4))]}{sur}{int(rng.integers(1985, 2024))}"
        elif style == 2:  # 爱吃草莓 / 睡不醒的猫咪88
            tail = str(int(rng.integers(1, 1000))) if rng.uniform() < 0.5 else ""
            name = f"{_NICK_ADJ[int(rng.integers(len(_NICK_ADJ)))]}{word}{tail}"
        elif style == 3:  # momo橙子 / sunny_陈家
            latin = _NICK_LATIN[int(rng.integers(len(_NICK_LATIN)))]
            name = (
                f"{latin}{word}"
                if rng.uniform() < 0.5
                else f"{latin}_{sur}{_NICK_TAIL[int(rng.integers(len(_NICK_TAIL)))]}"
            )
        else:  # 陈布丁1987
            name = f"{sur}{word}{int(rng.integers(10, 10000))}"
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _yuan(values) -> list[str]:
    """Money of the English shop as yuan text, exact: whole cents times the factor."""
    cents = np.rint(np.asarray(values, dtype=float) * 100).astype(np.int64) * ZH_PRICE_FACTOR
    return [f"{c // 100}.{c % 100:02d}" for c in cents]


def _yuan_value(x: float) -> float:
    return round(float(x) * ZH_PRICE_FACTOR, 2)


def _zh_order_numbers_and_times(orders) -> tuple[dict[str, str], list[str], list[str]]:
    """19-digit order numbers rising with time, as Taobao's do, and creation and payment times:
    times of day follow _ZH_HOUR_WEIGHTS, payment follows a few seconds to minutes later (at the
    latest 23:59:59 of the same day, so both times name the day of the English order)."""
    rng = np.random.default_rng(SEED + 4)
    first = orders.drop_duplicates("order_id")
    n = len(first)
    steps = rng.integers(10**13, 10**14, n)
    numbers = int(rng.integers(2 * 10**18, 22 * 10**17)) + np.cumsum(steps)
    assert numbers[-1] < 10**19
    hours = np.asarray(_ZH_HOUR_WEIGHTS, dtype=float)
    sec = rng.choice(24, size=n, p=hours / hours.sum()) * 3600 + rng.integers(0, 3600, n)
    pay_delay = np.minimum(3 + np.rint(rng.exponential(90.0, n)).astype(int), 1800)
    day = first["date"].to_numpy()
    # within a day, later order numbers are later orders (the English file is in order-id order)
    sec = _sorted_within_runs(day, sec)
    paid = np.minimum(sec + pay_delay, 86399)
    ids = dict(zip(first["order_id"], (str(v) for v in numbers)))

    def stamp(d, s):
        s = int(s)
        return f"{d} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"

    created = dict(zip(first["order_id"], (stamp(d, s) for d, s in zip(day, sec))))
    paid_at = dict(zip(first["order_id"], (stamp(d, s) for d, s in zip(day, paid))))
    return ids, [created[o] for o in orders["order_id"]], [paid_at[o] for o in orders["order_id"]]


def _sorted_within_runs(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` sorted ascending within each run of equal, ascending ``groups``."""
    assert (groups[:-1] <= groups[1:]).all()
    return values[np.lexsort((values, groups))]


def _zh_tables(tables: dict[str, Any]) -> dict[str, Any]:
    """The Chinese shop's tables and truth from the English ones (see the section comment)."""
    import pandas as pd

    en_truth = tables["truth"]
    pid = {k: v[0] for k, v in ZH_PRODUCTS.items()}
    pname = {k: v[1] for k, v in ZH_PRODUCTS.items()}
    cust_en = sorted(tables["customers"]["customer_id"])
    cid = dict(zip(cust_en, _zh_nicknames(len(cust_en))))

    o = tables["orders"]
    oid, created, paid = _zh_order_numbers_and_times(o)
    orders = pd.DataFrame(
        {
            # ="…" is how Taobao keeps Excel from turning the 19 digits into 1.23457E+18
            "订单编号": ['="' + oid[v] + '"' for v in o["order_id"]],
            "买家会员名": o["customer_id"].map(cid),
            "订单创建时间": created,
            "订单付款时间": paid,
            "宝贝标题": o["product_id"].map(pname),
            "商家编码": o["product_id"].map(pid),
            "类目": o["category"].map(ZH_CATEGORIES),
            "购买数量": o["quantity"],
            "宝贝单价": _yuan(o["unit_price"]),
            "实付金额": _yuan(o["amount"]),
            "订单状态": ZH_ORDER_STATUS,
            "是否参与活动": np.where(o["promotion"] == 1, "是", "否"),
        }
    )

    r = tables["reviews"]
    reviews = pd.DataFrame(
        {
            "买家会员名": r["customer_id"].map(cid),
            "商家编码": r["product_id"].map(pid),
            "宝贝标题": r["product_id"].map(pname),
            "评分": r["rating"],
            # Taobao's own three-way verdict beside the stars
            "评价": np.select([r["rating"] >= 4, r["rating"] == 3], ["好评", "中评"], "差评"),
        }
    )

    c = tables["customers"]
    snap = en_truth["churn"]["snapshot_date"]
    year_start = str(np.datetime64(snap) - 364)
    in_year = (o["date"] >= year_start) & (o["date"] <= snap)
    spend_cents = (
        np.rint(o.loc[in_year, "amount"].astype(float) * 100)
        .astype(np.int64)
        .groupby(o.loc[in_year, "customer_id"])
        .sum()
    )
    spend = spend_cents.reindex(c["customer_id"], fill_value=0).to_numpy() / 100
    customers = pd.DataFrame(
        {
            "买家会员名": c["customer_id"].map(cid),
            "城市": c["city"].map(ZH_CITIES),
            "客户类型": c["segment"].map(ZH_SEGMENTS),
            "注册日期": c["signup_date"],
            "订阅短信": c["newsletter"].map(ZH_YES_NO),
            "近一年订单数": c["orders_last_year"],
            "近一年消费金额": _yuan(spend),
            "距上次下单天数": c["days_since_last_order"],
            "是否流失": c["churned"].map(ZH_YES_NO),
        }
    )

    w = tables["weekly_sales"]
    weekly = pd.DataFrame(
        {
            "周": w["week"],
            "商家编码": w["product_id"].map(pid),
            "销量": w["units"],
            "价格": _yuan(w["price"]),
            "广告费": [str(int(round(float(v))) * ZH_PRICE_FACTOR) for v in w["advertising"]],
            "促销": w["promotion"],
        }
    )
    for frame in (orders, reviews, customers, weekly):
        assert not frame.isna().any().any()
    truth = _zh_truth(en_truth, pid, pname, cid, oid)
    return {"orders": orders, "reviews": reviews, "customers": customers, "weekly_sales": weekly, "truth": truth}


def _zh_truth(t: dict[str, Any], pid: dict, pname: dict, cid: dict, oid: dict) -> dict[str, Any]:
    """The English truth in the Chinese shop's ids, names and yuan. Elasticities, seasonality,
    counts and pair statistics do not change; money scales by the factor (and a regression
    coefficient per unit of money by its inverse)."""
    import copy

    t = copy.deepcopy(t)
    f = ZH_PRICE_FACTOR
    t["description"] = (
        "Planted truths of the BizOps Chinese demo shop: the English demo shop (same seed, "
        "same orders) with Chinese names, buyer nicknames, 19-digit order numbers and money "
        f"in yuan (English money x {f}). Values are exact unless marked measured."
    )
    t["lang"] = ZH
    t["currency"] = "CNY"
    t["price_factor"] = f
    t["encoding"] = ZH_ENCODING
    t["columns"] = ZH_COLUMNS
    t["order_status"] = ZH_ORDER_STATUS
    t["order_id_format"] = (
        'orders.csv writes 订单编号 as ="<19 digits>" (unquoted), as Taobao exports do '
        "to keep the number as text in Excel; the digits are the order number."
    )
    t["product_ids"] = dict(pid)
    t["customer_ids"] = dict(cid)
    for p in t["pairs"]["items"]:
        p["names"] = [pname[p["antecedent"]], pname[p["consequent"]]]
        p["antecedent"], p["consequent"] = pid[p["antecedent"]], pid[p["consequent"]]
    products = {}
    for k, p in t["demand"]["products"].items():
        e = p["elasticity"]
        cost = _yuan_value(p["unit_cost"])
        p.update(
            {
                "name": pname[k],
                "category": ZH_CATEGORIES[p["category"]],
                "base_price": _yuan_value(p["base_price"]),
                "unit_cost": cost,
                "optimal_price": round(cost * e / (1 + e), 4) if e < -1 else None,
                "price_levels": [_yuan_value(v) for v in p["price_levels"]],
                "price_changes": [{"date": ch["date"], "price": _yuan_value(ch["price"])} for ch in p["price_changes"]],
            }
        )
        products[pid[k]] = p
    t["demand"]["products"] = products
    ch = t["churn"]
    for d in ch["drifting_customers"]:
        d["customer_id"] = cid[d["customer_id"]]
    ch["churned_customers"] = sorted(cid[c] for c in ch["churned_customers"])
    ch["churned_not_drifting"] = sorted(cid[c] for c in ch["churned_not_drifting"])
    for d in ch["fading_customers"]:
        d["customer_id"] = cid[d["customer_id"]]
    for r in t["recommender"]["overdue_regulars"]:
        r["customer_id"], r["product_name"] = cid[r["customer_id"]], pname[r["product_id"]]
        r["product_id"] = pid[r["product_id"]]
    ch["customers_csv"] = ch["customers_csv"] + (
        " In the Chinese shop: 近一年订单数, 近一年消费金额 (yuan), 距上次下单天数, 是否流失 = 是/否."
    )
    rv = t["reviews"]
    rv["product_groups"] = {pid[k]: v for k, v in rv["product_groups"].items()}
    rv["customer_groups"] = {cid[k]: v for k, v in rv["customer_groups"].items()}
    ws = t["weekly_sales"]
    ws["coefficients"] = {
        "const": ws["coefficients"]["const"],
        "price": ws["coefficients"]["price"] / f,
        "advertising": ws["coefficients"]["advertising"] / f,
        "promotion": ws["coefficients"]["promotion"],
    }
    ws["money_note"] = (
        f"价格 and 广告费 are in yuan (English values x {f}), so their coefficients are the "
        f"English ones / {f}; const, promotion and noise_sd are in units and unchanged."
    )
    assert len(oid) == t["counts"]["orders"]
    return t


# ------------------------------------------------------------------------------------------------
# building, writing, loading
DATASET_ROLES: dict[str, dict[str, Any]] = {  # in the English shop's column names
    "orders": {
        "order_id": "order_id",
        "customer_id": "customer_id",
        "date": "date",
        "product_id": "product_id",
        "product_name": "product_name",
        "quantity": "quantity",
        "price": "unit_price",
        "amount": "amount",
    },
    "reviews": {
        "customer_id": "customer_id",
        "product_id": "product_id",
        "product_name": "product_name",
        "rating": "rating",
    },
    "customers": {
        "customer_id": "customer_id",
        "label": "churned",
        "feature": ["city", "segment", "newsletter", "orders_last_year", "spend_last_year", "days_since_last_order"],
    },
    "weekly_sales": {
        "target": "units",
        "feature": ["price", "advertising", "promotion"],
        "product_id": "product_id",
        "date": "week",
    },
}


def _shop_lang(lang: str | None) -> str:
    """Which shop a language gets: the Chinese one for zh_CN, the English one for anything else."""
    from .i18n import get_language, normalize_language

    return ZH if normalize_language(lang or get_language()) == ZH else "en"


def dataset_roles(lang: str | None = None) -> dict[str, dict[str, Any]]:
    """The roles of each demo table, in that shop's column names."""
    from . import demo_campaign, demo_routes, demo_stock

    if _shop_lang(lang) != ZH:
        return {
            **{
                key: {r: (list(c) if isinstance(c, list) else c) for r, c in roles.items()}
                for key, roles in DATASET_ROLES.items()
            },
            "deliveries": demo_routes.roles("en"),
            "campaign_orders": demo_campaign.roles("en"),
            "stock": demo_stock.roles("en"),
            **_pricing_roles("en"),
        }
    out: dict[str, dict[str, Any]] = {}
    for key, roles in DATASET_ROLES.items():
        names = ZH_COLUMNS[key]
        out[key] = {
            r: ([names[c] for c in cols] if isinstance(cols, list) else names[cols]) for r, cols in roles.items()
        }
    out["deliveries"] = demo_routes.roles(ZH)
    out["campaign_orders"] = demo_campaign.roles(ZH)
    out["stock"] = demo_stock.roles(ZH)
    out.update(_pricing_roles(ZH))
    return out


def _pricing_roles(lang: str) -> dict[str, dict[str, str]]:
    from . import demo_pricing  # the Pricing tab's planted segments and markdown product

    return {t: demo_pricing.roles(lang, t) for t in ("price_segments", "markdown_sales")}


def build(progress: "Progress | None" = None, lang: str = "en") -> dict[str, Any]:
    """Generate every table; returns {'orders': frame, ..., 'truth': dict}. ``lang="zh_CN"``: the
    same shop as the Chinese one."""
    g = _generate(progress)
    orders = _orders_frame(g)
    reviews = _reviews_frame(g)
    customers = _customers_frame(g)
    weekly = _weekly_sales_frame(g)
    truth = _truth(g, orders, reviews, customers, weekly)
    tables = {"orders": orders, "reviews": reviews, "customers": customers, "weekly_sales": weekly, "truth": truth}
    return _zh_tables(tables) if lang == ZH else tables


def _zh_csv(frame, quote_all: bool) -> bytes:
    """A Taobao-style CSV: with ``quote_all`` every cell is in double quotes except ="…" cells,
    as the seller centre writes its order report; GBK, one line per row."""

    def cell(v) -> str:
        s = str(v)
        if s.startswith('="'):
            assert s.endswith('"') and s[2:-1].isdigit(), s
            return s
        assert not set(s) & set('",\n'), s
        return f'"{s}"' if quote_all else s

    lines = [",".join(cell(c) for c in frame.columns)]
    lines += [",".join(cell(v) for v in row) for row in frame.itertuples(index=False, name=None)]
    return ("\n".join(lines) + "\n").encode(ZH_ENCODING)


def write_demo(out_dir, progress: "Progress | None" = None, lang: str = "en") -> Path:
    """Write the demo shop files into ``out_dir`` (same bytes on every run); ``lang="zh_CN"``
    writes the Chinese shop."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = build(progress, lang=ZH if lang == ZH else "en")
    for key in ("orders", "reviews", "customers", "weekly_sales"):
        if lang == ZH:
            data = _zh_csv(tables[key], quote_all=(key == "orders"))
        else:
            data = tables[key].to_csv(index=False, lineterminator="\n").encode("utf-8")
        (out / f"{key}.csv").write_bytes(data)
    from . import demo_routes  # the delivery day for the Delivery routes tab (its own generator)

    demo_routes.write(out, lang=ZH if lang == ZH else "en")
    from . import demo_campaign  # the planted campaign for the Customers & campaigns tab (its own table)

    tables["truth"]["campaign"] = demo_campaign.write(out, lang, ZH_PRICE_FACTOR if lang == ZH else 1.0)
    from . import demo_stock  # the stock sheet for the Stock planning tab (its own generator)

    tables["truth"]["stock"] = demo_stock.write(out, tables["orders"], lang)
    from . import demo_pricing  # the Pricing tab's segments and markdown product (their own tables)

    tables["truth"]["pricing_plans"] = demo_pricing.write(out, lang, ZH_PRICE_FACTOR if lang == ZH else 1.0)
    (out / "truth.json").write_bytes((json.dumps(tables["truth"], indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
    return out


def demo_dir(lang: str = "en") -> Path:
    """Where the committed demo shop files live (resources/demo_shop, resources/demo_shop_zh)."""
    from importlib.resources import files

    return Path(str(files("bizops_desktop.resources") / ("demo_shop_zh" if lang == ZH else "demo_shop")))


def _existing_dir(lang: str = "en") -> Path:
    d = demo_dir(lang) if lang == ZH else demo_dir()  # demo_dir() as before for English (tests stub it)
    if all((d / f).is_file() for f in FILES):
        return d
    # An odd install without the data files: generate them once into a temporary folder, named
    # by seed and a digest of this module so an edited generator never reuses stale files.
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    suffix = "_zh" if lang == ZH else ""
    tmp = Path(tempfile.gettempdir()) / f"bizops_demo_shop{suffix}_{SEED}_{digest}"
    if not all((tmp / f).is_file() for f in FILES):
        # write next to it and rename, so a second process never sees half-written files
        staging = Path(tempfile.mkdtemp(prefix="bizops_demo_", dir=tmp.parent))
        write_demo(staging, lang=lang)
        try:
            os.replace(staging, tmp)
        except OSError:  # another process got there first
            shutil.rmtree(staging, ignore_errors=True)
    return tmp


def load_truth(lang: str | None = None) -> dict[str, Any]:
    """truth.json of the shop ``load_demo(lang=lang)`` opens."""
    return json.loads((_existing_dir(_shop_lang(lang)) / "truth.json").read_text(encoding="utf-8"))


def load_demo(progress: "Progress | None" = None, lang: str | None = None) -> "list[Dataset]":
    """The demo shop as Datasets with roles set: orders, reviews, customers, weekly_sales.
    ``lang`` None: the current language; zh_CN opens the Chinese shop, anything else the English."""
    from .importer import load_dataset

    shop = _shop_lang(lang)
    d = _existing_dir(shop)
    roles = dataset_roles(shop)
    out = []
    names = list(roles)
    for k, key in enumerate(names):
        sub = progress.sub(k / len(names), (k + 1) / len(names)) if progress is not None else None
        ds = load_dataset(d / f"{key}.csv", progress=sub, name=key)
        ds.roles = {}
        for role, cols in roles[key].items():
            ds.set_role(role, cols)
        out.append(ds)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bizops_desktop.core.demo", description="Generate the BizOps demo shop files."
    )
    ap.add_argument(
        "--out",
        default=None,
        help="output folder (default: resources/demo_shop, or resources/demo_shop_zh with --lang zh_CN)",
    )
    ap.add_argument(
        "--lang",
        default="en",
        choices=("en", ZH),
        help="en: the English shop; zh_CN: the same shop as a Chinese (Taobao-style) one",
    )
    args = ap.parse_args(argv)
    out = write_demo(args.out or demo_dir(args.lang), lang=args.lang)
    print(f"demo shop written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
