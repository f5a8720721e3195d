"""The Recommendations tab's parameters: one list for the form, the CLI and the project file.
Kept apart from ``analysis.py`` so that registering the plugin imports no numpy/pandas."""

from bizops_desktop.core.params import Param

from .i18n import _l

WEIGHTINGS = ("counts", "quantity", "binary", "log")  # as in bizops_desktop.core.views.ratings

# The words for each similarity measure (the form's choices, and the sentences that name one).
SIMILARITY_WORDS = {
    "auto": _l("Automatic"),
    "pearson": _l("Pearson correlation"),
    "cosine": _l("Cosine"),
    "adjusted_cosine": _l("Adjusted cosine"),
    "bm25": _l("BM25 (purchases)"),
}
METHOD_WORDS = {"item": _l("Similar products (item-based)"), "user": _l("Similar customers (user-based)")}

PARAMS = (
    Param(
        "source",
        "choice",
        "auto",
        choices=("auto", "ratings", "orders"),
        label=_l("Learn from"),
        help=_l(
            "ratings (the stars customers gave), purchases (what they bought), or automatic: "
            "ratings when a rating column is marked"
        ),
        choice_labels={"auto": _l("Automatic"), "ratings": _l("Ratings (stars)"), "orders": _l("Purchases")},
    ),
    Param(
        "method",
        "choice",
        "item",
        choices=("item", "user"),
        label=_l("Suggest by"),
        help=_l(
            "similar products: products often bought (or liked) together with what the customer "
            "has; similar customers: what customers with the same taste have"
        ),
        choice_labels=METHOD_WORDS,
    ),
    Param(
        "similarity",
        "choice",
        "auto",
        choices=("auto", "pearson", "cosine", "adjusted_cosine", "bm25"),
        label=_l("Similarity measure"),
        help=_l(
            "automatic: adjusted cosine (similar products) or Pearson correlation (similar "
            "customers) for ratings, BM25 for purchases (customers who buy a lot count less, "
            "links grow with the customers shared)"
        ),
        choice_labels=SIMILARITY_WORDS,
    ),
    Param(
        "k",
        "int",
        40,
        minimum=1,
        maximum=1000,
        label=_l("Neighbours (k)"),
        help=_l("how many of the most similar customers or products each suggestion is based on"),
    ),
    Param(
        "top_n",
        "int",
        10,
        minimum=1,
        maximum=500,
        label=_l("Suggestions per customer"),
        help=_l(
            "how many products to suggest to each customer (and how many similar products to list for each product)"
        ),
    ),
    Param(
        "weighting",
        "choice",
        "counts",
        choices=WEIGHTINGS,
        label=_l("Purchase weight"),
        help=_l("purchases only: what counts for each product a customer bought"),
        choice_labels={
            "counts": _l("Times bought"),
            "quantity": _l("Units bought"),
            "binary": _l("Bought or not"),
            "log": _l("Times bought, on a log scale"),
        },
    ),
    Param(
        "exclude_purchased",
        "bool",
        True,
        label=_l("Leave out products already bought"),
        help=_l("do not suggest what the customer already bought or rated"),
    ),
    Param(
        "eval_folds",
        "int",
        5,
        minimum=0,
        maximum=20,
        label=_l("Evaluation folds"),
        help=_l(
            "check the suggestions on data held back, in this many rounds (compares them with a "
            "best-seller list); 0 skips the check"
        ),
    ),
    Param(
        "holdout_weeks",
        "int",
        0,
        minimum=0,
        maximum=520,
        advanced=True,
        label=_l("Weeks held back for the check"),
        help=_l(
            "purchases with dates: the check trains on the earlier weeks and scores the products "
            "customers bought in this many last weeks; 0: the last fifth of the history"
        ),
    ),
    Param(
        "min_support",
        "int",
        1,
        minimum=1,
        advanced=True,
        label=_l("Minimum shared customers"),
        help=_l(
            "two products (customers) count as similar only when at least this many customers (products) are shared"
        ),
    ),
    Param(
        "shrinkage",
        "float",
        None,
        minimum=0,
        optional=True,
        advanced=True,
        label=_l("Shrinkage"),
        help=_l(
            "trust similarities from few shared customers less: similarity × n / (n + shrinkage); "
            "empty: 10 for cosine, Pearson and adjusted cosine on purchases, none for BM25 and ratings"
        ),
    ),
    Param(
        "positive_only",
        "bool",
        True,
        advanced=True,
        label=_l("Only positively similar neighbours"),
        help=_l("use only neighbours with a positive similarity (as Surprise does)"),
    ),
    Param(
        "surprise_compatible",
        "bool",
        False,
        advanced=True,
        label=_l("Surprise-compatible"),
        help=_l(
            "ratings: reproduce scikit-surprise KNNWithMeans (Pearson correlation on co-rated "
            "means, product means for similar products)"
        ),
    ),
    Param(
        "seed",
        "int",
        0,
        minimum=0,
        advanced=True,
        label=_l("Random seed"),
        help=_l("seed of the random split into evaluation folds"),
    ),
)
