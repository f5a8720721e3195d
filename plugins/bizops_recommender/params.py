"""The Recommendations tab's parameters: one list for the form, the CLI and the project file.
Kept apart from ``analysis.py`` so that registering the plugin imports no numpy/pandas."""

from bizops_desktop.core.params import Param

WEIGHTINGS = ("counts", "quantity", "binary", "log")   # as in bizops_desktop.core.views.ratings

PARAMS = (
    Param("source", "choice", "auto", choices=("auto", "ratings", "orders"), label="Learn from",
          help="ratings (explicit stars), orders (what was bought), or auto: ratings when a rating column is marked"),
    Param("method", "choice", "item", choices=("item", "user"), label="Method",
          help="item: products similar to what the customer has; user: what similar customers have"),
    Param("similarity", "choice", "auto", choices=("auto", "pearson", "cosine", "adjusted_cosine"),
          help="auto: adjusted cosine (item-based) or Pearson (user-based) for ratings, cosine for orders"),
    Param("k", "int", 40, minimum=1, maximum=1000, label="Neighbours (k)",
          help="how many most similar customers/products a prediction uses"),
    Param("top_n", "int", 10, minimum=1, maximum=500, label="Recommendations per customer",
          help="how many products to recommend to each customer (and similar products per product)"),
    Param("weighting", "choice", "counts", choices=WEIGHTINGS, label="Purchase weight",
          help="orders only: count of order lines, total quantity, bought yes/no, or log(1 + count)"),
    Param("exclude_purchased", "bool", True, label="Leave out products already bought",
          help="do not recommend what the customer already bought or rated"),
    Param("eval_folds", "int", 5, minimum=0, maximum=20, label="Evaluation folds",
          help="k-fold check on held-out data; 0 skips it"),
    Param("min_support", "int", 1, minimum=1, advanced=True,
          help="a similarity counts only when at least this many products (customers) are shared"),
    Param("shrinkage", "float", None, minimum=0, optional=True, advanced=True,
          help="shrink similarities from few shared products towards 0: sim x n / (n + shrinkage)"),
    Param("positive_only", "bool", True, advanced=True, label="Only positively similar neighbours",
          help="use only neighbours with a positive similarity (as Surprise does)"),
    Param("surprise_compatible", "bool", False, advanced=True, label="Surprise-compatible",
          help="ratings: reproduce scikit-surprise KNNWithMeans (Pearson on co-rated means, "
               "item means for item-based)"),
    Param("seed", "int", 0, minimum=0, advanced=True, help="seed of the evaluation folds"),
)

TABLES = ("recommendations", "similar_items", "evaluation")
