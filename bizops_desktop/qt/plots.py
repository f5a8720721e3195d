"""Shared pyqtgraph helpers: one look for every plot and the one renderer of PlotSpecs (the tabs
and the CLI's PNG export), with hover tips, click-to-select and zoom for every plugin."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QWidget

from bizops_desktop.core import i18n
from bizops_desktop.core.i18n import _
from bizops_desktop.core.plotspec import Layer, PlotSpec

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

# A legend of dozens of entries helps nobody and costs a visible pause to build: past
# MAX_LEGEND named layers, names show on hover only.
MAX_LEGEND = 12
# Colour scales are cut into this many brushes: the symbol cache keys on the brush object, so one
# brush per point (87k rules) meant 87k cached symbols; a dozen shades read the same.
COLOR_BINS = 12
HOVER_KINDS = ("line", "scatter", "bar", "step")
# A scatter of more points than this draws this many (pyqtgraph spends ~10 us a point in setData
# on the GUI thread: 87,000 rules froze the window for a second): the strongest by colour value
# and an even sample of the rest, said in the title; hover and click work on the points drawn.
MAX_SCATTER = 4000
UNLISTED_KINDS = ("hline", "vline", "vspan")  # labelled on the plot, not in the legend

_configured = False


def ensure_app() -> QApplication:
    """The QApplication, created offscreen when there is none and no screen (CLI PNG export)."""
    app = QApplication.instance()
    if app is None:
        if (
            not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY")
            and os.name != "nt"
            and os.uname().sysname != "Darwin"
        ):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    configure()
    return app


def configure() -> None:
    global _configured
    if not _configured:
        pg.setConfigOptions(background="w", foreground="#333", antialias=True)
        _configured = True


class DateAxis(pg.DateAxisItem):
    """A date axis in the reader's language: pyqtgraph writes month and weekday names with
    strftime, which is English whatever the language ("Jan" where a Chinese reader wants "1月")."""

    # the strftime formats of pyqtgraph's zoom levels -> CLDR skeletons (Babel formats them)
    SKELETONS = {"%Y": "y", "%b": "MMM", "%d": "d", "%a %d": "Ed"}

    def tickStrings(self, values, scale, spacing):
        lang = i18n.get_language()
        level = getattr(self, "zoomLevel", None)
        spec = next((s for s in level.tickSpecs if s.spacing == spacing), None) if level is not None else None
        skeleton = self.SKELETONS.get(spec.format) if spec is not None else None
        if lang == i18n.SOURCE_LANGUAGE or skeleton is None:
            return super().tickStrings(values, scale, spacing)
        from babel.dates import format_skeleton

        out = []
        for v in values:
            d = axis_datetime(self, v)
            out.append(format_skeleton(skeleton, d, locale=lang) if d is not None else "")
        return out


def axis_datetime(axis: pg.DateAxisItem, value: float):
    """The date and time a date axis shows for ``value`` (seconds since 1970, in the axis's time
    zone), or None when it is out of range."""
    from pyqtgraph.graphicsItems.DateAxisItem import adjustTimestampToPreferredUtcOffset, utcfromtimestamp

    try:
        return utcfromtimestamp(adjustTimestampToPreferredUtcOffset(value, axis.utcOffset))
    except (OverflowError, ValueError, OSError):
        return None


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def make_plot(
    title: str = "", x_label: str = "", y_label: str = "", *, date_axis: bool = False, parent: QWidget | None = None
) -> pg.PlotWidget:
    """A PlotWidget with the shared look, a hover tip (``.hover``) and a renderer (``.plot_view``)."""
    configure()
    axis = {"bottom": DateAxis(orientation="bottom")} if date_axis else None
    w = pg.PlotWidget(parent=parent, axisItems=axis)
    w.setTitle(title, color="#222", size="11pt")
    w.setLabel("bottom", x_label)
    w.setLabel("left", y_label)
    w.showGrid(x=True, y=True, alpha=0.15)
    for side in ("left", "bottom"):
        w.getAxis(side).enableAutoSIPrefix(False)  # "(x0.001)" on an axis confuses more than it helps
    legend_below(w)
    PlotView(w)
    return w


def legend_below(widget: pg.PlotWidget) -> pg.LegendItem:
    """The legend in a row under the plot, outside the data: it never sits on a curve, in the
    window or in an exported PNG (a legend inside the view covered the forecast's history)."""
    pi = widget.plotItem
    if isinstance(getattr(pi, "legend", None), pg.LegendItem) and getattr(pi.legend, "_below", False):
        return pi.legend
    legend = pg.LegendItem(offset=None, frame=False, colCount=1, verSpacing=-4, labelTextSize="9pt")
    legend._below = True
    pi.layout.addItem(legend, 4, 1)
    pi.legend = legend
    return legend


def plot_view(widget: pg.PlotWidget) -> "PlotView":
    """The renderer kept on ``widget`` (made on first use for a PlotWidget not from make_plot)."""
    view = getattr(widget, "plot_view", None)
    return view if view is not None else PlotView(widget)


def render_plot(spec: PlotSpec, widget: pg.PlotWidget | None = None, *, reset_zoom: bool = True) -> pg.PlotWidget:
    """Draw a PlotSpec into ``widget`` (its items reused, see :class:`PlotView`) or a new PlotWidget."""
    if widget is None:
        widget = make_plot(date_axis=spec.x_is_date)
    plot_view(widget).render(spec, reset_zoom=reset_zoom)
    return widget


def thinned(n: int, values=None, limit: int | None = None) -> np.ndarray | None:
    """Positions of at most ``limit`` (MAX_SCATTER) of ``n`` points to draw, in order, or None
    when all are drawn: the quarter with the highest colour value (the strongest rules), then an
    even spread over the rest (the same points every time: no random draw)."""
    limit = MAX_SCATTER if limit is None else limit
    if n <= limit:
        return None
    keep = np.zeros(n, dtype=bool)
    if values is not None and len(values) == n:
        v = np.nan_to_num(np.asarray(values, float), nan=-np.inf)
        keep[np.argsort(-v, kind="stable")[: limit // 4]] = True
    rest = np.flatnonzero(~keep)
    need = limit - int(keep.sum())
    keep[rest[np.linspace(0, len(rest) - 1, need).round().astype(int)]] = True
    return np.flatnonzero(keep)


def _range(values) -> list[float] | None:
    """The colour scale of all the points, so that a thinned scatter keeps the full one's colours."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    return [float(v.min()), float(v.max())] if len(v) else None


def _arr(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


_palettes: dict[tuple[str, int], np.ndarray] = {}


def value_brushes(
    values: Sequence[float], cmap: str = "viridis", value_range: Sequence[float] | None = None, bins: int = COLOR_BINS
) -> list:
    """One brush per value, from ``bins`` shared brushes along ``cmap`` over ``value_range``
    (default: the values' own range; the low end is the map's first colour, the high end its last)."""
    v = _arr(values)
    if len(v) == 0:
        return []
    if value_range is not None:
        lo, hi = float(value_range[0]), float(value_range[1])
    elif np.isfinite(v).any():
        lo, hi = float(np.nanmin(v)), float(np.nanmax(v))
    else:
        lo = hi = 0.0
    with np.errstate(invalid="ignore"):
        t = np.zeros_like(v) if not hi > lo else (v - lo) / (hi - lo)
    k = np.rint(np.clip(np.nan_to_num(t, nan=0.0), 0.0, 1.0) * (bins - 1)).astype(np.intp)
    pal = _palettes.get((cmap, bins))
    if pal is None:
        cm = pg.colormap.get(cmap)
        pal = np.empty(bins, dtype=object)
        for i in range(bins):
            pal[i] = pg.mkBrush(cm.map(i / max(bins - 1, 1), mode="qcolor"))
        _palettes[(cmap, bins)] = pal
    return pal[k].tolist()


def _qcolor(col: str, alpha: float | None = None) -> QColor:
    c = QColor(col)
    if alpha is not None:
        c.setAlphaF(float(alpha))
    return c


class _Slot:
    """What is drawn for one layer position: the layer last drawn there and its items (the first
    is the one in the legend), plus its points for hover and selection."""

    __slots__ = ("kind", "layer", "items", "x", "y", "color", "shown")

    def __init__(self, kind: str):
        self.kind = kind
        self.layer: Layer | None = None
        self.items: list = []
        self.x = self.y = np.zeros(0)
        self.color = ""
        self.shown: np.ndarray | None = None  # positions drawn, when a big scatter is thinned


class PlotView(QObject):
    """Draws PlotSpecs into one PlotWidget and keeps the items between draws.

    ``render(spec)`` updates, for each layer position, the item already there when the layer kind
    is the same (``setData``/``setOpts``; nothing at all when the layer is unchanged), makes or
    removes only the difference, and updates title, axis labels, ticks and legend. Every plot
    gets the same interaction: a hover tip with the nearest point's label, a click on a point
    emits ``point_clicked(layer name, point index)`` (``last_click`` has the layer's position too),
    ``select_point`` rings a point, the mouse wheel or a right-drag zooms, a double click or the
    "A" button goes back to the view the spec opens on (``reset_zoom``).
    """

    point_clicked = Signal(str, int)

    def __init__(self, widget: pg.PlotWidget):
        super().__init__(widget)
        self.widget = widget
        widget.plot_view = self
        hover = getattr(widget, "hover", None)
        self.hover: HoverTip = hover if hover is not None else HoverTip(widget)
        widget.hover = self.hover
        self.spec: PlotSpec | None = None
        self._slots: list[_Slot] = []
        self._legend_key = None
        self.selected: tuple[int, int] | None = None  # (layer position, point index)
        self.last_click: Hit | None = None
        self.marker = pg.ScatterPlotItem(size=18, pen=pg.mkPen("#d62728", width=2.5), brush=pg.mkBrush(None))
        self.marker.setZValue(999)
        widget.addItem(self.marker, ignoreBounds=True)
        widget.scene().sigMouseClicked.connect(self._clicked)
        pi = widget.plotItem
        try:
            pi.autoBtn.clicked.disconnect(pi.autoBtnClicked)
        except (RuntimeError, TypeError):  # not connected in this pyqtgraph: ours runs last anyway
            pass
        pi.autoBtn.clicked.connect(self._auto_button)
        pi.vb.sigResized.connect(self._fit_legend)

    # -- drawing -------------------------------------------------------------------------------
    def _value_format(self, side: str, fmt: str | None) -> None:
        """Ticks as the tables show the values: shares as percentages in the reader's locale."""
        import math

        from bizops_desktop.core.i18n import format_percent

        axis = self.widget.getAxis(side)
        if fmt == "percent":

            def strings(values, scale, spacing):
                step = abs(spacing * scale) * 100 or 1
                decimals = min(2, max(0, -math.floor(math.log10(step)))) if step < 1 else 0
                return [format_percent(v * scale, decimals=decimals) for v in values]

            axis.tickStrings = strings  # this axis only: an instance attribute over the method
        else:
            axis.__dict__.pop("tickStrings", None)
        axis.picture = None
        axis.update()

    def _fit_tick_lines(self, spec: PlotSpec) -> None:
        """Room under the bars for tick labels of two or three lines ("days since" / "the last
        order"): pyqtgraph sizes the axis for a bit more than one line and cuts the rest off."""
        from PySide6.QtGui import QFontMetrics

        lines = max([str(t).count("\n") + 1 for _, t in spec.x_ticks or []] or [1])
        axis = self.widget.getAxis("bottom")
        axis.setHeight(None if lines <= 1 else lines * QFontMetrics(axis.font()).lineSpacing() + 14)

    def render(self, spec: PlotSpec, *, reset_zoom: bool = True) -> None:
        """Show ``spec``. ``reset_zoom=False`` keeps the user's zoom (e.g. a marker moved by a slider).
        Its texts are drawn in the current language."""
        drawn = spec
        spec = spec.localized()
        w = self.widget
        self._date_axis(spec.x_is_date)
        w.setTitle(spec.title, color="#222", size="11pt")
        w.setLabel("bottom", spec.x_label)
        w.setLabel("left", spec.y_label)
        w.getAxis("bottom").setTicks([[(float(p), str(t)) for p, t in spec.x_ticks]] if spec.x_ticks else None)
        self._fit_tick_lines(spec)
        w.plotItem.vb.setAspectLocked(bool(spec.equal_axes), ratio=1.0)
        self._value_format("bottom", spec.x_format)
        self._value_format("left", spec.y_format)
        n = len(spec.layers)
        for i, layer in enumerate(spec.layers):
            slot = self._slots[i] if i < len(self._slots) else None
            # a slot whose items someone removed (widget.clear()) is drawn afresh
            if slot is not None and (slot.kind != layer.kind or (slot.items and slot.items[0].scene() is None)):
                self._remove(slot)
                slot = None
            if slot is None:
                slot = _Slot(layer.kind)
                if i < len(self._slots):
                    self._slots[i] = slot
                else:
                    self._slots.append(slot)
            if slot.layer is layer or (slot.layer == layer and slot.items):
                continue
            self._draw(slot, layer, color(i), i)
        for slot in self._slots[n:]:
            self._remove(slot)
        del self._slots[n:]
        self._update_legend(spec)
        self.hover.clear()
        thinned_note = None
        for i, slot in enumerate(self._slots):
            if slot.kind in HOVER_KINDS and len(slot.x):
                self.hover.add(slot.x, slot.y, slot.layer.labels, slot.layer.name, layer=i, shown=slot.shown)
            if slot.shown is not None:
                thinned_note = _("{shown:int} of {n:int} points drawn", shown=len(slot.shown), n=len(slot.x))
        if thinned_note:
            w.setTitle(f"{spec.title} · {thinned_note}" if spec.title else thinned_note, color="#222", size="11pt")
        self.spec = drawn
        self.clear_selection()
        if reset_zoom:
            self.reset_zoom()

    def clear(self) -> None:
        """Remove every layer (title and axis labels stay)."""
        for slot in self._slots:
            self._remove(slot)
        self._slots.clear()
        self.spec = None
        self._update_legend(None)
        self.hover.clear()
        self.clear_selection()
        self.widget.getAxis("bottom").setTicks(None)

    def item(self, layer: int | str):
        """The pyqtgraph item drawn for a layer (by position or name): PlotDataItem, ScatterPlotItem,
        FillBetweenItem, BarGraphItem, InfiniteLine or LinearRegionItem."""
        i = self._position(layer)
        return None if i is None else self._slots[i].items[0]

    def items(self) -> list:
        """Every layer's item, in layer order."""
        return [s.items[0] for s in self._slots]

    def _position(self, layer: int | str) -> int | None:
        if isinstance(layer, int):
            return layer if 0 <= layer < len(self._slots) else None
        for i, s in enumerate(self._slots):
            if s.layer.name == layer:
                return i
        return None

    def _date_axis(self, date: bool) -> None:
        w = self.widget
        if isinstance(w.getAxis("bottom"), pg.DateAxisItem) == bool(date):
            return
        axis = DateAxis(orientation="bottom") if date else pg.AxisItem("bottom")
        w.plotItem.setAxisItems({"bottom": axis})
        axis.enableAutoSIPrefix(False)
        w.showGrid(x=True, y=True, alpha=0.15)

    def _add(self, slot: _Slot, item, ignore_bounds: bool = False):
        self.widget.addItem(item, ignoreBounds=ignore_bounds)
        slot.items.append(item)
        return item

    def _remove(self, slot: _Slot) -> None:
        for it in slot.items:
            self.widget.removeItem(it)
        slot.items = []

    def _draw(self, slot: _Slot, layer: Layer, default_color: str, i: int) -> None:
        k = layer.kind
        col = layer.color or default_color
        x, y = _arr(layer.x), _arr(layer.y)
        pen = pg.mkPen(
            col, width=layer.width or 2, style=Qt.PenStyle.DashLine if layer.dashed else Qt.PenStyle.SolidLine
        )
        item = slot.items[0] if slot.items else None
        if k in ("line", "step"):
            if item is None:
                item = self._add(slot, pg.PlotDataItem())
            item.setPen(pen)
            if k == "step":
                if len(x):  # stepMode "center" wants the edges: one more x than y
                    edges = np.append(x, x[-1] + (x[-1] - x[-2] if len(x) > 1 else 1))
                    item.setData(edges, y, stepMode="center")
                else:
                    item.setData([], [], stepMode=None)
            else:
                item.setData(x, y, connect="finite")
        elif k == "scatter":
            if item is None:
                item = self._add(slot, pg.ScatterPlotItem())
            shown = thinned(len(x), layer.values)
            xs, ys = (x, y) if shown is None else (x[shown], y[shown])
            if layer.values:
                # thin outline: the light end of the colour map vanishes on white otherwise
                values = list(layer.values) if shown is None else np.asarray(layer.values, float)[shown].tolist()
                brush = value_brushes(values, value_range=layer.value_range or _range(layer.values))
                edge = pg.mkPen("#555", width=0.5)
            else:
                brush, edge = pg.mkBrush(_qcolor(col, layer.alpha)), pg.mkPen(None)
            item.setData(x=xs, y=ys, size=layer.size or 8, pen=edge, brush=brush)
            slot.shown = shown
        elif k == "band":
            if item is None:
                lower, upper = pg.PlotDataItem(pen=pg.mkPen(None)), pg.PlotDataItem(pen=pg.mkPen(None))
                item = self._add(slot, pg.FillBetweenItem(lower, upper))
                slot.items += [lower, upper]
            _, lower, upper = slot.items
            lower.setData(x, y)
            upper.setData(x, _arr(layer.y2 or []))
            item.setBrush(pg.mkBrush(_qcolor(col, layer.alpha if layer.alpha is not None else 0.2)))
        elif k == "bar":
            xs = np.unique(x[np.isfinite(x)])
            width = layer.width or (float(np.min(np.diff(xs))) * 0.8 if len(xs) > 1 else 0.8)
            brushes = value_brushes(layer.values, value_range=layer.value_range) if layer.values else None
            # a missing value is no bar (and no hover point), not a flat rectangle at zero
            keep = np.isfinite(x) & np.isfinite(y)
            if brushes is not None:
                brushes = [b for b, k in zip(brushes, keep) if k]
            opts = dict(x=x[keep], height=y[keep], width=width, brush=pg.mkBrush(col), brushes=brushes)
            if item is None:
                item = self._add(slot, pg.BarGraphItem(**opts))
            else:
                item.setOpts(**opts)
        elif k in ("hline", "vline"):
            pos = (layer.y or [0])[0] if k == "hline" else (layer.x or [0])[0]
            if item is None:
                item = self._add(
                    slot,
                    pg.InfiniteLine(
                        angle=0 if k == "hline" else 90, movable=False, label="", labelOpts={"position": 0.9}
                    ),
                )
            item.setPen(pen)
            item.setValue(0.0 if pos is None else pos)
            item.label.setFormat((layer.name or "").replace("{", "{{").replace("}", "}}"))
            item.label.setColor(col)
        elif k == "vspan":
            lo, hi = (x[0], x[1]) if len(x) >= 2 else (0.0, 0.0)
            if item is None:
                item = self._add(
                    slot, pg.LinearRegionItem(values=(lo, hi), movable=False, pen=pg.mkPen(None)), ignore_bounds=True
                )
            item.setRegion((lo, hi))
            item.setBrush(pg.mkBrush(_qcolor(col, layer.alpha if layer.alpha is not None else 0.12)))
            item.setVisible(len(x) >= 2)
        # later layers on top; a shaded span behind everything
        item.setZValue(-10.0 + i / 1000 if k == "vspan" else i / 1000)
        slot.layer, slot.x, slot.y, slot.color = layer, x, y, col
        if k != "scatter":
            slot.shown = None

    def _update_legend(self, spec: PlotSpec | None) -> None:
        legend = self.widget.plotItem.legend
        named = [(i, s) for i, s in enumerate(self._slots) if s.layer.name and s.kind not in UNLISTED_KINDS]
        if len(named) > MAX_LEGEND:
            named = []
        if legend is None:
            if spec is None or not spec.legend or not named:
                return
            legend = legend_below(self.widget)
        key = tuple((i, s.layer.name, s.color, s.layer.alpha, id(s.items[0])) for i, s in named)
        if key != self._legend_key:
            legend.clear()
            for _, s in named:
                if s.kind == "band":  # a filled square, not a line sample
                    c = _qcolor(s.color, s.layer.alpha if s.layer.alpha is not None else 0.2)
                    legend.addItem(pg.BarGraphItem(x=[0], height=[0], width=0, brush=c), s.layer.name)
                else:
                    legend.addItem(s.items[0], s.layer.name)
            self._legend_key = key
            self._legend_names = [str(s.layer.name) for _, s in named]
            self._fit_legend()
        shown = bool(spec.legend and named) if spec is not None else False
        legend.setVisible(shown)
        # a hidden legend gives its row back to the plot
        legend.setMaximumHeight(16777215 if shown else 0)

    def _fit_legend(self, *_args) -> None:
        """As many legend entries side by side as the plot's width holds (again on each resize)."""
        legend = self.widget.plotItem.legend
        names = getattr(self, "_legend_names", None)
        if legend is None or not getattr(legend, "_below", False) or not names:
            return
        from PySide6.QtGui import QFontMetrics

        metrics = QFontMetrics(self.widget.font())
        per = max(metrics.horizontalAdvance(n) for n in names) + 50
        cols = max(1, min(len(names), max(self.widget.width() - 60, per) // per))
        if cols != legend.columnCount:
            legend.setColumnCount(cols)

    # -- selection -------------------------------------------------------------------------------
    def select_point(self, layer: int | str, index: int) -> bool:
        """Ring point ``index`` of a layer (by position or name); False if there is no such point."""
        i = self._position(layer)
        if i is None or not 0 <= index < len(self._slots[i].x):
            self.clear_selection()
            return False
        slot = self._slots[i]
        if self.marker.scene() is None:
            self.widget.addItem(self.marker, ignoreBounds=True)
        self.marker.setData([slot.x[index]], [slot.y[index]], size=(slot.layer.size or 8) + 10)
        self.selected = (i, int(index))
        return True

    def clear_selection(self) -> None:
        self.selected = None
        self.marker.setData([], [])

    def _clicked(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        if ev.double():
            self.reset_zoom()
            return
        hit = self.hover.nearest(ev.scenePos())
        if hit is not None:
            self.last_click = hit
            self.point_clicked.emit(hit.name, hit.index)

    # -- zoom ------------------------------------------------------------------------------------
    def reset_zoom(self) -> None:
        """Back to the view the spec opens on: its ``x_range`` (y fitted to what is visible there),
        else everything."""
        vb = self.widget.plotItem.vb
        x_range = self.spec.x_range if self.spec is not None else None
        if x_range:
            vb.setAutoVisible(y=True)
            vb.enableAutoRange(axis=vb.YAxis)
            vb.setXRange(x_range[0], x_range[1], padding=0)
        else:
            vb.setAutoVisible(y=False)
            vb.enableAutoRange()

    def _auto_button(self) -> None:
        self.reset_zoom()
        self.widget.plotItem.autoBtn.hide()


class Hit(NamedTuple):
    distance: float  # screen pixels from the mouse
    x: float
    y: float
    label: str | None
    name: str  # the layer's name
    index: int  # the point's position in its layer
    layer: int  # the layer's position in the spec (-1: added by hand)


class HoverTip:
    """Shows the nearest data point's label (or x, y) next to the mouse."""

    def __init__(self, widget: pg.PlotWidget, date_axis: bool | None = None):
        self.widget = widget
        self._sets: list[tuple[np.ndarray, np.ndarray, list | None, str, int]] = []
        self.text = pg.TextItem("", color="#111", fill=pg.mkBrush(255, 255, 225, 230), anchor=(0, 1))
        self.text.setZValue(1000)
        self.text.hide()
        widget.addItem(self.text, ignoreBounds=True)
        self._proxy = pg.SignalProxy(widget.scene().sigMouseMoved, rateLimit=30, slot=self._moved)
        self._proxy.setParent(widget)  # dies with the plot: no late mouse event into a deleted plot
        self.last_text = ""
        # owned by the viewport it watches, so the filter goes with it (owned by the plot, it was
        # called on a half-destroyed viewport and crashed)
        self._leave = _LeaveWatcher(self.text, widget.viewport())
        widget.viewport().installEventFilter(self._leave)

    def clear(self) -> None:
        self._sets.clear()
        if self.text.scene() is None:
            self.widget.addItem(self.text, ignoreBounds=True)
        self.text.hide()

    def add(self, x, y, labels=None, name: str = "", layer: int = -1, shown: np.ndarray | None = None) -> None:
        """A layer's points for hover; ``shown``: the positions drawn when it was thinned (the
        hit's index is still the point's position in the layer)."""
        self._sets.append((np.asarray(x, float), np.asarray(y, float), labels, name, layer, shown))

    def nearest(self, pos: QPointF, max_px: float = 20.0) -> Hit | None:
        """The closest point to a scene position, within ``max_px`` screen pixels."""
        vb = self.widget.plotItem.vb
        if not vb.sceneBoundingRect().contains(pos):
            return None
        m = vb.mapSceneToView(pos)
        pw, ph = vb.viewPixelSize()
        if not pw or not ph:
            return None
        best = None
        for x, y, labels, name, layer, shown in self._sets:
            if not len(x):
                continue
            xx, yy = (x, y) if shown is None else (x[shown], y[shown])  # only the points drawn
            d = np.hypot((xx - m.x()) / pw, (yy - m.y()) / ph)
            d[~np.isfinite(d)] = np.inf
            k = int(np.argmin(d))
            dist, j = float(d[k]), (k if shown is None else int(shown[k]))  # j: its place in the layer
            if dist <= max_px and (best is None or dist < best.distance):
                best = Hit(dist, float(x[j]), float(y[j]), labels[j] if labels else None, name, j, layer)
        return best

    def describe(self, hit: Hit) -> str:
        if hit.label:
            return hit.label
        axis = self.widget.getAxis("bottom")
        when = axis_datetime(axis, hit.x) if isinstance(axis, pg.DateAxisItem) else None
        x = i18n.format_date(when) if when is not None else i18n.format_number(hit.x)
        y = i18n.format_number(hit.y)
        return _("{layer}: {x}, {y}", layer=hit.name, x=x, y=y) if hit.name else _("{x}, {y}", x=x, y=y)

    def _moved(self, evt) -> None:
        pos = evt[0]
        hit = self.nearest(pos)
        if hit is None:
            self.text.hide()
            return
        self.last_text = self.describe(hit)
        self.text.setText(self.last_text)
        # the tip opens towards the middle of the plot, so it stays inside it at every edge
        view = self.widget.plotItem.vb.viewRect()
        self.text.setAnchor((1.0 if hit.x > view.center().x() else 0.0, 0.0 if hit.y > view.center().y() else 1.0))
        self.text.setPos(hit.x, hit.y)
        self.text.show()


class _LeaveWatcher(QObject):
    """Hides the hover tip when the mouse leaves the plot."""

    def __init__(self, tip: pg.TextItem, parent: QObject):
        super().__init__(parent)
        self.tip = tip

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.Leave:
            import shiboken6

            # a plot being destroyed sends a last Leave after its items are gone
            if shiboken6.isValid(self.tip) and self.tip.scene() is not None:
                self.tip.hide()
        return False


def export_widget_png(widget: QWidget, path: str | os.PathLike) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(path), "PNG"):
        from bizops_desktop.core.errors import DataError

        raise DataError(
            _("the picture could not be written"),
            where=str(path),
            hint=_("Check that the folder exists and you may write to it"),
        )
    return path


def save_plot_png(spec: PlotSpec, path: str | os.PathLike, size: tuple[int, int] = (900, 560)) -> Path:
    """Render a PlotSpec offscreen and save it as PNG (the CLI's plot export)."""
    app = ensure_app()
    w = render_plot(spec)
    w.resize(*size)
    w.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    w.show()
    app.processEvents()
    try:
        return export_widget_png(w, path)
    finally:
        w.close()
        w.deleteLater()
