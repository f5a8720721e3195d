"""Stock planning analysis: daily demand per product from the orders, a stock sheet (one row per
product), a demand model that fits each product's pattern, the lead-time demand distribution from
past forecast errors, and per product the policy, the order to place this week and by when, the
money tied up and the sales at risk; a replay of the policy over the last months. Pure (no Qt):
the tab, the project file and the CLI all call :func:`run`."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bizops_desktop.core import chunked
from bizops_desktop.core.actions import HORIZON_DAYS, Action
from bizops_desktop.core.analysis import Result
from bizops_desktop.core.display import Column
from bizops_desktop.core.errors import DataError
from bizops_desktop.core.i18n import sentences, to_plain
from bizops_desktop.core.plotspec import Layer, PlotSpec, dates_to_seconds
from bizops_desktop.core.progress import Progress

from . import demand as dm
from . import policy as pol
from .i18n import M, Mn, _, _l

HISTORY_DAYS = 365  # the demand history each product is planned from
AT_RISK = 0.5  # "already at risk": running out before an order placed today can arrive is more likely than not
MIN_REPLAY_DAYS = 180
REPLAY_DAYS = 182  # the last half year is replayed
SHEET_NAMES = ("stock.csv", "stock.xlsx", "库存.csv", "库存表.csv", "库存.xlsx", "库存表.xlsx")
CLASS_METHOD = {"smooth": "forecast", "erratic": "forecast", "intermittent": "sba", "lumpy": "tsb"}


# ------------------------------------------------------------------------------ inputs
def daily_demand(dataset) -> tuple[pd.DataFrame, dict[str, str], dict[str, float], pd.Series]:
    """(days x products units sold over the last year, product names, median unit price per
    product, the shop's total units per day over the whole history)."""
    f = dataset.frame
    day = pd.to_datetime(f[dataset.col("date")], errors="coerce").dt.normalize()
    qty = pd.to_numeric(f[dataset.col("quantity")], errors="coerce")
    # products as codes (in pieces: a worker thread must let the window draw), each named by its
    # id as text; the table is summed by code, its columns the ids in sorted order
    raw_codes, raw_ids = chunked.factorize(f[dataset.col("product_id")], sort=False)
    ok = (raw_codes >= 0) & day.notna().to_numpy() & qty.notna().to_numpy()
    if not ok.any():
        raise DataError(_("no order line has a product, a date and a quantity"), hint=_("check the column roles"))
    used = np.zeros(len(raw_ids), dtype=bool)
    used[raw_codes[ok]] = True
    id_text = pd.Series(raw_ids[used], dtype=object).astype("string").astype(str)
    label_codes, labels = pd.factorize(id_text, sort=True)
    code_of = np.full(len(raw_ids), -1, dtype=np.intp)
    code_of[np.flatnonzero(used)] = label_codes
    p = code_of[raw_codes[ok]]
    n_p = len(labels)
    d = day.to_numpy()[ok].astype("datetime64[D]")
    q = qty.to_numpy(dtype=float)[ok]
    first_day = d.min()
    n_days = int((d.max() - first_day).astype(int)) + 1
    dcode = (d - first_day).astype(np.int64)
    days = pd.date_range(pd.Timestamp(first_day), periods=n_days, freq="D")
    total = pd.Series(np.bincount(dcode, weights=q, minlength=n_days), index=days)
    firsts = pd.Series(dcode).groupby(p).min()
    total.attrs["first_sale"] = {str(labels[k]): days[v] for k, v in firsts.items()}
    # the last HISTORY_DAYS days, days x products (every product sold in the history a column)
    start = max(0, n_days - HISTORY_DAYS)
    recent = dcode >= start
    cells = np.bincount((dcode[recent] - start) * n_p + p[recent], weights=q[recent], minlength=(n_days - start) * n_p)
    table = pd.DataFrame(
        cells.reshape(n_days - start, n_p), index=days[start:], columns=pd.Index(list(labels), name="p")
    )
    names: dict[str, str] = {}
    if dataset.has("product_name"):
        name_values = f[dataset.col("product_name")].to_numpy(dtype=object)[ok]
        named = ~pd.isna(name_values)
        codes_r = p[named][::-1]  # each product's name on its last line that has one
        named_codes, at = chunked.unique(codes_r, return_index=True)
        last_names = pd.Series(name_values[named][::-1][at], dtype=object).astype("string")
        names = {
            str(labels[k]): str(v)
            for k, v in zip(named_codes.tolist(), last_names.tolist())
            if str(v) != str(labels[k])
        }
    prices: dict[str, float] = {}
    if dataset.has("price"):
        pr = pd.to_numeric(f[dataset.col("price")], errors="coerce").to_numpy(dtype=float)[ok]
        med = pd.Series(pr).groupby(p).median().dropna()
        prices = {str(labels[k]): v for k, v in med.items()}
    elif dataset.has("amount"):
        am = pd.to_numeric(f[dataset.col("amount")], errors="coerce").to_numpy(dtype=float)[ok]
        g = pd.DataFrame({"a": am, "q": q}).groupby(p).sum()
        per = (g["a"] / g["q"].where(g["q"] > 0)).dropna()
        prices = {str(labels[k]): v for k, v in per.items()}
    return table, names, {str(k): float(v) for k, v in prices.items()}, total


def day_factors(total: pd.Series, until: pd.Timestamp, days: pd.DatetimeIndex) -> np.ndarray:
    """The shop-wide weekday x time-of-year factor of each of ``days`` (1 = an average day), from
    the daily total units sold before ``until`` only: the weekday profile of the last year and,
    with two years, the month-of-year profile, both from the Forecast tab's seasonality module
    (used only where it finds the pattern); with one to two years, each month's sales per day in
    the last year over that year's. Too little history: 1 (no pattern)."""
    from bizops_forecast.methods import seasonal_strength
    from bizops_forecast.seasonality import SEASON_FOUND, describe

    known = total[total.index < until]
    known = known.iloc[int(np.argmax(known.to_numpy() > 0)) :] if (known > 0).any() else known.iloc[:0]
    weekday, month = np.ones(7), np.ones(12)
    if len(known) >= 56:
        last_year = known.iloc[-364:]
        mean = float(last_year.mean())
        rows = {r["season"]: r for r in describe(last_year, "D")}
        w = rows.get("weekly")
        if w and w["found"] and mean > 0:
            weekday = np.clip(1.0 + np.asarray(w["profile"], float) / mean, 0.05, None)
    if len(known) >= 365:
        per_month = known.groupby(known.index.to_period("M")).mean()
        yearly = None
        if len(per_month) >= 24:
            yearly = {r["season"]: r for r in describe(known, "D")}.get("yearly")
        if yearly is not None:
            if yearly["found"] and float(per_month.mean()) > 0:
                month = np.clip(1.0 + np.asarray(yearly["profile"], float) / float(per_month.mean()), 0.05, None)
        else:  # one to two years: the last twelve months, each against their mean, if a season shows
            last = known.iloc[-365:]
            by_month = last.groupby(last.index.month).mean().reindex(range(1, 13))
            strength, _prof = seasonal_strength(known.resample("MS").mean().to_numpy(float), 6)
            if by_month.notna().all() and float(by_month.mean()) > 0 and strength >= SEASON_FOUND:
                month = (by_month / by_month.mean()).to_numpy(float)
    # months meet smoothly: each day's factor is interpolated between the mid-month values
    mid = np.array([15.0 + 30.44 * m for m in range(12)])
    doy = days.dayofyear.to_numpy(float)
    xs = np.concatenate([mid - 365.25, mid, mid + 365.25])
    year_f = np.interp(doy, xs, np.tile(month, 3))
    return weekday[days.dayofweek.to_numpy()] * year_f


def find_sheet(dataset, given):
    """The stock sheet as a Dataset: the table the form names (``Analysis.execute`` resolves the
    name of an open table or a file; a path is read here when ``run`` is called directly), else
    one beside the orders file (stock.csv, 库存表.csv...), else the orders table itself when it
    has a stock-on-hand column; None without any."""
    from bizops_desktop.core.importer import load_dataset

    if given is not None and not isinstance(given, str):
        return given
    if given:
        path = Path(given).expanduser()
        if not path.is_file():
            raise DataError(
                _("the stock sheet {path} was not found", path=str(path)),
                where="parameter stock_sheet",
                hint=_("give the path of a CSV or Excel file with one row per product"),
            )
        return load_dataset(path, name=path.stem)
    if dataset.source:
        folder = Path(dataset.source).parent
        for name in SHEET_NAMES:
            if (folder / name).is_file() and (folder / name) != Path(dataset.source):
                return load_dataset(folder / name, name=Path(name).stem)
    if dataset.has("on_hand"):
        return dataset
    return None


def read_sheet(sheet, products: list[str], names: dict[str, str]) -> tuple[pd.DataFrame, list]:
    """One row per product of the orders: on_hand, on_order, arrival, lead_time, cost, price, moq,
    pack, review (NaN where the sheet says nothing); notes on rows that match no product."""
    cols = ("on_hand", "on_order", "arrival", "lead_time", "cost", "price", "moq", "pack", "review")
    out = pd.DataFrame(np.nan, index=products, columns=cols)
    out["arrival"] = pd.NaT
    notes: list = []
    if sheet is None:
        return out, notes
    if not sheet.has("product_id") and not sheet.has("product_name"):
        raise DataError(
            _("the stock sheet has no product column"),
            where=sheet.name,
            hint=_("mark the column with the product id (商品编码/SKU) as Product"),
        )
    if not sheet.has("on_hand"):
        raise DataError(
            _("the stock sheet has no stock-on-hand column"),
            where=sheet.name,
            hint=_("mark the column with the units in stock (现有库存/on hand) as Stock on hand"),
        )
    f = sheet.frame
    by_name = {v: k for k, v in names.items()}
    if sheet.has("product_id"):
        keys = f[sheet.col("product_id")].astype("string").str.strip()
    else:
        keys = f[sheet.col("product_name")].astype("string").str.strip().map(lambda v: by_name.get(v, v))
    roles = {
        "on_hand": "on_hand",
        "on_order": "on_order",
        "lead_time": "lead_time",
        "cost": "cost",
        "price": "price",
        "moq": "moq",
        "pack": "pack_size",
        "review": "review_period",
    }
    known = set(products)
    unknown = sorted({str(k) for k in keys.dropna() if str(k) not in known})
    for col, role in roles.items():
        if sheet.has(role) and not (sheet is not None and role == "price" and sheet.has("quantity")):
            v = pd.to_numeric(f[sheet.col(role)], errors="coerce")
            s = pd.Series(v.to_numpy(), index=keys.to_numpy()).groupby(level=0).last()
            out[col] = s.reindex(out.index).astype(float)
    if sheet.has("arrival_date"):
        a = pd.to_datetime(f[sheet.col("arrival_date")], errors="coerce")
        s = pd.Series(a.to_numpy(), index=keys.to_numpy()).groupby(level=0).last()
        out["arrival"] = s.reindex(out.index)
    if unknown:
        notes.append(
            Mn(
                "{n} product of the stock sheet has no orders and was left out: {names:list}.",
                "{n} products of the stock sheet have no orders and were left out: {names:list}.",
                len(unknown),
                names=unknown[:10],
            )
        )
    missing = out["on_hand"].isna().sum()
    if missing:
        notes.append(
            Mn(
                "{n} product with orders is not on the stock sheet; its stock is taken as unknown.",
                "{n} products with orders are not on the stock sheet; their stock is taken as unknown.",
                int(missing),
            )
        )
    return out, notes


# --------------------------------------------------------------------------- forecasting
def engine_rates(table: pd.DataFrame, products: list[str], horizons: dict[str, int], progress: Progress, method: str):
    """Demand per day over each product's horizon from the forecast plugin's engine (weekly sales,
    the method chosen by backtest), for the products with a smooth or erratic pattern."""
    from bizops_forecast.parallel import run_many

    if not products:
        return {}
    weekly = table[products].resample("W-SUN").sum()
    if len(table) % 7:  # a last week that has not ended would read as a slump
        weekly = weekly.iloc[:-1] if len(weekly) > 2 else weekly
    h = max(1, math.ceil(max(horizons.values()) / 7))
    cfg = {
        "method": method,
        "horizon": h,
        "m": 52,
        "window": None,
        "alpha": None,
        "trend": "damped",
        "seasonal": "add",
        "order": None,
        "seasonal_order": None,
        "log": False,
        "holdout": None,
        "levels": [80.0],
        "freq": "W",
    }
    out = run_many([(p, weekly[p].tolist()) for p in products], cfg, progress)
    rates = {}
    for p in products:
        r = out.get(p) or {}
        fc = r.get("forecast")
        if "error" in r or not fc:
            continue
        weeks = max(1, math.ceil(horizons[p] / 7))
        vals = [max(float(v), 0.0) for v in fc[:weeks] if v is not None and math.isfinite(v)]
        if vals:
            rates[p] = (sum(vals) / (7 * len(vals)), r.get("method"))
    return rates


# ----------------------------------------------------------------------------------- run
def run(dataset, params: dict[str, Any], progress: Progress) -> Result:
    progress.report(0.0, _("Adding up sales per day"))
    if getattr(dataset, "big", None) is not None:  # a file bigger than memory: its lines summed per day and product
        from bizops_desktop.core.views.reduced import stock_dataset

        dataset = stock_dataset(dataset, progress.sub(0.0, 0.05))
    table, names, prices, total = daily_demand(dataset)
    products = list(table.columns)
    sheet = find_sheet(dataset, params.get("stock_sheet") or None)
    stock, notes = read_sheet(sheet, products, names)
    has_sheet = sheet is not None
    if has_sheet:
        found = int(stock["on_hand"].notna().sum())
        where = sheet.name if sheet is not dataset else _("the orders table itself")
        notes.insert(
            0,
            M(
                "Stock sheet: {table}, on hand known for {n:int} of {total:int} products.",
                table=where,
                n=found,
                total=len(products),
            ),
        )
        if sheet is not dataset:
            from bizops_desktop.core.sheets import link_note

            linked = link_note(sheet, dataset)
            if linked is not None:
                notes.insert(1, linked)
    today = table.index[-1] + pd.Timedelta(days=1)
    csl = float(params["service_level"]) / 100.0
    review_default = int(params["review_days"])
    lead_default = int(params["lead_time"])
    listed = {str(s).strip() for s in (params.get("seasonal") or [])}
    listed |= {k for k, v in names.items() if v in listed}
    # the shop's weekday and time-of-year pattern: as known today (the plan) and as known when
    # the replayed half year began (the replay must not see the future)
    days = pd.date_range(table.index[0], today + pd.Timedelta(days=400), freq="D")
    plan_f = day_factors(total, today, days)
    replay_start = table.index[-REPLAY_DAYS] if len(table) > REPLAY_DAYS else today
    replay_f = day_factors(total, replay_start, days)
    first_sale = total.attrs.get("first_sale", {})

    # per product: the pattern, stock-out days, the horizons
    info: dict[str, dict] = {}
    for i, p in enumerate(products):
        if i % 20 == 0:
            progress.report(0.05 + 0.1 * i / len(products), _("Reading each product's demand"))
            progress.check()
        y = table[p].to_numpy(float).copy()
        first = int(np.argmax(y > 0)) if (y > 0).any() else len(y)
        y = y[first:]
        out_days = dm.stockout_days(y)
        y[out_days] = np.nan
        cls, adi, cv2 = dm.classify(y)
        lead = _num(stock.at[p, "lead_time"], lead_default)
        review = _num(stock.at[p, "review"], review_default)
        info[p] = {"y": y, "stockout_days": int(out_days.sum()), "class": cls, "adi": adi, "cv2": cv2}
        info[p].update(lead=int(round(lead)), review=int(round(review)))
        info[p].update(factors=plan_f[first:], replay_factors=replay_f[first:])
        info[p]["season"] = find_season(table[p], first_sale.get(p), today)
    seasonal = listed | {p for p in products if info[p]["season"] is not None}

    # the forecast engine for smooth and erratic products (in worker processes when many)
    smooth = [p for p in products if CLASS_METHOD[info[p]["class"]] == "forecast" and len(info[p]["y"]) >= 56]
    eng = engine_rates(
        table,
        smooth,
        {p: info[p]["lead"] + info[p]["review"] for p in smooth},
        progress.sub(0.15, 0.75),
        params["forecast_method"],
    )

    rows = []
    prog = progress.sub(0.75, 0.95)
    for i, p in enumerate(products):
        prog.report(i / len(products), _("Planning {product}", product=names.get(p, p)))
        prog.check()
        rows.append(plan_product(p, info[p], eng.get(p), stock.loc[p], prices.get(p), today, csl, params, seasonal))
    plan = pd.DataFrame(rows)

    progress.report(0.95, _("Replaying the policy over the last months"))
    replay_rows = []
    for p in products:
        progress.check()
        y = info[p]["y"]
        if len(y) < MIN_REPLAY_DAYS + 56 or p in seasonal:
            continue
        r = pol.replay(
            y,
            lead_time=info[p]["lead"],
            review=info[p]["review"],
            csl=csl,
            method="ses" if CLASS_METHOD[info[p]["class"]] == "forecast" else "tsb",
            start=len(y) - REPLAY_DAYS,
            factors=info[p]["replay_factors"],
            relative=CLASS_METHOD[info[p]["class"]] == "forecast",
        )
        if r.cycles:
            replay_rows.append(
                {
                    "product": p,
                    "cycles": r.cycles,
                    "cycle_service_level": r.cycle_service_level,
                    "fill_rate": r.fill_rate,
                    "avg_stock": r.avg_stock,
                    "target": csl,
                }
            )
    replay = pd.DataFrame(
        replay_rows, columns=["product", "cycles", "cycle_service_level", "fill_rate", "avg_stock", "target"]
    )
    return build_result(plan, replay, info, names, today, csl, has_sheet, params, notes)


def _num(v, default):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return default
    return f if math.isfinite(f) and f >= 0 else default


def plan_product(p, inf, engine, st, price, today, csl, params, seasonal) -> dict:
    """One product's policy, order and money (see the module docstring)."""
    y = inf["y"]
    lead, review = inf["lead"], inf["review"]
    h = lead + review
    cls = inf["class"]
    est = "ses" if CLASS_METHOD[cls] == "forecast" else "tsb"
    f = inf.get("factors")
    rates = dm.rolling_rates(y, est, factors=f)
    rel = est == "ses"  # steady sellers: errors grow with the level; slow sellers: in units
    err_h = dm.forecast_errors(y, rates, h, factors=f, relative=rel)
    err_l = dm.forecast_errors(y, rates, max(lead, 1), factors=f, relative=rel)
    obs = y[np.isfinite(y)]
    if engine is not None:
        rate, method = engine
        method_id = f"forecast:{method}"
    elif CLASS_METHOD[cls] == "sba":
        rate, method_id = dm.sba(obs), "sba"
    elif CLASS_METHOD[cls] == "tsb":
        rate, method_id = dm.tsb(obs), "tsb"
    else:  # too short for the engine
        rate, method_id = (
            float(rates[-1]) * _recent_factor(f, len(y))
            if math.isfinite(rates[-1])
            else float(np.mean(obs) if len(obs) else 0),
            "ses",
        )
    rate = max(float(rate), 0.0)
    # demand expected over the next h days: the rate of a recent day carried to the days ahead by
    # the shop's weekday and time-of-year pattern (a forecast method with its own season keeps its own)
    own_season = method_id.startswith("forecast:") and ("season" in method_id or "winters" in method_id)
    plain = rate / _recent_factor(f, len(y)) if not own_season else math.nan
    demand_h = plain * dm.horizon_factors(f, len(y), h)[len(y)] if not own_season else rate * h
    demand_l = plain * dm.horizon_factors(f, len(y), max(lead, 1))[len(y)] if not own_season else rate * lead
    cost = (
        _num(st["cost"], math.nan)
        if not math.isnan(_num(st["cost"], math.nan))
        else _num(params.get("unit_cost"), math.nan)
    )
    price = _num(st["price"], price if price is not None else math.nan)
    on_hand = _num(st["on_hand"], math.nan)
    on_order = _num(st["on_order"], 0.0)
    arrival = st["arrival"]
    known = math.isfinite(on_hand)
    # what arrives before a new order could: on order with an arrival inside the lead time (or no date)
    arrives_in_time = on_order if (pd.isna(arrival) or (arrival - today).days < lead) else 0.0
    position = (on_hand + on_order) if known else math.nan
    s = dm.ltd_quantile(demand_h, err_h, csl, rel)
    if not math.isfinite(s):  # too little history for errors: Poisson-like spread
        s = demand_h + _z(csl) * math.sqrt(max(demand_h, 1e-9))
    rop = dm.ltd_quantile(demand_l, err_l, csl, rel) if lead else 0.0
    if not math.isfinite(rop):
        rop = demand_l + _z(csl) * math.sqrt(max(demand_l, 1e-9))
    safety = max(0.0, s - demand_h)
    lot = 0.0
    if params.get("order_cost") and params.get("holding_rate") and math.isfinite(cost):
        lot = pol.eoq(rate * 365, float(params["order_cost"]), float(params["holding_rate"]) / 100 * cost)
    pack, moq = _num(st["pack"], 0.0), _num(st["moq"], 0.0)
    policy = "reorder_point"
    season = inf.get("season")
    season_end = None
    if season is not None:  # found from its sales: the newsvendor quantity for what is left of the season
        policy = "newsvendor"
        season_end = season["end"]
        mean = season["units_ahead"]
        sd = math.sqrt(max(mean, 0.0) * season["dispersion"])
        salvage = float(params["salvage"]) / 100 * cost if math.isfinite(cost) else 0.0
        if not season["in_season"] and (season["start"] - today).days > lead + review:
            s = 0.0  # the season is further off than one order: nothing to order yet
        elif math.isfinite(cost) and math.isfinite(price):
            s = pol.newsvendor_normal(mean, sd, price, cost, salvage)
        else:
            s = mean + _z(csl) * sd
        s = max(float(s), 0.0) if math.isfinite(s) else mean + _z(csl) * sd
    elif p in seasonal:
        policy = "newsvendor"
        season_days = int(params["season_days"])
        err_season = dm.forecast_errors(y, rates, season_days, factors=f)
        salvage = float(params["salvage"]) / 100 * cost if math.isfinite(cost) else 0.0
        if len(err_season) and math.isfinite(cost) and math.isfinite(price):
            target = pol.newsvendor_empirical(rate * season_days + err_season, price, cost, salvage)
        else:
            target = s
        s = max(target, 0.0)
    elif lot > 0:
        policy = "eoq"
    qty = 0.0
    order_now = False
    order_by = None
    if known:
        if position < s:
            order_now = True
            qty = pol.round_order(max(s - position, lot), pack, moq)
            order_by = today
        elif season is not None and not season["in_season"]:
            order_by = max(today, season["start"] - pd.Timedelta(days=lead))
        elif rate > 0:
            days = max(1, int((position - s) / rate))
            order_by = today + pd.Timedelta(days=min(days, 365))
    p_out = dm.prob_exceeds(demand_l, err_l, on_hand + arrives_in_time, rel) if known else math.nan
    cover = on_hand / rate if known and rate > 0 else (math.inf if known else math.nan)
    short = max(0.0, rate * HORIZON_DAYS - (position if known else 0.0))
    months_over = float(params["overstock_months"])
    excess = max(0.0, on_hand - rate * 30.4 * months_over) if known else 0.0
    return {
        "product": p,
        "pattern": cls,
        "method": method_id,
        "policy": policy,
        "season_end": season_end.date().isoformat() if season_end is not None else None,
        "on_hand": on_hand,
        "on_order": on_order,
        "daily_demand": rate,
        "days_of_cover": cover if math.isfinite(cover) else None,
        "stockout_risk": p_out,
        "order_by": order_by.date().isoformat() if order_by is not None else None,
        "order_qty": qty,
        "order_value": qty * cost if math.isfinite(cost) else None,
        "reorder_point": rop,
        "safety_stock": safety,
        "order_up_to": s,
        "lead_time": lead,
        "review_days": review,
        "money_tied_up": on_hand * cost if known and math.isfinite(cost) else None,
        "sales_at_risk": short * price if math.isfinite(price) else None,
        "excess_units": excess,
        "excess_value": excess * cost if math.isfinite(cost) else None,
        "order_now": order_now,
        "stockout_days": inf["stockout_days"],
        "adi": inf["adi"] if math.isfinite(inf["adi"]) else None,
        "cv2": inf["cv2"] if math.isfinite(inf["cv2"]) else None,
        "errors_seen": int(len(err_h)),
    }


def _recent_factor(f, n: int, days: int = 28) -> float:
    """The mean day factor of the last ``days`` days (what a recent day's rate is worth)."""
    if f is None or n == 0:
        return 1.0
    w = np.asarray(f[max(0, n - days) : n], float)
    return float(w.mean()) if len(w) and np.isfinite(w).all() and w.mean() > 0 else 1.0


def find_season(units: pd.Series, first_sale, today: pd.Timestamp) -> dict | None:
    """A product sold for one season (:func:`demand.season_months` on its last twelve months'
    units, for a product sold for more than a year): the current or next season's first and last
    day, whether it has begun, last year's units over what is left of it (the demand the
    newsvendor plans for) and how much more than Poisson the daily sales vary in season."""
    if len(units) < 365 or first_sale is None or (today - pd.Timestamp(first_sale)).days < 365:
        return None
    last = units.iloc[-365:]
    monthly = last.groupby(last.index.month).sum().reindex(range(1, 13), fill_value=0.0).to_numpy(float)
    found = dm.season_months(monthly)
    if found is None:
        return None
    a, b = found
    year = pd.Timedelta(days=365)
    for y in (today.year - 1, today.year, today.year + 1):
        start = pd.Timestamp(y, a + 1, 1)
        end = pd.Timestamp(y + (1 if b < a else 0), b + 1, 1) + pd.offsets.MonthEnd(0)
        if end >= today:
            break
    ahead = units[(units.index >= max(start, today) - year) & (units.index <= end - year)]
    inside = units[(units.index >= start - year) & (units.index <= end - year)]
    mean = float(inside.mean()) if len(inside) else 0.0
    disp = max(1.0, float(inside.var()) / mean) if mean > 0 and len(inside) > 1 else 1.0
    return {
        "start": start,
        "end": end,
        "in_season": bool(start <= today),
        "units_ahead": float(ahead.sum()),
        "dispersion": disp,
    }


def _z(q: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(q))


# --------------------------------------------------------------------------------- words
PATTERN_WORDS = {
    "smooth": _l("Smooth (sells most days, steady amounts)"),
    "erratic": _l("Erratic (sells most days, amounts vary a lot)"),
    "intermittent": _l("Intermittent (many days without a sale)"),
    "lumpy": _l("Lumpy (rare sales of varying size)"),
}
POLICY_WORDS = {
    "reorder_point": _l("Reorder point, weekly review"),
    "eoq": _l("Reorder point, economic order quantity"),
    "newsvendor": _l("One season (newsvendor)"),
}


def method_words(method: str) -> Any:
    if method.startswith("forecast:"):
        return M("Forecast tab's engine ({method})", method=method.split(":", 1)[1])
    return {
        "sba": _l("Croston with bias correction (SBA)"),
        "tsb": _l("Teunter-Syntetos-Babai (TSB)"),
        "ses": _l("Exponential smoothing of daily sales"),
    }.get(method, method)


def why(row: dict) -> Any:
    pattern = row["pattern"]
    if row["policy"] == "newsvendor" and row.get("season_end"):
        return M(
            "Sells in one season, until {end:date}: the quantity for what is left of it that balances "
            "a lost sale against a unit left over.",
            end=row["season_end"],
        )
    if row["policy"] == "newsvendor":
        return M("Sold for one season: the quantity that balances a lost sale against a leftover unit.")
    if pattern in ("intermittent", "lumpy"):
        return M(
            "Sells on fewer days (one sale every {adi:num} days on average): a Croston-type method "
            "forecasts such demand better than smoothing the zeros.",
            adi=row["adi"] or 0.0,
        )
    if row["policy"] == "eoq":
        return M("Orders at least the economic order quantity, which balances ordering and holding costs.")
    return M("Sells most days: ordered when stock plus orders fall below the reorder point at each weekly review.")


def build_result(plan, replay, info, names, today, csl, has_sheet, params, notes) -> Result:
    notes = list(notes)
    plan = plan.copy()
    plan["why"] = [to_plain(why(r)) for r in plan.to_dict("records")]
    plan["pattern_words"] = plan["pattern"]
    order_rows = plan[plan["order_now"]].sort_values("sales_at_risk", ascending=False, na_position="last")
    at_risk = plan[(plan["stockout_risk"] >= AT_RISK)]
    months = float(params["overstock_months"])
    over = plan[(plan["days_of_cover"].fillna(0) > months * 30.4) & (plan["excess_units"] > 0)]
    over = over.sort_values("excess_value", ascending=False, na_position="last")
    replay_ok = replay[replay["cycles"] >= 4]
    achieved = float(replay_ok["cycle_service_level"].mean()) if len(replay_ok) else math.nan
    fill = float(replay_ok["fill_rate"].mean()) if len(replay_ok) else math.nan

    if has_sheet:
        value = float(order_rows["order_value"].fillna(0).sum())
        if len(order_rows):
            head: Any = Mn(
                "Order {n} product this week ({value:money0})",
                "Order {n} products this week ({value:money0})",
                len(order_rows),
                value=value,
            )
        else:
            head = M("No product needs ordering this week")
        if len(at_risk):
            head = Mn(
                "{head}; {n} is already at risk of running out.",
                "{head}; {n} are already at risk of running out.",
                len(at_risk),
                head=head,
            )
        else:
            head = M("{head}; none is at risk of running out.", head=head)
    else:
        head = M(
            "No stock sheet: the table shows how much stock each product needs to cover its lead time "
            "at a {csl:percent} service level.",
            csl=csl,
        )
    replay_msg = None
    if math.isfinite(achieved):
        if achieved < csl - 0.02:
            replay_msg = M(
                "In a replay of the last half year the policy met demand in {got:percent} of order cycles, "
                "below the {target:percent} target.",
                got=achieved,
                target=csl,
            )
        else:
            replay_msg = M(
                "In a replay of the last half year the policy met demand in {got:percent} of order cycles "
                "(target {target:percent}).",
                got=achieved,
                target=csl,
            )
    headline = sentences(head, replay_msg)

    n_out = int(plan["stockout_days"].sum())
    if n_out:
        notes.append(
            Mn(
                "{n} day with no sales of a normally steady seller was taken as out of stock, not as zero demand.",
                "{n} days with no sales of normally steady sellers were taken as out of stock, not as zero demand.",
                n_out,
            )
        )
    notes.append(
        M(
            "Lead-time demand comes from how wrong the rolling forecast was over past lead times "
            "(the forecast plus those errors), so a product whose sales are hard to forecast gets more safety stock."
        )
    )
    if math.isfinite(fill):
        notes.append(M("Replay: fill rate {fill:percent} on average.", fill=fill))
    weak = replay_ok[replay_ok["cycle_service_level"] < csl - 0.05]
    if len(weak):
        notes.append(
            Mn(
                "In the replay {n} product fell short of the target by more than 5 points: {names:list}.",
                "In the replay {n} products fell short of the target by more than 5 points: {names:list}.",
                len(weak),
                names=[names.get(p, p) for p in weak["product"].head(8)],
            )
        )

    actions = []
    for r in order_rows.head(5).to_dict("records"):
        actions.append(
            Action(
                kind="restock",
                text=M(
                    "Order {qty:int} of {product} by {date:date}",
                    qty=int(r["order_qty"]),
                    product=names.get(r["product"], r["product"]),
                    date=r["order_by"],
                ),
                why=M(
                    "{days:num} days of stock left; {risk:percent} chance of running out before a new order arrives",
                    days=r["days_of_cover"] if r["days_of_cover"] is not None else 0.0,
                    risk=r["stockout_risk"] if math.isfinite(r["stockout_risk"]) else 0.0,
                ),
                money=r["sales_at_risk"],
                table="orders",
                key={"product": r["product"]},
            )
        )
    if len(over):
        r = over.iloc[0].to_dict()
        actions.append(
            Action(
                kind="markdown",
                text=M("Mark down {product}", product=names.get(r["product"], r["product"])),
                why=M(
                    "{months:num} months of stock; {money:money0} tied up beyond {limit:num} months",
                    months=(r["days_of_cover"] or 0) / 30.4,
                    money=r["excess_value"] or 0.0,
                    limit=months,
                ),
                money=r["excess_value"],
                table="overstock",
                key={"product": r["product"]},
            )
        )

    cols_order = [
        "product", "order_by", "order_qty", "order_value", "on_hand", "on_order", "days_of_cover", "stockout_risk",
        "daily_demand", "reorder_point", "safety_stock", "order_up_to", "money_tied_up", "sales_at_risk",
        "pattern", "method", "policy", "why", "season_end", "lead_time", "review_days", "stockout_days", "adi", "cv2",
    ]  # fmt: skip
    # what to order first: the products to order now, the likeliest to run out before the money at stake
    by = ["order_now", "stockout_risk", "sales_at_risk"]
    table = plan.sort_values(by, ascending=[False, False, False], na_position="last")[cols_order]
    table = table.assign(days_of_cover=table["days_of_cover"].astype(float))
    overstock = over.assign(months_of_cover=over["days_of_cover"] / 30.4)[
        ["product", "months_of_cover", "on_hand", "excess_units", "excess_value", "money_tied_up"]
    ]
    metrics = {
        "today": today.date().isoformat(),
        "service_level_target": csl,
        "orders_this_week": int(len(order_rows)),
        "order_value": float(order_rows["order_value"].fillna(0).sum()),
        "at_risk": [str(p) for p in at_risk["product"]],
        "overstocked": [str(p) for p in over["product"]],
        "replay": {"products": int(len(replay_ok)), "cycle_service_level": achieved, "fill_rate": fill},
        "patterns": plan["pattern"].value_counts().to_dict(),
        "has_stock_sheet": has_sheet,
    }
    first = (
        str(order_rows["product"].iloc[0]) if len(order_rows) else (str(plan["product"].iloc[0]) if len(plan) else None)
    )
    extra = {"today": today.date().isoformat(), "products": {}}
    for r in plan.to_dict("records"):
        extra["products"][str(r["product"])] = {
            "on_hand": _plain(r["on_hand"]),
            "on_order": _plain(r["on_order"]),
            "rate": _plain(r["daily_demand"]),
            "rop": _plain(r["reorder_point"]),
            "safety": _plain(r["safety_stock"]),
            "up_to": _plain(r["order_up_to"]),
            "qty": _plain(r["order_qty"]),
            "lead": int(r["lead_time"]),
            "spread": _plain(_spread(info[r["product"]]["y"], r["lead_time"] + r["review_days"])),
            "horizon": int(r["lead_time"] + r["review_days"]),
        }
    plots = {"stock": stock_plot(extra, first, names)} if first is not None else {}
    result_names = {p: names[p] for p in plan["product"] if p in names}
    return Result(
        tables={
            "orders": table.reset_index(drop=True),
            "overstock": overstock.reset_index(drop=True),
            "replay": replay,
        },
        metrics=metrics,
        plots=plots,
        notes=notes,
        extra=extra,
        headline=headline,
        columns=columns(),
        names=result_names,
        actions=actions,
    )


def _plain(v):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _spread(y, h) -> float:
    """The sd of past h-day demand errors, for the plot's band."""
    rates = dm.rolling_rates(y, "ses")
    e = dm.forecast_errors(y, rates, int(h))
    return float(np.std(e)) if len(e) > 2 else math.nan


def columns() -> dict:
    product = Column(_l("Product"), "product")
    pattern = Column(_l("Demand pattern"), "code", values=PATTERN_WORDS)
    policy = Column(_l("Policy"), "code", values=POLICY_WORDS)
    orders = {
        "product": product,
        "order_by": Column(_l("Order by"), "date"),
        "order_qty": Column(_l("Order (units)"), "int", help=_l("rounded up to whole packs and the minimum order")),
        "order_value": Column(_l("Order value"), "money"),
        "on_hand": Column(_l("On hand"), "int"),
        "on_order": Column(_l("On order"), "int"),
        "days_of_cover": Column(_l("Days of cover"), "num"),
        "stockout_risk": Column(
            _l("Chance of running out"), "percent", help=_l("before an order placed today could arrive")
        ),
        "daily_demand": Column(_l("Expected sales per day"), "num"),
        "reorder_point": Column(_l("Reorder point"), "num", help=_l("demand over the lead time at the service level")),
        "safety_stock": Column(_l("Safety stock"), "num"),
        "order_up_to": Column(_l("Order up to"), "num", help=_l("demand over lead time plus review period")),
        "money_tied_up": Column(_l("Money tied up"), "money"),
        "sales_at_risk": Column(_l("Sales at risk (4 weeks)"), "money", help=_l("if nothing is ordered")),
        "pattern": pattern,
        "method": Column(_l("Demand method"), "text", details=True),
        "policy": policy,
        "why": Column(_l("Why this policy"), "text"),
        "season_end": Column(
            _l("Season ends"), "date", help=_l("found from its sales: most of a year's units sell in these few months")
        ),
        "lead_time": Column(_l("Lead time (days)"), "int", details=True),
        "review_days": Column(_l("Review period (days)"), "int", details=True),
        "stockout_days": Column(_l("Days taken as out of stock"), "int", details=True),
        "adi": Column(_l("Average days between sales (ADI)"), "num", details=True),
        "cv2": Column(_l("Variation of sale sizes (CV²)"), "num", details=True),
    }
    overstock = {
        "product": product,
        "months_of_cover": Column(_l("Months of cover"), "num"),
        "on_hand": Column(_l("On hand"), "int"),
        "excess_units": Column(_l("Units beyond the limit"), "int"),
        "excess_value": Column(_l("Money tied up beyond the limit"), "money"),
        "money_tied_up": Column(_l("Money tied up"), "money"),
    }
    replay = {
        "product": product,
        "cycles": Column(_l("Order cycles"), "int"),
        "cycle_service_level": Column(_l("Cycles without running out"), "percent"),
        "fill_rate": Column(_l("Demand served (fill rate)"), "percent"),
        "avg_stock": Column(_l("Average stock (units)"), "num"),
        "target": Column(_l("Target"), "percent"),
    }
    return {"orders": orders, "overstock": overstock, "replay": replay}


def stock_plot(extra: dict, product: str, names: dict | None = None, weeks: int = 8) -> PlotSpec:
    """Projected stock of one product over the coming weeks: on hand plus the proposed order's
    arrival minus the expected sales, with a band of one typical forecast error, and the reorder
    point and safety stock lines."""
    e = extra["products"][product]
    today = pd.Timestamp(extra["today"])
    days = pd.date_range(today, periods=weeks * 7 + 1, freq="D")
    x = dates_to_seconds(days)
    rate = e["rate"] or 0.0
    k = np.arange(len(days), dtype=float)
    start = e["on_hand"] if e["on_hand"] is not None else (e["up_to"] or 0.0)
    level = start + (e["on_order"] or 0.0) - rate * k
    qty = e["qty"] or 0.0
    if qty > 0:
        level = level + np.where(k >= e["lead"], qty, 0.0)
    level = np.maximum(level, 0.0)  # stock runs out, it does not go below zero (sales are lost)
    sd = e["spread"] or 0.0
    band = sd * np.sqrt(k / max(e["horizon"], 1))
    name = (names or {}).get(product, product)
    layers = [
        Layer(
            "band",
            x,
            np.maximum(level - band, 0.0).tolist(),
            y2=(level + band).tolist(),
            name=_l("Typical range"),
            color="#1f77b4",
            alpha=0.2,
        ),
        Layer("line", x, level.tolist(), name=_l("Projected stock"), color="#1f77b4", width=2.5),
        Layer("hline", [], [e["rop"] or 0.0], name=_l("Reorder point"), color="#ff7f0e", dashed=True),
        Layer("hline", [], [e["safety"] or 0.0], name=_l("Safety stock"), color="#d62728", dashed=True),
    ]
    if qty > 0:
        layers.append(
            Layer("vline", [x[min(e["lead"], len(x) - 1)]], [], name=_l("Proposed order arrives"), color="#2ca02c")
        )
    return PlotSpec(
        title=M("Projected stock: {product}", product=name),
        x_label=_l("Date"),
        y_label=_l("Units in stock"),
        layers=layers,
        x_is_date=True,
    )
