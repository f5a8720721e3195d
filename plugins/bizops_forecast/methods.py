"""The forecasting methods, each fitted to one series (numpy in, numpy out, no Qt, no pandas).

Every method returns a :class:`Fitted`: in-sample one-step-ahead predictions, a forecast with a
standard deviation per step (for the prediction intervals), its parameters, and ``refilter`` to
run the same parameters over a longer or shorter stretch of the same series (the cheap backtest).

How the interval of each method is obtained (sigma = root mean square of the in-sample one-step
errors, h = steps ahead):

- naive: random walk, sd_h = sigma * sqrt(h).
- seasonal naive: sd_h = sigma * sqrt(k + 1), k = whole seasons before step h (Hyndman & Athanasopoulos, FPP3 5.5).
- moving average of n: treated as simple exponential smoothing with the same average age of the
  data, alpha = 2 / (n + 1), so sd_h = sigma * sqrt(1 + (h - 1) alpha^2).
- SES / Holt / Holt-Winters: the ETS(A,*,*) "class 1" formula (Hyndman et al. 2008, table 6.1):
  sd_h^2 = sigma^2 (1 + sum_{j<h} c_j^2), c_j = alpha + alpha*beta*phi_j + gamma*[j is a multiple of m].
  For a multiplicative season this additive-error formula is an approximation.
- ARIMA / SARIMA: the Kalman-filter forecast variance of statsmodels' SARIMAX.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .i18n import M
from .words import method_name

# Methods and the labels the tables use. Multiplicative Holt-Winters gets its own label so the
# backtest can show both seasons side by side.
METHODS = ("naive", "seasonal_naive", "moving_average", "ses", "holt", "holt_winters", "arima", "sarima")
SEASONAL = {"seasonal_naive", "holt_winters", "holt_winters_mul", "sarima"}
# Longest season seasonal ARIMA is tried with: the state vector grows with m, and at m=52
# one fit takes seconds.
MAX_SARIMA_SEASON = 24


class MethodUnavailable(Exception):
    """This method cannot be fitted to this series (too short, zeros for a multiplicative
    season...). The message (a translatable Message) says why in plain words."""

    @property
    def reason(self):
        """Why, as given: a Message (rendered in the reader's language) or text."""
        return self.args[0] if self.args else ""


@dataclass
class Fitted:
    method: str
    fitted: np.ndarray  # one-step-ahead in-sample predictions (NaN where none)
    sigma: float  # root mean square one-step error
    params: dict
    ic: dict  # aic, aicc, bic, loglik where the model has them
    forecaster: Callable[[int], tuple[np.ndarray, np.ndarray]]  # h -> (mean, sd) for steps 1..h
    refilter: Callable[[np.ndarray], Fitted]
    # (origin, h) -> (mean, sd) from data before ``origin``, when cheaper than refilter
    forecast_from: Callable[[int, int], tuple[np.ndarray, np.ndarray]] | None = None

    def forecast(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        """(mean, sd) for steps 1..h."""
        if h <= 0:
            return np.zeros(0), np.zeros(0)
        return self.forecaster(h)


def _quiet():
    """statsmodels warns freely about convergence and start values on short series; the
    backtest is the judge of a poor fit, so the warnings are silenced."""
    cm = warnings.catch_warnings()
    cm.__enter__()
    warnings.simplefilter("ignore")
    return cm


def _sigma(z: np.ndarray, fitted: np.ndarray, n_params: int = 0) -> float:
    e = z - fitted
    e = e[np.isfinite(e)]
    if len(e) == 0:
        return float("nan")
    dof = max(len(e) - n_params, 1)
    return float(math.sqrt(float(np.sum(e * e)) / dof))


# --------------------------------------------------------------------------------- baselines
def naive(z: np.ndarray) -> Fitted:
    z = np.asarray(z, float)
    fitted = np.concatenate([[np.nan], z[:-1]])
    sigma = _sigma(z, fitted)
    last = z[-1]

    def fc(h):
        steps = np.arange(1, h + 1)
        return np.full(h, last), sigma * np.sqrt(steps)

    return Fitted("naive", fitted, sigma, {}, {}, fc, naive)


def seasonal_naive(z: np.ndarray, m: int) -> Fitted:
    z = np.asarray(z, float)
    n = len(z)
    if m < 2 or n < m + 1:
        raise MethodUnavailable(M("seasonal naive needs more than one full season ({n:int} periods)", n=m))
    fitted = np.full(n, np.nan)
    fitted[m:] = z[:-m]
    sigma = _sigma(z, fitted)
    last_season = z[n - m :]

    def fc(h):
        j = np.arange(h)
        return last_season[j % m].copy(), sigma * np.sqrt(j // m + 1)

    return Fitted("seasonal_naive", fitted, sigma, {"season_length": m}, {}, fc, lambda z2: seasonal_naive(z2, m))


def moving_average(z: np.ndarray, window: int) -> Fitted:
    """y_hat(t+1) = mean of the last ``window`` values."""
    z = np.asarray(z, float)
    n = len(z)
    w = int(window)
    if w < 1 or n < w + 1:
        raise MethodUnavailable(
            M("a moving average of {window:int} periods needs at least {n:int} periods of data", window=w, n=w + 1)
        )
    c = np.concatenate([[0.0], np.cumsum(z)])
    fitted = np.full(n, np.nan)
    fitted[w:] = (c[w:n] - c[0 : n - w]) / w
    sigma = _sigma(z, fitted)
    level = float(np.mean(z[-w:]))
    a = 2.0 / (w + 1.0)

    def fc(h):
        j = np.arange(h)
        return np.full(h, level), sigma * np.sqrt(1.0 + j * a * a)

    return Fitted("moving_average", fitted, sigma, {"window": w}, {}, fc, lambda z2: moving_average(z2, w))


def choose_window(z: np.ndarray, m: int, candidates=None) -> int:
    """The window with the smallest in-sample one-step squared error over the same stretch of
    data for every candidate (so a long window is not judged on fewer points)."""
    z = np.asarray(z, float)
    n = len(z)
    cands = sorted(set(candidates or [2, 3, 4, 6, 8, 12] + ([m] if m > 1 else [])))
    cands = [w for w in cands if w < n - 2] or [1]
    start = max(cands)
    best, best_err = cands[0], float("inf")
    for w in cands:
        f = moving_average(z, w).fitted
        e = z[start:] - f[start:]
        err = float(np.mean(e * e)) if len(e) else float("inf")
        if err < best_err - 1e-12:
            best, best_err = w, err
    return best


# ------------------------------------------------------------------- exponential smoothing
def _es_sd(
    sigma: float, alpha: float, beta_star: float, gamma: float, phi: float, m: int, trend: bool, seasonal: bool, h: int
) -> np.ndarray:
    """ETS class-1 forecast standard deviations (see the module docstring)."""
    c = np.zeros(h)
    for j in range(1, h):
        cj = alpha
        if trend:
            phi_j = j if phi == 1.0 else phi * (1 - phi**j) / (1 - phi)
            cj += alpha * beta_star * phi_j
        if seasonal and m > 1 and j % m == 0:
            cj += gamma
        c[j] = cj
    return sigma * np.sqrt(1.0 + np.cumsum(c * c))


def exponential_smoothing(
    z: np.ndarray,
    *,
    trend: str | None = None,
    seasonal: str | None = None,
    m: int = 1,
    alpha: float | None = None,
    _fixed: dict | None = None,
) -> Fitted:
    """SES (no trend, no season), Holt (trend ``add`` or ``damped``), Holt-Winters (plus a
    season ``add`` or ``mul``) through statsmodels' ExponentialSmoothing. ``alpha`` fixes the
    level smoothing; the other parameters are fitted by least squares."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    z = np.asarray(z, float)
    n = len(z)
    has_trend = trend in ("add", "damped")
    damped = trend == "damped"
    if seasonal:
        name = "holt_winters_mul" if seasonal == "mul" else "holt_winters"
        if m < 2:
            raise MethodUnavailable(M("Holt-Winters needs a season of at least 2 periods"))
        if n < 2 * m + 2:
            raise MethodUnavailable(M("Holt-Winters needs at least two full seasons ({n:int} periods)", n=2 * m + 2))
        if seasonal == "mul" and np.min(z) <= 0:
            raise MethodUnavailable(M("a multiplicative season needs every value above zero"))
    else:
        name = "holt" if has_trend else "ses"
    need = 5 if has_trend else 3
    if n < need:
        raise MethodUnavailable(M("{method} needs at least {n:int} periods", method=method_name(name), n=need))
    kw = dict(
        trend="add" if has_trend else None,
        damped_trend=damped,
        seasonal=seasonal or None,
        seasonal_periods=m if seasonal else None,
    )
    cm = _quiet()
    try:
        if _fixed is None:
            # Seasonal starting values from the classical heuristic (Hyndman et al. 2008, 2.6.1)
            # rather than optimised with the smoothing parameters: on 48 months it is twice as
            # fast and as accurate in the benchmark; the brute-force grid is skipped for speed too.
            heuristic = bool(seasonal) and n >= 10 + 2 * (m // 2)
            model = ExponentialSmoothing(z, initialization_method="heuristic" if heuristic else "estimated", **kw)
            fit_kw = {"smoothing_level": alpha} if alpha is not None else {}
            if seasonal:
                fit_kw["use_brute"] = False
            res = model.fit(**fit_kw)
        else:
            p = _fixed
            init_kw = {"initial_level": p["initial_level"]}
            if has_trend:
                init_kw["initial_trend"] = p["initial_trend"]
            if seasonal:
                init_kw["initial_seasonal"] = np.asarray(p["initial_seasons"], float)
            model = ExponentialSmoothing(z, initialization_method="known", **init_kw, **kw)
            fit_kw = {"smoothing_level": p["smoothing_level"], "optimized": False}
            if has_trend:
                fit_kw["smoothing_trend"] = p["smoothing_trend"]
            if damped:
                fit_kw["damping_trend"] = p["damping_trend"]
            if seasonal:
                fit_kw["smoothing_seasonal"] = p["smoothing_seasonal"]
            res = model.fit(**fit_kw)
    except (ValueError, np.linalg.LinAlgError, ZeroDivisionError) as exc:
        raise MethodUnavailable(
            M("{method} could not be fitted ({error})", method=method_name(name), error=str(exc))
        ) from None
    finally:
        cm.__exit__(None, None, None)
    rp = res.params
    a = float(rp["smoothing_level"])
    b = float(rp.get("smoothing_trend") or 0.0) if has_trend else 0.0
    g = float(rp.get("smoothing_seasonal") or 0.0) if seasonal else 0.0
    phi = float(rp.get("damping_trend")) if damped else 1.0
    fitted = np.asarray(res.fittedvalues, float)
    k_smooth = 1 + has_trend + bool(seasonal) + damped
    sigma = _sigma(z, fitted, k_smooth)
    params: dict[str, Any] = {"alpha": a}
    if has_trend:
        params["beta"] = b
    if damped:
        params["phi"] = phi
    if seasonal:
        params["gamma"] = g
        params["season_length"] = m
        params["season"] = seasonal
    if has_trend:
        params["trend"] = trend
    state = {
        "smoothing_level": a,
        "smoothing_trend": b,
        "smoothing_seasonal": g,
        "damping_trend": phi,
        "initial_level": float(rp["initial_level"]),
        "initial_trend": float(rp.get("initial_trend") or 0.0) if has_trend else 0.0,
        "initial_seasons": np.asarray(rp.get("initial_seasons"), float) if seasonal else None,
    }
    ic = {}
    for key in ("aic", "aicc", "bic"):
        v = getattr(res, key, None)
        if v is not None and np.isfinite(v):
            ic[key] = float(v)

    def fc(h):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mean = np.asarray(res.forecast(h), float)
        return mean, _es_sd(sigma, a, b, g, phi, m, has_trend, bool(seasonal), h)

    def refilter(z2):
        return exponential_smoothing(z2, trend=trend, seasonal=seasonal, m=m, _fixed=state)

    return Fitted(name, fitted, sigma, params, ic, fc, refilter)


# ----------------------------------------------------------------------------------- ARIMA
def arima(
    z: np.ndarray,
    order=(0, 1, 1),
    seasonal_order=(0, 0, 0, 0),
    constant: bool | None = None,
    _params: np.ndarray | None = None,
) -> Fitted:
    """(Seasonal) ARIMA via statsmodels SARIMAX.

    The parameters are estimated with ``simple_differencing=True``: the likelihood is that of the
    differenced series, exactly as R's ``arima`` and SAS report it (this reproduces the airline
    model's published ma1, sma1, log-likelihood and AIC). Forecasts and their intervals come from
    the same parameters run through the undifferenced state-space model, so they are on the
    series' own scale. ``constant`` (default: when d + D <= 1, like R's auto.arima) adds an
    intercept to the differenced equation, i.e. a drift.
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    z = np.asarray(z, float)
    p, d, q = (int(v) for v in order)
    P, D, Q, m = (int(v) for v in seasonal_order) if seasonal_order else (0, 0, 0, 0)
    if m < 2:
        P = D = Q = m = 0
    if constant is None:
        constant = d + D <= 1
    n_diff = d + D * m
    n_par = p + q + P + Q + int(constant)
    if len(z) - n_diff < max(n_par + 3, 4) or len(z) < n_diff + (P + Q) * max(m, 1) + 2:
        orders = str((p, d, q)) + (str((P, D, Q, m)) if m else "")
        raise MethodUnavailable(
            M("ARIMA{order} needs more data than the {n:int} periods available", order=orders, n=len(z))
        )
    trend = "c" if constant else "n"
    sorder = (P, D, Q, m)
    name = "sarima" if m and (P or D or Q) else "arima"
    ic: dict = {}
    cm = _quiet()
    try:
        if _params is None:
            # sigma2 concentrated out of the likelihood and simple start values: the same optimum
            # (the airline figures are unchanged) at a fraction of the time of statsmodels'
            # default start-value search, which is slow and poor on short series.
            if n_par:
                est = SARIMAX(
                    z,
                    order=(p, d, q),
                    seasonal_order=sorder,
                    trend=trend,
                    simple_differencing=True,
                    concentrate_scale=True,
                )
                est = est.fit(start_params=_start_params(z, d, D, m, p, q, P, Q, constant), disp=False)
                params = np.r_[np.asarray(est.params, float), float(est.scale)]
                names = list(est.model.param_names) + ["sigma2"]
            else:  # nothing but the noise variance to estimate (a pure random walk)
                est = SARIMAX(z, order=(p, d, q), seasonal_order=sorder, trend=trend, simple_differencing=True).fit(
                    disp=False
                )
                params = np.asarray(est.params, float)
                names = list(est.model.param_names)
            ic = {
                "aic": float(est.aic),
                "aicc": float(est.aicc),
                "bic": float(est.bic),
                "loglik": float(est.llf),
                "nobs": int(est.nobs),
            }
        else:
            params = _params
            names = None
        full = SARIMAX(z, order=(p, d, q), seasonal_order=sorder, trend=trend).filter(params)
    except (ValueError, np.linalg.LinAlgError) as exc:
        raise MethodUnavailable(M("ARIMA could not be fitted ({error})", error=str(exc))) from None
    finally:
        cm.__exit__(None, None, None)
    if not np.all(np.isfinite(params)):
        raise MethodUnavailable(M("ARIMA estimation did not converge"))
    fitted = np.asarray(full.fittedvalues, float).copy()
    fitted[:n_diff] = np.nan  # before a full difference is available the filter only guesses
    sigma = _sigma(z, fitted, n_par)
    out_params: dict[str, Any] = {"order": [p, d, q]}
    if m:
        out_params["seasonal_order"] = [P, D, Q, m]
    out_params["constant"] = bool(constant)
    if names:
        out_params["coefficients"] = {nm: float(v) for nm, v in zip(names, params)}

    def fc(h):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = full.get_forecast(h)
            return np.asarray(f.predicted_mean, float), np.asarray(f.se_mean, float)

    def refilter(z2):
        return arima(z2, (p, d, q), sorder, constant, _params=params)

    def forecast_from(origin, h):
        # Forecast made at ``origin`` from data before it only: a dynamic prediction runs from
        # the filtered state at origin - 1, so one filter serves every backtest origin.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pr = full.get_prediction(start=origin, end=origin + h - 1, dynamic=True)
            return np.asarray(pr.predicted_mean, float), np.asarray(pr.se_mean, float)

    out = Fitted(name, fitted, sigma, out_params, ic, fc, refilter)
    out.forecast_from = forecast_from
    return out


def _start_params(z, d, D, m, p, q, P, Q, constant) -> list:
    x = np.asarray(z, float)
    for _ in range(D):
        x = x[m:] - x[:-m]
    for _ in range(d):
        x = np.diff(x)
    sp = [float(np.mean(x))] if constant else []
    # Small AR values and a mild negative first MA term: inside the stationary and invertible
    # region, near where sales series usually end up.
    sp += [0.1 / p] * p if p else []
    sp += ([-0.3] + [0.0] * (q - 1)) if q else []
    sp += [0.0] * P
    sp += ([-0.3] + [0.0] * (Q - 1)) if Q else []
    return sp


# ------------------------------------------------------------------ seasonality and orders
def seasonal_strength(z: np.ndarray, m: int) -> tuple[float, np.ndarray]:
    """Strength of a season of length m, 0..1 (Wang, Smith & Hyndman 2006), from a classical
    decomposition (straight-line trend when there are fewer than three seasons):
    F = max(0, 1 - var(remainder) / var(season + remainder)); and the seasonal profile (mean
    deviation from the trend at each position of the season, position 0 being the first period
    of the series)."""
    z = np.asarray(z, float)
    n = len(z)
    if m < 2 or n < 2 * m:
        return float("nan"), np.zeros(0)
    if n >= 3 * m:
        # Centred moving average of length m (2 x m for an even m) as the trend.
        k = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
        trend = np.convolve(z, k, mode="valid")
        off = (len(k) - 1) // 2
        detr = np.full(n, np.nan)
        detr[off : off + len(trend)] = z[off : off + len(trend)] - trend
    else:
        # With two seasons a moving average leaves one value per position, which would make any
        # series look perfectly seasonal; a straight-line trend keeps two values per position.
        t = np.arange(n, dtype=float)
        detr = z - np.polyval(np.polyfit(t, z, 1), t)
    pos = np.arange(n) % m
    prof = np.array([np.nanmean(detr[pos == i]) if np.any(np.isfinite(detr[pos == i])) else 0.0 for i in range(m)])
    prof -= prof.mean()
    season = prof[pos]
    rem = detr - season
    ok = np.isfinite(detr)
    v_sr = float(np.var(detr[ok]))
    if v_sr <= 0:
        return 0.0, prof
    return max(0.0, 1.0 - float(np.var(rem[ok])) / v_sr), prof


def _kpss_needs_diff(x: np.ndarray) -> bool:
    from statsmodels.tsa.stattools import kpss

    if len(x) < 8 or np.ptp(x) == 0:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # R's forecast::ndiffs lag choice, so d agrees with auto.arima
            stat, pval, *_ = kpss(x, regression="c", nlags=max(1, int(3 * math.sqrt(len(x)) / 13)))
        except (ValueError, OverflowError):
            return False
    return pval < 0.05


def select_order(
    z: np.ndarray,
    m: int = 0,
    *,
    seasonal: bool = True,
    check=None,
    max_p: int = 5,
    max_q: int = 5,
    max_P: int = 2,
    max_Q: int = 2,
    max_order: int = 5,
    max_fits: int = 94,
) -> tuple[Fitted, list[dict]]:
    """Stepwise ARIMA order search in the manner of Hyndman & Khandakar (2008), R's auto.arima:

    1. D = 1 when the seasonal strength is at least 0.64 (auto.arima's default "seas" test),
       then d = 0..2 by KPSS tests at 5% (lags 3 sqrt(n)/13, as R's ndiffs) on the (seasonally) differenced series.
    2. Fit (2,d,2)(1,D,1), (0,d,0)(0,D,0), (1,d,0)(1,D,0), (0,d,1)(0,D,1) (without a season when
       there is none), with a constant when d + D <= 1; keep the one with the lowest AICc.
    3. Try the neighbours: p, q, P, Q each +-1, p and q together +-1, P and Q together +-1,
       the constant on/off; move to any that lowers AICc; stop when none does.

    Every candidate shares d and D, so their likelihoods (of the same differenced series) are
    comparable. Returns the best fit and the list of tried models with their AICc.
    """
    z = np.asarray(z, float)
    use_season = seasonal and m >= 2 and m <= MAX_SARIMA_SEASON and len(z) >= 2 * m + 4
    D = 0
    if use_season:
        strength, _ = seasonal_strength(z, m)
        D = 1 if (np.isfinite(strength) and strength >= 0.64) else 0
    x = z[m:] - z[:-m] if D else z.copy()
    d = 0
    while d < 2 and _kpss_needs_diff(x):
        x = np.diff(x)
        d += 1
    mm = m if use_season else 0
    tried: dict[tuple, float] = {}
    fits: dict[tuple, Fitted] = {}
    log: list[dict] = []

    def attempt(p, q, P, Q, c):
        key = (p, q, P, Q, c)
        if key in tried:
            return tried[key]
        if (
            min(p, q, P, Q) < 0
            or p > max_p
            or q > max_q
            or P > max_P
            or Q > max_Q
            or p + q + P + Q > max_order
            or (c and d + D > 1)
            or len(tried) >= max_fits
        ):
            return float("inf")
        if check is not None:
            check()
        try:
            f = arima(z, (p, d, q), (P, D, Q, mm) if mm else None, constant=c)
            score = f.ic.get("aicc", float("inf"))
            if not np.isfinite(score):
                score = float("inf")
        except MethodUnavailable:
            f, score = None, float("inf")
        tried[key] = score
        if f is not None:
            fits[key] = f
        log.append(
            {
                "order": [p, d, q],
                "seasonal_order": [P, D, Q, mm],
                "constant": c,
                "aicc": None if not np.isfinite(score) else score,
            }
        )
        return score

    c0 = d + D <= 1
    starts = [(2, 2, 1, 1), (0, 0, 0, 0), (1, 0, 1, 0), (0, 1, 0, 1)]
    if not mm:
        starts = [(2, 2, 0, 0), (0, 0, 0, 0), (1, 0, 0, 0), (0, 1, 0, 0)]
    best, best_score = None, float("inf")
    for p, q, P, Q in starts:
        s = attempt(p, q, P, Q, c0)
        if s < best_score:
            best, best_score = (p, q, P, Q, c0), s
    if best is None:
        raise MethodUnavailable(M("no ARIMA model could be fitted to this series"))
    improved = True
    while improved:
        improved = False
        p, q, P, Q, c = best
        moves = [
            (p + 1, q, P, Q, c),
            (p - 1, q, P, Q, c),
            (p, q + 1, P, Q, c),
            (p, q - 1, P, Q, c),
            (p + 1, q + 1, P, Q, c),
            (p - 1, q - 1, P, Q, c),
            (p, q, P, Q, not c),
        ]
        if mm:
            moves += [
                (p, q, P + 1, Q, c),
                (p, q, P - 1, Q, c),
                (p, q, P, Q + 1, c),
                (p, q, P, Q - 1, c),
                (p, q, P + 1, Q + 1, c),
                (p, q, P - 1, Q - 1, c),
            ]
        for cand in moves:
            s = attempt(*cand)
            if s < best_score - 1e-9:
                best, best_score = cand, s
                improved = True
                break
    result = fits[best]
    result.params["selected_by"] = f"stepwise AICc search (Hyndman-Khandakar), {len(tried)} models tried"
    return result, log
