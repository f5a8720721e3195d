"""Export throughput: our write_table (numbers rounded to their meaning, list cells as JSON, sentence
cells rendered in the reader's language, titles) against a bare ``DataFrame.to_csv`` of the same
frame, in the same run; rows per second and the ratio, for a 1,000,000-row result table without
sentences and a 100,000-row one with a sentence per row (the basket rules' "why" column).

    python benchmarks/bench_export.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def result_frame(n: int, sentences: bool, seed: int = 1):
    import numpy as np
    import pandas as pd

    from bizops_desktop.core.display import Column
    from bizops_desktop.core.i18n import M

    rng = np.random.default_rng(seed)
    a = rng.integers(0, 300, n)
    b = rng.integers(0, 300, n)
    frame = pd.DataFrame(
        {
            "antecedents": [[f"cat{i:03d}"] for i in a],
            "consequents": [[f"cat{i:03d}"] for i in b],
            "support": rng.uniform(0.005, 0.3, n),
            "confidence": rng.uniform(0, 1, n),
            "lift": rng.lognormal(0, 0.5, n),
            "revenue": rng.uniform(0, 5000, n),
            "count": rng.integers(1, 10_000, n),
        }
    )
    columns = {
        "support": Column("Support", "percent"),
        "confidence": Column("Confidence", "percent"),
        "lift": Column("Lift", "num"),
        "revenue": Column("Revenue", "money"),
        "count": Column("Orders", "int"),
    }
    if sentences:
        frame["why"] = [
            M(
                "Customers who buy {a} also buy {b} in {c:percent} of their orders, "
                "{lift:num}x more often than average",
                a=f"cat{x:03d}",
                b=f"cat{y:03d}",
                c=c,
                lift=lift,
            )
            for x, y, c, lift in zip(a, b, frame["confidence"], frame["lift"])
        ]
        columns["why"] = Column("Why", "text")
    return frame, columns


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    from bizops_desktop.core.export import table_for_export, write_table

    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        folder = Path(tmp)
        for n, sentences in ((a.rows, False), (a.rows // 10, True)):
            frame, columns = result_frame(n, sentences)
            plain = table_for_export(frame.drop(columns=["why"], errors="ignore"))  # lists as JSON, nothing else
            ref = best(lambda p=plain: p.to_csv(folder / "ref.csv", index=False), a.repeat)
            ours = best(lambda f=frame, c=columns: write_table(f, folder / "ours.csv", columns=c), a.repeat)
            titled = best(
                lambda f=frame, c=columns: write_table(f, folder / "titled.csv", columns=c, titles=True), a.repeat
            )
            kind = "with a sentence per row" if sentences else "ids, lists and numbers"
            print(f"{n:,} rows, {kind}:")
            print(f"  DataFrame.to_csv (lists as JSON, no rounding, no sentences): {n / ref:,.0f} rows/s")
            print(f"  write_table: {n / ours:,.0f} rows/s = {ours / ref:.2f}x the time of to_csv")
            print(f"  write_table --titles: {n / titled:,.0f} rows/s = {titled / ref:.2f}x")


if __name__ == "__main__":
    main()
