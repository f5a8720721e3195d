"""Purchases over time for the recommender (pure, no Qt): the dated purchase log behind the
customer x product matrix, the time split (train on the earlier weeks, score the products each
customer bought later and had never bought before), and the popularity-aware scoring that has to
beat a best-seller list there.

Score of a product for a customer: (1 - alpha) x the neighbour score scaled to 0..1 within the
customer's row + alpha x the product's popularity (share of customers who bought it, scaled to
0..1). alpha = 1 is the best-seller list itself; alpha is chosen on a validation split inside the
training data (the latest weeks before the held-out ones), so on that split the blend is never
worse than the best-seller list it contains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from bizops_desktop.core.importer.convert import read_dates
from bizops_desktop.core.progress import Progress

from .knn import KNNConfig, Model, fit, row_blocks, score_rows, values_at_pairs

# Weights tried for the popularity prior (0: neighbours only, 1: the best-seller list).
ALPHAS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
# Shrinkage of purchase similarities when the user leaves it empty: sim x n / (n + 10) for n
# shared customers, so a similarity resting on one shared buyer keeps a tenth of its weight.
DEFAULT_SHRINKAGE = 10.0


def default_shrinkage(similarity: str) -> float:
    """Shrinkage when the user leaves it empty: none for BM25, whose dot product already grows
    with the number of shared customers (shrinking it again buries every link of a small shop in
    the best-seller prior: supermarket baskets 0.276 with it, 0.280 without); 10 for the others."""
    return 0.0 if similarity == "bm25" else DEFAULT_SHRINKAGE


BLOCK_CELLS = 4_000_000
SCORE_FLOPS = 2_000_000  # multiply-adds per block of customers scored at once
DENSE_CELLS = 2_000_000  # and at most this many cells (customers x products) per block
PREFIX = 256  # a dense block ranks its first 256 products by popularity and only the others above them
DENSE_SHARE = 0.2  # a block whose scores fill more than this share of its cells is ranked dense
HEAD_SHARE = 8  # products bought by more than 1 customer in 8 are counted densely (BLAS)
NEIGHBOURS_FOR_SHARE = 30  # "customers like this one": the 30 most similar customers
# The check scores a top k of a quarter of the products a customer has not bought yet (see
# eval_cutoff), and calls a difference real when a paired sign test over customers gives p < 5%.
FRACTION_OF_UNBOUGHT = 4.0
SIGNIFICANCE = 0.05
# The check on later weeks scores at most this many customers (a seeded sample of those with new
# purchases): each costs a row of scores over the whole catalogue, for every weight tried.
EVAL_CUSTOMERS = 2000


@dataclass
class PurchaseLog:
    """One entry per order line that maps onto the rating matrix: indices into rm.users/rm.items,
    the day, the money of the line (nan when the data has none) and the units."""

    user: np.ndarray
    item: np.ndarray
    day: np.ndarray  # datetime64[D]
    spend: np.ndarray
    units: np.ndarray
    money: bool  # spend is money (amount, or quantity x price); else units

    @property
    def end(self) -> np.datetime64:
        return self.day.max()

    @property
    def start(self) -> np.datetime64:
        return self.day.min()


def purchase_log(ds, rm) -> PurchaseLog | None:
    """The dated purchases behind ``rm`` (implicit data), or None when no date column is marked or
    fewer than half of the lines carry a date."""
    if rm.explicit or not ds.has("date"):
        return None
    f = ds.frame
    user_col, item_col, date_col = ds.col("customer_id"), ds.col("product_id"), ds.col("date")
    u = pd.Index(rm.users).get_indexer(f[user_col])
    i = pd.Index(rm.items).get_indexer(f[item_col])
    d = f[date_col]
    if not pd.api.types.is_datetime64_any_dtype(d):
        d = read_dates(d)
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_localize(None)
    day = d.dt.normalize().to_numpy(dtype="datetime64[D]")
    ok = (u >= 0) & (i >= 0) & ~np.isnat(day)
    if ok.sum() < 0.5 * max(1, (u >= 0).sum()) or ok.sum() == 0:
        return None
    units = np.ones(len(f))
    if ds.has("quantity"):
        q = pd.to_numeric(f[ds.col("quantity")], errors="coerce").to_numpy(dtype=float)
        units = np.where(np.isfinite(q) & (q > 0), q, 1.0)
    spend = np.full(len(f), np.nan)
    money = False
    if ds.has("amount"):
        spend = pd.to_numeric(f[ds.col("amount")], errors="coerce").to_numpy(dtype=float)
        money = True
    elif ds.has("price"):
        spend = units * pd.to_numeric(f[ds.col("price")], errors="coerce").to_numpy(dtype=float)
        money = True
    if not money:
        spend = units.copy()
    return PurchaseLog(u[ok], i[ok], day[ok], spend[ok], units[ok], money)


def matrix_of(log: PurchaseLog, keep: np.ndarray, shape: tuple[int, int], weighting: str) -> sp.csr_matrix:
    """The customer x product matrix of the lines in ``keep``, weighted as the rating view does."""
    u, i = log.user[keep], log.item[keep]
    vals = log.units[keep] if weighting == "quantity" else np.ones(len(u))
    m = sp.csr_matrix((vals, (u, i)), shape=shape)
    m.sum_duplicates()
    if weighting == "binary":
        m.data = np.ones_like(m.data)
    elif weighting == "log":
        m.data = np.log1p(m.data)
    m.sort_indices()
    return m


def holdout_days(log: PurchaseLog, weeks: int = 0) -> int:
    """Length of the held-out period: ``weeks`` whole weeks, or (0) the last fifth of the history
    in whole weeks, at least one."""
    span = int((log.end - log.start).astype(int)) + 1
    if weeks > 0:
        return 7 * weeks
    return 7 * max(1, int(round(span / 5 / 7)))


def new_purchases(R_train: sp.csr_matrix, log: PurchaseLog, later: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(user, item) pairs bought in the ``later`` lines by customers who bought something before,
    of products they had never bought before: what the held-out period scores."""
    n_items = R_train.shape[1]
    key = np.unique(log.user[later].astype(np.int64) * n_items + log.item[later])
    u, i = key // n_items, key % n_items
    known = np.diff(R_train.indptr)[u] > 0
    u, i = u[known], i[known]
    if len(u):
        seen = np.asarray(R_train[u, i]).ravel() != 0
        u, i = u[~seen], i[~seen]
    return u, i


