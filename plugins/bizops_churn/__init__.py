"""Churn risk: which customers are about to leave, and why (logistic regression)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

ANALYSIS = Analysis(
    id="churn",
    title="Churn risk",
    summary="which customers are about to leave, and why (logistic regression)",
    params=(),
    needs=(),
    run="bizops_churn.analysis:run",
    panel="bizops_churn.panel:ChurnPanel",
    order=50,
)


@hookimpl
def bizops_register_analyses():
    return [ANALYSIS]
