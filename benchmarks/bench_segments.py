"""Customer lifetime value (Customers & campaigns tab) against the lifetimes package, on the same
input in the same run: the CDNOW sample of Fader, Hardie & Lee (2005), 2,357 customers, 39-week
calibration to 1997-09-30, holdout weeks 40-78 (to 1998-06-30).

1. the per-customer summary (x, t_x, T, m_x): ours (clv.summary_from_lines) against lifetimes'
   summary_data_from_transaction_data (daily periods, in weeks), the largest difference;
2. BG/NBD: parameters and log-likelihood of both fits, their relative difference, and the fit
   time as a ratio ours / lifetimes (best of --repeat runs each);
3. Gamma-Gamma on the 946 repeat customers: the same;
4. the holdout: repeat purchase days predicted for weeks 40-78 by each fit (the models'
   conditional expectation per customer, summed) against the 1,882 that happened, and the spend
   predicted (purchases x Gamma-Gamma's expected spend per purchase) against the spend that
   happened.

Needs the bench extra (``pip install -e ".[bench]"``, which brings lifetimes).
    .venv/bin/python benchmarks/bench_segments.py [--repeat N] [--quick]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
CAL_END = pd.Timestamp("1997-09-30")
HOLDOUT_END = pd.Timestamp("1998-06-30")
HOLDOUT_WEEKS = (HOLDOUT_END - CAL_END).days / 7.0  # 39 weeks: weeks 40-78


def load() -> pd.DataFrame:
    ids = pd.read_csv(DATA / "cdnow_sample_ids.csv", dtype=str)
    log = pd.read_csv(DATA / "cdnow_master_transactions.csv", dtype={"customer_id": str, "date": str})
    log = log[log["customer_id"].isin(set(ids["master_id"]))].copy()
    log["day"] = pd.to_datetime(log["date"], format="%Y%m%d")
    return log


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5, help="runs of each fit; the best time counts")
    ap.add_argument("--quick", action="store_true", help="two runs of each fit")
    args = ap.parse_args(argv)
    repeat = 2 if args.quick else max(1, args.repeat)

    try:
        import lifetimes
        from lifetimes import BetaGeoFitter, GammaGammaFitter
        from lifetimes.utils import summary_data_from_transaction_data
    except ImportError:
        print('lifetimes is not installed: pip install -e ".[bench]"')
        return 1
    from bizops_segments import clv

    warnings.filterwarnings("ignore")  # lifetimes' pandas/numpy deprecation noise
    log = load()
    cal = log[log["day"] <= CAL_END]
    print(
        f"CDNOW sample: {log['customer_id'].nunique():,} customers, {len(log):,} lines; "
        f"lifetimes {lifetimes.__version__}"
    )

    # 1. the summary ----------------------------------------------------------------------------
    ours_s = clv.summary_from_lines(log["customer_id"], log["day"], log["dollar_value"], CAL_END)
    ref_s = summary_data_from_transaction_data(
        cal, "customer_id", "day", monetary_value_col="dollar_value", observation_period_end=CAL_END, freq="D"
    )
    ref_s = ref_s.reindex(ours_s.index)
    diff = {
        "x": float(np.max(np.abs(ours_s["x"] - ref_s["frequency"]))),
        "t_x": float(np.max(np.abs(ours_s["t_x"] - ref_s["recency"] / 7.0))),
        "T": float(np.max(np.abs(ours_s["T"] - ref_s["T"] / 7.0))),
        "m_x": float(np.nanmax(np.abs(ours_s["m_x"] - ref_s["monetary_value"].where(ref_s["frequency"] > 0)))),
    }
    print(
        "1. Summary per customer, ours vs lifetimes (largest difference): "
        + ", ".join(f"{k} {v:.2g}" for k, v in diff.items())
    )
    x, tx, T, mx = (ours_s[c].to_numpy(float) for c in ("x", "t_x", "T", "m_x"))

    # 2. BG/NBD --------------------------------------------------------------------------------
    def ref_bg():
        return BetaGeoFitter(penalizer_coef=0.0).fit(x, tx, T)

    t_ours, bg = best_of(lambda: clv.fit_bgnbd(x, tx, T), repeat)
    t_ref, bgf = best_of(ref_bg, repeat)
    ref_p = {k: float(bgf.params_[k]) for k in ("r", "alpha", "a", "b")}
    ref_ll = float(np.sum(clv.bgnbd_loglik(tuple(ref_p.values()), x, tx, T)))
    print("2. BG/NBD (published: r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4)")
    print("   param        ours    lifetimes   rel. diff")
    for k in ("r", "alpha", "a", "b"):
        print(f"   {k:<6} {bg.params[k]:11.6f} {ref_p[k]:11.6f}   {rel(bg.params[k], ref_p[k]):9.1e}")
    print(f"   LL     {bg.log_likelihood:11.3f} {ref_ll:11.3f}")
    print(
        f"   fit time: ours {t_ours * 1e3:7.1f} ms, lifetimes {t_ref * 1e3:7.1f} ms, "
        f"ratio ours/lifetimes {t_ours / t_ref:5.2f}"
    )

    # 3. Gamma-Gamma -----------------------------------------------------------------------------
    rep = x > 0

    def ref_gg():
        return GammaGammaFitter(penalizer_coef=0.0).fit(x[rep], mx[rep])

    t_ours_g, gg = best_of(lambda: clv.fit_gamma_gamma(x, mx), repeat)
    t_ref_g, ggf = best_of(ref_gg, repeat)
    ref_g = {k: float(ggf.params_[k]) for k in ("p", "q", "v")}
    ref_g["gamma"] = ref_g.pop("v")
    ref_gll = float(np.sum(clv.gg_loglik((ref_g["p"], ref_g["q"], ref_g["gamma"]), x[rep], mx[rep])))
    print(f"3. Gamma-Gamma on {int(rep.sum())} repeat customers (published: p 6.25, q 3.74, gamma 15.44, LL -4055.9)")
    print("   param        ours    lifetimes   rel. diff")
    for k in ("p", "q", "gamma"):
        print(f"   {k:<6} {gg.params[k]:11.6f} {ref_g[k]:11.6f}   {rel(gg.params[k], ref_g[k]):9.1e}")
    print(f"   LL     {gg.log_likelihood:11.3f} {ref_gll:11.3f}")
    print(
        f"   fit time: ours {t_ours_g * 1e3:7.1f} ms, lifetimes {t_ref_g * 1e3:7.1f} ms, "
        f"ratio ours/lifetimes {t_ours_g / t_ref_g:5.2f}"
    )

    # 4. the holdout -----------------------------------------------------------------------------
    hold = log[(log["day"] > CAL_END) & (log["day"] <= HOLDOUT_END)]
    per_day = hold.groupby(["customer_id", "day"])["dollar_value"].sum()
    actual_n = len(per_day)
    actual_spend = float(per_day.sum())
    ours_n = clv.expected_purchases(bg, HOLDOUT_WEEKS, x, tx, T)
    ref_n = np.asarray(bgf.conditional_expected_number_of_purchases_up_to_time(HOLDOUT_WEEKS, x, tx, T), float)
    ours_e = clv.expected_spend_per_purchase(gg, x, mx)
    ref_e = np.asarray(
        ggf.conditional_expected_average_profit(pd.Series(x), pd.Series(np.nan_to_num(mx, nan=0.0))), float
    )
    # per customer: actual holdout purchase days, for the error of each prediction
    act = per_day.groupby(level=0).size().reindex(ours_s.index).fillna(0).to_numpy(float)
    print(f"4. Holdout weeks 40-78 ({HOLDOUT_WEEKS:.0f} weeks): repeat purchase days and spend")
    print("                            ours    lifetimes      actual")
    print(f"   purchase days      {ours_n.sum():11,.0f} {ref_n.sum():12,.0f} {actual_n:11,}")
    print(
        f"   off by             {ours_n.sum() / actual_n - 1:+11.1%} {ref_n.sum() / actual_n - 1:+12.1%}"
        f"   (per customer, mean abs. error: ours {np.mean(np.abs(ours_n - act)):.4f}, "
        f"lifetimes {np.mean(np.abs(ref_n - act)):.4f})"
    )
    print(
        f"   spend              {np.sum(ours_n * ours_e):11,.0f} {np.sum(ref_n * ref_e):12,.0f} {actual_spend:11,.0f}"
    )
    print(
        f"   off by             {np.sum(ours_n * ours_e) / actual_spend - 1:+11.1%} "
        f"{np.sum(ref_n * ref_e) / actual_spend - 1:+12.1%}"
    )
    worst = max(rel(bg.params[k], ref_p[k]) for k in ref_p)
    worst_g = max(rel(gg.params[k], ref_g[k]) for k in ref_g)
    ok = worst < 1e-3 and worst_g < 1e-3 and rel(ours_n.sum(), ref_n.sum()) < 1e-3
    print(
        f"   parameters within 1e-3 of lifetimes: {'yes' if ok else 'NO'} "
        f"(BG/NBD {worst:.1e}, Gamma-Gamma {worst_g:.1e}; holdout purchases {rel(ours_n.sum(), ref_n.sum()):.1e})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
