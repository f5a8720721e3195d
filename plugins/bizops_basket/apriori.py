"""Apriori frequent itemsets and association rules on a :class:`Baskets` view, in numpy.

Classical Apriori (Agrawal & Srikant 1994): count single items, keep the frequent ones; build the
candidate k-itemsets by joining frequent (k-1)-itemsets that share their first k-2 items and
pruning every candidate with an infrequent (k-1)-subset; count the candidates; repeat.

Counting is where the time goes, so each order is counted the cheaper of two exact ways:
short orders horizontally (enumerate the order's k-subsets of candidate items, look them up),
long orders vertically (one bitset of long orders per item, AND + popcount per candidate).
Both give the same counts; the split only keeps a few very long orders from blowing up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations, islice

import numpy as np

from bizops_desktop.core import chunked
from bizops_desktop.core.errors import DataError
from bizops_desktop.core.progress import Progress

from .i18n import _, _n

# Work per chunk: small enough that Cancel is seen well within a second and the temporary
# arrays stay a few MB, large enough that numpy's per-call overhead does not matter.
CHUNK_CODES = 1 << 18
JOIN_CHUNK = 1 << 15  # candidates built and pruned at a time (most are pruned away)
VERTICAL_BLOCK_BYTES = 1 << 23
MAX_PAIR_TABLE = 20_000_000  # distinct co-occurring pairs kept while counting level 2
MAX_CANDIDATES = 5_000_000  # candidate itemsets of one level
DENSE_LOOKUP_CELLS = 1 << 20  # itemset lookups by a direct table up to this many codes
DENSE_PAIR_CELLS = 1 << 20  # up to this many item x item cells, count pairs in a dense table


@dataclass
class FrequentItemsets:
    """levels[k-1]: (m_k, k) int array of item codes (of the Baskets), rows sorted; counts[k-1]:
    in how many orders each of those itemsets appears."""

    levels: list[np.ndarray]
    counts: list[np.ndarray]
    n_orders: int
    min_count: int

    @property
    def total(self) -> int:
        return int(sum(len(c) for c in self.counts))


def min_count_for(min_support: float, n_orders: int) -> int:
    """The smallest order count whose support (count / orders) reaches ``min_support``, decided
    with the same float comparison ``count / n >= min_support`` that mlxtend uses."""
    c = max(int(math.ceil(min_support * n_orders)), 1)
    while c > 1 and (c - 1) / n_orders >= min_support:
        c -= 1
    while c / n_orders < min_support:
        c += 1
    return c


def _too_many(what: str, n: int, limit: int, k: int) -> DataError:
    """The blow-up message: raised as soon as the count is known to pass the limit. ``what``:
    ``itemsets`` (frequent ones, the limit the user sets), ``pairs`` or ``candidates`` (fixed
    memory guards)."""
    hint = _(
        "Raise Minimum support (min_support) or Minimum orders (min_count), or lower Most products in a set (max_len)"
    )
    if what == "itemsets":
        text = _n(
            "this search finds too many sets of products bought together: at least {count:int} "
            "with up to {n} product, more than the limit of {limit:int}",
            "this search finds too many sets of products bought together: at least {count:int} "
            "with up to {n} products, more than the limit of {limit:int}",
            k,
            count=n,
            limit=limit,
        )
        hint = _(
            "Raise Minimum support (min_support) or Minimum orders (min_count), or lower Most "
            "products in a set (max_len); raise Most product sets (max_itemsets) only if the "
            "computer has the memory for it"
        )
    elif what == "pairs":
        text = _(
            "this search finds too many different pairs of products to keep count of: at least "
            "{count:int}, more than the limit of {limit:int}",
            count=n,
            limit=limit,
        )
    else:
        text = _n(
            "this search finds too many sets of products to count: at least {count:int} "
            "possible sets of {n} product, more than the limit of {limit:int}",
            "this search finds too many sets of products to count: at least {count:int} "
            "possible sets of {n} products, more than the limit of {limit:int}",
            k,
            count=n,
            limit=limit,
        )
    return DataError(text, where=_("Minimum support (min_support)"), hint=hint)


# ------------------------------------------------------------------------------------------------
# Row codes: an itemset (k item codes below ``base``) as one int64, so sets of itemsets can be
# sorted and searched with numpy. Rows sorted lexicographically give sorted codes.


def _fits(base: int, k: int) -> bool:
    return k * math.log2(max(base, 2)) < 62.5


def _codes(rows: np.ndarray, base: int) -> np.ndarray:
    out = rows[:, 0].astype(np.int64)
    for j in range(1, rows.shape[1]):
        out = out * base + rows[:, j]
    return out


class _RowIndex:
    """Position of given rows inside a table of rows (or -1), by int64 codes or, when the codes
    would overflow, by the rows' bytes."""

    def __init__(self, table: np.ndarray, base: int):
        self.base = base
        self.k = table.shape[1]
        self.dense = None
        self.lookup_bytes = None
        if base**self.k <= DENSE_LOOKUP_CELLS:
            # small code space: a direct position table beats a binary search
            self.dense = np.full(base**self.k, -1, dtype=np.int64)
            self.dense[_codes(table, base)] = np.arange(len(table))
        elif _fits(base, self.k):
            self.codes = _codes(table, base)
            self.order = np.argsort(self.codes, kind="stable")
            self.sorted = self.codes[self.order]
        else:
            t = np.ascontiguousarray(table, dtype=np.int64)
            self.lookup_bytes = {t[i].tobytes(): i for i in range(len(t))}

    def find(self, rows: np.ndarray) -> np.ndarray:
        if self.dense is not None:
            return self.dense[_codes(rows, self.base)]
        if self.lookup_bytes is not None:
            r = np.ascontiguousarray(rows, dtype=np.int64)
            return np.array([self.lookup_bytes.get(r[i].tobytes(), -1) for i in range(len(r))], dtype=np.int64)
        return self.find_codes(_codes(rows, self.base))

    def find_codes(self, q: np.ndarray) -> np.ndarray:
        """Like ``find`` for rows already turned into codes (not for the byte lookup)."""
        if self.dense is not None:
            return self.dense[q]
        pos = np.searchsorted(self.sorted, q)
        pos = np.minimum(pos, len(self.sorted) - 1)
        hit = self.sorted[pos] == q if len(self.sorted) else np.zeros(len(q), bool)
        return np.where(hit, self.order[pos] if len(self.sorted) else 0, -1)


