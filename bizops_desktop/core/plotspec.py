"""Plots as plain data. An analysis describes its plots here (no Qt); one renderer in
``bizops_desktop.qt.plots`` draws them in a tab and exports them to PNG for the CLI, and the
project file stores them as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .i18n import text, to_plain
from .jsonable import plain_list

AXIS_FORMATS = (None, "percent")
LAYER_KINDS = ("line", "scatter", "band", "bar", "hline", "vline", "step", "vspan")


@dataclass
class Layer:
    """One drawn thing. ``band`` fills between ``y`` (lower) and ``y2`` (upper).
    ``values`` colours scatter points and bars by a number (e.g. lift) on the scale
    ``value_range`` ([low, high]; None: the values' own range); ``labels`` are hover texts.
    ``hline``/``vline`` use ``y[0]``/``x[0]``; ``vspan`` shades ``x[0]`` to ``x[1]``.
    ``alpha`` is the opacity of a band, span or scatter fill. Dates on x are seconds since the epoch."""

    kind: str
    # lists or numpy arrays on the way in (converted once in __post_init__), lists once stored
    x: Any = field(default_factory=list)
    y: Any = field(default_factory=list)
    y2: Any = None
    name: Any = ""
    color: str | None = None
    values: Any = None
    labels: list | None = None
    width: float | None = None
    size: float | None = None
    dashed: bool = False
    alpha: float | None = None
    value_range: list | None = None

    def __post_init__(self):
        if self.kind not in LAYER_KINDS:
            raise ValueError(f"unknown layer kind {self.kind!r}")
        self.x = plain_list(self.x) or []
        self.y = plain_list(self.y) or []
        self.y2 = plain_list(self.y2)
        self.values = plain_list(self.values)
        self.labels = None if self.labels is None else [str(s) for s in self.labels]
        self.value_range = _pair(self.value_range)
        self.name = _text_field(self.name)

    def subset(self, index) -> "Layer":
        """The points at positions ``index`` (in that order), colours kept on the whole layer's
        scale, so a filtered view of a plot does not recolour its points."""
        import numpy as np

        index = np.asarray(index, dtype=np.intp)

        def take(a):
            return None if a is None else np.asarray(a, dtype=float)[index]

        value_range = self.value_range
        if value_range is None and self.values:
            v = np.asarray(self.values, dtype=float)
            if np.isfinite(v).any():
                value_range = [float(np.nanmin(v)), float(np.nanmax(v))]
        labels = None if self.labels is None else np.asarray(self.labels, dtype=object)[index].tolist()
        return replace(
            self,
            x=take(self.x),
            y=take(self.y),
            y2=take(self.y2),
            values=take(self.values),
            labels=labels,
            value_range=value_range,
        )


@dataclass
class PlotSpec:
    """A plot. Texts (title, labels, layer names, tick labels) may be translatable messages."""

    title: Any
    x_label: Any = ""
    y_label: Any = ""
    layers: list[Layer] = field(default_factory=list)
    x_is_date: bool = False
    x_ticks: list | None = None  # [[position, label], ...] for categorical axes
    legend: bool = True
    x_range: list | None = None  # [low, high]: the x range the plot opens on (None: everything)
    x_format: str | None = None  # "percent": the axis shows shares as 4%, not 0.04 (as the tables do)
    y_format: str | None = None
    equal_axes: bool = False  # one unit is as long across as up (a map: km east and km north)

    def __post_init__(self):
        self.x_range = _pair(self.x_range)
        self.equal_axes = bool(self.equal_axes)
        for fmt in (self.x_format, self.y_format):
            if fmt not in AXIS_FORMATS:
                raise ValueError(f"unknown axis format {fmt!r}")
        self.title = _text_field(self.title)
        self.x_label = _text_field(self.x_label)
        self.y_label = _text_field(self.y_label)
        if self.x_ticks is not None:
            self.x_ticks = [[p, _text_field(t)] for p, t in self.x_ticks]

    def localized(self, lang: str | None = None) -> "PlotSpec":
        """A copy with every text (title, axis labels, legend names, tick labels) in ``lang``:
        a saved plot reads in the language of whoever opens it."""
        import copy

        out = copy.copy(self)  # shallow: the data lists are shared, not converted again
        out.title, out.x_label, out.y_label = text(self.title, lang), text(self.x_label, lang), text(self.y_label, lang)
        out.x_ticks = None if self.x_ticks is None else [[p, text(t, lang)] for p, t in self.x_ticks]
        out.layers = []
        for ly in self.layers:
            c = copy.copy(ly)
            c.name = text(ly.name, lang)
            out.layers.append(c)
        return out

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "PlotSpec":
        """A spec from its JSON form; fields added since (``x_range``, ``value_range``) may be
        missing. An unknown field is a TypeError: the project file calls such a plot damaged."""
        d = dict(d)
        layers = [Layer(**ly) for ly in d.pop("layers", [])]
        return cls(layers=layers, **d)


def _text_field(v):
    """Text stays text; a translatable Message/LazyText is kept as its plain dict (JSON), rendered
    by :meth:`PlotSpec.localized` when drawn."""
    out = to_plain(v)
    return out if isinstance(out, dict) else ("" if out is None else str(out))


def _pair(v) -> list | None:
    """``[low, high]`` as two floats (TypeError/ValueError for anything else, e.g. a forged file)."""
    if v is None:
        return None
    lo, hi = v
    return [float(lo), float(hi)]


def dates_to_seconds(values) -> list:
    """datetime-like array -> seconds since the epoch (what pyqtgraph's DateAxisItem wants)."""
    import numpy as np
    import pandas as pd

    idx = pd.DatetimeIndex(pd.to_datetime(values))
    return (idx.asi8 // 10**9 if idx.unit == "s" else idx.as_unit("s").asi8).astype(np.float64).tolist()
