"""The Forecast tab as a user meets it on the demo shop: run, pick a product by typing, see the
history, fitted values, forecast and bands start at the end of the data, hover a forecast point,
compare methods, export CSV/Excel/PNG."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from bizops_forecast import ANALYSIS
from bizops_forecast.panel import ForecastPanel


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
    assert "lowest backtest error" in panel.headline.text()   # method=auto says why it chose

    # history, fitted and forecast drawn; bands begin at the last observed week and widen
    hx, hy = panel.history_curve.getData()
    assert len(hx) == len(res.extra["dates"]) == 104
    fx, fy = panel.forecast_curve.getData()
    assert len(fx) == 9 and fx[0] == hx[-1] and fy[0] == hy[-1]
    lo, hi = panel.bands["95"][0].getData()[1], panel.bands["95"][1].getData()[1]
    assert np.all(hi[1:] >= fy[1:]) and np.all(lo[1:] <= fy[1:])
    assert np.all(np.diff(hi[1:] - lo[1:]) >= -1e-9)   # never narrower further ahead
    assert panel.window_region.isVisible()
    start = res.extra["series"]["Total"]["backtest_start"]
    assert panel.window_region.getRegion()[0] == pytest.approx(hx[start])

    # type part of a product name in the picker to switch series
    other = res.extra["order"][1]
    label = res.extra["series"][other]["label"]
    panel.series_combo.setEditText(label.split("·")[-1].strip()[:8])
    assert panel.select_series(other)
    assert panel.current_series() == other
    assert panel.history_curve.getData()[1].tolist() == res.extra["series"][other]["values"]
    assert set(panel.forecast_table.frame()["series"]) == {other}
    assert len(panel.forecast_table.frame()) == 8

    # the comparison shows every backtested method, the chosen one among them
    assert set(panel.method_values) == set(res.extra["series"][other]["backtest"])
    assert {"naive", "seasonal_naive"} <= set(panel.method_values)

    # hover over a forecast point shows its value and interval
    fx, fy = panel.forecast_curve.getData()
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
