"""Forecast many series: in this process for a handful, else in up to two worker processes so
both cores work and the window stays fluid (pure-Python model fitting in a thread would hold
the GIL). Progress per series; Cancel stops submitting, drops the queued series, ends the busy
workers and returns within about a second.

Workers are started by multiprocessing's "forkserver" (or "spawn" where there is none), never by
a plain fork of the calling process, which may hold Qt threads (core/engine.py). They import only
this plugin's pure modules (numpy, scipy, statsmodels), never Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bizops_desktop.core import engine
from bizops_desktop.core.errors import Cancelled
from bizops_desktop.core.progress import Progress

from .engine import forecast_series
from .i18n import _, _n

MAX_WORKERS = engine.MAX_WORKERS
# Below this many series, starting worker processes (a second or more each, to import
# statsmodels) costs more than it saves.
IN_PROCESS_BELOW = 6
PRELOAD = ("bizops_forecast.engine",)  # the forkserver imports the forecasting code once

_init_worker = engine.init_worker
_one_blas_thread = engine.one_blas_thread


def _context():
    return engine.process_context(PRELOAD)


def _safe_forecast(name: str, values: list, cfg: dict, check: Callable[[], None] | None = None) -> dict:
    """One series. A failure of one series is reported with it, not raised, so one odd product
    does not lose the other 499 forecasts."""
    try:
        return forecast_series(name, values, cfg, check=check)
    except Cancelled:
        raise
    except Exception as exc:  # noqa: BLE001 - reported to the user per series
        return {"name": name, "error": f"{type(exc).__name__}: {exc}"}


def loaded_qt_modules() -> list[str]:
    """Qt modules loaded in this process (run in a worker by the tests: it must be empty)."""
    import sys

    return sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6", "PyQt5", "PyQt6"))


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
    Here for a handful of series, else local worker processes or the Dask cluster
    (core/engine.run_pieces). Raises :class:`Cancelled` when the user cancels."""
    progress = progress or Progress()
    items = list(items)
    n = len(items)
    if n == 0:
        return {}
    names = [name for name, _values in items]

    def starting(kind: str, slots: int) -> str:
        if kind == "dask":
            return _n(
                "Sending {n} series to the cluster ({workers:int} workers)",
                "Sending {n} series to the cluster ({workers:int} workers)",
                n,
                workers=slots,
            )
        return _n(
            "Starting {workers:int} worker processes for {n} series",
            "Starting {workers:int} worker processes for {n} series",
            n,
            workers=slots,
        )

    out = engine.run_pieces(
        _safe_forecast,
        [(name, list(map(float, values)), cfg) for name, values in items],
        progress,
        processes=n >= in_process_below,
        workers=workers,
        preload=PRELOAD,
        here=lambda name, values, cfg: _safe_forecast(name, values, cfg, check=progress.check),
        status=lambda i, k, n: _("Forecasting {series} ({i:int} of {n:int})", series=names[i], i=k, n=n),
        starting=starting,
        finished=_n("Forecast {n} series", "Forecast {n} series", n),
        on_result=(lambda _i, res: on_result(res)) if on_result else None,
    )
    return dict(zip(names, out))
