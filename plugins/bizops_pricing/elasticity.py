"""Price elasticity from a product x period panel: log(units) = a + e log(price) (+ controls),
per product, per group of products (with product fixed effects) or pooled; the profit-maximising
price for constant-elasticity demand; and the what-if prediction used by the slider.

What-if retransformation: the mean units at a price are exp(a + e log p) times Duan's smearing
factor (the mean of exp(residual) of the fit), which removes the downward bias of plain exp()
without assuming normal errors. The interval is exp() of the log-scale prediction interval for
one period (t quantile, parameter uncertainty plus residual variance): exp keeps quantiles, so
that interval needs no correction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from bizops_desktop.core import chunked
from bizops_desktop.core.engine import run_pieces
from bizops_desktop.core.errors import DataError
from bizops_desktop.core.i18n import Message

from .i18n import M, Mn, _
from .regression import OLSFit, detail, ols

# Two prices closer than this (relative) are the same price point for the variation check;
# average prices wobble by a cent when the mix of discounted lines changes.
MIN_SPREAD = 0.01
# Above this many products in one fit, product levels are removed by demeaning instead of
# 0/1 columns (a pooled fit of 2,000 products would otherwise build a rows x 2,000 matrix).
MAX_DUMMIES = 30


@dataclass
class GroupFit:
    group: str
    products: list
    fit: OLSFit | None
    slope_index: int = -1
    n_points: int = 0
    n_periods: int = 0
    note: Message | None = None  # what the user should know about this fit, in words
    flat: bool = False  # not enough price variation to fit
    controls_used: list[str] = field(default_factory=list)
    log_price: np.ndarray | None = None
    log_units: np.ndarray | None = None
    row_products: np.ndarray | None = None
    smearing: float | None = None  # Duan's factor, mean of exp(residual), once per fit
    product_means: dict | None = None  # product -> (mean log units, mean log price, periods), demeaned fits

    @property
    def ok(self) -> bool:
        return self.fit is not None

    @property
    def elasticity(self) -> float:
        return float(self.fit.params[self.slope_index]) if self.fit else float("nan")


def distinct_prices(prices) -> int:
    """Price points at least MIN_SPREAD apart (greedy over sorted prices)."""
    p = np.sort(np.asarray(prices, dtype=float))
    if p.size == 0:
        return 0
    count, last = 1, p[0]
    for v in p[1:]:
        if v > last * (1 + MIN_SPREAD):
            count += 1
            last = v
    return count


def season_dummies(periods: pd.Series, freq: str) -> pd.DataFrame:
    """Day-of-week dummies for daily data, month-of-year for weekly and monthly (52 week dummies
    would eat two years of weekly data). The first level present is the reference."""
    p = pd.DatetimeIndex(periods)
    if freq == "D":
        key, label = p.dayofweek, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    else:
        key, label = p.month - 1, ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    levels = sorted(set(key))
    return pd.DataFrame({f"season={label[lv]}": (key == lv).astype(float) for lv in levels[1:]}, index=periods.index)


def fit_group(
    group: str, rows: pd.DataFrame, controls: pd.DataFrame, *, min_points: int, level: float, label: str | None = None
) -> GroupFit:
    """Fit one elasticity on ``rows`` (product, price, units > 0). A group of several products
    gets a level of its own per product (fixed effects): with few products as 0/1 columns, with
    many by subtracting each product's means first (same slope and standard error, by the
    Frisch-Waugh-Lovell theorem, without a rows x products matrix). Controls that do not vary
    (within products) are left out. ``label``: the group's name in messages (a product's name)."""
    products = list(pd.unique(rows["product"]))
    by_product = rows.groupby("product", sort=False)["price"]
    n_points = int(sum(distinct_prices(g) for _, g in by_product))
    varied = [p for p, g in by_product if distinct_prices(g) >= min_points]
    log_price = np.log(rows["price"].to_numpy(float))
    log_units = np.log(rows["units"].to_numpy(float))
    gf = GroupFit(
        group=group,
        products=products,
        fit=None,
        n_points=n_points,
        n_periods=len(rows),
        log_price=log_price,
        log_units=log_units,
        row_products=rows["product"].to_numpy(),
    )
    if not varied:
        gf.flat = True
        gf.note = Mn(
            "not enough price changes to tell: {n} price seen, at least {needed:int} "
            "(at least {spread:percent} apart) are needed",
            "not enough price changes to tell: {n} prices seen, at least {needed:int} "
            "(at least {spread:percent} apart) are needed",
            n_points,
            needed=min_points,
            spread=MIN_SPREAD,
        )
        return gf
    demean = len(products) > MAX_DUMMIES
    codes = pd.factorize(rows["product"], sort=False)[0]

    def within(v):
        # v minus its product's mean
        sums = np.bincount(codes, weights=v, minlength=len(products))
        cnt = np.bincount(codes, minlength=len(products))
        return v - (sums / cnt)[codes]

    y = log_units
    cols, names = [], []
    if len(products) > 1 and not demean:
        for p in products[1:]:
            cols.append((rows["product"] == p).to_numpy(float))
            names.append(f"product={p}")
    cols.append(within(log_price) if demean else log_price)
    names.append("log(price)")
    slope = len(names)  # +1 for the intercept, -1 for zero-based
    used = []
    for c in controls.columns:
        v = controls.loc[rows.index, c].to_numpy(float)
        if demean:
            v = within(v)
        if np.isfinite(v).all() and np.ptp(v) > 1e-12:
            cols.append(v)
            names.append(c)
            used.append(c)
    X = np.column_stack(cols)
    yy = within(y) if demean else y
    absorbed = len(products) - 1 if demean else 0
    what = M("the fit for {group}", group=label if label is not None else str(group))
    try:
        fit = ols(yy, X, names, level=level, what=what, absorbed=absorbed)
    except DataError as err:
        if not used:
            gf.note = M("no fit: {why}", why=detail(err))
            return gf
        # too few periods or collinear controls: the elasticity alone may still be estimable
        k = len(names) - len(used)
        try:
            fit = ols(yy, X[:, :k], names[:k], level=level, what=what, absorbed=absorbed)
        except DataError as err2:
            gf.note = M("no fit: {why}", why=detail(err2))
            return gf
        gf.note = M("the columns held fixed were left out ({why})", why=detail(err))
        used = []
    if demean:
        # report R-squared of the whole model (product levels included), as the 0/1 columns would
        tss = float(((y - y.mean()) ** 2).sum())
        fit.r2 = 1.0 - fit.ssr / tss
        fit.adj_r2 = 1.0 - (1.0 - fit.r2) * (fit.n - 1) / fit.df_resid
        fit.fitted = y - fit.resid
        means = (
            pd.DataFrame({"y": y, "lp": log_price, "p": codes})
            .groupby("p")
            .agg(y=("y", "mean"), lp=("lp", "mean"), n=("y", "size"))
        )
        gf.product_means = {products[i]: (float(r.y), float(r.lp), int(r.n)) for i, r in means.iterrows()}
    gf.fit = fit
    gf.slope_index = slope
    gf.controls_used = used
    return gf


def product_state(gf: GroupFit, product, panel_rows: pd.DataFrame, controls: pd.DataFrame, cost: float | None) -> dict:
    """What the what-if needs for one product, as plain JSON-able numbers: the intercept at the
    product's average controls (alpha), the elasticity, their covariance, the residual variance."""
    fit = gf.fit
    if fit is None:
        raise ValueError(f"no fit for {gf.group!r}: the what-if needs a fitted group")
    V = fit.cov
    j = gf.slope_index
    if gf.product_means is not None:
        # demeaned fixed effects: alpha = mean log units - e * mean log price of the product;
        # the product mean is independent of the within-product slope
        ybar, lpbar, n_i = gf.product_means[product]
        e = float(fit.params[j])
        alpha = ybar - e * lpbar
        v_ee = float(V[j, j])
        v_aa, v_ae = fit.sigma2 / n_i + lpbar * lpbar * v_ee, -lpbar * v_ee
    else:
        k = fit.k
        w = np.zeros(k)
        w[0] = 1.0
        name = f"product={product}"
        if name in fit.names:
            w[fit.index(name)] = 1.0
        for c in gf.controls_used:
            w[fit.index(c)] = float(controls.loc[panel_rows.index, c].mean())
        s = np.zeros(k)
        s[j] = 1.0
        alpha, v_aa, v_ae, v_ee = float(w @ fit.params), float(w @ V @ w), float(w @ V @ s), float(s @ V @ s)
    if gf.smearing is None:
        gf.smearing = float(np.mean(np.exp(fit.resid)))
    smear = gf.smearing
    prices = panel_rows["price"].to_numpy(float)
    return {
        "product": _plain(product),
        "group": _plain(gf.group),
        "alpha": float(alpha),
        "elasticity": float(fit.params[j]),
        "v_aa": float(v_aa),
        "v_ae": float(v_ae),
        "v_ee": float(v_ee),
        "sigma2": float(fit.sigma2),
        "df_resid": int(fit.df_resid),
        "smearing": smear,
        "level": float(fit.level),
        "unit_cost": None if cost is None or not np.isfinite(cost) else float(cost),
        "min_price": float(prices.min()),
        "max_price": float(prices.max()),
        "current_price": float(panel_rows.sort_values("period")["price"].iloc[-1]),
        "mean_units": float(panel_rows["units"].mean()),
    }


