"""Forecast analysis: sales series per product and in total -> forecasts with intervals, the
backtest of every method, the chosen models, plots. Pure (no Qt): the tab, the project file and
the CLI all call :func:`run`."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.errors import UsageError
from bizops_desktop.core.jsonable import dumps_strict, plain
from bizops_desktop.core.plotspec import Layer, PlotSpec, dates_to_seconds
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.periods import FREQ_WORDS, SEASON_LENGTH, pandas_freq
from bizops_desktop.core.views.series import SalesSeries, series_view

from . import seasonality
from .engine import BASELINES, _level_key
from .parallel import run_many

METRIC_COLS = ("mae", "rmse", "mape", "smape", "mase")


def config_from_params(params: dict[str, Any], freq: str) -> dict:
    """The per-series configuration (plain JSON, sent to worker processes). ``params`` come
    resolved and checked against the Param list (``Analysis.execute``); only what one Param cannot
    say alone is checked here."""
    m = params["season_length"] or SEASON_LENGTH[freq]
    sorder = params["seasonal_order"]
    if sorder is not None:
        if sorder[3] < 2:
            raise UsageError(f"seasonal_order needs a season length m of at least 2, got {sorder[3]}",
                             where="parameter seasonal_order", hint="Give it as P,D,Q,m, e.g. 0,1,1,12")
        if sorder[1] > 1:
            raise UsageError("seasonal differencing D above 1 is not supported", where="parameter seasonal_order")
        m = sorder[3]
    order = params["order"]
    if order is not None and order[1] > 2:
        raise UsageError(f"differencing d = {order[1]} is too high", where="parameter order",
                         hint="Use d = 0, 1 or 2")
    levels = sorted(set(params["level"]))
    if not levels:
        raise UsageError("give at least one interval level", where="parameter level", hint="e.g. 80,95")
    return {"method": params["method"], "horizon": params["horizon"], "m": m, "window": params["window"],
            "alpha": params["alpha"], "trend": params["trend"], "seasonal": params["seasonal"], "order": order,
            "seasonal_order": sorder, "log": params["log"], "holdout": params["holdout"], "levels": levels}


def run(dataset, params: dict[str, Any], progress: Progress) -> Result:
    prog_view = progress.sub(0.0, 0.05)
    prog_view.report(0.0, "Adding up sales per period")
    freq = None if params["freq"] == "auto" else params["freq"]
    series = series_view(dataset, freq=freq, top=params["top_products"])
    cfg = config_from_params(params, series.freq)
    result = forecast_all(series, cfg, progress.sub(0.05, 0.97))
    progress.report(1.0, "Forecast done")
    return result


def forecast_all(series: SalesSeries, cfg: dict, progress: Progress, *, workers: int | None = None) -> Result:
    """Forecast every series of ``series`` and build the Result."""
    notes = list(series.notes)
    names = series.names
    items = [(nm, series.series(nm).tolist()) for nm in names]
    out = run_many(items, cfg, progress, workers=workers)
    return build_result(series, cfg, out, notes)


def _future_dates(last: pd.Timestamp, h: int, freq: str) -> pd.DatetimeIndex:
    if h <= 0:
        return pd.DatetimeIndex([])
    return pd.date_range(last, periods=h + 1, freq=pandas_freq(freq))[1:]


def build_result(series: SalesSeries, cfg: dict, out: dict[str, dict], notes: list[str]) -> Result:
    idx = series.index
    freq = series.freq
    h = cfg["horizon"]
    future = _future_dates(idx[-1], h, freq)
    levels = [_level_key(v) for v in cfg["levels"]]
    fc_rows, bt_rows, model_rows = [], [], []
    extra_series: dict[str, dict] = {}
    failed = []
    chosen_counter: Counter = Counter()
    beats = 0
    compared = 0
    for name in series.names:
        r = out[name]
        if "error" in r:
            failed.append(name)
            notes.append(f"{name}: the forecast failed ({r['error']}).")
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
            bt_rows.append({"series": name, "method": meth, **{c: mt.get(c) for c in METRIC_COLS},
                            "points": mt.get("n"), "zero_actuals_skipped_in_mape": mt.get("mape_skipped"),
                            "chosen": meth == r["method"], "baseline": meth in BASELINES})
        bt = r["backtest"]
        if r["method"] in bt and "seasonal_naive" in bt and r["method"] not in BASELINES:
            compared += 1
            a, b = bt[r["method"]].get("mae"), bt["seasonal_naive"].get("mae")
            if a is not None and b is not None and a < b:
                beats += 1
        ic = r.get("ic") or {}
        model_rows.append({"series": name, "method": r["method"],
                           "parameters": dumps_strict(r.get("params") or {}),
                           "aic": ic.get("aic"), "aicc": ic.get("aicc"), "bic": ic.get("bic"),
                           "loglik": ic.get("loglik"), "why": r.get("reason", "")})
        notes.extend(r.get("notes") or [])
        season_rows = seasonality.describe(series.values[name], freq)
        extra_series[name] = {
            "label": series.labels.get(name, name),
            "values": series.values[name].tolist(),
            "fitted": r.get("fitted"),
            "forecast": r.get("forecast"), "lower": r.get("lower"), "upper": r.get("upper"),
            "method": r["method"], "reason": r.get("reason", ""),
            "backtest": r.get("backtest"), "skipped": r.get("skipped"),
            "backtest_start": r.get("backtest_start", -1), "backtest_paths": r.get("backtest_paths", {}),
            "params": r.get("params"), "ic": ic, "seasonality": season_rows,
        }

    level_cols = [c for lv in levels for c in (f"lower_{lv}", f"upper_{lv}")]
    forecast = pd.DataFrame(fc_rows, columns=["series", "date", "forecast", *level_cols, "method"])
    backtest = pd.DataFrame(bt_rows, columns=["series", "method", *METRIC_COLS, "points",
                                              "zero_actuals_skipped_in_mape", "chosen", "baseline"])
    models = pd.DataFrame(model_rows, columns=["series", "method", "parameters", "aic", "aicc", "bic",
                                               "loglik", "why"])
    first = next((nm for nm in series.names if nm in extra_series), None)
    metrics: dict[str, Any] = {
        "frequency": freq, "frequency_words": FREQ_WORDS[freq], "season_length": cfg["m"],
        "horizon": h, "levels": cfg["levels"], "value": series.value_name,
        "series": len(series.names), "failed": failed,
        "history": {"first": idx[0].date().isoformat(), "last": idx[-1].date().isoformat(), "periods": len(idx)},
        "methods_chosen": dict(chosen_counter),
        "beats_seasonal_naive": {"series": beats, "of": compared},
        "mape_note": "MAPE skips periods with zero actual sales (a percentage of zero is undefined).",
        "interval_note": ("Intervals start at the first forecast period and widen with the horizon; for a "
                          "log model they are exp() of the log-scale interval and the point forecast is the median."),
    }
    if first is not None:
        e = extra_series[first]
        metrics["main_series"] = {"series": first, "method": e["method"], "why": e["reason"],
                                  "backtest": e["backtest"], "ic": e["ic"],
                                  "seasonality": [{k: v for k, v in s.items() if k not in ("profile", "labels")}
                                                  for s in e["seasonality"]]}
        for s in e["seasonality"]:
            notes.insert(0, f"{first}: " + seasonality.sentence(s))
        notes.insert(0, f"{first}: {e['reason']}")
    if compared:
        notes.append(f"The chosen model beat seasonal naive on the backtest for {beats} of {compared} series "
                     f"where a model (not a baseline) was chosen.")
    notes.append("MAPE skips periods with zero actual sales.")

    extra = {"freq": freq, "dates": [d.date().isoformat() for d in idx],
             "future": [d.date().isoformat() for d in future], "levels": levels,
             "order": [nm for nm in series.names if nm in extra_series], "series": extra_series,
             "value": series.value_name}
    # Round-trip through JSON now so the project file stores exactly what the panel draws, and
    # draw the first series' plots from it just as the tab draws any series it is asked for.
    extra = plain(extra, nonfinite="text")
    plots = series_plots(extra, first) if first is not None else {}
    return Result(tables={"forecast": forecast, "backtest": backtest, "models": models},
                  metrics=metrics, plots=plots, notes=_dedupe(notes), extra=extra)


def _dedupe(notes: list[str]) -> list[str]:
    seen, out = set(), []
    for n in notes:
        if n not in seen:
            seen.add(n)
            out.append(n)
    return out


def series_plots(extra: dict, name: str) -> dict[str, PlotSpec]:
    """The plots of one series, from a Result's ``extra``: the CLI's PNGs and the tab (for every
    series the user picks) both come from here."""
    e = extra["series"][name]
    return {"forecast": forecast_plot(name, e, extra["dates"], extra["future"], extra["levels"], extra["value"]),
            "methods": methods_plot(name, e)}


def _num(v) -> str:
    return "–" if v is None or isinstance(v, str) else f"{v:,.4g}"


def forecast_plot(name: str, e: dict, dates, future, levels: list[str], value_name: str) -> PlotSpec:
    """History, fitted values, forecast and interval bands (widest first, so the narrow band is on
    top), with the backtest window shaded and its start marked. ``dates``/``future``: the periods
    (ISO dates or timestamps)."""
    dates, future = pd.DatetimeIndex(pd.to_datetime(list(dates))), pd.DatetimeIndex(pd.to_datetime(list(future)))
    x_hist = dates_to_seconds(dates)
    x_fut = dates_to_seconds(future) if len(future) else []
    days = [f"{d:%Y-%m-%d}" for d in dates]
    layers = []
    bs = e.get("backtest_start", -1)
    has_window = bs is not None and 0 <= bs < len(x_hist)
    if has_window:
        layers.append(Layer("vspan", [x_hist[bs], x_hist[-1]], [], color="#2ca02c", alpha=0.12))
    layers.append(Layer("line", x_hist, e["values"], name="sales", color="#1f77b4",
                        labels=[f"{d}: {value_name} {_num(v)}" for d, v in zip(days, e["values"])]))
    fitted = [np.nan if v is None else v for v in (e.get("fitted") or [])]
    if fitted:
        layers.append(Layer("line", x_hist, fitted, name=f"fitted ({e['method']})", color="#7f7f7f", dashed=True,
                            labels=[f"{d}: fitted {_num(v)}" for d, v in zip(days, e.get("fitted"))]))
    if len(future):
        # Bands start at the last observed period so the forecast visibly continues the data.
        x_band = [x_hist[-1]] + list(x_fut)
        last = e["values"][-1]
        for lv in sorted(levels, key=float, reverse=True):
            lo = [last] + [np.nan if v is None else v for v in e["lower"][lv]]
            hi = [last] + [np.nan if v is None else v for v in e["upper"][lv]]
            layers.append(Layer("band", x_band, lo, y2=hi, name=f"{lv}% interval", color="#ff7f0e",
                                alpha=0.15 if float(lv) >= 90 else 0.3))
        outer = max(levels, key=float) if levels else None
        labels = [f"{days[-1]}: {value_name} {_num(last)}"]
        for k, (d, v) in enumerate(zip(future, e["forecast"])):
            text = f"{d:%Y-%m-%d}: forecast {_num(v)}"
            if outer is not None and e["lower"][outer][k] is not None:
                text += f" ({outer}%: {_num(e['lower'][outer][k])} to {_num(e['upper'][outer][k])})"
            labels.append(text)
        layers.append(Layer("line", x_band, [last] + list(e["forecast"]), name=f"forecast ({e['method']})",
                            color="#d62728", width=2.5, labels=labels))
    if has_window:
        layers.append(Layer("vline", [x_hist[bs]], [], name="backtest", color="#2ca02c", dashed=True))
    return PlotSpec(title=f"Forecast: {e.get('label', name)}", x_label="period", y_label=value_name,
                    layers=layers, x_is_date=True)


# Short names for axis ticks, where the full method ids run into each other.
SHORT_NAMES = {"naive": "naive", "seasonal_naive": "seas. naive", "moving_average": "mov. avg",
               "ses": "SES", "holt": "Holt", "holt_winters": "HW add", "holt_winters_mul": "HW mul",
               "arima": "ARIMA", "sarima": "SARIMA"}


def short_name(method: str) -> str:
    return SHORT_NAMES.get(method, method)


def error_metric(backtest: dict) -> str:
    """The backtest error the methods are compared on: MASE (scale-free) when every method has
    it, else MAE; MAE also when nothing was backtested, as there is no scale to compare with."""
    return "mase" if backtest and all(m.get("mase") is not None for m in backtest.values()) else "mae"


def methods_plot(name: str, e: dict) -> PlotSpec:
    """Each method's backtest error as a bar: the chosen one red, the baselines grey."""
    bt = e.get("backtest") or {}
    meths = list(bt)
    key = error_metric(bt)
    chosen = e.get("method")
    groups = (("chosen", "#d62728", lambda m: m == chosen),
              ("baselines", "#9e9e9e", lambda m: m != chosen and m in BASELINES),
              ("other methods", "#1f77b4", lambda m: m != chosen and m not in BASELINES))
    layers = []
    for group, col, member in groups:
        pos = [i for i, m in enumerate(meths) if member(m)]
        if pos:
            vals = [bt[meths[i]].get(key) for i in pos]
            labels = [f"{meths[i]}: {key.upper()} " + ("–" if v is None else f"{v:.3g}")
                      + (" (chosen)" if meths[i] == chosen else "") for i, v in zip(pos, vals)]
            layers.append(Layer("bar", pos, vals, name=group, labels=labels, color=col, width=0.7))
    return PlotSpec(title=f"Backtest error by method: {e.get('label', name)} (lower is better)",
                    x_label="method", y_label=key.upper(), layers=layers,
                    x_ticks=[[i, short_name(m)] for i, m in enumerate(meths)], legend=False)
