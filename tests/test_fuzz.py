"""Fuzz targets (issue 15): any bytes given as a data file or a project file end in a table or in
the program's own plain error, never another exception. ``make test`` runs a few examples with a
fixed seed; ``make fuzz`` runs many (FUZZ_EXAMPLES)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import BizOpsError
from bizops_desktop.core.importer import load_dataset
from bizops_desktop.core.project import Project, load_project, save_project

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))

SEEDS = [
    "订单号,客户,商品,数量,单价\n1001,C1,P1,2,3.5\n1001,C1,P2,1,2\n1002,C2,P1,1,3.5\n".encode("gbk"),
    b"order_id;customer;date;amount\nA;x;05.03.2024;1.234,50\nB;y;06.03.2024;99,00\n",
    b'bread,milk\nmilk,eggs,butter\n"quoted, cell",x\n',
    b'a\tb\n1\t"unclosed\n2\t3\n',
]


def _mutate(base: bytes, edits: list[tuple[int, int]], cut: int) -> bytes:
    b = bytearray(base)
    for pos, val in edits:
        if b:
            b[pos % len(b)] = val
    return bytes(b[: max(1, cut % (len(b) + 1))] if cut else b)


@seed(20261201)
@FUZZ
@given(
    base=st.sampled_from(SEEDS),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=12),
    cut=st.integers(0, 400),
    extra=st.binary(max_size=300),
    suffix=st.sampled_from([".csv", ".txt", ".tsv", ".xlsx", ".xls"]),
)
def test_any_bytes_as_a_data_file_end_in_a_table_or_a_plain_error(base, edits, cut, extra, suffix):
    data = _mutate(base, edits, cut) + extra
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"orders{suffix}"
        path.write_bytes(data)
        try:
            ds = load_dataset(path)
        except BizOpsError:
            return
        assert isinstance(ds.frame, pd.DataFrame)


@pytest.fixture(scope="module")
def project_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.bizops"
        frame = pd.DataFrame({"a": np.arange(50), "b": [f"x{i}" for i in range(50)]})
        save_project(Project(datasets={"t": Dataset("t", frame, notes=["n"])}), path)
        return path.read_bytes()


@seed(20261201)
@FUZZ
@given(
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.integers(0, 100_000),
)
def test_any_damage_to_a_project_file_ends_in_the_project_or_a_plain_error(project_bytes, edits, cut):
    # header bytes 0-99 stay intact half the time, so the damage also reaches the tables
    data = _mutate(project_bytes, [(p if p % 2 else 100 + p, v) for p, v in edits], cut)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.bizops"
        path.write_bytes(data)
        try:
            load_project(path)
        except BizOpsError:
            pass


def test_a_file_far_wider_than_any_table_is_refused_quickly(tmp_path):
    from bizops_desktop.core.errors import DataError

    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(20_000)) + "\n" + ",".join("1" * 20_000) + "\n")
    with pytest.raises(DataError, match="20,000 columns"):
        load_dataset(path)
