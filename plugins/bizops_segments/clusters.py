"""Customer groups the data finds itself: k-means on standardised, log-scaled customer features,
the number of groups chosen by the silhouette on a sample, each group described by the features
where it stands out most (in standard deviations from the average customer)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SILHOUETTE_SAMPLE = 2000  # customers the silhouette is measured on (its cost grows with the square)
LOG_FEATURES = ("recency_days", "frequency", "monetary", "tenure_days", "avg_order_value", "products")


@dataclass
class Clustering:
    labels: np.ndarray  # 0..k-1, ordered by group size (0 = biggest)
    k: int
    silhouettes: dict[int, float]
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
    return (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def cluster(frame: pd.DataFrame, features: list[str], k_max: int = 6, seed: int = 0, progress=None) -> Clustering:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    X = design(frame, features)
    n = len(X)
    rng = np.random.default_rng(seed)
    sample = rng.choice(n, size=min(n, SILHOUETTE_SAMPLE), replace=False)
    k_hi = max(2, min(k_max, n - 1))
    scores: dict[int, float] = {}
    fits = {}
    for j, k in enumerate(range(2, k_hi + 1)):
        if progress is not None:
            progress.report(j / max(1, k_hi - 1))
        km = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(X)
        lab = km.labels_
        if len(set(lab[sample])) < 2:
            continue
        scores[k] = float(silhouette_score(X[sample], lab[sample]))
        fits[k] = lab
    if not scores:
        best, labels = 1, np.zeros(n, dtype=int)
    else:
        best = max(scores, key=lambda k: (round(scores[k], 3), -k))  # ties: the fewer groups
        labels = fits[best]
    # groups numbered by size, biggest first (stable names across reruns)
    sizes = np.bincount(labels, minlength=best)
    order = np.argsort(-sizes, kind="stable")
    relabel = np.empty_like(order)
    relabel[order] = np.arange(len(order))
    labels = relabel[labels]
    z = pd.DataFrame(X, columns=features).groupby(labels).mean()
    return Clustering(labels, best, scores, z, list(features))


def traits(z_row: pd.Series, top: int = 3, threshold: float = 0.3) -> list[tuple[str, str]]:
    """The (feature, "high"/"low") pairs where a group stands out most, strongest first."""
    s = z_row[z_row.abs() >= threshold].reindex(z_row.abs().sort_values(ascending=False).index).dropna()
    return [(str(f), "high" if v > 0 else "low") for f, v in s.head(top).items()]
