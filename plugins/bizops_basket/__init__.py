"""Basket rules: which products sell together (Apriori frequent itemsets and association rules)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

from .i18n import _l

PARAMS = (
    Param(
        "min_support",
        "float",
        0.01,
        label=_l("Minimum support"),
        help=_l("share of all orders a set of products must be in to count (0.01 = 1%)"),
        minimum=1e-9,
        maximum=1.0,
    ),
    Param(
        "min_count",
        "int",
        None,
        label=_l("Minimum orders"),
        optional=True,
        minimum=1,
        help=_l("the same threshold as a number of orders; when set it replaces Minimum support"),
    ),
    Param(
        "min_confidence",
        "float",
        0.3,
        label=_l("Minimum confidence"),
        minimum=0.0,
        maximum=1.0,
        help=_l("share of the orders with the “if” products that also have the “then” products (0.3 = 30%)"),
    ),
    Param(
        "min_lift",
        "float",
        1.0,
        label=_l("Minimum lift"),
        minimum=0.0,
        help=_l(
            "how many times more often the “then” products are bought with the “if” products "
            "than on average (1 = no link)"
        ),
    ),
    Param(
        "max_len",
        "int",
        4,
        label=_l("Most products in a set"),
        minimum=1,
        maximum=20,
        help=_l("the largest set of products bought together that is searched"),
    ),
    Param(
        "antecedent",
        "text",
        None,
        label=_l("If the order has"),
        optional=True,
        help=_l("keep only rules with this product (id or name) on the “if” side"),
    ),
    Param(
        "consequent",
        "text",
        None,
        label=_l("Then it also has"),
        optional=True,
        help=_l("keep only rules with this product (id or name) on the “then” side"),
    ),
    Param(
        "max_rules",
        "int",
        100_000,
        label=_l("Most rules shown"),
        optional=True,
        minimum=1,
        advanced=True,
        help=_l("keep only this many rules, those with the highest lift (empty or auto = all)"),
    ),
    Param(
        "max_itemsets",
        "int",
        500_000,
        label=_l("Most product sets"),
        minimum=1,
        advanced=True,
        help=_l(
            "stop with a message instead of running out of memory when more sets of products "
            "are bought together often enough"
        ),
    ),
)

# Help ▸ Guide: what the tab answers, what data it needs, how to read it (Markdown)
GUIDE = _l(
    "## What it answers\n\n"
    "Which products sell together: customers who buy this also buy that. Use it for bundles, "
    "“frequently bought together” suggestions and for which products to show side by side.\n\n"
    "## What data it needs\n\n"
    "Order lines with an order number and a product (id or name) on each line; a quantity is used"
    " when present. A file with one order per row, its products separated by commas, works too.\n\n"
    "## How to read the result\n\n"
    "The first line names the strongest link. “Bought together” lists pairs of products: “also "
    "bought” is the share of the orders with the first product that also have the second, and "
    "lift says how many times more often than on average they are bought together (1 means no "
    "link, 2 twice as often). “Suggested bundles” picks sets worth selling as one.\n\n"
    "A link is not a cause, and a link seen in only a few orders can be chance: look at the "
    "number of orders. The statistics behind each rule are under Details."
)

ANALYSIS = Analysis(
    id="basket",
    title=_l("Basket rules"),
    summary=_l("which products sell together: customers who buy this also buy that"),
    guide=GUIDE,
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
