"""The shop owner's words for the customer features and for the reasons a customer scores high
("no order for 120 days", "spent 40% less in the later half of their time with the shop"), kept
as messages so a saved result reads in the language of whoever opens it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from bizops_desktop.core.i18n import Message

from .i18n import M, Mn, _l

# Titles of the features built from orders (bizops_desktop/core/views/customers.py) and of the
# columns a customer table commonly has (the demo shop's, the list's own): (title, the same on two
# short lines for the bars of the odds-ratio chart, where neighbours must not collide).
FEATURE_TITLES = {
    "recency_days": (_l("days since the last order"), _l("days since\nthe last order")),
    "days_since_last_order": (_l("days since the last order"), _l("days since\nthe last order")),
    "frequency": (_l("number of orders"), _l("number\nof orders")),
    "monetary": (_l("total spend"), _l("total\nspend")),
    "tenure_days": (_l("days since the first order"), _l("days since\nthe first order")),
    "avg_order_value": (_l("average order value"), _l("average\norder value")),
    "spend_trend": (_l("spending trend"), _l("spending\ntrend")),
    "orders_last_year": (_l("orders in the last year"), _l("orders in\nthe last year")),
    "spend_last_year": (_l("spend in the last year"), _l("spend in\nthe last year")),
}
# Without money columns, spend is counted in units bought or in order lines.
SPEND_TITLES = {
    "units": {
        "monetary": (_l("units bought"), _l("units\nbought")),
        "avg_order_value": (_l("units per order"), _l("units\nper order")),
    },
    "order lines": {
        "monetary": (_l("order lines bought"), _l("order lines\nbought")),
        "avg_order_value": (_l("order lines per order"), _l("order lines\nper order")),
    },
}
# Features whose reasons have words of their own, by id (and the Chinese demo shop's headers:
# the title stays the user's column name, the sentence says what it means).
RECENCY = ("recency_days", "days_since_last_order", "距上次下单天数")
MONEY_FEATURES = ("monetary", "avg_order_value", "spend_last_year", "近一年消费金额")


def message_of(lazy) -> Any:
    """A title as a message of this package (kept as data in a result, rendered when shown)."""
    return M(lazy.msgid)


def _titles(feature: str, spend_unit: str):
    return SPEND_TITLES.get(spend_unit, {}).get(feature) or FEATURE_TITLES.get(feature)


def feature_title(feature: str, spend_unit: str = "money") -> Any:
    """Words for a feature id (a message), or the column's own name when it is the user's."""
    titles = _titles(feature, spend_unit)
    return message_of(titles[0]) if titles is not None else str(feature)


def feature_titles(columns, spend_unit: str = "money") -> dict[str, Any]:
    return {c: feature_title(c, spend_unit) for c in columns}


def tick_label(feature: str, spend_unit: str = "money", level: Any = None) -> Any:
    """A bar's label in the odds-ratio chart: the feature's short title (a message), or the
    user's column name on short lines; with the category's level on the line(s) below."""
    titles = _titles(feature, spend_unit)
    name = message_of(titles[1]) if titles is not None else wrap(feature)
    if level is None:
        return name
    return M("{feature}:\n{level}", feature=name, level=wrap(level, lines=2))


def wrap(name: Any, width: int = 12, lines: int = 3) -> str:
    """A name from the data on a few short lines ("monthly" / "charges"), so neighbours do not
    collide. Chinese, without spaces, counts double (its characters are twice as wide): up to
    ``width // 2 + 1`` characters stay on one line, longer names are cut into even lines."""
    name = str(name).replace("_", " ").strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in name) and " " not in name:
        most = width // 2 + 1
        if len(name) <= most:
            return name
        parts = min(lines, -(-len(name) // most))
        step = -(-len(name) // parts)
        return "\n".join(name[i : i + step] for i in range(0, len(name), step)[:lines])
    words, out, cur = name.split(" "), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            out.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    out.append(cur)
    return "\n".join(line if len(line) <= width + 4 else line[: width + 3] + "…" for line in out[:lines])


def level_name(title: Any, level: Any) -> Any:
    """A category of a feature: "contract: Two year"."""
    return M("{feature}: {level}", feature=title, level=str(level))


def _plain(v: Any) -> float:
    return float(v.item() if hasattr(v, "item") else v)


class Phrases:
    """Turns "this feature pushes this customer's risk up" into words. ``money`` are the
    features counted in the shop's currency (besides total spend and average order value when
    spend is money)."""

    def __init__(self, titles: Mapping[str, Any], spend_unit: str = "money", money=()):
        self.titles = dict(titles)
        self.money = set(money) | (set(MONEY_FEATURES) if spend_unit == "money" else set())
        self.spend_unit = spend_unit

    def title(self, feature: str) -> Any:
        return self.titles.get(feature, str(feature))

    def number(self, feature: str, value: Any, average: float) -> Any:
        """Why a number makes this customer look likely to leave."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return M("{feature} unknown", feature=self.title(feature))
        v, avg = _plain(value), float(average)
        high = v > avg
        if feature in RECENCY and high:
            return Mn(
                "no order for {n} day (average customer: {average:int})",
                "no order for {n} days (average customer: {average:int})",
                int(round(v)),
                average=avg,
            )
        if feature == "frequency" and not high:
            return Mn(
                "only {n} order (average customer: {average})",
                "only {n} orders (average customer: {average})",
                int(round(v)),
                average=round(avg, 1),
            )
        if feature == "tenure_days":
            return Mn(
                "first order {n} day ago (average customer: {average:int} days)",
                "first order {n} days ago (average customer: {average:int} days)",
                int(round(v)),
                average=avg,
            )
        if feature == "spend_trend":
            return self.trend(v)
        if feature in self.money:
            if high:
                return M(
                    "{feature} is high: {value:money} (average customer: {average:money})",
                    feature=self.title(feature),
                    value=v,
                    average=avg,
                )
            return M(
                "{feature} is low: {value:money} (average customer: {average:money})",
                feature=self.title(feature),
                value=v,
                average=avg,
            )
        if high:
            return M(
                "{feature} is high: {value} (average customer: {average})",
                feature=self.title(feature),
                value=v,
                average=avg,
            )
        return M(
            "{feature} is low: {value} (average customer: {average})", feature=self.title(feature), value=v, average=avg
        )

    @staticmethod
    def trend(t: float) -> Any:
        """spend_trend t = (later - earlier) / (|later| + |earlier|) as "spent 40% less in the
        later half of their time with the shop than in the earlier half" (later/earlier =
        (1 + t) / (1 - t))."""
        if t <= -1:
            return M("spent nothing in the later half of their time with the shop")
        if t >= 1:
            return M("spent nothing in the earlier half of their time with the shop")
        if t < 0:
            return M(
                "spent {share:percent} less in the later half of their time with the shop than in the earlier half",
                share=-2 * t / (1 - t),
            )
        if t > 0:
            return M(
                "spent {share:percent} more in the later half of their time with the shop than in the earlier half",
                share=2 * t / (1 - t),
            )
        return M("spent the same in both halves of their time with the shop")

    def category(self, feature: str, value: Any) -> Any:
        if not isinstance(value, str):
            return M("{feature} unknown", feature=self.title(feature))
        return level_name(self.title(feature), value)


def as_dict(m: Any) -> Any:
    """``Message.to_dict()`` for the messages built here (whose values are already plain Python),
    without its general conversion: a list of ten thousand customers' reasons is built in a blink."""
    if not isinstance(m, Message):
        return m
    d: dict[str, Any] = {"domain": m.domain, "msgid": m.msgid, "values": {k: as_dict(v) for k, v in m.values.items()}}
    if m.plural is not None:
        d["plural"] = m.plural
        d["n"] = m.n
    return d


def join_reasons(parts: list) -> Any:
    """Up to three reasons as one message (a table cell)."""
    if not parts:
        return M("nothing stands out")
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return M("{first}; {second}", first=parts[0], second=parts[1])
    return M("{first}; {second}; {third}", first=parts[0], second=parts[1], third=parts[2])
