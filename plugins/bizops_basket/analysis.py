"""Basket rules: which products sell together. The pure ``run`` behind the tab, the CLI and the
project file: baskets view -> Apriori itemsets -> rules, with a plain-words "why" per rule."""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
import pandas as pd

from bizops_desktop.core.actions import HORIZON_DAYS, Action
from bizops_desktop.core.analysis import Result
from bizops_desktop.core.display import Column
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.i18n import Message
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.baskets import Baskets, baskets_from_dataset

from .apriori import association_rules, frequent_itemsets, min_count_for
from .i18n import M, Mn, _, _l

RULE_COLUMNS = [
    "antecedents",
    "consequents",
    "antecedent_names",
    "consequent_names",
    "antecedent_support",
    "consequent_support",
    "support",
    "confidence",
    "lift",
    "leverage",
    "conviction",
    "count",
    "why",
]
ITEMSET_COLUMNS = ["itemset", "size", "count", "support"]
PAIR_COLUMNS = [
    "a",
    "b",
    "a_names",
    "b_names",
    "confidence_ab",
    "confidence_ba",
    "lift",
    "count",
    "support",
    "sentence",
]
BUNDLE_COLUMNS = ["items", "names", "size", "count", "lift", "reason"]

# A lift in this band is "about as often as on average": no real link between the products.
NO_LINK = (0.95, 1.05)
# Fewer orders with both than this and the strongest rule may be chance: the headline says so.
FEW_ORDERS = 10
# A suggested bundle: products bought together in at least this many orders, at least this many
# times more often than average; the strongest (by lift) first, at most BUNDLE_MAX of them.
BUNDLE_MIN_ORDERS = 20
BUNDLE_MIN_LIFT = 2.0
BUNDLE_MAX = 10
# This week's actions: the strongest suggested bundles, at most this many.
BUNDLE_ACTIONS = 4
# What a bundle is assumed to earn, kept low on purpose (no uplift is measured here): one in ten of
# the orders that have one side of the bundle without the other adds the other side at its usual
# price. The orders per 4 weeks are the history's pace.
BUNDLE_TAKE_UP = 0.10

# How the tables read for people (the stored tables keep these ids and plain numbers).
# Statistics that a shop owner does not need to act on are marked as details.
RULE_TITLES = {
    "antecedent_support": Column(
        _l("Orders with the “if” products"),
        "percent",
        details=True,
        help=_l("share of all orders that have the “if” products"),
    ),
    "consequent_support": Column(
        _l("Orders with the “then” products"),
        "percent",
        details=True,
        help=_l("share of all orders that have the “then” products"),
    ),
    "support": Column(
        _l("Share of all orders (support)"),
        "percent",
        help=_l("share of all orders that have the products of both sides"),
    ),
    "confidence": Column(
        _l("Also bought (confidence)"),
        "percent",
        help=_l("of the orders with the “if” products, the share that also have the “then” products"),
    ),
    "lift": Column(
        _l("× more often (lift)"),
        "num",
        help=_l(
            "how many times more often the “then” products are bought with the "
            "“if” products than on average; 1 means no link"
        ),
    ),
    "leverage": Column(
        _l("Extra orders with both (leverage)"),
        "percent",
        details=True,
        help=_l(
            "share of all orders with both sides, minus the share expected if "
            "the products had nothing to do with each other"
        ),
    ),
    "conviction": Column(
        _l("Conviction"),
        "num",
        details=True,
        help=_l(
            "how much more often the rule would be wrong if the products had "
            "nothing to do with each other; ∞ when it is never wrong"
        ),
    ),
    "count": Column(_l("Orders with both"), "int", help=_l("orders that have the products of both sides")),
    "why": Column(_l("In plain words"), "text"),
}
IF_SIDE = Column(_l("If the order has"), "text", help=_l("the products on the “if” side of the rule"))
THEN_SIDE = Column(_l("Then it also has"), "text", help=_l("the products on the “then” side of the rule"))


def rule_columns(has_names: bool) -> dict[str, Column]:
    """Column specs of the rules table. Each side is a list of products: with names, the name
    lists are what people read and the id lists stay for scripts (hidden); without, the ids are
    the names (a basket file lists the items themselves)."""
    cols = dict(RULE_TITLES)
    if has_names:
        cols["antecedent_names"] = IF_SIDE
        cols["consequent_names"] = THEN_SIDE
        cols["antecedents"] = Column(_l("If the order has (product ids)"), "hidden")
        cols["consequents"] = Column(_l("Then it also has (product ids)"), "hidden")
    else:
        cols["antecedents"] = IF_SIDE
        cols["consequents"] = THEN_SIDE
    return cols


