"""Where batch work runs: this machine's worker processes (the default), or a Dask distributed
cluster when the batch outgrows the machine (tens of thousands of forecasts, folds on a big
customer table, thousands of elasticity fits). Both are a ``concurrent.futures.Executor``, and
every batch goes through one loop, :func:`run_pieces`: it submits the pieces, keeps a few in
flight, reports progress and honours Cancel whichever engine it gets.

    set_engine("dask", "tcp://10.0.0.5:8786")   # CLI: --engine dask --scheduler tcp://10.0.0.5:8786
    results = run_pieces(fit_fold, [(X, y, tr, te, spec) for ...], progress, processes=big_enough)

A piece is a module-level function and plain arguments (numbers, arrays, frames): the cluster's
workers need the same Python packages (this program and its plugins) installed, as they import
the functions by name; nothing else is shipped to them. Small batches stay in this process (the
caller says when local worker processes pay for their start); on the dask engine every batch
goes to the cluster.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .errors import UsageError
from .i18n import _, _n
from .progress import Progress

ENGINES = ("local", "dask")
ENGINE_ENV, SCHEDULER_ENV = "BIZOPS_ENGINE", "BIZOPS_SCHEDULER"
MAX_WORKERS = 2  # local worker processes: this machine's two cores (the window keeps a thread)
CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler (distributed retries until then)
_POLL = 0.1  # seconds between Cancel checks while waiting for pieces

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
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UsageError(
            _("the dask scheduler at {address} does not answer ({error})", address=address, error=exc),
            hint=_("check that the scheduler runs and that this computer can reach it"),
        ) from None


# -- local worker processes -------------------------------------------------------------------
def init_worker() -> None:
    """Each local worker's first call: one BLAS thread per worker, two workers on two cores, not
    two times N threads fighting over them (numpy is already loaded in the forkserver, so the
    environment variables alone are too late)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # an optional nicety: scikit-learn brings it
        return
    global _LIMITS
    _LIMITS = threadpool_limits(1)


_LIMITS = None
_PRELOAD: set[str] = set()


def process_context(preload: Sequence[str] = ()) -> Any:
    """How local workers start: multiprocessing's "forkserver" (or "spawn" where there is none),
    never a plain fork of this process, which may hold Qt threads. ``preload``: modules the
    server imports once so that each worker forks from it ready (only until the server first
    starts; later batches' workers import what they need on their first piece)."""
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        _PRELOAD.update(preload)
        ctx.set_forkserver_preload(sorted(_PRELOAD))
        return ctx
    return mp.get_context("spawn")


class one_blas_thread:
    """OpenBLAS threads on small matrices (a model per series, fold or product) only fight each
    other and the other core's work: measured 2-3x slower per forecast series on a 2-core
    machine. Limited while the pieces run in this process, restored after."""

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


# -- the one batch loop -------------------------------------------------------------------------
def run_pieces(
    fn: Callable[..., Any],
    pieces: Sequence[tuple],
    progress: Progress | None = None,
    *,
    processes: bool = True,
    workers: int | None = None,
    preload: Sequence[str] = (),
    here: Callable[..., Any] | None = None,
    status: Callable[[int, int, int], str] | None = None,
    starting: Callable[[str, int], str] | None = None,
    finished: str | None = None,
    on_result: Callable[[int, Any], None] | None = None,
) -> list:
    """``fn(*piece)`` for every piece; the results in the pieces' order. Raises
    :class:`Cancelled` within about a second of Cancel (queued pieces dropped, busy local
    workers ended).

    Where: on the dask engine, always the cluster. Locally, ``workers`` worker processes (at
    most MAX_WORKERS) when ``processes`` is true (the caller's measured rule for "big enough to
    pay for starting them") and there are at least two pieces, else this process, one piece
    after the other with Cancel checked between them (``here``, if given, runs a piece here
    instead of ``fn``: a variant that checks Cancel inside a long piece).

    ``fn`` is a module-level function of plain arguments (a worker imports it by name).
    ``status(i, k, n)``: the text while piece ``i`` is the ``k``-th of ``n`` (before it runs here,
    when it is done in a batch); ``starting(kind, slots)``: the text when the batch goes to the
    cluster (``dask``) or to local processes (``local``); ``finished``: the last text;
    ``on_result(i, result)`` as each piece comes back."""
    progress = progress or Progress()
    pieces = list(pieces)
    n = len(pieces)
    out: list[Any] = [None] * n
    if n == 0:
        return out
    if workers is None:
        workers = min(MAX_WORKERS, os.cpu_count() or 1)
    if not is_distributed() and (not processes or workers <= 1 or n < 2):
        run = here or fn
        with one_blas_thread():
            for i, args in enumerate(pieces):
                progress.report(i / n, status(i, i + 1, n) if status else None)
                out[i] = run(*args)
                if on_result:
                    on_result(i, out[i])
        progress.report(1.0, finished)
        return out
    with executor(workers, mp_context=process_context(preload), initializer=init_worker) as batch:
        _run_batch(batch, fn, pieces, progress, out, status, starting, on_result)
    progress.report(1.0, finished)
    return out


def _starting_text(kind: str, slots: int, n: int) -> str:
    if kind == "dask":
        return _n(
            "Sending {n} piece of work to the cluster ({workers:int} workers)",
            "Sending {n} pieces of work to the cluster ({workers:int} workers)",
            n,
            workers=slots,
        )
    return _n(
        "Starting {workers:int} worker processes for {n} piece of work",
        "Starting {workers:int} worker processes for {n} pieces of work",
        n,
        workers=slots,
    )


def _run_batch(batch: Batch, fn, pieces, progress: Progress, out: list, status, starting, on_result) -> None:
    n, slots = len(pieces), batch.slots
    progress.report(0.0, starting(batch.kind, slots) if starting else _starting_text(batch.kind, slots, n))
    pending: dict[cf.Future, int] = {}
    queue = iter(enumerate(pieces))
    done_count = 0
    ahead = slots * 3  # a few in flight, not the whole queue: Cancel has little to drop

    def submit_more() -> None:
        while len(pending) < ahead:
            try:
                i, args = next(queue)
            except StopIteration:
                return
            pending[batch.submit(fn, *args)] = i

    try:
        submit_more()
        while pending:
            done, _waiting = cf.wait(list(pending), timeout=_POLL, return_when=cf.FIRST_COMPLETED)
            progress.check()
            for fut in done:
                i = pending.pop(fut)
                out[i] = fut.result()
                done_count += 1
                if on_result:
                    on_result(i, out[i])
                progress.report(done_count / n, status(i, done_count, n) if status else None)
            submit_more()
    except BaseException:
        batch.abort()  # Cancel (or a failed piece) now: queued pieces dropped, busy local workers ended
        raise


__all__ = [
    "ENGINES",
    "Batch",
    "executor",
    "get_engine",
    "init_worker",
    "is_distributed",
    "one_blas_thread",
    "process_context",
    "run_pieces",
    "set_engine",
]
