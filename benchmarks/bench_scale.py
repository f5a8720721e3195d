"""Scale: time and peak memory of opening a generated orders CSV and running every analysis on it,
at 1M and 10M lines (in memory, and out of core) and 100M lines (out of core only, --huge). Each
size and engine runs in its own process, so its peak memory (max RSS) is its own. The files are
written with pyarrow's CSV writer in blocks (memory stays flat) into a temporary folder deleted
afterwards (10M lines are about 0.5 GB, 100M about 5.5 GB), and so are the Parquet copies.

    python benchmarks/bench_scale.py               # 1M and 10M lines
    python benchmarks/bench_scale.py --sizes 1e6   # one size
    python benchmarks/bench_scale.py --huge        # adds 100M lines, out of core only

Each step's row: seconds, the highest RSS seen during the step (MB, sampled every 20 ms: what
that step alone needs on top of the table held open), and the process's peak RSS so far (MB). An
analysis the out-of-core path cannot run yet says so (one line: the refusal of core/bigfile.py).
``--only stock,pricing,segments --sizes 1e8`` runs a few analyses at one size."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IN_MEMORY_UP_TO = 10_000_000  # beyond this the in-memory path is not tried (it would not fit)
ANALYSES = ["basket", "recommender", "forecast", "pricing", "churn", "segments", "stock"]


def write_orders(path: Path, n: int, seed: int = 7) -> None:
    """Order lines of a shop: 3 lines an order, 5,000 products (Zipf), 20,000 customers (one per
    order), two years of dates; written in blocks of 2M lines with pyarrow's CSV writer."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    rng = np.random.default_rng(seed)
    block = 2_000_000
    n_orders = max(n // 3, 1)
    writer = None
    try:
        for start in range(0, n, block):
            m = min(block, n - start)
            order = np.arange(start, start + m) // 3
            days = (order * 730 // n_orders).astype("int32") + np.int32(19358)  # from 2023-01-01
            # one customer per order, from a pool that shrinks over the two years: the customers
            # numbered high stop buying one after another (churn has someone to find)
            pool = (20_000 * (1.0 - 0.6 * order / n_orders)).astype(np.int64)
            customer = (((order * 2654435761) % 2**32) * pool) >> 32
            table = pa.table(
                {
                    "order_id": pc.binary_join_element_wise("SO", pa.array(order).cast(pa.string()), ""),
                    "customer_id": pc.binary_join_element_wise("C", pa.array(customer).cast(pa.string()), ""),
                    "date": pa.array(days, type=pa.int32()).cast(pa.date32()),
                    "product_id": pc.binary_join_element_wise(
                        "P", pa.array(rng.zipf(1.3, m).clip(1, 5000)).cast(pa.string()), ""
                    ),
                    "quantity": pa.array(rng.integers(1, 4, m)),
                    "unit_price": pa.array(np.round(rng.uniform(1, 200, m), 2)),
                }
            )
            if writer is None:
                opts = pcsv.WriteOptions(quoting_style="needed")
                writer = pcsv.CSVWriter(str(path), table.schema, write_options=opts)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def child(engine: str, path: str) -> None:
    """One size and engine, in this process: one JSON line per step (seconds, peak RSS, outcome)."""
    import resource
    import threading

    import psutil

    from bizops_desktop.core.errors import BizOpsError
    from bizops_desktop.core.plugins import load_registry
    from bizops_desktop.core.progress import Progress

    def peak() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB

    me = psutil.Process()
    seen = [0.0]

    def sample() -> None:
        while True:
            seen[0] = max(seen[0], me.memory_info().rss / 2**20)
            time.sleep(0.02)

    threading.Thread(target=sample, daemon=True).start()

    def emit(step: str, seconds: float, outcome: str) -> None:
        step_mb = max(seen[0], me.memory_info().rss / 2**20)
        seen[0] = 0.0  # the next step's highest RSS starts from here
        row = {"step": step, "s": seconds, "step_mb": step_mb, "peak_mb": peak(), "outcome": outcome}
        print(json.dumps(row), flush=True)

    t = time.perf_counter()
    if engine == "memory":
        from bizops_desktop.core.importer import load_dataset

        ds = load_dataset(path)
    else:
        from bizops_desktop.core.bigfile import open_big

        ds = open_big(path)
    lines = ds.big.lines if ds.big is not None else len(ds.frame)
    emit("open", time.perf_counter() - t, f"{lines:,} lines")
    if os.environ.get("BIZOPS_BENCH_VIEWS"):  # the views the analyses start from, alone
        from bizops_desktop.core.views.baskets import baskets_from_dataset
        from bizops_desktop.core.views.customers import customer_features_from_dataset
        from bizops_desktop.core.views.prices import price_panel
        from bizops_desktop.core.views.ratings import ratings_from_dataset
        from bizops_desktop.core.views.series import series_view

        views = {
            "baskets": lambda: f"{len(baskets_from_dataset(ds).order_ids):,} baskets",
            "series": lambda: f"{len(series_view(ds, freq='W').names):,} series",
            "ratings": lambda: "{:,} x {:,}".format(*ratings_from_dataset(ds).shape),
            "customers": lambda: f"{len(customer_features_from_dataset(ds).frame):,} customers",
            "prices": lambda: "{:,} panel rows".format(
                len(
                    price_panel(
                        ds.frame, product="product_id", date="date", quantity="quantity", price="unit_price", freq="W"
                    ).frame
                )
            ),  # fmt: skip
        }
        for name, fn in views.items():
            t = time.perf_counter()
            outcome = fn()
            emit(name, time.perf_counter() - t, outcome)
        return
    reg = load_registry()
    only = [x for x in os.environ.get("BIZOPS_BENCH_ONLY", "").split(",") if x]
    for aid in only or ANALYSES:
        try:
            analysis = reg.analysis(aid)
        except BizOpsError:
            emit(aid, 0.0, "not installed")
            continue
        t = time.perf_counter()
        try:
            result = analysis.execute(ds, {}, Progress())
            rows = sum(len(v) for v in result.tables.values()) if result.tables else 0
            outcome = f"ok ({rows:,} result rows)"
        except BizOpsError as exc:
            outcome = "refused: " + str(exc).splitlines()[0][:70]
        emit(aid, time.perf_counter() - t, outcome)


def measure(engine: str, path: Path, env: dict):
    """The child's steps, each as soon as it is done (a 100M-line run takes a while)."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", engine, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    for line in proc.stdout:
        if line.startswith("{"):
            yield json.loads(line)
    err = proc.stderr.read()
    if proc.wait() != 0:
        last = (err.strip().splitlines() or ["?"])[-1]
        yield {"step": "failed", "s": 0.0, "step_mb": 0.0, "peak_mb": 0.0, "outcome": last}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sizes", default="1e6,1e7", help="comma-separated line counts")
    ap.add_argument("--huge", action="store_true", help="also 100M lines (out of core only; about 6 GB of disk)")
    ap.add_argument("--only", default="", help="comma-separated analyses (default: all)")
    ap.add_argument("--views", action="store_true", help="time the views the analyses start from, not the analyses")
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "PATH"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.only:
        ANALYSES[:] = [x for x in a.only.split(",") if x]
    if a.child:
        child(*a.child)
        return
    sizes = [int(float(s)) for s in a.sizes.split(",") if s.strip()]
    if a.huge:
        sizes.append(100_000_000)
    head = f"| {'lines':>11s} | {'engine':>11s} | {'step':>11s} | {'seconds':>8s} | {'step MB':>8s} | {'peak MB':>8s} |"
    print(f"{head} outcome")
    print(f"|{'-' * 13}|{'-' * 13}|{'-' * 13}|{'-' * 10}|{'-' * 10}|{'-' * 10}|---------")
    with tempfile.TemporaryDirectory(prefix="bizops-scale-") as tmp:
        env = {**os.environ, "BIZOPS_BIG_CACHE": str(Path(tmp) / "cache"), "BIZOPS_NO_ISOLATION": "1"}
        if a.only:
            env["BIZOPS_BENCH_ONLY"] = a.only
        if a.views:
            env["BIZOPS_BENCH_VIEWS"] = "1"
        for n in sizes:
            path = Path(tmp) / f"orders_{n}.csv"
            t = time.perf_counter()
            write_orders(path, n)
            print(
                f"# {n:,} lines: {path.stat().st_size / 1e9:.2f} GB written in {time.perf_counter() - t:.0f} s",
                flush=True,
            )
            for engine in ("memory", "out of core"):
                if engine == "memory" and n > IN_MEMORY_UP_TO:
                    continue
                for r in measure("memory" if engine == "memory" else "duckdb", path, env):
                    cells = (
                        f"| {n:11,d} | {engine:>11s} | {r['step']:>11s} | {r['s']:8.1f} | {r['step_mb']:8.0f} "
                        f"| {r['peak_mb']:8.0f} |"
                    )
                    print(f"{cells} {r['outcome']}", flush=True)
            path.unlink()
            for f in (Path(tmp) / "cache").glob("*"):
                f.unlink()


if __name__ == "__main__":
    main()
