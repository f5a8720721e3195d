"""Pricing run: regression (what drives sales) or price elasticity (what a price change does),
with profit-maximising prices and what-if predictions. Pure: no Qt.

Unit cost: a cost column (the column marked as Unit cost, or the ``cost_column`` parameter; the
median of each product's lines) gives each product its own; the ``unit_cost`` parameter is the one
number for the products without one there.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from bizops_desktop.core import chunked
from bizops_desktop.core.actions import HORIZON_DAYS, Action
from bizops_desktop.core.analysis import Result
from bizops_desktop.core.display import Column
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.i18n import clauses
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.core.views.periods import period_range
from bizops_desktop.core.views.prices import PricePanel, flag_values, price_panel

from . import elasticity as el
from . import guardrails as guard
from .i18n import M, Mn, _, _l, cell, period_word
from .regression import (
    build_design,
    coefficient_sentence,
    diagnostic_notes,
    diagnostics,
    ols,
    problem,
    significance_words,
)

MAX_PLOTTED_PRODUCTS = 20
# a product's points and its fitted line share a colour (the Tableau 10 palette)
COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
# the reading of an elasticity: what a 10% price change does to units (on the fitted curve)
STEP = 0.10


def run(dataset, params: dict[str, Any], progress) -> Result:
    mode = params.get("mode") or "auto"
    if mode == "auto":
        mode = "regression" if dataset.has("target") and dataset.cols("feature") else "elasticity"
    if getattr(dataset, "big", None) is not None:
        _check_big(dataset, params, mode)
    if mode == "regression":
        return run_regression(dataset, params, progress)
    if mode in ("markdown", "segments", "price_test"):
        from . import plans

        return {"markdown": plans.run_markdown, "segments": plans.run_segments, "price_test": plans.run_price_test}[
            mode
        ](dataset, params, progress)
    return run_elasticity(dataset, params, progress)


def _check_big(dataset, params, mode: str) -> None:
    """On a file bigger than memory, pricing fits the demand curves of its price panel (summed out
    of core per product and period), per product or pooled, with the season held fixed if asked,
    and plans a markdown or a price test from them; anything that reads the lines themselves says
    so in one plain line."""
    plain = ("", "season", "seasonality")
    controls = [c for c in (params.get("controls") or []) if str(c).strip().lower() not in plain]
    what = None
    if mode not in ("elasticity", "markdown", "price_test"):
        what = _("this pricing mode")
    elif dataset.col("date") is None:
        what = _("a table without a date (each row one period)")
    elif controls or [c for c in (params.get("cross_prices") or []) if str(c).strip()]:
        what = _("columns held fixed or competitor prices")
    elif params.get("competitor_column") or params.get("group"):
        what = _("a competitor price column or a group column")
    if what is not None:
        raise DataError(
            _("{what} cannot run on a file this big yet", what=what),
            where=dataset.name,
            hint=_(
                "Fit price elasticity per product or pooled on the whole file, or run this on a smaller "
                "extract of the file (fewer months or stores)"
            ),
        )


# ---------------------------------------------------------------------------------------------
def run_regression(dataset, params, progress) -> Result:
    target = dataset.col("target")
    features = dataset.cols("feature")
    if target is None or target not in dataset.frame.columns:
        raise problem(
            DataError,
            M("the regression needs a column marked as Target to explain (target)"),
            M("Open Column roles and mark the sales column as Target and the columns that may drive it as Feature"),
            where=dataset.name,
        )
    level = float(params.get("confidence") or 0.95)
    progress.report(0.1, _("Preparing the columns…"))
    design = build_design(
        dataset.frame,
        target,
        features,
        log_target=bool(params.get("log_target")),
        log_features=params.get("log_features") or [],
    )
    progress.report(0.4, _("Fitting…"))
    fit = ols(design.y, design.X, design.names, level=level, what=M("the regression"))
    diag = diagnostics(fit, design.X)
    coef = fit.table()
    coef["meaning"] = [
        cell(coefficient_sentence(t, e, p, design)) for t, e, p in zip(fit.names, fit.params, fit.pvalues)
    ]
    coef["significance"] = [cell(significance_words(p)) for p in fit.pvalues]
    ylab = f"log({target})" if target in design.logged else target
    # row numbers as the user counts them in the file (1 = first data row)
    rows_used = dataset.frame.index.get_indexer(design.kept_index) + 1
    resid = pd.DataFrame({"row": rows_used, "actual": design.y, "predicted": fit.fitted, "residual": fit.resid})
    metrics = {"mode": "regression", **fit.summary(), **diag, "target": ylab, "references": design.references}
    notes = list(design.notes)
    used = list(dict.fromkeys(design.term_source.values()))
    notes.append(
        Mn(
            "Straight-line fit of {target} on {features:list} from {n} row: R² {r2:percent} (adjusted {adj:percent}).",
            "Straight-line fit of {target} on {features:list} from {n} rows: R² {r2:percent} (adjusted {adj:percent}).",
            fit.n,
            target=ylab,
            features=used,
            r2=fit.r2,
            adj=fit.adj_r2,
        )
    )
    notes.extend(diagnostic_notes(diag, log_target=target in design.logged))
    lo, hi = float(np.min(design.y)), float(np.max(design.y))
    plots = {
        "actual_vs_predicted": PlotSpec(
            title=M("Actual vs predicted"),
            x_label=M("predicted {target}", target=ylab),
            y_label=M("actual {target}", target=ylab),
            layers=[
                Layer("scatter", x=fit.fitted, y=design.y, name=M("rows"), size=5),
                Layer("line", x=[lo, hi], y=[lo, hi], name=M("perfect fit"), dashed=True),
            ],
        ),
        "residuals": PlotSpec(
            title=M("Errors of the fit"),
            x_label=M("predicted {target}", target=ylab),
            y_label=M("error (actual − predicted)"),
            layers=[
                Layer("scatter", x=fit.fitted, y=fit.resid, name=M("rows"), size=5),
                Layer("hline", y=[0.0], name=M("zero"), dashed=True),
            ],
        ),
    }
    progress.report(1.0, _("Done"))
    return Result(
        tables={"coefficients": coef, "residuals": resid},
        metrics=metrics,
        plots=plots,
        notes=notes,
        extra={"mode": "regression"},
        headline=regression_headline(ylab, used, fit.r2, fit.f_pvalue, fit.n, _clearest(fit, design)),
        columns=regression_columns(level, ylab),
    )


def regression_headline(target: str, features: list[str], r2: float, f_pvalue: float, n: int, clearest=None):
    """The tab's first line for a regression: how much of the target's ups and downs the features
    explain (and the clearest effect in words), or that the data cannot tell."""
    if not np.isfinite(f_pvalue) or f_pvalue >= 0.05:
        return M(
            "The data cannot tell what drives {target}: {features:list} explain only {share:percent} of "
            "its ups and downs, which could well be chance",
            target=target,
            features=features,
            share=r2,
        )
    head = Mn(
        "What drives {target}: {features:list} explain {share:percent} of its ups and downs (from {n} row)",
        "What drives {target}: {features:list} explain {share:percent} of its ups and downs (from {n} rows)",
        n,
        target=target,
        features=features,
        share=r2,
    )
    if clearest is None:
        return head
    return M("{first}. Clearest effect: {then}", first=head, then=clearest)


def _clearest(fit, design):
    """The sentence of the effect least likely to be chance (largest |t|), if it is not chance."""
    t = np.abs(np.asarray(fit.tvalues[1:], dtype=float))
    if not len(t) or not np.isfinite(t).any():
        return None
    j = int(np.nanargmax(t)) + 1
    if not fit.pvalues[j] < 0.05:
        return None
    return coefficient_sentence(fit.names[j], fit.params[j], fit.pvalues[j], design)


def regression_columns(level: float, target: str) -> dict:
    low, high = M("Low estimate ({level:percent})", level=level), M("High estimate ({level:percent})", level=level)
    return {
        "coefficients": {
            "term": Column(_l("What"), "code", values={"Intercept": _l("Baseline (intercept)")}),
            "estimate": Column(_l("Effect"), "num", help=_l("how much the target changes (see “What it means”)")),
            "std_error": Column(_l("Standard error"), "num", details=True),
            "t": Column(_l("t"), "num", details=True),
            "p_value": Column(
                _l("p-value"), "percent", details=True, help=_l("the chance of an effect this large if there were none")
            ),
            "ci_low": Column(low, "num", details=True),
            "ci_high": Column(high, "num", details=True),
            "meaning": Column(_l("What it means"), "text"),
            "significance": Column(_l("Chance or real?"), "text"),
        },
        "residuals": {
            "row": Column(_l("Row in the file"), "int"),
            "actual": Column(M("Actual {target}", target=target), "num"),
            "predicted": Column(M("Predicted {target}", target=target), "num"),
            "residual": Column(_l("Error (actual − predicted)"), "num"),
        },
    }


# ---------------------------------------------------------------------------------------------
def _product_costs(
    dataset, products: pd.Index, params, names: dict[str, str] | None = None, key: str | None = None
) -> pd.Series:
    """Unit cost per product: from the small cost sheet typed into the form (``costs``), else the
    median of its lines in the cost column (the ``cost_column`` parameter, else the column marked
    as Unit cost), else ``unit_cost``. The median, so that one mistyped line does not move a
    product's price."""
    cost = pd.Series(np.nan, index=products, dtype=float)
    if params.get("unit_cost") is not None:
        cost[:] = float(params["unit_cost"])
    table = params.get("cost_table")
    if table is not None and hasattr(table, "frame") and table.has("product_id", "cost"):
        # a stock or cost sheet open beside the orders: one unit cost per product id
        sheet_cost = pd.to_numeric(table.frame[table.col("cost")], errors="coerce")
        per_table = sheet_cost.where(sheet_cost >= 0).groupby(table.frame[table.col("product_id")].astype(str)).median()
        per_table = per_table[per_table.notna()]
        common = per_table.index.intersection(products.astype(str))
        cost[common] = per_table[common].to_numpy(float)
    f = dataset.frame
    big = getattr(dataset, "big", None) is not None
    col = params.get("cost_column")
    if col and col not in f.columns:
        raise problem(
            UsageError,
            M("the cost column '{column}' is not in the table", column=col),
            M("Pick one of: {columns:list}", columns=[str(c) for c in f.columns[:20]]),
            where="cost_column",
        )
    col = col or dataset.col("cost")
    if col and col in f.columns and big:  # every line of a big file, out of core
        from bizops_desktop.core.views.reduced import median_per_key

        key = key or dataset.col("product_id")
        got = median_per_key(dataset, col, key, nonnegative=True)
        per = got if key else pd.Series(got, index=products[:1])
        per = per[per.notna()]
        common = per.index.intersection(products)
        cost[common] = per[common].to_numpy(float)
    elif col and col in f.columns:
        v = pd.to_numeric(f[col], errors="coerce")
        v = v.where(v >= 0)
        key = key or dataset.col("product_id")
        per = v.groupby(f[key]).median() if key else pd.Series(float(v.median()), index=products[:1])
        per = per[per.notna()]
        common = per.index.intersection(products)
        cost[common] = per[common].to_numpy(float)
    sheet = cost_sheet(params.get("costs") or [], products, names or {})
    for p, c in sheet.items():
        cost[p] = c
    return cost


