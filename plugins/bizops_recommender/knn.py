"""Neighbourhood collaborative filtering on a sparse user x item matrix, vectorised: similarities
come from sparse matrix products in row blocks, only the top neighbours of each row are kept.

Vocabulary: the *x side* is what is compared (users for user-based, items for item-based), the
*y side* the other one. ``A`` is the x-by-y matrix (the ratings matrix or its transpose).

Which means are used (explicit ratings):

- default mode: ``mean_u`` and ``mean_i`` are the overall means of the user's / item's training
  ratings. Pearson centres every rating on the mean of its own row of ``A`` (the compared user or
  item), adjusted cosine on the mean of the other side (the user, for item-based), cosine uses the
  raw ratings; all three sum over co-rated cells only (numerator and both norms).
  User-based prediction: p_ui = mean_u + sum_v sim(u,v)(r_vi - mean_v) / sum_v |sim(u,v)|.
  Item-based prediction (the issue's formula): p_ui = mean_u + sum_j sim(i,j)(r_uj - mean_u) / sum_j |sim(i,j)|.
- Surprise-compatible mode (KNNWithMeans): Pearson is centred on the means over the co-rated cells
  of each pair; cosine as above; only neighbours with sim > 0, divided by sum sim; user-based as
  above, item-based p_ui = mean_i + sum_j sim(i,j)(r_uj - mean_j) / sum_j sim(i,j); an unknown user
  or item gets the global mean. Both modes clip to the rating scale; with no usable neighbour the
  prediction is the base mean.

Implicit data (purchases): a missing cell is a zero (not bought), so the similarities are over the
full vectors (cosine; Pearson = correlation of full rows; adjusted cosine = rows centred on the
other side's means) and a score is sum_j sim(i,j) w_uj over the item's top-k neighbours
(item-based) or sum_v sim(u,v) w_vi over the user's top-k neighbours (user-based).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from bizops_desktop.core.errors import UsageError
from bizops_desktop.core.progress import Progress

from .i18n import _

METHODS = ("user", "item")
# bm25 (purchases only): Okapi BM25 weights (k1 = 1.2, b = 0.75, as implicit's BM25Recommender)
# and a plain dot product: a customer who bought half the shop links products less than one who
# bought three, and a link grows with the number of shared customers (no division by lengths).
SIMILARITIES = ("pearson", "cosine", "adjusted_cosine", "bm25")
# Explicit data keeps the full x-by-x similarity matrix up to this many rows (5000^2 doubles =
# 200 MB); above it, a pool of the most similar rows per row is kept instead.
DENSE_LIMIT = 5000
# Cells of a dense block of similarities computed at once (4e6 doubles = 32 MB).
BLOCK_CELLS = 4_000_000
# Explicit data with at most this many rows computes the co-rated sums whole (4 x 2500^2 doubles).
FULL_LIMIT = 2500


@dataclass
class KNNConfig:
    method: str = "user"
    similarity: str = "pearson"
    k: int = 40
    min_support: int = 1
    shrinkage: float | None = None
    positive_only: bool = True
    surprise_compatible: bool = False
    explicit: bool = True
    min_k: int = 1

    def check(self) -> None:
        if self.method not in METHODS:
            raise UsageError(
                _("unknown method {method}", method=repr(self.method)),
                where="method",
                hint=_("use {choices}", choices=" / ".join(METHODS)),
            )
        if self.similarity not in SIMILARITIES:
            raise UsageError(
                _("unknown similarity {similarity}", similarity=repr(self.similarity)),
                where="similarity",
                hint=_("use {choices}", choices=" / ".join(SIMILARITIES)),
            )
        if self.explicit and self.similarity == "bm25":
            raise UsageError(
                _("BM25 weighting is for purchases, not ratings"),
                where="similarity",
                hint=_("pick Pearson correlation, Cosine or Adjusted cosine for ratings"),
            )
        if self.surprise_compatible and self.explicit and self.similarity == "adjusted_cosine":
            raise UsageError(
                _("Surprise-compatible mode knows only Pearson correlation and cosine similarity"),
                where="similarity",
                hint=_("pick Pearson correlation or Cosine, or turn the mode off"),
            )

    @property
    def surprise(self) -> bool:
        return self.surprise_compatible and self.explicit

    @property
    def positive(self) -> bool:
        return self.positive_only or self.surprise


@dataclass
class Model:
    cfg: KNNConfig
    A: sp.csr_matrix  # x by y values
    means_x: np.ndarray  # mean of each x row over its stored cells (nan if none)
    means_y: np.ndarray
    global_mean: float
    neighbours: sp.csr_matrix  # top-k neighbours per x row (sims, zero diagonal)
    full: np.ndarray | sp.csr_matrix | None = None  # explicit: all sims (dense) or a larger pool
    scale: tuple[float, float] | None = None
    shape_users_items: tuple[int, int] = (0, 0)
    # Column view of A as plain arrays: the x rows that have a value in column y are
    # col_x[col_ptr[y]:col_ptr[y + 1]], in input-row order (ties between equal similarities go to
    # the earlier row, as in Surprise).
    col_ptr: np.ndarray | None = None
    col_x: np.ndarray | None = None
    col_val: np.ndarray | None = None
    neighbours_t: sp.csr_matrix | None = field(default=None, repr=False)  # W.T as CSR, made on first use

    @property
    def user_based(self) -> bool:
        return self.cfg.method == "user"


def _row_means(A: sp.csr_matrix) -> np.ndarray:
    counts = np.diff(A.indptr)
    sums = np.asarray(A.sum(axis=1)).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _with_data(A: sp.csr_matrix, data: np.ndarray) -> sp.csr_matrix:
    """Same sparsity structure, new values (explicit zeros kept: the structure is the data)."""
    return sp.csr_matrix((data, A.indices, A.indptr), shape=A.shape)


def _centred(A: sp.csr_matrix, row_means: np.ndarray | None, col_means: np.ndarray | None) -> sp.csr_matrix:
    rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
    data = A.data.astype(np.float64, copy=True)
    if row_means is not None:
        data -= np.nan_to_num(row_means)[rows]
    if col_means is not None:
        data -= np.nan_to_num(col_means)[A.indices]
    return _with_data(A, data)


BM25_K1, BM25_B = 1.2, 0.75


def _bm25_weighted(A: sp.csr_matrix) -> sp.csr_matrix:
    """``A`` (x rows by y columns) weighted by Okapi BM25: each entry by its column's inverse
    document frequency log(n_x) - log(1 + x rows in the column) times the saturated,
    length-normalised term weight (k1 + 1) a / (k1 ((1 - b) + b len / mean len) + a)."""
    A = A.tocsr(copy=True)
    touches = np.diff(A.tocsc().indptr).astype(float)
    idf = np.maximum(np.log(A.shape[0]) - np.log1p(touches), 0.0)  # >= 0: no negative links
    rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
    data = A.data.astype(np.float64)
    length = np.asarray(A.sum(axis=1)).ravel()
    norm = (1.0 - BM25_B) + BM25_B * length / max(float(length.mean()), 1e-300)
    A.data = data * (BM25_K1 + 1.0) / (BM25_K1 * norm[rows] + data) * idf[A.indices]
    return A


class _SimilarityBlocks:
    """Computes rows ``a:b`` of the x-by-x similarity matrix as a dense block, from sparse products."""

    def __init__(self, A: sp.csr_matrix, cfg: KNNConfig, means_x: np.ndarray, means_y: np.ndarray):
        self.cfg = cfg
        self.A = A
        self.B = _with_data(A, np.ones_like(A.data))
        self.BT = self.B.T.tocsr()
        sim = cfg.similarity
        if cfg.explicit:
            if cfg.surprise and sim == "pearson":
                self.V = A
            elif sim == "pearson":
                self.V = _centred(A, means_x, None)
            elif sim == "adjusted_cosine":
                self.V = _centred(A, None, means_y)
            else:
                self.V = A
            self.VT = self.V.T.tocsr()
            self.V2 = self.V.multiply(self.V).tocsr()
            self.V2T = self.V2.T.tocsr()
            self.full = None
            if A.shape[0] <= FULL_LIMIT:
                # Small enough to hold whole: every product is symmetric or the transpose of
                # another, so four (three) products replace six per block.
                # sparse @ dense is quicker here than sparse @ sparse followed by toarray
                BTd = self.BT.toarray()
                sup = self.B @ BTd
                if cfg.surprise and sim == "pearson":
                    self.full = {"n": sup, "prods": A @ self.VT.toarray(), "si": A @ BTd, "sqi": self.V2 @ BTd}
                else:
                    self.full = {"n": sup, "num": self.V @ self.VT.toarray(), "left": self.V2 @ BTd}
        else:
            n_y = A.shape[1]
            if sim == "bm25":
                A = _bm25_weighted(A)
                self.A = A
            self.VT = A.T.tocsr()
            sq = np.asarray(A.multiply(A).sum(axis=1)).ravel()
            s = np.asarray(A.sum(axis=1)).ravel()
            if sim == "bm25":
                self.norm2 = np.ones_like(sq)  # a dot product: no division by the lengths
            elif sim == "cosine":
                self.norm2 = sq
            elif sim == "pearson":
                mu = s / n_y
                self.mu = mu
                self.norm2 = sq - n_y * mu * mu
            else:  # adjusted cosine: centre on the other side's means over all x rows
                c = np.asarray(A.sum(axis=0)).ravel() / A.shape[0]
                self.c = c
                self.xc = A @ c
                self.cc = float(c @ c)
                self.norm2 = sq - 2 * self.xc + self.cc

    def block(self, a: int, b: int) -> np.ndarray:
        """Similarities of rows a:b against all rows (a dense block)."""
        cfg = self.cfg
        if not cfg.explicit:
            return self._implicit_block(a, b)
        full = getattr(self, "full", None)
        Bb = self.B[a:b]
        support = full["n"][a:b] if full is not None else (Bb @ self.BT).toarray()
        with np.errstate(invalid="ignore", divide="ignore"):
            if full is not None and "prods" in full:
                # In place: this block is the whole matrix for data of MovieLens size.
                n = support
                si, sj = full["si"][a:b], np.ascontiguousarray(full["si"][:, a:b].T)
                sqi, sqj = full["sqi"][a:b], full["sqi"][:, a:b].T
                num = n * full["prods"][a:b]
                num -= si * sj
                den = n * sqi
                den -= np.square(si)
                right = n * sqj
                right -= np.square(sj, out=sj)
                den *= right
                del right
                np.sqrt(den, out=den)
                ok = den > 0
                np.divide(num, den, out=num, where=ok)
                num[~ok] = 0.0
                return self._finish(num, support, a, b)
            elif full is not None:
                num = full["num"][a:b]
                den = np.sqrt(full["left"][a:b] * full["left"][:, a:b].T)
            elif cfg.surprise and cfg.similarity == "pearson":
                Ab = self.A[a:b]
                n = support
                prods = (Ab @ self.VT).toarray()
                si = (Ab @ self.BT).toarray()
                sj = (Bb @ self.VT).toarray()
                sqi = (self.V2[a:b] @ self.BT).toarray()
                sqj = (Bb @ self.V2T).toarray()
                num = n * prods - si * sj
                den = np.sqrt((n * sqi - si * si) * (n * sqj - sj * sj))
            else:
                num = (self.V[a:b] @ self.VT).toarray()
                left = (self.V2[a:b] @ self.BT).toarray()
                right = (Bb @ self.V2T).toarray()
                den = np.sqrt(left * right)
            sims = np.where((den > 0) & np.isfinite(den), num / np.where(den > 0, den, 1.0), 0.0)
        return self._finish(sims, support, a, b)

    def _implicit_block(self, a: int, b: int) -> np.ndarray:
        # Dense blocks of (rows x all rows) are the cost here: work in place, few temporaries.
        cfg = self.cfg
        sims = (self.A[a:b] @ self.VT).toarray()
        need_support = cfg.min_support > 1 or bool(cfg.shrinkage)
        support = (self.B[a:b] @ self.BT).toarray() if need_support else None
        shared = None if need_support or cfg.similarity in ("cosine", "bm25") else sims > 0
        if cfg.similarity == "pearson":
            sims -= self.A.shape[1] * np.outer(self.mu[a:b], self.mu)
        elif cfg.similarity == "adjusted_cosine":
            sims -= self.xc[a:b, None]
            sims -= self.xc[None, :]
            sims += self.cc
        with np.errstate(invalid="ignore", divide="ignore"):
            inv = np.where(self.norm2 > 1e-12, 1.0 / np.sqrt(np.maximum(self.norm2, 1e-300)), 0.0)
        sims *= inv[a:b, None]
        sims *= inv[None, :]
        if shared is not None:
            # weights are positive, so a positive product means at least one shared customer
            sims[~shared] = 0.0
        return self._finish(sims, support, a, b)

    def _finish(self, sims: np.ndarray, support: np.ndarray | None, a: int, b: int) -> np.ndarray:
        cfg = self.cfg
        if support is not None:
            sims[support < max(cfg.min_support, 1)] = 0.0
            if cfg.shrinkage:
                sims *= support / (support + float(cfg.shrinkage))
        idx = np.arange(a, b)
        sims[idx - a, idx] = 0.0  # a row is not its own neighbour
        return sims


def _top_per_row(sims: np.ndarray, keep: int, positive: bool, offset: int):
    """Rows/cols/values of the ``keep`` largest usable similarities of each row of a block."""
    neg = -sims  # partition the negated block: smallest first is numpy's fast direction
    neg[(sims <= 0) if positive else (sims == 0)] = np.inf
    n = neg.shape[1]
    keep = min(keep, n)
    if keep <= 0:
        return (np.empty(0, np.int64),) * 2 + (np.empty(0),)
    if keep < n:
        idx = np.argpartition(neg, keep - 1, axis=1)[:, :keep]
    else:
        idx = np.broadcast_to(np.arange(n), neg.shape).copy()
    vals = np.take_along_axis(neg, idx, axis=1)
    order = np.argsort(vals, axis=1, kind="stable")
    idx = np.take_along_axis(idx, order, axis=1)
    vals = -np.take_along_axis(vals, order, axis=1)
    ok = np.isfinite(vals)
    rows = np.broadcast_to(np.arange(sims.shape[0])[:, None] + offset, idx.shape)
    return rows[ok].astype(np.int64), idx[ok].astype(np.int64), vals[ok]


def _csr(rows, cols, vals, n) -> sp.csr_matrix:
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, n))


# -- sparse similarities (purchases, cosine and BM25) ----------------------------------------------
# Cosine and BM25 on purchases are zero for every pair of products without a shared customer, so
# the x-by-x matrix is sparse: it is computed as sparse products of row blocks, each block sized
# by its multiply-adds (a best seller's row touches nearly every product, a rare one's a few), and
# only each row's top k is kept. One block is a short C call: the window's thread gets its turns.
FLOPS_PER_BLOCK = 2_000_000
# Above this many x rows the blocks can go to the batch engine (worker processes or a cluster):
# on a cluster always, locally when the product takes more than ENGINE_FLOPS multiply-adds.
ENGINE_ROWS = 20_000
ENGINE_FLOPS = 200_000_000


def sparse_similarity(cfg: KNNConfig) -> bool:
    """True when the similarities are computed sparse (purchases, cosine or BM25)."""
    return not cfg.explicit and cfg.similarity in ("cosine", "bm25")


def row_blocks(A: sp.csr_matrix, BT: sp.csr_matrix, budget: int = FLOPS_PER_BLOCK) -> list[tuple[int, int]]:
    """Consecutive row ranges of ``A`` whose product with ``BT`` costs about ``budget``
    multiply-adds each (at least one row per block)."""
    n = A.shape[0]
    if n == 0:
        return []
    flops = _row_flops(A, BT)
    ends = np.searchsorted(np.cumsum(flops), np.arange(1, int(flops.sum() // budget) + 2) * float(budget))
    ends = np.unique(np.clip(ends + 1, 1, n))
    if ends[-1] != n:
        ends = np.r_[ends, n]
    starts = np.r_[0, ends[:-1]]
    return list(zip(starts.tolist(), ends.tolist()))


def _row_flops(A: sp.csr_matrix, BT: sp.csr_matrix) -> np.ndarray:
    per_col = np.diff(BT.indptr).astype(np.float64)  # length of each y column's row in BT
    B = sp.csr_matrix((np.ones(A.nnz), A.indices, A.indptr), shape=A.shape)
    return np.asarray(B @ per_col).ravel() + np.diff(A.indptr) + 1.0


def row_blocks_total(A: sp.csr_matrix, BT: sp.csr_matrix) -> float:
    """Multiply-adds of the whole product ``A @ BT`` (what :func:`row_blocks` divides)."""
    return float(_row_flops(A, BT).sum()) if A.shape[0] else 0.0


def top_k_sparse(S: sp.csr_matrix, keep: int, positive: bool, offset: int | None = 0):
    """Rows/cols/values of the ``keep`` largest usable values of each row of a sparse block whose
    row r is x row ``offset + r`` (its own column is left out; None: no column is its own); ties
    go to the lower column."""
    S = S.tocsr()
    rows = np.repeat(np.arange(S.shape[0], dtype=np.int64), np.diff(S.indptr))
    cols, vals = S.indices.astype(np.int64), S.data
    ok = (vals > 0) if positive else (vals != 0)
    if offset is not None:
        ok &= cols != rows + offset
    rows, cols, vals = rows[ok], cols[ok], vals[ok]
    counts = np.bincount(rows, minlength=S.shape[0])
    crowded = counts[rows] > keep
    if crowded.any():
        r, c, v = rows[crowded], cols[crowded], vals[crowded]
        order = np.lexsort((c, -v, r))
        r, c, v = r[order], c[order], v[order]
        first = np.searchsorted(r, r)  # where each row's (whole, sorted) run starts
        top = (np.arange(len(r)) - first) < keep
        rows = np.concatenate([rows[~crowded], r[top]])
        cols = np.concatenate([cols[~crowded], c[top]])
        vals = np.concatenate([vals[~crowded], v[top]])
    return rows + (offset or 0), cols, vals


def similar_rows(
    A: sp.csr_matrix,
    VT: sp.csr_matrix,
    scale: np.ndarray | None,
    BT: sp.csr_matrix | None,
    min_support: int,
    shrinkage: float,
    keep: int,
    positive: bool,
    offset: int,
    budget: int = FLOPS_PER_BLOCK,
):
    """The top ``keep`` neighbours of the x rows ``A`` (rows ``offset``.. of the whole), against
    all x rows (``VT``: their transpose, y by x): similarity = A_a . A_b, times ``scale[a] scale[b]``
    (cosine: one over the norms) when given; with ``BT`` (the 0/1 pattern of ``VT``) the number of
    shared y is counted for ``min_support`` and ``shrinkage``. Computed in blocks of about
    ``budget`` multiply-adds. A module-level function of plain arguments: a batch engine's piece."""
    parts = []
    for a, b in row_blocks(A, VT, budget):
        S = (A[a:b] @ VT).tocsr()
        if scale is not None:
            rows = np.repeat(np.arange(a, b), np.diff(S.indptr)) + offset
            S.data *= scale[rows]
            S.data *= scale[S.indices]
        if BT is not None:
            Bb = A[a:b]
            Bb.data = np.ones_like(Bb.data)
            sup = _values_at(Bb @ BT, S)
            S.data[sup < max(min_support, 1)] = 0.0
            if shrinkage:
                S.data *= sup / (sup + float(shrinkage))
        parts.append(top_k_sparse(S, keep, positive, offset + a))
    if not parts:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return tuple(np.concatenate([p[j] for p in parts]) for j in range(3))


