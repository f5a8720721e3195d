"""Plots as plain data. An analysis describes its plots here (no Qt); one renderer in
``bizops_desktop.qt.plots`` draws them in a tab and exports them to PNG for the CLI, and the
project file stores them as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .jsonable import plain_list

LAYER_KINDS = ("line", "scatter", "band", "bar", "hline", "vline", "step")


@dataclass
class Layer:
    """One drawn thing. ``band`` fills between ``y`` (lower) and ``y2`` (upper).
    ``values`` colours scatter points by a number (e.g. lift); ``labels`` are hover texts.
    ``hline``/``vline`` use ``y[0]``/``x[0]``. Dates on x are seconds since the epoch."""

    kind: str
    x: list = field(default_factory=list)
    y: list = field(default_factory=list)
    y2: list | None = None
    name: str = ""
    color: str | None = None
    values: list | None = None
    labels: list | None = None
    width: float | None = None
    size: float | None = None
    dashed: bool = False
    alpha: float | None = None

    def __post_init__(self):
        if self.kind not in LAYER_KINDS:
            raise ValueError(f"unknown layer kind {self.kind!r}")
        self.x = plain_list(self.x) or []
        self.y = plain_list(self.y) or []
        self.y2 = plain_list(self.y2)
        self.values = plain_list(self.values)
        self.labels = None if self.labels is None else [str(s) for s in self.labels]


@dataclass
class PlotSpec:
    title: str
    x_label: str = ""
    y_label: str = ""
    layers: list[Layer] = field(default_factory=list)
    x_is_date: bool = False
    x_ticks: list | None = None      # [[position, label], ...] for categorical axes
    legend: bool = True

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "PlotSpec":
        d = dict(d)
        layers = [Layer(**ly) for ly in d.pop("layers", [])]
        return cls(layers=layers, **d)


def dates_to_seconds(values) -> list:
    """datetime-like array -> seconds since the epoch (what pyqtgraph's DateAxisItem wants)."""
    import numpy as np
    import pandas as pd

    idx = pd.DatetimeIndex(pd.to_datetime(values))
    return (idx.asi8 // 10**9 if idx.unit == "s" else idx.as_unit("s").asi8).astype(np.float64).tolist()