def whatif(state: dict, price: float) -> dict:
    """Units, revenue and profit per period at ``price`` for one product, with intervals.
    Pure arithmetic on the stored fit: the slider calls it on every move."""
    p = float(price)
    if not p > 0:
        raise DataError(_("the price must be above zero"), where="price")
    lp = math.log(p)
    yhat = state["alpha"] + state["elasticity"] * lp
    var_mean = max(state["v_aa"] + 2 * lp * state["v_ae"] + lp * lp * state["v_ee"], 0.0)
    se_pred = math.sqrt(state["sigma2"] + var_mean)
    q = float(stats.t.ppf(0.5 + state.get("level", 0.95) / 2, state["df_resid"]))
    units = math.exp(yhat) * state["smearing"]
    lo, hi = math.exp(yhat - q * se_pred), math.exp(yhat + q * se_pred)
    out = {
        "price": p,
        "units": units,
        "units_low": lo,
        "units_high": hi,
        "revenue": units * p,
        "revenue_low": lo * p,
        "revenue_high": hi * p,
    }
    c = state.get("unit_cost")
    if c is not None:
        m = p - c
        a, b = lo * m, hi * m
        out.update(profit=units * m, profit_low=min(a, b), profit_high=max(a, b))
    else:
        out.update(profit=float("nan"), profit_low=float("nan"), profit_high=float("nan"))
    out["outside_range"] = bool(p < state["min_price"] * (1 - 1e-9) or p > state["max_price"] * (1 + 1e-9))
    return out


