"""Pricing: what drives sales and what a price change does (regression, price elasticity, what-if)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

from .i18n import _l

PARAMS = (
    Param(
        "mode",
        "choice",
        "auto",
        choices=("auto", "regression", "elasticity", "markdown", "segments", "price_test"),
        label=_l("What to work out"),
        choice_labels={
            "auto": _l("Pick for me"),
            "regression": _l("What drives sales (regression)"),
            "elasticity": _l("How sales react to price (elasticity)"),
            "markdown": _l("Clear limited stock by a deadline (markdown plan)"),
            "segments": _l("Coupons for the segments that react to price"),
            "price_test": _l("Plan or read a price test"),
        },
        help=_l(
            "How sales react to price: from order lines, per product. What drives sales: explains a "
            "column (Target, e.g. weekly units) by other columns (Feature, e.g. price, advertising, "
            "promotion). Pick for me: what drives sales when a Target column is marked"
        ),
    ),
    Param(
        "log_target",
        "bool",
        False,
        label=_l("Log of the target"),
        help=_l("what drives sales: explain log(target), so effects read as percentages"),
    ),
    Param(
        "log_features",
        "list",
        [],
        label=_l("Log of features"),
        help=_l("what drives sales: feature columns used as log(column), e.g. price for an elasticity"),
    ),
    Param(
        "controls",
        "list",
        [],
        label=_l("Hold fixed"),
        help=_l(
            "columns held fixed while reading the price effect (e.g. promotion, averaged per period "
            "by units), and/or the word season for month (day-of-week for daily) effects"
        ),
    ),
    Param(
        "freq",
        "choice",
        "W",
        choices=("auto", "D", "W", "M"),
        label=_l("Period"),
        choice_labels={"auto": _l("Guess from the dates"), "D": _l("Day"), "W": _l("Week"), "M": _l("Month")},
        help=_l("prices and units are averaged per day, week or month before fitting"),
    ),
    Param(
        "pooled",
        "bool",
        False,
        label=_l("One elasticity for all products"),
        help=_l("one price elasticity shared by every product, each product keeping its own sales level"),
    ),
    Param(
        "group",
        "text",
        None,
        optional=True,
        label=_l("Group column"),
        help=_l(
            "a column (e.g. category or brand) to fit one elasticity per group, each product keeping "
            "its own sales level; empty: one elasticity per product"
        ),
    ),
    Param(
        "cross_prices",
        "list",
        [],
        label=_l("Competitor prices"),
        help=_l(
            "columns with another price that may pull your sales (a rival brand, a substitute, the "
            "lowest price nearby): each gets a cross-price elasticity, and your own price's effect "
            "is read with them held fixed"
        ),
    ),
    Param(
        "unit_cost",
        "float",
        None,
        optional=True,
        minimum=0,
        label=_l("Unit cost"),
        help=_l(
            "what one unit costs you, for the suggested price and the profit: every product without "
            "its own cost in a cost column"
        ),
    ),
    Param(
        "cost_column",
        "text",
        None,
        optional=True,
        label=_l("Cost column"),
        help=_l(
            "a column with the unit cost on each order line (the median per product is used); empty: "
            "the column marked as Unit cost, if any. It overrides the unit cost where it has values"
        ),
    ),
    Param(
        "cost_table",
        "dataset",
        None,
        roles=("product_id", "cost"),
        label=_l("Cost table"),
        help=_l(
            "an open table with a unit cost per product (a stock or cost sheet; on the command line also a "
            "file); automatic: an open table with product and unit cost columns. The cost column and the "
            "cost sheet override it"
        ),
    ),
    Param(
        "costs",
        "list",
        [],
        label=_l("Cost sheet"),
        help=_l(
            "unit cost per product, e.g. P01=4.20, Rolled oats 1kg=1.10 (by id or name); it overrides "
            "the cost column and the unit cost for the products it names"
        ),
    ),
    Param(
        "min_margin",
        "float",
        None,
        optional=True,
        minimum=0,
        maximum=95,
        label=_l("Minimum margin (%)"),
        help=_l("price rule: the suggested price keeps at least this share of the price as margin over the cost"),
    ),
    Param(
        "max_step",
        "float",
        None,
        optional=True,
        minimum=1,
        maximum=100,
        label=_l("Largest change per step (%)"),
        help=_l("price rule: never move a price by more than this share at once (e.g. 10)"),
    ),
    Param(
        "price_ending",
        "choice",
        "none",
        choices=("none", "99", "9", "x9"),
        label=_l("Price endings"),
        choice_labels={
            "none": _l("Any price"),
            "99": _l("Ending in .99"),
            "9": _l("Ending in .9"),
            "x9": _l("Whole amounts ending in 9 (19, 29, ¥39)"),
        },
        help=_l("price rule: suggested prices end like this (the most profitable such price within the rules)"),
    ),
    Param(
        "price_floor",
        "float",
        None,
        optional=True,
        minimum=0,
        label=_l("Lowest price allowed"),
        help=_l("price rule: no suggested price below this"),
    ),
    Param(
        "price_ceiling",
        "float",
        None,
        optional=True,
        minimum=0,
        label=_l("Highest price allowed"),
        help=_l("price rule: no suggested price above this"),
    ),
    Param(
        "competitor_column",
        "text",
        None,
        optional=True,
        label=_l("Competitor price column"),
        help=_l("price rule: the column with the competitor's price for each product (the latest one is used)"),
    ),
    Param(
        "competitor_cap",
        "float",
        None,
        optional=True,
        minimum=0,
        maximum=100,
        label=_l("At most above the competitor (%)"),
        help=_l("price rule: never more than this share above the competitor's price (0: never above it)"),
    ),
    Param(
        "product",
        "text",
        None,
        optional=True,
        label=_l("What-if product"),
        help=_l("the product to try a new price for; empty: every product (with the price change)"),
    ),
    Param(
        "price_change",
        "float",
        0.0,
        minimum=-90,
        maximum=500,
        label=_l("Price change (%)"),
        help=_l("what-if: change of the current price in percent (e.g. 5 or -10)"),
    ),
    Param(
        "new_price",
        "float",
        None,
        optional=True,
        minimum=0,
        label=_l("New price"),
        help=_l("what-if: a new price for the chosen product (instead of a % change)"),
    ),
    Param(
        "stock",
        "int",
        None,
        optional=True,
        minimum=0,
        maximum=1_000_000,
        label=_l("Units in stock"),
        help=_l("markdown plan: the units left to sell"),
    ),
    Param(
        "weeks_left",
        "int",
        None,
        optional=True,
        minimum=1,
        maximum=104,
        label=_l("Weeks left"),
        help=_l("markdown plan: weeks until the stock should be sold (end of season, best-before date)"),
    ),
    Param(
        "ladder",
        "list",
        ["0", "10", "20", "30", "40", "50"],
        label=_l("Allowed discounts (%)"),
        help=_l("markdown plan: the discounts off today's price you allow, e.g. 0, 10, 20, 30, 50"),
    ),
    Param(
        "objective",
        "choice",
        "revenue",
        choices=("revenue", "profit"),
        label=_l("Plan for"),
        choice_labels={"revenue": _l("Most revenue (stock already paid for)"), "profit": _l("Most profit")},
        help=_l(
            "markdown plan: revenue when the stock is paid for anyway; profit subtracts the unit cost of each sale"
        ),
    ),
    Param(
        "salvage",
        "float",
        0.0,
        minimum=0,
        label=_l("Value of a unit left over"),
        help=_l("markdown plan: what a unit still in stock at the deadline is worth (sold off, returned); 0: nothing"),
    ),
    Param(
        "segment",
        "text",
        None,
        optional=True,
        label=_l("Segment column"),
        help=_l("coupons: the column with each order line's customer segment (e.g. from Customers & campaigns)"),
    ),
    Param(
        "segment_table",
        "dataset",
        None,
        label=_l("Customers with their segment"),
        help=_l(
            "coupons: another open table with one row per customer and their segment (e.g. the customers "
            "exported from Customers & campaigns); each order line gets its customer's segment. Empty: "
            "the Segment column of the orders"
        ),
    ),
    Param(
        "detect",
        "float",
        10.0,
        minimum=1,
        maximum=100,
        label=_l("Difference to tell (%)"),
        help=_l("price test: the change in weekly units the test should be able to tell"),
    ),
    Param(
        "test_step",
        "float",
        10.0,
        minimum=1,
        maximum=50,
        label=_l("Test price step (%)"),
        help=_l("price test: the second price, this much above today's"),
    ),
    Param(
        "power",
        "float",
        0.8,
        minimum=0.5,
        maximum=0.99,
        advanced=True,
        label=_l("Power"),
        help=_l("price test: the chance the test tells a real difference of that size"),
    ),
    Param(
        "test_start",
        "text",
        None,
        optional=True,
        label=_l("Test started on"),
        help=_l("price test: the first day of a test that ran (e.g. 2024-09-02), to read its result from the orders"),
    ),
    Param(
        "bandit",
        "bool",
        False,
        label=_l("Pick prices as I go (Thompson sampling)"),
        help=_l(
            "price test: instead of two fixed prices, the next weeks' prices from several allowed prices "
            "(today's and steps of the test price step above and below), more often the ones that earned "
            "most so far, with the chance that each is the best"
        ),
    ),
    Param(
        "bandit_weeks",
        "int",
        4,
        minimum=1,
        maximum=26,
        label=_l("Weeks to plan"),
        help=_l("price test with Thompson sampling: how many weeks of prices to plan now"),
    ),
    Param(
        "min_price_points",
        "int",
        3,
        minimum=2,
        maximum=50,
        advanced=True,
        label=_l("Minimum different prices"),
        help=_l(
            "a product with fewer different prices (at least 1% apart) than this gets no elasticity: "
            "not enough price changes to tell"
        ),
    ),
    Param(
        "confidence",
        "float",
        0.95,
        minimum=0.5,
        maximum=0.999,
        advanced=True,
        label=_l("Confidence"),
        help=_l("how sure the low and high estimates are (0.95: 95%)"),
    ),
)

# Which settings mean something in which mode, for Param.shown_when (to come: {"mode": (...)}) and,
# until then, for the tab's form (panel.py hides the others). A param in no list is shown always.
ELASTICITY_PARAMS = (
    "freq",
    "controls",
    "cross_prices",
    "pooled",
    "group",
    "unit_cost",
    "cost_column",
    "cost_table",
    "costs",
    "min_margin",
    "max_step",
    "price_ending",
    "price_floor",
    "price_ceiling",
    "competitor_column",
    "competitor_cap",
    "product",
    "price_change",
    "new_price",
    "min_price_points",
)
MODE_PARAMS: dict[str, tuple[str, ...]] = {
    "auto": ("log_target", "log_features", *ELASTICITY_PARAMS),
    "regression": ("log_target", "log_features"),
    "elasticity": ELASTICITY_PARAMS,
    "markdown": (
        "freq",
        "controls",
        "unit_cost",
        "cost_column",
        "cost_table",
        "costs",
        "product",
        "stock",
        "weeks_left",
        "ladder",
        "objective",
        "salvage",
        "min_price_points",
    ),
    "segments": (
        "freq",
        "controls",
        "unit_cost",
        "cost_column",
        "cost_table",
        "costs",
        "segment",
        "segment_table",
        "min_price_points",
    ),
    "price_test": ("product", "detect", "test_step", "power", "test_start", "unit_cost", "bandit", "bandit_weeks"),
}


def shown_when(name: str) -> dict[str, tuple[str, ...]] | None:
    """The modes a setting is shown in, as Param.shown_when will want it; None: in every mode."""
    if name in ("mode", "confidence"):
        return None
    return {"mode": tuple(m for m, names in MODE_PARAMS.items() if name in names)}


# Help ▸ Guide: what the tab answers, what data it needs, how to read it (Markdown)
GUIDE = _l(
    "## What it answers\n\n"
    "How your customers react when a price changes, and which price earns the most profit. With a"
    " weekly table it can also tell what drives sales: price, advertising or promotions.\n\n"
    "## What data it needs\n\n"
    "Order lines with a date, a product, its unit price and the quantity; each product's price "
    "must have changed a few times. A suggested price also needs what one unit costs you: a cost "
    "column, a cost sheet per product, or one unit cost for all products.\n\n"
    "## How to read the result\n\n"
    "Elasticity says how much sales move when the price moves: -2 means a price 1% higher sells "
    "about 2% fewer units. Between 0 and -1 customers hardly react, so a higher price usually "
    "earns more. Without a unit cost you see the reaction only, not a suggested price.\n\n"
    "“What if the price changes?” shows the units, revenue and profit at a price you pick; a "
    "price outside those seen is a guess. The statistics are under Details."
)

ANALYSIS = Analysis(
    id="pricing",
    title=_l("Pricing"),
    summary=_l("how customers react to your prices, the most profitable price, and what a price change does"),
    guide=GUIDE,
    params=PARAMS,
    needs=(
        ("target", "feature"),
        ("product_id", "date", "quantity", "price"),
        ("product_id", "date", "quantity", "amount"),
        ("quantity", "price"),
    ),
    run="bizops_pricing.analysis:run",
    panel="bizops_pricing.panel:PricingPanel",
    order=40,
)


@hookimpl
def bizops_register_analyses():
    return [ANALYSIS]
