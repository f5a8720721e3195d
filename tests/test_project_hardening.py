"""A stranger's project file can neither run SQL nor exhaust memory (issue 15, items 1 and 2):
crafted from a saved project with sqlite3, as a stranger would."""

from __future__ import annotations

import os
import sqlite3
import time
import zlib

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core import tablestore
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import ProjectError
from bizops_desktop.core.project import Project, load_project, save_project


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "shop.bizops"
    frame = pd.DataFrame({"order_id": [f"O{i}" for i in range(2000)], "amount": np.arange(2000) * 1.5})
    save_project(Project(datasets={"orders": Dataset("orders", frame)}), path)
    assert load_project(path).datasets["orders"].frame.shape == (2000, 2)
    return path


def _edit(path, *sql):
    conn = sqlite3.connect(path)
    try:
        for s in sql:
            conn.execute(s)
        conn.commit()
    finally:
        conn.close()


ENDLESS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT 'k' AS key, n AS value FROM r"


@pytest.mark.parametrize("table", ["meta", "datasets"])
def test_a_view_over_an_endless_query_is_refused_not_followed(saved, table):
    if table == "meta":
        _edit(saved, "DROP TABLE meta", f"CREATE VIEW meta AS {ENDLESS}")
    else:
        _edit(saved, "ALTER TABLE datasets RENAME TO d2", "CREATE VIEW datasets AS SELECT * FROM d2, (" + ENDLESS + ")")
    t0 = time.monotonic()
    with pytest.raises(ProjectError, match="damaged.*(view|not part of a project)"):
        load_project(saved)
    assert time.monotonic() - t0 < 30  # refused, not spun (the old loader never returned)


def test_a_trigger_is_refused(saved):
    _edit(saved, f"CREATE TRIGGER t AFTER UPDATE ON analyses BEGIN SELECT count(*) FROM ({ENDLESS}); END")
    with pytest.raises(ProjectError, match="trigger"):
        load_project(saved)


def test_an_extra_table_or_a_missing_one_is_refused(saved, tmp_path):
    _edit(saved, "CREATE TABLE surprise (x)")
    with pytest.raises(ProjectError, match="surprise"):
        load_project(saved)
    _edit(saved, "DROP TABLE surprise", "DROP TABLE result_tables")
    with pytest.raises(ProjectError, match="missing: result_tables"):
        load_project(saved)


def _first_chunk(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT table_id, chunk, data FROM table_chunks ORDER BY table_id, chunk").fetchone()
    finally:
        conn.close()


def _replace_chunk(path, tid, chunk, blob):
    _edit(
        path,
        f"UPDATE table_chunks SET data = x'{blob.hex()}', crc32 = {zlib.crc32(blob)} "
        f"WHERE table_id = {tid} AND chunk = {chunk}",
    )


def test_a_chunk_that_claims_to_unpack_to_gigabytes_is_refused_before_allocating(saved):
    tid, chunk, blob = _first_chunk(saved)
    at = blob.find(b"\x28\xb5\x2f\xfd", 8)
    assert at > 0, "chunks are zstd-compressed"
    forged = blob[: at - 8] + (50 << 30).to_bytes(8, "little") + blob[at:]
    _replace_chunk(saved, tid, chunk, forged)
    with pytest.raises(ProjectError, match="unpack"):
        load_project(saved)


def test_a_real_bomb_is_refused_by_the_chunk_limit(tmp_path, monkeypatch):
    # a column of one repeated long text: megabytes unpacked from a few kilobytes on disk
    path = tmp_path / "bomb.bizops"
    frame = pd.DataFrame({"t": ["x" * 2000] * 3000})
    save_project(Project(datasets={"t": Dataset("t", frame)}), path)
    assert path.stat().st_size < 1_000_000  # 6 MB of text inside
    monkeypatch.setattr(tablestore, "MAX_CHUNK_BYTES", 1 << 20)
    with pytest.raises(ProjectError, match="unpack"):
        load_project(path)


def test_all_tables_together_stay_within_the_memory_budget(tmp_path, monkeypatch):
    path = tmp_path / "many.bizops"
    frames = {f"t{i}": Dataset(f"t{i}", pd.DataFrame({"v": np.arange(200_000, dtype=float)})) for i in range(4)}
    save_project(Project(datasets=frames), path)
    monkeypatch.setattr(tablestore, "memory_budget", lambda: 4 << 20)  # each table is 1.6 MB unpacked
    with pytest.raises(ProjectError, match="more memory"):
        load_project(path)
    monkeypatch.setattr(tablestore, "memory_budget", lambda: 64 << 20)
    assert len(load_project(path).datasets) == 4


# -- item 8: the file's surroundings ----------------------------------------------------------
def test_a_stale_journal_beside_the_project_neither_blocks_opening_nor_stays(saved):
    journal = saved.with_name(saved.name + "-journal")
    journal.write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + bytes(500))  # a hot journal's magic
    assert load_project(saved).datasets["orders"].frame.shape == (2000, 2)
    save_project(load_project(saved), saved)
    assert not journal.exists()


def test_opening_a_wal_mode_project_writes_nothing_beside_it(saved):
    _edit(saved, "PRAGMA journal_mode=WAL")
    for suffix in ("-wal", "-shm"):
        saved.with_name(saved.name + suffix).unlink(missing_ok=True)
    before = sorted(p.name for p in saved.parent.iterdir())
    load_project(saved)
    assert sorted(p.name for p in saved.parent.iterdir()) == before


def test_saving_over_a_link_writes_its_target(saved, tmp_path):
    link = tmp_path / "link.bizops"
    link.symlink_to(saved)
    project = load_project(link)
    project.meta["note"] = "changed"
    save_project(project, link)
    assert link.is_symlink() and load_project(saved).meta["note"] == "changed"


def test_a_read_only_place_is_not_blamed_on_disk_space(saved, monkeypatch):
    import errno

    def refuse(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("os.replace", refuse)
    with pytest.raises(ProjectError) as info:
        save_project(load_project(saved), saved)
    assert "may not be written" in str(info.value) and "disk space" not in str(info.value)


@pytest.mark.skipif(os.name != "posix", reason="process ids are checked on POSIX only")
def test_temp_files_of_killed_saves_go_at_once_those_of_live_ones_stay(saved):
    dead = saved.parent / f".{saved.name}.999999999-abcd1234.saving"
    live = saved.parent / f".{saved.name}.{os.getppid()}-abcd1234.saving"
    dead.write_bytes(b"x")
    live.write_bytes(b"x")
    save_project(load_project(saved), saved)
    assert not dead.exists() and live.exists()


def test_text_that_is_not_utf8_is_damage_not_a_crash(saved):
    # found by the project fuzz target: a flipped byte inside a text cell
    _edit(saved, "UPDATE meta SET value = CAST(x'22ff80fe22' AS TEXT)")
    with pytest.raises(ProjectError, match="damaged"):
        load_project(saved)
