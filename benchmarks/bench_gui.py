"""Is the window fluid while each analysis runs? Opens the main window offscreen on the demo
shop, runs every tab with its default parameters and measures how late a 10 ms timer on the GUI
thread fires meanwhile (the event-loop latency a user would feel as a frozen window), against
the same timer with nothing running, in the same run.

    python benchmarks/bench_gui.py [--only basket,forecast]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def measure(app, until, timeout=600.0, trace=None, trace_after=0.2):
    """Run the event loop until ``until()``; the gaps between 10 ms timer ticks, sorted. With
    ``trace`` (an open file), every thread's stack is written there whenever the GUI thread
    misses its tick for ``trace_after`` seconds: faulthandler's watchdog is a C thread, so it
    writes while a worker holds the GIL, and the worker's stack names the call that held it.
    For finding stalls only, never for the figures: it reads the stacks of threads that are
    running, which once crashed the process (a general protection fault in libpython)."""
    import faulthandler

    from PySide6.QtCore import QTimer

    gaps = []
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now
        if trace is not None:
            faulthandler.dump_traceback_later(trace_after, repeat=False, file=trace)

    t = QTimer()
    t.setInterval(10)
    t.timeout.connect(tick)
    t.start()
    t0 = time.perf_counter()
    while not until() and time.perf_counter() - t0 < timeout:
        app.processEvents()
        time.sleep(0.001)
    t.stop()
    if trace is not None:
        faulthandler.cancel_dump_traceback_later()
    gaps.sort()
    return time.perf_counter() - t0, gaps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument(
        "--import-rows",
        type=int,
        default=1_000_000,
        help="also time the window while it imports a generated orders CSV of this many rows (0: skip)",
    )
    a = ap.parse_args()
    from PySide6.QtCore import QSettings

    from bizops_desktop.qt.app import make_app
    from bizops_desktop.qt.main_window import MainWindow

    app = make_app()
    w = MainWindow(
        settings=QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat), interactive=False
    )
    w.show()
    job = w.open_demo()
    measure(app, lambda: job.delivered)
    end = time.perf_counter() + 1.0
    _, idle = measure(app, lambda: time.perf_counter() > end)
    idle_p99 = idle[int(0.99 * (len(idle) - 1))] if idle else 0.010
    print(f"idle: p99 timer gap {idle_p99 * 1000:.0f} ms, max {(idle[-1] if idle else 0) * 1000:.0f} ms")
    rows = 100_000 if a.quick else a.import_rows
    if rows:
        import sys
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).parent))
        from bench_import import make_orders

        path = Path(tempfile.mkdtemp()) / "orders_big.csv"
        make_orders(path, rows)
        job = w.open_data(path, ask=False)
        secs, gaps = measure(app, lambda: job.delivered)
        p99 = gaps[int(0.99 * (len(gaps) - 1))] if gaps else 0
        print(
            f"import {rows:,} rows: {job.state} in {secs:.1f} s; GUI timer gap p99 {p99 * 1000:.0f} ms, "
            f"max {gaps[-1] * 1000 if gaps else 0:.0f} ms (ratio of p99 to idle p99: {p99 / idle_p99:.1f})"
        )
    only = [s for s in a.only.split(",") if s]
    for aid in w.registry.analyses:
        if only and aid not in only:
            continue
        panel = w.panel(aid)
        w.tabs.setCurrentWidget(panel.parentWidget())
        states = []
        panel.run_ended.connect(states.append)
        if panel.run_analysis() is None:
            print(f"{aid}: could not start ({panel.message.text()})")
            continue
        secs, gaps = measure(app, lambda states=states: bool(states))
        p99 = gaps[int(0.99 * (len(gaps) - 1))] if gaps else 0
        print(
            f"{aid}: {states[0] if states else 'timeout'} in {secs:.1f} s; GUI timer gap p99 {p99 * 1000:.0f} ms, "
            f"max {gaps[-1] * 1000 if gaps else 0:.0f} ms (ratio of p99 to idle p99: {p99 / idle_p99:.1f})"
        )
    w.host.jobs.shutdown()


if __name__ == "__main__":
    main()
