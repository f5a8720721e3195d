"""The Pricing tab's plans on top of the one elasticity fit (elasticity.py, via run_elasticity):
a markdown plan under stock and a deadline, coupons for the customer segments that respond to
discounts, and a price test for products whose price hardly changed. Pure, no Qt.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from bizops_desktop.core.actions import HORIZON_DAYS, Action
from bizops_desktop.core.analysis import Result
from bizops_desktop.core.display import Column
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.core.views.prices import price_panel

from . import elasticity as el
from . import markdown as md
from . import pricetest as pt
from .i18n import M, _, _l, cell
from .regression import problem

DEFAULT_LADDER = (0, 10, 20, 30, 40, 50)
WEEK_DAYS = {"D": 1 / 7, "W": 1.0, "M": 365.25 / 12 / 7}  # periods -> weeks


def _elasticity_result(dataset, params, progress):
    from .analysis import run_elasticity

    base = {**params, "mode": "elasticity", "product": None, "price_change": 0.0, "new_price": None}
    return run_elasticity(dataset, base, progress)


def _pick_product(res: Result, params, need_fit: bool = True) -> str:
    states = res.extra.get("fits") or {}
    chosen = params.get("product")
    names = res.names or {}
    if chosen is None:
        if not states:
            raise problem(
                DataError,
                M("no product has enough price changes for a demand curve"),
                M("Plan a price test first (What to work out: Plan a price test)"),
            )
        return next(iter(states))
    key = str(chosen)
    if key not in states:
        by_name = {str(v).casefold(): k for k, v in names.items()}
        key = by_name.get(key.casefold(), key)
    if need_fit and key not in states:
        raise problem(
            UsageError,
            M("product '{product}' has no demand curve to plan with", product=str(chosen)),
            M("Pick a product listed in the Prices table with an elasticity"),
            where="product",
        )
    return key


# --------------------------------------------------------------------------- markdown
def run_markdown(dataset, params: dict[str, Any], progress) -> Result:
    res = _elasticity_result(dataset, params, progress.sub(0.0, 0.6))
    key = _pick_product(res, params)
    s = res.extra["fits"][key]
    name = (res.names or {}).get(key, key)
    stock = params.get("stock")
    weeks = params.get("weeks_left")
    if stock is None or weeks is None:
        raise problem(
            UsageError,
            M("a markdown plan needs the units in stock and the weeks left to sell them"),
            M("Fill in Units in stock and Weeks left"),
            where="stock" if stock is None else "weeks_left",
        )
    stock, weeks = int(stock), int(weeks)
    freq = res.extra.get("freq") or "W"
    per_week = WEEK_DAYS.get(freq, 1.0)
    now = s["current_price"]
    base = el.whatif(s, now)["units"] / per_week  # expected units a week at today's price
    e = s["elasticity"]
    ladder = md.ladder_prices(now, params.get("ladder") or DEFAULT_LADDER)
    progress.report(0.65, _("Planning the prices week by week…"))
    season, strength = _season(dataset, key, e, weeks)
    rates = md.demand_rates(base, now, e, ladder, season=season, weeks=weeks)
    objective = params.get("objective") or "revenue"
    cost = s.get("unit_cost") if objective == "profit" else None
    salvage = float(params.get("salvage") or 0.0)
    plan = md.plan(ladder, rates, stock, unit_cost=float(cost or 0.0), salvage=salvage)
    full = md.plan([now], rates[:, :1], stock, unit_cost=float(cost or 0.0), salvage=salvage)
    rows = []
    for w in plan.weeks:
        rows.append(
            {
                "week": w["week"],
                "price": w["price"],
                "discount": 1 - w["price"] / now,
                "price_share": w["price_share"],
                "units": w["units"],
                "stock_left": w["stock_left"],
                "sold_out": w["sold_out"],
            }
        )
    table = pd.DataFrame(rows)
    changes = [
        (w["week"], w["price"]) for i, w in enumerate(plan.weeks) if i == 0 or w["price"] != plan.weeks[i - 1]["price"]
    ]
    steps = [M("{price:money} from week {week:int}", price=p, week=wk) for wk, p in changes]
    headline = M(
        "Markdown plan for {product}: {steps:list}; about {left:num} of {stock:int} units left after "
        "{weeks:int} weeks, {value:money0} expected ({gain:money0} more than keeping {now:money})",
        product=name,
        steps=steps,
        left=round(plan.expected_left, 1),
        stock=stock,
        weeks=weeks,
        value=plan.value,
        gain=plan.value - full.value,
        now=now,
    )
    first4 = sum(w["units"] * w["price"] for w in plan.weeks[: max(1, round(HORIZON_DAYS / 7))])
    actions = [
        Action(
            kind="markdown",
            text=M("Sell {product} at {price:money} this week", product=name, price=plan.weeks[0]["price"]),
            why=M(
                "{stock:int} units to sell in {weeks:int} weeks; the plan leaves about {left:num} and earns "
                "{gain:money0} more than today's price",
                stock=stock,
                weeks=weeks,
                left=round(plan.expected_left, 1),
                gain=plan.value - full.value,
            ),
            money=first4,
            table="markdown",
        )
    ]
    notes = [
        M(
            "Weekly demand: {base:num} units at {now:money} (the fitted curve), elasticity {e:num}, random "
            "(Poisson) around it; exact plan over every week and stock left, prices only going down.",
            base=round(base, 1),
            now=now,
            e=e,
        ),
        M("Seasonal pattern from the Forecast tab's method used (strength {s:percent}).", s=strength)
        if season is not None
        else M("No clear seasonal pattern in the product's history: flat season assumed."),
        M("Re-plan each week with the stock left: press Run again with the new Units in stock and Weeks left."),
    ]
    columns = {
        "markdown": {
            "week": Column(_l("Week no."), "int"),
            "price": Column(_l("Price"), "money"),
            "discount": Column(_l("Discount"), "percent"),
            "price_share": Column(
                _l("How sure"), "percent", help=_l("share of outcomes in which the plan sets this price that week")
            ),
            "units": Column(_l("Expected units"), "num"),
            "stock_left": Column(_l("Stock left"), "num", help=_l("expected units still in stock after the week")),
            "sold_out": Column(_l("Chance sold out"), "percent"),
        }
    }
    progress.report(1.0, _("Done"))
    return Result(
        tables={"markdown": table, "prices": res.tables["prices"]},
        metrics={
            "mode": "markdown",
            "product": key,
            "value": plan.value,
            "full_price_value": full.value,
            "expected_left": plan.expected_left,
            "sold_out": plan.sold_out,
            "elasticity": e,
            "base_units": base,
        },
        notes=notes,
        extra={"mode": "markdown", "freq": freq},
        headline=headline,
        columns={**columns, "prices": res.columns.get("prices", {})},
        names=res.names,
        actions=actions,
        plots={"markdown": markdown_plot(table, name, now, stock)},
    )


def markdown_plot(table: pd.DataFrame, name: str, now: float, stock: int) -> PlotSpec:
    """The plan week by week on one scale: the price as a share of today's (a step: it holds all
    week) and the expected stock left as a share of the stock now; hover shows money and units."""
    weeks = table["week"].to_numpy(float)
    price = table["price"].to_numpy(float)
    left = table["stock_left"].to_numpy(float)
    start = float(stock) if stock else 1.0
    return PlotSpec(
        title=M("Markdown plan for {product}", product=name),
        x_label=M("week"),
        y_label=M("share of today's price / of the stock now"),
        y_format="percent",
        layers=[
            Layer(
                "step",
                weeks,
                price / now,
                name=M("price"),
                color="#1f77b4",
                labels=[_("week {week:int}: {price:money}", week=int(w), price=p) for w, p in zip(weeks, price)],
            ),
            Layer(
                "line",
                weeks,
                left / start,
                name=M("expected stock left"),
                color="#d62728",
                labels=[
                    _(
                        "week {week:int}: about {units:num} of {stock:int} units left",
                        week=int(w),
                        units=round(u, 1),
                        stock=stock,
                    )
                    for w, u in zip(weeks, left)
                ],
            ),
        ],
    )


def _season(dataset, key: str, e: float, weeks: int):
    """Season factors for the coming weeks from the product's weekly sales, price effect removed."""
    f = dataset.frame
    date, product = dataset.col("date"), dataset.col("product_id")
    if date is None or product is None:
        return None, float("nan")
    big = getattr(dataset, "big", None) is not None
    try:
        pp = price_panel(
            # a big file: the whole file's weekly panel (out of core), of which the product's rows
            # are the panel of its lines
            f if big else f[f[product].astype(str) == key],
            product=product,
            date=date,
            quantity=dataset.col("quantity"),
            price=dataset.col("price"),
            amount=dataset.col("amount"),
            freq="W",
        )
    except (DataError, UsageError):
        return None, float("nan")
    g = pp.frame[(pp.frame["units"] > 0) & (pp.frame["price"] > 0)]
    if big:
        g = g[g["product"].astype(str) == key]
    if len(g) < 104:
        return None, float("nan")
    z = np.log(g["units"].to_numpy(float)) - e * np.log(g["price"].to_numpy(float))
    return md.season_factors(z, weeks)