def cost_sheet(entries, products: pd.Index, names: dict[str, str]) -> dict:
    """``["P01=4.2", "Rolled oats 1kg: 1.10"]`` -> {product id: cost}. A product is named by its id
    or its name (case and spaces at the ends do not matter); '=', ':' or '：' separates the cost."""
    by_word: dict[str, Any] = {}
    for p in products:
        by_word.setdefault(str(names.get(str(p), p)).strip().casefold(), p)
    for p in products:
        by_word[str(p).strip().casefold()] = p  # an id wins over a name that looks the same
    out: dict = {}
    items = [part for e in entries for part in re.split(r"[，；\n]", str(e)) if part.strip()]
    for item in items:
        m = re.match(r"^(.*\S)\s*[=:：]\s*([-+]?[0-9][0-9,]*\.?[0-9]*)\s*$", item.strip())
        if not m:
            raise problem(
                UsageError,
                M("the cost sheet entry '{entry}' has no cost", entry=item.strip()),
                M("Write each product with its unit cost, e.g. P01=4.20, Rolled oats 1kg=1.10"),
                where="costs",
            )
        word, value = m.group(1).strip(), float(m.group(2).replace(",", ""))
        key = by_word.get(word.casefold())
        if key is None:
            raise problem(
                UsageError,
                M("the cost sheet names '{product}', which is not a product with sales here", product=word),
                M("Use the product's id or its name as it appears in the Prices table"),
                where="costs",
            )
        if value < 0:
            raise problem(
                UsageError,
                M("the cost of '{product}' is below zero", product=word),
                M("Enter what one unit costs you (0 or more)"),
                where="costs",
            )
        out[key] = value
    return out


def product_names(dataset) -> dict[str, str]:
    """Product id -> the name a person knows it by (the most common name on its order lines)."""
    f = dataset.frame
    pid, pname = dataset.col("product_id"), dataset.col("product_name")
    if pid is None or pname is None or pid not in f.columns or pname not in f.columns or pid == pname:
        return {}
    if getattr(dataset, "big", None) is not None:  # every line of a big file, out of core
        from bizops_desktop.core.views.reduced import common_names

        return common_names(dataset, pid, pname)
    pairs = f[[pid, pname]].dropna()
    if pairs.empty:
        return {}
    counts = pairs.groupby([pid, pname], sort=False).size().reset_index(name="n")
    best = counts.sort_values("n", ascending=False, kind="stable").drop_duplicates(pid)
    return {str(k): str(v) for k, v in zip(best[pid], best[pname])}


