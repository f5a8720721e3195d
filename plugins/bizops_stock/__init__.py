"""Stock planning: what to reorder, when and how much, from each product's demand and the shop's
stock sheet (reorder point and safety stock, EOQ, newsvendor; Croston/SBA/TSB for slow sellers).

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

from .i18n import _l

PARAMS = (
    Param(
        "stock_sheet",
        "dataset",
        None,
        roles=("on_hand",),
        label=_l("Stock sheet"),
        help=_l(
            "the open table (or, on the command line, a CSV or Excel file) with one row per product: "
            "stock on hand, on order, expected arrival, lead time, unit cost, minimum order, pack size "
            "(automatic: an open table with a stock-on-hand column, else stock.csv or 库存表.csv beside "
            "the orders file)"
        ),
    ),
    Param(
        "service_level",
        "float",
        95.0,
        minimum=50.0,
        maximum=99.9,
        label=_l("Service level (%)"),
        help=_l("how often an order cycle should pass without running out: 95 means 19 times out of 20"),
    ),
    Param(
        "lead_time",
        "int",
        7,
        minimum=0,
        maximum=365,
        label=_l("Lead time (days)"),
        help=_l("days from placing an order to having the goods, for products the stock sheet gives none"),
    ),
    Param(
        "review_days",
        "int",
        7,
        minimum=1,
        maximum=90,
        label=_l("Review period (days)"),
        help=_l("how often you place orders (7: once a week), for products the stock sheet gives none"),
    ),
    Param(
        "overstock_months",
        "float",
        6.0,
        minimum=0.5,
        maximum=60.0,
        label=_l("Overstock above (months)"),
        help=_l("products with more months of stock than this are listed as overstocked"),
    ),
    Param(
        "seasonal",
        "list",
        [],
        label=_l("Sold for one season"),
        help=_l(
            "products bought once for a season or that spoil (by id or name): they get the newsvendor "
            "quantity, which balances a lost sale against a unit left over"
        ),
    ),
    Param(
        "season_days",
        "int",
        90,
        minimum=7,
        maximum=365,
        label=_l("Season length (days)"),
        help=_l("how long a one-season product sells"),
    ),
    Param(
        "salvage",
        "float",
        30.0,
        minimum=0.0,
        maximum=100.0,
        label=_l("Left-over value (% of cost)"),
        help=_l("what a unit left at the end of the season still brings, in percent of its cost"),
    ),
    Param(
        "order_cost",
        "float",
        None,
        minimum=0.0,
        optional=True,
        advanced=True,
        label=_l("Cost per order"),
        help=_l("what placing one order costs (shipping, handling); with the holding cost it gives the EOQ"),
    ),
    Param(
        "holding_rate",
        "float",
        None,
        minimum=0.0,
        maximum=200.0,
        optional=True,
        advanced=True,
        label=_l("Holding cost (% of cost a year)"),
        help=_l("what keeping a unit in stock for a year costs, in percent of its unit cost (typically 20-30)"),
    ),
    Param(
        "unit_cost",
        "float",
        None,
        minimum=0.0,
        optional=True,
        advanced=True,
        label=_l("Unit cost"),
        help=_l("the unit cost for products the stock sheet gives none"),
    ),
    Param(
        "forecast_method",
        "choice",
        "auto",
        choices=("auto", "ses", "holt", "holt_winters", "moving_average", "seasonal_naive"),
        advanced=True,
        label=_l("Forecast method (steady sellers)"),
        choice_labels={
            "auto": _l("Automatic (the Forecast tab's choice by backtest)"),
            "ses": _l("Exponential smoothing"),
            "holt": _l("Holt (trend)"),
            "holt_winters": _l("Holt-Winters (trend and season)"),
            "moving_average": _l("Moving average"),
            "seasonal_naive": _l("Same week last year"),
        },
        help=_l("how the demand of products that sell most days is forecast (weekly sales)"),
    ),
)

GUIDE = _l(
    "## What it answers\n\n"
    "What to reorder this week, how much and by when, so you neither run out nor sit on stock; "
    "which products hold too much stock and how much money is tied up in them.\n\n"
    "## What data it needs\n\n"
    "Order lines with a date, a product and a quantity, and a stock sheet with one row per product: "
    "stock on hand (库存), on order (在途) with its arrival date (到货日期), lead time (采购周期), "
    "unit cost (成本), minimum order (起订量) and pack size (箱规). Missing values take the form's "
    "defaults. Without a stock sheet the tab still says how much stock each product needs.\n\n"
    "## How to read the result\n\n"
    "The first line says how many products to order this week and what the orders cost, and how "
    "many are already likely to run out before new stock can arrive. The table gives per product "
    "the order-by date, the order rounded to packs and the minimum order, days of cover, the chance "
    "of running out, the money tied up and the sales at risk. The replay says how the policy would "
    "have done over the last half year, next to your target."
)

ANALYSIS = Analysis(
    id="stock",
    title=_l("Stock planning"),
    summary=_l("what to reorder this week, how much and by when; overstock and the money tied up"),
    guide=GUIDE,
    params=PARAMS,
    needs=(("date", "product_id", "quantity"),),
    optional_roles=("product_name", "price", "amount", "cost", "on_hand"),
    run="bizops_stock.analysis:run",
    panel="bizops_stock.panel:StockPanel",
    order=35,
)


@hookimpl
def bizops_register_analyses():
    return [ANALYSIS]
