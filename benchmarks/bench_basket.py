"""Basket rules speed and memory: our Apriori against mlxtend's fpgrowth and apriori(low_memory)
on the same baskets, in the same run, each in its own fresh subprocess; prints ratios.

    .venv/bin/python benchmarks/bench_basket.py [--quick]

Inputs: generated baskets (fixed seed, Zipf item popularity, ~4 items a basket; 20,000 x 1,000
items, 5,000 x 500 with --quick) and the real supermarket baskets in tests/data.
Time: best of several repetitions of the mining step alone (inputs already built: our
Baskets view, mlxtend's one-hot DataFrame), and once more from the orders table (building the
input included). Memory: each run is a fresh subprocess; we read its peak resident set
(ru_maxrss) just before and just after its first mining run (input built, nothing mined yet)
and report the rise and the peak, plus tracemalloc's peak of Python/numpy allocations during
one later mining run. Itemsets and supports are checked equal to ours.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUPERMARKET = ROOT / "tests" / "data" / "supermarket_baskets_long.csv"
APRIORI_TIME_LIMIT = 60.0  # seconds; mlxtend apriori is stopped past this
APRIORI_MEMORY_LIMIT = 8 << 30  # bytes of address space for the mlxtend apriori child


def generate(n_orders: int, n_items: int, mean_len: float = 4.0, zipf_s: float = 1.0, seed: int = 7):
    """Order lines of Zipf-popular items: basket sizes 1 + Poisson(mean_len - 1)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    w = 1.0 / np.arange(1, n_items + 1) ** zipf_s
    w /= w.sum()
    sizes = np.minimum(1 + rng.poisson(mean_len - 1, n_orders), n_items)
    orders = np.repeat(np.arange(n_orders), sizes)
    items = np.concatenate([rng.choice(n_items, size=s, replace=False, p=w) for s in sizes])
    return orders, items


# ------------------------------------------------------------------------------------------------
# Child: one implementation on one input, prints one JSON line.


def _load_lines(case_file: str):
    import numpy as np
    import pandas as pd

    z = np.load(case_file, allow_pickle=False)
    return pd.DataFrame({"order": z["orders"], "product": z["items"]})


def _onehot(lines):
    import numpy as np
    import pandas as pd

    oc, ou = pd.factorize(lines["order"])
    ic, iu = pd.factorize(lines["product"], sort=True)
    x = np.zeros((len(ou), len(iu)), dtype=bool)
    x[oc, ic] = True
    return pd.DataFrame(x, columns=[str(v) for v in iu])


def child(impl: str, case_file: str, support: float, reps: int, out_file: str) -> None:
    import tracemalloc

    import numpy as np

    sys.path.insert(0, str(ROOT / "plugins"))
    from bizops_desktop.core.views.baskets import baskets_from_orders

    lines = _load_lines(case_file)
    if impl == "ours":
        from bizops_basket.apriori import frequent_itemsets, min_count_for

        def build():
            return baskets_from_orders(lines, "order", "product")

        def mine(b):
            return frequent_itemsets(b, min_count_for(support, b.n_orders), max_itemsets=10**9)
    else:
        from mlxtend.frequent_patterns import apriori, fpgrowth

        def build():
            return _onehot(lines)

        if impl == "fpgrowth":

            def mine(x):
                return fpgrowth(x, min_support=support)
        else:

            def mine(x):
                return apriori(x, min_support=support, low_memory=True)

    data = build()
    # Memory first, on a cold process: the peak resident set before and after one mining run.
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    mine(data)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    best = float("inf")
    started = time.perf_counter()
    for _ in range(reps):
        t = time.perf_counter()
        res = mine(data)
        best = min(best, time.perf_counter() - t)
        if time.perf_counter() - started > 10:  # slow runs vary little; fewer repetitions
            break
    t = time.perf_counter()
    mine(build())
    end_to_end = time.perf_counter() - t
    tracemalloc.start()
    mine(data)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    if impl == "ours":
        n = data.n_orders
        ids = data.item_ids
        sets = {
            json.dumps(sorted(int(ids[j]) for j in row)): int(c)
            for lv, cn in zip(res.levels, res.counts)
            for row, c in zip(lv.tolist(), cn.tolist())
        }
    else:
        n = len(data)
        cols = np.asarray(data.columns)
        sets = {
            json.dumps(sorted(int(cols[j]) for j in iset)): int(round(s * n))
            for iset, s in zip(res["itemsets"], res["support"])
        }
    Path(out_file).write_text(
        json.dumps(
            {
                "seconds": best,
                "end_to_end": end_to_end,
                "rss_peak": rss_after,
                "rss_rise": max(rss_after - rss_before, 0),
                "traced_peak": traced_peak,
                "itemsets": sets,
            }
        )
    )


