"""Ordinary least squares for the Pricing tab: a design matrix from a table (numeric columns,
categorical ones as dummies, optional logs), a numerically careful fit, and plain-words readings.

The fit solves a pivoted QR of the centred and scaled features (never the normal equations):
centring removes the huge common offsets that make data such as NIST's Longley ill-conditioned,
so coefficients reach about 14 correct digits there (statsmodels' pinv reaches about 11).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
import scipy.linalg as sla
from scipy import stats

from bizops_desktop.core.errors import DataError, UsageError

# A column whose spread is below this share of its size carries no information of its own.
_CONSTANT_TOL = 1e-10
# |R_jj| below this share of |R_00| (features scaled to unit length) means exact collinearity.
_RANK_TOL = 1e-9
MAX_LEVELS = 50


@dataclass
class OLSFit:
    names: list[str]                    # "Intercept" first, then the features
    params: np.ndarray
    cov: np.ndarray
    bse: np.ndarray
    tvalues: np.ndarray
    pvalues: np.ndarray
    ci: np.ndarray                      # (k, 2) at ``level``
    level: float
    n: int
    df_resid: int
    ssr: float
    tss: float
    r2: float
    adj_r2: float
    sigma2: float
    llf: float
    aic: float
    bic: float
    fvalue: float
    f_pvalue: float
    fitted: np.ndarray
    resid: np.ndarray

    @property
    def k(self) -> int:
        return len(self.params)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({
            "term": self.names, "estimate": self.params, "std_error": self.bse, "t": self.tvalues,
            "p_value": self.pvalues, "ci_low": self.ci[:, 0], "ci_high": self.ci[:, 1]})

    def summary(self) -> dict:
        return {"r2": self.r2, "adj_r2": self.adj_r2, "aic": self.aic, "bic": self.bic,
                "n": self.n, "f_pvalue": self.f_pvalue, "f": self.fvalue, "df_resid": self.df_resid,
                "sigma": math.sqrt(self.sigma2)}


def ols(y, X, names: Sequence[str], *, level: float = 0.95, what: str = "the model",
        absorbed: int = 0) -> OLSFit:
    """Fit ``y = b0 + X b + e`` (an intercept is always included; ``X`` has no constant column).

    ``absorbed``: parameters already taken out of the data beforehand (fixed effects removed by
    demeaning within groups: number of groups - 1); they count against the residual degrees of
    freedom. Raises DataError in plain words for a constant column, exactly collinear columns
    (named), a constant target and fewer rows than parameters."""
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float).reshape(len(y), -1)
    names = list(names)
    n, m = X.shape
    k = m + 1
    if n <= k + absorbed:
        raise DataError(f"{what} has {k + absorbed} parameters to estimate but only {n} usable rows",
                        hint="it needs more rows than parameters: use fewer features or more data")
    if not np.isfinite(y).all() or not np.isfinite(X).all():
        raise DataError(f"{what} got missing or infinite values", hint="drop or fill them first")
    ym = y.mean()
    yc = y - ym
    tss = float(yc @ yc)
    if tss <= (_CONSTANT_TOL * max(abs(ym), 1.0)) ** 2 * n:
        raise DataError(f"the value to explain has the same value ({_num(ym)}) in every row",
                        hint="there is nothing to explain; pick another target column")
    xm = X.mean(axis=0)
    Z = X - xm
    sz = np.sqrt((Z * Z).sum(axis=0))
    size = np.sqrt(n) * np.maximum(np.abs(X).max(axis=0, initial=0.0), np.finfo(float).tiny)
    const = np.flatnonzero(sz <= _CONSTANT_TOL * size)
    if const.size:
        j = int(const[0])
        raise DataError(f"column {names[j]!r} has the same value ({_num(X[0, j])}) in every row used",
                        where=names[j], hint="a constant cannot explain differences; remove it from the features")
    Zs = np.asfortranarray(Z / sz)   # LAPACK works column-major: saves a copy inside qr
    Q, R, perm = sla.qr(Zs, mode="economic", pivoting=True)
    diag = np.abs(np.diag(R))
    rank = int((diag > _RANK_TOL * diag[0]).sum())
    if rank < m:
        raise DataError(_collinear_message(R, perm, rank, names),
                        hint="remove one of them from the features (e.g. a total that is the sum of others)")
    Rr = R[:rank, :rank]
    b_perm = sla.solve_triangular(Rr, Q.T @ yc)
    Rinv = sla.solve_triangular(Rr, np.eye(m))
    g_perm = Rinv @ Rinv.T                      # (Zs'Zs)^-1 in pivoted order
    bs = np.empty(m)
    bs[perm] = b_perm
    G = np.empty((m, m))
    G[np.ix_(perm, perm)] = g_perm
    bs = bs / sz
    G = G / np.outer(sz, sz)                    # (Z'Z)^-1
    resid = yc - Z @ bs
    ssr = float(resid @ resid)
    df = n - k - absorbed
    sigma2 = ssr / df
    b0 = ym - xm @ bs
    cov = np.empty((k, k))
    Vs = sigma2 * G
    cov[1:, 1:] = Vs
    cov[0, 1:] = cov[1:, 0] = -Vs @ xm
    cov[0, 0] = sigma2 / n + xm @ Vs @ xm
    params = np.r_[b0, bs]
    bse = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        tv = params / bse
    pv = 2 * stats.t.sf(np.abs(tv), df)
    q = stats.t.ppf(0.5 + level / 2, df)
    ci = np.column_stack([params - q * bse, params + q * bse])
    r2 = 1.0 - ssr / tss
    adj = 1.0 - (1.0 - r2) * (n - 1) / df
    with np.errstate(divide="ignore", invalid="ignore"):
        fval = ((tss - ssr) / m) / sigma2 if m else float("nan")
        llf = -0.5 * n * (math.log(2 * math.pi) + math.log(ssr / n) + 1) if ssr > 0 else float("inf")
    fp = float(stats.f.sf(fval, m, df)) if m else float("nan")
    return OLSFit(names=["Intercept"] + names, params=params, cov=cov, bse=bse, tvalues=tv, pvalues=pv,
                  ci=ci, level=level, n=n, df_resid=df, ssr=ssr, tss=tss, r2=r2, adj_r2=adj,
                  sigma2=sigma2, llf=llf, aic=-2 * llf + 2 * (k + absorbed), bic=-2 * llf + math.log(n) * (k + absorbed),
                  fvalue=float(fval), f_pvalue=fp, fitted=y - resid, resid=resid)


def _collinear_message(R, perm, rank, names) -> str:
    """Name each column that is an exact combination of others, and the others."""
    parts = []
    Rr = R[:rank, :rank]
    for jj in range(rank, R.shape[1]):
        c = sla.solve_triangular(Rr, R[:rank, jj])
        with_ = [names[perm[i]] for i in np.flatnonzero(np.abs(c) > 1e-6)]
        bad = names[perm[jj]]
        parts.append(f"{bad!r} is an exact combination of " + ", ".join(repr(w) for w in with_)
                     if with_ else f"{bad!r} repeats another column")
    return "perfectly collinear features: " + "; ".join(parts)


def _num(v) -> str:
    try:
        return f"{float(v):.6g}"
    except (TypeError, ValueError):
        return str(v)


# ---------------------------------------------------------------------------------------------
@dataclass
class Design:
    y: np.ndarray
    X: np.ndarray
    names: list[str]
    target: str
    kept_index: pd.Index
    notes: list[str] = field(default_factory=list)
    references: dict[str, str] = field(default_factory=dict)   # categorical column -> reference level
    logged: set[str] = field(default_factory=set)              # columns used as log(column)
    term_source: dict[str, str] = field(default_factory=dict)  # term -> column it came from


def is_categorical(col: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)


def build_design(frame: pd.DataFrame, target: str, features: Sequence[str], *,
                 log_target: bool = False, log_features: Sequence[str] = ()) -> Design:
    """Target and feature columns -> numeric y and X. Categorical columns become 0/1 dummies,
    one per level except the first in sorted order (the reference). Rows with a missing value
    are dropped, and under a log rows with zero or negative values; each drop is counted."""
    features = [f for f in features if f != target]
    for c in [target, *features]:
        if c not in frame.columns:
            raise DataError(f"column {c!r} is not in the table", where=c,
                            hint="check the column roles (target and features)")
    if not features:
        raise UsageError("the regression needs at least one feature column",
                         hint="mark the columns that may drive sales as Feature in Column roles")
    unknown = [c for c in log_features if c not in features]
    if unknown:
        raise UsageError("log_features names columns that are not features: " + ", ".join(unknown),
                         hint="features are: " + ", ".join(features))
    if is_categorical(frame[target]):
        raise DataError(f"the target {target!r} is not a number column", where=target,
                        hint="pick a numeric column (sales, units, revenue) as the target")
    notes: list[str] = []
    data = frame[[target, *features]]
    n0 = len(data)
    ok = data.notna().all(axis=1).to_numpy()
    if (~ok).any():
        notes.append(f"{int((~ok).sum()):,} of {n0:,} rows dropped because a value was missing.")
    yv = pd.to_numeric(data[target], errors="coerce").to_numpy(dtype=float)
    logged = set()
    for c in ([target] if log_target else []) + list(log_features):
        if c != target and is_categorical(data[c]):
            raise UsageError(f"cannot take the log of {c!r}: it is not a number column", where="log_features")
        v = yv if c == target else pd.to_numeric(data[c], errors="coerce").to_numpy(dtype=float)
        bad = ok & ~(v > 0)
        if bad.any():
            notes.append(f"{rows_word(int(bad.sum()))} dropped because {c} was zero or negative "
                         "and has no logarithm.")
        ok &= v > 0
        logged.add(c)
    data = data[ok]
    if data.empty:
        raise DataError("no rows left to fit after dropping missing values and non-positive values under a log")
    y = data[target].to_numpy(dtype=float)
    if log_target:
        y = np.log(y)
    cols, names, refs, source = [], [], {}, {}
    for c in features:
        s = data[c]
        if is_categorical(s):
            if not pd.api.types.is_bool_dtype(s):
                num = pd.to_numeric(s, errors="coerce")
                if num.notna().mean() >= 0.9:
                    bad = s[num.isna()]
                    cells = f"{len(bad):,} cells are" if len(bad) != 1 else "1 cell is"
                    raise DataError(f"column {c!r} holds numbers but {cells} text "
                                    f"(e.g. {str(bad.iloc[0])!r})", where=c,
                                    hint="fix or clear those cells, or leave the column out")
            s = s.astype(str)
            levels = sorted(s.unique())
            if len(levels) < 2:
                raise DataError(f"column {c!r} has the same value ({levels[0] if levels else ''}) in every row used",
                                where=c, hint="a constant cannot explain differences; remove it from the features")
            if len(levels) > MAX_LEVELS:
                raise DataError(f"column {c!r} has {len(levels)} different text values; that looks like an "
                                "id or a name, not a category", where=c,
                                hint=f"use categories with at most {MAX_LEVELS} levels, or remove it")
            refs[c] = levels[0]
            for lv in levels[1:]:
                cols.append((s == lv).to_numpy(dtype=float))
                names.append(f"{c}={lv}")
                source[names[-1]] = c
        else:
            v = s.to_numpy(dtype=float)
            if c in logged:
                v = np.log(v)
            cols.append(v)
            names.append(f"log({c})" if c in logged else c)
            source[names[-1]] = c
    for c, ref in refs.items():
        notes.append(f"{c}: each level is compared with {ref!r} (the first in sorted order, the reference).")
    X = np.column_stack(cols)
    return Design(y=y, X=X, names=names, target=target, kept_index=data.index, notes=notes,
                  references=refs, logged=logged, term_source=source)


def diagnostics(fit: OLSFit, X: np.ndarray) -> dict:
    """Residual checks: Durbin-Watson (serial correlation), Jarque-Bera (normality),
    Breusch-Pagan (variance growing with the features), each with a reading in words."""
    from statsmodels.stats.diagnostic import het_breuschpagan
    from statsmodels.stats.stattools import durbin_watson, jarque_bera

    r = fit.resid
    dw = float(durbin_watson(r))
    jb, jb_p, skew, kurt = (float(v) for v in jarque_bera(r))
    try:
        _, bp_p, _, _ = het_breuschpagan(r, np.column_stack([np.ones(len(r)), X]))
        bp_p = float(bp_p)
    except (ValueError, np.linalg.LinAlgError):
        bp_p = float("nan")
    return {"durbin_watson": dw, "jarque_bera": jb, "jarque_bera_p": jb_p, "skew": skew,
            "kurtosis": kurt, "breusch_pagan_p": bp_p}


def rows_word(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3g}"


def diagnostic_notes(d: dict, log_target: bool = False) -> list[str]:
    out = []
    dw = d["durbin_watson"]
    if dw < 1.5 or dw > 2.5:
        out.append(f"Residuals follow each other in row order (Durbin-Watson {dw:.2f}, ideal 2): "
                   "if rows are in time order, the standard errors are too optimistic.")
    if d["jarque_bera_p"] < 0.05:
        out.append(f"Residuals are not bell-shaped (Jarque-Bera {_p(d['jarque_bera_p'])}); "
                   "with few rows the p-values are rough.")
    if d["breusch_pagan_p"] < 0.05:
        out.append(f"The scatter of the residuals changes with the features (Breusch-Pagan "
                   f"{_p(d['breusch_pagan_p'])}), so the standard errors are rough"
                   + ("." if log_target else "; a log of the target often helps."))
    if not out:
        out.append("Residual checks (Durbin-Watson, Jarque-Bera, Breusch-Pagan) raise no warning.")
    return out


def significance_words(p: float) -> str:
    if not np.isfinite(p):
        return "cannot tell"
    if p < 0.001:
        return "very likely not chance"
    if p < 0.01:
        return "likely not chance"
    if p < 0.05:
        return "probably not chance"
    if p < 0.1:
        return "weak evidence, could be chance"
    return "could well be chance"


def _fmt(v: float) -> str:
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 100:
        return f"{a:,.0f}"
    if a >= 1:
        return f"{a:.3g}" if a < 10 else f"{a:.1f}"
    return f"{a:.2g}" if a < 0.01 else f"{a:.3f}".rstrip("0")


def coefficient_sentence(term: str, estimate: float, p: float, design: Design) -> str:
    """One plain sentence per coefficient, in the units the user sees."""
    target = design.target
    sig = significance_words(p)
    ylog = target in design.logged
    if term == "Intercept":
        return f"Baseline level of {'log ' if ylog else ''}{target} when every feature is 0 (or at its reference level)."
    src = design.term_source.get(term, term)
    up = estimate >= 0
    if src in design.references:
        level = term.split("=", 1)[1]
        what = f"{src} {level} instead of {design.references[src]}"
        if ylog:
            return f"{what} {'raises' if up else 'lowers'} {target} by {_fmt(100 * (math.exp(estimate) - 1))}%, {sig}."
        return f"{what} {'raises' if up else 'lowers'} {target} by {_fmt(estimate)}, {sig}."
    xlog = src in design.logged
    verb = "raises" if up else "lowers"
    if xlog and ylog:
        return f"1% more {src} {verb} {target} by about {_fmt(estimate)}%, {sig}."
    if xlog:
        return f"1% more {src} {verb} {target} by about {_fmt(estimate / 100)}, {sig}."
    if ylog:
        return f"each extra 1 of {src} {verb} {target} by {_fmt(100 * (math.exp(estimate) - 1))}%, {sig}."
    return f"each extra 1 of {src} {verb} {target} by {_fmt(estimate)}, {sig}."
