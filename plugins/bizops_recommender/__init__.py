"""Recommendations: customers like you also bought (user- and item-based collaborative filtering)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl  # noqa: F401  (Param: plugin API)

from .i18n import _l
from .params import PARAMS

ANALYSIS = Analysis(
    id="recommender",
    title=_l("Recommendations"),
    summary=_l(
        "customers like you also bought: what to suggest to each customer, from what similar "
        "customers bought or rated (collaborative filtering)"
    ),
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
