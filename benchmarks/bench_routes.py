"""Delivery routes: how close the tab's solver (PyVRP, as bizops_routes.solver calls it) gets to
the known optima of published benchmark instances, at the tab's default time limit and at longer
limits; prints the gap per instance and a JSON line.

    .venv/bin/python benchmarks/bench_routes.py [--quick] [--seconds 5,30]

Instances: tests/data/vrp (CVRPLIB's Christofides-Eilon E set, 12 to 100 customers; Solomon's
C101/R101/RC101 with 25 and C101/R101 with 100 customers), distances by each file's convention
(CVRPLIB: Euclidean rounded to an integer; Solomon: truncated to one decimal). The solver stops at
the time limit or when it has found nothing better for a while (the tab's own rule), so a row's
time is what the tab would spend. Gap = (distance found / optimum - 1); no reference solver is run:
the reference is the published optimum.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "vrp"
OPTIMA = {  # tests/data/vrp/README.md
    "E-n13-k4.vrp": 247,
    "E-n22-k4.vrp": 375,
    "E-n23-k3.vrp": 569,
    "E-n30-k3.vrp": 534,
    "E-n33-k4.vrp": 835,
    "E-n51-k5.vrp": 521,
    "E-n76-k7.vrp": 682,
    "E-n101-k8.vrp": 815,
    "C101.25.3.vrptw": 191.3,
    "R101.25.8.vrptw": 617.1,
    "RC101.25.4.vrptw": 461.1,
    "C101.100.10.vrptw": 827.3,
    "R101.100.20.vrptw": 1637.7,
}
QUICK = ("E-n22-k4.vrp", "E-n51-k5.vrp", "C101.25.3.vrptw", "R101.25.8.vrptw")


def main(argv=None) -> int:
    sys.path.insert(0, str(ROOT / "plugins"))
    from bizops_routes import DEFAULT_SECONDS
    from bizops_routes import solver as S

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seconds", default=f"{DEFAULT_SECONDS:g},30")
    args = ap.parse_args(argv)
    limits = [float(s) for s in args.seconds.split(",")]
    names = QUICK if args.quick else tuple(OPTIMA)
    rows = []
    print(f"{'instance':20} {'optimum':>8} " + " ".join(f"{f'{s:g} s: gap, time':>22}" for s in limits))
    for name in names:
        inst = S.read_instance(DATA / name)
        cells = []
        for seconds in limits:
            t = time.perf_counter()
            plan = S.solve(inst.problem, seconds)
            wall = time.perf_counter() - t
            found = plan.distance / inst.scale
            ok = plan.feasible and not plan.unserved
            gap = found / OPTIMA[name] - 1 if ok else None
            rows.append(
                {
                    "instance": name,
                    "optimum": OPTIMA[name],
                    "limit_s": seconds,
                    "found": round(found, 1),
                    "feasible": ok,
                    "gap": None if gap is None else round(gap, 5),
                    "seconds": round(wall, 2),
                    "stopped_early": plan.stopped_early,
                }
            )
            cells.append(f"{(f'{100 * gap:.2f}%' if gap is not None else 'infeasible'):>10} {wall:8.1f} s")
        print(f"{name:20} {OPTIMA[name]:>8} " + " ".join(f"{c:>22}" for c in cells), flush=True)
    print(json.dumps({"bench": "routes", "rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
