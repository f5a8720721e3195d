"""Forecast many series: in this process for a handful, else in up to two worker processes so
both cores work and the window stays fluid (pure-Python model fitting in a thread would hold
the GIL). Progress per series; Cancel stops submitting, drops the queued series, ends the busy
workers and returns within about a second.

Workers are started by multiprocessing's "forkserver" (or "spawn" where there is none), never by
a plain fork of the calling process, which may hold Qt threads. They import only this plugin's
pure modules (numpy, scipy, statsmodels), never Qt.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os
from collections.abc import Callable, Iterable

from bizops_desktop.core.progress import Progress

from .engine import forecast_series
from .i18n import _, _n

MAX_WORKERS = 2
# Below this many series, starting worker processes (a second or more each, to import
# statsmodels) costs more than it saves.
IN_PROCESS_BELOW = 6
_POLL = 0.1  # seconds between Cancel checks while waiting for workers


def _init_worker() -> None:
    # One BLAS thread per worker: two workers on two cores, not two times N threads fighting
    # over them (numpy is already loaded in the forkserver, so environment variables are too late).
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # an optional nicety: scikit-learn brings it
        return
    global _LIMITS
    _LIMITS = threadpool_limits(1)


_LIMITS = None


def _safe_forecast(name: str, values: list, cfg: dict) -> dict:
    """One series in a worker. A failure of one series is reported with it, not raised, so one odd
    product does not lose the other 499 forecasts."""
    try:
        return forecast_series(name, values, cfg)
    except Exception as exc:  # noqa: BLE001 - reported to the user per series
        return {"name": name, "error": f"{type(exc).__name__}: {exc}"}


def loaded_qt_modules() -> list[str]:
    """Qt modules loaded in this process (run in a worker by the tests: it must be empty)."""
    import sys

    return sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6", "PyQt5", "PyQt6"))


def _context():
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        # The server process imports the forecasting code once; each worker forks from it ready.
        ctx.set_forkserver_preload(["bizops_forecast.engine"])
        return ctx
    return mp.get_context("spawn")


def run_many(
    items: Iterable[tuple[str, list]],
    cfg: dict,
    progress: Progress | None = None,
    *,
    workers: int | None = None,
    in_process_below: int = IN_PROCESS_BELOW,
    on_result: Callable[[dict], None] | None = None,
) -> dict[str, dict]:
    """Forecast every (name, values) with ``cfg``; returns name -> result dict in input order.
    Raises :class:`Cancelled` when the user cancels."""
    progress = progress or Progress()
    items = list(items)
    n = len(items)
    if workers is None:
        workers = min(MAX_WORKERS, os.cpu_count() or 1)
    results: dict[str, dict] = {}
    if n == 0:
        return results
    from bizops_desktop.core import engine

    if not engine.is_distributed() and (n < in_process_below or workers <= 1):
        with _one_blas_thread():
            _run_here(items, cfg, progress, results, on_result)
        return {name: results[name] for name, _values in items}
    with engine.executor(workers, mp_context=_context(), initializer=_init_worker) as batch:
        _run_batch(batch, items, cfg, progress, results, on_result)
    return {name: results[name] for name, _values in items}


def _run_batch(batch, items, cfg, progress, results, on_result) -> None:
    """The many-series case: local worker processes or a Dask cluster (core/engine.py), one code path."""
    n, workers = len(items), batch.slots
    if batch.kind == "dask":
        starting = _n(
            "Sending {n} series to the cluster ({workers:int} workers)",
            "Sending {n} series to the cluster ({workers:int} workers)",
            n,
            workers=workers,
        )
    else:
        starting = _n(
            "Starting {workers:int} worker processes for {n} series",
            "Starting {workers:int} worker processes for {n} series",
            n,
            workers=workers,
        )
    progress.report(0.0, starting)
    pending: dict[cf.Future, str] = {}
    queue = iter(items)
    done_count = 0
    # Keep only a few series in flight so that Cancel has little queued work to drop.
    ahead = workers * 3

    def submit_more():
        while len(pending) < ahead:
            try:
                name, values = next(queue)
            except StopIteration:
                return
            pending[batch.submit(_safe_forecast, name, list(map(float, values)), cfg)] = name

    try:
        submit_more()
        while pending:
            done, _waiting = cf.wait(list(pending), timeout=_POLL, return_when=cf.FIRST_COMPLETED)
            progress.check()
            for fut in done:
                name = pending.pop(fut)
                res = fut.result()
                results[name] = res
                done_count += 1
                if on_result:
                    on_result(res)
                progress.report(
                    done_count / n, _("Forecast {series} ({done:int} of {n:int})", series=name, done=done_count, n=n)
                )
            submit_more()
    except BaseException:
        batch.abort()  # Cancel now: queued series dropped, busy local workers ended
        raise


def _run_here(items, cfg, progress, results, on_result) -> None:
    """The few-series case, in this process (in the app: the job runner's thread)."""
    from bizops_desktop.core.errors import Cancelled

    n = len(items)
    for i, (name, values) in enumerate(items):
        progress.report(i / n, _("Forecasting {series} ({i:int} of {n:int})", series=name, i=i + 1, n=n))
        try:
            res = forecast_series(name, values, cfg, check=progress.check)
        except Cancelled:
            raise
        except Exception as exc:  # noqa: BLE001 - same per-series reporting as the workers
            res = {"name": name, "error": f"{type(exc).__name__}: {exc}"}
        results[name] = res
        if on_result:
            on_result(res)
    progress.report(1.0, _n("Forecast {n} series", "Forecast {n} series", n))


class _one_blas_thread:
    """OpenBLAS threads on the tiny matrices of these models only fight each other (and the
    other core's work): measured 2-3x slower per series on this 2-core machine. Limited for the
    run, restored after."""

    def __enter__(self):
        self._limits = None
        try:
            import scipy.linalg  # noqa: F401 - load scipy's own BLAS so the limit reaches it
            from threadpoolctl import threadpool_limits
        except ImportError:
            return self
        self._limits = threadpool_limits(1)
        return self

    def __exit__(self, *exc):
        if self._limits is not None:
            self._limits.restore_original_limits()
        return False
