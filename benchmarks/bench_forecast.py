"""Benchmark: method=auto on many monthly series with trend and season, against seasonal naive,
statsforecast's AutoETS and pmdarima's auto_arima on the same series in the same run.

    python benchmarks/bench_forecast.py            # 500 series of 48 months, 12 ahead
    python benchmarks/bench_forecast.py --quick    # 40 series

Each series has 60 generated months: the first 48 are the history, the last 12 the truth.
Times are wall-clock on this machine in this run; compare ratios, not seconds. pmdarima is slow,
so it runs on a subset (--pmdarima-n) and its total is extrapolated from the time per series.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

# One BLAS thread per process for every contender, set before numpy and scipy load their BLAS:
# threads on these tiny matrices only slow each other down on a shared 2-core machine.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

SEED = 20240611
N_HIST, H, M = 48, 12, 12


def make_series(n: int, seed: int = SEED) -> np.ndarray:
    """n x 60 positive monthly series: level, linear trend, additive or multiplicative yearly
    season with a random shape and phase, and noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(N_HIST + H)
    out = np.empty((n, len(t)))
    for i in range(n):
        level = rng.uniform(50, 500)
        slope = rng.normal(0, 0.006) * level
        amp = rng.uniform(0.05, 0.35)
        phase = rng.uniform(0, 2 * np.pi)
        shape = np.sin(2 * np.pi * t / M + phase) + rng.uniform(0, 0.5) * np.sin(4 * np.pi * t / M + 2 * phase)
        noise = rng.normal(0, rng.uniform(0.02, 0.1), len(t))
        base = level + slope * t
        if rng.random() < 0.5:
            y = base * (1 + amp * shape) * (1 + noise)
        else:
            y = base + level * amp * shape + level * noise
        out[i] = np.maximum(y, 1.0)
    return out


def smape(actual: np.ndarray, pred: np.ndarray) -> float:
    """Mean over series of the 12-step sMAPE (0..200)."""
    den = np.abs(actual) + np.abs(pred)
    return float(np.mean(np.mean(200 * np.abs(actual - pred) / np.where(den == 0, 1, den), axis=1)))


def mase(hist: np.ndarray, actual: np.ndarray, pred: np.ndarray) -> float:
    scale = np.mean(np.abs(hist[:, M:] - hist[:, :-M]), axis=1)
    return float(np.mean(np.mean(np.abs(actual - pred), axis=1) / scale))


def run_ours(hist: np.ndarray, workers: int) -> tuple[np.ndarray, float, dict]:
    from bizops_forecast.parallel import run_many

    items = [(f"s{i}", hist[i].tolist()) for i in range(len(hist))]
    cfg = {"method": "auto", "horizon": H, "m": M}
    t0 = time.perf_counter()
    out = run_many(items, cfg, workers=workers, in_process_below=1 if workers > 1 else 10**9)
    dt = time.perf_counter() - t0
    errors = [k for k, r in out.items() if "error" in r]
    if errors:
        raise SystemExit(f"{len(errors)} series failed, e.g. {out[errors[0]]['error']}")
    pred = np.array([out[f"s{i}"]["forecast"] for i in range(len(hist))])
    chosen: dict = {}
    for r in out.values():
        chosen[r["method"]] = chosen.get(r["method"], 0) + 1
    return pred, dt, chosen


def run_statsforecast(hist: np.ndarray) -> tuple[np.ndarray, float, float]:
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    def frame(block):
        ds = pd.date_range("2020-01-01", periods=N_HIST, freq="MS")
        return pd.DataFrame(
            {
                "unique_id": np.repeat([f"s{i}" for i in range(len(block))], N_HIST),
                "ds": np.tile(ds, len(block)),
                "y": block.ravel(),
            }
        )

    # The first call compiles numba code; timed separately so the comparison is of warm runs.
    t0 = time.perf_counter()
    StatsForecast(models=[AutoETS(season_length=M)], freq="MS", n_jobs=1).forecast(df=frame(hist[:3]), h=H)
    warm = time.perf_counter() - t0
    df = frame(hist)
    t0 = time.perf_counter()
    fc = StatsForecast(models=[AutoETS(season_length=M)], freq="MS", n_jobs=1).forecast(df=df, h=H)
    dt = time.perf_counter() - t0
    if "unique_id" not in fc.columns:
        fc = fc.reset_index()
    fc["k"] = fc["unique_id"].str[1:].astype(int)
    fc = fc.sort_values(["k", "ds"])
    pred = fc["AutoETS"].to_numpy().reshape(len(hist), H)
    return pred, dt, warm


