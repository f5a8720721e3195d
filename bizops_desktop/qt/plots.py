"""Shared pyqtgraph helpers: one look for every plot, a renderer for PlotSpec (used by tabs and
by the CLI's PNG export), hover tips, PNG export."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QWidget

from bizops_desktop.core.plotspec import Layer, PlotSpec

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]

_configured = False


def ensure_app() -> QApplication:
    """The QApplication, created offscreen when there is none and no screen (CLI PNG export)."""
    app = QApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") and os.name != "nt" \
                and os.uname().sysname != "Darwin":
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    configure()
    return app


def configure() -> None:
    global _configured
    if not _configured:
        pg.setConfigOptions(background="w", foreground="#333", antialias=True)
        _configured = True


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def make_plot(title: str = "", x_label: str = "", y_label: str = "", *, date_axis: bool = False,
              parent: QWidget | None = None) -> pg.PlotWidget:
    configure()
    axis = {"bottom": pg.DateAxisItem(orientation="bottom")} if date_axis else None
    w = pg.PlotWidget(parent=parent, axisItems=axis)
    w.setTitle(title, color="#222", size="11pt")
    w.setLabel("bottom", x_label)
    w.setLabel("left", y_label)
    w.showGrid(x=True, y=True, alpha=0.15)
    for side in ("left", "bottom"):
        w.getAxis(side).enableAutoSIPrefix(False)   # "(x0.001)" on an axis confuses more than it helps
    w.addLegend(offset=(10, 10))
    w.hover = HoverTip(w)
    return w


def _arr(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def value_brushes(values: Sequence[float], cmap: str = "viridis") -> list:
    v = _arr(values)
    if len(v) == 0:
        return []
    lo, hi = np.nanmin(v), np.nanmax(v)
    t = np.zeros_like(v) if hi <= lo else (v - lo) / (hi - lo)
    cm = pg.colormap.get(cmap)
    return [pg.mkBrush(cm.map(float(x) if np.isfinite(x) else 0.0, mode="qcolor")) for x in t]


def render_plot(spec: PlotSpec, widget: pg.PlotWidget | None = None) -> pg.PlotWidget:
    """Draw a PlotSpec into ``widget`` (cleared first) or a new PlotWidget."""
    if widget is None:
        widget = make_plot(spec.title, spec.x_label, spec.y_label, date_axis=spec.x_is_date)
    else:
        widget.clear()
        widget.setTitle(spec.title, color="#222", size="11pt")
        widget.setLabel("bottom", spec.x_label)
        widget.setLabel("left", spec.y_label)
    hover = getattr(widget, "hover", None)
    if hover is not None:
        hover.clear()
    # A legend of dozens of entries helps nobody and costs a visible pause to build: past
    # MAX_LEGEND named layers, names show on hover only.
    named = sum(1 for ly in spec.layers if ly.name)
    for i, layer in enumerate(spec.layers):
        draw_layer(widget, layer, color(i), legend=named <= MAX_LEGEND)
    if spec.x_ticks:
        widget.getAxis("bottom").setTicks([[(float(p), str(t)) for p, t in spec.x_ticks]])
    legend = widget.plotItem.legend
    if legend is not None:
        legend.setVisible(bool(spec.legend))
    widget.enableAutoRange()
    return widget


MAX_LEGEND = 12


def draw_layer(widget: pg.PlotWidget, layer: Layer, default_color: str, legend: bool = True):
    col = layer.color or default_color
    name = (layer.name or None) if legend else None
    x, y = _arr(layer.x), _arr(layer.y)
    pen = pg.mkPen(col, width=layer.width or 2,
                   style=Qt.PenStyle.DashLine if layer.dashed else Qt.PenStyle.SolidLine)
    item = None
    if layer.kind in ("line", "step"):
        if layer.kind == "step" and len(x):
            item = widget.plot(np.append(x, x[-1] + (x[-1] - x[-2] if len(x) > 1 else 1)), y, pen=pen,
                               name=name, stepMode="center")
        else:
            item = widget.plot(x, y, pen=pen, name=name, connect="finite")
    elif layer.kind == "scatter":
        brushes = value_brushes(layer.values) if layer.values else pg.mkBrush(QColor(col))
        item = pg.ScatterPlotItem(x=x, y=y, size=layer.size or 8, pen=pg.mkPen(None), brush=brushes, name=name)
        widget.addItem(item)  # a named item joins the legend by itself
    elif layer.kind == "band":
        lower = pg.PlotDataItem(x, y, pen=pg.mkPen(None))
        upper = pg.PlotDataItem(x, _arr(layer.y2 or []), pen=pg.mkPen(None))
        c = QColor(col)
        c.setAlphaF(layer.alpha if layer.alpha is not None else 0.2)
        item = pg.FillBetweenItem(lower, upper, brush=pg.mkBrush(c))
        widget.addItem(item)
        if name and widget.plotItem.legend is not None:
            widget.plotItem.legend.addItem(pg.BarGraphItem(x=[0], height=[0], width=0, brush=c), name)
    elif layer.kind == "bar":
        width = layer.width or (float(np.nanmin(np.diff(np.unique(x)))) * 0.8 if len(np.unique(x)) > 1 else 0.8)
        brushes = value_brushes(layer.values) if layer.values else None
        item = pg.BarGraphItem(x=x, height=y, width=width, brush=pg.mkBrush(col), brushes=brushes, name=name)
        widget.addItem(item)
    elif layer.kind in ("hline", "vline"):
        pos = (layer.y or [0])[0] if layer.kind == "hline" else (layer.x or [0])[0]
        item = pg.InfiniteLine(pos=pos, angle=0 if layer.kind == "hline" else 90, pen=pen,
                               label=layer.name or None, labelOpts={"position": 0.9, "color": col})
        widget.addItem(item)
    hover = getattr(widget, "hover", None)
    if hover is not None and layer.kind in ("line", "scatter", "bar", "step") and len(x):
        labels = layer.labels
        hover.add(x, y, labels, layer.name)
    return item


class HoverTip:
    """Shows the nearest data point's label (or x, y) next to the mouse."""

    def __init__(self, widget: pg.PlotWidget, date_axis: bool | None = None):
        self.widget = widget
        self._sets: list[tuple[np.ndarray, np.ndarray, list | None, str]] = []
        self.text = pg.TextItem("", color="#111", fill=pg.mkBrush(255, 255, 225, 230), anchor=(0, 1))
        self.text.setZValue(1000)
        self.text.hide()
        widget.addItem(self.text, ignoreBounds=True)
        self._proxy = pg.SignalProxy(widget.scene().sigMouseMoved, rateLimit=30, slot=self._moved)
        self._proxy.setParent(widget)   # dies with the plot: no late mouse event into a deleted plot
        self.last_text = ""

    def clear(self) -> None:
        self._sets.clear()
        if self.text.scene() is None:
            self.widget.addItem(self.text, ignoreBounds=True)
        self.text.hide()

    def add(self, x, y, labels=None, name: str = "") -> None:
        self._sets.append((np.asarray(x, float), np.asarray(y, float), labels, name))

    def nearest(self, pos: QPointF, max_px: float = 20.0):
        """The closest point to a scene position, within ``max_px`` screen pixels."""
        vb = self.widget.plotItem.vb
        if not vb.sceneBoundingRect().contains(pos):
            return None
        m = vb.mapSceneToView(pos)
        pw, ph = vb.viewPixelSize()
        if not pw or not ph:
            return None
        best = None
        for x, y, labels, name in self._sets:
            d = np.hypot((x - m.x()) / pw, (y - m.y()) / ph)
            d[~np.isfinite(d)] = np.inf
            if not len(d):
                continue
            j = int(np.argmin(d))
            if d[j] <= max_px and (best is None or d[j] < best[0]):
                best = (float(d[j]), float(x[j]), float(y[j]), labels[j] if labels else None, name, j)
        return best

    def describe(self, hit) -> str:
        _, x, y, label, name, _ = hit
        if label:
            return label
        axis = self.widget.getAxis("bottom")
        xs = axis.tickStrings([x], 1, 1)[0] if isinstance(axis, pg.DateAxisItem) else f"{x:,.4g}"
        return (f"{name}: " if name else "") + f"{xs}, {y:,.4g}"

    def _moved(self, evt) -> None:
        pos = evt[0]
        hit = self.nearest(pos)
        if hit is None:
            self.text.hide()
            return
        self.last_text = self.describe(hit)
        self.text.setText(self.last_text)
        self.text.setPos(hit[1], hit[2])
        self.text.show()


def export_widget_png(widget: QWidget, path: str | os.PathLike) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(path), "PNG"):
        from bizops_desktop.core.errors import DataError

        raise DataError("the picture could not be written", where=str(path),
                        hint="Check that the folder exists and you may write to it")
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
