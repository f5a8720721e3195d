"""Where the sparse item (or customer) similarities are computed (pure, no Qt): in this process,
block after block, or, for a big catalogue, in pieces on the batch engine (local worker processes
or a Dask cluster, :mod:`bizops_desktop.core.engine`). Both give the same neighbours: a piece is
:func:`knn.similar_rows` on a range of rows, the same function the in-process loop calls."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from bizops_desktop.core.engine import is_distributed, run_pieces
from bizops_desktop.core.progress import Progress

from . import knn
from .i18n import _

# Pieces sent to the engine: a few per worker, so that progress moves and Cancel has little to drop.
ENGINE_PIECES = 12


def similarities_in_pieces(
    V: sp.csr_matrix,
    VT: sp.csr_matrix,
    scale: np.ndarray | None,
    BT: sp.csr_matrix | None,
    min_support: int,
    shrinkage: float,
    keep: int,
    positive: bool,
    progress: Progress,
    prefix: str = "",
    *,
    user_based: bool = False,
    engine: bool | None = None,
):
    """(rows, cols, values) of every x row's top ``keep`` neighbours. ``engine``: None decides by
    size: more than ``knn.ENGINE_ROWS`` rows, and a cluster chosen or more than
    ``knn.ENGINE_FLOPS`` multiply-adds (below that, starting worker processes and sending them
    the matrix costs more than the work: 37,000 products of the GUI benchmark's quick size take
    2 s here and 4 s in two worker processes); True / False force it."""
    n = V.shape[0]
    if engine is None:
        engine = n > knn.ENGINE_ROWS and (is_distributed() or knn.row_blocks_total(V, VT) > knn.ENGINE_FLOPS)

    def words(a: int, b: int) -> str:
        if user_based:
            return prefix + _("Similarities: customers {first:int}-{last:int} of {n:int}", first=a + 1, last=b, n=n)
        return prefix + _("Similarities: products {first:int}-{last:int} of {n:int}", first=a + 1, last=b, n=n)

    if not engine:
        parts = []
        for a, b in knn.row_blocks(V, VT):
            progress.report(a / max(n, 1), words(a, b))
            parts.append(knn.similar_rows(V[a:b], VT, scale, BT, min_support, shrinkage, keep, positive, a))
        return _joined(parts)
    total = max(1, knn.row_blocks_total(V, VT))
    spans = knn.row_blocks(V, VT, budget=max(knn.FLOPS_PER_BLOCK, int(total // ENGINE_PIECES) + 1))
    pieces = [(V[a:b], VT, scale, BT, min_support, shrinkage, keep, positive, a) for a, b in spans]
    parts = run_pieces(
        knn.similar_rows,
        pieces,
        progress,
        processes=True,
        preload=("bizops_recommender.knn",),
        status=lambda i, k, m: words(*spans[i]),
    )
    return _joined(parts)


def _joined(parts):
    if not parts:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return tuple(np.concatenate([p[j] for p in parts]) for j in range(3))
