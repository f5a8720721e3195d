"""What an analysis recommends doing this week: :class:`Action`, kept in ``Result.actions`` and
gathered, across tabs, by the Overview ("This week") and the report, ranked by money at stake.

An analysis adds a few actions (the top 3-5 of its own answer, not one per row) to its result:

    result.actions.append(Action(
        kind="bundle",
        text=M("Offer {a} and {b} as a bundle", a=name_a, b=name_b),
        why=M("bought together in {n:int} orders, {lift:num}x more often than chance", ...),
        money=123.4,                       # the shop's money at stake over the next 4 weeks
        table="pairs", key={"antecedent": "P01", "consequent": "P07"},
    ))

``money`` is the one scale every tab shares so that the Overview can rank them: the amount of the
shop's money the action is about over the next :data:`HORIZON_DAYS` days (extra profit or revenue
expected, spend at risk, sales lost to a stock-out), never a statistic. None means the analysis
cannot put a sum on it; such actions rank after those with one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import i18n

HORIZON_DAYS = 28  # the period Action.money refers to (4 weeks: "this week" and the next few)

KINDS = ("bundle", "cross_sell", "contact", "win_back", "remind", "price", "restock", "markdown", "other")


@dataclass
class Action:
    """kind: see KINDS (the Overview's icon and grouping). text: the action in the shop owner's
    words, imperative, naming the product or customer (a Message). why: one line of why (a
    Message). money: see the module docstring. table/key: the row of the tab's table the action
    is about (``key`` maps column ids to the values that find it), so the Overview can open the tab
    on it; empty when it is about the whole tab."""

    kind: str
    text: Any
    why: Any = None
    money: float | None = None
    table: str = ""
    key: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown action kind {self.kind!r}")
        if self.money is not None:
            m = float(self.money)
            self.money = m if math.isfinite(m) else None
        self.key = {str(k): str(v) for k, v in dict(self.key).items()}

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "text": i18n.to_plain(self.text)}
        if self.why is not None:
            d["why"] = i18n.to_plain(self.why)
        if self.money is not None:
            d["money"] = round(float(self.money), 2)
        if self.table:
            d["table"] = self.table
        if self.key:
            d["key"] = dict(self.key)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Action | None":
        """The action saved in a project file, or None when the entry is not one (untrusted)."""
        if not isinstance(d, Mapping) or not _is_text(d.get("text")):
            return None
        kind = d.get("kind") if d.get("kind") in KINDS else "other"
        why = d.get("why") if _is_text(d.get("why")) else None
        money = d.get("money")
        if not isinstance(money, (int, float)) or isinstance(money, bool):
            money = None
        key = d.get("key")
        key = (
            {str(k): str(v) for k, v in key.items() if isinstance(v, (str, int, float))}
            if isinstance(key, Mapping)
            else {}
        )
        table = d.get("table") if isinstance(d.get("table"), str) else ""
        return cls(str(kind), d["text"], why, money, str(table)[:200], key)


def _is_text(v: Any) -> bool:
    return isinstance(v, str) or (isinstance(v, Mapping) and isinstance(v.get("msgid"), str))


def ranked(actions: list[tuple[str, Action]]) -> list[tuple[str, Action]]:
    """(tab id, action) pairs, the most money first; those without a sum after, in their order."""
    order = {id(a): i for i, (_t, a) in enumerate(actions)}
    return sorted(actions, key=lambda ta: (ta[1].money is None, -(ta[1].money or 0.0), order[id(ta[1])]))
