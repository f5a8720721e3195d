"""The Forecast tab answers first (issue 12), on the demo shop: the plot opens on the recent
history plus the horizon, nothing drawn for units goes below zero, the headline names the busiest
weekday the demo generator planted (in English and in Chinese), and the tab shows a plain hint,
not an empty date axis, before the first run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import bizops_forecast
from bizops_desktop.core.i18n import text, use_language
from bizops_desktop.core.plotspec import dates_to_seconds
from bizops_forecast.analysis import MIN_HISTORY_SHOWN, series_plots
from bizops_forecast.i18n import calendar_name
from bizops_forecast.panel import ForecastPanel

A = bizops_forecast.ANALYSIS
PARAMS = {"top_products": 2, "horizon": 14}


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    from bizops_forecast.parallel import _one_blas_thread as limit

    with limit():
        yield


def _orders(lang: str):
    from bizops_desktop.core.demo import load_demo

    return next(d for d in load_demo(lang=lang) if d.name.startswith("orders"))


@pytest.fixture(scope="module")
def en_result():
    return A.execute(_orders("en"), PARAMS)


@pytest.fixture(scope="module")
def zh_result():
    with use_language("zh_CN"):
        return A.execute(_orders("zh_CN"), PARAMS)


def _weekly_factors() -> dict[str, float]:
    from bizops_desktop.core.demo import load_truth

    return load_truth("en")["seasonality"]["weekly_factors"]


def _planted_peak_days() -> set[str]:
    """The weekdays with the largest planted factor (the demo plants Saturday and Sunday alike)."""
    factors = _weekly_factors()
    top = max(factors.values())
    return {day for day, f in factors.items() if np.isclose(f, top)}


def test_plot_opens_on_recent_history_and_the_horizon(en_result):
    extra = en_result.extra
    hist = dates_to_seconds(pd.to_datetime(extra["dates"]))
    fut = dates_to_seconds(pd.to_datetime(extra["future"]))
    for name in extra["order"]:
        lo, hi = series_plots(extra, name)["forecast"].x_range
        assert hi >= fut[-1]  # the whole horizon is in view
        assert hist[0] < lo < hist[-1]  # starts inside the history, not at its first day
        shown_days = (hist[-1] - lo) / 86400
        assert shown_days >= max(4 * PARAMS["horizon"], MIN_HISTORY_SHOWN["D"])
        assert shown_days < 0.2 * len(hist)  # zoomed in: two years of days are not squeezed in
    assert en_result.plots["forecast"].x_range == series_plots(extra, extra["order"][0])["forecast"].x_range


def test_nothing_drawn_for_units_is_below_zero(en_result):
    extra = en_result.extra
    assert extra["value_role"] == "quantity"
    drawn = 0
    for name in extra["order"]:
        for ly in series_plots(extra, name)["forecast"].layers:
            if ly.kind in ("line", "band"):
                for ys in (ly.y, ly.y2 or []):
                    v = np.array([np.nan if y is None or isinstance(y, str) else y for y in ys], dtype=float)
                    assert not (v[np.isfinite(v)] < 0).any(), (name, text(ly.name))
                    drawn += int(np.isfinite(v).sum())
    assert drawn > 0
    fc = en_result.tables["forecast"]
    values = fc[[c for c in fc.columns if c == "forecast" or c.startswith(("lower_", "upper_"))]]
    assert not fc.empty and (values.to_numpy(dtype=float) >= 0).all()


def test_headline_names_the_planted_busiest_weekday(en_result):
    planted = _planted_peak_days()
    total = en_result.extra["series"][en_result.extra["order"][0]]
    assert set(total["busiest_days"]) == planted  # Saturday and Sunday sell alike in the demo
    headline = text(en_result.headline)
    assert "Busiest day" in headline
    for day in planted:
        assert day in headline
    for other in set(_weekly_factors()) - planted:
        assert other not in headline


def test_chinese_headline_names_the_busiest_weekday_in_chinese(zh_result):
    planted = _planted_peak_days()
    with use_language("zh_CN"):
        headline = text(zh_result.headline)
        names = {day: text(calendar_name(day)) for day in _weekly_factors()}
    assert "卖得最多" in headline
    for day in planted:
        assert names[day] in headline
    assert not any(day in headline for day in names)  # no English weekday left


def test_plot_shows_a_hint_before_the_first_run(qtbot, open_panel):
    panel = open_panel(ForecastPanel, A, show=True)
    assert panel.plot_stack.currentWidget() is panel.plot_hint
    assert panel.plot_hint.text().startswith("Run the forecast")
    panel.select_dataset("orders")
    panel.set_params({"freq": "W", "top_products": 1, "horizon": 8, "method": "naive"})
    with qtbot.waitSignal(panel.run_ended, timeout=180000) as blocker:
        assert panel.run_analysis() is not None
    assert blocker.args == ["done"], panel.message.text()
    assert panel.plot_stack.currentWidget() is panel.plot
    assert panel.plot.plot_view.spec.x_range is not None
    panel.clear_result()
    assert panel.plot_stack.currentWidget() is panel.plot_hint
