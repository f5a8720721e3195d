"""The forecast's words for people: each method's name (the tables, the form and sentences never
show an internal id such as ``holt_winters_mul``), periods counted in days/weeks/months, and the
baselines in plain terms ("the same day last week"). Messages, so results keep them as data and
show them in the reader's language."""

from __future__ import annotations

from bizops_desktop.core.i18n import Message

from .i18n import M, Mn, _l

# Every method the tables use, simpler first (engine.SIMPLICITY: on a tie the simpler one wins).
METHOD_IDS = (
    "naive",
    "seasonal_naive",
    "moving_average",
    "ses",
    "holt",
    "holt_winters",
    "holt_winters_mul",
    "arima",
    "sarima",
)

# The usual season of each frequency (bizops_desktop.core.views.periods.SEASON_LENGTH): the
# seasonal baseline's words name it only when the season is that one.
_USUAL_SEASON = {"D": 7, "W": 52, "M": 12}

# The form's choices: the method parameter says what a choice does without knowing the data yet.
METHOD_CHOICE_LABELS = {
    "auto": _l("Automatic (best on past sales)"),
    "naive": _l("Naive (repeat the latest period)"),
    "seasonal_naive": _l("Seasonal naive (same period last season)"),
    "moving_average": _l("Moving average"),
    "ses": _l("Simple exponential smoothing"),
    "holt": _l("Holt (with trend)"),
    "holt_winters": _l("Holt-Winters (with seasonality)"),
    "arima": _l("ARIMA"),
    "sarima": _l("Seasonal ARIMA (SARIMA)"),
}

# Short names for axis ticks, where the full names run into each other.
SHORT_NAMES = {
    "naive": _l("Naive"),
    "seasonal_naive": _l("Seas. naive"),
    "moving_average": _l("Mov. avg"),
    "ses": _l("SES"),
    "holt": _l("Holt"),
    "holt_winters": _l("HW add"),
    "holt_winters_mul": _l("HW mul"),
    "arima": _l("ARIMA"),
    "sarima": _l("SARIMA"),
}


def _usual(freq: str, m: int | None) -> str | None:
    return freq if freq in _USUAL_SEASON and (m is None or m == _USUAL_SEASON[freq]) else None


def method_name(method: str, freq: str = "", m: int | None = None) -> Message:
    """The method's name in words; the baselines say what they repeat for this frequency and
    season ("Seasonal naive (same day last week)")."""
    if method == "naive":
        return {
            "D": M("Naive (same as the latest day)"),
            "W": M("Naive (same as the latest week)"),
            "M": M("Naive (same as the latest month)"),
        }.get(freq) or M("Naive (repeat the latest period)")
    if method == "seasonal_naive":
        return {
            "D": M("Seasonal naive (same day last week)"),
            "W": M("Seasonal naive (same week last year)"),
            "M": M("Seasonal naive (same month last year)"),
        }.get(_usual(freq, m) or "") or M("Seasonal naive (same period last season)")
    names = {
        "moving_average": M("Moving average"),
        "ses": M("Simple exponential smoothing"),
        "holt": M("Holt (with trend)"),
        "holt_winters": M("Holt-Winters (additive seasonality)"),
        "holt_winters_mul": M("Holt-Winters (multiplicative seasonality)"),
        "arima": M("ARIMA"),
        "sarima": M("Seasonal ARIMA (SARIMA)"),
    }
    # an unknown label (a newer version's method in an old project) is shown as it is
    return names.get(method) or M("{method}", method=str(method))


def method_names(freq: str = "", m: int | None = None) -> dict[str, Message]:
    """id -> words, for a ``code`` column of method ids."""
    return {k: method_name(k, freq, m) for k in METHOD_IDS}


def baseline_phrase(method: str, freq: str = "", m: int | None = None) -> Message:
    """What a baseline repeats, to go inside a sentence ("repeating the same day last week")."""
    if method == "seasonal_naive":
        return {
            "D": M("the same day last week"),
            "W": M("the same week last year"),
            "M": M("the same month last year"),
        }.get(_usual(freq, m) or "") or M("the same period one season earlier")
    return {"D": M("the latest day"), "W": M("the latest week"), "M": M("the latest month")}.get(freq) or M(
        "the latest period"
    )


def periods(n: int, freq: str = "") -> Message:
    """``n`` periods counted in the series' own unit: "12 days", "8 weeks", "1 month"."""
    n = int(n)
    if freq == "D":
        return Mn("{n} day", "{n} days", n)
    if freq == "W":
        return Mn("{n} week", "{n} weeks", n)
    if freq == "M":
        return Mn("{n} month", "{n} months", n)
    return Mn("{n} period", "{n} periods", n)


def units(x: float) -> Message:
    """An amount of units sold ("1,240 units", "1 unit")."""
    count = int(x) if float(x).is_integer() else 2  # English: "1.5 units"; only a whole 1 is singular
    return Mn("{amount} unit", "{amount} units", count, amount=x)
