"""Scale: time and peak memory of the views the analyses start from (baskets, weekly sales series)
on generated orders CSVs of growing size, in memory (load_dataset, then the pandas views) and out
of core (DuckDB reads the file where it lies: core/views/outofcore.py). Each measurement runs in
its own process, so its peak memory (max RSS) is its own. The files are written to a temporary
folder and deleted afterwards (10M lines are about 0.6 GB, 100M about 6 GB).

    python benchmarks/bench_scale.py               # 1M and 10M lines
    python benchmarks/bench_scale.py --sizes 1e6   # one size
    python benchmarks/bench_scale.py --huge        # adds 100M lines, out of core only
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IN_MEMORY_UP_TO = 10_000_000  # beyond this the in-memory path is not tried (it would not fit)


def write_orders(path: Path, n: int, seed: int = 7) -> None:
    """Order lines of a shop: 3 lines an order on average, 5,000 products, 200,000 customers,
    two years of dates; written in blocks so that memory stays flat whatever ``n``."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    block = 2_000_000
    first = True
    for start in range(0, n, block):
        m = min(block, n - start)
        line = np.arange(start, start + m)
        order = line // 3
        frame = pd.DataFrame(
            {
                "order_id": np.char.add("SO", order.astype(str)),
                "customer_id": np.char.add("C", rng.integers(0, 200_000, m).astype(str)),
                "date": (np.datetime64("2023-01-01") + (order * 730 // max(n // 3, 1)).astype("timedelta64[D]")).astype(
                    str
                ),
                "product_id": np.char.add("P", rng.zipf(1.3, m).clip(1, 5000).astype(str)),
                "quantity": rng.integers(1, 4, m),
                "unit_price": np.round(rng.uniform(1, 200, m), 2),
            }
        )
        frame.to_csv(path, mode="w" if first else "a", header=first, index=False)
        first = False


def child(engine: str, path: str) -> None:
    """One measurement, in this process: prints JSON with the seconds of each step and the peak RSS."""
    import resource

    out: dict = {}
    t0 = time.perf_counter()
    if engine == "memory":
        from bizops_desktop.core.importer import load_dataset
        from bizops_desktop.core.views.baskets import baskets_from_dataset
        from bizops_desktop.core.views.series import series_view

        ds = load_dataset(path)
        out["open"] = time.perf_counter() - t0
        t = time.perf_counter()
        b = baskets_from_dataset(ds)
        out["baskets"] = time.perf_counter() - t
        t = time.perf_counter()
        s = series_view(ds, freq="W")
    else:
        from bizops_desktop.core.views.outofcore import baskets_out_of_core, open_big_csv, series_out_of_core

        big = open_big_csv(path)
        out["open"] = time.perf_counter() - t0
        t = time.perf_counter()
        b = baskets_out_of_core(big)
        out["baskets"] = time.perf_counter() - t
        t = time.perf_counter()
        s = series_out_of_core(big, freq="W")
    out["series"] = time.perf_counter() - t
    out["total"] = time.perf_counter() - t0
    out["orders"] = len(b.order_ids)
    out["series_count"] = len(s.names)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(json.dumps(out))


def measure(engine: str, path: Path) -> dict:
    run = subprocess.run(
        [sys.executable, __file__, "--child", engine, str(path)], capture_output=True, text=True, check=False
    )
    if run.returncode != 0:
        return {"error": (run.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1e6,1e7", help="comma-separated line counts")
    ap.add_argument("--huge", action="store_true", help="also 100M lines (out of core only; about 6 GB of disk)")
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "PATH"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(*a.child)
        return
    sizes = [int(float(s)) for s in a.sizes.split(",") if s]
    if a.huge:
        sizes.append(100_000_000)
    print(
        f"{'lines':>12s} {'engine':>12s} {'open s':>8s} {'baskets s':>10s} {'series s':>9s} {'total s':>8s} "
        f"{'peak MB':>8s} {'orders':>11s}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"orders_{n}.csv"
            t = time.perf_counter()
            write_orders(path, n)
            print(f"# {n:,} lines: {path.stat().st_size / 1e9:.2f} GB written in {time.perf_counter() - t:.0f} s")
            for engine in ("memory", "out of core"):
                if engine == "memory" and n > IN_MEMORY_UP_TO:
                    continue
                r = measure("memory" if engine == "memory" else "duckdb", path)
                if "error" in r:
                    print(f"{n:12,d} {engine:>12s} failed: {r['error']}")
                    continue
                print(
                    f"{n:12,d} {engine:>12s} {r['open']:8.1f} {r['baskets']:10.1f} {r['series']:9.1f} "
                    f"{r['total']:8.1f} {r['peak_mb']:8.0f} {r['orders']:11,d}"
                )
            path.unlink()


if __name__ == "__main__":
    main()
