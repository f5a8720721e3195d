"""What a tab may ask of the window it lives in: the loaded datasets, the job runner, and a way
to open the column-roles dialog. The main window and the single-tab preview both provide it.

It also tells a tab whether its result is stale: each dataset has a revision that changes when
the dataset is added or replaced, and a result remembers the revision and roles it was computed
from (``input_of``); the host outlives the panels (they are built again in another language),
so it keeps what each tab's result was computed from (``remember_input``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from bizops_desktop.core.dataset import Dataset

from .jobs import JobRunner


class Host(QObject):
    datasets_changed = Signal()

    def __init__(self, parent=None, jobs: JobRunner | None = None):
        super().__init__(parent)
        self.jobs = jobs or JobRunner(self)
        self._datasets: dict[str, Dataset] = {}
        self.edit_roles_handler: Callable[[str], None] | None = None
        self._revisions: dict[str, int] = {}
        self._last_revision = 0
        self._inputs: dict[str, tuple[Any, tuple]] = {}  # analysis id -> (result, its input)

    def datasets(self) -> list[Dataset]:
        return list(self._datasets.values())

    def dataset(self, name: str | None) -> Dataset | None:
        return self._datasets.get(name) if name else None

    def add_dataset(self, ds: Dataset) -> Dataset:
        """Add (or replace a dataset of the same name)."""
        self._datasets[ds.name] = ds
        self._bump(ds.name)
        self.datasets_changed.emit()
        return ds

    def remove_dataset(self, name: str) -> None:
        if self._datasets.pop(name, None) is not None:
            self._revisions.pop(name, None)
            self.datasets_changed.emit()

    def set_datasets(self, datasets: list[Dataset]) -> None:
        """The datasets from now on. A dataset that is the very object already open keeps its
        revision: the window built again in another language does not make results stale."""
        old = self._datasets
        self._datasets = {d.name: d for d in datasets}
        self._revisions = {n: r for n, r in self._revisions.items() if old.get(n) is self._datasets.get(n)}
        for name in self._datasets:
            if name not in self._revisions:
                self._bump(name)
        self.datasets_changed.emit()

    def _bump(self, name: str) -> None:
        # one counter for all names: a dataset removed and added again never gets an old revision
        self._last_revision += 1
        self._revisions[name] = self._last_revision

    def input_of(self, name: str | None) -> tuple | None:
        """What a result computed now from dataset ``name`` depends on: the dataset's revision
        and its column roles (None when there is no such dataset)."""
        ds = self.dataset(name)
        if ds is None or name is None:
            return None
        roles = tuple(sorted((r, tuple(cols)) for r, cols in ds.roles.items()))
        return (self._revisions.get(name), roles)

    def remember_input(self, analysis_id: str, result: Any, value: tuple | None) -> None:
        self._inputs[analysis_id] = (result, value)

    def remembered_input(self, analysis_id: str, result: Any) -> tuple | None:
        """The input remembered for this very ``result`` object of the tab, if any."""
        kept = self._inputs.get(analysis_id)
        return kept[1] if kept is not None and kept[0] is result else None

    def unique_name(self, base: str, taken: "set[str] | None" = None) -> str:
        """``base``, or ``base (2)``... : a name no open dataset has (nor any in ``taken``)."""
        taken = set(self._datasets) | (taken or set())
        name, i = base, 2
        while name in taken:
            name = f"{base} ({i})"
            i += 1
        return name

    def edit_roles(self, name: str) -> None:
        if self.edit_roles_handler:
            self.edit_roles_handler(name)

    def roles_changed(self, name: str) -> None:
        # the roles are part of a result's input (input_of): no revision to bump
        self.datasets_changed.emit()