def run_child(impl, case_file, support, reps, limit_s=None, limit_mem=None):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    cmd = [sys.executable, __file__, "--child", impl, case_file, repr(support), str(reps), out]

    def limits():
        if limit_mem:
            resource.setrlimit(resource.RLIMIT_AS, (limit_mem, limit_mem))

    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=limit_s, preexec_fn=limits)
    except subprocess.TimeoutExpired:
        os.unlink(out)
        return {"skipped": f"stopped after {limit_s:.0f} s"}
    try:
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-1:] or ["?"]
            if "MemoryError" in proc.stderr or "Unable to allocate" in proc.stderr:
                return {"skipped": f"ran out of its {limit_mem / 2**30:.0f} GB allowance"}
            return {"skipped": f"failed: {tail[0]}"}
        return json.loads(Path(out).read_text())
    finally:
        os.unlink(out)


# ------------------------------------------------------------------------------------------------
def cancel_latency() -> tuple[float, float]:
    """Start a deliberately huge search (every pair of the supermarket departments and more),
    press Cancel after 0.5 s, return (seconds until it stopped, seconds it had run)."""
    sys.path.insert(0, str(ROOT / "plugins"))
    import pandas as pd

    from bizops_basket.apriori import frequent_itemsets
    from bizops_desktop.core.errors import Cancelled
    from bizops_desktop.core.progress import Progress
    from bizops_desktop.core.views.baskets import baskets_from_orders

    df = pd.read_csv(SUPERMARKET)
    b = baskets_from_orders(df, "basket_id", "item")
    ev = threading.Event()
    stopped = {}

    def work():
        t = time.perf_counter()
        try:
            frequent_itemsets(b, 2, max_len=10, max_itemsets=10**9, progress=Progress(cancel_event=ev))
        except Cancelled:
            stopped["at"] = time.perf_counter()
        stopped["ran"] = time.perf_counter() - t

    th = threading.Thread(target=work)
    th.start()
    time.sleep(0.5)
    pressed = time.perf_counter()
    ev.set()
    th.join()
    return stopped.get("at", float("nan")) - pressed, stopped["ran"]


