"""Churn risk: which customers are about to leave, and why (logistic regression)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

PARAMS = (
    Param("source", "choice", "auto", choices=("auto", "customers", "orders"), label="Table kind",
          help="customers: a customer table with a yes/no churned column (label) and features; "
               "orders: build per-customer features from orders; auto: customers when a label is marked"),
    Param("churn_days", "int", 90, minimum=1, maximum=3650, label="Churned after (days)",
          help="orders mode: a customer counts as churned with no order in this many days before the cutoff"),
    Param("cutoff", "date", None, optional=True, label="Cutoff date",
          help="orders mode: the 'today' of the analysis (auto = the last order date in the data)"),
    Param("threshold", "float", 0.5, minimum=0.0, maximum=1.0, label="Threshold",
          help="churn probability at or above which a customer is flagged (ignored when "
               "contact_cost and customer_value are given)"),
    Param("contact_cost", "float", None, optional=True, minimum=0.0, label="Cost of a contact",
          help="what contacting one customer costs; with customer_value, picks the most profitable threshold"),
    Param("customer_value", "float", None, optional=True, minimum=0.0, label="Value of keeping a customer",
          help="what a customer kept is worth; with contact_cost, picks the most profitable threshold"),
    Param("C", "float", 1.0, minimum=1e-6, maximum=1e6, label="C (inverse penalty)",
          help="smaller C = stronger penalty on the coefficients", advanced=True),
    Param("penalty", "choice", "l2", choices=("l2", "l1", "none"), label="Penalty",
          help="l2 shrinks all coefficients, l1 can set some to zero, none is plain maximum likelihood",
          advanced=True),
    Param("class_weight", "choice", "none", choices=("none", "balanced"), label="Class weight",
          help="balanced weighs the rarer class up (raises probabilities when churners are rare)",
          advanced=True),
    Param("cv_folds", "int", 10, minimum=2, maximum=50, label="Cross-validation folds",
          help="stratified folds used to measure accuracy on customers the model has not seen",
          advanced=True),
    Param("seed", "int", 0, minimum=0, label="Random seed",
          help="fixes how customers are split into folds, so a rerun gives the same figures", advanced=True),
)

ANALYSIS = Analysis(
    id="churn",
    title="Churn risk",
    summary="which customers are about to leave, and why (logistic regression)",
    params=PARAMS,
    needs=(("label",), ("customer_id", "date")),
    optional_roles=("feature", "customer_id", "order_id", "amount", "quantity", "price"),
    run="bizops_churn.analysis:run",
    panel="bizops_churn.panel:ChurnPanel",
    order=50,
)


@hookimpl
def bizops_register_analyses():
    return [ANALYSIS]
