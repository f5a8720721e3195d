"""Forecast analysis: sales series per product and in total -> forecasts with intervals, the
backtest of every method, the chosen models, plots. Pure (no Qt): the tab, the project file and
the CLI all call :func:`run`."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from bizops_desktop.core import chunked
from bizops_desktop.core.actions import HORIZON_DAYS, Action
from bizops_desktop.core.analysis import Result
from bizops_desktop.core.display import Column
from bizops_desktop.core.errors import UsageError
from bizops_desktop.core.i18n import Message, format_date, format_money, format_number, sentences, text, to_plain
from bizops_desktop.core.jsonable import plain
from bizops_desktop.core.plotspec import Layer, PlotSpec, dates_to_seconds
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.periods import FREQ_WORDS, SEASON_LENGTH, pandas_freq
from bizops_desktop.core.views.series import VALUE_ROLES, SalesSeries, series_view

from . import seasonality
from .engine import BASELINES, CLEAR_GAIN, _level_key, _score
from .i18n import M, Mn, _, _l, calendar_name
from .parallel import run_many
from .words import SHORT_NAMES, baseline_phrase, method_name, method_names, periods, units

METRIC_COLS = ("mae", "rmse", "mape", "smape", "mase")

# The forecast plot opens on the horizon and the last 4 horizons of history, at least this many
# periods of it (8 weeks of days, half a year of weeks, two years of months): enough to see the
# weekly or yearly pattern the forecast continues. Zooming out (or the full range) shows the rest.
HISTORY_SHOWN = 4
MIN_HISTORY_SHOWN = {"D": 56, "W": 26, "M": 24}
# A second weekday is named as busy too when its lift over the average is this close to the peak's
# (the demo's Saturday and Sunday sell alike: naming only one of them would mislead).
BUSY_TIE = 0.9


def config_from_params(params: dict[str, Any], freq: str) -> dict:
    """The per-series configuration (plain JSON, sent to worker processes). ``params`` come
    resolved and checked against the Param list (``Analysis.execute``); only what one Param cannot
    say alone is checked here."""
    m = params["season_length"] or SEASON_LENGTH[freq]
    sorder = params["seasonal_order"]
    if sorder is not None:
        if sorder[3] < 2:
            raise UsageError(
                _("the seasonal order needs a season length m of at least 2, got {m:int}", m=sorder[3]),
                where="parameter seasonal_order",
                hint=_("Give it as P,D,Q,m, for example 0,1,1,12"),
            )
        if sorder[1] > 1:
            raise UsageError(
                _("seasonal differencing D above 1 is not supported"),
                where="parameter seasonal_order",
                hint=_("Use D = 0 or 1"),
            )
        m = sorder[3]
    order = params["order"]
    if order is not None and order[1] > 2:
        raise UsageError(
            _("differencing d = {d:int} is too high", d=order[1]), where="parameter order", hint=_("Use d = 0, 1 or 2")
        )
    levels = sorted(set(params["level"]))
    if not levels:
        raise UsageError(_("give at least one likely range"), where="parameter level", hint=_("for example 80,95"))
    return {
        "method": params["method"],
        "horizon": params["horizon"],
        "m": m,
        "window": params["window"],
        "alpha": params["alpha"],
        "trend": params["trend"],
        "seasonal": params["seasonal"],
        "order": order,
        "seasonal_order": sorder,
        "log": params["log"],
        "holdout": params["holdout"],
        "levels": levels,
        "freq": freq,
    }


def run(dataset, params: dict[str, Any], progress: Progress) -> Result:
    prog_view = progress.sub(0.0, 0.05)
    prog_view.report(0.0, _("Adding up sales per period"))
    freq = None if params["freq"] == "auto" else params["freq"]
    series = series_view(dataset, freq=freq, top=params["top_products"])
    cfg = config_from_params(params, series.freq)
    value_role = next((r for r in VALUE_ROLES if dataset.has(r)), None)
    result = forecast_all(
        series, cfg, progress.sub(0.05, 0.97), value_role=value_role, names=product_names(dataset, series.names)
    )
    if len(series.names) > 1 and value_role in ("quantity", "amount"):
        prices = last_prices(dataset, series.index[-1]) if value_role == "quantity" else {}
        result.actions = restock_actions(result, series, value_role, prices)
    progress.report(1.0, _("Forecast done"))
    return result


PERIOD_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}
RESTOCK_ACTIONS = 3  # "Restock ..." actions at most


def last_prices(dataset, last: pd.Timestamp) -> dict[str, float]:
    """Each product's unit price of late: its revenue over its units in the 4 weeks up to
    ``last`` (the last period's start and after), or over all its lines when it did not sell then;
    from the amount and quantity columns, or the price column. By product id as text."""
    if not dataset.has("product_id", "date"):
        return {}
    f = dataset.frame
    # products as codes into their ids as text (sums by code: no grouping on millions of strings)
    raw_codes, raw_ids = chunked.factorize(f[dataset.col("product_id")], sort=False)
    text_codes, ids = pd.factorize(pd.Series(raw_ids, dtype=object).astype("string"))
    pid = np.append(text_codes, -1)[raw_codes]
    day = pd.to_datetime(f[dataset.col("date")], errors="coerce")
    qty = pd.to_numeric(f[dataset.col("quantity")], errors="coerce") if dataset.has("quantity") else None
    if dataset.has("amount") and qty is not None:
        money = pd.to_numeric(f[dataset.col("amount")], errors="coerce")
    elif dataset.has("price") and qty is not None:
        money = pd.to_numeric(f[dataset.col("price")], errors="coerce") * qty
    else:
        return {}
    ok = ((qty > 0) & money.notna()).to_numpy() & (pid >= 0)
    late = (day >= last - pd.Timedelta(days=HORIZON_DAYS)).to_numpy()[ok]
    p, m, q = pid[ok], money.to_numpy(dtype=float)[ok], qty.to_numpy(dtype=float)[ok]
    n = len(ids)
    every_m, every_q = np.bincount(p, weights=m, minlength=n), np.bincount(p, weights=q, minlength=n)
    late_m, late_q = (
        np.bincount(p[late], weights=m[late], minlength=n),
        np.bincount(p[late], weights=q[late], minlength=n),
    )
    sold, sold_late = np.bincount(p, minlength=n) > 0, np.bincount(p[late], minlength=n) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = np.where(sold_late, late_m / late_q, every_m / every_q)
    price = {str(ids[k]): unit[k] for k in np.flatnonzero(sold).tolist()}
    return {k: float(v) for k, v in price.items() if np.isfinite(v) and v > 0}


def four_weeks(values, freq: str) -> float | None:
    """What ``values`` (per period, in time order) come to over HORIZON_DAYS days: their mean
    per period over the first 4 weeks' periods (all of them when fewer), times the periods in 4
    weeks. None without values."""
    days = PERIOD_DAYS.get(freq)
    v = np.asarray(values, dtype=float)
    if days is None or not len(v):
        return None
    k = max(1, int(np.ceil(HORIZON_DAYS / days)))
    return float(np.mean(v[:k]) * HORIZON_DAYS / days)


def restock_actions(result: Result, series: SalesSeries, value_role: str, prices: dict[str, float]) -> list[Action]:
    """This week's restocking: the products expected to sell more in the next 4 weeks than in the
    last 4 (beyond the usual stock level) first, then the busiest; at most RESTOCK_ACTIONS. Money:
    the forecast's sales over 4 weeks (units at the product's recent price; None when no price is
    known)."""
    fc = result.tables.get("forecast")
    freq = series.freq
    if fc is None or fc.empty:
        return []
    names = result.names
    rows = []
    for name in series.names[1:]:  # the first series is the total
        ahead = four_weeks(fc.loc[fc["series"] == name, "forecast"].to_numpy(dtype=float), freq)
        hist = np.asarray(series.series(name), dtype=float)
        before = four_weeks(hist[::-1], freq)  # the last 4 weeks, newest first
        if ahead is None or before is None or ahead <= 0:
            continue
        if value_role == "amount":
            money: float | None = ahead
        else:
            price = prices.get(str(name))
            money = ahead * price if price is not None else None
        rows.append((name, ahead, before, money))
    rising = [r for r in rows if r[1] > r[2]]
    rising.sort(key=lambda r: -(r[3] if r[3] is not None else r[1]))
    busy = [r for r in rows if r[1] <= r[2]]
    busy.sort(key=lambda r: (r[3] is None, -(r[3] or 0.0), -r[1]))
    out = []
    for name, ahead, before, money in (rising + busy)[:RESTOCK_ACTIONS]:
        product = names.get(name, name)
        if value_role == "amount":
            line = M(
                "Restock {product}: about {ahead:money0} of sales expected in the next 4 weeks",
                product=product,
                ahead=ahead,
            )
            why = M("{before:money0} sold in the last 4 weeks", before=before)
        else:
            line = M(
                "Restock {product}: about {ahead:int} units expected to sell in the next 4 weeks",
                product=product,
                ahead=round(ahead),
            )
            why = M("{before:int} units sold in the last 4 weeks", before=round(before))
        if ahead > before:
            why = M(
                "{why}; {more:percent} more than usual: stock beyond the usual level",
                why=why,
                more=ahead / before - 1 if before > 0 else 1.0,
            )
        else:
            why = M("{why}; one of the busiest products", why=why)
        out.append(Action(kind="restock", text=line, why=why, money=money, table="forecast", key={"series": str(name)}))
    return out


def product_names(dataset, ids) -> dict[str, str]:
    """Product id -> name for the forecast products, from the data's product name column (the
    name of a product's last row, as the sales series' labels take it)."""
    if not (dataset.has("product_id") and dataset.has("product_name")):
        return {}
    nm = dataset.frame[[dataset.col("product_id"), dataset.col("product_name")]].dropna()
    names = dict(zip(nm.iloc[:, 0].astype("string"), nm.iloc[:, 1].astype("string")))
    return {str(i): str(names[i]) for i in ids if i in names and str(names[i]) != str(i)}


def forecast_all(
    series: SalesSeries,
    cfg: dict,
    progress: Progress,
    *,
    workers: int | None = None,
    value_role: str | None = None,
    names: dict[str, str] | None = None,
) -> Result:
    """Forecast every series of ``series`` and build the Result. ``value_role``: what the series
    count (quantity: units; amount: money); ``names``: product id -> name."""
    notes = list(series.notes)
    items = [(nm, series.series(nm).tolist()) for nm in series.names]
    out = run_many(items, cfg, progress, workers=workers)
    return build_result(series, cfg, out, notes, value_role=value_role, names=names)


def _future_dates(last: pd.Timestamp, h: int, freq: str) -> pd.DatetimeIndex:
    if h <= 0:
        return pd.DatetimeIndex([])
    return pd.date_range(last, periods=h + 1, freq=pandas_freq(freq))[1:]


def _about(x: float | None, scale: float | None = None) -> float | None:
    """A total as a person says it: "about 1,240", "about 86", "about 3.4"; rounded as ``scale``
    is when given, so a range reads "9–57" beside "about 33", not "9.4–57"."""
    if x is None or not np.isfinite(x):
        return None
    ref = abs(scale) if scale is not None and np.isfinite(scale) else abs(x)
    if ref >= 1000:
        return float(round(x, 2 - int(np.floor(np.log10(ref)))))
    return float(round(x)) if ref >= 10 else float(round(x, 1))


def _likely_level(levels: list[str]) -> str | None:
    """The range called "likely" in the headline: the level nearest 80%."""
    return min(levels, key=lambda lv: abs(float(lv) - 80)) if levels else None


def _sum(values) -> float | None:
    if not values or any(v is None for v in values):
        return None
    return float(np.sum(values))


def outlook(
    series_word: Any, r: dict, freq: str, level: str | None, value_role: str | None, value_name: str
) -> Message:
    """The series' next periods in one sentence: the total forecast and its likely range.

    The range adds up each period's low and high estimates: the right range if the periods'
    errors go together (a level the model misjudged stays misjudged), wider than the truth when
    they cancel out, so it errs on the side of caution."""
    h = len(r.get("forecast") or [])
    if h == 0:
        return M(
            "{series}: nothing was forecast (periods ahead is 0); the method comparison shows how well "
            "each method forecast past sales.",
            series=series_word,
        )
    period = periods(h, freq)
    raw = [
        _sum(r["forecast"]),
        *((_sum(r["lower"].get(level)), _sum(r["upper"].get(level))) if level is not None else (None, None)),
    ]
    # the three figures rounded alike, by the largest: "about 970 (likely 880–1,070)"
    scale = max((abs(v) for v in raw if v is not None and np.isfinite(v)), default=None)
    total, low, high = (_about(v, scale) for v in raw)
    if low is None or high is None:
        if value_role == "quantity":
            return M(
                "{series}, next {period}: about {amount}; the data cannot tell how sure that is.",
                series=series_word,
                period=period,
                amount=units(total) if total is not None else format_number(total),  # "–" for no number
            )
        if value_role == "amount":
            return M(
                "{series}, next {period}: about {total:money0} in sales; the data cannot tell how sure that is.",
                series=series_word,
                period=period,
                total=total,
            )
        return M(
            "{series}, next {period}: {value} about {total} in total; the data cannot tell how sure that is.",
            series=series_word,
            period=period,
            value=value_name,
            total=total,
        )
    if value_role == "quantity":
        return M(
            "{series}, next {period}: about {amount} (likely {low}–{high}).",
            series=series_word,
            period=period,
            amount=units(total) if total is not None else format_number(total),
            low=low,
            high=high,
        )
    if value_role == "amount":
        return M(
            "{series}, next {period}: about {total:money0} in sales (likely {low:money0}–{high:money0}).",
            series=series_word,
            period=period,
            total=total,
            low=low,
            high=high,
        )
    return M(
        "{series}, next {period}: {value} about {total} in total (likely {low}–{high}).",
        series=series_word,
        period=period,
        value=value_name,
        total=total,
        low=low,
        high=high,
    )


def busiest_days(season_rows: list[dict]) -> list[str]:
    """The weekday or two that sell most (English ids, busiest first), from the
    weekly pattern when one was found; [] otherwise."""
    row = next((s for s in season_rows if s["season"] == "weekly" and s["found"]), None)
    if row is None:
        return []
    lift = np.asarray(row["profile"], dtype=float)
    order = np.argsort(-lift, kind="stable")
    days = [row["labels"][int(order[0])]]
    if lift[order[0]] > 0 and lift[order[1]] >= BUSY_TIE * lift[order[0]]:
        days.append(row["labels"][int(order[1])])
    return days


def busiest_sentence(days: list[str]) -> Message | None:
    if not days:
        return None
    if len(days) == 1:
        return M("Busiest day: {day}.", day=calendar_name(days[0]))
    return M("Busiest days: {day} and {other}.", day=calendar_name(days[0]), other=calendar_name(days[1]))


def clip_at_zero(r: dict) -> dict:
    """The series' fitted values, forecast and likely ranges with negatives raised to 0 (units
    and sales money cannot be negative; a model's straight line through a quiet spell can be).
    The table, the headline and the plot all read these, so they agree."""

    def up(vals):
        if vals is None:
            return None
        return [v if v is None or not np.isfinite(v) else max(float(v), 0.0) for v in vals]

    out = dict(r)
    out["fitted"] = up(r.get("fitted"))
    out["forecast"] = up(r.get("forecast"))
    for key in ("lower", "upper"):
        if r.get(key) is not None:
            out[key] = {lv: up(v) for lv, v in r[key].items()}
    return out


def caveat(r: dict, freq: str, m: int) -> Message | None:
    """What the reader should know about how far to trust the forecast, or None: said plainly
    when no method did better on past sales than repeating what was sold before."""
    bt = r.get("backtest") or {}
    chosen = r.get("method")
    if r.get("backtest_start", -1) is None or r.get("backtest_start", -1) < 0 or not bt:
        return M("There is too little history to check this forecast against past sales.")
    if chosen in BASELINES:
        return M(
            "No method forecast past sales better than simply repeating {baseline}, so the forecast does just that.",
            baseline=baseline_phrase(chosen, freq, m),
        )
    base = min((b for b in BASELINES if b in bt), key=lambda b: _score(bt[b]), default=None)
    if chosen not in bt or base is None:
        return None
    mine, theirs = _score(bt[chosen]), _score(bt[base])
    if mine >= theirs:
        return M(
            "On past sales this method did no better than simply repeating {baseline}.",
            baseline=baseline_phrase(base, freq, m),
        )
    if np.isfinite(theirs) and theirs > 0 and 1 - mine / theirs < CLEAR_GAIN:
        return M(
            "On past sales this method was hardly better than simply repeating {baseline}.",
            baseline=baseline_phrase(base, freq, m),
        )
    return None


def _with_series(note: Any, word: Any) -> Any:
    """An engine note (a plain message with the series' id) as a Message naming the product."""
    if isinstance(note, dict) and "msgid" in note:
        msg = Message.from_dict(note)
        if "series" in msg.values:
            msg.values["series"] = to_plain(word)
        return msg
    return note


def build_result(
    series: SalesSeries,
    cfg: dict,
    out: dict[str, dict],
    notes: list,
    *,
    value_role: str | None = None,
    names: dict[str, str] | None = None,
) -> Result:
    idx = series.index
    freq = series.freq
    m = cfg["m"]
    h = cfg["horizon"]
    future = _future_dates(idx[-1], h, freq)
    levels = [_level_key(v) for v in cfg["levels"]]
    likely = _likely_level(levels)
    names = dict(names or {})
    total_name = series.names[0] if series.names else None
    has_products = len(series.names) > 1
    if has_products:
        total_word: Any = M("All products")
    elif value_role == "target":
        total_word = series.value_name
    else:
        total_word = M("All sales")

    def word(name: str) -> Any:
        """The series as sentences name it: the product's name, or the total in words."""
        return total_word if name == total_name else names.get(name, name)

    fc_rows, bt_rows, model_rows = [], [], []
    extra_series: dict[str, dict] = {}
    failed = []
    chosen_counter: Counter = Counter()
    beats = 0
    compared = 0
    for name in series.names:
        r = out[name]
        if "error" not in r and value_role in ("quantity", "amount") and not (series.values[name] < 0).any():
            # units and sales money cannot go below 0; net sales with returns can, and then so may a forecast
            r = clip_at_zero(r)
        if "error" in r:
            failed.append(name)
            notes.append(M("{series}: the forecast failed ({error}).", series=word(name), error=r["error"]))
            continue
        chosen_counter[r["method"]] += 1
        for k, date in enumerate(future):
            row = {"series": name, "date": date.date().isoformat(), "forecast": r["forecast"][k]}
            for lv in levels:
                row[f"lower_{lv}"] = r["lower"][lv][k]
                row[f"upper_{lv}"] = r["upper"][lv][k]
            row["method"] = r["method"]
            fc_rows.append(row)
        for meth, mt in r["backtest"].items():
            bt_rows.append(
                {
                    "series": name,
                    "method": meth,
                    **{c: mt.get(c) for c in METRIC_COLS},
                    "points": mt.get("n"),
                    "zero_actuals_skipped_in_mape": mt.get("mape_skipped"),
                    "chosen": meth == r["method"],
                    "baseline": meth in BASELINES,
                }
            )
        bt = r["backtest"]
        if r["method"] in bt and "seasonal_naive" in bt and r["method"] not in BASELINES:
            compared += 1
            a, b = bt[r["method"]].get("mae"), bt["seasonal_naive"].get("mae")
            if a is not None and b is not None and a < b:
                beats += 1
        reason = r.get("reason")
        details = r.get("reason_details")
        ic = r.get("ic") or {}
        model_rows.append(
            {
                "series": name,
                "method": r["method"],
                "parameters": plain(r.get("params") or {}, nonfinite="text"),
                "aic": ic.get("aic"),
                "aicc": ic.get("aicc"),
                "bic": ic.get("bic"),
                "loglik": ic.get("loglik"),
                "why": to_plain(sentences(_message(reason), _message(details))),
            }
        )
        notes.extend(_with_series(n, word(name)) for n in r.get("notes") or [])
        season_rows = seasonality.describe(series.values[name], freq)
        look = outlook(word(name), r, freq, likely, value_role, series.value_name)
        busy = busiest_days(season_rows) if freq == "D" and len(future) else []
        warn = caveat(r, freq, m)
        label = series.labels.get(name, name)
        extra_series[name] = {
            "label": to_plain(total_word) if name == total_name else label,
            "display": to_plain(word(name)),
            "values": series.values[name].tolist(),
            "fitted": r.get("fitted"),
            "forecast": r.get("forecast"),
            "lower": r.get("lower"),
            "upper": r.get("upper"),
            "method": r["method"],
            "reason": reason,
            "reason_details": details,
            "outlook": to_plain(look),
            "caveat": to_plain(warn),
            "headline": to_plain(sentences(look, busiest_sentence(busy), warn)),
            "busiest_days": busy,
            "backtest": r.get("backtest"),
            "skipped": r.get("skipped"),
            "backtest_start": r.get("backtest_start", -1),
            "backtest_paths": r.get("backtest_paths", {}),
            "params": r.get("params"),
            "ic": ic,
            "seasonality": season_rows,
            "seasonality_words": [to_plain(seasonality.sentence(s)) for s in season_rows],
        }

    level_cols = [c for lv in levels for c in (f"lower_{lv}", f"upper_{lv}")]
    forecast = pd.DataFrame(fc_rows, columns=["series", "date", "forecast", *level_cols, "method"])
    backtest = pd.DataFrame(
        bt_rows,
        columns=["series", "method", *METRIC_COLS, "points", "zero_actuals_skipped_in_mape", "chosen", "baseline"],
    )
    models = pd.DataFrame(model_rows, columns=["series", "method", "parameters", "aic", "aicc", "bic", "loglik", "why"])
    first = next((nm for nm in series.names if nm in extra_series), None)
    metrics: dict[str, Any] = {
        "frequency": freq,
        "frequency_words": FREQ_WORDS[freq],
        "season_length": cfg["m"],
        "horizon": h,
        "levels": cfg["levels"],
        "value": series.value_name,
        "series": len(series.names),
        "failed": failed,
        "history": {"first": idx[0].date().isoformat(), "last": idx[-1].date().isoformat(), "periods": len(idx)},
        "methods_chosen": dict(chosen_counter),
        "beats_seasonal_naive": {"series": beats, "of": compared},
        "mape_note": _("MAPE skips periods with zero actual sales (a percentage of zero is undefined)."),
        "interval_note": _(
            "The likely ranges start at the first forecast period and widen further ahead; for a "
            "log model they are exp() of the log-scale range and the forecast is the median."
        ),
    }
    headline: Any = M("The forecast failed for every series; see the notes.")
    if first is not None:
        e = extra_series[first]
        why = sentences(_message(e["reason"]), _message(e["reason_details"]))
        metrics["main_series"] = {
            "series": first,
            "method": e["method"],
            "why": text(why),
            "backtest": e["backtest"],
            "ic": e["ic"],
            "seasonality": [{k: v for k, v in s.items() if k not in ("profile", "labels")} for s in e["seasonality"]],
        }
        for s in e["seasonality"]:
            notes.insert(0, M("{series}: {pattern}", series=word(first), pattern=seasonality.sentence(s)))
        notes.insert(0, M("{series}: {reason}", series=word(first), reason=_message(e["reason"])))
        headline = _message(e["headline"])
    if compared:
        notes.append(
            Mn(
                "Of the {n} forecast that uses a model rather than a simple repeat, {beats:int} forecast "
                "past sales better than repeating {baseline}.",
                "Of the {n} forecasts that use a model rather than a simple repeat, {beats:int} forecast "
                "past sales better than repeating {baseline}.",
                compared,
                beats=beats,
                baseline=baseline_phrase("seasonal_naive", freq, m),
            )
        )
    notes.append(M("MAPE skips periods with zero actual sales."))

    extra = {
        "freq": freq,
        "dates": [d.date().isoformat() for d in idx],
        "future": [d.date().isoformat() for d in future],
        "levels": levels,
        "order": [nm for nm in series.names if nm in extra_series],
        "series": extra_series,
        "value": series.value_name,
        "value_role": value_role,
        "season_length": m,
        "headline": to_plain(headline),
    }
    # Round-trip through JSON now so the project file stores exactly what the panel draws, and
    # draw the first series' plots from it just as the tab draws any series it is asked for.
    extra = plain(extra, nonfinite="text")
    plots = series_plots(extra, first) if first is not None else {}
    result_names = {nm: names[nm] for nm in extra["order"] if nm in names}
    if total_name is not None:
        result_names[total_name] = text(total_word)
    return Result(
        tables={"forecast": forecast, "backtest": backtest, "models": models},
        metrics=metrics,
        plots=plots,
        notes=_dedupe(notes),
        extra=extra,
        headline=headline,
        columns=columns(levels, freq, m, value_role, has_products),
        names=result_names,
    )


def _message(v: Any) -> Any:
    """A stored message (plain dict) as a Message; text and None stay as they are."""
    if isinstance(v, dict) and "msgid" in v:
        return Message.from_dict(v)
    return v if v else None


def columns(levels: list[str], freq: str, m: int, value_role: str | None, has_products: bool) -> dict:
    """The tables' column titles and kinds: the forecast table in the shop's words, the backtest's
    and models' statistics marked as details."""
    kind = "money" if value_role == "amount" else "num"
    forecast_title = {"quantity": _l("Forecast (units)"), "amount": _l("Forecast sales")}.get(value_role or "") or _l(
        "Forecast value"
    )
    series = Column(_l("Product") if has_products else _l("Series"), "product")
    method = Column(_l("Method"), "code", values=method_names(freq, m))
    date_title = {"D": _l("Date"), "W": _l("Week starting"), "M": _l("Month starting")}.get(freq) or _l("Date")
    fc = {"series": series, "date": Column(date_title, "date"), "forecast": Column(forecast_title, kind)}
    for lv in levels:
        between = M("Sales should fall between the low and high estimates {level}% of the time.", level=float(lv))
        fc[f"lower_{lv}"] = Column(M("Low estimate ({level}%)", level=float(lv)), kind, help=between)
        fc[f"upper_{lv}"] = Column(M("High estimate ({level}%)", level=float(lv)), kind, help=between)
    fc["method"] = method
    bt = {
        "series": series,
        "method": method,
        "mae": Column(_l("Mean absolute error (MAE)"), "num", details=True),
        "rmse": Column(_l("Root mean squared error (RMSE)"), "num", details=True),
        "mape": Column(
            _l("MAPE (%)"),
            "num",
            details=True,
            help=_l("Mean absolute percentage error, in percent; periods with zero sales are left out"),
        ),
        "smape": Column(
            _l("sMAPE (%)"),
            "num",
            details=True,
            help=_l("Symmetric mean absolute percentage error, in percent (0 to 200)"),
        ),
        "mase": Column(
            _l("MASE"),
            "num",
            details=True,
            help=_l(
                "Mean absolute scaled error: the error divided by the in-sample error of the "
                "seasonal naive method (below 1: better than it)"
            ),
        ),
        "points": Column(_l("Periods compared"), "int", details=True),
        "zero_actuals_skipped_in_mape": Column(_l("Zero-sales periods left out of MAPE"), "int", details=True),
        "chosen": Column(_l("Chosen"), "text"),
        "baseline": Column(_l("Baseline"), "text"),
    }
    models = {
        "series": series,
        "method": method,
        "parameters": Column(_l("Parameters"), "text", details=True),
        "aic": Column(_l("AIC"), "num", details=True),
        "aicc": Column(_l("AICc"), "num", details=True),
        "bic": Column(_l("BIC"), "num", details=True),
        "loglik": Column(_l("Log-likelihood"), "num", details=True),
        "why": Column(_l("Why this method"), "text"),
    }
    return {"forecast": fc, "backtest": bt, "models": models}


def _dedupe(notes: list) -> list:
    from bizops_desktop.core.i18n import jsonable_key

    seen, out = set(), []
    for n in notes:
        key = jsonable_key(n)
        if key not in seen:
            seen.add(key)
            out.append(n)
    return out


def series_plots(extra: dict, name: str) -> dict[str, PlotSpec]:
    """The plots of one series, from a Result's ``extra``: the CLI's PNGs and the tab (for every
    series the user picks) both come from here."""
    e = extra["series"][name]
    words = {"freq": extra.get("freq", ""), "m": extra.get("season_length"), "value_role": extra.get("value_role")}
    return {
        "forecast": forecast_plot(name, e, extra["dates"], extra["future"], extra["levels"], extra["value"], **words),
        "methods": methods_plot(name, e, freq=words["freq"], m=words["m"]),
    }


def _formatter(value_role: str | None):
    """How a sales figure reads on hover: money for sales amounts, else a number (each distinct
    value formatted once: daily unit sales repeat a lot)."""
    fmt = format_money if value_role == "amount" else format_number
    cache: dict = {}

    def f(v) -> str:
        if v is None or isinstance(v, str):
            return "–"
        s = cache.get(v)
        if s is None:
            s = cache[v] = fmt(v)
        return s

    return f


def _series_title(name: str, e: dict) -> Any:
    return _message(e.get("display")) or _message(e.get("label")) or name


def forecast_plot(
    name: str,
    e: dict,
    dates,
    future,
    levels: list[str],
    value_name: str,
    *,
    freq: str = "",
    m: int | None = None,
    value_role: str | None = None,
) -> PlotSpec:
    """History, fitted values, forecast and likely ranges (widest first, so the narrow band is on
    top), with the backtest window shaded and its start marked. ``dates``/``future``: the periods
    (ISO dates or timestamps). Hover texts are written in the current language."""
    dates, future = pd.DatetimeIndex(pd.to_datetime(list(dates))), pd.DatetimeIndex(pd.to_datetime(list(future)))
    x_hist = dates_to_seconds(dates)
    x_fut = dates_to_seconds(future) if len(future) else []
    days = [format_date(d) for d in dates]
    num = _formatter(value_role)
    method = method_name(e["method"], freq, m)
    layers = []
    bs = e.get("backtest_start", -1)
    has_window = bs is not None and 0 <= bs < len(x_hist)
    if has_window:
        layers.append(Layer("vspan", [x_hist[bs], x_hist[-1]], [], color="#2ca02c", alpha=0.12))
    layers.append(
        Layer(
            "line",
            x_hist,
            e["values"],
            name=_l("Actual sales"),
            color="#1f77b4",
            labels=[_("{date}: actual {value}", date=d, value=num(v)) for d, v in zip(days, e["values"])],
        )
    )
    fitted = [np.nan if v is None else v for v in (e.get("fitted") or [])]
    if fitted:
        layers.append(
            Layer(
                "line",
                x_hist,
                fitted,
                name=M("Fitted: {method}", method=method),
                color="#7f7f7f",
                dashed=True,
                labels=[_("{date}: fitted {value}", date=d, value=num(v)) for d, v in zip(days, e["fitted"])],
            )
        )
    if len(future):
        # Bands start at the last observed period so the forecast visibly continues the data.
        x_band = [x_hist[-1]] + list(x_fut)
        last = e["values"][-1]
        for lv in sorted(levels, key=float, reverse=True):
            lo = [last] + [np.nan if v is None else v for v in e["lower"][lv]]
            hi = [last] + [np.nan if v is None else v for v in e["upper"][lv]]
            layers.append(
                Layer(
                    "band",
                    x_band,
                    lo,
                    y2=hi,
                    name=M("Likely range ({level}%)", level=float(lv)),
                    color="#ff7f0e",
                    alpha=0.15 if float(lv) >= 90 else 0.3,
                )
            )
        outer = max(levels, key=float) if levels else None
        labels = [_("{date}: actual {value}", date=days[-1], value=num(last))]
        for k, (d, v) in enumerate(zip(future, e["forecast"])):
            day = format_date(d)
            if outer is not None and e["lower"][outer][k] is not None:
                labels.append(
                    _(
                        "{date}: forecast {value} ({level}% range {low}–{high})",
                        date=day,
                        value=num(v),
                        level=float(outer),
                        low=num(e["lower"][outer][k]),
                        high=num(e["upper"][outer][k]),
                    )
                )
            else:
                labels.append(_("{date}: forecast {value}", date=day, value=num(v)))
        layers.append(
            Layer(
                "line",
                x_band,
                [last] + list(e["forecast"]),
                name=M("Forecast: {method}", method=method),
                color="#d62728",
                width=2.5,
                labels=labels,
            )
        )
    if has_window:
        layers.append(Layer("vline", [x_hist[bs]], [], name=_l("Backtest start"), color="#2ca02c", dashed=True))
    y_label = {"quantity": _l("Units sold"), "amount": _l("Sales")}.get(value_role or "") or value_name
    return PlotSpec(
        title=M("Forecast: {series}", series=_series_title(name, e)),
        x_label=_l("Date"),
        y_label=y_label,
        layers=layers,
        x_is_date=True,
        x_range=opening_range(x_hist, x_fut, freq),
    )


def opening_range(x_hist, x_fut, freq: str) -> list[float] | None:
    """The x range the forecast plot opens on: the horizon and the recent history before it
    (:data:`HISTORY_SHOWN` horizons, at least :data:`MIN_HISTORY_SHOWN`), half a period of margin
    on the right; None (everything) when the history is no longer than that."""
    n, h = len(x_hist), len(x_fut)
    back = max(HISTORY_SHOWN * h, MIN_HISTORY_SHOWN.get(freq, 8))
    if n < 2 or back >= n - 1:
        return None
    step = float(x_hist[-1]) - float(x_hist[-2])
    end = float(x_fut[-1]) if h else float(x_hist[-1])
    return [float(x_hist[n - 1 - back]), end + step / 2]


def short_name(method: str) -> Any:
    """A method's short name for axis ticks (a translatable text)."""
    return SHORT_NAMES.get(method, method)


def error_metric(backtest: dict) -> str:
    """The backtest error the methods are compared on: MASE (scale-free) when every method has
    it, else MAE; MAE also when nothing was backtested, as there is no scale to compare with."""
    return "mase" if backtest and all(m.get("mase") is not None for m in backtest.values()) else "mae"


def methods_plot(name: str, e: dict, *, freq: str = "", m: int | None = None) -> PlotSpec:
    """Each method's backtest error as a bar: the chosen one red, the baselines grey."""
    bt = e.get("backtest") or {}
    meths = list(bt)
    key = error_metric(bt)
    chosen = e.get("method")
    groups = (
        (_l("Chosen"), "#d62728", lambda x: x == chosen),
        (_l("Baselines"), "#9e9e9e", lambda x: x != chosen and x in BASELINES),
        (_l("Other methods"), "#1f77b4", lambda x: x != chosen and x not in BASELINES),
    )
    layers = []
    for group, col, member in groups:
        pos = [i for i, x in enumerate(meths) if member(x)]
        if pos:
            vals = [bt[meths[i]].get(key) for i in pos]
            labels = [
                (
                    _(
                        "{method}: {metric} {score} (chosen)",
                        method=method_name(meths[i], freq, m),
                        metric=key.upper(),
                        score="–" if v is None else v,
                    )
                    if meths[i] == chosen
                    else _(
                        "{method}: {metric} {score}",
                        method=method_name(meths[i], freq, m),
                        metric=key.upper(),
                        score="–" if v is None else v,
                    )
                )
                for i, v in zip(pos, vals)
            ]
            layers.append(Layer("bar", pos, vals, name=group, labels=labels, color=col, width=0.7))
    return PlotSpec(
        title=M("Backtest error by method: {series} (lower is better)", series=_series_title(name, e)),
        x_label=_l("Method"),
        y_label=key.upper(),
        layers=layers,
        x_ticks=[[i, short_name(x)] for i, x in enumerate(meths)],
        legend=False,
    )
