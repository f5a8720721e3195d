"""Where batch work runs: this machine's worker processes (the default), or a Dask distributed
cluster when the batch outgrows the machine (tens of thousands of forecasts). Both are a
``concurrent.futures.Executor``, so an analysis submits its pieces, waits, reports progress and
honours Cancel through one code path whichever engine it gets.

    set_engine("dask", "tcp://10.0.0.5:8786")   # CLI: --engine dask --scheduler tcp://10.0.0.5:8786
    with executor(workers=2, mp_context=ctx, initializer=init) as batch:
        futures = [batch.submit(fn, *args) for ...]   # keep about batch.slots * 3 in flight
        ...
        batch.abort()   # on Cancel: queued work dropped, busy local workers ended

The cluster's workers need the same Python packages (this program and its plugins) installed:
they import the functions by name, nothing else is shipped to them.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .errors import UsageError
from .i18n import _

ENGINES = ("local", "dask")
ENGINE_ENV, SCHEDULER_ENV = "BIZOPS_ENGINE", "BIZOPS_SCHEDULER"

_engine: str | None = None
_scheduler: str | None = None


def set_engine(kind: str | None, scheduler: str | None = None) -> None:
    """``local`` or ``dask`` with the scheduler's address (``tcp://host:8786``, or a
    ``distributed.LocalCluster``'s ``scheduler_address``); None: back to the default (the
    BIZOPS_ENGINE/BIZOPS_SCHEDULER environment variables, else local)."""
    global _engine, _scheduler
    if kind is None:
        _engine, _scheduler = None, None
        return
    kind = kind.strip().lower()
    if kind not in ENGINES:
        raise UsageError(
            _("unknown engine {name}", name=repr(kind)), hint=_("use one of: {names}", names=", ".join(ENGINES))
        )
    if kind == "dask" and not scheduler:
        raise UsageError(
            _("the dask engine needs the scheduler's address"),
            hint=_("give --scheduler tcp://HOST:8786 (the address dask scheduler prints when it starts)"),
        )
    _engine, _scheduler = kind, (scheduler or None)


def get_engine() -> tuple[str, str | None]:
    """(engine, scheduler address): what set_engine chose, else BIZOPS_ENGINE/BIZOPS_SCHEDULER,
    else local."""
    if _engine is not None:
        return _engine, _scheduler
    kind = (os.environ.get(ENGINE_ENV) or "local").strip().lower()
    return (kind if kind in ENGINES else "local"), os.environ.get(SCHEDULER_ENV) or None


def is_distributed() -> bool:
    kind, address = get_engine()
    return kind == "dask" and bool(address)


class Batch:
    """One batch's executor: ``submit`` pieces, ``slots`` is how many run at once (to keep a few
    in flight, not the whole queue, so that Cancel has little to drop), ``abort`` on Cancel."""

    def __init__(self, ex: cf.Executor, slots: int, abort: Callable[[], None], kind: str):
        self.executor, self.slots, self.abort, self.kind = ex, max(1, slots), abort, kind

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future:
        return self.executor.submit(fn, *args)


@contextmanager
def executor(workers: int, mp_context: Any = None, initializer: Callable[[], None] | None = None) -> Iterator[Batch]:
    """An executor for one batch. Local: a process pool of ``workers`` processes started by
    ``mp_context``, each running ``initializer`` first. Dask: the cluster (``workers`` and
    ``initializer`` are the cluster's business there)."""
    kind, address = get_engine()
    if kind == "dask" and address:
        client = _client(address)
        ex = client.get_executor(pure=False)

        def abort_dask() -> None:
            ex.shutdown(wait=False)  # cancels the futures this batch submitted

        try:
            slots = sum(client.nthreads().values()) or 1
            yield Batch(ex, slots, abort_dask, "dask")
        finally:
            client.close()
        return
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp_context, initializer=initializer)

    def abort_local() -> None:
        """Queued futures dropped and busy workers ended: one long fit (a seasonal ARIMA order
        search) cannot be interrupted from outside."""
        procs = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=1.0)

    try:
        yield Batch(pool, workers, abort_local, "local")
    finally:
        pool.shutdown(wait=True)


def _client(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(
            _("the dask engine needs the distributed package"),
            hint=_("install it with: pip install 'bizops-desktop[cluster]'"),
        ) from None
    try:
        return Client(address, timeout=10, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UsageError(
            _("the dask scheduler at {address} does not answer ({error})", address=address, error=exc),
            hint=_("check that the scheduler runs and that this computer can reach it"),
        ) from None
