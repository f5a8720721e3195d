"""Pricing: what drives sales and what a price change does (regression, price elasticity, what-if)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

PARAMS = (
    Param("mode", "choice", "auto", choices=("auto", "regression", "elasticity"), label="Mode",
          help="regression: what drives a target column (needs Target and Feature roles); elasticity: "
               "how units respond to price, from order lines; auto picks regression when a target is marked"),
    Param("log_target", "bool", False, label="Log of the target",
          help="regression: explain log(target), so effects read as percentages"),
    Param("log_features", "list", [], label="Log of features",
          help="regression: feature columns used as log(column), e.g. price for an elasticity"),
    Param("controls", "list", [], label="Controls",
          help="elasticity: columns held fixed while reading the price effect (e.g. promotion, averaged "
               "per period by units), and/or the word season for month (day-of-week for daily) dummies"),
    Param("freq", "choice", "W", choices=("auto", "D", "W", "M"), label="Period",
          help="elasticity: period of the price panel: D daily, W weekly, M monthly, auto guesses"),
    Param("pooled", "bool", False, label="One elasticity for all products",
          help="elasticity: one pooled elasticity with a separate level per product (fixed effects)"),
    Param("group", "text", None, optional=True, label="Group column",
          help="elasticity: a column (e.g. category or brand) to fit one elasticity per group, with a "
               "separate level per product; empty: one elasticity per product"),
    Param("unit_cost", "float", None, optional=True, minimum=0, label="Unit cost",
          help="cost of one unit, for the profit-maximising price and profit (all products)"),
    Param("cost_column", "text", None, optional=True, label="Cost column",
          help="a column with the unit cost on each order line; averaged per product, it overrides "
               "unit_cost where it has values"),
    Param("product", "text", None, optional=True, label="What-if product",
          help="the product to simulate a new price for; empty: every product (with price_change)"),
    Param("price_change", "float", 0.0, minimum=-90, maximum=500, label="Price change (%)",
          help="what-if: change of the current price in percent (e.g. 5 or -10)"),
    Param("new_price", "float", None, optional=True, minimum=0, label="New price",
          help="what-if: a new price for the chosen product (instead of a % change)"),
    Param("min_price_points", "int", 3, minimum=2, maximum=50, advanced=True, label="Minimum price points",
          help="elasticity: fewer distinct prices (at least 1% apart) than this is flagged "
               "'not enough price variation' with no number"),
    Param("confidence", "float", 0.95, minimum=0.5, maximum=0.999, advanced=True, label="Confidence",
          help="level of the intervals"),
)

ANALYSIS = Analysis(
    id="pricing",
    title="Pricing",
    summary="what drives sales and what a price change does (regression, price elasticity, what-if)",
    params=PARAMS,
    needs=(("target", "feature"), ("product_id", "date", "quantity", "price"),
           ("product_id", "date", "quantity", "amount")),
    run="bizops_pricing.analysis:run",
    panel="bizops_pricing.panel:PricingPanel",
    order=40,
)


@hookimpl
def bizops_register_analyses():
    return [ANALYSIS]