# --------------------------------------------------------------------------- segments
COUPON_STEPS = (0.05, 0.10, 0.15, 0.20, 0.25, 0.30)

LAWFUL = _l(
    "Why coupons and not different prices per person: China's Personal Information Protection Law "
    "(Article 24) requires automated decisions to be fair and forbids unreasonable differences in "
    "price and terms (大数据杀熟), and the consumer-rights rules say the same; shoppers resent it "
    "everywhere. A coupon offered to a whole group (new customers, lapsed customers) is the accepted "
    "form: the list price stays the same for everyone."
)


SEGMENT_HEADERS = ("segment", "客户分群", "分群", "segment_cn8")
CUSTOMER_HEADERS = ("customer_id", "customer", "买家会员名", "客户", "会员名")


def _find_header(frame: pd.DataFrame, wanted, given=None):
    if given and given in frame.columns:
        return given
    lower = {str(c).casefold(): c for c in frame.columns}
    return next((lower[w] for w in wanted if w in lower), None)


def with_segment_table(dataset, table, segment: str | None):
    """The orders with each line's customer segment from ``table`` (one row per customer, as the
    Customers & campaigns tab exports it): (dataset, name of the new column, notes)."""
    cust = dataset.col("customer_id")
    if cust is None:
        raise problem(
            DataError,
            M("the orders have no customer column to look up each customer's segment"),
            M("Mark a column of the orders as Customer"),
            where="segment_table",
        )
    t = table.frame
    t_cust = table.col("customer_id") if hasattr(table, "col") else None
    t_cust = t_cust if t_cust in t.columns else _find_header(t, CUSTOMER_HEADERS)
    t_seg = _find_header(t, SEGMENT_HEADERS, segment)
    if t_cust is None or t_seg is None:
        raise problem(
            DataError,
            M(
                "the table {table} needs a customer column and a segment column (found: {columns:list})",
                table=str(table.name),
                columns=[str(c) for c in t.columns],
            ),
            M("Export the customers from Customers & campaigns, or name its segment column in Segment column"),
            where="segment_table",
        )
    u = t.dropna(subset=[t_seg]).drop_duplicates(t_cust)
    lookup = pd.Series(u[t_seg].astype(str).to_numpy(), index=u[t_cust].astype(str).to_numpy())
    key = "__segment_of_customer"
    f = dataset.frame
    seg_of = f[cust].astype(str).map(lookup)
    found = int(seg_of.notna().sum())
    if not found:
        raise problem(
            DataError,
            M("no customer of the orders is in the table {table}", table=str(table.name)),
            M("Pick the customers table made from these orders"),
            where="segment_table",
        )
    ds = type(dataset)(dataset.name, f.assign(**{key: seg_of.astype(object)})[seg_of.notna()], roles=dataset.roles)
    note = M(
        "Segments from the table {table} (column {column}): {n:int} of {total:int} order lines matched a customer.",
        table=str(table.name),
        column=str(t_seg),
        n=found,
        total=len(f),
    )
    return ds, key, str(t_seg), note