def _fit_by(pooled: bool, group_col: str | None, by_rows: bool = False):
    if by_rows:
        if group_col:
            return M("per {column}, each row of the table one period", column=group_col)
        if pooled:
            return M("for the whole table, each row one period")
    if pooled:
        return M("for all products together (each product keeps its own sales level)")
    if group_col:
        return M("per {column} (each product keeps its own sales level)", column=group_col)
    return M("per product")


def run_elasticity(dataset, params, progress) -> Result:
    f = dataset.frame
    product, date, qty = dataset.col("product_id"), dataset.col("date"), dataset.col("quantity")
    price, amount = dataset.col("price"), dataset.col("amount")
    # no date: each row is one observation (one period of one group), as in a scanner table of
    # store-weeks; without a date there is nothing to add up per period
    by_rows = date is None and qty is not None and (price is not None or amount is not None)
    needed = (("quantity", qty),) if by_rows else (("product_id", product), ("date", date), ("quantity", qty))
    missing = [r for r, c in needed if c is None]
    if price is None and amount is None:
        missing.append("price/amount")
    if missing:
        raise problem(
            DataError,
            M("price elasticity needs order lines with columns marked as {roles:list}", roles=missing),
            M("Open Column roles, or switch to “What drives sales” for a table with a Target and Feature columns"),
            where=dataset.name,
        )
    level = float(params.get("confidence") or 0.95)
    controls_req = [c for c in (params.get("controls") or []) if str(c).strip()]
    season = any(str(c).strip().lower() in ("season", "seasonality") for c in controls_req)
    extra_cols = [c for c in controls_req if str(c).strip().lower() not in ("season", "seasonality")]
    for c in extra_cols:
        if c not in f.columns:
            raise problem(
                UsageError,
                M("control '{column}' is not a column of the table", column=c),
                M("Use column names (e.g. promotion) or the word season"),
                where="controls",
            )
    cross_cols = [c for c in (params.get("cross_prices") or []) if str(c).strip()]
    for c in cross_cols:
        if c not in f.columns:
            raise problem(
                UsageError,
                M("the competitor price column '{column}' is not in the table", column=c),
                M("Pick one of: {columns:list}", columns=[str(c) for c in f.columns[:20]]),
                where="cross_prices",
            )
    rules = guard.Rules.from_params(params)
    competitor_col = params.get("competitor_column") or None
    if competitor_col and competitor_col not in f.columns:
        raise problem(
            UsageError,
            M("the competitor price column '{column}' is not in the table", column=competitor_col),
            M("Pick one of: {columns:list}", columns=[str(c) for c in f.columns[:20]]),
            where="competitor_column",
        )
    if rules.competitor_cap is not None and not competitor_col:
        raise problem(
            UsageError,
            M("a cap above the competitor's price needs the column with the competitor's price"),
            M("Fill in Competitor price column, or leave the cap empty"),
            where="competitor_cap",
        )
    carried = [competitor_col] if competitor_col and competitor_col not in extra_cols + cross_cols else []
    group_col = params.get("group")
    if group_col and group_col not in f.columns:
        raise problem(
            UsageError,
            M("the group column '{column}' is not in the table", column=group_col),
            M("Pick one of: {columns:list}", columns=[str(c) for c in f.columns[:20]]),
            where="group",
        )
    names = product_names(dataset)

    if by_rows:
        if season:
            raise problem(
                UsageError,
                M("the season can be held fixed only with a date column"),
                M("Mark a column as Date, or leave the word season out of Hold fixed"),
                where="controls",
            )
        group_col = group_col or product
        progress.report(0.02, _("Reading each row as one period…"))
        pp = rows_panel(
            f, group=group_col, quantity=qty, price=price, amount=amount, extra=extra_cols + cross_cols + carried
        )
        product = group_col  # each group is one demand curve ("product") of the fit
    else:
        progress.report(0.02, _("Adding up units and prices per product and period…"))
        pp = price_panel(
            f,
            product=product,
            date=date,
            quantity=qty,
            price=price,
            amount=amount,
            extra=extra_cols + [c for c in cross_cols if c not in extra_cols] + carried,
            freq=params.get("freq"),
        )
    notes: list[Any] = list(pp.notes)
    per = period_word(pp.freq)
    panel = pp.frame
    bad = ~((panel["units"] > 0) & (panel["price"] > 0))
    if bad.any():
        notes.append(
            Mn(
                "{dropped:int} of {n} product-{period} row left out: zero or negative units or price "
                "have no logarithm.",
                "{dropped:int} of {n} product-{period} rows left out: zero or negative units or price "
                "have no logarithm.",
                len(panel),
                dropped=int(bad.sum()),
                period=per,
            )
        )
    panel = panel[~bad].reset_index(drop=True)
    if panel.empty:
        raise problem(
            DataError,
            M("no product and period has both units and a price above zero"),
            M("Check the quantity and price columns"),
        )
    controls = pd.DataFrame(index=panel.index)
    for c in extra_cols:
        controls[c] = panel[c].astype(float)
    for c in cross_cols:
        # the other price on a log scale: its coefficient is the cross-price elasticity
        v = panel[c].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            controls[cross_name(c)] = np.log(v.where(v > 0))
    if season:
        controls = controls.join(el.season_dummies(panel["period"], pp.freq))
    if controls.isna().any().any():
        keep = controls.notna().all(axis=1)
        notes.append(
            Mn(
                "{n} row of the price table left out: a value of a column held fixed was missing.",
                "{n} rows of the price table left out: a value of a column held fixed was missing.",
                int((~keep).sum()),
            )
        )
        panel, controls = panel[keep], controls[keep]

    pooled = bool(params.get("pooled")) or (by_rows and not group_col)
    per_group = (bool(group_col and group_col != product) or (by_rows and bool(group_col))) and not pooled
    if by_rows and per_group:
        groups = panel["product"]
    elif pooled:
        groups = pd.Series("all products", index=panel.index)
    elif per_group:
        gmap = f.groupby(f[product])[group_col].agg(lambda s: s.mode().iloc[0] if s.notna().any() else None)
        groups = panel["product"].map(gmap).astype(str)
    else:
        groups = panel["product"]
    fit_by = _fit_by(pooled, group_col if per_group else None, by_rows)
    products = pd.Index(pd.unique(panel["product"]))
    costs = _product_costs(dataset, products, params, names, key=product)
    min_points = int(params.get("min_price_points") or 3)

    fits = el.fit_all(
        panel,
        groups,
        controls,
        min_points=min_points,
        level=level,
        progress=progress.sub(0.05, 0.8),
        names=names if not (pooled or per_group) else None,
    )
    states: dict[str, dict] = {}
    rows, prod_rows = [], []
    rows_of_group = chunked.group_indices(groups)
    for i, gf in enumerate(fits):
        progress.sub(0.8, 0.85).report(i / max(len(fits), 1))
        gp = panel.iloc[rows_of_group[gf.group]]
        rows_of_product = chunked.group_indices(gp["product"])
        pmin, pmax = float(gp["price"].min()), float(gp["price"].max())
        row = {
            "group": el._plain(gf.group),
            "elasticity": np.nan,
            "std_error": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "n_points": gf.n_points,
            "n_periods": gf.n_periods,
            "r2": np.nan,
            "products": len(gf.products),
            "unit_cost": np.nan,
            "optimal_price": np.nan,
            "suggested_price": np.nan,
            "min_price": pmin,
            "max_price": pmax,
            "note": gf.note,
        }
        fit = gf.fit
        if fit is not None:
            j = gf.slope_index
            row.update(
                elasticity=float(fit.params[j]),
                std_error=float(fit.bse[j]),
                ci_low=float(fit.ci[j, 0]),
                ci_high=float(fit.ci[j, 1]),
                r2=fit.r2,
            )
        for p in gf.products:
            prow = gp.iloc[rows_of_product[p]]
            c = float(costs.get(p, np.nan))
            pr = {
                "product": el._plain(p),
                "group": el._plain(gf.group),
                "elasticity": row["elasticity"],
                "unit_cost": c,
                "current_price": float(prow.sort_values("period")["price"].iloc[-1]),
                "min_price": float(prow["price"].min()),
                "max_price": float(prow["price"].max()),
                "optimal_price": np.nan,
                "suggested_price": np.nan,
                "note": gf.note,
            }
            if gf.ok:
                opt, sug, why = el.optimal_price(row["elasticity"], c, pr["min_price"], pr["max_price"])
                held = None
                if rules.active and np.isfinite(sug):
                    comp = None
                    if competitor_col:
                        seen = prow.sort_values("period")[competitor_col].dropna()
                        comp = float(seen.iloc[-1]) if len(seen) else None
                    wanted = sug
                    sug, kept = guard.plan(
                        sug, pr["current_price"], row["elasticity"], c if np.isfinite(c) else None, comp, rules
                    )
                    held = guard.holding_rule(
                        wanted, sug, pr["current_price"], c if np.isfinite(c) else None, comp, rules
                    ) or ("ending" if rules.ending != "none" else None)
                    why = clauses([why, kept, guard.too_uncertain(row["elasticity"], row["ci_low"], row["ci_high"])])
                gaps = _gaps_note(prow["period"], pp.freq) if not by_rows else None
                pr.update(
                    optimal_price=opt,
                    suggested_price=sug,
                    note=clauses([gf.note, inelastic_note(row["elasticity"]), why, gaps]),
                )
                states[str(p)] = el.product_state(gf, p, prow, controls, c)
                if rules.active and np.isfinite(sug):
                    states[str(p)]["planned_price"] = float(sug)
                    # the rule that set it, named in the headline
                    states[str(p)]["planned_rule"] = held
                if np.isfinite(sug):
                    pr.update(change_at(states[str(p)], sug, row["ci_low"], row["ci_high"], per))
                # observed points, for the what-if plot in the tab (JSON-able, small)
                states[str(p)]["seen_price"] = prow["price"].round(4).tolist()
                states[str(p)]["seen_units"] = prow["units"].tolist()
            prod_rows.append(pr)
        if len(gf.products) == 1 and gf.ok:
            pr = prod_rows[-1]
            row.update(
                {k: pr[k] for k in ("unit_cost", "optimal_price", "suggested_price", "note") + CHANGES if k in pr}
            )
        elif gf.ok and not row["note"]:
            row["note"] = M("the suggested price of each product is in the Prices table")
        row["reading"] = reading(row["elasticity"], row["ci_high"], gf.flat)
        rows.append(row)
    table = _cells(pd.DataFrame(rows), ("note", "reading", "sureness"))
    prices = _cells(pd.DataFrame(prod_rows), ("note", "sureness"))

    n_ok = sum(gf.ok for gf in fits)
    n_flat = sum(1 for gf in fits if gf.flat)
    if by_rows:
        notes.append(
            M(
                "Demand curves (log units on log price) fitted {fit_by}: {ok:int} of {n:int} fitted.",
                fit_by=fit_by,
                ok=n_ok,
                n=len(fits),
            )
        )
    elif n_flat:
        notes.append(
            M(
                "Demand curves (log units on log price) fitted {fit_by} from the average price of each "
                "{period}: {ok:int} of {n:int} fitted, {flat:int} with too few price changes to tell.",
                fit_by=fit_by,
                period=per,
                ok=n_ok,
                n=len(fits),
                flat=n_flat,
            )
        )
    else:
        notes.append(
            M(
                "Demand curves (log units on log price) fitted {fit_by} from the average price of each "
                "{period}: {ok:int} of {n:int} fitted.",
                fit_by=fit_by,
                period=per,
                ok=n_ok,
                n=len(fits),
            )
        )
    if controls.shape[1]:
        season_words = M("season (day-of-week dummies)") if pp.freq == "D" else M("season (month dummies)")
        if extra_cols and season:
            notes.append(M("Held fixed: {columns:list} and the {season}.", columns=extra_cols, season=season_words))
        elif season:
            notes.append(M("Held fixed: the {season}.", season=season_words))
        else:
            notes.append(M("Held fixed: {columns:list}.", columns=extra_cols))
    if cross_cols:
        notes.append(
            M(
                "Other prices in the fit, on a log scale: {columns:list}; the Reaction to columns are "
                "cross-price elasticities (above 0: your customers switch to you when that price rises).",
                columns=cross_cols,
            )
        )
    notes.append(
        M(
            "What-if units are per {period}; the expected units are corrected for the log scale (Duan's "
            "smearing), and the range holds one {period}'s units with {level:percent} probability.",
            period=per,
            level=level,
        )
    )

    progress.report(0.85, _("What-if…"))
    whatif_table = _whatif_table(states, params, names)
    plots = _elasticity_plots(fits, states, panel, groups, names, per)
    metrics = {
        "mode": "elasticity",
        "freq": pp.freq,
        "groups": len(fits),
        "fitted": n_ok,
        "not_enough_variation": n_flat,
        "panel_rows": int(len(panel)),
        "fit_by": "pooled" if pooled else (group_col if per_group else "product"),
    }
    if params.get("pooled") and fits and fits[0].fit is not None:
        metrics.update(elasticity=fits[0].elasticity, r2=fits[0].fit.r2)
    tables = {"elasticity": table, "prices": prices}
    if whatif_table is not None:
        tables["whatif"] = whatif_table
    kind = "pooled" if pooled else ("group" if per_group else "product")
    cross = {c: cross_name(c) for c in cross_cols}
    if cross:
        table = _with_cross(table, fits, cross)
    actions = price_actions(prices, names, pp.freq)
    progress.report(1.0, _("Done"))
    return Result(
        tables=tables,
        metrics=metrics,
        plots=plots,
        notes=notes,
        extra={"mode": "elasticity", "freq": pp.freq, "fits": states},
        headline=elasticity_headline(fits, table, states, names, kind, pp.freq, min_points),
        columns=elasticity_columns(level, pp.freq, kind, group_col, cross),
        names=names,
        actions=actions,
    )


