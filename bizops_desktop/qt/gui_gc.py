"""Cyclic garbage is collected on the GUI thread only.

Python's collector runs in whichever thread happens to allocate when a threshold is crossed. If
that is a job's worker thread and the garbage holds a Qt widget, the widget is destroyed off the
GUI thread: Qt then waits for a lock the GUI thread holds while the GUI thread waits for the GIL
(a deadlock, or a crash). So, once jobs run in threads, automatic collection is switched off and
a timer on the GUI thread does the same work at the same thresholds (the approach pyqtgraph's
GarbageCollector takes).
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

    def check(self) -> None:
        n0, n1, n2 = gc.get_count()
        if n0 > self.threshold[0]:
            gc.collect(2 if n2 > self.threshold[2] else 1 if n1 > self.threshold[1] else 0)


def install() -> None:
    """Idempotent; call on the GUI thread once a QCoreApplication exists."""
    global _installed
    app = QCoreApplication.instance()
    if _installed is None and app is not None:
        _installed = GuiThreadCollector(app)
        app.aboutToQuit.connect(gc.enable)
