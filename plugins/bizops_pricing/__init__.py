"""Pricing: what drives sales and what a price change does (regression, price elasticity, what-if)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

ANALYSIS = Analysis(
    id="pricing",
    title="Pricing",
    summary="what drives sales and what a price change does (regression, price elasticity, what-if)",
    params=(),
    needs=(),
    run="bizops_pricing.analysis:run",
    panel="bizops_pricing.panel:PricingPanel",
    order=40,
)


@hookimpl
def bizops_register_analyses():
    return [ANALYSIS]
