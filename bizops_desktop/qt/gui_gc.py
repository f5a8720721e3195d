"""Cyclic garbage is collected on the GUI thread only.

Python's collector runs in whichever thread happens to allocate when a threshold is crossed. If
that is a job's worker thread and the garbage holds a Qt widget, the widget is destroyed off the
GUI thread: Qt then waits for a lock the GUI thread holds while the GUI thread waits for the GIL
(a deadlock, or a crash). So, once jobs run in threads, automatic collection is switched off and
a timer on the GUI thread does the same work at the same thresholds (the approach pyqtgraph's
GarbageCollector takes), with CPython's own brake on full collections: a full pass waits until
the oldest generation has grown by a quarter since the last one (with millions of long-lived
objects, a table of results, a pass takes a good part of a second).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

_installed: "GuiThreadCollector | None" = None


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject, interval_ms: int = 500):
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

        # objects in the oldest generation after the last full collection (CPython's own
        # long_lived_total): a full pass visits all of them, so it waits, as CPython's collector
        # does, until a quarter as many again have reached that generation since
        self.long_lived = 0
        self.recount_at = self.threshold[2]  # when to count that generation again

    def check(self) -> None:
        n0, n1, n2 = gc.get_count()
        if n0 <= self.threshold[0]:
            return
        generation = 2 if n2 > self.threshold[2] else 1 if n1 > self.threshold[1] else 0
        if generation == 2:
            if n2 <= self.recount_at:
                generation = 1
            else:
                oldest = len(gc.get_objects(generation=2))  # a list of pointers: ~5 ms a million
                if oldest - self.long_lived < self.long_lived // 4:
                    generation = 1  # the big heap of results and tables stays as it was: not yet
                    self.recount_at = n2 + self.threshold[2]
        gc.collect(generation)
        if generation == 2:
            self.long_lived = len(gc.get_objects(generation=2))
            self.recount_at = self.threshold[2]


def install() -> None:
    """Idempotent; call on the GUI thread once a QCoreApplication exists."""
    global _installed
    app = QCoreApplication.instance()
    if _installed is None and app is not None:
        _installed = GuiThreadCollector(app)
        app.aboutToQuit.connect(gc.enable)
