"""Where a CLI run's time goes, for every built-in analysis on a 1M-line orders file: ``bizops-desktop
run <id> --data F --out D --timings`` in a fresh subprocess each, and per analysis the total (wall
clock, from start of the process to its exit), the analysis itself, and the share outside it
(start-up and plugins, reading the file, writing the tables, summary and plots), each in wall-clock
and in CPU seconds (user + system, of the process and its workers: what a busy shared machine
stretches least). Issue 14's target: at most 20% outside the analysis.

    .venv/bin/python benchmarks/bench_cli_split.py [--lines 1000000] [--only basket,churn] [--no-plots]

Input: generated, fixed seed: orders of 1 to 6 lines (about 3 on average) by 60,000 customers (a
few loyal, many occasional, some who stop buying) over two years, 2,000 products (Zipf popularity,
names, a base price each with promotions at 15% off now and then, fewer units bought at the full
price), quantities, unit prices and line amounts: enough for basket, recommender, forecast,
pricing, churn, segments and stock.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANALYSES = ["basket", "recommender", "forecast", "pricing", "churn", "segments", "stock"]


def write_orders(path: Path, n_lines: int, seed: int = 14) -> int:
    """The orders CSV (see the module's docstring); returns the number of lines written."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    rng = np.random.default_rng(seed)
    n_products, n_customers, days = 2_000, 60_000, 730
    sizes = rng.choice(np.arange(1, 7), size=n_lines // 2, p=[0.25, 0.25, 0.2, 0.15, 0.1, 0.05])
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), n_lines) + 1]
    n_orders = len(sizes)
    # customers: Zipf-ish activity; a third stop buying at some point of the two years
    weight = 1.0 / np.arange(1, n_customers + 1) ** 0.7
    customer = rng.choice(n_customers, size=n_orders, p=weight / weight.sum())
    stop = np.where(rng.uniform(size=n_customers) < 1 / 3, rng.integers(120, days, n_customers), days)
    day = (rng.uniform(size=n_orders) * stop[customer]).astype(np.int64)
    order_at = np.argsort(day, kind="stable")  # order numbers follow the calendar
    customer, day = customer[order_at], day[order_at]
    line_order = np.repeat(np.arange(n_orders), sizes)[:n_lines]
    pop = 1.0 / np.arange(1, n_products + 1) ** 1.1
    product = rng.choice(n_products, size=len(line_order), p=pop / pop.sum())
    line_day = day[line_order]
    base = np.round(rng.lognormal(3.0, 0.8, n_products), 2) + 0.99
    promo = ((line_day // 7 + product * 3) % 9) == 0  # one week in nine at 15% off
    price = np.round(base[product] * np.where(promo, 0.85, 1.0), 2)
    seasonal = 1.0 + 0.3 * np.sin(2 * np.pi * line_day / 365.25)
    quantity = 1 + rng.poisson(0.6 * seasonal * np.where(promo, 1.6, 1.0))
    amount = np.round(price * quantity, 2)
    names = np.array([f"Product {i:04d}" for i in range(n_products)], dtype=object)
    table = pa.table(
        {
            "order_id": pc.binary_join_element_wise("SO", pa.array(line_order + 100_000).cast(pa.string()), ""),
            "customer_id": pc.binary_join_element_wise("C", pa.array(customer[line_order]).cast(pa.string()), ""),
            "order_date": pa.array((line_day + 19358).astype("int32"), type=pa.int32()).cast(pa.date32()),
            "product_id": pc.binary_join_element_wise("P", pa.array(product + 1000).cast(pa.string()), ""),
            "product_name": pa.array(names[product], type=pa.string()),
            "quantity": pa.array(quantity),
            "unit_price": pa.array(price),
            "amount": pa.array(amount),
        }
    )
    pcsv.write_csv(table, str(path), pcsv.WriteOptions(quoting_style="needed"))
    return table.num_rows


def run_cli(analysis: str, data: Path, out: Path, plots: bool) -> dict:
    cmd = [sys.executable, "-m", "bizops_desktop", "run", analysis, "--data", str(data), "--out", str(out)]
    cmd += ["--quiet", "--timings"]
    if not plots:
        cmd.append("--no-plots")
    env = {**os.environ, "BIZOPS_LANG": "en", "QT_QPA_PLATFORM": "offscreen"}
    t0, c0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
    split: dict = {}
    cpu_split: dict = {}
    for line in proc.stderr.splitlines():
        if line.startswith("timings "):
            split = json.loads(line[len("timings ") :])
        elif line.startswith("cpu "):
            cpu_split = json.loads(line[len("cpu ") :])
    problem = None if proc.returncode == 0 else (proc.stderr.strip().splitlines() or ["?"])[-1][:120]
    return {"wall": wall, "cpu": cpu, "split": split, "cpu_split": cpu_split, "problem": problem}


FLOOR = r"""
import sys, time
t0 = time.perf_counter()
import pandas, pyarrow.csv as pacsv
t1 = time.perf_counter()
frame = pacsv.read_csv(sys.argv[1]).to_pandas()
print(t1 - t0, time.perf_counter() - t1, len(frame))
"""


def floor(data: Path) -> dict:
    """What any run on this file costs before an analysis starts, at its quickest: a fresh
    interpreter importing pandas and pyarrow, and Arrow reading the CSV into pandas (no roles,
    no checks): wall clock of the whole process, and its CPU seconds."""
    t0, c0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run([sys.executable, "-c", FLOOR, str(data)], capture_output=True, text=True, check=True)
    imports, read, _n = proc.stdout.split()
    return {
        "wall": time.perf_counter() - t0,
        "cpu": _children_cpu() - c0,
        "imports": float(imports),
        "read": float(read),
    }


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished subprocesses (and their workers) so far."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--only", default="", help="comma-separated analyses (default: all seven)")
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument("--keep", metavar="DIR", help="write the input and the results here (kept)")
    a = ap.parse_args()
    analyses = [x for x in a.only.split(",") if x] or ANALYSES
    with tempfile.TemporaryDirectory(prefix="bench-cli-split-") as tmp:
        folder = Path(a.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        data = folder / "orders.csv"
        t = time.perf_counter()
        lines = write_orders(data, a.lines)
        size = data.stat().st_size / 1e6
        print(f"input: {lines:,} order lines, {size:.0f} MB (written in {time.perf_counter() - t:.1f} s)")
        head = f"| {'analysis':<11s} | {'clock':>5s} | {'total s':>7s} | {'start':>6s} | {'read':>6s} | "
        head += f"{'analysis':>8s} | {'tables':>6s} | {'plots':>6s} | outside the analysis"
        print(head)
        print("|" + "|".join("-" * len(c) for c in head.split("|")[1:]))
        base = floor(data)
        least: dict[str, list[float]] = {"wall": [], "cpu": []}  # each run's start-up + read
        for aid in analyses:
            r = run_cli(aid, data, folder / f"out-{aid}", plots=not a.no_plots)
            if r["problem"] or not r["split"]:
                print(f"| {aid:<11s} | wall  | {r['wall']:7.1f} | failed: {r['problem']}", flush=True)
                continue
            # wall: from the start of the process to its exit; cpu: user + system seconds of the
            # process and its workers (a shared machine stretches the first, hardly the second)
            for clock, total, s in (("wall", r["wall"], r["split"]), ("cpu", r["cpu"], r["cpu_split"])):
                if not s:
                    continue
                start = total - sum(v for k, v in s.items() if k != "start")  # interpreter, imports; exit
                least[clock].append(start + s.get("read", 0.0))
                outside = (total - s["analysis"]) / total
                mark = "ok" if outside <= 0.20 else "over 20%"
                print(
                    f"| {aid:<11s} | {clock:>5s} | {total:7.1f} | {start:6.1f} | {s.get('read', 0):6.1f} | "
                    f"{s['analysis']:8.1f} | {s.get('tables', 0):6.1f} | {s.get('plots', 0):6.1f} | "
                    f"{outside:5.0%} ({mark})",
                    flush=True,
                )
        if least["wall"]:
            w, c = min(least["wall"]), min(least["cpu"])
            print(
                f"floor in this run: start-up (interpreter, imports, plugins, exit) and reading the file take at "
                f"least {w:.2f} s wall, {c:.2f} s CPU in every run above, so 20% outside the analysis needs an "
                f"analysis of at least 4x that ({4 * w:.1f} s wall, {4 * c:.1f} s CPU) even with no table or plot. "
                f"For scale: a fresh python importing pandas and pyarrow takes {base['imports']:.2f} s, "
                f"pyarrow.csv.read_csv().to_pandas() of the same file {base['read']:.2f} s "
                f"({base['wall']:.2f} s wall, {base['cpu']:.2f} s CPU for that process)."
            )


if __name__ == "__main__":
    main()
