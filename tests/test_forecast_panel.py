"""The Forecast tab as a user meets it on the demo shop: run, pick a product by typing, see the
history, fitted values, forecast and bands start at the end of the data, hover a forecast point,
compare methods, export CSV/Excel/PNG."""

from __future__ import annotations

import copy

import numpy as np
import pyqtgraph as pg
import pytest
from helpers import run_panel

from bizops_desktop.core.i18n import text
from bizops_forecast import ANALYSIS
from bizops_forecast.panel import ForecastPanel
from bizops_forecast.words import method_name


def _arr(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _layer(spec, name):
    return next(ly for ly in spec.layers if text(ly.name) == name)


def _methods_shown(spec) -> set:
    return {label.split(":")[0] for ly in spec.layers for label in ly.labels}


def _words(method: str, extra: dict) -> str:
    return text(method_name(method, extra["freq"], extra["season_length"]))


@pytest.fixture
def panel(open_panel):
    return open_panel(ForecastPanel, ANALYSIS, show=True)


def test_run_pick_a_product_and_export(qtbot, panel, tmp_path):
    panel.select_dataset("orders")
    # Weekly sales of the two best sellers: three series, so it runs in this process quickly.
    panel.set_params({"freq": "W", "top_products": 2, "horizon": 8, "method": "auto"})
    with qtbot.waitSignal(panel.run_ended, timeout=180000) as blocker:
        assert panel.run_analysis() is not None
    assert blocker.args == ["done"], panel.message.text()
    res = panel.result
    assert panel.series_combo.count() == 3 and panel.current_series() == "Total"
    # the first line answers the question: how much in the next 8 weeks, and how sure
    assert panel.headline.text() == text(res.headline)
    assert panel.headline.text().startswith("All products, next 8 weeks: about ")
    assert "units (likely " in panel.headline.text()
    assert "forecast the last " in panel.why_label.text()  # method=auto says why it chose
    assert "MASE" not in panel.why_label.text() and "MASE" in panel.details_label.text()

    # the plots drawn are the analysis' own PlotSpecs: history, fitted and forecast drawn; bands
    # begin at the last observed week and widen
    view = panel.plot.plot_view
    assert view.spec is panel.shown_plots["forecast"]
    method = res.extra["series"]["Total"]["method"]
    hx, hy = view.item("Actual sales").getData()
    assert len(hx) == len(res.extra["dates"]) == 104
    fx, fy = view.item(f"Forecast: {_words(method, res.extra)}").getData()
    assert len(fx) == 9 and fx[0] == hx[-1] and fy[0] == hy[-1]
    band = _layer(view.spec, "Likely range (95%)")
    lo, hi = _arr(band.y), _arr(band.y2)
    assert band.x == list(fx)
    assert np.all(hi[1:] >= fy[1:]) and np.all(lo[1:] <= fy[1:])
    assert np.all(np.diff(hi[1:] - lo[1:]) >= -1e-9)  # never narrower further ahead
    assert not view.item("Likely range (95%)").path().isEmpty()
    window = view.item(0)
    assert isinstance(window, pg.LinearRegionItem) and window.isVisible()
    start = res.extra["series"]["Total"]["backtest_start"]
    assert window.getRegion()[0] == pytest.approx(hx[start])

    # type part of a product name in the picker to switch series
    other = res.extra["order"][1]
    label = res.extra["series"][other]["label"]
    panel.series_combo.setEditText(label.split("·")[-1].strip()[:8])
    assert panel.select_series(other)
    assert panel.current_series() == other
    assert view.item("Actual sales").getData()[1].tolist() == res.extra["series"][other]["values"]
    assert set(panel.forecast_table.frame()["series"]) == {other}
    assert len(panel.forecast_table.frame()) == 8

    # the comparison shows every backtested method, the chosen one among them
    shown = _methods_shown(panel.methods_plot.plot_view.spec)
    assert shown == {_words(m, res.extra) for m in res.extra["series"][other]["backtest"]}
    assert {"Naive (same as the latest week)", "Seasonal naive (same week last year)"} <= shown

    # hover over a forecast point shows its value and interval
    fx, fy = view.item(f"Forecast: {_words(res.extra['series'][other]['method'], res.extra)}").getData()
    panel.plot.plotItem.vb.autoRange()
    qtbot.wait(50)
    vb = panel.plot.plotItem.vb
    scene_pt = vb.mapViewToScene(pg.Point(float(fx[4]), float(fy[4])))
    hit = panel.plot.hover.nearest(scene_pt)
    assert hit is not None
    assert "forecast" in panel.plot.hover.describe(hit) and "95%" in panel.plot.hover.describe(hit)

    # export: tables to CSV and Excel, both plots to PNG
    files = panel.export_tables_csv(tmp_path)
    assert {p.name for p in files} == {"forecast.csv", "backtest.csv", "models.csv"}
    assert panel.export_tables_excel(tmp_path / "forecast.xlsx").exists()
    for name in ("forecast", "methods"):
        png = panel.export_plot_png(name, tmp_path / f"{name}.png")
        assert png.exists() and png.stat().st_size > 1000


PARAMS = {"freq": "W", "top_products": 2, "horizon": 8, "method": "auto"}


def test_the_tab_draws_the_pictures_the_cli_writes(qtbot, panel, demo_datasets):
    """One picture, two faces: what the tab renders for the first series is the PlotSpec the CLI
    renders to PNG (``Result.plots``, computed by a run of its own); other series come from the
    same plot functions."""
    from bizops_forecast.analysis import series_plots

    run_panel(qtbot, panel, "orders", PARAMS)
    cli = ANALYSIS.execute(next(d for d in demo_datasets if d.name == "orders"), PARAMS)
    assert set(cli.plots) == {"forecast", "methods"}
    assert panel.plot.plot_view.spec.to_dict() == cli.plots["forecast"].to_dict()
    assert panel.methods_plot.plot_view.spec.to_dict() == cli.plots["methods"].to_dict()
    # what the tab exports as PNG is that widget, drawn from that spec
    assert panel._plots["forecast"] is panel.plot and panel._plots["methods"] is panel.methods_plot

    other = panel.result.extra["order"][2]
    assert panel.select_series(other)
    want = series_plots(panel.result.extra, other)
    assert panel.plot.plot_view.spec.to_dict() == want["forecast"].to_dict()
    assert panel.methods_plot.plot_view.spec.to_dict() == want["methods"].to_dict()
    assert text(panel.plot.plot_view.spec.title).endswith(text(panel.result.extra["series"][other]["display"]))


def test_the_metric_choice_is_the_analysis_one(qtbot, panel, demo_datasets):
    """The tab used to pick MASE-or-MAE itself and disagreed with the analysis when nothing was
    backtested; both now ask ``error_metric``, also where some method lacks MASE."""
    from bizops_desktop.core.analysis import Result
    from bizops_forecast.analysis import error_metric, methods_plot

    r = ANALYSIS.execute(next(d for d in demo_datasets if d.name == "orders"), PARAMS)
    extra = copy.deepcopy(r.extra)
    first, second, third = extra["order"]
    assert r.plots["methods"].y_label == "MASE"
    # the second series: one method without MASE (too short a history for its scale) -> MAE
    next(iter(extra["series"][second]["backtest"].values()))["mase"] = None
    # the third: nothing backtested (the drifted case: the tab said MAE, the analysis MASE)
    extra["series"][third]["backtest"] = {}
    panel.set_result(Result(tables=r.tables, metrics=r.metrics, plots=r.plots, notes=r.notes, extra=extra))
    for name, metric in ((first, "MASE"), (second, "MAE"), (third, "MAE")):
        assert panel.select_series(name)
        e = extra["series"][name]
        assert error_metric(e["backtest"]).upper() == metric
        shown = panel.methods_plot.plot_view.spec
        assert shown.to_dict() == methods_plot(name, e, freq=extra["freq"], m=extra["season_length"]).to_dict()
        assert shown.y_label == metric
        assert panel.methods_plot.getAxis("left").labelText == metric


def test_switching_series_updates_the_same_plot_items(qtbot, panel):
    run_panel(qtbot, panel, "orders", PARAMS)
    view = panel.plot.plot_view
    kinds, before = [ly.kind for ly in view.spec.layers], view.items()
    compared = 0
    for name in panel.result.extra["order"][1:]:
        assert panel.select_series(name)
        # same layer kinds in the same places: every item updated in place, none made anew
        if [ly.kind for ly in view.spec.layers] == kinds:
            assert all(a is b for a, b in zip(view.items(), before))
            compared += 1
    assert compared


def test_the_tab_reads_a_result_in_chinese(qtbot, panel, demo_datasets):
    """A result computed in English, shown in Chinese: the first line answers how much will sell,
    the reason is in words, its statistics under Details, the tables and plots in Chinese."""
    from PySide6.QtCore import Qt

    from bizops_desktop.core.i18n import use_language

    r = ANALYSIS.execute(next(d for d in demo_datasets if d.name == "orders"), PARAMS)
    with use_language("zh_CN"):
        panel.set_result(r)
        assert panel.headline.text().startswith("全部商品未来8周：预计约")
        assert "件（大概率在" in panel.headline.text()
        assert "预测最准" in panel.why_label.text() and "MASE" not in panel.why_label.text()
        assert "MASE" in panel.details_label.text()
        model = panel.forecast_table.model
        headers = [model.headerData(j, Qt.Orientation.Horizontal) for j in range(model.columnCount())]
        assert headers[:4] == ["商品", "周起始日", "预测销量（件）", "预测下限（80%）"]
        assert r.names["Total"] == "All products" and model.data(model.index(0, 0)) == "全部商品"
        assert "年" in model.data(model.index(0, 1))  # the date in Chinese
        assert panel.plot.plot_view.spec is panel.shown_plots["forecast"]
        assert panel.plot.plotItem.titleLabel.text.endswith("销量预测：全部商品")
        assert panel.methods_plot.getAxis("bottom").labelText == "预测方法"
        assert panel.message.text().startswith("• 全部商品：")
