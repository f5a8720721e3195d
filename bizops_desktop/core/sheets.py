"""Product sheets: a table with one row per product that holds what the shop knows about its
stock (on hand, on order, lead time) or its costs, rather than order lines. Recognised when the
file is opened (the import note says so and names the column that links it to the orders), and
linked to the orders by product id (how many of its products the orders have, and which not).
Stock planning reads its stock sheet this way; pricing can read a cost sheet the same way.
Qt-free, pandas only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .i18n import M, Mn

if TYPE_CHECKING:
    import pandas as pd

    from .dataset import Dataset

STOCK_ROLES = ("on_hand", "on_order", "lead_time")  # any of them makes a product table a stock sheet
COST_ROLES = ("cost",)
ORDER_ROLES = ("order_id", "date", "quantity", "customer_id")  # order lines, not a product table
UNIQUE_SHARE = 0.95  # a product sheet names (almost) every product once


@dataclass
class Link:
    """How a product sheet meets the orders: by which column of each, the sheet's products the
    orders have, and those they have not (sorted)."""

    sheet_column: str
    orders_column: str
    found: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def kind(frame: "pd.DataFrame", roles: Mapping[str, Sequence[str]]) -> str | None:
    """Which product sheet: "stock" (a product table with stock on hand, on order or a lead time), "cost" (a product
    table with a cost and none of those) or None (order lines, or not about products)."""
    key = _key(roles)
    if key is None or key not in frame.columns or not len(frame):
        return None
    if sum(1 for r in ORDER_ROLES if roles.get(r)) >= 2:
        return None  # order lines that happen to carry a stock or cost column
    lines, distinct = _distinct_ids(frame[key])
    if lines == 0 or distinct < UNIQUE_SHARE * lines:
        return None
    if any(roles.get(r) for r in STOCK_ROLES):
        return "stock"
    if any(roles.get(r) for r in COST_ROLES):
        return "cost"
    return None


def sheet_notes(frame: "pd.DataFrame", roles: Mapping[str, Sequence[str]]) -> list[Any]:
    """The import note for a product sheet (none for anything else): "Looks like a stock sheet:
    40 products, linked to orders by 商家编码"."""
    found = kind(frame, roles)
    if found is None:
        return []
    key = _key(roles)
    n = _distinct_ids(frame[key])[1]
    if found == "stock":
        return [
            Mn(
                "Looks like a stock sheet: {n} product, linked to orders by {column}",
                "Looks like a stock sheet: {n} products, linked to orders by {column}",
                n,
                column=str(key),
            )
        ]
    return [
        Mn(
            "Looks like a cost sheet: {n} product, linked to orders by {column}",
            "Looks like a cost sheet: {n} products, linked to orders by {column}",
            n,
            column=str(key),
        )
    ]


def link(sheet: "Dataset", orders: "Dataset") -> Link | None:
    """The sheet's products found in the orders and not, by product id (or by name when either
    table has no id column); None when they share no product column."""
    for role in ("product_id", "product_name"):
        if sheet.has(role) and orders.has(role):
            mine = _ids(sheet.frame[sheet.col(role)])
            theirs = set(_ids(orders.frame[orders.col(role)]))
            return Link(
                sheet_column=str(sheet.col(role)),
                orders_column=str(orders.col(role)),
                found=sorted(p for p in mine if p in theirs),
                missing=sorted(p for p in mine if p not in theirs),
            )
    return None


def link_note(sheet: "Dataset", orders: "Dataset") -> Any:
    """In words: "Stock sheet linked to the orders by 商家编码: 38 of its 40 products are in the
    orders; not: P41, P42." (None without a shared product column)."""
    got = link(sheet, orders)
    if got is None:
        return None
    total = len(got.found) + len(got.missing)
    if not got.missing:
        return Mn(
            "{table} linked to the orders by {column}: its {n:int} product is in the orders.",
            "{table} linked to the orders by {column}: all its {n:int} products are in the orders.",
            total,
            table=sheet.name,
            column=got.sheet_column,
        )
    return M(
        "{table} linked to the orders by {column}: {found:int} of its {n:int} products are in the orders; "
        "not: {names:list}.",
        table=sheet.name,
        column=got.sheet_column,
        found=len(got.found),
        n=total,
        names=got.missing[:10],
    )


def _distinct_ids(ids: "pd.Series") -> tuple[int, int]:
    """(lines with an id, distinct ids once spaces are stripped). Each distinct value is read
    once, and an order column (many lines an id) is told at once without stripping at all:
    stripping only merges values, so it cannot lift the share of distinct ones."""
    import pandas as pd

    from . import chunked

    codes, uniques = chunked.factorize(ids, sort=False)
    lines = int((codes >= 0).sum())
    if len(uniques) < UNIQUE_SHARE * lines:
        return lines, len(uniques)
    return lines, int(pd.Series(uniques, dtype=object).astype(str).str.strip().nunique())


def _key(roles: Mapping[str, Sequence[str]]) -> str | None:
    for role in ("product_id", "product_name"):
        cols = roles.get(role) or []
        if cols:
            return cols[0]
    return None


def _ids(col: "pd.Series") -> list[str]:
    return list(dict.fromkeys(col.dropna().astype(str).str.strip()))