ITEMSET_TITLES = {
    "itemset": Column(_l("Products"), "product", help=_l("a product, or products bought together in the same order")),
    "size": Column(_l("Products in the set"), "int"),
    "count": Column(_l("Orders with all of them"), "int"),
    "support": Column(
        _l("Share of all orders (support)"),
        "percent",
        help=_l("share of all orders that have every product of the set"),
    ),
}


PAIR_TITLES = {
    "a": Column(_l("Products (ids)"), "hidden"),
    "b": Column(_l("Bought with (ids)"), "hidden"),
    "a_names": Column(_l("Products"), "text", help=_l("the products of the strongest rule's “if” side")),
    "b_names": Column(_l("Bought with"), "text", help=_l("the products of the strongest rule's “then” side")),
    "confidence_ab": Column(
        _l("Also bought (confidence)"),
        "percent",
        help=_l("of the orders with the first products, the share that also have the others"),
    ),
    "confidence_ba": Column(
        _l("The other way round"),
        "percent",
        help=_l("of the orders with the other products, the share that also have the first ones"),
    ),
    "lift": RULE_TITLES["lift"],
    "count": Column(_l("Orders with both"), "int", help=_l("orders that have all of these products")),
    "support": Column(
        _l("Share of all orders (support)"),
        "percent",
        help=_l("share of all orders that have all of these products"),
    ),
    "sentence": Column(_l("In plain words"), "text"),
}
BUNDLE_TITLES = {
    "items": Column(_l("Bundle (product ids)"), "hidden"),
    "names": Column(_l("Bundle"), "text", help=_l("the products to offer together")),
    "size": Column(_l("Products in the set"), "int"),
    "count": Column(_l("Orders with all of them"), "int"),
    "lift": RULE_TITLES["lift"],
    "reason": Column(_l("Why"), "text"),
}


def rule_text(ante: list[str], cons: list[str]) -> str:
    """A rule for a hover tip: product names and signs, no words, so it reads in any language."""
    return " + ".join(map(str, ante)) + " → " + " + ".join(map(str, cons))


def _times(lift: float) -> float:
    """A lift as people read it: "3.1× more often" (one decimal is all it means)."""
    return round(float(lift), 1) if lift >= 1.0 else round(1.0 / float(lift), 1)


def why_sentence(ante: list[str], cons: list[str], confidence: float, lift: float) -> Message:
    """The rule in a shop owner's words, rendered in the reader's language when shown."""
    v = {"a": [str(x) for x in ante], "c": [str(x) for x in cons], "confidence": float(confidence)}
    if not np.isfinite(lift):
        return M("Customers who buy {a:list} also buy {c:list} in {confidence:percent} of their orders.", **v)
    if NO_LINK[0] <= lift < NO_LINK[1]:
        return M(
            "Customers who buy {a:list} also buy {c:list} in {confidence:percent} of their orders, "
            "about as often as on average (no real link).",
            **v,
        )
    if lift >= 1.0:
        return M(
            "Customers who buy {a:list} also buy {c:list} in {confidence:percent} of their orders, "
            "{times}× more often than average.",
            times=_times(lift),
            **v,
        )
    if lift > 0:
        return M(
            "Customers who buy {a:list} also buy {c:list} in {confidence:percent} of their orders, "
            "{times}× less often than average.",
            times=_times(lift),
            **v,
        )
    return M("Customers who buy {a:list} never also buy {c:list}.", **v)


