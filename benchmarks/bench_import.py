"""Import speed: our read_table (detection, chunked reading with progress, date parsing, checks)
against plain pandas.read_csv on the same generated orders CSV, in the same run.

    python benchmarks/bench_import.py           # 1,000,000 rows
    python benchmarks/bench_import.py --quick   # 100,000 rows
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bizops_desktop.core.importer import load_dataset, read_table
from bizops_desktop.core.progress import Progress

PRODUCTS = ["保温杯", "Tea set", "绿茶 250g", "Coffee mug", "帆布包", "Notebook A5", "蓝牙耳机",
            "USB cable", "雨伞", "Desk lamp", "毛巾", "Water bottle"]


def make_orders(path: Path, n: int, seed: int = 20240305) -> None:
    rng = np.random.default_rng(seed)
    n_products = 200
    product = rng.integers(0, n_products, n)
    names = np.array([f"{PRODUCTS[i % len(PRODUCTS)]} {i}" for i in range(n_products)], dtype=object)
    prices = np.round(rng.uniform(1, 300, n_products), 2)
    qty = rng.integers(1, 6, n)
    qty[rng.random(n) < 0.01] *= -1          # some returns
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    frame = pd.DataFrame({
        "order_id": np.char.add("O", (np.arange(n) // 3 + 100000).astype(str)),
        "customer_id": np.char.add("C", rng.integers(1, 50000, n).astype(str)),
        "date": days.strftime("%Y-%m-%d"),
        "product_id": np.char.add("P", product.astype(str)),
        "product_name": names[product],
        "quantity": qty,
        "unit_price": prices[product],
        "amount": np.round(qty * prices[product], 2),
    })
    frame.to_csv(path, index=False, encoding="utf-8")


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100,000 rows instead of 1,000,000")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n = 100_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.csv"
        make_orders(path, n)
        size_mb = path.stat().st_size / 1e6
        print(f"orders CSV: {n:,} rows, {size_mb:.1f} MB")

        reports = []
        progress = Progress(lambda f, t: reports.append(f))
        ours_result = read_table(path, progress=progress)
        assert str(ours_result.frame["date"].dtype).startswith("datetime64"), "dates were not parsed"
        assert len(ours_result.frame) == n

        plain = best_of(lambda: pd.read_csv(path), args.repeat)
        plain_dates = best_of(lambda: pd.read_csv(path, parse_dates=["date"]), args.repeat)
        ours = best_of(lambda: read_table(path), args.repeat)
        full = best_of(lambda: load_dataset(path), 1)
        print(f"pandas.read_csv (no date parsing)      {plain:7.2f} s")
        print(f"pandas.read_csv(parse_dates=['date'])  {plain_dates:7.2f} s")
        print(f"read_table (detect + dates + checks)   {ours:7.2f} s")
        print(f"load_dataset (+ roles + sha256)        {full:7.2f} s")
        print(f"ratio read_table / pandas.read_csv:                   {ours / plain:.2f}x")
        print(f"ratio read_table / pandas.read_csv with parse_dates:  {ours / plain_dates:.2f}x")
        print(f"progress reports during one read_table: {len(reports)}")


if __name__ == "__main__":
    main()
