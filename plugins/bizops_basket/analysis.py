"""Basket rules: which products sell together. The pure ``run`` behind the tab, the CLI and the
project file: baskets view -> Apriori itemsets -> rules, with a plain-words "why" per rule."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.baskets import Baskets, baskets_from_dataset

from .apriori import association_rules, frequent_itemsets, min_count_for

RULE_COLUMNS = ["antecedents", "consequents", "antecedent_names", "consequent_names",
                "antecedent_support", "consequent_support", "support", "confidence", "lift",
                "leverage", "conviction", "count", "why"]
ITEMSET_COLUMNS = ["itemset", "size", "count", "support"]


def join_names(names: list[str]) -> str:
    """["a"] -> "a"; ["a", "b", "c"] -> "a, b and c"."""
    names = [str(x) for x in names]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def why_sentence(ante: list[str], cons: list[str], confidence: float, lift: float) -> str:
    """The rule in a shop owner's words."""
    a, c = join_names(ante), join_names(cons)
    pct = f"{confidence * 100:.0f}%"
    if not np.isfinite(lift):
        how = ""
    elif 0.95 <= lift < 1.05:
        how = ", about as often as on average (no real link)"
    elif lift >= 1.0:
        how = f", {lift:.1f}x more often than average"
    elif lift > 0:
        how = f", {1.0 / lift:.1f}x less often than average"
    else:
        how = ", never otherwise"
    return f"Customers who buy {a} also buy {c} in {pct} of their orders{how}."


def rule_text(ante: list[str], cons: list[str]) -> str:
    return f"{join_names(ante)} → {join_names(cons)}"


def _find_product(baskets: Baskets, wanted: str, param: str) -> int:
    """Item code of a product given by id or name (case and spaces ignored)."""
    key = str(wanted).strip().casefold()
    ids = [str(x).strip().casefold() for x in baskets.item_ids]
    if key in ids:
        return ids.index(key)
    if baskets.item_names is not None:
        names = [("" if n is None else str(n)).strip().casefold() for n in baskets.item_names]
        if key in names:
            return names.index(key)
    raise UsageError(f"product {wanted!r} is not in the data", where=param,
                     hint="Give a product id or name exactly as it appears in the orders")