def run_segments(dataset, params: dict[str, Any], progress) -> Result:
    extra_notes = []
    shown = None
    table = params.get("segment_table")
    if table is not None and not isinstance(table, str):
        dataset, seg, shown, note = with_segment_table(dataset, table, params.get("segment"))
        extra_notes.append(note)
        params = {**params, "segment": seg}
    f = dataset.frame
    seg = params.get("segment") or _find_header(f, SEGMENT_HEADERS)
    shown = shown or seg
    if not seg or seg not in f.columns:
        raise problem(
            UsageError,
            M("prices by customer segment need a column with each customer's segment"),
            M("Fill in Segment column (e.g. the segment from the Customers & campaigns tab)"),
            where="segment",
        )
    product = dataset.col("product_id")
    if product is None:
        raise problem(DataError, M("segments need order lines with a product"), M("Mark a column as Product"))
    key = "__segment_product"
    frame = f.assign(**{key: f[seg].astype(str) + " · " + f[product].astype(str)})
    ds = type(dataset)(dataset.name, frame, roles={**dataset.roles, "product_id": [key]})
    res = _elasticity_result(ds, {**params, "group": seg, "pooled": False}, progress.sub(0.0, 0.8))
    overall = _elasticity_result(dataset, {**params, "pooled": True}, progress.sub(0.8, 0.95))
    e_all = float(overall.tables["elasticity"]["elasticity"].iloc[0])
    t = res.tables["elasticity"]
    prices = res.tables["prices"]
    freq = res.extra.get("freq") or "W"
    per_week = WEEK_DAYS.get(freq, 1.0)
    states = res.extra.get("fits") or {}
    rows, actions = [], []
    for _i, r in t.iterrows():
        g = str(r["group"])
        e, lo, hi = float(r["elasticity"]), float(r["ci_low"]), float(r["ci_high"])
        mine = [s for s in states.values() if str(s["group"]) == g]
        best_d, best_gain = 0.0, 0.0
        units_now = revenue_now = 0.0
        for d in COUPON_STEPS:
            gain = 0.0
            for s in mine:
                now = s["current_price"]
                u = el.whatif(s, now)["units"]
                c = s.get("unit_cost") or 0.0
                gain += u * ((1 - d) ** e * (now * (1 - d) - c) - (now - c))
            if gain > best_gain:
                best_d, best_gain = d, gain
        for s in mine:
            u = el.whatif(s, s["current_price"])["units"]
            units_now += u
            revenue_now += u * s["current_price"]
        responds = np.isfinite(e) and e < e_all and np.isfinite(hi) and hi < -1
        sure = np.isfinite(hi) and np.isfinite(lo)
        rows.append(
            {
                "segment": g,
                "elasticity": e,
                "ci_low": lo,
                "ci_high": hi,
                "vs_all": e - e_all,
                "coupon": best_d if responds and best_gain > 0 else np.nan,
                "gain": best_gain * HORIZON_DAYS / 7 / per_week if responds else np.nan,
                "revenue_now": revenue_now,
                "reading": cell(
                    M("responds to discounts: {e:num} against {all:num} for all customers", e=e, all=e_all)
                    if responds
                    else M("reacts like the rest or less ({e:num} against {all:num})", e=e, all=e_all)
                    if sure
                    else M("cannot tell (see the Price sensitivity)")
                ),
            }
        )
        if responds and best_gain > 0:
            actions.append(
                Action(
                    kind="price",
                    text=M("Offer the {segment} segment a {off:percent} coupon", segment=g, off=best_d),
                    why=M(
                        "they react more to price (elasticity {e:num}, all customers {all:num}): the coupon "
                        "should earn more than it gives away; the list price stays the same for everyone",
                        e=e,
                        all=e_all,
                    ),
                    money=best_gain * HORIZON_DAYS / 7 / per_week,
                    table="segments",
                    key={"segment": g},
                )
            )
    table = pd.DataFrame(rows).sort_values("elasticity", kind="stable").reset_index(drop=True)
    best = table[table["coupon"].notna()]
    if len(best):
        b = best.iloc[0]
        headline = M(
            "Coupon for the {segment} segment: {off:percent} off should earn about {gain:money0} more in the "
            "next 4 weeks; they react more to price ({e:num}) than your customers overall ({all:num})",
            segment=b["segment"],
            off=float(b["coupon"]),
            gain=float(b["gain"]),
            e=float(b["elasticity"]),
            all=e_all,
        )
    else:
        headline = M(
            "No segment reacts to price clearly more than the rest (all customers {all:num}): no coupon "
            "is worth its cost",
            all=e_all,
        )
    columns = {
        "segments": {
            "segment": Column(_l("Segment"), "text", help=M("from the column {column}", column=str(shown))),
            "coupon": Column(_l("Coupon"), "percent", help=_l("the most profitable coupon for this segment")),
            "gain": Column(_l("Extra profit in 4 weeks"), "money"),
            "elasticity": Column(_l("Price elasticity"), "num"),
            "reading": Column(_l("Reaction to price"), "text"),
            "vs_all": Column(_l("Against all customers"), "num", details=True),
            "ci_low": Column(M("Low estimate ({level:percent})", level=0.95), "num", details=True),
            "ci_high": Column(M("High estimate ({level:percent})", level=0.95), "num", details=True),
            "revenue_now": Column(_l("Revenue per period now"), "money", details=True),
        }
    }
    progress.report(1.0, _("Done"))
    return Result(
        tables={"segments": table, "prices": prices},
        metrics={"mode": "segments", "overall_elasticity": e_all, "segment_column": str(shown)},
        notes=[
            *extra_notes,
            M("Elasticity per segment across its products (each product keeps its own sales level)."),
            LAWFUL,
        ],
        extra={"mode": "segments", "freq": freq},
        headline=headline,
        columns={**columns, "prices": res.columns.get("prices", {})},
        names={},
        actions=sorted(actions, key=lambda a: -(a.money or 0))[:5],
    )


