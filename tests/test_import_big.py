"""Big files and Cancel: an import cancelled right after it starts reporting ends with Cancelled,
hands nothing back, keeps nothing (no half-read table stays in memory), and the same file then
imports whole, with the values it was written with."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core.errors import Cancelled
from bizops_desktop.core.importer import load_dataset
from bizops_desktop.core.progress import Progress


def orders_frame(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "order_id": np.char.add("O", (np.arange(n) // 3 + 100000).astype(str)),
            "customer_id": np.char.add("C", rng.integers(1, 20000, n).astype(str)),
            "date": (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")).strftime(
                "%Y-%m-%d"
            ),
            "product": np.char.add("P", rng.integers(1, 300, n).astype(str)),
            "quantity": rng.integers(1, 6, n),
            "price": np.round(rng.uniform(1, 90, n), 2),
        }
    )


def big_tables_alive(min_rows: int, known: tuple = ()) -> list:
    """DataFrames and Arrow tables of at least ``min_rows`` rows that something still holds
    (besides the ``known`` ones, the test's own)."""
    import pyarrow as pa

    gc.unfreeze()  # the window's collector freezes long-lived objects; get_objects skips those
    gc.collect()
    out = []
    for o in gc.get_objects():
        if any(o is k for k in known):
            continue
        if isinstance(o, pd.DataFrame) and len(o) >= min_rows:
            out.append(o)
        elif isinstance(o, (pa.Table, pa.RecordBatch)) and o.num_rows >= min_rows:
            out.append(o)
    return out


def cancel_on_first_report() -> tuple[Progress, list]:
    seen: list[float] = []

    def cb(fraction, _text):
        seen.append(fraction)
        progress.cancel()

    progress = Progress(cb, _min_interval=0.0)
    return progress, seen


def import_cancelled(path, rows: int, known: tuple = ()) -> list:
    # tables other tests left alive (the demo shop's, in a whole test run) are not this import's
    known = (*known, *big_tables_alive(rows // 10, known))
    progress, seen = cancel_on_first_report()
    result = None
    with pytest.raises(Cancelled) as info:
        result = load_dataset(path, progress=progress)
    del info  # its traceback holds the import's frames (and their locals) until dropped
    assert result is None
    assert seen and max(seen) < 0.5  # stopped right after the first report, long before the end
    assert big_tables_alive(rows // 10, known) == []
    return seen


def test_big_csv_cancelled_after_the_first_report(tmp_path):
    n = 300_000
    truth = orders_frame(n)
    path = tmp_path / "big_orders.csv"
    truth.to_csv(path, index=False)

    import_cancelled(path, n, known=(truth,))

    # the same file, not cancelled, loads whole: the planted values come back
    ds = load_dataset(path)
    expected = truth
    assert len(ds.frame) == n and str(ds.frame["date"].dtype) == "datetime64[ns]"
    assert ds.frame["order_id"].tolist() == expected["order_id"].tolist()
    assert ds.frame["quantity"].tolist() == expected["quantity"].tolist()
    assert np.allclose(ds.frame["price"].to_numpy(), expected["price"].to_numpy())
    assert (ds.frame["date"] == pd.to_datetime(expected["date"])).all()
    assert ds.roles["order_id"] == ["order_id"] and ds.roles["date"] == ["date"]


def test_big_workbook_cancelled_after_the_first_report(tmp_path):
    import openpyxl

    n = 20_000  # openpyxl writes about 3,000 rows a second: big enough to be read in pieces
    truth = orders_frame(n, seed=5)
    path = tmp_path / "big_orders.xlsx"
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("orders")
    ws.append(list(truth.columns))
    for row in truth.itertuples(index=False):
        ws.append([v.item() if isinstance(v, np.generic) else v for v in row])
    wb.save(path)

    import_cancelled(path, n, known=(truth,))

    ds = load_dataset(path)
    assert len(ds.frame) == n and ds.sheet == "orders"
    assert ds.frame["order_id"].tolist() == truth["order_id"].tolist()
    assert ds.frame["quantity"].dtype == np.int64 and ds.frame["quantity"].tolist() == truth["quantity"].tolist()
    assert ds.frame["price"].tolist() == truth["price"].tolist()
    assert (ds.frame["date"] == pd.to_datetime(truth["date"])).all()
