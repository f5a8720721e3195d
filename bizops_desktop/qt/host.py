"""What a tab may ask of the window it lives in: the loaded datasets, the job runner, and a way
to open the column-roles dialog. The main window and the single-tab preview both provide it."""

from __future__ import annotations

from collections.abc import Callable

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

    def datasets(self) -> list[Dataset]:
        return list(self._datasets.values())

    def dataset(self, name: str | None) -> Dataset | None:
        return self._datasets.get(name) if name else None

    def add_dataset(self, ds: Dataset) -> Dataset:
        """Add (or replace a dataset of the same name)."""
        self._datasets[ds.name] = ds
        self.datasets_changed.emit()
        return ds

    def remove_dataset(self, name: str) -> None:
        if self._datasets.pop(name, None) is not None:
            self.datasets_changed.emit()

    def set_datasets(self, datasets: list[Dataset]) -> None:
        self._datasets = {d.name: d for d in datasets}
        self.datasets_changed.emit()

    def unique_name(self, base: str) -> str:
        name, i = base, 2
        while name in self._datasets:
            name = f"{base} ({i})"
            i += 1
        return name

    def edit_roles(self, name: str) -> None:
        if self.edit_roles_handler:
            self.edit_roles_handler(name)

    def roles_changed(self, name: str) -> None:
        self.datasets_changed.emit()
