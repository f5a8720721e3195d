"""The one job runner: every analysis, import and save that can take more than a moment runs
here, on Qt's thread pool, with progress, Cancel and a readable error; results arrive on the GUI
thread through queued signals. Worker code never touches a widget."""

from __future__ import annotations

import itertools
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from bizops_desktop.core.errors import BizOpsError, Cancelled, first_line
from bizops_desktop.core.i18n import _
from bizops_desktop.core.log import log_error
from bizops_desktop.core.progress import Progress

_ids = itertools.count(1)


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(message for the user, details). Expected errors carry their own plain message; anything
    else is a bug: say so in words, keep the traceback for the expandable details and the log."""
    if isinstance(exc, BizOpsError):
        msg, details = exc.user_message(), ""
    elif isinstance(exc, MemoryError):
        msg, details = (
            _(
                "The computer ran out of memory for this job. Try a smaller selection or a "
                "stricter setting (for example a higher minimum support)."
            ),
            "",
        )
    else:
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        msg = _(
            "Something went wrong inside the program ({error}). Your data is unchanged. If it happens "
            "again, send the log file (Help ▸ Open log folder) with a bug report.",
            error=first_line(exc),
        )
    log_error(msg, exc)
    return msg, details


class Job(QObject):
    """One piece of background work. Connect to its signals *before* ``JobRunner.start``."""

    progress = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(str, str)  # message, details
    cancelled = Signal()
    ended = Signal()  # after any of the three above

    def __init__(self, title: str, fn: Callable[..., Any], args: tuple, kwargs: dict, parent=None):
        super().__init__(parent)
        self.id = next(_ids)
        self.title = title
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.state = "new"  # new | running | done | failed | cancelled
        self.fraction = 0.0
        self.text = ""
        self._cancel = threading.Event()
        self._finished = threading.Event()
        self.result: Any = None
        self.delivered = False  # True once its last signal reached the GUI thread
        self.progress.connect(self._remember)

    def _remember(self, fraction: float, text: str) -> None:
        self.fraction, self.text = fraction, text

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker has left ``fn`` (used at shutdown and in tests)."""
        return self._finished.wait(timeout)

    @property
    def running(self) -> bool:
        return self.state in ("new", "running") and not self._finished.is_set()


class _Runnable(QRunnable):
    def __init__(self, job: Job):
        super().__init__()
        self.job = job
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread
        job = self.job
        progress = Progress(lambda f, t: job.progress.emit(f, t), job._cancel)
        try:
            progress.check()
            result = job.fn(*job.args, progress, **job.kwargs)
        except Cancelled:
            job.state = "cancelled"
            job._finished.set()
            job.cancelled.emit()
        except BaseException as exc:  # noqa: BLE001 - every failure becomes a message
            job.state = "failed"
            msg, details = describe_error(exc)
            job._finished.set()
            job.failed.emit(msg, details)
        else:
            if job._cancel.is_set():
                job.state = "cancelled"
                job._finished.set()
                job.cancelled.emit()
            else:
                job.result = result
                job.state = "done"
                job._finished.set()
                job.succeeded.emit(result)
        job.ended.emit()


class JobRunner(QObject):
    """Owns the worker threads. ``create`` a job, connect its signals, then ``start`` it; or
    ``submit`` with callbacks, which connects them first."""

    job_started = Signal(object)
    job_ended = Signal(object)
    changed = Signal()  # any job's progress or state changed (status bar)

    def __init__(self, parent=None, max_threads: int = 2):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        from .gui_gc import install

        install(busy=self.has_jobs)  # no Qt object may be collected on a worker thread
        self._jobs: list[Job] = []
        self._recent: list[Job] = []  # keeps ended jobs' wrappers alive while queued signals drain

    def create(self, title: str, fn: Callable[..., Any], *args, **kwargs) -> Job:
        """``fn(*args, progress, **kwargs)`` will run on a worker thread."""
        return Job(title, fn, args, kwargs)

    def start(self, job: Job) -> Job:
        job.state = "running"
        self._jobs.append(job)
        job.progress.connect(lambda *_: self.changed.emit())
        job.ended.connect(lambda j=job: self._end(j))
        self.job_started.emit(job)
        self.changed.emit()
        self.pool.start(_Runnable(job))
        return job

    def submit(
        self,
        title: str,
        fn: Callable[..., Any],
        *args,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[str, str], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
        on_progress: Callable[[float, str], None] | None = None,
        **kwargs,
    ) -> Job:
        job = self.create(title, fn, *args, **kwargs)
        if on_result:
            job.succeeded.connect(on_result)
        if on_error:
            job.failed.connect(on_error)
        if on_cancel:
            job.cancelled.connect(on_cancel)
        if on_progress:
            job.progress.connect(on_progress)
        return self.start(job)

    def _end(self, job: Job) -> None:
        job.delivered = True
        if job in self._jobs:
            self._jobs.remove(job)
        self._recent = (self._recent + [job])[-20:]
        self.job_ended.emit(job)
        self.changed.emit()

    def has_jobs(self) -> bool:
        return bool(self._jobs)

    def jobs(self) -> list[Job]:
        return list(self._jobs)

    def cancel_all(self) -> None:
        for job in self._jobs:
            job.cancel()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel everything and wait for the workers to leave (closing the window)."""
        self.cancel_all()
        return self.pool.waitForDone(timeout_ms)
