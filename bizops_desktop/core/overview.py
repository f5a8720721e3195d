"""The Overview ("This week" / 本周要做的事): every tab's recommended actions in one list, ranked by
the money at stake, and a way to run every analysis in one go. Qt-free: the window's Overview tab,
the report and the command line use the same two functions, :func:`run_all` and :func:`actions_table`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .actions import HORIZON_DAYS, Action, ranked
from .display import Column
from .errors import Cancelled, first_line
from .i18n import Mn, _l, sentences

if TYPE_CHECKING:
    import pandas as pd

    from .analysis import Analysis, Result
    from .dataset import Dataset
    from .progress import Progress

TABLE = "actions"
TITLE = _l("This week")
SUMMARY = _l("what to do this week, from every tab, the most money first")
GUIDE = _l(
    "## What it answers\n\n"
    "What to do this week: the few actions each tab recommends (a bundle to offer, customers to contact, "
    "a price to change, a product to reorder), in one list with the most money at stake first.\n\n"
    "## What data it needs\n\n"
    "Whatever the tabs need: open your orders export (and, if you have them, a customer list or a stock "
    "sheet), then press Run all. Each tab runs on its data with its own settings, the defaults where you "
    "set none.\n\n"
    "## How to read the result\n\n"
    "Each line says what to do and, in one line, why. At stake is the money the action is about over the "
    "next four weeks: extra profit or revenue expected, spend at risk, or sales lost if stock runs out; it "
    "is an estimate, to rank the actions, not a promise. Double-click a line to see it in its tab, with "
    'the figures behind it. A line marked "data changed since" comes from a result older than the data: '
    "run again to update it."
)
STATUS = {
    "current": _l("up to date"),
    "stale": _l("data changed since: run again"),
}


def pick_dataset(analysis: "Analysis", datasets: Sequence["Dataset"], wanted: str | None = None) -> "Dataset | None":
    """The dataset ``analysis`` runs on: ``wanted`` if it is open, else the first that has the
    roles it needs, else None (the same rule as a tab's data list)."""
    if wanted:
        for ds in datasets:
            if ds.name == wanted:
                return ds
    return next((ds for ds in datasets if analysis.check(ds) is None), None)


@dataclass
class Outcome:
    """One analysis of a run-all: its result, or the one-line reason it did not run."""

    analysis: str
    dataset: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    result: "Result | None" = None
    problem: str | None = None  # in the current language


def run_all(
    analyses: Sequence["Analysis"],
    datasets: Sequence["Dataset"],
    saved: Mapping[str, tuple[Mapping[str, Any] | None, str | None]] | None = None,
    progress: "Progress | None" = None,
) -> list[Outcome]:
    """Run each analysis on the dataset it would use, with its saved parameters (``saved``:
    analysis id -> (params, dataset name)) or its defaults. One analysis that cannot run (its
    roles are missing, its parameters are bad, it fails) does not stop the others; a Cancel does.
    Progress is shared out evenly; each analysis reports in its own sub-range."""
    from .errors import BizOpsError
    from .progress import Progress

    progress = progress or Progress()
    saved = saved or {}
    out: list[Outcome] = []
    n = max(len(analyses), 1)
    for i, a in enumerate(analyses):
        progress.check()
        params, wanted = saved.get(a.id, (None, None))
        ds = pick_dataset(a, datasets, wanted)
        outcome = Outcome(a.id, ds.name if ds is not None else None)
        out.append(outcome)
        if ds is None:
            outcome.problem = str(_l("no open table has the columns it needs") if datasets else _l("no data is open"))
            continue
        sub = progress.sub(i / n, (i + 1) / n)
        try:
            values = a.resolve(params or {}, ignore_unknown=True)
        except BizOpsError:
            values = a.defaults()  # parameters saved by another version: the defaults
        outcome.params = values
        try:
            outcome.result = a.execute(ds, values, sub, tables=datasets)
        except Cancelled:
            raise
        except BizOpsError as exc:
            outcome.problem = exc.user_message().splitlines()[0]
        except Exception as exc:  # one plugin's bug must not stop the others
            from .log import log_error

            outcome.problem = first_line(exc)
            log_error(f"run all: {a.id}: {outcome.problem}", exc)
    progress.report(1.0, "")
    return out


@dataclass
class Entry:
    """A tab's part in the Overview: its id and title, its result, whether that is stale."""

    analysis: str
    title: Any
    result: "Result | None"
    stale: bool = False


def gathered(entries: Sequence[Entry]) -> list[tuple[Entry, Action]]:
    """Every entry's actions, the most money at stake first."""
    by_tab = {e.analysis: e for e in entries}
    pairs = [(e.analysis, a) for e in entries if e.result is not None for a in e.result.actions]
    return [(by_tab[t], a) for t, a in ranked(pairs)]


def actions_table(entries: Sequence[Entry]) -> tuple["pd.DataFrame", dict[str, Column], Any]:
    """The Overview's table (one row per action, ranked), its column specs and its headline."""
    import pandas as pd

    from .i18n import M

    rows = gathered(entries)
    frame = pd.DataFrame(
        {
            "rank": pd.Series(range(1, len(rows) + 1), dtype="int64"),
            "action": [a.to_dict()["text"] for _e, a in rows],
            "why": [a.to_dict().get("why") for _e, a in rows],
            "money": pd.Series([a.money for _e, a in rows], dtype="float64"),
            "tab": [e.analysis for e, _a in rows],
            "status": ["stale" if e.stale else "current" for e, _a in rows],
        }
    )
    tabs = {e.analysis: e.title for e in entries}
    columns = {
        "rank": Column(_l("#"), "int"),
        "action": Column(_l("What to do"), "text"),
        "why": Column(_l("Why"), "text"),
        "money": Column(
            _l("At stake (4 weeks)"),
            "money",
            help=_l(
                "The money this action is about over the next four weeks: extra profit or revenue expected, "
                "spend at risk, or sales lost if stock runs out."
            ),
        ),
        "tab": Column(_l("From"), "code", values=tabs),
        "status": Column(_l("Result"), "code", values=STATUS),
    }
    total = float(frame["money"].sum()) if len(frame) else 0.0
    ran = [e for e in entries if e.result is not None]
    stale = sum(1 for e in ran if e.stale)
    headline: Any
    if not ran:
        headline = M("Nothing has been analysed yet: press Run all to get this week's actions from every tab.")
    elif not rows:
        headline = M("No action stands out this week in the tabs that have run.")
    else:
        headline = Mn(
            "This week: {n:int} thing to do, {money:money0} at stake over the next 4 weeks.",
            "This week: {n:int} things to do, {money:money0} at stake over the next 4 weeks.",
            len(rows),
            money=total,
        )
    if stale:
        headline = sentences(
            headline,
            Mn(
                "{n:int} tab's result is older than its data.",
                "{n:int} tabs' results are older than their data.",
                stale,
            ),
        )
    return frame, columns, headline


__all__ = ["HORIZON_DAYS", "Entry", "Outcome", "actions_table", "gathered", "pick_dataset", "run_all"]
