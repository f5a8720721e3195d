"""A loaded table: the DataFrame, its column roles and where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .roles import MULTI_ROLES, as_role_map

if TYPE_CHECKING:
    import pandas as pd

    from .bigfile import BigSource


@dataclass
class Dataset:
    name: str
    frame: "pd.DataFrame"
    roles: dict[str, list[str]] = field(default_factory=dict)
    source: str | None = None  # path of the file it was imported from
    source_hash: str | None = None  # sha256 of that file at import time
    sheet: str | None = None
    import_options: dict[str, Any] = field(default_factory=dict)  # encoding, delimiter, ...
    # what the import did, in words: Messages rendered in the reader's language (i18n.text), or text
    notes: list[Any] = field(default_factory=list)
    # a file bigger than memory: where its whole table lives (``frame`` is then its first lines, and
    # the views compute from this out of core: core/bigfile.py); None for a table held in memory
    big: "BigSource | None" = None

    def __post_init__(self):
        self.roles = as_role_map(self.roles)

    def col(self, role: str) -> str | None:
        """The column for a single role, or None when it is not mapped."""
        cols = self.roles.get(role) or []
        return cols[0] if cols else None

    def cols(self, role: str) -> list[str]:
        return list(self.roles.get(role) or [])

    def has(self, *roles: str) -> bool:
        return all(self.col(r) is not None and self.col(r) in self.frame.columns for r in roles)

    def set_role(self, role: str, columns) -> None:
        roles = dict(self.roles)
        roles[role] = columns
        self.roles = as_role_map(roles)
        if role not in MULTI_ROLES and self.roles.get(role):
            self.roles[role] = self.roles[role][:1]
