"""The shop owner's words for segments, actions and cluster traits (translatable)."""

from __future__ import annotations

from .i18n import _l

SEGMENT_NAMES = {
    "champions": _l("Champions"),
    "loyal": _l("Loyal"),
    "potential_loyalists": _l("Potential loyalists"),
    "new": _l("New"),
    "need_attention": _l("Need attention"),
    "at_risk": _l("At risk"),
    "cant_lose": _l("Can't lose them"),
    "hibernating": _l("Hibernating"),
    "lost": _l("Lost"),
    "important_value": _l("Important value"),
    "important_keep": _l("Important to keep"),
    "important_develop": _l("Important to develop"),
    "important_retain": _l("Important to win back"),
    "general_value": _l("General value"),
    "general_keep": _l("General keep"),
    "general_develop": _l("General develop"),
    "general_retain": _l("General win back"),
}

# segment -> (what to do, Action kind)
PLAYBOOK = {
    "champions": ("reward", "contact"),
    "loyal": ("reward", "contact"),
    "potential_loyalists": ("upsell", "cross_sell"),
    "new": ("welcome", "cross_sell"),
    "need_attention": ("remind", "remind"),
    "at_risk": ("win_back", "win_back"),
    "cant_lose": ("win_back", "win_back"),
    "hibernating": ("remind", "remind"),
    "lost": ("nothing", "other"),
    "important_value": ("reward", "contact"),
    "important_keep": ("remind", "remind"),
    "important_develop": ("upsell", "cross_sell"),
    "important_retain": ("win_back", "win_back"),
    "general_value": ("upsell", "cross_sell"),
    "general_keep": ("remind", "remind"),
    "general_develop": ("welcome", "cross_sell"),
    "general_retain": ("nothing", "other"),
}

ACTION_WORDS = {
    "reward": _l("Reward: a thank-you, early access or a loyalty gift, no discount needed"),
    "upsell": _l("Upsell: suggest a bigger pack or a matching product"),
    "welcome": _l("Welcome: a second-order offer while the first is fresh"),
    "remind": _l("Remind: a short message with what is new"),
    "win_back": _l("Win back: a personal coupon before they are gone"),
    "nothing": _l("Do nothing: a coupon rarely brings them back"),
}

GROUPS = {"contacted": _l("contacted"), "holdout": _l("holdout (not contacted)")}

TRAIT_WORDS = {
    ("recency_days", "low"): _l("bought recently"),
    ("recency_days", "high"): _l("not seen for a long time"),
    ("frequency", "high"): _l("frequent buyers"),
    ("frequency", "low"): _l("rare buyers"),
    ("monetary", "high"): _l("big spenders"),
    ("monetary", "low"): _l("small spenders"),
    ("tenure_days", "high"): _l("customers for a long time"),
    ("tenure_days", "low"): _l("new customers"),
    ("avg_order_value", "high"): _l("big baskets"),
    ("avg_order_value", "low"): _l("small baskets"),
    ("products", "high"): _l("buy many different products"),
    ("products", "low"): _l("stick to few products"),
    ("categories", "high"): _l("buy across many categories"),
    ("categories", "low"): _l("stick to one or two categories"),
    ("discount_share", "high"): _l("buy mostly on discount"),
    ("discount_share", "low"): _l("rarely wait for a discount"),
    ("spend_trend", "high"): _l("spending more lately"),
    ("spend_trend", "low"): _l("spending less lately"),
}

FEATURE_TITLES = {
    "recency_days": _l("Days since last order"),
    "frequency": _l("Orders"),
    "monetary": _l("Total spend"),
    "tenure_days": _l("Days since first order"),
    "avg_order_value": _l("Average order value"),
    "products": _l("Products bought"),
    "categories": _l("Categories bought"),
    "discount_share": _l("Share bought on discount"),
    "spend_trend": _l("Spending trend"),
}
