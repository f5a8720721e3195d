"""Forecast one series end to end: transform, rolling-origin backtest of the candidate methods,
choice of the method, final fit, forecast with intervals. Plain numbers in and a JSON-able dict
out, so it runs the same in this process or in a worker process (it imports no Qt)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from bizops_desktop.core.jsonable import plain

from . import methods as M

# "arima" becomes the seasonal airline model "sarima" when the season and the data allow it.
AUTO_CANDIDATES = ("naive", "seasonal_naive", "moving_average", "ses", "holt", "holt_winters",
                   "holt_winters_mul", "arima")
BASELINES = ("naive", "seasonal_naive")
# Simpler first: on a tie the simpler method wins.
SIMPLICITY = ("naive", "seasonal_naive", "moving_average", "ses", "holt", "holt_winters",
              "holt_winters_mul", "arima", "sarima")
MAX_FOLDS = 4
FALLBACK = {"holt_winters": "holt", "holt_winters_mul": "holt", "sarima": "arima", "seasonal_naive": "naive"}


@dataclass
class Config:
    """What to do with each series (resolved from the analysis parameters)."""

    method: str = "auto"
    horizon: int = 12
    m: int = 12                       # season length
    window: int | None = None
    alpha: float | None = None
    trend: str = "add"                # add | damped | none
    seasonal: str = "add"             # add | mul
    order: tuple | None = None
    seasonal_order: tuple | None = None
    log: bool = False
    holdout: int | None = None
    levels: tuple = (80.0, 95.0)
    clip_at_zero: bool = True         # sales cannot go below zero (off when the data has negatives)

    @classmethod
    def from_dict(cls, d: dict) -> "Config":
        c = cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})
        c.levels = tuple(float(v) for v in c.levels)
        c.order = tuple(c.order) if c.order is not None else None
        c.seasonal_order = tuple(c.seasonal_order) if c.seasonal_order is not None else None
        return c


# ------------------------------------------------------------------------------- metrics
def metrics(actual: np.ndarray, pred: np.ndarray, scale: float) -> dict:
    """MAE, RMSE, MAPE (periods with zero actual sales are skipped: a percentage of zero is
    undefined), sMAPE (0..200, periods where actual and forecast are both zero skipped), MASE
    (MAE over the in-sample MAE of the seasonal naive forecast on the training data)."""
    a = np.asarray(actual, float)
    f = np.asarray(pred, float)
    ok = np.isfinite(a) & np.isfinite(f)
    a, f = a[ok], f[ok]
    if len(a) == 0:
        return {"mae": None, "rmse": None, "mape": None, "smape": None, "mase": None, "n": 0,
                "mape_skipped": 0}
    e = a - f
    mae = float(np.mean(np.abs(e)))
    rmse = float(math.sqrt(float(np.mean(e * e))))
    nz = a != 0
    mape = float(np.mean(np.abs(e[nz] / a[nz])) * 100) if nz.any() else None
    den = np.abs(a) + np.abs(f)
    sm = den > 0
    smape = float(np.mean(200 * np.abs(e[sm]) / den[sm])) if sm.any() else 0.0
    mase = mae / scale if scale and scale > 0 else None
    return {"mae": mae, "rmse": rmse, "mape": mape, "smape": smape, "mase": mase, "n": int(len(a)),
            "mape_skipped": int((~nz).sum())}


def mase_scale(train: np.ndarray, m: int) -> float:
    lag = m if (m > 1 and len(train) > m) else 1
    if len(train) <= lag:
        return float("nan")
    return float(np.mean(np.abs(train[lag:] - train[:-lag])))


# ------------------------------------------------------------------------- the transform
@dataclass
class Transform:
    kind: str = "none"                 # none | log | log1p
    note: str | None = None

    def fwd(self, y):
        return np.log(y) if self.kind == "log" else (np.log1p(y) if self.kind == "log1p" else y)

    def inv(self, z):
        z = np.asarray(z, float)
        if self.kind == "log":
            return np.exp(np.minimum(z, 700))
        if self.kind == "log1p":
            return np.expm1(np.minimum(z, 700))
        return z


def choose_transform(y: np.ndarray, want_log: bool, name: str) -> Transform:
    """log when every value is above zero; log(1 + y) when the smallest value is zero (periods
    without sales); no transform, with a note, when a value is negative (returns exceeding sales):
    a logarithm of a negative number does not exist."""
    if not want_log:
        return Transform()
    lo = float(np.min(y))
    if lo > 0:
        return Transform("log")
    if lo == 0:
        return Transform("log1p", f"{name}: some periods have zero sales, so log(1 + sales) was used "
                                  f"instead of log(sales).")
    return Transform("none", f"{name}: the log option was not applied because the series has negative "
                             f"values (lowest {lo:g}); it was forecast without a transform.")


# ------------------------------------------------------------------------------- methods
def _fit(label: str, z: np.ndarray, cfg: Config, *, auto: bool, check=None) -> M.Fitted:
    """Fit one method (by table label) with the configured parameters."""
    m = cfg.m
    trend = None if cfg.trend == "none" else cfg.trend
    if label == "naive":
        return M.naive(z)
    if label == "seasonal_naive":
        return M.seasonal_naive(z, m)
    if label == "moving_average":
        w = cfg.window if cfg.window else M.choose_window(z, m)
        return M.moving_average(z, w)
    if label == "ses":
        return M.exponential_smoothing(z, alpha=cfg.alpha)
    if label == "holt":
        return M.exponential_smoothing(z, trend=trend or "add", alpha=cfg.alpha)
    if label in ("holt_winters", "holt_winters_mul"):
        season = "mul" if label == "holt_winters_mul" else "add"
        return M.exponential_smoothing(z, trend=trend, seasonal=season, m=m, alpha=cfg.alpha)
    if label in ("arima", "sarima"):
        if cfg.order is None and cfg.seasonal_order is None:
            if auto:
                # auto tries one robust model per family rather than an order search per fold:
                # the airline model (Box & Jenkins) with a season, ARIMA(1,1,1) without one.
                if label == "sarima":
                    return M.arima(z, (0, 1, 1), (0, 1, 1, m))
                return M.arima(z, (1, 1, 1), None)
            fit, _ = M.select_order(z, m, seasonal=label == "sarima", check=check)
            return fit
        order = cfg.order or (0, 1, 1)
        if label == "sarima":
            sorder = cfg.seasonal_order or (0, 1, 1, m)
        else:
            sorder = None
        return M.arima(z, order, sorder)
    raise M.MethodUnavailable(f"unknown method {label}")


# ------------------------------------------------------------------------------ backtest
@dataclass
class Folds:
    origins: list[int] = field(default_factory=list)
    steps: int = 0
    holdout: int = 0

    @property
    def start(self) -> int:
        return self.origins[0] if self.origins else -1


def make_folds(n: int, cfg: Config, min_train: int = 4) -> Folds:
    """Origins spread over the last ``holdout`` periods (default: the horizon, at most a third
    of the data); from each origin every method forecasts up to ``steps`` periods ahead (the
    horizon, or the holdout when the horizon is 0), never past the end of the data."""
    steps = cfg.horizon if cfg.horizon > 0 else (cfg.holdout or min(cfg.m if cfg.m > 1 else 12, 12))
    H = cfg.holdout if cfg.holdout else max(1, min(steps, n // 3))
    H = min(H, n - min_train)
    if H < 1:
        return Folds()
    k = min(MAX_FOLDS, H)
    origins = sorted({n - H + int(round(i * H / k)) for i in range(k)})
    return Folds(origins=origins, steps=steps, holdout=H)


def backtest(y: np.ndarray, z: np.ndarray, labels, cfg: Config, tr: Transform, folds: Folds, *,
             auto: bool, check=None) -> tuple[dict, dict, dict]:
    """Each method's parameters are estimated once on the data before the first origin; at later
    origins the same parameters are run over the longer history (its state updated with the new
    observations) and forecast again. Every method sees the same origins and steps. Errors are
    measured on the original scale and pooled over all origins and steps.

    Returns (metrics per label, why a label was left out, first-origin forecast per label)."""
    results, skipped, paths = {}, {}, {}
    o0 = folds.start
    scale = mase_scale(y[:o0], cfg.m)
    for label in labels:
        if check is not None:
            check()
        try:
            base = _fit(label, z[:o0], cfg, auto=auto, check=check)
        except M.MethodUnavailable as exc:
            skipped[label] = str(exc)
            continue
        acts, preds = [], []
        try:
            whole = base.refilter(z) if base.forecast_from is not None else None
        except M.MethodUnavailable as exc:
            skipped[label] = str(exc)
            continue
        for i, o in enumerate(folds.origins):
            h = min(folds.steps, len(y) - o)
            try:
                if whole is not None:
                    mean, _ = whole.forecast_from(o, h)
                else:
                    f = base if o == o0 else base.refilter(z[:o])
                    mean, _ = f.forecast(h)
            except M.MethodUnavailable as exc:
                skipped[label] = str(exc)
                break
            pred = tr.inv(mean)
            if cfg.clip_at_zero:
                pred = np.maximum(pred, 0.0)
            if i == 0:
                paths[label] = pred.tolist()
            acts.append(y[o:o + h])
            preds.append(pred)
        else:
            results[label] = metrics(np.concatenate(acts), np.concatenate(preds), scale)
    return results, skipped, paths


def _score(m: dict) -> float:
    v = m.get("mase")
    if v is None:
        v = m.get("mae")
    return float("inf") if v is None or not np.isfinite(v) else float(v)


def _why(winner: str, res: dict, folds: Folds) -> str:
    w = res[winner]
    what = "MASE" if w.get("mase") is not None else "MAE"
    key = what.lower()
    text = (f"{winner} had the lowest backtest error ({what} {w[key]:.3g}, sMAPE {w['smape']:.1f}%) "
            f"over {len(folds.origins)} forecast origins in the last {folds.holdout} periods")
    others = sorted((k for k in res if k != winner), key=lambda k: _score(res[k]))
    if others:
        runner = others[0]
        text += f"; next best {runner} ({what} {res[runner][key]:.3g})" if res[runner][key] is not None else ""
    sn = res.get("seasonal_naive") or res.get("naive")
    if sn is not None and winner not in BASELINES and sn.get(key):
        base = "seasonal_naive" if "seasonal_naive" in res else "naive"
        gain = 100 * (1 - w[key] / sn[key])
        text += f"; {abs(gain):.0f}% {'lower' if gain >= 0 else 'higher'} than {base}"
    return text + "."


# ---------------------------------------------------------------------------- one series
def forecast_series(name: str, values, cfg_dict: dict, check: Callable[[], None] | None = None) -> dict:
    """Everything the tables, plots and panel need for one series, as plain JSON-able data."""
    cfg = Config.from_dict(cfg_dict)
    y = np.asarray(values, float)
    n = len(y)
    notes: list[str] = []
    out: dict = {"name": name, "n": n, "notes": notes, "backtest": {}, "skipped": {}, "ic": {},
                 "params": {}, "levels": list(cfg.levels)}
    if n and np.min(y) < 0:
        cfg.clip_at_zero = False
    h = max(int(cfg.horizon), 0)
    if cfg.horizon == 0:
        notes.append(f"{name}: horizon 0: no future periods are forecast; the backtest and fitted "
                     f"values are still shown.")

    # Degenerate series: nothing to estimate; the forecast repeats the value.
    if n == 0 or n == 1 or np.ptp(y) == 0:
        v = float(y[-1]) if n else 0.0
        why = ("every period has the same value" if n > 1 else "there is only one period of data")
        notes.append(f"{name}: {why} ({v:g}), so the forecast repeats it"
                     + (" with an interval of zero width." if n > 1 else "; no interval can be estimated."))
        sd = np.zeros(h) if n > 1 else np.full(h, np.nan)
        out.update(method="naive", reason=f"{why}: nothing to fit.", fitted=[None] + [v] * (n - 1) if n else [],
                   mean=[v] * h, sd=sd.tolist())
        out.update(_bands(np.full(h, v), sd, Transform(), cfg, np.full(h, v)))
        out["backtest_start"] = -1
        return out

    tr = choose_transform(y, cfg.log, name)
    if tr.note:
        notes.append(tr.note)
    z = tr.fwd(y)
    seasonal_ok = cfg.m >= 2 and n >= 2 * cfg.m
    if cfg.m >= 2 and not seasonal_ok:
        notes.append(f"{name}: the series has {n} periods, fewer than two seasons of {cfg.m}; seasonal "
                     f"methods were left out" + (" (seasonal naive needs one full season)." if n <= cfg.m else "."))

    auto = cfg.method == "auto"
    if auto:
        labels = list(AUTO_CANDIDATES)
        if 2 <= cfg.m <= M.MAX_SARIMA_SEASON and n - make_folds(n, cfg).holdout >= 2 * cfg.m + 4:
            labels[labels.index("arima")] = "sarima"
        if not (np.min(y) > 0 and tr.kind == "none"):
            labels.remove("holt_winters_mul")   # needs positive values; on logs a season is already multiplicative
    else:
        want = cfg.method
        if want == "holt_winters" and cfg.seasonal == "mul":
            want = "holt_winters_mul"
        if want in M.SEASONAL and not seasonal_ok and not (want == "seasonal_naive" and n > cfg.m >= 2):
            fb = FALLBACK[want]
            notes.append(f"{name}: {want} needs at least two full seasons ({2 * cfg.m} periods); "
                         f"{fb} was used instead.")
            want = fb
        labels = [want] + [b for b in BASELINES if b != want]

    folds = make_folds(n, cfg)
    res, skipped, paths = ({}, {}, {})
    if folds.origins:
        res, skipped, paths = backtest(y, z, labels, cfg, tr, folds, auto=auto, check=check)
    else:
        notes.append(f"{name}: too few periods ({n}) for a backtest; no accuracy figures.")
    out["skipped"] = skipped
    out["backtest"] = res
    out["backtest_start"] = folds.start
    out["backtest_paths"] = paths

    # The method to use on the whole series.
    if auto:
        ranked = sorted(res, key=lambda k: (_score(res[k]), SIMPLICITY.index(k) if k in SIMPLICITY else 99))
        if ranked:
            chosen = ranked[0]
            reason = _why(chosen, res, folds)
        else:
            chosen = "seasonal_naive" if n > cfg.m >= 2 else "naive"
            reason = f"{chosen}: no method could be backtested on {n} periods, so the simplest baseline was used."
    else:
        chosen = labels[0]
        reason = f"{chosen} was requested."
        if chosen in res and _score(res[chosen]) > min((_score(res[b]) for b in BASELINES if b in res),
                                                       default=float("inf")):
            reason += " Note: a baseline did better on the backtest (see the backtest table)."

    try:
        final = _fit(chosen, z, cfg, auto=auto, check=check)
    except M.MethodUnavailable as exc:
        notes.append(f"{name}: {chosen} could not be fitted to the whole series ({exc}); naive was used.")
        chosen, final = "naive", M.naive(z)
        reason = "naive (fallback)."
    out["method"] = chosen
    out["reason"] = reason
    out["params"] = plain(final.params)
    out["ic"] = final.ic
    if tr.kind != "none":
        out["params"]["transform"] = tr.kind
    fitted = tr.inv(final.fitted)
    out["fitted"] = [None if not np.isfinite(v) else float(v) for v in fitted]
    mean_z, sd_z = final.forecast(h)
    point = tr.inv(mean_z)
    out["mean"] = point.tolist()
    out["sd"] = sd_z.tolist()
    out.update(_bands(mean_z, sd_z, tr, cfg, point))
    return out


def _bands(mean_z, sd_z, tr: Transform, cfg: Config, point) -> dict:
    """Normal intervals on the model scale, mapped back through the transform (so a log model
    gets skewed bands); the point forecast of a log model is the median. Sales are clipped at
    zero when the history has no negative values."""
    from scipy.stats import norm

    point = np.asarray(point, float)
    if cfg.clip_at_zero:
        point = np.maximum(point, 0.0)
    bands = {"forecast": point.tolist(), "lower": {}, "upper": {}}
    for lv in cfg.levels:
        q = float(norm.ppf(0.5 + lv / 200.0))
        lo = tr.inv(np.asarray(mean_z) - q * np.asarray(sd_z))
        hi = tr.inv(np.asarray(mean_z) + q * np.asarray(sd_z))
        if cfg.clip_at_zero:
            lo, hi = np.maximum(lo, 0.0), np.maximum(hi, 0.0)
        key = _level_key(lv)
        bands["lower"][key] = [None if not np.isfinite(v) else float(v) for v in lo]
        bands["upper"][key] = [None if not np.isfinite(v) else float(v) for v in hi]
    return bands


def _level_key(lv: float) -> str:
    return str(int(lv)) if float(lv).is_integer() else f"{lv:g}"