def shared_counts(B: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """For pairs of x rows of the 0/1 matrix ``B``: how many y they share, (B B^T)[rows, cols],
    from sparse products of row blocks (only the blocks that hold a pair)."""
    B = B.tocsr()
    BT = B.T.tocsr()
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    out = np.zeros(len(rows))
    order = np.argsort(rows, kind="stable")
    r_sorted = rows[order]
    for a, b in row_blocks(B, BT):
        lo, hi = np.searchsorted(r_sorted, [a, b])
        if lo == hi:
            continue
        sel = order[lo:hi]
        S = B[a:b] @ BT
        out[sel] = values_at_pairs(S, rows[sel] - a, cols[sel])
    return out


def values_at_pairs(M: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """M[rows, cols] for index arrays (0 where nothing is stored), by one sorted search."""
    M = M.tocsr()
    M.sort_indices()
    n = M.shape[1]
    mkey = np.repeat(np.arange(M.shape[0], dtype=np.int64), np.diff(M.indptr)) * n + M.indices
    want = np.asarray(rows, dtype=np.int64) * n + np.asarray(cols, dtype=np.int64)
    if len(mkey) == 0:
        return np.zeros(len(want))
    at = np.minimum(np.searchsorted(mkey, want), len(mkey) - 1)
    return np.where(mkey[at] == want, M.data[at], 0.0)


def _values_at(M: sp.csr_matrix, S: sp.csr_matrix) -> np.ndarray:
    """The values of ``M`` at the stored cells of ``S`` (same shape; 0 where ``M`` has none)."""
    M = M.tocsr()
    M.sort_indices()
    n = M.shape[1]
    mkey = np.repeat(np.arange(M.shape[0], dtype=np.int64), np.diff(M.indptr)) * n + M.indices
    skey = np.repeat(np.arange(S.shape[0], dtype=np.int64), np.diff(S.indptr)) * n + S.indices
    pos = np.searchsorted(mkey, skey)
    pos = np.minimum(pos, max(len(mkey) - 1, 0))
    found = (mkey[pos] == skey) if len(mkey) else np.zeros(len(skey), dtype=bool)
    return np.where(found, M.data[pos] if len(mkey) else 0.0, 0.0)


def fit(
    R: sp.csr_matrix,
    cfg: KNNConfig,
    progress: Progress | None = None,
    scale: tuple[float, float] | None = None,
    *,
    keep: int | None = None,
    first_row: sp.csr_matrix | None = None,
    prefix: str = "",
) -> Model:
    """Similarities and neighbours for the users x items matrix ``R``. ``keep`` overrides how many
    neighbours per row are kept (default ``cfg.k``); ``prefix`` goes before the progress texts."""
    cfg.check()
    progress = progress or Progress()
    R = sp.csr_matrix(R, dtype=np.float64)
    A = R if cfg.method == "user" else R.T.tocsr()
    A.sort_indices()
    means_x = _row_means(A)
    means_y = _row_means(A.T.tocsr())
    global_mean = float(A.data.mean()) if A.nnz else 0.0
    n = A.shape[0]
    keep_k = cfg.k if keep is None else keep
    if sparse_similarity(cfg):
        W = _sparse_neighbours(A, cfg, keep_k, progress, prefix)
        return _model(cfg, A, means_x, means_y, global_mean, W, None, scale, R.shape, first_row)
    dense = cfg.explicit and n <= DENSE_LIMIT
    pool = 0 if (dense or not cfg.explicit) else min(n, max(5 * cfg.k, 200))
    full = np.zeros((n, n)) if dense else None
    blocks = _SimilarityBlocks(A, cfg, means_x, means_y)
    step = max(1, min(n, BLOCK_CELLS // max(n, 1)))
    parts, pool_parts = [], []
    for a in range(0, n, step):
        b = min(n, a + step)
        if cfg.method == "user":
            text = _("Similarities: customers {first:int}-{last:int} of {n:int}", first=a + 1, last=b, n=n)
        else:
            text = _("Similarities: products {first:int}-{last:int} of {n:int}", first=a + 1, last=b, n=n)
        progress.report(a / max(n, 1), prefix + text)
        sims = blocks.block(a, b)
        progress.check()
        if full is not None:
            full[a:b] = sims
        if pool:
            pool_parts.append(_top_per_row(sims, pool, cfg.positive, a))
        parts.append(_top_per_row(sims, keep_k, cfg.positive, a))
    if cfg.method == "user":
        text = _("Neighbours: top {k:int} per customer", k=keep_k)
    else:
        text = _("Neighbours: top {k:int} per product", k=keep_k)
    progress.report(1.0, prefix + text)

    def join(ps):
        if not ps:
            return _csr(np.empty(0, int), np.empty(0, int), np.empty(0), n)
        return _csr(
            np.concatenate([p[0] for p in ps]),
            np.concatenate([p[1] for p in ps]),
            np.concatenate([p[2] for p in ps]),
            n,
        )

    W = join(parts)
    if pool:
        full = join(pool_parts)
    return _model(cfg, A, means_x, means_y, global_mean, W, full, scale, R.shape, first_row)


def _sparse_neighbours(A: sp.csr_matrix, cfg: KNNConfig, keep: int, progress: Progress, prefix: str) -> sp.csr_matrix:
    """Top-``keep`` neighbours per x row for cosine / BM25 on purchases, from sparse products in
    blocks (see :func:`similar_rows`); a big catalogue's blocks go to the batch engine."""
    n = A.shape[0]
    V = _bm25_weighted(A) if cfg.similarity == "bm25" else A
    VT = V.T.tocsr()
    scale = None
    if cfg.similarity == "cosine":
        sq = np.asarray(V.multiply(V).sum(axis=1)).ravel()
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(sq > 1e-12, 1.0 / np.sqrt(np.maximum(sq, 1e-300)), 0.0)
    need_support = cfg.min_support > 1 or bool(cfg.shrinkage)
    BT = None
    if need_support:
        BT = VT.copy()
        BT.data = np.ones_like(BT.data)
    if cfg.method == "user":
        text = _("Similarities: customers {first:int}-{last:int} of {n:int}", first=1, last=n, n=n)
    else:
        text = _("Similarities: products {first:int}-{last:int} of {n:int}", first=1, last=n, n=n)
    progress.report(0.0, prefix + text)
    from .blocks import similarities_in_pieces

    rows, cols, vals = similarities_in_pieces(
        V,
        VT,
        scale,
        BT,
        cfg.min_support,
        float(cfg.shrinkage or 0.0),
        keep,
        cfg.positive,
        progress,
        prefix,
        user_based=cfg.method == "user",
    )
    if cfg.method == "user":
        text = _("Neighbours: top {k:int} per customer", k=keep)
    else:
        text = _("Neighbours: top {k:int} per product", k=keep)
    progress.report(1.0, prefix + text)
    return _csr(rows, cols, vals, n)


def _model(cfg, A, means_x, means_y, global_mean, W, full, scale, shape, first_row) -> Model:
    AT = A.T.tocsr()
    AT.sort_indices()
    col_x, col_val = AT.indices.astype(np.int64), AT.data
    if first_row is not None:
        F = sp.csr_matrix(first_row, dtype=np.float64)
        FT = (F if cfg.method == "user" else F.T.tocsr()).T.tocsr()
        FT.sort_indices()
        rows = np.repeat(np.arange(AT.shape[0]), np.diff(AT.indptr))
        order = np.lexsort((FT.data, rows))
        col_x, col_val = col_x[order], col_val[order]
    return Model(
        cfg,
        A,
        means_x,
        means_y,
        global_mean,
        W,
        full,
        scale,
        shape,
        col_ptr=AT.indptr.astype(np.int64),
        col_x=col_x,
        col_val=col_val,
    )


# -- explicit predictions ------------------------------------------------------------------------
def _lookup(S, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    if isinstance(S, np.ndarray):
        return S[rows, cols]
    if len(rows) == 0:
        return np.empty(0)
    return np.asarray(S[rows, cols]).ravel()


@dataclass
class Contributions:
    """Which neighbours were used for each predicted pair (for the "because" text)."""

    pair: np.ndarray
    neighbour: np.ndarray  # x-side index of the neighbour
    sim: np.ndarray
    value: np.ndarray  # the neighbour's rating / weight in the column
    weight: np.ndarray  # its pull on the prediction (sim * deviation)


def predict_pairs(
    model: Model,
    users: np.ndarray,
    items: np.ndarray,
    *,
    chunk_cells: int = 2_000_000,
    progress: Progress | None = None,
    contributions: bool = False,
):
    """Predicted ratings for (user, item) index pairs (explicit data), with Surprise's
    neighbourhood rule: the k most similar x rows among those that have a value in the pair's
    y column. Pairs are grouped by how many such rows there are (padded to a power of two), so
    picking the top k is one ``np.partition`` per group chunk, not a loop over pairs."""
    cfg = model.cfg
    users = np.asarray(users, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    xs, ys = (users, items) if model.user_based else (items, users)
    mean_u = model.means_x if model.user_based else model.means_y
    mean_i = model.means_y if model.user_based else model.means_x
    n_users, n_items = model.shape_users_items
    ok_u = (users >= 0) & (users < n_users)
    ok_u[ok_u] = ~np.isnan(mean_u[users[ok_u]])
    ok_i = (items >= 0) & (items < n_items)
    ok_i[ok_i] = ~np.isnan(mean_i[items[ok_i]])
    est = np.full(len(users), model.global_mean)
    if not cfg.surprise:
        est[ok_u & ~ok_i] = mean_u[users[ok_u & ~ok_i]]
        est[~ok_u & ok_i] = mean_i[items[~ok_u & ok_i]]
    both = np.flatnonzero(ok_u & ok_i)
    S = model.full if model.full is not None else model.neighbours
    item_default = not model.user_based and not cfg.surprise
    ptr, col_x, col_val = model.col_ptr, model.col_x, model.col_val
    assert ptr is not None and col_x is not None and col_val is not None  # fit() makes the column view
    lens = ptr[ys[both] + 1] - ptr[ys[both]]
    # pad to a power of two up to 64, then to a multiple of 64: few groups, little padding
    width = np.maximum(lens, 1)
    small = width <= 64
    width[small] = 2 ** np.ceil(np.log2(width[small])).astype(np.int64)
    width[~small] = -(-width[~small] // 64) * 64
    base_all = np.zeros(len(users))
    base_all[both] = model.means_y[ys[both]] if item_default else model.means_x[xs[both]]
    contrib = []
    done = 0
    for w in np.unique(width):
        group = both[width == w]
        step = max(1, chunk_cells // int(w))
        for c0 in range(0, len(group), step):
            if progress is not None:
                progress.report(done / max(len(both), 1))
            sel = group[c0 : c0 + step]
            done += len(sel)
            x, y = xs[sel], ys[sel]
            start = ptr[y]
            n_here = ptr[y + 1] - start
            offs = np.arange(w)
            present = offs[None, :] < n_here[:, None]
            pos = np.where(present, start[:, None] + offs[None, :], 0)
            nb = col_x[pos]
            val = col_val[pos]
            xx = np.broadcast_to(x[:, None], nb.shape)
            sim = _lookup(S, xx.ravel(), nb.ravel()).reshape(nb.shape)
            use = present & ((sim > 0) if cfg.positive else (sim != 0)) & (nb != xx)
            count = use.sum(axis=1)
            crowded = count > cfg.k
            if crowded.any():
                # Keep the k largest: everything above the k-th value, then the earliest of
                # those equal to it (columns are in input-row order).
                key = np.where(use[crowded], sim[crowded], -np.inf)
                kth = -np.partition(-key, cfg.k - 1, axis=1)[:, cfg.k - 1]
                above = key > kth[:, None]
                tied = key == kth[:, None]
                room = cfg.k - above.sum(axis=1)
                use[crowded] = above | (tied & (np.cumsum(tied, axis=1) <= room[:, None]))
            if item_default:
                dev = val - model.means_y[y][:, None]
            else:
                dev = val - model.means_x[nb]
            wsim = np.where(use, sim, 0.0)
            num = (wsim * dev).sum(axis=1)
            den = np.abs(wsim).sum(axis=1)
            cnt = use.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                adj = np.where((cnt >= cfg.min_k) & (den > 0), num / np.where(den > 0, den, 1.0), 0.0)
            est[sel] = base_all[sel] + adj
            if contributions:
                r, c = np.nonzero(use)
                contrib.append(Contributions(sel[r], nb[r, c], sim[r, c], val[r, c], (sim * dev)[r, c]))
    if model.scale is not None:
        est = np.clip(est, model.scale[0], model.scale[1])
    if contributions:
        if contrib:
            cat = lambda f: np.concatenate([getattr(c, f) for c in contrib])  # noqa: E731
            return est, Contributions(cat("pair"), cat("neighbour"), cat("sim"), cat("value"), cat("weight"))
        e = np.empty(0)
        return est, Contributions(e.astype(np.int64), e.astype(np.int64), e, e, e)
    return est


# -- scoring all items for a block of users ----------------------------------------------------
def _users_items(model: Model, M_xy: sp.csr_matrix) -> sp.csr_matrix:
    return M_xy if model.user_based else M_xy.T.tocsr()


def score_block(model: Model, M_ui: sp.csr_matrix, users: np.ndarray, absolute: bool = False) -> np.ndarray:
    """Dense (users) x items scores: sum over the top-k neighbours of sim x M (users x items).
    User-based: W[u] . M[:, i]; item-based: M[u] . W[i]."""
    W = model.neighbours
    if absolute:
        W = abs(W)
    if model.user_based:
        return (W[users] @ M_ui).toarray()
    return (M_ui[users] @ W.T).toarray()


def score_rows(model: Model, M_ui: sp.csr_matrix, users: np.ndarray) -> sp.csr_matrix:
    """The scores of :func:`score_block` as a sparse (users) x items matrix: a product no neighbour
    points to is not stored (its score is 0)."""
    W = model.neighbours
    if model.user_based:
        return (W[users] @ M_ui).tocsr()
    if model.neighbours_t is None:
        model.neighbours_t = W.T.tocsr()
    return (M_ui[users] @ model.neighbours_t).tocsr()


def recommend(
    model: Model,
    X_ui: sp.csr_matrix,
    n: int,
    *,
    exclude: sp.csr_matrix | None = None,
    users: np.ndarray | None = None,
    progress: Progress | None = None,
    explicit_shortlist: int | None = None,
    prefix: str = "",
):
    """Top-``n`` items per user. Implicit: score = neighbour sum. Explicit: the neighbour-sum
    form of the prediction ranks a shortlist, which :func:`predict_pairs` then scores exactly.
    Returns (user, item, score) arrays sorted by user then rank."""
    n_users, n_items = X_ui.shape
    users = np.arange(n_users) if users is None else np.asarray(users, dtype=np.int64)
    explicit = model.cfg.explicit
    if not explicit:
        return _recommend_sparse(model, X_ui.tocsr(), n, exclude, users, progress, prefix)
    if explicit:
        # Deviation matrix in users x items layout, as the prediction formula uses it.
        A = model.A
        rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
        if model.user_based:
            dev = A.data - model.means_x[rows]
        elif model.cfg.surprise:
            dev = A.data - model.means_x[rows]
        else:
            dev = A.data - model.means_y[A.indices]
        D = _users_items(model, _with_data(A, dev))
        Bm = _users_items(model, _with_data(A, np.ones_like(A.data)))
        pick = explicit_shortlist or max(3 * n, 30)
    else:
        D = X_ui.tocsr()
        pick = n
    step = max(1, BLOCK_CELLS // max(n_items, 1))
    out_u, out_i, out_s = [], [], []
    for c0 in range(0, len(users), step):
        ub = users[c0 : c0 + step]
        if progress is not None:
            progress.report(
                c0 / max(len(users), 1),
                prefix
                + _(
                    "Predictions: customers {first:int}-{last:int} of {n:int}",
                    first=c0 + 1,
                    last=c0 + len(ub),
                    n=len(users),
                ),
            )
        sc = score_block(model, D, ub)
        if explicit:
            den = score_block(model, Bm, ub, absolute=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                if model.user_based:
                    base = model.means_x[ub, None]
                elif model.cfg.surprise:
                    base = model.means_x[None, :]
                else:
                    base = model.means_y[ub, None]
                sc = np.where(den > 0, np.nan_to_num(base) + sc / np.where(den > 0, den, 1.0), -np.inf)
        else:
            sc[sc <= 0] = -np.inf
        if exclude is not None:
            ex = exclude[ub]
            r = np.repeat(np.arange(len(ub)), np.diff(ex.indptr))
            sc[r, ex.indices] = -np.inf
        kk = min(pick, n_items)
        if kk < n_items:
            idx = np.argpartition(-sc, kk - 1, axis=1)[:, :kk]
        else:
            idx = np.broadcast_to(np.arange(n_items), sc.shape).copy()
        vals = np.take_along_axis(sc, idx, axis=1)
        ok = np.isfinite(vals)
        uu = np.broadcast_to(ub[:, None], idx.shape)[ok]
        out_u.append(uu)
        out_i.append(idx[ok])
        out_s.append(vals[ok])
    u = np.concatenate(out_u) if out_u else np.empty(0, np.int64)
    i = np.concatenate(out_i) if out_i else np.empty(0, np.int64)
    s = np.concatenate(out_s) if out_s else np.empty(0)
    if explicit and len(u):
        s = predict_pairs(model, u, i)
    order = np.lexsort((i, -s, u))
    u, i, s = u[order], i[order], s[order]
    counts = np.bincount(u, minlength=n_users)
    first = np.cumsum(counts) - counts
    rank = np.arange(len(u)) - first[u]
    top = rank < n
    return u[top].astype(np.int64), i[top].astype(np.int64), s[top]


def _recommend_sparse(model: Model, X_ui, n: int, exclude, users: np.ndarray, progress, prefix: str):
    """:func:`recommend` for purchases: the top n positive neighbour sums per customer, excluded
    products left out, ties to the lower product, from sparse scores in blocks."""
    if model.user_based:
        spans = row_blocks(model.neighbours[users], X_ui, FLOPS_PER_BLOCK)
    else:
        if model.neighbours_t is None:
            model.neighbours_t = model.neighbours.T.tocsr()
        spans = row_blocks(X_ui[users], model.neighbours_t, FLOPS_PER_BLOCK)
    out_u, out_i, out_s = [], [], []
    for a, b in spans:
        ub = users[a:b]
        if progress is not None:
            progress.report(
                a / max(len(users), 1),
                prefix
                + _("Predictions: customers {first:int}-{last:int} of {n:int}", first=a + 1, last=b, n=len(users)),
            )
        S = score_rows(model, X_ui, ub)
        if exclude is not None:
            ex = exclude[ub].tocsr()
            ex.data = np.ones_like(ex.data)
            S = S - S.multiply(ex)  # excluded cells drop out (a value minus itself is 0)
        r, c, v = top_k_sparse(S, n, True, None)
        out_u.append(ub[r])
        out_i.append(c)
        out_s.append(v)
    u = np.concatenate(out_u) if out_u else np.empty(0, np.int64)
    i = np.concatenate(out_i) if out_i else np.empty(0, np.int64)
    s = np.concatenate(out_s) if out_s else np.empty(0)
    order = np.lexsort((i, -s, u))
    u, i, s = u[order], i[order], s[order]
    return u.astype(np.int64), i.astype(np.int64), s


def implicit_contributions(model: Model, X_ui: sp.csr_matrix, users: np.ndarray, items: np.ndarray) -> Contributions:
    """For implicit scores: each neighbour's share sim x weight in the score of (user, item)."""
    W = model.neighbours
    if model.user_based:
        xs, ys_for_lookup = users, items
    else:
        xs, ys_for_lookup = items, users
    starts = W.indptr[xs]
    lens = W.indptr[xs + 1] - starts
    pair = np.repeat(np.arange(len(xs)), lens)
    first = np.cumsum(lens) - lens
    pos = starts[pair] + (np.arange(int(lens.sum())) - first[pair])
    nb = W.indices[pos].astype(np.int64)
    sim = W.data[pos]
    if model.user_based:
        val = _lookup(X_ui, nb, ys_for_lookup[pair])
    else:
        val = _lookup(X_ui, ys_for_lookup[pair], nb)
    use = val != 0
    return Contributions(pair[use], nb[use], sim[use], val[use], (sim * val)[use])