def why_cells(ante: list[list[str]], cons: list[list[str]], confidence: np.ndarray, lift: np.ndarray) -> list[dict]:
    """``_cell(why_sentence(a, c, confidence, lift))`` for every rule, the same cells, without a
    message built per rule: the five sentences' templates are taken from ``why_sentence`` once,
    and each rule picks its own by its lift (the rules of 100,000-rule tables stay quick)."""
    lift = np.asarray(lift, dtype=float)
    finite = np.isfinite(lift)
    no_link = finite & (lift >= NO_LINK[0]) & (lift < NO_LINK[1])
    more = finite & ~no_link & (lift >= 1.0)
    less = finite & ~no_link & ~more & (lift > 0)
    kind = np.select([~finite, no_link, more, less], [0, 1, 2, 3], default=4).tolist()
    # a lift of each kind: the sentence why_sentence writes for it
    msg = [why_sentence([], [], 0.0, x) for x in (float("inf"), 1.0, 2.0, 0.5, 0.0)]
    dom = [m.domain for m in msg]
    ids = [m.msgid for m in msg]
    conf = np.asarray(confidence, dtype=float).tolist()
    times = [round(x, 1) if x >= 1.0 else round(1.0 / x, 1) if x > 0 else None for x in lift.tolist()]
    return [
        {
            "domain": dom[k],
            "msgid": ids[k],
            "values": {"times": t, "a": list(a), "c": list(c), "confidence": cf}
            if k == 2 or k == 3
            else {"a": list(a), "c": list(c), "confidence": cf},
        }
        for a, c, cf, t, k in zip(ante, cons, conf, times, kind)
    ]


def pair_sentence(a: list[str], b: list[str], conf_ab: float, conf_ba: float, lift: float) -> Message:
    """A set of products in a shop owner's words, both directions in one sentence."""
    v = {"a": [str(x) for x in a], "b": [str(x) for x in b], "ab": float(conf_ab), "ba": float(conf_ba)}
    if NO_LINK[0] <= lift < NO_LINK[1]:
        return M(
            "Customers who buy {a:list} also buy {b:list} in {ab:percent} of their orders, about as often "
            "as on average (no real link); {ba:percent} of the orders with {b:list} also have {a:list}.",
            **v,
        )
    if lift >= 1.0:
        return M(
            "Customers who buy {a:list} also buy {b:list} in {ab:percent} of their orders, {times}× more "
            "often than average; {ba:percent} of the orders with {b:list} also have {a:list}.",
            times=_times(lift),
            **v,
        )
    return M(
        "Customers who buy {a:list} also buy {b:list} in {ab:percent} of their orders, {times}× less "
        "often than average; {ba:percent} of the orders with {b:list} also have {a:list}.",
        times=_times(lift),
        **v,
    )


def bundle_reason(a: list[str], b: list[str], conf_ab: float, conf_ba: float, lift: float, count: int) -> Message:
    """One line on why a bundle is suggested."""
    return Mn(
        "{n:int} order had them together, {times}× more often than average; {ab:percent} of the orders "
        "with {a:list} also have {b:list}, {ba:percent} the other way round.",
        "{n:int} orders had them together, {times}× more often than average; {ab:percent} of the orders "
        "with {a:list} also have {b:list}, {ba:percent} the other way round.",
        int(count),
        times=_times(lift),
        a=[str(x) for x in a],
        b=[str(x) for x in b],
        ab=float(conf_ab),
        ba=float(conf_ba),
    )


def pairs_table(rules: pd.DataFrame) -> pd.DataFrame:
    """One row per set of products that gave rules, from its strongest rule (``rules`` is the
    rules table, strongest first): the sides by name, the confidence both ways, lift, orders and
    the sentence. A pair's two rules share lift and support, so a pair reads once, not as A→B
    and B→A. Works on a saved rules table as well (a project from before this table existed)."""
    ants, cons = list(rules.get("antecedents", [])), list(rules.get("consequents", []))
    seen: set[frozenset] = set()
    lead: list[int] = []
    for k, (a, c) in enumerate(zip(ants, cons)):
        key = frozenset(a) | frozenset(c)
        if key not in seen:
            seen.add(key)
            lead.append(k)
    at = np.asarray(lead, dtype=np.int64)
    a_names = list(rules["antecedent_names"]) if "antecedent_names" in rules.columns else ants
    c_names = list(rules["consequent_names"]) if "consequent_names" in rules.columns else cons
    a_nm = [[str(x) for x in a_names[k]] for k in lead]
    b_nm = [[str(x) for x in c_names[k]] for k in lead]

    def col(name: str) -> np.ndarray:
        return rules[name].to_numpy(dtype=float)[at] if name in rules.columns else np.full(len(at), np.nan)

    sup = col("support")
    ab = sup / col("antecedent_support")
    ba = sup / col("consequent_support")
    lf = col("lift")
    return pd.DataFrame(
        {
            "a": pd.Series([list(ants[k]) for k in lead], dtype=object),
            "b": pd.Series([list(cons[k]) for k in lead], dtype=object),
            "a_names": pd.Series(a_nm, dtype=object),
            "b_names": pd.Series(b_nm, dtype=object),
            "confidence_ab": ab,
            "confidence_ba": ba,
            "lift": lf,
            "count": np.nan_to_num(col("count")).astype(np.int64),
            "support": sup,
            "sentence": pd.Series(
                [_cell(pair_sentence(x, y, p, q, w)) for x, y, p, q, w in zip(a_nm, b_nm, ab, ba, lf)], dtype=object
            ),
        },
        columns=PAIR_COLUMNS,
    )


