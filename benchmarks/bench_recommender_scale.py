"""The Recommendations tab at real size: the whole analysis (ratings view, BM25 item similarities,
the check on later weeks with 13 best-seller weights, recommendations for every customer with
their reasons and "customers like this one", the similar-products table, due to buy again) on the
generated orders of benchmarks/bench_gui_big.py, in a child process that reports its time, CPU
time and peak memory (ru_maxrss); against, on the same matrix in the same run, `implicit`'s
BM25Recommender (K = 40) fitted and asked for every customer's top 10 (no evaluation, no tables):
the yardstick of a plain item-kNN pass.

    python benchmarks/bench_recommender_scale.py [--quick] [--sizes 40000,156000] [--engine local]

Sizes are numbers of baskets (bench_gui_big: 40,000 is its --quick, about 37,000 products and
20,000 customers; 156,000 is its full size, about 50,000 products). --quick: 40,000 only.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))


def child_ours(path: str) -> dict:
    from bizops_desktop.core.importer.read import load_dataset
    from bizops_recommender import ANALYSIS

    ds = load_dataset(path)
    t0, c0 = time.perf_counter(), time.process_time()
    res = ANALYSIS.execute(ds, {})
    m = res.metrics
    return {
        "seconds": time.perf_counter() - t0,
        "cpu": time.process_time() - c0,
        "customers": m["customers"],
        "products": m["products"],
        "evaluated": m.get("evaluated_customers"),
        "precision": m.get(f"precision_at_{m.get('eval_k', 10)}"),
        "best_sellers": m.get(f"precision_at_{m.get('eval_k', 10)}_best_sellers"),
        "rows": {k: len(v) for k, v in res.tables.items()},
    }


def child_implicit(path: str) -> dict:
    import numpy as np
    from implicit.nearest_neighbours import BM25Recommender

    from bizops_desktop.core.importer.read import load_dataset
    from bizops_desktop.core.views.ratings import ratings_from_dataset

    rm = ratings_from_dataset(load_dataset(path))
    R = rm.matrix.astype(np.float32).tocsr()
    t0, c0 = time.perf_counter(), time.process_time()
    model = BM25Recommender(K=40, K1=1.2, B=0.75)
    model.fit(R, show_progress=False)
    users = np.arange(R.shape[0])
    for a in range(0, len(users), 2000):
        model.recommend(users[a : a + 2000], R[users[a : a + 2000]], N=10, filter_already_liked_items=True)
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0}


def run_child(kind: str, path: Path, engine: str | None) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    if engine:
        env["BIZOPS_ENGINE"] = engine
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True, env=env, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sizes", default="")
    ap.add_argument("--engine", default=None, help="local (worker processes above 20,000 products) or leave unset")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, path = a.child
        got = child_ours(path) if kind == "ours" else child_implicit(path)
        got["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(got))
        return
    from bench_gui_big import generate

    sizes = [int(s) for s in a.sizes.split(",") if s] or ([40_000] if a.quick else [40_000, 156_000])
    folder = Path(tempfile.mkdtemp())
    print(
        f"{'baskets':>8} {'lines':>9} {'customers':>9} {'products':>8}  {'ours s':>7} {'cpu s':>6} {'peak MB':>7}"
        f"  {'implicit s':>10} {'peak MB':>7}  {'ratio':>5}  precision@k ours / best sellers (customers checked)"
    )
    for n in sizes:
        path = folder / f"orders_{n}.csv"
        info = generate(path, n)
        ours = run_child("ours", path, a.engine)
        ref = run_child("implicit", path, None)
        print(
            f"{n:>8,} {info['lines']:>9,} {ours['customers']:>9,} {ours['products']:>8,}  {ours['seconds']:>7.1f}"
            f" {ours['cpu']:>6.1f} {ours['peak_mb']:>7.0f}  {ref['seconds']:>10.1f} {ref['peak_mb']:>7.0f}"
            f"  {ours['seconds'] / max(ref['seconds'], 1e-9):>5.1f}"
            f"  {ours['precision']:.4f} / {ours['best_sellers']:.4f}"
            f" ({ours['evaluated']:,})",
            flush=True,
        )
        path.unlink()


if __name__ == "__main__":
    main()
