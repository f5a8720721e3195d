"""Ordinary least squares for the Pricing tab: a design matrix from a table (numeric columns,
categorical ones as dummies, optional logs), a numerically careful fit, and plain-words readings.

The fit solves a pivoted QR of the centred and scaled features (never the normal equations):
centring removes the huge common offsets that make data such as NIST's Longley ill-conditioned,
so coefficients reach about 14 correct digits there (statsmodels' pinv reaches about 11).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.linalg as sla
from scipy import stats

from bizops_desktop.core.errors import BizOpsError, DataError, UsageError
from bizops_desktop.core.i18n import Message, clauses

from .i18n import M, Mn

# A column whose spread is below this share of its size carries no information of its own.
_CONSTANT_TOL = 1e-10
# |R_jj| below this share of |R_00| (features scaled to unit length) means exact collinearity.
_RANK_TOL = 1e-9
MAX_LEVELS = 50


def problem(
    cls: type[BizOpsError], message: Message, hint: Message | None = None, *, where: str | None = None
) -> BizOpsError:
    """A user error in the current language that also keeps its message (``err.detail``), so a
    result that records it (a product's note) reads in the language of whoever opens it."""
    err = cls(message.render(), where=where, hint=hint.render() if hint is not None else None)
    err.detail = message  # type: ignore[attr-defined]  # kept beside the text for results
    return err


def detail(err: BizOpsError) -> Message | str:
    """What went wrong, as a message when the error kept one."""
    return getattr(err, "detail", None) or err.message


@dataclass
class OLSFit:
    names: list[str]  # "Intercept" first, then the features
    params: np.ndarray
    cov: np.ndarray
    bse: np.ndarray
    tvalues: np.ndarray
    pvalues: np.ndarray
    ci: np.ndarray  # (k, 2) at ``level``
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
        return pd.DataFrame(
            {
                "term": self.names,
                "estimate": self.params,
                "std_error": self.bse,
                "t": self.tvalues,
                "p_value": self.pvalues,
                "ci_low": self.ci[:, 0],
                "ci_high": self.ci[:, 1],
            }
        )

    def summary(self) -> dict:
        return {
            "r2": self.r2,
            "adj_r2": self.adj_r2,
            "aic": self.aic,
            "bic": self.bic,
            "n": self.n,
            "f_pvalue": self.f_pvalue,
            "f": self.fvalue,
            "df_resid": self.df_resid,
            "sigma": math.sqrt(self.sigma2),
        }


def ols(y, X, names: Sequence[str], *, level: float = 0.95, what: Message | None = None, absorbed: int = 0) -> OLSFit:
    """Fit ``y = b0 + X b + e`` (an intercept is always included; ``X`` has no constant column).

    ``absorbed``: parameters already taken out of the data beforehand (fixed effects removed by
    demeaning within groups: number of groups - 1); they count against the residual degrees of
    freedom. Raises DataError in plain words for a constant column, exactly collinear columns
    (named), a constant target and fewer rows than parameters."""
    what = what if what is not None else M("the model")
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float).reshape(len(y), -1)
    names = list(names)
    n, m = X.shape
    k = m + 1
    if n <= k + absorbed:
        raise problem(
            DataError,
            Mn(
                "{what} has {k} numbers to estimate but only {n} usable row",
                "{what} has {k} numbers to estimate but only {n} usable rows",
                n,
                what=what,
                k=k + absorbed,
            ),
            M("It needs more rows than numbers to estimate: use fewer columns or more data"),
        )
    if not np.isfinite(y).all() or not np.isfinite(X).all():
        raise problem(DataError, M("{what} got missing or infinite values", what=what), M("Drop or fill them first"))
    ym = y.mean()
    yc = y - ym
    tss = float(yc @ yc)
    if tss <= (_CONSTANT_TOL * max(abs(ym), 1.0)) ** 2 * n:
        raise problem(
            DataError,
            M("the value to explain is the same ({value}) in every row", value=_num(ym)),
            M("There is nothing to explain; pick another Target column"),
        )
    xm = X.mean(axis=0)
    Z = X - xm
    sz = np.sqrt((Z * Z).sum(axis=0))
    size = np.sqrt(n) * np.maximum(np.abs(X).max(axis=0, initial=0.0), np.finfo(float).tiny)
    const = np.flatnonzero(sz <= _CONSTANT_TOL * size)
    if const.size:
        j = int(const[0])
        raise problem(
            DataError,
            M("column '{column}' has the same value ({value}) in every row used", column=names[j], value=_num(X[0, j])),
            M("A value that never changes cannot explain differences; remove it from the features"),
            where=names[j],
        )
    Zs = np.asfortranarray(Z / sz)  # LAPACK works column-major: saves a copy inside qr
    Q, R, perm = sla.qr(Zs, mode="economic", pivoting=True)
    diag = np.abs(np.diag(R))
    rank = int((diag > _RANK_TOL * diag[0]).sum())
    if rank < m:
        raise problem(
            DataError,
            _collinear_message(R, perm, rank, names),
            M("Remove one of them from the features (e.g. a total that is the sum of others)"),
        )
    Rr = R[:rank, :rank]
    b_perm = sla.solve_triangular(Rr, Q.T @ yc)
    Rinv = sla.solve_triangular(Rr, np.eye(m))
    g_perm = Rinv @ Rinv.T  # (Zs'Zs)^-1 in pivoted order
    bs = np.empty(m)
    bs[perm] = b_perm
    G = np.empty((m, m))
    G[np.ix_(perm, perm)] = g_perm
    bs = bs / sz
    G = G / np.outer(sz, sz)  # (Z'Z)^-1
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
    return OLSFit(
        names=["Intercept"] + names,
        params=params,
        cov=cov,
        bse=bse,
        tvalues=tv,
        pvalues=pv,
        ci=ci,
        level=level,
        n=n,
        df_resid=df,
        ssr=ssr,
        tss=tss,
        r2=r2,
        adj_r2=adj,
        sigma2=sigma2,
        llf=llf,
        aic=-2 * llf + 2 * (k + absorbed),
        bic=-2 * llf + math.log(n) * (k + absorbed),
        fvalue=float(fval),
        f_pvalue=fp,
        fitted=y - resid,
        resid=resid,
    )