def bundles_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """Suggested bundles: the strongest sets of products (by lift) with enough orders behind them."""
    ok = (pairs["count"].to_numpy() >= BUNDLE_MIN_ORDERS) & (pairs["lift"].to_numpy(dtype=float) >= BUNDLE_MIN_LIFT)
    best = pairs[ok].sort_values(["lift", "count"], ascending=[False, False], kind="stable").head(BUNDLE_MAX)
    items = [list(a) + list(b) for a, b in zip(best["a"], best["b"])]
    return pd.DataFrame(
        {
            "items": pd.Series(items, dtype=object),
            "names": pd.Series([list(a) + list(b) for a, b in zip(best["a_names"], best["b_names"])], dtype=object),
            "size": np.asarray([len(x) for x in items], dtype=np.int64),
            "count": best["count"].to_numpy(dtype=np.int64),
            "lift": best["lift"].to_numpy(dtype=float),
            "reason": pd.Series(
                [
                    _cell(bundle_reason(a, b, p, q, w, n))
                    for a, b, p, q, w, n in zip(
                        best["a_names"],
                        best["b_names"],
                        best["confidence_ab"],
                        best["confidence_ba"],
                        best["lift"],
                        best["count"],
                    )
                ],
                dtype=object,
            ),
        },
        columns=BUNDLE_COLUMNS,
    )


def item_prices(dataset) -> dict[str, float]:
    """Each product's usual unit price (its revenue over its units, or the mean of the price
    column), by product id as text; empty when the data has neither."""
    if not dataset.has("product_id"):
        return {}
    f = dataset.frame
    pid = f[dataset.col("product_id")].astype("string")
    if dataset.has("amount", "quantity"):
        amount = pd.to_numeric(f[dataset.col("amount")], errors="coerce")
        qty = pd.to_numeric(f[dataset.col("quantity")], errors="coerce")
        ok = (qty > 0) & amount.notna()
        sums = pd.DataFrame({"p": pid[ok], "a": amount[ok], "q": qty[ok]}).groupby("p")[["a", "q"]].sum()
        price = sums["a"] / sums["q"]
    elif dataset.has("price"):
        price = pd.to_numeric(f[dataset.col("price")], errors="coerce").groupby(pid).mean()
    else:
        return {}
    return {str(k): float(v) for k, v in price.items() if np.isfinite(v) and v > 0}


def history_days(dataset) -> float | None:
    """Days the orders cover (first to last order date, both counted), or None without dates."""
    if not dataset.has("date"):
        return None
    d = pd.to_datetime(dataset.frame[dataset.col("date")], errors="coerce").dropna()
    if d.empty:
        return None
    return float((d.max().normalize() - d.min().normalize()).days + 1)


def bundle_money(row, prices: dict[str, float], days: float | None) -> float | None:
    """Extra revenue over the next HORIZON_DAYS days a bundle of a pairs-table row is assumed to
    bring: BUNDLE_TAKE_UP of the orders with one side but not the other (at the history's pace)
    add the other side at its usual price. None when a price or the dates are unknown."""
    if not days or days <= 0:
        return None
    a, b = [str(x) for x in row["a"]], [str(x) for x in row["b"]]
    if not all(x in prices for x in a + b):
        return None
    n = float(row["count"])
    only_a = n / float(row["confidence_ab"]) - n  # orders with a, without b
    only_b = n / float(row["confidence_ba"]) - n
    extra = only_a * sum(prices[x] for x in b) + only_b * sum(prices[x] for x in a)
    return BUNDLE_TAKE_UP * extra * HORIZON_DAYS / days