def rows_panel(
    frame: pd.DataFrame,
    *,
    group: str | None,
    quantity: str,
    price: str | None,
    amount: str | None,
    extra: list[str],
) -> PricePanel:
    """A table without dates as the panel the fits read: each row one period of its group
    (``group`` column; None: one group for the whole table), in the order of the file. The price
    is the price column, else line total / quantity; ``extra`` columns (numbers or yes/no) ride
    along unchanged. freq "R": rows, not calendar periods."""
    n0 = len(frame)
    if n0 == 0:
        raise problem(DataError, M("the table has no rows"), M("Open a file with one row per period"))
    units = pd.to_numeric(frame[quantity], errors="coerce").astype(float)
    if price is not None:
        unit_price = pd.to_numeric(frame[price], errors="coerce").astype(float)
    else:
        a = pd.to_numeric(frame[amount], errors="coerce").astype(float)
        unit_price = (a / units).where(units != 0)
    key = frame[group] if group else pd.Series("all products", index=frame.index)
    out = pd.DataFrame(
        {
            "product": key.to_numpy(),
            "period": np.arange(1, n0 + 1),
            "price": unit_price.to_numpy(),
            "units": units.to_numpy(),
        }
    )
    out["revenue"] = out["price"] * out["units"]
    out["lines"] = 1
    for e in extra:
        col = frame[e]
        out[e] = (
            pd.to_numeric(col, errors="coerce").astype(float).to_numpy()
            if pd.api.types.is_numeric_dtype(col)
            else flag_values(col, e).to_numpy()
        )
    keep = out["product"].notna() & out["price"].notna() & out["units"].notna()
    notes: list[Any] = []
    if not keep.all():
        notes.append(
            Mn(
                "{dropped:int} of {n} row left out: missing group, quantity or price.",
                "{dropped:int} of {n} rows left out: missing group, quantity or price.",
                n0,
                dropped=int((~keep).sum()),
            )
        )
    out = out[keep].reset_index(drop=True)
    if out.empty:
        raise problem(
            DataError,
            M("no row has both a quantity and a price"),
            M("Check the columns marked as Quantity and Unit price"),
        )
    notes.append(M("No date column: each row of the table is read as one period of its group."))
    return PricePanel(frame=out, freq="R", notes=notes)