def optimal_price(e: float, cost: float | None, pmin: float, pmax: float) -> tuple[float, float, Message | None]:
    """(profit-maximising price, suggested price, note). Constant elasticity e < -1 gives
    p* = cost * e / (1 + e); otherwise there is no finite optimum inside the model."""
    nan = float("nan")
    if cost is None or not np.isfinite(cost):
        return nan, nan, M("enter a unit cost (Unit cost, or a column marked as Unit cost) to get a suggested price")
    if not np.isfinite(e):
        return nan, nan, None
    if e >= 0:
        return (
            nan,
            nan,
            M(
                "units did not fall when the price rose (elasticity not negative); something else "
                "probably changed with the price, so no price is suggested"
            ),
        )
    if e >= -1:
        return (
            nan,
            pmax,
            M(
                "a higher price also raises profit within the prices seen; the suggestion is capped at "
                "the highest observed price {price:money}",
                price=pmax,
            ),
        )
    p = cost * e / (1 + e)
    if p < pmin * (1 - 1e-9) or p > pmax * (1 + 1e-9):
        edge = min(max(p, pmin), pmax)
        return (
            p,
            edge,
            M(
                "the most profitable price {best:money} is outside the prices seen ({low:money} to "
                "{high:money}); the demand there is a guess, so the suggestion stays at {price:money}",
                best=p,
                low=pmin,
                high=pmax,
                price=edge,
            ),
        )
    return p, p, None


