"""The job protocol every analysis, import and save speaks: report progress, notice Cancel.

A ``Progress`` is handed to ``run(...)``. Long loops call ``progress.report(fraction, text)`` or
``progress.check()`` often (at least once a second); both raise :class:`Cancelled` once the user
has pressed Cancel. ``progress.sub(a, b)`` gives a child whose 0..1 maps onto a..b of the parent,
so a stage can report its own fraction without knowing where it sits in the whole.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .errors import Cancelled

__all__ = ["Progress", "Cancelled"]

Callback = Callable[[float, str], None]


class Progress:
    def __init__(
        self,
        callback: Callback | None = None,
        cancel_event: threading.Event | None = None,
        *,
        _start: float = 0.0,
        _end: float = 1.0,
        _min_interval: float = 0.05,
    ):
        self._callback = callback
        self._cancel = cancel_event if cancel_event is not None else threading.Event()
        self._start = _start
        self._end = _end
        self._min_interval = _min_interval
        self._last_sent = 0.0
        self.fraction = _start
        self.text = ""

    # -- cancel -----------------------------------------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def cancel_event(self) -> threading.Event:
        return self._cancel

    def check(self) -> None:
        """Raise :class:`Cancelled` if the user asked to stop. Cheap: call it in inner loops."""
        if self._cancel.is_set():
            raise Cancelled()

    # -- progress ---------------------------------------------------------------------------
    def report(self, fraction: float, text: str | None = None) -> None:
        """Report ``fraction`` (0..1 of this progress's own range) and an optional status text."""
        self.check()
        fraction = min(max(float(fraction), 0.0), 1.0)
        self.fraction = self._start + (self._end - self._start) * fraction
        if text is not None:
            self.text = text
        if self._callback is None:
            return
        now = time.monotonic()
        # Throttle: a tight loop must not flood the GUI thread with queued signals.
        if fraction >= 1.0 or text is not None or now - self._last_sent >= self._min_interval:
            self._last_sent = now
            self._callback(self.fraction, self.text)

    def sub(self, start: float, end: float) -> "Progress":
        """A child progress for one stage: its 0..1 covers ``start..end`` of this one."""
        a = self._start + (self._end - self._start) * start
        b = self._start + (self._end - self._start) * end
        child = Progress(self._callback, self._cancel, _start=a, _end=b, _min_interval=self._min_interval)
        child.text = self.text
        return child


def null_progress() -> Progress:
    """A progress that reports nowhere and is never cancelled (tests, scripts)."""
    return Progress()
