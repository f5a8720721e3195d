"""How a result table's columns read for people: a title in the reader's language and what kind
of value each column holds, so that one table model (window), one export path (CSV/Excel with
``--titles``) and the report show a share as 3.8%, money with the shop's currency, a product by its
name, a method by its words; while the stored table keeps stable ids and plain numbers.

An analysis fills ``Result.columns[table] = {column: Column(...)}``; columns without a spec show
their id and a number formatted by locale.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import i18n

KINDS = ("text", "int", "num", "money", "percent", "date", "product", "customer", "code", "hidden")
# Digits a CSV/Excel export keeps for each kind ("rounded to its meaning"); None keeps the value.
EXPORT_DIGITS = {"money": 2, "percent": 4, "num": 4, "int": 0}


@dataclass
class Column:
    """``title``: the column's title (LazyText/Message/str). ``kind``: see KINDS; ``code`` maps
    stored codes to words through ``values``; ``product``/``customer`` show the name from
    ``Result.names`` with the id in the tooltip; ``hidden`` is kept for export only.
    ``details``: a statistic shown only under Details."""

    title: Any
    kind: str = "num"
    values: Mapping[str, Any] = field(default_factory=dict)
    help: Any = None
    details: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"title": i18n.to_plain(self.title), "kind": self.kind}
        if self.values:
            d["values"] = {str(k): i18n.to_plain(v) for k, v in self.values.items()}
        if self.help is not None:
            d["help"] = i18n.to_plain(self.help)
        if self.details:
            d["details"] = True
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Column":
        kind = d.get("kind") if d.get("kind") in KINDS else "text"
        values = d.get("values")
        return cls(
            title=d.get("title", ""),
            kind=str(kind),
            values=dict(values) if isinstance(values, dict) else {},
            help=d.get("help"),
            details=bool(d.get("details")),
        )


def title(name: str, spec: Column | None, lang: str | None = None) -> str:
    return i18n.text(spec.title, lang) if spec is not None else str(name)


def cell_text(value: Any, spec: Column | None, names: Mapping[str, str] | None = None, lang: str | None = None) -> str:
    """One cell as a person reads it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        import pandas as pd

        if value is pd.NaT or (not isinstance(value, (list, tuple, dict, set)) and pd.isna(value)):
            return ""
    except (TypeError, ValueError):
        pass
    kind = spec.kind if spec is not None else None
    if hasattr(value, "ndim") and getattr(value, "ndim", 0) == 1:  # an array cell (an itemset)
        value = value.tolist()
    if kind in ("product", "customer") and not isinstance(value, (list, tuple, set, frozenset)):
        return str((names or {}).get(str(value), value))
    if kind == "code":
        label = spec.values.get(str(value)) if spec is not None else None
        return i18n.text(label, lang) if label is not None else str(value)
    if hasattr(value, "item") and not isinstance(value, (str, list, tuple)) and getattr(value, "ndim", 0) == 0:
        value = value.item()  # numpy scalars as Python numbers and booleans
    if isinstance(value, bool):
        return i18n._("yes") if value else i18n._("no")
    if isinstance(value, int) and (kind in ("text", "code") or abs(value) >= 10**11):
        # an identifier written in digits (order number, phone, barcode): no thousands separators
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        # a cell lists its items plainly ("A, B" / "A、B"), without the sentence's "and"
        sep = "、" if (lang or i18n.get_language()) == "zh_CN" else ", "
        return sep.join(cell_text(v, spec, names, lang) for v in value)
    if isinstance(value, dict):
        if "msgid" in value:
            return i18n.text(value, lang)
        from .jsonable import dumps_strict, rounded  # settings and parameters: compact, rounded JSON

        return dumps_strict(rounded(value))
    if kind == "money":
        return i18n.format_money(value, lang)
    if kind == "percent":
        return i18n.format_percent(value, lang)
    if kind == "int":
        return i18n.format_int(value, lang)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        text = i18n.format_date(value, lang)
        if hasattr(value, "hour") and (value.hour, value.minute, value.second) != (0, 0, 0):
            text += f" {value.hour:02d}:{value.minute:02d}"
        return text
    if kind == "date":
        return i18n.format_date(value, lang)
    if isinstance(value, (int, float)):
        return i18n.format_number(value, lang)
    return i18n.text(value, lang)


