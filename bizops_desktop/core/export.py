"""The one export path: result tables to CSV/Excel (list cells as JSON arrays), metrics to
summary.json, plots to PNG (through the Qt renderer, imported only when a plot is written)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .jsonable import dumps_strict

if TYPE_CHECKING:
    import pandas as pd

    from .analysis import Result


def to_json(obj: Any, **kw) -> str:
    """JSON text for metrics/params: NaN -> null, inf -> "inf", numpy scalars to Python."""
    return dumps_strict(obj, **kw)


def table_for_export(frame: "pd.DataFrame") -> "pd.DataFrame":
    """A copy where list/tuple/set/dict cells are JSON text and infinite floats read 'inf'."""
    import numpy as np
    import pandas as pd

    out = frame.copy()
    for c in out.columns:
        col = out[c]
        if col.dtype == object:
            sample = col.dropna()
            if len(sample) and isinstance(sample.iloc[0], (list, tuple, set, frozenset, dict)):
                out[c] = col.map(lambda v: dumps_strict(v) if v is not None else "")
        elif pd.api.types.is_float_dtype(col) and np.isinf(col.to_numpy(dtype=float, na_value=np.nan)).any():
            out[c] = col.map(lambda v: "inf" if v == np.inf else ("-inf" if v == -np.inf else v))
    return out


def write_table(frame: "pd.DataFrame", path: str | os.PathLike) -> Path:
    """Write one table as CSV (UTF-8 with BOM so Excel shows Chinese text) or .xlsx by suffix."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    t = table_for_export(frame)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        t.to_excel(path, index=False, engine="openpyxl")
    else:
        t.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def write_tables_excel(tables: "dict[str, pd.DataFrame]", path: str | os.PathLike) -> Path:
    """Several tables into one workbook, a sheet each."""
    import pandas as pd

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, frame in tables.items():
            table_for_export(frame).to_excel(xw, sheet_name=name[:31] or "table", index=False)
    return path


def write_result(result: "Result", out_dir: str | os.PathLike, *, plot_writer=None,
                 extra_metrics: dict | None = None) -> list[Path]:
    """``DIR/<table>.csv`` for each table, ``DIR/summary.json``, and ``DIR/<plot>.png`` through
    ``plot_writer(spec, path)`` (the Qt renderer; core stays Qt-free, so the caller passes it)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, frame in result.tables.items():
        written.append(write_table(frame, out / f"{name}.csv"))
    summary = dict(result.metrics)
    if result.notes:
        summary.setdefault("notes", list(result.notes))
    if extra_metrics:
        summary.update(extra_metrics)
    p = out / "summary.json"
    p.write_text(to_json(summary, indent=2) + "\n", encoding="utf-8")
    written.append(p)
    if plot_writer is not None:
        for name, spec in result.plots.items():
            written.append(plot_writer(spec, out / f"{name}.png"))
    return written
