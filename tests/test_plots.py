"""The one PlotSpec renderer: items kept and updated between draws, colour bins, hover,
click-to-select, zoom, and PlotSpec's JSON form staying readable for older project files."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt

from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.qt.plots import COLOR_BINS, MAX_LEGEND, make_plot, render_plot, save_plot_png, value_brushes


def _spec(shift: float = 0.0, title: str = "Sales") -> PlotSpec:
    x = [0.0, 1.0, 2.0, 3.0]
    return PlotSpec(
        title,
        "week",
        "units",
        layers=[
            Layer("vspan", [1.0, 2.0], []),
            Layer("band", x, [v + shift - 1 for v in x], y2=[v + shift + 1 for v in x], name="80% interval"),
            Layer("line", x, [v + shift for v in x], name="sales", labels=[f"week {i}" for i in range(4)]),
            Layer("scatter", x, [2 * v + shift for v in x], values=[1, 2, 3, 4], name="points"),
            Layer("bar", x, [1, None, 3, 4], name="bars"),
            Layer("step", x, [1, 2, 1, 2], name="steps"),
            Layer("hline", [], [2.0 + shift], name="target"),
            Layer("vline", [1.5 + shift], [], name="today"),
        ],
    )


@pytest.fixture
def plot(qtbot):
    w = make_plot()
    qtbot.addWidget(w)
    w.resize(600, 400)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_a_second_draw_updates_the_same_items(plot):
    view = plot.plot_view
    render_plot(_spec(), plot)
    items = view.items()
    assert len(items) == 8 and all(it.scene() is plot.scene() for it in items)
    n_scene = len(plot.plotItem.items)

    render_plot(_spec(shift=10.0, title="Sales, again"), plot)
    assert all(a is b for a, b in zip(view.items(), items)) and len(view.items()) == 8
    assert len(plot.plotItem.items) == n_scene  # nothing added, nothing left over
    assert view.item("sales").getData()[1].tolist() == [10.0, 11.0, 12.0, 13.0]
    assert view.item("target").value() == 12.0
    assert plot.plotItem.titleLabel.text == "Sales, again"
    assert view.spec.title == "Sales, again"


def test_only_the_difference_is_made_or_removed(plot):
    view = plot.plot_view
    render_plot(_spec(), plot)
    line, scatter = view.item(2), view.item(3)
    calls = []
    line.setData = lambda *a, **k: calls.append(a)  # an unchanged layer is not redrawn
    spec = _spec()
    spec.layers = spec.layers[:3] + [Layer("line", [0, 1], [5, 6], name="other")]
    render_plot(spec, plot)
    assert view.item(2) is line and not calls
    assert view.item(3) is not scatter and isinstance(view.item(3), pg.PlotDataItem)
    assert scatter.scene() is None  # the old kind's item is gone
    assert len(view.items()) == 4
    assert [label.text for _, label in plot.plotItem.legend.items] == ["80% interval", "sales", "other"]


def test_a_widget_cleared_by_hand_is_drawn_again(plot):
    render_plot(_spec(), plot)
    plot.clear()
    render_plot(_spec(), plot)
    assert all(it.scene() is plot.scene() for it in plot.plot_view.items())
    assert len(plot.plotItem.legend.items) == 5  # lines across the plot are labelled on it instead


def test_the_cli_path_still_makes_its_own_widget(qtbot, tmp_path):
    w = render_plot(_spec())
    qtbot.addWidget(w)
    assert len(w.plot_view.items()) == 8
    png = save_plot_png(_spec(), tmp_path / "p.png")
    assert png.stat().st_size > 1000


def test_ticks_legend_and_date_axis_follow_the_spec(plot):
    render_plot(PlotSpec("a", layers=[Layer("bar", [0, 1], [1, 2])], x_ticks=[[0, "naive"], [1, "SES"]]), plot)
    assert plot.getAxis("bottom")._tickLevels == [[(0.0, "naive"), (1.0, "SES")]]
    render_plot(PlotSpec("b", layers=[Layer("line", [0, 1], [1, 2])], x_is_date=True), plot)
    assert plot.getAxis("bottom")._tickLevels is None  # ticks of the last plot dropped
    assert isinstance(plot.getAxis("bottom"), pg.DateAxisItem)
    many = PlotSpec("c", layers=[Layer("line", [0, 1], [i, i], name=f"s{i}") for i in range(MAX_LEGEND + 1)])
    render_plot(many, plot)
    assert plot.plotItem.legend.items == []  # too many: names on hover only
    render_plot(PlotSpec("d", layers=[Layer("line", [0, 1], [1, 2], name="x")], legend=False), plot)
    assert not plot.plotItem.legend.isVisible()


def test_colours_come_from_a_few_shared_brushes():
    values = np.random.default_rng(0).random(87_000) * 10
    brushes = value_brushes(values)
    assert len(brushes) == len(values)
    assert len({id(b) for b in brushes}) <= COLOR_BINS
    lo, hi = int(np.argmin(values)), int(np.argmax(values))
    cm = pg.colormap.get("viridis")
    assert brushes[lo].color() == cm.map(0.0, mode="qcolor")
    assert brushes[hi].color() == cm.map(1.0, mode="qcolor")
    # on a fixed scale the same value gets the same colour, whatever else is shown
    a = value_brushes([5.0, 0.0, 10.0], value_range=[0, 10])
    b = value_brushes([5.0], value_range=[0, 10])
    assert a[0] is b[0]
    assert value_brushes([]) == [] and len(value_brushes([np.nan, 1.0])) == 2


def test_a_subset_keeps_the_colour_scale():
    layer = Layer("scatter", [1, 2, 3], [4, 5, 6], values=[0.5, 2.0, 9.0], labels=["a", "b", "c"])
    sub = layer.subset([2, 0])
    assert (sub.x, sub.y, sub.labels, sub.values) == ([3.0, 1.0], [6.0, 4.0], ["c", "a"], [9.0, 0.5])
    assert sub.value_range == [0.5, 9.0]
    assert layer.subset([]).x == []


def test_click_selects_a_point_and_hover_names_it(qtbot, plot):
    view = plot.plot_view
    render_plot(
        PlotSpec(
            "p",
            layers=[
                Layer("line", [0, 1, 2], [0, 0, 0], name="flat"),
                Layer("scatter", [0, 1, 2], [1, 2, 3], name="dots", labels=["first", "second", "third"]),
            ],
        ),
        plot,
    )
    qtbot.wait(20)
    vb = plot.plotItem.vb
    scene_pt = vb.mapViewToScene(pg.Point(1.0, 2.0))
    hit = plot.hover.nearest(scene_pt)
    assert (hit.name, hit.index, hit.layer) == ("dots", 1, 1) and plot.hover.describe(hit) == "second"
    with qtbot.waitSignal(view.point_clicked, timeout=2000) as clicked:
        qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=plot.mapFromScene(scene_pt))
    assert clicked.args == ["dots", 1]
    assert view.select_point("dots", 2) and view.selected == (1, 2)
    assert [v.tolist() for v in view.marker.getData()] == [[2.0], [3.0]]
    assert not view.select_point("dots", 7) and view.selected is None
    assert not view.select_point("nothing", 0)


def test_zoom_opens_on_the_spec_range_and_resets(qtbot, plot):
    view = plot.plot_view
    x = list(range(100))
    spec = PlotSpec("z", layers=[Layer("line", x, [v * v for v in x])], x_range=[80, 99])
    render_plot(spec, plot)
    qtbot.wait(20)
    vb = plot.plotItem.vb
    (x0, x1), (y0, y1) = vb.viewRange()
    assert (x0, x1) == pytest.approx((80, 99))
    assert y0 > 1000  # y fitted to what is visible, not to all
    vb.scaleBy((0.5, 0.5))  # the user zooms in (wheel)
    assert vb.viewRange()[0][1] - vb.viewRange()[0][0] == pytest.approx(9.5)
    view.reset_zoom()
    assert vb.viewRange()[0] == pytest.approx([80, 99])
    vb.scaleBy((0.5, 0.5))
    plot.plotItem.autoBtn.clicked.emit(plot.plotItem.autoBtn)  # the "A" button: the same
    assert vb.viewRange()[0] == pytest.approx([80, 99])
    vb.scaleBy((0.5, 0.5))
    centre = plot.mapFromScene(vb.sceneBoundingRect().center())  # and a double click
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseRelease(plot.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.waitUntil(lambda: vb.viewRange()[0] == pytest.approx([80, 99]), timeout=2000)
    # a draw that keeps the zoom (a slider moving a marker) leaves the user's view alone
    vb.setXRange(10, 20, padding=0)
    render_plot(spec, plot, reset_zoom=False)
    assert vb.viewRange()[0] == pytest.approx([10, 20])
    render_plot(PlotSpec("all", layers=[Layer("line", x, x)]), plot)
    qtbot.wait(20)
    assert vb.viewRange()[0][0] <= 0 and vb.viewRange()[0][1] >= 99


def test_specs_saved_before_the_new_fields_still_load():
    old = {
        "title": "t",
        "x_label": "",
        "y_label": "",
        "x_is_date": False,
        "x_ticks": None,
        "legend": True,
        "layers": [
            {
                "kind": "line",
                "x": [0, 1],
                "y": [1, 2],
                "y2": None,
                "name": "a",
                "color": None,
                "values": None,
                "labels": None,
                "width": None,
                "size": None,
                "dashed": False,
                "alpha": None,
            }
        ],
    }
    spec = PlotSpec.from_dict(old)
    assert spec.x_range is None and spec.layers[0].value_range is None
    ranged = PlotSpec(
        "r",
        layers=[Layer("line", [0, 1], [0, 1], values=[1, 2], value_range=(0, np.int64(3)))],
        x_range=(np.float64(0.5), 1),
    )
    back = PlotSpec.from_dict(ranged.to_dict())
    assert back.x_range == [0.5, 1.0] and back.layers[0].value_range == [0.0, 3.0]
    # what a forged file might hold is refused when read, not when drawn
    for bad in ({"x_range": [[1], 2]}, {"x_range": "abc"}, {"x_range": [1, 2, 3]}):
        with pytest.raises((TypeError, ValueError)):
            PlotSpec.from_dict({**old, **bad})
    with pytest.raises((TypeError, ValueError)):
        PlotSpec.from_dict({**old, "layers": [{**old["layers"][0], "value_range": [[0], 1]}]})


def test_the_generic_tab_redraws_into_the_same_widgets(qtbot):
    """A tab without its own panel shows every plot and table of a Result; a second result with
    the same names updates those widgets (the plot's items too) instead of building new ones."""
    import pandas as pd

    from bizops_desktop.core.analysis import Analysis, Result
    from bizops_desktop.qt.host import Host
    from bizops_desktop.qt.panel import AnalysisPanel

    def result(k: float) -> Result:
        table = pd.DataFrame({"product": ["a", "b"], "units": [k, 2 * k]})
        return Result(
            tables={"units": table}, plots={"units": PlotSpec("Units", layers=[Layer("bar", [0, 1], table["units"])])}
        )

    host = Host()
    panel = AnalysisPanel(Analysis(id="toy", title="Toy", summary="", run=lambda *a: None), host)
    qtbot.addWidget(panel)
    try:
        panel.set_result(result(1.0))
        plot, tabs = panel._plots["units"], panel._generic_tabs
        bars = plot.plot_view.item(0)
        assert [tabs.tabText(i) for i in range(tabs.count())] == ["Units", "units"]
        table = tabs.widget(1)
        panel.set_result(result(5.0))
        assert panel._plots["units"] is plot and tabs.widget(0) is plot and tabs.widget(1) is table
        assert plot.plot_view.item(0) is bars and list(bars.opts["height"]) == [5.0, 10.0]
        assert table.frame()["units"].tolist() == [5.0, 10.0]
        panel.set_result(Result(tables={"other": pd.DataFrame({"a": [1]})}))
        assert "units" not in panel._plots and tabs.count() == 1
    finally:
        host.jobs.shutdown(5000)


def test_share_axes_read_as_percentages_like_the_tables(qtbot):
    from bizops_desktop.core.i18n import use_language
    from bizops_desktop.core.plotspec import Layer, PlotSpec
    from bizops_desktop.qt.plots import make_plot, render_plot

    w = make_plot()
    qtbot.addWidget(w)
    spec = PlotSpec(
        "shares", layers=[Layer("scatter", x=[0.04, 0.05], y=[0.8, 0.9])], x_format="percent", y_format="percent"
    )
    render_plot(spec, w)
    assert w.getAxis("bottom").tickStrings([0.04, 0.045], 1, 0.005) == ["4.0%", "4.5%"]
    assert w.getAxis("left").tickStrings([0.8, 0.9], 1, 0.1) == ["80%", "90%"]
    with use_language("zh_CN"):
        assert w.getAxis("left").tickStrings([0.8], 1, 0.1) == ["80%"]
    render_plot(PlotSpec("plain", layers=[Layer("scatter", x=[1, 2], y=[1, 2])]), w)
    assert "tickStrings" not in w.getAxis("bottom").__dict__  # back to plain numbers


def test_the_hover_tip_opens_towards_the_middle_and_goes_when_the_mouse_leaves(qtbot, plot):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    render_plot(PlotSpec("p", layers=[Layer("scatter", [0, 10], [0, 10], name="dots", labels=["low", "high"])]), plot)
    qtbot.wait(20)
    vb, tip = plot.plotItem.vb, plot.hover.text
    for (x, y), anchor in (((10.0, 10.0), (1.0, 0.0)), ((0.0, 0.0), (0.0, 1.0))):
        plot.hover._moved((vb.mapViewToScene(pg.Point(x, y)),))
        qtbot.wait(30)  # the tip places itself when it is painted
        assert tip.isVisible() and tuple(tip.anchor) == anchor
        # the tip's box lies inside the plot's view box at both corners
        box = tip.textItem.mapRectToScene(tip.textItem.boundingRect())
        assert vb.sceneBoundingRect().adjusted(-1, -1, 1, 1).contains(box), (box, vb.sceneBoundingRect())
    QApplication.sendEvent(plot.viewport(), QEvent(QEvent.Type.Leave))
    assert not tip.isVisible()


def test_the_legend_sits_under_the_plot_not_on_the_data(qtbot, plot):
    render_plot(_spec(), plot)
    qtbot.wait(20)
    legend, vb = plot.plotItem.legend, plot.plotItem.vb
    assert legend.isVisible() and len(legend.items) == 5  # the lines and spans are labelled on the plot
    assert legend.sceneBoundingRect().top() >= vb.sceneBoundingRect().bottom()  # below the data area
    assert legend.columnCount > 1  # entries side by side where the width allows


def test_a_big_scatter_draws_a_bounded_sample_and_says_so(qtbot, plot):
    from bizops_desktop.qt.plots import MAX_SCATTER, thinned

    n = MAX_SCATTER * 5
    x = np.arange(n, dtype=float)
    y = (x * 7919) % 1000
    values = y / 1000  # the colour: the strongest points must be among those drawn
    labels = [f"rule {i}" for i in range(n)]
    render_plot(PlotSpec("Rules", layers=[Layer("scatter", x, y, values=values, labels=labels, name="r")]), plot)
    qtbot.wait(20)
    item = plot.plot_view.item(0)
    drawn_x, _drawn_y = item.getData()
    assert len(drawn_x) == MAX_SCATTER
    top = set(np.argsort(-values)[: MAX_SCATTER // 4])
    assert top <= set(drawn_x.astype(int).tolist())
    assert "4,000 of 20,000 points drawn" in plot.plotItem.titleLabel.text
    # hover finds a drawn point and names it by its own row
    j = int(drawn_x[123])
    vb = plot.plotItem.vb
    hit = plot.hover.nearest(vb.mapViewToScene(pg.Point(x[j], y[j])))
    assert hit is not None and hit.index == j and plot.hover.describe(hit) == f"rule {j}"
    assert thinned(10) is None and len(thinned(10, limit=4)) == 4
    # a small one is drawn whole and its title left alone
    render_plot(PlotSpec("Few", layers=[Layer("scatter", [1, 2], [3, 4], name="r")]), plot)
    assert len(plot.plot_view.item(0).getData()[0]) == 2 and plot.plotItem.titleLabel.text == "Few"


def test_a_map_keeps_one_unit_as_long_across_as_up(qtbot, plot):
    spec = PlotSpec("Routes", layers=[Layer("line", [0, 10], [0, 1], name="van")], equal_axes=True)
    render_plot(spec, plot)
    qtbot.wait(20)
    pw, ph = plot.plotItem.vb.viewPixelSize()
    assert pw == pytest.approx(ph, rel=1e-6)
    assert PlotSpec.from_dict(spec.to_dict()).equal_axes is True
    render_plot(PlotSpec("Sales", layers=[Layer("line", [0, 10], [0, 1], name="s")]), plot)
    qtbot.wait(20)
    pw, ph = plot.plotItem.vb.viewPixelSize()
    assert pw != pytest.approx(ph, rel=1e-3)  # an ordinary plot fills its box