def popularity(R: sp.csr_matrix) -> np.ndarray:
    """Share of customers (with any purchase) who bought each product."""
    buyers = np.diff(R.tocsc().indptr).astype(float)
    n = max(1, int((np.diff(R.indptr) > 0).sum()))
    return buyers / n


@dataclass
class Scorer:
    """A fitted neighbour model plus the popularity prior, on one training matrix."""

    model: Model
    R: sp.csr_matrix
    pop: np.ndarray  # share of customers who bought each product (training)
    order: np.ndarray  # products by popularity, best first (ties by position): the tie-break

    @classmethod
    def fit(cls, R: sp.csr_matrix, cfg: KNNConfig, progress: Progress | None = None, prefix: str = "") -> "Scorer":
        model = fit(R, cfg, progress, prefix=prefix)
        pop = popularity(R)
        return cls(model, R, pop, np.argsort(-pop, kind="stable"))

    def top(self, users: np.ndarray, n: int, alphas, exclude: sp.csr_matrix | None, progress: Progress | None = None):
        """For each alpha, the top-n product indices per user (users x n, -1 where fewer) and
        their scores (-inf there).

        Sparse and exact: a product no neighbour points to scores alpha x its popularity, so
        among those only the first n the customer may be offered, in popularity order, can make
        the top n. The candidates are the neighbour scores plus those; each customer's n-th best
        score is at least alpha x the popularity of the n-th of those offered and at least
        (1 - alpha) x the n-th best neighbour score, so only candidates at or above both bounds
        are ranked: by score, ties by popularity order (as a stable sort of the whole row in that
        order would)."""
        users = np.asarray(users, dtype=np.int64)
        n_items = self.R.shape[1]
        n = min(n, n_items)
        pos_of = np.empty(n_items, dtype=np.int64)
        pos_of[self.order] = np.arange(n_items)
        pop_n = self.pop[self.order] / max(float(self.pop.max()), 1e-300)  # by popularity position
        out = {a: (np.full((len(users), n), -1, dtype=np.int64), np.full((len(users), n), -np.inf)) for a in alphas}
        if len(users) == 0 or n == 0:
            return out
        progress = progress or Progress()
        blend = [a for a in alphas if a != 1.0]
        for a0, a1 in self.spans(users) if blend else [(0, len(users))]:
            progress.report(a0 / len(users))
            ub = users[a0:a1]
            X = self._excluded(ub, exclude, pos_of)
            found = {}
            if blend:
                P = self._scores(ub, pos_of)
                if P.nnz > DENSE_SHARE * P.shape[0] * P.shape[1]:
                    found = self._top_dense(P, X, n, blend, pop_n)
                else:
                    found = self._top_sparse(P, X, n, blend, pop_n)
            if len(blend) < len(alphas):
                # the best-seller list itself (weight 1): the first n products on offer, no scores needed
                r, p, _nth = self._nth_offered(X, len(ub), n, n_items)
                top = (np.arange(len(r)) - np.searchsorted(r, r)) < n
                found[1.0] = (r[top], p[top], pop_n[p[top]])
            for a, (r, p, v) in found.items():
                items, vals = out[a]
                rank = np.arange(len(r)) - np.searchsorted(r, r)
                items[a0 + r, rank] = self.order[p]
                vals[a0 + r, rank] = v
        return out

    def _scores(self, ub: np.ndarray, pos_of: np.ndarray) -> sp.csr_matrix:
        """The neighbour scores of the customers ``ub``, negatives as 0 and scaled to 0..1 in each
        row, with products as columns in popularity order (sparse, columns unsorted)."""
        CF = score_rows(self.model, self.R, ub)
        data = np.maximum(CF.data, 0.0)
        lens = np.diff(CF.indptr)
        top = np.zeros(len(ub))
        full = lens > 0
        if full.any():  # each row's largest score (no sorting of the columns needed)
            top[full] = np.maximum.reduceat(data, CF.indptr[:-1][full])
        denom = np.repeat(top, lens)
        np.divide(data, denom, out=data, where=denom > 0)
        return sp.csr_matrix((data, pos_of[CF.indices], CF.indptr), shape=CF.shape)

    @staticmethod
    def _excluded(ub: np.ndarray, exclude: sp.csr_matrix | None, pos_of: np.ndarray) -> sp.csr_matrix | None:
        """The excluded cells of the customers ``ub`` (0/1, columns in popularity order, sorted)."""
        if exclude is None:
            return None
        ex = exclude[ub].tocsr()
        ex.eliminate_zeros()
        X = sp.csr_matrix((np.ones(ex.nnz), pos_of[ex.indices], ex.indptr), shape=ex.shape)
        X.sort_indices()
        return X

    @staticmethod
    def _nth_offered(X: sp.csr_matrix | None, rows: int, n: int, n_items: int):
        """Per row: the first n + (number excluded) positions that are not excluded, as (row,
        position) sorted, and the position of the n-th of them (-1 where there are fewer)."""
        ex_count = np.zeros(rows, dtype=np.int64) if X is None else np.diff(X.indptr).astype(np.int64)
        m = np.minimum(n + ex_count, n_items)
        r_fill = np.repeat(np.arange(rows, dtype=np.int64), m)
        p_fill = np.arange(int(m.sum()), dtype=np.int64) - np.repeat(np.cumsum(m) - m, m)
        if X is not None and X.nnz:
            ex_key = np.repeat(np.arange(rows, dtype=np.int64), ex_count) * n_items + X.indices
            key = r_fill * n_items + p_fill
            at = np.minimum(np.searchsorted(ex_key, key), len(ex_key) - 1)
            offered = ex_key[at] != key
            r_fill, p_fill = r_fill[offered], p_fill[offered]
        rank = np.arange(len(r_fill)) - np.searchsorted(r_fill, r_fill)
        nth = np.full(rows, -1, dtype=np.int64)
        at_n = rank == n - 1
        nth[r_fill[at_n]] = p_fill[at_n]
        return r_fill, p_fill, nth

    def _top_dense(self, P: sp.csr_matrix, X: sp.csr_matrix | None, n: int, alphas, pop_n: np.ndarray) -> dict:
        """:meth:`top` on a block whose neighbour scores fill most cells, as a dense block. Only
        the candidates that can make a top n for some weight are ranked: the first PREFIX
        products by popularity, and after them only a product scoring above the n-th best score
        among those (n products more popular and scoring at least as high beat it at every
        weight, ties going to the more popular)."""
        rows, n_items = P.shape
        cf = P.toarray()
        ex_r = np.repeat(np.arange(rows), np.diff(X.indptr)) if X is not None else np.empty(0, np.int64)
        ex_c = X.indices if X is not None else np.empty(0, np.int64)
        cf[ex_r, ex_c] = -np.inf  # excluded: never offered, never a rival
        q = min(n_items, max(PREFIX, 4 * n))
        if q >= n_items or q < n:
            r, p = np.nonzero(cf > -np.inf)
        else:
            head = np.partition(cf[:, :q], q - n, axis=1)[:, q - n]  # n-th best of the first q
            r1, p1 = np.nonzero(cf[:, :q] > -np.inf)
            r2, p2 = np.nonzero(cf[:, q:] > head[:, None])
            r = np.concatenate([r1, r2])
            p = np.concatenate([p1, p2 + q])  # any order: each weight's ranking sorts them
        r, p = r.astype(np.int64), p.astype(np.int64)
        v = cf[r, p]
        # each row's n-th best score is at least (1 - weight) x its n-th best neighbour score and
        # at least weight x the popularity of the n-th product on offer: rank only what reaches both
        nth_cf = np.partition(cf, n_items - n, axis=1)[:, n_items - n] if rows else np.zeros(0)
        nth_cf = np.maximum(nth_cf, 0.0)  # -inf: fewer than n on offer
        _r, _p, nth_fill = self._nth_offered(X, rows, n, n_items)
        found = {}
        for a in alphas:
            if a == 0.0:  # neighbours only: no neighbour evidence, nothing to say
                keep = (v > 0) & (v >= nth_cf[r])
                found[a] = _top_n_rows(r[keep], p[keep], v[keep], n)
            else:
                sc = (1.0 - a) * v + a * pop_n[p]
                bound = np.maximum(a * pop_n[np.maximum(nth_fill, 0)], (1.0 - a) * nth_cf)
                bound[nth_fill < 0] = -np.inf  # fewer than n on offer: all of them
                keep = sc >= bound[r]
                found[a] = _top_n_rows(r[keep], p[keep], sc[keep], n)
        return found

    def _top_sparse(self, P: sp.csr_matrix, X: sp.csr_matrix | None, n: int, alphas, pop_n: np.ndarray) -> dict:
        """:meth:`top` on a block of sparse neighbour scores: the scored cells plus the first
        products on offer by popularity, only those at or above each row's bound ranked."""
        rows, n_items = P.shape
        P.sort_indices()
        if X is not None:
            P = P - P.multiply(X)  # excluded cells drop out (a value minus itself is 0)
        P.eliminate_zeros()  # a zero neighbour score is as good as none: the fill covers it
        P.sort_indices()
        r_cf = np.repeat(np.arange(rows, dtype=np.int64), np.diff(P.indptr))
        p_cf, cf = P.indices.astype(np.int64), P.data
        order = np.lexsort((-cf, r_cf))  # stable: ties stay in position order
        r_cf, p_cf, cf = r_cf[order], p_cf[order], cf[order]
        cf_rank = np.arange(len(r_cf)) - np.searchsorted(r_cf, r_cf)
        nth_cf = np.zeros(rows)
        at_n = cf_rank == n - 1
        nth_cf[r_cf[at_n]] = cf[at_n]
        r_fill, p_fill, nth_fill = self._nth_offered(X, rows, n, n_items)
        cf_key = np.sort(r_cf * n_items + p_cf)
        if len(cf_key):  # a position both scored and filled keeps its score
            key = r_fill * n_items + p_fill
            at = np.minimum(np.searchsorted(cf_key, key), len(cf_key) - 1)
            new = cf_key[at] != key
            r_fill, p_fill = r_fill[new], p_fill[new]
        found = {}
        for a in alphas:
            if a == 0.0:
                top = cf_rank < n
                found[a] = (r_cf[top], p_cf[top], cf[top])
                continue
            r = np.concatenate([r_cf, r_fill])
            p = np.concatenate([p_cf, p_fill])
            sc = (1.0 - a) * np.concatenate([cf, np.zeros(len(p_fill))]) + a * pop_n[p]
            bound = np.maximum(a * pop_n[np.maximum(nth_fill, 0)], (1.0 - a) * nth_cf)
            bound[nth_fill < 0] = -np.inf
            keep = sc >= bound[r]
            found[a] = _top_n_rows(r[keep], p[keep], sc[keep], n)
        return found

    def spans(self, users: np.ndarray) -> list[tuple[int, int]]:
        """Blocks of ``users`` whose neighbour scores take about SCORE_FLOPS multiply-adds each."""
        model = self.model
        if model.user_based:
            spans = row_blocks(model.neighbours[users], self.R, SCORE_FLOPS)
        else:
            if model.neighbours_t is None:
                model.neighbours_t = model.neighbours.T.tocsr()
            spans = row_blocks(self.R[users], model.neighbours_t, SCORE_FLOPS)
        most = max(1, DENSE_CELLS // max(self.R.shape[1], 1))  # rows of a dense block
        return [(c, min(c + most, b)) for a, b in spans for c in range(a, b, most)]


def _top_n_rows(rows: np.ndarray, pos: np.ndarray, score: np.ndarray, n: int):
    """The n best (finite) scores of each row, best first, ties by position: (row, position, score)
    sorted by row then rank."""
    ok = np.isfinite(score)
    rows, pos, score = rows[ok], pos[ok], score[ok]
    order = np.lexsort((pos, -score, rows))
    rows, pos, score = rows[order], pos[order], score[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    top = rank < n
    return rows[top], pos[top], score[top]


def hits_at(top_items: np.ndarray, users: np.ndarray, tu: np.ndarray, ti: np.ndarray, n_items: int) -> np.ndarray:
    """users x N booleans: is the suggestion at each rank a held-out pair (tu, ti)?"""
    held = np.unique(tu.astype(np.int64) * n_items + ti)
    keys = users[:, None].astype(np.int64) * n_items + top_items
    if len(held) == 0:
        return np.zeros(keys.shape, dtype=bool)
    at = np.minimum(np.searchsorted(held, keys), len(held) - 1)
    return (held[at] == keys) & (top_items >= 0)


def scores_at(top_items: np.ndarray, users: np.ndarray, tu: np.ndarray, ti: np.ndarray, n_items: int, cutoffs):
    """precision, recall and hit rate at each cutoff of top lists (users x N) against held-out
    pairs (tu, ti); users are those with at least one held-out pair."""
    n_test = pd.Series(tu).value_counts().reindex(users).to_numpy(dtype=float)
    hit = hits_at(top_items, users, tu, ti, n_items)
    out = []
    for c in cutoffs:
        h = hit[:, :c].sum(axis=1)
        if len(users) == 0:
            out.append((0.0, 0.0, 0.0))
        else:
            out.append((float(np.mean(h / c)), float(np.mean(h / n_test)), float(np.mean(h > 0))))
    return out


def eval_cutoff(R_train: sp.csr_matrix, users: np.ndarray, top_n: int) -> int:
    """The number of suggestions the check scores: a quarter of the products the typical checked
    customer has not bought yet, from 1 to ``top_n``. A shop of 40 products whose customers have
    bought 33 leaves 7 to suggest: a top 10 would hold them all, whatever the method."""
    if len(users) == 0:
        return max(1, top_n)
    unbought = R_train.shape[1] - np.diff(R_train.indptr)[users]
    return int(min(top_n, max(1, round(float(np.median(unbought)) / FRACTION_OF_UNBOUGHT))))


@dataclass
class Paired:
    """Per-customer comparison of two top-k lists on the same held-out purchases: how many
    customers had more hits with the first list, how many with the second, and the one-sided
    sign-test p-values (ties left out)."""

    k: int
    better: int
    worse: int
    ties: int
    p_better: float  # chance of this many or more "better" customers if neither list were better
    p_worse: float

    @property
    def verdict(self) -> str:
        """The verdict: better or worse when the sign test says so at the 5% level, else same."""
        if self.better > self.worse and self.p_better < SIGNIFICANCE:
            return "better"
        if self.worse > self.better and self.p_worse < SIGNIFICANCE:
            return "worse"
        return "same"


def sign_test(a_hits: np.ndarray, b_hits: np.ndarray, k: int) -> Paired:
    """Paired sign test of per-customer hit counts ``a_hits`` against ``b_hits``."""
    better, worse = int((a_hits > b_hits).sum()), int((a_hits < b_hits).sum())
    n = better + worse
    if n == 0:
        return Paired(k, 0, 0, len(a_hits), 1.0, 1.0)
    return Paired(k, better, worse, len(a_hits) - n, _at_least(better, n), _at_least(worse, n))


def _at_least(x: int, n: int) -> float:
    """P(X >= x) for X ~ Binomial(n, 1/2): the one-sided sign test's p (scipy's binomtest
    "greater"; scipy.special, not scipy.stats, whose import alone takes seconds)."""
    from scipy.special import bdtrc

    return 1.0 if x <= 0 else float(bdtrc(x - 1, n, 0.5))


@dataclass
class SplitScore:
    alpha: float
    cutoffs: list
    ours: list  # (precision, recall, hit rate) per cutoff
    best_sellers: list
    neighbours_only: list
    users: int
    pairs: int
    coverage: float
    final_alpha: float = 1.0  # chosen on this split, for the model trained on all the data
    k: int = 10  # the top k the comparison is made at (eval_cutoff)
    paired: Paired | None = None  # ours against the best-seller list, customer by customer, at k
    unbought: float = 0.0  # median number of products a checked customer had not bought yet
    sampled_from: int = 0  # customers with new purchases when only a sample of them was checked (0: all)


def score_split(
    R_train: sp.csr_matrix,
    tu: np.ndarray,
    ti: np.ndarray,
    cfg: KNNConfig,
    n: int,
    alphas=ALPHAS,
    cutoffs=None,
    progress: Progress | None = None,
    prefix: str = "",
) -> "SplitResult":
    """precision/recall/hit rate at ``cutoffs`` for every alpha on one split (and the top lists)."""
    cutoffs = cutoffs or [n]
    scorer = Scorer.fit(R_train, cfg, progress.sub(0.0, 0.5) if progress else None, prefix)
    users = np.unique(tu)
    tops = scorer.top(users, max(cutoffs), alphas, R_train, progress.sub(0.5, 1.0) if progress else None)
    at = {a: scores_at(tops[a][0], users, tu, ti, R_train.shape[1], cutoffs) for a in alphas}
    return SplitResult(at, {a: t[0] for a, t in tops.items()})


@dataclass
class SplitResult:
    at: dict  # alpha -> [(precision, recall, hit rate) per cutoff]
    tops: dict  # alpha -> users x N product indices (-1: none)


def sample_customers(tu: np.ndarray, ti: np.ndarray, most: int | None = None, seed: int = 0):
    """The held-out pairs of at most ``most`` (EVAL_CUSTOMERS) customers, a seeded random sample
    of those who have any (the same sample every run): all of them when there are fewer."""
    most = EVAL_CUSTOMERS if most is None else most
    users = np.unique(tu)
    if len(users) <= most:
        return tu, ti
    chosen = np.sort(np.random.default_rng(seed).choice(users, most, replace=False))
    keep = np.isin(tu, chosen)
    return tu[keep], ti[keep]


def choose_alpha(results: dict[float, list], at: int = 0) -> float:
    """The alpha with the highest precision at cutoff number ``at``; on a tie the larger alpha
    (closer to the plain best-seller list, the simpler answer)."""
    best = max(results, key=lambda a: (round(results[a][at][0], 12), a))
    return float(best)


def evaluate_time_split(
    log: PurchaseLog,
    shape: tuple[int, int],
    cfg: KNNConfig,
    weighting: str,
    n: int,
    cutoffs: list,
    holdout: int,
    progress: Progress | None = None,
    prefix: str = "",
) -> tuple[SplitScore, dict]:
    """Train on the lines before the last ``holdout`` days, with alpha chosen on the ``holdout``
    days before those (validation), and score the new products bought in the last ``holdout``
    days. Also returns the split's dates."""
    progress = progress or Progress()
    end = log.end
    test_from = end - np.timedelta64(holdout - 1, "D")
    val_from = test_from - np.timedelta64(holdout, "D")
    train = log.day < test_from
    inner = log.day < val_from
    R_inner = matrix_of(log, inner, shape, weighting)
    R_train = matrix_of(log, train, shape, weighting)
    tu, ti = new_purchases(R_train, log, ~train)
    users = np.unique(tu)
    k = eval_cutoff(R_train, users, n)
    unbought = float(np.median(shape[1] - np.diff(R_train.indptr)[users])) if len(users) else float(shape[1])
    everyone = len(users)
    tu, ti = sample_customers(tu, ti)
    users = np.unique(tu)
    vu, vi = sample_customers(*new_purchases(R_inner, log, train & ~inner))
    alpha = 1.0
    if len(vu) and R_inner.nnz:
        res = score_split(R_inner, vu, vi, cfg, k, cutoffs=[k], progress=progress.sub(0.0, 0.5), prefix=prefix)
        alpha = choose_alpha(res.at)
    cutoffs = sorted({*cutoffs, k})
    alphas = sorted({alpha, *ALPHAS})
    res = score_split(R_train, tu, ti, cfg, n, alphas, cutoffs, progress.sub(0.5, 1.0), prefix)
    at = list(cutoffs).index(k)
    paired = sign_test(
        hits_at(res.tops[alpha][:, :k], users, tu, ti, shape[1]).sum(axis=1),
        hits_at(res.tops[1.0][:, :k], users, tu, ti, shape[1]).sum(axis=1),
        k,
    )
    tops = res.tops[alpha][:, :n]
    coverage = float(len(np.unique(tops[tops >= 0])) / max(shape[1], 1))  # products in anyone's top n
    dates = {
        "train_start": str(log.start),
        "train_end": str(test_from - np.timedelta64(1, "D")),
        "test_start": str(test_from),
        "test_end": str(end),
        "validation_start": str(val_from),
        "holdout_days": int(holdout),
    }
    return (
        SplitScore(
            alpha,
            list(cutoffs),
            res.at[alpha],
            res.at[1.0],
            res.at[0.0],
            len(users),
            len(tu),
            coverage,
            final_alpha=choose_alpha(res.at, at) if len(tu) else alpha,
            k=k,
            paired=paired,
            unbought=unbought,
            sampled_from=everyone if everyone > len(users) else 0,
        ),
        dates,
    )


def choose_alpha_on_cells(R: sp.csr_matrix, cfg: KNNConfig, n: int, seed: int) -> float:
    """Without dates: alpha chosen on a seeded fifth of the purchased cells held back (the
    customers' other purchases train)."""
    rows = np.repeat(np.arange(R.shape[0]), np.diff(R.indptr))
    held = np.random.default_rng(seed).uniform(size=R.nnz) < 0.2
    if not held.any() or held.all():
        return 1.0
    keep = sp.csr_matrix((R.data[~held], (rows[~held], R.indices[~held])), shape=R.shape)
    return choose_alpha(score_split(keep, rows[held], R.indices[held], cfg, n).at)


def neighbour_share(R: sp.csr_matrix, ru: np.ndarray, ri: np.ndarray, k: int = NEIGHBOURS_FOR_SHARE) -> np.ndarray:
    """For each recommended (customer, product): the share of the customer's ``k`` most similar
    customers (cosine over what they bought; ties to the earlier customer) who bought the product:
    "bought by 34% of customers like this one".

    The similarities of a block of customers against all are counts of shared products (exact
    whatever the order of the sums), the products most customers bought as one dense product
    (BLAS), the others sparse; the ranking is by count / sqrt(products the other bought), the
    cosine without the row's own constant factor."""
    B = R.copy().tocsr()
    B.data = np.ones_like(B.data)
    B.sort_indices()
    n_users, n_items = B.shape
    out = np.zeros(len(ru))
    if len(ru) == 0:
        return out
    sizes = np.asarray(B.sum(axis=1)).ravel()
    inv = np.where(sizes > 0, 1.0 / np.sqrt(np.maximum(sizes, 1e-300)), 0.0)
    buyers = np.diff(B.tocsc().indptr)
    head = np.flatnonzero(buyers * HEAD_SHARE > n_users)  # bought by more than 1 in HEAD_SHARE customers
    tail = np.setdiff1d(np.arange(n_items), head)
    H = B[:, head].toarray().astype(np.float32) if len(head) else None
    Bt = B[:, tail].tocsr()
    BtT = Bt.T.tocsr()
    users, where = np.unique(ru, return_inverse=True)
    k = max(1, min(k, n_users - 1))
    step = max(1, BLOCK_CELLS // max(n_users, 1))
    for a in range(0, len(users), step):
        ub = users[a : a + step]
        count = (Bt[ub] @ BtT).toarray()
        if H is not None:
            count += H[ub] @ H.T  # 0/1 in float32: the counts are exact integers
        key = count
        key *= inv[None, :]
        key[np.arange(len(ub)), ub] = -np.inf
        # the k largest, ties to the earlier customer (lower column)
        kth = np.partition(key, n_users - k, axis=1)[:, n_users - k]
        r_near, c_near = np.nonzero(key > kth[:, None])
        r_tie, c_tie = np.nonzero(key == kth[:, None])  # row by row, columns in order
        room = k - np.bincount(r_near, minlength=len(ub))
        first = np.searchsorted(r_tie, r_tie)
        take = (np.arange(len(r_tie)) - first) < room[r_tie]
        r_near = np.concatenate([r_near, r_tie[take]])
        c_near = np.concatenate([c_near, c_tie[take]])
        N = sp.csr_matrix((np.ones(len(r_near)), (r_near, c_near)), shape=(len(ub), n_users))
        sel = np.flatnonzero((where >= a) & (where < a + len(ub)))
        out[sel] = values_at_pairs(N @ B, where[sel] - a, ri[sel]) / k
    return out