def run_pmdarima(hist: np.ndarray) -> tuple[np.ndarray, float]:
    import pmdarima as pm

    preds = []
    t0 = time.perf_counter()
    for y in hist:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = pm.auto_arima(y, m=M, seasonal=True, suppress_warnings=True, error_action="ignore")
            preds.append(model.predict(n_periods=H))
    return np.array(preds), time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="40 series instead of 500")
    ap.add_argument("--n", type=int, default=None, help="number of series")
    ap.add_argument("--pmdarima-n", type=int, default=None, help="series given to pmdarima (default 60, quick 10)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    n = args.n or (40 if args.quick else 500)
    n_pm = min(n, args.pmdarima_n or (10 if args.quick else 60))
    data = make_series(n)
    hist, actual = data[:, :N_HIST], data[:, N_HIST:]
    print(
        f"{n} monthly series, {N_HIST} months of history, {H} ahead; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )

    snaive = np.tile(hist[:, -M:], (1, H // M + 1))[:, :H]

    ours, t_ours, chosen = run_ours(hist, args.workers)
    print(
        f"ours (auto, {args.workers} worker processes): {t_ours:.1f} s total, "
        f"{1000 * t_ours / n:.0f} ms per series (wall); chosen: {chosen}"
    )
    # Core for core: the same code in one process on a subset, as pmdarima runs.
    n_seq = min(n, max(10, n // 10))
    run_ours(hist[:2], 1)  # warm-up: the first call imports statsmodels into this process
    _, t_seq, _ = run_ours(hist[:n_seq], 1)
    per_seq = t_seq / n_seq
    print(f"ours in one process: {1000 * per_seq:.0f} ms per series (on {n_seq} series)")

    sf, t_sf, warm = run_statsforecast(hist)
    print(
        f"statsforecast AutoETS (1 job): {t_sf:.1f} s total, {1000 * t_sf / n:.0f} ms per series "
        f"(plus {warm:.1f} s numba compile on first call, not counted)"
    )

    pm_pred, t_pm = run_pmdarima(hist[:n_pm])
    per_pm = t_pm / n_pm
    print(
        f"pmdarima auto_arima: {1000 * per_pm:.0f} ms per series on {n_pm} series; "
        f"extrapolated to {n}: {per_pm * n:.0f} s"
    )

    print("\naccuracy on the 12 held-out months (mean over series; lower is better)")
    rows = [
        ("ours (auto)", ours, slice(None)),
        ("seasonal naive", snaive, slice(None)),
        ("statsforecast AutoETS", sf, slice(None)),
    ]
    for name, pred, sl in rows:
        print(
            f"  {name:24s} sMAPE {smape(actual[sl], pred[sl]):6.2f}   MASE {mase(hist[sl], actual[sl], pred[sl]):.3f}"
        )
    sub = slice(0, n_pm)
    print(
        f"  on pmdarima's {n_pm} series: ours sMAPE {smape(actual[sub], ours[sub]):.2f}, "
        f"pmdarima {smape(actual[sub], pm_pred):.2f}, seasonal naive {smape(actual[sub], snaive[sub]):.2f}, "
        f"AutoETS {smape(actual[sub], sf[sub]):.2f}"
    )

    print("\nratios")
    print(f"  sMAPE ours / seasonal naive: {smape(actual, ours) / smape(actual, snaive):.3f}")
    print(f"  sMAPE ours / AutoETS:        {smape(actual, ours) / smape(actual, sf):.3f}")
    print(f"  speed vs pmdarima, wall (ours {args.workers} processes, pmdarima 1): {per_pm * n / t_ours:.1f}x faster")
    print(f"  speed vs pmdarima, one process each: {per_pm / per_seq:.1f}x faster")
    print(
        f"  time ours (wall) / AutoETS (warm, 1 job): {t_ours / t_sf:.2f}; one process each: {per_seq / (t_sf / n):.2f}"
    )
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
