"""Recommendations: customers like you also bought (user- and item-based collaborative filtering)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl  # noqa: F401  (Param: plugin API)

from .i18n import _l
from .params import PARAMS

# Help ▸ Guide: what the tab answers, what data it needs, how to read it (Markdown)
GUIDE = _l(
    "## What it answers\n\n"
    "What to suggest to each customer: products bought by customers with similar purchases (or "
    "ratings), and products bought by the same customers.\n\n"
    "## What data it needs\n\n"
    "Lines with a customer and a product; a rating or a quantity is used when present, and "
    "product names make the lists easy to read.\n\n"
    "## How to read the result\n\n"
    "“Suggested, and why” lists each customer's suggestions with the reason. The first line is an"
    " honest check: on purchases held back, did these suggestions beat simply offering your best "
    "sellers? If not, a best-seller list is the better choice for this shop.\n\n"
    "“Similar products” shows what the same customers buy. The numbers of the check are under "
    "Details."
)

ANALYSIS = Analysis(
    id="recommender",
    title=_l("Recommendations"),
    summary=_l(
        "customers like you also bought: what to suggest to each customer, from what similar "
        "customers bought or rated (collaborative filtering)"
    ),
    guide=GUIDE,
    params=PARAMS,
    needs=(("customer_id", "product_id"),),
    optional_roles=("rating", "quantity", "product_name"),
    run="bizops_recommender.analysis:run",
    panel="bizops_recommender.panel:RecommenderPanel",
    order=10,
)


@hookimpl
def bizops_register_analyses():
    return [ANALYSIS]