def guard_cost() -> tuple[str, float, float]:
    """A hopeless request (every combination of the supermarket departments, min_count 1, no
    length limit): how long until the clear message, and tracemalloc's peak meanwhile (MB)."""
    import tracemalloc

    import pandas as pd

    sys.path.insert(0, str(ROOT / "plugins"))
    from bizops_basket.apriori import frequent_itemsets
    from bizops_desktop.core.errors import DataError
    from bizops_desktop.core.views.baskets import baskets_from_orders

    b = baskets_from_orders(pd.read_csv(SUPERMARKET), "basket_id", "item")
    tracemalloc.start()
    t = time.perf_counter()
    try:
        frequent_itemsets(b, 1, max_len=None, max_itemsets=500_000)
        msg = "no error (unexpected)"
    except DataError as exc:
        msg = str(exc)
    took = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return msg, took, peak


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller generated baskets, fewer repetitions")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        impl, case_file, support, reps, out = args.child
        child(impl, case_file, float(support), int(reps), out)
        return 0

    import numpy as np
    import pandas as pd

    tmp = Path(tempfile.mkdtemp(prefix="bench_basket_"))
    n_orders, n_items = (5_000, 500) if args.quick else (20_000, 1_000)
    o, i = generate(n_orders, n_items)
    gen_file = tmp / "generated.npz"
    np.savez(gen_file, orders=o, items=i)
    sm = pd.read_csv(SUPERMARKET)
    sm_file = tmp / "supermarket.npz"
    codes, names = pd.factorize(sm["item"], sort=True)
    np.savez(sm_file, orders=sm["basket_id"].to_numpy(), items=codes)

    cases = [
        (f"generated {n_orders:,} x {n_items:,}", gen_file, 0.002),
        (f"generated {n_orders:,} x {n_items:,}", gen_file, 0.001),
        ("supermarket 4,627 x 122", sm_file, 0.1),
    ]
    if not args.quick:
        cases.append(("supermarket 4,627 x 122", sm_file, 0.05))
    reps = 2 if args.quick else 5
    print(
        f"bench_basket: {'quick' if args.quick else 'full'} run; time = best of {reps} mining runs "
        "(inputs prebuilt); memory = rise of the peak RSS (ru_maxrss) over the first mining run in a "
        "fresh subprocess, that peak, and tracemalloc's peak during one mining run.\n"
    )
    header = (
        f"{'input':26} {'min_sup':>7} {'impl':9} {'itemsets':>8} {'seconds':>9} {'from table':>10} "
        f"{'RSS rise MB':>11} {'RSS peak MB':>11} {'traced MB':>9}  same?"
    )
    print(header)
    print("-" * len(header))
    summary = []
    for label, f, sup in cases:
        results = {}
        for impl in ("ours", "fpgrowth", "apriori"):
            if impl == "apriori":
                r = run_child(impl, str(f), sup, 1, APRIORI_TIME_LIMIT, APRIORI_MEMORY_LIMIT)
            else:
                r = run_child(impl, str(f), sup, reps)
            results[impl] = r
            if "skipped" in r:
                print(
                    f"{label:26} {sup:7g} {impl:9} skipped: {r['skipped']} "
                    f"(limits {APRIORI_TIME_LIMIT:.0f} s, {APRIORI_MEMORY_LIMIT / 2**30:.0f} GB)"
                )
                continue
            same = "" if impl == "ours" else ("yes" if r["itemsets"] == results["ours"]["itemsets"] else "NO")
            print(
                f"{label:26} {sup:7g} {impl:9} {len(r['itemsets']):8,} {r['seconds']:9.4f} "
                f"{r['end_to_end']:10.4f} {r['rss_rise'] / 2**20:11.1f} {r['rss_peak'] / 2**20:11.1f} "
                f"{r['traced_peak'] / 2**20:9.2f}  {same}"
            )
        summary.append((label, sup, results))
    print("\nRatios, ours / reference (below 1 = ours is faster or smaller):")
    for label, sup, res in summary:
        ours = res["ours"]
        for ref in ("fpgrowth", "apriori"):
            r = res[ref]
            if "skipped" in r:
                print(f"  {label}, min_support {sup:g}, vs mlxtend {ref}: reference skipped ({r['skipped']})")
                continue
            rr = r["rss_rise"]
            rss = (
                f"{ours['rss_rise'] / rr:.3f}"
                if rr > 0
                else f"n/a (reference rise 0, ours {ours['rss_rise'] / 2**20:.1f} MB)"
            )
            print(
                f"  {label}, min_support {sup:g}, vs mlxtend {ref}: time {ours['seconds'] / r['seconds']:.3f}, "
                f"from table {ours['end_to_end'] / r['end_to_end']:.3f}, RSS rise {rss}, "
                f"RSS peak {ours['rss_peak'] / r['rss_peak']:.3f}, traced peak "
                f"{ours['traced_peak'] / max(r['traced_peak'], 1):.3f}"
            )
    shutil.rmtree(tmp, ignore_errors=True)
    lat, ran = cancel_latency()
    msg, took, peak = guard_cost()
    print(
        f"\nGuard: min_count 1 on the supermarket data stopped after {took:.2f} s with {peak:.0f} MB traced peak: {msg}"
    )
    print(
        f"Cancel: a huge search (supermarket, min_count 2, max_len 10) stopped {lat * 1000:.0f} ms after "
        f"Cancel was pressed (it had run {ran:.2f} s)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
