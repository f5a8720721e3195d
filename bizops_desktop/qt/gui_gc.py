"""Cyclic garbage is collected on the GUI thread only, in passes short enough not to freeze it.

Python's collector runs in whichever thread happens to allocate when a threshold is crossed. If
that is a job's worker thread and the garbage holds a Qt widget, the widget is destroyed off the
GUI thread: Qt then waits for a lock the GUI thread holds while the GUI thread waits for the GIL
(a deadlock, or a crash). So, once jobs run in threads, automatic collection is switched off and
a timer on the GUI thread does the same work at the same thresholds (the approach pyqtgraph's
GarbageCollector takes).

A full pass walks every object the collector tracks; with the results of a few big analyses
(hundreds of thousands of rows holding sentences) that took half a second on the GUI thread,
during a forecast. So what survives a full pass is frozen (``gc.freeze``: long-lived, left alone
by later passes), and a full pass walks only what reached the oldest generation since
(``YOUNG_PASS`` objects or more, a few tens of milliseconds). The frozen heap is thawed and walked
whole, so that garbage cycles among its objects are still found, only when it has doubled since
the last whole pass and no job has run for ``QUIET_SECONDS``.
"""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer

YOUNG_PASS = 100_000  # a full pass over this many new long-lived objects: ~20 ms
SETTLED_MIN = 200_000  # the heap is walked whole once it passes twice this (or twice its last size)
QUIET_SECONDS = 3.0  # ...and no job has run for this long (its result is drawn by then)

_installed: "GuiThreadCollector | None" = None


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject, interval_ms: int = 500):
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)
        self.busy_sources: list[Callable[[], Callable[[], bool] | None]] = []  # weak: job runners
        self.settled = 0  # objects frozen by the last whole pass
        self.recount_at = self.threshold[2]  # when to count the oldest generation again
        self.last_busy = -float("inf")
        self.passes: list[str] = []  # "young" / "whole", for tests and benchmarks (last 100)

    def add_busy(self, method) -> None:
        """``method()`` is true while a job runs (a bound method, held weakly)."""
        self.busy_sources.append(weakref.WeakMethod(method))

    def _quiet(self) -> bool:
        now = time.monotonic()
        busy = False
        for ref in list(self.busy_sources):
            fn = ref()
            if fn is None:
                self.busy_sources.remove(ref)
            elif fn():
                busy = True
        if busy:
            self.last_busy = now
        return not busy and now - self.last_busy >= QUIET_SECONDS

    def check(self) -> None:
        n0, n1, n2 = gc.get_count()
        if n0 <= self.threshold[0]:
            return
        generation = 2 if n2 > self.threshold[2] else 1 if n1 > self.threshold[1] else 0
        whole = False
        if generation == 2:
            if n2 <= self.recount_at:
                generation = 1
            else:
                young = len(gc.get_objects(generation=2))  # the unfrozen part: a list of pointers
                if gc.get_freeze_count() + young >= 2 * max(self.settled, SETTLED_MIN) and self._quiet():
                    whole = True
                elif young < YOUNG_PASS:
                    generation = 1  # not yet: too few new long-lived objects to be worth a pass
                    self.recount_at = n2 + self.threshold[2]
        if whole:
            gc.unfreeze()  # everything back into the oldest generation, walked once
        gc.collect(generation)
        if generation == 2:
            gc.freeze()
            if whole:
                self.settled = gc.get_freeze_count()
            self.recount_at = self.threshold[2]
            self.passes = (self.passes + ["whole" if whole else "young"])[-100:]


def _quit() -> None:
    gc.unfreeze()
    gc.enable()


def install(busy=None) -> None:
    """Idempotent; call on the GUI thread once a QCoreApplication exists. ``busy``: a bound method
    that is true while jobs run (the job runner's), so the whole heap is walked only when idle."""
    global _installed
    app = QCoreApplication.instance()
    if _installed is None and app is not None:
        _installed = GuiThreadCollector(app)
        app.aboutToQuit.connect(_quit)
    if _installed is not None and busy is not None:
        _installed.add_busy(busy)
