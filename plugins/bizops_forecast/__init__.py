"""Forecast: how much will sell in the coming periods (moving average, exponential smoothing, ARIMA)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

ANALYSIS = Analysis(
    id="forecast",
    title="Forecast",
    summary="how much will sell in the coming periods (moving average, exponential smoothing, ARIMA)",
    params=(),
    needs=(),
    run="bizops_forecast.analysis:run",
    panel="bizops_forecast.panel:ForecastPanel",
    order=30,
)


@hookimpl
def bizops_register_analyses():
    return [ANALYSIS]
