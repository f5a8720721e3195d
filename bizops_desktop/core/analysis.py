"""What a plugin registers: an :class:`Analysis` description, and what its ``run`` returns:
a :class:`Result` of plain data (tables, metrics, plots, notes).

One computation, three faces: the tab, the project file and the CLI all call
``Analysis.execute(dataset, params, progress)``, which checks roles and parameters and then calls
the plugin's pure ``run(dataset, params, progress) -> Result``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import DataError, ProjectError, first_line
from .i18n import _
from .params import Param, resolve_params, resolve_tables
from .plotspec import PlotSpec
from .roles import missing_roles_message

if TYPE_CHECKING:
    import pandas as pd

    from .actions import Action
    from .dataset import Dataset
    from .display import Column
    from .progress import Progress


def load_object(ref: str | Callable) -> Any:
    """``"package.module:attr"`` -> the object, imported only now (keeps start-up fast)."""
    if not isinstance(ref, str):
        return ref
    module, _colon, attr = ref.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


@dataclass
class Result:
    """Plain data: saved in the project, exported by the CLI, tested without Qt.

    tables: name -> DataFrame, written as ``<name>.csv`` (list cells as JSON arrays); stable
        column ids and plain numbers, as scripts read them.
    metrics: JSON-able numbers and words, written as ``summary.json``.
    plots: name -> PlotSpec, written as ``<name>.png``.
    notes: what the user should know about what was done (rows dropped, model chosen...), as
        :class:`~bizops_desktop.core.i18n.Message` (rendered in the reader's language when shown)
        or text.
    extra: JSON-able state the panel needs to redraw without recomputing.
    headline: the tab's first line: the answer in the shop's words and money (a Message).
    columns: table name -> column id -> :class:`~bizops_desktop.core.display.Column` (title in
        the reader's language, what kind of value: money, share, product...).
    names: product or customer id -> the name a person knows it by.
    actions: what to do this week (:class:`~bizops_desktop.core.actions.Action`), the top few
        of this tab's answer, with the money at stake; the Overview ranks them across tabs.
    """

    tables: dict[str, "pd.DataFrame"] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    plots: dict[str, PlotSpec] = field(default_factory=dict)
    notes: list[Any] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    headline: Any = None
    columns: dict[str, dict[str, "Column"]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    actions: list["Action"] = field(default_factory=list)

    def display_state(self) -> dict[str, Any]:
        """headline, columns and names as JSON-able data (for the project file)."""
        from .i18n import to_plain

        return {
            "headline": to_plain(self.headline),
            "columns": {t: {c: spec.to_dict() for c, spec in cols.items()} for t, cols in self.columns.items()},
            "names": {str(k): str(v) for k, v in self.names.items()},
            "actions": [a.to_dict() for a in self.actions],
        }

    def set_display_state(self, state: Mapping[str, Any]) -> None:
        from .display import Column

        self.headline = state.get("headline")
        self.columns = {
            str(t): {str(c): Column.from_dict(d) for c, d in cols.items() if isinstance(d, dict)}
            for t, cols in (state.get("columns") or {}).items()
            if isinstance(cols, dict)
        }
        names = state.get("names") or {}
        self.names = {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}
        from .actions import Action

        actions = state.get("actions") or []
        loaded = [Action.from_dict(a) for a in actions] if isinstance(actions, list) else []
        self.actions = [a for a in loaded if a is not None]


@dataclass
class Analysis:
    """Description of one analysis tab.

    id: short stable name used on the CLI and in project files (``basket``).
    title: the tab title in the shop owner's words (``Basket rules``).
    needs: alternatives of role sets; the data must have every role of at least one of them,
        e.g. ``(("order_id", "product_id"),)``. Empty means the run checks for itself.
    optional_roles: roles used when present (shown in the form as such).
    run: ``"pkg.analysis:run"`` or a callable ``run(dataset, params, progress) -> Result``.
    panel: ``"pkg.panel:Panel"`` or a callable ``(analysis, host) -> QWidget``; built by the host on
        the GUI thread. None gives the generic panel.
    state_version: bump when the saved params/result layout changes, and give ``migrate``.
    migrate: ``"pkg.analysis:migrate"`` or a callable
        ``migrate(params, result, from_version) -> (params, result)`` that turns a tab saved at an
        older ``state_version`` into this one's layout (return ``None`` as the result to drop a
        saved result that cannot be converted; the tab then opens with its parameters only).
        ``params`` is the saved dict, ``result`` the saved :class:`Result` or None. Without it, a
        tab saved at another version is kept in the project unchanged but not opened.
    guide: Help ▸ Guide for this tab, or None (the guide then shows the summary): a lazy text
        (``_l``) in plain Markdown with three headings, "What it answers", "What data it needs"
        and "How to read the result", a few sentences each in the shop owner's words.
    """

    id: str
    title: Any  # text or a lazy translatable text (_l)
    summary: Any
    params: Sequence[Param] = ()
    needs: Sequence[Sequence[str]] = ()
    optional_roles: Sequence[str] = ()
    run: str | Callable = ""
    panel: str | Callable | None = None
    state_version: int = 1
    migrate: str | Callable | None = None
    order: int = 100
    plugin: str = ""  # filled in by the registry: which plugin registered it ...
    plugin_version: str = ""  # ... and its version
    isolated_module: str = ""  # a third-party plugin's module: its runs go to a child process
    guide: Any = None  # Markdown, a lazy translatable text (_l); see the docstring

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def resolve(
        self, given: Mapping[str, Any] | None = None, *, from_text: bool = False, ignore_unknown: bool = False
    ) -> dict[str, Any]:
        return resolve_params(self.params, given, from_text=from_text, ignore_unknown=ignore_unknown)

    def missing_roles(self, dataset: "Dataset") -> list[str] | None:
        """None if the data has what this analysis needs; else the roles of the closest
        alternative that are missing."""
        if not self.needs:
            return None
        best: list[str] | None = None
        for option in self.needs:
            missing = [r for r in option if not dataset.has(r)]
            if not missing:
                return None
            if best is None or len(missing) < len(best):
                best = missing
        return best

    def check(self, dataset: "Dataset") -> str | None:
        """A plain-words problem with the data's roles (in the current language), or None."""
        missing = self.missing_roles(dataset)
        if not missing:
            return None
        return missing_roles_message(self.title, missing, self.needs)

    def execute(
        self,
        dataset: "Dataset",
        params: Mapping[str, Any] | None = None,
        progress: "Progress | None" = None,
        *,
        from_text: bool = False,
        tables: "Mapping[str, Dataset] | Sequence[Dataset] | None" = None,
        files: bool = False,
    ) -> Result:
        """Check the roles and parameters, then run. ``tables``: the open tables (name ->
        Dataset, or a list) that a parameter of kind ``dataset`` names; ``files``: such a name may
        also be a file's path (only for names the user typed: the command line's --set); see
        :func:`~bizops_desktop.core.params.resolve_tables`."""
        from .progress import Progress

        problem = self.check(dataset)
        if problem:
            import os

            where = os.path.basename(dataset.source) if dataset.source else dataset.name
            raise DataError(
                problem, where=where, hint=_("Open Column roles (or pass --role ROLE=COLUMN) and pick the column")
            )
        values = self.resolve(params, from_text=from_text)
        progress = progress or Progress()
        from .bigfile import refuse_if_big

        big_note = refuse_if_big(self.id, dataset)  # a file bigger than memory: only analyses on its views
        from . import sandbox

        if sandbox.wanted(self):  # a plugin that hangs or crashes cannot take the program with it
            return sandbox.run_isolated(self, dataset, values, progress)
        values = resolve_tables(self.params, values, dataset, tables, files=files)
        fn = load_object(self.run)
        result = fn(dataset, values, progress)
        if not isinstance(result, Result):
            raise TypeError(f"{self.id}.run returned {type(result).__name__}, not Result")
        if big_note is not None:
            result.notes.append(big_note)
        return result

    def migrate_state(self, params: dict, result: Result | None, from_version: int) -> tuple[dict, Result | None]:
        """A tab's saved ``params`` and ``result`` of state ``from_version`` in this version's
        layout. Raises ProjectError, in words for the user, when that cannot be done: the tab was
        saved by a newer plugin, or by an older one and this one has no ``migrate`` or its
        ``migrate`` failed."""
        if from_version == self.state_version:
            return params, result
        plugin = self.plugin or _("the plugin")
        who = f"{self.plugin} {self.plugin_version}".strip() or _("its plugin")
        where = _("{title} tab", title=self.title)
        keep = _("it is kept in the project as it was saved (running this tab again replaces it)")
        if from_version > self.state_version:
            raise ProjectError(
                _(
                    "it was saved by a newer version of its plugin (state {saved}; {who} reads up to state {known})",
                    saved=from_version,
                    who=who,
                    known=self.state_version,
                ),
                where=where,
                hint=_("Update {plugin} to open it; until then {keep}", plugin=plugin, keep=keep),
            )
        if not self.migrate:
            raise ProjectError(
                _(
                    "it was saved by an older version of its plugin (state {saved}) and {who} cannot "
                    "convert it to state {known}",
                    saved=from_version,
                    who=who,
                    known=self.state_version,
                ),
                where=where,
                hint=_("Open it with the older version of the plugin, or run it again; {keep}", keep=keep),
            )
        try:
            new_params, new_result = load_object(self.migrate)(dict(params), result, from_version)
            if not isinstance(new_params, dict) or not (new_result is None or isinstance(new_result, Result)):
                raise TypeError("migrate must return (params dict, Result or None)")
        except Exception as exc:  # a plugin's bug must not stop the project from opening
            raise ProjectError(
                _(
                    "converting it from state {saved} to {known} failed ({error})",
                    saved=from_version,
                    known=self.state_version,
                    error=first_line(exc),
                ),
                where=where,
                hint=_("Report this to the makers of {plugin}; {keep}", plugin=plugin, keep=keep),
            ) from exc
        return new_params, new_result