def run(dataset, params: dict[str, Any], progress: Progress) -> Result:
    """``params`` arrive complete and checked against the Param list in ``__init__.py``."""
    t0 = time.perf_counter()
    progress.report(0.0, "Reading baskets")
    baskets = baskets_from_dataset(dataset)
    notes = list(baskets.notes)
    n = baskets.n_orders
    if n == 0:
        raise DataError("there are no orders to look at", where=dataset.name)

    min_count = params["min_count"]
    if min_count is not None:
        notes.append(f"An itemset counts as frequent when it is in at least {min_count:,} of the "
                     f"{n:,} orders (min_count).")
    else:
        ms = params["min_support"]
        min_count = min_count_for(ms, n)
        notes.append(f"An itemset counts as frequent when it is in at least {min_count:,} of the "
                     f"{n:,} orders (min_support {ms:g}).")
    if min_count < 2:
        notes.append("A threshold of one order makes every product combination in any order "
                     "frequent; raise min_support if the search is slow.")
    lengths = baskets.lengths()
    long_orders = int((lengths > 100).sum())
    if long_orders:
        notes.append(f"{long_orders:,} orders have more than 100 different products; they are counted "
                     "like the others.")

    ante_item = cons_item = None
    if params["antecedent"]:
        ante_item = _find_product(baskets, params["antecedent"], "antecedent")
    if params["consequent"]:
        cons_item = _find_product(baskets, params["consequent"], "consequent")

    fi = frequent_itemsets(baskets, min_count, max_len=params["max_len"],
                           max_itemsets=params["max_itemsets"], progress=progress.sub(0.02, 0.85))
    progress.report(0.86, "Building rules")
    rules = association_rules(fi, min_confidence=params["min_confidence"],
                              min_lift=params["min_lift"],
                              antecedent_item=ante_item, consequent_item=cons_item,
                              max_rules=params["max_rules"], progress=progress.sub(0.86, 0.93))

    ids = baskets.item_ids
    id_list = ids.tolist()

    # Itemsets table: biggest first would hide the best sellers; by size, then count.
    rows_items, sizes, counts = [], [], []
    for lv, cn in zip(fi.levels, fi.counts):
        rows_items.extend([[id_list[j] for j in r] for r in lv.tolist()])
        sizes.extend([lv.shape[1]] * len(lv))
        counts.extend(cn.tolist())
    itemsets = pd.DataFrame({"itemset": pd.Series(rows_items, dtype=object),
                             "size": np.asarray(sizes, dtype=np.int64),
                             "count": np.asarray(counts, dtype=np.int64)})
    itemsets["support"] = itemsets["count"].to_numpy(dtype=float) / n
    itemsets = itemsets.sort_values(["size", "count"], ascending=[True, False], kind="stable").reset_index(drop=True)

    # Rules: strongest association first; ties by confidence, then support.
    order = rules.strongest_first()
    if rules.passed > len(rules):
        notes.append(f"{rules.passed:,} rules passed the thresholds; the {len(rules):,} with the highest "
                     "lift are shown (max_rules).")
    progress.report(0.94, "Writing rules")
    has_names = baskets.item_names is not None
    a_codes, c_codes = rules.items(order)
    ants = [[id_list[j] for j in t] for t in a_codes]
    cons = [[id_list[j] for j in t] for t in c_codes]
    names = [baskets.name_of(j) for j in range(baskets.n_items)]
    a_names = [[names[j] for j in t] for t in a_codes]
    c_names = [[names[j] for j in t] for t in c_codes]
    conf = rules.confidence[order]
    lift = rules.lift[order]
    table: dict[str, Any] = {"antecedents": pd.Series(ants, dtype=object),
                             "consequents": pd.Series(cons, dtype=object)}
    if has_names:
        table["antecedent_names"] = pd.Series(a_names, dtype=object)
        table["consequent_names"] = pd.Series(c_names, dtype=object)
    table.update({
        "antecedent_support": rules.antecedent_support[order],
        "consequent_support": rules.consequent_support[order],
        "support": rules.support[order],
        "confidence": conf,
        "lift": lift,
        "leverage": rules.leverage[order],
        "conviction": rules.conviction[order],
        "count": rules.count[order].astype(np.int64),
        "why": [why_sentence(a, c, cf, lf) for a, c, cf, lf in zip(a_names, c_names, conf, lift)],
    })
    rules_df = pd.DataFrame(table, columns=[c for c in RULE_COLUMNS if c in table])
    if len(rules_df) == 0:
        notes.append("No rule reached the thresholds; lower min_confidence, min_lift or min_support "
                     "to see more.")

    labels = [rule_text(a, c) for a, c in zip(a_names, c_names)]
    plot = PlotSpec(title="Basket rules", x_label="Support (share of orders)",
                    y_label="Confidence (share of orders with the left side)",
                    layers=[Layer("scatter", x=rules_df["support"].to_numpy(),
                                  y=rules_df["confidence"].to_numpy(), values=lift,
                                  labels=labels, name="rules (colour = lift)")],
                    legend=False)
    seconds = time.perf_counter() - t0
    metrics = {"orders": n, "items": baskets.n_items, "frequent_itemsets": fi.total,
               "rules": int(len(rules_df)), "seconds": round(seconds, 4)}
    progress.report(1.0, "Done")
    return Result(tables={"itemsets": itemsets, "rules": rules_df}, metrics=metrics,
                  plots={"rules": plot}, notes=notes,
                  extra={"min_count": int(min_count), "has_names": has_names})