# ------------------------------------------------------------------------------------------------
def _restrict(indptr: np.ndarray, indices: np.ndarray, keep_item: np.ndarray, new_code: np.ndarray):
    """CSR restricted to items with ``keep_item`` and renumbered by ``new_code`` (order kept)."""
    keep = keep_item[indices]
    row = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))[keep]
    ind = new_code[indices[keep]].astype(np.int32)
    ptr = np.zeros(len(indptr), dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=len(indptr) - 1), out=ptr[1:])
    return ptr, ind


def _combo_pieces(length: int, k: int):
    """Position k-tuples (i < j < ...) within an order of ``length`` items, in pieces of at most
    about CHUNK_CODES rows, so even one order of thousands of items never needs them all at once."""
    if k == 2:
        first = np.arange(length - 1)
        partners = length - 1 - first  # pairs starting at position i
        ends = np.cumsum(partners)
        i0 = 0
        while i0 < length - 1:
            i1 = int(np.searchsorted(ends, (ends[i0 - 1] if i0 else 0) + CHUNK_CODES, side="right"))
            i1 = max(i1, i0 + 1)
            rep = partners[i0:i1]
            ii = np.repeat(first[i0:i1], rep)
            jj = ii + 1 + (np.arange(len(ii)) - np.repeat(np.cumsum(rep) - rep, rep))
            yield np.stack([ii, jj], axis=1)
            i0 = i1
        return
    it = combinations(range(length), k)
    while True:
        piece = np.array(list(islice(it, CHUNK_CODES)), dtype=np.int64).reshape(-1, k)
        if not len(piece):
            return
        yield piece


