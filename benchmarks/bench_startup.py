"""Cold start to a visible window, against a bare PySide6 window started the same way in the
same run (the reference: what Qt itself costs on this machine). Also times `bizops-desktop
analyses` (must answer in about a second) against `python -c pass`.

    python benchmarks/bench_startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

BARE = r"""
import time, sys
t0 = float(sys.argv[1])
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtCore import QTimer
app = QApplication([])
w = QMainWindow(); w.resize(1200, 800); w.show()
def shown():
    print(time.time() - t0); app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""

OURS = r"""
import time, sys
t0 = float(sys.argv[1])
from bizops_desktop.qt.app import make_app
app = make_app()
from bizops_desktop.qt.main_window import MainWindow
from PySide6.QtCore import QTimer, QSettings
import tempfile, os
w = MainWindow(settings=QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat),
               interactive=False)
w.show()
def shown():
    print(time.time() - t0); w.host.jobs.shutdown(); app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""


def timed(code: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", code, repr(t0)], capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def wall(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, capture_output=True, check=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    n = 2 if a.quick else a.repeat
    timed(BARE), timed(OURS)  # warm the file cache
    bare = statistics.median(timed(BARE) for _ in range(n))
    ours = statistics.median(timed(OURS) for _ in range(n))
    print(
        f"cold start to a visible window: ours {ours:.2f} s, bare PySide6 window {bare:.2f} s, ratio {ours / bare:.2f}"
    )
    py = statistics.median(wall([sys.executable, "-c", "pass"]) for _ in range(n))
    cli = statistics.median(wall([sys.executable, "-m", "bizops_desktop", "analyses"]) for _ in range(n))
    print(f"'bizops-desktop analyses': {cli:.2f} s, bare python {py:.2f} s, ratio {cli / py:.1f}")


if __name__ == "__main__":
    main()
