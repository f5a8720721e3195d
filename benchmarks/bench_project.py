"""Saving and opening a project with a 1,000,000-row orders table, against Parquet (pyarrow) on
the same frame in the same run: the reference for "how fast can typed columns go to disk".

    python benchmarks/bench_project.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.project import Project, load_project, save_project


def orders(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    names = np.array([f"商品{i}" for i in range(500)], dtype=object)
    return pd.DataFrame(
        {
            "order_id": np.arange(n, dtype="int64"),
            "customer_id": rng.integers(0, 20000, n),
            "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730 * 86400, n), unit="s"),
            "product": names[rng.integers(0, 500, n)],
            "quantity": pd.array(rng.integers(1, 5, n), dtype="Int64"),
            "price": rng.random(n) * 100,
            "amount": rng.random(n) * 300,
            "promo": rng.random(n) < 0.1,
        }
    )


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    n = 100_000 if a.quick else 1_000_000
    df = orders(n)
    d = Path(tempfile.mkdtemp())
    proj = Project(datasets={"orders": Dataset("orders", df)}, analyses={})
    save = best(lambda: save_project(proj, d / "a.bizops"), 3)
    load = best(lambda: load_project(d / "a.bizops"), 3)
    pq_save = best(lambda: df.to_parquet(d / "a.parquet"), 3)
    pq_load = best(lambda: pd.read_parquet(d / "a.parquet"), 3)
    pd.testing.assert_frame_equal(load_project(d / "a.bizops").datasets["orders"].frame, df)
    print(f"{n:,} rows x {df.shape[1]} columns")
    print(f"save: ours {save:.2f} s, parquet {pq_save:.2f} s, ratio {save / pq_save:.2f}")
    print(f"open: ours {load:.2f} s, parquet {pq_load:.2f} s, ratio {load / pq_load:.2f}")
    print(
        f"size: ours {os.path.getsize(d / 'a.bizops') / 1e6:.1f} MB, "
        f"parquet {os.path.getsize(d / 'a.parquet') / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
