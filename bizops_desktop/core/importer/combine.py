"""Two files of one export joined into one table (Data ▸ Combine, ``--data a --data b``): Taobao's
orders report (one row per order: buyer, dates, state) and its items report (one row per line:
product, price, quantity), or any pair where one file holds orders and the other their lines.
The key (the order number) is guessed from the headers and the values both files share; the
lines that find no order are counted and left out. The joined table then goes through the same
recognition and clean-up as a single file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataError, UsageError
from ..i18n import M, Mn, _
from ..progress import Progress
from ..roles import SYNONYMS, guess_roles, header_says_id, normalise_header
from .notes import evenly
from .options import ImportOptions
from .platforms import shape_orders

if TYPE_CHECKING:
    import pandas as pd

    from ..dataset import Dataset


@dataclass
class Combined:
    """The joined table and what the join did (for the preview and the notes)."""

    frame: "pd.DataFrame"
    roles: dict[str, list[str]]
    lines_key: str  # the order number's column in the lines file
    orders_key: str  # ... and in the orders file
    lines: int  # lines in the lines file
    unmatched: int  # lines whose order is not in the orders file (left out)
    orders: int  # rows of the orders file
    orders_without_lines: int
    notes: list[Any] = field(default_factory=list)
    swapped: bool = False  # the second file given holds the lines


_ORDER_WORDS = {normalise_header(w) for w in SYNONYMS["order_id"]}


def _overlap(a: "pd.Series", b: "pd.Series") -> float:
    """The share of an evenly spread sample of ``a``'s values found among ``b``'s."""
    sample = evenly(a.dropna().astype(str), 2000)
    if sample.empty:
        return 0.0
    return float(sample.isin(set(b.dropna().astype(str).unique())).mean())


def guess_key(lines: "pd.DataFrame", orders: "pd.DataFrame") -> tuple[str, str] | None:
    """(lines column, orders column) to join on: columns named alike (an order number first)
    whose values the two files share; else the pair of id-like columns that share the most.
    None when no pair shares at least half of its values."""
    best: tuple[float, str, str] | None = None
    by_norm = {normalise_header(c): str(c) for c in orders.columns}
    for c in lines.columns:
        n = normalise_header(c)
        other = by_norm.get(n)
        if other is None:
            continue
        score = _overlap(lines[c], orders[other]) + (1.0 if n in _ORDER_WORDS else 0.0)
        if best is None or score > best[0]:
            best = (score, str(c), other)
    if best is not None and best[0] >= 1.5:
        return best[1], best[2]
    best = None
    for c in lines.columns:
        if not header_says_id(c):
            continue
        for o in orders.columns:
            if not header_says_id(o):
                continue
            score = _overlap(lines[c], orders[o])
            if best is None or score > best[0]:
                best = (score, str(c), str(o))
    if best is not None and best[0] >= 0.5:
        return best[1], best[2]
    return None


def combine_frames(
    first: "pd.DataFrame",
    second: "pd.DataFrame",
    key: tuple[str, str] | None = None,
    keep_cancelled: bool = False,
    names: tuple[str, str] = ("1", "2"),
    progress: Progress | None = None,
) -> Combined:
    """Join an orders table and its lines table (in either order). The file whose key repeats
    (several lines per order) is the lines file; the orders file adds its columns to each line.
    Columns both files have keep the lines file's values. Stops at Cancel between its steps."""
    progress = progress or Progress()
    swapped = False
    lines, orders = first, second
    if key is None:
        k = guess_key(lines, orders)
        k2 = guess_key(orders, lines)
        if k is None and k2 is None:
            raise DataError(
                _("the two files share no order number: no column of one holds the values of a column of the other"),
                where=" + ".join(names),
                hint=_("Pick the column that holds the order number in each file"),
            )
        if k is None:
            assert k2 is not None
            k = (k2[1], k2[0])
    else:
        k = key
    for col, frame, nm in ((k[0], lines, names[0]), (k[1], orders, names[1])):
        if col not in frame.columns:
            raise UsageError(_("column {name} is not in the table", name=repr(col)), where=nm)
    # the orders file is the one with one row per order
    if lines[k[0]].duplicated().sum() < orders[k[1]].duplicated().sum():
        lines, orders, k, swapped = orders, lines, (k[1], k[0]), True
        names = (names[1], names[0])
    lk, ok = k
    progress.report(0.1, _("Combining the two files..."))
    left = lines[lk].astype("string").str.strip()
    right_keys = orders[ok].astype("string").str.strip()
    extra = [c for c in orders.columns if c != ok and c not in lines.columns]
    right = orders[extra].copy()
    right["__key"] = right_keys.to_numpy()
    right = right.drop_duplicates("__key")
    work = lines.copy()
    work["__key"] = left.to_numpy()
    progress.report(0.3)
    merged = work.merge(right, on="__key", how="inner", sort=False)
    progress.report(0.6)
    matched_keys = set(right["__key"])
    unmatched = int((~left.isin(matched_keys)).sum())
    without_lines = int((~right["__key"].isin(set(left.dropna()))).sum())
    merged = merged.drop(columns="__key")
    if merged.empty:
        raise DataError(
            _("no line of {lines} found its order in {orders}", lines=names[0], orders=names[1]),
            hint=_("Pick the column that holds the order number in each file"),
        )
    progress.report(0.7)
    shaped = shape_orders(merged, guess_roles(merged), keep_cancelled=keep_cancelled)
    progress.report(1.0)
    notes: list[Any] = []
    if shaped.lead is not None:
        notes.append(shaped.lead)
    notes.append(
        M(
            "Combined the lines of {lines} with the orders of {orders} on {lkey} = {okey}",
            lines=names[0],
            orders=names[1],
            lkey=lk,
            okey=ok,
        )
    )
    if unmatched:
        notes.append(
            Mn(
                "{n} line of {lines} found no order in {orders} and was left out",
                "{n} lines of {lines} found no order in {orders} and were left out",
                unmatched,
                lines=names[0],
                orders=names[1],
            )
        )
    if without_lines:
        notes.append(
            Mn(
                "{n} order of {orders} has no line in {lines}",
                "{n} orders of {orders} have no line in {lines}",
                without_lines,
                lines=names[0],
                orders=names[1],
            )
        )
    notes.extend(shaped.notes)
    return Combined(
        frame=shaped.frame,
        roles=shaped.roles,
        lines_key=lk,
        orders_key=ok,
        lines=len(lines),
        unmatched=unmatched,
        orders=len(orders),
        orders_without_lines=without_lines,
        notes=notes,
        swapped=swapped,
    )


