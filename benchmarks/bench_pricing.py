"""Pricing benchmark: our QR least squares against statsmodels OLS on the same design, and the
whole elasticity run (panel view + one fit per product + what-if state) against a plain
pandas groupby + statsmodels formula OLS per product on the same generated orders.
Prints time ratios (ours / reference) and the largest coefficient difference.

    .venv/bin/python benchmarks/bench_pricing.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd


def _best(fn, repeat=3):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def bench_ols(n: int, p: int, rng) -> None:
    import statsmodels.api as sm

    from bizops_pricing.regression import ols

    X = rng.normal(size=(n, p)) * rng.uniform(1, 1000, p) + rng.uniform(-1e4, 1e4, p)
    y = X @ rng.normal(size=p) + rng.normal(size=n) * 10
    names = [f"x{i}" for i in range(p)]
    t_ours, fit = _best(lambda: ols(y, X, names))
    Xc = sm.add_constant(X)

    def reference():
        r = sm.OLS(y, Xc).fit()
        # statsmodels computes these lazily: ask for what our fit returns
        _ = (r.bse, r.pvalues, r.conf_int(), r.rsquared_adj, r.aic, r.bic, r.f_pvalue, r.resid)
        return r

    t_ref, ref = _best(reference)
    diff = np.max(np.abs(fit.params - ref.params) / np.maximum(np.abs(ref.params), 1e-12))
    se = np.max(np.abs(fit.bse - ref.bse) / ref.bse)
    print(
        f"OLS n={n:,} p={p}: ours {t_ours * 1e3:.1f} ms, statsmodels OLS {t_ref * 1e3:.1f} ms, "
        f"ratio {t_ours / t_ref:.2f}; max rel diff coef {diff:.1e}, se {se:.1e}"
    )


def make_orders(n_products: int, weeks: int, rng) -> pd.DataFrame:
    start = pd.Timestamp("2023-01-02")
    frames = []
    for i in range(n_products):
        e = rng.uniform(-3, -0.4)
        p0 = rng.uniform(2, 50)
        levels = rng.choice([0.8, 0.9, 1.0, 1.1, 1.2], size=weeks)
        price = np.round(p0 * levels, 2)
        units = np.maximum(np.round(40 * levels**e * np.exp(rng.normal(0, 0.2, weeks))), 1).astype(int)
        lines = np.repeat(np.arange(weeks), 4)
        q = np.maximum(np.repeat(units, 4) // 4, 1)
        frames.append(
            pd.DataFrame(
                {
                    "date": start + pd.to_timedelta(lines * 7 + np.tile(np.arange(4), weeks), "D"),
                    "product": f"P{i:04d}",
                    "qty": q,
                    "price": price[lines],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def bench_elasticity(n_products: int, weeks: int, rng) -> None:
    import statsmodels.formula.api as smf

    from bizops_desktop.core.dataset import Dataset
    from bizops_desktop.core.progress import Progress
    from bizops_pricing import ANALYSIS

    orders = make_orders(n_products, weeks, rng)
    ds = Dataset("o", orders, roles={"date": "date", "product_id": "product", "quantity": "qty", "price": "price"})
    t_ours, res = _best(lambda: ANALYSIS.execute(ds, {"freq": "W"}, Progress()), repeat=2)

    def reference():
        d = orders.assign(
            week=orders["date"] - pd.to_timedelta(orders["date"].dt.dayofweek, "D"), rev=orders["qty"] * orders["price"]
        )
        g = d.groupby(["product", "week"]).agg(units=("qty", "sum"), rev=("rev", "sum")).reset_index()
        g["lp"] = np.log(g["rev"] / g["units"])
        g["lu"] = np.log(g["units"])
        return {p: smf.ols("lu ~ lp", sub).fit().params["lp"] for p, sub in g.groupby("product")}

    t_ref, ref = _best(reference, repeat=2)
    ours = res.tables["elasticity"].set_index("group")["elasticity"]
    diff = max(abs(ours[p] - e) for p, e in ref.items())
    print(
        f"elasticity {n_products} products x {weeks} weeks ({len(orders):,} order lines): ours {t_ours:.2f} s, "
        f"pandas + statsmodels formula per product {t_ref:.2f} s, ratio {t_ours / t_ref:.2f}; "
        f"max elasticity diff {diff:.1e}"
    )
    # pooled with product fixed effects: demeaned, so no rows x products matrix
    import tracemalloc

    t_pool, pooled = _best(lambda: ANALYSIS.execute(ds, {"freq": "W", "pooled": True}, Progress()), repeat=2)
    tracemalloc.start()  # slows allocation down: measured apart from the time
    ANALYSIS.execute(ds, {"freq": "W", "pooled": True}, Progress())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    n_rows = int(pooled.metrics["panel_rows"])
    dense = n_rows * n_products * 8
    print(
        f"pooled fit, {n_products} product levels: {t_pool / t_ours:.2f} x the per-product run; "
        f"peak Python memory {peak / dense:.3f} x one dense rows x products matrix ({dense / 1e6:.0f} MB)"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    rng = np.random.default_rng(20240601)
    if args.quick:
        bench_ols(20_000, 10, rng)
        bench_elasticity(50, 52, rng)
    else:
        bench_ols(200_000, 30, rng)
        bench_elasticity(500, 104, rng)


if __name__ == "__main__":
    main()
