"""Forecast one series end to end: transform, rolling-origin backtest of the candidate methods,
choice of the method, final fit, forecast with intervals. Plain numbers in and a JSON-able dict
out, so it runs the same in this process or in a worker process (it imports no Qt)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bizops_desktop.core.i18n import Message, sentences, to_plain
from bizops_desktop.core.jsonable import plain

from . import methods as fm
from .i18n import M, Mn
from .words import METHOD_IDS, baseline_phrase, method_name, periods

# "arima" becomes the seasonal airline model "sarima" when the season and the data allow it.
AUTO_CANDIDATES = (
    "naive",
    "seasonal_naive",
    "moving_average",
    "ses",
    "holt",
    "holt_winters",
    "holt_winters_mul",
    "arima",
)
BASELINES = ("naive", "seasonal_naive")
# Simpler first: on a tie the simpler method wins (the one list of methods, in words.py).
SIMPLICITY = METHOD_IDS
MAX_FOLDS = 4
# A model whose backtest error is less than this much below the baseline's is called "hardly
# better" than it: such a difference is within what the choice of the backtest window moves.
CLEAR_GAIN = 0.05
FALLBACK = {"holt_winters": "holt", "holt_winters_mul": "holt", "sarima": "arima", "seasonal_naive": "naive"}


@dataclass
class Config:
    """What to do with each series (resolved from the analysis parameters)."""

    method: str = "auto"
    horizon: int = 12
    m: int = 12  # season length
    window: int | None = None
    alpha: float | None = None
    trend: str = "add"  # add | damped | none
    seasonal: str = "add"  # add | mul
    order: tuple | None = None
    seasonal_order: tuple | None = None
    log: bool = False
    holdout: int | None = None
    levels: tuple = (80.0, 95.0)
    clip_at_zero: bool = True  # sales cannot go below zero (off when the data has negatives)
    freq: str = ""  # D | W | M: only for the words (days, "same day last week")

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
        return {"mae": None, "rmse": None, "mape": None, "smape": None, "mase": None, "n": 0, "mape_skipped": 0}
    e = a - f
    mae = float(np.mean(np.abs(e)))
    rmse = float(math.sqrt(float(np.mean(e * e))))
    nz = a != 0
    mape = float(np.mean(np.abs(e[nz] / a[nz])) * 100) if nz.any() else None
    den = np.abs(a) + np.abs(f)
    sm = den > 0
    smape = float(np.mean(200 * np.abs(e[sm]) / den[sm])) if sm.any() else 0.0
    mase = mae / scale if scale and scale > 0 else None
    return {
        "mae": mae,
        "rmse": rmse,
        "mape": mape,
        "smape": smape,
        "mase": mase,
        "n": int(len(a)),
        "mape_skipped": int((~nz).sum()),
    }


def mase_scale(train: np.ndarray, m: int) -> float:
    lag = m if (m > 1 and len(train) > m) else 1
    if len(train) <= lag:
        return float("nan")
    return float(np.mean(np.abs(train[lag:] - train[:-lag])))


# ------------------------------------------------------------------------- the transform
@dataclass
class Transform:
    kind: str = "none"  # none | log | log1p
    note: object = None  # a Message for the notes

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
        return Transform(
            "log1p",
            M("{series}: some periods have zero sales, so log(1 + sales) was used instead of log(sales).", series=name),
        )
    return Transform(
        "none",
        M(
            "{series}: the log transform was not applied because the series has negative "
            "values (returns; lowest {low}), so it was forecast without it.",
            series=name,
            low=lo,
        ),
    )


# ------------------------------------------------------------------------------- methods
def _fit(label: str, z: np.ndarray, cfg: Config, *, auto: bool, check=None) -> fm.Fitted:
    """Fit one method (by table label) with the configured parameters."""
    m = cfg.m
    trend = None if cfg.trend == "none" else cfg.trend
    if label == "naive":
        return fm.naive(z)
    if label == "seasonal_naive":
        return fm.seasonal_naive(z, m)
    if label == "moving_average":
        w = cfg.window if cfg.window else fm.choose_window(z, m)
        return fm.moving_average(z, w)
    if label == "ses":
        return fm.exponential_smoothing(z, alpha=cfg.alpha)
    if label == "holt":
        return fm.exponential_smoothing(z, trend=trend or "add", alpha=cfg.alpha)
    if label in ("holt_winters", "holt_winters_mul"):
        season = "mul" if label == "holt_winters_mul" else "add"
        return fm.exponential_smoothing(z, trend=trend, seasonal=season, m=m, alpha=cfg.alpha)
    if label in ("arima", "sarima"):
        if cfg.order is None and cfg.seasonal_order is None:
            if auto:
                # auto tries one robust model per family rather than an order search per fold:
                # the airline model (Box & Jenkins) with a season, ARIMA(1,1,1) without one.
                if label == "sarima":
                    return fm.arima(z, (0, 1, 1), (0, 1, 1, m))
                return fm.arima(z, (1, 1, 1), None)
            fit, _ = fm.select_order(z, m, seasonal=label == "sarima", check=check)
            return fit
        order = cfg.order or (0, 1, 1)
        if label == "sarima":
            sorder = cfg.seasonal_order or (0, 1, 1, m)
        else:
            sorder = None
        return fm.arima(z, order, sorder)
    raise fm.MethodUnavailable(M("unknown method {method}", method=label))


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


def backtest(
    y: np.ndarray, z: np.ndarray, labels, cfg: Config, tr: Transform, folds: Folds, *, auto: bool, check=None
) -> tuple[dict, dict, dict]:
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
        except fm.MethodUnavailable as exc:
            skipped[label] = to_plain(exc.reason)
            continue
        acts, preds = [], []
        try:
            # the same parameters over the whole series, forecasting from each origin
            from_origin = base.refilter(z).forecast_from if base.forecast_from is not None else None
        except fm.MethodUnavailable as exc:
            skipped[label] = to_plain(exc.reason)
            continue
        for i, o in enumerate(folds.origins):
            h = min(folds.steps, len(y) - o)
            try:
                if from_origin is not None:
                    mean, _ = from_origin(o, h)
                else:
                    f = base if o == o0 else base.refilter(z[:o])
                    mean, _ = f.forecast(h)
            except fm.MethodUnavailable as exc:
                skipped[label] = to_plain(exc.reason)
                break
            pred = tr.inv(mean)
            if cfg.clip_at_zero:
                pred = np.maximum(pred, 0.0)
            if i == 0:
                paths[label] = pred.tolist()
            acts.append(y[o : o + h])
            preds.append(pred)
        else:
            results[label] = metrics(np.concatenate(acts), np.concatenate(preds), scale)
    return results, skipped, paths


def _score(m: dict) -> float:
    v = m.get("mase")
    if v is None:
        v = m.get("mae")
    return float("inf") if v is None or not np.isfinite(v) else float(v)


def _fig(v):
    """A backtest figure for a sentence ("–" where there is none)."""
    return "–" if v is None else v


def _why(winner: str, res: dict, folds: Folds, cfg: Config, *, requested: bool = False):
    """Why ``winner`` forecasts this series: (in the shop's words, with the backtest figures), as
    messages. The words say how far off it typically was on the last periods (sMAPE) and how its
    errors compare with the baseline; the figures (MASE or MAE, the runner-up) go under Details."""
    w = res[winner]
    what = "MASE" if w.get("mase") is not None else "MAE"
    key = what.lower()
    name = method_name(winner, cfg.freq, cfg.m)
    window = periods(folds.holdout, cfg.freq)
    error = None if w.get("smape") is None else w["smape"] / 100
    base = "seasonal_naive" if "seasonal_naive" in res else "naive"
    sn = res.get(base)
    gain = None
    if sn is not None and winner not in BASELINES and sn.get(key) and w.get(key) is not None:
        gain = 1 - w[key] / sn[key]
    baseline = baseline_phrase(base, cfg.freq, cfg.m)
    words: Message | None  # sentences() below gives None only when given nothing
    if requested:
        words = M(
            "{method} was chosen in the settings; on the last {window} it was typically off by {error:percent}.",
            method=name,
            window=window,
            error=error,
        )
        best_base = min((b for b in BASELINES if b in res), key=lambda b: _score(res[b]), default=None)
        if best_base is not None and _score(w) > _score(res[best_base]):
            words = sentences(
                words,
                M(
                    "Simply repeating {baseline} forecast past sales better (see Details).",
                    baseline=baseline_phrase(best_base, cfg.freq, cfg.m),
                ),
            )
        figures = Mn(
            "{method}: backtest error {metric} {score}, sMAPE {smape:percent}, over {n} forecast "
            "origin in the last {holdout}.",
            "{method}: backtest error {metric} {score}, sMAPE {smape:percent}, over {n} forecast "
            "origins in the last {holdout}.",
            len(folds.origins),
            method=name,
            metric=what,
            score=_fig(w.get(key)),
            smape=error,
            holdout=window,
        )
    else:
        if winner in BASELINES:
            words = M(
                "{method} forecast the last {window} best: typically off by {error:percent}; no model did better.",
                method=name,
                window=window,
                error=error,
            )
        elif gain is not None and gain >= CLEAR_GAIN:
            words = M(
                "{method} forecast the last {window} best: typically off by {error:percent}, with "
                "errors {gain:percent} smaller than repeating {baseline}.",
                method=name,
                window=window,
                error=error,
                gain=gain,
                baseline=baseline,
            )
        elif gain is not None and gain >= 0:
            words = M(
                "{method} forecast the last {window} best: typically off by {error:percent}, hardly "
                "better than simply repeating {baseline}.",
                method=name,
                window=window,
                error=error,
                baseline=baseline,
            )
        else:
            words = M(
                "{method} forecast the last {window} best: typically off by {error:percent}.",
                method=name,
                window=window,
                error=error,
            )
        figures = Mn(
            "{method} had the lowest backtest error ({metric} {score}, sMAPE {smape:percent}) over "
            "{n} forecast origin in the last {holdout}.",
            "{method} had the lowest backtest error ({metric} {score}, sMAPE {smape:percent}) over "
            "{n} forecast origins in the last {holdout}.",
            len(folds.origins),
            method=name,
            metric=what,
            score=_fig(w.get(key)),
            smape=error,
            holdout=window,
        )
    runner = None
    others = sorted((k for k in res if k != winner), key=lambda k: _score(res[k]))
    if others and res[others[0]].get(key) is not None:
        runner = M(
            "Next best: {method} ({metric} {score}).",
            method=method_name(others[0], cfg.freq, cfg.m),
            metric=what,
            score=_fig(res[others[0]][key]),
        )
    versus = None
    if gain is not None:
        versus = (
            M("{gain:percent} lower than {baseline}.", gain=gain, baseline=method_name(base, cfg.freq, cfg.m))
            if gain >= 0
            else M("{gain:percent} higher than {baseline}.", gain=-gain, baseline=method_name(base, cfg.freq, cfg.m))
        )
    return words, sentences(figures, runner, versus)


# ---------------------------------------------------------------------------- one series
def forecast_series(name: str, values, cfg_dict: dict, check: Callable[[], None] | None = None) -> dict:
    """Everything the tables, plots and panel need for one series, as plain JSON-able data.
    Notes and the reason for the method are messages in their plain form (``{series}`` is the
    series' name; the analysis puts the product's name there)."""
    cfg = Config.from_dict(cfg_dict)
    y = np.asarray(values, float)
    n = len(y)
    notes: list = []
    out: dict = {
        "name": name,
        "n": n,
        "notes": notes,
        "backtest": {},
        "skipped": {},
        "ic": {},
        "params": {},
        "levels": list(cfg.levels),
        "reason_details": None,
    }
    if n and np.min(y) < 0:
        cfg.clip_at_zero = False
    h = max(int(cfg.horizon), 0)
    if cfg.horizon == 0:
        notes.append(
            M(
                "{series}: periods ahead is 0, so no future periods are forecast; the backtest and "
                "fitted values are still shown.",
                series=name,
            )
        )

    # Degenerate series: nothing to estimate; the forecast repeats the value.
    if n == 0 or n == 1 or np.ptp(y) == 0:
        v = float(y[-1]) if n else 0.0
        if n > 1:
            notes.append(
                M(
                    "{series}: every period has the same value ({value}), so the forecast repeats it "
                    "with a range of zero width.",
                    series=name,
                    value=v,
                )
            )
            reason = M("Every period has the same value ({value}): nothing to fit, the forecast repeats it.", value=v)
        else:
            notes.append(
                M(
                    "{series}: there is only one period of data ({value}), so the forecast repeats it; "
                    "no range can be estimated.",
                    series=name,
                    value=v,
                )
            )
            reason = M("There is only one period of data ({value}): nothing to fit, the forecast repeats it.", value=v)
        sd = np.zeros(h) if n > 1 else np.full(h, np.nan)
        out.update(
            method="naive",
            reason=to_plain(reason),
            fitted=[None] + [v] * (n - 1) if n else [],
            mean=[v] * h,
            sd=sd.tolist(),
        )
        out.update(_bands(np.full(h, v), sd, Transform(), cfg, np.full(h, v)))
        out["backtest_start"] = -1
        out["notes"] = [to_plain(x) for x in notes]
        return out

    tr = choose_transform(y, cfg.log, name)
    if tr.note:
        notes.append(tr.note)
    z = tr.fwd(y)
    seasonal_ok = cfg.m >= 2 and n >= 2 * cfg.m
    if cfg.m >= 2 and not seasonal_ok:
        history, season = periods(n, cfg.freq), periods(cfg.m, cfg.freq)
        notes.append(
            M(
                "{series}: {history} of history is less than two full seasons of {season}, so the "
                "seasonal methods were left out (seasonal naive needs one full season).",
                series=name,
                history=history,
                season=season,
            )
            if n <= cfg.m
            else M(
                "{series}: {history} of history is less than two full seasons of {season}, so the "
                "seasonal methods were left out.",
                series=name,
                history=history,
                season=season,
            )
        )

    auto = cfg.method == "auto"
    if auto:
        labels = list(AUTO_CANDIDATES)
        if 2 <= cfg.m <= fm.MAX_SARIMA_SEASON and n - make_folds(n, cfg).holdout >= 2 * cfg.m + 4:
            labels[labels.index("arima")] = "sarima"
        if not (np.min(y) > 0 and tr.kind == "none"):
            labels.remove("holt_winters_mul")  # needs positive values; on logs a season is already multiplicative
    else:
        want = cfg.method
        if want == "holt_winters" and cfg.seasonal == "mul":
            want = "holt_winters_mul"
        if want in fm.SEASONAL and not seasonal_ok and not (want == "seasonal_naive" and n > cfg.m >= 2):
            fb = FALLBACK[want]
            notes.append(
                M(
                    "{series}: {method} needs at least two full seasons of history ({count}); {fallback} "
                    "was used instead.",
                    series=name,
                    method=method_name(want, cfg.freq, cfg.m),
                    count=periods(2 * cfg.m, cfg.freq),
                    fallback=method_name(fb, cfg.freq, cfg.m),
                )
            )
            want = fb
        labels = [want] + [b for b in BASELINES if b != want]

    folds = make_folds(n, cfg)
    res: dict = {}
    skipped: dict = {}
    paths: dict = {}
    if folds.origins:
        res, skipped, paths = backtest(y, z, labels, cfg, tr, folds, auto=auto, check=check)
    else:
        notes.append(
            M(
                "{series}: too little history ({count}) to test the methods on past sales; no accuracy figures.",
                series=name,
                count=periods(n, cfg.freq),
            )
        )
    out["skipped"] = skipped
    out["backtest"] = res
    out["backtest_start"] = folds.start
    out["backtest_paths"] = paths

    # The method to use on the whole series.
    details = None
    if auto:
        ranked = sorted(res, key=lambda k: (_score(res[k]), SIMPLICITY.index(k) if k in SIMPLICITY else 99))
        if ranked:
            chosen = ranked[0]
            reason, details = _why(chosen, res, folds, cfg)
        else:
            chosen = "seasonal_naive" if n > cfg.m >= 2 else "naive"
            reason = M(
                "Too little history ({count}) to compare the methods on past sales, so the simplest one "
                "was used: {method}.",
                count=periods(n, cfg.freq),
                method=method_name(chosen, cfg.freq, cfg.m),
            )
    else:
        chosen = labels[0]
        if chosen in res:
            reason, details = _why(chosen, res, folds, cfg, requested=True)
        else:
            reason = M("{method} was chosen in the settings.", method=method_name(chosen, cfg.freq, cfg.m))

    try:
        final = _fit(chosen, z, cfg, auto=auto, check=check)
    except fm.MethodUnavailable as exc:
        notes.append(
            M(
                "{series}: {method} could not be fitted to the whole series ({error}); {fallback} was used.",
                series=name,
                method=method_name(chosen, cfg.freq, cfg.m),
                error=exc.reason,
                fallback=method_name("naive", cfg.freq, cfg.m),
            )
        )
        reason = M(
            "{fallback} was used because {method} could not be fitted to the whole series.",
            fallback=method_name("naive", cfg.freq, cfg.m),
            method=method_name(chosen, cfg.freq, cfg.m),
        )
        details = None
        chosen, final = "naive", fm.naive(z)
    out["method"] = chosen
    out["reason"] = to_plain(reason)
    out["reason_details"] = to_plain(details)
    out["notes"] = [to_plain(x) for x in notes]
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