def bundle_actions(pairs: pd.DataFrame, prices: dict[str, float], days: float | None) -> list[Action]:
    """The strongest suggested bundles (the bundles table's rule: enough orders, lift at least
    BUNDLE_MIN_LIFT) as this week's actions, naming the products, pointing at their pairs row."""
    ok = (pairs["count"].to_numpy() >= BUNDLE_MIN_ORDERS) & (pairs["lift"].to_numpy(dtype=float) >= BUNDLE_MIN_LIFT)
    best = pairs[ok].sort_values(["lift", "count"], ascending=[False, False], kind="stable").head(BUNDLE_ACTIONS)
    out = []
    for _i, row in best.iterrows():
        names = [str(x) for x in list(row["a_names"]) + list(row["b_names"])]
        money = bundle_money(row, prices, days)
        values = {"times": _times(float(row["lift"]))}
        why = (
            Mn(
                "bought together in {n:int} order, {times}× more often than average; the sum assumes "
                "{share:percent} of the orders with only one of them add the other",
                "bought together in {n:int} orders, {times}× more often than average; the sum assumes "
                "{share:percent} of the orders with only one of them add the other",
                int(row["count"]),
                share=BUNDLE_TAKE_UP,
                **values,
            )
            if money is not None
            else Mn(
                "bought together in {n:int} order, {times}× more often than average",
                "bought together in {n:int} orders, {times}× more often than average",
                int(row["count"]),
                **values,
            )
        )
        out.append(
            Action(
                kind="bundle",
                text=M("Offer {products:list} as a bundle", products=names),
                why=why,
                money=money,
                table="pairs",
                key={
                    "a": json.dumps([str(x) for x in row["a"]], ensure_ascii=False),
                    "b": json.dumps([str(x) for x in row["b"]], ensure_ascii=False),
                },
            )
        )
    return out


def _cell(m: Message) -> dict:
    """A message as a table cell: its saved form (domain, English template, values), rendered in
    the reader's language when shown. The values of the "why" sentences are plain already (names,
    floats), so the general conversion of ``Message.to_dict`` is skipped: 100,000 rules stay quick."""
    d: dict[str, Any] = {"domain": m.domain, "msgid": m.msgid, "values": m.values}
    if m.plural is not None:  # a plural sentence keeps its plural form and count
        d.update(plural=m.plural, n=m.n)
    return d


def headline(
    ante: list[str] | None, cons: list[str] | None, confidence: float, lift: float, count: int, n_orders: int
) -> Message:
    """The tab's first line: the strongest link in shop words, or plainly that there is none."""
    if ante is None or cons is None:
        return Mn(
            "No products are bought together often enough to make a rule in this {n:int} order; "
            "lower Minimum support or Minimum confidence to look further.",
            "No products are bought together often enough to make a rule in these {n:int} orders; "
            "lower Minimum support or Minimum confidence to look further.",
            n_orders,
        )
    v = {"a": [str(x) for x in ante], "c": [str(x) for x in cons], "confidence": float(confidence)}
    if not np.isfinite(lift) or lift >= NO_LINK[1]:
        times = _times(lift)
        if count < FEW_ORDERS:
            return Mn(
                "Customers who buy {a:list} also buy {c:list} in {confidence:percent} of their orders, "
                "{times}× more often than average; but only {n:int} order had both, too few to be sure.",
                "Customers who buy {a:list} also buy {c:list} in {confidence:percent} of their orders, "
                "{times}× more often than average; but only {n:int} orders had both, too few to be sure.",
                count,
                times=times,
                **v,
            )
        return Mn(
            "Customers who buy {a:list} also buy {c:list} in {confidence:percent} of their orders "
            "({times}× more often than average; {n:int} order had both).",
            "Customers who buy {a:list} also buy {c:list} in {confidence:percent} of their orders "
            "({times}× more often than average; {n:int} orders had both).",
            count,
            times=times,
            **v,
        )
    if lift >= NO_LINK[0]:
        return M(
            "No real link between products: even the strongest rule, customers who buy {a:list} also "
            "buy {c:list}, happens about as often as on average (lift {lift}).",
            lift=float(lift),
            **v,
        )
    return M(
        "No real link between products: they are bought together less often than on average; even "
        "the strongest rule, customers who buy {a:list} also buy {c:list}, has a lift of only {lift}.",
        lift=float(lift),
        **v,
    )