PERIOD_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}
PRICE_ACTIONS = 5  # "Change the price of ..." actions at most
MIN_PRICE_STEP = 0.01  # a suggested price less than 1% from today's is no change to make


def price_actions(prices: pd.DataFrame, names: dict, freq: str) -> list[Action]:
    """This week's price changes: the products whose suggested price earns more profit at both
    ends of the elasticity's range (fairly sure), the most extra profit first. Money: the Prices
    table's profit change per period scaled to HORIZON_DAYS days. Never for a product whose
    price hardly changed (no suggested price) or whose cost is unknown (no sure profit)."""
    days = PERIOD_DAYS.get(freq)
    if days is None or prices.empty or "profit_change_low" not in prices.columns:
        return []
    now = prices["current_price"].to_numpy(dtype=float)
    sug = prices["suggested_price"].to_numpy(dtype=float)
    low = prices["profit_change_low"].to_numpy(dtype=float)
    gain = prices["profit_change"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = np.isfinite(sug) & (np.abs(sug / now - 1) >= MIN_PRICE_STEP) & (low > 0) & (gain > 0)
    at = np.flatnonzero(ok)
    at = at[np.argsort(-gain[at], kind="stable")][:PRICE_ACTIONS]
    per = period_word(freq)
    out = []
    for i in at:
        row = prices.iloc[i]
        pid = str(row["product"])
        values = {"product": names.get(pid, pid), "now": float(now[i]), "price": float(sug[i])}
        line = (
            M("Raise the price of {product} from {now:money} to {price:money}", **values)
            if sug[i] > now[i]
            else M("Lower the price of {product} from {now:money} to {price:money}", **values)
        )
        out.append(
            Action(
                kind="price",
                text=line,
                why=M(
                    "about {gain:money} more profit per {period} on its demand curve (elasticity {e:num}), and "
                    "more profit across the whole range of the estimate (at least {low:money})",
                    gain=float(gain[i]),
                    period=per,
                    e=float(row["elasticity"]),
                    low=float(low[i]),
                ),
                money=float(gain[i]) * HORIZON_DAYS / days,
                table="prices",
                key={"product": pid},
            )
        )
    return out


def _cells(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Sentence columns as message cells (plain dicts: kept by the project file, rendered in the
    reader's language); None where there is nothing to say."""
    for c in columns:
        if c in frame.columns:
            frame[c] = pd.Series([cell(v) for v in frame[c]], index=frame.index, dtype=object)
    return frame


def reading(e: float, ci_high: float, flat: bool = False):
    """An elasticity in plain words, short enough for a table cell: how strongly customers react,
    and what a 10% higher price does to units (on the fitted curve)."""
    if not np.isfinite(e):
        return M("cannot tell: the price hardly changed") if flat else M("cannot tell (see the note)")
    if e >= 0:
        return M("unclear: units did not fall when the price rose")
    if np.isfinite(ci_high) and ci_high >= 0:
        return M("unclear: the price may not matter at all")
    fewer = 1 - (1 + STEP) ** e
    if e <= -2:
        return M("strong: 10% dearer, about {fewer:percent} fewer units", fewer=fewer)
    if e < -1:
        return M("noticeable: 10% dearer, about {fewer:percent} fewer units", fewer=fewer)
    return M("little: 10% dearer, only {fewer:percent} fewer (revenue rises)", fewer=fewer)


# what the suggested price changes per period, against the current price (columns of the tables)
CHANGES = ("units_change", "revenue_change", "profit_change", "profit_change_low", "profit_change_high", "sureness")


def change_at(state: dict, price: float, ci_low: float, ci_high: float, period) -> dict:
    """What ``price`` changes per period against the current price on the fitted curve (units,
    revenue, profit), and how sure that is: the profit change at both ends of the elasticity's
    range, the curve kept through today's expected units."""
    now = state["current_price"]
    if abs(price / now - 1) < 1e-9:
        price = now  # no change, not a rounding error's -0.00
    a, b = el.whatif(state, now), el.whatif(state, price)
    out: dict[str, Any] = {
        "units_change": b["units"] - a["units"],
        "revenue_change": b["revenue"] - a["revenue"],
        "profit_change": b["profit"] - a["profit"],
        "profit_change_low": np.nan,
        "profit_change_high": np.nan,
        "sureness": None,
    }
    c = state.get("unit_cost")
    if c is None or not (np.isfinite(ci_low) and np.isfinite(ci_high)):
        return out
    if abs(price / now - 1) < 0.005:
        out["sureness"] = M("the current price is already the suggested one")
        return out
    ends = [a["units"] * (price / now) ** e * (price - c) - a["profit"] for e in (ci_low, ci_high)]
    low, high = min(ends), max(ends)
    out.update(profit_change_low=low, profit_change_high=high)
    if low > 0:
        out["sureness"] = M(
            "fairly sure: more profit across the whole range of the estimate ({low:money} to {high:money} "
            "more per {period})",
            low=low,
            high=high,
            period=period,
        )
    elif high > 0:
        out["sureness"] = M(
            "not sure: from {low:money} to {high:money} per {period}, so it could also lose",
            low=low,
            high=high,
            period=period,
        )
    else:
        out["sureness"] = M("unlikely to earn more: less profit across the whole range of the estimate")
    return out


def inelastic_note(e: float):
    """For a product whose customers hardly react to price (-1 < e < 0), the plain reason to
    raise it: units fall by a smaller share than the price rises, so revenue goes up."""
    if not (np.isfinite(e) and -1 < e < 0):
        return None
    return M(
        "a higher price raises revenue: customers hardly react to its price, so a 10% higher price "
        "loses only about {fewer:percent} of the units",
        fewer=1 - (1 + STEP) ** e,
    )


def _subject(gf, names: dict, kind: str):
    if kind == "pooled":
        return M("All products together")
    if kind == "group":
        return M("{group}, your best-selling group", group=str(gf.group))
    return M("{product}, your best seller", product=names.get(str(gf.group), str(gf.group)))


def _reaction(subject, e: float, ci_high: float):
    """``subject``: how customers react to its price, with what a 10% change does."""
    if e >= 0:
        return M(
            "{subject}: units did not fall when the price rose (elasticity {e}); something else probably "
            "changed with the price, so the data cannot tell how customers react",
            subject=subject,
            e=e,
        )
    if np.isfinite(ci_high) and ci_high >= 0:
        return M(
            "{subject}: the data cannot tell whether the price matters (elasticity {e}, but the range of "
            "the estimate includes 0)",
            subject=subject,
            e=e,
        )
    fewer, more = 1 - (1 + STEP) ** e, (1 - STEP) ** e - 1
    if e <= -2:
        return M(
            "{subject}: customers react strongly to price (elasticity {e}): a 10% higher price sells about "
            "{fewer:percent} fewer units, a 10% cut about {more:percent} more",
            subject=subject,
            e=e,
            fewer=fewer,
            more=more,
        )
    if e < -1:
        return M(
            "{subject}: customers react noticeably to price (elasticity {e}): a 10% higher price sells about "
            "{fewer:percent} fewer units, a 10% cut about {more:percent} more",
            subject=subject,
            e=e,
            fewer=fewer,
            more=more,
        )
    return M(
        "{subject}: customers hardly react to price (elasticity {e}): a 10% higher price sells only about "
        "{fewer:percent} fewer units, so revenue rises",
        subject=subject,
        e=e,
        fewer=fewer,
    )


def _best_gain(table: pd.DataFrame, states: dict) -> dict | None:
    """The product whose suggested price earns the most extra profit per period (on the fitted
    curve), among those with a cost, a clear price effect and a suggestion."""
    best, candidates = None, 0
    ci_of_group = dict(zip(table["group"].astype(str), table["ci_high"].astype(float)))
    low_of_group = dict(zip(table["group"].astype(str), table["ci_low"].astype(float)))
    for key, s in states.items():
        if s.get("unit_cost") is None:
            continue
        ci_high = ci_of_group.get(str(s["group"]), float("nan"))
        e = s["elasticity"]
        if not (e < 0 and np.isfinite(ci_high) and ci_high < 0):
            continue
        opt, sug, _why = el.optimal_price(e, s["unit_cost"], s["min_price"], s["max_price"])
        sug = s.get("planned_price", sug)  # the owner's price rules, when set
        if not np.isfinite(sug):
            continue
        now = el.whatif(s, s["current_price"])["profit"]
        gain = el.whatif(s, sug)["profit"] - now
        candidates += 1
        if best is None or gain > best["gain"]:
            best = {
                "key": key,
                "price": sug,
                "optimal": opt,
                "now": s["current_price"],
                "gain": gain,
                "profit": now,
                "e": e,
                "max_price": s["max_price"],
                "min_price": s["min_price"],
                "ci": (low_of_group.get(str(s["group"]), float("nan")), ci_high),
                "rule": s.get("planned_rule"),
            }
    if best is not None:
        best["candidates"] = candidates
    return best


def elasticity_headline(fits, table: pd.DataFrame, states: dict, names: dict, kind: str, freq: str, min_points: int):
    """The tab's first line: with unit costs, the price change that earns the most; without, how
    the customers of the best seller react to its price; honest when the prices hardly changed."""
    if not fits:
        return None
    per = period_word(freq)
    n_ok = sum(gf.ok for gf in fits)
    if not n_ok:
        if len(fits) == 1:
            return M(
                "{subject}: its price hardly changed, so the data cannot tell how customers react to it "
                "(at least {needed:int} different prices are needed)",
                subject=_subject(fits[0], names, kind),
                needed=min_points,
            )
        return Mn(
            "Not enough price changes to tell how customers react: none of the {n} product changed price "
            "enough (at least {needed:int} different prices are needed)",
            "Not enough price changes to tell how customers react: none of the {n} products changed price "
            "enough (at least {needed:int} different prices are needed)",
            len(fits),
            needed=min_points,
        )
    best = _best_gain(table, states) if kind == "product" else None
    if best is not None:
        name = names.get(best["key"], best["key"])
        values = dict(product=name, price=best["price"], now=best["now"], gain=best["gain"], period=per)
        # less than 1% more profit is no reason to change a price
        about_right = abs(best["price"] / best["now"] - 1) < 0.01 or best["gain"] <= 0.01 * abs(best["profit"])
        if about_right:
            if best["candidates"] > 1:
                head = M("Your current prices are about right for profit: no price change earns even 1% more")
            else:
                head = M("{product}: the current price {now:money} is about right for profit", **values)
        elif best["e"] >= -1:
            head = M(
                "Biggest gain: {product} at {price:money} (the highest price seen) instead of {now:money} "
                "should earn about {gain:money0} more profit per {period}; its customers hardly react to "
                "price",
                **values,
            )
        elif best.get("rule") in guard.RULE_NAMES and not np.isclose(best["price"], best["optimal"]):
            head = M(
                "Biggest gain: {product} at {price:money} (as far as {rule} allows) instead of {now:money} "
                "should earn about {gain:money0} more profit per {period}",
                **values,
                rule=guard.RULE_NAMES[best["rule"]](),
            )
        elif best.get("rule") == "ending" and best["min_price"] + 0.01 < best["price"] < best["max_price"] - 0.01:
            head = M(
                "Biggest gain: {product} at {price:money} (with the price ending you chose) instead of "
                "{now:money} should earn about {gain:money0} more profit per {period}",
                **values,
            )
        elif not np.isclose(best["price"], best["optimal"]):
            head = M(
                "Biggest gain: {product} at {price:money} (the edge of the prices seen) instead of "
                "{now:money} should earn about {gain:money0} more profit per {period}",
                **values,
            )
        else:
            head = M(
                "Biggest gain: {product} at {price:money} instead of {now:money} should earn about "
                "{gain:money0} more profit per {period}",
                **values,
            )
        if not about_right:
            # how sure: the profit change at both ends of the elasticity's range
            ci_low, ci_high = best["ci"]
            sure = change_at(states[best["key"]], best["price"], ci_low, ci_high, per)["sureness"]
            head = clauses([head, sure]) or head
    else:
        top = fits[0]
        subject = _subject(top, names, kind)
        if top.ok:
            row = table.iloc[0]
            head = _reaction(subject, float(row["elasticity"]), float(row["ci_high"]))
        else:
            head = M(
                "{subject}: its price hardly changed, so the data cannot tell how its customers react", subject=subject
            )
    if n_ok == len(fits):
        return head
    if kind == "group":
        rest = Mn(
            "{ok:int} of {n} group had enough price changes and sales to tell.",
            "{ok:int} of {n} groups had enough price changes and sales to tell.",
            len(fits),
            ok=n_ok,
        )
    else:
        rest = Mn(
            "{ok:int} of {n} product had enough price changes and sales to tell.",
            "{ok:int} of {n} products had enough price changes and sales to tell.",
            len(fits),
            ok=n_ok,
        )
    return M("{first}. {then}", first=head, then=rest)


def cross_name(column: str) -> str:
    """The term of a competitor's (or substitute's) price in the fit."""
    return f"log({column})"


def _with_cross(table: pd.DataFrame, fits, cross: dict) -> pd.DataFrame:
    """One column per other price: its cross-price elasticity in each group's fit (how own units
    move when that price moves 1%; above 0: a substitute)."""
    for col, term in cross.items():
        vals = []
        for gf in fits:
            fit = gf.fit
            vals.append(float(fit.params[fit.index(term)]) if fit is not None and term in fit.names else np.nan)
        table[f"cross_{col}"] = vals
    return table


def elasticity_columns(level: float, freq: str, kind: str, group_col: str | None, cross: dict | None = None) -> dict:
    low, high = M("Low estimate ({level:percent})", level=level), M("High estimate ({level:percent})", level=level)
    per = period_word(freq)
    if kind == "product":
        group = Column(_l("Product"), "product")
        in_prices = Column(_l("Group"), "hidden")
    elif kind == "pooled":
        group = Column(_l("Group"), "code", values={"all products": _l("All products")})
        in_prices = group
    else:
        group = in_prices = Column(str(group_col), "text")
    elasticity = Column(
        _l("Price elasticity"),
        "num",
        help=_l("how units follow the price: -2 means a 1% higher price sells about 2% fewer units"),
    )
    note = Column(_l("Note"), "text")
    at_suggested = _l("at the suggested price, against the current price (on the fitted demand curve)")
    common = {
        "unit_cost": Column(_l("Unit cost"), "money"),
        "optimal_price": Column(
            _l("Most profitable price"),
            "money",
            help=_l("the price that earns the most profit on the fitted demand curve"),
        ),
        "suggested_price": Column(
            _l("Suggested price"), "money", help=_l("the most profitable price, kept within the prices seen")
        ),
        "min_price": Column(_l("Lowest price seen"), "money"),
        "max_price": Column(_l("Highest price seen"), "money"),
        "units_change": Column(M("Units change per {period}", period=per), "num", help=at_suggested),
        "revenue_change": Column(M("Revenue change per {period}", period=per), "money", help=at_suggested),
        "profit_change": Column(M("Profit change per {period}", period=per), "money", help=at_suggested),
        "profit_change_low": Column(
            M("Profit change, low estimate ({level:percent})", level=level), "money", details=True
        ),
        "profit_change_high": Column(
            M("Profit change, high estimate ({level:percent})", level=level), "money", details=True
        ),
        "sureness": Column(
            _l("How sure"),
            "text",
            help=_l("whether the suggested price earns more profit at both ends of the elasticity's range"),
        ),
    }
    money, units = "money", "num"  # kinds of the what-if columns
    return {
        "elasticity": {
            "group": group,
            "elasticity": elasticity,
            "std_error": Column(_l("Standard error"), "num", details=True),
            "ci_low": Column(low, "num", details=True),
            "ci_high": Column(high, "num", details=True),
            "n_points": Column(_l("Prices seen"), "int", help=_l("different prices (at least 1% apart)")),
            "n_periods": Column(_periods_title(freq), "int", details=True),
            "r2": Column(
                _l("R²"), "percent", details=True, help=_l("the share of the ups and downs of units the fit explains")
            ),
            "products": Column(_l("Products"), "hidden" if kind == "product" else "int"),
            **{
                f"cross_{c}": Column(
                    M("Reaction to {column}", column=c),
                    "num",
                    help=_l(
                        "cross-price elasticity: how your units move when this other price moves 1% "
                        "(above 0: customers switch to you when it rises)"
                    ),
                )
                for c in (cross or {})
            },
            **common,
            "note": note,
            "reading": Column(
                _l("Reaction to price"),
                "text",
                help=_l("how strongly customers react to the price, and what 10% dearer does to units"),
            ),
        },
        "prices": {
            "product": Column(_l("Product"), "product"),
            "group": in_prices,
            "elasticity": elasticity,
            "current_price": Column(_l("Current price"), "money"),
            **common,
            "note": note,
        },
        "whatif": {
            "product": Column(_l("Product"), "product"),
            "current_price": Column(_l("Current price"), "money"),
            "new_price": Column(_l("New price"), "money"),
            "units_now": Column(M("Units per {period} now", period=per), units),
            "units": Column(M("Units per {period} at the new price", period=per), units),
            "units_low": Column(M("Units, low estimate ({level:percent})", level=level), units, details=True),
            "units_high": Column(M("Units, high estimate ({level:percent})", level=level), units, details=True),
            "revenue_now": Column(M("Revenue per {period} now", period=per), money),
            "revenue": Column(M("Revenue per {period} at the new price", period=per), money),
            "revenue_low": Column(M("Revenue, low estimate ({level:percent})", level=level), money, details=True),
            "revenue_high": Column(M("Revenue, high estimate ({level:percent})", level=level), money, details=True),
            "profit_now": Column(M("Profit per {period} now", period=per), money),
            "profit": Column(M("Profit per {period} at the new price", period=per), money),
            "profit_low": Column(M("Profit, low estimate ({level:percent})", level=level), money, details=True),
            "profit_high": Column(M("Profit, high estimate ({level:percent})", level=level), money, details=True),
            "note": note,
        },
    }


def _periods_title(freq: str):
    if freq == "R":
        return _l("Rows")
    if freq == "D":
        return _l("Days with sales")
    if freq == "M":
        return _l("Months with sales")
    return _l("Weeks with sales")


def _gaps_note(periods: pd.Series, freq: str):
    """Periods without a sale have no price and stay out of the fit; when many are missing,
    the high-price periods with few sales are the ones lost, which flattens the curve."""
    span = len(period_range(periods.min(), periods.max(), freq))
    seen = int(periods.nunique())
    if not (span and seen < 0.8 * span):
        return None
    if freq == "D":
        return Mn(
            "sold on only {seen:int} of {n} day between its first and last sale; days without sales are "
            "left out, which can make customers look less price-sensitive",
            "sold on only {seen:int} of {n} days between its first and last sale; days without sales are "
            "left out, which can make customers look less price-sensitive",
            span,
            seen=seen,
        )
    if freq == "M":
        return Mn(
            "sold in only {seen:int} of {n} month between its first and last sale; months without sales "
            "are left out, which can make customers look less price-sensitive",
            "sold in only {seen:int} of {n} months between its first and last sale; months without sales "
            "are left out, which can make customers look less price-sensitive",
            span,
            seen=seen,
        )
    return Mn(
        "sold in only {seen:int} of {n} week between its first and last sale; weeks without sales are "
        "left out, which can make customers look less price-sensitive",
        "sold in only {seen:int} of {n} weeks between its first and last sale; weeks without sales are "
        "left out, which can make customers look less price-sensitive",
        span,
        seen=seen,
    )


def _whatif_table(states: dict, params, names: dict) -> pd.DataFrame | None:
    chosen = params.get("product")
    change = float(params.get("price_change") or 0.0)
    new_price = params.get("new_price")
    if chosen is not None:
        if str(chosen) not in states:
            raise problem(
                UsageError,
                M(
                    "product '{product}' has no elasticity to simulate with",
                    product=names.get(str(chosen), str(chosen)),
                ),
                M("Pick a product listed in the elasticity table with a number"),
                where="product",
            )
        keys = [str(chosen)]
    else:
        if new_price is not None:
            raise problem(
                UsageError,
                M("a new price needs a product"),
                M("Choose the What-if product too, or use the price change (in %) for every product"),
                where="new_price",
            )
        if not change:
            return None
        keys = list(states)
    out = []
    for k in keys:
        s = states[k]
        now = s["current_price"]
        p = float(new_price) if new_price is not None else now * (1 + change / 100)
        a, b = el.whatif(s, now), el.whatif(s, p)
        note = (
            M("outside the prices seen ({low:money} to {high:money}): a guess", low=s["min_price"], high=s["max_price"])
            if b["outside_range"]
            else None
        )
        out.append(
            {
                "product": s["product"],
                "current_price": now,
                "new_price": p,
                "units_now": a["units"],
                "units": b["units"],
                "units_low": b["units_low"],
                "units_high": b["units_high"],
                "revenue_now": a["revenue"],
                "revenue": b["revenue"],
                "revenue_low": b["revenue_low"],
                "revenue_high": b["revenue_high"],
                "profit_now": a["profit"],
                "profit": b["profit"],
                "profit_low": b["profit_low"],
                "profit_high": b["profit_high"],
                "note": note,
            }
        )
    return _cells(pd.DataFrame(out), ("note",))


def _elasticity_plots(fits, states, panel, groups, names: dict, per) -> dict:
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
            name = names.get(str(p), str(p))
            layers.append(Layer("scatter", x=gf.log_price[m], y=gf.log_units[m], name=name, size=5, color=col))
            s = states.get(str(p))
            if s:
                xs = np.linspace(math.log(s["min_price"]), math.log(s["max_price"]), 2)
                layers.append(
                    Layer(
                        "line",
                        x=xs.tolist(),
                        y=s["alpha"] + s["elasticity"] * xs,
                        color=col,
                        name=M("{product} fit (elasticity {e})", product=name, e=s["elasticity"]),
                    )
                )
    # the best sellers one layer each (fits come in order of units), the rest as one layer: a
    # thousand products would be a thousand layers to draw and a legend nobody can read
    for gf in fitted[:MAX_PLOTTED_PRODUCTS]:
        av.append(
            Layer("scatter", x=gf.fit.fitted, y=gf.log_units, name=names.get(str(gf.group), str(gf.group)), size=4)
        )
    rest = fitted[MAX_PLOTTED_PRODUCTS:]
    if rest:
        av.append(
            Layer(
                "scatter",
                x=np.concatenate([gf.fit.fitted for gf in rest]),
                y=np.concatenate([gf.log_units for gf in rest]),
                name=Mn("{n} other product", "{n} other products", len(rest)),
                size=4,
            )
        )
    if av:
        allv = np.concatenate([gf.log_units for gf in fitted])
        lo, hi = float(allv.min()), float(allv.max())
        av.append(Layer("line", x=[lo, hi], y=[lo, hi], name=M("perfect fit"), dashed=True))
    if sum(len(g.products) for g in fits) > MAX_PLOTTED_PRODUCTS:
        title = M("Price and units, both on a log scale (the {n:int} best sellers)", n=MAX_PLOTTED_PRODUCTS)
    else:
        title = M("Price and units, both on a log scale")
    return {
        "loglog": PlotSpec(
            title=title,
            x_label=M("log of the average price"),
            y_label=M("log of units per {period}", period=per),
            layers=layers,
            legend=shown <= 10,
        ),
        "actual_vs_predicted": PlotSpec(
            title=M("Actual vs predicted (log units)"),
            x_label=M("predicted log units"),
            y_label=M("actual log units"),
            layers=av,
            legend=len(av) <= 11,
        ),
    }
