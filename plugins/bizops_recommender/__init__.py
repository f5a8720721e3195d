"""Recommendations: customers like you also bought (user- and item-based collaborative filtering)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl  # noqa: F401  (Param: plugin API)

from .params import PARAMS

ANALYSIS = Analysis(
    id="recommender",
    title="Recommendations",
    summary="customers like you also bought (user- and item-based collaborative filtering)",
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
