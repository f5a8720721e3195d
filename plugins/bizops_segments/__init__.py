"""Customers & campaigns: who the customers are (RFM segments, groups found by a Gaussian mixture
with the number chosen by BIC), what each is worth (BG/NBD + Gamma-Gamma lifetime value), whom to
contact with a holdout kept aside, and whether a campaign or a shop-wide promotion worked.

Registers the analysis with BizOps Desktop. Heavy libraries are imported only in
``analysis.py`` / ``panel.py``, when the analysis runs or its tab is shown.
"""

from bizops_desktop.hooks import Analysis, Param, hookimpl

from .i18n import _l

PARAMS = (
    Param(
        "cutoff",
        "date",
        None,
        optional=True,
        label=_l("As of"),
        help=_l("The 'today' of the segments (automatic: the last order date in the data)"),
    ),
    Param(
        "scheme",
        "choice",
        "auto",
        choices=("auto", "named", "cn8"),
        label=_l("Segment names"),
        help=_l(
            "Named segments (Champions, Loyal, At risk...) or the 8 classes of high/low recency, "
            "frequency and spend (重要价值...); automatic: the 8 classes in Chinese, the named ones otherwise"
        ),
        choice_labels={"auto": _l("Automatic"), "named": _l("Named segments"), "cn8": _l("8 RFM classes")},
    ),
    Param(
        "clusters",
        "bool",
        True,
        label=_l("Find customer groups"),
        help=_l(
            "Also let the data form its own groups of similar customers (Gaussian mixture, number of groups "
            "chosen by BIC)"
        ),
    ),
    Param(
        "list_segments",
        "list",
        None,
        optional=True,
        item="text",
        label=_l("Campaign list: segments"),
        help=_l("Segment ids whose customers go on the campaign list, e.g. at_risk, cant_lose"),
    ),
    Param(
        "holdout_share",
        "float",
        0.1,
        minimum=0.0,
        maximum=0.5,
        label=_l("Holdout share"),
        help=_l("Share of the list kept out of the campaign at random, to measure it later"),
    ),
    Param(
        "holdout_lift",
        "float",
        None,
        optional=True,
        minimum=0.001,
        maximum=0.9,
        label=_l("Lift to detect"),
        help=_l(
            "Extra share of customers buying that the campaign should show (0.05 = 5 points); sizes the "
            "holdout for 80% power instead of the holdout share"
        ),
    ),
    Param(
        "campaign_start",
        "date",
        None,
        optional=True,
        label=_l("Campaign start"),
        help=_l("Measure a campaign sent on this day: contacted customers against the holdout"),
    ),
    Param(
        "campaign_days",
        "int",
        28,
        minimum=1,
        maximum=365,
        label=_l("Days measured"),
        help=_l("How many days from the start count as the campaign's effect"),
    ),
    Param(
        "contact_cost",
        "float",
        None,
        optional=True,
        minimum=0.0,
        label=_l("Cost per contact"),
        help=_l("What one coupon or message cost, to weigh the campaign's extra spend against"),
    ),
    Param(
        "group_column",
        "text",
        None,
        optional=True,
        label=_l("Campaign group column"),
        help=_l(
            "Column that says who got the campaign (contacted / holdout); automatic: a column named "
            "campaign_group or 营销分组, else the campaign list"
        ),
        advanced=True,
    ),
    Param(
        "category_column",
        "text",
        None,
        optional=True,
        label=_l("Category column"),
        help=_l(
            "Column with each product's category, to name the groups by what they buy; automatic: a "
            "column named category, 类目 or 品类"
        ),
        advanced=True,
    ),
    Param(
        "discount_column",
        "text",
        None,
        optional=True,
        label=_l("Discount column"),
        help=_l(
            "Column that marks lines bought on discount or promotion (yes/no, 1/0 or a discount amount), "
            "for the groups' share bought on discount; automatic: a column named discount, promotion, "
            "优惠, 促销 or 是否参与活动"
        ),
        advanced=True,
    ),
    Param(
        "promotion_start",
        "date",
        None,
        optional=True,
        label=_l("Shop-wide promotion start"),
        help=_l("Measure a promotion for everybody (no holdout) against the sales expected from before it"),
    ),
    Param(
        "promotion_days",
        "int",
        14,
        minimum=1,
        maximum=180,
        label=_l("Promotion days"),
        help=_l("How long the shop-wide promotion ran"),
    ),
    Param(
        "seed",
        "int",
        0,
        minimum=0,
        label=_l("Random seed"),
        help=_l("Fixes the holdout draw and the groups, so a rerun gives the same list"),
        advanced=True,
    ),
)

GUIDE = _l(
    "## What it answers\n\n"
    "Who your customers are, what each group is worth and what to do with it: reward the best, "
    "win back those slipping away, leave the lost alone. It also makes a campaign list with a "
    "holdout kept aside, and tells afterwards whether the campaign, or a promotion for the whole "
    "shop, brought extra sales.\n\n"
    "## What data it needs\n\n"
    "Order lines with a customer and an order date, and the amount paid for the money figures. "
    "To measure a campaign: its start date and who got it (the campaign list made here, or a "
    "column that marks contacted and holdout customers).\n\n"
    "## How to read the result\n\n"
    "Segments lists each segment with its share of customers and of revenue, what to do with it and "
    "the money at stake in the next 4 weeks, and what a customer in it is expected to spend in the "
    "next 12 months (BG/NBD and Gamma-Gamma lifetime-value models). The segments come from RFM "
    "scores: how recently, how often and how much each customer bought. All customers has every "
    "customer with their scores and the chance they are still a customer. Moves shows who changed "
    "segment since last month.\n\n"
    "Groups are the customer types the data forms by itself: a Gaussian mixture on each customer's "
    "orders, spend, recency, time as a customer, basket size and products bought (and the "
    "categories bought and the share bought on discount when the orders have them), with the number "
    "of groups chosen by BIC. Each group is described in words by where it stands out, with the "
    "category it spends most on.\n\n"
    "A campaign is measured against its holdout: the extra spend with the range it likely lies "
    "in. A promotion without a holdout is measured against the sales expected from before it; "
    "anything else that changed at the same time counts too."
)

ANALYSIS = Analysis(
    id="segments",
    title=_l("Customers & campaigns"),
    summary=_l("customer segments and lifetime value, campaign lists with a holdout, and whether a campaign worked"),
    guide=GUIDE,
    params=PARAMS,
    needs=(("customer_id", "date"),),
    optional_roles=("order_id", "amount", "quantity", "price", "product_id", "customer_name"),
    run="bizops_segments.analysis:run",
    panel="bizops_segments.panel:SegmentsPanel",
    order=60,
)


@hookimpl
def bizops_register_analyses():
    return [ANALYSIS]
