"""Forecast: how much will sell in the coming periods (moving average, exponential smoothing, ARIMA)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

from .i18n import _l
from .words import METHOD_CHOICE_LABELS

METHOD_CHOICES = ("auto", "naive", "seasonal_naive", "moving_average", "ses", "holt", "holt_winters", "arima", "sarima")

PARAMS = (
    Param(
        "method",
        "choice",
        "auto",
        choices=METHOD_CHOICES,
        label=_l("Method"),
        choice_labels=METHOD_CHOICE_LABELS,
        help=_l(
            "Automatic tries every method on the last periods of your sales and uses, for each product, "
            "the one that would have forecast them best; the two simple baselines (repeat the latest "
            "period, repeat the same period last season) are always computed for comparison"
        ),
    ),
    Param(
        "horizon",
        "int",
        12,
        minimum=0,
        maximum=1000,
        label=_l("Periods ahead"),
        help=_l("how many days, weeks or months to forecast (0: only test the methods on past sales)"),
    ),
    Param(
        "freq",
        "choice",
        "auto",
        choices=("auto", "D", "W", "M"),
        label=_l("Frequency"),
        choice_labels={
            "auto": _l("Automatic (from the dates)"),
            "D": _l("Daily"),
            "W": _l("Weekly"),
            "M": _l("Monthly"),
        },
        help=_l("add sales up per day, week or month; automatic guesses from the dates"),
    ),
    Param(
        "top_products",
        "int",
        10,
        minimum=1,
        optional=True,
        label=_l("Best sellers"),
        help=_l("forecast the N best-selling products besides the total (auto: every product)"),
    ),
    Param(
        "season_length",
        "int",
        None,
        minimum=2,
        maximum=400,
        optional=True,
        label=_l("Season length"),
        help=_l("periods in one season (auto: 7 for daily, 52 for weekly, 12 for monthly sales)"),
    ),
    Param(
        "log",
        "bool",
        False,
        label=_l("Log transform"),
        help=_l(
            "model the logarithm of sales, so growth and seasons work in percent; log(1 + sales) when a "
            "period has no sales; not applied to series with negative values (returns)"
        ),
    ),
    Param(
        "level",
        "list",
        [80, 95],
        item="float",
        minimum=1,
        maximum=99.9,
        label=_l("Likely ranges (%)"),
        help=_l("how sure each range around the forecast is: 80 means sales should fall inside it 8 times out of 10"),
    ),
    Param(
        "holdout",
        "int",
        None,
        minimum=1,
        optional=True,
        advanced=True,
        label=_l("Backtest periods"),
        help=_l(
            "the last periods of past sales the methods are tested on (auto: as many as periods ahead, "
            "at most a third of the data)"
        ),
    ),
    Param(
        "window",
        "int",
        None,
        minimum=1,
        maximum=400,
        optional=True,
        advanced=True,
        label=_l("Moving-average window"),
        help=_l("how many periods the moving average averages (auto: the one that fits past sales best)"),
    ),
    Param(
        "alpha",
        "float",
        None,
        minimum=0.0001,
        maximum=0.9999,
        optional=True,
        advanced=True,
        label=_l("Smoothing alpha"),
        help=_l(
            "how fast exponential smoothing, Holt and Holt-Winters follow recent sales, from 0 (slowly) "
            "to 1 (at once) (auto: fitted)"
        ),
    ),
    Param(
        "trend",
        "choice",
        "add",
        choices=("add", "damped", "none"),
        advanced=True,
        label=_l("Trend"),
        choice_labels={
            "add": _l("Straight line"),
            "damped": _l("Damped (levels off)"),
            "none": _l("None (Holt-Winters only)"),
        },
        help=_l("the trend of Holt and Holt-Winters: a straight line, one that levels off, or none"),
    ),
    Param(
        "seasonal",
        "choice",
        "add",
        choices=("add", "mul"),
        advanced=True,
        label=_l("Season"),
        choice_labels={"add": _l("Additive (same size every season)"), "mul": _l("Multiplicative (grows with sales)")},
        help=_l(
            "the season of Holt-Winters: the same number of units up and down every season, or a "
            "percentage that grows with sales"
        ),
    ),
    Param(
        "order",
        "list",
        None,
        item="int",
        length=3,
        minimum=0,
        maximum=5,
        optional=True,
        advanced=True,
        label=_l("ARIMA order p,d,q"),
        help=_l("ARIMA order (auto: stepwise search by AICc, as R's auto.arima)"),
    ),
    Param(
        "seasonal_order",
        "list",
        None,
        item="int",
        length=4,
        minimum=0,
        maximum=400,
        optional=True,
        advanced=True,
        label=_l("Seasonal order P,D,Q,m"),
        help=_l(
            "seasonal ARIMA order (auto: stepwise search; with the ARIMA order given, the airline model (0,1,1,m))"
        ),
    ),
)

# Help ▸ Guide: what the tab answers, what data it needs, how to read it (Markdown)
GUIDE = _l(
    "## What it answers\n\n"
    "How much will sell in the coming days, weeks or months, in total and for your best sellers, "
    "so you can plan stock and restocking.\n\n"
    "## What data it needs\n\n"
    "Order lines with an order date and a quantity; a product column gives a forecast for each "
    "best seller. A longer history lets weekly and yearly patterns show.\n\n"
    "## How to read the result\n\n"
    "The first line gives the expected sales for the coming periods and a likely range: sales "
    "will most probably land inside it. Stock for the top of the range when running out costs you"
    " more than leftover stock. For daily sales it also names the busiest days of the week.\n\n"
    "The plot shows past sales, the forecast and the range as a band. How each method would have "
    "done on past sales, and the models used, are on the Details tab."
)

ANALYSIS = Analysis(
    id="forecast",
    title=_l("Forecast"),
    summary=_l("how much will sell in the coming days, weeks or months, with a likely range"),
    guide=GUIDE,
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