def _collinear_message(R, perm, rank, names) -> Message:
    """Name each column that is an exact combination of others, and the others."""
    parts = []
    Rr = R[:rank, :rank]
    for jj in range(rank, R.shape[1]):
        c = sla.solve_triangular(Rr, R[:rank, jj])
        with_ = [names[perm[i]] for i in np.flatnonzero(np.abs(c) > 1e-6)]
        bad = names[perm[jj]]
        parts.append(
            M("'{column}' is an exact combination of {others:list}", column=bad, others=[f"'{w}'" for w in with_])
            if with_
            else M("'{column}' repeats another column", column=bad)
        )
    return M("some features carry the same information twice: {parts}", parts=clauses(parts))


def _num(v):
    """A value for a message: a number stays a number (formatted by locale when shown)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f if np.isfinite(f) else str(v)


# ---------------------------------------------------------------------------------------------
@dataclass
class Design:
    y: np.ndarray
    X: np.ndarray
    names: list[str]
    target: str
    kept_index: pd.Index
    notes: list[Message] = field(default_factory=list)
    references: dict[str, str] = field(default_factory=dict)  # categorical column -> reference level
    logged: set[str] = field(default_factory=set)  # columns used as log(column)
    term_source: dict[str, str] = field(default_factory=dict)  # term -> column it came from


def is_categorical(col: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)


def build_design(
    frame: pd.DataFrame,
    target: str,
    features: Sequence[str],
    *,
    log_target: bool = False,
    log_features: Sequence[str] = (),
) -> Design:
    """Target and feature columns -> numeric y and X. Categorical columns become 0/1 dummies,
    one per level except the first in sorted order (the reference). Rows with a missing value
    are dropped, and under a log rows with zero or negative values; each drop is counted."""
    features = [f for f in features if f != target]
    for c in [target, *features]:
        if c not in frame.columns:
            raise problem(
                DataError,
                M("column '{column}' is not in the table", column=c),
                M("Check the column roles (Target and Feature)"),
                where=c,
            )
    if not features:
        raise problem(
            UsageError,
            M("the regression needs at least one Feature column"),
            M("Mark the columns that may drive sales as Feature in Column roles"),
        )
    unknown = [c for c in log_features if c not in features]
    if unknown:
        raise problem(
            UsageError,
            M("“Log of features” names columns that are not features: {columns:list}", columns=unknown),
            M("The features are: {columns:list}", columns=list(features)),
        )
    if is_categorical(frame[target]):
        raise problem(
            DataError,
            M("the Target '{column}' is not a column of numbers", column=target),
            M("Pick a column of numbers (sales, units, revenue) as the Target"),
            where=target,
        )
    notes: list[Message] = []
    data = frame[[target, *features]]
    n0 = len(data)
    ok = data.notna().all(axis=1).to_numpy()
    if (~ok).any():
        notes.append(
            Mn(
                "{dropped:int} of {n} row left out because a value was missing.",
                "{dropped:int} of {n} rows left out because a value was missing.",
                n0,
                dropped=int((~ok).sum()),
            )
        )
    yv = pd.to_numeric(data[target], errors="coerce").to_numpy(dtype=float)
    logged = set()
    for c in ([target] if log_target else []) + list(log_features):
        if c != target and is_categorical(data[c]):
            raise problem(
                UsageError,
                M("cannot take the log of '{column}': it is not a column of numbers", column=c),
                where="log_features",
            )
        v = yv if c == target else pd.to_numeric(data[c], errors="coerce").to_numpy(dtype=float)
        bad = ok & ~(v > 0)
        if bad.any():
            notes.append(
                Mn(
                    "{n} row dropped because {column} was zero or negative and has no logarithm.",
                    "{n} rows dropped because {column} was zero or negative and has no logarithm.",
                    int(bad.sum()),
                    column=c,
                )
            )
        ok &= v > 0
        logged.add(c)
    data = data[ok]
    if data.empty:
        raise problem(
            DataError,
            M("no rows left to fit after leaving out missing values (and zero or negative values under a log)"),
        )
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
                    raise problem(
                        DataError,
                        Mn(
                            "column '{column}' holds numbers but {n} cell is text (e.g. '{example}')",
                            "column '{column}' holds numbers but {n} cells are text (e.g. '{example}')",
                            len(bad),
                            column=c,
                            example=str(bad.iloc[0]),
                        ),
                        M("Fix or clear those cells, or leave the column out"),
                        where=c,
                    )
            s = s.astype(str)
            levels = sorted(s.unique())
            if len(levels) < 2:
                raise problem(
                    DataError,
                    M(
                        "column '{column}' has the same value ({value}) in every row used",
                        column=c,
                        value=levels[0] if levels else "",
                    ),
                    M("A value that never changes cannot explain differences; remove it from the features"),
                    where=c,
                )
            if len(levels) > MAX_LEVELS:
                raise problem(
                    DataError,
                    M(
                        "column '{column}' has {n:int} different text values; that looks "
                        "like an id or a name, not a category",
                        column=c,
                        n=len(levels),
                    ),
                    M("Use categories with at most {n:int} different values, or remove it", n=MAX_LEVELS),
                    where=c,
                )
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
        notes.append(
            M(
                "{column}: each value is compared with '{reference}' (the first in sorted order, the reference).",
                column=c,
                reference=ref,
            )
        )
    X = np.column_stack(cols)
    return Design(
        y=y,
        X=X,
        names=names,
        target=target,
        kept_index=data.index,
        notes=notes,
        references=refs,
        logged=logged,
        term_source=source,
    )


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
    return {
        "durbin_watson": dw,
        "jarque_bera": jb,
        "jarque_bera_p": jb_p,
        "skew": skew,
        "kurtosis": kurt,
        "breusch_pagan_p": bp_p,
    }


def p_words(p: float) -> Message:
    """A p-value in a sentence: "p < 0.001" or "p = 0.012"."""
    return M("p < {limit}", limit=0.001) if p < 0.001 else M("p = {p}", p=float(p))


def diagnostic_notes(d: dict, log_target: bool = False) -> list[Message]:
    out = []
    dw = d["durbin_watson"]
    if dw < 1.5 or dw > 2.5:
        out.append(
            M(
                "Neighbouring rows' errors move together (Durbin-Watson {dw}, ideal 2): if the rows "
                "are in time order, the ranges of the effects are too narrow.",
                dw=dw,
            )
        )
    if d["jarque_bera_p"] < 0.05:
        out.append(
            M(
                "The errors of the fit are not bell-shaped (Jarque-Bera {p}); with few rows the p-values are rough.",
                p=p_words(d["jarque_bera_p"]),
            )
        )
    if d["breusch_pagan_p"] < 0.05:
        if log_target:
            out.append(
                M(
                    "The errors of the fit grow or shrink with the features (Breusch-Pagan {p}), so "
                    "the ranges of the effects are rough.",
                    p=p_words(d["breusch_pagan_p"]),
                )
            )
        else:
            out.append(
                M(
                    "The errors of the fit grow or shrink with the features (Breusch-Pagan {p}), so "
                    "the ranges of the effects are rough; “Log of the target” often helps.",
                    p=p_words(d["breusch_pagan_p"]),
                )
            )
    if not out:
        out.append(M("The checks of the fit's errors (Durbin-Watson, Jarque-Bera, Breusch-Pagan) raise no warning."))
    return out


def significance_words(p: float) -> Message:
    if not np.isfinite(p):
        return M("cannot tell")
    if p < 0.001:
        return M("very likely not chance")
    if p < 0.01:
        return M("likely not chance")
    if p < 0.05:
        return M("probably not chance")
    if p < 0.1:
        return M("weak evidence, could be chance")
    return M("could well be chance")


def coefficient_sentence(term: str, estimate: float, p: float, design: Design) -> Message:
    """One plain sentence per coefficient, in the units the user sees."""
    target = design.target
    sig = significance_words(p)
    ylog = target in design.logged
    if term == "Intercept":
        if ylog:
            return M(
                "Baseline level of log {target} when every feature is 0 (or at its reference level).", target=target
            )
        return M("Baseline level of {target} when every feature is 0 (or at its reference level).", target=target)
    src = design.term_source.get(term, term)
    up = estimate >= 0
    size = abs(float(estimate))
    change = abs(math.exp(estimate) - 1) if ylog else 0.0
    values = dict(column=src, target=target, sig=sig)
    if src in design.references:
        values.update(level=term.split("=", 1)[1], reference=design.references[src])
        if ylog:
            return (
                M(
                    "{column} {level} instead of {reference} raises {target} by {change:percent}, {sig}.",
                    change=change,
                    **values,
                )
                if up
                else M(
                    "{column} {level} instead of {reference} lowers {target} by {change:percent}, {sig}.",
                    change=change,
                    **values,
                )
            )
        return (
            M("{column} {level} instead of {reference} raises {target} by {x}, {sig}.", x=size, **values)
            if up
            else M("{column} {level} instead of {reference} lowers {target} by {x}, {sig}.", x=size, **values)
        )
    xlog = src in design.logged
    if xlog and ylog:
        return (
            M("1% more {column} raises {target} by about {x}%, {sig}.", x=size, **values)
            if up
            else M("1% more {column} lowers {target} by about {x}%, {sig}.", x=size, **values)
        )
    if xlog:
        return (
            M("1% more {column} raises {target} by about {x}, {sig}.", x=size / 100, **values)
            if up
            else M("1% more {column} lowers {target} by about {x}, {sig}.", x=size / 100, **values)
        )
    if ylog:
        return (
            M("each extra 1 of {column} raises {target} by {change:percent}, {sig}.", change=change, **values)
            if up
            else M("each extra 1 of {column} lowers {target} by {change:percent}, {sig}.", change=change, **values)
        )
    return (
        M("each extra 1 of {column} raises {target} by {x}, {sig}.", x=size, **values)
        if up
        else M("each extra 1 of {column} lowers {target} by {x}, {sig}.", x=size, **values)
    )
