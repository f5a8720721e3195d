"""Forecast: how much will sell in the coming periods (moving average, exponential smoothing, ARIMA)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

METHOD_CHOICES = ("auto", "naive", "seasonal_naive", "moving_average", "ses", "holt", "holt_winters",
                  "arima", "sarima")

PARAMS = (
    Param("method", "choice", "auto", choices=METHOD_CHOICES, label="Method",
          help="auto picks per series the method with the lowest error on a backtest of the last "
               "periods; naive and seasonal_naive are always computed as baselines"),
    Param("horizon", "int", 12, minimum=0, maximum=1000, label="Periods ahead",
          help="how many periods to forecast (0: backtest and fitted values only)"),
    Param("freq", "choice", "auto", choices=("auto", "D", "W", "M"), label="Frequency",
          help="add sales up per day (D), week (W) or month (M); auto guesses from the dates"),
    Param("top_products", "int", 10, minimum=1, optional=True, label="Best sellers",
          help="forecast the N best-selling products besides the total (auto: every product)"),
    Param("season_length", "int", None, minimum=2, maximum=400, optional=True, label="Season length",
          help="periods in one season (auto: 7 for daily, 52 for weekly, 12 for monthly data)"),
    Param("log", "bool", False, label="Log transform",
          help="model the logarithm of sales (growth in percent); log(1+x) when a period has zero sales; "
               "not applied to series with negative values"),
    Param("level", "list", [80, 95], item="float", minimum=1, maximum=99.9, label="Interval levels (%)",
          help="prediction interval coverage in percent"),
    Param("holdout", "int", None, minimum=1, optional=True, advanced=True, label="Backtest periods",
          help="the last periods used to compare methods (auto: the horizon, at most a third of the data)"),
    Param("window", "int", None, minimum=1, maximum=400, optional=True, advanced=True, label="Moving-average window",
          help="periods averaged by moving_average (auto: the one with the smallest in-sample error)"),
    Param("alpha", "float", None, minimum=0.0001, maximum=0.9999, optional=True, advanced=True,
          label="Smoothing alpha", help="level smoothing of ses/holt/holt_winters (auto: fitted)"),
    Param("trend", "choice", "add", choices=("add", "damped", "none"), advanced=True, label="Trend",
          help="trend of holt and holt_winters: additive, damped, or none (holt_winters only)"),
    Param("seasonal", "choice", "add", choices=("add", "mul"), advanced=True, label="Season",
          help="holt_winters season: additive (same size every year) or multiplicative (grows with sales)"),
    Param("order", "list", None, item="int", length=3, minimum=0, maximum=5, optional=True, advanced=True,
          label="ARIMA order p,d,q", help="ARIMA order (auto: stepwise search by AICc, as R's auto.arima)"),
    Param("seasonal_order", "list", None, item="int", length=4, minimum=0, maximum=400, optional=True,
          advanced=True, label="Seasonal order P,D,Q,m",
          help="seasonal ARIMA order (auto: stepwise search; with order given, the airline (0,1,1,m))"),
)

ANALYSIS = Analysis(
    id="forecast",
    title="Forecast",
    summary="how much will sell in the coming periods (moving average, exponential smoothing, ARIMA)",
    params=PARAMS,
    needs=(("date", "quantity"), ("date", "amount"), ("date", "target")),
    optional_roles=("product_id", "product_name"),
    run="bizops_forecast.analysis:run",
    panel="bizops_forecast.panel:ForecastPanel",
    order=30,
)


@hookimpl
def bizops_register_analyses():
    return [ANALYSIS]
