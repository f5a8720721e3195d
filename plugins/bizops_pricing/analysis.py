"""Pricing run: regression (what drives sales) or price elasticity (what a price change does),
with profit-maximising prices and what-if predictions. Pure: no Qt.

Unit cost: the ``unit_cost`` parameter applies to every product; a ``cost_column`` (unit cost per
order line, averaged per product) overrides it for the products where it has values.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.core.views.periods import FREQ_WORDS, period_range
from bizops_desktop.core.views.prices import price_panel

from . import elasticity as el
from .regression import (build_design, coefficient_sentence, diagnostic_notes, diagnostics, ols,
                         significance_words)

MAX_PLOTTED_PRODUCTS = 20
PERIOD_WORD = {"D": "day", "W": "week", "M": "month"}
# a product's points and its fitted line share a colour (the Tableau 10 palette)
COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]


def run(dataset, params: dict[str, Any], progress) -> Result:
    mode = params.get("mode") or "auto"
    if mode == "auto":
        mode = "regression" if dataset.has("target") and dataset.cols("feature") else "elasticity"
    if mode == "regression":
        return run_regression(dataset, params, progress)
    return run_elasticity(dataset, params, progress)


# ---------------------------------------------------------------------------------------------
def run_regression(dataset, params, progress) -> Result:
    target = dataset.col("target")
    features = dataset.cols("feature")
    if target is None or target not in dataset.frame.columns:
        raise DataError("the regression needs a column marked as Target to explain (target)",
                        where=dataset.name, hint="open Column roles and mark the sales column as Target "
                                                 "and the columns that may drive it as Feature")
    level = float(params.get("confidence") or 0.95)
    progress.report(0.1, "building the design")
    design = build_design(dataset.frame, target, features, log_target=bool(params.get("log_target")),
                          log_features=params.get("log_features") or [])
    progress.report(0.4, "fitting")
    fit = ols(design.y, design.X, design.names, level=level, what="the regression")
    diag = diagnostics(fit, design.X)
    coef = fit.table()
    coef["meaning"] = [coefficient_sentence(t, e, p, design)
                       for t, e, p in zip(fit.names, fit.params, fit.pvalues)]
    coef["significance"] = [significance_words(p) for p in fit.pvalues]
    ylab = f"log({target})" if target in design.logged else target
    # row numbers as the user counts them in the file (1 = first data row)
    rows_used = dataset.frame.index.get_indexer(design.kept_index) + 1
    resid = pd.DataFrame({"row": rows_used, "actual": design.y,
                          "predicted": fit.fitted, "residual": fit.resid})
    metrics = {"mode": "regression", **fit.summary(), **diag, "target": ylab,
               "references": design.references}
    notes = list(design.notes)
    notes.append(f"Ordinary least squares of {ylab} on {len(design.names)} terms from {fit.n:,} rows: "
                 f"R-squared {fit.r2:.3f} (adjusted {fit.adj_r2:.3f}).")
    notes.extend(diagnostic_notes(diag, log_target=target in design.logged))
    lo, hi = float(np.min(design.y)), float(np.max(design.y))
    plots = {
        "actual_vs_predicted": PlotSpec(
            title="Actual vs predicted", x_label=f"predicted {ylab}", y_label=f"actual {ylab}",
            layers=[Layer("scatter", x=fit.fitted, y=design.y, name="rows", size=5),
                    Layer("line", x=[lo, hi], y=[lo, hi], name="perfect fit", dashed=True)]),
        "residuals": PlotSpec(
            title="Residuals", x_label=f"predicted {ylab}", y_label="residual (actual - predicted)",
            layers=[Layer("scatter", x=fit.fitted, y=fit.resid, name="rows", size=5),
                    Layer("hline", y=[0.0], name="zero", dashed=True)]),
    }
    progress.report(1.0, "done")
    return Result(tables={"coefficients": coef, "residuals": resid}, metrics=metrics, plots=plots,
                  notes=notes, extra={"mode": "regression"})


# ---------------------------------------------------------------------------------------------
def _product_costs(dataset, products: pd.Index, params) -> pd.Series:
    cost = pd.Series(np.nan, index=products, dtype=float)
    if params.get("unit_cost") is not None:
        cost[:] = float(params["unit_cost"])
    col = params.get("cost_column")
    if col:
        f = dataset.frame
        if col not in f.columns:
            raise UsageError(f"cost_column {col!r} is not in the table", where="cost_column",
                             hint="pick one of: " + ", ".join(map(str, f.columns[:20])))
        v = pd.to_numeric(f[col], errors="coerce")
        per = v.groupby(f[dataset.col("product_id")]).mean()
        per = per[per.notna() & (per >= 0)]
        common = per.index.intersection(products)
        cost[common] = per[common].to_numpy(float)
    return cost


def run_elasticity(dataset, params, progress) -> Result:
    f = dataset.frame
    product, date, qty = dataset.col("product_id"), dataset.col("date"), dataset.col("quantity")
    price, amount = dataset.col("price"), dataset.col("amount")
    missing = [r for r, c in (("product_id", product), ("date", date), ("quantity", qty)) if c is None]
    if price is None and amount is None:
        missing.append("price (or amount)")
    if missing:
        raise DataError("price elasticity needs order lines with columns marked as " + ", ".join(missing),
                        where=dataset.name,
                        hint="open Column roles, or switch mode to regression for a target/feature table")
    level = float(params.get("confidence") or 0.95)
    controls_req = [c for c in (params.get("controls") or []) if str(c).strip()]
    season = any(str(c).strip().lower() in ("season", "seasonality") for c in controls_req)
    extra_cols = [c for c in controls_req if str(c).strip().lower() not in ("season", "seasonality")]
    for c in extra_cols:
        if c not in f.columns:
            raise UsageError(f"control {c!r} is not a column of the table", where="controls",
                             hint="use column names (e.g. promotion) or the word season")
    group_col = params.get("group")
    if group_col and group_col not in f.columns:
        raise UsageError(f"group column {group_col!r} is not in the table", where="group",
                         hint="pick one of: " + ", ".join(map(str, f.columns[:20])))

    progress.report(0.02, "building the price panel")
    pp = price_panel(f, product=product, date=date, quantity=qty, price=price, amount=amount,
                     extra=extra_cols, freq=params.get("freq"))
    notes = list(pp.notes)
    panel = pp.frame
    bad = ~((panel["units"] > 0) & (panel["price"] > 0))
    if bad.any():
        notes.append(f"{int(bad.sum()):,} of {len(panel):,} product-{PERIOD_WORD[pp.freq]} rows "
                     "dropped: zero or negative units or price have no logarithm.")
    panel = panel[~bad].reset_index(drop=True)
    if panel.empty:
        raise DataError("no product and period has both units and a price above zero",
                        hint="check the quantity and price columns")
    controls = pd.DataFrame(index=panel.index)
    for c in extra_cols:
        controls[c] = panel[c].astype(float)
    if season:
        controls = controls.join(el.season_dummies(panel["period"], pp.freq))
    if controls.isna().any().any():
        keep = controls.notna().all(axis=1)
        notes.append(f"{int((~keep).sum()):,} panel rows dropped: a control value was missing.")
        panel, controls = panel[keep], controls[keep]

    if params.get("pooled"):
        groups = pd.Series("all products", index=panel.index)
        gname = "all products (pooled, product fixed effects)"
    elif group_col and group_col != product:
        gmap = f.groupby(f[product])[group_col].agg(lambda s: s.mode().iloc[0] if s.notna().any() else None)
        groups = panel["product"].map(gmap).astype(str)
        gname = f"{group_col} (product fixed effects within each)"
    else:
        groups = panel["product"]
        gname = "product"
    products = pd.Index(pd.unique(panel["product"]))
    costs = _product_costs(dataset, products, params)
    min_points = int(params.get("min_price_points") or 3)

    fits = el.fit_all(panel, groups, controls, min_points=min_points, level=level, progress=progress.sub(0.05, 0.8))
    states: dict[str, dict] = {}
    rows, prod_rows = [], []
    rows_of_group = panel.groupby(groups, sort=False).indices
    for i, gf in enumerate(fits):
        progress.sub(0.8, 0.85).report(i / max(len(fits), 1))
        gp = panel.iloc[rows_of_group[gf.group]]
        rows_of_product = gp.groupby("product", sort=False).indices
        pmin, pmax = float(gp["price"].min()), float(gp["price"].max())
        row = {"group": el._plain(gf.group), "elasticity": np.nan, "std_error": np.nan, "ci_low": np.nan,
               "ci_high": np.nan, "n_points": gf.n_points, "n_periods": gf.n_periods, "r2": np.nan,
               "products": len(gf.products), "unit_cost": np.nan, "optimal_price": np.nan,
               "suggested_price": np.nan, "min_price": pmin, "max_price": pmax, "note": gf.note}
        if gf.ok:
            fit, j = gf.fit, gf.slope_index
            row.update(elasticity=float(fit.params[j]), std_error=float(fit.bse[j]),
                       ci_low=float(fit.ci[j, 0]), ci_high=float(fit.ci[j, 1]), r2=fit.r2)
        for p in gf.products:
            prow = gp.iloc[rows_of_product[p]]
            c = float(costs.get(p, np.nan))
            pr = {"product": el._plain(p), "group": el._plain(gf.group), "elasticity": row["elasticity"],
                  "unit_cost": c, "current_price": float(prow.sort_values("period")["price"].iloc[-1]),
                  "min_price": float(prow["price"].min()), "max_price": float(prow["price"].max()),
                  "optimal_price": np.nan, "suggested_price": np.nan, "note": gf.note}
            if gf.ok:
                opt, sug, why = el.optimal_price(row["elasticity"], c, pr["min_price"], pr["max_price"])
                gaps = _gaps_note(prow["period"], pp.freq)
                pr.update(optimal_price=opt, suggested_price=sug,
                          note="; ".join(x for x in (gf.note, why, gaps) if x))
                states[str(p)] = el.product_state(gf, p, prow, controls, c)
                # observed points, for the what-if plot in the tab (JSON-able, small)
                states[str(p)]["seen_price"] = prow["price"].round(4).tolist()
                states[str(p)]["seen_units"] = prow["units"].tolist()
            prod_rows.append(pr)
        if len(gf.products) == 1 and gf.ok:
            pr = prod_rows[-1]
            row.update(unit_cost=pr["unit_cost"], optimal_price=pr["optimal_price"],
                       suggested_price=pr["suggested_price"], note=pr["note"])
        elif gf.ok and not row["note"]:
            row["note"] = "optimal prices per product are in the prices table"
        rows.append(row)
    table = pd.DataFrame(rows)
    prices = pd.DataFrame(prod_rows)

    n_ok = sum(gf.ok for gf in fits)
    n_flat = sum(1 for gf in fits if gf.note.startswith(el.NOT_ENOUGH_VARIATION))
    notes.append(f"log(units) = a + e log(price) fitted per {gname} on {FREQ_WORDS[pp.freq]} average prices: "
                 f"{n_ok} of {len(fits)} fitted" + (f", {n_flat} with {el.NOT_ENOUGH_VARIATION}" if n_flat else "") + ".")
    if controls.shape[1]:
        notes.append("Controls: " + ", ".join(extra_cols + (["season (" + ("day of week" if pp.freq == "D" else "month")
                                                              + " dummies)"] if season else [])) + ".")
    notes.append("What-if units are per " + PERIOD_WORD[pp.freq]
                 + "; the mean is bias-corrected with Duan's smearing factor, the interval is the "
                 f"{level:.0%} prediction interval of the log-log fit taken back through exp().")

    progress.report(0.85, "what-if")
    whatif_table = _whatif_table(states, params)
    plots = _elasticity_plots(fits, states, panel, groups)
    metrics = {"mode": "elasticity", "freq": pp.freq, "groups": len(fits), "fitted": n_ok,
               "not_enough_variation": n_flat, "panel_rows": int(len(panel)), "fit_by": gname}
    if params.get("pooled") and fits and fits[0].ok:
        metrics.update(elasticity=fits[0].elasticity, r2=fits[0].fit.r2)
    tables = {"elasticity": table, "prices": prices}
    if whatif_table is not None:
        tables["whatif"] = whatif_table
    progress.report(1.0, "done")
    return Result(tables=tables, metrics=metrics, plots=plots, notes=notes,
                  extra={"mode": "elasticity", "freq": pp.freq, "fits": states})


def _gaps_note(periods: pd.Series, freq: str) -> str:
    """Periods without a sale have no price and stay out of the fit; when many are missing,
    the high-price periods with few sales are the ones lost, which flattens the curve."""
    span = len(period_range(periods.min(), periods.max(), freq))
    seen = periods.nunique()
    if span and seen < 0.8 * span:
        return (f"sold in only {seen} of {span} {PERIOD_WORD[freq]}s between its first and last sale; "
                f"{PERIOD_WORD[freq]}s without sales are left out, which can make demand look less "
                "price-sensitive")
    return ""


def _whatif_table(states: dict, params) -> pd.DataFrame | None:
    chosen = params.get("product")
    change = float(params.get("price_change") or 0.0)
    new_price = params.get("new_price")
    if chosen is not None:
        if str(chosen) not in states:
            raise UsageError(f"product {chosen!r} has no elasticity to simulate with", where="product",
                             hint="pick a product listed in the elasticity table with a number")
        keys = [str(chosen)]
    else:
        if new_price is not None:
            raise UsageError("new_price needs a product", where="new_price",
                             hint="set product too, or use price_change (in %) for every product")
        if not change:
            return None
        keys = list(states)
    out = []
    for k in keys:
        s = states[k]
        now = s["current_price"]
        p = float(new_price) if new_price is not None else now * (1 + change / 100)
        a, b = el.whatif(s, now), el.whatif(s, p)
        out.append({"product": s["product"], "current_price": now, "new_price": p,
                    "units_now": a["units"], "units": b["units"], "units_low": b["units_low"],
                    "units_high": b["units_high"], "revenue_now": a["revenue"], "revenue": b["revenue"],
                    "revenue_low": b["revenue_low"], "revenue_high": b["revenue_high"],
                    "profit_now": a["profit"], "profit": b["profit"], "profit_low": b["profit_low"],
                    "profit_high": b["profit_high"],
                    "note": (f"outside the prices seen ({s['min_price']:.2f} to {s['max_price']:.2f}): "
                             "a guess" if b["outside_range"] else "")})
    return pd.DataFrame(out)


def _elasticity_plots(fits, states, panel, groups) -> dict:
    fitted = [gf for gf in fits if gf.ok]
    layers, av = [], []
    shown = 0
    for gf in fits:
        for p in gf.products:
            if shown >= MAX_PLOTTED_PRODUCTS:
                break
            m = gf.row_products == p
            if not m.any():
                continue
            col = COLOURS[shown % len(COLOURS)]
            shown += 1
            layers.append(Layer("scatter", x=gf.log_price[m], y=gf.log_units[m], name=str(p), size=5,
                                color=col))
            s = states.get(str(p))
            if s:
                xs = np.linspace(math.log(s["min_price"]), math.log(s["max_price"]), 2)
                layers.append(Layer("line", x=xs, y=s["alpha"] + s["elasticity"] * xs, color=col,
                                    name=f"{p} fit (e = {s['elasticity']:.2f})"))
    for gf in fitted:
        av.append(Layer("scatter", x=gf.fit.fitted, y=gf.log_units, name=str(gf.group), size=4))
    if av:
        allv = np.concatenate([gf.log_units for gf in fitted])
        lo, hi = float(allv.min()), float(allv.max())
        av.append(Layer("line", x=[lo, hi], y=[lo, hi], name="perfect fit", dashed=True))
    title = "log price vs log units" + (f" (largest {MAX_PLOTTED_PRODUCTS} products)"
                                        if sum(len(g.products) for g in fits) > MAX_PLOTTED_PRODUCTS else "")
    return {
        "loglog": PlotSpec(title=title, x_label="log(average price)", y_label="log(units per period)",
                           layers=layers, legend=shown <= 10),
        "actual_vs_predicted": PlotSpec(title="Actual vs predicted (log units)", x_label="predicted log(units)",
                                        y_label="actual log(units)", layers=av, legend=len(av) <= 11),
    }
