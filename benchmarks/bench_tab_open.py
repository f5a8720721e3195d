"""Opening each tab for the first time while a job runs in another: the GUI thread's longest stall
(gap between 10 ms ticks) during the 0.6 s after the tab is chosen, with the window's background
warm-up of the analysis modules (qt/warmup.py, what the app does) and without it (each tab imports
its libraries when first built, what it did before), each in a fresh process, against the idle
baseline of the same process (the same ticks with no job and no tab change). The job is a worker
doing pandas group-bys and a pure-Python loop, the kind of work that competes for the GIL.

    .venv/bin/python benchmarks/bench_tab_open.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, os, sys, tempfile, time
warm = sys.argv[1] == "warm"
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
import numpy as np, pandas as pd
from bizops_desktop.qt import warmup
from bizops_desktop.qt.main_window import MainWindow

w = MainWindow(settings=QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat),
               interactive=False)
w.resize(1400, 900)
w.show()
app.processEvents()
if warm:  # what an interactive window starts by itself; the user reads the window meanwhile
    thread = warmup.start(w.registry)
    while thread.is_alive():
        app.processEvents()
        time.sleep(0.01)
t_read = time.perf_counter()  # a moment to read the window (the collector settles the imports)
while time.perf_counter() - t_read < 1.5:
    app.processEvents()
    time.sleep(0.01)
gaps, last = [], [time.perf_counter()]
def tick():
    now = time.perf_counter()
    gaps.append(now - last[0])
    last[0] = now
timer = QTimer()
timer.setInterval(10)
timer.timeout.connect(tick)
timer.start()
def spin(seconds):
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        app.processEvents()
        time.sleep(0.002)
spin(0.6)
idle = max(gaps[1:])
stop = [False]
def busy(progress):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.integers(0, 1000, 200_000), "b": rng.random(200_000)})
    while not stop[0]:
        df.groupby("a")["b"].sum()
        sum(i * i for i in range(20_000))
w.host.jobs.submit("busy", busy)
spin(0.5)
out = {"idle_ms": round(idle * 1000), "tabs": {}}
for i in range(1, w.tabs.count()):
    gaps.clear()
    last[0] = time.perf_counter()
    w.tabs.setCurrentIndex(i)
    spin(0.6)
    out["tabs"][w.tabs.tabText(i).replace("&&", "&")] = round(max(gaps) * 1000)
stop[0] = True
print(json.dumps(out))
"""


def run(mode: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    p = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True, env=env, cwd=ROOT)
    if p.returncode != 0:
        raise SystemExit(p.stderr[-2000:])
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    rows: dict[str, dict[str, list[int]]] = {"cold": {}, "warm": {}}
    idle: list[int] = []
    for _ in range(args.repeat):
        for mode in ("cold", "warm"):
            r = run(mode)
            idle.append(r["idle_ms"])
            for tab, ms in r["tabs"].items():
                rows[mode].setdefault(tab, []).append(ms)
    print(f"idle baseline: longest gap {max(idle)} ms (over {len(idle)} runs)")
    print("longest stall (ms, worst of runs) when a tab is first opened during a job:")
    print(f"{'tab':<26}{'without warm-up':>18}{'with warm-up':>15}")
    for tab in rows["cold"]:
        print(f"{tab:<26}{max(rows['cold'][tab]):>18}{max(rows['warm'].get(tab, [0])):>15}")
    worst_cold = max(max(v) for v in rows["cold"].values())
    worst_warm = max(max(v) for v in rows["warm"].values())
    print(f"worst tab: {worst_cold} ms -> {worst_warm} ms ({worst_warm / max(worst_cold, 1):.2f}x)")


if __name__ == "__main__":
    main()