def export_frame(
    frame,
    columns: Mapping[str, Column] | None,
    *,
    titles: bool = False,
    names: Mapping[str, str] | None = None,
    lang: str | None = None,
):
    """The frame as written to CSV/Excel: numbers rounded to their meaning (money to cents,
    shares and probabilities to 4 decimals), never float noise; with ``titles`` the columns carry
    their titles in ``lang`` and product ids gain a name column. Vectorised: no Python per cell."""
    import numpy as np
    import pandas as pd

    out = frame.copy()
    columns = columns or {}
    for c in out.columns:
        spec = columns.get(c)
        col = out[c]
        if col.dtype == object and _holds_messages(col):
            # sentence cells (messages) are written as text in the language of the export
            rendered: dict[str, Any] = {}
            out[c] = col.map(lambda v, cache=rendered: _render_cached(v, cache, lang))
            continue
        if not pd.api.types.is_float_dtype(col):
            continue
        digits = EXPORT_DIGITS.get(spec.kind) if spec is not None else None
        if digits is None:
            digits = _default_digits(col.to_numpy(dtype=float, na_value=np.nan))
        if digits is not None:
            out[c] = col.round(digits)
    if titles:
        for c in list(out.columns):  # codes in words, as the window shows them
            spec = columns.get(c)
            if spec is not None and spec.kind == "code" and spec.values:
                words = {str(k): i18n.text(v, lang) for k, v in spec.values.items()}
                out[c] = out[c].map(lambda v, words=words: words.get(str(v), v) if v is not None else v)
        renamed = {}
        for c in list(out.columns):
            spec = columns.get(c)
            if spec is not None and spec.kind in ("product", "customer") and names:
                pos = list(out.columns).index(c) + 1
                name_col = f"{c}__name"
                out.insert(pos, name_col, out[c].map(lambda v: _names_of(v, names)))
                n_named = sum(1 for s in columns.values() if s is not None and s.kind in ("product", "customer"))
                if n_named == 1:
                    renamed[name_col] = i18n._("Name") if spec.kind == "customer" else i18n._("Product name")
                else:  # several id columns: each name column says whose names it holds
                    renamed[name_col] = i18n._("{column} (name)", column=title(c, spec, lang))
            if spec is not None:
                renamed[c] = title(c, spec, lang)
        out = out.rename(columns=renamed)
    return out


def _names_of(v: Any, names: Mapping[str, str]) -> str:
    """The name(s) behind an id cell: one id, or a list of them (an itemset) joined plainly."""
    if hasattr(v, "tolist") and getattr(v, "ndim", 0) == 1:
        v = v.tolist()
    if isinstance(v, (list, tuple, set, frozenset)):
        sep = "、" if i18n.get_language() == "zh_CN" else ", "
        return sep.join(str(names.get(str(x), x)) for x in v)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(names.get(str(v), ""))


def _holds_messages(col) -> bool:
    sample = col.dropna()
    return (
        bool(len(sample))
        and isinstance(sample.iloc[0], (dict, i18n.Message, i18n.LazyText))
        and (not isinstance(sample.iloc[0], dict) or "msgid" in sample.iloc[0])
    )


def _render_cached(v, cache: dict, lang) -> Any:
    if v is None:
        return None
    if isinstance(v, (dict, i18n.Message)):
        # sentences rarely repeat whole: a key for each would cost more than rendering it (the
        # values inside are formatted once each by i18n's own memo)
        return i18n.text(v, lang)
    key = i18n.jsonable_key(v)
    if key not in cache:
        cache[key] = i18n.text(v, lang)
    return cache[key]


def _default_digits(a) -> int | None:
    """Digits for a float column with no spec: as many as its values need, at most 6 significant
    after the point, so 1.8699999999999999 is written 1.87."""
    import numpy as np

    finite = a[np.isfinite(a)]
    if not len(finite):
        return None
    for d in range(0, 7):
        if np.allclose(finite, np.round(finite, d), rtol=0, atol=10.0 ** -(d + 6)):
            return d
    return 6