def _plain(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v if isinstance(v, (int, float, str)) else str(v)


# Groups per piece of the batch: one fit takes about a millisecond, so a piece per product
# would cost more in hand-over than in fitting (on a cluster, each task's own overhead).
GROUPS_PER_PIECE = 50
# Local worker processes pay for their start only for many fits: below this many panel rows the
# fits stay in this process. benchmarks/bench_engine.py on a busy 2-core machine, processes /
# here: 1.33 at 104,000 rows (1,000 products x 104 weeks), 1.55 at 416,000, 0.93 at 1,040,000.
PROCESS_ROWS = 1_000_000


def fit_groups(
    groups: list,
    rows: pd.DataFrame,
    keys: np.ndarray,
    controls: pd.DataFrame,
    min_points: int,
    level: float,
    labels: list,
) -> list[GroupFit]:
    """A piece of core/engine.run_pieces: ``fit_group`` for each of ``groups`` on its rows of
    ``rows`` (``keys`` holds each row's group), in order. Plain frames in, GroupFits out, so it
    runs the same here, in a worker process or on a cluster."""
    where = pd.Series(np.arange(len(keys))).groupby(keys, sort=False).indices
    return [
        fit_group(g, rows.iloc[where[g]], controls, min_points=min_points, level=level, label=label)
        for g, label in zip(groups, labels)
    ]


def fit_all(
    panel: pd.DataFrame,
    groups: pd.Series,
    controls: pd.DataFrame,
    *,
    min_points: int,
    level: float,
    progress,
    names: dict | None = None,
) -> list[GroupFit]:
    """One GroupFit per distinct value of ``groups`` (aligned with ``panel``), in order of units.
    ``names``: group -> the name used in messages (products by name). The fits run through
    core/engine.run_pieces, a few dozen groups a piece: here for a small panel, else in local
    worker processes or on the Dask cluster, with the same numbers."""
    names = names or {}
    # grouped by codes (core/chunked), not by hashing every row's text in one call
    order = list(chunked.group_sums(groups, panel["units"]).sort_values(ascending=False).index)
    where = chunked.group_indices(groups)
    labels = [names.get(str(g), str(g)) for g in order]
    pieces = []
    for a in range(0, len(order), GROUPS_PER_PIECE):
        part = order[a : a + GROUPS_PER_PIECE]
        idx = np.concatenate([where[g] for g in part])
        rows = panel.iloc[idx]
        keys = groups.to_numpy()[idx]
        pieces.append((part, rows, keys, controls.loc[rows.index], min_points, level, labels[a : a + GROUPS_PER_PIECE]))
    got = run_pieces(
        fit_groups,
        pieces,
        progress,
        processes=len(panel) >= PROCESS_ROWS,
        preload=("bizops_pricing.elasticity",),
        status=lambda i, k, n: _("Fitting {name}", name=labels[i * GROUPS_PER_PIECE]),
    )
    return [gf for part in got for gf in part]


__all__ = [
    "GroupFit",
    "fit_all",
    "fit_groups",
    "fit_group",
    "product_state",
    "whatif",
    "optimal_price",
    "distinct_prices",
    "season_dummies",
]
