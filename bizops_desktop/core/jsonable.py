"""The one way values become JSON: analysis metrics and extras, project-file cells and sections,
plot data and the CLI's ``summary.json`` all go through here.

Two outputs, because two readers: the project file is read back by us (NaN and infinity survive as
Python's ``NaN``/``Infinity`` tokens, a set stays a sorted list), files written for other programs
are strict JSON (NaN is ``null``, infinity the text ``"inf"``) so that any JSON reader accepts them.
"""

from __future__ import annotations

import json
import math
from typing import Any, Literal

Nonfinite = Literal["keep", "null", "text"]


def default(v: Any) -> Any:
    """``json.dumps(default=...)`` hook: numpy scalars and arrays to Python, sets as sorted lists,
    dates as ISO text, anything else as its text (a stored value never makes saving fail)."""
    import numpy as np

    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (set, frozenset)):
        return _sorted_list(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _sorted_list(v) -> list:
    try:
        return sorted(v)
    except TypeError:  # mixed types: keep iteration order
        return list(v)


def _float(f: float, nonfinite: Nonfinite) -> Any:
    if nonfinite == "keep" or math.isfinite(f):
        return f
    if math.isnan(f) or nonfinite == "null":
        return None
    return "inf" if f > 0 else "-inf"


def plain(v: Any, *, nonfinite: Nonfinite = "keep") -> Any:
    """``v`` as Python builtins (dict with text keys, list, int, float, bool, str, None).
    ``nonfinite``: what NaN and infinity become: ``"keep"`` the floats, ``"null"`` None,
    ``"text"`` None for NaN and ``"inf"``/``"-inf"`` for infinity."""
    import numpy as np

    if v is None or isinstance(v, (str, bool)):
        return v
    if isinstance(v, dict):
        return {str(k): plain(x, nonfinite=nonfinite) for k, x in v.items()}
    if isinstance(v, (set, frozenset)):
        v = _sorted_list(v)
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "fiub" and v.ndim == 1:
            return _numeric_list(v, nonfinite)
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        return [plain(x, nonfinite=nonfinite) for x in v]
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return _float(float(v), nonfinite)
    if hasattr(v, "tolist") and not hasattr(v, "isoformat"):  # pandas Series / Index / arrays
        return plain(np.asarray(v.tolist(), dtype=object), nonfinite=nonfinite)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _numeric_list(a, nonfinite: Nonfinite) -> list:
    """A 1-d numeric array without a Python call per element (plots carry 100k points)."""
    import numpy as np

    if a.dtype.kind != "f" or nonfinite == "keep":
        return a.tolist()
    finite = np.isfinite(a)
    if finite.all():
        return a.tolist()
    out = a.astype(object)
    if nonfinite == "null":
        out[~finite] = None
    else:
        out[np.isnan(a)] = None
        out[np.isposinf(a)] = "inf"
        out[np.isneginf(a)] = "-inf"
    return out.tolist()


def plain_list(a: Any) -> list | None:
    """A plot's coordinates as a list, NaN and infinity as None (a gap in the line)."""
    import numpy as np

    if a is None:
        return None
    if hasattr(a, "to_numpy"):
        a = a.to_numpy()
    if not isinstance(a, (list, tuple, np.ndarray)):
        a = list(a)
    return plain(a, nonfinite="null")


def dumps(v: Any, **kw: Any) -> str:
    """JSON text that we read back (project file): NaN/infinity kept, numpy and sets converted."""
    return json.dumps(v, ensure_ascii=False, allow_nan=True, default=default, **kw)


def dumps_strict(v: Any, **kw: Any) -> str:
    """Strict JSON for other programs (``summary.json``, list cells in CSV exports)."""
    return json.dumps(plain(v, nonfinite="text"), ensure_ascii=False, allow_nan=False, **kw)


def rounded(v: Any, digits: int = 6, decimals: int = 8) -> Any:
    """``v`` as plain JSON data with its floats cut to ``digits`` significant digits and at most
    ``decimals`` decimals (0.24310264996089523 -> 0.243103): what a person or a CSV should see."""

    def walk(x: Any) -> Any:
        if isinstance(x, float):
            return round(float(f"{x:.{digits}g}"), decimals) if math.isfinite(x) else x
        if isinstance(x, list):
            return [walk(i) for i in x]
        if isinstance(x, dict):
            return {k: walk(i) for k, i in x.items()}
        return x

    return walk(plain(v, nonfinite="text"))