# --------------------------------------------------------------------------- price test
def run_price_test(dataset, params: dict[str, Any], progress) -> Result:
    f = dataset.frame
    product, date, qty = dataset.col("product_id"), dataset.col("date"), dataset.col("quantity")
    if date is None or product is None or qty is None:
        raise problem(
            DataError,
            M("a price test needs order lines with a date, a product and a quantity"),
            M("Open Column roles and mark the Date, Product and Quantity columns"),
        )
    progress.report(0.1, _("Adding up units per product and week…"))
    pp = price_panel(
        f, product=product, date=date, quantity=qty, price=dataset.col("price"), amount=dataset.col("amount"), freq="W"
    )
    panel = pp.frame
    from .analysis import product_names

    names = product_names(dataset)
    chosen = params.get("product")
    if chosen is not None:
        key = str(chosen)
        if key not in set(panel["product"].astype(str)):
            by_name = {str(v).casefold(): k for k, v in names.items()}
            key = by_name.get(key.casefold(), key)
    else:
        key = str(panel.groupby("product")["units"].sum().idxmax())
    g = panel[panel["product"].astype(str) == key].sort_values("period")
    if len(g) < 4:
        raise problem(
            DataError,
            M("the product has fewer than 4 weeks of sales"),
            M("Pick a product that sells most weeks"),
            where="product",
        )
    detect = float(params.get("detect") or 10) / 100
    step = float(params.get("test_step") or 10) / 100
    power_ = float(params.get("power") or 0.8)
    recent = g.tail(26)
    mean, sd = float(recent["units"].mean()), float(recent["units"].std(ddof=1))
    weeks, d = pt.weeks_needed(mean, sd, detect, 0.05, power_)
    now = float(g["price"].iloc[-1])
    prices = [round(now, 2), round(now * (1 + step), 2)]
    name = names.get(key, key)
    if params.get("bandit"):
        return _bandit(dataset, params, g, key, name, names, now, step, progress)
    too_long = not math.isfinite(weeks) or weeks > 26
    tables: dict[str, pd.DataFrame] = {}
    if not too_long:
        tables["test_plan"] = pd.DataFrame(pt.schedule(int(weeks), prices))
    else:  # what a test could tell instead: bigger differences need fewer weeks
        tables["test_sizes"] = pd.DataFrame(
            [
                {"detect": x, "weeks": pt.weeks_needed(mean, sd, x, 0.05, power_)[0]}
                for x in sorted({detect, 0.1, 0.2, 0.3, 0.5})
            ]
        )
    start = params.get("test_start")
    reading = None
    if start:
        t0 = _start_date(start)
        after = g[g["period"] >= t0]
        if not len(after):
            raise problem(
                DataError,
                M(
                    "no sales of {product} from {d:date} on, the day the test started",
                    product=name,
                    d=t0.date(),
                ),
                M("Open the orders with the test weeks in them, or correct Test started on"),
                where="test_start",
            )
        near = lambda p: (after["price"] / p - 1).abs() < 0.005  # noqa: E731
        a, b = after[near(prices[0])]["units"], after[near(prices[1])]["units"]
        if not len(b):  # the test price may have been a cut
            alt = round(now * (1 - step), 2)
            b, prices[1] = after[(after["price"] / alt - 1).abs() < 0.005]["units"], alt
        reading = pt.read(a, b, prices[0], prices[1])
        tables["test_result"] = pd.DataFrame([{"price_a": prices[0], "price_b": prices[1], **reading}])
    if reading is not None and reading["weeks_a"] >= 2 and reading["weeks_b"] >= 2:
        values = dict(product=name, a=prices[0], b=prices[1], change=abs(reading["change"]), e=reading["elasticity"])
        headline = (
            (
                M(
                    "Price test of {product}: at {b:money} it sold {change:percent} more units a week than at "
                    "{a:money} (elasticity {e:num}); clear, not chance",
                    **values,
                )
                if reading["change"] >= 0
                else M(
                    "Price test of {product}: at {b:money} it sold {change:percent} fewer units a week than at "
                    "{a:money} (elasticity {e:num}); clear, not chance",
                    **values,
                )
            )
            if reading["clear"]
            else M(
                "Price test of {product}: no clear difference yet between {a:money} and {b:money} after "
                "{n:int} weeks; keep it running",
                product=name,
                a=prices[0],
                b=prices[1],
                n=reading["weeks_a"] + reading["weeks_b"],
            )
        )
    elif math.isfinite(weeks) and weeks > 26:
        headline = M(
            "A price test of {product} would take too long: {w:int} weeks at each of {a:money} and {b:money} "
            "to tell a {detect:percent} change in its weekly units; test a bigger step or several products at once",
            product=name,
            a=prices[0],
            b=prices[1],
            w=int(weeks),
            detect=detect,
        )
    elif math.isfinite(weeks):
        headline = M(
            "Price test for {product}: alternate {a:money} and {b:money} week by week for {n:int} weeks "
            "({w:int} at each) to tell a {detect:percent} change in weekly units with {power:percent} power",
            product=name,
            a=prices[0],
            b=prices[1],
            n=int(2 * weeks),
            w=int(weeks),
            detect=detect,
            power=power_,
        )
    else:
        headline = M("{product}: its weekly sales do not vary, so no test length can be worked out", product=name)
    notes = [
        M(
            "Weekly units of the last {n:int} weeks: mean {mean:num}, standard deviation {sd:num}; effect size "
            "{d:num} (two-sample t-test at 5%, the same power function as statsmodels).",
            n=len(recent),
            mean=round(mean, 2),
            sd=round(sd, 2),
            d=d,
        ),
        M("Alternating weeks spread a season or a trend over both prices alike."),
    ]
    columns = {
        "test_plan": {"week": Column(_l("Week no."), "int"), "price": Column(_l("Price"), "money")},
        "test_sizes": {
            "detect": Column(_l("Difference to tell"), "percent"),
            "weeks": Column(_l("Weeks at each price"), "int"),
        },
        "test_result": {
            "price_a": Column(_l("Price A"), "money"),
            "price_b": Column(_l("Price B"), "money"),
            "weeks_a": Column(_l("Weeks at A"), "int"),
            "weeks_b": Column(_l("Weeks at B"), "int"),
            "mean_a": Column(_l("Units a week at A"), "num"),
            "mean_b": Column(_l("Units a week at B"), "num"),
            "change": Column(_l("Change in units"), "percent"),
            "elasticity": Column(_l("Price elasticity"), "num"),
            "p_value": Column(_l("p-value"), "percent", details=True),
            "clear": Column(_l("Clear"), "hidden"),
        },
    }
    progress.report(1.0, _("Done"))
    return Result(
        tables=tables,
        metrics={"mode": "price_test", "product": key, "weeks_per_price": weeks, "effect_size": d},
        notes=notes,
        extra={"mode": "price_test", "freq": "W"},
        headline=headline,
        columns=columns,
        names=names,
    )


