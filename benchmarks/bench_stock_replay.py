"""Stock planning replay: the achieved cycle service level of the tab's (R, s, S) policy against a
95% target, on generated daily demand with known patterns (smooth Poisson, erratic negative
binomial, intermittent, lumpy; 20 products each, 2 years) and on the real CDNOW log (daily CDs
sold, /work/shared/datasets/cdnow_master_transactions.csv, Lifetimes 0.11.3, MIT), and the tab's
own replay of the demo shops' last half year (their demand has a weekday pattern, a November-
December peak, price changes and promotion weeks), before and after the lead-time demand estimate
used the shop's weekday and time-of-year factors with errors as shares of the forecast. Prints
the figures; nothing is asserted.

    .venv/bin/python benchmarks/bench_stock_replay.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bizops_stock import demand as dm
from bizops_stock import policy as pol

TARGET = 0.95
CDNOW = Path("/work/shared/datasets/cdnow_master_transactions.csv")


def generated(rng, kind: str, n: int = 730) -> np.ndarray:
    if kind == "smooth":
        return rng.poisson(rng.uniform(3, 20), n).astype(float)
    if kind == "erratic":
        m = rng.uniform(3, 15)
        return rng.negative_binomial(2, 2 / (2 + m), n).astype(float)
    p = rng.uniform(0.15, 0.5)
    if kind == "intermittent":
        return (rng.random(n) < p) * (1 + rng.poisson(rng.uniform(1, 4), n)).astype(float)
    return (rng.random(n) < p) * rng.negative_binomial(1, 0.15, n).astype(float)


def main() -> None:
    rng = np.random.default_rng(20240623)
    print(f"target cycle service level {TARGET:.0%}; lead time 7 days, weekly review; replay of the second year")
    all_csl = []
    for kind in ("smooth", "erratic", "intermittent", "lumpy"):
        csl, fill = [], []
        for _ in range(20):
            y = generated(rng, kind)
            method = "ses" if dm.classify(y)[0] in ("smooth", "erratic") else "tsb"
            r = pol.replay(y, lead_time=7, review=7, csl=TARGET, method=method, start=365, relative=method == "ses")
            csl.append(r.cycle_service_level)
            fill.append(r.fill_rate)
        all_csl += csl
        print(
            f"{kind:13s} cycle service level {np.mean(csl):.1%} (min {np.min(csl):.1%}), fill rate {np.mean(fill):.1%}"
        )
    print(f"generated, all 80 products: {np.mean(all_csl):.1%} (gap to target {np.mean(all_csl) - TARGET:+.1%})")
    if CDNOW.is_file():
        import pandas as pd

        t = pd.read_csv(CDNOW)
        d = pd.to_datetime(t["date"].astype(str), format="%Y%m%d")
        y = t.groupby(d)["number_of_cds"].sum()
        y = y.reindex(pd.date_range(y.index.min(), y.index.max()), fill_value=0).to_numpy(float)
        for lead in (3, 7, 14):
            r = pol.replay(y, lead_time=lead, review=7, csl=TARGET, start=len(y) // 2)
            print(
                f"CDNOW daily CDs, lead time {lead:2d}: cycle service level {r.cycle_service_level:.1%} "
                f"over {r.cycles} cycles, fill rate {r.fill_rate:.1%}"
            )
    for lang in ("en", "zh_CN"):
        before, after = demo_replay(lang)
        print(
            f"demo shop {lang}: the tab's replay of the last half year, 40 products: cycle service level "
            f"{before:.1%} with the plain rolling estimate, {after:.1%} with weekday and time-of-year factors"
        )


def demo_replay(lang: str) -> tuple[float, float]:
    """The tab's replayed cycle service level on a demo shop (products with 4 cycles or more), with
    the estimate the tab used before (plain SES or TSB, errors in units) and the one it uses now."""
    from bizops_desktop.core.demo import load_demo
    from bizops_desktop.core.progress import Progress
    from bizops_stock import ANALYSIS
    from bizops_stock import analysis as an

    tables = load_demo(lang=lang)
    orders = next(d for d in tables if d.name == "orders")
    r = ANALYSIS.execute(orders, {"forecast_method": "ses"}, Progress(), tables=tables)
    after = float(r.metrics["replay"]["cycle_service_level"])
    plan = r.tables["orders"].set_index("product")
    table = an.daily_demand(orders)[0]
    got = []
    for p in table.columns:
        y = table[p].to_numpy(float)
        y = y[int(np.argmax(y > 0)) :].copy()
        y[dm.stockout_days(y)] = np.nan
        if len(y) < an.MIN_REPLAY_DAYS + 56 or plan.loc[p, "policy"] == "newsvendor":
            continue
        method = "ses" if an.CLASS_METHOD[dm.classify(y)[0]] == "forecast" else "tsb"
        lead, review = int(plan.loc[p, "lead_time"]), int(plan.loc[p, "review_days"])
        old = pol.replay(y, lead_time=lead, review=review, csl=TARGET, method=method, start=len(y) - an.REPLAY_DAYS)
        if old.cycles >= 4:
            got.append(old.cycle_service_level)
    return float(np.mean(got)), after


if __name__ == "__main__":
    main()
