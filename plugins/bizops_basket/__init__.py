"""Basket rules: which products sell together (Apriori frequent itemsets and association rules)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

PARAMS = (
    Param("min_support", "float", 0.01, label="Minimum support",
          help="share of orders an itemset must appear in to count as frequent (0.01 = 1%)",
          minimum=1e-9, maximum=1.0),
    Param("min_count", "int", None, label="Minimum orders", optional=True, minimum=1,
          help="the same threshold as a number of orders; when set it replaces min_support"),
    Param("min_confidence", "float", 0.3, label="Minimum confidence", minimum=0.0, maximum=1.0,
          help="share of orders with the left side that also hold the right side"),
    Param("min_lift", "float", 1.0, label="Minimum lift", minimum=0.0,
          help="how many times more often the right side is bought with the left side than on average"),
    Param("max_len", "int", 4, label="Most products in a set", minimum=1, maximum=20,
          help="largest itemset searched (products bought together)"),
    Param("antecedent", "text", None, label="If the order has", optional=True,
          help="keep only rules with this product (id or name) on the left side"),
    Param("consequent", "text", None, label="Then it also has", optional=True,
          help="keep only rules with this product (id or name) on the right side"),
    Param("max_rules", "int", 100_000, label="Most rules shown", optional=True, minimum=1, advanced=True,
          help="keep only this many rules, those with the highest lift (empty or auto = all)"),
    Param("max_itemsets", "int", 500_000, label="Most itemsets", minimum=1, advanced=True,
          help="stop with a message instead of running out of memory when more itemsets are frequent"),
)

ANALYSIS = Analysis(
    id="basket",
    title="Basket rules",
    summary="which products sell together (Apriori frequent itemsets and association rules)",
    params=PARAMS,
    # Two kinds of input work: order lines (order_id + product_id) or one basket per row (a text
    # column of comma-separated items, no roles needed). The core's role check accepts any one
    # alternative, so `needs` stays empty and run() checks both with one plain message.
    needs=(),
    optional_roles=("order_id", "product_id", "product_name", "quantity"),
    run="bizops_basket.analysis:run",
    panel="bizops_basket.panel:BasketPanel",
    order=20,
)


@hookimpl
def bizops_register_analyses():
    return [ANALYSIS]