def _start_date(value) -> pd.Timestamp:
    """The day a test started, from the form's text; a one-line error for anything else."""
    try:
        t0 = pd.Timestamp(str(value).strip())
    except (ValueError, TypeError, OverflowError):
        t0 = pd.NaT
    if pd.isna(t0):
        raise problem(
            UsageError,
            M("'{value}' is not a date", value=str(value)),
            M("Write the first day of the test as year-month-day, e.g. 2024-09-02"),
            where="test_start",
        )
    return t0.tz_localize(None) if t0.tzinfo is not None else t0


def _unit_cost(dataset, key: str, params) -> float | None:
    col = dataset.col("cost")
    product = dataset.col("product_id")
    if col is not None and product is not None and getattr(dataset, "big", None) is not None:
        from bizops_desktop.core.views.reduced import median_per_key

        per = median_per_key(dataset, col, product, nonnegative=False)  # every line, out of core
        per = per[per.index.astype(str) == key]
        if len(per) and np.isfinite(per.iloc[0]):
            return float(per.iloc[0])
    elif col is not None and product is not None:
        f = dataset.frame
        v = pd.to_numeric(f.loc[f[product].astype(str) == key, col], errors="coerce").median()
        if np.isfinite(v):
            return float(v)
    c = params.get("unit_cost")
    return None if c is None else float(c)