def combine_files(
    paths: Sequence[str | Path],
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    key: tuple[str, str] | None = None,
) -> "Dataset":
    """Read two files (each as the importer reads it, every line kept) and join them into one
    :class:`Dataset`; cancelled orders are left out after the join, as ``options`` say."""
    from ..dataset import Dataset
    from .read import read_table

    if len(paths) != 2:
        raise UsageError(
            _("combining needs exactly two files, not {n}", n=len(paths)),
            hint=_("Give the orders report and the items report"),
        )
    progress = progress or Progress()
    opts = ImportOptions.from_dict(options.to_dict() if options is not None else None)
    keep = opts.keep_cancelled
    each = ImportOptions(**{**opts.to_dict(), "keep_cancelled": True})
    results = []
    for i, p in enumerate(paths):
        results.append(read_table(p, each, progress.sub(i * 0.45, (i + 1) * 0.45)))
    names = (Path(paths[0]).name, Path(paths[1]).name)
    progress.report(0.9, _("Combining the two files..."))
    comb = combine_frames(
        results[0].frame, results[1].frame, key=key, keep_cancelled=keep, names=names, progress=progress.sub(0.9, 0.99)
    )
    a, b = (1, 0) if comb.swapped else (0, 1)
    notes = comb.notes[:1] + _reading_notes(results[a].notes) + comb.notes[1:]
    ds = Dataset(
        name=f"{Path(paths[a]).stem} + {Path(paths[b]).stem}",
        frame=comb.frame,
        roles=comb.roles,
        source=None,
        import_options={**opts.to_dict(), "combined": [str(Path(paths[a]).resolve()), str(Path(paths[b]).resolve())]},
        notes=notes,
    )
    progress.report(1.0, _("Loaded"))
    return ds


def _reading_notes(notes: list) -> list:
    """How a file was read (encoding, sheet, ="…" ids), without what its own recognition said:
    the joined table is recognised again."""
    from ..i18n import Message

    skip = ("Looks like", "Left out", "Kept", "Taobao writes")
    return [n for n in notes if not (isinstance(n, Message) and n.msgid.startswith(skip))]
