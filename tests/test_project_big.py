"""A project with a table bigger than memory: the table's first lines in the project file, its
Parquet copy in ``<name>.bizops.data/`` beside it, referred to by name, size and sha256; a missing,
changed or redirected copy is refused in plain words, never followed outside that folder."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bizops_desktop.core import bigfile
from bizops_desktop.core.errors import ProjectError
from bizops_desktop.core.project import Project, load_project, save_project
from bizops_desktop.core.views.baskets import baskets_from_dataset

pytest.importorskip("duckdb")


@pytest.fixture
def big(tmp_path, monkeypatch):
    from tests.test_outofcore_dataset import write_orders

    monkeypatch.setenv(bigfile.THRESHOLD_ENV, "0")
    monkeypatch.setenv(bigfile.CACHE_ENV, str(tmp_path / "cache"))
    return bigfile.open_data(write_orders(tmp_path / "orders.csv", n=6_000))


def _meta(path):
    con = sqlite3.connect(path)
    try:
        return json.loads(con.execute("SELECT value FROM meta WHERE key = 'big_tables'").fetchone()[0])
    finally:
        con.close()


def _set_meta(path, refs):
    con = sqlite3.connect(path)
    try:
        con.execute("UPDATE meta SET value = ? WHERE key = 'big_tables'", (json.dumps(refs),))
        con.commit()
    finally:
        con.close()


def test_round_trip(big, tmp_path):
    path = tmp_path / "shop.bizops"
    save_project(Project(datasets={"orders": big}), path)
    copy = tmp_path / "shop.bizops.data" / f"{big.big.sha256}.parquet"
    assert copy.is_file()
    again = load_project(path).datasets["orders"]
    assert again.big is not None and again.big.lines == big.big.lines == 6_000
    assert again.big.parquet == str(copy.resolve())
    assert len(again.frame) == len(big.frame)
    b1, b2 = baskets_from_dataset(big), baskets_from_dataset(again)
    assert list(b1.order_ids) == list(b2.order_ids) and (b1.indices == b2.indices).all()
    # saved again without the big table: its copy goes
    save_project(Project(datasets={}), path)
    assert not copy.exists()


def test_a_missing_or_changed_copy_is_said_in_plain_words(big, tmp_path):
    path = tmp_path / "shop.bizops"
    save_project(Project(datasets={"orders": big}), path)
    copy = tmp_path / "shop.bizops.data" / f"{big.big.sha256}.parquet"
    data = copy.read_bytes()
    copy.write_bytes(data[:-10] + b"0123456789")
    with pytest.raises(ProjectError, match="has changed since the project was saved"):
        load_project(path)
    copy.unlink()
    with pytest.raises(ProjectError, match="is missing"):
        load_project(path)


@pytest.mark.parametrize(
    "file",
    ["../orders.csv", "/etc/passwd", "../../x.parquet", "a" * 64 + ".parquet/../../evil", "..\\x.parquet"],
)
def test_a_reference_outside_the_data_folder_is_refused(big, tmp_path, file):
    path = tmp_path / "shop.bizops"
    save_project(Project(datasets={"orders": big}), path)
    refs = _meta(path)
    refs["orders"]["file"] = file
    _set_meta(path, refs)
    with pytest.raises(ProjectError, match="damaged"):
        load_project(path)


def test_a_reference_of_another_hash_is_refused(big, tmp_path):
    path = tmp_path / "shop.bizops"
    save_project(Project(datasets={"orders": big}), path)
    refs = _meta(path)
    refs["orders"]["sha256"] = "0" * 64
    _set_meta(path, refs)
    with pytest.raises(ProjectError, match="damaged"):
        load_project(path)