def _bandit(dataset, params, g: pd.DataFrame, key: str, name: str, names: dict, now: float, step: float, progress):
    """Thompson sampling over today's price and a step below and above it: the chance each is the
    most profitable from the weeks it was seen (Poisson weekly units), and the next weeks' prices."""
    prices = [round(now * (1 - step), 2), round(now, 2), round(now * (1 + step), 2)]
    recent = g.tail(26)  # the last half year: older weeks had other seasons and trends
    seen_weeks, seen_units = [], []
    for p in prices:
        at = recent[(recent["price"] / p - 1).abs() < 0.005]
        seen_weeks.append(len(at))
        seen_units.append(float(at["units"].sum()))
    mean = seen_units[1] / seen_weeks[1] if seen_weeks[1] else float(recent["units"].mean())
    cost = _unit_cost(dataset, key, params)
    n = int(params.get("bandit_weeks") or 4)
    # a price never tried gets one pseudo-week at the profit (without a cost: the revenue) today's
    # price makes, so it is tried without the prior favouring a cut or a rise; a price seen has its
    # own weeks only
    c = cost or 0.0
    untried = np.array([w == 0 for w in seen_weeks], float)
    even = [mean * (now - c) / (p - c) if p > c and now > c else mean * now / p for p in prices]
    prior = {"prior_units": untried * np.array(even), "prior_weeks": untried}
    chances = pt.thompson(prices, seen_units, seen_weeks, cost or 0.0, **prior)
    picks = pt.thompson_schedule(prices, seen_units, seen_weeks, n, cost or 0.0, **prior)
    plan = pd.DataFrame({"week": range(1, n + 1), "price": [prices[i] for i in picks]})
    table = pd.DataFrame(
        {
            "price": prices,
            "chance_best": chances,
            "weeks_seen": seen_weeks,
            "units_per_week": [u / w if w else np.nan for u, w in zip(seen_units, seen_weeks)],
            "weeks_planned": [picks.count(i) for i in range(len(prices))],
        }
    )
    best = int(np.argmax(chances))
    headline = M(
        "Prices to try for {product}: {best:money} is the most likely to earn the most ({chance:percent}); "
        "the next {n:int} weeks: {prices:list}",
        product=name,
        best=prices[best],
        chance=chances[best],
        n=n,
        prices=[M("{price:money}", price=prices[i]) for i in picks],
    )
    notes = [
        M(
            "Thompson sampling: each price's weekly units are a Poisson rate learnt from the weeks it was set "
            "of the last half year (a price never tried: one week earning what today's {mean:num} units earn, "
            "so it gets tried); each planned week takes the price that is best in one draw of what the rates "
            "could be.",
            mean=round(mean, 1),
        ),
        M("Best for profit with the unit cost {cost:money}.", cost=cost)
        if cost is not None
        else M("No unit cost given: best for revenue."),
        M("After these weeks press Run again: the weeks just sold teach it which price to set more often."),
    ]
    columns = {
        "bandit": {
            "price": Column(_l("Price"), "money"),
            "chance_best": Column(_l("Chance it is the best"), "percent"),
            "weeks_planned": Column(_l("Weeks planned"), "int"),
            "weeks_seen": Column(_l("Weeks seen"), "int"),
            "units_per_week": Column(_l("Units a week seen"), "num"),
        },
        "test_plan": {"week": Column(_l("Week no."), "int"), "price": Column(_l("Price"), "money")},
    }
    progress.report(1.0, _("Done"))
    return Result(
        tables={"bandit": table, "test_plan": plan},
        metrics={"mode": "price_test", "product": key, "bandit": True, "best_price": prices[best]},
        notes=notes,
        extra={"mode": "price_test", "freq": "W"},
        headline=headline,
        columns=columns,
        names=names,
    )
