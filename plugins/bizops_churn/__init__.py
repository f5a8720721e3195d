"""Churn risk: which customers are about to leave, and why (logistic regression)

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

from .i18n import _l

PARAMS = (
    Param(
        "source",
        "choice",
        "auto",
        choices=("auto", "customers", "orders"),
        label=_l("Table kind"),
        help=_l(
            "Customer table: one row per customer with a yes/no churned column (label) and features; "
            "orders: the customers' features are built from their orders; automatic: the customer "
            "table when a label is marked"
        ),
        choice_labels={"auto": _l("Automatic"), "customers": _l("Customer table"), "orders": _l("Orders")},
    ),
    Param(
        "churn_days",
        "int",
        90,
        minimum=1,
        maximum=3650,
        label=_l("Churned after (days)"),
        help=_l("Orders only: a customer counts as churned with no order in this many days before the cutoff"),
    ),
    Param(
        "cutoff",
        "date",
        None,
        optional=True,
        label=_l("Cutoff date"),
        help=_l("Orders only: the 'today' of the analysis (automatic: the last order date in the data)"),
    ),
    Param(
        "threshold",
        "float",
        0.5,
        minimum=0.0,
        maximum=1.0,
        label=_l("Threshold"),
        help=_l(
            "Chance of leaving (0 to 1) at or above which a customer is flagged; ignored when the cost "
            "of a contact and the value of keeping a customer are given"
        ),
    ),
    Param(
        "contact_cost",
        "float",
        None,
        optional=True,
        minimum=0.0,
        label=_l("Cost of a contact"),
        help=_l(
            "What contacting one customer costs (a coupon, a text message); says how many customers at "
            "risk are worth contacting, and with the value of keeping a customer picks the most "
            "profitable threshold"
        ),
    ),
    Param(
        "customer_value",
        "float",
        None,
        optional=True,
        minimum=0.0,
        label=_l("Value of keeping a customer"),
        help=_l(
            "What a customer kept is worth to the shop; with the cost of a contact, picks the most profitable threshold"
        ),
    ),
    Param(
        "save_rate",
        "float",
        0.25,
        minimum=0.0,
        maximum=1.0,
        label=_l("Share kept by a contact"),
        help=_l(
            "Of the customers at risk you contact, the share who stay because of it (0 to 1; 0.25: one in "
            "four); with the cost of a contact, says how many customers are worth contacting"
        ),
    ),
    Param(
        "C",
        "float",
        1.0,
        minimum=1e-6,
        maximum=1e6,
        label=_l("C (inverse penalty)"),
        help=_l("Smaller C = stronger penalty on the coefficients"),
        advanced=True,
    ),
    Param(
        "penalty",
        "choice",
        "l2",
        choices=("l2", "l1", "none"),
        label=_l("Penalty"),
        help=_l("L2 shrinks all coefficients, L1 can set some to zero, none is plain maximum likelihood"),
        choice_labels={"l2": _l("L2 (ridge)"), "l1": _l("L1 (lasso)"), "none": _l("None")},
        advanced=True,
    ),
    Param(
        "class_weight",
        "choice",
        "none",
        choices=("none", "balanced"),
        label=_l("Class weight"),
        help=_l("Balanced weighs the rarer group up (raises the chances when few customers leave)"),
        choice_labels={"none": _l("Equal"), "balanced": _l("Balanced")},
        advanced=True,
    ),
    Param(
        "cv_folds",
        "int",
        10,
        minimum=2,
        maximum=50,
        label=_l("Cross-validation folds"),
        help=_l("Stratified folds used to measure accuracy on customers the model has not seen"),
        advanced=True,
    ),
    Param(
        "seed",
        "int",
        0,
        minimum=0,
        label=_l("Random seed"),
        help=_l("Fixes how customers are split into folds, so a rerun gives the same figures"),
        advanced=True,
    ),
)

# Help ▸ Guide: what the tab answers, what data it needs, how to read it (Markdown)
GUIDE = _l(
    "## What it answers\n\n"
    "Which customers are likely to stop buying, why, and how much of their spending is at stake, "
    "so you know whom to contact first with a coupon or a message.\n\n"
    "## What data it needs\n\n"
    "Order lines with a customer and an order date, and the amount paid for the money at stake; "
    "each customer's habits are worked out from their orders. Or a customer table, one row per "
    "customer, with a yes/no column for who left and columns that describe the customers.\n\n"
    "## How to read the result\n\n"
    "“Customers at risk” lists active customers, the highest chance of leaving first, with the "
    "main reason and what is at stake: what they would spend in the next churn window. “Win back”"
    " lists customers who have already gone a whole window without an order: a list for a win-"
    "back campaign, not a prediction.\n\n"
    "The chance of leaving is an estimate; the first line says so when the data cannot tell who "
    "will leave. How well past leavers were caught is under Accuracy and Details."
)

ANALYSIS = Analysis(
    id="churn",
    title=_l("Churn risk"),
    summary=_l("which customers are about to stop buying, and why (logistic regression)"),
    guide=GUIDE,
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