def _enumerate_subsets(indptr, indices, rows, k, base, progress: Progress):
    """Yield int64 codes of every k-subset of the given orders (items sorted within an order),
    a chunk at a time, grouped by order length."""
    lengths = (indptr[1:] - indptr[:-1])[rows]
    for length in np.unique(lengths):
        length = int(length)
        if length < k:
            continue
        sel = rows[lengths == length]
        for combo in _combo_pieces(length, k):
            step_r = max(1, CHUNK_CODES // len(combo))
            for r0 in range(0, len(sel), step_r):
                s = sel[r0 : r0 + step_r]
                block = indices[indptr[s][:, None] + np.arange(length)]
                code = block[:, combo[:, 0]].astype(np.int64)
                for j in range(1, k):
                    code *= base
                    code += block[:, combo[:, j]]
                progress.check()
                yield code.ravel()


def _merge(codes: list[np.ndarray], counts: list[np.ndarray]):
    u, inv = chunked.unique(np.concatenate(codes), return_inverse=True)  # np.unique holds the GIL
    return u, np.bincount(inv, weights=np.concatenate(counts), minlength=len(u)).astype(np.int64)


def _count_pairs(indptr, indices, n1, min_count, limit, progress: Progress):
    """Level 2: every pair of frequent items is a candidate (the join of 1-itemsets prunes
    nothing), counted by enumerating each order's pairs. Returns frequent pairs and counts.

    Counts only grow as orders are added, so once the n1 items plus the pairs that reached
    ``min_count`` part-way pass ``limit``, the result is already too big: stop then."""
    rows = np.flatnonzero(np.diff(indptr) >= 2)
    dense = n1 * n1 <= DENSE_PAIR_CELLS
    acc = None
    parts_codes: list[np.ndarray] = []
    parts_counts: list[np.ndarray] = []
    fresh = 0

    def batches():
        # Length groups give many small arrays; gather them so each bincount/unique is big.
        buf, size = [], 0
        for code in _enumerate_subsets(indptr, indices, rows, 2, n1, progress):
            buf.append(code)
            size += len(code)
            if size >= CHUNK_CODES:
                yield np.concatenate(buf)
                buf, size = [], 0
        if buf:
            yield np.concatenate(buf)

    for code in batches():
        if dense:
            if acc is None:
                acc = np.bincount(code, minlength=n1 * n1)
            else:
                acc += np.bincount(code, minlength=n1 * n1)
            _check_budget(acc, min_count, n1, limit, 2)
        else:
            u, c = chunked.unique(code, return_counts=True)
            parts_codes.append(u)
            parts_counts.append(c)
            fresh += len(u)
            if fresh > MAX_PAIR_TABLE // 4:
                u, c = _merge(parts_codes, parts_counts)
                parts_codes, parts_counts, fresh = [u], [c], 0
                _check_budget(c, min_count, n1, limit, 2)
                if len(u) > MAX_PAIR_TABLE:
                    raise _too_many("pairs", len(u), MAX_PAIR_TABLE, 2)
    if dense and acc is not None:
        codes = np.flatnonzero(acc >= min_count)
        counts = acc[codes]
    elif parts_codes:
        u, c = _merge(parts_codes, parts_counts)
        keep = c >= min_count
        codes, counts = u[keep], c[keep]
    else:
        codes, counts = np.zeros(0, np.int64), np.zeros(0, np.int64)
    pairs = np.stack([codes // n1, codes % n1], axis=1).astype(np.int32)
    return pairs, counts


def _join_and_prune(prev: np.ndarray, n1: int, limit: int, k: int, progress: Progress) -> np.ndarray:
    """Candidate k-itemsets: pairs of frequent (k-1)-itemsets with the same first k-2 items,
    kept only when each of their (k-1)-subsets is frequent. ``prev`` rows are sorted, so the
    candidates come out sorted too. Built a slice at a time (Cancel, bounded temporaries)."""
    m = len(prev)
    if m < 2:
        return np.zeros((0, k), dtype=np.int32)
    prefix = prev[:, :-1]
    new_group = np.ones(m, dtype=bool)
    new_group[1:] = np.any(prefix[1:] != prefix[:-1], axis=1)
    starts = np.flatnonzero(new_group)
    sizes = np.diff(np.append(starts, m))
    group_start = np.repeat(starts, sizes)
    group_size = np.repeat(sizes, sizes)
    rep = group_size - 1 - (np.arange(m) - group_start)  # later rows of its group: partners
    total = int(rep.sum())
    if total > limit:
        raise _too_many("candidates", total, limit, k)
    index = _RowIndex(prev, n1) if k >= 3 else None
    ends = np.cumsum(rep)
    out = []
    r0 = 0
    while r0 < m:
        # rows r0..r1-1 give at most about CHUNK_CODES candidates
        r1 = int(np.searchsorted(ends, (ends[r0 - 1] if r0 else 0) + JOIN_CHUNK, side="right"))
        r1 = max(r1, r0 + 1)
        progress.check()
        rp = rep[r0:r1]
        cnt = int(rp.sum())
        if cnt:
            left = np.repeat(np.arange(r0, r1), rp)
            right = left + (np.arange(cnt) - np.repeat(np.cumsum(rp) - rp, rp) + 1)
            cand = np.empty((cnt, k), dtype=np.int32)
            cand[:, :-1] = prev[left]
            cand[:, -1] = prev[right, -1]
            if index is not None:
                keep = np.ones(cnt, dtype=bool)
                # Subsets dropping one of the last two items are the two joined parents.
                for d in range(k - 2):
                    keep &= index.find(np.delete(cand, d, axis=1)) >= 0
                cand = cand[keep]
            out.append(cand)
        r0 = r1
    return np.concatenate(out) if out else np.zeros((0, k), dtype=np.int32)


def _count_candidates(
    indptr,
    indices,
    cand: np.ndarray,
    n1: int,
    progress: Progress,
    min_count: int = 1,
    already: int = 0,
    limit: int | None = None,
) -> np.ndarray:
    """Order counts of each candidate k-itemset (rows of ``cand``), k >= 3. Counts only grow,
    so once ``already`` plus the candidates at ``min_count`` pass ``limit``, stop right there."""
    m, k = cand.shape
    counts = np.zeros(m, dtype=np.int64)
    if m == 0:
        return counts
    active = np.zeros(n1, dtype=bool)
    active[cand.ravel()] = True
    new_code = (np.cumsum(active) - 1).astype(np.int32)
    ptr, ind = _restrict(indptr, indices, active, new_code)
    n_act = int(active.sum())
    cand_a = new_code[cand]
    lengths = np.diff(ptr)
    cost = np.zeros(len(lengths), dtype=np.float64)
    ok = lengths >= k
    # math.comb per distinct length; the number of distinct lengths is small.
    for L in np.unique(lengths[ok]):
        cost[lengths == L] = float(min(math.comb(int(L), k), 10**300))
    # Horizontal work per order ~ its k-subsets; vertical work ~ m*k/64 words for every 64
    # orders; an AND+popcount word is far cheaper than a code lookup, hence the factor.
    threshold = min(max(m * k / 1280.0, 64.0), float(1 << 20))
    vertical = np.flatnonzero(cost > threshold)
    horizontal = np.flatnonzero(ok & (cost <= threshold))

    if len(horizontal) and not _fits(n_act, k):
        vertical = np.flatnonzero(ok)  # codes would overflow: count every order vertically
        horizontal = horizontal[:0]

    if len(horizontal):
        index = _RowIndex(cand_a, n_act)
        for code in _enumerate_subsets(ptr, ind, horizontal, k, n_act, progress):
            pos = index.find_codes(code)
            counts += np.bincount(pos[pos >= 0], minlength=m)
            _check_budget(counts, min_count, already, limit, k)

    if len(vertical):
        # bitsets over the long orders only: bit v of item i = long order v holds item i
        is_v = np.zeros(len(lengths), dtype=bool)
        is_v[vertical] = True
        entry = np.repeat(is_v, lengths)
        sub_ind = ind[entry]
        orders = np.repeat(np.arange(len(vertical), dtype=np.int64), lengths[vertical])
        n_words = (len(vertical) + 63) // 64
        bits = np.zeros((n_act, n_words), dtype=np.uint64)
        np.bitwise_or.at(bits, (sub_ind, orders >> 6), np.left_shift(np.uint64(1), (orders & 63).astype(np.uint64)))
        block = max(1, VERTICAL_BLOCK_BYTES // (8 * n_words))
        for b0 in range(0, m, block):
            progress.check()
            c = cand_a[b0 : b0 + block]
            acc = bits[c[:, 0]]
            for j in range(1, k):
                np.bitwise_and(acc, bits[c[:, j]], out=acc)
            counts[b0 : b0 + block] += np.bitwise_count(acc).sum(axis=1, dtype=np.int64)
            _check_budget(counts, min_count, already, limit, k)
    return counts


def _check_budget(counts: np.ndarray, min_count: int, already: int, limit: int | None, k: int) -> None:
    if limit is not None:
        reached = already + int(np.count_nonzero(counts >= min_count))
        if reached > limit:
            raise _too_many("itemsets", reached, limit, k)


def frequent_itemsets(
    baskets,
    min_count: int,
    *,
    max_len: int | None = None,
    max_itemsets: int | None = None,
    progress: Progress | None = None,
) -> FrequentItemsets:
    """All itemsets bought together in at least ``min_count`` orders (up to ``max_len`` items).

    Raises DataError (before memory runs out) when there would be more than ``max_itemsets``.
    """
    progress = progress or Progress()
    n = baskets.n_orders
    max_len = max_len or 1_000_000
    limit = max_itemsets or 1 << 62
    cand_limit = min(MAX_CANDIDATES, max(limit * 20, 1_000_000))
    progress.report(0.0, _("Counting single products"))
    item_counts = baskets.item_counts()
    freq_items = np.flatnonzero(item_counts >= min_count)
    levels = [freq_items.reshape(-1, 1).astype(np.int32)]
    counts = [item_counts[freq_items].astype(np.int64)]
    if len(freq_items) > limit:
        raise _too_many("itemsets", len(freq_items), limit, 1)
    n1 = len(freq_items)
    if max_len < 2 or n1 < 2:
        return FrequentItemsets(levels, counts, n, min_count)

    # From here on items are numbered 0..n1-1 among the frequent ones (same order as codes).
    is_freq = np.zeros(baskets.n_items, dtype=bool)
    is_freq[freq_items] = True
    new_code = np.cumsum(is_freq) - 1
    ptr, ind = _restrict(baskets.indptr, baskets.indices, is_freq, new_code)

    span = lambda k: progress.sub((k - 1) / max(min(max_len, 8), 2), k / max(min(max_len, 8), 2))  # noqa: E731
    p2 = span(1)
    p2.report(0.0, _("Counting pairs of products"))
    pairs, pc = _count_pairs(ptr, ind, n1, min_count, limit, p2)
    total = n1 + len(pairs)
    if total > limit:
        raise _too_many("itemsets", total, limit, 2)
    local = [None, pairs]
    local_counts = [None, pc]
    k = 3
    while k <= max_len and len(local[-1]) >= 2:
        pk = span(k - 1)
        pk.report(0.0, _n("Counting sets of {n} product", "Counting sets of {n} products", k))
        cand = _join_and_prune(local[-1], n1, cand_limit, k, pk)
        if len(cand) == 0:
            break
        # Orders with fewer than k products of earlier frequent sets cannot hold a candidate.
        cnt = _count_candidates(ptr, ind, cand, n1, pk, min_count, total, limit)
        keep = cnt >= min_count
        if not keep.any():
            break
        local.append(cand[keep])
        local_counts.append(cnt[keep])
        total += int(keep.sum())
        if total > limit:
            raise _too_many("itemsets", total, limit, k)
        k += 1
    for lv, cn in zip(local[1:], local_counts[1:]):
        if len(lv):
            levels.append(freq_items[lv].astype(np.int32))
            counts.append(cn)
    progress.report(1.0, _("Product sets found"))
    return FrequentItemsets(levels, counts, n, min_count)


# ------------------------------------------------------------------------------------------------
@dataclass
class Rules:
    """Association rules as parallel arrays. The sides are kept as blocks of item-code rows (one
    block per itemset size and split) and turned into tuples only for the rules asked for."""

    sides: list  # [(antecedent rows, consequent rows)] per block
    block: np.ndarray  # which block each rule is in
    row: np.ndarray  # its row inside the block
    count: np.ndarray
    antecedent_count: np.ndarray
    consequent_count: np.ndarray
    support: np.ndarray
    antecedent_support: np.ndarray
    consequent_support: np.ndarray
    confidence: np.ndarray
    lift: np.ndarray
    leverage: np.ndarray
    conviction: np.ndarray
    passed: int = 0  # rules that passed the thresholds, before max_rules

    def __len__(self) -> int:
        return len(self.count)

    def items(self, which: np.ndarray | None = None) -> tuple[list[tuple], list[tuple]]:
        """(antecedents, consequents) as tuples of item codes for the rules ``which``."""
        which = np.arange(len(self)) if which is None else np.asarray(which)
        ants: list = [None] * len(which)
        cons: list = [None] * len(which)
        for at, a_rows, c_rows in self._by_block(which):
            for pos, a, c in zip(at.tolist(), a_rows.tolist(), c_rows.tolist()):
                ants[pos] = tuple(a)
                cons[pos] = tuple(c)
        return ants, cons

    def labelled(self, which: np.ndarray, labels: np.ndarray) -> tuple[list[list], list[list]]:
        """(antecedents, consequents) of the rules ``which`` as lists of ``labels[code]`` (an
        object array: product ids or names), a block of rules at a time, no Python per item."""
        which = np.asarray(which, dtype=np.int64)
        ants: list = [None] * len(which)
        cons: list = [None] * len(which)
        for at, a_rows, c_rows in self._by_block(which):
            for pos, a, c in zip(at.tolist(), labels[a_rows].tolist(), labels[c_rows].tolist()):
                ants[pos] = a
                cons[pos] = c
        return ants, cons

    def _by_block(self, which: np.ndarray):
        """For each block holding some of the rules ``which``: their positions in ``which`` and
        their antecedent and consequent code rows."""
        blocks = self.block[which]
        for b in np.unique(blocks):
            at = np.flatnonzero(blocks == b)
            a_rows, c_rows = self.sides[b]
            r = self.row[which[at]]
            yield at, a_rows[r], c_rows[r]

    def strongest_first(self) -> np.ndarray:
        """Rule order by lift, then confidence, then support (all descending)."""
        if not len(self):
            return np.zeros(0, dtype=np.int64)
        return np.lexsort((-self.support, -self.confidence, -self.lift))


def rule_metrics(c_ac, c_a, c_c, n):
    """Support, confidence, lift, leverage and conviction, computed in the same float steps as
    mlxtend's ``association_rules`` so thresholds cut at the same rules."""
    s_ac = np.asarray(c_ac, dtype=float) / n
    s_a = np.asarray(c_a, dtype=float) / n
    s_c = np.asarray(c_c, dtype=float) / n
    conf = (s_ac * n) / (s_a * n)
    lift = conf / s_c
    leverage = s_ac - s_a * s_c
    conviction = np.full(conf.shape, np.inf)
    below = conf < 1.0
    conviction[below] = (1.0 - s_c[below]) / (1.0 - conf[below])
    return s_ac, s_a, s_c, conf, lift, leverage, conviction


def association_rules(
    fi: FrequentItemsets,
    *,
    min_confidence: float = 0.0,
    min_lift: float = 0.0,
    antecedent_item: int | None = None,
    consequent_item: int | None = None,
    max_rules: int | None = None,
    progress: Progress | None = None,
) -> Rules:
    """Every rule A -> C with A, C non-empty and A+C a frequent itemset, kept when its confidence
    reaches ``min_confidence`` and its lift ``min_lift``. ``antecedent_item`` /
    ``consequent_item`` keep only rules with that item code on that side. With ``max_rules``,
    only that many survive (the strongest by lift), trimmed as blocks come so memory stays low."""
    progress = progress or Progress()
    n = fi.n_orders
    base = max((int(lv.max()) + 1 for lv in fi.levels if len(lv)), default=1)
    index = {lv.shape[1]: _RowIndex(lv, base) for lv in fi.levels if len(lv)}
    sides: list = []
    cols: list[list[np.ndarray]] = []  # per block: block id, row, c_ac, c_a, c_c
    held = passed = 0
    cutoff = -np.inf
    for lv, cn in zip(fi.levels, fi.counts):
        k = lv.shape[1]
        if k < 2 or not len(lv):
            continue
        for mask in range(1, (1 << k) - 1):
            a_cols = [j for j in range(k) if mask >> j & 1]
            c_cols = [j for j in range(k) if not mask >> j & 1]
            for r0 in range(0, len(lv), CHUNK_CODES):
                progress.check()
                a_rows = lv[r0 : r0 + CHUNK_CODES, a_cols]
                c_rows = lv[r0 : r0 + CHUNK_CODES, c_cols]
                c_ac = cn[r0 : r0 + CHUNK_CODES]
                sel = np.ones(len(a_rows), dtype=bool)
                if antecedent_item is not None:
                    sel &= np.any(a_rows == antecedent_item, axis=1)
                if consequent_item is not None:
                    sel &= np.any(c_rows == consequent_item, axis=1)
                if not sel.any():
                    continue
                a_rows, c_rows, c_ac = a_rows[sel], c_rows[sel], c_ac[sel]
                # Every subset of a frequent itemset is frequent, so these lookups always hit.
                c_a = fi.counts[len(a_cols) - 1][index[len(a_cols)].find(a_rows)]
                c_c = fi.counts[len(c_cols) - 1][index[len(c_cols)].find(c_rows)]
                _, _, _, conf, lift, _, _ = rule_metrics(c_ac, c_a, c_c, n)
                ok = (conf >= min_confidence) & (lift >= min_lift)
                passed += int(np.count_nonzero(ok))
                # below the weakest rule already kept, a rule can never make the cut
                keep = np.flatnonzero(ok & (lift >= cutoff))
                if not len(keep):
                    continue
                sides.append((a_rows, c_rows))
                b = len(sides) - 1
                cols.append([np.full(len(keep), b, dtype=np.int32), keep, c_ac[keep], c_a[keep], c_c[keep]])
                held += len(keep)
                if max_rules is not None and held > 2 * max_rules + CHUNK_CODES:
                    cols = [_strongest(cols, n, max_rules)]
                    held = len(cols[0][0])
                    cutoff = float(np.min(rule_metrics(cols[0][2], cols[0][3], cols[0][4], n)[4]))
    merged = [np.concatenate(c) for c in zip(*cols)] if cols else [np.zeros(0, np.int64)] * 5
    if max_rules is not None and len(merged[0]) > max_rules:
        merged = _strongest([merged], n, max_rules)
    blk, row, c_ac, c_a, c_c = (np.asarray(x) for x in merged)
    s_ac, s_a, s_c, conf, lift, lev, conv = rule_metrics(c_ac, c_a, c_c, max(n, 1))
    return Rules(
        sides,
        blk.astype(np.int64),
        row.astype(np.int64),
        c_ac.astype(np.int64),
        c_a.astype(np.int64),
        c_c.astype(np.int64),
        s_ac,
        s_a,
        s_c,
        conf,
        lift,
        lev,
        conv,
        passed,
    )


def _strongest(cols, n, limit):
    """The ``limit`` strongest rules (lift, confidence, support) of the collected blocks, in
    their original order. Only rules at or above the limit-th lift are sorted."""
    blk, row, c_ac, c_a, c_c = (np.concatenate(c) for c in zip(*cols))
    s_ac, _, _, conf, lift, _, _ = rule_metrics(c_ac, c_a, c_c, n)
    if len(lift) > limit:
        cut = -np.partition(-lift, limit - 1)[limit - 1]
        cand = np.flatnonzero(lift >= cut)
    else:
        cand = np.arange(len(lift))
    top = cand[np.lexsort((-s_ac[cand], -conf[cand], -lift[cand]))[:limit]]
    top.sort()  # keep the original order among survivors: ties stay as they came
    return [blk[top], row[top], c_ac[top], c_a[top], c_c[top]]
