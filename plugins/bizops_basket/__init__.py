"""Basket rules: which products sell together (Apriori frequent itemsets and association rules)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

ANALYSIS = Analysis(
    id="basket",
    title="Basket rules",
    summary="which products sell together (Apriori frequent itemsets and association rules)",
    params=(),
    needs=(),
    run="bizops_basket.analysis:run",
    panel="bizops_basket.panel:BasketPanel",
    order=20,
)


@hookimpl
def bizops_register_analyses():
    return [ANALYSIS]