def _find_product(baskets: Baskets, wanted: str, where: str) -> int:
    """Item code of a product given by id or name (case and spaces ignored)."""
    key = str(wanted).strip().casefold()
    ids = [str(x).strip().casefold() for x in baskets.item_ids]
    if key in ids:
        return ids.index(key)
    if baskets.item_names is not None:
        names = [("" if n is None else str(n)).strip().casefold() for n in baskets.item_names]
        if key in names:
            return names.index(key)
    raise UsageError(
        _("product “{product}” is not in the data", product=str(wanted).strip()),
        where=where,
        hint=_("Give a product id or name exactly as it appears in the orders"),
    )


def run(dataset, params: dict[str, Any], progress: Progress) -> Result:
    """``params`` arrive complete and checked against the Param list in ``__init__.py``."""
    t0 = time.perf_counter()
    progress.report(0.0, _("Reading the orders"))
    baskets = baskets_from_dataset(dataset)
    notes: list[Any] = list(baskets.notes)
    n = baskets.n_orders
    if n == 0:
        raise DataError(
            _("there are no orders to look at"),
            where=dataset.name,
            hint=_("Check that the order number and product columns are filled in"),
        )

    min_count = params["min_count"]
    if min_count is not None:
        notes.append(
            Mn(
                "A set of products counts when at least {count:int} of the {n:int} order has it (Minimum orders).",
                "A set of products counts when at least {count:int} of the {n:int} orders have it (Minimum orders).",
                n,
                count=min_count,
            )
        )
    else:
        ms = params["min_support"]
        min_count = min_count_for(ms, n)
        notes.append(
            Mn(
                "A set of products counts when at least {count:int} of the {n:int} order has it "
                "(Minimum support {support:percent}).",
                "A set of products counts when at least {count:int} of the {n:int} orders have it "
                "(Minimum support {support:percent}).",
                n,
                count=min_count,
                support=ms,
            )
        )
    if min_count < 2:
        notes.append(
            M(
                "With a threshold of one order, every combination of products in any order counts; "
                "raise Minimum support if the search is slow."
            )
        )
    lengths = baskets.lengths()
    long_orders = int((lengths > 100).sum())
    if long_orders:
        notes.append(
            Mn(
                "{n:int} order has more than 100 different products; it is counted like the others.",
                "{n:int} orders have more than 100 different products; they are counted like the others.",
                long_orders,
            )
        )

    ante_item = cons_item = None
    if params["antecedent"]:
        ante_item = _find_product(baskets, params["antecedent"], _("If the order has (antecedent)"))
    if params["consequent"]:
        cons_item = _find_product(baskets, params["consequent"], _("Then it also has (consequent)"))

    fi = frequent_itemsets(
        baskets,
        min_count,
        max_len=params["max_len"],
        max_itemsets=params["max_itemsets"],
        progress=progress.sub(0.02, 0.85),
    )
    progress.report(0.86, _("Building rules"))
    rules = association_rules(
        fi,
        min_confidence=params["min_confidence"],
        min_lift=params["min_lift"],
        antecedent_item=ante_item,
        consequent_item=cons_item,
        max_rules=params["max_rules"],
        progress=progress.sub(0.86, 0.93),
    )

    ids = baskets.item_ids
    id_list = ids.tolist()

    # Itemsets table: biggest first would hide the best sellers; by size, then count.
    rows_items, sizes, counts = [], [], []
    for lv, cn in zip(fi.levels, fi.counts):
        rows_items.extend([[id_list[j] for j in r] for r in lv.tolist()])
        sizes.extend([lv.shape[1]] * len(lv))
        counts.extend(cn.tolist())
    itemsets = pd.DataFrame(
        {
            "itemset": pd.Series(rows_items, dtype=object),
            "size": np.asarray(sizes, dtype=np.int64),
            "count": np.asarray(counts, dtype=np.int64),
        }
    )
    itemsets["support"] = itemsets["count"].to_numpy(dtype=float) / n
    itemsets = itemsets.sort_values(["size", "count"], ascending=[True, False], kind="stable").reset_index(drop=True)

    # Rules: strongest association first; ties by confidence, then support.
    order = rules.strongest_first()
    if rules.passed > len(rules):
        notes.append(
            Mn(
                "{n:int} rule passed the thresholds; the {shown:int} with the highest lift are shown "
                "(Most rules shown).",
                "{n:int} rules passed the thresholds; the {shown:int} with the highest lift are shown "
                "(Most rules shown).",
                rules.passed,
                shown=len(rules),
            )
        )
    progress.report(0.94, _("Writing rules"))
    has_names = baskets.item_names is not None
    ants, cons = rules.labelled(order, np.asarray(id_list + [None], dtype=object)[:-1])
    names = [baskets.name_of(j) for j in range(baskets.n_items)]
    a_names, c_names = rules.labelled(order, np.asarray(names + [None], dtype=object)[:-1])
    conf = rules.confidence[order]
    lift = rules.lift[order]
    count = rules.count[order].astype(np.int64)
    table: dict[str, Any] = {"antecedents": pd.Series(ants, dtype=object), "consequents": pd.Series(cons, dtype=object)}
    if has_names:
        table["antecedent_names"] = pd.Series(a_names, dtype=object)
        table["consequent_names"] = pd.Series(c_names, dtype=object)
    table.update(
        {
            "antecedent_support": rules.antecedent_support[order],
            "consequent_support": rules.consequent_support[order],
            "support": rules.support[order],
            "confidence": conf,
            "lift": lift,
            "leverage": rules.leverage[order],
            "conviction": rules.conviction[order],
            "count": count,
            # sentence cells are kept as messages (template + values) so they read in any language
            "why": pd.Series(why_cells(a_names, c_names, conf, lift), dtype=object),
        }
    )
    rules_df = pd.DataFrame(table, columns=[c for c in RULE_COLUMNS if c in table])
    if len(rules_df) == 0:
        notes.append(
            M("No rule reached the thresholds; lower Minimum confidence, Minimum lift or Minimum support to see more.")
        )
    pairs = pairs_table(rules_df)
    bundles = bundles_table(pairs)
    if len(pairs):
        notes.append(
            Mn(
                "Suggested bundles: products bought together in at least {n:int} order, at least {lift}× more "
                "often than average, the strongest first (at most {most:int}).",
                "Suggested bundles: products bought together in at least {n:int} orders, at least {lift}× more "
                "often than average, the strongest first (at most {most:int}).",
                BUNDLE_MIN_ORDERS,
                lift=BUNDLE_MIN_LIFT,
                most=BUNDLE_MAX,
            )
        )
        if not len(bundles):
            notes.append(M("No products go together strongly enough, in enough orders, to suggest a bundle."))
    if len(rules_df):
        top = headline(a_names[0], c_names[0], float(conf[0]), float(lift[0]), int(count[0]), n)
    else:
        top = headline(None, None, 0.0, float("nan"), 0, n)

    labels = (
        np.fromiter(map(" + ".join, a_names), dtype=object, count=len(a_names))
        + " → "
        + np.fromiter(map(" + ".join, c_names), dtype=object, count=len(c_names))
    ).tolist()  # rule_text of each rule
    plot = PlotSpec(
        title=M("Basket rules"),
        x_label=M("Share of all orders (support)"),
        y_label=M("Also bought (confidence)"),
        x_format="percent",
        y_format="percent",
        layers=[
            Layer(
                "scatter",
                x=rules_df["support"].to_numpy(),
                y=rules_df["confidence"].to_numpy(),
                values=lift,
                labels=labels,
                name=M("rules (colour = lift)"),
            )
        ],
        legend=False,
    )
    seconds = time.perf_counter() - t0
    metrics = {
        "orders": n,
        "items": baskets.n_items,
        "frequent_itemsets": fi.total,
        "rules": int(len(rules_df)),
        "pairs": int(len(pairs)),
        "bundles": int(len(bundles)),
        "seconds": round(seconds, 4),
    }
    # names of the products that appear in the tables (the frequent ones), for the "product" columns
    shown_names = {str(id_list[j]): names[j] for j in fi.levels[0][:, 0].tolist()} if has_names else {}
    progress.report(1.0, _("Done"))
    return Result(
        tables={"pairs": pairs, "bundles": bundles, "itemsets": itemsets, "rules": rules_df},
        metrics=metrics,
        plots={"rules": plot},
        notes=notes,
        extra={"min_count": int(min_count), "has_names": has_names},
        headline=top,
        columns={
            "pairs": dict(PAIR_TITLES),
            "bundles": dict(BUNDLE_TITLES),
            "itemsets": dict(ITEMSET_TITLES),
            "rules": rule_columns(has_names),
        },
        names=shown_names,
        actions=bundle_actions(pairs, item_prices(dataset), history_days(dataset)) if len(pairs) else [],
    )
