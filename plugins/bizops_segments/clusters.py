"""Customer groups the data finds itself: a Gaussian mixture on standardised, log-scaled customer
features, the number of groups chosen by BIC, each group described by the features where it stands
out most (in standard deviations from the average customer).

Why a mixture and BIC rather than k-means and the silhouette: on the planted demo types (frequent
small baskets, rare big ones, regular middle ones, one-off buyers) the silhouette prefers two
groups (one-off buyers against the rest, adjusted Rand 0.33), while BIC finds the four (0.99): the
types differ in spread as much as in centre, which k-means cannot see."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

REG_COVAR = 1e-3  # keeps a group of identical customers (all bought once) from a singular covariance
LOG_FEATURES = ("recency_days", "frequency", "monetary", "tenure_days", "avg_order_value", "products", "categories")


@dataclass
class Clustering:
    labels: np.ndarray  # 0..k-1, ordered by group size (0 = biggest)
    k: int
    bics: dict[int, float]  # k -> BIC (lower is better)
    z: pd.DataFrame  # group x feature: the group's mean on the standardised scale
    features: list[str]


def design(frame: pd.DataFrame, features: list[str]) -> np.ndarray:
    cols = []
    for f in features:
        v = pd.to_numeric(frame[f], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        if f in LOG_FEATURES:
            v = np.log1p(np.clip(v, 0, None))
        cols.append(v)
    X = np.column_stack(cols)
    sd = X.std(axis=0)
    flat = sd <= 1e-9 * (1.0 + np.abs(X.mean(axis=0)))  # constant up to rounding: stays 0
    return np.where(flat, 0.0, (X - X.mean(axis=0)) / np.where(flat, 1.0, sd))


def cluster(frame: pd.DataFrame, features: list[str], k_max: int = 6, seed: int = 0, progress=None) -> Clustering:
    from sklearn.mixture import GaussianMixture

    X = design(frame, features)
    keep = X.std(axis=0) > 1e-12
    Xk = X[:, keep] if keep.any() else X
    n = len(X)
    k_hi = max(1, min(k_max, n // 10))
    bics: dict[int, float] = {}
    fits = {}
    for j, k in enumerate(range(1, k_hi + 1)):
        if progress is not None:
            progress.report(j / max(1, k_hi))
        gm = GaussianMixture(k, covariance_type="full", n_init=2, random_state=seed, reg_covar=REG_COVAR).fit(Xk)
        bics[k] = float(gm.bic(Xk))
        fits[k] = gm.predict(Xk)
    best = min(bics, key=lambda k: bics[k])
    labels = fits[best]
    # groups numbered by size, biggest first (stable names across reruns)
    sizes = np.bincount(labels, minlength=best)
    order = np.argsort(-sizes, kind="stable")
    relabel = np.empty_like(order)
    relabel[order] = np.arange(len(order))
    labels = relabel[labels]
    present = np.unique(labels)
    z = pd.DataFrame(X, columns=features).groupby(labels).mean().reindex(present)
    return Clustering(labels, int(len(present)), bics, z, list(features))


def traits(z_row: pd.Series, top: int = 3, threshold: float = 0.3) -> list[tuple[str, str]]:
    """The (feature, "high"/"low") pairs where a group stands out most, strongest first."""
    s = z_row[z_row.abs() >= threshold].reindex(z_row.abs().sort_values(ascending=False).index).dropna()
    return [(str(f), "high" if v > 0 else "low") for f, v in s.head(top).items()]
